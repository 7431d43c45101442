"""The incremental build cache: one SQLite file outside ``site/``.

What it remembers, and what each entry is keyed by:

* ``files``: path → (mtime, size, SHA-256) of each raw file and sidecar, so an
  unchanged file is not even read again, and of each article the key of its
  record and the hash of its sidecar (``provenance``: its manifest entry).
* ``articles``: the processed record and cleaned body of an article, keyed by
  a hash of everything that decides them — the file's path and SHA-256, its
  sidecar, its manifest entry, and the *rules fingerprint* (the builder's
  version and code, its profiles and data files, the user's vocabulary).
* ``entries``: the small part of each record the reductions read, under the
  same key, in a table of its own: SQLite reads a row's columns in order, so
  beside the bodies every rebuild would walk past them.
* ``outputs``: for every file of the current ``site/``, the hash of what it
  was made from (record, body, related list, templates, settings…). A page
  whose inputs hash the same is neither rendered nor written again.
* ``groups`` and ``members``: each list page group's inputs and outputs, and
  who it is with its members (apart: an edit rewrites the first, and the
  second, a megabyte for the home page's, only when members came, left or
  moved).
* ``meta``: the cache's schema, the rules fingerprint and the id of the build
  that wrote ``site/`` (also written in ``site/``'s marker file).

A cache that cannot be opened, or was written by another schema or another
set of rules, is deleted and rebuilt, never trusted; so is one that SQLite
finds damaged while the build reads it (see ``build.build``).
"""

from __future__ import annotations

import functools
import hashlib
import marshal
import os
import pickle
import sqlite3
import sys
import zlib
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path
from typing import NamedTuple

from builder import __version__
from builder.models import Article, Entry

SCHEMA = f"10 python {sys.version_info[0]}.{sys.version_info[1]} marshal {marshal.version}"
"""The tables' layout, and the Python whose pickle and marshal formats fill them."""
_TABLES = """
CREATE TABLE IF NOT EXISTS meta (k TEXT PRIMARY KEY, v TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS files (path TEXT PRIMARY KEY, mtime_ns INTEGER NOT NULL, size INTEGER NOT NULL,
                                  sha256 TEXT NOT NULL, side TEXT NOT NULL, key TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS provenance (path TEXT PRIMARY KEY, v BLOB NOT NULL);
CREATE TABLE IF NOT EXISTS articles (key TEXT PRIMARY KEY, record BLOB NOT NULL, body BLOB NOT NULL);
CREATE TABLE IF NOT EXISTS entries (key TEXT PRIMARY KEY, entry BLOB NOT NULL);
CREATE TABLE IF NOT EXISTS outputs (path TEXT PRIMARY KEY, key TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS blobs (k TEXT PRIMARY KEY, v BLOB NOT NULL);
CREATE TABLE IF NOT EXISTS groups (id TEXT PRIMARY KEY, inputs TEXT NOT NULL, outputs BLOB NOT NULL,
                                   facet TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS groups_by_facet ON groups (facet);
CREATE TABLE IF NOT EXISTS members (id TEXT PRIMARY KEY, who BLOB NOT NULL);
CREATE TABLE IF NOT EXISTS built (path TEXT PRIMARY KEY, key TEXT NOT NULL, slug TEXT NOT NULL);
"""


def digest(*parts: object) -> str:
    """A stable hash of strings, bytes, numbers and nested tuples, lists and
    dicts of them, which a build computes about four times an output.

    They are written with ``marshal``'s version 2, in C: its strings carry
    their length, so the writing is unambiguous, and unlike later versions
    it writes no references to objects seen before, nor whether a string is
    interned, so equal values are written alike whatever objects hold them.
    ``repr``, which escapes every character of non-Latin text, took seven
    times as long. What marshal does not write (a named tuple, any other
    class) is hashed by its ``repr``, which must then not show an address.
    Never pass a set: its order varies between processes."""
    try:
        data = marshal.dumps(parts, 2)
    except ValueError:
        data = b"r" + repr(parts).encode("utf-8")  # (marshal writes a tuple from "(")
    return hashlib.blake2b(data, digest_size=20).hexdigest()


