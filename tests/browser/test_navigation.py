"""A reader clicks through the site, from disk and from a server under /repo/."""

from __future__ import annotations

import re
from pathlib import Path

import pytest


def _article_with_tag_and_country(site: Path) -> str:
    """An article page that links to at least one tag and one country."""
    for path in sorted((site / "articles").glob("*.html")):
        text = path.read_text(encoding="utf-8")
        if 'rel="tag"' in text and re.search(r'href="\.\./countries/(?!index\.html)', text):
            return f"articles/{path.name}"
    raise AssertionError("no seed article has both a tag and a country")


def _on(tab, root: str, expected_folder: str) -> str:
    """Wait for the page, check it is a styled file page in ``expected_folder``;
    return its site-relative path."""
    page = tab.page
    page.wait_for_load_state("load")
    assert page.url.startswith(root), page.url
    relative = page.url[len(root):].split("#")[0]
    assert relative.endswith(".html"), f"navigated to {page.url}, which is not a file"
    assert relative.startswith(expected_folder), f"expected a page in {expected_folder!r}, got {relative}"
    assert page.locator("h1").first.is_visible()
    # the stylesheet applied: main is a centred column, not the browser default
    assert page.evaluate("getComputedStyle(document.querySelector('main')).maxWidth") != "none"
    return relative


@pytest.mark.parametrize("mode", ["file", "http"])
def test_reader_goes_home_article_tag_country_and_back_home(open_tab, site, http_root, mode):
    root = site.as_uri() + "/" if mode == "file" else http_root
    article = _article_with_tag_and_country(site)
    tab = open_tab()
    page = tab.page

    tab.goto(root + "index.html")
    _on(tab, root, "index.html")
    page.locator(f".items a[href='{article}']").click()
    assert _on(tab, root, "articles/") == article

    page.locator(".terms a[rel=tag]").first.click()
    _on(tab, root, "tags/")
    assert page.locator(".items li").count() >= 1

    page.locator(".site-header nav a[href$='countries/index.html']").click()
    assert _on(tab, root, "countries/") == "countries/index.html"
    page.locator(".index a").first.click()
    country = _on(tab, root, "countries/")
    assert country != "countries/index.html"

    page.go_back()
    assert _on(tab, root, "countries/") == "countries/index.html"
    page.go_forward()
    assert _on(tab, root, "countries/") == country

    page.locator(".site-title a").click()
    assert _on(tab, root, "index.html") == "index.html"
    assert tab.problems() == []
