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
"""

from __future__ import annotations

import functools
import hashlib
import os
import re
import shutil
from collections.abc import Iterable
from pathlib import Path, PurePosixPath

from builder.errors import OutputError

MARKER = ".archive-builder"
MARKER_TEXT = "This folder is written by archive-builder; it replaces it on every build.\n"
_COMMITTING = "committing"


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

    def commit(self, build_id: str) -> None:
        """Full build: swap the staging folder into place."""
        (self.root / MARKER).write_bytes(_marker(build_id))
        old = None
        if self.out_dir.exists():
            _check_replaceable(self.out_dir)
            old = self.out_dir.parent / f".{self.out_dir.name}.old-{os.getpid()}"
            if old.exists():
                shutil.rmtree(old)
            self.out_dir.rename(old)
        self.root.rename(self.out_dir)
        if old is not None:
            shutil.rmtree(old)

    def commit_changes(self, removed: Iterable[str], build_id: str) -> None:
        """Incremental build: move the staged files over the site, drop ``removed``."""
        _check_replaceable(self.out_dir)
        marker = self.out_dir / MARKER
        marker.write_bytes(_marker(_COMMITTING))
        made: set[str] = set()
        for rel in self.staged():  # paths inside the staging folder (checked when staged)
            target = os.path.join(self.out_dir, *rel.split("/"))
            parent = os.path.dirname(target)
            if parent not in made:
                os.makedirs(parent, exist_ok=True)
                made.add(parent)
            os.replace(os.path.join(self.root, *rel.split("/")), target)
        for rel in sorted(removed):
            if rel == MARKER:
                continue
            target = staged_path(self.out_dir, rel)
            target.unlink(missing_ok=True)
            _prune_empty_parents(target.parent, self.out_dir)
        marker.write_bytes(_marker(build_id))
        shutil.rmtree(self.root)

    def abandon(self) -> None:
        """Remove the staging folder after a failed build; the old site stays."""
        if self.root.exists():
            shutil.rmtree(self.root)


def _prune_empty_parents(folder: Path, top: Path) -> None:
    while folder != top and folder.is_dir() and not any(folder.iterdir()):
        folder.rmdir()
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
