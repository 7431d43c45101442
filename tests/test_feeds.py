"""Feeds as a feed reader and a feed validator meet them.

Every feed of a built site is read back from disk: with feedparser (what most
Python readers use) for errors, and as XML for the rules the W3C feed
validator checks. What a feed should hold is worked out from the article
pages themselves (their JSON-LD dates and their tag and country links), not
from the builder's internals.
"""

from __future__ import annotations

import datetime as dt
import email.utils
import json
import re
import urllib.parse
from dataclasses import dataclass
from pathlib import Path

import feedparser
import lxml.etree
import lxml.html
import pytest

from builder.build import build
from builder.config import Settings
from builder.feeds import FeedSpec, absolute_links, write_feed, xml_safe
from builder.models import Article, Entry, PartialDate, Person
from tests.conftest import BASE_URL, ROOT, copy_seeds, make_settings

ATOM = "{http://www.w3.org/2005/Atom}"
CONTENT = "{http://purl.org/rss/1.0/modules/content/}encoded"
RFC822 = re.compile(r"^(Mon|Tue|Wed|Thu|Fri|Sat|Sun), \d\d (Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) "
                    r"\d{4} \d\d:\d\d:\d\d [+-]\d{4}$")
RFC3339 = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)$")
URL_ATTRIBUTES = ("href", "src", "poster", "cite", "action", "formaction", "longdesc", "background", "data")
FORBIDDEN_IN_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


# -- reading a built site back ---------------------------------------------------


@dataclass(frozen=True)
class Item:
    id: str
    link: str
    title: str
    date: str | None
    """pubDate (RSS) or updated (Atom) exactly as written."""
    content: str


@dataclass(frozen=True)
class Feed:
    file: Path
    kind: str
    """``rss`` or ``atom``."""
    title: str
    link: str
    """The HTML page the feed belongs to."""
    self_links: tuple[str, ...]
    description: str
    language: str | None
    updated: str | None
    """lastBuildDate (RSS) or updated (Atom)."""
    id: str | None
    items: tuple[Item, ...]


@dataclass(frozen=True)
class PageArticle:
    url: str
    date: str
    """ISO date at the recorded precision, '' when undated (sorts last)."""
    scopes: frozenset[str]
    """Site-relative pages whose feed may hold it: index.html, tags/…, countries/…."""
    body_text: str
    authors: tuple[str, ...]
    """Names JSON-LD gives as ``author``."""


def url_of(site: Path, file: Path, base: str = BASE_URL) -> str:
    return base + urllib.parse.quote(file.relative_to(site).as_posix(), safe="/._-~")


def file_of(site: Path, url: str, base: str = BASE_URL) -> Path | None:
    """The file of ``site`` an absolute URL under ``base`` names; ``None`` outside it."""
    if not url.startswith(base):
        return None
    rel = urllib.parse.unquote(urllib.parse.urlsplit(url[len(base):]).path)
    return site / rel


def feed_files(site: Path) -> list[Path]:
    return sorted((site / "feeds").rglob("*.xml"))


def read_feed(file: Path) -> Feed:
    return read_feed_bytes(file.read_bytes(), file)


def read_feed_bytes(xml: bytes, file: Path = Path("feed.xml")) -> Feed:
    root = lxml.etree.fromstring(xml)
    if root.tag == ATOM + "feed":
        links = root.findall(ATOM + "link")
        items = tuple(Item(e.findtext(ATOM + "id"), _atom_link(e), e.findtext(ATOM + "title"),
                           e.findtext(ATOM + "updated"), e.findtext(ATOM + "content") or "")
                      for e in root.findall(ATOM + "entry"))
        return Feed(file, "atom", root.findtext(ATOM + "title"), _atom_link(root),
                    tuple(ln.get("href") for ln in links if ln.get("rel") == "self"),
                    root.findtext(ATOM + "subtitle") or "",
                    root.get("{http://www.w3.org/XML/1998/namespace}lang"),
                    root.findtext(ATOM + "updated"), root.findtext(ATOM + "id"), items)
    channel = root.find("channel")
    items = tuple(Item(i.findtext("guid"), i.findtext("link"), i.findtext("title"),
                       i.findtext("pubDate"), i.findtext(CONTENT) or "") for i in channel.findall("item"))
    return Feed(file, "rss", channel.findtext("title"), channel.findtext("link"),
                tuple(ln.get("href") for ln in channel.findall(ATOM + "link") if ln.get("rel") == "self"),
                channel.findtext("description"), channel.findtext("language"),
                channel.findtext("lastBuildDate"), None, items)


