"""The commit's trash: what a commit replaces or drops, set aside at once and
deleted here or by a remover process of its own (``builder.write``)."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from builder import write as write_module
from builder.build import build
from builder.errors import OutputError
from builder.write import MARKER, StagingSite, stage, wait_for_removals
from tests.conftest import ROOT, make_settings, tree


def _old_site(out: Path, files: dict[str, bytes]) -> None:
    out.mkdir(parents=True)
    (out / MARKER).write_text("build: before\n", encoding="utf-8")
    for rel, data in files.items():
        (out / rel).parent.mkdir(parents=True, exist_ok=True)
        (out / rel).write_bytes(data)


def _staged(out: Path, files: dict[str, bytes]) -> StagingSite:
    site = StagingSite(out)
    for rel, data in files.items():
        stage(str(site.root), rel, data, set())
    return site


def _trash(folder: Path, name: str = "site") -> list[Path]:
    return sorted(p for p in folder.glob(f".{name}.trash-*") if write_module._TRASH_TAIL.fullmatch(
        p.name.removeprefix(f".{name}.trash-")))


def _marked(build_id: str, files: dict[str, bytes]) -> dict[str, bytes]:
    return {MARKER: write_module._marker(build_id), **files}


def _ended_pid() -> int:
    process = subprocess.Popen([sys.executable, "-c", "pass"])
    process.wait()
    return process.pid


@pytest.fixture
def started(monkeypatch) -> list[dict]:
    """The arguments of every remover started (started for real; other
    processes are not counted)."""
    calls, popen = [], subprocess.Popen

    def recording(args, **kwargs):
        if write_module._REMOVER in args:
            calls.append({"args": list(args), **kwargs})
        return popen(args, **kwargs)

    monkeypatch.setattr(write_module.subprocess, "Popen", recording)
    return calls


def test_a_commit_puts_what_it_replaces_or_drops_into_one_trash_folder(tmp_path, monkeypatch):
    """The old versions of staged files and the dropped files go into one
    trash folder beside the site, whole, and the commit hands it on to be
    deleted (here, kept to look at); the site then holds the new files."""
    out = tmp_path / "site"
    _old_site(out, {"a.html": b"old a", "t/b.html": b"old b", "t/gone.html": b"gone", "u/kept.html": b"kept",
                    "v/gone.html": b"gone too"})
    site = _staged(out, {"a.html": b"new a", "t/b.html": b"new b", "w/c.html": b"new c"})
    handed = []
    monkeypatch.setattr(write_module, "remove", lambda folders, apart: handed.append((folders, apart)))
    site.commit_changes(["t/gone.html", "v/gone.html", "x/never-there.html"], "after", apart=True)
    assert tree(out) == _marked("after", {"a.html": b"new a", "t/b.html": b"new b", "u/kept.html": b"kept",
                                           "w/c.html": b"new c"})
    assert not (out / "v").exists()  # emptied, pruned
    [trash] = _trash(tmp_path)
    assert handed == [([trash], False)]  # four files: fewer than REMOVE_APART
    assert sorted(tree(trash).values()) == [b"gone", b"gone too", b"old a", b"old b"]
    assert not site.root.exists()


def test_a_commit_prunes_the_folders_its_removals_empty_without_listing_any(tmp_path, monkeypatch):
    """Folders left empty by the files a commit drops go, up to the first
    that keeps something; the site's own folder stays even when emptied.
    No folder in it is listed to ask whether it is empty: an article folder
    holds thousands of files, and a batch removes hundreds from it."""
    out = tmp_path / "site"
    _old_site(out, {"a/b/c/x.html": b"x", "a/b/y.html": b"y", "a/d/e/z.html": b"z", "f/only.html": b"f",
                    "g/one.html": b"1", "g/two.html": b"2"})
    site = _staged(out, {})
    listed = []
    for name in ("listdir", "scandir"):
        real = getattr(os, name)
        monkeypatch.setattr(write_module.os, name,
                            lambda path=".", _real=real: listed.append(str(path)) or _real(path))
    site.commit_changes(["a/b/c/x.html", "a/d/e/z.html", "f/only.html", "g/one.html"], "after")
    monkeypatch.undo()
    assert tree(out) == _marked("after", {"a/b/y.html": b"y", "g/two.html": b"2"})
    assert sorted(p.relative_to(out).as_posix() for p in out.rglob("*") if p.is_dir()) == ["a", "a/b", "g"]
    assert not [path for path in listed if path.startswith(f"{out}/")]  # (the site's own: once, to check it)


def test_a_replaced_file_never_goes_missing_during_a_commit(tmp_path, monkeypatch):
    """A web server serving the site while it is committed (``build serve``)
    finds every page it had: each replacement is atomic."""
    out = tmp_path / "site"
    files = {f"p{i}.html": b"old" for i in range(5)}
    _old_site(out, files)
    site = _staged(out, {rel: b"new" for rel in files})
    replace, seen = os.replace, []

    def watched(source, target):
        seen.append((Path(target).name, os.path.lexists(target)))
        replace(source, target)

    monkeypatch.setattr(write_module.os, "replace", watched)
    site.commit_changes([], "after")
    assert sorted(seen) == [(rel, True) for rel in sorted(files)]
    assert tree(out) == _marked("after", {rel: b"new" for rel in files})


def test_a_large_trash_is_deleted_by_a_remover_and_a_small_one_here(tmp_path, monkeypatch, started):
    monkeypatch.setattr(write_module, "REMOVE_APART", 3)
    for count, apart, by_remover in ((3, True, True), (2, True, False), (3, False, False)):
        folder = tmp_path / f"{count}-{apart}"
        out = folder / "site"
        _old_site(out, {f"p{i}.html": b"old" for i in range(count)})
        site = _staged(out, {f"p{i}.html": b"new" for i in range(count)})
        started.clear()
        site.commit_changes([], "after", apart=apart)
        assert len(started) == by_remover, (count, apart)
        if not by_remover:
            assert _trash(folder) == []  # gone before the commit returned
        wait_for_removals(timeout=60)
        assert _trash(folder) == [] and not write_module._REMOVERS
        assert tree(out) == _marked("after", {f"p{i}.html": b"new" for i in range(count)})


def test_removers_seen_to_end_are_let_go(tmp_path, monkeypatch):
    """A long-running process (``build serve``) starts a remover at many of
    its commits: the ended ones are reaped and forgotten as it goes."""
    monkeypatch.setattr(write_module, "REMOVE_APART", 1)
    out = tmp_path / "site"
    _old_site(out, {"a.html": b"v0"})
    for version in range(1, 4):
        _staged(out, {"a.html": b"v%d" % version}).commit_changes([], "after", apart=True)
        [remover] = write_module._REMOVERS
        remover.wait(timeout=60)
    assert tree(out) == _marked("after", {"a.html": b"v3"})


def test_a_full_commit_hands_the_old_site_to_a_remover_of_its_own(tmp_path, started):
    """The remover runs isolated (``-I -S``: nothing of the working folder
    is imported) in a session of its own (an interrupt of the build's
    terminal does not stop it), and ends well."""
    out = tmp_path / "site"
    _old_site(out, {"old.html": b"old", "t/x.html": b"x"})
    site = _staged(out, {"new.html": b"new"})
    site.commit("after", apart=True)
    assert tree(out) == _marked("after", {"new.html": b"new"})
    [call] = started
    assert call["args"][:5] == [sys.executable, "-I", "-S", "-c", write_module._REMOVER]
    [folder] = call["args"][5:]
    assert Path(folder).parent == tmp_path and folder.startswith(str(tmp_path / ".site.trash-"))
    assert call["start_new_session"] is True
    [remover] = write_module._REMOVERS
    wait_for_removals(timeout=60)
    assert remover.returncode == 0 and _trash(tmp_path) == []


def test_the_remover_claims_its_folders_then_deletes_them(tmp_path):
    """Run as a build runs it, from a folder whose own ``shutil.py`` would
    break it if imported: each folder it is given is renamed to carry its
    process id (so that builds meanwhile leave it alone), then deleted; a
    folder already gone is passed over."""
    (tmp_path / "shutil.py").write_text("raise SystemExit(3)\n", encoding="utf-8")
    trash = tmp_path / ".site.trash-1-2"
    (trash / "a" / "b").mkdir(parents=True)
    (trash / "a" / "b" / "0").write_bytes(b"old")
    claimed = tmp_path / "watch"
    program = write_module._REMOVER.replace("claimed.append(mine)\n",
                                            f"claimed.append(mine)\nopen({str(claimed)!r}, 'w').write(mine)\n")
    done = subprocess.run([sys.executable, "-I", "-S", "-c", program, str(trash), str(tmp_path / ".site.trash-3-4")],
                          cwd=tmp_path, timeout=60)
    assert done.returncode == 0
    name = Path(claimed.read_text(encoding="utf-8")).name
    assert name.startswith(".site.trash-") and name != trash.name
    assert sorted(p.name for p in tmp_path.iterdir()) == ["shutil.py", "watch"]


def test_a_full_commit_that_cannot_swap_puts_the_old_site_back(tmp_path, monkeypatch):
    out = tmp_path / "site"
    _old_site(out, {"old.html": b"old"})
    site = _staged(out, {"new.html": b"new"})
    rename = Path.rename

    def failing(self, target):
        if self == site.root:
            raise OSError("the disk went away")
        return rename(self, target)

    monkeypatch.setattr(Path, "rename", failing)
    with pytest.raises(OSError, match="disk went away"):
        site.commit("after", apart=True)
    assert tree(out) == {MARKER: b"build: before\n", "old.html": b"old"} and _trash(tmp_path) == []


@pytest.mark.parametrize("obstacle", ["no process", "no interpreter"])
def test_a_remover_that_cannot_start_leaves_the_deletion_to_the_build(tmp_path, monkeypatch, obstacle):
    def no_process(*args, **kwargs):
        raise OSError("no more processes")

    if obstacle == "no process":
        monkeypatch.setattr(write_module.subprocess, "Popen", no_process)
    else:  # Python embedded in a program that is no interpreter
        monkeypatch.setattr(write_module.sys, "executable", None)
    out = tmp_path / "site"
    _old_site(out, {"old.html": b"old"})
    _staged(out, {"new.html": b"new"}).commit("after", apart=True)
    assert tree(out) == _marked("after", {"new.html": b"new"})
    assert _trash(tmp_path) == [] and not write_module._REMOVERS


@pytest.mark.parametrize("name", ["site", "s[1]*"])
@pytest.mark.parametrize("apart", [False, True])
@pytest.mark.parametrize("full", [False, True])
def test_trash_no_process_owns_goes_with_the_next_commit(tmp_path, started, name, apart, full):
    """A remover stopped half-way leaves its trash: the next commit, full or
    not, deletes it, here or through a remover even when its own trash is
    small. Trash a live process owns (another build committing, a remover
    at work), and every other folder beside the site, stay."""
    out = tmp_path / name
    _old_site(out, {"a.html": b"old"})
    stale = tmp_path / f".{name}.trash-{_ended_pid()}-2"
    (stale / "t").mkdir(parents=True)
    (stale / "t" / "0").write_bytes(b"old")
    owned = tmp_path / f".{name}.trash-{os.getppid()}-3"
    kept = [owned, tmp_path / f".{name}.trash-my-notes", tmp_path / f".{name}.trash-2.staging-99",
            tmp_path / f".{name}.trash-{_ended_pid()}-notes", tmp_path / f".{name}x.trash-{_ended_pid()}-5"]
    for folder in kept:
        folder.mkdir()
        (folder / "mine").write_bytes(b"mine")
    linked = tmp_path / f".{name}.trash-{_ended_pid()}-4"
    linked.symlink_to(owned)
    site = _staged(out, {"a.html": b"new"})
    if full:
        site.commit("after", apart=apart)
    else:
        site.commit_changes([], "after", apart=apart)
    assert len(started) == apart
    wait_for_removals(timeout=60)
    assert not stale.exists() and linked.is_symlink()
    assert all((folder / "mine").read_bytes() == b"mine" for folder in kept)
    assert tree(out) == _marked("after", {"a.html": b"new"})


def test_this_process_trash_stays_while_its_remover_may_claim_it(tmp_path):
    """A long-running process (``build serve``) commits again while its
    remover is starting: the trash named after this process is the
    remover's to claim, until the remover has ended."""
    out = tmp_path / "site"
    _old_site(out, {"a.html": b"old"})
    mine = tmp_path / f".site.trash-{os.getpid()}-1"
    mine.mkdir()
    slow = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    write_module._REMOVERS.append(slow)
    try:
        _staged(out, {"a.html": b"new"}).commit_changes([], "after")
        assert mine.is_dir()
    finally:
        slow.kill()
        wait_for_removals(timeout=60)
    _staged(out, {"a.html": b"newer"}).commit_changes([], "later")
    assert not mine.exists()