def tree_fingerprint(*folders: Path, suffixes: tuple[str, ...] = ()) -> str:
    """Hash of every file under the folders (its path under its folder, and
    its bytes), in sorted order: a file moved to another folder counts."""
    h = hashlib.blake2b(digest_size=20)
    for folder in folders:
        if not folder.exists():
            h.update(b"missing:" + str(folder).encode())
            continue
        paths = [folder] if folder.is_file() else sorted(
            p for p in folder.rglob("*") if p.is_file() and "__pycache__" not in p.parts
            and (not suffixes or p.suffix in suffixes))
        for path in paths:
            name = (path.name if path == folder else path.relative_to(folder).as_posix()).encode()
            data = path.read_bytes()
            h.update(len(name).to_bytes(4, "big") + name + len(data).to_bytes(8, "big") + data)
    return h.hexdigest()


# The modules and data that decide an article's record and body (the import
# closure of ``builder.process``; a test keeps this list true). A change to any
# other module (rendering, indexes, feeds, the build itself) re-renders pages
# but does not re-process the archive.
RECORD_CODE = ("process.py", "read.py", "extract.py", "clean.py", "classify.py", "countries.py",
               "topics.py", "models.py", "config.py", "errors.py", "profiles", "data")


def rules_fingerprint(vocabulary: Path | None) -> str:
    """Everything besides the raw file that decides an article record and body."""
    package = Path(__file__).resolve().parent
    code = tree_fingerprint(*(package / name for name in RECORD_CODE), suffixes=(".py", ".toml"))
    extra = vocabulary.read_bytes() if vocabulary and vocabulary.is_file() else b""
    return digest(__version__, code, extra)


@functools.lru_cache(maxsize=1)
def code_fingerprint() -> str:
    """The whole builder's code and data: part of every rendered output's key."""
    return digest(__version__, tree_fingerprint(Path(__file__).resolve().parent, suffixes=(".py", ".toml")))


class GroupRecord(NamedTuple):
    """What a build keeps of one group (the home page, a tag, a country…)
    for the next: the hash of its inputs (``""`` when a quick rebuild left it
    unknown), its outputs' paths and keys, and who it is (``folder``,
    ``key``, ``label``, ``path``: see ``indexes.IndexPlanner.group``) with
    its members, newest first: entries when planned, source paths when read
    back from the cache."""

    inputs: str
    outputs: tuple[tuple[str, str], ...]
    folder: str
    key: str
    label: str
    path: str
    members: Sequence[Entry] | Sequence[str]


