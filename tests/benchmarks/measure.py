"""Run one command and measure it: wall time, CPU time and peak memory of its
whole process tree.

* **wall**: ``time.perf_counter`` from start to exit.
* **CPU**: user + system time from ``os.wait4`` on the child, which includes
  every descendant the child waited for (the builder's worker pool is joined
  before it exits, so its workers count).
* **peak RSS (tree)**: the highest sum of RSS over the child and all its
  descendants, sampled with psutil every ``interval`` seconds (50 ms). With
  forked workers the sum counts pages shared copy-on-write once per process,
  so it over-states; **peak PSS (tree)** (proportional set size, shared pages
  divided among their sharers) is sampled too, every fourth tick, and is the
  honest figure for "memory the machine needed".
* **max RSS (one process)**: the kernel's ``ru_maxrss`` from ``wait4``: the
  largest single process of the tree, exact (no sampling). For a
  single-process tool (Hugo, Pelican) it is the peak; the reported tree peak is
  never lower than it.

Without psutil only the kernel figures are available; the tree columns are
then ``None``.
"""

from __future__ import annotations

import os
import resource
import signal
import subprocess
import threading
import time
from dataclasses import asdict, dataclass
from pathlib import Path

try:
    import psutil
except ImportError:  # the tree figures need it; the kernel's figures do not
    psutil = None

MB = 1024 * 1024
_LIST_EVERY = 5
_PSS_MIN_SAMPLES = 3


@dataclass(frozen=True)
class Measurement:
    """What one run of one command cost."""

    wall_s: float
    user_s: float
    sys_s: float
    cpu_s: float
    """user + system, of the child and the descendants it waited for."""
    peak_rss_tree_mb: float | None
    """Highest sampled sum of RSS over the process tree (at least ``max_rss_single_mb``)."""
    peak_pss_tree_mb: float | None
    """Highest sampled sum of PSS over the process tree."""
    max_rss_single_mb: float
    """The kernel's peak RSS of the largest single process of the tree."""
    max_processes: int
    """Most processes seen alive in the tree at once."""
    returncode: int | None
    """Exit code; negative for a signal; ``None`` when killed for the time limit."""
    timed_out: bool
    load_before: tuple[float, float, float]
    """``os.getloadavg()`` just before the run (the machine is shared)."""
    sampler_cpu_s: float
    """CPU time the measuring process itself spent meanwhile (sampling costs)."""

    def as_dict(self) -> dict:
        return asdict(self)


def run_measured(command: list[str], cwd: Path, log: Path, *, env: dict[str, str] | None = None,
                 timeout: float | None = None, interval: float = 0.05) -> Measurement:
    """Run ``command`` in ``cwd`` with its output in ``log`` and measure it."""
    log.parent.mkdir(parents=True, exist_ok=True)
    load_before = os.getloadavg()
    own_before = resource.getrusage(resource.RUSAGE_SELF)
    with log.open("wb") as out:
        start = time.perf_counter()
        child = subprocess.Popen(command, cwd=cwd, env=env, stdout=out, stderr=subprocess.STDOUT,
                                 stdin=subprocess.DEVNULL, start_new_session=True)
        waiter = _Waiter(child.pid)
        sampler = _TreeSampler(child.pid) if psutil else None
        timed_out = False
        while not waiter.done.wait(interval):  # the first sample after one interval, not at once
            if timeout is not None and time.perf_counter() - start > timeout:
                timed_out = True
                os.killpg(child.pid, signal.SIGKILL)
                waiter.done.wait()
                break
            if sampler:
                sampler.sample()
        waiter.join()
        status, usage, wall = waiter.status, waiter.usage, waiter.end - start
    own_after = resource.getrusage(resource.RUSAGE_SELF)
    child.returncode = os.waitstatus_to_exitcode(status)  # reaped here; keep Popen from waiting again
    _kill_leftovers(child.pid)
    single = usage.ru_maxrss / 1024  # KiB on Linux
    tree_rss = max(sampler.peak_rss / MB, single) if sampler else None
    tree_pss = sampler.peak_pss / MB if sampler and sampler.pss_samples >= _PSS_MIN_SAMPLES else None
    own = (own_after.ru_utime + own_after.ru_stime) - (own_before.ru_utime + own_before.ru_stime)
    return Measurement(
        wall_s=round(wall, 3), user_s=round(usage.ru_utime, 3), sys_s=round(usage.ru_stime, 3),
        cpu_s=round(usage.ru_utime + usage.ru_stime, 3),
        peak_rss_tree_mb=None if tree_rss is None else round(tree_rss, 1),
        peak_pss_tree_mb=None if tree_pss is None else round(tree_pss, 1),
        max_rss_single_mb=round(single, 1),
        max_processes=sampler.max_processes if sampler else 1,
        returncode=None if timed_out else child.returncode, timed_out=timed_out,
        load_before=tuple(round(x, 2) for x in load_before), sampler_cpu_s=round(own, 3))


def _kill_leftovers(session: int) -> None:
    """Workers orphaned by a crashed or killed child would skew the next run."""
    try:
        os.killpg(session, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass


class _Waiter(threading.Thread):
    """Reaps the child in a thread, so its end time is exact whatever the
    sampler is doing at that moment."""

    def __init__(self, pid: int):
        super().__init__(daemon=True)
        self.pid = pid
        self.done = threading.Event()
        self.start()

    def run(self) -> None:
        _, self.status, self.usage = os.wait4(self.pid, 0)
        self.end = time.perf_counter()
        self.done.set()


class _TreeSampler:
    """Peak sums of RSS and PSS over a process and its descendants.

    Listing the tree scans every process of the machine, so it is refreshed
    every ``_LIST_EVERY`` ticks only (the builder's workers live as long as its
    pool). Reading PSS makes the kernel walk the page tables — about 15 ms for a
    500 MB process — so PSS is read only after a pause of twenty times the last
    read's cost (at least 0.1 s): the sampler then spends under 5 % of a core on
    it, whatever the size of the tool."""

    def __init__(self, pid: int):
        self.root = psutil.Process(pid)
        self.processes = [self.root]
        self.ticks = 0
        self.peak_rss = 0
        self.peak_pss = 0
        self.pss_samples = 0
        self.next_pss = 0.0
        self.max_processes = 1

    def sample(self) -> None:
        if self.ticks % _LIST_EVERY == 0:
            try:
                self.processes = [self.root, *self.root.children(recursive=True)]
            except psutil.Error:
                return
        self.ticks += 1
        started = time.perf_counter()
        with_pss = started >= self.next_pss
        rss = pss = 0
        for process in self.processes:
            try:
                if with_pss:
                    info = process.memory_full_info()
                    pss += info.pss
                else:
                    info = process.memory_info()
                rss += info.rss
            except psutil.Error:  # exited since the listing
                continue
        self.max_processes = max(self.max_processes, len(self.processes))
        self.peak_rss = max(self.peak_rss, rss)
        if with_pss:
            self.peak_pss = max(self.peak_pss, pss)
            self.pss_samples += 1
            self.next_pss = time.perf_counter() + max(0.1, 20 * (time.perf_counter() - started))
