"""Index planning helpers that an edit in place relies on to give what a
full plan gives."""

from types import SimpleNamespace

from hypothesis import given, settings as hypothesis_settings
from hypothesis import strategies as st

from builder.indexes import labels_after, page_of, page_spans, sitemap_outputs, tag_labels
from builder.sitemap import sitemap_files
from tests.conftest import make_settings

# names whose slugs collide (case, punctuation, nothing left), and others
_TAGS = ["Foo Bar", "foo-bar", "FOO BAR", "foo bar!", "Energy", "energy", "能源", "Trade", "!!!", "???", "x",
         "Human rights", "human-rights", "Taiwan Strait"]


def _labels(tags, settings):
    return tag_labels([SimpleNamespace(tags=tuple(tags))], settings)


@hypothesis_settings(max_examples=300, deadline=None)
@given(before=st.sets(st.sampled_from(_TAGS)), after=st.sets(st.sampled_from(_TAGS)))
def test_labels_after_a_change_of_tags_are_the_full_computation_or_none(tmp_path_factory, before, after):
    """From the last build's labels, the labels of another set of tags are
    exactly what ``tag_labels`` makes, or ``None`` (the full plan then
    makes them) when a slug collision might move a tag that stays."""
    settings = make_settings(tmp_path_factory.getbasetemp(), tmp_path_factory.getbasetemp() / "site")
    found = labels_after(_labels(before, settings), after - before, before - after, settings)
    if found is not None:
        assert found == _labels(after, settings)


def test_labels_after_are_found_when_no_slug_collides(tmp_path):
    settings = make_settings(tmp_path, tmp_path / "site")
    before = _labels(["Energy", "Trade", "Foo Bar", "foo-bar"], settings)
    assert labels_after(before, {"能源"}, set(), settings) is not None
    assert labels_after(before, set(), {"Trade"}, settings) is not None
    assert labels_after(before, set(), {"Foo Bar"}, settings) is None  # foo-bar would take foo-bar.html


def test_a_split_sitemap_keys_each_part_by_the_pages_it_names():
    """Past the protocol's limit the sitemap is an index and parts: a page
    whose date changed makes its part again, not the others nor the index."""
    pages = [(f"articles/{n}.html", f"2020-01-0{n + 1}") for n in range(5)]
    outputs = sitemap_outputs("fingerprint", "https://example.org/", pages, max_urls=2)
    files = sitemap_files("https://example.org/", pages, max_urls=2)
    assert {o.path: o.make().decode("utf-8") for o in outputs} == files
    pages[3] = ("articles/3.html", "2021-01-01")
    keys = {o.path: o.key for o in outputs}
    changed = {o.path for o in sitemap_outputs("fingerprint", "https://example.org/", pages, max_urls=2)
               if o.key != keys[o.path]}
    assert changed == {"sitemaps/2.xml"}


@hypothesis_settings(max_examples=300, deadline=None)
@given(total=st.integers(0, 400), per_page=st.integers(1, 40), more=st.integers(1, 90))
def test_list_pages_are_counted_from_the_oldest(total, per_page, more):
    """The pages cover the group once, in order; the first holds from one
    page's worth to just under two (all of a smaller group), the others one
    page's worth each; and articles added at the top leave every numbered
    page (counted from the oldest) showing what it showed."""
    spans = page_spans(total, per_page)
    assert spans[0][0] == 0 and spans[-1][1] == total
    assert all(a[1] == b[0] for a, b in zip(spans, spans[1:]))
    top = spans[0][1]
    assert top == total if total < 2 * per_page else per_page <= top < 2 * per_page
    assert all(stop - start == per_page for start, stop in spans[1:])
    assert [page_of(p, total, per_page) for p in range(total)] == [
        i for i, (start, stop) in enumerate(spans) for _ in range(start, stop)]

    def numbered(n):  # page number → ranks from the oldest
        found = page_spans(n, per_page)
        return {len(found) - i: (n - stop, n - start) for i, (start, stop) in enumerate(found) if i}

    before, after = numbered(total), numbered(total + more)
    assert all(after[m] == ranks for m, ranks in before.items())
    assert sorted(after) == list(range(1, len(after) + 1))
