"""Prepare the input of the peer generators (Hugo, Pelican) from raw corpus files.

Each raw file becomes one plain post: front matter, a blank line, then the raw
file's bytes exactly as they are (only a leading UTF-8 byte-order mark is
dropped, since it would land mid-file). No cleaning at all — that is what the
performance issue's anchors measured:

* **title**: the first markdown heading (``#`` marks stripped), else the first
  non-blank line, cut to 200 characters;
* **date**: the first valid ``YYYY-MM-DD``-like date (``-``, ``/``, ``.`` or
  年/月 separators) in the first 4,000 characters, else 2000-01-01;
* **tags**: two words from the file's path: its mirror (top-level folder) and
  its parent folder (e.g. ``epic-marker`` and ``ncid277``);
* **slug**: the corpus path made URL-safe (unique, so no collisions).

Both sites are configured alike and like ours: a home paginated by 30, one page
per article, a page per tag and an index of tags, an RSS feed per tag and for
the whole site. Feeds: ``like-ours`` (the default) holds 50 items per feed, with
full content in Pelican's (Hugo's built-in feed template has summaries);
``defaults`` keeps each tool's own defaults — Hugo puts *every* article in every
feed (that is what the performance issue's Hugo anchors reproduce), Pelican 100
items, summaries only.

Run alone, it writes ready-to-build peer folders for one size:

    python tests/benchmarks/prepare_peers.py --corpus /tmp/bench/bench --size 1000 --work /tmp/archive-bench
"""

from __future__ import annotations

import argparse
import datetime
import json
import re
import shutil
import subprocess
import sys
import venv
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from corpus_sample import locate_corpus, stratified_order  # noqa: E402

PELICAN_REQUIREMENT = "pelican[markdown]==4.12.*"
BASE_URL = "https://bench.example/"
ITEMS_PER_PAGE = 30
FEED_ITEMS = 50
FEED_CHOICES = ("like-ours", "defaults")
FALLBACK_DATE = (2000, 1, 1)

_HEADING = re.compile(r"^\s{0,3}#{1,6}\s*(.*?)\s*#*\s*$")
_DATE = re.compile(r"((?:19|20)\d\d)\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})")


@dataclass(frozen=True)
class Post:
    """One raw file as a peer's post."""

    title: str
    date: tuple[int, int, int]
    tags: tuple[str, str]
    slug: str
    body: bytes


def make_post(rel: str, raw: bytes) -> Post:
    """The post for the raw file at corpus path ``rel``."""
    body = raw[3:] if raw.startswith(b"\xef\xbb\xbf") else raw
    head = body[:4000].decode("utf-8", errors="replace")
    parts = rel.split("/")
    return Post(title=_title(head) or parts[-1], date=_date(head),
                tags=(parts[0], parts[-2] if len(parts) > 2 else parts[0]),
                slug=slug_of(rel), body=body)


def slug_of(rel: str) -> str:
    """The post's slug: its corpus path, URL-safe (paths are unique, so slugs are)."""
    return re.sub(r"[^A-Za-z0-9]+", "-", rel.rsplit(".", 1)[0]).strip("-").lower()


def _title(head: str) -> str:
    lines = [line for line in head.splitlines() if line.strip()]
    for line in lines:
        match = _HEADING.match(line)
        if match and match.group(1):
            return match.group(1)[:200]
    return lines[0].strip()[:200] if lines else ""


def _date(head: str) -> tuple[int, int, int]:
    for match in _DATE.finditer(head):
        year, month, day = (int(g) for g in match.groups())
        try:
            datetime.date(year, month, day)  # a real calendar day: Hugo rejects 2021-02-30
        except ValueError:
            continue
        return year, month, day
    return FALLBACK_DATE


def _toml_string(text: str) -> str:
    # JSON string escapes are TOML basic-string escapes, except DEL, which TOML wants escaped
    return json.dumps(text, ensure_ascii=False).replace("\x7f", "\\u007f")


