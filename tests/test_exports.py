"""Exports and previews: BibTeX, papers.json, the Atom feeds, the JSON Schema, OG/Twitter tags, JSON-LD."""

from __future__ import annotations

import csv
import io
import json
import re
import xml.etree.ElementTree as ET
from dataclasses import replace
from html import unescape
from pathlib import Path
from urllib.parse import parse_qs

import pytest
from jsonschema import Draft202012Validator

from surveysite import schema
from surveysite.errors import BuildError
from surveysite.exports import bibtex, coins
from surveysite.load import load_content
from surveysite.model import Paper
from surveysite.pipeline import check
from surveysite.validate import validate
from tests.conftest import ROOT, make_content, project

ATOM = "{http://www.w3.org/2005/Atom}"
SLUGS = sorted(p.name.removesuffix(".md") for p in (ROOT / "content" / "papers").glob("*.md") if p.name.count(".") == 1)


def test_cite_bib_per_paper_and_survey_bib_hold_every_paper(survey_site: Path) -> None:
    survey = (survey_site / "survey.bib").read_text(encoding="utf-8")
    keys = re.findall(r"^@(\w+)\{([^,]+),$", survey, re.MULTILINE)
    assert keys[0] == ("misc", "survey:2026"), "the survey's own entry comes first"
    keys = keys[1:]
    assert sorted(key for _, key in keys) == SLUGS
    assert {kind for kind, _ in keys} <= {"misc", "article", "inproceedings"}
    for slug in SLUGS:
        entry = (survey_site / "papers" / slug / "cite.bib").read_text(encoding="utf-8")
        assert entry in survey
        assert entry.count("{") == entry.count("}")
        page = (survey_site / "papers" / slug / "index.html").read_text(encoding="utf-8")
        assert 'href="cite.bib" download' in page
        zh = (survey_site / "zh" / "papers" / slug / "index.html").read_text(encoding="utf-8")
        assert f'href="../../../papers/{slug}/cite.bib" download' in zh
    assert "eprint        = {2401.02385}" in (survey_site / "papers" / "tinyllama" / "cite.bib").read_text()


def test_bibtex_escapes_what_would_break_an_entry() -> None:
    paper = Paper(
        slug="x",
        title="50% of {braces} & C#_~^\\ }",
        short_name="X",
        authors=("A. {Evil} Author", "B. & Co"),
        year=2024,
        venue="Journal of Tests",
        arxiv="",
        tldr="",
        links={},
        license="",
        techniques=(),
        models=(),
        results=(),
        added=None,
        verified=None,
        summaries={},
    )
    entry = bibtex(paper, "https://example.org/papers/x/")
    assert entry.startswith("@article{x,\n")
    assert r"{{50\% of \{braces\} \& C\#\_\textasciitilde{}\textasciicircum{}\textbackslash{} \}}}" in entry
    assert r"A. \{Evil\} Author and B. \& Co" in entry
    body = entry.replace(r"\{", "").replace(r"\}", "").replace("{}", "")
    depth = 0
    for char in body:
        depth += {"{": 1, "}": -1}.get(char, 0)
        assert depth >= 0
    assert depth == 0


def test_papers_json_uses_the_same_ids_as_results_csv_and_urls(survey_site: Path) -> None:
    papers = json.loads((survey_site / "data" / "papers.json").read_text(encoding="utf-8"))["papers"]
    assert sorted(p["id"] for p in papers) == SLUGS
    rows = list(csv.DictReader(io.StringIO((survey_site / "data" / "results.csv").read_text(encoding="utf-8"))))
    assert {r["paper"] for r in rows} <= set(SLUGS)
    assert sum(len(p["results"]) for p in papers) == len(rows)
    for paper in papers:
        assert paper["url"] == f"https://surveysite.github.io/surveysite/papers/{paper['id']}/"
        assert (survey_site / "papers" / paper["id"] / "index.html").is_file()
        assert paper["translations"]["zh"]


@pytest.mark.parametrize("prefix", ["", "zh/"])
def test_atom_feed_lists_papers_by_date_added(survey_site: Path, prefix: str) -> None:
    feed = ET.parse(survey_site / prefix / "feed.xml").getroot()
    every = feed.findall(f"{ATOM}entry")
    entries = [e for e in every if "#history" not in e.find(f"{ATOM}link").get("href")]  # type: ignore[union-attr]
    changes = [e for e in every if e not in entries]
    assert len(entries) == len(SLUGS)
    published = [e.findtext(f"{ATOM}published") for e in entries]
    assert published == sorted(published, reverse=True)
    assert feed.findtext(f"{ATOM}updated") == max(e.findtext(f"{ATOM}updated") or "" for e in every)
    for entry in entries:
        url = entry.find(f"{ATOM}link").get("href")  # type: ignore[union-attr]
        assert url.startswith(f"https://surveysite.github.io/surveysite/{prefix}papers/")
        assert entry.findtext(f"{ATOM}id") == url
        assert entry.findall(f"{ATOM}author")
    # Each change after a paper was added is an entry of its own, linking to the page's history.
    assert len(changes) == len(SLUGS)
    ids = [e.findtext(f"{ATOM}id") for e in changes]
    assert len(set(ids)) == len(ids)
    for entry in changes:
        assert entry.findtext(f"{ATOM}published") == "2026-12-01T00:00:00Z"
        assert entry.findtext(f"{ATOM}summary")
    index = (survey_site / prefix / "index.html").read_text(encoding="utf-8")
    assert '<link rel="alternate" type="application/atom+xml" href="feed.xml"' in index


