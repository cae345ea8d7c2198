#!/usr/bin/env python3
"""Build the same generated survey with surveysite, Hugo and Pelican; compare time and memory.

Usage: python3 bench/run.py [--sizes 100,1000,10000] [--repeat 3] [--tools surveysite,hugo,pelican] [--edit]
                            [--timeout SECONDS] [--report]

For each size N the corpus is generated once (cached under bench/work/) and converted for Hugo and
Pelican; then the tools' cold builds alternate, `repeat` times each, so that drift of the machine
(thermal, page cache, other load) spreads over all tools instead of favouring whichever ran first.
With --edit, each tool also rebuilds after one paper's body changed, keeping its caches.

Run it with the python3 that has surveysite's dependencies: surveysite is built with that
interpreter. Results are printed and written to bench/results/results-N.json.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import hashlib
import json
import os
import platform
import re
import shlex
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
WORK = BENCH / "work"
RESULTS = BENCH / "results"
VENV = BENCH / ".venv"
sys.path.insert(0, str(BENCH))
import corpus  # noqa: E402
import hugo_site  # noqa: E402
import pelican_site  # noqa: E402

TOOLS = ("surveysite", "hugo", "pelican")
EXTRA_TOOLS = ("surveysite-nosearch", "hugo-norelated", "hugo-pagefind")
"""Not run by default: surveysite without its search index (which the others do not build), Hugo
without the related-papers list (its ranking is what makes Hugo slow at 10,000 papers), and that
Hugo followed by the same Pagefind over its output (the like-for-like rival of a default build)."""
SAMPLE_SECONDS = 0.02
"""How often the process tree's memory is sampled."""
RESCAN_EVERY = 10
"""Samples between scans of /proc for new descendants: a scan costs ~2 ms, a sample ~20 µs."""
PAGE = os.sysconf("SC_PAGE_SIZE")
MB = 1024 * 1024
SURVEYSITE_CACHE = ".surveysite-cache"
COLD_FLAG_CANDIDATES = ("--clear-cache", "--clean-cache", "--fresh", "--no-cache")
"""Flags surveysite might gain for ignoring its cache; the first one `build --help` lists is used cold."""


# ---------------------------------------------------------------------------------------------
# Measuring one build


@dataclass
class Run:
    """One build of one tool."""

    seconds: float
    cpu_seconds: float
    """User + system time of the child and every descendant it waited for."""
    maxrss_mb: float
    """ru_maxrss from wait4: the largest single process of the tree, not their sum."""
    tree_peak_mb: float
    """Largest sum of RSS over the process tree, sampled every 20 ms (shared pages count twice)."""
    returncode: int
    load_before: float
    """1-minute load average when the build started: other work on the machine skews timings."""
    tree_pss_mb: float = 0.0
    """Largest sum of PSS over the process tree, sampled every 200 ms: a page shared by k processes
    counts 1/k in each, so forked workers that share the parent's memory are not counted twice."""
    timed_out: bool = False
    error: str = ""
    stages: dict[str, float] = field(default_factory=dict)
    """Seconds per stage, where the tool prints them (surveysite's `built ... in 2.6 s (load 0.12, ...)`)."""
    last_line: str = ""
    """The tool's last line of output: surveysite's says how many files it wrote and left unchanged."""


STAGES = re.compile(r"^built .*? in [\d.]+ s \((?P<stages>[^()]*)\)", re.MULTILINE)


def parse_stages(output: str) -> dict[str, float]:
    match = STAGES.search(output)
    if match is None:
        return {}
    pairs = (item.rsplit(" ", 1) for item in match.group("stages").split(", "))
    return {name: float(seconds) for name, seconds in pairs if seconds.replace(".", "", 1).isdigit()}


def children_by_parent() -> dict[int, list[int]]:
    """Parent pid -> child pids, from /proc/*/stat (this kernel has no /proc/PID/task/TID/children)."""
    tree: dict[int, list[int]] = {}
    for name in os.listdir("/proc"):
        if not name.isdigit():
            continue
        try:
            with open(f"/proc/{name}/stat", "rb") as handle:
                data = handle.read()
        except OSError:
            continue
        # The command name may contain spaces and parentheses: fields resume after the last ')'.
        ppid = int(data[data.rindex(b")") + 2 :].split(None, 2)[1])
        tree.setdefault(ppid, []).append(int(name))
    return tree


