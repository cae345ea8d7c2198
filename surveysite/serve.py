"""`surveysite serve`: build, serve the output with live reload, rebuild on every change.

A failed rebuild keeps the last good site on disk and shows the errors in the browser instead.
A burst of saves (an editor's "save all", a `git checkout`) gives one rebuild, not one per file.
"""

from __future__ import annotations

import html
import json
import mimetypes
import os
import sys
import threading
import time
import traceback
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from surveysite.cache import Cache
from surveysite.errors import BuildError
from surveysite.pipeline import Project, build

StartResponse = Callable[[str, list[tuple[str, str]]], Any]
Snapshot = frozenset[tuple[str, int, int]]

STATUS_PATH = "/__surveysite/status"
"""JSON {"builds": n, "ok": bool, "base": "/repo/"}: lets tests and tools see rebuilds, and where
the site is served, without reading logs."""
POLL_SECONDS = 0.05
"""How often the sources are checked for changes, at most: a large survey takes a while to check,
so the pause between checks is at least four times as long as the last check (at most a fifth of
a core spent watching)."""
QUIET_SECONDS = 0.1
"""A rebuild starts once the sources have not changed for this long."""


class DevState:
    """The outcome of the latest build, shared by the rebuild thread and the web app."""

    def __init__(self, project: Project) -> None:
        self.errors = ""
        self.builds = 0
        """Builds run, the first included."""
        self.cache = Cache(project.cache_folder)
        """Kept in memory from build to build (and written to disk by a forked child)."""
        self.base = "/"
        """The path of the site's URL: the site is served there, as it will be once published."""

    def rebuild(self, project: Project) -> None:
        try:
            report = build(project, cache=self.cache)
            self.base = urlsplit(report.site_url).path or "/"
        except BuildError as exc:
            self.errors = exc.report()
        except Exception:  # a bug must not kill the server: show it, and retry on the next save
            self.errors = "internal error, please report it:\n" + traceback.format_exc()
        else:
            self.errors = ""
        self.builds += 1
        if self.errors:
            print(f"build #{self.builds} failed:\n{self.errors}", file=sys.stderr, flush=True)
        else:
            print(
                f"build #{self.builds}: {report.rendered} pages rendered, {report.written} files written"
                f" in {report.seconds:.2f} s",
                file=sys.stderr,
                flush=True,
            )

    def status(self) -> bytes:
        return json.dumps({"builds": self.builds, "ok": not self.errors, "base": self.base}).encode()


def snapshot(folders: Iterable[Path]) -> Snapshot:
    """Path, modification time and size of every file below `folders`: equal snapshots, no change."""
    found = set()
    for folder in folders:
        for root, _dirs, files in os.walk(folder):
            for name in files:
                path = os.path.join(root, name)
                try:
                    info = os.stat(path)
                except OSError:  # deleted while we looked: the next snapshot sees it gone
                    continue
                found.add((path, info.st_mtime_ns, info.st_size))
    return frozenset(found)


class Rebuilder:
    """Polls the sources and rebuilds after each burst of changes, one rebuild at a time.

    A change starts a wait that lasts until the sources have been quiet for QUIET_SECONDS; changes
    made during a rebuild are seen by the next poll and give exactly one more.
    """

    def __init__(self, folders: Iterable[Path], rebuild: Callable[[], None], after: Callable[[], None]) -> None:
        self.folders = tuple(folders)
        self.rebuild = rebuild
        self.after = after
        self.stop = threading.Event()
        self.seen = snapshot(self.folders)
        """Taken before the first build, so that no change between the two is missed."""

    def start(self) -> None:
        threading.Thread(target=self.run, name="rebuilder", daemon=True).start()

    def run(self) -> None:
        pause = POLL_SECONDS
        while not self.stop.wait(pause):
            started = time.perf_counter()
            current = snapshot(self.folders)
            pause = max(POLL_SECONDS, 4 * (time.perf_counter() - started))
            if current == self.seen:
                continue
            while not self.stop.wait(QUIET_SECONDS):
                latest = snapshot(self.folders)
                if latest == current:
                    break
                current = latest
            self.seen = current
            self.rebuild()
            self.after()


