"""``build(settings)``: the whole pipeline, one stage after another.

    scan      walk content/, hash what changed since the last build
    process   read → extract → clean → classify, in worker processes, only
              for files the cache does not already hold
    relate    related articles and translations (a reduction over entries,
              the small part of each record the reductions read)
    plan      every output file with the hash of its inputs
    compare   which of them differ from the site being replaced
    render    article pages, list pages, feeds, sitemap — only the outputs
              whose input hash changed — in workers forked after the plan
              (the processing workers are gone by then); a full build's
              copies of the raw files are staged meanwhile by a child
              forked before relate (``_RawCopies``)
    commit    swap the staging folder in (full build) or move the changed
              files in and remove the stale ones (incremental build); what
              they replace is deleted afterwards, by a process of its own
              when it is large (``write.remove``)

Each stage is timed and counted for the summary. Bodies never collect in the
main process: a worker's cleaned body goes straight into the cache (SQLite)
and render workers read it back, so memory stays bounded however large the
archive is.

When only a few articles changed, came or left since the last build, the
plan, render and commit are made from what that build stored, over the
outputs those changes touch alone (``inplace.edit_in_place``); the full
plan above takes over whenever that cannot be done.
"""

from __future__ import annotations

import gc
import hashlib
import importlib
import marshal
import os
import pickle
import signal
import sqlite3
import sys
import time
import traceback
from collections import defaultdict, deque
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, replace
from functools import partial
from multiprocessing import get_context
from pathlib import Path
from typing import TYPE_CHECKING, NamedTuple

from builder import processes
from builder.cache import (BodyReader, Cache, code_fingerprint, digest, encode_article, rules_fingerprint,
                           tree_fingerprint)
from builder.config import Settings
from builder.errors import ConfigError, OutputError
from builder.models import Article, BuildReport, Entry, Skip, StageTiming
from builder.read import (MANIFEST_FILE, SIDECAR_SUFFIX, VOCABULARY_FILE, ContentEntry, read_manifest, sidecar_rel,
                          walk_content)
from builder.write import (REMOVE_APART, StagingSite, folder_digests, folders_of, marker_build_id, site_path,
                           stage)

if TYPE_CHECKING:
    from builder.indexes import GroupMemo, Output
    from builder.related import Related, RelationState
    from builder.render import PageFingerprints

# The stages' own modules (processing, relations, indexes, rendering) are
# imported where they are first used: a rebuild that finds nothing changed
# never loads them, which is a third of its time.

CACHE_FILE = "cache.sqlite"


class StrictFailure(Exception):
    """Raised by ``build`` in strict mode when any file was skipped."""

    def __init__(self, report: BuildReport):
        self.report = report
        super().__init__(f"{len(report.skipped)} file(s) skipped in strict mode")


class _Scanned(NamedTuple):
    """A raw file found by the scan, with the key of its processed record."""

    path: str
    rel: str
    sha256: str
    key: str
    provenance: bytes | None
    """The manifest's entry for the file (a dict or ``None``), marshalled:
    decoded only when the file is processed; ``None`` when the scan took the
    file's key from the last build's (the cache holds it, see ``_tasks``)."""


@dataclass(frozen=True)
class _Job:
    """What a worker needs (small, picklable)."""

    content_dir: Path
    cache_path: Path
    vocabulary: Path | None


def build(settings: Settings, progress: Callable[[str, int, int], None] | None = None, *,
          exiting: bool = False) -> BuildReport:
    """Build the site described by ``settings``; raise ``ConfigError``/``OutputError``
    on problems that stop the build, and ``StrictFailure`` in strict mode.

    ``exiting``: the process ends right after the build (the command line).
    What the build made is then left to the operating system instead of
    being freed object by object, which at 29k articles takes a third of a
    second.

    A cache found damaged while it is read (SQLite reports a malformed file)
    is discarded and the build starts again from nothing: checking the whole
    file on every open would cost a no-op rebuild a fifth of its time."""
    try:
        return _build(settings, progress, exiting)
    except sqlite3.DatabaseError as error:
        if isinstance(error, sqlite3.OperationalError):  # locked, full disk…: not damage
            raise
        Cache.discard(settings.path("cache_dir") / CACHE_FILE)
        return _build(settings, progress, exiting)


_LEFT_FOR_EXIT: list[dict] = []
"""What an ``exiting`` build made, kept from being freed before the process ends."""