def test_a_commit_whose_trash_folder_goes_fails_and_the_next_build_is_full(tmp_path, monkeypatch):
    """Another process deleting the trash folder mid-commit would leave a
    dropped file in the site unseen: the commit fails instead, with the
    marker still saying it was committing."""
    out = tmp_path / "site"
    _old_site(out, {"a.html": b"old", "gone.html": b"gone"})
    site = _staged(out, {"a.html": b"new"})
    keep = write_module._Trash.keep

    def keep_then_lose_the_folder(self, target):
        keep(self, target)
        shutil.rmtree(self.path)

    monkeypatch.setattr(write_module._Trash, "keep", keep_then_lose_the_folder)
    with pytest.raises(OutputError, match="trash folder"):
        site.commit_changes(["gone.html"], "after")
    assert write_module.marker_build_id(out) is None


@pytest.mark.parametrize("jobs", [1, 2])
def test_builds_hand_their_trash_to_a_remover_only_with_more_than_one_job(tmp_path, monkeypatch, jobs):
    """The build's commits (a full build, one over a site a build made, an
    incremental build, an edit in place) let a remover delete their trash
    with more than one job; a full build only when its site is large."""
    calls = []
    for method in ("commit", "commit_changes"):
        real = getattr(StagingSite, method)

        def recording(self, *args, real=real, method=method):
            calls.append((method, args[-1]))
            return real(self, *args)

        monkeypatch.setattr(StagingSite, method, recording)
    content = tmp_path / "content"
    shutil.copytree(ROOT / "content", content)
    out = tmp_path / "site"
    settings = make_settings(content, out, jobs=jobs)
    build(settings)
    shutil.rmtree(tmp_path / ".archive-cache")
    build(settings)  # a full build over the site: it changes the site's files
    monkeypatch.setattr(write_module, "REMOVE_APART", 1)
    monkeypatch.setattr("builder.build.REMOVE_APART", 1)
    shutil.rmtree(tmp_path / ".archive-cache")
    shutil.rmtree(out)
    build(settings)
    first = sorted(content.glob("*.txt"))[0]
    first.write_text(first.read_text(encoding="utf-8") + "\nOne more line.\n", encoding="utf-8")
    build(settings)  # an edit in place
    (content / "zz-new.txt").write_text("A new article\nWith a body line.\n", encoding="utf-8")
    build(settings)  # an incremental build
    assert calls == [("commit", False), ("commit_changes", jobs > 1), ("commit", jobs > 1),
                     ("commit_changes", jobs > 1), ("commit_changes", jobs > 1)]


def test_a_rebuild_whose_trash_goes_to_a_remover_equals_a_cold_build(tmp_path, monkeypatch):
    """With more than one job, a change of template rewrites every page;
    its trash goes to a remover, and the site is the one a cold build makes."""
    monkeypatch.setattr(write_module, "REMOVE_APART", 8)
    templates = tmp_path / "templates"
    shutil.copytree(ROOT / "templates", templates)
    out = tmp_path / "site"
    build(make_settings(ROOT / "content", out, jobs=2, templates_dir=str(templates)))
    base = templates / "base.html"
    base.write_text("{# changed #}" + base.read_text(encoding="utf-8").replace("</footer>", " </footer>"),
                    encoding="utf-8")
    report = build(make_settings(ROOT / "content", out, jobs=2, templates_dir=str(templates)))
    assert report.incremental and len(write_module._REMOVERS) == 1
    wait_for_removals(timeout=60)
    assert _trash(tmp_path) == []
    cold = tmp_path / "cold"
    build(make_settings(ROOT / "content", cold / "site", jobs=2, templates_dir=str(templates)))
    assert tree(out) == tree(cold / "site")
