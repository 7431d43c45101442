"""The incremental build: the cache, what a rebuild redoes, and that its
output is byte-identical to a cold build's."""

from __future__ import annotations

import ast
import os
import re
import shutil
import sqlite3
from collections import Counter
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from builder.build import build
from builder.cache import RECORD_CODE, Cache, digest, rules_fingerprint
from builder.config import Settings
from builder.render import RSS_PATH
from tests.conftest import ROOT, copy_seeds, make_settings, tree


def _cold(content: Path, tmp: Path, **settings) -> dict[str, bytes]:
    """A cold build of ``content`` in a fresh place with a fresh cache."""
    fresh = tmp / f"cold-{len(list(tmp.iterdir()))}"
    build(make_settings(content, fresh / "site", **settings))
    return tree(fresh / "site")


def _edit_a_seed(content: Path) -> Path:
    """Change one word of the third seed (a body edit, made in place); its path."""
    seed = content / "002_fd40830f1acd1926.txt"
    seed.write_bytes(seed.read_bytes().replace(b"agreed Wednesday", b"agreed on Wednesday"))
    return seed


@pytest.fixture
def project(tmp_path):
    content = copy_seeds(tmp_path / "work" / "content")
    out = tmp_path / "work" / "site"
    first = build(make_settings(content, out))
    assert not first.incremental and first.processed == 5
    return content, out, tmp_path


def test_no_op_rebuild_processes_and_writes_nothing(project):
    content, out, _ = project
    mtimes = {p: p.stat().st_mtime_ns for p in out.rglob("*") if p.is_file() and p.name != ".archive-builder"}
    report = build(make_settings(content, out))
    assert report.incremental
    assert report.processed == 0 and report.written == 0
    assert {p: p.stat().st_mtime_ns for p in mtimes} == mtimes


def test_editing_one_article_redoes_only_what_depends_on_it(project):
    content, out, tmp = project
    seed = _edit_a_seed(content)
    untouched = out / "articles" / "003-6beaf405c0428abc.html"
    before = untouched.stat().st_mtime_ns
    report = build(make_settings(content, out))
    assert report.incremental and report.processed == 1
    assert 0 < report.written < report.pages / 2
    assert untouched.stat().st_mtime_ns == before
    page = (out / "articles" / "002-fd40830f1acd1926.html").read_text(encoding="utf-8")
    assert "agreed on Wednesday" in page
    assert (out / "raw" / seed.name).read_bytes() == seed.read_bytes()
    assert tree(out) == _cold(content, tmp)


def test_adding_and_deleting_articles_match_a_cold_build(project):
    content, out, tmp = project
    (content / "005_added.txt").write_text("A new article about Japan\nJapan and India met in Delhi.\n",
                                           encoding="utf-8")
    report = build(make_settings(content, out))
    assert report.processed == 1
    assert (out / "articles" / "005-added.html").is_file()
    assert tree(out) == _cold(content, tmp)
    (content / "005_added.txt").unlink()
    (content / "001_ace06215ba7acc5f.txt").unlink()
    report = build(make_settings(content, out))
    assert report.processed == 0
    assert not (out / "articles" / "005-added.html").exists()
    assert not (out / "raw" / "001_ace06215ba7acc5f.txt").exists()
    assert tree(out) == _cold(content, tmp)


def _rebuild_after_editing_a_template(content: Path, out: Path, tmp_path: Path, name: str, old: str, new: str):
    """Build with a copy of the templates, replace ``old`` by ``new`` in one of
    them, and build again in the same process; the second build's report."""
    templates = tmp_path / "templates"
    shutil.copytree(ROOT / "templates", templates)
    build(make_settings(content, out, templates_dir=str(templates)))
    edited = templates / name
    edited.write_text(edited.read_text(encoding="utf-8").replace(old, new), encoding="utf-8")
    return build(make_settings(content, out, templates_dir=str(templates)))


def test_changed_template_rerenders_pages_without_reprocessing(project, tmp_path):
    content, out, _ = project
    report = _rebuild_after_editing_a_template(content, out, tmp_path, "base.html",
                                               '<main id="main">', '<main id="main" class="x">')
    assert report.processed == 0
    assert report.written >= 5
    assert 'class="x"' in (out / "index.html").read_text(encoding="utf-8")


def _files(out: Path) -> dict[str, int]:
    """Every file of the site (but its build marker) → its inode: a file
    written again is a new one (staged, then moved in)."""
    return {p.relative_to(out).as_posix(): p.stat().st_ino for p in out.rglob("*")
            if p.is_file() and p.name != ".archive-builder"}


@pytest.mark.parametrize("name, old", [("article.html", "{% block main %}"), ("list.html", "{% block main %}"),
                                       ("index_list.html", "{% block main %}"), ("404.html", "{% block main %}"),
                                       ("base.html", '<main id="main">')])
def test_a_changed_template_makes_again_only_the_pages_made_from_it(project, tmp_path, name, old):
    """A template's change reaches the pages made from it, or from one
    extending it, and no other file is written again: not the pages of
    the other templates, nor feeds, the sitemap or the raw copies."""
    content, out, _ = project
    templates = tmp_path / "templates"
    shutil.copytree(ROOT / "templates", templates)
    build(make_settings(content, out, templates_dir=str(templates)))
    before = _files(out)
    edited = templates / name
    edited.write_text(edited.read_text(encoding="utf-8").replace(old, old + "<!--changed-->", 1), encoding="utf-8")
    report = build(make_settings(content, out, templates_dir=str(templates)))
    assert report.processed == 0
    rewritten = {path for path, inode in _files(out).items() if before.get(path) != inode}
    showing = {path for path, data in tree(out).items() if b"<!--changed-->" in data}
    assert showing and rewritten == showing and report.written == len(showing)
    assert tree(out) == _cold(content, tmp_path, templates_dir=str(templates))


@pytest.mark.parametrize("corpus, jobs", [("seeds", 1), ("seeds", 2), ("corpus", 2)])
def test_pages_made_again_as_they_were_keep_their_files(tmp_path, corpus, jobs):
    """A change of a template that changes no page (a comment) makes its
    pages again and writes none of them: each file stays as it was (its
    inode, its time), in one process, in two, and with a pool of workers
    (more than 64 files)."""
    from tests.conftest import FIXTURES
    content = copy_seeds(tmp_path / "content") if corpus == "seeds" else FIXTURES / "corpus"
    out, templates = tmp_path / "site", tmp_path / "templates"
    shutil.copytree(ROOT / "templates", templates)
    settings = make_settings(content, out, templates_dir=str(templates), jobs=jobs)
    build(settings)
    before = _files(out)
    edited = templates / "base.html"
    edited.write_text(edited.read_text(encoding="utf-8").replace("<main", "{# a comment #}<main", 1), encoding="utf-8")
    report = build(settings)
    assert report.incremental and report.written == 0
    assert _files(out) == before and len(before) > (64 if corpus == "corpus" else 0)
    assert build(settings).written == 0


def test_a_template_moved_to_another_folder_is_a_change(project, tmp_path):
    """A partial the list pages include if it is there, moved to another
    folder under the same name: the list pages lose it, as a cold build's."""
    content, out, _ = project
    templates = tmp_path / "templates"
    shutil.copytree(ROOT / "templates", templates)
    (templates / "partials").mkdir()
    (templates / "partials" / "extra.html").write_text("<!--extra-->", encoding="utf-8")
    listing = templates / "list.html"
    listing.write_text(listing.read_text(encoding="utf-8").replace(
        "{% block main %}", '{% block main %}{% include "partials/extra.html" ignore missing %}', 1), encoding="utf-8")
    build(make_settings(content, out, templates_dir=str(templates)))
    assert "<!--extra-->" in (out / "index.html").read_text(encoding="utf-8")
    (templates / "old").mkdir()
    (templates / "partials" / "extra.html").rename(templates / "old" / "extra.html")
    assert build(make_settings(content, out, templates_dir=str(templates))).written > 0
    assert "<!--extra-->" not in (out / "index.html").read_text(encoding="utf-8")
    assert tree(out) == _cold(content, tmp_path, templates_dir=str(templates))


@pytest.mark.parametrize("jobs", [1, 2])
def test_a_full_build_over_its_own_site_writes_only_the_files_that_changed(tmp_path, monkeypatch, jobs):
    """A new vocabulary discards the processed records (every article's
    tags depend on it): the next build is a full one, but over a site a
    build made, it writes only the files whose bytes change and removes
    those no longer made. So does a build whose cache was deleted. (With
    two jobs, a child stages the raw copies.)"""
    monkeypatch.setattr("builder.build.RAW_COPIES_APART", 1)
    content, out = copy_seeds(tmp_path / "content"), tmp_path / "site"
    settings = make_settings(content, out, jobs=jobs)
    build(settings)
    vocabulary = content / "topics.toml"
    for change in ("add", "remove"):
        before, inodes = tree(out), _files(out)
        if change == "add":
            vocabulary.write_text('[partnership]\nlabel = { en = "Partnerships" }\nterms = ["partnership"]\n',
                                  encoding="utf-8")
        else:
            vocabulary.unlink()
        report = build(settings)
        assert not report.incremental and report.processed == 5
        after = tree(out)
        changed = {path for path, data in after.items() if before.get(path) != data and path != ".archive-builder"}
        rewritten = {path for path, inode in _files(out).items() if inodes.get(path) != inode}
        assert "tags/partnership.html" in (changed if change == "add" else before.keys() - after.keys())
        assert rewritten == changed and report.written == len(changed) and len(changed) < len(after) // 2
        assert after == _cold(content, tmp_path)
    shutil.rmtree(tmp_path / ".archive-cache")
    inodes = _files(out)
    report = build(settings)
    assert not report.incremental and report.written == 0 and _files(out) == inodes


@pytest.mark.parametrize("damage, cache", [("a file for a folder", "kept"), ("a file for a folder", "deleted"),
                                           ("a folder for a file", "deleted")])
def test_a_build_over_a_site_changed_by_hand_makes_it_whole(tmp_path, cache, damage):
    """A folder of the site replaced by a file, or a page by a folder of
    files, by hand: the next build (incremental, or full over the site once
    the cache is gone) puts the site back as a cold build makes it. (With
    the cache kept, a page replaced by a folder of its name is not seen, as
    a page edited by hand is not: a rebuild with nothing changed compares
    the site's names, not what they are.)"""
    content, out = copy_seeds(tmp_path / "content"), tmp_path / "site"
    settings = make_settings(content, out)
    build(settings)
    if damage == "a file for a folder":
        shutil.rmtree(out / "tags")
        (out / "tags").write_text("a file", encoding="utf-8")
    else:
        (out / "index.html").unlink()
        (out / "index.html" / "x").mkdir(parents=True)
        (out / "index.html" / "x" / "y.html").write_text("a page", encoding="utf-8")
    if cache == "deleted":
        shutil.rmtree(tmp_path / ".archive-cache")
    build(settings)
    assert tree(out) == _cold(content, tmp_path)
    assert not list(tmp_path.glob(".site.*"))


def test_raw_copies_a_failed_child_left_are_compared_too(tmp_path, monkeypatch):
    """In a full build over a site, the raw copies the child did not stage
    are made by the build, and kept where their bytes are the same."""
    import builder.build
    monkeypatch.setattr(builder.build, "RAW_COPIES_APART", 1)
    content, out = copy_seeds(tmp_path / "content"), tmp_path / "site"
    settings = make_settings(content, out, jobs=2)
    build(settings)
    inodes = _files(out)

    def failing(root, copies, build):
        raise OSError("disk full")

    monkeypatch.setattr(builder.build, "_stage_copies", failing)
    shutil.rmtree(tmp_path / ".archive-cache")
    report = build(settings)
    assert not report.incremental and report.written == 0 and _files(out) == inodes


def test_changed_labels_make_again_the_pages_and_nothing_else(project, tmp_path):
    """Every page shows the interface strings (``labels.toml``); feeds, the
    sitemap and the raw copies do not."""
    content, out, _ = project
    templates = tmp_path / "templates"
    shutil.copytree(ROOT / "templates", templates)
    build(make_settings(content, out, templates_dir=str(templates)))
    before = _files(out)
    labels = templates / "labels.toml"
    labels.write_text(labels.read_text(encoding="utf-8").replace('"Skip to content"', '"Skip ahead"'),
                      encoding="utf-8")
    build(make_settings(content, out, templates_dir=str(templates)))
    rewritten = {path for path, inode in _files(out).items() if before.get(path) != inode}
    pages = {path for path in before if path.endswith(".html")}
    assert rewritten == pages
    assert all("Skip ahead" in (out / path).read_text(encoding="utf-8") for path in pages)


def test_a_template_edited_after_a_build_in_the_same_process_is_read_again(tmp_path):
    """``serve`` rebuilds in one process, and templates are not asked for
    changes while a build renders: each build must read them again."""
    content, out, templates = copy_seeds(tmp_path / "content"), tmp_path / "site", tmp_path / "templates"
    shutil.copytree(ROOT / "templates", templates)
    build(make_settings(content, out, templates_dir=str(templates)))  # renders every page: compiles base.html
    edited = templates / "base.html"
    edited.write_text(edited.read_text(encoding="utf-8").replace('<main id="main">', '<main id="main" class="x">'),
                      encoding="utf-8")
    build(make_settings(content, out, templates_dir=str(templates)))
    assert 'class="x"' in (out / "index.html").read_text(encoding="utf-8")


def test_changed_labels_reach_article_pages_in_the_same_process(tmp_path):
    """``serve`` rebuilds in one process: no renderer of the older labels may linger."""
    content = copy_seeds(tmp_path / "labels" / "content")
    out = tmp_path / "labels" / "site"
    _rebuild_after_editing_a_template(content, out, tmp_path, "labels.toml", '"Related articles"', '"See also"')
    page = (out / "articles" / "003-6beaf405c0428abc.html").read_text(encoding="utf-8")
    assert "See also" in page and "Related articles" not in page


