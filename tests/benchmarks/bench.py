"""Benchmark archive-builder against Hugo and Pelican on the bench corpus.

For each size N it builds a content folder of the first N raw files of the
stratified order (see corpus_sample.py) and measures, for our builder:

    cold       cache, output and staging folders removed (and the user's
               cache folder, where the country matcher is kept: a cold build
               is a machine's first)
    no-op      the same build again, nothing changed
    edit 1     one article gained a sentence
    tag 1      the same article gained a tag of its own, in a sidecar (ours only:
               the peers' posts take their tags from their paths)
    add 1      one article more: the next file of the stratified order, or,
               when the sample is the whole corpus, a copy of the first
               file that a sidecar gives a date after all others and an
               original address of its own (ours only: the peers' copy
               has no sidecar), so that it is listed, at the top
    delete 1   one article removed
    add 100    a batch of new articles at the top, as a mirror's sync brings
               them: copies of the first 100 files (of N, if fewer), each
               with a sentence appended and a sidecar that dates it after
               all others and gives it an original address of its own
    delete 100 the same batch removed

and a cold build of Hugo and of Pelican on the same N files (all their steps
with --peer-rebuilds). Before a cold build, every file left in the tool's
folder (its input) is read once, so that every tool starts from the page
cache: the peers' inputs are freshly written, ours are links to corpus files
that may have left it. Each run: wall time, CPU time, peak memory of the
process tree (measure.py), articles per second and HTML files written. A table
per size and the ratios are printed; everything goes to WORK/results.json.

Nothing is deleted while the tools are measured: the run folders of the last
run are moved into WORK/trash first and deleted after the last build, and a
run that starts within six minutes of such a deletion waits for the rest of
them (see ``QUIET_AFTER_DELETE_S``).

    python tests/benchmarks/bench.py --corpus /tmp/bench/bench --sizes 1000 --work /tmp/archive-bench

See docs/benchmarks.md.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import platform
import re
import shutil
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from corpus_sample import (Manifest, append_sentence, link_or_copy, locate_corpus,  # noqa: E402
                           mirror_counts, stratified_order)
from measure import psutil, run_measured  # noqa: E402
from prepare_peers import (BASE_URL, FEED_CHOICES, HugoSite, PelicanSite, ensure_pelican,  # noqa: E402
                           find_hugo)

REPO = Path(__file__).resolve().parents[2]
DEFAULT_CORPUS = REPO.parent / "shared" / "bench" / "corpus-29k.tar.xz"
DEFAULT_WORK = Path("/tmp/archive-bench")
TOOLS = ("ours", "hugo", "pelican")
STEPS = ("cold", "no-op", "edit 1", "tag 1", "add 1", "delete 1", "add 100", "delete 100")
BATCH = 100
PEER_STEPS = tuple(step for step in STEPS if step != "tag 1")
NEW_TAG = "archive-builder benchmark"

QUIET_AFTER_DELETE_S = 360
"""How long after deleting many files a build's own file creation is still
slowed by it. On ext4 without a journal (these machines' disks), the kernel
does not reuse an inode freed less than 60 s ago (360 s while its inode
table block is not written yet), and it steps over every such inode of a
block group again for each file it creates. Measured here: creating 20,000
files took 92-420 us a file within about a minute of deleting as many, and
19 us after 310 quiet seconds. Right after the bench had deleted the last
run's 141,000 files, our cold build at 29k spent 30 s of system time, against
14 s after five quiet minutes (and Hugo's cold build followed the deletion
of its 61,000). The deletions are the bench's, so they are kept out of the
measurements."""
TRASH = "trash"
DELETED_AT = ".deleted-at"

# The CEO's measurements on this 2-core machine (the performance issue), for reference.
ANCHORS = {
    1000: {"hugo": "1.4 s / 229 MB", "pelican": "4.1 s / 56 MB"},
    5000: {"hugo": "4.6 s / 928 MB", "pelican": "22.1 s / 117 MB"},
    28978: {"hugo": "25 s / 4.7 GB", "pelican": "crashes"},
}


# --- the contenders -----------------------------------------------------------

@dataclass(frozen=True)
class OursProgram:
    """How to run our builder."""

    command: list[str]
    env: dict[str, str] | None
    """Environment of the runs (``PYTHONPATH`` to the snapshot), or the bench's own."""
    source: Path
    """Where ``templates/`` and ``static/`` are copied from."""
    live: bool
    """Runs the repository's code as it is at each run (others may be editing it)."""


def snapshot_ours(repo: Path, work: Path) -> OursProgram:
    """Copy ``builder/``, ``templates/`` and ``static/`` of the repository into
    ``work/ours-snapshot`` and run that copy with the repository's interpreter
    (``python -m builder``), so that engineers editing the repository during a
    run do not change the code under measurement (the builder's cache is keyed
    on its own code: one saved file would empty it). The copy's bytecode is
    compiled once, as pip compiles an installed package's: where
    ``PYTHONDONTWRITEBYTECODE`` is set, every run would otherwise compile the
    modules it imports again (0.1 s of an edit's rebuild)."""
    snapshot = work / "ours-snapshot"
    shutil.rmtree(snapshot, ignore_errors=True)
    for name in ("builder", "templates", "static"):
        shutil.copytree(repo / name, snapshot / name, ignore=shutil.ignore_patterns("__pycache__"))
    python = repo / ".venv" / "bin" / "python"
    python = str(python if python.is_file() else sys.executable)
    # (by the interpreter of the runs: another version's bytecode would be ignored)
    subprocess.run([python, "-m", "compileall", "-q", str(snapshot / "builder")], check=True)
    env = {**os.environ, "PYTHONPATH": str(snapshot)}
    return OursProgram([python, "-m", "builder"], env, snapshot, live=False)


class Ours:
    """Our builder, run from its own scratch folder so its ``.archive-cache``
    (relative to the current directory) is isolated. ``templates/`` and
    ``static/`` are copied in when the folder is created."""

    name = "ours"

    def __init__(self, folder: Path, corpus: Path, manifest: Manifest, program: OursProgram, jobs: int | None):
        self.folder, self.corpus, self.manifest = folder, corpus, manifest
        self.content = folder / "content"
        self.program, self.jobs = program, jobs
        # The user's cache folder (the country matcher is kept there for every
        # project) is the folder's own, so that a cold build builds it again.
        self.env = {**(program.env or os.environ), "XDG_CACHE_HOME": str(folder / "user-cache")}
        self.paths: list[str] = []

    def create(self, paths: list[str]) -> None:
        shutil.rmtree(self.folder, ignore_errors=True)
        self.content.mkdir(parents=True)
        for name in ("templates", "static"):
            shutil.copytree(self.program.source / name, self.folder / name)
        for rel in paths:
            link_or_copy(self.corpus / rel, self.content / rel)
        self.paths = list(paths)
        self._write_manifest()

    def _write_manifest(self) -> None:
        (self.content / "MANIFEST.tsv").write_text(self.manifest.text_for(self.paths), encoding="utf-8")

    def cold(self) -> None:
        keep = {"content", "templates", "static"}
        for entry in self.folder.iterdir():
            if entry.name in keep:
                continue
            if entry.is_dir() and not entry.is_symlink():
                shutil.rmtree(entry)
            else:
                entry.unlink()

    def edit(self, rel: str) -> None:
        append_sentence(self.content / rel)

    def tag(self, rel: str) -> None:
        """Give the article at ``rel`` a tag no other has, in its sidecar."""
        stem = rel.rpartition(".")[0] or rel
        (self.content / f"{stem}.meta.toml").write_text(f'tags = ["{NEW_TAG}"]\n', encoding="utf-8")

    def add(self, rel: str, raw: bytes, sidecar: str = "") -> None:
        """Add ``rel``: a link to the corpus file when it is one, and its manifest
        row; and its ``sidecar``, when there is one."""
        self.add_batch([(rel, raw, sidecar)])

    def add_batch(self, files: list[tuple[str, bytes, str]]) -> None:
        for rel, raw, sidecar in files:
            if (self.corpus / rel).is_file():
                link_or_copy(self.corpus / rel, self.content / rel)
            else:
                (self.content / rel).write_bytes(raw)
            if sidecar:
                self._sidecar(rel).write_text(sidecar, encoding="utf-8")
            self.paths.append(rel)
        self._write_manifest()

    def remove(self, rel: str) -> None:
        self.remove_batch([rel])

    def remove_batch(self, rels: list[str]) -> None:
        """Remove the files ``rels``, their sidecars and manifest rows."""
        for rel in rels:
            (self.content / rel).unlink()
            self._sidecar(rel).unlink(missing_ok=True)
        gone = set(rels)
        self.paths = [rel for rel in self.paths if rel not in gone]
        self._write_manifest()

    def _sidecar(self, rel: str) -> Path:
        return self.content / f"{rel.rpartition('.')[0] or rel}.meta.toml"

    def output(self) -> Path:
        return self.folder / "site"

    def command(self) -> list[str]:
        jobs = ["--jobs", str(self.jobs)] if self.jobs is not None else []
        return [*self.program.command, "--content", "content", "--out", "site", "--base-url", BASE_URL, *jobs]


class Peer:
    """Hugo or Pelican on prepared posts (prepare_peers.py)."""

    env = None

    def __init__(self, site: HugoSite | PelicanSite, corpus: Path, executable: str):
        self.site, self.corpus, self.executable = site, corpus, executable
        self.name = site.name
        self.folder = site.folder

    def create(self, paths: list[str]) -> None:
        self.site.create()
        for rel in paths:
            self.site.write(rel, (self.corpus / rel).read_bytes())

    def cold(self) -> None:
        for path in self.site.cold_paths():
            shutil.rmtree(path, ignore_errors=True)

    def edit(self, rel: str) -> None:
        append_sentence(self.site.path_of(rel))

    def add(self, rel: str, raw: bytes, sidecar: str = "") -> None:
        self.add_batch([(rel, raw, sidecar)])

    def add_batch(self, files: list[tuple[str, bytes, str]]) -> None:
        for rel, raw, _ in files:
            self.site.write(rel, raw)

    def remove(self, rel: str) -> None:
        self.remove_batch([rel])

    def remove_batch(self, rels: list[str]) -> None:
        for rel in rels:
            self.site.path_of(rel).unlink()

    def output(self) -> Path:
        return self.site.output()

    def command(self) -> list[str]:
        return self.site.command(self.executable)


# --- one size -----------------------------------------------------------------

@dataclass
class Plan:
    """The files of one size and the articles its rebuild steps touch."""

    size: int
    paths: list[str]
    edited: str
    added: tuple[str, bytes]
    deleted: str
    added_sidecar: str = ""
    """The added file's sidecar (ours only), when it has one."""
    mirrors: dict[str, int] = field(default_factory=dict)
    batch: list[tuple[str, bytes, str]] = field(default_factory=list)
    """The files of ``add 100``: path, bytes and sidecar (ours only)."""


def plan_for(size: int, order: list[str], corpus: Path) -> Plan:
    """Edit the middle file, delete the one a third in, add file N+1 of the order —
    or, when the sample is the whole corpus, a renamed copy of the first file with
    a sentence appended (so its content is new too), which its sidecar dates
    after every other and gives an address of its own: a new article at the top
    of its lists, as an archive grows, not a copy of another (listed once)."""
    paths = order[:size]
    sidecar = ""
    if size < len(order):
        added = (order[size], (corpus / order[size]).read_bytes())
    else:
        first = paths[0]
        stem, dot, ext = first.rpartition(".")
        added = (f"{stem}-bench-copy{dot}{ext}",
                 (corpus / first).read_bytes() + b"\n\nThis copy was added by the archive-builder benchmark.\n")
        sidecar = 'date = "2099-01-01"\nsource_url = "https://bench.example/added-by-the-benchmark"\n'
    edited = paths[len(paths) // 2]
    deleted = paths[len(paths) // 3]
    if deleted == edited and len(paths) > 1:
        deleted = paths[-1]
    return Plan(size, paths, edited, added, deleted, added_sidecar=sidecar, mirrors=mirror_counts(paths),
                batch=[_batch_copy(corpus, rel, n) for n, rel in enumerate(paths[:BATCH])])


def _batch_copy(corpus: Path, rel: str, n: int) -> tuple[str, bytes, str]:
    """The ``n``-th file of ``add 100``: a copy of ``rel`` under a name of its
    own, its text new too, dated after every other file and with an
    original address of its own (a new article, not a copy of another)."""
    stem, dot, ext = rel.rpartition(".")
    return (f"{stem}-bench-batch{dot}{ext}" if dot else f"{rel}-bench-batch",
            (corpus / rel).read_bytes() + b"\n\nThis copy was added by the archive-builder benchmark.\n",
            f'date = "2099-02-{1 + n % 28:02d}"\nsource_url = "https://bench.example/batch/{n}"\n')


def run_tool(tool: Ours | Peer, plan: Plan, steps: tuple[str, ...], logs: Path, timeout: float,
             results: dict, save: Callable[[], None]) -> None:
    """Create the tool's folder for ``plan``, measure each step into ``results``
    and ``save`` after each (a long run that is interrupted keeps what it did)."""
    started = time.perf_counter()
    tool.create(plan.paths)
    results.update({"prepare_s": round(time.perf_counter() - started, 2), "command": tool.command(), "steps": {}})
    articles = len(plan.paths)
    watch = isinstance(tool, Ours) and tool.program.live
    code = _builder_code_state() if watch else None
    for step in steps:
        if step == "cold":
            tool.cold()
            results["warmed_mb"] = read_all(tool.folder)
        elif step == "edit 1":
            tool.edit(plan.edited)
        elif step == "tag 1":
            tool.tag(plan.edited)
        elif step == "add 1":
            tool.add(*plan.added, sidecar=plan.added_sidecar)
            articles += 1
        elif step == "delete 1":
            tool.remove(plan.deleted)
            articles -= 1
        elif step == "add 100":
            tool.add_batch(plan.batch)
            articles += len(plan.batch)
        elif step == "delete 100":
            tool.remove_batch([rel for rel, _, _ in plan.batch])
            articles -= len(plan.batch)
        log = logs / f"{plan.size}-{tool.name}-{step.replace(' ', '-')}.log"
        print(f"  {tool.name:<8} {step:<10} ...", end="", flush=True)
        # Each step starts with the last one's writes on disk: a cold build
        # leaves a gigabyte or more of written pages that the kernel flushes
        # over the next half minute, which would be charged to the next step.
        os.sync()
        measured = run_measured(tool.command(), tool.folder, log, env=tool.env, timeout=timeout)
        result = {**measured.as_dict(), "articles_in": articles,
                  "pages_per_s": round(articles / measured.wall_s, 1) if measured.wall_s else None,
                  "html_files": _count_html(tool.output()), "log": str(log),
                  **_read_log(tool.name, log)}
        if isinstance(tool, Ours):
            result["trash_s"] = wait_for_trash(tool.folder)
        if watch:
            code, before = _builder_code_state(), code
            if code != before:  # the cache keys on the builder's code: a change empties it
                result["builder_code_changed"] = True
        result["status"] = _status(measured, result)
        results["steps"][step] = result
        save()
        mode = f"  [{result['mode']}]" if result.get("mode") else ""
        print(f" {measured.wall_s:8.2f} s  {result['status']}{mode}", flush=True)
        if measured.timed_out:
            break


def wait_for_trash(folder: Path, limit: float = 900.0) -> float:
    """Seconds until the trash our build left beside its site is gone: what a
    commit replaced is deleted by a process of its own after the build has
    returned (``builder.write.remove``). The next step starts only then, so
    that none pays for the last one's deletions."""
    started = time.perf_counter()
    while any(folder.glob(".site.trash-*")) and time.perf_counter() - started < limit:
        time.sleep(0.05)
    return round(time.perf_counter() - started, 2)


def read_all(folder: Path) -> float:
    """Read every file under ``folder`` (into the page cache); megabytes read."""
    total = 0
    for root, _, names in os.walk(folder):
        for name in names:
            with open(os.path.join(root, name), "rb") as handle:
                while chunk := handle.read(1 << 20):
                    total += len(chunk)
    return round(total / 1e6, 1)


def _builder_code_state() -> str:
    """A fingerprint of the repository's builder package (path, size, mtime of
    each file). With ``--live``, engineers may edit it during a run; a step
    during or after which it changed is flagged, since the builder's cache is
    keyed on its own code."""
    entries = []
    for path in sorted((REPO / "builder").rglob("*")):
        if path.is_file() and "__pycache__" not in path.parts:
            stat = path.stat()
            entries.append(f"{path.relative_to(REPO)}:{stat.st_size}:{stat.st_mtime_ns}")
    return hashlib.sha256("\n".join(entries).encode()).hexdigest()


def _count_html(folder: Path) -> int:
    count = 0
    for _, _, files in os.walk(folder):
        count += sum(1 for f in files if f.endswith(".html"))
    return count


_OURS_DONE = re.compile(r"build (?:done|FAILED[^:]*): (\d+) articles, (\d+) files")
_OURS_STAGE = re.compile(r"^ {2,}(\S.*?)\s+([\d.]+) s(?:\s+\((\d+)\))?$")
_OURS_MODE = re.compile(r"^ {2}((?:full build|incremental)\b.*)$")
_OURS_SKIPPED = re.compile(r"^(\d+) file\(s\) skipped")
_ERROR_LINE = re.compile(r"\b(ERROR|CRITICAL|Error|Traceback|panic)\b")


def _read_log(tool: str, log: Path) -> dict:
    """What the tool's own output tells: for ours the summary (articles, files,
    skips, seconds per stage); for all, error lines and the last of them."""
    text = log.read_text(encoding="utf-8", errors="replace")
    lines = text.splitlines()
    found: dict = {}
    if tool == "ours":
        if done := _OURS_DONE.search(text):
            found["articles_built"], found["files_written"] = int(done.group(1)), int(done.group(2))
        found["skipped"] = next((int(m.group(1)) for m in map(_OURS_SKIPPED.match, lines) if m), 0)
        found["stages"] = {m.group(1): float(m.group(2)) for m in map(_OURS_STAGE.match, lines) if m}
        found["mode"] = next((m.group(1) for m in map(_OURS_MODE.match, lines) if m), None)
    errors = [line for line in lines if _ERROR_LINE.search(line)]
    found["error_lines"] = len(errors)
    if errors:
        found["last_error"] = errors[-1].strip()[:300]
    found["log_tail"] = [line[:300] for line in lines[-5:]]
    return found


def _status(measured, result: dict) -> str:
    if measured.timed_out:
        return "timeout"
    if measured.returncode != 0:
        why = result.get("last_error") or (result["log_tail"][-1] if result["log_tail"] else "")
        return f"CRASH exit {measured.returncode}: {why[:120]}"
    notes = []
    if result.get("builder_code_changed"):
        notes.append("builder code changed since the previous step")
    if result.get("skipped"):
        notes.append(f"{result['skipped']} skipped")
    if result["error_lines"]:
        notes.append(f"{result['error_lines']} error lines")
    return "ok" + (f" ({', '.join(notes)})" if notes else "")


def ratios(tools: dict) -> dict:
    """Cold-build ratios; ``None`` where a side is missing or crashed."""
    def cold(name: str) -> dict | None:
        step = tools.get(name, {}).get("steps", {}).get("cold")
        return step if step and step["returncode"] == 0 else None

    def ratio(a: dict | None, b: dict | None, key: str) -> float | None:
        if not a or not b or not a.get(key) or not b.get(key):
            return None
        return round(a[key] / b[key], 2)

    ours, hugo, pelican = cold("ours"), cold("hugo"), cold("pelican")
    return {
        "ours_over_hugo_wall": ratio(ours, hugo, "wall_s"),
        "pelican_over_ours_wall": ratio(pelican, ours, "wall_s"),
        "ours_over_hugo_cpu": ratio(ours, hugo, "cpu_s"),
        "pelican_over_ours_cpu": ratio(pelican, ours, "cpu_s"),
        "ours_over_hugo_rss": ratio(ours, hugo, "peak_rss_tree_mb"),
        "ours_over_pelican_rss": ratio(ours, pelican, "peak_rss_tree_mb"),
        "ours_over_hugo_pss": ratio(ours, hugo, "peak_pss_tree_mb"),
        "ours_over_pelican_pss": ratio(ours, pelican, "peak_pss_tree_mb"),
    }


# --- reporting ----------------------------------------------------------------

def print_size(size: int, record: dict) -> None:
    print(f"\n== {size} files  {record['mirrors']}  load before: {record['uptime_before']}")
    header = (f"{'tool':<8} {'step':<10} {'wall s':>8} {'cpu s':>8} {'RSS MB':>8} {'PSS MB':>8} "
              f"{'1-proc MB':>9} {'pages/s':>8} {'html':>7}  status")
    print(header)
    print("-" * len(header))
    for name, tool in record["tools"].items():
        if "error" in tool:
            print(f"{name:<8} {'-':<10} {tool['error']}")
            continue
        for step, r in tool["steps"].items():
            print(f"{name:<8} {step:<10} {r['wall_s']:8.2f} {r['cpu_s']:8.2f} {_mb(r['peak_rss_tree_mb'])} "
                  f"{_mb(r['peak_pss_tree_mb'])} {r['max_rss_single_mb']:9.0f} "
                  f"{_num(r['pages_per_s'])} {r['html_files']:7d}  {r['status']}")
    r = record["ratios"]
    print("ratios (cold): " + ", ".join(f"{k.replace('_over_', '/')} {v if v is not None else 'n/a'}"
                                        for k, v in r.items()))
    if size in ANCHORS:
        print("CEO anchors: " + "; ".join(f"{k} {v}" for k, v in ANCHORS[size].items()))


def _mb(value: float | None) -> str:
    return f"{value:8.0f}" if value is not None else f"{'n/a':>8}"


def _num(value: float | None) -> str:
    return f"{value:8.1f}" if value is not None else f"{'n/a':>8}"


def machine() -> dict:
    info = {"cpu_count": os.cpu_count(), "cpu_model": cpu_model(), "platform": platform.platform(),
            "python": sys.version.split()[0], "psutil": getattr(psutil, "__version__", None)}
    try:
        with open("/proc/meminfo", encoding="ascii") as meminfo:
            info["mem_total_kb"] = int(meminfo.readline().split()[1])
    except OSError:
        pass
    git = subprocess.run(["git", "-C", str(REPO), "rev-parse", "HEAD"], capture_output=True, text=True, check=False)
    dirty = subprocess.run(["git", "-C", str(REPO), "status", "--porcelain", "--untracked-files=no"],
                           capture_output=True, text=True, check=False)
    info["repo_commit"] = git.stdout.strip() or None
    info["repo_dirty"] = bool(dirty.stdout.strip())
    return info


def cpu_model() -> str | None:
    """The processor's name as the kernel gives it (``model name``)."""
    try:
        with open("/proc/cpuinfo", encoding="utf-8", errors="replace") as cpuinfo:
            for line in cpuinfo:
                if line.startswith("model name"):
                    return line.partition(":")[2].strip()
    except OSError:
        pass
    return platform.processor() or None


CALIBRATION = """
import re, time
words = re.compile(r"(\\w+) (\\d+)")
text = " ".join(f"word{i} {i}" for i in range(4000))
best = None
for _ in range(3):
    start = time.process_time()
    for _ in range(40):
        found = {m.group(1): int(m.group(2)) for m in words.finditer(text)}
        ordered = sorted(found.items(), key=lambda item: (-item[1], item[0]))
        joined = "<p>" + "</p><p>".join(f"{k}={v}" for k, v in ordered) + "</p>"
        joined.count("word1")
    spent = time.process_time() - start
    best = spent if best is None else min(best, spent)
print(best)
"""
"""A fixed piece of pure Python (a regex, a dict, a sort, string joins: the
kinds of work our builder does), timed in the interpreter that runs our
builder. Machines of one kind differ, and so do builds of one Python version
(a PGO build such as Debian's ``/usr/bin/python3`` against an unoptimised
``pyenv`` one): runs whose calibration differs are not comparable."""


def interpreter_of(command: list[str]) -> str | None:
    """The Python interpreter a command runs: its first word when that is a
    Python, else the interpreter on the ``#!`` line of the script it names."""
    executable = shutil.which(command[0]) if command else None
    if executable is None:
        return None
    if re.search(r"python[\d.]*$", Path(executable).name):
        return executable
    try:
        with open(executable, "rb") as script:
            first = script.readline(500)
    except OSError:
        return None
    if first.startswith(b"#!") and b"python" in first:
        return first[2:].decode("utf-8", "replace").split()[0]
    return None


def calibrate(python: str | None) -> dict:
    """Which Python runs our builder and how fast it runs ``CALIBRATION``."""
    if python is None:
        return {"python": None}
    version = subprocess.run([python, "-c", "import sys; print(sys.version.split()[0])"],
                             capture_output=True, text=True, check=False).stdout.strip()
    out = subprocess.run([python, "-c", CALIBRATION], capture_output=True, text=True, check=False)
    try:
        seconds = round(float(out.stdout.strip()), 3)
    except ValueError:
        seconds = None
    return {"python": python, "version": version or None, "calibration_cpu_s": seconds}


def uptime() -> str:
    out = subprocess.run(["uptime"], capture_output=True, text=True, check=False)
    return out.stdout.strip() or " ".join(f"{x:.2f}" for x in os.getloadavg())


# --- command line -------------------------------------------------------------

def parse_sizes(text: str, total: int) -> list[int]:
    sizes = []
    for part in text.split(","):
        part = part.strip().lower()
        if part in ("all", "29k"):
            n = total
        elif part.endswith("k"):
            n = int(float(part[:-1]) * 1000)
        else:
            n = int(part)
        if n < 1:
            raise SystemExit(f"bench: size must be at least 1, not {part!r}")
        sizes.append(min(n, total))
    return sizes


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(description="Benchmark archive-builder against Hugo and Pelican.")
    parser.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS,
                        help=f"corpus folder or .tar.xz (default: {DEFAULT_CORPUS})")
    parser.add_argument("--sizes", default="1000,5000,28978",
                        help="comma-separated numbers of files; 1k, 29k and all are understood "
                             "(default: 1000,5000,28978)")
    parser.add_argument("--work", type=Path, default=DEFAULT_WORK,
                        help=f"scratch folder outside the repository (default: {DEFAULT_WORK})")
    parser.add_argument("--only", help="comma-separated tools to run, of: " + ", ".join(TOOLS))
    parser.add_argument("--skip-peers", action="store_true", help="same as --only ours")
    parser.add_argument("--jobs", type=int, help="passed to our builder's --jobs (peers are not limited)")
    parser.add_argument("--peer-rebuilds", action="store_true",
                        help="run the rebuild steps for Hugo and Pelican too (default: cold only)")
    parser.add_argument("--peer-feeds", choices=FEED_CHOICES, default="like-ours",
                        help="like-ours: 50 items per feed (default); defaults: each peer's own "
                             "(Hugo: every article in every feed, as in the issue's anchors)")
    parser.add_argument("--timeout", type=float, default=3600, help="seconds per run before it is killed")
    parser.add_argument("--live", action="store_true",
                        help="run the repository's code as it is at each run (default: a snapshot of "
                             "builder/, templates/ and static/ taken at the start)")
    parser.add_argument("--build", help="our builder's command, run live (e.g. 'build' of another install)")
    return parser


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    tools = ["ours"] if args.skip_peers else [t.strip() for t in (args.only or ",".join(TOOLS)).split(",")]
    if unknown := set(tools) - set(TOOLS):
        raise SystemExit(f"bench: unknown tool(s) {', '.join(sorted(unknown))}; expected some of {', '.join(TOOLS)}")
    work = args.work.expanduser().resolve()
    if work == REPO or REPO in work.parents:
        raise SystemExit(f"bench: --work {work} is inside the repository; the corpus must stay out of it")
    work.mkdir(parents=True, exist_ok=True)
    if psutil is None:
        print("bench: psutil is not installed: only the kernel's one-process peak RSS is measured "
              "(pip install psutil for the process-tree peak)", file=sys.stderr)

    corpus = locate_corpus(args.corpus, work)
    order = stratified_order(corpus)
    manifest = Manifest(corpus)
    sizes = parse_sizes(args.sizes, len(order))
    stamp = time.strftime("%Y%m%d-%H%M%S")
    results: dict = {"started": time.strftime("%Y-%m-%dT%H:%M:%S%z"), "corpus": str(corpus),
                     "corpus_files": len(order), "corpus_mirrors": mirror_counts(order),
                     "machine": machine(), "versions": {}, "jobs": args.jobs,
                     "peer_feeds": args.peer_feeds, "sizes": {}}
    executables = _executables(tools, work, args, results["versions"])
    print("versions: " + "; ".join(f"{k}: {v}" for k, v in results["versions"].items()))

    def save() -> None:
        _save(work / "results.json", results)
        _save(work / f"results-{stamp}.json", results)

    move_to_trash(work, [work / "runs" / str(size) / name for size in sizes for name in tools])
    results["waited_for_quiet_s"] = wait_for_quiet(work)
    for size in sizes:
        plan = plan_for(size, order, corpus)
        record = {"mirrors": plan.mirrors, "edited": plan.edited, "added": plan.added[0],
                  "deleted": plan.deleted, "uptime_before": uptime(), "tools": {}}
        results["sizes"][str(size)] = record
        print(f"\nsize {size}: {plan.mirrors}", flush=True)
        for name in tools:
            if executables.get(name) is None:
                record["tools"][name] = {"error": results["versions"][name]}
                continue
            folder = work / "runs" / str(size) / name
            if name == "ours":
                tool = Ours(folder, corpus, manifest, executables["ours"], args.jobs)
                steps = STEPS
            else:
                site = (HugoSite if name == "hugo" else PelicanSite)(folder, args.peer_feeds)
                tool = Peer(site, corpus, executables[name])
                steps = PEER_STEPS if args.peer_rebuilds else ("cold",)
            record["tools"][name] = {}
            run_tool(tool, plan, steps, work / "logs", args.timeout, record["tools"][name], save)
        record["uptime_after"] = uptime()
        record["ratios"] = ratios(record["tools"])
        save()
        print_size(size, record)
    empty_trash(work)
    print(f"\nresults: {work / 'results.json'} (and results-{stamp}.json)   logs: {work / 'logs'}")
    return 0


def move_to_trash(work: Path, folders: list[Path]) -> None:
    """Move those of ``folders`` that exist into WORK/trash (a rename: nothing
    is deleted yet)."""
    trash = work / TRASH
    for folder in folders:
        if folder.exists():
            trash.mkdir(exist_ok=True)
            folder.rename(trash / f"{time.time_ns()}-{folder.parent.name}-{folder.name}")


def wait_for_quiet(work: Path, quiet_s: float = QUIET_AFTER_DELETE_S, sleep: Callable = time.sleep) -> float:
    """Wait until ``quiet_s`` have passed since the bench last emptied its
    trash (see ``QUIET_AFTER_DELETE_S``); the seconds waited."""
    try:
        deleted_at = float((work / TRASH / DELETED_AT).read_text())
    except (OSError, ValueError):
        return 0.0
    wait = max(0.0, min(quiet_s, deleted_at + quiet_s - time.time()))
    if wait:
        print(f"bench: waiting {wait:.0f} s: the last run's files were deleted {quiet_s - wait:.0f} s ago, "
              f"and creating files is slower for up to {quiet_s:.0f} s after a mass deletion", flush=True)
        sleep(wait)
    return round(wait, 1)


def empty_trash(work: Path) -> None:
    """Delete what is in the trash, after the measurements, and note when
    (``wait_for_quiet``)."""
    trash = work / TRASH
    entries = [e for e in trash.iterdir() if e.name != DELETED_AT] if trash.exists() else []
    for entry in entries:
        shutil.rmtree(entry, ignore_errors=True)
    if entries:
        (trash / DELETED_AT).write_text(f"{time.time():.0f}\n")


def _executables(tools: list[str], work: Path, args: argparse.Namespace, versions: dict) -> dict:
    """How to run each tool (``None`` when unavailable), and its version in ``versions``."""
    found: dict = {}
    if "ours" in tools:
        program = None
        if args.build:
            program = OursProgram(args.build.split(), None, REPO, live=True)
        elif args.live:
            local = REPO / ".venv" / "bin" / "build"
            command = str(local) if local.is_file() else shutil.which("build")
            program = OursProgram([command], None, REPO, live=True) if command else None
        else:
            program = snapshot_ours(REPO, work)
        found["ours"] = program
        if program:
            out = subprocess.run([*program.command, "--version"], env=program.env,
                                 capture_output=True, text=True, check=False)
            versions["ours"] = (out.stdout.strip() or out.stderr.strip()) + (
                " (live repository code)" if program.live else f" (snapshot in {program.source})")
            speed = calibrate(interpreter_of(program.command))
            versions["ours_python"] = (f"{speed['python']} {speed['version']}, calibration "
                                       f"{speed['calibration_cpu_s']} s CPU" if speed["python"] else
                                       "not known (the build command is not a Python script)")
        else:
            versions["ours"] = "no build command: pip install -e . in the repository, or pass --build"
    if "hugo" in tools:
        found["hugo"], versions["hugo"] = find_hugo()
    if "pelican" in tools:
        found["pelican"], versions["pelican"] = ensure_pelican(work)
    return found


def _save(path: Path, results: dict) -> None:
    temporary = path.with_suffix(".json.tmp")
    temporary.write_text(json.dumps(results, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    os.replace(temporary, path)


if __name__ == "__main__":
    raise SystemExit(main())
