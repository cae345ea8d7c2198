"""Accessibility in Chromium: axe-core finds nothing, in both languages and both colour schemes;
every control is reachable by keyboard and visibly focused."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.browser import chromium
from tests.conftest import ROOT
from tests.ghpages import serve_pages

AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"
PAGES = [
    "",
    "papers/tinyllama/",
    "techniques/",
    "techniques/knowledge-distillation/",
    "chart/",
    "search/?q=distillation",
    "about/",
    "changes/",
    "papers/pet/",
    "benchmarks/",
    "benchmarks/gsm8k/",
    "timeline/",
    "compare/",
    "compare/?m=tinyllama~TinyLlama&m=phi-1-5~phi-1.5&m=flan-t5~Flan-T5-XL",
    "no/such/page/",
]


@pytest.fixture(scope="module")
def served(survey_site: Path) -> Iterator[str]:
    with serve_pages(survey_site, "/surveysite/") as base:
        yield base


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    with chromium() as b:
        yield b


def _axe(page: Any) -> list[str]:
    if not AXE.is_file():
        message = f"{AXE.relative_to(ROOT)} is missing: run `npm ci` (bash .ci/run does)"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    page.add_script_tag(path=str(AXE))
    result = page.evaluate(
        "axe.run(document, {resultTypes: ['violations'], runOnly: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa',"
        " 'wcag22aa', 'best-practice']})"
    )
    return [
        f"{v['id']} ({v['impact']}): {v['help']} at {[n['target'] for n in v['nodes']][:5]}"
        for v in result["violations"]
    ]


@pytest.mark.parametrize("scheme", ["light", "dark", "forced-dark"])
@pytest.mark.parametrize("lang", ["", "zh/"])
def test_axe_finds_no_violations(served: str, browser: Any, lang: str, scheme: str) -> None:
    # axe is injected as a script, which the pages' own CSP would rightly refuse.
    # forced-dark: the reader chose Dark on a light system (the choice theme.js reads).
    forced = scheme.startswith("forced-")
    context = browser.new_context(color_scheme="light" if forced else scheme, bypass_csp=True)
    if forced:
        context.add_init_script(f"localStorage.setItem('surveysite-theme', '{scheme.removeprefix('forced-')}');")
    page = context.new_page()
    problems = []
    for path in PAGES:
        page.goto(served + lang + path)
        if "search/" in path:
            page.wait_for_selector(".search-results a")
        if forced:
            assert page.evaluate("() => document.documentElement.dataset.theme") == scheme.removeprefix("forced-")
        if "compare/?" in path:  # axe sees the comparison drawn, both tables filled
            page.wait_for_selector("table[data-shared] tbody tr")
            page.wait_for_selector("table[data-single] tbody tr")
        problems += [f"{lang}{path}: {v}" for v in _axe(page)]
    context.close()
    assert not problems, "\n".join(problems)


def _focus_ring(page: Any) -> dict[str, Any]:
    return dict(
        page.evaluate(
            """() => { const e = document.activeElement; const s = getComputedStyle(e);
            // A chart point or a lineage box shows focus by a thicker stroke instead of an outline.
            const marker = e instanceof SVGElement ? e.querySelector('.point') || e.querySelector('rect') : null;
            const ring = marker ? parseFloat(getComputedStyle(marker).strokeWidth) >= 3
                                : s.outlineStyle !== 'none' && parseFloat(s.outlineWidth) >= 2;
            return {tag: e.tagName, text: (e.textContent || e.value || '').trim().slice(0, 40),
                    outline: ring, visible: e.getClientRects().length > 0}; }"""
        )
    )


@pytest.mark.parametrize(
    "path", ["", "papers/tinyllama/", "chart/", "timeline/", "compare/?m=tinyllama~TinyLlama&m=phi-1-5~phi-1.5"]
)
def test_every_control_is_reachable_by_keyboard_and_visibly_focused(served: str, browser: Any, path: str) -> None:
    context = browser.new_context(permissions=["clipboard-read", "clipboard-write"])
    page = context.new_page()
    page.goto(served + path)
    if "compare/?" in path:
        page.wait_for_selector("table[data-shared] tbody tr")
    focusable = page.evaluate(
        """() => [...document.querySelectorAll('a[href], button, input, select, [tabindex="0"]')]
           .filter(e => !e.disabled && e.getClientRects().length > 0 && !e.closest('[hidden], details:not([open])'))
           .length"""
    )
    seen = 0
    for _ in range(focusable + 5):
        page.keyboard.press("Tab")
        ring = _focus_ring(page)
        if ring["tag"] == "BODY":
            break
        assert ring["visible"], ring
        assert ring["outline"], f"no visible focus indicator on {ring}"
        seen += 1
    # Tab stops = focusable elements, minus the tabs of the chart's tab list and the radios of the
    # colour-scheme switch (one stop each, arrows inside).
    tabs = page.locator("[role=tab]").count()
    radios = page.locator("[data-theme-switch] input[type=radio]").count()
    assert seen >= focusable - max(tabs - 1, 0) - max(radios - 1, 0)
    context.close()
