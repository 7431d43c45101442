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

import urllib.parse
from collections.abc import Iterable
from xml.sax.saxutils import escape

from builder.models import PartialDate

SITEMAP_PATH = "sitemap.xml"
MAX_URLS = 50_000
"""URLs one sitemap file may hold (sitemaps.org protocol)."""

_HEADER = '<?xml version="1.0" encoding="UTF-8"?>'
_NAMESPACE = "http://www.sitemaps.org/schemas/sitemap/0.9"


def _url(root_url: str, path: str) -> str:
    return escape(root_url + urllib.parse.quote(path, safe="/._-~"))


def sitemap_xml(root_url: str, pages: Iterable[tuple[str, PartialDate | None]]) -> str:
    """One ``urlset`` of ``pages`` (site-relative path, date), sorted by path."""
    lines = [_HEADER, f'<urlset xmlns="{_NAMESPACE}">']
    for path, date in sorted(pages, key=lambda p: p[0]):
        lastmod = f"<lastmod>{date.iso()[:10]}</lastmod>" if date and date.day else ""
        lines.append(f"<url><loc>{_url(root_url, path)}</loc>{lastmod}</url>")
    lines.append("</urlset>")
    return "\n".join(lines) + "\n"


def sitemap_files(root_url: str, pages: Iterable[tuple[str, PartialDate | None]],
                  max_urls: int = MAX_URLS) -> dict[str, str]:
    """Site-relative path → text of every sitemap file ``pages`` need: just
    ``sitemap.xml`` up to ``max_urls`` pages, else an index and its parts."""
    ordered = sorted(pages, key=lambda p: p[0])
    if len(ordered) <= max_urls:
        return {SITEMAP_PATH: sitemap_xml(root_url, ordered)}
    parts = {path: sitemap_xml(root_url, ordered[start:start + max_urls])
             for path, start in zip(sitemap_paths(len(ordered), max_urls)[1:], range(0, len(ordered), max_urls))}
    lines = [_HEADER, f'<sitemapindex xmlns="{_NAMESPACE}">']
    lines += [f"<sitemap><loc>{_url(root_url, path)}</loc></sitemap>" for path in parts]
    lines.append("</sitemapindex>")
    return {SITEMAP_PATH: "\n".join(lines) + "\n", **parts}


def sitemap_paths(count: int, max_urls: int = MAX_URLS) -> list[str]:
    """The files ``sitemap_files`` makes for ``count`` pages, without making them."""
    if count <= max_urls:
        return [SITEMAP_PATH]
    return [SITEMAP_PATH] + [f"sitemaps/{n}.xml" for n in range(1, -(-count // max_urls) + 1)]


def robots_txt(root_url: str) -> str:
    return f"User-agent: *\nAllow: /\nSitemap: {root_url}{SITEMAP_PATH}\n"