def test_a_file_removed_from_the_site_by_hand_is_made_again(project):
    content, out, tmp = project
    country_page = sorted(p for p in (out / "countries").glob("*.html") if p.name != "index.html")[0]
    removed = [out / "tags" / "index.html", country_page, out / RSS_PATH]  # the last two: kept groups
    for path in removed:
        path.unlink()
    (out / "stray.txt").write_text("not ours", encoding="utf-8")
    build(make_settings(content, out))
    assert all(path.is_file() for path in removed)
    assert not (out / "stray.txt").exists()
    assert tree(out) == _cold(content, tmp)


def test_corrupt_cache_is_rebuilt_not_trusted(project):
    content, out, tmp = project
    cache_file = out.parent / ".archive-cache" / "cache.sqlite"
    for suffix in ("-wal", "-shm"):
        Path(str(cache_file) + suffix).unlink(missing_ok=True)
    cache_file.write_bytes(b"this is not a database" * 100)
    report = build(make_settings(content, out))
    assert not report.incremental and report.processed == 5
    assert tree(out) == _cold(content, tmp)


def test_cache_damaged_inside_is_rebuilt_not_trusted(project):
    """A cache whose header is sound but whose pages are not: the build finds
    out while reading it, starts again from an empty cache, and still makes
    the site a cold build makes."""
    content, out, tmp = project
    cache_file = out.parent / ".archive-cache" / "cache.sqlite"
    for suffix in ("-wal", "-shm"):
        Path(str(cache_file) + suffix).unlink(missing_ok=True)
    data = bytearray(cache_file.read_bytes())
    page = 4096
    for start in range(2 * page, len(data), page):  # every page but the first (schema) and the second
        data[start:start + page] = bytes(range(256)) * (page // 256)
    cache_file.write_bytes(bytes(data))
    _touch_a_seed(content)
    report = build(make_settings(content, out))
    assert not report.incremental and report.processed == 5
    assert tree(out) == _cold(content, tmp)


def _touch_a_seed(content: Path) -> None:
    """Change one article so that a rebuild reads the cache (no no-op)."""
    seed = content / "002_fd40830f1acd1926.txt"
    seed.write_bytes(seed.read_bytes() + b"\nOne more line.\n")


def test_cache_found_damaged_while_reading_is_discarded_and_the_build_redone(project, monkeypatch):
    content, out, tmp = project
    real_entries = Cache.entries
    calls = []

    def damaged_once(self, keys):
        calls.append(1)
        if len(calls) == 1:
            raise sqlite3.DatabaseError("database disk image is malformed")
        return real_entries(self, keys)

    monkeypatch.setattr(Cache, "entries", damaged_once)
    _touch_a_seed(content)
    report = build(make_settings(content, out))
    assert len(calls) == 2 and not report.incremental and report.processed == 5
    assert tree(out) == _cold(content, tmp)


def test_a_locked_cache_is_not_mistaken_for_a_damaged_one(project, monkeypatch):
    content, out, _ = project
    monkeypatch.setattr(Cache, "entries", lambda self, keys: (_ for _ in ()).throw(
        sqlite3.OperationalError("database is locked")))
    _touch_a_seed(content)
    with pytest.raises(sqlite3.OperationalError):
        build(make_settings(content, out))
    assert (out.parent / ".archive-cache" / "cache.sqlite").is_file()


def test_cache_from_other_rules_is_discarded(tmp_path):
    path = tmp_path / "cache.sqlite"
    cache = Cache(path, "rules-a")
    cache.put_article("k", "record", "body")
    cache.close()
    assert Cache(path, "rules-a").article("k") == "record"
    reopened = Cache(path, "rules-b")
    assert reopened.fresh and reopened.article("k") is None


def test_rules_fingerprint_follows_the_user_vocabulary(tmp_path):
    vocab = tmp_path / "topics.toml"
    vocab.write_text('[x]\nlabel = { en = "X" }\nterms = ["Xylophone"]\n', encoding="utf-8")
    first = rules_fingerprint(vocab)
    vocab.write_text('[x]\nlabel = { en = "X" }\nterms = ["Xylophones"]\n', encoding="utf-8")
    assert rules_fingerprint(vocab) != first


def _builder_imports(module: Path) -> set[str]:
    """The builder modules a module imports (``builder.x`` → ``x``)."""
    names = set()
    for node in ast.walk(ast.parse(module.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("builder"):
            parts = node.module.split(".")[1:]
            if parts:
                names.add(parts[0])
            else:
                names.update(alias.name for alias in node.names)
    return names


def test_record_fingerprint_covers_the_import_closure_of_processing():
    """A module that decides records but is missing from RECORD_CODE would let
    a stale record be served from the cache after the module changed."""
    package = ROOT / "builder"
    seen, todo = set(), ["process"]
    while todo:
        name = todo.pop()
        if name in seen:
            continue
        seen.add(name)
        path = package / f"{name}.py"
        path = path if path.is_file() else package / name / "__init__.py"
        todo += sorted(_builder_imports(path) - {"__version__"})
    covered = {entry.removesuffix(".py") for entry in RECORD_CODE}
    assert seen <= covered, sorted(seen - covered)
    assert covered - seen <= {"data"}, sorted(covered - seen)  # data: read by countries/topics


def test_interrupted_commit_makes_the_next_build_a_full_one(project):
    content, out, tmp = project
    marker = out / ".archive-builder"
    marker.write_text(marker.read_text(encoding="utf-8").replace("build: ", "build: committing\nold: "),
                      encoding="utf-8")
    report = build(make_settings(content, out))
    assert not report.incremental
    assert tree(out) == _cold(content, tmp)


def test_unchanged_build_keeps_reporting_its_skipped_files(tmp_path):
    content = copy_seeds(tmp_path / "content")
    (content / "empty.md").write_bytes(b"")
    out = tmp_path / "site"
    first = build(make_settings(content, out))
    again = build(make_settings(content, out))
    assert [s.path for s in again.skipped] == [s.path for s in first.skipped] == ["empty.md"]
    assert again.articles == 5 and again.written == 0
    from builder.build import StrictFailure
    with pytest.raises(StrictFailure):
        build(make_settings(content, out, strict=True))


_TAGS = ["Foo Bar", "foo-bar", "Energy", "Trade", "Human rights", "Taiwan Strait", "能源", "Elections"]
_COUNTRIES = ["US", "CN", "JP", "IN", "TW", "DE"]


def _toml_list(items: list[str]) -> str:
    return "[" + ", ".join(f'"{item}"' for item in items) + "]"


def _write_article(content: Path, n: int, rng, urls: int = 0) -> None:
    """A small article whose sidecar sets what groups and relations depend on;
    with ``urls``, most give one of that many original addresses (the
    articles that give the same are copies of one)."""
    source = f'source_url = "https://example.org/{rng.randrange(urls)}"\n' if urls and rng.random() < 0.8 else ""
    if source and rng.random() < 0.25:
        source += "listed = true\n"  # the maintainer's choice of the copy listed
    tags = _toml_list(rng.sample(_TAGS, rng.randint(0, 3)))
    countries = _toml_list(rng.sample(_COUNTRIES, rng.randint(0, 3)))
    date = "" if rng.random() < 0.15 else f'date = "2024-0{rng.randint(1, 9)}-1{rng.randint(0, 9)}"\n'
    (content / f"a{n:02}.meta.toml").write_text(
        f'title = "Story {n} version {rng.randint(0, 999)}"\n{date}tags = {tags}\ncountries = {countries}\n'
        f'publisher = "{rng.choice(["Daily One", "Weekly Two", "Daily One "])}"\n'
        f'language = "{rng.choice(["en", "en", "zh-Hans"])}"\n{source}', encoding="utf-8")
    (content / f"a{n:02}.md").write_text(
        f"Story {n}\n\nThe ministers met on Tuesday to discuss item {n} and its {rng.randint(2, 90)} "
        f"consequences for the region, officials said after the talks.\n", encoding="utf-8")


def _toggle_listed(content: Path, n: int, rng) -> None:
    """The sidecar's ``listed = true`` added or taken away."""
    path = content / f"a{n:02}.meta.toml"
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace("listed = true\n", "") if "listed = true" in text else text + "listed = true\n",
                    encoding="utf-8")


def _edit_body(content: Path, n: int, rng) -> None:
    """A new last paragraph: the text, summary and numbers change, nothing
    the article's groups depend on does."""
    path = content / f"a{n:02}.md"
    head = path.read_text(encoding="utf-8").split("\n\n")[:2]
    path.write_text("\n\n".join([*head, f"A later report counted {rng.randint(2, 90)} delegations.\n"]),
                    encoding="utf-8")


def _retitle(content: Path, n: int, rng) -> None:
    """A new title in the sidecar, and nothing else changed."""
    path = content / f"a{n:02}.meta.toml"
    head, rest = path.read_text(encoding="utf-8").split("\n", 1)
    assert head.startswith("title = ")
    path.write_text(f'title = "Story {n} retitled {rng.randint(0, 999)}"\n{rest}', encoding="utf-8")


def _retag(content: Path, n: int, rng) -> None:
    """New tags and countries in the sidecar, and nothing else changed."""
    path = content / f"a{n:02}.meta.toml"
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    for i, line in enumerate(lines):
        if line.startswith("tags = "):
            lines[i] = f"tags = {_toml_list(rng.sample(_TAGS, rng.randint(0, 3)))}\n"
        elif line.startswith("countries = ") and rng.random() < 0.5:
            lines[i] = f"countries = {_toml_list(rng.sample(_COUNTRIES, rng.randint(0, 3)))}\n"
    path.write_text("".join(lines), encoding="utf-8")


def _random_archive(tmp_path: Path, rng, count: int, urls: int = 0, **pages) -> tuple[Path, Path, Settings]:
    """``count`` articles written by ``_write_article`` (with ``urls``),
    built once with these ``pages`` settings: (content, site, settings)."""
    content = tmp_path / "content"
    content.mkdir()
    for n in range(count):
        _write_article(content, n, rng, urls)
    out = tmp_path / "work" / "site"
    settings = make_settings(content, out, **pages)
    build(settings)
    return content, out, settings


@pytest.mark.parametrize("seed", range(4))
def test_random_edits_rebuild_what_a_cold_build_makes(tmp_path, seed):
    """Edits of bodies, titles, tags and countries alone, of everything a
    sidecar sets, added and deleted articles, in random order: after each, the
    incremental site is the cold one, byte for byte (groups that gain, lose
    or reorder members, related lists that name an edited title, tags whose
    slugs collide, bodies and titles edited in place on pages of three items
    and in feeds of four)."""
    import random
    rng = random.Random(seed)
    pages = {"items_per_page": 3, "feed_items": 4}
    numbers = list(range(14))
    content, out, settings = _random_archive(tmp_path, rng, len(numbers), **pages)
    in_place = 0
    for step in range(8):
        for _ in range(rng.randint(1, 2)):
            action = rng.random() if step % 2 else rng.random() * 0.45  # every other step: edits in place
            if action < 0.15:
                _edit_body(content, rng.choice(numbers), rng)
            elif action < 0.3:
                _retitle(content, rng.choice(numbers), rng)
            elif action < 0.45:
                _retag(content, rng.choice(numbers), rng)
            elif action < 0.65:
                _write_article(content, rng.choice(numbers), rng)
            elif action < 0.82:
                numbers.append(max(numbers) + 1)
                _write_article(content, numbers[-1], rng)
            elif len(numbers) > 4:
                gone = numbers.pop(rng.randrange(len(numbers)))
                (content / f"a{gone:02}.md").unlink()
                (content / f"a{gone:02}.meta.toml").unlink()
        report = build(settings)
        assert report.incremental, step
        in_place += report.in_place
        assert tree(out) == _cold(content, tmp_path, **pages), step
    assert in_place >= 2, "no edit stayed in place"


@pytest.mark.parametrize("seed", range(3))
def test_random_edits_of_copies_rebuild_what_a_cold_build_makes(tmp_path, seed):
    """Articles filed more than once (one original address): edits of any
    copy, rewrites that make or end copies, additions and deletions (of the
    listed copy too), the sidecar's choice of the listed copy: after each, the incremental site is the cold one, byte
    for byte; an edit of the text of a listed copy, of an unlisted one, or
    of an article that is nobody's copy is made in place."""
    import random
    rng = random.Random(seed)
    pages = {"items_per_page": 3, "feed_items": 4}
    numbers = list(range(12))
    content, out, settings = _random_archive(tmp_path, rng, len(numbers), urls=5, **pages)
    _write_article(content, 0, rng)  # the article of no address, never rewritten with one
    build(settings)
    with_copies = 0
    for step in range(8):
        action = rng.random()
        n = rng.choice(numbers[1:])
        if action < 0.45:
            rng.choice([_edit_body, _retitle, _retag, _toggle_listed])(content, n, rng)
        elif action < 0.75:
            _write_article(content, n, rng, urls=5)
        elif action < 0.9:
            numbers.append(max(numbers) + 1)
            _write_article(content, numbers[-1], rng, urls=5)
        else:
            numbers.remove(n)
            (content / f"a{n:02}.md").unlink()
            (content / f"a{n:02}.meta.toml").unlink()
        assert build(settings).incremental, step
        assert tree(out) == _cold(content, tmp_path, **pages), step
        with_copies += b"copy-note" in b"".join(tree(out / "articles").values())
    assert with_copies >= 4, "too few steps had copies"
    groups: dict[str, list[int]] = {}
    for n in numbers:
        found = re.search(r'^source_url = "(.*)"$', (content / f"a{n:02}.meta.toml").read_text(), re.M)
        if found:
            groups.setdefault(found.group(1), []).append(n)
    listed, unlisted = next(sorted(g)[:2] for g in groups.values() if len(g) > 1)
    for n in (0, listed, unlisted):
        _edit_body(content, n, rng)
        assert build(settings).in_place, n
        assert tree(out) == _cold(content, tmp_path, **pages), n


@pytest.mark.parametrize("seed", range(2))
def test_random_moves_between_groups_are_made_in_place_as_a_cold_build_makes(tmp_path, seed):
    """New tags and countries, titles and bodies, on groups of one page:
    edits that move articles between groups without emptying one or making
    one are made in place, and after each the site is the cold one, byte for
    byte (groups' pages and feeds, the indexes of tags and countries, the
    relations of articles never edited)."""
    import random
    rng = random.Random(seed)
    pages = {"items_per_page": 30, "feed_items": 4}
    numbers = range(24)
    content, out, settings = _random_archive(tmp_path, rng, len(numbers), **pages)
    moved = 0
    for step in range(8):
        _retag(content, rng.choice(numbers), rng)
        rng.choice([_edit_body, _retitle, _retag])(content, rng.choice(numbers), rng)
        before = set(tree(out / "tags"))
        report = build(settings)
        assert report.incremental, step
        moved += report.in_place and set(tree(out / "tags")) == before
        assert tree(out) == _cold(content, tmp_path, **pages), step
    assert moved >= 3, "articles that moved between groups were not made in place"


def test_new_tags_countries_and_dates_are_made_in_place_as_a_cold_build_makes(tmp_path):
    """New tags, countries or dates move an article between groups or
    within them: made in place (two articles a page here), also when a
    group appears, empties or gains a page, or the article moves to another
    page of its lists. A group that gained or lost an article is planned
    whole. A new tag whose slug takes
    the path of another tag's page is left to the full plan; one that takes
    the paths of a tag that empties in the same edit is not."""
    content = tmp_path / "content"
    content.mkdir()

    def write(n: int, tags: list[str], countries: list[str], day: str = "") -> None:
        (content / f"a{n}.meta.toml").write_text(
            f'title = "Story {n}"\ndate = "2024-05-{day or 10 + n}"\ntags = {_toml_list(tags)}\n'
            f"countries = {_toml_list(countries)}\n", encoding="utf-8")
        (content / f"a{n}.md").write_text(f"Story {n}\n\nThe ministers met to discuss item {n}.\n", encoding="utf-8")

    for n, tags, countries in [(0, ["Energy"], ["JP"]), (1, ["Energy"], ["US"]), (2, ["Energy"], []),
                               (3, ["Trade"], ["US", "DE"]), (4, ["Trade"], ["DE"])]:
        write(n, tags, countries)
    out = tmp_path / "work" / "site"
    pages = {"items_per_page": 2, "feed_items": 1}
    settings = make_settings(content, out, **pages)
    build(settings)
    tags = out / "tags"
    for n, tags_now, countries, day, in_place, check in [
            (3, ["Energy"], ["JP", "DE"], "", True,  # Energy 3 → 4 and JP 1 → 2 members, Trade 2 → 1
             lambda: "Story 1" in (tags / "energy.p1.html").read_text(encoding="utf-8")),  # pushed there
            (3, ["Energy", "Elections"], ["JP", "DE", "FR"], "", True,  # a tag and a country appear
             lambda: (tags / "elections.html").is_file() and (out / "countries" / "fr.html").is_file()),
            (3, ["Energy"], ["JP", "DE"], "", True,  # and empty
             lambda: not (tags / "elections.html").exists() and not (out / "countries" / "fr.html").exists()),
            (2, ["Energy", "Elections"], [], "", True,  # back, with another article alone
             lambda: "Story 3" not in (tags / "elections.html").read_text(encoding="utf-8")),
            (4, ["Trade", "Energy"], ["DE"], "", True,  # Energy 4 → 5 members: the first page holds three
             lambda: "Story 2" in (tags / "energy.html").read_text(encoding="utf-8")),
            (4, ["Trade", "Energy"], ["DE"], "01", True,  # the oldest now: to the last page of its lists
             lambda: "Story 4" in (out / "page" / "1.html").read_text(encoding="utf-8")),
            (0, ["Energy", "foo-bar"], ["JP"], "", True, lambda: (tags / "foo-bar.html").is_file()),
            (1, ["Energy", "Foo Bar"], ["US"], "", False,  # sorted first, "Foo Bar" takes foo-bar.html
             lambda: "Story 1" in (tags / "foo-bar.html").read_text(encoding="utf-8")),
            (1, ["Energy"], ["US"], "", False,  # and leaves it to "foo-bar" again
             lambda: "Story 0" in (tags / "foo-bar.html").read_text(encoding="utf-8")),
            (0, ["Energy", "FOO BAR"], ["JP"], "", True,  # "foo-bar" empties, "FOO BAR" takes its paths
             lambda: "FOO BAR" in (tags / "foo-bar.html").read_text(encoding="utf-8"))]:
        write(n, tags_now, countries, day)
        report = build(settings)
        assert report.incremental and report.in_place == in_place and report.processed == 1, tags_now
        assert "4 taken from the cache" in report.warnings[0], report.warnings  # counted once
        assert check(), tags_now
        assert tree(out) == _cold(content, tmp_path, **pages), tags_now


def test_a_tag_whose_page_moves_is_relinked_from_unchanged_articles(tmp_path):
    """"Foo Bar" and "foo-bar" share a slug, and the first in sorted order
    keeps it: once no article is tagged "Foo Bar", the page of "foo-bar"
    moves, and the pages of articles that were not edited link to it anew."""
    content = tmp_path / "content"
    content.mkdir()
    for n, tag in enumerate(["Foo Bar", "foo-bar", "foo-bar"]):
        (content / f"a{n}.meta.toml").write_text(f'title = "Story {n}"\ntags = ["{tag}"]\n', encoding="utf-8")
        (content / f"a{n}.md").write_text(f"Story {n}\n\nThe ministers met on Tuesday to discuss item {n}, "
                                          "officials said after the talks.\n", encoding="utf-8")
    out = tmp_path / "work" / "site"
    build(make_settings(content, out))
    (content / "a0.meta.toml").write_text('title = "Story 0"\ntags = ["Energy"]\n', encoding="utf-8")
    assert build(make_settings(content, out)).incremental
    assert 'href="../tags/foo-bar.html"' in (out / "articles" / "a2.html").read_text(encoding="utf-8")
    assert tree(out) == _cold(content, tmp_path)


def test_provenance_survives_edits_and_follows_the_manifest(tmp_path):
    """The scan keeps each file's manifest entry between builds: a new file
    finds its own, an edited one is checked against it again, and a changed
    manifest is read again."""
    import hashlib
    content = tmp_path / "content"
    folder = content / "owner" / "repo"
    folder.mkdir(parents=True)

    def text(words: str) -> bytes:
        return (f"Story\n\nThe ministers met on Tuesday to discuss {words}, "
                "officials said after the talks.\n").encode("utf-8")

    def manifest(commit: str) -> None:
        (content / "MANIFEST.tsv").write_text("repo\tcommit\tpath\tsha256\n" + "".join(
            f"owner/repo\t{commit}\t{n}.md\t{hashlib.sha256(text(n)).hexdigest()}\n" for n in ("a", "b")),
            encoding="utf-8")

    def page(name: str) -> str:
        return (out / "articles" / "owner" / "repo" / f"{name}.html").read_text(encoding="utf-8")

    (folder / "a.md").write_bytes(text("a"))
    manifest("c0ffee1")
    out = tmp_path / "work" / "site"
    build(make_settings(content, out))
    assert "c0ffee1" in page("a")
    (folder / "b.md").write_bytes(text("b"))  # new: its manifest entry is found
    (folder / "a.md").write_bytes(text("a, edited"))  # no longer the file the manifest names
    build(make_settings(content, out))
    assert "c0ffee1" in page("b") and "c0ffee1" not in page("a")
    assert tree(out) == _cold(content, tmp_path)
    (folder / "a.md").write_bytes(text("a"))
    manifest("beef222")
    build(make_settings(content, out))
    assert "beef222" in page("a") and "beef222" in page("b")
    assert tree(out) == _cold(content, tmp_path)


def test_a_file_added_with_its_manifest_row_is_made_in_place(tmp_path):
    """A mirror's new file comes with a new row of the manifest: each file's
    entry is compared with the one the cache kept, so only the new file is
    processed, and the addition is made in place. A row that changes
    gives its file another record, and the others keep theirs."""
    import hashlib
    content = tmp_path / "content"
    folder = content / "owner" / "repo"
    folder.mkdir(parents=True)

    def text(words: str) -> bytes:
        return f"Story {words}\n\nThe ministers met on Tuesday to discuss {words}.\n".encode("utf-8")

    def manifest(commits: dict[str, str]) -> None:
        (content / "MANIFEST.tsv").write_text("repo\tcommit\tpath\tsha256\n" + "".join(
            f"owner/repo\t{commit}\t{n}.md\t{hashlib.sha256(text(n)).hexdigest()}\n" for n, commit in commits.items()),
            encoding="utf-8")

    for name in ("a", "b"):
        (folder / f"{name}.md").write_bytes(text(name))
    manifest({"a": "c0ffee1", "b": "c0ffee1"})
    out = tmp_path / "work" / "site"
    build(make_settings(content, out))
    (folder / "c.md").write_bytes(text("c"))
    manifest({"a": "c0ffee1", "b": "c0ffee1", "c": "beef222"})
    report = build(make_settings(content, out))
    assert report.in_place and report.processed == 1
    assert "beef222" in (out / "articles" / "owner" / "repo" / "c.html").read_text(encoding="utf-8")
    assert tree(out) == _cold(content, tmp_path)
    manifest({"a": "c0ffee1", "b": "0ddba11", "c": "beef222"})
    report = build(make_settings(content, out))
    assert report.incremental and report.processed == 1
    assert "0ddba11" in (out / "articles" / "owner" / "repo" / "b.html").read_text(encoding="utf-8")
    assert tree(out) == _cold(content, tmp_path)


def test_an_edit_that_starts_or_ends_a_translation_is_not_made_in_place(tmp_path):
    """Articles in two languages that name the same three countries and state
    the same numbers are translations of each other. A body edit that
    changes the numbers of one leaves its groups as they were, but links or
    unlinks both pages: it is not an edit in place. One that changes them
    and leaves the article the translation of none is."""
    content = tmp_path / "content"
    content.mkdir()
    for n, (language, text) in enumerate([("en", "Officials met on the 12th with 400 delegates."),
                                          ("zh-Hans", "官员在12日会见了400名代表。")]):
        (content / f"a{n}.meta.toml").write_text(
            f'title = "Story {n}"\ndate = "2024-05-12"\ncountries = ["US", "CN", "JP"]\nlanguage = "{language}"\n',
            encoding="utf-8")
        (content / f"a{n}.md").write_text(f"Story {n}\n\n{text}\n", encoding="utf-8")
    out = tmp_path / "work" / "site"
    build(make_settings(content, out))
    linked = 'href="a0.html" lang="en">Story 0</a> <span class="relation">'
    assert linked in (out / "articles" / "a1.html").read_text(encoding="utf-8")
    (content / "a0.md").write_text("Story 0\n\nOfficials met on the 12th with 401 delegates.\n", encoding="utf-8")
    report = build(make_settings(content, out))
    assert report.incremental and not report.in_place
    assert linked not in (out / "articles" / "a1.html").read_text(encoding="utf-8")
    assert tree(out) == _cold(content, tmp_path)
    # still the translation of none: in place
    (content / "a0.md").write_text("Story 0\n\nOfficials met on the 12th with 402 delegates.\n", encoding="utf-8")
    assert build(make_settings(content, out)).in_place
    assert tree(out) == _cold(content, tmp_path)
    # a translation again: not in place
    (content / "a0.md").write_text("Story 0\n\nOfficials met on the 12th with 400 delegates.\n", encoding="utf-8")
    assert not build(make_settings(content, out)).in_place
    assert linked in (out / "articles" / "a1.html").read_text(encoding="utf-8")
    assert tree(out) == _cold(content, tmp_path)


def test_new_countries_that_end_or_start_a_translation_are_not_made_in_place(tmp_path):
    """Translations name the same three countries or more: new countries in
    a sidecar can end one or start one, which the full plan makes; new
    countries on an article no translation can involve are made in place."""
    content = tmp_path / "content"
    content.mkdir()

    def write(n: int, language: str, countries: list[str], text: str) -> None:
        (content / f"a{n}.meta.toml").write_text(
            f'title = "Story {n}"\ndate = "2024-05-12"\ncountries = {_toml_list(countries)}\n'
            f'language = "{language}"\n', encoding="utf-8")
        (content / f"a{n}.md").write_text(f"Story {n}\n\n{text}\n", encoding="utf-8")

    english, chinese = "Officials met on the 12th with 400 delegates.", "官员在12日会见了400名代表。"
    write(0, "en", ["US", "CN", "JP"], english)
    write(1, "zh-Hans", ["US", "CN", "JP"], chinese)
    write(2, "en", ["DE", "JP"], "Officials met on the 3rd with 7 delegates.")
    out = tmp_path / "work" / "site"
    build(make_settings(content, out))
    linked = 'href="a0.html" lang="en">Story 0</a> <span class="relation">'
    assert linked in (out / "articles" / "a1.html").read_text(encoding="utf-8")
    for n, language, countries, text, translated in [(0, "en", ["US", "CN", "DE"], english, False),
                                                     (1, "zh-Hans", ["US", "CN", "DE"], chinese, True),
                                                     (2, "en", ["DE", "JP", "US"], "Officials met with 7.", None)]:
        write(n, language, countries, text)
        report = build(make_settings(content, out))
        assert report.incremental and report.in_place == (translated is None), n
        if translated is not None:
            assert (linked in (out / "articles" / "a1.html").read_text(encoding="utf-8")) == translated
        assert tree(out) == _cold(content, tmp_path), n


@pytest.mark.parametrize("jobs", [1, 2])
def test_a_body_edit_is_made_in_place(project, jobs):
    """An edit that keeps the article's title, date, tags, countries, language
    and source remakes its page, its raw copy, and the list pages and feeds
    that show it, without loading the rest of the archive. With workers, the
    file is processed in the one forked before the scan, which is gone once
    the build is done."""
    import multiprocessing
    content, out, tmp = project
    _edit_a_seed(content)
    report = build(make_settings(content, out, jobs=jobs))
    assert report.in_place and report.processed == 1
    assert tree(out) == _cold(content, tmp)
    assert not multiprocessing.active_children()


def test_an_added_file_is_processed_by_the_warm_edit_worker(project, monkeypatch):
    """With workers, the few files of an addition that takes the full plan
    (here an article filed again under a path that slugifies as its own,
    which takes its slug) go to the worker forked before the scan: a
    pool's worker would first load the matchers."""
    import multiprocessing

    import builder.processes
    content, out, tmp = project
    pooled = []
    in_flight = builder.processes._in_flight
    monkeypatch.setattr(builder.processes, "_in_flight",
                        lambda *args, **kwargs: pooled.append(args) or in_flight(*args, **kwargs))
    seed = sorted(path for path in content.rglob("*") if path.is_file())[0]
    shutil.copyfile(seed, content / f"{seed.stem.upper()}{seed.suffix}")
    report = build(make_settings(content, out, jobs=2))
    assert report.processed == 1 and not report.in_place and not pooled
    assert tree(out) == _cold(content, tmp)
    assert not multiprocessing.active_children()


def test_a_failure_in_the_edit_worker_reaches_the_build_and_keeps_the_site(project, monkeypatch):
    import multiprocessing

    import builder.process
    content, out, _ = project
    before = tree(out)

    def broken(*args, **kwargs):
        raise RuntimeError("the worker failed")

    monkeypatch.setattr(builder.process, "process_file", broken)  # before the worker forks
    _edit_a_seed(content)
    with pytest.raises(RuntimeError, match="the worker failed"):
        build(make_settings(content, out, jobs=2))
    assert tree(out) == before
    assert not multiprocessing.active_children()


def _three_stories(tmp_path: Path) -> tuple[Path, Path]:
    """Three short articles, two tagged Energy and one Trade, built: their
    content and site folders."""
    content = tmp_path / "content"
    content.mkdir()
    for n, tag in enumerate(["Energy", "Energy", "Trade"]):
        (content / f"a{n}.meta.toml").write_text(f'title = "Story {n}"\ndate = "2024-05-1{n}"\ntags = ["{tag}"]\n',
                                                 encoding="utf-8")
        (content / f"a{n}.md").write_text(f"Story {n}\n\nThe ministers met to discuss item {n}.\n", encoding="utf-8")
    out = tmp_path / "work" / "site"
    build(make_settings(content, out))
    return content, out


def test_a_title_edit_is_made_in_place_and_reaches_the_pages_that_name_it(tmp_path):
    """A new title in a sidecar leaves the article's groups, order and
    relations as they were: an edit in place, which also remakes the pages
    of the articles that list it as related."""
    content, out = _three_stories(tmp_path)
    assert '>Story 0</a>' in (out / "articles" / "a1.html").read_text(encoding="utf-8")
    (content / "a0.meta.toml").write_text('title = "Story 0, corrected"\ndate = "2024-05-10"\ntags = ["Energy"]\n',
                                          encoding="utf-8")
    report = build(make_settings(content, out))
    assert report.in_place and report.processed == 1
    assert '>Story 0, corrected</a>' in (out / "articles" / "a1.html").read_text(encoding="utf-8")
    assert tree(out) == _cold(content, tmp_path)


def test_the_edit_worker_ends_when_its_parent_closes_the_pipe(tmp_path):
    """The edit worker holds no copy of the parent's end of its pipe: were
    the parent to die without killing it, it would not wait forever."""
    from builder import classify
    from builder.build import _Job
    from builder.processes import EditWorker
    classify.warm_up(None)  # inherited by the worker, which then starts at once
    worker = EditWorker(_Job(tmp_path, tmp_path / "cache.sqlite", None))
    worker._pipe.close()
    worker._process.join(timeout=30)
    assert worker._process.exitcode == 0


def test_the_site_an_edit_in_place_leaves_is_checked_as_a_built_one(tmp_path):
    """An edit in place records what the folders it changed now hold: the
    next build takes the site for unchanged (without planning anything), and
    still notices a page removed by hand from a folder the edit changed, or a
    folder added by hand inside one."""
    content, out = _three_stories(tmp_path)

    def untouched_build() -> bool:
        report = build(make_settings(content, out))
        return report.written == 0 and "plan" not in {stage.name for stage in report.timings}

    assert untouched_build()
    files = set(tree(out))
    for tags in ('["Trade", "Mining"]', '["Mining"]'):  # a tag's pages appear, then another's are removed
        (content / "a2.meta.toml").write_text(f'title = "Story 2"\ndate = "2024-05-12"\ntags = {tags}\n',
                                              encoding="utf-8")
        assert build(make_settings(content, out)).in_place
        assert untouched_build()
    added = sorted(set(tree(out)) - files)
    assert added and set(files) - set(tree(out))
    page = out / [path for path in added if path.endswith(".html")][0]
    page.unlink()
    assert not untouched_build() and page.is_file()
    stray = out / page.parent.relative_to(out) / "stray" / "x.txt"
    stray.parent.mkdir()
    stray.write_text("not ours", encoding="utf-8")
    assert not untouched_build() and not stray.parent.exists()
    assert untouched_build()
    assert tree(out) == _cold(content, tmp_path)


def _rowids(database: Path, table: str, column: str) -> dict[str, int]:
    """A table's rows by key, each with its rowid: ``INSERT OR REPLACE``
    gives a rewritten row a new one."""
    with sqlite3.connect(database) as db:
        return dict(db.execute(f"SELECT {column}, rowid FROM {table}"))


def test_a_stored_mapping_rewrites_only_the_parts_of_changed_keys(tmp_path):
    path = tmp_path / "cache.sqlite"
    cache = Cache(path, "rules")
    first = {f"articles/{n}.md": (f"t:{n % 7}", n) for n in range(500)}
    cache.put_mapping("m", first)
    assert cache.mapping("m") == first and cache.mapping("other") is None
    before = _rowids(path, "blobs", "k")
    now = {**first, "articles/3.md": ("t:new", 3), "articles/new.md": ("t:0", 0)}
    del now["articles/7.md"]
    cache.put_mapping("m", now, ["articles/3.md", "articles/new.md", "articles/7.md"])
    assert cache.mapping("m") == now
    after = _rowids(path, "blobs", "k")
    rewritten = {k for k in after if after[k] != before.get(k)}
    assert 1 <= len(rewritten) <= 3 and all(k.startswith("map:m/") for k in rewritten), rewritten
    cache.put_mapping("m", {"a": 1})  # the whole of it: no part of the last is left
    assert cache.mapping("m") == {"a": 1}
    cache.close()


def test_a_new_tag_in_place_rewrites_its_groups_outputs_not_their_members(project):
    """An edit in place stores the groups it touched, but the members (the
    home page's are a megabyte at archive scale) only of a group that
    gained, lost or reordered some: here the new tag's."""
    content, out, tmp_path = project
    database = tmp_path / "work" / ".archive-cache" / "cache.sqlite"
    groups, members = _rowids(database, "groups", "facet"), _rowids(database, "members", "id")
    (content / "000_9b25765c4741cd75.meta.toml").write_text('tags = ["a tag of its own"]\n', encoding="utf-8")
    report = build(make_settings(content, out))
    assert report.in_place
    groups_now, members_now = _rowids(database, "groups", "facet"), _rowids(database, "members", "id")
    assert groups_now["home\t"] != groups["home\t"]  # its page showing the article has a new key
    assert "tags\ta tag of its own" in groups_now
    assert [i for i in members_now if members_now[i] != members.get(i)] == [
        i for i in members_now if i not in members]  # the new tag's group only
    assert len(members_now) == len(members) + 1


def test_an_edit_a_failed_build_saw_is_made_by_the_next(project, monkeypatch):
    """A build that scanned and processed an edit, then failed, leaves the
    site as it was; the next makes the edit, as a cold build would."""
    import builder.inplace
    content, out, tmp = project
    _edit_a_seed(content)

    def broken(*args, **kwargs):
        raise RuntimeError("rendering failed")

    with monkeypatch.context() as patch:
        patch.setattr(builder.inplace, "_render", broken)  # (the edit is made in place)
        with pytest.raises(RuntimeError, match="rendering failed"):
            build(make_settings(content, out))
    report = build(make_settings(content, out))
    assert report.incremental and report.processed == 0 and report.written > 0  # processed by the failed build
    assert "agreed on Wednesday" in (out / "articles" / "002-fd40830f1acd1926.html").read_text(encoding="utf-8")
    assert tree(out) == _cold(content, tmp)


def test_a_touched_file_is_hashed_by_one_rebuild_only(project, monkeypatch):
    """A file whose mtime changed but not its bytes: the no-op rebuild that
    reads it again keeps its new mtime, and the next does not read it."""
    import hashlib
    content, out, _ = project
    seed = content / "002_fd40830f1acd1926.txt"
    seed.write_bytes(seed.read_bytes())
    read = []
    real = hashlib.file_digest
    monkeypatch.setattr(hashlib, "file_digest", lambda handle, name: read.append(handle.name) or real(handle, name))
    for expected in ([str(seed)], []):
        read.clear()
        report = build(make_settings(content, out))
        assert report.incremental and report.processed == 0 and report.written == 0
        assert read == expected


_KEYS = st.lists(st.sampled_from(["t:a", "t:b", "c:JP", "c:US"]), unique=True).map(lambda keys: tuple(sorted(keys)))


@given(st.dictionaries(st.sampled_from("pqrst"), st.tuples(_KEYS, _KEYS), min_size=1))
def test_keys_crossing_are_the_keys_whose_holders_came_from_or_went_to_none(keys):
    """From the edited articles alone, the keys no article held before and
    some hold now, and the reverse, as counting every article's finds them."""
    from builder.inplace import _keys_crossing
    before = {path: old for path, (old, _) in keys.items()}
    now = {path: new for path, (_, new) in keys.items()}
    sizes = Counter(key for held in now.values() for key in held)
    held_before = {key for held in before.values() for key in held}
    edited = [path for path in keys if before[path] != now[path]]
    assert _keys_crossing(before, now, edited, dict(sizes)) == (sizes.keys() - held_before, held_before - sizes.keys())


@pytest.mark.parametrize("where", ["child", "parent"])
def test_a_failure_rendering_an_edit_beside_a_forked_process_keeps_the_site(project, monkeypatch, where):
    """With workers, an edit's few files are made in this process and one
    forked beside it: a failure in either is raised, with its message, and
    the site stays as it was."""
    import os
    import time

    import builder.build
    from builder.errors import OutputError
    content, out, _ = project
    before = tree(out)
    parent, real = os.getpid(), builder.build.stage

    def stage(root, rel, data, folders):  # the other process slow: the failing one surely takes a file
        if (os.getpid() == parent) == (where == "parent"):
            raise OutputError(f"cannot write {rel} in the {where}")
        time.sleep(0.05)
        real(root, rel, data, folders)

    monkeypatch.setattr(builder.build, "stage", stage)
    _edit_a_seed(content)
    with pytest.raises(OutputError, match=f"cannot write .* in the {where}"):
        build(make_settings(content, out, jobs=2))
    assert tree(out) == before
    monkeypatch.setattr(builder.build, "stage", real)
    assert build(make_settings(content, out, jobs=2)).in_place
    assert "agreed on Wednesday" in (out / "articles" / "002-fd40830f1acd1926.html").read_text(encoding="utf-8")


@pytest.mark.parametrize("child", ["renders", "fails"])
def test_an_edit_rendered_beside_a_forked_process_where_the_host_ignores_sigchld(project, monkeypatch, child):
    """Where the system reaps children itself (SIGCHLD ignored), no exit
    status is left to wait for: the child's report says how it ended. An
    edit is made in place as a cold build makes it; a failure in the child
    is still raised, and the site stays as it was."""
    import signal
    import time

    import builder.build
    from builder.errors import OutputError
    content, out, tmp = project
    before, parent, real = tree(out), os.getpid(), builder.build.stage

    def stage(root, rel, data, folders):  # the parent slow: the child surely takes a file
        if os.getpid() == parent:
            time.sleep(0.05)
        elif child == "fails":
            raise OutputError(f"cannot write {rel} in the child")
        real(root, rel, data, folders)

    monkeypatch.setattr(builder.build, "stage", stage)
    _edit_a_seed(content)
    ignored = signal.signal(signal.SIGCHLD, signal.SIG_IGN)
    try:
        if child == "fails":
            with pytest.raises(OutputError, match="cannot write .* in the child"):
                build(make_settings(content, out, jobs=2))
        else:
            assert build(make_settings(content, out, jobs=2)).in_place
    finally:
        signal.signal(signal.SIGCHLD, ignored)
    assert tree(out) == (before if child == "fails" else _cold(content, tmp))


class _TwoArgumentError(Exception):
    """An error that pickle cannot make again: its constructor takes two arguments."""

    def __init__(self, path, why):
        super().__init__(f"{path}: {why}")


def test_an_error_of_any_shape_in_the_forked_render_process_is_raised_with_its_message(project, monkeypatch):
    """An exception whose constructor takes more than its message does not
    come back whole through pickle: it arrives as a RuntimeError naming it."""
    import os
    import time

    import builder.build
    content, out, _ = project
    parent, real = os.getpid(), builder.build.stage

    def stage(root, rel, data, folders):
        if os.getpid() != parent:
            raise _TwoArgumentError(rel, "no room left")
        time.sleep(0.05)
        real(root, rel, data, folders)

    monkeypatch.setattr(builder.build, "stage", stage)
    _edit_a_seed(content)
    with pytest.raises(RuntimeError, match="_TwoArgumentError.*no room left"):
        build(make_settings(content, out, jobs=2))


def test_an_interrupt_while_waiting_for_the_forked_render_process_ends_it(project, monkeypatch):
    """An interrupt that reaches this process while it waits for the child
    ends the child too: it does not go on writing into the staging folder
    once the build has dropped it."""
    import os
    import signal
    import threading
    import time

    import builder.build
    content, out, _ = project
    parent, real = os.getpid(), builder.build.stage
    timer: list = []

    def stage(root, rel, data, folders):
        if os.getpid() == parent:
            if not timer:  # once this process has done its part, it waits for the child
                timer.append(threading.Timer(0.3, os.kill, (parent, signal.SIGINT)))
                timer[0].start()
        else:
            time.sleep(1.0)
        real(root, rel, data, folders)

    monkeypatch.setattr(builder.build, "stage", stage)
    _edit_a_seed(content)
    with pytest.raises(KeyboardInterrupt):
        build(make_settings(content, out, jobs=2))
    time.sleep(1.5)  # a child left running would have written by now
    assert not [p.name for p in out.parent.iterdir() if ".staging" in p.name]


def test_compiled_templates_are_kept_apart_for_each_version_of_the_builder(tmp_path, monkeypatch):
    """Jinja keys a compiled template by its source, not by the options of
    the environment that compiled it: another builder's are not used, and
    are removed."""
    import builder.cache
    from builder.render import _bytecode_folder
    monkeypatch.setattr(builder.cache, "code_fingerprint", lambda: "one builder")
    first = _bytecode_folder(str(tmp_path))
    assert Path(first).is_dir() and _bytecode_folder(str(tmp_path)) == first
    monkeypatch.setattr(builder.cache, "code_fingerprint", lambda: "another builder")
    second = _bytecode_folder(str(tmp_path))
    assert second != first and Path(second).is_dir() and not Path(first).exists()


_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text() | st.binary(),
    lambda inner: st.lists(inner, max_size=4) | st.lists(inner, max_size=4).map(tuple)
    | st.dictionaries(st.text(max_size=4), inner, max_size=4), max_leaves=12)


def _rebuilt(value):
    """An equal value made of other objects: strings, bytes and containers copied."""
    if isinstance(value, str):
        return "".join(list(value))  # (a new object, never interned)
    if isinstance(value, bytes):
        return bytes(bytearray(value))
    if isinstance(value, (list, tuple)):
        return type(value)(_rebuilt(v) for v in value)
    if isinstance(value, dict):
        return {_rebuilt(k): _rebuilt(v) for k, v in value.items()}
    return value


@given(_VALUES, _VALUES)
def test_a_digest_depends_on_the_values_only(first, second):
    """Equal values hash alike whichever objects hold them (shared, copied,
    interned or not), and different values hash apart."""
    shared = [first, first, "key", "key"]
    assert digest(shared, second) == digest(_rebuilt(shared), _rebuilt(second))
    if first != second or type(first) is not type(second):
        assert digest(first) != digest(second) or repr(first) == repr(second)


def test_a_digest_tells_apart_what_repr_does():
    from typing import NamedTuple

    class Pair(NamedTuple):
        a: str
        b: str

    values = [("a", "b"), ("ab",), ["a", "b"], {"a": "b"}, 1, True, 1.0, "1", b"1", Pair("a", "b"), Pair("a", "c")]
    assert len({digest(v) for v in values}) == len(values)
    assert digest(Pair("a", "b")) == digest(Pair("a", "b"))


def test_a_digest_is_the_same_in_another_process_with_other_string_hashes():
    import subprocess
    import sys
    value = ("页面", {"title": "中共", "n": 3}, ["tags/中共.html", b"\x00"], 2.5, None)
    code = f"from builder.cache import digest; print(digest(*{value!r}))"
    other = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=ROOT,
                           env={**os.environ, "PYTHONHASHSEED": "12345"}).stdout.strip()
    assert other == digest(*value)


