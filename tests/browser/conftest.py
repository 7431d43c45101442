"""Browser fixtures: one headless Debian Chromium per session, driven by Playwright.

The browser is the machine's own (``/usr/bin/chromium`` from Debian's package,
installed by ``.ci/install-browser.sh``); Playwright's browser downloads are
never used. The site under test is the seed build of ``tests/conftest.py``,
opened from disk (``file://``) or served under ``/repo/`` by a local
``http.server`` thread, as GitHub Pages serves a project site.

Every tab routes its requests: the site's own files pass; a request to the
site's base URL (only 404.html makes one, through its ``<base href>``) is
answered from the built files; the images of article bodies, which live on
other hosts, are blocked and recorded; any other request to another host is
blocked and reported as a problem of the page.

Missing tools: in CI (``CI=true``) a missing Playwright, Chromium, Java or
vnu.jar fails the tests that need it; elsewhere they skip and say what to install.
"""

from __future__ import annotations

import functools
import http.server
import os
import threading
import urllib.parse
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from builder.check import Validator, find_validator
from tests.browser.support import (ARTIFACTS, CHROMIUM_FLAGS, DESKTOP, INSTALL_HINT, SERVED_PREFIX,
                                   body_image_urls, chromium_path, page_types, unavailable)
from tests.conftest import BASE_URL, ROOT

if TYPE_CHECKING:
    from playwright.sync_api import Page

# -- the site and how it is reached -------------------------------------------


@pytest.fixture(scope="session")
def site(seed_site: Path) -> Path:
    return seed_site


@pytest.fixture(scope="session")
def kinds(site: Path) -> dict[str, list[str]]:
    return page_types(site)


@pytest.fixture(scope="session")
def article_images(site: Path) -> frozenset[str]:
    """The (unquoted) URLs of the images inside article bodies: the only
    requests to other hosts a page may make."""
    return frozenset(urllib.parse.unquote(url) for url in body_image_urls(site))


class _SiteHandler(http.server.SimpleHTTPRequestHandler):
    """Serves the site under ``/repo/`` only, like a GitHub project page."""

    def translate_path(self, path: str) -> str:
        path = urllib.parse.urlsplit(path).path
        if not path.startswith(SERVED_PREFIX):
            return str(Path(self.directory) / ".missing" / "x")
        return super().translate_path("/" + path[len(SERVED_PREFIX):])

    def log_message(self, format: str, *args) -> None:  # noqa: A002 - the base class's name
        pass


@pytest.fixture(scope="session")
def http_root(site: Path) -> Iterator[str]:
    """``http://127.0.0.1:PORT/repo/`` serving the site from a thread."""
    handler = functools.partial(_SiteHandler, directory=str(site))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}{SERVED_PREFIX}"
    server.shutdown()
    server.server_close()


# -- the browser ---------------------------------------------------------------


@pytest.fixture(scope="session")
def browser():
    try:
        from playwright.sync_api import Error as PlaywrightError, sync_playwright
    except ImportError:
        unavailable("Playwright for Python is not installed: pip install -e '.[test]'")
    executable = chromium_path()
    if executable is None:
        unavailable(f"no Chromium at {os.environ.get('CHROMIUM_PATH') or '/usr/bin/chromium'}: {INSTALL_HINT}")
    playwright = sync_playwright().start()
    try:
        browser = playwright.chromium.launch(executable_path=executable, headless=True, args=CHROMIUM_FLAGS)
    except PlaywrightError as error:
        playwright.stop()
        unavailable(f"Chromium at {executable} did not start: {error}")
    yield browser
    browser.close()
    playwright.stop()


@pytest.fixture(scope="session")
def validator() -> Validator:
    found = find_validator([ROOT])
    if found is None:
        unavailable(f"the Nu HTML Checker needs java and vnu.jar: {INSTALL_HINT}")
    return found


@dataclass
class Tab:
    """A page in its own browser context, with what it asked the network for."""

    page: Page
    console_errors: list[str] = field(default_factory=list)
    page_errors: list[str] = field(default_factory=list)
    foreign_requests: list[str] = field(default_factory=list)
    blocked_images: list[str] = field(default_factory=list)

    def goto(self, url: str) -> None:
        self.page.goto(url, wait_until="load")

    def problems(self) -> list[str]:
        """Console errors (other than the blocked images'), script errors,
        requests to other hosts."""
        return ([f"console error: {e}" for e in self.console_errors]
                + [f"page error: {e}" for e in self.page_errors]
                + [f"request to another host: {u}" for u in self.foreign_requests])


@pytest.fixture
def open_tab(browser, site: Path, http_root: str, article_images: frozenset[str]):
    """``open_tab(**context_options) -> Tab``; contexts close after the test."""
    contexts = []

    def open_tab(**options) -> Tab:
        context = browser.new_context(**{"viewport": DESKTOP, **options})
        context.set_default_timeout(10_000)
        contexts.append(context)
        tab = Tab(context.new_page())

        def route(route) -> None:
            request = route.request
            url = request.url
            if url.startswith(("file:", "data:", http_root)):
                route.continue_()
            elif url.startswith(BASE_URL):
                local = site / urllib.parse.unquote(urllib.parse.urlsplit(url[len(BASE_URL):]).path)
                if local.is_file():
                    route.fulfill(path=local)
                else:
                    route.fulfill(status=404, body="not found")
            elif request.resource_type == "image" and urllib.parse.unquote(url) in article_images:
                tab.blocked_images.append(url)
                route.abort("blockedbyclient")
            else:
                tab.foreign_requests.append(url)
                route.abort("blockedbyclient")

        def console(message) -> None:
            if message.type == "error" and message.location.get("url") not in tab.blocked_images:
                tab.console_errors.append(f"{message.text} at {message.location}")

        context.route("**/*", route)
        tab.page.on("console", console)
        tab.page.on("pageerror", lambda error: tab.page_errors.append(str(error)))
        return tab

    yield open_tab
    for context in contexts:
        context.close()


@pytest.fixture(scope="session")
def artifacts() -> Path:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    return ARTIFACTS


@pytest.fixture(scope="session")
def axe():
    try:
        from axe_playwright_python.sync_playwright import Axe
    except ImportError:
        unavailable("axe-playwright-python is not installed: pip install -e '.[test]'")
    return Axe()
