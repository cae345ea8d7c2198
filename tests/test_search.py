"""Search: Pagefind's index of the shipped survey, queried in Chromium, in English and Chinese."""

from __future__ import annotations

import re
import shutil
from html.parser import HTMLParser
from pathlib import Path
from typing import Any
from urllib.parse import unquote_plus

import pytest
import yaml

from surveysite import search
from surveysite.pipeline import build
from tests.browser import chromium
from tests.conftest import ROOT, project
from tests.ghpages import serve_pages

QUERIES = Path(__file__).resolve().parent / "search" / "queries.yaml"
SKIPPED = {"nav", "script", "style", "form", "svg", "noscript", "template"}
VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}
SEARCH = """async (query) => {
  const root = new URL(document.documentElement.dataset.root, location.href);
  const bundle = new URL(document.documentElement.dataset.searchBundle, location.href);
  const pagefind = await import(bundle.href);
  await pagefind.options({ baseUrl: root.pathname });
  const search = await pagefind.search(query);
  return Promise.all(search.results.map((r) => r.data().then((d) => d.url)));
}"""


class _IndexedText(HTMLParser):
    """The text Pagefind indexes: inside data-pagefind-body, minus ignored and non-content elements."""

    def __init__(self) -> None:
        super().__init__()
        self.depth = 0
        self.body_depth: int | None = None
        self.skip_depth: int | None = None
        self.parts: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in VOID:
            return
        self.depth += 1
        names = {name for name, _ in attrs}
        if "data-pagefind-body" in names and self.body_depth is None:
            self.body_depth = self.depth
        if self.skip_depth is None and (tag in SKIPPED or "data-pagefind-ignore" in names):
            self.skip_depth = self.depth

    def handle_endtag(self, tag: str) -> None:
        if tag in VOID:
            return
        if self.skip_depth == self.depth:
            self.skip_depth = None
        if self.body_depth == self.depth:
            self.body_depth = None
        self.depth -= 1

    def handle_data(self, data: str) -> None:
        if self.body_depth is not None and self.skip_depth is None:
            self.parts.append(data)


def indexed_pages(site: Path) -> dict[str, str]:
    """{site-relative URL: lower-cased indexed text} for every page in the search index."""
    pages = {}
    for file in sorted(site.rglob("index.html")):
        parser = _IndexedText()
        parser.feed(file.read_text(encoding="utf-8"))
        if parser.parts:
            url = file.parent.relative_to(site).as_posix()
            pages["" if url == "." else url + "/"] = " ".join(" ".join(parser.parts).split()).lower()
    return pages


def test_every_query_finds_its_pages_and_every_page_containing_it(survey_site: Path) -> None:
    _check_queries(survey_site)