@pytest.fixture(scope="module")
def corpus_built_here(tmp_path_factory):
    """The corpus sample built with its relations made in the build's own process."""
    from tests.conftest import FIXTURES
    out = tmp_path_factory.mktemp("related-here") / "site"
    report = build(make_settings(FIXTURES / "corpus", out, jobs=2))
    assert report.articles > 50
    return tree(out)


def _counted_here(function, child: str, here: list[int]):
    """``function``, counted in ``here`` when called in this process; in a
    forked child, raising or killed when ``child`` says so."""
    import signal
    parent = os.getpid()

    def call(*args, **kwargs):
        if os.getpid() == parent:
            here.append(1)
        elif child == "fails":
            raise RuntimeError("the child fails")
        elif child == "is killed":
            os.kill(os.getpid(), signal.SIGKILL)
        return function(*args, **kwargs)

    return call


@pytest.mark.parametrize("child", ["relates", "fails", "is killed", "cannot be made", "is reaped by the system"])
def test_relations_made_in_a_forked_child_make_the_same_site(tmp_path, monkeypatch, corpus_built_here, child):
    """A build that relates its articles in a child while it plans the list
    pages makes the site a build relating them itself makes; a child that
    fails, dies or cannot be made leaves the relating to the build, which
    makes it too."""
    import signal

    import builder.build as building
    from builder import processes, related
    from tests.conftest import FIXTURES
    monkeypatch.setattr(building, "RELATE_APART", 1)
    relating_here: list[int] = []
    monkeypatch.setattr(related, "relations", _counted_here(related.relations, child, relating_here))
    if child == "cannot be made":  # (only there: the processing and the render fork too)
        from unittest import mock
        made = building._Relating.__init__

        def made_without_a_process(self, *args, **kwargs):
            with mock.patch.object(processes.os, "fork", side_effect=BlockingIOError("no process to be had")):
                made(self, *args, **kwargs)

        monkeypatch.setattr(building._Relating, "__init__", made_without_a_process)
    ignored = signal.signal(signal.SIGCHLD, signal.SIG_IGN) if child == "is reaped by the system" else None
    try:  # (a host that ignores SIGCHLD: the system reaps children, no status to wait for)
        build(make_settings(FIXTURES / "corpus", tmp_path / "site", jobs=2))
    finally:
        if ignored is not None:
            signal.signal(signal.SIGCHLD, ignored)
    assert tree(tmp_path / "site") == corpus_built_here
    assert relating_here == ([] if child in ("relates", "is reaped by the system") else [1])