def _atom_link(element) -> str | None:
    for link in element.findall(ATOM + "link"):
        if link.get("rel", "alternate") == "alternate":
            return link.get("href")
    return None


def html_of(file: Path):
    return lxml.html.document_fromstring(file.read_text(encoding="utf-8"))


def site_path(page: str, href: str) -> str:
    """Site-relative path a relative link on ``page`` names."""
    joined = urllib.parse.urljoin("http://x/" + page, href)
    return urllib.parse.unquote(urllib.parse.urlsplit(joined).path)[1:]


def normalised_text(text: str) -> str:
    return " ".join(text.split())


def articles_of(site: Path) -> dict[str, PageArticle]:
    """Every article page of ``site`` by its absolute URL."""
    found = {}
    for file in sorted((site / "articles").rglob("*.html")):
        page = file.relative_to(site).as_posix()
        doc = html_of(file)
        data = json.loads(doc.xpath('//script[@type="application/ld+json"]/text()')[0])
        scopes = {"index.html"}
        scopes |= {site_path(page, href) for href in doc.xpath('//a[@rel="tag"]/@href')}
        scopes |= {f"countries/{c['identifier'].lower()}.html" for c in data.get("contentLocation", [])}
        body = doc.xpath('//*[@itemprop="articleBody"]')[0]
        empty = body.xpath('.//*[contains(@class, "empty-note")]')
        found[url_of(site, file)] = PageArticle(url_of(site, file), data.get("datePublished", ""),
                                                frozenset(scopes),
                                                "" if empty else normalised_text(body.text_content()),
                                                tuple(p["name"] for p in data.get("author", [])))
    return found


def instant(iso: str) -> dt.datetime:
    """The instant the feed rules give an ISO date of any precision."""
    year, month, day = (iso[:10].split("-") + ["1", "1"])[:3]
    hour, minute = (iso[11:16].split(":") if "T" in iso else ("0", "0"))
    return dt.datetime(int(year), int(month), int(day), int(hour), int(minute), tzinfo=dt.timezone.utc)


def feed_date(feed: Feed, text: str) -> dt.datetime:
    return email.utils.parsedate_to_datetime(text) if feed.kind == "rss" else dt.datetime.fromisoformat(text)


def scope_of(site: Path, feed: Feed) -> str:
    page = file_of(site, feed.link)
    assert page is not None, f"{feed.file.name}: channel link {feed.link} is not under the base URL"
    return page.relative_to(site).as_posix()


def content_urls(html: str) -> list[str]:
    if not html.strip():
        return []
    urls = []
    for element in lxml.html.fragment_fromstring(html, create_parent="div").iter():
        if not isinstance(element.tag, str):
            continue
        urls += [element.get(a) for a in URL_ATTRIBUTES if element.get(a) is not None]
        urls += [c.split()[0] for c in (element.get("srcset") or "").split(",") if c.strip()]
    return urls


# -- sites -------------------------------------------------------------------------

CONTROL_TITLE = "Control\x01 characters\x0b in\x1b a title"
SIDECAR_TITLE = "Sidecar\u0001 title\u000b with\u001b controls"


