"""End-to-end: build the seeds and check the contract of the whole pipeline."""

from __future__ import annotations

import hashlib
import itertools
import json
import os
import re
import shutil
import subprocess
import sys
import time
import urllib.parse
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from builder import indexes as indexes_module
from builder.build import StrictFailure, build
from builder.cli import main
from builder.errors import OutputError
from builder.write import MARKER, stage, staged_path
from tests.conftest import BASE_URL, FIXTURES, ROOT, copy_seeds, make_settings, tree


def test_seeds_build_one_page_per_article(seed_site):
    pages = sorted(p.name for p in (seed_site / "articles").glob("*.html"))
    assert len(pages) == 5
    for name in ("index.html", "404.html", ".nojekyll", "tags/index.html", "countries/index.html",
                 "languages/index.html", "sources/index.html", "sitemap.xml", "robots.txt"):
        assert (seed_site / name).is_file(), name


def test_raw_files_are_copied_byte_identical_and_linked(seed_site):
    for source in sorted((ROOT / "content").glob("*.txt")):
        copy = seed_site / "raw" / source.name
        assert copy.read_bytes() == source.read_bytes()
        page = (seed_site / "articles" / (source.stem.replace("_", "-") + ".html")).read_text(encoding="utf-8")
        assert f'href="../raw/{source.name}"' in page
        assert hashlib.sha256(source.read_bytes()).hexdigest() in page


def test_article_jsonld_names_the_raw_file_by_sha256(seed_site):
    page = (seed_site / "articles" / "001-ace06215ba7acc5f.html").read_text(encoding="utf-8")
    blob = re.search(r'<script type="application/ld\+json">(.*?)</script>', page, re.S).group(1)
    data = json.loads(blob)
    raw = (ROOT / "content" / "001_ace06215ba7acc5f.txt").read_bytes()
    assert data["@type"] == "NewsArticle"
    assert data["identifier"]["value"] == hashlib.sha256(raw).hexdigest()
    assert data["headline"].startswith("北约提升与日本关系")
    assert data["datePublished"] == "2023-07-12"
    assert 'itemprop="articleBody"' in page
    assert '<html lang="zh-Hans">' in page


def test_every_internal_link_is_relative_and_names_a_file(seed_site):
    for page in seed_site.rglob("*.html"):
        html = page.read_text(encoding="utf-8")
        for url in re.findall(r'(?:href|src)="([^"]+)"', html):
            if url.startswith(("http://", "https://", "mailto:", "#")):
                continue
            assert not url.startswith("/"), (page, url)
            target = (page.parent / urllib.parse.unquote(url.split("#")[0])).resolve()
            if page.name == "404.html":
                continue  # resolved against <base href>, see test_deploy
            assert target.is_file(), (page.relative_to(seed_site), url)


def test_two_builds_are_byte_identical(tmp_path):
    first, second = tmp_path / "one", tmp_path / "two"
    build(make_settings(ROOT / "content", first, jobs=1))
    build(make_settings(ROOT / "content", second, jobs=2))
    assert tree(first) == tree(second)


def test_any_number_of_jobs_renders_the_same_site(tmp_path, corpus_site):
    """The real sample (hundreds of outputs: rendered by this process beside
    forked workers when there is more than one job) comes out the same with
    one job, two (``corpus_site``) and three."""
    for jobs in (1, 3):
        out = tmp_path / f"jobs-{jobs}" / "site"
        build(make_settings(FIXTURES / "corpus", out, base_url=BASE_URL, jobs=jobs))
        assert tree(out) == tree(corpus_site), jobs


def test_a_cache_without_its_site_makes_the_same_site_processing_nothing(tmp_path, corpus_site):
    """What the Pages workflow does: the cache folders come back from the
    last run, the site does not. Every article is taken from the cache, and
    the site is the one a cold build makes."""
    out = tmp_path / "site"
    settings = make_settings(FIXTURES / "corpus", out, base_url=BASE_URL, jobs=2)
    build(settings)
    shutil.rmtree(out)
    report = build(settings)
    assert report.processed == 0 and report.articles > 50
    assert tree(out) == tree(corpus_site)


def _copies_apart(monkeypatch) -> list:
    """Stage the raw copies apart from any number of articles; the copiers made."""
    import builder.build as build_module
    made = []

    class Recorded(build_module._RawCopies):
        def __init__(self, *args):
            super().__init__(*args)
            made.append(self)

    monkeypatch.setattr(build_module, "RAW_COPIES_APART", 1)
    monkeypatch.setattr(build_module, "_RawCopies", Recorded)
    return made


def _rendered_paths(monkeypatch) -> list[str]:
    """The outputs the build renders itself (in this process or its render workers)."""
    import builder.build as build_module
    rendered: list[str] = []
    render = build_module._render

    def recorded(settings, site, todo, *rest):
        rendered.extend(o.path for o in todo)
        return render(settings, site, todo, *rest)

    monkeypatch.setattr(build_module, "_render", recorded)
    return rendered


