"""The page plan: keys made of plain data, every input read by its template, keys that change
exactly with what a page shows (the incremental tests check the other half: equal keys, equal bytes)."""

from __future__ import annotations

import re
import shutil
from pathlib import Path
from typing import Any

import jinja2.runtime
import pytest

from surveysite.cache import Cache
from surveysite.load import load_content
from surveysite.markdown import render_summaries
from surveysite.model import Site
from surveysite.plan import Keys
from surveysite.render import Planned, plan, render_page
from surveysite.validate import validate
from tests.conftest import ROOT, TEMPLATES

PLAIN = (str, bytes, int, float, bool, type(None))


def _site(content: Path) -> Site:
    raw = load_content(content, Cache(None))
    bodies = [f.doc.body for f in (*raw.papers, *raw.pages) if f.doc.data is not None]
    return validate(raw, render_summaries(bodies, Cache(None)))


def _plain(value: Any) -> bool:
    if isinstance(value, tuple):
        return all(_plain(item) for item in value)
    return isinstance(value, PLAIN)


@pytest.fixture(scope="module")
def survey() -> Planned:
    return plan(_site(ROOT / "content"), TEMPLATES)


def test_every_input_key_is_plain_data(survey: Planned) -> None:
    """Keys are digested by their repr (digest.plain): only plain values have a canonical one."""
    keys = {lang: Keys(survey.site, lang, survey.views[lang].index) for lang in survey.views}
    for page, path, _key in survey.pages:
        for name, value in page.inputs:
            key = value.key(keys[page.lang])
            assert _plain(key), (path, name, type(key))


def test_every_input_is_read_by_its_template(survey: Planned) -> None:
    """A recording context sees each name a template looks up: an input no template reads would
    only widen the page's key, re-rendering it for changes it does not show."""
    read: list[str] = []

    class Recording(jinja2.runtime.Context):
        def resolve_or_missing(self, key: str) -> Any:
            read.append(key)
            return super().resolve_or_missing(key)

    survey.env.context_class = Recording
    try:
        for page, path, _key in survey.pages:
            read.clear()
            render_page(survey, page)
            unread = {name for name, _value in page.inputs} - set(read)
            assert not unread, f"{path}: inputs never read: {sorted(unread)}"
    finally:
        survey.env.context_class = jinja2.runtime.Context


def test_a_template_cannot_read_what_its_page_does_not_declare(tmp_path: Path) -> None:
    templates = tmp_path / "templates"
    templates.mkdir()
    (templates / "technique.html").write_text("{{ lang_views.papers | length }}", encoding="utf-8")
    planned = plan(_site(ROOT / "content"), templates)
    page = next(p for p, _path, _key in planned.pages if p.template == "technique.html")
    with pytest.raises(jinja2.UndefinedError, match="lang_views"):
        render_page(planned, page)


def _keys(content: Path) -> dict[str, bytes]:
    return {path: key for _page, path, key in plan(_site(content), TEMPLATES).pages}


def test_a_score_edit_changes_the_pages_that_show_it_and_no_other(tmp_path: Path) -> None:
    """A score below the frontier of its benchmark: its paper's pages, its benchmark's pages and
    the listing pages change; the other papers charting that benchmark do not (their small charts
    draw the frontier, which did not move)."""
    content = tmp_path / "content"
    shutil.copytree(ROOT / "content", content)
    before = _keys(content)
    paper = content / "papers" / "tinyllama.md"
    text = paper.read_text(encoding="utf-8")
    assert "score: 53.65" in text
    paper.write_text(text.replace("score: 53.65", "score: 43.65", 1), encoding="utf-8")
    after = _keys(content)
    changed = {path for path in after if before.get(path) != after[path]}
    assert "papers/tinyllama/index.html" in changed and "zh/papers/tinyllama/index.html" in changed
    papers = {p for p in changed if "/papers/" in "/" + p}
    assert papers == {"papers/tinyllama/index.html", "zh/papers/tinyllama/index.html"}, papers
    assert not [p for p in changed if re.fullmatch(r"(zh/)?techniques/[^/]+/index\.html", p)]
    benchmarks = {p for p in changed if re.fullmatch(r"(zh/)?benchmarks/[^/]+/index\.html", p)}
    assert benchmarks == {"benchmarks/hellaswag/index.html", "zh/benchmarks/hellaswag/index.html"}
    assert len(changed) < len(after) / 4
