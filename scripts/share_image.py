"""Draw static/share.png, the 1200x630 link-preview image, with Debian's Chromium (run by hand).

One image for the whole site: turning per-paper SVG cards into PNGs at build time needs either
system libraries (cairo) or system fonts (resvg), which the build must not depend on.
"""

from __future__ import annotations

import sys
from pathlib import Path

import yaml
from playwright.sync_api import sync_playwright

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from tests.browser import ARGS, CHROMIUM  # noqa: E402

site = yaml.safe_load((ROOT / "content" / "site.yaml").read_text(encoding="utf-8"))
papers = len(list((ROOT / "content" / "papers").glob("*.md"))) - len(list((ROOT / "content" / "papers").glob("*.*.md")))
HTML = f"""<!doctype html><html><body style="margin:0">
<div style="width:1200px;height:630px;box-sizing:border-box;padding:80px;background:#15171b;color:#e6e8eb;
 font-family:system-ui,sans-serif;display:flex;flex-direction:column;justify-content:space-between">
 <div style="font-size:34px;color:#8ab4ff;letter-spacing:2px">A RESEARCH SURVEY</div>
 <div style="font-size:92px;font-weight:700;line-height:1.05">{site["title"]["en"]}</div>
 <div style="font-size:36px;color:#a3abb8">{papers} papers · techniques · model size vs benchmark score</div>
 <svg width="1040" height="8"><rect width="1040" height="8" rx="4" fill="#8ab4ff"/></svg>
</div></body></html>"""

with sync_playwright() as p:
    browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
    page = browser.new_page(viewport={"width": 1200, "height": 630})
    page.set_content(HTML)
    page.screenshot(path=str(ROOT / "static" / "share.png"))
    browser.close()
print("wrote static/share.png")
