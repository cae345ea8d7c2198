"""Lighthouse scores of key pages in both languages, served under /surveysite/ as on GitHub Pages.

Usage: python3 build.py && python3 scripts/lighthouse.py [path/to/node_modules/.bin/lighthouse]
(npm install lighthouse@12 anywhere; Debian's Chromium is used through CHROME_PATH.)
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from tests.browser import ARGS, CHROMIUM  # noqa: E402
from tests.ghpages import serve_pages  # noqa: E402

PAGES = ["", "papers/tinyllama/", "techniques/", "techniques/knowledge-distillation/", "chart/", "404.html"]
CATEGORIES = ["performance", "accessibility", "best-practices", "seo"]


def main() -> None:
    lighthouse = sys.argv[1] if len(sys.argv) > 1 else "lighthouse"
    env = {**os.environ, "CHROME_PATH": CHROMIUM}
    flags = " ".join(["--headless=new", *ARGS])
    print("| page | " + " | ".join(CATEGORIES) + " |")
    print("|---|" + "---:|" * len(CATEGORIES))
    with serve_pages(ROOT / "_site", "/surveysite/") as base, tempfile.TemporaryDirectory() as tmp:
        for lang in ("", "zh/"):
            for page in PAGES:
                if lang and page == "404.html":  # one bilingual 404 page (Lighthouse refuses a 404 status)
                    continue
                report = Path(tmp) / "report.json"
                subprocess.run(
                    [
                        lighthouse,
                        base + lang + page,
                        "--quiet",
                        "--output=json",
                        f"--output-path={report}",
                        f"--chrome-flags={flags}",
                        f"--only-categories={','.join(CATEGORIES)}",
                    ],
                    env=env,
                    check=True,
                )
                result = json.loads(report.read_text())
                scores = [round(100 * (result["categories"][c]["score"] or 0)) for c in CATEGORIES]
                print(f"| {lang}{page or '(index)'} | " + " | ".join(map(str, scores)) + " |", flush=True)
                for c in CATEGORIES:
                    for ref in result["categories"][c]["auditRefs"]:
                        audit = result["audits"][ref["id"]]
                        if ref["weight"] and audit["score"] is not None and audit["score"] < 1:
                            print(f"    {c}: {ref['id']} {audit['score']}", file=sys.stderr)


if __name__ == "__main__":
    main()