class Cache:
    """The cache of one project; ``None``-safe to use when disabled."""

    def __init__(self, path: Path, rules: str):
        self.path = path
        self.rules = rules
        self.fresh = False
        path.parent.mkdir(parents=True, exist_ok=True)
        try:
            self._db = self._open()
        except sqlite3.DatabaseError:
            self._reset()

    def _open(self) -> sqlite3.Connection:
        db = sqlite3.connect(self.path, isolation_level=None, timeout=60)
        db.execute("PRAGMA journal_mode=WAL")
        db.execute("PRAGMA synchronous=NORMAL")
        db.execute("PRAGMA journal_size_limit=67108864")  # a cold build leaves no 250 MB log behind
        db.executescript(_TABLES)
        meta = dict(db.execute("SELECT k, v FROM meta"))
        if meta.get("schema") != SCHEMA or meta.get("rules") != self.rules:
            if meta:
                db.close()
                raise sqlite3.DatabaseError("cache from another version or other rules")
            db.execute("INSERT OR REPLACE INTO meta VALUES ('schema', ?), ('rules', ?)", (SCHEMA, self.rules))
            self.fresh = True
        return db

    def _reset(self) -> None:
        Cache.discard(self.path)
        self._db = self._open()
        self.fresh = True

    @staticmethod
    def discard(path: Path) -> None:
        """Delete the cache file at ``path`` (and its journal)."""
        for suffix in ("", "-wal", "-shm"):
            Path(str(path) + suffix).unlink(missing_ok=True)

    def close(self) -> None:
        self._db.close()

    # -- raw files -----------------------------------------------------------

    def files(self) -> dict[str, tuple[int, int, str, str, str]]:
        """What the last build saw of each raw file and sidecar: path →
        (mtime, size, SHA-256, sidecar's SHA-256, record key); the last two
        are an article's, and hold only under the ``scan_identity``."""
        return {row[0]: row[1:] for row in self._db.execute("SELECT * FROM files")}

    def scan_identity(self) -> str | None:
        return self.meta("scan")

    def provenances(self, paths: Iterable[str]) -> dict[str, bytes]:
        """The marshalled manifest entries the last build kept for these articles."""
        return dict(self._where_in("path, v FROM provenance", "path", paths))

    def touch_files(self, rows: dict[str, tuple[int, int]]) -> None:
        """New (mtime, size) of files whose content did not change."""
        if not rows:
            return
        with self.transaction():
            self._db.executemany("UPDATE files SET mtime_ns = ?, size = ? WHERE path = ?",
                                 ((m, size, p) for p, (m, size) in rows.items()))

    def put_files(self, identity: str, rows: dict[str, tuple[int, int, str, str, str]],
                  stored: dict[str, tuple[int, int, str, str, str]], provenance: dict[str, bytes]) -> None:
        """Replace the rows ``stored`` (what ``files()`` gave) by ``rows``, made
        under ``identity``, writing only the rows that differ, and keep the
        articles' ``provenance`` that was read again (all of it, under an
        identity whose code, its first word, is not the last's)."""
        with self.transaction():
            last = self.scan_identity()
            if last is None or last.split(" ")[0] != identity.split(" ")[0]:  # another code: read all again
                self._db.execute("DELETE FROM provenance")
            if last != identity:
                self.set_meta("scan", identity)
            self._replace_rows("files", rows, stored)
            self._db.executemany("DELETE FROM provenance WHERE path = ?", ((p,) for p in stored.keys() - rows.keys()))
            self._db.executemany("INSERT OR REPLACE INTO provenance VALUES (?, ?)", provenance.items())

    # -- articles ------------------------------------------------------------

    def article(self, key: str):
        row = self._db.execute("SELECT record FROM articles WHERE key = ?", (key,)).fetchone()
        return pickle.loads(row[0]) if row else None

    def keys(self) -> set[str]:
        """The keys of every record the cache holds."""
        return {k for (k,) in self._db.execute("SELECT key FROM articles")}

    def entries(self, keys: list[str]) -> dict[str, Entry | object]:
        """The ``Entry`` of each article found under ``keys``, or its record when
        it has none (a ``Skip``)."""
        rows = [(key, marshal.loads(entry)) for key, entry in self._where_in("key, entry FROM entries", "key", keys)]
        found: dict[str, Entry | object] = dict(zip((key for key, _ in rows), Entry.from_rows(r for _, r in rows)))
        skipped = self._where_in("key, record FROM articles", "key", [k for k in keys if k not in found])
        found.update((key, pickle.loads(record)) for key, record in skipped)
        return found

    def _where_in(self, select: str, column: str, values: Iterable[str]) -> Iterator[tuple]:
        """``SELECT {select} WHERE {column} IN (values)``, in chunks below
        SQLite's limit on parameters."""
        values = list(values)
        for start in range(0, len(values), 500):
            chunk = values[start:start + 500]
            yield from self._db.execute(f"SELECT {select} WHERE {column} IN ({','.join('?' * len(chunk))})", chunk)

    def put_article(self, key: str, record: object, body: str) -> None:
        """Store a processed ``Article`` (with its ``Entry``) or a ``Skip``."""
        self.put_encoded(key, encode_article(key, record, body))

    def put_encoded(self, key: str, encoded: tuple[bytes, bytes, bytes | None]) -> None:
        """Store what ``encode_article`` made (in a worker, so that the parent
        only writes)."""
        record, body, entry = encoded
        self._db.execute("INSERT OR REPLACE INTO articles VALUES (?, ?, ?)", (key, record, body))
        if entry is not None:
            self._db.execute("INSERT OR REPLACE INTO entries VALUES (?, ?)", (key, entry))
        else:
            self._db.execute("DELETE FROM entries WHERE key = ?", (key,))

    # -- outputs and blobs ---------------------------------------------------

    def outputs(self) -> dict[str, str]:
        return dict(self._db.execute("SELECT path, key FROM outputs"))

    def put_outputs(self, outputs: dict[str, str], build_id: str, stored: dict[str, str] | None = None) -> None:
        """Record the site's files; ``stored`` (what ``outputs()`` gave) limits
        the writing to the rows that changed."""
        with self.transaction():
            self._replace_rows("outputs", outputs, stored)
            self.set_meta("build", build_id)

    def set_outputs(self, rows: dict[str, str], build_id: str) -> None:
        """Record the keys of some of the site's files, and its build id."""
        self._db.executemany("INSERT OR REPLACE INTO outputs VALUES (?, ?)", rows.items())
        self.set_meta("build", build_id)

    def forget_outputs(self, paths: Iterable[str]) -> None:
        """Forget the keys of files the site no longer holds."""
        self._db.executemany("DELETE FROM outputs WHERE path = ?", ((p,) for p in paths))

    def groups(self) -> dict[str, tuple[str, tuple[tuple[str, str], ...]]]:
        """The list pages' memo of the last build: group id → (inputs, outputs)
        (see ``indexes.plan_indexes``)."""
        return {i: (inputs, marshal.loads(outputs))
                for i, inputs, outputs in self._db.execute("SELECT id, inputs, outputs FROM groups")}

    def put_groups(self, memo: dict, stored: dict[str, tuple[str, tuple[tuple[str, str], ...]]] | None = None) -> None:
        """Replace the memo ``stored`` (what ``groups()`` gave) by ``memo``
        (``GroupRecord``s), writing only the groups whose inputs or
        outputs changed (all of them without ``stored``)."""
        with self.transaction():
            if stored is None:
                self._db.execute("DELETE FROM groups")
                self._db.execute("DELETE FROM members")
                stored = {}
            self._forget_groups(stored.keys() - memo.keys())
            changed = {i: g._replace(members=tuple(a.source_path for a in g.members))
                       for i, g in memo.items() if stored.get(i) != (g.inputs, g.outputs)}
            self.set_groups(changed, regrouped=changed)

    def groups_of(self, facets: Iterable[tuple[str, str]]) -> dict[str, GroupRecord]:
        """The stored groups of the given (folder, key) pairs, by group id."""
        found = {}
        for facet in facets:
            for i, inputs, outputs, who in self._db.execute(
                    "SELECT id, inputs, outputs, who FROM groups JOIN members USING (id) WHERE facet = ?",
                    (_facet(*facet),)):
                found[i] = _group_record(inputs, outputs, who)
        return found

    def set_groups(self, rows: dict[str, GroupRecord], emptied: Iterable[str] = (),
                   regrouped: Iterable[str] = ()) -> None:
        """Store some groups (id → record, its members as source paths),
        with their members when they are ``regrouped`` (new, or their
        members changed), and forget those ``emptied``."""
        self._forget_groups(emptied)
        self._db.executemany("INSERT OR REPLACE INTO groups VALUES (?, ?, ?, ?)",
                             ((i, g.inputs, marshal.dumps(g.outputs), _facet(g.folder, g.key)) for i, g in rows.items()))
        self._db.executemany("INSERT OR REPLACE INTO members VALUES (?, ?)", (
            (i, marshal.dumps((g.folder, g.key, g.label, g.path, tuple(g.members))))
            for i, g in ((i, rows[i]) for i in regrouped)))

    def _forget_groups(self, ids: Iterable[str]) -> None:
        ids = [(i,) for i in ids]
        self._db.executemany("DELETE FROM groups WHERE id = ?", ids)
        self._db.executemany("DELETE FROM members WHERE id = ?", ids)

    # -- what the last build made of each article -------------------------------

    def built(self, paths: Iterable[str] | None = None) -> dict[str, tuple[str, str]]:
        """source path → (cache key, slug) of the last build's articles (of
        those at ``paths`` only, if given)."""
        rows = (self._db.execute("SELECT path, key, slug FROM built") if paths is None
                else self._where_in("path, key, slug FROM built", "path", paths))
        return {p: (k, s) for p, k, s in rows}

    def put_built(self, rows: dict[str, tuple[str, str]], stored: dict[str, tuple[str, str]] | None) -> None:
        """Replace the rows ``stored`` (what ``built()`` gave; ``None``: all) by ``rows``."""
        self._replace_rows("built", rows, stored)

    def _replace_rows(self, table: str, rows: dict[str, tuple | str], stored: dict[str, tuple | str] | None) -> None:
        """Replace the rows ``stored`` of a table keyed by ``path`` (``None``:
        every row) by ``rows`` (path → its other columns, or its one other
        column), writing only the ones that differ."""
        with self.transaction():
            if stored is None:
                self._db.execute(f"DELETE FROM {table}")
                stored = {}
            self._db.executemany(f"DELETE FROM {table} WHERE path = ?", ((p,) for p in stored.keys() - rows.keys()))
            changed = [(p, *row) if isinstance(row, tuple) else (p, row)
                       for p, row in rows.items() if stored.get(p) != row]
            if changed:
                marks = ", ".join("?" * len(changed[0]))
                self._db.executemany(f"INSERT OR REPLACE INTO {table} VALUES ({marks})", changed)

    def outputs_at(self, paths: Iterable[str]) -> dict[str, str]:
        """The stored keys of the outputs at ``paths``."""
        return dict(self._where_in("path, key FROM outputs", "path", paths))

    def forget_articles(self, keys: Iterable[str]) -> None:
        """Delete the records under ``keys``."""
        keys = [(k,) for k in keys]
        self._db.executemany("DELETE FROM articles WHERE key = ?", keys)
        self._db.executemany("DELETE FROM entries WHERE key = ?", keys)

    def meta(self, key: str) -> str | None:
        row = self._db.execute("SELECT v FROM meta WHERE k = ?", (key,)).fetchone()
        return row[0] if row else None

    def set_meta(self, key: str, value: str) -> None:
        self._db.execute("INSERT OR REPLACE INTO meta VALUES (?, ?)", (key, value))

    def build_id(self) -> str | None:
        row = self._db.execute("SELECT v FROM meta WHERE k = 'build'").fetchone()
        return row[0] if row else None

    def blob(self, key: str):
        row = self._db.execute("SELECT v FROM blobs WHERE k = ?", (key,)).fetchone()
        return pickle.loads(zlib.decompress(row[0])) if row else None

    def put_blob(self, key: str, value: object) -> None:
        self._db.execute("INSERT OR REPLACE INTO blobs VALUES (?, ?)",
                         (key, zlib.compress(pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL), 1)))

    def values(self, key: str):
        """Like ``blob``, for builtins only (``marshal``, uncompressed): several
        times faster to load, for what every rebuild reads."""
        row = self._db.execute("SELECT v FROM blobs WHERE k = ?", ("marshal:" + key,)).fetchone()
        return None if row is None else marshal.loads(row[0])

    def put_values(self, key: str, value: object) -> None:
        self._db.execute("INSERT OR REPLACE INTO blobs VALUES (?, ?)", ("marshal:" + key, marshal.dumps(value)))

    def mapping(self, key: str) -> dict | None:
        """A dict stored by ``put_mapping``, or ``None``."""
        if self._db.execute("SELECT 1 FROM blobs WHERE k = ?", (f"map:{key}",)).fetchone() is None:
            return None
        merged: dict = {}
        for (part,) in self._db.execute("SELECT v FROM blobs WHERE k > ? AND k < ?", (f"map:{key}/", f"map:{key}0")):
            merged.update(marshal.loads(part))
        return merged

    def mapping_values(self, key: str, keys: Iterable[str]) -> dict | None:
        """The values of ``keys`` in a dict stored by ``put_mapping`` (those
        it holds), reading only the parts that would hold them; ``None``
        when no such dict is stored."""
        if self._db.execute("SELECT 1 FROM blobs WHERE k = ?", (f"map:{key}",)).fetchone() is None:
            return None
        wanted: dict[int, list[str]] = {}
        for k in keys:
            wanted.setdefault(_part(k), []).append(k)
        found = {}
        for n, ks in wanted.items():
            row = self._db.execute("SELECT v FROM blobs WHERE k = ?", (f"map:{key}/{n}",)).fetchone()
            part = marshal.loads(row[0]) if row else {}
            found.update((k, part[k]) for k in ks if k in part)
        return found

    def groups_in(self, folder: str) -> list[GroupRecord]:
        """The stored groups of one folder (``tags``, ``languages``…), with
        their members."""
        return [_group_record(*row) for row in self._db.execute(
            "SELECT inputs, outputs, who FROM groups JOIN members USING (id) WHERE facet >= ? AND facet < ?",
            (f"{folder}\t", f"{folder}\n"))]

    def put_mapping(self, key: str, mapping: dict, changed: Iterable[str] | None = None) -> None:
        """Store a dict of builtins with string keys (``marshal``), in
        ``MAPPING_PARTS`` parts by key, so that a rebuild after an edit
        rewrites the parts holding the ``changed`` keys (added, removed or
        given another value) rather than megabytes (the relations, the tags'
        labels and the sitemap's pages of a large archive). ``changed`` is
        ``None``: the whole dict."""
        if changed is None:
            parts: list[dict] = [{} for _ in range(MAPPING_PARTS)]
            for k, value in mapping.items():
                parts[_part(k)][k] = value
            self._db.execute("DELETE FROM blobs WHERE k > ? AND k < ?", (f"map:{key}/", f"map:{key}0"))
            self._db.executemany("INSERT INTO blobs VALUES (?, ?)",
                                 ((f"map:{key}/{n}", marshal.dumps(part)) for n, part in enumerate(parts)))
            self._db.execute("INSERT OR REPLACE INTO blobs VALUES (?, ?)", (f"map:{key}", b""))
            return
        dirty: dict[int, list[str]] = {}
        for k in changed:
            dirty.setdefault(_part(k), []).append(k)
        for n, keys in dirty.items():
            name = f"map:{key}/{n}"
            row = self._db.execute("SELECT v FROM blobs WHERE k = ?", (name,)).fetchone()
            part = marshal.loads(row[0]) if row else {}
            for k in keys:
                if k in mapping:
                    part[k] = mapping[k]
                else:
                    part.pop(k, None)
            self._db.execute("INSERT OR REPLACE INTO blobs VALUES (?, ?)", (name, marshal.dumps(part)))

    def begin(self) -> None:
        self._db.execute("BEGIN")

    def commit(self) -> None:
        self._db.execute("COMMIT")

    def transaction(self) -> "_Tx":
        """Writes that must land together (a build's record of the site it made)."""
        return _Tx(self)