def descendants(root: int) -> list[int]:
    tree = children_by_parent()
    found, stack = [], [root]
    while stack:
        pid = stack.pop()
        found.append(pid)
        stack.extend(tree.get(pid, ()))
    return found


def pss_bytes(pid: int) -> int:
    """Proportional set size, from /proc/PID/smaps_rollup (kB)."""
    try:
        with open(f"/proc/{pid}/smaps_rollup", "rb") as handle:
            for line in handle:
                if line.startswith(b"Pss:"):
                    return int(line.split()[1]) * 1024
    except (OSError, IndexError, ValueError):
        pass
    return 0


def rss_bytes(pid: int) -> int:
    try:
        with open(f"/proc/{pid}/statm", "rb") as handle:
            return int(handle.read().split()[1]) * PAGE
    except (OSError, IndexError, ValueError):
        return 0


class TreeSampler(threading.Thread):
    """Track the peak summed RSS of a process and its descendants while it runs."""

    def __init__(self, pid: int) -> None:
        super().__init__(daemon=True)
        self.pid = pid
        self.peak = 0
        self.pss_peak = 0
        self.done = threading.Event()

    def run(self) -> None:
        pids = [self.pid]
        tick = 0
        while not self.done.is_set():
            if tick % RESCAN_EVERY == 0:
                pids = descendants(self.pid)
                self.pss_peak = max(self.pss_peak, sum(pss_bytes(pid) for pid in pids))
            self.peak = max(self.peak, sum(rss_bytes(pid) for pid in pids))
            tick += 1
            self.done.wait(SAMPLE_SECONDS)


USER_ENVIRONMENT = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
"""The environment the tools run in: Python as installed for a user, writing and reading its
compiled modules (a sandbox that sets PYTHONDONTWRITEBYTECODE would charge every surveysite and
Pelican run for compiling them again, which no user's build pays)."""


def measure(command: list[str], cwd: Path, timeout: float) -> Run:
    """Run `command`, timing it and tracking memory; a build over `timeout` seconds is killed."""
    load = os.getloadavg()[0]
    with tempfile.TemporaryFile() as output:
        start = time.perf_counter()
        # A new session lets a timeout kill the whole tree, worker processes included.
        process = subprocess.Popen(
            command, cwd=cwd, stdout=output, stderr=output, start_new_session=True, env=USER_ENVIRONMENT
        )
        sampler = TreeSampler(process.pid)
        sampler.start()
        timed_out = threading.Event()

        def kill() -> None:
            timed_out.set()
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGKILL)

        timer = threading.Timer(timeout, kill)
        timer.start()
        _pid, status, usage = os.wait4(process.pid, 0)
        seconds = time.perf_counter() - start
        timer.cancel()
        sampler.done.set()
        sampler.join()
        process.returncode = os.waitstatus_to_exitcode(status)
        output.seek(0)
        text = output.read().decode("utf-8", "replace")
    failed = process.returncode != 0 or timed_out.is_set()
    return Run(
        seconds=seconds,
        cpu_seconds=usage.ru_utime + usage.ru_stime,
        maxrss_mb=usage.ru_maxrss * 1024 / MB,  # ru_maxrss is in KiB on Linux
        tree_peak_mb=sampler.peak / MB,
        tree_pss_mb=sampler.pss_peak / MB,
        returncode=process.returncode,
        load_before=load,
        timed_out=timed_out.is_set(),
        error="\n".join(text.strip().splitlines()[-15:]) if failed else "",
        stages=parse_stages(text),
        last_line=(text.strip().splitlines() or [""])[-1][:300],
    )


# ---------------------------------------------------------------------------------------------
# Inputs: corpus and converted sites, cached under bench/work/ and rebuilt when their recipe changes


def fingerprint(*parts: Path | str) -> str:
    """Hash of the files (recursively) and strings that determine a cached input."""
    digest = hashlib.sha256()
    for part in parts:
        if isinstance(part, Path):
            files = sorted(p for p in part.rglob("*") if p.is_file()) if part.is_dir() else [part]
            for path in files:
                digest.update(str(path.relative_to(BENCH)).encode() + b"\0" + path.read_bytes())
        else:
            digest.update(part.encode() + b"\0")
    return digest.hexdigest()


