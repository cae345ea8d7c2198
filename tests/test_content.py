"""The shipped survey: every paper is complete, sourced and translated (issue: the survey itself)."""

from __future__ import annotations

import re

import pytest

from surveysite.load import load_content
from surveysite.model import Site
from surveysite.validate import validate
from tests.conftest import ROOT

EXPECTED = {
    "tinyllama", "litellama", "phi-1-5", "roberta", "flame", "slade", "orca-2", "pet", "flan", "u-palm",
    "flan-t5", "llava-phi", "tinygsm", "length-adaptive-distillation", "supericl", "emulated-fine-tuning",
}  # fmt: skip


@pytest.fixture(scope="module")
def site() -> Site:
    return validate(load_content(ROOT / "content"))


def test_all_sixteen_papers(site: Site) -> None:
    assert {p.slug for p in site.papers} == EXPECTED


def test_every_paper_is_placed_and_sourced(site: Site) -> None:
    techniques = site.techniques
    benchmarks = {b.id for b in site.benchmarks}
    for paper in site.papers:
        assert 2 <= len(paper.techniques) <= 4, paper.slug
        assert all(t in techniques for t in paper.techniques)
        assert paper.authors and paper.venue and 2018 <= paper.year <= 2026, paper.slug
        assert paper.verified is not None and paper.added is not None, paper.slug
        models = {m.name for m in paper.models}
        assert any(m.role == "proposed" for m in paper.models), paper.slug
        for result in paper.results:
            assert result.source.strip(), (paper.slug, result)
            assert result.model in models and result.benchmark in benchmarks


def test_every_technique_is_used(site: Site) -> None:
    used = {t for p in site.papers for t in p.techniques}
    assert set(site.techniques) == used


def _words(html: str) -> int:
    return len(re.sub(r"<[^>]+>", " ", html).split())


def _han(html: str) -> int:
    return len(re.findall(r"[\u4e00-\u9fff]", html))


def test_summaries_in_both_languages(site: Site) -> None:
    for paper in site.papers:
        assert set(paper.summaries) == {"en", "zh"}, paper.slug
        assert 250 <= _words(paper.summaries["en"].html) <= 480, paper.slug
        assert _han(paper.summaries["zh"].html) >= 400, paper.slug
        assert paper.text("tldr", "zh") != paper.tldr, paper.slug


NO_DOI = {"litellama"}
"""A model release on Hugging Face: no DOI exists for it (its history says so)."""


def test_every_paper_has_a_doi(site: Site) -> None:
    for paper in site.papers:
        if paper.slug in NO_DOI:
            assert not paper.doi and not paper.arxiv
            continue
        assert re.fullmatch(r"10\.\d{4,9}/\S+", paper.doi), paper.slug
    venue_dois = {p.slug: p.doi for p in site.papers if not p.doi.startswith("10.48550/")}
    assert venue_dois == {
        "pet": "10.18653/v1/2021.naacl-main.185",
        "u-palm": "10.18653/v1/2023.emnlp-main.91",
        "length-adaptive-distillation": "10.18653/v1/2023.findings-emnlp.294",
        "supericl": "10.18653/v1/2024.findings-acl.18",
        "flame": "10.1609/aaai.v38i12.29197",
        "litellama": "",
    }


def test_lineage_and_history(site: Site) -> None:
    slugs = {p.slug for p in site.papers}
    years = {p.slug: p.year for p in site.papers}
    relations = {(p.slug, other) for p in site.papers for other in p.builds_on}
    assert relations == {("flan-t5", "flan"), ("flan-t5", "u-palm"), ("tinygsm", "phi-1-5"), ("supericl", "roberta")}
    for later, earlier in relations:
        assert earlier in slugs and years[earlier] <= years[later]
    for paper in site.papers:
        assert paper.history, paper.slug
        assert paper.history[-1].date == paper.added and paper.history[-1].change["en"] == "Added to the survey."
        dates = [c.date for c in paper.history]
        assert dates == sorted(dates, reverse=True), paper.slug
        for change in paper.history:
            assert set(change.change) == {"en", "zh"} and _han(change.change["zh"]) > 0, paper.slug


def test_the_survey_can_be_cited_and_its_data_is_licensed(site: Site) -> None:
    assert site.config.citation is not None and site.config.citation.year == 2026
    assert site.config.license is not None and site.config.license.name == "CC BY 4.0"