@pytest.mark.parametrize("n, day", [(5, ""), (0, ""), (8, "20"), (7, "01")])
def test_a_date_given_or_taken_away_in_place_makes_what_a_cold_build_makes(tmp_path, n, day):
    """Dated pages are counted from the oldest dated article and undated
    ones from the first (``indexes.page_spans``): an article that loses or
    gains its date moves the pages of both on either side of its places,
    even where no article moved. Two a page, six dated and three undated."""
    content = tmp_path / "content"
    content.mkdir()

    def write(n: int, day: str) -> None:
        (content / f"a{n}.meta.toml").write_text(
            f'title = "Story {n}"\n' + (f'date = "2024-05-{day}"\n' if day else "") + 'tags = ["Energy"]\n',
            encoding="utf-8")
        (content / f"a{n}.md").write_text(f"Story {n}\n\nThe ministers met to discuss item {n}.\n", encoding="utf-8")

    for k in range(9):
        write(k, f"{10 + k}" if k < 6 else "")
    out = tmp_path / "work" / "site"
    pages = {"items_per_page": 2, "feed_items": 1}
    settings = make_settings(content, out, **pages)
    build(settings)
    write(n, day)
    report = build(settings)
    assert report.incremental and report.in_place and report.processed == 1
    assert tree(out) == _cold(content, tmp_path, **pages)


