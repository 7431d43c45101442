"""``build check``: audit the content and the built site the way readers meet it.

The audits, each a function returning a list of ``Problem``:

* ``check_content`` — every file under ``content/`` can be read, decoded,
  extracted and cleaned (its sidecar too): what a build would skip is listed.

* ``check_links`` — every link, stylesheet, image or feed reference a page
  makes to the site itself is relative and names a file that exists, under
  ``file://`` rules: a link to a folder (``tags/``) or from the root
  (``/tags/x.html``) works on a server but not from disk, so both are problems.
  Fragments (``#x``) must name an ``id`` of the target page.
* ``check_feeds`` — every ``.xml`` file parses as XML; RSS items and Atom
  entries link absolutely (a feed reader has no page to resolve against).
* ``check_articles`` — each article page has one JSON-LD ``NewsArticle`` with
  ``headline``, ``inLanguage``, ``identifier`` and ``contentLocation``, and an
  element marked ``itemprop="articleBody"``: tools outside the project read
  them (SPEC.md).
* ``check_html`` — HTML validity with the Nu HTML Checker (``vnu.jar``) when
  Java and the jar are found (``VNU_JAR``, or ``node_modules/vnu-jar`` as
  ``.ci/install-browser.sh`` installs it); skipped with a note otherwise.

Pages are parsed with the standard library's ``html.parser``: the audits need
attributes and ids, not a tree, and must not depend on a browser.
``run_check`` prints every problem as one numbered list and returns the exit
code (0 clean, 1 problems).
"""

from __future__ import annotations

import json
import os
import posixpath
import re
import shutil
import subprocess
import sys
import urllib.parse
import xml.etree.ElementTree as ET
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path

from builder.config import Settings

RAW_DIR = "raw"
"""Byte-identical copies of the input files: the archive, not pages to audit."""
ARTICLES_DIR = "articles"
EXIT_OK, EXIT_PROBLEMS = 0, 1

VNU_JAR_ENV = "VNU_JAR"
VNU_JAR_IN_NODE_MODULES = Path("node_modules/vnu-jar/build/dist/vnu.jar")
VNU_BATCH = 2000
"""Pages per java invocation: one start-up for a small site, bounded argv for a big one."""

ATOM_NS = "{http://www.w3.org/2005/Atom}"
_SHA256 = re.compile(r"[0-9a-f]{64}")
_LINK_ATTRIBUTES = {
    "a": ("href",), "area": ("href",), "link": ("href",),
    "img": ("src", "srcset"), "source": ("src", "srcset"), "script": ("src",),
    "iframe": ("src",), "video": ("src", "poster"), "audio": ("src",), "track": ("src",),
    "embed": ("src",), "object": ("data",), "form": ("action",),
}


@dataclass(frozen=True, order=True)
class Problem:
    """One thing wrong with the built site, at a site-relative path."""

    path: str
    message: str

    def __str__(self) -> str:
        return f"{self.path}: {self.message}"


# -- reading pages -------------------------------------------------------------


@dataclass
class PageScan:
    """What the audits need from one HTML page."""

    links: list[tuple[str, str]] = field(default_factory=list)
    """(element.attribute, value) of every reference the page makes."""
    ids: set[str] = field(default_factory=set)
    base: str | None = None
    lang: str | None = None
    jsonld: list[str] = field(default_factory=list)
    """The text of each ``<script type="application/ld+json">``."""
    article_body: int = 0
    """How many elements carry ``itemprop="articleBody"``."""