def _build(settings: Settings, progress: Callable[[str, int, int], None] | None, exiting: bool) -> BuildReport:
    content = settings.path("content_dir")
    if not content.is_dir():
        raise ConfigError(f"content folder not found: {content}")
    templates = settings.path("templates_dir")
    if not (templates / "article.html").is_file():
        raise ConfigError(f"templates folder {templates} has no article.html")
    stages = _Stages()
    # (counting the frozen objects walks them all: only at the start, when
    # there are none unless a caller froze its own)
    collecting, unfreeze = gc.isenabled(), gc.get_freeze_count() == 0
    # Nearly everything the build makes in this process lives until the end
    # (scan rows, entries, relations, the plan): the collector, walking them
    # again and again, would only cost time. It runs in the workers, and in
    # this process while it renders.
    gc.disable()
    _reset_worker_state()  # a long-running process (serve) may hold a renderer of older templates
    vocabulary = content / VOCABULARY_FILE
    vocabulary = vocabulary if vocabulary.is_file() else None
    with stages.time("setup"):
        cache = Cache(settings.path("cache_dir") / CACHE_FILE, rules_fingerprint(vocabulary))
    out = settings.path("out_dir")
    built_by = marker_build_id(out)  # the build that made the site there, if one did
    incremental = not cache.fresh and out.is_dir() and cache.build_id() is not None and built_by == cache.build_id()
    # A full build over a site a build made whole (whose cache is gone, or
    # was made by other rules: a new vocabulary, a new version) changes that
    # site's files as an incremental build does, keeping those that come
    # out as they were (see ``_render``).
    over_site = not incremental and built_by is not None
    site = StagingSite(out)
    job = _Job(content, cache.path, vocabulary)
    editor = countries = copies_apart = relating = None
    try:
        summary = cache.blob("summary") if incremental else None
        if summary and settings.workers > 1:
            # Most often an edit, made in place: its worker warms up while the
            # files are scanned (a no-op pays 0.02-0.03 s for it, an edit
            # saves 0.1 s of waiting for the worker).
            editor = processes.EditWorker(job)
        if not incremental:
            # A full build: the country matcher, when none is stored, is built
            # (a child process, 1.2 s) while the files are scanned.
            from builder import countries
            countries.use_cache_dir(job.cache_path.parent)
            countries.build_matcher_soon()
        with stages.time("scan"):
            known = cache.files()
            files = _scan_files(content, known)
            manifest_sha = _manifest_sha(content)
            inputs, others = _inputs_digest(settings, files, manifest_sha)
        build_id = digest(inputs, cache.rules)  # the outputs are a function of these
        if summary and cache.meta("inputs") == inputs:
            if site.intact(cache.values("folders")):
                # nothing that decides any output changed since the site was built
                cache.touch_files({e.rel: (e.mtime_ns, e.size) for e, _ in files
                                   if known.get(e.rel, (e.mtime_ns, e.size))[:2] != (e.mtime_ns, e.size)})
                stages.count("scan", summary[1] + len(summary[2]))
                site.abandon()
                files, article_count, skips, copies = summary
                report = _report(settings, range(article_count), skips, stages, files, 0, True, copies=copies)
                if settings.strict and skips:
                    raise StrictFailure(report)
                return report
        with stages.time("scan"):
            scan = _scanned_articles(content, files, known, cache, manifest_sha)
            scanned = scan.articles
        stages.count("scan", len(scanned))
        from builder.render import page_fingerprints
        fingerprints = page_fingerprints(settings)
        kept_built = _load_built(cache) if incremental else None
        from builder import countries
        countries.use_cache_dir(job.cache_path.parent)  # before the workers fork
        with processes.pool(settings) as run:
            if (summary and scan.changed and kept_built and kept_built[0] == fingerprints.site
                    and cache.meta("others") == others and not (settings.strict and summary[2])):
                if editor and sum(s.rel in scan.changed for s in scanned) > EDIT_WORKER_LIMIT:
                    editor.close()  # before the pool forks its workers
                    editor = None
                    with stages.time("process"):
                        _ready_to_fork(job)
                from builder.inplace import edit_in_place
                report = edit_in_place(settings, job, cache, editor.run if editor else run, site, scan, summary,
                                       kept_built[1], fingerprints, inputs, build_id, stages)
                if report:
                    return report
            stored = cache.keys()
            # the few files of an addition (or of an edit not made in place)
            # go to the edit worker, which is warm: a pool's worker would
            # first load the matchers
            few = editor is not None and sum(s.key not in stored for s in scanned) <= EDIT_WORKER_LIMIT
            if editor and not few:
                editor.close()  # before the pool forks its workers
            articles, skips, stored_keys = _process(editor.run if few else run, job, cache, scanned, stored,
                                                    stages, progress)
        articles = resolve_slug_collisions(articles)
        if not incremental and settings.workers > 1 and len(articles) >= RAW_COPIES_APART:
            copies_apart = _RawCopies(str(site.root), str(content), articles, str(site.out_dir) if over_site else None)
            copies_apart.start()  # (once it is known here: a failure now stops it)
        built = {a.source_path: (a.key, a.slug) for a in articles}
        built_before = cache.built() if incremental else None
        with stages.time("relate"):
            kept_relations = _load_relations(cache) if incremental else None
            changed = _changed(kept_built, built_before, fingerprints.site, built)
            relating = _Relating(articles, kept_relations, changed,
                                 apart=settings.workers > 1 and len(articles) >= RELATE_APART)
        with stages.time("plan"):
            kept_groups = cache.groups() if incremental else {}
            stored = cache.outputs() if incremental else {}
            since = _since(cache, kept_built, built_before, changed, kept_relations, relating.listing, stored,
                           articles)
            slugs_stored = _load_slugs(cache)
            outputs, memo, labels, pages, relation_state = _plan(settings, job, fingerprints, articles,
                                                                 relating, kept_groups, since)
        stages.move("plan", "relate", relating.waited)
        with stages.time("compare"):
            previous, on_disk = {}, set()
            if incremental or over_site:
                on_disk = site.current_files
                # a file of the last build that is gone from disk must be made again
                previous = {p: k for p, k in stored.items() if p in on_disk}
            todo = _outputs_to_make(outputs, previous)
            if copies_apart:  # the child stages these
                copied = [o for o in todo if o.path in copies_apart.paths]
                todo = [o for o in todo if o.path not in copies_apart.paths]
        # The entries and the plan live to the end: frozen, neither this
        # process's first collection nor the render workers' (which would copy
        # their pages) walk them.
        gc.freeze()
        if collecting:
            gc.enable()
        # After a change of code, settings or templates, and in a full build
        # over a site (a new vocabulary, a cache lost), many files made again
        # come out as they were: those are left as they are.
        unchanged_kept = over_site or incremental and (not kept_built or kept_built[0] != fingerprints.site)
        with stages.time("render"):
            _render(settings, site, todo, progress, unchanged_kept)
            if copies_apart:
                if not copies_apart.finished():  # made here instead, failing as they would have
                    _render(settings, site, copied, progress, unchanged_kept)
                todo += copied
            written = len(site.staged()) if unchanged_kept else len(todo)
        gc.disable()
        stages.count("render", written)
        copies = len(relation_state.unlisted())
        report = _report(settings, articles, skips, stages, len(outputs), written, copies=copies)
        if settings.strict and skips:
            raise StrictFailure(report)
        with stages.time("commit"):
            keys = {o.path: o.key for o in outputs}
            apart = settings.workers > 1  # the trash deleted by a process of its own (write.remove)
            if incremental or over_site:
                site.commit_changes(on_disk - set(keys), build_id, apart)
            else:
                site.commit(build_id, apart and len(keys) >= REMOVE_APART)
            folders = folder_digests(site.out_dir, folders_of(keys))
            with cache.transaction():  # what the cache says of the new site lands whole or not at all
                cache.put_outputs(keys, build_id, stored if incremental else None)
                cache.set_meta("inputs", inputs)
                cache.set_meta("others", others)
                cache.put_values("folders", folders)
                cache.put_blob("summary", (len(keys), len(articles), tuple(skips), copies))
                if relation_state != kept_relations:
                    _store_relations(cache, relation_state, kept_relations)
                cache.put_groups(memo, kept_groups if incremental else None)
                cache.put_built(built, built_before)
                if kept_built != [fingerprints.site, labels]:
                    _store_built(cache, fingerprints.site, labels, kept_built)
                cache.put_mapping("sitemap", dict(pages))  # what an edit in place updates
                cache.put_mapping(ORIGINALS, {a.original_url: a.source_path for a in articles if a.original_url})
                scan.keep(cache)
                _keep_slugs(cache, slugs_stored)
                cache.forget_articles(stored_keys - {s.key for s in scanned})  # files gone or changed
        if exiting:
            _LEFT_FOR_EXIT.append(locals())
        return _report(settings, articles, skips, stages, len(outputs), written, incremental, copies=copies)
    except BaseException:
        if relating:
            relating.stop()
        if copies_apart:
            copies_apart.stop()  # before its folder goes
        site.abandon()
        raise
    finally:
        if editor:
            editor.close()
        if countries:  # the matcher's child, if the build ended without needing it
            countries.wait_for_builder()
        if collecting:
            gc.enable()
        if unfreeze:
            gc.unfreeze()
        cache.close()


