"""Index planning helpers that an edit in place relies on to give what a
full plan gives."""

from types import SimpleNamespace

from hypothesis import given, settings as hypothesis_settings
from hypothesis import strategies as st

from builder.indexes import (_list_pages, labels_after, page_of, page_spans, pages_changed, sitemap_outputs,
                              tag_labels)
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


@hypothesis_settings(max_examples=500, deadline=None)
@given(dated=st.integers(0, 300), undated=st.integers(0, 120), per_page=st.integers(1, 40),
       more=st.integers(1, 90), at=st.integers(0, 120))
def test_list_pages_are_counted_from_the_oldest(dated, undated, per_page, more, at):
    """The pages cover the group once, in order. A group under two pages'
    worth is one page. Otherwise no page mixes dated and undated articles;
    the first holds from one page's worth of the dated to just under two
    (or all of them, or the first undated page's when none is dated), a
    numbered dated page one page's worth, an undated page one page's worth
    but the last. Dated articles added at the top leave every numbered
    page (dated pages counted from the oldest, undated ones from the first)
    showing what it showed; an undated one, the pages before its place."""
    total = dated + undated
    spans = page_spans(dated, total, per_page)
    assert spans[0].start == 0 and spans[-1].stop == total and spans[0].number is None
    assert all(a.stop == b.start for a, b in zip(spans, spans[1:]))
    assert [page_of(spans, p) for p in range(total)] == [
        i for i, span in enumerate(spans) for _ in range(span.start, span.stop)]
    if total < 2 * per_page:
        assert len(spans) == 1
        return
    assert all(span.stop <= dated or span.start >= dated for span in spans)
    top = spans[0].stop
    assert (per_page <= top < 2 * per_page if dated >= 2 * per_page else
            top == dated if dated else top == min(per_page, undated))
    assert all(span.stop - span.start == per_page for span in spans[1:-1])

    def numbered(d, u):  # (number, undated) → the articles: ranks from the oldest dated, places among the undated
        return {(span.number, span.undated): (d - span.stop, d - span.start) if not span.undated
                else (span.start - d, span.stop - d) for span in page_spans(d, d + u, per_page)[1:]}

    before = numbered(dated, undated)
    if dated:
        after = numbered(dated + more, undated)
        assert all(after[page] == shown for page, shown in before.items())
    after = numbered(dated, undated + 1)  # an undated article at place ``at``
    changed = {page for page, shown in before.items() if after.get(page) != shown}
    assert all(page[1] and shown[1] >= min(at, undated) for page, shown in before.items() if page in changed)


@hypothesis_settings(max_examples=400, deadline=None)
@given(members=st.dictionaries(st.integers(0, 80), st.one_of(st.none(), st.integers(1, 30)), max_size=60),
       edits=st.dictionaries(st.integers(0, 80), st.one_of(st.none(), st.integers(1, 30),
                                                            st.just("gone"), st.just("same")), max_size=8),
       per_page=st.integers(1, 6), folder=st.sampled_from(["home", "tags"]))
def test_the_pages_found_changed_are_those_whose_keys_changed(tmp_path_factory, members, edits, per_page, folder):
    """``pages_changed`` reads only the members' paths and their number of
    dated ones: it must name a position on every page whose key differs
    from the last build's or that is new, and name the pages gone. Edits:
    an article joins, leaves, takes another date or loses it, or keeps it
    with another text (its list key changes)."""
    base = tmp_path_factory.getbasetemp()
    settings = make_settings(base, base / "site", items_per_page=per_page)
    first = "index.html" if folder == "home" else "tags/x.html"
    after = dict(members)
    for n, change in edits.items():
        if change == "gone":
            after.pop(n, None)
        elif change != "same":
            after[n] = change
        elif n in after:
            pass  # its text changed: in the group as before
    changed = {f"a{n:02}" for n in edits if n in after}

    def ordered(group):
        articles = [SimpleNamespace(source_path=f"a{n:02}", date=date) for n, date in sorted(group.items())]
        return sorted(articles, key=lambda a: (a.date is None, -(a.date or 0)))

    def keys_of(articles, edited):
        keys = {a.source_path: a.source_path + ("*" if a.source_path in edited else "") for a in articles}
        return {o.path: o.key for o in _list_pages(None, "fingerprint", keys, first, "Home", articles, settings,
                                                    home=folder == "home", facet=None if folder == "home" else folder)}

    old, new = ordered(members), ordered(after)
    near, gone = pages_changed(folder, first, per_page, [a.source_path for a in old],
                               sum(a.date is not None for a in old), [a.source_path for a in new],
                               sum(a.date is not None for a in new), changed)
    before, now = keys_of(old, set()), keys_of(new, changed)
    spans = page_spans(sum(a.date is not None for a in new), len(new), per_page)
    named = {list(now)[page_of(spans, position)] for position in near}
    assert {path for path, key in now.items() if before.get(path) != key} <= named
    assert gone == before.keys() - now.keys()


@hypothesis_settings(max_examples=300, deadline=None)
@given(dated=st.integers(0, 150), undated=st.integers(0, 60), per_page=st.integers(1, 12), more=st.integers(1, 40),
       at=st.integers(0, 60))
def test_an_addition_makes_few_numbered_pages_again(tmp_path_factory, dated, undated, per_page, more, at):
    """Over the pages' keys, which hold their articles and every link of
    their navigation. Dated articles newer than all others change the first
    page and, when it splits, the page after it, whose newer neighbour is
    then another page. An undated article changes the undated pages from
    its place on, and the last page, when it makes a page more."""
    base = tmp_path_factory.getbasetemp()
    settings = make_settings(base, base / "site", items_per_page=per_page)
    at = min(at, undated)

    def keys_of(new: int = 0, new_undated: bool = False) -> dict[str, str]:
        articles = [SimpleNamespace(source_path=f"d{n:04}", date=n) for n in range(dated + new, 0, -1)]
        places = [2 * n + 1 for n in range(undated)]
        if new_undated:
            places.insert(at, 2 * at)
        articles += [SimpleNamespace(source_path=f"u{n:04}", date=None) for n in places]
        keys = {a.source_path: a.source_path for a in articles}
        return {o.path: o.key for o in _list_pages(None, "fingerprint", keys, "index.html", "Home", articles,
                                                    settings, home=True)}

    def changed(after: dict[str, str]) -> list[str]:
        assert before.keys() <= after.keys()
        return [path for path, key in before.items() if path != "index.html" and after[path] != key]

    before = keys_of()
    if dated + undated < 2 * per_page:
        return
    if dated:
        found = changed(keys_of(new=more))
        assert found in ([], [list(before)[1]]), found
    found = changed(keys_of(new_undated=True))
    assert all(path.startswith("page/undated-") and int(path[13:-5]) > at // per_page
               or path == list(before)[-1] for path in found), (found, at)  # the last: a page more after it
