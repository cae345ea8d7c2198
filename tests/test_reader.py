"""Reader features in Chromium: index filters with and without JavaScript, the BibTeX copy button."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.browser import chromium
from tests.ghpages import serve_pages


@pytest.fixture(scope="module")
def served(survey_site: Path) -> Iterator[str]:
    with serve_pages(survey_site, "/surveysite/") as base:
        yield base


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    with chromium() as b:
        yield b


def _shown(page: Any) -> list[str]:
    return list(
        page.eval_on_selector_all(
            "table.papers tbody tr:not([hidden]) td:first-child a", "as => as.map(a => a.textContent)"
        )
    )


def test_filters_narrow_the_table_instantly_and_live_in_the_address(served: str, browser: Any) -> None:
    page = browser.new_page()
    page.goto(served)
    assert len(_shown(page)) == 16
    page.select_option("select[name=technique]", "knowledge-distillation")
    distilled = _shown(page)
    assert 0 < len(distilled) < 16
    assert "technique=knowledge-distillation" in page.url
    assert page.inner_text(".filter-count") == f"{len(distilled)} of 16 papers shown"
    page.select_option("select[name=size]", "under-1b")
    small = _shown(page)
    assert set(small) <= set(distilled)
    page.select_option("select[name=technique]", "")
    page.select_option("select[name=size]", "")
    page.select_option("select[name=year]", "2024")
    assert len(_shown(page)) == page.locator("#year-2024 + ul li").count()
    # A filtered view is a link others can open.
    page.goto(served + "zh/?technique=knowledge-distillation")
    assert len(_shown(page)) == len(distilled)
    assert page.inner_text(".filter-count") == f"显示 {len(distilled)} / 16 篇论文"
    page.click("button[type=reset]")
    page.wait_for_function("() => document.querySelectorAll('table.papers tbody tr:not([hidden])').length === 16")
    assert "technique=" not in page.url


def test_without_javascript_the_filters_are_prerendered_lists(served: str, browser: Any) -> None:
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    page.goto(served)
    assert not page.is_visible("form[data-filters]")
    years = page.locator("[id^=year-] + ul li a").count()
    sizes = page.locator("[id^=size-] + ul li a").count()
    assert years == 16 and sizes >= 16
    page.click("#size-under-1b + ul li a >> nth=0")
    assert "/surveysite/papers/" in page.url
    page.goto(served + "search/")
    assert "needs JavaScript" in page.inner_text("main")
    context.close()


def test_bibtex_copy_button_copies_the_entry(served: str, browser: Any, survey_site: Path) -> None:
    context = browser.new_context(permissions=["clipboard-read", "clipboard-write"])
    page = context.new_page()
    page.goto(served.replace("127.0.0.1", "localhost") + "papers/roberta/")
    page.click("button[data-copy]")
    page.wait_for_function("() => document.querySelector('.cite [role=status]').textContent === 'Copied'")
    copied = page.evaluate("navigator.clipboard.readText()")
    assert copied == (survey_site / "papers" / "roberta" / "cite.bib").read_text(encoding="utf-8")
    context.close()


def test_contents_sit_beside_the_summary_and_take_the_keyboard_to_a_heading(served: str, browser: Any) -> None:
    page = browser.new_page(viewport={"width": 1280, "height": 800})
    page.goto(served + "papers/tinyllama/")
    nav, prose = page.locator("nav.contents"), page.locator(".with-contents > .prose")
    assert nav.get_attribute("aria-label") == "Contents"
    box, text = nav.bounding_box(), prose.bounding_box()
    assert box["x"] >= text["x"] + text["width"], "a column to the right of the text"
    assert abs(box["y"] - text["y"]) < 40, "level with the start of the summary"
    # The long paper header plus the contents still leave the summary on the first screen.
    assert page.locator("#summary").bounding_box()["y"] + 100 < 800
    for _ in range(80):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.matches('nav.contents a')"):
            break
    assert page.evaluate("document.activeElement.getAttribute('href')") == "#method"
    page.keyboard.press("Tab")
    page.keyboard.press("Enter")
    page.wait_for_function("location.hash === '#results'")
    heading = page.locator("#results").bounding_box()
    assert 0 <= heading["y"] < 40, "the heading is scrolled to the top"
    assert 0 <= nav.bounding_box()["y"] < 800, "the contents stay in view (sticky)"
    # Focus moved with the reader: the next Tab goes on from the heading, not from the contents.
    page.keyboard.press("Tab")
    assert page.evaluate(
        "document.querySelector('#results').compareDocumentPosition(document.activeElement)"
        " & Node.DOCUMENT_POSITION_FOLLOWING"
    )
    page.close()


def test_on_a_narrow_screen_the_contents_come_first_and_stay_short(served: str, browser: Any) -> None:
    page = browser.new_page(viewport={"width": 390, "height": 844})
    page.goto(served + "zh/papers/tinyllama/")
    box, text = page.locator("nav.contents").bounding_box(), page.locator(".with-contents > .prose").bounding_box()
    assert box["y"] + box["height"] <= text["y"]
    assert box["height"] < 120
    assert page.locator("nav.contents").get_attribute("aria-label") == "目录"
    page.close()