def error_page(errors: str) -> bytes:
    body = html.escape(errors)
    return (
        "<!doctype html><html lang=en><head><meta charset=utf-8><title>Build failed</title>"
        "<style>body{font:16px/1.5 system-ui,sans-serif;margin:2rem;color:#1b1b1b}"
        "pre{background:#fff0f0;border-left:4px solid #c00;padding:1rem;white-space:pre-wrap}</style>"
        "</head><body><h1>Build failed</h1><p>The last good site is still on disk. Fix these and save:</p>"
        f"<pre id=build-errors>{body}</pre></body></html>"
    ).encode()


def make_app(out: Path, state: DevState) -> Callable[[dict[str, Any], StartResponse], Iterable[bytes]]:
    """A small WSGI app serving `out` like GitHub Pages does (index.html, 404.html)."""
    root = out.resolve()

    def app(environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        path = environ.get("PATH_INFO", "/")
        if path == STATUS_PATH:
            start_response("200 OK", [("Content-Type", "application/json"), ("Cache-Control", "no-store")])
            return [state.status()]
        if state.errors:
            start_response("500 Internal Server Error", [("Content-Type", "text/html; charset=utf-8")])
            return [error_page(state.errors)]
        if path in ("", "/", state.base.rstrip("/")) and state.base != "/":
            # The site lives under its URL's path, as it will once deployed: the 404 page's links
            # and the subpath behave here as they will there.
            start_response("302 Found", [("Location", state.base), ("Cache-Control", "no-store")])
            return [b""]
        target = root / "404.html"
        if path.startswith(state.base):
            target = (root / path[len(state.base) :]).resolve()
            if target.is_dir():
                target = target / "index.html"
        status = "200 OK"
        if not path.startswith(state.base) or root not in target.parents or not target.is_file():
            target, status = root / "404.html", "404 Not Found"
        data = target.read_bytes() if target.is_file() else b"not found"
        kind = mimetypes.guess_type(target.name)[0] or "application/octet-stream"
        if kind.startswith("text/") or kind in ("application/javascript", "application/xml"):
            kind += "; charset=utf-8"
        start_response(status, [("Content-Type", kind), ("Cache-Control", "no-store")])
        return [data]

    return app


def serve(project: Project, host: str, port: int) -> None:
    # Imported here so that builds do not pay for tornado.
    from livereload import Server
    from livereload.handlers import LiveReloadHandler
    from livereload.watcher import Watcher
    from tornado.ioloop import IOLoop

    state = DevState(project)
    loops: list[IOLoop] = []
    rebuilder = Rebuilder(
        (project.content, project.templates, project.static),
        lambda: state.rebuild(project),
        # From the rebuild thread to the server's loop; add_callback is the thread-safe hand-over.
        lambda: loops[0].add_callback(LiveReloadHandler.reload_waiters, "*"),
    )
    state.rebuild(project)
    print(f"serving the site at http://{host}:{port}{state.base} (Ctrl-C stops)", file=sys.stderr, flush=True)

    class Bridge(Watcher):  # type: ignore[misc]
        """livereload's watcher slot: our Rebuilder watches; livereload only tells browsers to reload."""

        def start(self, callback: Callable[[], None]) -> bool:
            loops.append(IOLoop.current())  # called on the server's loop, just before it runs
            rebuilder.start()
            return True  # True: livereload does not poll the files itself

    class DevServer(Server):  # type: ignore[misc]
        def get_web_handlers(self, script: bytes) -> Any:
            # livereload's own snippet is an inline script, which the pages' Content-Security-Policy
            # (script-src 'self') blocks: load livereload.js from this server instead.
            return super().get_web_handlers(f'<script src="/livereload.js?port={port}"></script>'.encode())

    watcher = Bridge()
    watcher.watch(str(project.content))  # any task: without one, livereload would watch the working directory
    server = DevServer(app=make_app(project.out, state), watcher=watcher)
    server.serve(host=host, port=port, debug=False, restart_delay=0)
