"""The compare page: its data files (every result once, with its source), and in Chromium the
checkboxes, the address that names the models, the same view from file:// and in Chinese, the CSV
downloads, and what the page says without JavaScript."""

from __future__ import annotations

import csv
import io
import json
from collections import Counter
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

from surveysite.links import _problem, site_targets
from surveysite.pipeline import build
from tests.browser import chromium
from tests.conftest import ROOT, project
from tests.ghpages import serve_pages

PAIR = "m=tinyllama~TinyLlama&m=phi-1-5~phi-1.5"
SHARED = ["ARC-Challenge", "ARC-Easy", "BoolQ", "HellaSwag", "OpenBookQA", "PIQA", "WinoGrande"]


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The shipped survey without its search index (this module never searches)."""
    out = tmp_path_factory.mktemp("compare") / "_site"
    build(replace(project(ROOT / "content", out), search=False))
    return out


def _call(path: Path, function: str) -> Any:
    text = path.read_text(encoding="utf-8")
    head, tail = f"surveysiteCompare.{function}(", ");\n"
    assert text.startswith(head) and text.endswith(tail), path
    return json.loads(text[len(head) : -len(tail)])


def test_every_result_is_in_its_papers_data_file_once_with_its_source(site: Path) -> None:
    rows = list(csv.DictReader(io.StringIO((site / "data" / "results.csv").read_text(encoding="utf-8"))))
    found: Counter[tuple[str, ...]] = Counter()
    for file in sorted((site / "compare" / "data").glob("*.js")):
        record = _call(file, "paper")
        assert file.stem == record["slug"] and record["path"] == f"papers/{record['slug']}/"
        names = {m["name"] for m in record["models"]}
        for r in record["results"]:
            assert r["model"] in names and r["source"] and r["benchmark_path"] == f"benchmarks/{r['benchmark']}/"
            found[(record["slug"], r["model"], r["benchmark"], r["setting"], r["text"], r["source"], r["note"])] += 1
    wanted = Counter(
        (r["paper"], r["model"], r["benchmark"], r["setting"], r["score"].removesuffix(".0"), r["source"], r["note"])
        for r in rows
    )
    assert found == wanted
    assert all(count == 1 for count in found.values())


def test_picker_files_name_every_model_by_year(site: Path) -> None:
    papers = json.loads((site / "data" / "papers.json").read_text(encoding="utf-8"))["papers"]
    listed = []
    for file in sorted((site / "compare" / "models").glob("*.js")):
        chunk = _call(file, "models")
        assert file.stem == str(chunk["year"])
        for entry in chunk["papers"]:
            paper = next(p for p in papers if p["id"] == entry["slug"])
            assert paper["year"] == chunk["year"] and set(entry["name"]) == {"en", "zh"}
            assert [m[0] for m in entry["models"]] == [m["name"] for m in paper["models"]]
            assert (site / "compare" / "data" / f"{entry['slug']}.js").is_file()
            listed.append(entry["slug"])
    assert sorted(listed) == sorted(p["id"] for p in papers)


def test_data_files_are_byte_identical_across_builds(site: Path, tmp_path: Path) -> None:
    again = tmp_path / "again"
    build(replace(project(ROOT / "content", again), search=False))
    for file in (site / "compare").rglob("*.js"):
        assert (again / file.relative_to(site)).read_bytes() == file.read_bytes(), file


def test_a_body_may_link_to_a_comparison() -> None:
    targets = site_targets([], [], [], [])
    assert _problem("../../compare/?m=tinyllama~TinyLlama&m=phi-1-5~phi-1.5", "papers/alpha", ("en",), targets) == ""
    assert "no page" in _problem("../../compares/?m=x~y", "papers/alpha", ("en",), targets)


@pytest.fixture(scope="module")
def served(site: Path) -> Iterator[str]:
    with serve_pages(site, "/surveysite/") as base:
        yield base


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    with chromium() as b:
        yield b


def _watch(page: Any) -> list[str]:
    problems: list[str] = []
    page.on("pageerror", lambda e: problems.append(f"page error: {e}"))
    page.on("console", lambda m: problems.append(f"console: {m.text}") if m.type in ("error", "warning") else None)
    # A request cut short by the next navigation is not a failure of the page.
    page.on("requestfailed", lambda r: None if "ABORTED" in (r.failure or "") else problems.append(f"failed: {r.url}"))
    return problems


def _tab_to(page: Any, selector: str, key: str = "Tab", limit: int = 600) -> None:
    """Press `key` until the focused element matches `selector`: the keyboard alone gets there."""
    for _ in range(limit):
        page.keyboard.press(key)
        if page.evaluate("s => document.activeElement && document.activeElement.matches(s)", selector):
            return
    raise AssertionError(f"{selector} not reached by {key}")


def _rows(page: Any, name: str) -> list[list[str]]:
    return page.eval_on_selector_all(  # type: ignore[no-any-return]
        f"table[data-{name}] tbody tr",
        "rows => rows.map(r => Array.from(r.cells, c => c.innerText.replace(/\\s+/g, ' ').trim()))",
    )


def _view(page: Any) -> dict[str, list[list[str]]]:
    """The rows of both comparison tables, cell by cell, once they are drawn."""
    page.wait_for_selector("table[data-shared] tbody tr")
    return {name: _rows(page, name) for name in ("shared", "single")}


def test_keyboard_checks_two_models_and_compares_them(browser: Any, served: str) -> None:
    page = browser.new_page()
    problems = _watch(page)
    page.goto(served + "benchmarks/hellaswag/")
    assert page.locator(".compare-bar").is_hidden()
    page.locator("body").focus()
    _tab_to(page, "input[aria-label='Compare TinyLlama (TinyLlama)']")
    page.keyboard.press("Space")
    _tab_to(page, "input[aria-label='Compare phi-1.5 (phi-1.5)']")
    page.keyboard.press("Space")
    bar = page.locator(".compare-bar a")
    assert bar.inner_text() == "Compare selected (2)"
    _tab_to(page, ".compare-bar a", key="Shift+Tab")
    page.keyboard.press("Enter")
    page.wait_for_url(served + "compare/?" + PAIR)
    view = _view(page)
    assert [row[0] for row in view["shared"]] == SHARED
    hellaswag = next(row for row in view["shared"] if row[0] == "HellaSwag")
    assert hellaswag[1:] == ["0-shot", "59.2 Table 2 lm-eval-harness", "47.6 Table 3 authors' evaluation pipeline"]
    # Each source links to its paper.
    links = page.eval_on_selector_all("table[data-shared] tbody tr td a", "as => as.map(a => a.pathname)")
    assert set(links) == {"/surveysite/papers/tinyllama/", "/surveysite/papers/phi-1-5/"}
    # phi-1.5's other scores are listed as its own, each row with one score.
    assert [row[:2] for row in view["single"]] == [
        ["GSM8K", "0-shot"],
        ["HumanEval", "pass@1"],
        ["MBPP", "pass@1"],
        ["MMLU", "2-shot"],
    ]
    assert all(row[2] == "– not reported" for row in view["single"])
    sizes = page.eval_on_selector_all(".compare-models tbody tr", "rows => rows.map(r => r.cells[1].innerText)")
    assert sizes == ["1.1B", "1.3B"]
    assert problems == []
    page.close()


def test_settings_never_share_a_row(browser: Any, served: str) -> None:
    page = browser.new_page()
    page.goto(served + "compare/?m=phi-1-5~phi-1.5&m=flan-t5~Flan-T5-XL&m=nowhere~Nothing")
    page.wait_for_selector("table[data-single] tbody tr")
    rows = _rows(page, "single")
    mmlu = [[cell.split(" Table")[0] for cell in row] for row in rows if row[0] == "MMLU"]
    assert mmlu == [
        ["MMLU", "2-shot", "37.6", "– not reported"],
        ["MMLU", "5-shot", "– not reported", "52.4"],
        ["MMLU", "5-shot CoT", "– not reported", "45.5"],
    ]
    assert page.locator("table[data-shared]").is_hidden()
    status = page.locator(".compare-status").inner_text()
    assert "None of the chosen models share" in page.locator(".compare-none").inner_text()
    assert "nowhere~Nothing" in status
    page.close()


def test_the_address_gives_the_same_view_from_file_and_in_chinese(browser: Any, served: str, site: Path) -> None:
    page = browser.new_page()
    problems = _watch(page)
    page.goto(served + "compare/?" + PAIR)
    english = _view(page)
    page.goto((site / "compare" / "index.html").as_uri() + "?" + PAIR)
    assert _view(page) == english
    # From the file system, the links go to index.html files.
    assert page.eval_on_selector("table[data-shared] td a", "a => a.href").endswith("/papers/tinyllama/index.html")
    page.goto(served + "zh/compare/?" + PAIR)
    chinese = _view(page)
    assert [row[:2] for row in chinese["shared"]] == [row[:2] for row in english["shared"]]
    assert chinese["single"][0][2] == "– 未报告"
    assert page.locator("h1").inner_text() == "模型对比"
    assert problems == []
    page.close()


def test_the_address_cannot_load_a_script_from_elsewhere(browser: Any, served: str) -> None:
    page = browser.new_page()
    scripts: list[str] = []
    page.on("request", lambda r: scripts.append(r.url) if r.resource_type == "script" else None)
    page.goto(served + "compare/?m=../../other/x~y&m=" + "tinyllama%2F..~TinyLlama")
    page.wait_for_selector(".compare-status:has-text('Not in the survey')")
    assert all(url.startswith(served + "assets/") or "/compare/models/" in url for url in scripts), scripts
    page.close()


def test_picker_adds_and_removes_models_in_the_address(browser: Any, served: str) -> None:
    page = browser.new_page()
    requested: list[str] = []
    page.on("request", lambda r: requested.append(r.url))
    page.goto(served + "compare/?m=tinyllama~TinyLlama")
    page.wait_for_selector(".compare-models tbody tr")
    assert "One model chosen" in page.locator(".compare-status").inner_text()
    # The address needs only the chosen paper's data file; the picker's models wait for the reader.
    assert [u for u in requested if "/compare/" in u and u.endswith(".js")] == [served + "compare/data/tinyllama.js"]
    page.select_option(".compare-picker select[name=year]", "2023")
    page.wait_for_selector(".compare-picker option[value='phi-1-5~phi-1.5']", state="attached")
    page.select_option(".compare-picker select[name=model]", "phi-1-5~phi-1.5")
    page.click(".compare-picker button")
    page.wait_for_selector("table[data-shared] tbody tr")
    assert page.url == served + "compare/?" + PAIR
    page.click("text=Remove TinyLlama")
    assert page.url == served + "compare/?m=phi-1-5~phi-1.5"
    assert page.locator(".compare-models tbody tr").count() == 1
    page.close()


def test_comparison_downloads_as_csv(browser: Any, served: str) -> None:
    page = browser.new_page(accept_downloads=True)
    page.goto(served + "compare/?" + PAIR)
    _view(page)
    with page.expect_download() as info:
        page.click("button[data-compare-csv]")
    download = info.value
    assert download.suggested_filename == "compare.csv"
    text = Path(download.path()).read_text(encoding="utf-8")
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[0] == [
        "benchmark",
        "benchmark_name",
        "setting",
        "reported_by",
        "tinyllama~TinyLlama score",
        "tinyllama~TinyLlama source",
        "tinyllama~TinyLlama note",
        "phi-1-5~phi-1.5 score",
        "phi-1-5~phi-1.5 source",
        "phi-1-5~phi-1.5 note",
    ]
    assert [row[1] for row in rows[1:8]] == SHARED
    hellaswag = ["hellaswag", "HellaSwag", "0-shot", "2", "59.2", "Table 2", "lm-eval-harness", "47.6", "Table 3"]
    assert rows[4][:9] == hellaswag
    assert len(rows) == 1 + 7 + 4
    gsm8k = rows[8]
    assert gsm8k[:4] == ["gsm8k", "GSM8K", "0-shot", "1"] and gsm8k[4:7] == ["", "", ""]
    assert '"solved via coding (model writes a Python program)"' not in text  # quoted only when needed
    assert '"Table 2 (the repo\'s EVAL.md gives 30.12)"' not in text
    page.close()


def test_index_checkbox_and_filtered_csv(browser: Any, served: str) -> None:
    page = browser.new_page(accept_downloads=True)
    page.goto(served + "?technique=knowledge-distillation")
    shown = page.eval_on_selector_all(
        "table.papers tbody tr:not([hidden])", "rows => rows.map(r => r.getAttribute('data-paper'))"
    )
    assert 0 < len(shown) < page.locator("table.papers tbody tr").count()
    with page.expect_download() as info:
        page.click("button[data-index-csv]")
    rows = list(csv.reader(io.StringIO(Path(info.value.path()).read_text(encoding="utf-8"))))
    assert info.value.suggested_filename == "papers.csv"
    assert rows[0] == ["paper", "short_name", "title", "year", "size", "techniques"]
    assert [row[0] for row in rows[1:]] == shown
    assert all("Knowledge distillation" in row[5].split("; ") for row in rows[1:])
    page.goto(served)
    # A paper's checkbox chooses its proposed models.
    page.check("input[aria-label='Compare TinyLlama, TinyLlama-2.5T-checkpoint']")
    link = page.locator(".compare-bar a")
    assert link.inner_text() == "Compare selected (2)"
    assert link.get_attribute("href") == "compare/?m=tinyllama~TinyLlama&m=tinyllama~TinyLlama-2.5T-checkpoint"
    page.close()


def test_without_javascript_the_page_explains_and_links_to_benchmarks(browser: Any, served: str) -> None:
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    page.goto(served + "compare/?" + PAIR)
    assert "needs JavaScript" in page.locator("main").inner_text()
    assert page.locator("[data-compare-page]").is_hidden()
    hrefs = page.eval_on_selector_all("main a", "as => as.map(a => a.getAttribute('href'))")
    assert "../benchmarks/" in hrefs and "../benchmarks/hellaswag/" in hrefs
    page.goto(served + "benchmarks/hellaswag/")
    assert page.locator("input[type=checkbox]").count() == 0
    context.close()


def test_csv_cells_that_a_spreadsheet_would_run_are_defused(browser: Any, served: str) -> None:
    page = browser.new_page()
    page.goto(served + "compare/")
    text = page.evaluate("""() => window.surveysiteCompare.csv([["=HYPERLINK(1)", "+x", "-1.5", "@a", "a,b", 42]])""")
    assert text == "'=HYPERLINK(1),'+x,-1.5,'@a,\"a,b\",42\n"