def test_raw_copies_staged_apart_make_the_same_site(tmp_path, monkeypatch, corpus_site):
    """A full build stages the raw files' copies in a child while it plans,
    and renders none of them itself: the site is the one the render workers
    make (``corpus_site``), every raw file's copy included."""
    made, rendered = _copies_apart(monkeypatch), _rendered_paths(monkeypatch)
    out = tmp_path / "site"
    build(make_settings(FIXTURES / "corpus", out, base_url=BASE_URL, jobs=2))
    assert len(made) == 1 and len(made[0].paths) > 50
    assert not set(rendered) & set(made[0].paths) and len(rendered) > 100
    assert all((out / rel).read_bytes() == read_source() for rel, read_source in made[0].paths.items())
    assert tree(out) == tree(corpus_site)


def _stops_after_one(exit_with):
    def stage_one(root, copies, build):
        from builder.build import stage
        stage(root, copies[0][0], b"half written", set())
        raise exit_with
    return stage_one


@pytest.mark.parametrize("stopped_by", [OSError("disk full"), SystemExit(0), KeyboardInterrupt()],
                         ids=["error", "exit-0", "interrupt"])
def test_raw_copies_a_stopped_child_left_are_made_by_the_build(tmp_path, monkeypatch, corpus_site, stopped_by):
    """A child that stops before its last copy, however (an error, or an
    inherited signal handler's ``sys.exit()``, which would exit 0), leaves
    every copy to the build, and the site is whole."""
    import builder.build as build_module
    made, rendered = _copies_apart(monkeypatch), _rendered_paths(monkeypatch)
    monkeypatch.setattr(build_module, "_stage_copies", _stops_after_one(stopped_by))
    out = tmp_path / "site"
    build(make_settings(FIXTURES / "corpus", out, base_url=BASE_URL, jobs=2))
    assert len(made) == 1 and set(made[0].paths) <= set(rendered)
    assert tree(out) == tree(corpus_site)


def test_raw_copies_stop_once_the_build_that_forked_the_copier_is_gone(tmp_path):
    """The copier stops at its next check when its parent is not the build
    (a process whose parent dies gets another), and stages on while it is."""
    from builder.build import _BuildGone, _stage_copies
    copies = [(f"raw/{n}.txt", lambda: b"x") for n in range(300)]
    with pytest.raises(_BuildGone):
        _stage_copies(str(tmp_path / "gone"), copies, build=os.getpid())  # never this process's parent
    assert not (tmp_path / "gone").exists()
    _stage_copies(str(tmp_path / "here"), copies, build=os.getppid())
    assert len(list((tmp_path / "here" / "raw").iterdir())) == 300


_KILLED_BUILD = """
import os, signal, sys, time
from multiprocessing import get_context
from builder.build import _copy_apart

def slow():
    time.sleep(0.002)
    return b"x"

copies = [(f"raw/{n}.txt", slow) for n in range(5000)]
child = get_context("fork").Process(target=_copy_apart, args=(sys.argv[1], copies, os.getpid()))
child.start()
with open(sys.argv[2], "w") as pid:
    pid.write(str(child.pid))
raw, deadline = os.path.join(sys.argv[1], "raw"), time.monotonic() + 30
while time.monotonic() < deadline and not (os.path.isdir(raw) and len(os.listdir(raw)) >= 10):
    time.sleep(0.01)  # (the child has started staging: it is the build's child when it first checks)
os.kill(os.getpid(), signal.SIGKILL)  # as the OOM killer would: the child is never stopped
"""


def test_raw_copies_a_killed_build_leaves_stop_being_staged(tmp_path):
    """A build killed hard cannot stop its copier: the copier notices within
    256 copies and stops (it wrote on into a folder no one would use)."""
    root, pid = tmp_path / "staging", tmp_path / "copier.pid"
    # (no pipe to the build: the copier would hold it open, and the run would wait for the copier)
    subprocess.run([sys.executable, "-c", _KILLED_BUILD, str(root), str(pid)], stdout=subprocess.DEVNULL,
                   stderr=subprocess.DEVNULL, cwd=ROOT, timeout=60)
    child = int(pid.read_text())
    try:
        counts = [-1]
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            time.sleep(0.5)
            counts.append(len(list((root / "raw").iterdir())))
            if counts[-1] == counts[-2]:
                break
        assert counts[-1] == counts[-2] and 0 < counts[-1] < 5000, counts
    finally:
        try:
            os.kill(child, 9)
        except ProcessLookupError:
            pass


