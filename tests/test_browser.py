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
    "compare/?m=alpha~Alpha-1B&m=beta~Beta-60M",
    "zh/benchmarks/mmlu/",
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


# Recorded from document start: the scheme at the first animation frame (which runs before the
# first paint) and at DOMContentLoaded, so a flash of the other scheme would show.
RECORD_SCHEME = """
window.__scheme = {};
const record = (when) => {
  const root = document.documentElement;
  window.__scheme[when] = { theme: root.getAttribute("data-theme"), scheme: getComputedStyle(root).colorScheme };
};
requestAnimationFrame(() => record("frame"));
document.addEventListener("DOMContentLoaded", () => record("ready"));
"""
BACKGROUND = "() => getComputedStyle(document.body).backgroundColor"
FOCUSED_SCHEME = "() => { const e = document.activeElement; return e.closest('[data-theme-switch]') && e.value; }"
LIGHT_BG, DARK_BG = "rgb(253, 253, 252)", "rgb(21, 23, 27)"


def _tab_to_scheme_switch(page: Any) -> str:
    """Tab from the top of the page until a radio of the colour-scheme switch has focus; its value."""
    for _ in range(40):
        page.keyboard.press("Tab")
        value = page.evaluate(FOCUSED_SCHEME)
        if value:
            return str(value)
    raise AssertionError("the colour-scheme switch is not reachable by Tab")


def test_colour_scheme_switch_by_keyboard_is_remembered_without_a_flash(browser: Any, basic_site: Path) -> None:
    with serve_pages(basic_site, "/repo/") as base:
        context = browser.new_context(color_scheme="light")
        context.add_init_script(RECORD_SCHEME)
        page = context.new_page()
        errors: list[str] = []
        page.on("pageerror", lambda e: errors.append(str(e)))
        page.goto(base + "papers/alpha/")
        assert page.evaluate(BACKGROUND) == LIGHT_BG
        assert page.is_visible("[data-theme-switch]")
        # Tab lands on the checked radio (System); the arrow keys choose within the group.
        assert _tab_to_scheme_switch(page) == "system"
        page.keyboard.press("ArrowLeft")
        assert page.evaluate("() => document.activeElement.value") == "dark"
        assert page.is_checked("[data-theme-switch] input[value=dark]")
        assert page.evaluate("() => document.documentElement.dataset.theme") == "dark"
        assert page.evaluate(BACKGROUND) == DARK_BG
        # Charts follow the forced scheme: tick labels take the dark palette's muted colour.
        assert page.eval_on_selector(".chart .tick-label", "e => getComputedStyle(e).fill") == "rgb(163, 171, 184)"
        # Kept on reload, on another page and on the 404 page (at depth), from before the first paint.
        for path in ("papers/alpha/", "zh/techniques/", "no/such/page/"):
            page.goto(base + path)
            # The first frame's callback can run after the load event on a small page: wait for it.
            page.wait_for_function("() => window.__scheme && window.__scheme.frame")
            recorded = page.evaluate("() => window.__scheme")
            expected = {"theme": "dark", "scheme": "dark"}
            assert recorded == {"frame": expected, "ready": expected}, path
            assert page.evaluate(BACKGROUND) == DARK_BG, path
            assert page.is_checked("[data-theme-switch] input[value=dark]"), path
        # A forced scheme wins over the system's.
        page.emulate_media(color_scheme="dark")
        page.check("[data-theme-switch] input[value=light]")
        assert page.evaluate(BACKGROUND) == LIGHT_BG
        # System: no attribute, nothing stored, and the page follows the system's scheme.
        page.check("[data-theme-switch] input[value=system]")
        assert page.evaluate("() => document.documentElement.hasAttribute('data-theme')") is False
        assert page.evaluate("() => localStorage.getItem('surveysite-theme')") is None
        assert page.evaluate(BACKGROUND) == DARK_BG
        page.emulate_media(color_scheme="light")
        assert page.evaluate(BACKGROUND) == LIGHT_BG
        page.goto(base)
        assert page.evaluate("() => window.__scheme.frame") == {"theme": None, "scheme": "light dark"}
        assert page.is_checked("[data-theme-switch] input[value=system]")
        assert errors == []
        context.close()


def test_colour_scheme_switch_without_storage_and_from_the_file_system(browser: Any, basic_site: Path) -> None:
    # Storage that throws (as it may from file:// or with cookies blocked): the switch still works
    # for the page, and nothing fails.
    context = browser.new_context()
    context.add_init_script(
        "Object.defineProperty(window, 'localStorage', { get() { throw new DOMException('no', 'SecurityError'); } });"
    )
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.goto((basic_site / "papers" / "alpha" / "index.html").as_uri())
    page.check("[data-theme-switch] input[value=dark]")
    assert page.evaluate(BACKGROUND) == DARK_BG
    assert errors == []
    context.close()
    # With storage, the choice carries from one file to another.
    page = browser.new_page()
    page.goto((basic_site / "index.html").as_uri())
    page.check("[data-theme-switch] input[value=dark]")
    page.click("text=Alpha")
    page.wait_for_load_state()  # the click returns once the navigation commits, before theme.js ran
    assert page.url.endswith("/papers/alpha/index.html")
    assert page.evaluate("() => document.documentElement.dataset.theme") == "dark"
    page.close()


def test_colour_scheme_switch_is_hidden_without_javascript(browser: Any, basic_site: Path) -> None:
    with serve_pages(basic_site, "/repo/") as base:
        context = browser.new_context(java_script_enabled=False)
        page = context.new_page()
        page.goto(base + "papers/alpha/")
        assert not page.is_visible("[data-theme-switch]")
        context.close()
