"""``sitemap.xml`` and ``robots.txt`` for search engines.

The sitemap lists every article page (with ``lastmod`` when the article's date
is known to the day) and every list page. Its URLs are absolute, from the base
URL (or the preview URL when none is set, see ``feeds``).
"""

from __future__ import annotations

import urllib.parse
from collections.abc import Iterable
from xml.sax.saxutils import escape

from builder.models import PartialDate

SITEMAP_PATH = "sitemap.xml"


def sitemap_xml(root_url: str, pages: Iterable[tuple[str, PartialDate | None]]) -> str:
    lines = ['<?xml version="1.0" encoding="UTF-8"?>',
             '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">']
    for path, date in sorted(pages, key=lambda p: p[0]):
        url = root_url + urllib.parse.quote(path, safe="/._-~")
        lastmod = f"<lastmod>{date.iso()[:10]}</lastmod>" if date and date.day else ""
        lines.append(f"<url><loc>{escape(url)}</loc>{lastmod}</url>")
    lines.append("</urlset>")
    return "\n".join(lines) + "\n"


def robots_txt(root_url: str) -> str:
    return f"User-agent: *\nAllow: /\nSitemap: {root_url}{SITEMAP_PATH}\n"