@pytest.fixture(scope="module")
def control_site(tmp_path_factory) -> Path:
    """The seeds plus files full of control characters XML 1.0 forbids, one of
    them undated, one with a sidecar whose title, author and tag carry them."""
    work = tmp_path_factory.mktemp("control-site")
    content = copy_seeds(work / "content")
    odd = content / "odd"
    odd.mkdir()
    (odd / "control-chars.md").write_bytes(
        f"# {CONTROL_TITLE}\n\nA body\x01 with\x0b control\x1b characters, a CDATA end ]]> and "
        f"[a relative link](../elsewhere.html#part).\n\n![an image](pictures/a.png)\n".encode())
    (odd / "sidecar.md").write_text("# Overridden\n\nThe sidecar gives this article its title.\n",
                                    encoding="utf-8")
    (odd / "sidecar.meta.toml").write_text(
        'title = "Sidecar\\u0001 title\\u000b with\\u001b controls"\n'
        'date = "2021-05-06"\n'
        'authors = ["Ann\\u0001 Author"]\n'
        'tags = ["Ctrl\\u0001Tag"]\n', encoding="utf-8")
    (odd / "undated.txt").write_text("A short text that states no date at all, only words.\n", encoding="utf-8")
    out = work / "site"
    build(make_settings(content, out, base_url=BASE_URL))
    return out


@pytest.fixture(scope="module")
def short_feeds_site(tmp_path_factory) -> Path:
    """The seeds with feed_items = 2."""
    out = tmp_path_factory.mktemp("short-feeds") / "site"
    build(make_settings(ROOT / "content", out, base_url=BASE_URL, feed_items=2))
    return out


SITES = ["seed_site", "corpus_site", "control_site"]


@pytest.fixture(params=SITES)
def any_site(request) -> Path:
    return request.getfixturevalue(request.param)


# -- feeds parse, and hold the right articles --------------------------------------


def test_every_tag_and_country_page_has_a_feed_and_the_site_has_rss_and_atom(any_site):
    pages = {p.relative_to(any_site).as_posix() for folder in ("tags", "countries")
             for p in (any_site / folder).glob("*.html")
             if p.name != "index.html" and not re.search(r"\.p\d+\.html$", p.name)}
    feeds = {f.relative_to(any_site).as_posix() for f in feed_files(any_site)}
    assert pages, "the site has no tag or country page"
    assert feeds == {"feeds/rss.xml", "feeds/atom.xml"} | {"feeds/" + p.removesuffix(".html") + ".xml"
                                                           for p in pages}


def test_every_feed_parses_without_errors_in_feedparser(any_site):
    for file in feed_files(any_site):
        # Sanitising and URL resolution happen after the XML parse that sets
        # bozo; turning them off halves the time and changes no verdict.
        parsed = feedparser.parse(file.read_bytes(), sanitize_html=False, resolve_relative_uris=False)
        assert not parsed.bozo, f"{file}: {parsed.get('bozo_exception')}"
        assert parsed.version in ("rss20", "atom10"), file
        assert len(parsed.entries) == len(read_feed(file).items)


def test_feeds_hold_the_newest_articles_of_their_scope(any_site):
    """RSS: min(feed_items, articles in scope), undated last; Atom: the same
    without undated articles. An article left out is never newer than one in."""
    feed_items = 50
    articles = articles_of(any_site)
    for file in feed_files(any_site):
        feed = read_feed(file)
        scope = [a for a in articles.values() if scope_of(any_site, feed) in a.scopes]
        if feed.kind == "atom":
            scope = [a for a in scope if a.date]
        assert scope, f"{file.name}: no article in scope"
        links = [item.link for item in feed.items]
        assert len(links) == min(feed_items, len(scope)), file.name
        assert set(links) <= {a.url for a in scope}, file.name
        dates = [articles[link].date for link in links]
        assert dates == sorted(dates, reverse=True), f"{file.name}: not newest first"
        left_out = [a.date for a in scope if a.url not in links]
        assert not left_out or max(left_out) <= min(dates), f"{file.name}: a newer article left out"


def test_corpus_feed_is_cut_at_feed_items(corpus_site):
    articles = articles_of(corpus_site)
    assert len(articles) > 50, "the corpus sample should exceed the default feed_items"
    assert len(read_feed(corpus_site / "feeds" / "rss.xml").items) == 50


def test_feed_items_setting_limits_every_feed(short_feeds_site):
    articles = articles_of(short_feeds_site)
    for file in feed_files(short_feeds_site):
        feed = read_feed(file)
        in_scope = [a for a in articles.values() if scope_of(short_feeds_site, feed) in a.scopes
                    and (feed.kind == "rss" or a.date)]
        assert len(feed.items) == min(2, len(in_scope)), file.name


