"""Write stage: new and changed files go to a staging folder; ``site/`` changes
only when the build has succeeded.

A **full** build writes every file into ``.site.staging-<pid>`` beside the
output folder; on success the old output folder is moved aside, the staging
folder moved into place and the old one removed.

An **incremental** build stages only the files whose inputs changed. On
success each staged file is renamed over its old version and the files the
site no longer has are removed. The marker file says "committing" while that
happens, so a commit that is interrupted is noticed by the next build, which
then does a full build instead of trusting the half-updated folder.

Either way a build that fails leaves the previous site as it was. The builder
replaces only a folder that holds its marker file, so it never deletes a
folder it did not create, and no path may leave the site folder.

What the commit replaces or removes (the old site, the old versions of
changed files, the dropped files) goes first into a trash folder beside the
site, ``.<site>.trash-<pid>-<time>``, then is deleted. Putting it there
costs little (an old version is linked in before the new one replaces it,
so its path never goes missing for a reader; a dropped file is renamed
in); freeing a file does not: on these machines' disks (ext4 mounted with
``discard``) replacing 20,000 files took 1.85 s, and linking each aside
first, then replacing it, 0.41 s. A change of template at 29,000 articles
replaced 83,000 files: 11.7 s of a 14.3 s commit. So when the trash holds
many files (``REMOVE_APART``) and the build may use more than one process,
a small process of its own, in a session of its own at the lowest
priority, deletes it after the site is in place, and the build returns at
once. A trash folder that no live process owns any more is deleted by the
next commit.
"""

from __future__ import annotations

import functools
import hashlib
import os
import re
import shutil
import subprocess
import sys
import time
from collections.abc import Iterable
from pathlib import Path, PurePosixPath

from builder.errors import OutputError

MARKER = ".archive-builder"
MARKER_TEXT = "This folder is written by archive-builder; it replaces it on every build.\n"
_COMMITTING = "committing"

REMOVE_APART = 256
"""From how many files in the trash a separate process deletes it (when the
build may use more than one): below it, deleting them here costs less than
starting a process (a few milliseconds)."""

_REMOVER = """\
import os, shutil, sys, time
try:
    os.nice(19)
except OSError:
    pass
claimed = []
for folder in sys.argv[1:]:
    mine = f"{folder.rsplit('-', 2)[0]}-{os.getpid()}-{time.time_ns()}"
    try:
        os.rename(folder, mine)
    except OSError:
        continue
    claimed.append(mine)
for folder in claimed:
    shutil.rmtree(folder, ignore_errors=True)
"""
"""The remover's program (run with ``-I -S``: it imports only the standard
library, never a module of the working folder, and starts in milliseconds).
It first claims each trash folder by renaming it to its own process id, so
that builds meanwhile leave it alone (``StagingSite._stale_trash``), then
deletes them at the lowest priority."""

_TRASH_TAIL = re.compile(r"([0-9]+)-[0-9]+")
"""What follows ``.<site>.trash-`` in a trash folder's name: the id of the
process that owns it, and a time."""

_REMOVERS: list[subprocess.Popen] = []
"""Removers started by this process and not yet seen to end."""


def marker_build_id(out_dir: Path) -> str | None:
    """The id of the build that wrote ``out_dir`` (None if unknown or interrupted)."""
    try:
        lines = (out_dir / MARKER).read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError):
        return None
    for line in lines:
        if line.startswith("build: "):
            value = line.removeprefix("build: ").strip()
            return None if value == _COMMITTING else value
    return None


def _marker(build_id: str) -> bytes:
    return (MARKER_TEXT + f"build: {build_id}\n").encode("utf-8")


def site_files(folder: Path) -> set[str]:
    """Site-relative POSIX paths of every file under ``folder``, but the marker
    (``os.scandir``: a site has a hundred thousand files)."""
    found: set[str] = set()
    stack = [(folder, "")]
    while stack:
        current, prefix = stack.pop()
        with os.scandir(current) as entries:
            for entry in entries:
                if entry.is_dir(follow_symlinks=False):
                    stack.append((entry.path, f"{prefix}{entry.name}/"))
                else:
                    found.add(prefix + entry.name)
    found.discard(MARKER)
    return found