MAPPING_PARTS = 64
"""The parts ``Cache.put_mapping`` stores a dict in."""


def _part(key: str) -> int:
    """The part of a stored mapping that holds ``key`` (the same in every process)."""
    return zlib.crc32(key.encode("utf-8")) % MAPPING_PARTS


def _group_record(inputs: str, outputs: bytes, who: bytes) -> GroupRecord:
    """A group as the groups and members tables hold it (see ``set_groups``)."""
    return GroupRecord(inputs, marshal.loads(outputs), *marshal.loads(who))


def _facet(folder: str, key: str) -> str:
    """How the groups table names a group's (folder, key)."""
    return f"{folder}\t{key}"


def encode_article(key: str, record: object, body: str) -> tuple[bytes, bytes, bytes | None]:
    """The stored form of an article's record, body and entry (no entry for a ``Skip``).

    The body is stored as UTF-8, not compressed: a build reads each body
    about three times (its page, and 2.1 feeds on average at 29k articles),
    and zlib cost 80 us to compress it and 23 us to read it back each time,
    4.4 s of CPU at 29k, to save 73 MB of the cache's 335."""
    entry = marshal.dumps(Entry.of(record, key).row()) if isinstance(record, Article) else None
    return pickle.dumps(record, protocol=pickle.HIGHEST_PROTOCOL), body.encode("utf-8"), entry


