"""Hostile content: scripts, handlers and javascript:/data: links in every text field and body never run."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from surveysite.pipeline import build
from tests.browser import chromium
from tests.conftest import SITES, project
from tests.ghpages import serve_pages

HOSTILE = SITES / "hostile" / "content"


@pytest.fixture(scope="module")
def hostile_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("hostile") / "_site"
    build(project(HOSTILE, out))
    return out


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    with chromium() as b:
        yield b


def test_no_dangerous_urls_in_output(hostile_site: Path) -> None:
    for page in hostile_site.rglob("*.html"):
        html = page.read_text(encoding="utf-8").lower()
        for scheme in ("javascript:", "vbscript:", "data:text/html", "data:image/svg"):
            assert f'href="{scheme}' not in html and f'src="{scheme}' not in html, (page, scheme)
        scripts = re.findall(r"<script\b[^>]*>", html)
        # Only our own scripts run, the render-blocking theme.js and the deferred site.js, once each,
        # and the search page's search.js; JSON-LD is data, and '</script>' in it stays escaped.
        ours = [s for s in scripts if "application/ld+json" not in s]
        extra = ['<script src="search.js" defer>'] if page.parent.name == "search" else []
        assert [re.sub(r'src="[^"]*/', 'src="', s) for s in ours] == [
            '<script src="theme.js">',
            '<script src="site.js" defer>',
            *extra,
        ], page
        assert html.count("</script>") == len(scripts), page


def test_no_payload_runs_in_chromium(hostile_site: Path, browser: Any) -> None:
    pages = sorted(p.relative_to(hostile_site).as_posix() for p in hostile_site.rglob("*.html"))
    assert len(pages) >= 10
    with serve_pages(hostile_site, "/repo/") as base:
        page = browser.new_page()
        dialogs: list[str] = []
        page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
        for path in pages:
            page.goto(base + path.removesuffix("index.html"))
            page.wait_for_load_state("networkidle")
            page.mouse.move(200, 300)
            for link in page.locator("main a").all()[:20]:
                link.focus()
            assert page.evaluate("typeof window.__pwned") == "undefined", path
        assert dialogs == []
        # The payloads are shown as text, escaped, not swallowed.
        page.goto(base + "papers/evil/")
        assert page.locator("h1").inner_text() == '"><script>window.__pwned=4</script>'
        assert "<img src=x onerror=" in page.locator("main").inner_text()
        page.close()