def _inputs_digest(settings: Settings, files: list[tuple[ContentEntry, str]],
                   manifest_sha: str | None) -> tuple[str, str]:
    """A hash of everything an output can depend on: the raw files and
    sidecars (path and hash), the provenance manifest, the builder's code, the
    templates, the static files and the settings that shape the site (the
    rules are the cache's own identity); and a hash of the same without the
    article files, sidecars and manifest (what reaches the pages only
    through the articles' records, whose keys hash them). Neither depends
    on where the folders are."""
    rest = digest(code_fingerprint(), tree_fingerprint(settings.path("templates_dir")),
                  tree_fingerprint(settings.path("static_dir")), settings.shaping())
    return digest([(entry.rel, sha) for entry, sha in files], manifest_sha, rest), rest


def _report(settings, articles, skips, stages, files, changed, incremental=False, in_place=False,
            copies=0) -> BuildReport:
    processed = stages.counted("process")
    kind = "incremental build, edits in place" if in_place else "incremental build" if incremental else "full build"
    warnings = (f"{kind}: {changed} of {files} files written, "
                f"{processed} files processed, {stages.counted('cached')} taken from the cache",)
    return BuildReport(pages=files + 1, articles=len(articles), skipped=tuple(skips),
                       timings=stages.timings(), out_dir=str(settings.path("out_dir")), warnings=warnings,
                       written=changed, processed=processed, incremental=incremental, in_place=in_place,
                       copies=copies)


# --- scan and process ----------------------------------------------------------

def _scan_files(content: Path, known: dict[str, tuple]) -> list[tuple[ContentEntry, str]]:
    """Every candidate file and sidecar with its SHA-256, read again only when
    its size or mtime differ from what the last build saw (``known``, see
    ``Cache.files``)."""
    files = []
    for entry in walk_content(content):
        row = known.get(entry.rel)
        if row is not None and row[0] == entry.mtime_ns and row[1] == entry.size:
            files.append((entry, row[2]))
        else:
            with open(entry.path, "rb") as handle:
                files.append((entry, hashlib.file_digest(handle, "sha256").hexdigest()))
    return files


def _manifest_sha(content: Path) -> str | None:
    manifest = content / MANIFEST_FILE
    return hashlib.sha256(manifest.read_bytes()).hexdigest() if manifest.is_file() else None


class _Scan(NamedTuple):
    """The article files found, and what changed since the last build's scan."""

    articles: list[_Scanned]
    identity: str
    rows: dict[str, tuple[int, int, str, str, str]]
    """What the next build's scan starts from (``keep`` it once the build is
    done): path → (mtime, size, SHA-256, sidecar's SHA-256, key) of every file."""
    stored: dict[str, tuple[int, int, str, str, str]]
    """What this one started from."""
    provenance: dict[str, bytes]
    """The manifest entries read again (of the articles whose key was made)."""
    changed: dict[str, str] | None
    """Source path → key in the last build, of each file whose key changed,
    of each article file that left (it is not in ``articles``), and ``""``
    for each file that came; ``None`` when the last scan is not comparable."""

    def keep(self, cache: Cache) -> None:
        cache.put_files(self.identity, self.rows, self.stored, self.provenance)


def _scanned_articles(content: Path, files: list[tuple[ContentEntry, str]], known: dict[str, tuple],
                      cache: Cache, manifest_sha: str | None) -> _Scan:
    """The article files, each with the key of its processed record.

    A key is a hash of the file, its sidecar and its manifest entry. The last
    build's keys are kept (``Cache.files``) with what they were made of: a
    file and sidecar that hash the same keep their key, and the manifest
    entry of a file (its provenance) is read from the cache only for the
    files whose key is made again, and from the manifest (tens of thousands
    of rows) only for files it has not seen. When the manifest changed
    (rows added for new files, most often), each file's entry in it is
    compared with the one the cache kept, and only the files whose entry
    changed get another key."""
    code = digest(code_fingerprint())
    identity = f"{code} {manifest_sha or '-'}"
    last = cache.scan_identity()
    valid = last is not None and last.split(" ")[0] == code
    manifest = read_manifest(content) if valid and last != identity else None
    entries_kept = ({path: marshal.loads(found) for path, found in cache.provenances(known).items()}
                    if manifest is not None else {})  # to compare with the manifest that changed
    sidecars = {entry.rel: sha for entry, sha in files if entry.rel.endswith(SIDECAR_SUFFIX)}
    rows: dict[str, tuple[int, int, str, str, str]] = {}
    scanned: list[_Scanned] = []
    pending: list[int] = []  # the articles whose key is made again
    for entry, sha in files:
        rel = entry.rel
        if rel in sidecars:
            rows[rel] = (entry.mtime_ns, entry.size, sha, "", "")
            continue
        side = sidecar_rel(rel, sidecars.keys())
        side_sha = sidecars[side] if side else ""
        row = known.get(rel) if valid else None
        if (row is not None and row[2] == sha and row[3] == side_sha
                and (manifest is None or rel in entries_kept and entries_kept[rel] == manifest.get(rel))):
            key = row[4]
        else:
            key = ""
            pending.append(len(scanned))
        rows[rel] = (entry.mtime_ns, entry.size, sha, side_sha, key)
        scanned.append(_Scanned(entry.path, rel, sha, key, None))
    provenance: dict[str, bytes] = {}
    if pending:
        # the same manifest gives an edited file the same provenance, marshalled as kept
        kept = (cache.provenances([scanned[i].rel for i in pending if scanned[i].rel in known])
                if manifest is None and valid else {})
        for i in pending:
            path, rel, sha, _, _ = scanned[i]
            found = kept.get(rel)
            if found is None:
                if manifest is None:
                    manifest = read_manifest(content)
                found = marshal.dumps(manifest.get(rel))
            side_sha = rows[rel][3]
            key = digest(rel, sha, side_sha, sorted((marshal.loads(found) or {}).items()))
            rows[rel] = rows[rel][:4] + (key,)
            provenance[rel] = found
            scanned[i] = _Scanned(path, rel, sha, key, found)
    changed = None
    if valid:
        changed = {s.rel: old for s in scanned if (old := known[s.rel][4] if s.rel in known else "") != s.key}
        present = {s.rel for s in scanned}
        changed.update((rel, row[4]) for rel, row in known.items() if row[4] and rel not in present)  # files gone
    return _Scan(scanned, identity, rows, known, provenance, changed)


