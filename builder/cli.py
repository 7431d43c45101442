"""The command line: parse arguments, call the build, print the summary.

    build [options]          build site/ from content/
    build serve [options]    build, serve on 127.0.0.1 and rebuild on change
    build check [options]    validate the content and the built site

Exit codes:
    0  success
    1  --strict and at least one file was skipped (site/ left as it was),
       or `check` found problems
    2  usage or configuration error (bad flag, settings file, missing folder)
    3  the output folder could not be written or replaced
  141  the reader of the output stopped reading (`build | head`), as for a
       command ended by SIGPIPE; what was built is kept
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from builder import __version__
from builder.build import StrictFailure, build
from builder.config import Settings, load_settings
from builder.errors import ConfigError, OutputError
from builder.models import BuildReport

EXIT_OK, EXIT_STRICT, EXIT_USAGE, EXIT_OUTPUT, EXIT_PIPE = 0, 1, 2, 3, 141


def _common_options(in_command: bool) -> argparse.ArgumentParser:
    """The options every command takes. A command's own copy sets only what is
    given after it, so ``build --out X check`` checks X."""
    unset = argparse.SUPPRESS if in_command else None
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--content", dest="content_dir", default=unset, help="content folder (default: content)")
    common.add_argument("--out", dest="out_dir", default=unset, help="output folder (default: site)")
    common.add_argument("--base-url", dest="base_url", default=unset, help="absolute URL the site is published at")
    common.add_argument("--cache", dest="cache_dir", default=unset,
                        help="folder of the incremental build cache (default: .archive-cache)")
    common.add_argument("--jobs", type=int, default=unset, help="worker processes (default: one per core)")
    common.add_argument("--strict", action="store_true", default=unset, help="fail when any file is skipped")
    common.add_argument("--quiet", action="store_true", default=unset, help="print only problems")
    return common


def _parser() -> argparse.ArgumentParser:
    common = _common_options(in_command=False)
    parser = argparse.ArgumentParser(
        prog="build", parents=[common],
        description="Build a static archive site from raw news articles.",
        epilog="Exit codes: 0 ok; 1 files skipped with --strict, or check found problems; "
               "2 usage or configuration error; 3 output folder could not be written; "
               "141 the output's reader stopped reading.")
    parser.add_argument("--version", action="version", version=f"archive-builder {__version__}")
    sub = parser.add_subparsers(dest="command")
    serve = sub.add_parser("serve", parents=[_common_options(in_command=True)],
                           help="preview on 127.0.0.1 and rebuild on change")
    serve.add_argument("--port", type=int, default=8000)
    sub.add_parser("check", parents=[_common_options(in_command=True)], help="validate content and the built site")
    return parser


def console() -> None:
    """The ``build`` command: ``main``, then end the process at once. Its
    objects are left to the operating system: freeing them one by one, and
    tearing the interpreter down, would cost a rebuild at archive scale
    half a second."""
    try:
        code = main(exiting=True)
        sys.stdout.flush()
    except BrokenPipeError:
        # The summary prints once the site is committed: the build is kept,
        # and the interpreter must not try to flush to the closed pipe again.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        code = EXIT_PIPE
    sys.stderr.flush()
    os._exit(code)


def main(argv: list[str] | None = None, exiting: bool = False) -> int:
    parser = _parser()
    args = parser.parse_args(argv)
    overrides = {k: getattr(args, k, None) for k in
                 ("content_dir", "out_dir", "base_url", "cache_dir", "jobs", "strict", "quiet")}
    if overrides["jobs"] is not None and overrides["jobs"] < 0:
        parser.error("--jobs must be 0 (all cores) or more")
    try:
        settings = load_settings(Path.cwd(), overrides)
    except ConfigError as error:
        print(f"build: configuration error: {error}", file=sys.stderr)
        return EXIT_USAGE
    if args.command == "serve":
        from builder.serve import serve
        return serve(settings, port=args.port)
    if args.command == "check":
        from builder.check import run_check
        return run_check(settings)
    return run_build(settings, exiting)


def run_build(settings: Settings, exiting: bool = False) -> int:
    progress = _ProgressBar() if sys.stdout.isatty() and not settings.quiet else None
    try:
        report = build(settings, progress=progress, exiting=exiting)
    except StrictFailure as failure:
        if progress:
            progress.finish()
        print_summary(failure.report, settings, failed=True)
        return EXIT_STRICT
    except ConfigError as error:
        print(f"build: configuration error: {error}", file=sys.stderr)
        return EXIT_USAGE
    except OutputError as error:
        print(f"build: output error: {error}", file=sys.stderr)
        return EXIT_OUTPUT
    if progress:
        progress.finish()
    print_summary(report, settings)
    return EXIT_OK


def print_summary(report: BuildReport, settings: Settings, failed: bool = False) -> None:
    out = sys.stdout
    if not settings.quiet or report.skipped:
        verdict = "FAILED (--strict: files were skipped; site left as it was)" if failed else "done"
        copies = f" ({report.copies} of them copies of another, listed once)" if report.copies else ""
        print(f"build {verdict}: {report.articles} articles{copies}, {report.pages} files in {report.out_dir}",
              file=out)
    if not settings.quiet:
        for note in report.warnings:
            print(f"  {note}", file=out)
        for timing in report.timings:
            count = f"  ({timing.count})" if timing.count else ""
            seconds = f"{timing.seconds:8.2f} s" if timing.seconds or not timing.count else " " * 10
            print(f"  {timing.name:<34} {seconds}{count}", file=out)
    if not settings.base_url:
        from builder.feeds import PREVIEW_URL
        print(f"build: WARNING: no base URL set (--base-url, or base_url in content/site.toml). Pages work "
              f"anywhere, but feeds and the sitemap point at the local preview {PREVIEW_URL}: "
              f"rebuild with --base-url before publishing.", file=sys.stderr)
    if report.skipped:
        print(f"{len(report.skipped)} file(s) skipped:", file=out)
        for number, skip in enumerate(report.skipped, start=1):
            print(f"  {number}. {skip.path}: [{skip.stage}] {skip.message}", file=out)


class _ProgressBar:
    """A one-line progress bar on a terminal."""

    def __init__(self) -> None:
        self._shown = False

    def __call__(self, stage: str, done: int, total: int) -> None:
        if total < 200 or (done % 50 and done != total):
            return
        width = 30
        filled = width * done // max(total, 1)
        sys.stdout.write(f"\r  {stage:<9} [{'#' * filled}{'.' * (width - filled)}] {done}/{total}")
        sys.stdout.flush()
        self._shown = True

    def finish(self) -> None:
        if self._shown:
            sys.stdout.write("\n")
            self._shown = False
