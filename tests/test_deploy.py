"""Deployment: the built site served under a sub-path as GitHub Pages serves a
project site, the base URL rules, sitemap/robots/404, and the Pages workflow."""

from __future__ import annotations

import functools
import http.server
import re
import threading
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import lxml.etree
import lxml.html
import pytest
import yaml

from builder.cli import main
from builder.config import load_settings
from builder.feeds import PREVIEW_URL
from builder.models import PartialDate
from builder.sitemap import lastmod, sitemap_files, sitemap_paths, sitemap_xml
from tests.conftest import BASE_URL, ROOT, copy_seeds
from tests.test_feeds import articles_of, feed_files, file_of, html_of, read_feed, url_of

SUB_PATH = "/repo/"
WORKFLOW = ROOT / ".github" / "workflows" / "pages.yml"
README = ROOT / "README.md"
BUILD_COMMAND = "python3 -m venv .venv && .venv/bin/pip install -q -e . && .venv/bin/build"
"""The README's build command; the workflow must run exactly this."""
SITEMAP_NS = "{http://www.sitemaps.org/schemas/sitemap/0.9}"
URL_ATTRIBUTES = ("href", "src", "poster", "action", "data")
SERVER_LIFETIME = 60
"""Seconds after which the test server shuts itself down, whatever happens."""


# -- a local GitHub Pages --------------------------------------------------------


class _PagesHandler(http.server.SimpleHTTPRequestHandler):
    """Serves ``directory`` at ``/repo/`` like GitHub Pages serves a project
    site: a folder answers with its index.html, never a listing; anything
    missing answers 404 with the site's 404.html."""

    def translate_path(self, path: str) -> str:
        url_path = urllib.parse.urlsplit(path).path
        if not url_path.startswith(SUB_PATH):
            return str(Path(self.directory) / ".outside-the-sub-path" / "none")  # never a file
        return super().translate_path("/" + path[len(SUB_PATH):])

    def list_directory(self, path):
        self.send_error(404)
        return None

    def send_error(self, code, message=None, explain=None):
        page = Path(self.directory) / "404.html"
        if code != 404 or not page.is_file():
            super().send_error(code, message, explain)
            return
        body = page.read_bytes()
        self.send_response(404)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def log_message(self, format, *args):
        pass


class LocalPages:
    """The root URL of a running server and a way to GET from it."""

    def __init__(self, root: str):
        self.root = root

    def local(self, url: str) -> str:
        """An absolute URL under the site's base URL, moved onto this server."""
        return self.root + url[len(BASE_URL):] if url.startswith(BASE_URL) else url

    def get(self, url: str) -> tuple[int, bytes]:
        try:
            with urllib.request.urlopen(url, timeout=5) as response:
                return response.status, response.read()
        except urllib.error.HTTPError as error:
            return error.code, error.read()


@contextmanager
def serving(site: Path) -> Iterator[LocalPages]:
    """``site`` served at http://127.0.0.1:<free port>/repo/ until the block ends
    (or ``SERVER_LIFETIME`` seconds have passed)."""
    handler = functools.partial(_PagesHandler, directory=str(site))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    watchdog = threading.Timer(SERVER_LIFETIME, server.shutdown)
    watchdog.daemon = True
    thread.start()
    watchdog.start()
    try:
        yield LocalPages(f"http://127.0.0.1:{server.server_port}{SUB_PATH}")
    finally:
        watchdog.cancel()
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


@pytest.fixture(scope="module")
def pages(seed_site) -> Iterator[LocalPages]:
    with serving(seed_site) as running:
        yield running


def _site_pages(site: Path) -> list[Path]:
    """The HTML pages the builder wrote (not raw copies of .html articles)."""
    return sorted(p for p in site.rglob("*.html") if p.relative_to(site).parts[0] != "raw")


def _links_in(doc) -> list[str]:
    links = []
    for element in doc.iter():
        if not isinstance(element.tag, str):
            continue
        links += [element.get(a) for a in URL_ATTRIBUTES if element.get(a)]
        links += [c.split()[0] for c in (element.get("srcset") or "").split(",") if c.strip()]
    return links


def _reachable(pages: LocalPages, page_url: str, link: str) -> str | None:
    """The server URL a link of a page leads to; ``None`` for other hosts."""
    if link.startswith(BASE_URL):
        return pages.local(link).partition("#")[0]
    if urllib.parse.urlsplit(link).scheme or link.startswith("//"):
        return None
    return urllib.parse.urljoin(page_url, link).partition("#")[0]


