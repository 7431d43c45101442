"""The bench corpus: find or extract it, order its files, and take samples.

The corpus is the folder holding ``MANIFEST.tsv`` and one top-level folder per
mirror (``epic-marker/``, ``gfw-breaker/``, ``ourhimalayas/``), or the tarball
``corpus-29k.tar.xz`` that holds such a folder. A tarball is extracted once
into ``WORK/corpus/`` and reused on later runs.

The sample rule (documented in docs/benchmarks.md): files are grouped by their
top-level folder (the mirror) and sorted by path within each mirror. The i-th
file (0-based) of a mirror holding ``n`` files gets the key
``((i + 0.5) / n, mirror)``, and all files are sorted by that key. A sample of
size N is the first N files of this *stratified order*. So every prefix holds
each mirror in proportion to its share of the corpus (within one file), the
samples are nested (1k ⊂ 5k ⊂ 29k), and the file "added" by the benchmark at
size N is simply file N+1 of the same order.
"""

from __future__ import annotations

import csv
import io
import os
import shutil
import tarfile
from collections import defaultdict
from pathlib import Path

MANIFEST = "MANIFEST.tsv"
_DONE_MARK = ".extracted"


def locate_corpus(corpus: Path, work: Path) -> Path:
    """The corpus folder for ``corpus`` (a folder or a ``.tar.xz``), extracting a
    tarball into ``work/corpus`` the first time."""
    corpus = corpus.expanduser().resolve()
    if corpus.is_dir():
        return _corpus_root(corpus)
    if not corpus.is_file():
        raise SystemExit(f"bench: corpus not found: {corpus} (expected a folder or a .tar.xz)")
    target = work / "corpus"
    if not (target / _DONE_MARK).is_file():
        print(f"extracting {corpus} into {target} (once; reused on later runs)", flush=True)
        partial = work / "corpus.partial"
        shutil.rmtree(partial, ignore_errors=True)
        partial.mkdir(parents=True)
        with tarfile.open(corpus) as archive:
            archive.extractall(partial, filter="data")
        shutil.rmtree(target, ignore_errors=True)
        partial.rename(target)
        (target / _DONE_MARK).write_text(str(corpus) + "\n", encoding="utf-8")
    return _corpus_root(target)


def _corpus_root(folder: Path) -> Path:
    """The folder holding MANIFEST.tsv: ``folder`` itself or one of its children."""
    if (folder / MANIFEST).is_file():
        return folder
    found = sorted(p.parent for p in folder.glob(f"*/{MANIFEST}"))
    if len(found) != 1:
        raise SystemExit(f"bench: expected one {MANIFEST} in {folder} or its sub-folders, found {len(found)}")
    return found[0]


def stratified_order(root: Path) -> list[str]:
    """Every raw file of the corpus (POSIX paths relative to ``root``) in the
    stratified order described in the module docstring."""
    by_mirror: dict[str, list[str]] = defaultdict(list)
    for dirpath, dirnames, filenames in os.walk(root):
        dirnames[:] = [d for d in dirnames if not d.startswith(".")]
        for name in filenames:
            rel = Path(dirpath, name).relative_to(root).as_posix()
            if "/" in rel and not name.startswith("."):  # top-level files are not articles
                by_mirror[rel.split("/", 1)[0]].append(rel)
    keyed = []
    for mirror, paths in by_mirror.items():
        paths.sort()
        keyed.extend((((i + 0.5) / len(paths), mirror), rel) for i, rel in enumerate(paths))
    keyed.sort()
    return [rel for _, rel in keyed]


def mirror_counts(paths: list[str]) -> dict[str, int]:
    counts: dict[str, int] = defaultdict(int)
    for rel in paths:
        counts[rel.split("/", 1)[0]] += 1
    return dict(sorted(counts.items()))


class Manifest:
    """The corpus's provenance manifest, to write the rows of a sample.

    Rows are keyed by ``repo/path``, which is the file's path under the corpus
    root (that is how the builder matches them too)."""

    def __init__(self, root: Path):
        path = root / MANIFEST
        text = path.read_text(encoding="utf-8-sig") if path.is_file() else "repo\tcommit\tpath\tsha256\n"
        lines = text.splitlines(keepends=True)
        self.header = lines[0]
        self.rows: dict[str, str] = {}
        for line in lines[1:]:
            fields = next(csv.reader(io.StringIO(line), delimiter="\t"), [])
            if len(fields) >= 3:
                self.rows[f"{fields[0]}/{fields[2]}"] = line if line.endswith("\n") else line + "\n"

    def text_for(self, paths: list[str]) -> str:
        """The manifest of a sample: the header and the rows of ``paths``, in order."""
        return self.header + "".join(self.rows[p] for p in paths if p in self.rows)


def link_or_copy(source: Path, target: Path) -> None:
    """Hardlink ``source`` to ``target`` (copy across file systems).

    The benchmark never writes through a link: edits replace the file."""
    target.parent.mkdir(parents=True, exist_ok=True)
    try:
        os.link(source, target)
    except OSError:
        shutil.copy2(source, target)


EDIT_SENTENCE = "\n\nThis sentence was appended by the archive-builder benchmark to measure an edit.\n"


def append_sentence(path: Path) -> None:
    """Append ``EDIT_SENTENCE`` to ``path`` by writing a new file over it, so a
    hardlink into the corpus is broken rather than written through."""
    data = path.read_bytes() + EDIT_SENTENCE.encode("utf-8")
    temporary = path.with_name(path.name + ".bench-tmp")
    temporary.write_bytes(data)
    os.replace(temporary, path)
