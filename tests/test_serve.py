"""The dev server: live reload injected, errors shown in the page, last good site kept, recovery,
and one or two rebuilds for a burst of saves."""

from __future__ import annotations

import json
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import urljoin

from tests.conftest import ROOT, make_content


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _get(url: str) -> tuple[int, str]:
    try:
        with urllib.request.urlopen(url, timeout=5) as response:
            return response.status, response.read().decode()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read().decode()
    except (urllib.error.URLError, ConnectionError):
        return 0, ""


def _wait(predicate: Callable[[], bool], seconds: float = 20) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.2)
    return False


@contextmanager
def _server(content: Path, out: Path) -> Iterator[str]:
    """Run `build.py serve` on a free port; yield its base URL once it answers."""
    port = _free_port()
    base = f"http://127.0.0.1:{port}/"
    command = [sys.executable, "build.py", "serve", "--content", str(content), "--out", str(out), "--port", str(port)]
    server = subprocess.Popen(command, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        assert _wait(lambda: _get(base + "__surveysite/status")[0] == 200), "server did not start"
        # The site is served under its site_url's path (the fixture's is /repo/), as once deployed.
        path = json.loads(_get(base + "__surveysite/status")[1])["base"]
        assert path == "/repo/"
        assert _get(base)[1] == _get(base + "repo/")[1], "/ does not lead to the site"
        yield base + path[1:]
    finally:
        server.terminate()
        server.wait(timeout=10)


def _builds(base: str) -> int:
    status, text = _get(urljoin(base, "/__surveysite/status"))
    assert status == 200
    return int(json.loads(text)["builds"])


def _settled_builds(base: str) -> int:
    """The build count once it has stayed the same for a second, several debounce periods."""
    builds = _builds(base)
    while _wait(lambda seen=builds: _builds(base) != seen, seconds=1):
        builds = _builds(base)
    return builds


def test_serve_rebuilds_shows_errors_and_recovers(tmp_path: Path) -> None:
    content = make_content(tmp_path)
    out = tmp_path / "_site"
    with _server(content, out) as base:
        assert _get(base)[0] == 200
        status, html = _get(base + "papers/alpha/")
        assert status == 200
        assert "livereload.js" in html
        assert _get(base + "papers/nope/")[0] == 404

        paper = content / "papers" / "beta.md"
        good = paper.read_text()
        paper.write_text(good.replace("year: 2024", "year: twenty"))
        assert _wait(lambda: _get(base)[0] == 500), "error page not shown"
        status, html = _get(base + "papers/alpha/")
        assert "&#x27;year&#x27; must be an integer, got &#x27;twenty&#x27;" in html
        assert "livereload.js" in html  # the error page reloads itself once fixed
        assert (out / "papers" / "beta" / "index.html").is_file()  # last good site kept on disk

        paper.write_text(good.replace("Beta has no Chinese", "Beta, edited, has no Chinese"))
        assert _wait(lambda: "Beta, edited" in _get(base + "papers/beta/")[1]), "did not recover"


SAVES = 100


def test_burst_of_saves_gives_one_or_two_rebuilds(tmp_path: Path) -> None:
    content = make_content(tmp_path)
    paper = content / "papers" / "beta.md"
    good = paper.read_text()
    with _server(content, tmp_path / "_site") as base:
        assert _builds(base) == 1  # the initial build
        started = time.monotonic()
        for n in range(SAVES):  # every save changes the bytes, as an editor's autosave would
            paper.write_text(good.replace("Beta has no Chinese", f"Beta, save {n}, has no Chinese"))
            time.sleep(0.01)
        assert time.monotonic() - started < 3
        last = f"Beta, save {SAVES - 1}, has"
        assert _wait(lambda: last in _get(base + "papers/beta/")[1]), "last save not shown"
        rebuilds = _settled_builds(base) - 1
        assert rebuilds in (1, 2), f"{rebuilds} rebuilds for {SAVES} saves"


def test_browser_reloads_itself_on_error_and_on_fix(tmp_path: Path) -> None:
    """Live reload end to end: the pages' Content-Security-Policy must not block its script."""
    from tests.browser import chromium

    content = make_content(tmp_path)
    paper = content / "papers" / "beta.md"
    good = paper.read_text()
    with _server(content, tmp_path / "_site") as base, chromium() as browser:
        page = browser.new_page()
        page.goto(base + "papers/beta/")
        page.wait_for_function("() => window.LiveReload?.connector?.protocol > 0", timeout=10_000)  # handshake done
        paper.write_text(good.replace("year: 2024", "year: twenty"))
        page.wait_for_selector("#build-errors", timeout=10_000)  # no navigation by the test
        paper.write_text(good.replace("Beta has no Chinese", "Beta, fixed, has no Chinese"))
        page.wait_for_selector("text=Beta, fixed", timeout=10_000)


def _searches(base: str) -> int:
    return int(json.loads(_get(urljoin(base, "/__surveysite/status"))[1])["searches"])


def test_a_save_shows_at_once_and_search_catches_up(tmp_path: Path) -> None:
    """The build worker swaps the pages in with the previous index, then refreshes the index."""
    from tests.browser import chromium
    from tests.test_search import SEARCH

    content = make_content(tmp_path)
    paper = content / "papers" / "beta.md"
    with _server(content, tmp_path / "_site") as base, chromium() as browser:
        assert _wait(lambda: _searches(base) == 1), "no index after the first build"
        page = browser.new_page()
        page.goto(base + "search/")
        assert "/repo/papers/beta/" not in page.evaluate(SEARCH, "axolotl")
        paper.write_text(paper.read_text().replace("Beta has no Chinese", "Beta, an axolotl, has no Chinese"))
        assert _wait(lambda: "axolotl" in _get(base + "papers/beta/")[1]), "the save did not show"
        assert _wait(lambda: _searches(base) == 2), "the index was not refreshed"
        page.goto(base + "search/")
        assert page.evaluate(SEARCH, "axolotl")[0] == "/repo/papers/beta/"
        assert _builds(base) == 2
