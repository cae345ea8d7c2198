"""Real pages in Debian's Chromium under a GitHub Pages subpath: no console errors, no failed requests."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.browser import chromium
from tests.ghpages import serve_pages

PAGES = [
    "",
    "papers/alpha/",
    "techniques/",
    "chart/",
    "timeline/",
    "zh/",
    "zh/papers/beta/",
    "techniques/distillation/",
]


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    with chromium() as b:
        yield b


@pytest.mark.parametrize("path", PAGES)
def test_page_loads_cleanly(browser: Any, basic_site: Path, path: str) -> None:
    with serve_pages(basic_site, "/repo/") as base:
        page = browser.new_page()
        problems: list[str] = []
        page.on(
            "console",
            lambda m: problems.append(f"console {m.type}: {m.text}") if m.type in ("error", "warning") else None,
        )
        page.on("pageerror", lambda e: problems.append(f"page error: {e}"))
        page.on("requestfailed", lambda r: problems.append(f"failed: {r.url}"))
        page.on("response", lambda r: problems.append(f"HTTP {r.status}: {r.url}") if r.status >= 400 else None)
        page.goto(base + path)
        page.wait_for_load_state("networkidle")
        assert problems == []
        # The stylesheet applied: the header is laid out as a flex row.
        assert page.eval_on_selector(".header-row", "e => getComputedStyle(e).display") == "flex"
        page.close()


def test_language_switch_and_links(browser: Any, basic_site: Path) -> None:
    with serve_pages(basic_site, "/repo/") as base:
        page = browser.new_page()
        page.goto(base + "papers/alpha/")
        page.click("nav.lang-nav a[hreflang='zh-Hans']")
        assert page.url == base + "zh/papers/alpha/"
        assert page.locator("h1").inner_text() == "Alpha：一个小模型"
        page.click("a.tag >> nth=0")
        assert page.url == base + "zh/techniques/distillation/"
        page.close()


def test_404_at_depth_is_styled(browser: Any, basic_site: Path) -> None:
    with serve_pages(basic_site, "/repo/") as base:
        page = browser.new_page()
        failed: list[str] = []
        page.on("requestfailed", lambda r: failed.append(r.url))
        response = page.goto(base + "no/such/page/")
        assert response is not None and response.status == 404
        assert page.eval_on_selector(".header-row", "e => getComputedStyle(e).display") == "flex"
        page.click("text=Go to the list of papers")
        assert page.url == base
        assert failed == []
        page.close()


def test_file_system_navigation(browser: Any, basic_site: Path) -> None:
    page = browser.new_page()
    page.goto((basic_site / "index.html").as_uri())
    page.click("text=Alpha")
    assert page.url == (basic_site / "papers" / "alpha" / "index.html").as_uri()
    assert "Alpha: A Small Model" in page.locator("h1").inner_text()
    page.close()


def test_chart_point_tooltip_and_link(browser: Any, tmp_path: Path) -> None:
    from surveysite.pipeline import build
    from tests.conftest import ROOT, project

    out = tmp_path / "_site"
    build(project(ROOT / "content", out))
    with serve_pages(out, "/surveysite/") as base:
        page = browser.new_page()
        errors: list[str] = []
        page.on("pageerror", lambda e: errors.append(str(e)))
        page.goto(base + "chart/#gsm8k")
        # An old link to a benchmark of the chart page goes on to the benchmark's own page.
        page.wait_for_url(base + "benchmarks/gsm8k/")
        point = page.locator("svg a.point-link").first
        tooltip = point.locator("title").first.text_content() or ""
        model = point.locator("circle.point").first.get_attribute("data-model") or ""
        assert model and model in tooltip and "Table" in tooltip
        point.hover()
        point.click()
        page.wait_for_load_state()
        assert "/papers/" in page.url
        assert errors == []
        page.close()


def test_sortable_tables(browser: Any, basic_site: Path) -> None:
    with serve_pages(basic_site, "/repo/") as base:
        page = browser.new_page()
        page.goto(base)
        first_cells = "table.sortable tbody tr td:first-child a"
        assert page.locator(first_cells).all_inner_texts() == ["Alpha", "Beta"]
        page.click("table.sortable th:nth-child(3) button")  # size, ascending: 60M before 1.1B
        assert page.locator(first_cells).all_inner_texts() == ["Beta", "Alpha"]
        assert page.get_attribute("table.sortable th:nth-child(3)", "aria-sort") == "ascending"
        page.keyboard.press("Enter")  # the focused header button sorts again, descending
        assert page.locator(first_cells).all_inner_texts() == ["Alpha", "Beta"]
        assert page.get_attribute("table.sortable th:nth-child(3)", "aria-sort") == "descending"
        page.close()