def test_binary_and_empty_files_are_skipped_and_the_rest_built(tmp_path):
    content = copy_seeds(tmp_path / "content")
    (content / "photo.jpg").write_bytes(b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01" + bytes(range(256)) * 4)
    (content / "empty.md").write_bytes(b"")
    (content / "blank.txt").write_bytes(b"  \n\n ")
    report = build(make_settings(content, tmp_path / "site"))
    skipped = {s.path: s for s in report.skipped}
    assert set(skipped) == {"photo.jpg", "empty.md", "blank.txt"}
    assert "binary" in skipped["photo.jpg"].message
    assert "empty" in skipped["empty.md"].message
    assert all(s.stage == "read" for s in report.skipped)
    assert report.articles == 5
    assert len(list((tmp_path / "site" / "articles").glob("*.html"))) == 5


def test_strict_mode_fails_and_keeps_the_previous_site(tmp_path):
    content = copy_seeds(tmp_path / "content")
    out = tmp_path / "site"
    build(make_settings(content, out))
    before = tree(out)
    (content / "broken.bin").write_bytes(b"\x00\x01\x02binary")
    with pytest.raises(StrictFailure) as failure:
        build(make_settings(content, out, strict=True))
    assert [s.path for s in failure.value.report.skipped] == ["broken.bin"]
    assert tree(out) == before


@pytest.mark.parametrize("plan", ["full", "in place"])
def test_a_build_that_fails_midway_leaves_the_previous_site(tmp_path, monkeypatch, plan):
    """An article added (made in place) or one filed again under a path
    that slugifies as its own, which takes its slug (the full plan): a page
    that fails to be made leaves the site as it was."""
    import builder.inplace
    content = copy_seeds(tmp_path / "content")
    out = tmp_path / "site"
    build(make_settings(content, out))
    before = tree(out)
    if plan == "full":
        seed = sorted(path for path in content.iterdir() if path.is_file())[0]
        shutil.copyfile(seed, content / f"{seed.stem.upper()}{seed.suffix}")
    else:
        (content / "005_new.txt").write_text("A new article\nWith a body line.\n", encoding="utf-8")

    def explode() -> bytes:
        raise RuntimeError("disk full while writing indexes")

    failing = indexes_module.Output("tags/failing.html", "new", explode)
    real_plan, real_pages = indexes_module.plan_indexes, builder.inplace._pages_in_place

    planned = []

    def plan_with_a_failing_page(*args, **kwargs):
        outputs, memo, pages = real_plan(*args, **kwargs)
        planned.append("full")
        return outputs[:3] + [failing] + outputs[3:], memo, pages

    monkeypatch.setattr(indexes_module, "plan_indexes", plan_with_a_failing_page)
    monkeypatch.setattr(builder.inplace, "_pages_in_place", lambda *args: planned.append("in place") or real_pages(*args) + [failing])
    with pytest.raises(RuntimeError):
        build(make_settings(content, out))
    assert planned == [plan]
    assert tree(out) == before
    leftovers = [p.name for p in tmp_path.iterdir() if p.name.startswith(".site")]
    assert leftovers == []


_NAME = st.sampled_from(["a", "tags", "新闻", "x y", ".", "..", "", "...", ".x", "x.", "index.html", "北约.xml"])


@given(st.lists(_NAME, min_size=1, max_size=4).map("/".join), st.booleans())
def test_a_staged_file_lands_where_staged_path_puts_it(rel, absolute):
    """``stage``'s quick join of plain paths places every file as
    ``staged_path`` does, and refuses every path it refuses."""
    import tempfile
    rel = "/" + rel if absolute else rel
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder)
        try:
            expected = staged_path(root, rel)
        except OutputError:
            with pytest.raises(OutputError):
                stage(str(root), rel, b"data", set())
            return
        stage(str(root), rel, b"data", set())
        assert [p for p in root.rglob("*") if p.is_file()] == [expected]
        assert expected.read_bytes() == b"data"


def test_staged_files_share_the_memo_of_made_folders(tmp_path):
    """A render stages many files with one memo: nested and sibling folders
    are made as they are first needed, each once."""
    folders: set[str] = set()
    paths = ["a/b/c.html", "a/b/d.html", "a/e.html", "f.html", "a/b/g/h.html", "x/y.html", "a/b/g/i.html"]
    for rel in paths:
        stage(str(tmp_path), rel, rel.encode(), folders)
    assert sorted(p.relative_to(tmp_path).as_posix() for p in tmp_path.rglob("*") if p.is_file()) == sorted(paths)
    assert all((tmp_path / rel).read_bytes() == rel.encode() for rel in paths)
    assert folders == {str(tmp_path / f) for f in ("a/b", "a", ".", "a/b/g", "x")}


def test_refuses_to_replace_a_folder_it_did_not_create(tmp_path):
    out = tmp_path / "precious"
    out.mkdir()
    (out / "notes.txt").write_text("mine", encoding="utf-8")
    with pytest.raises(OutputError):
        build(make_settings(ROOT / "content", out))
    assert (out / "notes.txt").read_text(encoding="utf-8") == "mine"
    assert not (out / MARKER).exists()


