"""Page weight: per page, the gzip size of its HTML plus the CSS and JS it links (the search index excluded).

What a first visit costs on the wire, page by page, so that a budget (30 KB) can be checked and the
heaviest pages found. Builds the shipped survey into a temporary folder (or reads a built one):

    python3 scripts/page_weight.py               # build content/ without search, list the 10 heaviest
    python3 scripts/page_weight.py _site --top 0 --limit 30
    python3 scripts/page_weight.py --heights     # also Playwright heights of a paper page's sections

Exit status 1 when a page is over --limit KB (0 turns the check off). KB are 1,000 bytes; gzip at level 9.
"""

from __future__ import annotations

import argparse
import gzip
import re
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path
from posixpath import normpath

ROOT = Path(__file__).resolve().parent.parent
_ASSET = re.compile(r'<(?:link[^>]*\brel="stylesheet"[^>]*\bhref|script[^>]*\bsrc)="([^"]+)"')
"""Stylesheets and scripts a page loads at once (a <noscript> stylesheet counts: it is the worst case)."""


@dataclass(frozen=True)
class Weight:
    page: str
    html: int
    assets: int
    """gzip bytes of the linked CSS and JS."""

    @property
    def total(self) -> int:
        return self.html + self.assets


def gzip_size(data: bytes) -> int:
    return len(gzip.compress(data, compresslevel=9, mtime=0))


def weigh(site: Path) -> list[Weight]:
    """Every HTML page of `site` except the search index's own files, heaviest first."""
    sizes: dict[Path, int] = {}
    weights = []
    for page in sorted(site.rglob("*.html")):
        rel = page.relative_to(site).as_posix()
        if rel.startswith("pagefind/") or "/pagefind/" in rel:
            continue
        html = page.read_bytes()
        assets = 0
        for href in dict.fromkeys(_ASSET.findall(html.decode("utf-8", "replace"))):
            if "pagefind" in href or "://" in href:
                continue
            if href.startswith("/"):  # the 404 page links from the site's root path: its assets/ are ours
                target = (site / "assets" / href.partition("/assets/")[2]).resolve()
            else:
                target = (site / normpath(f"{Path(rel).parent.as_posix()}/{href}")).resolve()
            if target.is_file():
                if target not in sizes:
                    sizes[target] = gzip_size(target.read_bytes())
                assets += sizes[target]
        weights.append(Weight(rel, gzip_size(html), assets))
    return sorted(weights, key=lambda w: (-w.total, w.page))


def heights(site: Path, page: str, width: int = 1280, height: int = 800) -> list[tuple[str, float, float]]:
    """(section, top, height) in CSS px of the page's main sections at `width`, and the whole page's."""
    parts = "article > header, article > section, article > div > section, article > div > div, article > nav"
    sys.path.insert(0, str(ROOT))
    from tests.browser import chromium  # Debian's chromium through Playwright, as the browser tests use

    with chromium() as browser:
        view = browser.new_page(viewport={"width": width, "height": height})
        view.goto((site / page).as_uri())
        rows = view.evaluate(
            """(parts) => {
              const out = [];
              for (const el of document.querySelectorAll(parts)) {
                const h = el.querySelector('h1, h2');
                const r = el.getBoundingClientRect();
                const name = h ? h.textContent.trim() : el.className || el.tagName.toLowerCase();
                out.push([name.slice(0, 40), r.top + scrollY, r.height]);
              }
              out.push(['(page)', 0, document.documentElement.scrollHeight]);
              return out;
            }""",
            parts,
        )
    return [(str(name), float(top), float(h)) for name, top, h in rows]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("site", nargs="?", type=Path, help="a built site (default: build content/ afresh)")
    parser.add_argument("--top", type=int, default=10, help="pages to list, heaviest first (0: all)")
    parser.add_argument("--limit", type=float, default=30.0, help="budget in KB per page (0: none)")
    parser.add_argument("--heights", nargs="?", const="papers/tinyllama/index.html", metavar="PAGE")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        site = args.site
        if site is None:
            sys.path.insert(0, str(ROOT))
            from surveysite.pipeline import Project, build

            package = ROOT / "surveysite"
            site = Path(tmp) / "_site"
            build(Project(ROOT / "content", package / "templates", package / "static", site, search=False, cache=False))
        weights = weigh(site)
        shown = weights if args.top == 0 else weights[: args.top]
        print(f"{'page':<48} {'html':>8} {'css+js':>8} {'total':>8}  (KB gzip)")
        for w in shown:
            print(f"{w.page:<48} {w.html / 1000:8.1f} {w.assets / 1000:8.1f} {w.total / 1000:8.1f}")
        over = [w for w in weights if args.limit and w.total > args.limit * 1000]
        print(f"{len(weights)} pages; heaviest {weights[0].total / 1000:.1f} KB; over {args.limit:g} KB: {len(over)}")
        if args.heights:
            print(f"\n{args.heights} at 1280x800 (CSS px):")
            for name, top, h in heights(site, args.heights):
                print(f"  {name:<42} top {top:7.0f}  height {h:7.0f}")
    return 1 if over else 0


if __name__ == "__main__":
    raise SystemExit(main())