def cached(target: Path, stamp: str, make: Callable[[], None]) -> Path:
    """Run `make` unless `target` was made from the same stamp; the stamp is written last."""
    stamp_file = target.with_name(target.name + ".stamp")
    if target.exists() and stamp_file.is_file() and stamp_file.read_text() == stamp:
        return target
    stamp_file.unlink(missing_ok=True)
    start = time.perf_counter()
    make()
    stamp_file.write_text(stamp)
    print(f"  prepared {target.relative_to(ROOT)} in {time.perf_counter() - start:.1f} s", flush=True)
    return target


def corpus_stamp(n: int) -> str:
    return fingerprint(BENCH / "corpus.py", f"n={n}", f"seed={corpus.DEFAULT_SEED}")


def prepare_corpus(n: int) -> Path:
    target = WORK / f"corpus-{n}"
    return cached(target, corpus_stamp(n), lambda: corpus.write_corpus(n, target))


def prepare_hugo(n: int, content: Path) -> Path:
    target = WORK / f"hugo-{n}"
    stamp = fingerprint(corpus_stamp(n), BENCH / "hugo_site.py", BENCH / "hugo")
    return cached(target, stamp, lambda: hugo_site.write_site(content, target))


def prepare_pelican(n: int, content: Path) -> Path:
    target = WORK / f"pelican-{n}"
    stamp = fingerprint(corpus_stamp(n), BENCH / "pelican_site.py", BENCH / "pelican")
    return cached(target, stamp, lambda: pelican_site.write_site(content, target))


def make_work_folder() -> None:
    """bench/work/ ignores itself: `ruff format` would otherwise reformat the corpus's code blocks."""
    WORK.mkdir(exist_ok=True)
    (WORK / ".gitignore").write_text("*\n")


def ensure_pelican() -> Path:
    """Pelican lives in bench/.venv so that the project's own environment stays as it is."""
    pelican = VENV / "bin" / "pelican"
    if not pelican.exists():
        print("creating bench/.venv with Pelican (bench/requirements.txt)", flush=True)
        subprocess.run([sys.executable, "-m", "venv", str(VENV)], check=True)
        pip = [str(VENV / "bin" / "pip"), "install", "-q", "-r", str(BENCH / "requirements.txt")]
        subprocess.run(pip, check=True)
    return pelican


def ensure_hugo() -> str:
    hugo = shutil.which("hugo")
    if hugo is None:
        sys.exit("run.py: hugo is not installed: apt-get install -y hugo (or leave it out with --tools)")
    return hugo


# ---------------------------------------------------------------------------------------------
# Tools


@dataclass
class Tool:
    """How to build one corpus with one generator, clear its caches, and find a paper to edit."""

    name: str
    command: list[str]
    cwd: Path
    out: Path
    caches: list[Path]
    """Removed before every cold build, with the output."""
    papers: Path
    """Folder of the English paper files, where --edit appends a sentence."""

    def clean(self) -> None:
        # A killed surveysite build leaves staging folders beside the output.
        leftovers = [
            *self.out.parent.glob(f".{self.out.name}.staging-*"),
            *self.out.parent.glob(f".{self.out.name}.old-*"),
        ]
        for path in [self.out, *self.caches, *leftovers]:
            if path.is_dir():
                shutil.rmtree(path)
            elif path.exists():
                path.unlink()


def pagefind_command(site: Path) -> list[str]:
    """The Pagefind binary surveysite runs (pagefind[extended]), over a whole site as Hugo's docs do."""
    from surveysite.search import pagefind_binary

    binary = pagefind_binary()
    if binary is None:
        sys.exit("run.py: pagefind is not installed: python3 -m pip install 'pagefind[extended]'")
    return [str(binary), "--site", str(site), "--silent"]


def surveysite_cold_flag() -> str:
    """A cache-bypassing flag if surveysite has one; today it has none and cold means 'cache deleted'."""
    result = subprocess.run(
        [sys.executable, str(ROOT / "build.py"), "build", "--help"], capture_output=True, text=True, check=False
    )
    return next((flag for flag in COLD_FLAG_CANDIDATES if flag in result.stdout), "")


