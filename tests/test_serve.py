"""The preview server serves the built site on the loopback address only."""

from __future__ import annotations

import threading
import urllib.request

from builder.build import build
from builder.serve import HOST, make_server
from tests.conftest import ROOT, make_settings


def test_preview_server_serves_the_site_on_loopback(tmp_path):
    out = tmp_path / "site"
    build(make_settings(ROOT / "content", out))
    server = make_server(out, 0)
    assert server.server_address[0] == HOST
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        port = server.server_address[1]
        with urllib.request.urlopen(f"http://{HOST}:{port}/index.html", timeout=5) as response:
            assert response.status == 200
            assert b"<html lang=" in response.read()
        # a rebuild swaps the folder in; the server keeps serving the new one
        (out / "index.html").unlink()
        build(make_settings(ROOT / "content", out))
        with urllib.request.urlopen(f"http://{HOST}:{port}/index.html", timeout=5) as response:
            assert response.status == 200
    finally:
        server.shutdown()