def test_atom_leaves_undated_articles_out_and_rss_lists_them_last_without_a_date(control_site):
    articles = articles_of(control_site)
    undated = {url for url, a in articles.items() if not a.date}
    assert undated, "the control site should have an undated article"
    rss = read_feed(control_site / "feeds" / "rss.xml")
    atom = read_feed(control_site / "feeds" / "atom.xml")
    assert undated <= {i.link for i in rss.items}
    assert not undated & {i.link for i in atom.items}
    flags = [i.link in undated for i in rss.items]
    assert flags == sorted(flags), "undated items must come after dated ones"
    assert all(i.date is None for i in rss.items if i.link in undated)
    assert all(i.date for i in rss.items if i.link not in undated)


def test_item_dates_are_the_article_dates_with_a_time_zone(any_site):
    articles = articles_of(any_site)
    for file in feed_files(any_site):
        feed = read_feed(file)
        for item in feed.items:
            if item.date is None:
                assert feed.kind == "rss" and not articles[item.link].date
                continue
            when = feed_date(feed, item.date)
            assert when.utcoffset() is not None, item.date
            assert when == instant(articles[item.link].date), (file.name, item.link)


def test_feed_updated_is_the_newest_item_date_not_the_clock(any_site):
    for file in feed_files(any_site):
        feed = read_feed(file)
        dates = [feed_date(feed, i.date) for i in feed.items if i.date]
        newest = max(dates) if dates else dt.datetime(1970, 1, 1, tzinfo=dt.timezone.utc)
        assert feed.updated and feed_date(feed, feed.updated) == newest, file.name


def test_identical_content_gives_byte_identical_feeds_and_sitemap(seed_site, tmp_path):
    again = tmp_path / "site"
    build(make_settings(ROOT / "content", again, base_url=BASE_URL))
    files = [f.relative_to(seed_site) for f in feed_files(seed_site)]
    files += [Path("sitemap.xml"), Path("robots.txt")]
    for rel in files:
        assert (again / rel).read_bytes() == (seed_site / rel).read_bytes(), rel


# -- links, GUIDs, content -------------------------------------------------------------


def test_every_feed_link_is_absolute_and_names_a_built_file(any_site):
    checked = 0
    for file in feed_files(any_site):
        feed = read_feed(file)
        urls = [feed.link, *feed.self_links] + ([feed.id] if feed.id else [])
        for item in feed.items:
            urls += [item.link, item.id]
        for url in urls:
            target = file_of(any_site, url)
            assert target is not None, f"{file.name}: {url} is not under {BASE_URL}"
            assert target.is_file(), f"{file.name}: {url} names no file of the site"
            checked += 1
    assert checked


def test_guid_is_the_article_permalink(any_site):
    for file in feed_files(any_site):
        feed = read_feed(file)
        for item in feed.items:
            assert item.id == item.link, file.name
            assert file_of(any_site, item.id).relative_to(any_site).parts[0] == "articles"
        if feed.kind == "rss":
            guids = lxml.etree.parse(str(file)).getroot().findall("channel/item/guid")
            assert all(g.get("isPermaLink") == "true" for g in guids)


def test_item_content_is_the_whole_article_body(any_site):
    articles = articles_of(any_site)
    compared = 0
    for file in feed_files(any_site):
        for item in read_feed(file).items:
            expected = articles[item.link].body_text
            got = item.content and lxml.html.fragment_fromstring(item.content, create_parent="div").text_content()
            assert normalised_text(got or "") == expected, (file.name, item.link)
            compared += bool(expected)
    assert compared


def test_items_name_the_article_authors(any_site):
    articles = articles_of(any_site)
    named = 0
    for kind, path in (("rss", "{http://purl.org/dc/elements/1.1/}creator"), ("atom", f"{ATOM}author/{ATOM}name")):
        root = lxml.etree.parse(str(any_site / "feeds" / f"{kind}.xml")).getroot()
        for element in root.iter("item", ATOM + "entry"):
            link = element.findtext("link") or _atom_link(element)
            names = tuple(n.text for n in element.findall(path))
            assert names == tuple(xml_safe(a).strip() for a in articles[link].authors), (kind, link)
            named += len(names)
    assert named