def _tasks(cache: Cache, content: Path, misses: list[_Scanned]) -> list[tuple[str, dict | None, str]]:
    """What a worker processes of each file: its path, provenance and key.
    The provenance the scan did not read again is the cache's."""
    kept = cache.provenances([s.rel for s in misses if s.provenance is None])
    manifest = None
    tasks = []
    for path, rel, _, key, provenance in misses:
        found = provenance if provenance is not None else kept.get(rel)
        if found is None:  # (the cache holds it with the key: only if it was damaged)
            if manifest is None:
                manifest = read_manifest(content)
            found = marshal.dumps(manifest.get(rel))
        tasks.append((path, marshal.loads(found), key))
    return tasks


def _process(run, job: _Job, cache: Cache, scanned: list[_Scanned], stored: set[str], stages: "_Stages",
             progress) -> tuple[list[Entry], list[Skip], set[str]]:
    """The entry of every article (processed again only when the cache does not
    hold it), the files skipped, and the keys the cache now holds
    (``stored``: those it held). Full records and bodies go to the cache.

    The workers start on the files to process before the cached entries are
    read, so that after an edit the one file is processed while this process
    loads the rest of the archive."""
    started = time.perf_counter()
    misses = [s for s in scanned if s.key not in stored]
    if len(misses) > 1:
        _ready_to_fork(job)
    elif misses:
        from builder import countries
        countries.wait_for_builder()  # the lone file's worker then loads the stored matcher
    results = run(partial(_process_one, job), _tasks(cache, job.content_dir, misses))
    hits = cache.entries([s.key for s in scanned if s.key in stored])
    rows: dict[str, tuple] = {}
    cache.begin()
    try:
        for n, (scan, result) in enumerate(zip(misses, results), start=1):
            found = _store_processed(cache, stages, scan.key, result)
            if isinstance(found, Skip):
                hits[scan.key] = found
            else:
                rows[scan.key] = found
            if progress:
                progress("articles", n, len(misses))
    finally:
        cache.commit()
    hits.update(zip(rows, Entry.from_rows(rows.values())))
    found = [hits[s.key] for s in scanned]
    stages.add_wall("process", time.perf_counter() - started, len(misses))
    stages.count("cached", len(scanned) - stages.counted("process"))  # an attempt at an edit in place counts too
    return ([e for e in found if isinstance(e, Entry)], [e for e in found if isinstance(e, Skip)],
            stored | {s.key for s in misses})


def _ready_to_fork(job: _Job) -> None:
    """Load what the pool's workers need before it forks them (on first
    use), so that they inherit the matchers; frozen, so that the workers'
    collector never touches (and so copies) the pages they share with this
    process."""
    from builder import classify
    importlib.import_module("builder.process")  # the workers' imports too
    classify.warm_up(job.vocabulary)
    gc.freeze()


def _process_one(job: _Job, task) -> tuple[Skip | None, tuple, tuple]:
    """Worker: process one file and encode what the cache stores (the parent
    only writes it): (skip or None, stored form, timings)."""
    from builder.process import process_file
    path, provenance, key = task
    processed = process_file(job.content_dir, Path(path), provenance, job.vocabulary)
    if isinstance(processed, Skip):
        return processed, encode_article(key, processed, ""), ()
    return None, encode_article(key, processed.article, processed.body_html), processed.timings


def _store_processed(cache: Cache, stages: "_Stages", key: str, result: tuple) -> Skip | tuple:
    """Store what ``_process_one`` made of a file under its ``key``; the
    file's skip, or its entry's row (as the cache holds it)."""
    skip, encoded, laps = result
    for name, seconds in laps:
        stages.add_cpu(name, seconds)
    cache.put_encoded(key, encoded)
    return skip or marshal.loads(encoded[2])


EDIT_WORKER_LIMIT = 32
"""As many files to process as this or fewer go to the edit worker
(``processes.EditWorker``), which is warm; more go to the pool, whose workers load
the matchers first but share the work."""

ORIGINALS = "originals"
"""The cache's mapping of every original address a file gives to one
such file (``Cache.put_mapping``): whether an article that came is a copy."""


# --- plan and render -------------------------------------------------------------

class _Since(NamedTuple):
    """What changed since the last build, and what of it the plan needs, so
    that it hashes again only what an edit can affect."""

    changed: set[str]
    """Source paths of the articles whose entry changed, came or left."""
    touched: set[tuple[str, str]]
    """The groups those articles belong to, before or after (``indexes.touched_groups``)."""
    labels: dict[str, tuple[str, str]]
    """The tags' labels and paths."""
    relations: dict[str, tuple[tuple[str, str], ...]]
    """Each article's relations as (kind, source path)."""
    outputs: dict[str, str]
    """Each output's key."""


def _load_relations(cache: Cache) -> RelationState | None:
    """The last build's relation state, unless another builder made it."""
    from builder.related import RelationState
    kept = cache.values("relations")
    if not kept or kept[0] != code_fingerprint():
        return None
    keys, result = cache.mapping("relations.keys"), cache.mapping("relations.result")
    return None if keys is None or result is None else RelationState(keys, kept[1], result, kept[2])


def _store_relations(cache: Cache, state: RelationState, before: RelationState | None) -> None:
    """Store the relation state (over the last build's, ``before``, when kept):
    its two large parts by article, so that an edit rewrites a few."""
    if before is None or (state.translations, state.copies) != (before.translations, before.copies):
        cache.put_values("relations", (code_fingerprint(), state.translations, state.copies))
    cache.put_mapping("relations.keys", state.keys, None if before is None else _differing(state.keys, before.keys))
    cache.put_mapping("relations.result", state.result,
                      None if before is None else _differing(state.result, before.result))