class _PageParser(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.scan = PageScan()
        self._jsonld: list[str] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = {name: value or "" for name, value in attrs}
        if "id" in values:
            self.scan.ids.add(values["id"])
        if tag == "a" and "name" in values:
            self.scan.ids.add(values["name"])
        if values.get("itemprop", "").split().count("articleBody"):
            self.scan.article_body += 1
        if tag == "html" and "lang" in values:
            self.scan.lang = values["lang"]
        elif tag == "base" and "href" in values and self.scan.base is None:
            self.scan.base = values["href"]
        elif tag == "script" and values.get("type", "").strip().lower() == "application/ld+json":
            self._jsonld = []
        for attribute in _LINK_ATTRIBUTES.get(tag, ()):
            if attribute not in values:
                continue
            if attribute == "srcset":
                for candidate in values[attribute].split(","):
                    url = candidate.strip().split(" ")[0]
                    if url:
                        self.scan.links.append((f"{tag}.srcset", url))
            else:
                self.scan.links.append((f"{tag}.{attribute}", values[attribute]))

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.handle_starttag(tag, attrs)

    def handle_data(self, data: str) -> None:
        if self._jsonld is not None:
            self._jsonld.append(data)

    def handle_endtag(self, tag: str) -> None:
        if tag == "script" and self._jsonld is not None:
            self.scan.jsonld.append("".join(self._jsonld))
            self._jsonld = None


def scan_page(text: str) -> PageScan:
    parser = _PageParser()
    parser.feed(text)
    parser.close()
    return parser.scan


def site_pages(site: Path) -> list[str]:
    """Site-relative paths of the HTML pages, sorted; raw copies excluded."""
    pages = []
    for path in sorted(site.rglob("*.html")):
        relative = path.relative_to(site).as_posix()
        if relative.split("/", 1)[0] != RAW_DIR and path.is_file():
            pages.append(relative)
    return pages


def scan_site(site: Path) -> dict[str, PageScan]:
    return {page: scan_page((site / page).read_text(encoding="utf-8", errors="replace"))
            for page in site_pages(site)}


# -- links ---------------------------------------------------------------------


@dataclass(frozen=True)
class SiteFiles:
    """The files and folders of the built site, site-relative: one walk, then
    every link is a set look-up instead of two ``stat`` calls."""

    files: frozenset[str]
    folders: frozenset[str]

    @classmethod
    def walk(cls, site: Path) -> SiteFiles:
        files, folders = set(), set()
        for folder, subfolders, names in os.walk(site):
            relative = Path(folder).relative_to(site).as_posix()
            prefix = "" if relative == "." else relative + "/"
            folders.update(prefix + name for name in subfolders)
            files.update(prefix + name for name in names)
        return cls(frozenset(files), frozenset(folders))


def check_links(site: Path, scans: dict[str, PageScan], base_url: str = "") -> list[Problem]:
    """Every internal reference is relative and names an existing file."""
    problems: list[Problem] = []
    existing = SiteFiles.walk(site)
    for page, scan in scans.items():
        for where, url in scan.links:
            problem = _link_problem(existing, page, scan, url, scans, base_url)
            if problem:
                problems.append(Problem(page, f"{where} {url!r}: {problem}"))
    return problems


def _link_problem(existing: SiteFiles, page: str, scan: PageScan, url: str, scans: dict[str, PageScan],
                  base_url: str) -> str | None:
    url = url.strip()
    if not url:
        return "empty link"
    split = urllib.parse.urlsplit(url)
    if split.scheme:
        if split.scheme.lower() == "javascript":
            return "javascript: link"
        if scan.base is None or not base_url:
            return None  # another host, or mailto:, data: …: not ours to check
        absolute = url
    elif url.startswith("//"):
        return "protocol-relative link: from disk it points at file://HOST/"
    elif scan.base:
        # 404.html carries <base href="BASE_URL"> so it works at any missing path
        absolute = urllib.parse.urljoin(scan.base, url)
    else:
        absolute = None
    if absolute is not None:
        if not base_url or not absolute.startswith(base_url):
            return None
        split = urllib.parse.urlsplit(absolute[len(base_url):])
        directory = ""
    else:
        directory = posixpath.dirname(page)
        if split.path.startswith("/"):
            return "root-absolute link: breaks from disk and under /<repo>/; make it relative"
    if not split.path:
        # "#x" or "?q": this page
        target = page
    else:
        if split.path.endswith("/"):
            return "links to a folder: from disk a folder is not its index.html; name the file"
        target = posixpath.normpath(posixpath.join(directory, urllib.parse.unquote(split.path)))
        if target == ".." or target.startswith("../"):
            return "points outside the site"
        if target == "." or target in existing.folders:
            return "links to a folder: from disk a folder is not its index.html; name the file"
        if target not in existing.files:
            return f"no such file {target!r}"
    fragment = urllib.parse.unquote(split.fragment)
    if fragment and target in scans and fragment not in scans[target].ids:
        if not (fragment == "top" or fragment.startswith(":~:")):
            return f"no element with id {fragment!r} in {target}"
    return None


# -- feeds ---------------------------------------------------------------------


def _is_absolute(url: str | None) -> bool:
    if not url:
        return False
    split = urllib.parse.urlsplit(url.strip())
    return split.scheme in ("http", "https") and bool(split.netloc)


def check_feeds(site: Path) -> list[Problem]:
    """Feeds and the sitemap parse as XML; their item links are absolute."""
    problems: list[Problem] = []
    for path in sorted(site.rglob("*.xml")):
        relative = path.relative_to(site).as_posix()
        if relative.split("/", 1)[0] == RAW_DIR:
            continue
        try:
            root = ET.parse(path).getroot()
        except ET.ParseError as error:
            problems.append(Problem(relative, f"not well-formed XML: {error}"))
            continue
        if root.tag == "rss":
            items = root.findall("./channel/item")
            for number, item in enumerate(items, start=1):
                link = item.findtext("link")
                if not _is_absolute(link):
                    problems.append(Problem(relative, f"item {number}: link {link!r} is not absolute"))
            if root.find("./channel") is None:
                problems.append(Problem(relative, "RSS without <channel>"))
        elif root.tag == f"{ATOM_NS}feed":
            for number, entry in enumerate(root.findall(f"{ATOM_NS}entry"), start=1):
                hrefs = [link.get("href") for link in entry.findall(f"{ATOM_NS}link")
                         if link.get("rel", "alternate") == "alternate"]
                if not hrefs or not all(_is_absolute(h) for h in hrefs):
                    problems.append(Problem(relative, f"entry {number}: link {hrefs!r} is not absolute"))
        elif root.tag.endswith("urlset"):
            for number, loc in enumerate(root.iter("{http://www.sitemaps.org/schemas/sitemap/0.9}loc"), 1):
                if not _is_absolute(loc.text):
                    problems.append(Problem(relative, f"url {number}: loc {loc.text!r} is not absolute"))
    return problems


# -- article metadata ----------------------------------------------------------


def check_articles(scans: dict[str, PageScan]) -> list[Problem]:
    """JSON-LD ``NewsArticle`` and the ``articleBody`` element on each article page."""
    problems: list[Problem] = []
    for page, scan in scans.items():
        if not page.startswith(ARTICLES_DIR + "/"):
            continue
        problems.extend(Problem(page, message) for message in _article_problems(scan))
    for page, scan in scans.items():
        if not scan.lang:
            problems.append(Problem(page, "<html> has no lang attribute"))
    return problems


def _article_problems(scan: PageScan) -> Iterable[str]:
    if scan.article_body != 1:
        yield f"expected one element with itemprop=\"articleBody\", found {scan.article_body}"
    articles = []
    for number, text in enumerate(scan.jsonld, start=1):
        try:
            data = json.loads(text)
        except json.JSONDecodeError as error:
            yield f"JSON-LD script {number} is not valid JSON: {error}"
            continue
        for item in data if isinstance(data, list) else [data]:
            if isinstance(item, dict) and item.get("@type") == "NewsArticle":
                articles.append(item)
    if len(articles) != 1:
        yield f"expected one JSON-LD NewsArticle, found {len(articles)}"
        return
    article = articles[0]
    for key in ("headline", "inLanguage"):
        if not isinstance(article.get(key), str) or not article[key].strip():
            yield f"JSON-LD NewsArticle: {key} missing or empty"
    identifier = article.get("identifier")
    value = identifier.get("value") if isinstance(identifier, dict) else identifier
    if not isinstance(value, str) or not _SHA256.fullmatch(value):
        yield f"JSON-LD NewsArticle: identifier should hold the raw file's SHA-256, not {identifier!r}"
    locations = article.get("contentLocation")
    if not isinstance(locations, list):
        yield "JSON-LD NewsArticle: contentLocation missing (a list of Country, empty when none)"
    else:
        for place in locations:
            if not (isinstance(place, dict) and place.get("@type") == "Country" and place.get("name")
                    and isinstance(place.get("identifier"), str)
                    and re.fullmatch(r"[A-Z]{2}", place["identifier"])):
                yield f"JSON-LD NewsArticle: contentLocation entry {place!r} is not a Country with a name and ISO code"


# -- HTML validity -------------------------------------------------------------


@dataclass(frozen=True)
class Validator:
    """How to run the Nu HTML Checker here."""

    java: str
    jar: Path

    def command(self, files: Sequence[Path]) -> list[str]:
        return [self.java, "-Xss8m", "-jar", str(self.jar), "--format", "json", "--stdout",
                "--errors-only", *map(str, files)]


def find_validator(roots: Sequence[Path] = ()) -> Validator | None:
    """Java and vnu.jar, or ``None`` when either is missing."""
    java = shutil.which("java")
    if not java:
        return None
    candidates = [Path(os.environ[VNU_JAR_ENV])] if os.environ.get(VNU_JAR_ENV) else []
    for root in [*roots, Path.cwd(), Path(__file__).resolve().parents[1]]:
        candidates.append(root / VNU_JAR_IN_NODE_MODULES)
    for jar in candidates:
        if jar.is_file():
            return Validator(java, jar.resolve())
    return None


def validate_html(validator: Validator, files: Sequence[Path], batch: int = VNU_BATCH) -> list[dict]:
    """Nu HTML Checker messages of type ``error`` for ``files``; a small
    site takes one java invocation."""
    messages: list[dict] = []
    for start in range(0, len(files), batch):
        chunk = files[start:start + batch]
        done = subprocess.run(validator.command(chunk), capture_output=True, text=True, check=False)
        try:
            report = json.loads(done.stdout)
        except json.JSONDecodeError:
            raise RuntimeError(f"vnu.jar gave no JSON report (exit {done.returncode}): "
                               f"{(done.stderr or done.stdout)[-2000:]}") from None
        messages.extend(m for m in report.get("messages", []) if m.get("type") in ("error", "non-document-error"))
    return messages


def check_html(site: Path, pages: Sequence[str], validator: Validator) -> list[Problem]:
    problems = []
    for message in validate_html(validator, [site / page for page in pages]):
        url = message.get("url", "")
        path = Path(urllib.parse.unquote(urllib.parse.urlsplit(url).path)) if url else None
        where = path.relative_to(site.resolve()).as_posix() if path and path.is_relative_to(site.resolve()) else url
        line = message.get("lastLine")
        problems.append(Problem(f"{where}:{line}" if line else where, f"HTML: {message.get('message', '')}"))
    return problems


# -- the command ---------------------------------------------------------------


def audit_site(site: Path, base_url: str = "", validator: Validator | None = None) -> list[Problem]:
    """Every audit on the built site in ``site``, problems sorted by path."""
    if not site.is_dir():
        return [Problem(str(site), "no built site here: run `build` first")]
    scans = scan_site(site)
    if "index.html" not in scans:
        return [Problem("index.html", "missing: the site has no home page")]
    problems = check_links(site, scans, base_url) + check_feeds(site) + check_articles(scans)
    if validator is not None:
        problems += check_html(site, list(scans), validator)
    return _merge_repeats(problems)


def _merge_repeats(problems: Sequence[Problem]) -> list[Problem]:
    """Sorted, each distinct problem once, with how often a page repeats it."""
    counts = Counter(problems)
    return [p if counts[p] == 1 else Problem(p.path, f"{p.message} ({counts[p]} times)") for p in sorted(counts)]


def check_content(content: Path) -> list[Problem]:
    """Every file under ``content/`` becomes an article: the same reading,
    extraction and cleaning as a build, without writing anything."""
    from builder.models import Skip
    from builder.process import process_file
    from builder.read import VOCABULARY_FILE, find_sources, read_manifest

    if not content.is_dir():
        return [Problem(str(content), "no content folder here")]
    manifest = read_manifest(content)
    vocabulary = content / VOCABULARY_FILE
    problems = []
    for path in find_sources(content):
        found = process_file(content, path, manifest.get(path.relative_to(content).as_posix()),
                             vocabulary if vocabulary.is_file() else None)
        if isinstance(found, Skip):
            problems.append(Problem(f"content/{found.path}", f"[{found.stage}] {found.message}"))
    return problems


def run_check(settings: Settings) -> int:
    """Audit the content and ``settings.out_dir``; print a numbered list of
    problems; return the exit code."""
    site = settings.path("out_dir")
    validator = find_validator([settings.root])
    out = sys.stdout
    problems = check_content(settings.path("content_dir")) + audit_site(site, settings.base_url, validator)
    if validator is None:
        print("check: HTML validation skipped: needs java and vnu.jar "
              f"(set {VNU_JAR_ENV}, or run .ci/install-browser.sh)", file=out)
    if not problems:
        if not settings.quiet:
            pages = len(site_pages(site))
            print(f"check: {site}: {pages} pages, no problems", file=out)
        return EXIT_OK
    print(f"check: {site}: {len(problems)} problem(s):", file=out)
    for number, problem in enumerate(problems, start=1):
        print(f"  {number}. {problem}", file=out)
    return EXIT_PROBLEMS