class HugoSite:
    """A Hugo site folder: ``hugo.toml``, minimal layouts, ``content/posts/``."""

    name = "hugo"

    def __init__(self, folder: Path, feeds: str = "like-ours"):
        self.folder = folder
        self.posts = folder / "content" / "posts"
        self.feeds = feeds

    def create(self) -> None:
        shutil.rmtree(self.folder, ignore_errors=True)
        self.posts.mkdir(parents=True)
        limit = f"rssLimit = {FEED_ITEMS}\n" if self.feeds == "like-ours" else ""
        (self.folder / "hugo.toml").write_text(_HUGO_CONFIG.format(feed_limit=limit), encoding="utf-8")
        for rel, text in _HUGO_LAYOUTS.items():
            path = self.folder / "layouts" / rel
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text, encoding="utf-8")

    def path_of(self, rel: str) -> Path:
        return self.posts / f"{slug_of(rel)}.md"

    def write(self, rel: str, raw: bytes) -> None:
        post = make_post(rel, raw)
        y, m, d = post.date
        front = (f"+++\ntitle = {_toml_string(post.title)}\ndate = {y:04d}-{m:02d}-{d:02d}T00:00:00Z\n"
                 f"tags = [{', '.join(_toml_string(t) for t in post.tags)}]\nslug = \"{post.slug}\"\n+++\n\n")
        self.path_of(rel).write_bytes(front.encode("utf-8") + post.body)

    def cold_paths(self) -> list[Path]:
        return [self.folder / "public", self.folder / "resources", self.folder / ".hugo-cache"]

    def output(self) -> Path:
        return self.folder / "public"

    def command(self, hugo: str) -> list[str]:
        return [hugo, "--quiet", "--cacheDir", str(self.folder / ".hugo-cache"), "--destination", "public"]


class PelicanSite:
    """A Pelican site folder: ``pelicanconf.py`` and ``content/``."""

    name = "pelican"

    def __init__(self, folder: Path, feeds: str = "like-ours"):
        self.folder = folder
        self.posts = folder / "content"
        self.feeds = feeds

    def create(self) -> None:
        shutil.rmtree(self.folder, ignore_errors=True)
        self.posts.mkdir(parents=True)
        feeds = (f"FEED_MAX_ITEMS = {FEED_ITEMS}\nRSS_FEED_SUMMARY_ONLY = False\n"
                 if self.feeds == "like-ours" else "")
        (self.folder / "pelicanconf.py").write_text(_PELICAN_CONFIG + feeds, encoding="utf-8")

    def path_of(self, rel: str) -> Path:
        return self.posts / f"{slug_of(rel)}.md"

    def write(self, rel: str, raw: bytes) -> None:
        post = make_post(rel, raw)
        y, m, d = post.date
        title = post.title.replace("\r", " ").replace("\n", " ")
        front = (f"Title: {title}\nDate: {y:04d}-{m:02d}-{d:02d} 00:00\n"
                 f"Tags: {', '.join(post.tags)}\nSlug: {post.slug}\n\n")
        self.path_of(rel).write_bytes(front.encode("utf-8") + post.body)

    def cold_paths(self) -> list[Path]:
        return [self.folder / "output", self.folder / "cache"]

    def output(self) -> Path:
        return self.folder / "output"

    def command(self, pelican: str) -> list[str]:
        return [pelican, "content", "--settings", "pelicanconf.py", "--output", "output", "--quiet"]


def find_hugo() -> tuple[str | None, str]:
    """The ``hugo`` executable and its version line, or ``(None, advice)``."""
    hugo = shutil.which("hugo")
    if not hugo:
        return None, "not installed (Debian: apt-get update && apt-get install -y hugo)"
    out = subprocess.run([hugo, "version"], capture_output=True, text=True, check=False)
    return hugo, out.stdout.strip()


def ensure_pelican(work: Path) -> tuple[str | None, str]:
    """Pelican in its own venv under ``work`` (created on first use), and its version."""
    env = work / "pelican-venv"
    pelican = env / "bin" / "pelican"
    if not pelican.is_file():
        print(f"installing {PELICAN_REQUIREMENT} into {env} (once)", flush=True)
        venv.create(env, with_pip=True, clear=True)
        log = work / "pelican-install.log"
        with log.open("wb") as out:
            done = subprocess.run([str(env / "bin" / "python"), "-m", "pip", "install", PELICAN_REQUIREMENT],
                                  stdout=out, stderr=subprocess.STDOUT, check=False)
        if done.returncode or not pelican.is_file():
            return None, f"pip install {PELICAN_REQUIREMENT} failed (exit {done.returncode}; see {log})"
    out = subprocess.run([str(pelican), "--version"], capture_output=True, text=True, check=False)
    return str(pelican), f"pelican {out.stdout.strip()}"


