"""`surveysite serve`: build, serve the output with live reload, rebuild on every change.

One build worker, a process forked before the server starts any thread, runs every build: it
keeps the cache of parsed files, rendered Markdown and page keys in memory from build to build,
and it may fork its own render workers safely (forking a threaded process can deadlock). The
server's side only watches (watchfiles: file events, not polling), serves, and tells browsers to
reload. A save shows at once: the worker swaps the new pages in with the previous search index,
and refreshes the index behind them. A failed rebuild keeps the last good site on disk and shows
the errors in the browser instead. A burst of saves gives one rebuild, not one per file.
"""

from __future__ import annotations

import gc
import html
import json
import mimetypes
import multiprocessing.connection
import os
import signal
import sys
import threading
import time
import traceback
from collections.abc import Callable, Iterable
from dataclasses import replace
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from surveysite.cache import Cache
from surveysite.errors import BuildError
from surveysite.pipeline import Project, build, refresh_search
from surveysite.theme import ignored

StartResponse = Callable[[str, list[tuple[str, str]]], Any]

STATUS_PATH = "/__surveysite/status"
"""JSON {"builds": n, "searches": n, "ok": bool, "base": "/repo/"}: lets tests and tools see
rebuilds and search refreshes, and where the site is served, without reading logs."""
STEP_MS = 20
"""watchfiles reports events this long after the last it saw."""
IDLE_COLLECT_S = 1.5
"""Seconds without a request after which the build worker collects its garbage: not between two
quick saves, where a full collection of a large survey's heap would delay the second build."""
TRUSTED_EVENTS = 100
"""A rebuild looks only at the files the watcher named, unless it named more than this many (a
`git checkout`, whose events could overflow the kernel's queue): then every file is checked."""
QUIET_MS = 100
"""A rebuild starts once the changed files have not changed again for this long."""


class BuildWorker:
    """The process that runs the builds, and the pipe to it: `build()` and `search()` each send
    a request and wait for its outcome (a dict), one at a time."""

    def __init__(self, project: Project) -> None:
        ours, theirs = multiprocessing.Pipe()
        self.pid = os.fork()
        if self.pid == 0:  # the worker: never returns
            ours.close()
            code = 0
            try:
                _work(project, theirs)
            except BaseException:
                code = 1
            finally:
                os._exit(code)
        theirs.close()
        self.pipe = ours

    def _ask(self, request: str, changed: list[str] | None = None) -> dict[str, Any]:
        self.pipe.send((request, changed))
        answer: dict[str, Any] = self.pipe.recv()
        return answer

    def build(self, changed: list[str] | None = None) -> dict[str, Any]:
        """changed: every file changed since the previous build, or None if not known."""
        return self._ask("build", changed)

    def search(self) -> dict[str, Any]:
        return self._ask("search")

    def stop(self) -> None:
        try:
            os.kill(self.pid, signal.SIGKILL)
            os.waitpid(self.pid, 0)
        except (ProcessLookupError, ChildProcessError):
            pass


def _work(project: Project, pipe: multiprocessing.connection.Connection) -> None:
    """Answer build and search requests until the server goes away (its end of the pipe closes)."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the server's; it stops this process
    cache = Cache(project.cache_folder, resident=True)
    pages = replace(project, search=False, defer_search=project.search, defer_save=True)
    languages: tuple[str, ...] = ()
    garbage = False
    complete = False
    """Whether the previous build succeeded, so that the files changed since are all in `changed`:
    after a failure (or the first build) every file is looked at."""
    while True:
        try:
            if garbage and not pipe.poll(IDLE_COLLECT_S):
                # Quiet for a while: now collect what the builds left (their cycles), and put the
                # rest out of the collector's sight again.
                gc.unfreeze()
                gc.collect()
                gc.freeze()
                garbage = False
            request, changed = pipe.recv()
        except (EOFError, OSError):
            return
        answer: dict[str, Any] = {"errors": ""}
        save: Callable[[], None] | None = None
        try:
            if request == "build":
                trusted = changed if complete and changed is not None and len(changed) <= TRUSTED_EVENTS else None
                complete = False
                report = build(pages, cache=cache, changed=trusted)
                complete, save = changed is not None, report.save
                languages = report.languages
                answer.update(
                    base=urlsplit(report.site_url).path or "/",
                    rendered=report.rendered,
                    written=report.written,
                    seconds=report.seconds,
                )
            elif request == "search" and project.search and languages:
                answer["seconds"] = refresh_search(project, languages, cache)
        except BuildError as exc:
            answer["errors"] = exc.report()
        except Exception:  # a bug must not kill the server: show it, and retry on the next save
            answer["errors"] = "internal error, please report it:\n" + traceback.format_exc()
        # Everything the worker holds (the previous build, the resident cache) stays frozen between
        # builds, so that no collection walks it in the middle of the next build (a second at
        # 10,000 papers); it is collected when the saves pause (above).
        gc.freeze()
        garbage = True
        pipe.send(answer)
        # The cache is written once the browser has been told: the manifest of 40,000 files at
        # 10,000 papers takes a tenth of a second to pickle. The next request waits for it.
        if save is not None:
            save()


class DevState:
    """The outcome of the latest build, shared by the rebuild thread and the web app."""

    def __init__(self, worker: BuildWorker) -> None:
        self.worker = worker
        self.errors = ""
        self.builds = 0
        """Builds run, the first included."""
        self.searches = 0
        """Search refreshes done after a build."""
        self.base = "/"
        """The path of the site's URL: the site is served there, as it will be once published."""

    def rebuild(self, changed: list[str] | None = None) -> None:
        answer = self.worker.build(changed)
        self.errors = answer["errors"]
        self.base = answer.get("base", self.base)
        self.builds += 1
        if self.errors:
            print(f"build #{self.builds} failed:\n{self.errors}", file=sys.stderr, flush=True)
        else:
            print(
                f"build #{self.builds}: {answer['rendered']} pages rendered, {answer['written']} files written"
                f" in {answer['seconds']:.2f} s",
                file=sys.stderr,
                flush=True,
            )

    def refresh_search(self) -> None:
        """After a good build, behind the reload: the index catches up with the pages."""
        if self.errors:
            return
        answer = self.worker.search()
        if answer["errors"]:
            print(f"search index not refreshed:\n{answer['errors']}", file=sys.stderr, flush=True)
        self.searches += 1

    def status(self) -> bytes:
        data = {"builds": self.builds, "searches": self.searches, "ok": not self.errors, "base": self.base}
        return json.dumps(data).encode()