def folder_digests(root: Path, folders: Iterable[str]) -> dict[str, str]:
    """A hash of the sorted names in each of the site-relative ``folders``
    (``""`` is ``root``) that is there: files and folders alike, so a file
    added to a folder or removed from it changes the folder's hash, and a
    folder added or removed changes its parent's. Listing the site's hundred
    folders takes a third of the time of listing its hundred thousand files
    one by one (``site_files``), and needs no sorting of the whole."""
    found = {}
    for folder in folders:
        try:
            names = os.listdir(os.path.join(root, *folder.split("/")) if folder else root)
        except (FileNotFoundError, NotADirectoryError):
            continue
        names.sort()
        found[folder] = hashlib.blake2b("\0".join(names).encode("utf-8", "surrogateescape"),
                                        digest_size=16).hexdigest()
    return found


def folders_of(paths: Iterable[str]) -> set[str]:
    """The folders holding the site-relative ``paths``, with their parents up
    to the site's root (``""``)."""
    folders = {""}
    for path in paths:
        folder = path.rpartition("/")[0]
        while folder not in folders:
            folders.add(folder)
            folder = folder.rpartition("/")[0]
    return folders


def staged_path(root: Path, rel: str) -> Path:
    """Where the site file ``rel`` (a POSIX path) goes under ``root``; refuses
    a path that would leave it."""
    posix = PurePosixPath(rel)
    if posix.is_absolute() or ".." in posix.parts or not posix.parts:
        raise OutputError(f"refusing to write outside the site: {rel!r}")
    return root.joinpath(*posix.parts)


def site_path(rel: str) -> str:
    """The file ``rel`` names in the site, as ``staged_path`` places it:
    ``a//b.html`` and ``a/./b.html`` are ``a/b.html``. (Two outputs whose
    paths differ only so would overwrite each other.)"""
    return rel if _PLAIN.fullmatch(rel) else "/".join(PurePosixPath(rel).parts)


def stage(root: str, rel: str, data: bytes, folders: set[str]) -> None:
    """Write ``data`` to the site file ``rel`` under the staging folder
    ``root``, as ``staged_path`` places it. ``folders``: the folders this
    build has made there already (added to), so each is made once: asking
    again costs a failed ``mkdir``, its exception and a ``stat``, and a build
    writes a hundred thousand files into a hundred folders."""
    target = os.path.join(root, rel) if _PLAIN.fullmatch(rel) else str(staged_path(Path(root), rel))
    folder = os.path.dirname(target)
    if folder not in folders:
        os.makedirs(folder, exist_ok=True)
        folders.add(folder)
    with open(target, "wb") as file:
        file.write(data)


_PLAIN = re.compile(r"(?!\.\.?(?:/|$))[^/]+(?:/(?!\.\.?(?:/|$))[^/]+)*")
"""A relative POSIX path of non-empty names, none of them ``.`` or ``..``:
one ``staged_path`` joins to its root unchanged (the others it normalises or
refuses)."""


