"""Feeds: RSS 2.0 and Atom for the site, RSS per tag and per country.

Rules a reader can rely on:

* GUID / Atom id = the article's permalink, which never changes when
  extraction rules improve (see ``process.permalink_slug``).
* Each feed holds the newest ``feed_items`` articles, newest first.
* Dates carry a time zone (UTC): RFC 822 in RSS, RFC 3339 in Atom. A
  day-precision date is published at 00:00 UTC that day (or at the time the
  source states); a month- or year-precision date at the first day of its
  month or year — RFC 822 needs a day, and that is the earliest the source
  allows.
* **Undated articles** are never given a date: RSS feeds list them after the
  dated ones without ``pubDate`` (RSS 2.0 allows it); the Atom feed, whose
  entries must have ``updated``, leaves them out.
* The feed's own ``lastBuildDate``/``updated`` is the newest item's date (the
  Unix epoch when no item has one), never the wall clock, so identical input
  gives byte-identical feeds.
* Each item carries the full cleaned article as escaped HTML
  (``content:encoded`` in RSS, ``content type="html"`` in Atom), its summary
  as ``description``/``summary``, its authors and its tags. Every URL in the
  content is made absolute against the article's own permalink, because a
  feed reader shows it far from the page its relative links were written for.
* The channel ``link`` is the HTML page the feed belongs to; the feed names
  its own URL with ``atom:link rel="self"`` (RSS) / ``link rel="self"`` (Atom).
  The feed's language is the one more than half of its items are written
  in (a tag's feed of Chinese articles is Chinese), else the one more than
  half share without script or region (``zh``), else the site's interface
  language.
* Links are absolute, from the base URL. Without a base URL the feeds point
  at the local preview server (``build serve``, http://127.0.0.1:8000/), so
  they work for a reader on this machine while previewing; the build warns
  loudly that they must be rebuilt with ``--base-url`` before publishing.
* Text that XML 1.0 forbids (control characters, lone surrogates, U+FFFE/F)
  is removed from every field, whatever the input.

The Atom feed is written by feedgen. The RSS feeds, one for every tag,
country, language and source (22,900 at 29k articles), are written here as
text, exactly as feedgen writes them, which a test checks byte for byte:
feedgen builds an lxml tree for every item of every feed, and that was 44 %
of the build's rendering (see ``_rss``). Also written here: the link
rewriting of the content (one pass over lxml's tree). lxml's own
``make_links_absolute`` knows neither ``srcset`` nor ``poster``, and at
60,000 feed items it was most of the time spent on feeds.
"""

from __future__ import annotations

import datetime as dt
import itertools
import re
import urllib.parse
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import lxml.html
from feedgen.feed import FeedGenerator

from builder import __version__
from builder.clean import parse_fragment
from builder.config import Settings
from builder.models import Entry, PartialDate
from builder.render import article_path, quote_path

_XML_FORBIDDEN = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ud800-\udfff\ufffe\uffff]")
_EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.timezone.utc)

PREVIEW_URL = "http://127.0.0.1:8000/"
"""Where ``build serve`` shows the site; feeds point here when no base URL is set."""


def xml_safe(text: str | None) -> str:
    """``text`` without the characters XML 1.0 forbids ('' for ``None``)."""
    return _XML_FORBIDDEN.sub("", text or "")


@dataclass(frozen=True)
class FeedSpec:
    """One feed to write: where, its title, and which articles (newest first)."""

    path: str
    """Site-relative path of the feed file, e.g. ``feeds/rss.xml``."""
    title: str
    page: str
    """Site-relative path of the HTML page the feed belongs to."""
    articles: Sequence[Entry]
    """The articles in the feed's scope, newest first, undated last."""
    kind: str = "rss"
    """``rss`` or ``atom``."""


def site_url(settings: Settings) -> str:
    """The absolute URL the site's root is reached at (see module docstring)."""
    return settings.base_url or PREVIEW_URL