def _load_built(cache: Cache) -> list | None:
    """The last build's page fingerprint and tags' labels (``[fingerprint, labels]``)."""
    fingerprint, labels = cache.values("built"), cache.mapping("labels")
    return None if fingerprint is None or labels is None else [fingerprint, labels]


def _store_built(cache: Cache, site_fingerprint: str, labels: dict[str, tuple[str, str]], kept: list | None) -> None:
    """Store the site's page fingerprint (``PageFingerprints.site``) and the
    tags' labels (over the last build's, ``kept``)."""
    cache.put_values("built", site_fingerprint)
    cache.put_mapping("labels", labels, None if not kept or kept[0] != site_fingerprint
                      else _differing(labels, kept[1]))


def _differing(now: dict, before: dict) -> list:
    """The keys of two dicts whose values differ, or that one of them lacks."""
    return [k for k, value in now.items() if before.get(k, _ABSENT) != value] + [k for k in before if k not in now]


_ABSENT = object()


def _changed(kept: list | None, before: dict[str, tuple[str, str]] | None, site_fingerprint: str,
             built: dict[str, tuple[str, str]]) -> set[str] | None:
    """The source paths whose (key, slug) differ from the last build's
    (``before``), or that came or left; ``None`` if the last build made other
    pages (``kept``: its page fingerprint and labels)."""
    if not kept or kept[0] != site_fingerprint or before is None:
        return None
    return {p for p, made in built.items() if before.get(p) != made} | (before.keys() - built.keys())


def _since(cache: Cache, kept: list | None, before: dict[str, tuple[str, str]] | None, changed: set[str] | None,
           relations: RelationState | None, state: RelationState, outputs: dict[str, str],
           articles: list[Entry]) -> _Since | None:
    """What the plan needs to know of the last build (``relations``: its
    relation state; ``state``: this build's), or ``None``: plan it all. The
    groups touched are those of the articles that changed and of those that
    became listed or unlisted (a copy, see ``related.copies``)."""
    from builder.indexes import touched_groups
    if changed is None or relations is None:
        return None
    old_keys = [before[p][0] for p in changed if p in before]
    old = cache.entries(old_keys)
    if not all(isinstance(old.get(k), Entry) for k in old_keys):
        return None  # an entry the last build had is gone from the cache
    relisted = {p for p in relations.copies.keys() | state.copies.keys() if relations.listed(p) != state.listed(p)}
    now = (a for a in articles if a.source_path in changed or a.source_path in relisted)
    return _Since(changed, touched_groups([*old.values(), *now]), kept[1], relations.result, outputs)


def _plan(settings: Settings, job: _Job, fingerprints: PageFingerprints, articles: list[Entry], relating: "_Relating",
          memo: GroupMemo | None, since: _Since | None
          ) -> tuple[list[Output], GroupMemo, dict[str, tuple[str, str]], list[tuple[str, str]], RelationState]:
    """Every output with its input hash and its maker; the list pages' memo
    for the next build (see ``plan_indexes``); the tags' labels; the pages
    the sitemap names; and the relation state (from ``relating``).

    The list pages and feeds need only which articles are listed, so they
    are planned while the articles are related (see ``_Relating``); the
    article pages then. Given what changed ``since`` the last build, an
    article page whose own entry, relations, related articles and tag
    labels are all as they were keeps its key without hashing them again."""
    from builder.indexes import Output, plan_indexes, tag_labels
    from builder.render import Renderer, article_path
    listing = relating.listing
    listed = [a for a in articles if listing.listed(a.source_path)] if listing.copies else articles
    labels = tag_labels(listed, settings)
    others: list[Output] = []
    static = settings.path("static_dir")
    for path in sorted(static.rglob("*")) if static.is_dir() else ():
        if path.is_file() and not any(p.startswith(".") for p in path.relative_to(static).parts):
            data_key = hashlib.sha256(path.read_bytes()).hexdigest()
            others.append(Output(f"static/{path.relative_to(static).as_posix()}", data_key, path.read_bytes))
    others.append(Output(".nojekyll", "empty", lambda: b""))
    renderer = Renderer(settings)
    bodies = _bodies(job.cache_path)

    def body_of(article: Entry) -> str:
        return bodies.read(article.key)

    indexes, memo, pages = plan_indexes(settings, listed, labels, renderer, fingerprints, body_of, memo,
                                        since.touched if since else None)
    relations, state = relating.result()
    content = str(settings.path("content_dir"))
    dirty = _dirty_pages(articles, labels, state, since) if since else None
    country_pages = _country_pages(state) if state.copies else set()
    outputs: list[Output] = []
    for article in articles:
        path = article_path(article)
        unlinked = _unlinked_countries(article, state, country_pages)
        if dirty is not None and article.source_path not in dirty and path in since.outputs:
            key = since.outputs[path]
        else:
            key = _article_key(fingerprints.templates["article.html"], article, relations, labels, unlinked)
        outputs += _article_outputs(settings, job, content, article, key, relations, labels, unlinked)
    return outputs + others + indexes, memo, labels, pages, state


RELATE_APART = 2000
"""From this many articles on, a build of more than one job relates them in
a forked child (``_Relating``, and an edit in place that adds or removes
articles: ``inplace._plan_in_place``); below it, relating takes under 0.1 s."""


class _Relating:
    """The relations of ``articles`` (``related.relations``, given the last
    build's state and what ``changed``), made in a forked child when
    ``apart`` (``processes.Apart``), else here, when ``result`` is asked for.

    Relating and planning run on one core, the other idle (after an
    addition or a deletion not made in place; in a full build the raw
    copies' child uses it):
    the list pages and feeds, a third of the plan, depend only on which
    articles are listed (``listing``: the copies, ``related.copies``), so
    they are planned while the child relates, 0.8 s at 29k articles."""

    def __init__(self, articles: list[Entry], previous: RelationState | None, changed: set[str] | None,
                 apart: bool):
        from builder import related
        self._articles = articles
        self.listing = related.RelationState({}, {}, {}, related.copies(articles))
        """Which articles are listed (only its ``copies`` are known)."""
        self._state = processes.Apart(partial(_relation_state, articles, previous, changed), related.RelationState,
                                      apart)

    @property
    def waited(self) -> float:
        """How long ``result`` took: the wait for the child, or relating here."""
        return self._state.waited

    def result(self) -> tuple[Related, RelationState]:
        from builder import related
        state = self._state.result()
        return related.Related.of(state, self._articles), state

    def stop(self) -> None:
        self._state.stop()