class _Tx:
    """A transaction; one inside another joins the outer one."""

    def __init__(self, cache: Cache):
        self.cache = cache
        self.outer = False

    def __enter__(self) -> None:
        self.outer = not self.cache._db.in_transaction
        if self.outer:
            self.cache._db.execute("BEGIN")

    def __exit__(self, kind, value, tb) -> None:
        if self.outer:
            self.cache._db.execute("COMMIT" if kind is None else "ROLLBACK")


class BodyReader:
    """Read-only access to the cleaned bodies and full records of a cache, for
    render workers and feeds. Each process opens its own connection on first use: a SQLite
    connection must not cross a fork."""

    def __init__(self, path: Path):
        self.path = path
        self._pid = -1
        self._db: sqlite3.Connection | None = None

    @functools.lru_cache(maxsize=1024)
    def read(self, key: str) -> str:
        """The cleaned body stored under an article's cache ``key``."""
        return self._column("body", key).decode("utf-8")

    def record(self, key: str):
        """The full record (``Article``) stored under ``key``."""
        return pickle.loads(self._column("record", key))

    def _column(self, column: str, key: str) -> bytes:
        if self._pid != os.getpid():
            self._db = sqlite3.connect(f"file:{self.path}?mode=ro", uri=True, timeout=60)
            self._pid = os.getpid()
        row = self._db.execute(f"SELECT {column} FROM articles WHERE key = ?", (key,)).fetchone()
        if row is None:
            raise KeyError(key)
        return row[0]

    def close(self) -> None:
        if self._db is not None and self._pid == os.getpid():
            self._db.close()
        self._db, self._pid = None, -1