def populate(site: HugoSite | PelicanSite, corpus: Path, paths: list[str]) -> None:
    """A fresh site folder holding the posts of ``paths``."""
    site.create()
    for rel in paths:
        site.write(rel, (corpus / rel).read_bytes())


_HUGO_CONFIG = f"""\
baseURL = "{BASE_URL}"
title = "Bench archive"
paginate = {ITEMS_PER_PAGE}
{{feed_limit}}disableKinds = ["section"]

[taxonomies]
tag = "tags"

[markup.goldmark.renderer]
unsafe = true
"""

_HEAD = """<!doctype html><html><head><meta charset="utf-8"><title>{{ .Title }}</title>
{{ with .OutputFormats.Get "rss" }}<link rel="alternate" type="application/rss+xml" href="{{ .RelPermalink }}">{{ end }}
</head><body>"""

_HUGO_LAYOUTS = {
    "index.html": _HEAD + """
<h1>{{ .Site.Title }}</h1>
{{ $pages := .Paginate .Site.RegularPages }}
<ul>{{ range $pages.Pages }}<li><a href="{{ .RelPermalink }}">{{ .Title }}</a> {{ .Date.Format "2006-01-02" }}</li>{{ end }}</ul>
{{ template "_internal/pagination.html" . }}
</body></html>
""",
    "_default/single.html": _HEAD + """
<article><h1>{{ .Title }}</h1><p>{{ .Date.Format "2006-01-02" }}</p>
<p>{{ range .Params.tags }}<a href="{{ "tags/" | relURL }}{{ . | urlize }}/">{{ . }}</a> {{ end }}</p>
{{ .Content }}</article>
</body></html>
""",
    "_default/list.html": _HEAD + """
<h1>{{ .Title }}</h1>
{{ $pages := .Paginate .Pages }}
<ul>{{ range $pages.Pages }}<li><a href="{{ .RelPermalink }}">{{ .Title }}</a> {{ .Date.Format "2006-01-02" }}</li>{{ end }}</ul>
{{ template "_internal/pagination.html" . }}
</body></html>
""",
    "_default/terms.html": _HEAD + """
<h1>{{ .Title }}</h1>
<ul>{{ range .Data.Terms.ByCount }}<li><a href="{{ .Page.RelPermalink }}">{{ .Page.Title }}</a> ({{ .Count }})</li>{{ end }}</ul>
</body></html>
""",
}

_PELICAN_CONFIG = f"""\
AUTHOR = "bench"
SITENAME = "Bench archive"
SITEURL = "{BASE_URL.rstrip('/')}"
FEED_DOMAIN = SITEURL
PATH = "content"
TIMEZONE = "UTC"
DEFAULT_LANG = "zh"
DEFAULT_PAGINATION = {ITEMS_PER_PAGE}
FEED_ALL_ATOM = "feeds/all.atom.xml"
FEED_ALL_RSS = "feeds/all.rss.xml"
TAG_FEED_RSS = "feeds/tag/{{slug}}.rss.xml"
CATEGORY_FEED_ATOM = None
AUTHOR_FEED_ATOM = None
AUTHOR_FEED_RSS = None
TRANSLATION_FEED_ATOM = None
LOAD_CONTENT_CACHE = False
CACHE_CONTENT = False
RELATIVE_URLS = False
"""


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--corpus", type=Path, required=True, help="corpus folder or .tar.xz")
    parser.add_argument("--size", type=int, required=True, help="number of raw files (stratified sample)")
    parser.add_argument("--work", type=Path, default=Path("/tmp/archive-bench"))
    parser.add_argument("--peer-feeds", choices=FEED_CHOICES, default="like-ours")
    args = parser.parse_args(argv)
    work = args.work.resolve()
    corpus = locate_corpus(args.corpus, work)
    paths = stratified_order(corpus)[:args.size]
    for site in (HugoSite(work / "peers" / str(len(paths)) / "hugo", args.peer_feeds),
                 PelicanSite(work / "peers" / str(len(paths)) / "pelican", args.peer_feeds)):
        populate(site, corpus, paths)
        print(f"{site.name}: {len(paths)} posts in {site.posts}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