def _relation_state(articles: list[Entry], previous: RelationState | None,
                    changed: set[str] | None) -> RelationState:
    from builder import related
    return related.relations(articles, previous, changed)[1]


def _article_key(fingerprint: str, article: Entry, relations: Related, labels: dict[str, tuple[str, str]],
                 unlinked: frozenset[str]) -> str:
    # A record is a pure function of its cache key (and its slug, which
    # collisions may change); of a related article the page is given only
    # what ``Related.shown`` gives, so an edit re-renders no related page.
    return digest(fingerprint, article.key, article.slug, relations.shown(article.source_path),
                  _own_labels(article, labels), sorted(unlinked))


def _article_outputs(settings: Settings, job: _Job, content: str, article: Entry, key: str, relations: Mapping,
                     labels: dict[str, tuple[str, str]], unlinked: frozenset[str]) -> tuple[Output, Output]:
    """An article's page (under ``key``) and the copy of its raw file."""
    from builder.indexes import Output
    from builder.render import article_path
    return (Output(article_path(article), key, partial(_article_page, settings, job.cache_path,
                                                       (article, relations, labels, unlinked))),
            Output(article.raw_url, article.sha256, _raw_file(content, article)))


def _raw_file(content: str, article: Entry) -> Callable[[], bytes]:
    """What reads an article's raw file for its copy (``raw_url``), in the
    render or in ``_RawCopies``'s child."""
    return partial(_read_bytes, os.path.join(content, article.source_path))


def _dirty_pages(articles: list[Entry], labels: dict[str, tuple[str, str]], state: RelationState,
                 since: _Since) -> set[str]:
    """The articles whose page can differ from the last build's: changed ones,
    those whose relations, related articles or tags' labels changed, and the
    unlisted copies (whose country links depend on every listed article)."""
    relabelled = {t for t in labels.keys() | since.labels.keys() if labels.get(t) != since.labels.get(t)}
    changed, before, relations = since.changed, since.relations, state.result
    dirty = set(changed)
    dirty.update(state.unlisted())
    for article in articles:
        path = article.source_path
        found = relations.get(path, ())
        if (found != before.get(path) or any(other in changed for _, other in found)
                or relabelled and not relabelled.isdisjoint(article.tags)):
            dirty.add(path)
    return dirty


def _country_pages(state: RelationState) -> set[str]:
    """The countries that have a page: those of the listed articles."""
    return {key[2:] for keys in state.keys.values() for key in keys if key[:2] == "c:"}


def _unlinked_countries(article: Entry, state: RelationState, country_pages: set[str]) -> frozenset[str]:
    """The countries an article names that have no page (``country_pages``):
    only an unlisted copy can name one."""
    if state.listed(article.source_path):
        return frozenset()
    return frozenset(code for code, _ in article.countries if code not in country_pages)


def _own_labels(article: Entry, labels: dict[str, tuple[str, str]]) -> dict[str, tuple[str, str]]:
    return {t: labels[t] for t in article.tags if t in labels}


def _slugs_fingerprint() -> str:
    import importlib.metadata
    return digest(code_fingerprint(), importlib.metadata.version("python-slugify"))


def _load_slugs(cache: Cache) -> int:
    """Take the slugs the last build made for tags and sources (see
    ``indexes.page_slug``); how many the cache holds."""
    from builder.indexes import SLUGS
    kept = cache.values("slugs")
    if not kept or kept[0] != _slugs_fingerprint():
        return 0
    SLUGS.update(kept[1])
    return len(kept[1])


def _keep_slugs(cache: Cache, stored: int) -> None:
    """Remember the slugs made for tags and sources, for the next build, when
    there are more than the cache holds."""
    from builder.indexes import SLUGS
    if len(SLUGS) != stored:
        cache.put_values("slugs", (_slugs_fingerprint(), dict(SLUGS)))


def _read_bytes(path: str) -> bytes:
    with open(path, "rb") as handle:
        return handle.read()


RAW_COPIES_APART = 1000
"""From how many articles a full build stages the raw files' copies in a
child of their own (see ``_RawCopies``); for fewer, forking costs more than
the copies."""


class _RawCopies:
    """The copies of the raw files (``raw/…``) of a full build, staged by a
    forked child while this process relates articles and plans the site.

    Those two stages use one core, and a copy is mostly the system's work
    of creating a file, which needs neither the plan nor Python: at 29k
    articles the 28,978 copies took 4.8–7.8 s (0.6 s of it in Python), and
    relating and planning 4.3 s. The child stages exactly the files the
    plan's raw outputs would (same paths, same bytes: the files' own); if
    it fails, the build makes them itself afterwards, and meets the same
    error as it would have (the child says nothing of its own)."""

    def __init__(self, root: str, content: str, articles: Sequence[Entry], same_as: str | None = None):
        self.paths = {a.raw_url: _raw_file(content, a) for a in articles}
        self._child = get_context("fork").Process(target=_copy_apart, daemon=True,
                                                  args=(root, list(self.paths.items()), os.getpid(), same_as))

    def start(self) -> None:
        self._child.start()

    def finished(self) -> bool:
        """Wait for the child; whether it staged every copy."""
        self._child.join()
        return self._child.exitcode == 0

    def stop(self) -> None:
        """End the child at once (SIGKILL: a handler the build's host set
        for SIGTERM, inherited, would not delay it) and reap it."""
        if self._child.pid is not None:
            if self._child.is_alive():
                self._child.kill()
            self._child.join()


def _copy_apart(root: str, copies: list[tuple[str, Callable[[], bytes]]], build: int,
                same_as: str | None = None) -> None:
    """The child of ``_RawCopies``, forked by the process ``build``. It exits
    0 only once every copy is staged: whatever stops it sooner (an error, or
    a signal whose inherited handler raises ``SystemExit(0)``) exits 1,
    without a word, and the build makes the copies itself. ``same_as``: the
    site whose files with the same bytes are kept (see ``_stage_made``)."""
    for number in (signal.SIGINT, signal.SIGTERM):
        signal.signal(number, signal.SIG_DFL)
    _SAME_AS[:] = [f"{same_as}/"] if same_as else []
    try:
        _stage_copies(root, copies, build)
    except BaseException:
        os._exit(1)
    os._exit(0)