def test_every_url_in_item_content_is_absolute(any_site):
    for file in feed_files(any_site):
        for item in read_feed(file).items:
            for url in content_urls(item.content):
                assert urllib.parse.urlsplit(url).scheme, (file.name, item.link, url)


def test_relative_urls_in_a_body_resolve_against_the_article_permalink():
    page = "https://example.org/archive/articles/odd/a.html"
    body = ('<p>x <a href="../b.html#part">b</a> <a href="#note">n</a> <a href="//cdn.example/c">c</a>'
            ' <a href="https://other.example/d">d</a> <a href="//[broken">e</a></p>'
            '<figure><img src="pictures/a.png" srcset="a.png 1x, /root/b.png 2x" alt="a"></figure>'
            '<video poster="p.jpg" src="v.mp4"></video><p style="background: url(\'bg.png\')">s</p>tail')
    result = absolute_links(body, page)
    assert sorted(content_urls(result)) == sorted([
        "https://example.org/archive/articles/b.html#part",
        "https://example.org/archive/articles/odd/a.html#note",
        "https://cdn.example/c",
        "https://other.example/d",
        "https://example.org/archive/articles/odd/pictures/a.png",
        "https://example.org/archive/articles/odd/a.png",
        "https://example.org/root/b.png",
        "https://example.org/archive/articles/odd/p.jpg",
        "https://example.org/archive/articles/odd/v.mp4",
    ])
    assert 'url("https://example.org/archive/articles/odd/bg.png")' in result
    assert result.endswith("tail") and "<figure>" in result


@pytest.mark.parametrize("languages, channel", [
    (["zh-Hans", "zh-Hans", "en"], "zh-Hans"),  # most items
    (["zh-Hans", "en"], "en"),  # no language of more than half: the interface's
    (["und", "und", "te"], "en"),
    (["hi", "hi"], "hi"),
    (["zh-Hans", "zh-Hant", "zh-Hant", "zh-Hans"], "zh"),  # Chinese, in no one script
    (["zh-Hans", "zh-Hant", "en", "en"], "en"),
])
def test_a_feed_is_in_the_language_of_most_of_its_items(languages, channel):
    articles = [Article(source_path=f"{n}.md", sha256="0" * 64, slug=str(n), raw_url=f"raw/{n}.md", raw_size=1,
                        title=str(n), language=language, profile="generic", date=PartialDate(2024, 1, n + 1))
                for n, language in enumerate(languages)]
    for kind in ("rss", "atom"):
        xml = write_feed(FeedSpec(f"feeds/{kind}.xml", "T", "index.html", articles, kind=kind),
                         Settings(base_url=BASE_URL), BASE_URL, lambda a: "<p>x</p>")
        assert read_feed_bytes(xml).language == channel, kind


def test_a_body_containing_a_cdata_end_marker_stays_well_formed():
    article = Article(source_path="a.md", sha256="0" * 64, slug="a", raw_url="raw/a.md", raw_size=1,
                      title="A ]]> title", language="en", profile="generic",
                      date=PartialDate(2024, 2, 29, "23:59"))
    body = '<p title="x]]>y">text ]]&gt; more</p><![CDATA[ignored]]>'
    for kind in ("rss", "atom"):
        spec = FeedSpec(f"feeds/{kind}.xml", "T", "index.html", [article], kind=kind)
        xml = write_feed(spec, Settings(base_url=BASE_URL), BASE_URL, lambda a: body)
        parsed = feedparser.parse(xml)
        assert not parsed.bozo, (kind, parsed.get("bozo_exception"))
        item = read_feed_bytes(xml).items[0]
        assert 'title="x]]&gt;y"' in item.content or 'title="x]]>y"' in item.content, item.content
        assert "text ]]&gt; more" in item.content
        assert item.title == "A ]]> title"