@pytest.mark.parametrize("per_page", [1, 2])
@pytest.mark.parametrize("leaving, joining", [("11", ""), ("", "13"), ("11", "13")])
def test_articles_swapped_in_one_edit_make_their_groups_as_a_cold_build_makes(tmp_path, per_page, leaving, joining):
    """One article leaves a tag and another joins it in the same build: its
    size stays, but its number of dated articles may not (a helper's
    review found /tmp/r34b/repro_bug1.py). The pages' spans move with it:
    the edit is made in place, and the site is the cold one, byte for byte."""
    content = tmp_path / "content"
    content.mkdir()

    def write(name: str, day: str, tags: list[str]) -> None:
        (content / f"{name}.meta.toml").write_text(
            f'title = "Story {name}"\n' + (f'date = "2024-05-{day}"\n' if day else "") + f"tags = {_toml_list(tags)}\n",
            encoding="utf-8")
        (content / f"{name}.md").write_text(f"Story {name}\n\nThe ministers met to discuss item {name}.\n",
                                            encoding="utf-8")

    write("a1", leaving, ["Energy"])
    for name, day in [("a2", "12"), ("a3", ""), ("a4", "14"), ("a5", "")]:
        write(name, day, ["Energy"])
    write("b", joining, ["Water"])
    out = tmp_path / "work" / "site"
    pages = {"items_per_page": per_page, "feed_items": 1}
    settings = make_settings(content, out, **pages)
    build(settings)
    write("a1", leaving, ["Water"])
    write("b", joining, ["Water", "Energy"])
    report = build(settings)
    assert report.incremental and report.in_place and report.processed == 2
    assert tree(out) == _cold(content, tmp_path, **pages)


def _small_archive(content: Path) -> None:
    """Seven dated articles and two undated ones, in English and Chinese,
    with tags, countries and original addresses; one of each language
    names the same three countries and states the same numbers."""
    for n in range(9):
        _write_story(content, f"a{n}", f"2024-05-{10 + n}" if n < 7 else "", ["Energy"] if n % 2 else ["Trade"],
                     ["US", "CN", "JP"] if n in (1, 2) else ["DE"], "zh-Hans" if n == 2 else "en",
                     f"https://example.com/story/{n}")


def _write_story(content: Path, name: str, day: str, tags: list[str], countries: list[str], language: str,
                 address: str, publisher: str = "Example News", text: str = "", slug: str = "") -> None:
    fields = [f'title = "Story {name}"', f"tags = {_toml_list(tags)}", f"countries = {_toml_list(countries)}",
              f'language = "{language}"', f'source_url = "{address}"', f'publisher = "{publisher}"']
    fields += [f'date = "{day}"'] if day else []
    fields += [f'slug = "{slug}"'] if slug else []
    (content / f"{name}.meta.toml").write_text("\n".join(fields) + "\n", encoding="utf-8")
    numbers = {"en": "Officials met on the 12th with 400 delegates.", "zh-Hans": "官员在12日会见了400名代表。",
               "fr": "Les responsables se sont réunis le 12 avec 400 délégués."}
    (content / f"{name}.md").write_text(f"Story {name}\n\n{text or numbers[language]}\n", encoding="utf-8")


def _remove(content: Path, *names: str) -> None:
    """Remove ``_write_story`` articles: their files and sidecars."""
    for name in names:
        (content / f"{name}.md").unlink()
        (content / f"{name}.meta.toml").unlink()


def _built_small_archive(tmp_path: Path, **settings) -> tuple[Path, Path, object]:
    """``_small_archive`` built once: its content folder, its site and the settings."""
    content = tmp_path / "content"
    content.mkdir()
    _small_archive(content)
    out = tmp_path / "work" / "site"
    made = make_settings(content, out, **settings)
    build(made)
    return content, out, made


_ADDED_IN_PLACE = {
    "the newest": [("n", "2024-06-01", ["Energy"], ["DE"])],
    "the oldest": [("n", "2024-01-01", ["Trade"], ["DE"])],
    "between others": [("n", "2024-05-13", ["Energy"], ["DE", "FR"])],
    "undated, before the others by path": [("a", "", ["Trade"], ["DE"])],
    "undated, after them": [("z", "", ["Energy"], [])],
    "with a new tag and a new country": [("n", "2024-05-20", ["Water"], ["BR"])],
    "two at once": [("n", "2024-06-01", ["Energy"], ["DE"]), ("m", "", ["Water"], ["US", "CN"])],
}


@pytest.mark.parametrize("per_page", [1, 2])
@pytest.mark.parametrize("case", list(_ADDED_IN_PLACE))
def test_an_added_article_is_made_in_place_as_a_cold_build_makes(tmp_path, case, per_page):
    """An article that came, with a slug and an original address no other
    article has, in a language and from a source the archive has: its
    groups' pages from its place on, the indexes of tags, countries,
    languages and sources, the sitemap and the pages whose relations it
    changes are made in place, and the site is the cold one, byte for byte."""
    content = tmp_path / "content"
    content.mkdir()
    _small_archive(content)
    out = tmp_path / "work" / "site"
    pages = {"items_per_page": per_page, "feed_items": 2}
    settings = make_settings(content, out, **pages)
    build(settings)
    for name, day, tags, countries in _ADDED_IN_PLACE[case]:
        _write_story(content, f"new-{name}", day, tags, countries, "en", f"https://example.com/new/{name}",
                     text=f"The ministers of {name} met again.")
    report = build(settings)
    assert report.incremental and report.in_place and report.processed == len(_ADDED_IN_PLACE[case])
    assert report.articles == 9 + len(_ADDED_IN_PLACE[case])
    assert tree(out) == _cold(content, tmp_path, **pages)
    # and the next build starts from what it left
    (content / "a3.md").write_text("Story a3\n\nThe ministers met on Friday.\n", encoding="utf-8")
    assert build(settings).in_place
    assert tree(out) == _cold(content, tmp_path, **pages)


_ADDED_NOT_IN_PLACE = {
    "a slug another has": dict(slug="A4"),
    "a path that slugifies as another's": dict(name="A5"),
    "a source whose page would be another's": dict(publisher="EXAMPLE NEWS"),  # (sorted first: it takes the slug)
    "a translation of another": dict(language="zh-Hans", countries=["US", "CN", "JP"], day="2024-05-11",
                                     text="官员在12日会见了400名代表。"),
}