def test_published_schema_accepts_every_shipped_paper(survey_site: Path) -> None:
    published = json.loads((survey_site / "schema" / "paper.json").read_text(encoding="utf-8"))
    Draft202012Validator.check_schema(published)
    validator = Draft202012Validator(published, format_checker=Draft202012Validator.FORMAT_CHECKER)
    main_files = [f for f in load_content(ROOT / "content").papers if f.lang is None]
    assert sorted(f.slug for f in main_files) == SLUGS
    for file in main_files:
        front = json.loads(json.dumps(schema._as_json(file.doc.data)))
        assert not list(validator.iter_errors(front)), file.slug
    assert "tinyllama" not in json.dumps(published)  # ids of techniques and benchmarks, not papers
    assert "knowledge-distillation" in published["properties"]["techniques"]["items"]["enum"]


def test_the_schema_rejects_what_the_validator_rejects() -> None:
    raw = load_content(ROOT / "content")
    site = validate(raw)
    published = Draft202012Validator(schema.paper_schema(site), format_checker=Draft202012Validator.FORMAT_CHECKER)
    tinyllama = next(f for f in raw.papers if f.slug == "tinyllama" and f.lang is None).doc.data
    for broken in (
        {"year": "twenty"},
        {"techniques": ["no-such-technique"]},
        {"arxiv": "not an id"},
        {"links": {"code": "javascript:alert(1)"}},
        {"models": [{"name": "M", "role": "proposed", "params": "1.1 B"}]},
        {"models": [{"name": "M", "role": "star"}]},
        {"colour": "red"},
    ):
        assert list(published.iter_errors({**schema._as_json(tinyllama), **broken})), broken


