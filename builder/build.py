"""``build(settings)``: the whole pipeline, one stage after another.

    read → extract → clean → classify   per article, in worker processes
    render articles                      per article, in worker processes
    indexes, static files, feeds         reductions over the small records

Each stage is timed and counted for the summary. Bodies never travel back to
the main process: a worker writes each cleaned body to a scratch folder and
returns only the small ``Article`` record, so memory stays bounded however
large the archive is.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import time
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import ProcessPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, replace
from functools import partial
from multiprocessing import get_context
from pathlib import Path

from builder import classify, indexes, related
from builder.config import Settings
from builder.errors import ConfigError, InputError, OutputError
from builder.models import Article, BuildReport, Skip, StageTiming
from builder.process import process_source
from builder.read import VOCABULARY_FILE, find_sources, read_manifest, read_source
from builder.render import Renderer, article_path
from builder.write import StagingSite


class StrictFailure(Exception):
    """Raised by ``build`` in strict mode when any file was skipped."""

    def __init__(self, report: BuildReport):
        self.report = report
        super().__init__(f"{len(report.skipped)} file(s) skipped in strict mode")


@dataclass(frozen=True)
class _Job:
    """What a worker needs to process one file (small, picklable)."""

    content_dir: Path
    scratch_dir: Path
    staging_dir: Path
    vocabulary: Path | None


def build(settings: Settings, progress: Callable[[str, int, int], None] | None = None) -> BuildReport:
    """Build the site described by ``settings``; raise ``ConfigError``/``OutputError``
    on problems that stop the build, and ``StrictFailure`` in strict mode."""
    content = settings.path("content_dir")
    if not content.is_dir():
        raise ConfigError(f"content folder not found: {content}")
    templates = settings.path("templates_dir")
    if not (templates / "article.html").is_file():
        raise ConfigError(f"templates folder {templates} has no article.html")
    stages = _Stages()
    site = StagingSite(settings.path("out_dir"))
    scratch = site.root.with_name(site.root.name + ".bodies")
    scratch.mkdir(exist_ok=True)
    try:
        with stages.time("read"):
            manifest = read_manifest(content)
            paths = list(find_sources(content))
        stages.count("read", len(paths))
        vocabulary = content / VOCABULARY_FILE
        job = _Job(content, scratch, site.root, vocabulary if vocabulary.is_file() else None)
        with stages.time("setup"):
            classify.warm_up(job.vocabulary)
        with _pool(settings) as run:
            articles, skips = _process_all(run, job, paths, manifest, stages, progress)
            articles = resolve_slug_collisions(articles)
            with stages.time("relate"):
                relations = related.relations(articles)
            with stages.time("render"):
                tag_labels = indexes.tag_labels(articles, settings)
                render = partial(_render_article, settings, job, tag_labels)
                written = 0
                tasks = [(a, relations.get(a.source_path, ())) for a in articles]
                for done in run(render, tasks):
                    written += done
                    if progress:
                        progress("render", written, len(articles))
            stages.count("render", len(articles))
        with stages.time("indexes"):
            pages = indexes.write_indexes(site, settings, articles, partial(_read_body, job))
            site.copy_tree(settings.path("static_dir"), "static")
            site.write_text(".nojekyll", "")
        stages.count("indexes", pages)
        if settings.strict and skips:
            raise StrictFailure(_report(settings, site, articles, skips, stages))
        report = _report(settings, site, articles, skips, stages)
        site.commit()
        return report
    except BaseException:
        site.abandon()
        raise
    finally:
        shutil.rmtree(scratch, ignore_errors=True)


def _report(settings, site, articles, skips, stages) -> BuildReport:
    files = sum(1 for p in site.root.rglob("*") if p.is_file())
    return BuildReport(pages=files, articles=len(articles), skipped=tuple(skips),
                       timings=stages.timings(), out_dir=str(settings.path("out_dir")))


def _process_all(run, job: _Job, paths: list[Path], manifest, stages: "_Stages",
                 progress) -> tuple[list[Article], list[Skip]]:
    articles: list[Article] = []
    skips: list[Skip] = []
    started = time.perf_counter()
    tasks = [(path, _manifest_entry(manifest, job.content_dir, path)) for path in paths]
    for n, (result, laps) in enumerate(run(partial(_process_one, job), tasks), start=1):
        for name, seconds in laps:
            stages.add_cpu(name, seconds)
        if isinstance(result, Skip):
            skips.append(result)
        else:
            articles.append(result)
        if progress:
            progress("articles", n, len(tasks))
    stages.add_wall("process", time.perf_counter() - started, len(articles))
    return articles, skips


def _manifest_entry(manifest: dict, content: Path, path: Path) -> dict | None:
    return manifest.get(path.relative_to(content).as_posix())


def _process_one(job: _Job, task) -> tuple[Article | Skip, tuple]:
    """Worker: read, process and store one file. Input errors become skips."""
    path, provenance = task
    rel = path.relative_to(job.content_dir).as_posix()
    try:
        source = read_source(job.content_dir, path, provenance)
        processed = process_source(source, job.vocabulary)
    except InputError as error:
        return Skip(error.path if error.line is None else f"{error.path}:{error.line}",
                    error.stage, error.message), ()
    _body_file(job, processed.article).write_text(processed.body_html, encoding="utf-8")
    raw_target = job.staging_dir / "raw" / rel
    raw_target.parent.mkdir(parents=True, exist_ok=True)
    raw_target.write_bytes(source.raw)
    return processed.article, processed.timings


def _body_file(job: _Job, article: Article) -> Path:
    return job.scratch_dir / (hashlib.sha1(article.source_path.encode()).hexdigest() + ".html")


def _read_body(job: _Job, article: Article) -> str:
    return _body_file(job, article).read_text(encoding="utf-8")


def _render_article(settings: Settings, job: _Job, tag_labels, task) -> int:
    article, related = task
    body = _body_file(job, article).read_text(encoding="utf-8")
    html = _renderer(settings).article_page(article, body, tag_labels, related)
    target = job.staging_dir / article_path(article)
    if target.exists():
        raise OutputError(f"two articles claim the same page: {article_path(article)}")
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(html, encoding="utf-8")
    return 1


_RENDERERS: dict[int, Renderer] = {}


def _renderer(settings: Settings) -> Renderer:
    key = id(settings)
    if key not in _RENDERERS:
        _RENDERERS.clear()
        _RENDERERS[key] = Renderer(settings)
    return _RENDERERS[key]


def resolve_slug_collisions(articles: Iterable[Article]) -> list[Article]:
    """Two files whose paths slugify alike: the first by source path keeps the slug,
    the others get a suffix from a hash of their own path (stable across builds)."""
    ordered = sorted(articles, key=lambda a: a.source_path)
    taken: set[str] = set()
    out = []
    for article in ordered:
        slug = article.slug
        if slug.lower() in taken:
            slug = f"{slug}-{hashlib.sha1(article.source_path.encode()).hexdigest()[:8]}"
        taken.add(slug.lower())
        out.append(article if slug == article.slug else replace(article, slug=slug))
    return out


@contextmanager
def _pool(settings: Settings) -> Iterator[Callable]:
    """``run(fn, items)`` yields ``fn(item)`` in order, in worker processes when
    more than one job is asked for."""
    workers = settings.workers
    if workers <= 1:
        yield lambda fn, items: map(fn, items)
        return
    with ProcessPoolExecutor(max_workers=workers, mp_context=get_context("fork")) as pool:
        yield lambda fn, items: pool.map(fn, items, chunksize=16)


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

    def add_cpu(self, name: str, seconds: float) -> None:
        self._cpu[name] += seconds

    def timings(self) -> tuple[StageTiming, ...]:
        rows = [StageTiming(name, seconds, self._counts.get(name, 0)) for name, seconds in self._wall.items()]
        rows += [StageTiming(f"  {name} (cpu, all workers)", seconds, 0) for name, seconds in self._cpu.items()]
        return tuple(rows)


def default_jobs() -> int:
    return os.cpu_count() or 1
