"""Write stage: a staging folder that becomes ``site/`` only when the build succeeds.

The build writes into ``.site.staging-<pid>`` beside the output folder. When it
is complete, the old output folder is moved aside, the staging folder moved
into place, and the old one removed. A build that fails leaves the previous
site as it was. The builder replaces only a folder that holds its marker file,
so it never deletes a folder it did not create. No path may leave the staging
folder.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path, PurePosixPath

from builder.errors import OutputError

MARKER = ".archive-builder"
MARKER_TEXT = "This folder is written by archive-builder; it replaces it on every build.\n"


class StagingSite:
    """The site being built. ``write`` takes POSIX paths relative to the site root."""

    def __init__(self, out_dir: Path):
        self.out_dir = out_dir.resolve()
        _check_replaceable(self.out_dir)
        self.out_dir.parent.mkdir(parents=True, exist_ok=True)
        self.root = self.out_dir.parent / f".{self.out_dir.name}.staging-{os.getpid()}"
        if self.root.exists():
            shutil.rmtree(self.root)
        self.root.mkdir()
        self.files = 0
        self._pages: list[str] = []

    def path_for(self, rel: str) -> Path:
        posix = PurePosixPath(rel)
        if posix.is_absolute() or ".." in posix.parts or not posix.parts:
            raise OutputError(f"refusing to write outside the site: {rel!r}")
        return self.root.joinpath(*posix.parts)

    def write_text(self, rel: str, text: str) -> None:
        self.write_bytes(rel, text.encode("utf-8"))

    def write_bytes(self, rel: str, data: bytes) -> None:
        target = self.path_for(rel)
        if target.exists():
            raise OutputError(f"two outputs claim the same path: {rel}")
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(data)
        self.files += 1
        if rel.endswith(".html"):
            self._pages.append(rel)

    def written_pages(self) -> list[str]:
        """HTML pages written through this object (not by worker processes)."""
        return list(self._pages)

    def copy_tree(self, source: Path, rel_prefix: str) -> None:
        for path in sorted(source.rglob("*")):
            if path.is_file() and not any(p.startswith(".") for p in path.relative_to(source).parts):
                self.write_bytes(f"{rel_prefix}/{path.relative_to(source).as_posix()}", path.read_bytes())

    def commit(self) -> None:
        """Swap the staging folder into place."""
        (self.root / MARKER).write_text(MARKER_TEXT, encoding="utf-8")
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

    def abandon(self) -> None:
        """Remove the staging folder after a failed build; the old site stays."""
        if self.root.exists():
            shutil.rmtree(self.root)


def _check_replaceable(out_dir: Path) -> None:
    if not out_dir.exists():
        return
    if not out_dir.is_dir():
        raise OutputError(f"{out_dir} exists and is not a folder")
    if any(out_dir.iterdir()) and not (out_dir / MARKER).is_file():
        raise OutputError(f"{out_dir} exists, is not empty and was not written by archive-builder "
                          f"(no {MARKER} file); refusing to replace it. Choose another --out "
                          f"or empty that folder.")
