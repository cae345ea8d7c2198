"""Print the weight of key pages: HTML + the CSS and JS they load (raw and gzip), search index excluded.

Usage: python3 scripts/page_weight.py [_site]
"""

from __future__ import annotations

import gzip
import re
import sys
from pathlib import Path
from urllib.parse import urljoin

PAGES = [
    "index.html",
    "papers/tinyllama/index.html",
    "techniques/index.html",
    "techniques/knowledge-distillation/index.html",
    "chart/index.html",
    "timeline/index.html",
    "search/index.html",
    "404.html",
]
_ASSET = re.compile(r'<(?:link rel="stylesheet" href|script src)="([^"]+)"')


def weigh(site: Path, page: str) -> tuple[int, int, int]:
    html = (site / page).read_bytes()
    files = [html]
    for ref in _ASSET.findall(html.decode()):
        target = site / urljoin("/" + page, ref).lstrip("/")
        if not target.exists():  # the 404 page links from the site's root path, e.g. /surveysite/
            target = site / Path(*target.relative_to(site).parts[1:])
        files.append(target.read_bytes())
    raw = sum(len(f) for f in files)
    packed = sum(len(gzip.compress(f, mtime=0)) for f in files)
    return len(files), raw, packed


def main() -> None:
    site = Path(sys.argv[1] if len(sys.argv) > 1 else "_site")
    print("| page | files | bytes | gzip |")
    print("|---|---:|---:|---:|")
    for prefix in ("", "zh/"):
        for page in PAGES:
            if prefix and page == "404.html":
                continue
            count, raw, packed = weigh(site, prefix + page)
            print(f"| {prefix}{page} | {count} | {raw / 1024:.1f} KB | {packed / 1024:.1f} KB |")


if __name__ == "__main__":
    main()