def make_tools(names: Iterable[str], n: int, content: Path) -> list[Tool]:
    tools = []
    for name in names:
        if name in ("surveysite", "surveysite-nosearch"):
            cwd = WORK / f"run-{name}-{n}"
            cwd.mkdir(parents=True, exist_ok=True)
            out = cwd / "_site"
            command = [sys.executable, str(ROOT / "build.py"), "build", "--content", str(content), "--out", str(out)]
            command += ["--no-search"] if name == "surveysite-nosearch" else []
            # Wherever a cache may appear: the working directory, beside or inside the output, the content, the repo.
            caches = [cwd / SURVEYSITE_CACHE, out / SURVEYSITE_CACHE, content / SURVEYSITE_CACHE]
            caches.append(ROOT / SURVEYSITE_CACHE)
            tools.append(Tool(name, command, cwd, out, caches, content / "papers"))
        elif name in ("hugo", "hugo-norelated", "hugo-pagefind"):
            site = prepare_hugo(n, content)
            out = WORK / f"out-{name}-{n}"
            cache = site / f".{name}-cache"
            command = [ensure_hugo(), "--quiet", "-s", str(site), "-d", str(out), "--cacheDir", str(cache)]
            command += ["--config", "config.yaml,norelated.yaml"] if name != "hugo" else []
            if name == "hugo-pagefind":
                command = ["sh", "-c", f"{shlex.join(command)} && {shlex.join(pagefind_command(out))}"]
            caches = [site / "resources", cache, site / ".hugo_build.lock"]
            tools.append(Tool(name, command, site, out, caches, site / "content" / "papers"))
        elif name == "pelican":
            site = prepare_pelican(n, content)
            out = WORK / f"out-pelican-{n}"
            command = [str(ensure_pelican()), "content", "-s", "pelicanconf.py", "-o", str(out), "-q"]
            caches = [site / "cache", site / "__pycache__"]
            tools.append(Tool(name, command, site, out, caches, site / "content" / "papers"))
        else:
            sys.exit(f"run.py: unknown tool '{name}' (known: {', '.join(TOOLS + EXTRA_TOOLS)})")
    return tools


# ---------------------------------------------------------------------------------------------
# Running the comparison


@dataclass
class Series:
    """All runs of one tool in one mode at one size."""

    tool: str
    mode: str
    runs: list[Run] = field(default_factory=list)

    @property
    def ok(self) -> list[Run]:
        return [r for r in self.runs if r.returncode == 0 and not r.timed_out]

    def stages(self) -> dict[str, float]:
        """Median seconds per stage over the successful runs that reported stages."""
        runs = [r.stages for r in self.ok if r.stages]
        names = list(dict.fromkeys(name for stages in runs for name in stages))
        return {name: statistics.median(r.get(name, 0.0) for r in runs) for name in names}

    def summary(self) -> dict[str, float | int | None]:
        ok = self.ok
        if not ok:
            return {
                "median_s": None,
                "min_s": None,
                "cpu_s": None,
                "maxrss_mb": None,
                "tree_peak_mb": None,
                "tree_pss_mb": None,
            }
        return {
            "median_s": statistics.median(r.seconds for r in ok),
            "min_s": min(r.seconds for r in ok),
            "cpu_s": statistics.median(r.cpu_seconds for r in ok),
            "maxrss_mb": max(r.maxrss_mb for r in ok),
            "tree_peak_mb": max(r.tree_peak_mb for r in ok),
            "tree_pss_mb": max(r.tree_pss_mb for r in ok),
        }


def rotated(items: list[Tool], by: int) -> list[Tool]:
    """Each repeat starts with a different tool, so none always runs on a just-warmed machine."""
    by %= len(items)
    return items[by:] + items[:by]


def report_run(tool: str, mode: str, index: int, run: Run) -> None:
    state = "TIMEOUT" if run.timed_out else ("ok" if run.returncode == 0 else f"exit {run.returncode}")
    print(
        f"  {mode:5} {tool:19} #{index + 1}: {run.seconds:8.2f} s  cpu {run.cpu_seconds:7.2f} s  "
        f"rss {run.maxrss_mb:7.1f} MB  tree {run.tree_peak_mb:7.1f} MB  pss {run.tree_pss_mb:7.1f} MB  "
        f"load {run.load_before:4.1f}  {state}",
        flush=True,
    )
    if run.error:
        print("    " + run.error.replace("\n", "\n    "), flush=True)


def cold_runs(tools: list[Tool], repeat: int, timeout: float, cold_flag: str) -> list[Series]:
    series = {tool.name: Series(tool.name, "cold") for tool in tools}
    for index in range(repeat):
        for tool in rotated(tools, index):
            if series[tool.name].runs and not series[tool.name].ok:
                continue  # failed or timed out before: do not spend another `timeout` on it
            tool.clean()
            command = tool.command + ([cold_flag] if tool.name.startswith("surveysite") and cold_flag else [])
            run = measure(command, tool.cwd, timeout)
            series[tool.name].runs.append(run)
            report_run(tool.name, "cold", index, run)
    return list(series.values())