def test_rebuild_replaces_its_own_output(tmp_path):
    out = tmp_path / "site"
    build(make_settings(ROOT / "content", out))
    (out / "stale.html").write_text("old", encoding="utf-8")
    build(make_settings(ROOT / "content", out))
    assert not (out / "stale.html").exists()
    assert (out / MARKER).is_file()


def test_cli_exit_codes(tmp_path, monkeypatch, capsys):
    content = copy_seeds(tmp_path / "content")
    monkeypatch.chdir(ROOT)
    out = tmp_path / "site"
    assert main(["--cache", str(tmp_path / "cache"), "--content", str(content), "--out", str(out), "--jobs", "1", "--quiet"]) == 0
    (content / "bad.bin").write_bytes(b"\x00\x00\x00")
    assert main(["--cache", str(tmp_path / "cache"), "--content", str(content), "--out", str(out), "--jobs", "1", "--strict"]) == 1
    printed = capsys.readouterr().out
    assert "1. bad.bin: [read]" in printed
    assert main(["--cache", str(tmp_path / "cache"), "--content", str(tmp_path / "missing"), "--out", str(out)]) == 2
    (content / "site.toml").write_text("items_per_page = 0\n", encoding="utf-8")
    assert main(["--cache", str(tmp_path / "cache"), "--content", str(content), "--out", str(out)]) == 2
    (content / "site.toml").unlink()
    other = tmp_path / "other"
    other.mkdir()
    (other / "keep.txt").write_text("x", encoding="utf-8")
    assert main(["--cache", str(tmp_path / "cache"), "--content", str(content), "--out", str(other), "--jobs", "1"]) == 3