def publication_datetime(date: PartialDate | None) -> dt.datetime | None:
    """The instant a feed gives for ``date`` (see module docstring); ``None`` when undated."""
    if date is None:
        return None
    hour, minute = (int(x) for x in date.time.split(":")) if date.time else (0, 0)
    return dt.datetime(date.year, date.month or 1, date.day or 1, hour, minute, tzinfo=dt.timezone.utc)


def feed_items(spec: FeedSpec, limit: int) -> list[Entry]:
    """The articles ``spec``'s feed holds: the newest ``limit`` in scope,
    leaving undated ones out of Atom."""
    return list(itertools.islice((a for a in spec.articles if spec.kind == "rss" or a.date is not None), limit))


def write_feed(spec: FeedSpec, settings: Settings, root_url: str, body_of: Callable[[Entry], str],
               language: str | None = None, as_is: dict[str, bool] | None = None) -> bytes:
    """The feed ``spec`` describes, as UTF-8 XML.

    ``as_is``: a memo, kept across the feeds of one build, of whether each
    article's body (by its cache key, which decides it) goes into a feed as
    it is: XML-safe, its URLs absolute. An article is in about five feeds
    (its tags', its countries', the site's: 4.8 in a sample of 2,069 files),
    and checking its body each time was a sixth of the feeds' time."""
    items = [_Item.of(article, root_url, body_of, as_is)
             for article in feed_items(spec, settings.feed_items)]
    dates = [item.published for item in items if item.published]
    channel = _Channel(
        url=root_url + quote_path(spec.path),
        page=root_url + quote_path(spec.page),
        title=xml_safe(spec.title) or spec.path,
        description=xml_safe(settings.description) or xml_safe(spec.title) or spec.path,
        language=xml_safe(language or _language_of_most([item.article for item in items]) or settings.language),
        updated=max(dates) if dates else _EPOCH,
        author=xml_safe(settings.title).strip() or "archive-builder")
    if spec.kind == "atom":
        return _atom(channel, items)
    return _rss(channel, items)


@dataclass(frozen=True)
class _Channel:
    """A feed's own fields, XML-safe."""

    url: str
    page: str
    """The HTML page the feed belongs to."""
    title: str
    description: str
    language: str
    updated: dt.datetime
    author: str
    """Who answers for entries whose source names no author (Atom needs one)."""


@dataclass(frozen=True)
class _Item:
    """One article as a feed holds it, XML-safe."""

    article: Entry
    url: str
    title: str
    summary: str
    content: str
    published: dt.datetime | None
    authors: list[str]
    tags: list[str]

    @classmethod
    def of(cls, article: Entry, root_url: str, body_of: Callable[[Entry], str],
           as_is: dict[str, bool] | None) -> "_Item":
        url = root_url + quote_path(article_path(article))
        title = xml_safe(article.title).strip() or article.slug
        return cls(article, url, title, xml_safe(article.summary) or title,
                   _content(article, url, body_of, as_is), publication_datetime(article.date),
                   [name for p in article.people if p.role == "author" and (name := xml_safe(p.name).strip())],
                   [term for tag in article.tags if (term := xml_safe(tag).strip())])


