"""A local stand-in for GitHub Pages: serves a folder under /<repo>/, case-sensitively, with 404.html."""

from __future__ import annotations

import gzip
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import unquote, urlsplit

# What GitHub Pages sends gzipped to a browser that accepts it.
_COMPRESSIBLE = ("text/", "application/javascript", "application/json", "application/xml", "image/svg+xml")


def _handler(root: Path, prefix: str, compress: bool) -> type[SimpleHTTPRequestHandler]:
    class Handler(SimpleHTTPRequestHandler):
        def log_message(self, format: str, *args: object) -> None:
            pass

        def do_GET(self) -> None:
            path = unquote(urlsplit(self.path).path)
            target = None
            if path.startswith(prefix):
                candidate = root / path[len(prefix) :]
                if candidate.is_dir() and path.endswith("/"):
                    candidate = candidate / "index.html"
                # Exact case, like GitHub Pages: compare the real name of every component.
                if candidate.is_file() and _exact_case(root, candidate):
                    target = candidate
            if target is None:
                self._send(404, (root / "404.html").read_bytes(), "text/html; charset=utf-8")
                return
            kind = self.guess_type(str(target))
            self._send(200, target.read_bytes(), kind)

        def _send(self, status: int, body: bytes, kind: str) -> None:
            self.send_response(status)
            self.send_header("Content-Type", kind)
            if compress and kind.startswith(_COMPRESSIBLE):
                self.send_header("Vary", "Accept-Encoding")
                if "gzip" in self.headers.get("Accept-Encoding", ""):
                    body = gzip.compress(body, mtime=0)
                    self.send_header("Content-Encoding", "gzip")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

    return Handler


def _exact_case(root: Path, path: Path) -> bool:
    current = root
    for part in path.relative_to(root).parts:
        if part not in {p.name for p in current.iterdir()}:
            return False
        current = current / part
    return True


@contextmanager
def serve_pages(root: Path, prefix: str = "/repo/", compress: bool = False) -> Iterator[str]:
    """Serve `root` at http://127.0.0.1:<port><prefix>; yields that base URL. `compress` gzips text
    for clients that accept it, as GitHub Pages does (Lighthouse's transfer sizes depend on it)."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(root, prefix, compress))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}{prefix}"
    finally:
        server.shutdown()
        server.server_close()
