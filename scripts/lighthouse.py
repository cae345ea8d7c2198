"""Lighthouse (mobile) scores of one page of each kind, in both languages, as served on GitHub Pages.

A measurement, not a test: performance depends on the machine's load, so nothing here asserts a
score. It builds the shipped survey into a temporary folder (or reads --site), serves it under
/surveysite/ with the GitHub Pages stand-in of tests/ghpages.py, and runs the pinned Lighthouse
(package.json; `npm ci`) with Debian's Chromium and Lighthouse's default mobile form factor and
simulated throttling. It prints the load average, a table of the four scores and, under it, the
audits that keep a score below 100.

    python3 scripts/lighthouse.py                  # every page kind, English and Chinese
    python3 scripts/lighthouse.py --runs 2         # performance measured twice (busy machine)
    python3 scripts/lighthouse.py --site _site --only chart/ --lang en
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from tests.browser import ARGS, CHROMIUM  # noqa: E402
from tests.ghpages import serve_pages  # noqa: E402

LIGHTHOUSE = ROOT / "node_modules" / ".bin" / "lighthouse"
PREFIX = "/surveysite/"
CATEGORIES = ["performance", "accessibility", "best-practices", "seo"]
# One page of each kind; the heaviest paper page (u-palm) besides an ordinary one. Optional pages
# (timeline/, compare/) are measured when the build has them.
PAGES = [
    "",
    "papers/tinyllama/",
    "papers/u-palm/",
    "techniques/",
    "techniques/knowledge-distillation/",
    "benchmarks/",
    "benchmarks/gsm8k/",
    "chart/",
    "changes/",
    "search/",
    "about/",
    "timeline/",
    "compare/",
    "404.html",
]
# The 404 page is one bilingual page; Lighthouse refuses a page served with status 404, so it is
# measured at its own address (status 200).
ONE_LANGUAGE = {"404.html"}


@dataclass
class Result:
    """The scores of one page (performance once per run) and the audits that cost points."""

    page: str
    scores: dict[str, int]
    performance_runs: list[int] = field(default_factory=list)
    failing: list[str] = field(default_factory=list)


def load_average() -> str:
    """The 1, 5 and 15 minute load averages, with the number of cores they are shared by."""
    one, five, fifteen = os.getloadavg()
    return f"load average {one:.2f}, {five:.2f}, {fifteen:.2f} on {os.cpu_count()} cores"


def run_lighthouse(lighthouse: Path, url: str, categories: list[str], tmp: Path) -> dict:
    report = tmp / "report.json"
    flags = " ".join(["--headless=new", *ARGS])
    subprocess.run(
        [
            str(lighthouse),
            url,
            "--quiet",
            "--output=json",
            f"--output-path={report}",
            f"--chrome-flags={flags}",
            f"--only-categories={','.join(categories)}",
        ],
        env={**os.environ, "CHROME_PATH": CHROMIUM},
        check=True,
    )
    result: dict = json.loads(report.read_text())
    if result.get("runtimeError"):
        raise SystemExit(f"{url}: {result['runtimeError']}")
    return result


def score(result: dict, category: str) -> int:
    return round(100 * (result["categories"][category]["score"] or 0))


def failing_audits(result: dict) -> list[str]:
    """Weighted audits under a full score, and performance insights Lighthouse marks as failing."""
    lines = []
    for category in CATEGORIES:
        if category not in result["categories"] or score(result, category) == 100:
            continue
        for ref in result["categories"][category]["auditRefs"]:
            audit = result["audits"][ref["id"]]
            if audit["score"] is None or audit["score"] >= 1:
                continue
            weighted = ref["weight"] > 0
            # Performance: the metrics carry the weight; unweighted insights and diagnostics are
            # listed when Lighthouse itself flags them (score under 0.9).
            if not weighted and (category != "performance" or audit["score"] >= 0.9):
                continue
            value = f" ({audit['displayValue']})" if audit.get("displayValue") else ""
            lines.append(f"{category}: {ref['id']}: {audit['title']}{value}, score {audit['score']:.2f}")
    return lines


def measure(lighthouse: Path, site: Path, pages: list[str], runs: int) -> list[Result]:
    results = []
    with serve_pages(site, PREFIX, compress=True) as base, tempfile.TemporaryDirectory() as tmp:
        for page in pages:
            result = run_lighthouse(lighthouse, base + page, CATEGORIES, Path(tmp))
            scores = {c: score(result, c) for c in CATEGORIES}
            measured = Result(page, scores, [scores["performance"]], failing_audits(result))
            for _ in range(runs - 1):
                again = run_lighthouse(lighthouse, base + page, ["performance"], Path(tmp))
                measured.performance_runs.append(score(again, "performance"))
                measured.failing += [f"(run {len(measured.performance_runs)}) {line}" for line in failing_audits(again)]
            results.append(measured)
            print(row(measured), file=sys.stderr, flush=True)
    return results


def row(result: Result) -> str:
    performance = " / ".join(map(str, result.performance_runs))
    others = [str(result.scores[c]) for c in CATEGORIES[1:]]
    return f"| {result.page or '(index)'} | {performance} | " + " | ".join(others) + " |"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--site", type=Path, help="a built site to measure (default: build the shipped survey)")
    parser.add_argument("--lang", default="en,zh", help="languages, comma-separated (default: en,zh)")
    parser.add_argument("--only", action="append", help="measure this page only (repeatable), e.g. chart/")
    parser.add_argument("--runs", type=int, default=1, help="performance runs per page (default: 1)")
    parser.add_argument("--lighthouse", type=Path, default=LIGHTHOUSE, help="the Lighthouse executable")
    args = parser.parse_args()
    if not args.lighthouse.exists():
        raise SystemExit(f"{args.lighthouse} is missing: run `npm ci`")
    with tempfile.TemporaryDirectory() as tmp:
        site = args.site
        if site is None:
            site = Path(tmp) / "site"
            build = [sys.executable, str(ROOT / "build.py"), "--out", str(site)]
            subprocess.run(build, cwd=ROOT, stdout=sys.stderr, check=True)
        pages = []
        for lang in args.lang.split(","):
            prefix = "" if lang == "en" else f"{lang}/"
            for page in args.only or PAGES:
                if prefix and page in ONE_LANGUAGE:
                    continue
                if (site / prefix / page).exists():
                    pages.append(prefix + page)
        version = subprocess.run([str(args.lighthouse), "--version"], capture_output=True, text=True).stdout.strip()
        before = load_average()
        results = measure(args.lighthouse, site, pages, args.runs)
        after = load_average()
    print(f"Lighthouse {version}, mobile, simulated throttling; {before} (start), {after} (end)\n")
    print("| page | performance | accessibility | best practices | SEO |")
    print("|---|---:|---:|---:|---:|")
    for result in results:
        print(row(result))
    failing = [(r.page or "(index)", line) for r in results for line in r.failing]
    if failing:
        print("\nAudits under a full score:")
        for page, line in failing:
            print(f"- {page}: {line}")


if __name__ == "__main__":
    main()