@pytest.mark.parametrize("case", list(_ADDED_NOT_IN_PLACE))
def test_an_addition_that_changes_other_articles_takes_the_full_plan(tmp_path, case):
    """An article that came and takes a slug another article has or would
    take, opens a source's group that takes another's page, or is
    another's translation changes what the edit in place does not look
    at: the full plan makes it, and the site is the cold one."""
    content, out, settings = _built_small_archive(tmp_path, items_per_page=2)
    given = dict(_ADDED_NOT_IN_PLACE[case])
    names = [given.pop("name", "n1")]
    for name in names:
        _write_story(content, name, given.pop("day", "2024-05-30"), ["Energy"], given.pop("countries", ["DE"]),
                     given.pop("language", "en"), given.pop("address", "https://example.com/new/same"),
                     **{"text": "The ministers met again.", **given})
    report = build(settings)
    assert report.incremental and not report.in_place and report.articles == 9 + len(names)
    assert tree(out) == _cold(content, tmp_path, items_per_page=2)
    if case == "a translation of another":  # (that the case is what it says)
        assert 'href="n1.html" lang="zh-Hans">' in (out / "articles" / "a1.html").read_text(encoding="utf-8")


@pytest.mark.parametrize("jobs", [1, 2])
def test_articles_in_a_new_language_or_source_come_and_leave_in_place(tmp_path, jobs):
    """An article that came in a language or from a source no other has
    opens its group, and the last to leave empties it: in place, the
    groups' pages, the facets' indexes and the sitemap included, as a cold
    build makes them. A source whose group takes another's page (its name
    sorted first, slugified alike), or gives it back, or a source that
    comes as the one whose page it would take leaves, takes the full plan."""
    pages = {"items_per_page": 2, "feed_items": 2, "jobs": jobs}
    content, out, settings = _built_small_archive(tmp_path, **pages)
    steps = [  # (articles that come: name, language, source; names of those that leave; in place)
        ([("f1", "fr", "Example News")], [], True),
        ([("p1", "en", "Another Paper")], [], True),
        ([("f2", "fr", "Another Paper"), ("f3", "fr", "Another Paper")], [], True),
        ([], ["f1", "f3"], True),
        ([], ["f2"], True),  # the last in French
        ([("q1", "en", "Another-Paper")], ["p1"], False),  # the last of Another Paper, whose page q1 would take
        ([], ["q1"], True),
        ([("i1", "en", "Index")], [], True),  # its page is not the sources' index
        ([], ["i1"], True),
        ([("e1", "en", "EXAMPLE NEWS")], [], False),
        ([], ["e1"], False),
    ]
    for step, (coming, leaving, in_place) in enumerate(steps):
        for name, language, source in coming:
            _write_story(content, name, f"2024-05-2{step}", ["Trade"], ["DE"], language,
                         f"https://example.com/{name}", publisher=source)
        _remove(content, *leaving)
        report = build(settings)
        assert report.incremental and report.in_place == in_place, step
        _assert_cold_with_relations(content, out, tmp_path, **pages)
    assert not (out / "languages" / "fr.html").exists() and (out / "sources" / "example-news.html").is_file()


def _set_sidecar(content: Path, name: str, **fields: str) -> None:
    """Rewrite fields of a ``_write_story`` sidecar."""
    path = content / f"{name}.meta.toml"
    lines = path.read_text(encoding="utf-8").splitlines()
    lines = [f'{key} = "{fields[key]}"' if (key := line.split(" = ")[0]) in fields else line for line in lines]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


@pytest.mark.parametrize("jobs", [1, 2])
def test_a_new_language_or_source_moves_the_article_in_place(tmp_path, jobs):
    """A corrected language or source moves the article between groups,
    as a new tag does, and its group may appear or empty: made in place,
    the pages that show its language (lists, related lists) and the
    facets' indexes included, and the site is the cold one. A source whose
    group takes another's page, or gives it back, or a new language for an
    article with translations (the others list theirs by language) take
    the full plan."""
    pages = {"items_per_page": 2, "feed_items": 2, "jobs": jobs}
    content = tmp_path / "content"
    content.mkdir()
    _small_archive(content)
    for name in ("f1", "f2"):
        _write_story(content, name, "2024-05-2" + name[1], ["Trade"], ["DE"], "fr", f"https://example.com/{name}",
                     publisher="Other Wire")
    _write_story(content, "r", "2024-05-25", ["Trade"], ["DE"], "ar", "https://example.com/r", text="Talks.")
    for name, language in (("t", "zh-Hans"), ("u", "fr"), ("v", "en"), ("w", "en")):
        _write_story(content, name, "2024-05-11" if name in "tu" else "2024-05-15", ["Energy"], ["US", "CN", "JP"],
                     language, f"https://example.com/{name}")
    out = tmp_path / "work" / "site"
    settings = make_settings(content, out, **pages)
    build(settings)
    assert re.search(r'href="u.html" lang="fr">.*href="t.html" lang="zh-Hans">',
                     (out / "articles" / "a1.html").read_text(encoding="utf-8"), re.S)
    steps = [
        ("a4", {"language": "fr"}, True),
        ("a4", {"publisher": "Other Wire"}, True),
        ("a6", {"language": "fr", "publisher": "Other Wire"}, True),
        ("a4", {"language": "en", "publisher": "Example News"}, True),
        ("a5", {"language": "de"}, True),  # no group yet
        ("a3", {"publisher": "A Third Paper"}, True),
        ("a3", {"publisher": "EXAMPLE NEWS"}, False),  # its page would be Example News's (sorted first)
        ("a3", {"publisher": "Example News"}, False),  # ... which moves back when it empties
        ("t", {"language": "ar"}, False),  # a1's and u's translation: a1 lists t and u by language
        ("w", {"language": "fr"}, False),  # v's translation now
        ("f1", {"language": "en"}, True),
        ("a2", {"language": "en"}, True),  # the last in Chinese
        ("a5", {"language": "en"}, True),  # the last in German
        ("f2", {"publisher": "Example News"}, True),  # Other Wire keeps f1
        ("f1", {"publisher": "Example News"}, True),  # the last of Other Wire
    ]
    for step, (name, fields, in_place) in enumerate(steps):
        _set_sidecar(content, name, **fields)
        report = build(settings)
        assert report.incremental and report.in_place == in_place, step
        _assert_cold_with_relations(content, out, tmp_path, **pages)
    assert 'href="w.html" lang="fr">' in (out / "articles" / "v.html").read_text(encoding="utf-8")
    assert re.search(r'href="t.html" lang="ar">.*href="u.html" lang="fr">',
                     (out / "articles" / "a1.html").read_text(encoding="utf-8"), re.S)


@pytest.mark.parametrize("jobs", [1, 2])
def test_an_added_copy_listed_after_the_others_is_made_in_place(tmp_path, jobs):
    """A file that came giving another's original address, whose path
    comes after the others' and that does not say it is listed, is a copy
    that changes no listed article: its page, the listed one's and the
    other copies' are made in place (they name every copy), it joins no
    list, feed or sitemap, and the site is the cold one; with a new article
    in the same build, and after a second copy."""
    pages = {"items_per_page": 2, "feed_items": 2, "jobs": jobs}
    content, out, settings = _built_small_archive(tmp_path, **pages)
    _write_story(content, "n1", "2024-05-30", ["Energy"], ["DE"], "en", "https://example.com/story/3",
                 text="The ministers met again.")
    _write_story(content, "n9", "2024-05-31", ["Water"], ["FR"], "en", "https://example.com/new/9", text="New.")
    report = build(settings)
    assert report.incremental and report.in_place and report.processed == 2
    assert tree(out) == _cold(content, tmp_path, **pages)
    _write_story(content, "n2", "", ["Trade"], ["US", "CN", "JP"], "en", "https://example.com/story/3",
                 text="The ministers met once more.")
    report = build(settings)
    assert report.in_place and report.processed == 1 and report.copies == 2
    assert tree(out) == _cold(content, tmp_path, **pages)
    page = (out / "articles" / "a3.html").read_text(encoding="utf-8")
    assert 'href="n1.html"' in page and 'href="n2.html"' in page
    assert "n1.html" not in (out / "sitemap.xml").read_text(encoding="utf-8")
    # one whose path comes between the others' (after the listed one's)
    _write_story(content, "b3", "2024-05-13", ["Energy"], ["DE"], "en", "https://example.com/story/3", text="Again.")
    assert build(settings).in_place
    assert tree(out) == _cold(content, tmp_path, **pages)


@pytest.mark.parametrize("jobs", [1, 2])
def test_copies_that_come_together_are_made_in_place(tmp_path, jobs):
    """Files that come in one build giving the same original address, as a
    mirror's sync brings a story filed under several categories, are a new
    group of copies: the first by path (or the one that says ``listed =
    true``) is a new article, listed, and the others its copies, made in
    place as a cold build makes them; so are two copies at once of an
    article already there."""
    pages = {"items_per_page": 2, "feed_items": 2, "jobs": jobs}
    content, out, settings = _built_small_archive(tmp_path, **pages)
    steps = [  # (name, date, address, listed)
        [("n1", "2024-05-30", "new/1", False), ("n2", "2024-05-29", "new/1", False), ("n3", "", "new/3", False)],
        [("m1", "2024-05-12", "new/2", False), ("m2", "", "new/2", False), ("m3", "2024-05-12", "new/2", True)],
        [("z1", "2024-05-31", "story/5", False), ("z2", "2024-06-01", "story/5", False)],
    ]
    for step, (batch, copies) in enumerate(zip(steps, [1, 3, 5])):
        for name, day, address, listed in batch:
            _write_story(content, name, day, ["Energy", "Water"][step % 2:], ["DE"], "en",
                         f"https://example.com/{address}", text=f"The ministers met again, {name}.")
            if listed:
                with (content / f"{name}.meta.toml").open("a", encoding="utf-8") as sidecar:
                    sidecar.write("listed = true\n")
        report = build(settings)
        assert report.incremental and report.in_place and report.processed == len(batch)
        assert report.copies == copies and report.articles == len(list(content.glob("*.md")))
        _assert_cold_with_relations(content, out, tmp_path, **pages)
    sitemap = (out / "sitemap.xml").read_text(encoding="utf-8")
    assert "n1.html" in sitemap and "m3.html" in sitemap and "n2.html" not in sitemap and "m1.html" not in sitemap
    (content / "m2.md").write_text("Story m2\n\nThe ministers met on Friday.\n", encoding="utf-8")
    assert build(settings).in_place
    assert tree(out) == _cold(content, tmp_path, **pages)


def test_an_added_copy_before_one_that_says_it_is_listed_is_made_in_place(tmp_path):
    """The listed copy is the one whose sidecar says ``listed = true``,
    whatever its path: one that came saying so takes the listed place of
    a4, whose path comes first, in place; then a copy that came with a
    path before its own (and before the other copies') leaves it listed,
    and is made in place."""
    content, out, settings = _built_small_archive(tmp_path, items_per_page=2)
    _write_story(content, "z9", "2024-05-14", ["Energy"], ["DE"], "en", "https://example.com/story/4", text="Again.")
    with (content / "z9.meta.toml").open("a", encoding="utf-8") as sidecar:
        sidecar.write("listed = true\n")
    assert build(settings).in_place  # (it takes a4's place in the lists)
    assert tree(out) == _cold(content, tmp_path, items_per_page=2)
    for name in ("a0x", "a4a"):
        _write_story(content, name, "2024-05-14", ["Trade"], ["DE"], "en", "https://example.com/story/4", text="More.")
        report = build(settings)
        assert report.in_place and report.processed == 1
        assert tree(out) == _cold(content, tmp_path, items_per_page=2)


def test_an_added_file_that_is_no_article_takes_the_full_plan(tmp_path):
    content = tmp_path / "content"
    content.mkdir()
    _small_archive(content)
    out = tmp_path / "work" / "site"
    build(make_settings(content, out))
    (content / "empty.md").write_bytes(b"")
    report = build(make_settings(content, out))
    assert report.incremental and not report.in_place and [s.path for s in report.skipped] == ["empty.md"]
    assert tree(out) == _cold(content, tmp_path)


_REMOVED_IN_PLACE = {
    "the newest": ["a6"],
    "the oldest": ["a0"],
    "between others": ["a3"],
    "undated": ["a7"],
    "the last of its tag and country": ["x"],
    "two at once": ["a6", "a8"],
}


@pytest.mark.parametrize("per_page", [1, 2])
@pytest.mark.parametrize("case", list(_REMOVED_IN_PLACE))
def test_a_removed_article_is_made_in_place_as_a_cold_build_makes(tmp_path, case, per_page):
    """An article whose file is gone, listed, no copy and no translation,
    whose slug no other's was made from and whose language and source
    keep other articles: its page and raw copy go, and its groups' pages
    from its place on, the indexes, the sitemap and the pages whose
    relations change are made in place; the site is the cold one. With an
    article added in the same build too."""
    content = tmp_path / "content"
    content.mkdir()
    _small_archive(content)
    _write_story(content, "x", "2024-05-05", ["Water"], ["BR"], "en", "https://example.com/x")
    out = tmp_path / "work" / "site"
    pages = {"items_per_page": per_page, "feed_items": 2}
    settings = make_settings(content, out, **pages)
    build(settings)
    _remove(content, *_REMOVED_IN_PLACE[case])
    report = build(settings)
    assert report.incremental and report.in_place and report.processed == 0
    assert report.articles == 10 - len(_REMOVED_IN_PLACE[case])
    assert tree(out) == _cold(content, tmp_path, **pages)
    _write_story(content, "n", "2024-05-16", ["Water"], ["DE"], "en", "https://example.com/n", text="Again.")
    _remove(content, "a4")
    report = build(settings)
    assert report.in_place and report.processed == 1
    assert tree(out) == _cold(content, tmp_path, **pages)


def _batch(content: Path, names: range) -> None:
    """Articles that came in one batch, as a mirror's sync brings them:
    dated after, before and among the others, some undated, some naming
    three countries (each a candidate translation of the others that do)."""
    for n in names:
        _write_story(content, f"b{n}", f"2024-{4 + n % 3:02d}-{10 + n % 9}" if n % 4 else "",
                     ["Energy", "Water"][n % 2:], ["US", "CN", "JP"] if n % 3 == 0 else ["DE", "FR"][:1 + n % 2],
                     "en", f"https://example.com/batch/{n}", text=f"Delegates met {n} times this year.")