def _rss(channel: _Channel, items: Sequence[_Item]) -> bytes:
    """The RSS 2.0 feed, written as feedgen writes it (``rss_str(pretty=True)``).

    feedgen builds an lxml tree of every item of every feed, and an article
    is in about five feeds: at 29k articles that was 18 s of CPU, 44 % of all
    rendering (0.12 ms an item). Written as text, an item takes ≈ 0.01 ms.
    ``tests/test_feeds.py`` checks the two byte for byte, feedgen being kept
    for Atom (one feed a site) and as that reference."""
    out = [_RSS_OPEN,
           f"    <title>{_text(channel.title)}</title>\n",
           f"    <link>{_text(channel.page)}</link>\n",
           f"    <description>{_text(channel.description)}</description>\n",
           f'    <atom:link href="{_attribute(channel.url)}" rel="self"/>\n',
           "    <docs>http://www.rssboard.org/rss-specification</docs>\n"
           "    <generator>archive-builder</generator>\n"]
    if channel.language:
        out.append(f"    <language>{_text(channel.language)}</language>\n")
    out.append(f"    <lastBuildDate>{_rfc822(channel.updated)}</lastBuildDate>\n")
    for item in items:
        url = _text(item.url)
        out += ["    <item>\n",
                f"      <title>{_text(item.title)}</title>\n",
                f"      <link>{url}</link>\n",
                f"      <description>{_text(item.summary)}</description>\n",
                f"      <content:encoded>{_text(item.content)}</content:encoded>\n",
                f'      <guid isPermaLink="true">{url}</guid>\n']
        out += [f"      <category>{_text(tag)}</category>\n" for tag in item.tags]
        if item.published:
            out.append(f"      <pubDate>{_rfc822(item.published)}</pubDate>\n")
        out += [f"      <dc:creator>{_text(name)}</dc:creator>\n" for name in item.authors]
        out.append("    </item>\n")
    out.append("  </channel>\n</rss>\n")
    return "".join(out).encode()


_RSS_OPEN = ("<?xml version='1.0' encoding='UTF-8'?>\n"
             '<rss xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:atom="http://www.w3.org/2005/Atom" '
             'xmlns:content="http://purl.org/rss/1.0/modules/content/" version="2.0">\n'
             "  <channel>\n")


def _text(text: str) -> str:
    """``text`` escaped as libxml2 (lxml) escapes an element's text."""
    text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return text.replace("\r", "&#13;") if "\r" in text else text


def _attribute(value: str) -> str:
    """``value`` escaped as libxml2 (lxml) escapes a double-quoted attribute."""
    return _text(value).replace('"', "&quot;").replace("\n", "&#10;").replace("\t", "&#9;")


_DAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


def _rfc822(instant: dt.datetime) -> str:
    """``instant`` (UTC) in RFC 822 as feedgen writes it, whatever the locale."""
    return (f"{_DAYS[instant.weekday()]}, {instant.day:02d} {_MONTHS[instant.month - 1]} "
            f"{instant.year} {instant.hour:02d}:{instant.minute:02d}:{instant.second:02d} +0000")


def _atom(channel: _Channel, items: Sequence[_Item]) -> bytes:
    """The Atom feed, written by feedgen."""
    fg = FeedGenerator()
    fg.id(channel.url)
    fg.title(channel.title)
    fg.link(href=channel.url, rel="self")
    fg.link(href=channel.page, rel="alternate")
    fg.description(channel.description)
    fg.subtitle(channel.description)
    fg.language(channel.language)
    fg.generator("archive-builder", version=__version__)
    # Atom needs an author for every entry; the archive answers for those whose
    # source names none (entries keep their own authors).
    fg.author({"name": channel.author})
    fg.updated(channel.updated)
    for item in items:
        entry = fg.add_entry(order="append")
        entry.id(item.url)
        entry.title(item.title)
        entry.link(href=item.url)
        entry.description(item.summary, isSummary=True)
        entry.content(item.content, type="html")
        if item.published:
            entry.published(item.published)
            entry.updated(item.published)
        for name in item.authors:
            entry.author({"name": name})
        if item.tags:  # all at once: each call to category() rebuilds the entry's list of them
            entry.category([{"term": term} for term in item.tags])
    return fg.atom_str(pretty=True)


def _language_of_most(items: Sequence[Entry]) -> str | None:
    """The language more than half of ``items`` are written in, if one is;
    else the language without its script or region, if more than half share
    it (``zh`` for a feed of simplified and traditional Chinese)."""
    known = [a.language for a in items if a.language and a.language != "und"]
    for languages in (known, [language.split("-")[0] for language in known]):
        language, count = max(Counter(languages).items(), key=lambda item: (item[1], item[0]), default=(None, 0))
        if 2 * count > len(items):
            return language
    return None