def test_the_memo_of_bodies_taken_as_they_are_changes_no_feed():
    """Feeds written with one memo (as a build writes them) are the feeds
    written without: a body with a relative link is made absolute in every
    feed it is in, and one with a character XML forbids is cleaned."""
    bodies = {"rel": '<p><a href="../other.html">other</a></p>', "abs": '<p><a href="https://x.org/">x</a></p>',
              "bad": "<p>bell \x07 here</p>"}
    articles = [Entry.of(Article(source_path=f"{name}/{n}.md", sha256="0" * 64, slug=f"{name}{n}",
                                 raw_url=f"raw/{name}.md", raw_size=1, title=name, language="en",
                                 profile="generic", date=PartialDate(2024, 1, n + 1)), name)
                for name in bodies for n in range(2)]
    settings = Settings(base_url=BASE_URL)

    def feeds(memo):
        return [write_feed(FeedSpec(f"feeds/{n}.xml", "T", "index.html", articles[n:] + articles[:n]), settings,
                           BASE_URL, lambda a: bodies[a.key], as_is=memo) for n in range(3)]

    memo = {}
    assert feeds(memo) == feeds(None)
    assert memo == {"rel": False, "abs": True, "bad": False}
    assert all(f"{BASE_URL}other.html" in feed.decode() and "../other.html" not in feed.decode()
               for feed in feeds(memo))  # (the articles' pages are in articles/)


def _feedgen_rss(spec: FeedSpec, settings: Settings, body_of) -> bytes:
    """The RSS feed of ``spec`` as feedgen writes it: the reference ``write_feed``'s
    own RSS writer must match byte for byte (see ``builder.feeds._rss``)."""
    from feedgen.ext.dc import DcEntryExtension, DcExtension
    from feedgen.feed import FeedGenerator

    from builder.feeds import _language_of_most, feed_items, publication_datetime
    from builder.render import article_path, quote_path
    items = feed_items(spec, settings.feed_items)
    dates = [d for a in items if (d := publication_datetime(a.date))]
    fg = FeedGenerator()
    fg.register_extension("dc", DcExtension, DcEntryExtension, atom=False, rss=True)
    fg.title(xml_safe(spec.title) or spec.path)
    fg.link(href=BASE_URL + quote_path(spec.path), rel="self")
    fg.link(href=BASE_URL + quote_path(spec.page), rel="alternate")
    fg.description(xml_safe(settings.description) or xml_safe(spec.title) or spec.path)
    fg.language(_language_of_most(items) or settings.language)
    fg.generator("archive-builder")
    fg.lastBuildDate(max(dates) if dates else dt.datetime(1970, 1, 1, tzinfo=dt.timezone.utc))
    for article in items:
        url = BASE_URL + quote_path(article_path(article))
        title = xml_safe(article.title).strip() or article.slug
        entry = fg.add_entry(order="append")
        entry.guid(url, permalink=True)
        entry.title(title)
        entry.link(href=url)
        entry.description(xml_safe(article.summary) or title)
        entry.content(absolute_links(xml_safe(body_of(article)), url), type="html")
        if article.date:
            entry.pubDate(publication_datetime(article.date))
        authors = [name for p in article.people if p.role == "author" and (name := xml_safe(p.name).strip())]
        if authors:
            entry.dc.dc_creator(authors)
        for tag in article.tags:
            if term := xml_safe(tag).strip():
                entry.category({"term": term})
    return fg.rss_str(pretty=True)


AWKWARD = 'Ampersand & <angle> "quoted" \'single\' ]]> cr\r tab\t bell\x07 \ud800 \ufffe 中文 😀'