def test_a_batch_of_additions_and_removals_is_made_in_place_by_the_pool(tmp_path, monkeypatch):
    """More files to process than the warm edit worker takes go to the
    pool's workers, and a batch of articles that came and left is still
    made in place, as a cold build makes it; so is the next edit."""
    import multiprocessing

    import builder.build
    import builder.processes
    monkeypatch.setattr(builder.build, "EDIT_WORKER_LIMIT", 3)
    others = set(multiprocessing.active_children())  # (tests of a host that reaps children leave some)
    content = tmp_path / "content"
    content.mkdir()
    _small_archive(content)
    _batch(content, range(6))
    out = tmp_path / "work" / "site"
    pages = {"items_per_page": 2, "feed_items": 2, "jobs": 2}
    settings = make_settings(content, out, **pages)
    build(settings)
    pooled = []
    in_flight = builder.processes._in_flight
    monkeypatch.setattr(builder.processes, "_in_flight",
                        lambda *args, **kwargs: pooled.append(len(args[2])) or in_flight(*args, **kwargs))
    _batch(content, range(6, 14))
    _remove(content, "a6", "b1", "b4")
    report = build(settings)
    assert report.incremental and report.in_place and report.processed == 8 and pooled == [8]
    assert report.articles == 9 + 14 - 3
    assert tree(out) == _cold(content, tmp_path, **pages)
    (content / "b7.md").write_text("Story b7\n\nDelegates met again on Friday.\n", encoding="utf-8")
    assert build(settings).in_place
    assert tree(out) == _cold(content, tmp_path, **pages)
    assert set(multiprocessing.active_children()) <= others


def test_more_changed_files_than_the_limit_take_the_full_plan(tmp_path, monkeypatch):
    import builder.inplace
    monkeypatch.setattr(builder.inplace, "IN_PLACE_LIMIT", 3)
    content, out, settings = _built_small_archive(tmp_path, items_per_page=2)
    _batch(content, range(3))
    assert build(settings).in_place
    _batch(content, range(3, 7))
    report = build(settings)
    assert report.incremental and not report.in_place and report.processed == 4
    assert tree(out) == _cold(content, tmp_path, items_per_page=2)


def test_a_batch_of_a_tenth_of_the_archive_goes_in_place_the_files_that_left_counted(tmp_path, monkeypatch):
    """Above ``IN_PLACE_LIMIT``, a batch goes in place while it is at most a
    tenth of the archive: of its 40 files, four removed go in place (a
    tenth of the 36 left would be three); of the 36, five more do not."""
    import builder.inplace
    monkeypatch.setattr(builder.inplace, "IN_PLACE_LIMIT", 2)
    content = tmp_path / "content"
    content.mkdir()
    _small_archive(content)
    _batch(content, range(31))
    out = tmp_path / "work" / "site"
    settings = make_settings(content, out, items_per_page=3)
    build(settings)
    for names in (range(4), range(4, 9)):
        _remove(content, *(f"b{n}" for n in names))
        report = build(settings)
        assert report.incremental and report.in_place == (names == range(4))
        assert tree(out) == _cold(content, tmp_path, items_per_page=3)


def test_an_html_article_removed_is_made_in_place(tmp_path):
    """Its raw copy (``raw/….html``) is no page of the sitemap: only its page
    leaves it (a helper's review found such removals all took the full
    plan, /tmp/r35/t7.py)."""
    content = tmp_path / "content"
    content.mkdir()
    _small_archive(content)
    html = "<html><head><title>{0}</title></head><body><h1>{0}</h1><p>The ministers met about {0}.</p></body></html>\n"
    for name in ("h1", "h2"):
        (content / f"{name}.html").write_text(html.format(f"Story {name}"), encoding="utf-8")
        (content / f"{name}.meta.toml").write_text('date = "2024-05-30"\ntags = ["Energy"]\n', encoding="utf-8")
    out = tmp_path / "work" / "site"
    build(make_settings(content, out, items_per_page=2))
    assert (out / "raw" / "h1.html").is_file()
    (content / "h1.html").unlink()
    (content / "h1.meta.toml").unlink()
    report = build(make_settings(content, out, items_per_page=2))
    assert report.in_place and not (out / "raw" / "h1.html").exists()
    assert tree(out) == _cold(content, tmp_path, items_per_page=2)


_REMOVED_NOT_IN_PLACE = {
    "a translation": ("t", dict(name="t", language="zh-Hans", countries=["US", "CN", "JP"], day="2024-05-11")),
    "the last article of a source whose page another's was moved from": ("s", dict(name="s", publisher="EXAMPLE NEWS")),
    "one whose slug another's was made from": ("A5", dict(name="A5")),
}


@pytest.mark.parametrize("case", list(_REMOVED_NOT_IN_PLACE))
def test_a_removal_that_changes_other_articles_takes_the_full_plan(tmp_path, case):
    """A file gone that was a translation, or empties a source's group
    whose page another source's would take now, or held a slug another
    article would take now: the full plan makes it, and the site is the
    cold one."""
    content = tmp_path / "content"
    content.mkdir()
    _small_archive(content)
    gone, extra = _REMOVED_NOT_IN_PLACE[case]
    if extra:
        given = dict(extra)
        _write_story(content, given.pop("name"), given.pop("day", "2024-05-20"), ["Energy"],
                     given.pop("countries", ["DE"]), given.pop("language", "en"),
                     given.pop("address", "https://example.com/extra"),
                     **{"text": "官员在12日会见了400名代表。" if case == "a translation" else "More talks.", **given})
    out = tmp_path / "work" / "site"
    settings = make_settings(content, out, items_per_page=2)
    build(settings)
    if case == "a translation":  # (that the case is what it says)
        assert 'href="t.html" lang="zh-Hans">' in (out / "articles" / "a1.html").read_text(encoding="utf-8")
    _remove(content, gone)
    report = build(settings)
    assert report.incremental and not report.in_place
    assert tree(out) == _cold(content, tmp_path, items_per_page=2)


def _copies_of_a3(content: Path, names: list[str]) -> None:
    """Files that give a3's original address, dated and tagged unlike it."""
    for n, name in enumerate(names):
        _write_story(content, name, f"2024-06-0{1 + n}", ["Water"], ["FR"], "en", "https://example.com/story/3",
                     text=f"Filed again, {n}.")


@pytest.mark.parametrize("jobs", [1, 2])
def test_a_copy_that_comes_first_is_listed_in_place(tmp_path, jobs):
    """A copy that comes with a path before its group's listed copy's is
    listed now: it joins the lists, the sitemap and the relations, and the
    one listed before leaves them, in place, as a cold build makes it; so
    when the first comes again, and when it leaves (the one after it is
    listed again)."""
    pages = {"items_per_page": 2, "feed_items": 2, "jobs": jobs}
    content, out, settings = _built_with_copies_of_a3(tmp_path, ["c1"], **pages)
    for step, name in enumerate(["a2z", "a2a", ""]):
        if name:
            _write_story(content, name, f"2024-04-2{step}", ["Water"], ["BR"], "en", "https://example.com/story/3",
                         text=f"Filed first, {name}.")
        else:
            _remove(content, "a2a")
        report = build(settings)
        assert report.incremental and report.in_place and report.copies == 2 + (step == 1)
        _assert_cold_with_relations(content, out, tmp_path, **pages)
    sitemap = (out / "sitemap.xml").read_text(encoding="utf-8")
    assert "a2z.html" in sitemap and "a3.html" not in sitemap and "a2a.html" not in sitemap


@pytest.mark.parametrize("jobs", [1, 2])
def test_the_listed_copy_chosen_in_a_sidecar_is_made_in_place(tmp_path, jobs):
    """A maintainer's ``listed = true`` on a copy, or taken away, orders its
    group again: the copy listed now joins the lists and the one listed
    before leaves them, in place, as a cold build makes it; the flag on the
    copy already listed changes no list. Taking the listed place of an
    article with translations takes the full plan."""
    pages = {"items_per_page": 2, "feed_items": 2, "jobs": jobs}
    content, out, settings = _built_with_copies_of_a3(tmp_path, ["c1", "c2"], **pages)
    _write_story(content, "t", "2024-05-11", ["Energy"], ["US", "CN", "JP"], "zh-Hans", "https://example.com/t")
    _write_story(content, "z1", "2024-06-09", ["Water"], ["BR"], "en", "https://example.com/story/1", text="Again.")
    build(settings)  # (t is a1's translation: by the full plan)
    for step, (name, listed, in_place) in enumerate(
            [("c2", True, True), ("c2", False, True), ("a3", True, True), ("c1", True, True), ("z1", True, False)]):
        sidecar = content / f"{name}.meta.toml"
        lines = [line for line in sidecar.read_text(encoding="utf-8").splitlines() if not line.startswith("listed")]
        sidecar.write_text("\n".join([*lines, f"listed = {str(listed).lower()}"]) + "\n", encoding="utf-8")
        report = build(settings)
        assert report.incremental and report.in_place == in_place, step
        _assert_cold_with_relations(content, out, tmp_path, **pages)
        assert build(settings).copies == report.copies, step  # (the summary a build with no change reports)
    sitemap = (out / "sitemap.xml").read_text(encoding="utf-8")
    assert "a3.html" in sitemap and "c2.html" not in sitemap and "z1.html" in sitemap and "a1.html" not in sitemap


@pytest.mark.parametrize("jobs", [1, 2])
def test_a_new_original_address_is_made_in_place(tmp_path, jobs):
    """An article given another original address in its sidecar leaves its
    group of copies as one that left (the next is listed when it was the
    listed one) and joins the new address's as one that came (listed when
    it comes first), in place, as a cold build makes it; an address no
    file gives any more is forgotten, so a file that gives it later is a
    new article. Leaving the lists when it has translations takes the full
    plan."""
    pages = {"items_per_page": 2, "feed_items": 2, "jobs": jobs}
    content, out, settings = _built_with_copies_of_a3(tmp_path, ["c1", "c2"], **pages)
    _write_story(content, "t", "2024-05-11", ["Energy"], ["US", "CN", "JP"], "zh-Hans", "https://example.com/t")
    build(settings)  # (t is a1's translation: by the full plan)
    steps = [  # (name, its new address, in place)
        ("c2", "story/4", True),  # a copy of a3 becomes one of a4's, after it
        ("a3", "new/3", True),  # the listed copy leaves: c1 is listed now, a3 alone
        ("a4", "new/4", True),  # c2 alone now, listed
        ("c1", "story/5", True),  # a5 keeps its listed place
        ("a0", "story/5", True),  # ... which a0 takes
        ("a1", "story/5", False),  # after a0: a1, with a translation, would be listed no more
        ("a3", "new/33", True),  # alone before and after: no group changes
    ]
    for step, (name, address, in_place) in enumerate(steps):
        _set_sidecar(content, name, source_url=f"https://example.com/{address}")
        report = build(settings)
        assert report.incremental and report.in_place == in_place, step
        _assert_cold_with_relations(content, out, tmp_path, **pages)
        assert build(settings).copies == report.copies, step  # (the summary a build with no change reports)
    copies = report.copies
    _write_story(content, "n3", "2024-06-20", ["Trade"], ["DE"], "en", "https://example.com/new/3", text="Anew.")
    report = build(settings)  # new/3: given by no file since the last step
    assert report.in_place and report.copies == copies
    _assert_cold_with_relations(content, out, tmp_path, **pages)


def test_the_copies_counted_after_an_edit_in_place_are_kept_for_the_next_build(tmp_path):
    """A new address or ``listed = true`` may change how many copies the
    archive holds without adding or removing a file: the summary that a
    build with no change reports counts them as a cold build does (a
    helper's review found it kept the old count)."""
    content = tmp_path / "content"
    content.mkdir()
    for n in (1, 2, 3):
        _write_story(content, f"a{n}", f"2024-05-1{n}", ["Energy"], ["DE"], "en", f"https://example.com/{n}")
    out = tmp_path / "work" / "site"
    settings = make_settings(content, out)
    assert build(settings).copies == 0
    for name, copies in (("a2", 1), ("a3", 2)):
        _set_sidecar(content, name, source_url="https://example.com/1")
        if name == "a3":
            with (content / "a3.meta.toml").open("a", encoding="utf-8") as sidecar:
                sidecar.write("listed = true\n")
        report = build(settings)
        assert report.in_place and report.copies == copies
        again = build(settings)
        assert again.written == 0 and again.copies == copies
        assert tree(out) == _cold(content, tmp_path)


def _set_slug(content: Path, name: str, slug: str) -> None:
    """Give a ``_write_story`` article its sidecar's ``slug`` (none: the one its path gives)."""
    path = content / f"{name}.meta.toml"
    lines = [line for line in path.read_text(encoding="utf-8").splitlines() if not line.startswith("slug = ")]
    path.write_text("\n".join([*lines, *([f'slug = "{slug}"'] if slug else [])]) + "\n", encoding="utf-8")


