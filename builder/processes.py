"""The build's other processes: the pool of workers that process files,
the warm worker forked for an edit, and single children forked for one
value while the build goes on.

    pool         ``run(fn, items)`` over worker processes (or here, with
                 one job), a few chunks sent ahead, the results in order
    EditWorker   one worker forked before the scan, warmed up while the
                 build looks for what changed
    Apart        ``make()`` in a forked child, its value pickled back;
                 made here instead when anything goes wrong there
    reaped, end  a child's exit status; a child ended at once

Every process is forked (the workers inherit what the build loaded, the
matchers above all), and none outlives the build: a build that fails or
stops ends them.
"""

from __future__ import annotations

import gc
import importlib
import os
import pickle
import signal
import time
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from multiprocessing import get_context
from typing import TYPE_CHECKING

from builder.config import Settings

if TYPE_CHECKING:
    from concurrent.futures import ProcessPoolExecutor

    from builder.build import _Job


class Apart:
    """``make()``, run in a forked child when ``apart`` while this process
    goes on, its value pickled back; else here, when ``result`` is asked
    for. Whatever goes wrong in the child (an error, a signal, a value
    that does not come back whole or is not a ``kind``), ``make`` runs
    here, as it would have."""

    def __init__(self, make: Callable[[], object], kind: type, apart: bool):
        self._make, self._kind = make, kind
        self.waited = 0.0
        """How long ``result`` took: the wait for the child, or making it here."""
        self._child = self._reader = None
        if apart:
            reader, writer = os.pipe()
            try:
                child = os.fork()
            except OSError:  # (no process to be had: made here)
                os.close(reader)
                os.close(writer)
                return
            if child == 0:
                _make_apart(reader, writer, make)
            self._child, self._reader = child, reader
            try:
                os.close(writer)
            except BaseException:
                self.stop()
                raise

    def result(self):
        started = time.perf_counter()
        found = self._collect() if self._child else None
        if found is None:
            found = self._make()
        self.waited = time.perf_counter() - started
        return found

    def _collect(self):
        child, self._child = self._child, None
        try:
            with open(self._reader, "rb") as pipe:
                data = pipe.read()  # until the child ends
        except BaseException:
            end(child)
            raise
        status = reaped(child)
        try:  # (a status unknown, the value says whether it came whole)
            found = pickle.loads(data) if status in (0, None) else None
        except Exception:
            return None
        return found if isinstance(found, self._kind) else None

    def stop(self) -> None:
        """End the child at once (a build that fails, or stops, before asking
        for the result); nothing once the result came."""
        if self._child:
            child, self._child = self._child, None
            end(child)
            os.close(self._reader)


def reaped(child: int) -> int | None:
    """The exit status of ``child`` once it ends; ``None`` when the system
    reaped it already (a host that ignores SIGCHLD)."""
    try:
        return os.waitpid(child, 0)[1]
    except ChildProcessError:
        return None


def end(child: int) -> None:
    """End ``child`` at once (SIGKILL) and reap it."""
    try:
        os.kill(child, signal.SIGKILL)
    except ProcessLookupError:
        pass
    reaped(child)


def _make_apart(reader: int, writer: int, make: Callable[[], object]) -> None:
    """The child of ``Apart``: ``make()``, pickled, to ``writer``. It never
    returns to the build's code (an interrupt that reaches it before its
    handlers are reset included), and exits 0 only once the value is all
    written."""
    code = 1
    try:
        for number in (signal.SIGINT, signal.SIGTERM):
            signal.signal(number, signal.SIG_DFL)
        os.close(reader)
        found = make()
        with open(writer, "wb") as pipe:
            pipe.write(pickle.dumps(found, pickle.HIGHEST_PROTOCOL))
        code = 0
    finally:
        os._exit(code)