class _BuildGone(Exception):
    """The build that forked the copier is gone: nothing will use its copies."""


def _stage_copies(root: str, copies: list[tuple[str, Callable[[], bytes]]], build: int) -> None:
    """Stage the copies, and stop when the build is gone (killed hard, so it
    could not stop this child): a process whose parent dies gets another one.
    Every 256 copies, a few hundredths of a second of staging."""
    folders: set[str] = set()
    for done, (rel, read) in enumerate(copies):
        if done % 256 == 0 and os.getppid() != build:
            raise _BuildGone
        _stage_made(root, rel, read, folders)


def _outputs_to_make(outputs: list[Output], previous: dict[str, str]) -> list[Output]:
    """The outputs whose key differs from the previous build's (all, for a full build)."""
    seen: set[str] = set()
    for output in outputs:
        path = site_path(output.path)
        if path in seen:
            raise OutputError(f"two outputs claim the same path: {path}")
        seen.add(path)
    return [o for o in outputs if previous.get(o.path) != o.key]


def _render(settings: Settings, site: StagingSite, todo: list[Output], progress, unchanged_kept: bool = False
            ) -> None:
    """Make and stage the outputs: pages, feeds, the sitemap and copies;
    with ``unchanged_kept``, only those whose bytes differ from the site's
    file (see ``_stage_made``).

    With more than one job, this process renders beside ``workers - 1``
    forked workers. A worker copies every page of this process's memory
    whose objects it touches (a reference count is a write), and rendering
    touches every entry: at 29k articles each worker grew by ≈ 170 MB of
    copies, and the build's peak was at the end of rendering. One worker
    fewer is one copy fewer, for the same number of rendering processes."""
    count = len(todo)
    _SAME_AS[:] = [f"{site.out_dir}/"] if unchanged_kept else []  # (the workers forked below inherit it)
    if settings.workers > 1 and 1 < count <= 64:
        try:
            _render_in_two(str(site.root), todo)
        finally:
            _close_worker_state()
        if progress:
            progress("render", count, count)
        return
    if settings.workers <= 1 or count <= 64:
        root, folders = str(site.root), set()
        try:
            for done, output in enumerate(todo, start=1):
                _stage_made(root, output.path, output.make, folders)
                if progress:
                    progress("render", done, count)
        finally:
            _close_worker_state()
        return
    # The outputs' makers are closures over this build's entries: fork a pool
    # now so its workers inherit them, and send only index ranges.
    _PENDING[:] = todo
    _FOLDERS_MADE.clear()  # (a long-running process stages into the same folder again)
    size = max(1, min(64, count // (settings.workers * 8)))
    chunks = deque((start, min(start + size, count)) for start in range(0, count, size))
    done = 0
    from concurrent.futures import ProcessPoolExecutor  # (not imported by a no-op rebuild)
    try:
        with ProcessPoolExecutor(max_workers=settings.workers - 1, mp_context=get_context("fork")) as pool:
            pending: dict = {}  # future → outputs in its chunk
            while chunks or pending:
                while chunks and len(pending) < 2 * (settings.workers - 1):  # the workers never wait
                    start, stop = chunks.popleft()
                    pending[pool.submit(_make_outputs, start, stop, site.root)] = stop - start
                if chunks:
                    start, stop = chunks.popleft()
                    _make_outputs(start, stop, site.root)
                    done += stop - start
                finished = [f for f in pending if f.done()] if chunks else list(pending)
                for future in finished:
                    future.result()
                    done += pending.pop(future)
                if progress:
                    progress("render", done, count)
    finally:
        _PENDING.clear()
        _FOLDERS_MADE.clear()
        _close_worker_state()


def _render_in_two(root: str, todo: list[Output]) -> None:
    """Make and stage the few outputs of a rebuild in this process and one
    forked beside it, each taking the next when done with its last. The
    files of an edit are few and unequal: a large archive's tags' index and
    sitemap part take 0.1 s each, an article page a few milliseconds, and
    the plan lists the indexes and the sitemap last, so they are taken first
    (from the end). A failure in the child is raised here; whatever ends
    this process's part (an error, an interrupt) ends the child too. As in
    the full build's pool, the makers use what the plan loaded (the entries
    their keys were made from) and the cache through ``BodyReader``, which
    opens a connection of its own in each process.

    The outputs are handed out through a pipe holding one byte per output,
    its index (at most 64 of them): a read of one byte is atomic, and a
    process that dies holds no lock the other would wait on."""
    tokens_read, tokens_write = os.pipe()
    os.write(tokens_write, bytes(reversed(range(len(todo)))))
    os.close(tokens_write)
    reader, writer = os.pipe()
    child = os.fork()
    if child == 0:
        code = 1
        try:
            os.close(reader)
            try:
                _take_and_make(root, todo, tokens_read)
                report, code = _RENDERED, 0
            except BaseException as error:  # (the exit code alone would not say which template failed)
                report = _picklable_report(error)
            with open(writer, "wb") as pipe:
                pipe.write(report)
        finally:
            os._exit(code)
    os.close(writer)
    try:
        try:
            _take_and_make(root, todo, tokens_read)
            with open(reader, "rb", closefd=False) as pipe:
                report = pipe.read()  # until the child ends (before waiting: a long report fills the pipe)
        except BaseException:
            processes.end(child)
            raise
        status = processes.reaped(child)
    finally:
        os.close(reader)
        os.close(tokens_read)
    if status is None:  # reaped by the system (a host that ignores SIGCHLD): its report says how it ended
        status = 0 if report == _RENDERED else 1
    if status != 0:
        try:
            error = pickle.loads(report) if report else None
        except Exception as failure:
            error = RuntimeError(f"a render worker failed, and its error could not be read: {failure!r}")
        raise error or RuntimeError(f"a render worker ended with status {status}")


_RENDERED = b"\0"
"""What the child of ``_render_in_two`` reports when it made all it took
(a pickled error never starts so)."""


def _picklable_report(error: BaseException) -> bytes:
    """``error`` pickled, if it comes back whole (an exception whose
    constructor takes other arguments than its message does not), else a
    ``RuntimeError`` with its type, message and traceback."""
    try:
        report = pickle.dumps(error)
        pickle.loads(report)
        return report
    except Exception:
        trace = "".join(traceback.format_exception(error))
        return pickle.dumps(RuntimeError(f"render worker: {error!r}\n{trace}"))


def _take_and_make(root: str, todo: list[Output], tokens: int) -> None:
    """Make and stage the outputs whose indexes this process reads from
    ``tokens`` (a pipe's end, one byte an output), until none is left."""
    folders: set[str] = set()
    while token := os.read(tokens, 1):
        output = todo[token[0]]
        _stage_made(root, output.path, output.make, folders)


def _stage_made(root: str, path: str, make: Callable[[], bytes], folders: set[str]) -> None:
    """Make the output at ``path`` and stage it, unless the site's file
    holds its bytes already (when ``_SAME_AS`` names the site: see
    ``_render`` and ``_RawCopies``): after a change of code, settings,
    templates or rules that leaves many files as they were, those keep
    their file (and its time), and a copy of the site elsewhere (a host, a
    sync) gets only the files that changed."""
    data = make()
    if _SAME_AS and _holds(_SAME_AS[0] + site_path(path), data):
        return
    stage(root, path, data, folders)


def _holds(path: str, data: bytes) -> bool:
    """Whether the file at ``path`` holds ``data`` (a missing one does not)."""
    try:
        with open(path, "rb") as file:
            return os.fstat(file.fileno()).st_size == len(data) and file.read() == data
    except OSError:
        return False


_SAME_AS: list[str] = []
"""The site's folder (with a final ``/``) while a render keeps the files
it would write again unchanged (``_render``'s ``unchanged_kept``)."""

_PENDING: list[Output] = []


def _make_outputs(start: int, stop: int, root: Path) -> None:
    """Make the planned outputs ``start`` to ``stop`` (inherited through fork,
    or this process's own) and stage them."""
    root, folders = str(root), _FOLDERS_MADE
    for output in _PENDING[start:stop]:
        _stage_made(root, output.path, output.make, folders)


_FOLDERS_MADE: set[str] = set()
"""The staging folders this process has made during the current render (see ``stage``)."""


def _close_worker_state() -> None:
    _SAME_AS.clear()
    for key in [k for k in _WORKER_STATE if isinstance(k, tuple)]:
        _WORKER_STATE.pop(key).close()


def _reset_worker_state() -> None:
    _close_worker_state()
    _WORKER_STATE.clear()
    render = sys.modules.get("builder.render")  # (a no-op rebuild never imports it: nothing to forget)
    if render:
        render.forget_templates()


_WORKER_STATE: dict[str, object] = {}


def _article_page(settings: Settings, cache_path: Path, task: tuple) -> bytes:
    """An article page (in a render worker): its full record and body come from
    the cache, its related articles and tag labels from the plan."""
    from builder.render import Renderer
    entry, relations, labels, unlinked = task
    renderer = _WORKER_STATE.get("renderer")
    if renderer is None or _WORKER_STATE.get("settings") != settings:
        renderer = Renderer(settings)
        _WORKER_STATE.update(renderer=renderer, settings=settings)
    bodies = _bodies(cache_path)
    article = bodies.record(entry.key)
    if article.slug != entry.slug:  # a slug collision was resolved
        article = replace(article, slug=entry.slug)
    return renderer.article_page(article, bodies.read(entry.key), _own_labels(entry, labels),
                                 relations.get(entry.source_path, ()), unlinked).encode("utf-8")


def _bodies(cache_path: Path) -> BodyReader:
    """This process's reader of the bodies in the cache, closed with the
    render's state (``_close_worker_state``): a long-running process (serve)
    would otherwise keep a connection open for every build."""
    bodies = _WORKER_STATE.get(("bodies", str(cache_path)))
    if bodies is None:
        bodies = _WORKER_STATE[("bodies", str(cache_path))] = BodyReader(cache_path)
    return bodies


def resolve_slug_collisions(articles: Iterable[Article | Entry]) -> list[Article | Entry]:
    """Two files whose paths slugify alike: the first by source path keeps the slug,
    the others get a suffix from a hash of their own path (stable across builds):
    eight hexadecimal digits, four more while that slug is taken too (by a
    sidecar's slug that happens to be it)."""
    ordered = sorted(articles, key=lambda a: a.source_path)
    taken: set[str] = set()
    out = []
    for article in ordered:
        slug = article.slug
        if slug.lower() in taken:
            suffix = hashlib.sha1(article.source_path.encode()).hexdigest()
            longer = (f"{article.slug}-{suffix[:n]}" for n in range(8, 41, 4))
            slug = next((candidate for candidate in longer if candidate.lower() not in taken),
                        f"{article.slug}-{suffix}")
        taken.add(slug.lower())
        if slug != article.slug:
            article = article._replace(slug=slug) if isinstance(article, Entry) else replace(article, slug=slug)
        out.append(article)
    return out


class _Stages:
    """Wall time per build stage and CPU time per article stage (summed over workers)."""

    def __init__(self) -> None:
        self._wall: dict[str, float] = {}
        self._counts: dict[str, int] = defaultdict(int)
        self._cpu: dict[str, float] = defaultdict(float)

    @contextmanager
    def time(self, name: str) -> Iterator[None]:
        started = time.perf_counter()
        try:
            yield
        finally:
            self._wall[name] = self._wall.get(name, 0.0) + time.perf_counter() - started

    def count(self, name: str, n: int) -> None:
        self._counts[name] += n

    def add_wall(self, name: str, seconds: float, n: int) -> None:
        self._wall[name] = self._wall.get(name, 0.0) + seconds
        self._counts[name] += n

    def move(self, source: str, target: str, seconds: float) -> None:
        """Count ``seconds`` timed under ``source`` under ``target`` instead."""
        self._wall[source] -= seconds
        self._wall[target] = self._wall.get(target, 0.0) + seconds

    def add_cpu(self, name: str, seconds: float) -> None:
        self._cpu[name] += seconds

    def counted(self, name: str) -> int:
        return self._counts.get(name, 0)


    def timings(self) -> tuple[StageTiming, ...]:
        rows = [StageTiming(name, seconds, self._counts.get(name, 0)) for name, seconds in self._wall.items()]
        rows += [StageTiming(f"  {name} (cpu, all workers)", seconds, 0) for name, seconds in self._cpu.items()]
        return tuple(rows)