@pytest.mark.parametrize("body", [
    '<p><a href="../x.html">x</a> &amp; <img src="p.png" alt="a &quot;b&quot;"></p>\r\n<p>y\x0b</p>',
    "",
    AWKWARD,
])
@pytest.mark.parametrize("language", ["en", ""])
def test_rss_is_written_as_feedgen_writes_it(body, language):
    """Our RSS writer against feedgen's on the text that escaping gets wrong:
    markup characters, quotes, carriage returns and tabs, characters XML
    forbids, text beyond the BMP, an empty body, no language, undated items,
    several authors, awkward tags."""
    people = (Person(AWKWARD, "author"), Person("B. Writer", "author"), Person("T", "translator"),
              Person(" \x01 ", "author"))
    articles = [
        Article(source_path="a/one.md", sha256="0" * 64, slug="one", raw_url="raw/a/one.md", raw_size=1,
                title=AWKWARD, language="zh-Hans", profile="generic", date=PartialDate(2024, 2, 29, "23:59"),
                people=people, tags=("a & b", 'say "x"', "\x01", "tab\there"), summary=AWKWARD),
        Article(source_path="a/two words.md", sha256="0" * 64, slug="two", raw_url="raw/two.md", raw_size=1,
                title=" \x02 ", language="en", profile="generic", date=PartialDate(1999, 12)),
        Article(source_path="a/three.md", sha256="0" * 64, slug="three", raw_url="raw/three.md", raw_size=1,
                title="Undated", language="en", profile="generic", date=None),
    ]
    settings = Settings(base_url=BASE_URL, language=language, description=f"<Site> & {AWKWARD}")
    for chosen in (articles, articles[2:], []):
        spec = FeedSpec("feeds/tags/a & b.xml", f"Tag & {AWKWARD}", "tags/a b.html", chosen)
        ours = write_feed(spec, settings, BASE_URL, lambda a: body)
        assert ours == _feedgen_rss(spec, settings, lambda a: body)
        assert not feedparser.parse(ours).bozo


def test_text_and_attributes_are_escaped_as_lxml_escapes_them():
    """The feed's links are percent-encoded, so no quote reaches an attribute
    in the test above: the escaping itself, against lxml's."""
    from builder.feeds import _attribute, _text
    value = xml_safe(AWKWARD + "\n<&>\"\r\t")
    element = lxml.etree.Element("e", a=value)
    element.text = value
    assert lxml.etree.tostring(element, encoding="unicode") == f'<e a="{_attribute(value)}">{_text(value)}</e>'


# -- validator rules ----------------------------------------------------------------


def test_rss_channels_have_the_elements_a_validator_requires(any_site):
    for file in feed_files(any_site):
        feed = read_feed(file)
        if feed.kind != "rss":
            continue
        assert feed.title and feed.link and feed.description, file.name
        assert feed.link.endswith(".html"), f"{file.name}: channel link {feed.link} should be its page"
        assert feed.self_links == (url_of(any_site, file),), file.name
        assert re.fullmatch(r"[a-z]{2,3}(?:-[A-Za-z]{2,4})?", feed.language or ""), file.name
        assert RFC822.match(feed.updated), feed.updated
        guids = [i.id for i in feed.items]
        assert len(guids) == len(set(guids)), f"{file.name}: duplicate GUID"
        for item in feed.items:
            assert item.title, f"{file.name}: item without title"
            assert item.date is None or RFC822.match(item.date), item.date


def test_atom_feed_has_the_elements_a_validator_requires(any_site):
    file = any_site / "feeds" / "atom.xml"
    feed = read_feed(file)
    assert feed.kind == "atom"
    assert feed.id == url_of(any_site, file)
    assert feed.title and feed.link == BASE_URL + "index.html"
    assert feed.self_links == (url_of(any_site, file),)
    assert re.fullmatch(r"[a-z]{2,3}(?:-[A-Za-z]{2,4})?", feed.language or "")
    assert RFC3339.match(feed.updated), feed.updated
    root = lxml.etree.parse(str(file)).getroot()
    entries = root.findall(ATOM + "entry")
    assert root.findtext(f"{ATOM}author/{ATOM}name") or all(e.find(ATOM + "author") is not None for e in entries)
    assert all(e.findtext(ATOM + "summary") or e.findtext(ATOM + "content") for e in entries)
    ids = [i.id for i in feed.items]
    assert ids and len(ids) == len(set(ids))
    for item in feed.items:
        assert item.id and item.title and item.link
        assert RFC3339.match(item.date or ""), item.date


# -- any input gives valid XML ----------------------------------------------------------