def test_check_enforces_the_schema_with_file_and_line(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Were schema and validator to disagree, `check` fails and says where."""
    content = make_content(tmp_path)
    stricter = schema.paper_schema

    def paper_schema(site: object) -> dict[str, object]:
        result = stricter(site)  # type: ignore[arg-type]
        result["properties"]["venue"] = {"type": "string", "maxLength": 3}  # type: ignore[index]
        return result

    monkeypatch.setattr(schema, "paper_schema", paper_schema)
    with pytest.raises(BuildError) as caught:
        check(project(content, tmp_path / "_site"))
    report = caught.value.report()
    assert re.search(r"papers/alpha\.md:\d+:\d+: error: schema/paper\.json: venue: '.+' is too long", report), report


def test_link_previews_are_absolute_and_per_page(survey_site: Path) -> None:
    pages = sorted(survey_site.rglob("index.html"))
    descriptions = set()
    for page in pages:
        html = page.read_text(encoding="utf-8")
        meta = dict(re.findall(r'<meta (?:property|name)="((?:og|twitter):[a-z:_]+)" content="([^"]*)">', html))
        rel = page.parent.relative_to(survey_site).as_posix()
        expected = "https://surveysite.github.io/surveysite/" + ("" if rel == "." else rel + "/")
        assert meta["og:url"] == expected, page
        assert meta["og:image"] == "https://surveysite.github.io/surveysite/assets/share.png"
        assert meta["twitter:card"] == "summary_large_image"
        assert meta["og:title"] and meta["og:description"] == meta["twitter:description"]
        descriptions.add(meta["og:description"])
    assert len(descriptions) > len(pages) // 2
    assert (survey_site / "assets" / "share.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_paper_pages_carry_scholarly_article_json_ld(survey_site: Path) -> None:
    for slug in SLUGS:
        html = (survey_site / "papers" / slug / "index.html").read_text(encoding="utf-8")
        block = re.search(r'<script type="application/ld\+json">(.*?)</script>', html, re.DOTALL)
        assert block, slug
        page = json.loads(block.group(1))
        # The page is a WebPage about the paper, in the page's language; it never claims to be the paper.
        assert page["@type"] == "WebPage"
        assert page["inLanguage"] == "en"
        assert page["url"] == f"https://surveysite.github.io/surveysite/papers/{slug}/"
        data = page["about"]
        assert data["@type"] == "ScholarlyArticle"
        assert data["author"] and all(a["@type"] == "Person" for a in data["author"])
        assert re.fullmatch(r"\d{4}", data["datePublished"])
        if slug != "litellama":  # a model release, with no DOI
            assert data["identifier"] == {"@type": "PropertyValue", "propertyID": "DOI", "value": data["url"][16:]}
        zh = (survey_site / "zh" / "papers" / slug / "index.html").read_text(encoding="utf-8")
        zh_block = re.search(r'<script type="application/ld\+json">(.*?)</script>', zh, re.DOTALL)
        assert zh_block and json.loads(zh_block.group(1))["inLanguage"] == "zh"


def _paper(**fields: object) -> Paper:
    base = Paper(
        slug="x",
        title='Q&A: 50% = C++ / "tests"?',
        short_name="X",
        authors=("Ada Lovelace", "Zhang San 张三", "O'Brien, Pat"),
        year=2023,
        venue="Journal of Tests",
        arxiv="2301.00001",
        tldr="",
        links={},
        license="",
        techniques=(),
        models=(),
        results=(),
        added=None,
        verified=None,
        summaries={},
        doi="10.1000/a&b",
        volume="12",
        number="3",
        pages="101--118",
        venue_year=2024,
    )
    return replace(base, **fields)  # type: ignore[arg-type]


def test_coins_parse_back_to_the_papers_fields() -> None:
    paper = _paper()
    kev = coins(paper)
    assert " " not in kev and "+" not in kev, "spaces as %20: Zotero reads '+' as a space"
    fields = parse_qs(kev, strict_parsing=True)
    assert fields == {
        "ctx_ver": ["Z39.88-2004"],
        "rft_val_fmt": ["info:ofi/fmt:kev:mtx:journal"],
        "rft.genre": ["article"],
        "rft.atitle": [paper.title],
        "rft.jtitle": ["Journal of Tests"],
        "rft.date": ["2024"],
        "rft.volume": ["12"],
        "rft.issue": ["3"],
        "rft.pages": ["101-118"],
        "rft.au": list(paper.authors),
        "rft_id": ["info:doi/10.1000/a&b", "https://arxiv.org/abs/2301.00001"],
    }


def test_coins_say_what_kind_of_publication_it_is() -> None:
    def kind(paper: Paper) -> tuple[str, str, str]:
        fields = parse_qs(coins(paper))
        venue = next(key for key in ("rft.jtitle", "rft.btitle") if key in fields)
        return fields["rft_val_fmt"][0].rsplit(":", 1)[1], fields["rft.genre"][0], venue

    # Zotero reads a conference paper only from the book format with genre 'proceeding'.
    assert kind(_paper(venue="NeurIPS 2023")) == ("book", "proceeding", "rft.btitle")
    assert kind(_paper(venue="arXiv preprint", doi="", volume="", number="", pages="")) == (
        "journal",
        "preprint",
        "rft.jtitle",
    )
    assert kind(_paper(venue="arXiv preprint", arxiv="")) == ("journal", "preprint", "rft.jtitle")
    assert kind(_paper(venue="Model release (Hugging Face)")) == ("journal", "unknown", "rft.jtitle")
    bare = parse_qs(coins(_paper(venue="", doi="", arxiv="", volume="", number="", pages="", venue_year=None)))
    assert bare["rft.date"] == ["2023"] and "rft_id" not in bare and "rft.volume" not in bare


def test_paper_pages_carry_one_hidden_coins_span_and_no_citation_meta(survey_site: Path) -> None:
    for lang in ("", "zh/"):
        for slug in SLUGS:
            html = (survey_site / lang / "papers" / slug / "index.html").read_text(encoding="utf-8")
            spans = re.findall(r'<span class="Z3988" title="([^"]*)" aria-hidden="true"></span>', html)
            assert len(spans) == 1, slug
            fields = parse_qs(unescape(spans[0]), strict_parsing=True)
            assert fields["ctx_ver"] == ["Z39.88-2004"] and fields["rft.atitle"] and fields["rft.au"]
            assert 'name="citation_' not in html
    tinyllama = (survey_site / "papers" / "tinyllama" / "index.html").read_text(encoding="utf-8")
    fields = parse_qs(unescape(re.findall(r'class="Z3988" title="([^"]*)"', tinyllama)[0]))
    assert fields["rft.atitle"] == ["TinyLlama: An Open-Source Small Language Model"]
    assert fields["rft.genre"] == ["preprint"]
    assert fields["rft.au"] == ["Peiyuan Zhang", "Guangtao Zeng", "Tianduo Wang", "Wei Lu"]
    assert fields["rft_id"] == ["info:doi/10.48550/arXiv.2401.02385", "https://arxiv.org/abs/2401.02385"]
