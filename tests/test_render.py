"""Rendering helpers: relative links, JSON-LD, labels."""

import itertools
import json
import posixpath
import urllib.parse

from hypothesis import given
from hypothesis import strategies as st

import jinja2
import pytest

from builder.indexes import IndexEntry
from builder.render import _Environment, index_items, jsonld_script, list_items, quote_path, relative_url, relative_urls

FOLDER = st.sampled_from(["a", "b", "tags", "articles", "新闻", "x y"])
FILE = st.sampled_from(["index.html", "2.html", "a.html", "北约.html", "raw.txt"])
# a site path: folders, then a file name (a file is never also a folder)
PATH = st.tuples(st.lists(FOLDER, max_size=3), FILE).map(lambda p: "/".join([*p[0], p[1]]))


@given(PATH, PATH)
def test_relative_url_agrees_with_posixpath(page, target):
    expected = posixpath.relpath(target, posixpath.dirname(page) or ".")
    assert urllib.parse.unquote(relative_url(page, target)) == expected


SOME_PATH = st.text(st.sampled_from("ab/#. 新"), max_size=12)


@given(SOME_PATH, SOME_PATH)
def test_relative_url_is_memoised_by_what_decides_it(page, target):
    """Links are memoised by the page's folder: whatever the strings, the
    link is the one the rule makes for that very page (leading, doubled and
    trailing slashes too)."""
    path, _, fragment = target.partition("#")
    base, parts = page.split("/")[:-1], path.split("/")
    common = len(list(itertools.takewhile(lambda pair: pair[0] == pair[1], zip(base, parts[:-1]))))
    expected = quote_path("../" * (len(base) - common) + "/".join(parts[common:])) + (f"#{fragment}" if fragment else "")
    assert relative_url(page, target) == expected


def test_relative_url_keeps_fragments_and_percent_encodes():
    assert relative_url("articles/a.html", "tags/北约.html#top") == "../tags/%E5%8C%97%E7%BA%A6.html#top"


@given(st.text(st.characters(exclude_categories=["Cs"])))  # (a lone surrogate cannot be encoded)
def test_links_are_percent_encoded_as_urllib_does(path):
    assert quote_path(path) == urllib.parse.quote(path, safe="/._-~")


def test_jsonld_cannot_close_its_script_element():
    text = jsonld_script({"headline": "</script><script>alert(1)</script>"})
    assert "</script>" not in text
    assert json.loads(text)["headline"] == "</script><script>alert(1)</script>"


class _Object:
    title = "an attribute"


class _Dict(dict):
    title = "an attribute of a dict of its own kind"


@pytest.mark.parametrize("template", [
    "{{ d.title }}", "{{ d.items is callable }}", "{{ d['items'] }}", "{{ d.get('title') }}",
    "{{ d.missing is defined }}", "{{ o.title }}", "{{ o.missing is defined }}", "{{ s.upper is callable }}",
    "{{ n.title }}", "{{ sub.title }}", "{{ sub.other }}",
])
def test_dict_attributes_in_templates_are_jinjas(template):
    """The environment's quicker lookup on dicts gives what Jinja gives:
    an item, a dict's own method before an item of the same name, undefined
    for what neither holds, and other objects as Jinja treats them."""
    context = {"d": {"title": "an item", "items": "an item named items", "get": "shadowed"},
               "o": _Object(), "s": "text", "n": {"title": {"title": "nested"}},
               "sub": _Dict(title="an item", other="another item")}

    def render(env):
        return env.from_string(template).render(**context)

    assert render(_Environment(undefined=jinja2.StrictUndefined)) == render(
        jinja2.Environment(undefined=jinja2.StrictUndefined))


def test_a_missing_dict_item_is_strictly_undefined():
    with pytest.raises(jinja2.UndefinedError, match="has no attribute 'missing'"):
        _Environment(undefined=jinja2.StrictUndefined).from_string("{{ d.missing }}").render(d={})


@given(PATH, st.lists(PATH, max_size=8))
def test_relative_urls_are_relative_url_of_each(page, targets):
    assert relative_urls(page, targets) == [relative_url(page, target) for target in targets]