def _everything_linked(site: Path, pages: LocalPages) -> set[str]:
    """Every URL on the server that a page, a feed, the sitemap or robots.txt links."""
    urls = set()
    for file in _site_pages(site):
        if file.name == "404.html" and file.parent == site:
            continue  # its links resolve through <base href>; see its own test
        page_url = pages.root + urllib.parse.quote(file.relative_to(site).as_posix(), safe="/._-~")
        urls.add(page_url)
        urls |= {u for link in _links_in(html_of(file)) if (u := _reachable(pages, page_url, link))}
    for file in feed_files(site):
        feed = read_feed(file)
        feed_urls = [feed.link, *feed.self_links] + [u for i in feed.items for u in (i.link, i.id)]
        urls |= {pages.local(u) for u in feed_urls}
    urls |= {pages.local(loc) for loc, _ in _sitemap_entries(site)}
    urls |= {pages.local(line.split(":", 1)[1].strip())
             for line in (site / "robots.txt").read_text().splitlines() if line.startswith("Sitemap:")}
    return urls


# -- served under a sub-path --------------------------------------------------------------


@pytest.mark.parametrize("site_name", ["seed_site", "corpus_site"])
def test_every_page_feed_and_asset_any_page_links_is_served_under_a_sub_path(site_name, request):
    site = request.getfixturevalue(site_name)
    with serving(site) as pages:
        urls = _everything_linked(site, pages)
        assert len(urls) > 50
        assert all(u.startswith(pages.root) for u in urls), [u for u in urls if not u.startswith(pages.root)][:5]
        missing = sorted(u for u in urls if pages.get(u)[0] != 200)
    print(f"\n{site_name}: {len(urls)} URLs requested under {SUB_PATH}, {len(missing)} not found")
    assert missing == []


def test_the_server_answers_a_missing_url_with_the_404_page(seed_site, pages):
    status, body = pages.get(pages.root + "a/b/no-such-page.html")
    assert status == 404
    assert body == (seed_site / "404.html").read_bytes()
    assert pages.get(pages.root.replace(SUB_PATH, "/") + "index.html")[0] == 404  # outside the sub-path


def test_links_of_the_404_page_resolve_at_any_depth_through_its_base_href(pages):
    missing = pages.root + "a/b/"
    status, body = pages.get(missing)
    assert status == 404
    doc = lxml.html.document_fromstring(body.decode("utf-8"))
    bases = doc.xpath("//head/base/@href")
    assert bases == [BASE_URL]
    head = doc.find("head")
    first_link = next(i for i, el in enumerate(head) if el.tag != "base" and (el.get("href") or el.get("src")))
    assert head.index(doc.xpath("//head/base")[0]) < first_link, "<base> must come before the first link"
    base = pages.local(bases[0])
    links = [link for link in _links_in(doc) if link != bases[0]]
    targets = {u for link in links if (u := _reachable(pages, base, link))}
    assert len(targets) >= 5
    broken = sorted(u for u in targets if pages.get(u)[0] != 200)
    assert broken == []


# -- base URL -------------------------------------------------------------------------


def _built_with_cli(args: list[str], tmp_path: Path, monkeypatch, capsys) -> tuple[Path, int, str]:
    out = tmp_path / "site"
    monkeypatch.chdir(ROOT)
    code = main(["--content", str(copy_seeds(tmp_path / "content")), "--out", str(out),
                 "--cache", str(tmp_path / "cache"), "--jobs", "1", *args])
    printed = capsys.readouterr()
    return out, code, printed.out + printed.err


def _feed_and_sitemap_urls(site: Path) -> list[str]:
    feed = read_feed(site / "feeds" / "rss.xml")
    sitemap = lxml.etree.parse(str(site / "sitemap.xml")).getroot()
    return ([feed.link, *feed.self_links, *(i.link for i in feed.items)]
            + [loc.text for loc in sitemap.iter(f"{SITEMAP_NS}loc")]
            + [(site / "robots.txt").read_text().split("Sitemap:")[1].strip()])


