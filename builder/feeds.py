"""Feeds: RSS 2.0 and Atom for the site, RSS per tag and per country (feedgen).

Rules a reader can rely on:

* GUID / Atom id = the article's permalink, which never changes when
  extraction rules improve (see ``process.permalink_slug``).
* Each feed holds the newest ``feed_items`` articles, newest first.
* Dates: a day-precision date is published at 00:00 UTC that day (or at the
  time the source states); a month- or year-precision date at the first day
  of its month or year — RFC 822 needs a day, and that is the earliest the
  source allows. **Undated articles** are never given a date: RSS feeds list
  them after the dated ones without ``pubDate`` (RSS 2.0 allows it); the Atom
  feed, whose entries must have ``updated``, leaves them out.
* The feed's own ``lastBuildDate``/``updated`` is the newest item's date, not
  the wall clock, so identical input gives identical feeds.
* Links are absolute, from the base URL. Without a base URL the feeds point
  at the local preview server (``build serve``, http://127.0.0.1:8000/), so
  they work for a reader on this machine while previewing; the build warns
  loudly that they must be rebuilt with ``--base-url`` before publishing.
* Text that XML 1.0 forbids (control characters) is removed from every field.
"""

from __future__ import annotations

import datetime as dt
import re
import urllib.parse
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from feedgen.feed import FeedGenerator

from builder import __version__
from builder.config import Settings
from builder.models import Article, PartialDate
from builder.render import article_path

_XML_FORBIDDEN = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ud800-\udfff\ufffe\uffff]")
_EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.timezone.utc)


def xml_safe(text: str | None) -> str:
    return _XML_FORBIDDEN.sub("", text or "")


@dataclass(frozen=True)
class FeedSpec:
    """One feed to write: where, its title, and which articles (newest first)."""

    path: str
    title: str
    page: str
    """Site-relative path of the HTML page the feed belongs to."""
    articles: Sequence[Article]
    kind: str = "rss"


PREVIEW_URL = "http://127.0.0.1:8000/"


def site_url(settings: Settings) -> str:
    """The absolute URL the site's root is reached at (see module docstring)."""
    return settings.base_url or PREVIEW_URL


def publication_datetime(date: PartialDate | None) -> dt.datetime | None:
    if date is None:
        return None
    hour, minute = (int(x) for x in date.time.split(":")) if date.time else (0, 0)
    return dt.datetime(date.year, date.month or 1, date.day or 1, hour, minute, tzinfo=dt.timezone.utc)


def write_feed(spec: FeedSpec, settings: Settings, root_url: str, body_of: Callable[[Article], str],
               language: str | None = None) -> bytes:
    def absolute(path: str) -> str:
        return root_url + urllib.parse.quote(path, safe="/._-~")

    items = [a for a in spec.articles if spec.kind == "rss" or a.date is not None][: settings.feed_items]
    dates = [d for a in items if (d := publication_datetime(a.date))]
    newest = max(dates) if dates else _EPOCH
    fg = FeedGenerator()
    fg.id(absolute(spec.path))
    fg.title(xml_safe(spec.title))
    fg.link(href=absolute(spec.page), rel="alternate")
    fg.link(href=absolute(spec.path), rel="self")
    fg.description(xml_safe(settings.description))
    fg.subtitle(xml_safe(settings.description))
    fg.language(language or settings.language)
    fg.generator("archive-builder", version=__version__)
    fg.lastBuildDate(newest)
    fg.updated(newest)
    for article in items:
        url = absolute(article_path(article))
        entry = fg.add_entry(order="append")
        entry.id(url)
        entry.guid(url, permalink=True)
        entry.title(xml_safe(article.title))
        entry.link(href=url)
        entry.description(xml_safe(article.summary) or xml_safe(article.title))
        entry.content(xml_safe(body_of(article)), type="CDATA" if spec.kind == "rss" else "html")
        published = publication_datetime(article.date)
        if published:
            entry.published(published)
            entry.updated(published)
        for person in article.people:
            if person.role == "author":
                entry.author({"name": xml_safe(person.name)})
        for tag in article.tags:
            entry.category(term=xml_safe(tag))
    if spec.kind == "atom":
        return fg.atom_str(pretty=True)
    return fg.rss_str(pretty=True)