@given(st.lists(st.tuples(st.text(max_size=8), st.integers(0, 10 ** 6), PATH), max_size=6))
def test_index_items_writes_what_the_template_loop_writes(entries):
    """The ``index_items`` filter, escaping included, against the loop it stands for."""
    loop = _Environment(autoescape=True, trim_blocks=True, lstrip_blocks=True).from_string(
        "{% for entry in entries %}\n"
        '  <li><a href="{{ entry.href }}">{{ entry.label }}</a> <span class="n">{{ entry.count }}</span></li>\n'
        "{% endfor %}\n")
    made = [IndexEntry(label, count, path, path + '"&<>\'') for label, count, path in entries]
    assert index_items(made) == loop.render(entries=made)


_LIST_LOOP = """\
{% for item in items %}
  <li>
    <h2><a href="{{ item.url }}" lang="{{ item.language }}">{{ item.title }}</a></h2>
    <p class="meta">{% if item.date %}<time datetime="{{ item.date.iso }}">{{ item.date.text }}</time>\
{% else %}{{ t['article.date_unknown'] }}{% endif %} · {{ item.language_name }}\
{% if item.publisher %} · {{ item.publisher }}{% endif %}</p>
    {% if item.summary %}<p class="summary" lang="{{ item.language }}">{{ item.summary }}</p>{% endif %}
  </li>
{% endfor %}
"""
"""The loop the ``list_items`` filter stands for, as ``list.html`` wrote it."""
TEXT = st.text(st.sampled_from("ab &<>\"'·新"), max_size=6)
ITEM = st.fixed_dictionaries({
    "url": TEXT, "title": TEXT, "language": TEXT, "language_name": TEXT,
    "date": st.none() | st.fixed_dictionaries({"iso": TEXT, "text": TEXT}),
    "publisher": st.none() | TEXT, "summary": TEXT})


@given(st.lists(ITEM, max_size=4), TEXT)
def test_list_items_writes_what_the_template_loop_writes(items, unknown):
    """The ``list_items`` filter, escaping included, against the loop it stands for."""
    loop = _Environment(autoescape=True, trim_blocks=True, lstrip_blocks=True, keep_trailing_newline=True)
    written = loop.from_string(_LIST_LOOP).render(items=items, t={"article.date_unknown": unknown})
    assert list_items(items, unknown) == written


def test_every_role_a_credit_can_give_has_a_label_in_the_shipped_templates():
    """A role without a label would show its key (``role.commentator``) in the byline."""
    from builder.profiles import common_data
    from builder.render import load_labels
    from tests.conftest import ROOT
    labels = load_labels(ROOT / "templates", "en")
    roles = common_data()["roles"]
    assert "commentator" in roles
    assert [role for role in roles if labels[f"role.{role}"] == f"role.{role}"] == []


def test_an_articles_list_entry_is_made_once_for_the_pages_that_link_it_alike(tmp_path):
    """Pages of one folder depth share an article's view and its ``<li>``;
    another address, slug or record makes another, the ``<li>`` made for
    one wording of an unknown date is not given for another, and a shared
    view cannot be changed."""
    import hashlib

    from builder.models import Entry, SourceFile
    from builder.process import process_source
    from builder.render import ItemView, Renderer
    from tests.conftest import ROOT, make_settings
    raw = (ROOT / "content" / "003_6beaf405c0428abc.txt").read_bytes()
    article = process_source(SourceFile("a.txt", raw, hashlib.sha256(raw).hexdigest())).article
    entry = Entry.of(article, "key-1")._replace(date=None)
    renderer = Renderer(make_settings(ROOT / "content", tmp_path / "site"))
    view = renderer.item_view(entry, "tags/one.html")
    assert isinstance(view, ItemView) and renderer.item_view(entry, "page/2.html") is view
    assert view["url"] == f"../articles/{entry.slug}.html"
    at_root = renderer.item_view(entry, "index.html")
    assert at_root["url"] == f"articles/{entry.slug}.html" and at_root is not view
    assert renderer.item_view(entry._replace(slug="other"), "tags/one.html")["url"] == "../articles/other.html"
    assert renderer.item_view(entry._replace(key="key-2", title="Retitled"), "tags/one.html")["title"] == "Retitled"
    for unknown in ("Date unknown", "日期不详", "Date unknown"):
        assert list_items([view], unknown) == list_items([dict(view)], unknown)
        assert unknown in list_items([view], unknown)
    # shared by the pages that show it, it cannot be changed for one of them
    for change in (lambda: view.__setitem__("title", "x"), lambda: view.update(title="x"),
                   lambda: view.pop("title"), lambda: view.setdefault("new", "x"), view.clear):
        with pytest.raises(TypeError):
            change()
    assert view["title"] == entry.title and renderer.env.getattr(view, "title") == entry.title