@contextmanager
def pool(settings: Settings) -> Iterator[Callable]:
    """``run(fn, items)`` yields ``fn(item)`` in order, in worker processes when
    more than one job is asked for; the first items are sent to the workers
    at once, before the results are asked for."""
    workers = settings.workers
    if workers <= 1:
        def run_here(fn, items):
            collecting = gc.isenabled()
            gc.enable()  # the build pauses the collector; processing makes cycles (parsers' trees)
            try:
                yield from map(fn, items)
            finally:
                if not collecting:
                    gc.disable()
        yield run_here
        return
    # the workers collect garbage even when this process has paused its collector
    from concurrent.futures import ProcessPoolExecutor  # (not imported by a no-op rebuild)
    with ProcessPoolExecutor(max_workers=workers, mp_context=get_context("fork"), initializer=gc.enable) as pool:
        def run(fn, items):
            items = list(items)
            return _in_flight(pool, fn, items, chunk=max(1, min(16, len(items) // (workers * 8))),
                              window=workers * 4)
        yield run


def _in_flight(pool: ProcessPoolExecutor, fn: Callable, items: list, chunk: int, window: int) -> Iterator:
    """``fn(item)`` for each item, in order, with at most ``window`` chunks sent
    ahead, the first of them now. (``pool.map`` sends every item at once, and
    the results a slow chunk holds up pile up in the parent: at 29k articles,
    with their bodies, hundreds of megabytes.)"""
    starts = deque(range(0, len(items), chunk))
    pending: deque = deque()

    def send() -> None:
        while starts and len(pending) < window:
            start = starts.popleft()
            pending.append(pool.submit(_map_chunk, fn, items[start:start + chunk]))

    def results() -> Iterator:
        while pending:
            done = pending.popleft().result()
            send()
            yield from done

    send()
    return results()


class EditWorker:
    """A worker forked before the scan, when the last build's site is there:
    while this process looks for what changed, it imports the processing code and loads the
    matchers (most of a worker's start, 0.5 s and more), so that the files
    of an edit are processed as soon as they are known, and those of an
    addition when they are few (``build.EDIT_WORKER_LIMIT``). Killed when the build
    is done, or before a pool processes more files (its workers inherit
    what this process loaded instead)."""

    def __init__(self, job: _Job):
        context = get_context("fork")
        self._pipe, theirs = context.Pipe()
        self._process = context.Process(target=_serve_edits, args=(job, theirs, self._pipe), daemon=True)
        self._process.start()
        theirs.close()

    def run(self, fn: Callable, items: Iterable) -> Iterator:
        """As the pool's ``run``: the items go now, the results are read when asked for."""
        items = list(items)
        self._pipe.send((fn, items))  # a few small tuples: within the pipe's buffer
        return (self._result() for _ in items)

    def _result(self):
        done, value = self._pipe.recv()
        if not done:
            raise value
        return value

    def close(self) -> None:
        """Kill the worker (again: harmless once it is gone)."""
        self._process.kill()
        self._process.join()
        self._pipe.close()


def _serve_edits(job: _Job, pipe, parents_end) -> None:
    """``EditWorker``'s process: warm up, then ``fn(item)`` for each item
    sent, until the parent's end of the pipe closes (also when the parent is
    gone without closing it: its copy here is closed first)."""
    parents_end.close()
    gc.enable()  # as in the pool's workers: processing makes cycles
    from builder import classify, countries
    countries.use_cache_dir(job.cache_path.parent)
    importlib.import_module("builder.process")  # its imports: half of the warm-up
    classify.warm_up(job.vocabulary)
    while True:
        try:
            fn, items = pipe.recv()
        except EOFError:
            return
        for item in items:
            try:
                result = (True, fn(item))
            except Exception as error:  # raised in the build, as the pool raises it
                result = (False, error)
            try:
                pipe.send(result)
            except OSError:  # the build is gone (killed): nothing to report to
                return


def _map_chunk(fn: Callable, items: list) -> list:
    return [fn(item) for item in items]