EDIT_MARK = "\n\nThis sentence was appended by bench/run.py --edit (edit {index}).\n"


def edit_paper(path: Path, index: int, originals: dict[Path, bytes]) -> None:
    """Append a sentence to one paper's English body, remembering the first version to restore."""
    text = path.read_bytes()
    originals.setdefault(path, text)
    path.write_bytes(text + EDIT_MARK.format(index=index).encode())


def edit_runs(tools: list[Tool], slugs: list[str], repeat: int, timeout: float) -> list[Series]:
    """A first build per tool (mode `first`: empty output, caches written), then `repeat` rebuilds
    (mode `edit`), each after editing a different paper.

    Caches and output stay between these builds: that is what a writer's edit-rebuild loop sees.
    Every edited file is restored at the end, so the cached corpus stays what its stamp says.
    """
    firsts = {tool.name: Series(tool.name, "first") for tool in tools}
    edits = {tool.name: Series(tool.name, "edit") for tool in tools}
    originals: dict[Path, bytes] = {}
    try:
        for tool in tools:
            tool.clean()
            run = measure(tool.command, tool.cwd, timeout)
            firsts[tool.name].runs.append(run)
            report_run(tool.name, "first", 0, run)
        for index in range(repeat):
            slug = slugs[(index * 7919 + len(slugs) // 2) % len(slugs)]
            for tool in rotated(tools, index):
                if not firsts[tool.name].ok or (edits[tool.name].runs and not edits[tool.name].ok):
                    continue
                edit_paper(tool.papers / f"{slug}.md", index, originals)
                run = measure(tool.command, tool.cwd, timeout)
                edits[tool.name].runs.append(run)
                report_run(tool.name, "edit", index, run)
    finally:
        for path, original in originals.items():
            path.write_bytes(original)
    return [*firsts.values(), *edits.values()]


# ---------------------------------------------------------------------------------------------
# Reporting


def machine() -> dict[str, str | int]:
    """What the numbers were measured on; they mean little without it."""
    cpu = ""
    if Path("/proc/cpuinfo").exists():
        match = re.search(r"model name\s*:\s*(.+)", Path("/proc/cpuinfo").read_text())
        cpu = match.group(1).strip() if match else ""
    versions: dict[str, str | int] = {
        "cpus": os.cpu_count() or 0,
        "cpu": cpu,
        "platform": platform.platform(),
        "python": platform.python_version(),
    }
    if shutil.which("hugo"):
        versions["hugo"] = subprocess.run(["hugo", "version"], capture_output=True, text=True).stdout.strip()
    if (VENV / "bin" / "pelican").exists():
        result = subprocess.run([str(VENV / "bin" / "pelican"), "--version"], capture_output=True, text=True)
        versions["pelican"] = result.stdout.strip()
    return versions


def fmt(value: float | int | None, spec: str) -> str:
    """Format a number; a missing one (failed or timed-out builds) as a dash of the same width."""
    return format("—", f">{spec.split('.')[0]}") if value is None else format(value, spec)


def table(n: int, entries: list[dict[str, Any]]) -> str:
    """One row per tool and mode (entries as in results-N.json); ratio is the median over Hugo's."""
    header = (
        f"{'N':>6} {'mode':5} {'tool':19} {'median s':>9} {'min s':>8} {'cpu s':>8} "
        f"{'peak MB':>8} {'tree MB':>8} {'PSS MB':>8} {'vs hugo':>8}"
    )
    lines = [header, "-" * len(header)]
    hugo = {e["mode"]: e["median_s"] for e in entries if e["tool"] == "hugo"}
    for e in entries:
        median, base = e["median_s"], hugo.get(e["mode"])
        ratio = f"{median / base:.1f}x" if median is not None and base else "—"
        runs = e["runs"]
        note = " timed out" if any(r["timed_out"] for r in runs) else (" failed" if median is None else "")
        lines.append(
            f"{n:>6} {e['mode']:5} {e['tool']:19} {fmt(median, '9.2f')} {fmt(e['min_s'], '8.2f')} "
            f"{fmt(e['cpu_s'], '8.2f')} {fmt(e['maxrss_mb'], '8.0f')} "
            f"{fmt(e['tree_peak_mb'], '8.0f')} {fmt(e.get('tree_pss_mb'), '8.0f')} {ratio:>8}{note}"
        )
    for e in entries:
        if e.get("stages_s"):
            stages = ", ".join(f"{name} {seconds:.2f}" for name, seconds in e["stages_s"].items())
            lines.append(f"{'':6} {e['mode']:5} {e['tool']:19} stages (median s): {stages}")
    return "\n".join(lines)


def entry(s: Series, args: argparse.Namespace, cold_flag: str) -> dict[str, Any]:
    """A series as stored in results-N.json, with the settings it was measured with."""
    return {
        "tool": s.tool,
        "mode": s.mode,
        **s.summary(),
        "stages_s": s.stages(),
        "date": dt.date.today().isoformat(),
        "repeat": args.repeat,
        "timeout_s": args.timeout,
        "cold_flag": cold_flag if s.tool.startswith("surveysite") else "",
        "runs": [asdict(r) for r in s.runs],
    }


def results_path(n: int) -> Path:
    return RESULTS / f"results-{n}.json"


def load_entries(n: int) -> list[dict[str, Any]]:
    path = results_path(n)
    if not path.exists():
        return []
    entries: list[dict[str, Any]] = json.loads(path.read_text(encoding="utf-8")).get("series", [])
    return entries


def save(n: int, fresh: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Write results-N.json: this run's series replace those of the same tool and mode, others stay.

    So a slow tool can be measured on its own (say with a longer --timeout) without losing the rest.
    Each series records its own date and settings, since they may come from different runs.
    """
    RESULTS.mkdir(exist_ok=True)
    measured = {(e["tool"], e["mode"]) for e in fresh}
    kept = [e for e in load_entries(n) if (e.get("tool"), e.get("mode")) not in measured]
    order = {name: index for index, name in enumerate(TOOLS + EXTRA_TOOLS)}
    modes = {"cold": 0, "first": 1, "edit": 2}
    merged = sorted(kept + fresh, key=lambda e: (modes.get(e["mode"], 9), order.get(e["tool"], 99)))
    data = {"n": n, "machine": machine(), "series": merged}
    results_path(n).write_text(json.dumps(data, indent=1) + "\n", encoding="utf-8")
    return merged


def bench_size(n: int, args: argparse.Namespace, names: list[str], cold_flag: str) -> str:
    """Measure every tool at size n, save, and return the table of results-N.json."""
    print(f"N = {n}", flush=True)
    content = prepare_corpus(n)
    tools = make_tools(names, n, content)
    series = cold_runs(tools, args.repeat, args.timeout, cold_flag)
    if args.edit:
        slugs = sorted(p.name.removesuffix(".md") for p in (content / "papers").glob("*.md") if "." not in p.stem)
        series += edit_runs(tools, slugs, args.repeat, args.timeout)
    merged = save(n, [entry(s, args, cold_flag) for s in series])
    summary = table(n, merged)
    print(f"{summary}\n  -> {results_path(n).relative_to(ROOT)} (rows of other tools kept from earlier runs)\n")
    return summary


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="100,1000,10000", help="comma-separated paper counts")
    parser.add_argument("--repeat", type=int, default=3, help="builds per tool and mode (median reported)")
    parser.add_argument(
        "--tools", default=",".join(TOOLS), help=f"comma-separated, from {', '.join(TOOLS + EXTRA_TOOLS)}"
    )
    parser.add_argument("--edit", action="store_true", help="also time a rebuild after editing one paper")
    parser.add_argument("--timeout", type=float, default=900, help="seconds before a build is killed")
    parser.add_argument("--report", action="store_true", help="only print the tables of bench/results/ for --sizes")
    args = parser.parse_args(argv)
    sizes = [int(size.replace("_", "")) for size in args.sizes.split(",") if size]
    names = [name.strip() for name in args.tools.split(",") if name.strip()]
    if args.repeat < 1 or not sizes or not names:
        parser.error("need at least one size, one tool and one repeat")
    if args.report:
        print("\n\n".join(table(n, load_entries(n)) for n in sizes if load_entries(n)))
        return 0
    make_work_folder()
    cold_flag = surveysite_cold_flag() if any(name.startswith("surveysite") for name in names) else ""
    if cold_flag:
        print(f"surveysite cold builds use {cold_flag}")
    summaries = [bench_size(n, args, names, cold_flag) for n in sizes]
    print("\n\n".join(summaries))
    return 0


if __name__ == "__main__":
    sys.exit(main())