def test_without_a_base_url_feeds_point_at_the_preview_server_and_the_build_warns(tmp_path, monkeypatch, capsys):
    monkeypatch.delenv("GITHUB_ACTIONS", raising=False)
    monkeypatch.delenv("GITHUB_REPOSITORY", raising=False)
    site, code, printed = _built_with_cli([], tmp_path, monkeypatch, capsys)
    assert code == 0
    assert (site / "index.html").is_file() and (site / "feeds" / "rss.xml").is_file()
    urls = _feed_and_sitemap_urls(site)
    assert all(u.startswith(PREVIEW_URL) for u in urls), urls[:3]
    assert all(file_of(site, u, PREVIEW_URL).is_file() for u in urls)
    assert "WARNING" in printed and PREVIEW_URL in printed and "--base-url" in printed


def test_base_url_flag_sets_feed_and_sitemap_urls(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("GITHUB_ACTIONS", "true")
    monkeypatch.setenv("GITHUB_REPOSITORY", "someone/elsewhere")
    site, code, printed = _built_with_cli(["--base-url", "https://news.example/a"], tmp_path, monkeypatch, capsys)
    assert code == 0
    assert all(u.startswith("https://news.example/a/") for u in _feed_and_sitemap_urls(site))
    assert "WARNING" not in printed


def test_github_actions_build_finds_the_base_url_from_the_repository(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("GITHUB_ACTIONS", "true")
    monkeypatch.setenv("GITHUB_REPOSITORY", "Someone/news-archive")
    site, code, _ = _built_with_cli([], tmp_path, monkeypatch, capsys)
    assert code == 0
    assert all(u.startswith("https://someone.github.io/news-archive/") for u in _feed_and_sitemap_urls(site))
    assert 'href="https://someone.github.io/news-archive/"' in (site / "404.html").read_text(encoding="utf-8")


def test_a_user_site_repository_is_served_from_the_domain_root():
    settings = load_settings(ROOT, {}, environ={"GITHUB_ACTIONS": "true",
                                                 "GITHUB_REPOSITORY": "Someone/someone.github.io"})
    assert settings.base_url == "https://someone.github.io/"


def test_outside_github_actions_the_repository_variable_is_ignored():
    settings = load_settings(ROOT, {}, environ={"GITHUB_REPOSITORY": "someone/archive"})
    assert settings.base_url == ""


# -- sitemap, robots.txt, .nojekyll -------------------------------------------------------------


def _sitemap_entries(site: Path) -> list[tuple[str, str | None]]:
    root = lxml.etree.parse(str(site / "sitemap.xml")).getroot()
    assert root.tag == f"{SITEMAP_NS}urlset"
    return [(u.findtext(f"{SITEMAP_NS}loc"), u.findtext(f"{SITEMAP_NS}lastmod"))
            for u in root.findall(f"{SITEMAP_NS}url")]


def test_sitemap_lists_every_page_once_except_the_404_page(corpus_site):
    locs = [loc for loc, _ in _sitemap_entries(corpus_site)]
    assert len(locs) == len(set(locs))
    expected = {url_of(corpus_site, p) for p in _site_pages(corpus_site) if p.name != "404.html"}
    assert set(locs) == expected


def test_sitemap_gives_lastmod_for_articles_dated_to_the_day(corpus_site):
    articles = articles_of(corpus_site)
    entries = dict(_sitemap_entries(corpus_site))
    with_lastmod = 0
    for url, article in articles.items():
        day = article.date[:10] if re.match(r"\d{4}-\d\d-\d\d", article.date) else None
        assert entries[url] == day, url
        with_lastmod += day is not None
    assert with_lastmod
    assert all(lastmod is None for url, lastmod in entries.items() if url not in articles)


def test_robots_txt_names_the_sitemap(seed_site):
    lines = (seed_site / "robots.txt").read_text(encoding="utf-8").splitlines()
    assert "User-agent: *" in lines
    assert f"Sitemap: {BASE_URL}sitemap.xml" in lines


def test_site_has_a_nojekyll_file(seed_site):
    assert (seed_site / ".nojekyll").is_file()


# -- the GitHub Pages workflow ---------------------------------------------------------


def _workflow() -> dict:
    return yaml.safe_load(WORKFLOW.read_text(encoding="utf-8"))


def _steps(workflow: dict) -> list[dict]:
    return [step for job in workflow["jobs"].values() for step in job["steps"]]


def test_workflow_build_step_runs_exactly_the_readme_build_command():
    runs = [step["run"].strip() for step in _steps(_workflow()) if "run" in step]
    assert runs == [BUILD_COMMAND]


def test_readme_gives_the_build_command_the_workflow_runs():
    readme = ROOT / "README.md"
    if not readme.is_file():
        pytest.skip("README.md does not exist yet; the workflow was checked against BUILD_COMMAND")
    assert BUILD_COMMAND in readme.read_text(encoding="utf-8")


def test_workflow_deploys_site_with_the_official_pages_actions():
    workflow = _workflow()
    triggers = workflow.get("on", workflow.get(True))  # YAML 1.1 reads a bare `on` as true
    assert "push" in triggers and "workflow_dispatch" in triggers
    assert workflow["permissions"]["pages"] == "write"
    assert workflow["permissions"]["id-token"] == "write"
    assert workflow["concurrency"]["group"]
    uses = {step["uses"].split("@")[0]: step for step in _steps(workflow) if "uses" in step}
    assert {"actions/checkout", "actions/configure-pages", "actions/upload-pages-artifact",
            "actions/deploy-pages"} <= set(uses)
    assert uses["actions/upload-pages-artifact"]["with"]["path"] == "site"
    deploy = next(job for job in workflow["jobs"].values()
                  if any(s.get("uses", "").startswith("actions/deploy-pages") for s in job["steps"]))
    assert deploy["environment"]["name"] == "github-pages"
    assert deploy["needs"]
    assert all("--base-url" not in step.get("run", "") for step in _steps(workflow))


def test_workflow_restores_the_build_caches_of_the_last_run_before_it_builds():
    """The project's cache and the user's (the country matcher) come back
    from the newest earlier run (a key unique to each run, so a new cache is
    saved every time, and a prefix to restore from)."""
    steps = _steps(_workflow())
    cache = next(i for i, step in enumerate(steps) if step.get("uses", "").startswith("actions/cache@"))
    build = next(i for i, step in enumerate(steps) if step.get("run", "").strip() == BUILD_COMMAND)
    assert cache < build
    options = steps[cache]["with"]
    assert set(options["path"].split()) == {".archive-cache", "~/.cache/archive-builder"}
    assert "${{ github.sha }}" in options["key"]
    assert options["key"].startswith(options["restore-keys"]) and options["restore-keys"] != options["key"]


def test_readme_publish_section_names_the_workflow_and_the_build_command():
    text = README.read_text(encoding="utf-8").split("## Publish on GitHub Pages", 1)[1]
    assert ".github/workflows/pages.yml" in text
    assert BUILD_COMMAND in text
    assert "GitHub Actions" in text


def test_a_sitemap_beyond_the_protocol_limit_becomes_an_index_of_parts():
    pages = [(f"articles/{n}.html", lastmod(PartialDate(2020, 1, n + 1))) for n in range(5)]
    files = sitemap_files(BASE_URL, pages, max_urls=2)
    assert sorted(files) == ["sitemap.xml", "sitemaps/1.xml", "sitemaps/2.xml", "sitemaps/3.xml"]
    index = lxml.etree.fromstring(files["sitemap.xml"].encode())
    assert index.tag == f"{SITEMAP_NS}sitemapindex"
    assert [loc.text for loc in index.iter(f"{SITEMAP_NS}loc")] == [BASE_URL + p for p in sorted(files)[1:]]
    listed = [loc.text for part in sorted(files)[1:]
              for loc in lxml.etree.fromstring(files[part].encode()).iter(f"{SITEMAP_NS}loc")]
    assert listed == [BASE_URL + path for path, _ in pages]
    assert list(sitemap_files(BASE_URL, pages)) == ["sitemap.xml"]
    for count in range(1, 7):  # the build plans the files before (or without) making them
        assert sitemap_paths(count, max_urls=2) == list(sitemap_files(BASE_URL, pages[:count], max_urls=2))


def test_sitemap_stays_valid_xml_whatever_the_page_paths_hold():
    text = sitemap_xml(BASE_URL, [("tags/a&b<\x01\x0b\x1b>.html", ""), ("articles/x.html", lastmod(PartialDate(2021, 5)))])
    root = lxml.etree.fromstring(text.encode())
    assert [loc.text for loc in root.iter(f"{SITEMAP_NS}loc")] == [
        BASE_URL + "articles/x.html", BASE_URL + "tags/a%26b%3C%01%0B%1B%3E.html"]
    assert root.find(f"{SITEMAP_NS}url/{SITEMAP_NS}lastmod") is None  # month precision: no lastmod