def test_the_command_flushes_its_summary_and_exits_with_the_build_code(tmp_path):
    """The command ends its process at once (``cli.console``): what it printed
    must still reach a pipe, and its exit code must be the build's."""
    content = copy_seeds(tmp_path / "content")
    environ = {k: v for k, v in os.environ.items() if k != "PYTHONUNBUFFERED"}  # a pipe is block-buffered
    command = [sys.executable, "-m", "builder", "--cache", str(tmp_path / "cache"), "--content", str(content),
               "--out", str(tmp_path / "site"), "--jobs", "1"]
    done = subprocess.run(command, cwd=ROOT, env=environ, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    assert "build done: 5 articles" in done.stdout
    assert "WARNING: no base URL set" in done.stderr
    (content / "bad.bin").write_bytes(b"\x00\x00\x00")
    done = subprocess.run([*command, "--strict"], cwd=ROOT, env=environ, capture_output=True, text=True,
                          timeout=300)
    assert done.returncode == 1
    assert "1. bad.bin: [read]" in done.stdout


def test_the_command_keeps_its_build_when_the_reader_of_its_output_goes(tmp_path):
    """``build | head``: the summary meets a closed pipe after the site is
    committed. The command ends quietly with 141 (as if by SIGPIPE), and the
    site is there."""
    content = copy_seeds(tmp_path / "content")
    command = [sys.executable, "-m", "builder", "--cache", str(tmp_path / "cache"), "--content", str(content),
               "--out", str(tmp_path / "site"), "--jobs", "1"]
    with subprocess.Popen(command, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE) as child:
        child.stdout.close()  # no reader: the first write fails
        errors = child.stderr.read().decode()
        assert child.wait(timeout=300) == 141, errors
    assert "Traceback" not in errors and "BrokenPipe" not in errors
    assert (tmp_path / "site" / "index.html").is_file()


def test_summary_lists_skipped_files_with_reasons(tmp_path, monkeypatch, capsys):
    content = copy_seeds(tmp_path / "content")
    (content / "zero.md").write_bytes(b"")
    monkeypatch.chdir(ROOT)
    assert main(["--cache", str(tmp_path / "cache"), "--content", str(content), "--out", str(tmp_path / "site"), "--jobs", "1"]) == 0
    printed = capsys.readouterr().out
    assert "5 articles" in printed
    assert "1 file(s) skipped:" in printed
    assert "1. zero.md: [read] empty file" in printed
    for name in ("scan", "process", "relate", "plan", "render", "commit"):
        assert re.search(rf"^\s+{name}\s+\d+\.\d\d s", printed, re.M), name


def test_home_lists_newest_first_and_undated_last(seed_site):
    home = (seed_site / "index.html").read_text(encoding="utf-8")
    order = [m for m in re.findall(r'href="articles/([^"]+)\.html"', home)]
    assert order[:3] == ["002-fd40830f1acd1926", "001-ace06215ba7acc5f", "000-9b25765c4741cd75"]
    assert set(order[3:]) == {"003-6beaf405c0428abc", "004-6dd9f12cafea0c39"}


def test_list_pages_are_numbered_from_the_oldest_and_keep_their_articles(tmp_path):
    """Two articles a page: the three dated seeds are on the home page and
    the two undated ones on ``page/undated-1.html``, linked both ways by
    relative links. An article newer than all of them splits the home page:
    the oldest two dated go to ``page/1.html``, and the undated page changes
    only its links to the newer pages. A second newer article joins the
    home page alone; an undated one joins the undated pages. Each leaves the
    other numbered pages as they were, byte for byte."""
    content = copy_seeds(tmp_path / "content")
    (content / "site.toml").write_text('items_per_page = 2\n', encoding="utf-8")
    site = tmp_path / "site"

    def page(path: str) -> str:
        return (site / path).read_text(encoding="utf-8")

    def titles(path: str) -> list[str]:
        return re.findall(r'<li>\s*<h2><a href="[^"]+" lang="[^"]+">([^<]+)</a>', page(path))

    def pages() -> dict[str, str]:
        return {name: page(f"page/{name}") for name in sorted(os.listdir(site / "page"))}

    def add(name: str, date: str) -> None:
        (content / f"{name}.meta.toml").write_text(f'title = "{name}"\n' + (f'date = "{date}"\n' if date else ""),
                                                   encoding="utf-8")
        (content / f"{name}.md").write_text(f"{name}\n\nA story of no consequence, {name}.\n", encoding="utf-8")
        build(make_settings(content, site))

    build(make_settings(content, site))
    dated, undated = titles("index.html"), titles("page/undated-1.html")  # newest first
    assert len(dated) == 3 and len(undated) == 2 and list(pages()) == ["undated-1.html"]
    assert 'href="page/undated-1.html" rel="next"' in page("index.html")
    first_undated = page("page/undated-1.html")
    assert 'href="../index.html" rel="prev"' in first_undated
    assert "<title>The archive · Undated, page 1 · " in first_undated
    assert "5 articles" in page("index.html") and "articles</p>" not in first_undated

    add("New 1", "2099-01-01")
    assert titles("index.html") == ["New 1", dated[0]] and titles("page/1.html") == dated[1:]
    assert page("page/undated-1.html") == first_undated.replace(  # a newer page, and a link to the newest
        '<a href="../index.html" rel="prev">', '<a href="../index.html"><span aria-hidden="true">« </span>Newest</a>\n<a href="1.html" rel="prev">')
    oldest = page("page/1.html")
    assert 'href="../index.html" rel="prev"' in oldest and 'href="undated-1.html" rel="next"' in oldest
    assert "<title>The archive · Page 1 · " in oldest
    times = re.findall(r'<time datetime="([^"]+)">', oldest)  # the page's items', then its span's
    assert len(times) == 4 and times[2:] == [times[1], times[0]] and times[0] > times[1], times
    nav = oldest[oldest.index('<nav class="pagination"'):oldest.index("</nav>", oldest.index('class="pagination"'))]
    assert re.search(r"</a>\s+<span", nav) and re.search(r"</span>\s+<a", nav), nav  # words apart without CSS
    numbered = pages()

    add("New 2", "2099-01-02")
    assert titles("index.html") == ["New 2", "New 1", dated[0]] and "7 articles" in page("index.html")
    assert pages() == numbered

    home = page("index.html")
    add("New 3", "")
    assert pages()["1.html"] == numbered["1.html"] and "New 3" in pages()["undated-1.html"] + pages()["undated-2.html"]
    assert page("index.html") == home.replace("7 articles", "8 articles")


def _build_with_an_older_template(tmp_path: Path, name: str, shipped: str, older: str) -> None:
    """The seeds built into ``tmp_path/ours`` with the shipped templates, and
    into ``tmp_path/older`` with a copy whose ``name`` writes ``older`` where
    the shipped one writes ``shipped``."""
    content = copy_seeds(tmp_path / "content")
    templates = tmp_path / "templates"
    shutil.copytree(ROOT / "templates", templates)
    template = templates / name
    text = template.read_text(encoding="utf-8")
    assert shipped in text
    template.write_text(text.replace(shipped, older), encoding="utf-8")
    build(make_settings(content, tmp_path / "ours"))
    build(make_settings(content, tmp_path / "older", templates_dir=str(templates)))


@pytest.mark.parametrize("loop", [
    '<li><a href="{{ entry.href }}">{{ entry.label }}</a> <span class="n">{{ entry.count }}</span></li>',
    # written when index entries had only ``url``
    '<li><a href="{{ url(entry.url) }}">{{ entry.label }}</a> <span class="n">{{ entry.count }}</span></li>',
])
def test_an_index_template_that_loops_over_its_entries_makes_the_same_pages(tmp_path, loop):
    """A project's own ``index_list.html`` that writes each entry in a loop,
    as the shipped one did before the ``index_items`` filter, builds the
    same pages."""
    _build_with_an_older_template(tmp_path, "index_list.html", "{{ entries | index_items }}</ul>",
                                  f"{{% for entry in entries %}}\n  {loop}\n{{% endfor %}}\n</ul>")
    for facet in ("tags", "countries", "languages", "sources"):
        ours, older = (tmp_path / name / facet / "index.html" for name in ("ours", "older"))
        assert older.read_bytes() == ours.read_bytes(), facet


def test_a_list_template_that_loops_over_its_items_makes_the_same_pages(tmp_path):
    """A project's own ``list.html`` that writes each article in a loop, as
    the shipped one did before the ``list_items`` filter, builds the same
    pages: the home page, a tag's, a country's."""
    from tests.test_render import _LIST_LOOP
    _build_with_an_older_template(tmp_path, "list.html", "{{ items | list_items(t['article.date_unknown']) }}</ol>",
                                  _LIST_LOOP + "</ol>")
    pages = [p.relative_to(tmp_path / "ours") for p in (tmp_path / "ours").rglob("*.html")
             if p.parts[-2] in ("ours", "tags", "countries", "languages", "sources")]
    assert len(pages) > 20
    for page in pages:
        assert (tmp_path / "older" / page).read_bytes() == (tmp_path / "ours" / page).read_bytes(), page


@pytest.mark.parametrize("jobs", [1, 2])  # made here, or in the render workers
@pytest.mark.parametrize("template, line, mistake, problem", [
    ("index_list.html", 7, "{{ entries[0].missing }}", "has no attribute 'missing'"),  # in the list of entries
    ("article.html", 3, "{% if %}", "Expected an expression"),
])
def test_a_template_mistake_is_an_error_naming_the_template_and_its_line(tmp_path, jobs, template, line, mistake,
                                                                         problem):
    from builder.errors import ConfigError
    templates = tmp_path / "templates"
    shutil.copytree(ROOT / "templates", templates)
    out = tmp_path / "site"
    build(make_settings(FIXTURES / "corpus", out, jobs=jobs, templates_dir=str(templates)))
    before = sorted(p.relative_to(out) for p in out.rglob("*"))
    lines = (templates / template).read_text(encoding="utf-8").splitlines()
    lines.insert(line - 1, mistake)
    (templates / template).write_text("\n".join(lines) + "\n", encoding="utf-8")
    with pytest.raises(ConfigError, match=rf"template {re.escape(str(templates / template))}:{line}: .*{problem}"):
        build(make_settings(FIXTURES / "corpus", out, jobs=jobs, templates_dir=str(templates)))
    assert sorted(p.relative_to(out) for p in out.rglob("*")) == before


@pytest.mark.parametrize("jobs, apart", [(1, False), (2, False), (2, True)])
def test_two_outputs_claiming_one_path_fail_the_build_and_keep_the_site(tmp_path, monkeypatch, jobs, apart):
    """Whether it renders in this process or beside forked workers, a build
    whose plan has two files at one path stops before it writes either, and
    the site already built stays as it was; the child staging the raw
    copies (``apart``) is stopped, and its staging folder goes too."""
    import builder.build as build_module
    made = _copies_apart(monkeypatch) if apart else []
    content = copy_seeds(tmp_path / "content")
    out = tmp_path / "site"
    build(make_settings(content, out, jobs=jobs))
    before = {p.relative_to(out).as_posix(): p.read_bytes() for p in out.rglob("*") if p.is_file()}
    plan = build_module._plan

    def doubled(*args, **kwargs):
        outputs, *rest = plan(*args, **kwargs)
        first = outputs[0]
        return [*outputs, first._replace(key="other", make=lambda: b"the second claim")], *rest

    monkeypatch.setattr(build_module, "_plan", doubled)
    if apart:  # a child still copying when the build fails: stopped before the staging folder goes

        def copying(root, copies, build):
            for n in itertools.count():
                os.makedirs(os.path.join(root, "raw"), exist_ok=True)
                Path(root, "raw", f"{n}.txt").write_bytes(b"copy")
                time.sleep(0.001)

        monkeypatch.setattr(build_module, "_stage_copies", copying)
        abandon, alive_at_abandon = build_module.StagingSite.abandon, []

        def watched(site):
            alive_at_abandon.extend(copier._child.is_alive() for copier in made)
            abandon(site)

        monkeypatch.setattr(build_module.StagingSite, "abandon", watched)
    shutil.rmtree(tmp_path / ".archive-cache")  # a full build, which plans every file
    with pytest.raises(OutputError, match="two outputs claim the same path"):
        build(make_settings(content, out, jobs=jobs))
    assert {p.relative_to(out).as_posix(): p.read_bytes() for p in out.rglob("*") if p.is_file()} == before
    assert not list(tmp_path.glob(".site.staging-*"))
    assert all(not copier._child.is_alive() for copier in made) and len(made) == (2 if apart else 0)
    if apart:
        assert alive_at_abandon == [False, False]  # (the first build's child had finished)


def _articles_with_sidecars(content: Path, sidecars: dict[str, str]) -> Path:
    """``content`` made, with a short article ``NAME.md`` for each name and
    its sidecar holding the TOML given: the folder."""
    content.mkdir()
    for name, sidecar in sidecars.items():
        (content / f"{name}.md").write_text(f"# Article {name}\n\nThe text of article {name}.\n", encoding="utf-8")
        (content / f"{name}.meta.toml").write_text(sidecar, encoding="utf-8")
    return content


@pytest.mark.parametrize("jobs", [1, 2])
def test_a_slug_that_names_no_page_of_its_own_is_skipped_and_the_rest_built(tmp_path, jobs):
    """``x//y`` is ``x/y``'s page (the second article would overwrite the
    first), and ``../index`` the home page's: each is an error naming its
    sidecar, that article is skipped, and the others are built (the whole
    build failed, on the paths claimed twice or outside ``articles/``)."""
    content = _articles_with_sidecars(tmp_path / "content", {
        name: f'slug = "{slug}"\n' for name, slug in (("a", "x//y"), ("b", "x/y"), ("c", "../index"), ("d", "x/./z"))})
    report = build(make_settings(content, tmp_path / "site", jobs=jobs))
    assert report.articles == 1 and {skip.path for skip in report.skipped} == {"a.meta.toml", "c.meta.toml",
                                                                              "d.meta.toml"}
    assert all("'slug' must be a path of names under articles/" in skip.message for skip in report.skipped)
    assert "Article b" in (tmp_path / "site" / "articles" / "x" / "y.html").read_text(encoding="utf-8")


def test_languages_written_in_another_case_are_one_language(tmp_path):
    """A sidecar's ``EN`` beside other articles' ``en`` is one language, with
    one page (two groups claimed ``languages/en.html`` and the build failed)."""
    content = _articles_with_sidecars(tmp_path / "content", {
        name: f'language = "{language}"\n' for name, language in (("a", "en"), ("b", "EN"), ("c", "ZH-hans"))})
    build(make_settings(content, tmp_path / "site"))
    assert (tmp_path / "site" / "languages" / "en.html").read_text(encoding="utf-8").count("<h2><a ") == 2
    assert '<html lang="zh-Hans"' in (tmp_path / "site" / "articles" / "c.html").read_text(encoding="utf-8")


def test_a_tag_or_source_named_index_leaves_its_facet_its_index(tmp_path):
    """A tag or source whose name slugifies as ``index`` gets a suffix, as
    for a name another has: ``tags/index.html`` and ``sources/index.html``
    are the facets' indexes (two outputs claimed each, and the build failed)."""
    content = _articles_with_sidecars(tmp_path / "content", {
        "a": 'tags = ["Index"]\npublisher = "INDEX"\n', "b": 'tags = ["Trade"]\npublisher = "Daily Paper"\n'})
    build(make_settings(content, tmp_path / "site"))
    for folder in ("tags", "sources"):
        [page] = (tmp_path / "site" / folder).glob("index-*.html")
        assert f'href="{page.name}"' in (tmp_path / "site" / folder / "index.html").read_text(encoding="utf-8")


def test_the_source_chain_names_each_link_once(seed_site):
    """A GNews post is published and republished by GNews at one address: one
    row. The ZeroHedge story it is based on is linked by its address alone
    in the file; the page names the publisher that address belongs to."""
    page = (seed_site / "articles" / "000-9b25765c4741cd75.html").read_text(encoding="utf-8")
    attribution = page[page.index('class="attribution"'):]
    attribution = attribution[:attribution.index("</section>")]
    assert attribution.count("https://gnews.org/zh-hans/2402170/\"") == 1
    assert "Republished by" not in attribution
    assert re.search(r"ZeroHedge: <a href=\"https://www\.zerohedge\.com/", attribution)


def test_an_article_filed_twice_is_listed_once_and_its_copy_names_it(tmp_path):
    """Two files of one original address (a mirror's two category folders,
    differing in a tracking pixel): both get a page, the first by path is
    listed in the home, feeds, tag and country pages and sitemap; the other
    names it as canonical, says it is a copy, and each links the other."""
    source = FIXTURES / "corpus" / "epic-marker" / "epoch-news" / "pages" / "ncid277" / "n13120152.md"
    content = tmp_path / "content"
    for folder in ("ncid277", "nf1412576"):
        (content / folder).mkdir(parents=True)
        (content / folder / source.name).write_bytes(
            source.read_bytes() + f"\n<img src='http://mirror.example/{folder}/{source.name}'>\n".encode())
    shutil.copy(FIXTURES / "corpus" / "epic-marker" / "epoch-news" / "pages" / "ncid1078158" / "n13463737.md",
                content / "other.md")
    out = tmp_path / "site"
    settings = make_settings(content, out, base_url=BASE_URL)
    report = build(settings)
    assert (report.articles, report.copies) == (3, 1)
    assert build(settings).copies == 1  # a rebuild with nothing to do still tells it
    listed, copy = "articles/ncid277/n13120152.html", "articles/nf1412576/n13120152.html"
    listed_html, copy_html = (out / listed).read_text(encoding="utf-8"), (out / copy).read_text(encoding="utf-8")
    assert f'<link rel="canonical" href="{BASE_URL}{listed}">' in copy_html
    assert f'<link rel="canonical" href="{BASE_URL}{listed}">' in listed_html
    assert 'class="copy-note"' in copy_html and 'class="copy-note"' not in listed_html
    for html in (listed_html, copy_html):  # the JSON-LD names the listed page too
        assert json.loads(html.split('<script type="application/ld+json">')[1].split("</script>")[0])["url"] == \
            f"{BASE_URL}{listed}"
    assert '<a href="../ncid277/n13120152.html"' in copy_html
    assert '<a href="../nf1412576/n13120152.html">nf1412576/n13120152</a>' in listed_html
    home = (out / "index.html").read_text(encoding="utf-8")
    assert listed in home and "nf1412576" not in home
    rss = (out / "feeds" / "rss.xml").read_text(encoding="utf-8")
    assert rss.count("<item>") == 2 and "nf1412576" not in rss
    assert "nf1412576" not in (out / "sitemap.xml").read_text(encoding="utf-8")
    for facet in ("tags", "countries"):
        pages = [p for p in (out / facet).rglob("*.html") if p.name != "index.html"]
        assert pages and not any("nf1412576" in p.read_text(encoding="utf-8") for p in pages)


def test_a_sidecar_chooses_the_copy_listed(tmp_path):
    """``listed = true`` in a copy's sidecar lists that copy instead of the
    first by path; the others name it, as canonical too."""
    source = FIXTURES / "corpus" / "epic-marker" / "epoch-news" / "pages" / "ncid277" / "n13120152.md"
    content = tmp_path / "content"
    for folder in ("a", "b", "c"):
        (content / folder).mkdir(parents=True)
        shutil.copy(source, content / folder / source.name)
    (content / "b" / "n13120152.meta.toml").write_text("listed = true\n", encoding="utf-8")
    out = tmp_path / "site"
    assert build(make_settings(content, out, base_url=BASE_URL)).copies == 2
    home = (out / "index.html").read_text(encoding="utf-8")
    assert "articles/b/n13120152.html" in home and "articles/a/" not in home and "articles/c/" not in home
    for folder in ("a", "c"):
        html = (out / "articles" / folder / "n13120152.html").read_text(encoding="utf-8")
        assert 'class="copy-note"' in html
        assert f'<link rel="canonical" href="{BASE_URL}articles/b/n13120152.html">' in html
    assert 'class="copy-note"' not in (out / "articles" / "b" / "n13120152.html").read_text(encoding="utf-8")


def test_a_copy_links_only_the_tags_and_countries_that_have_a_page(tmp_path):
    """An unlisted copy may name a tag or a country no listed article has
    (its sidecar here): it shows the country unlinked and leaves the tag out,
    and the site has no broken link."""
    from builder.check import audit_site
    source = FIXTURES / "corpus" / "epic-marker" / "epoch-news" / "pages" / "ncid277" / "n13120152.md"
    content = tmp_path / "content"
    for folder in ("a", "b"):
        (content / folder).mkdir(parents=True)
        shutil.copy(source, content / folder / source.name)
    (content / "a" / "n13120152.meta.toml").write_text('countries = ["CN"]\ntags = ["Shared"]\n', encoding="utf-8")
    (content / "b" / "n13120152.meta.toml").write_text(
        'countries = ["CN", "IS"]\ntags = ["Shared", "Only the copy"]\n', encoding="utf-8")
    out = tmp_path / "site"
    build(make_settings(content, out, base_url=BASE_URL))
    copy = (out / "articles" / "b" / "n13120152.html").read_text(encoding="utf-8")
    countries = copy.split('id="countries-heading"')[1].split("</section>")[0]
    assert "<li>Iceland</li>" in countries and '<a href="../../countries/cn.html">' in countries
    tags = copy.split('id="tags-heading"')[1].split("</section>")[0]
    assert "Only the copy" not in tags and 'rel="tag">Shared</a>' in tags
    assert not (out / "countries" / "is.html").exists()
    assert audit_site(out, BASE_URL) == []


def test_summary_tells_how_many_articles_are_copies(tmp_path, capsys):
    from builder.cli import print_summary
    from builder.models import BuildReport
    settings = make_settings(tmp_path, tmp_path / "site", quiet=False, base_url=BASE_URL)
    print_summary(BuildReport(pages=9, articles=5, skipped=(), timings=(), out_dir="site", copies=2), settings)
    assert "build done: 5 articles (2 of them copies of another, listed once), 9 files" in capsys.readouterr().out
