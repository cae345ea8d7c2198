"""Save-to-reload time of `build.py serve`: edit a paper, time until the browser shows the edit.

    python3 bench/reload.py content                 # the shipped survey
    python3 bench/reload.py bench/work/corpus-1000  # a corpus from bench/corpus.py

Copies the content folder, starts the dev server on it, opens one paper's page in Chromium
(/usr/bin/chromium, through Playwright) and, --saves times over, appends a sentence to that paper's
Markdown file and measures the time from the write to the moment the reloaded page contains the
sentence: polling, debounce, incremental build and the browser's reload together. Prints the
median and every run, the server's own build lines, and how the median splits between the
server (until the browser starts the new navigation) and the browser (loading the page).
"""

from __future__ import annotations

import argparse
import json
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
LAUNCH_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _wait_for(url: str, seconds: float) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                if b'"ok": true' in response.read():
                    return
        except OSError:
            pass
        time.sleep(0.1)
    raise SystemExit(f"the server did not come up at {url}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("content", type=Path)
    parser.add_argument("--saves", type=int, default=10)
    parser.add_argument("--startup", type=float, default=600, help="seconds allowed for the first build")
    args = parser.parse_args()

    from playwright.sync_api import sync_playwright

    work = Path(tempfile.mkdtemp(prefix="surveysite-reload-"))
    content = work / "content"
    shutil.copytree(args.content, content)
    paper = sorted(p for p in (content / "papers").glob("*.md") if p.name.count(".") == 1)[0]
    slug = paper.stem
    port = _free_port()
    log = (work / "serve.log").open("w")
    server = subprocess.Popen(
        [
            sys.executable,
            str(ROOT / "build.py"),
            "serve",
            "--content",
            str(content),
            "--out",
            str(work / "_site"),
            "--no-search",
            "--port",
            str(port),
        ],
        cwd=ROOT,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    times: list[float] = []
    splits: list[tuple[float, float]] = []
    try:
        base = f"http://127.0.0.1:{port}"
        _wait_for(base + "/__surveysite/status", args.startup)
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path="/usr/bin/chromium", args=LAUNCH_ARGS)
            page = browser.new_page()
            with urllib.request.urlopen(base + "/__surveysite/status") as response:  # where the site is served
                site = base + json.loads(response.read())["base"]
            page.goto(f"{site}papers/{slug}/")
            page.wait_for_function("() => window.LiveReload !== undefined", timeout=10_000)
            for run in range(args.saves):
                marker = f"Reload marker {run}."
                text = paper.read_text(encoding="utf-8")
                started, wall = time.perf_counter(), time.time()
                paper.write_text(text + f"\n{marker}\n", encoding="utf-8")
                page.wait_for_function(
                    f"() => document.body && document.body.innerText.includes({marker!r})", timeout=120_000
                )
                times.append(time.perf_counter() - started)
                # Where the time went: until Chromium starts the reload (watch, build, livereload's
                # message), and the browser's own loading of the page.
                navigation = page.evaluate("performance.timeOrigin") / 1000
                splits.append((navigation - wall, wall + times[-1] - navigation))
                time.sleep(0.5)
            browser.close()
    finally:
        server.terminate()
        server.wait()
        log.close()
    builds = [line for line in (work / "serve.log").read_text().splitlines() if line.startswith("build #")]
    shutil.rmtree(work, ignore_errors=True)
    print("\n".join(builds))
    print(f"save-to-reload over {len(times)} saves of papers/{slug}: median {statistics.median(times):.3f} s")
    print("runs: " + ", ".join(f"{t:.3f}" for t in times))
    to_reload, loading = (statistics.median(part) for part in zip(*splits, strict=True))
    print(f"of which, median: {to_reload:.3f} s until the browser reloads, {loading:.3f} s loading the page")


if __name__ == "__main__":
    main()