def _watched(change: object, path: str) -> bool:
    """Editor leftovers (swap files, backups) and hidden files do not start a rebuild."""
    return not ignored(Path(path).name)


class Rebuilder:
    """Waits for file events below `folders` and rebuilds, one build at a time.

    A save after a quiet spell is built at once (nothing to wait for); events that follow closely
    on a build or on other events are a burst (an editor's "save all", a `git checkout`), built
    once it is over: once the files it named have not changed for QUIET_MS (watchfiles' own
    grouping does not wait for the repeated saves of one file). So a burst gives one or two builds.
    """

    def __init__(self, folders: Iterable[Path], state: DevState, reload: Callable[[], None]) -> None:
        self.folders = tuple(str(f) for f in folders if f.is_dir())
        self.state = state
        self.reload = reload
        self.stop = threading.Event()

    def start(self) -> None:
        threading.Thread(target=self.run, name="rebuilder", daemon=True).start()

    def run(self) -> None:
        from watchfiles import watch

        busy_until = 0.0
        read: dict[str, tuple[int, int] | None] = {}
        """What the last build read: each changed file's (mtime, size) just before it started."""
        for changes in watch(*self.folders, watch_filter=_watched, step=STEP_MS, stop_event=self.stop):
            paths = sorted({path for _change, path in changes})
            if all(path in read and read[path] == stat for path, stat in zip(paths, _stats(paths), strict=True)):
                continue  # events of saves that the last build already read
            if time.monotonic() - busy_until < QUIET_MS / 1000:  # part of a burst: wait for its end
                seen = _stats(paths)
                while not self.stop.wait(QUIET_MS / 1000) and (latest := _stats(paths)) != seen:
                    seen = latest
            read = dict(zip(paths, _stats(paths), strict=True))
            self.state.rebuild(paths)
            self.reload()
            self.state.refresh_search()
            busy_until = time.monotonic()


def _stats(paths: list[str]) -> list[tuple[int, int] | None]:
    found: list[tuple[int, int] | None] = []
    for path in paths:
        try:
            info = os.stat(path)
        except OSError:
            found.append(None)
        else:
            found.append((info.st_mtime_ns, info.st_size))
    return found


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
    worker = BuildWorker(project)  # first: no thread exists yet in this process
    try:
        _serve(project, host, port, worker)
    finally:
        worker.stop()


def _serve(project: Project, host: str, port: int, worker: BuildWorker) -> None:
    # Imported here so that builds do not pay for tornado.
    from livereload import Server
    from livereload.handlers import LiveReloadHandler
    from livereload.watcher import Watcher
    from tornado.ioloop import IOLoop

    state = DevState(worker)
    loops: list[IOLoop] = []
    rebuilder = Rebuilder(
        (project.content, project.templates, project.static),
        state,
        # From the rebuild thread to the server's loop; add_callback is the thread-safe hand-over.
        lambda: loops[0].add_callback(LiveReloadHandler.reload_waiters, "*"),
    )
    state.rebuild()
    state.refresh_search()
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
    try:
        server.serve(host=host, port=port, debug=False, restart_delay=0)
    finally:
        rebuilder.stop.set()
