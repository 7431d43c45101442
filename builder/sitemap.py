"""``sitemap.xml`` and ``robots.txt`` for search engines.

The sitemap lists every article page (with ``lastmod`` when the article's date
is known to the day) and every list page. Its URLs are absolute, from the base
URL (or the preview URL when none is set, see ``feeds``), percent-encoded, so
no character of the input can make the XML invalid.

The sitemap protocol allows 50,000 URLs per file. A larger archive gets a
sitemap index at ``sitemap.xml`` naming ``sitemaps/1.xml``, ``sitemaps/2.xml``
… (see ``sitemap_files``), so ``robots.txt`` always names the same file.

Written by hand: the format is a few lines, and no well-kept library adds
anything to it.
"""

from __future__ import annotations

import html
from collections.abc import Iterable

from builder.models import PartialDate
from builder.render import quote_path

SITEMAP_PATH = "sitemap.xml"
MAX_URLS = 50_000
"""URLs one sitemap file may hold (sitemaps.org protocol)."""

_HEADER = '<?xml version="1.0" encoding="UTF-8"?>'
_NAMESPACE = "http://www.sitemaps.org/schemas/sitemap/0.9"


def _escaped_root(root_url: str) -> str:
    """The root URL escaped for XML, once per file: a percent-encoded path
    holds nothing XML escapes, so ``root + quote_path(path)`` needs no more
    (a large site's sitemap part names 50,000 pages). (xml.sax.saxutils.escape
    does the same, but importing it imports urllib.request and http.client,
    0.01-0.02 s of every edit.)"""
    return html.escape(root_url, quote=False)


def lastmod(date: PartialDate | None) -> str:
    """A page's ``lastmod``: its article's date when known to the day, else ``""``."""
    return date.iso()[:10] if date and date.day else ""


def sitemap_xml(root_url: str, pages: Iterable[tuple[str, str]]) -> str:
    """One ``urlset`` of ``pages`` (site-relative path, ``lastmod`` or ``""``), sorted by path."""
    root = _escaped_root(root_url)
    lines = [_HEADER, f'<urlset xmlns="{_NAMESPACE}">']
    lines += [f"<url><loc>{root}{quote_path(path)}</loc><lastmod>{modified}</lastmod></url>" if modified
              else f"<url><loc>{root}{quote_path(path)}</loc></url>"
              for path, modified in sorted(pages, key=lambda p: p[0])]
    lines.append("</urlset>")
    return "\n".join(lines) + "\n"


def sitemap_files(root_url: str, pages: Iterable[tuple[str, str]],
                  max_urls: int = MAX_URLS) -> dict[str, str]:
    """Site-relative path → text of every sitemap file ``pages`` need: just
    ``sitemap.xml`` up to ``max_urls`` pages, else an index and its parts."""
    parts = sitemap_parts(pages, max_urls)
    return {path: sitemap_index(root_url, list(parts)[1:]) if part is None else sitemap_xml(root_url, part)
            for path, part in parts.items()}


def sitemap_parts(pages: Iterable[tuple[str, str]],
                  max_urls: int = MAX_URLS) -> dict[str, list[tuple[str, str]] | None]:
    """Site-relative path → the pages of each sitemap file, sorted by path;
    ``None`` for the index, which names the other files (see ``sitemap_index``)."""
    ordered = sorted(pages, key=lambda p: p[0])
    paths = sitemap_paths(len(ordered), max_urls)
    if len(paths) == 1:
        return {SITEMAP_PATH: ordered}
    return {SITEMAP_PATH: None, **{path: ordered[start:start + max_urls]
                                   for path, start in zip(paths[1:], range(0, len(ordered), max_urls))}}


def sitemap_index(root_url: str, parts: Iterable[str]) -> str:
    """The sitemap index naming the files ``parts`` (site-relative paths)."""
    lines = [_HEADER, f'<sitemapindex xmlns="{_NAMESPACE}">']
    root = _escaped_root(root_url)
    lines += [f"<sitemap><loc>{root}{quote_path(path)}</loc></sitemap>" for path in parts]
    lines.append("</sitemapindex>")
    return "\n".join(lines) + "\n"


def sitemap_paths(count: int, max_urls: int = MAX_URLS) -> list[str]:
    """The files ``sitemap_files`` makes for ``count`` pages, without making them."""
    if count <= max_urls:
        return [SITEMAP_PATH]
    return [SITEMAP_PATH] + [f"sitemaps/{n}.xml" for n in range(1, -(-count // max_urls) + 1)]


def robots_txt(root_url: str) -> str:
    return f"User-agent: *\nAllow: /\nSitemap: {root_url}{SITEMAP_PATH}\n"