@pytest.mark.parametrize("name, group", [
    ("墨尔本雅典娜农场", True), ("《新闻看点》制作组", True), ("秘密翻譯組G-Translators", True),
    ("香草山视频部", True), ("樱花FM", True), ("NFSC News", True), ("東京櫻花団-Tokyo Sakura Group", True),
    ("加拿大温哥华扬帆农场 Himalaya Sailing Farm (CA)", True), ("喜马拉雅农场新西兰站", True),
    # a group's member, credited after it, is a person
    ("东京樱花团/平安卿卿", False), ("台湾宝岛农场 文尊", False), ("香草山视频部-Gtv abeilles（蜜蜂）", False),
    # people, whatever their name ends in
    ("林妍", False), ("Tom Li", False), ("Grant Newsham", False), ("PANews", False), ("阿部", False),
])
def test_a_credit_that_ends_in_a_group_word_names_a_group(name, group):
    from builder.profiles import names_a_group
    assert names_a_group(name) is group


def test_a_groups_credit_is_an_organization_in_jsonld():
    from builder.config import Settings
    from builder.models import Article, Person
    from builder.render import article_jsonld
    article = Article(source_path="a.md", sha256="0" * 64, slug="a", raw_url="raw/a.md", raw_size=1, title="T",
                      language="zh-Hans", profile="generic",
                      people=(Person("墨尔本雅典娜农场", "author"), Person("林妍", "author"),
                              Person("《新闻看点》制作组", "producer"), Person("东京樱花团/平安卿卿", "translator")))
    data = article_jsonld(article, Settings(base_url="https://example.org/"))
    assert data["author"] == [{"@type": "Organization", "name": "墨尔本雅典娜农场"}, {"@type": "Person", "name": "林妍"}]
    assert data["contributor"] == [
        {"@type": "Organization", "name": "《新闻看点》制作组", "roleName": "producer"},
        {"@type": "Person", "name": "东京樱花团/平安卿卿", "roleName": "translator"}]


def test_a_pages_template_counts_with_those_it_extends_includes_or_imports(tmp_path):
    """A page's fingerprint covers its template and those it reaches, not
    the folder's other files; a template named by an expression makes it
    cover them all."""
    from builder.render import page_fingerprints
    from tests.conftest import make_settings
    templates = tmp_path / "templates"
    templates.mkdir()
    pages = {"article.html": '{% extends "base.html" %}{% block main %}{% include "part.html" %}{% endblock %}',
             "list.html": '{% extends "base.html" %}', "index_list.html": "i", "404.html": "n",
             "base.html": "{% block main %}{% endblock %}", "part.html": '{% from "macros.html" import m %}{{ m() }}',
             "macros.html": "{% macro m() %}x{% endmacro %}", "unused.html": "u"}
    for name, source in pages.items():
        (templates / name).write_text(source, encoding="utf-8")
    settings = make_settings(tmp_path, tmp_path / "site", templates_dir=str(templates))

    def changed_by(name: str, source: str) -> set[str]:
        before = page_fingerprints(settings)
        (templates / name).write_text(source, encoding="utf-8")
        after = page_fingerprints(settings)
        assert after.site != before.site and after.plain == before.plain
        return {page for page, fingerprint in after.templates.items() if before.templates[page] != fingerprint}

    assert changed_by("macros.html", "{% macro m() %}y{% endmacro %}") == {"article.html"}
    assert changed_by("base.html", "{% block main %}{% endblock %}!") == {"article.html", "list.html"}
    assert changed_by("unused.html", "v") == set()
    assert changed_by("404.html", "{% if %}") == {"404.html"}  # (rendering reports the mistake)
    assert changed_by("part.html", '{% include kind ~ ".html" %}') == {"article.html"}
    assert changed_by("unused.html", "w") == {"article.html"}  # (the include's name is known only as it renders)
    (templates / "logo.png").write_bytes(b"\x89PNG\r\n\x1a\n\xff\xfe")  # (no text: every file counts)
    assert changed_by("part.html", '{% if false %}{% include "logo.png" %}{% endif %}') == {"article.html"}
    assert changed_by("unused.html", "x") == {"article.html"}