def test_a_language_split_into_shards_finds_the_same(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A large language is indexed in shards (one Pagefind run each) that the search merges: with
    20 pages a shard the shipped survey has four or five a language, and every query still finds its pages."""
    monkeypatch.setattr(search, "SHARD_PAGES", 20)
    out = tmp_path / "_site"
    build(project(ROOT / "content", out))
    assert len([p for p in (out / "pagefind" / "zh").iterdir() if p.is_dir()]) >= 3
    _check_queries(out)
    # An edit of one page re-indexes its shard only: the others are the previous build's files.
    before = {p: p.stat().st_ino for p in (out / "pagefind").rglob("pagefind-entry.json")}
    edited = tmp_path / "content"
    shutil.copytree(ROOT / "content", edited)
    paper = edited / "papers" / "slade.zh.md"
    paper.write_text(paper.read_text(encoding="utf-8") + "\n新增一句。\n", encoding="utf-8")
    build(project(edited, out))
    after = {p: p.stat().st_ino for p in (out / "pagefind").rglob("pagefind-entry.json")}
    changed = sorted(str(p.parent.relative_to(out)) for p in after if before.get(p) != after[p])
    assert len(changed) == 1 and changed[0].startswith("pagefind/zh/"), changed


def _check_queries(survey_site: Path) -> None:
    queries: dict[str, dict[str, list[str]]] = yaml.safe_load(QUERIES.read_text(encoding="utf-8"))
    assert len(queries["en"]) >= 15 and len(queries["zh"]) >= 15
    pages = indexed_pages(survey_site)
    assert "papers/tinyllama/" in pages and "zh/papers/tinyllama/" in pages
    failures = []
    with serve_pages(survey_site, "/surveysite/") as base, chromium() as browser:
        page = browser.new_page()
        for lang, prefix in (("en", ""), ("zh", "zh/")):
            page.goto(base + prefix + "search/")
            for query, expected in queries[lang].items():
                found = {url.removeprefix("/surveysite/") for url in page.evaluate(SEARCH, query)}
                in_lang = {u for u in pages if u.startswith("zh/") == (lang == "zh")}
                containing = {u for u in in_lang if query.lower() in pages[u]}
                assert set(expected) <= set(pages), f"{query}: the query file names a page that is not indexed"
                missing = sorted((set(expected) | containing) - found)
                if missing:
                    failures.append(f"{lang} {query!r}: not found {missing}")
    assert not failures, "\n".join(failures)


def _errors(page: Any) -> list[str]:
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(str(e)))
    # A request cut short by our own navigation (ERR_ABORTED) is not a failure of the site.
    page.on("requestfailed", lambda r: errors.append(f"failed: {r.url}") if "ABORTED" not in str(r.failure) else None)
    return errors


def test_header_search_opens_results_that_link_correctly_under_a_subpath(survey_site: Path) -> None:
    with serve_pages(survey_site, "/surveysite/") as base, chromium() as browser:
        page = browser.new_page()
        errors = _errors(page)
        for prefix, query, title in (("", "decompiler", "SLaDe"), ("zh/", "反编译", "SLaDe")):
            page.goto(base + prefix + "papers/tinyllama/")
            page.fill("#site-search-q", query)
            page.press("#site-search-q", "Enter")
            page.wait_for_selector(".search-results a")
            assert page.url.startswith(f"{base}{prefix}search/?q=")
            assert page.input_value("#search-query") == query
            status = page.inner_text(".search-status")
            assert status and status[0] in "1共"
            first = page.locator(".search-results a").first
            assert title in first.inner_text()
            assert first.locator("xpath=..").locator("mark").count() >= 1
            first.click()
            page.wait_for_load_state()
            assert page.url == f"{base}{prefix}papers/slade/"
            # Typing refines the results instantly, and the address keeps the query.
            page.goto(base + prefix + "search/")
            page.fill("#search-query", "GSM8K")
            page.wait_for_selector(".search-results a[href$='/papers/tinygsm/']")
            assert "q=GSM8K" in page.url
        assert not errors, errors


def test_search_from_the_file_system_says_it_needs_a_server(survey_site: Path) -> None:
    with chromium() as browser:
        page = browser.new_page()
        page.goto((survey_site / "papers" / "tinyllama" / "index.html").as_uri())
        page.fill("#site-search-q", "distillation")
        page.press("#site-search-q", "Enter")
        page.wait_for_load_state()
        assert page.url.startswith((survey_site / "search" / "index.html").as_uri())
        message = page.inner_text(".search-status")
        assert "served over the web" in message
        assert page.is_disabled("#search-query")


def test_formulas_are_indexed_as_their_text(basic_site: Path) -> None:
    """MathML is text to Pagefind: a formula's symbols are found, and shown in the excerpt."""
    with serve_pages(basic_site, "/surveysite/") as base, chromium() as browser:
        page = browser.new_page()
        page.goto(base + "search/")
        found = page.evaluate(SEARCH.replace("d.url", "[d.url, d.excerpt]"), "exp")
    assert [url for url, _excerpt in found] == ["/surveysite/papers/alpha/"]
    assert "exp(zi/T)" in found[0][1]


def _paper_filters(site: Path) -> dict[str, dict[str, set[str]]]:
    """{page URL: {'technique': names, 'year': years}} of every paper page, read from its HTML."""
    found = {}
    for file in sorted(site.rglob("papers/*/index.html")):
        html = file.read_text(encoding="utf-8")
        url = file.parent.relative_to(site).as_posix() + "/"
        found[url] = {
            name: set(re.findall(rf'data-pagefind-filter="{name}">([^<]+)<', html)) for name in ("technique", "year")
        }
    return found


def _results(page: Any) -> set[str]:
    links = page.locator(".search-results a").evaluate_all("links => links.map(a => a.pathname)")
    return {str(url).removeprefix("/surveysite/") for url in links}


def _choose_by_keyboard(page: Any, select: str, starts: str) -> str:
    """Move the focused select down by arrow keys until its option starts with `starts`; its value."""
    for _ in range(40):
        if page.evaluate("(s) => s.options[s.selectedIndex].text", page.query_selector(select)).startswith(starts):
            return str(page.input_value(select))
        page.keyboard.press("ArrowDown")
    raise AssertionError(f"no option of {select} starts with {starts!r}")


def test_search_filtered_by_technique_by_keyboard_shows_only_papers_with_it(survey_site: Path) -> None:
    papers = _paper_filters(survey_site)
    assert all(f["technique"] and len(f["year"]) == 1 for f in papers.values())
    with serve_pages(survey_site, "/surveysite/") as base, chromium() as browser:
        page = browser.new_page()
        errors = _errors(page)
        for prefix, query, technique in (("", "model", "Knowledge distillation"), ("zh/", "模型", "知识蒸馏")):
            page.goto(base + prefix + "search/")
            page.wait_for_selector("select[name=technique] option:nth-child(2)", state="attached")
            page.focus("#search-query")
            page.keyboard.type(query)
            page.wait_for_selector(".search-results a")
            unfiltered = {url.removeprefix("/surveysite/") for url in page.evaluate(SEARCH, query)}
            # Tab from the query reaches the technique select; the arrows choose.
            page.keyboard.press("Tab")
            assert page.evaluate("() => document.activeElement.name") == "technique"
            value = _choose_by_keyboard(page, "select[name=technique]", technique)
            assert value == technique
            in_lang = {u: f for u, f in papers.items() if u.startswith("zh/") == bool(prefix)}
            having = {u for u, f in in_lang.items() if technique in f["technique"]}
            expected = unfiltered & having
            assert 1 < len(expected) < len(unfiltered)
            page.wait_for_function(
                "(n) => document.querySelectorAll('.search-results a').length === n", arg=len(expected)
            )
            assert _results(page) == expected
            found = expected
            # The address holds the filtered search: opened again, it shows the same.
            link = page.url
            assert f"q={query}" in unquote_plus(link) and f"technique={technique}" in unquote_plus(link)
            page.goto(link)
            page.wait_for_selector(".search-results a")
            assert page.input_value("select[name=technique]") == technique
            assert _results(page) == found
        assert not errors, errors


def test_search_filtered_by_year_alone_lists_that_years_papers(survey_site: Path) -> None:
    papers = _paper_filters(survey_site)
    with serve_pages(survey_site, "/surveysite/") as base, chromium() as browser:
        page = browser.new_page()
        errors = _errors(page)
        for prefix in ("", "zh/"):
            in_lang = {u: f for u, f in papers.items() if u.startswith("zh/") == bool(prefix)}
            page.goto(base + prefix + "search/")
            page.wait_for_selector("select[name=year] option:nth-child(2)", state="attached")
            # Every year has its count of papers; newest first.
            options = page.locator("select[name=year] option").all_inner_texts()[1:]
            years = [text.split("(")[0].split("（")[0].strip() for text in options]
            assert years == sorted({y for f in in_lang.values() for y in f["year"]}, reverse=True)
            assert "2023" in years
            counts = [int(re.sub(r"\D", "", text.removeprefix(y))) for text, y in zip(options, years, strict=True)]
            assert counts == [sum(year in f["year"] for f in in_lang.values()) for year in years]
            # No words, only a year chosen by keyboard: every paper of that year, nothing else.
            page.focus("select[name=year]")
            _choose_by_keyboard(page, "select[name=year]", "2023")
            page.wait_for_selector(".search-results a")
            page.wait_for_timeout(400)
            assert _results(page) == {u for u, f in in_lang.items() if "2023" in f["year"]}
            assert "year=2023" in page.url and "q=" not in page.url
        assert not errors, errors