class StagingSite:
    """The files being built, staged under ``root`` (see ``stage``) until the
    build commits them."""

    def __init__(self, out_dir: Path):
        self.out_dir = out_dir.resolve()
        _check_replaceable(self.out_dir)
        self.out_dir.parent.mkdir(parents=True, exist_ok=True)
        self.root = self.out_dir.parent / f".{self.out_dir.name}.staging-{os.getpid()}"
        if self.root.exists():
            shutil.rmtree(self.root)
        self.root.mkdir()

    @functools.cached_property
    def current_files(self) -> set[str]:
        """The files of the site this build replaces (``site_files``), listed
        once: the checks and the comparison of one build share the listing."""
        return site_files(self.out_dir)

    def intact(self, recorded: dict[str, str] | None) -> bool:
        """Whether the site's folders hold what they held when ``recorded``
        (``folder_digests`` of every folder of the site)."""
        return bool(recorded) and folder_digests(self.out_dir, recorded) == recorded

    def staged(self) -> list[str]:
        """Site-relative POSIX paths of the staged files, sorted."""
        return sorted(site_files(self.root))

    def commit(self, build_id: str, apart: bool = False) -> None:
        """Full build: swap the staging folder into place. ``apart``: the
        old site (and trash left by earlier commits) is deleted by a remover
        process (see ``remove``)."""
        (self.root / MARKER).write_bytes(_marker(build_id))
        trash, old = self._stale_trash(), None
        if self.out_dir.exists():
            _check_replaceable(self.out_dir)
            old = self._trash_folder()
            self.out_dir.rename(old)
        try:
            self.root.rename(self.out_dir)
        except BaseException:
            if old is not None:  # the old site back where it was, not left as trash
                old.rename(self.out_dir)
            raise
        remove(trash + ([old] if old else []), apart)

    def commit_changes(self, removed: Iterable[str], build_id: str, apart: bool = False) -> None:
        """Incremental build: move the staged files over the site, drop
        ``removed``. The files replaced or dropped go to a trash folder first
        (see the module's text), deleted by a remover process when
        ``apart`` and they are many (``REMOVE_APART``), else here. Trash of
        earlier commits that no process owns any more goes with it, to a
        remover whenever ``apart`` (it may be large)."""
        _check_replaceable(self.out_dir)
        stale = self._stale_trash()
        marker = self.out_dir / MARKER
        marker.write_bytes(_marker(_COMMITTING))
        trash = _Trash(self._trash_folder())
        made: set[str] = set()
        out, root = f"{self.out_dir}/", f"{self.root}/"
        for rel in self.staged():  # plain POSIX paths inside the staging folder (checked when staged)
            target = out + rel
            parent = target.rpartition("/")[0]
            if parent not in made:
                _make_folder(parent, out, trash)
                made.add(parent)
            trash.keep(target)
            os.replace(root + rel, target)
        emptied = set()
        for rel in sorted(removed):
            if rel != MARKER:
                target = staged_path(self.out_dir, rel)
                # (a file put by hand where a folder goes is gone already:
                # the folder made in its place stays)
                if not target.is_dir() and trash.take(target):
                    emptied.add(target.parent)
        _prune_empty_folders(emptied, self.out_dir)
        marker.write_bytes(_marker(build_id))
        shutil.rmtree(self.root)  # (folders only, by now)
        remove([trash.path] + stale, apart and bool(stale or trash.count >= REMOVE_APART))

    def _trash_folder(self) -> Path:
        """A new trash folder's path, beside the site (on its file system,
        so that moving a file there is a rename)."""
        return self.out_dir.parent / f".{self.out_dir.name}.trash-{os.getpid()}-{time.time_ns()}"

    def _stale_trash(self) -> list[Path]:
        """Trash folders of earlier commits still there, which no process
        owns any more: their remover was stopped, or could not delete
        everything. A folder another build is committing into, or a
        remover deleting, carries that live process's id and is left alone;
        so is this process's own while a remover it started may still be
        about to claim it."""
        prefix, found = f".{self.out_dir.name}.trash-", []
        with os.scandir(self.out_dir.parent) as entries:
            for entry in entries:
                tail = _TRASH_TAIL.fullmatch(entry.name[len(prefix):]) if entry.name.startswith(prefix) else None
                if tail and entry.is_dir(follow_symlinks=False) and not _owned(int(tail[1])):
                    found.append(Path(entry.path))
        return sorted(found)

    def abandon(self) -> None:
        """Remove the staging folder after a failed build; the old site stays."""
        if self.root.exists():
            shutil.rmtree(self.root)


def _make_folder(folder: str, out: str, trash: _Trash) -> None:
    """Make the site's ``folder`` (under ``out``, which ends with ``/``); a
    file standing where it or a folder above it goes (put there by hand,
    since no build makes one) goes to the trash first."""
    try:
        os.makedirs(folder, exist_ok=True)
        return
    except (FileExistsError, NotADirectoryError):
        pass
    path = out.rstrip("/")
    for name in folder[len(out):].split("/"):
        path = f"{path}/{name}"
        if not os.path.isdir(path):
            trash.take(path)
            break
    os.makedirs(folder, exist_ok=True)


