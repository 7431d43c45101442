"""``build serve``: build, serve ``site/`` on 127.0.0.1, rebuild on change.

The server only ever listens on the loopback address. It watches the content
folder (articles, sidecars, settings), the templates and the static files with
watchfiles, and rebuilds when any of them changes, printing what changed and
the build's summary. The site is swapped in atomically by the build, so a
reader never sees half a site.
"""

from __future__ import annotations

import functools
import http.server
import threading
from dataclasses import replace
from pathlib import Path

from builder.build import StrictFailure, build
from builder.config import Settings
from builder.errors import ConfigError, InputError, OutputError

HOST = "127.0.0.1"


class _Handler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args) -> None:  # noqa: A002 - the stdlib's name
        pass  # one line per request would drown the rebuild messages

    def end_headers(self) -> None:
        self.send_header("Cache-Control", "no-store")
        super().end_headers()


def make_server(site: Path, port: int) -> http.server.ThreadingHTTPServer:
    """A server for ``site`` on 127.0.0.1 (port 0 picks a free one)."""
    handler = functools.partial(_Handler, directory=str(site))
    return http.server.ThreadingHTTPServer((HOST, port), handler)


def _rebuild(settings: Settings) -> bool:
    from builder.cli import print_summary
    try:
        report = build(settings)
    except StrictFailure as failure:
        print_summary(failure.report, settings, failed=True)
        return False
    except (ConfigError, OutputError, InputError) as error:
        print(f"build: {error}")
        return False
    print_summary(report, settings)
    return True


def serve(settings: Settings, port: int = 8000) -> int:
    import watchfiles

    if not settings.base_url:
        # feeds and the sitemap then point at this preview server, whatever its port
        settings = replace(settings, base_url=f"http://{HOST}:{port}/")
    if not _rebuild(settings):
        return 1
    out = settings.path("out_dir")
    # serve the folder's parent path so the atomic swap of site/ is picked up
    server = make_server(out, port)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    print(f"serving {out} at http://{HOST}:{server.server_address[1]}/ — Ctrl-C to stop")
    watched = [settings.path(name) for name in ("content_dir", "templates_dir", "static_dir")]
    try:
        for changes in watchfiles.watch(*[p for p in watched if p.exists()]):
            names = sorted({Path(path).name for _, path in changes})
            print(f"changed: {', '.join(names[:8])}{' …' if len(names) > 8 else ''} — rebuilding")
            _rebuild(settings)
    except KeyboardInterrupt:
        pass
    finally:
        server.shutdown()
    return 0
