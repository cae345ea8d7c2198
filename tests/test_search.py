"""Search: Pagefind's index of the shipped survey, queried in Chromium, in English and Chinese."""

from __future__ import annotations

import shutil
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

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
