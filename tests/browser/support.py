"""What the browser tests share besides fixtures: the page types of the site,
viewports, Chromium's flags, and the skip-or-fail rule for missing tools."""

from __future__ import annotations

import os
import shutil
import subprocess
import urllib.parse
from pathlib import Path

import lxml.html
import pytest

from tests.conftest import ROOT

CHROMIUM_FLAGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]
"""Without the background-networking flags Chromium tries hosts this machine cannot reach."""
ARTIFACTS = ROOT / "tests" / "artifacts"
SERVED_PREFIX = "/repo/"
DESKTOP = {"width": 1280, "height": 800}
PHONE = {"width": 375, "height": 740}
INSTALL_HINT = "run .ci/install-browser.sh"


def in_ci() -> bool:
    return os.environ.get("CI", "").strip().lower() in ("1", "true", "yes")


def unavailable(reason: str) -> None:
    """Skip on a laptop; fail in CI, where the tools must be there."""
    if in_ci():
        pytest.fail(f"{reason} (CI=true: a missing tool is a failure, not a skip)", pytrace=False)
    pytest.skip(reason)


def chromium_path() -> str | None:
    """``CHROMIUM_PATH`` when set (only it), else Debian's ``/usr/bin/chromium``."""
    override = os.environ.get("CHROMIUM_PATH")
    candidates = [override] if override else ["/usr/bin/chromium", shutil.which("chromium")]
    for candidate in candidates:
        if candidate and os.access(candidate, os.X_OK):
            return candidate
    return None


def languages_without_a_font(languages: tuple[str, ...]) -> list[str]:
    """The languages of ``languages`` that no installed font covers, as
    fontconfig sees it (``fc-list :lang=xx``). Line breaking is measured in
    real glyphs: with no Chinese font the browser draws boxes, and a test of
    how titles wrap measures nothing. Empty when fontconfig cannot be asked."""
    fc_list = shutil.which("fc-list")
    if fc_list is None:
        return []
    return [language for language in languages
            if not subprocess.run([fc_list, f":lang={language}", "family"],
                                  capture_output=True, text=True, check=False).stdout.strip()]


KINDS = ("home", "article", "tags-index", "tag", "countries-index", "country",
         "languages-index", "language", "sources-index", "source", "404")
"""The page types of the site; "article" stands for every article page."""
_FACETS = {"tags": "tag", "countries": "country", "languages": "language", "sources": "source"}


def page_types(site: Path) -> dict[str, list[str]]:
    """Site-relative pages of each kind in ``KINDS``: every article, the first
    page of one group per facet."""
    def first(folder: str) -> list[str]:
        pages = sorted(p.name for p in (site / folder).glob("*.html")
                       if p.name != "index.html" and ".p" not in p.stem)
        assert pages, f"the seed site has no page in {folder}/"
        return [f"{folder}/{pages[0]}"]

    kinds = {"home": ["index.html"],
             "article": [f"articles/{p.name}" for p in sorted((site / "articles").glob("*.html"))]}
    for folder, kind in _FACETS.items():
        kinds[f"{folder}-index"] = [f"{folder}/index.html"]
        kinds[kind] = first(folder)
    kinds["404"] = ["404.html"]
    assert set(kinds) == set(KINDS)
    return kinds


def body_image_urls(site: Path) -> set[str]:
    """Absolute http(s) URLs of the images inside the article bodies, as the
    pages write them."""
    return {url for path in sorted((site / "articles").glob("*.html")) for url in page_image_urls(path)}


def page_image_urls(page: Path) -> set[str]:
    """``src`` and ``srcset`` URLs on other hosts of the ``img`` and ``source``
    elements inside one page's ``itemprop="articleBody"``."""
    urls = set()
    tree = lxml.html.fromstring(page.read_bytes())
    for element in tree.xpath('//*[@itemprop="articleBody"]//*[self::img or self::source]'):
        candidates = [element.get("src")] + [c.strip().split(" ")[0]
                                             for c in (element.get("srcset") or "").split(",")]
        urls.update(u for u in candidates if u and urllib.parse.urlsplit(u).scheme in ("http", "https"))
    return urls