def _content(article: Entry, url: str, body_of: Callable[[Entry], str], as_is: dict[str, bool] | None) -> str:
    """The body of ``article`` (at ``url``) as a feed holds it (see ``write_feed``)."""
    body = body_of(article)
    if as_is is not None and as_is.get(article.key):
        return body
    content = absolute_links(xml_safe(body), url)
    if as_is is not None:
        as_is[article.key] = content == body
    return content


def absolute_links(body_html: str, page_url: str) -> str:
    """``body_html`` with every URL in it resolved against ``page_url``, and
    each element's attributes in sorted order (which the cleaner's bodies
    already have: those that need no resolving are returned as they are).

    A relative URL that cannot be resolved (malformed) is dropped rather than
    left relative, so no relative URL reaches a feed reader.
    """
    if not body_html.strip() or _already_absolute(body_html):
        return body_html
    wrapper = parse_fragment(body_html)
    for element in wrapper.iter():
        if not isinstance(element.tag, str):
            continue  # comments, processing instructions
        attributes = []
        for name, value in sorted(element.attrib.items()):
            if name in _URL_ATTRIBUTES:
                value = _join(page_url, value)
            elif name == "srcset":
                value = _absolute_srcset(page_url, value)
            elif name == "style" and "url(" in value:
                value = _absolute_css(page_url, value)
            if value or name not in _URL_ATTRIBUTES:
                attributes.append((name, value))
        # Attribute order carries no meaning in HTML; sorting it keeps the feed
        # byte-stable even if an earlier stage emits attributes in varying order.
        element.attrib.clear()
        for name, value in attributes:
            element.set(name, value)
        if element.tag == "style" and element.text:
            element.text = _absolute_css(page_url, element.text)
    html = lxml.html.tostring(wrapper, encoding="unicode", method="html")
    return html.removeprefix("<div>").removesuffix("</div>")


def _already_absolute(body_html: str) -> bool:
    """True when no URL in ``body_html`` needs resolving, so it can go into the
    feed as it is (the common case, and a fifth of a large build's time when
    every body was parsed again for every feed it is in).

    Only for bodies as the cleaner writes them: attributes double-quoted and
    sorted (html5ever's serialisation, then ``clean``'s sorting). An attribute
    this misses is impossible there; text that merely looks like one (even with
    an unclosed quote, which can make a match swallow real markup) only sends
    the body the slow, exact way.
    """
    if "srcset=" in body_html or "url(" in body_html or "<style" in body_html:
        return False
    for quoted in _URL_ATTRIBUTE_VALUES.findall(body_html):
        value = "".join(quoted)
        # a stray quote in the text can make a match run on over real markup:
        # then the value holds what no URL in an attribute does
        if not _SCHEME.match(value) or _NOT_IN_A_URL.search(value):
            return False
    return True


_URL_ATTRIBUTES = frozenset({"href", "src", "poster", "cite", "action", "formaction", "longdesc",
                             "background", "data", "usemap", "codebase", "lowsrc", "dynsrc", "xlink:href"})
_SCHEME = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*:")
_NOT_IN_A_URL = re.compile(r"""[\s"'<>]""")
_URL_ATTRIBUTE_VALUES = re.compile(
    r"""\s(?:%s)\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s>]*))""" % "|".join(sorted(_URL_ATTRIBUTES)), re.I)
_CSS_URL = re.compile(r"""url\(\s*(['"]?)(.*?)\1\s*\)""", re.S)


def _join(base: str, url: str) -> str:
    """``url`` made absolute against ``base``; '' when it cannot be."""
    url = url.strip()
    if _SCHEME.match(url):
        return url  # already absolute (http:, mailto:, data: ...): the common case, kept as is
    try:
        return urllib.parse.urljoin(base, url)
    except ValueError:
        return ""


def _absolute_srcset(base: str, srcset: str) -> str:
    candidates = []
    for candidate in srcset.split(","):
        parts = candidate.split()
        if parts and (url := _join(base, parts[0])):
            candidates.append(" ".join([url, *parts[1:]]))
    return ", ".join(candidates)


def _absolute_css(base: str, css: str) -> str:
    return _CSS_URL.sub(lambda m: f'url("{_join(base, m.group(2))}")', css)