@pytest.mark.parametrize("jobs", [1, 2])
def test_a_new_slug_is_made_in_place(tmp_path, jobs):
    """A sidecar's new ``slug`` moves the article's page: the page at the
    new address is made, the old one removed, and so are the lists, feeds
    and sitemap that name it, and the pages that link to it (related
    articles, translations, copies), in place, as a cold build makes
    them. A slug another article has, or one whose suffixed form another
    article was given (freed now, a cold build gives it without), takes
    the full plan."""
    pages = {"items_per_page": 2, "feed_items": 2, "jobs": jobs}
    content, out, settings = _built_with_copies_of_a3(tmp_path, ["c1", "c2"], **pages)
    _write_story(content, "t", "2024-05-11", ["Energy"], ["US", "CN", "JP"], "zh-Hans", "https://example.com/t")
    _write_story(content, "A5", "2024-05-20", ["Trade"], ["DE"], "en", "https://example.com/A5")
    build(settings)  # (t is a1's translation, a5 is given "a5-" and a hash: by the full plan)
    assert [p.name for p in (out / "articles").glob("a5-*.html")]
    steps = [  # (name, its new slug, in place)
        ("a4", "renamed-four", True),
        ("a1", "first-story", True),  # with translations, which link to it
        ("a3", "the-listed-copy", True),  # its copies name it
        ("c1", "a-copy", True),  # a copy not listed: in no list and not in the sitemap
        ("a4", "", True),  # back to the slug its path gives
        ("a6", "a7", False),  # another's (a6 comes first by path: a7 is given a suffix)
        ("a7", "seventh", True),  # the old page's slug is the suffixed one
        ("a6", "", True),
        ("A5", "five", False),  # a5 is given its own without a suffix now
        ("a5", "a-five", True),
    ]
    for step, (name, slug, in_place) in enumerate(steps):
        old = {p.name for p in (out / "articles").iterdir()}
        _set_slug(content, name, slug)
        report = build(settings)
        assert report.incremental and report.in_place == in_place, step
        _assert_cold_with_relations(content, out, tmp_path, **pages)
        assert {p.name for p in (out / "articles").iterdir()} != old, step  # (that the step moves a page)
    assert (out / "articles" / "first-story.html").is_file() and not (out / "articles" / "a1.html").exists()
    assert 'href="first-story.html"' in (out / "articles" / "t.html").read_text(encoding="utf-8")
    # two articles that swap their slugs or take one new slug; one that came taking one freed in the same build
    for change in (lambda: (_set_slug(content, "a0", "a8"), _set_slug(content, "a8", "a0")),
                   lambda: (_set_slug(content, "a0", "twin"), _set_slug(content, "a8", "twin")),
                   lambda: (_set_slug(content, "a5", ""), _write_story(
                       content, "n", "2024-06-01", ["Trade"], ["DE"], "en", "https://example.com/n", slug="a-five"))):
        change()
        report = build(settings)
        assert report.incremental and not report.in_place
        _assert_cold_with_relations(content, out, tmp_path, **pages)


def test_a_suffix_another_slug_took_is_made_longer_and_kept_so_in_place(tmp_path):
    """d's path slugifies as a's, so d gets a suffix; c's sidecar slug
    happens to be that suffixed slug: d's suffix is made longer (two pages
    claimed one path, and the build failed). Freeing the shorter one
    (c given another slug, or removed) takes the full plan, which gives it
    to d; an edit of d alone stays in place."""
    import hashlib
    short = hashlib.sha1(b"d.md").hexdigest()
    content = tmp_path / "content"
    content.mkdir()
    for n, (name, slug) in enumerate((("a", "x"), ("c", f"x-{short[:8]}"), ("d", "x"))):
        _write_story(content, name, f"2024-05-1{n}", ["Trade"], ["DE"], "en", f"https://example.com/{name}", slug=slug)
    out = tmp_path / "work" / "site"
    settings = make_settings(content, out)
    build(settings)
    assert "Story d" in (out / "articles" / f"x-{short[:12]}.html").read_text(encoding="utf-8")
    (content / "d.md").write_text("Story d\n\nThe ministers met again.\n", encoding="utf-8")
    steps = [(lambda: None, True), (lambda: _set_slug(content, "c", "other"), False),
             (lambda: _set_slug(content, "c", f"x-{short[:8]}"), False), (lambda: _remove(content, "c"), False)]
    for step, (change, in_place) in enumerate(steps):
        change()
        report = build(settings)
        assert report.incremental and report.in_place == in_place, step
        _assert_cold_with_relations(content, out, tmp_path)
    assert "Story d" in (out / "articles" / f"x-{short[:8]}.html").read_text(encoding="utf-8")


def test_a_new_original_address_beside_an_edit_of_its_group_takes_the_full_plan(tmp_path):
    """The listed copy given another address while the next copy, which
    would be listed now, is edited too: the full plan makes it."""
    content, out, settings = _built_with_copies_of_a3(tmp_path, ["c1", "c2"], items_per_page=2)
    _set_sidecar(content, "a3", source_url="https://example.com/new/3")
    (content / "c1.md").write_text("Story c1\n\nFiled again, and edited.\n", encoding="utf-8")
    report = build(settings)
    assert report.incremental and not report.in_place and report.copies == 1
    assert tree(out) == _cold(content, tmp_path, items_per_page=2)


def test_a_copy_listed_now_that_is_a_translation_takes_the_full_plan(tmp_path):
    """The listed copy of a group leaves, and the next, listed now, is an
    article's translation (it was no candidate while it was not listed):
    the full plan makes it."""
    content = tmp_path / "content"
    content.mkdir()
    _small_archive(content)
    _write_story(content, "x0", "2024-05-20", ["Energy"], ["DE"], "en", "https://example.com/x")
    _write_story(content, "x1", "2024-05-11", ["Energy"], ["US", "CN", "JP"], "zh-Hans", "https://example.com/x")
    out = tmp_path / "work" / "site"
    settings = make_settings(content, out, items_per_page=2)
    assert build(settings).copies == 1
    _remove(content, "x0")
    report = build(settings)
    assert report.incremental and not report.in_place and report.copies == 0
    assert tree(out) == _cold(content, tmp_path, items_per_page=2)
    assert 'href="x1.html" lang="zh-Hans">' in (out / "articles" / "a1.html").read_text(encoding="utf-8")


def test_a_copy_that_comes_first_of_an_article_with_a_translation_takes_the_full_plan(tmp_path):
    """The listed copy of a group would be listed no more, and it is an
    article's translation: the full plan makes it."""
    content = tmp_path / "content"
    content.mkdir()
    _small_archive(content)
    _write_story(content, "t", "2024-05-11", ["Energy"], ["US", "CN", "JP"], "zh-Hans", "https://example.com/t")
    out = tmp_path / "work" / "site"
    settings = make_settings(content, out, items_per_page=2)
    build(settings)
    assert 'href="t.html" lang="zh-Hans">' in (out / "articles" / "a1.html").read_text(encoding="utf-8")
    _write_story(content, "a0z", "2024-05-11", ["Energy"], ["DE"], "en", "https://example.com/story/1")
    report = build(settings)
    assert report.incremental and not report.in_place and report.copies == 1
    assert tree(out) == _cold(content, tmp_path, items_per_page=2)


def _built_with_copies_of_a3(tmp_path: Path, names: list[str], **settings) -> tuple[Path, Path, object]:
    """``_small_archive`` with copies of a3 at ``names``, built once."""
    content = tmp_path / "content"
    content.mkdir()
    _small_archive(content)
    _copies_of_a3(content, names)
    out = tmp_path / "work" / "site"
    made = make_settings(content, out, **settings)
    assert build(made).copies == len(names)
    return content, out, made


def _assert_cold_with_relations(content: Path, out: Path, tmp: Path, **settings) -> None:
    """The site at ``out`` is a cold build's, and so is the relation state
    its cache keeps (what the next build starts from)."""
    cold = tmp / f"cold-{len(list(tmp.iterdir()))}" / "site"
    build(make_settings(content, cold, **settings))
    assert tree(out) == tree(cold)
    assert _stored_relations(out) == _stored_relations(cold)


def _stored_relations(site: Path):
    """The relation state the build of ``site`` kept (``make_settings``'s cache)."""
    from builder.build import CACHE_FILE, _load_relations
    cache = Cache(site.parent / ".archive-cache" / CACHE_FILE, rules_fingerprint(None))
    try:
        return _load_relations(cache)
    finally:
        cache.close()


@pytest.mark.parametrize("jobs", [1, 2])
def test_removed_copies_not_listed_are_made_in_place(tmp_path, jobs):
    """A copy that is not listed is in no list, feed or sitemap: when it
    leaves, its page and raw copy go, and the pages of its group's other
    copies (which name it) are made again, in place; the site is the cold
    one. Its group may shrink to one article, which is then no copy; and
    an address its copies no longer give stays known, so that a copy
    filed again later is made in place too. When the listed copy leaves,
    the next is listed: it joins the lists (and its tag gets a page)."""
    pages = {"items_per_page": 2, "feed_items": 2, "jobs": jobs}
    content, out, settings = _built_with_copies_of_a3(tmp_path, ["c1", "c2", "c3", "c4", "c5"], **pages)
    steps = [  # (the files removed, those added, the copies left)
        (["c4"], [], 4),  # the last by path but one
        (["a3"], [], 3),  # the listed copy: c1 is listed now, with its tag Water and country FR
        (["c5"], [], 2),  # the last by path: the one the cache's map of addresses named
        (["c1", "c3"], ["n1"], 0),  # the listed one with another, and a new article: c2 is no copy now
    ]
    for gone, came, copies in steps:
        _remove(content, *gone)
        for name in came:
            _write_story(content, name, "2024-05-20", ["Water"], ["FR"], "en", f"https://example.com/{name}",
                         text="The ministers met again.")
        report = build(settings)
        assert report.incremental and report.in_place and report.copies == copies
        assert report.articles == len(list(content.glob("*.md")))
        _assert_cold_with_relations(content, out, tmp_path, **pages)
        assert not any((out / "articles" / f"{name}.html").exists() for name in gone)
    assert 'href="c' not in (out / "articles" / "c2.html").read_text(encoding="utf-8")
    assert "c2.html" in (out / "sitemap.xml").read_text(encoding="utf-8")
    _copies_of_a3(content, ["c6"])  # the address is still known: a copy again
    report = build(settings)
    assert report.in_place and report.copies == 1
    assert tree(out) == _cold(content, tmp_path, **pages)


def test_a_whole_group_of_copies_removed_is_made_in_place(tmp_path):
    """A story removed with every copy of it (a mirror deleting it from each
    category): the listed copy leaves its lists as any listed article, the
    others as copies; the site and the relation state are a cold build's,
    and a file that gives the address again later is a new article."""
    content, out, settings = _built_with_copies_of_a3(tmp_path, ["c1", "c2"], items_per_page=2)
    _remove(content, "a3", "c1", "c2", "a6")
    report = build(settings)
    assert report.incremental and report.in_place and report.copies == 0 and report.articles == 7
    _assert_cold_with_relations(content, out, tmp_path, items_per_page=2)
    _copies_of_a3(content, ["c2"])
    report = build(settings)
    assert report.in_place and report.copies == 0 and report.articles == 8
    assert tree(out) == _cold(content, tmp_path, items_per_page=2)


@pytest.mark.parametrize("case", ["the listed one edited", "a copy filed again"])
def test_a_removed_copy_whose_group_changes_otherwise_takes_the_full_plan(tmp_path, case):
    """A copy not listed that leaves while its group's listed copy is
    edited, or while another copy of its group comes: the full plan makes
    it, and the site is the cold one."""
    content, out, settings = _built_with_copies_of_a3(tmp_path, ["c1", "c2"], items_per_page=2)
    _remove(content, "c2")
    if case == "the listed one edited":
        (content / "a3.md").write_text("Story a3\n\nThe ministers met on Friday.\n", encoding="utf-8")
    else:
        _copies_of_a3(content, ["c3"])
    report = build(settings)
    assert report.incremental and not report.in_place
    assert tree(out) == _cold(content, tmp_path, items_per_page=2)


def test_a_removed_file_that_was_no_article_takes_the_full_plan(tmp_path):
    content = tmp_path / "content"
    content.mkdir()
    _small_archive(content)
    (content / "empty.md").write_bytes(b"")
    out = tmp_path / "work" / "site"
    assert build(make_settings(content, out)).skipped
    (content / "empty.md").unlink()
    report = build(make_settings(content, out))
    assert report.incremental and not report.in_place and not report.skipped
    assert tree(out) == _cold(content, tmp_path)


@pytest.mark.parametrize("child", ["relates", "fails"])
def test_an_addition_and_a_removal_in_place_relate_in_a_child_as_here(tmp_path, monkeypatch, child):
    """Articles that come or leave change every relation's weight: an edit
    in place scores them all again, in a forked child while it plans the
    groups. A child that fails leaves it to the build, which makes the
    same site."""
    import builder.inplace
    from builder import related
    monkeypatch.setattr(builder.inplace, "RELATE_APART", 1)
    relating_here: list[int] = []
    monkeypatch.setattr(related, "relations_after", _counted_here(related.relations_after, child, relating_here))
    content = tmp_path / "content"
    content.mkdir()
    _small_archive(content)
    out = tmp_path / "work" / "site"
    settings = make_settings(content, out, items_per_page=2, jobs=2)
    build(settings)
    _write_story(content, "n", "2024-06-01", ["Energy"], ["DE"], "en", "https://example.com/n", text="Again.")
    _remove(content, "a3")
    report = build(settings)
    assert report.in_place and report.processed == 1
    assert tree(out) == _cold(content, tmp_path, items_per_page=2)
    assert relating_here == ([] if child == "relates" else [1])


@pytest.mark.skipif(not Path("/proc/self/fd").is_dir(), reason="needs /proc to list open files")
@pytest.mark.parametrize("jobs", [1, 2])
def test_builds_in_one_process_leave_no_cache_connection_open(tmp_path, jobs):
    """``serve`` builds again and again in one process: a build (a full one,
    an edit in place, an addition by the full plan) closes every connection
    to the cache it opened."""
    def open_cache_files() -> list[str]:
        fds = Path("/proc/self/fd")
        return [target for fd in fds.iterdir() if "sqlite" in (target := os.readlink(fd) if fd.exists() else "")]

    content, out = copy_seeds(tmp_path / "content"), tmp_path / "site"
    settings = make_settings(content, out, jobs=jobs)
    before = open_cache_files()
    build(settings)
    _edit_a_seed(content)
    assert build(settings).in_place
    seed = sorted(path for path in content.iterdir() if path.suffix == ".txt")[0]
    shutil.copyfile(seed, content / f"{seed.stem.upper()}{seed.suffix}")  # (takes a slug: the full plan)
    assert not build(settings).in_place
    assert open_cache_files() == before