def test_control_characters_in_the_input_never_reach_a_feed_or_the_sitemap(control_site):
    files = feed_files(control_site) + [control_site / "sitemap.xml"]
    for file in files:
        assert not FORBIDDEN_IN_XML.search(file.read_text(encoding="utf-8")), file.name
        lxml.etree.parse(str(file))  # strict XML 1.0 parser: raises on any forbidden character
    titles = {normalised_text(i.title) for i in read_feed(control_site / "feeds" / "rss.xml").items}
    assert normalised_text(xml_safe(SIDECAR_TITLE)) in titles
    assert normalised_text(xml_safe(CONTROL_TITLE)) in titles


def test_xml_safe_removes_every_character_xml_forbids():
    forbidden = "".join(map(chr, [*range(0x00, 0x09), 0x0B, 0x0C, *range(0x0E, 0x20), 0xFFFE, 0xFFFF]))
    assert xml_safe(f"a{forbidden}b\tc\nd\u00e9\U0001F600\ud800") == "ab\tc\nd\u00e9\U0001F600"
    assert xml_safe(None) == ""


# -- discovery on the pages ---------------------------------------------------------------


def _alternates(site: Path, file: Path) -> set[str]:
    page = file.relative_to(site).as_posix()
    doc = html_of(file)
    return {site_path(page, href) for href in doc.xpath('//head/link[@rel="alternate"]/@href')}


def _subscribe_links(site: Path, file: Path) -> set[str]:
    page = file.relative_to(site).as_posix()
    doc = html_of(file)
    return {site_path(page, href) for href in doc.xpath('//footer//*[contains(@class, "subscribe")]//a/@href')}


def test_every_page_announces_the_site_feeds(seed_site):
    pages = sorted(p for p in seed_site.rglob("*.html") if p.relative_to(seed_site).parts[0] != "raw")
    assert len(pages) > 10
    for file in pages:
        if file.name == "404.html":
            continue  # its <base href> changes how its links resolve; see test_deploy
        assert {"feeds/rss.xml", "feeds/atom.xml"} <= _alternates(seed_site, file), file
        assert {"feeds/rss.xml", "feeds/atom.xml"} <= _subscribe_links(seed_site, file), file


def test_tag_and_country_pages_announce_their_own_feed(seed_site):
    checked = 0
    for folder in ("tags", "countries"):
        for file in sorted((seed_site / folder).glob("*.html")):
            if file.name == "index.html":
                continue
            first_page = re.sub(r"\.p\d+\.html$", ".html", file.relative_to(seed_site).as_posix())
            own = "feeds/" + first_page.removesuffix(".html") + ".xml"
            assert own in _alternates(seed_site, file), file
            assert own in _subscribe_links(seed_site, file), file
            assert (seed_site / own).is_file()
            assert scope_of(seed_site, read_feed(seed_site / own)) == first_page
            checked += 1
    assert checked


@pytest.mark.parametrize("body", [
    '<p><a href="bare.html">x</a></p>',
    "<p><a href='single.html'>x</a></p>",
    "<p><a HREF=unquoted.html>x</a></p>",
    '<p><img alt="a" src="https://ok.example/a.png"><a href="rel.html">x</a></p>',
])
def test_a_body_with_any_relative_url_is_resolved_however_its_attributes_are_written(body):
    result = absolute_links(body, "https://example.org/a/b.html")
    assert all(urllib.parse.urlsplit(url).scheme for url in content_urls(result)), result


def test_a_body_whose_urls_are_all_absolute_goes_into_the_feed_as_the_cleaner_wrote_it():
    body = ('<p>says href="not/an/attribute" in text &amp; more</p>'
            '<figure><img alt="a" src="https://ok.example/a.png"></figure><p><a href="mailto:x@y.z">m</a></p>')
    assert absolute_links(body, "https://example.org/a/b.html") == body


@pytest.mark.parametrize("body", [
    """<img alt="see href='https://x" src="/rel.png"> and it's""",
    '<p>typed href="https://x and </p><a href="/rel">r</a>',
])
def test_a_stray_quote_in_the_text_does_not_hide_a_relative_url(body):
    result = absolute_links(body, "https://example.org/a/b.html")
    assert all(urllib.parse.urlsplit(url).scheme for url in content_urls(result)), result