class _Trash:
    """A commit's trash folder, made at once: ``keep`` and ``take`` put a
    file (or folder) in it under a number."""

    def __init__(self, path: Path):
        self.path, self.count = path, 0
        os.mkdir(path)

    def keep(self, target: str) -> None:
        """Link ``target``, a file about to be replaced, into the trash: the
        replacement then frees nothing, and the path never goes missing for
        a reader (a web server serving the site meanwhile). Renamed in
        where a link cannot be made (a folder, a file system without
        them); left alone if there is nothing there."""
        try:
            os.link(target, f"{self.path}/{self.count}", follow_symlinks=False)
        except FileNotFoundError:
            self._missing()
            return
        except OSError:
            self.take(target)
            return
        self.count += 1

    def take(self, target: str | Path) -> bool:
        """Move ``target`` in; False if there is nothing there (nor can be:
        a folder above it is a file now)."""
        try:
            os.rename(target, f"{self.path}/{self.count}")
        except (FileNotFoundError, NotADirectoryError):
            self._missing()
            return False
        self.count += 1
        return True

    def _missing(self) -> None:
        """After a file was not found: the target was not there, unless the
        trash folder itself is gone (deleted by another process, which no
        commit should do): then a dropped file would stay in the site
        unseen, so the commit fails, and the next build is a full one."""
        if not os.path.isdir(self.path):
            raise OutputError(f"the commit's trash folder {self.path} was removed while the build used it")


def _owned(pid: int) -> bool:
    """Whether the process ``pid``, which named a trash folder, may still
    be at work on it: alive, or this process with a remover of its own
    not yet seen to end."""
    if pid == os.getpid():
        return any(process.poll() is None for process in _REMOVERS)
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:  # (another user's: alive)
        return True
    return True


def remove(folders: list[Path], apart: bool) -> None:
    """Delete ``folders`` (trash of a commit): when ``apart``, in a remover
    process started in a session of its own (so that an interrupt of the
    build, or the end of the terminal's session, does not stop it), which
    this process does not wait for; else here. A remover that cannot be
    started leaves the work to this process."""
    if not folders:
        return
    if apart and sys.executable:  # (None or "" where Python is embedded)
        _REMOVERS[:] = [p for p in _REMOVERS if p.poll() is None]
        try:
            _REMOVERS.append(subprocess.Popen(
                [sys.executable, "-I", "-S", "-c", _REMOVER, *map(str, folders)], stdin=subprocess.DEVNULL,
                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True))
            return
        except OSError:
            pass
    for folder in folders:
        shutil.rmtree(folder, ignore_errors=True)


def wait_for_removals(timeout: float | None = None) -> None:
    """Wait until the removers this process started have ended (tests, and
    a caller about to delete the site's parent folder itself)."""
    try:
        for process in _REMOVERS:
            process.wait(timeout)
    finally:
        _REMOVERS[:] = [p for p in _REMOVERS if p.poll() is None]


def _prune_empty_folders(folders: Iterable[Path], top: Path) -> None:
    """Remove those of ``folders`` (inside ``top``) that are empty, and
    then their parents below ``top`` that this leaves empty; deepest first,
    each once. ``rmdir`` itself tells whether a folder is empty: asking by
    listing it read the whole folder, once for each file removed from it
    (an article folder holds thousands: 6.4 s for 1,000 articles removed)."""
    for folder in sorted(set(folders), key=lambda f: len(f.parts), reverse=True):
        while folder != top and top in folder.parents:
            try:
                os.rmdir(folder)
            except OSError:  # not empty (or gone, or no folder)
                break
            folder = folder.parent


def _check_replaceable(out_dir: Path) -> None:
    if not out_dir.exists():
        return
    if not out_dir.is_dir():
        raise OutputError(f"{out_dir} exists and is not a folder")
    if any(out_dir.iterdir()) and not (out_dir / MARKER).is_file():
        raise OutputError(f"{out_dir} exists, is not empty and was not written by archive-builder "
                          f"(no {MARKER} file); refusing to replace it. Choose another --out "
                          f"or empty that folder.")
