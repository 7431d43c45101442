"""The floor under any Python archive builder on this stack: what it costs,
on all cores, just to read each raw file, render it as markdown (with
cmark-gfm, as the builder does; ``--markdown-it`` for markdown-it-py, which
the builder used before), sanitize the HTML with nh3 and put it in a
one-line Jinja template, with no extraction, cleaning, classification, list
pages, feeds or writing.

If this floor is already as slow as Hugo's whole build of the same files,
then "no slower than Hugo" cannot be reached by tuning our own code: only by
leaving the libraries the project is asked to prefer (docs/benchmarks.md).

    python tests/benchmarks/floor.py /tmp/archive-bench/corpus [--limit N] [--jobs J]

The files are the benchmark's own samples (corpus_sample.py): the first N of
the stratified order, so that ``--limit 5000`` measures what bench.py builds
at 5,000.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from multiprocessing import get_context
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from corpus_sample import locate_corpus, stratified_order  # noqa: E402

STAGES = ("read", "markdown", "nh3", "jinja2")


def _worker_state(markdown_it: bool):
    import jinja2
    import nh3
    template = jinja2.Environment(autoescape=True).from_string(
        "<!doctype html><title>{{ title }}</title><main>{{ body|safe }}</main>")
    if markdown_it:
        from markdown_it import MarkdownIt
        return MarkdownIt("commonmark", {"html": True}).render, nh3.clean, template
    from cmarkgfm import cmark
    return (lambda text: cmark.markdown_to_html(text, cmark.Options.CMARK_OPT_UNSAFE)), nh3.clean, template


_STATE: list = []


def _start_worker(markdown_it: bool) -> None:
    _STATE[:] = _worker_state(markdown_it)


def _one(path: str) -> tuple[float, ...]:
    render, clean, template = _STATE
    t0 = time.perf_counter()
    with open(path, "rb") as handle:
        text = handle.read().decode("utf-8", "replace")
    t1 = time.perf_counter()
    html = render(text)
    t2 = time.perf_counter()
    safe = clean(html)
    t3 = time.perf_counter()
    template.render(title=path, body=safe)
    t4 = time.perf_counter()
    return t1 - t0, t2 - t1, t3 - t2, t4 - t3


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("corpus", type=Path, help="the bench corpus: its folder or corpus-29k.tar.xz")
    parser.add_argument("--limit", type=int, help="the first N files of the stratified order")
    parser.add_argument("--work", type=Path, default=Path("/tmp/archive-bench"),
                        help="where a tarball is extracted (as bench.py's --work)")
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--markdown-it", action="store_true",
                        help="render with markdown-it-py (pip install markdown-it-py) instead of cmark-gfm")
    args = parser.parse_args(argv)
    root = locate_corpus(args.corpus, args.work)
    paths = [str(root / rel) for rel in stratified_order(root)[:args.limit]]
    if not paths:
        print(f"floor: no raw files under {args.corpus}", file=sys.stderr)
        return 2
    for path in paths:  # the page cache, as for a rebuild: the floor is CPU, not disk
        with open(path, "rb") as handle:
            handle.read()
    started = time.perf_counter()
    with get_context("fork").Pool(args.jobs, initializer=_start_worker, initargs=(args.markdown_it,)) as pool:
        laps = pool.map(_one, paths, chunksize=64)
    wall = time.perf_counter() - started
    cpu = [sum(lap[i] for lap in laps) for i in range(len(STAGES))]
    print(f"{len(paths)} files, {args.jobs} jobs: wall {wall:.1f} s, "
          f"CPU {sum(cpu):.1f} s ({1000 * sum(cpu) / len(paths):.2f} ms a file)")
    for name, seconds in zip(STAGES, cpu):
        print(f"  {name:<12} {seconds:6.1f} s CPU  {1000 * seconds / len(paths):.2f} ms a file")
    return 0


if __name__ == "__main__":
    sys.exit(main())
