"""What the built basic site contains: languages, fallbacks, links, GitHub Pages files."""

from __future__ import annotations

import json
import re
from pathlib import Path


def read(site: Path, path: str) -> str:
    return (site / path).read_text(encoding="utf-8")


def test_pages_exist(basic_site: Path) -> None:
    for path in [
        "index.html",
        "papers/alpha/index.html",
        "papers/beta/index.html",
        "techniques/index.html",
        "techniques/distillation/index.html",
        "chart/index.html",
        "timeline/index.html",
        "about/index.html",
        "404.html",
        ".nojekyll",
        "sitemap.xml",
        "robots.txt",
        "assets/site.css",
        "assets/pygments.css",
    ]:
        assert (basic_site / path).is_file(), path
        assert (
            (basic_site / "zh" / path).is_file()
            or path in {"404.html", ".nojekyll", "sitemap.xml", "robots.txt"}
            or path.startswith("assets/")
        )


def test_language_attributes_and_alternates(basic_site: Path) -> None:
    en = read(basic_site, "papers/alpha/index.html")
    zh = read(basic_site, "zh/papers/alpha/index.html")
    assert '<html lang="en" ' in en
    assert '<html lang="zh-Hans" ' in zh
    for page in (en, zh):
        assert '<link rel="alternate" hreflang="en" href="https://example.github.io/repo/papers/alpha/">' in page
        assert (
            '<link rel="alternate" hreflang="zh-Hans" href="https://example.github.io/repo/zh/papers/alpha/">' in page
        )
    assert '<link rel="canonical" href="https://example.github.io/repo/zh/papers/alpha/">' in zh
    assert 'href="../../zh/papers/alpha/" hreflang="zh-Hans"' in en
    assert 'href="../../../papers/alpha/" hreflang="en"' in zh


def test_translation_and_fallback(basic_site: Path) -> None:
    zh_alpha = read(basic_site, "zh/papers/alpha/index.html")
    assert "Alpha：一个小模型" in zh_alpha
    assert "Alpha 把大模型蒸馏成小模型。" in zh_alpha
    zh_beta = read(basic_site, "zh/papers/beta/index.html")
    assert "本文的中文版本尚未完成，下面显示原文（English）。" in zh_beta
    assert '<div class="prose" lang="en">' in zh_beta
    assert "falls back to this text" in zh_beta


def test_paper_page_facts(basic_site: Path) -> None:
    page = read(basic_site, "papers/alpha/index.html")
    assert "Ada Lovelace, Alan Turing" in page
    assert 'href="https://arxiv.org/abs/2301.00001"' in page
    assert 'href="https://arxiv.org/pdf/2301.00001"' in page
    assert 'href="https://github.com/example/alpha"' in page
    assert '<data value="1100000000">1.1B</data>' in page
    assert '<td class="num">Table 2</td>' in page
    assert 'href="../../techniques/distillation/"' in page
    assert "&lt;b&gt;raw html is shown as text&lt;/b&gt;" in page


def test_every_internal_link_is_relative(basic_site: Path) -> None:
    for page in basic_site.rglob("*.html"):
        if page.name == "404.html":
            continue
        for url in re.findall(r'(?:href|src)="([^"]+)"', page.read_text(encoding="utf-8")):
            assert not url.startswith("/"), f"{page}: root-relative link {url}"
        # Absolute URLs of the site itself appear only in <link> metadata, never in links to follow.
        for anchor in re.findall(r'<a [^>]*href="([^"]+)"', page.read_text(encoding="utf-8")):
            assert "example.github.io" not in anchor, f"{page}: absolute internal link {anchor}"


def test_404_links_start_at_the_site_path(basic_site: Path) -> None:
    page = read(basic_site, "404.html")
    assert 'href="/repo/assets/site.css"' in page
    assert 'href="/repo/"' in page
    assert 'href="/repo/zh/"' in page


def test_sitemap_lists_both_languages(basic_site: Path) -> None:
    sitemap = read(basic_site, "sitemap.xml")
    assert "<loc>https://example.github.io/repo/papers/alpha/</loc>" in sitemap
    assert "<loc>https://example.github.io/repo/zh/papers/alpha/</loc>" in sitemap
    assert "404" not in sitemap


def test_lineage_history_doi_and_citation_are_shown(survey_site: Path) -> None:
    flan_t5 = (survey_site / "papers" / "flan-t5" / "index.html").read_text(encoding="utf-8")
    assert '<dt>Builds on</dt><dd><ul class="inline-list"><li><a href="../flan/">FLAN</a></li>' in flan_t5
    assert '<a href="https://doi.org/10.48550/arXiv.2210.11416" rel="noopener">' in flan_t5
    assert '<h2 id="history">History of this page</h2>' in flan_t5
    assert "JMLR volume 25, number 70" in flan_t5
    flan = (survey_site / "papers" / "flan" / "index.html").read_text(encoding="utf-8")
    assert '<dt>Built on by</dt><dd><ul class="inline-list"><li><a href="../flan-t5/">Flan-T5</a></li>' in flan
    bib = (survey_site / "papers" / "flan-t5" / "cite.bib").read_text(encoding="utf-8")
    for line in ("year          = {2024}", "volume        = {25}", "number        = {70}", "pages         = {1--53}"):
        assert line in bib
    # The "What changed" page lists every change, newest first, in both languages.
    for prefix, heading in (("", "What changed"), ("zh/", "修订记录")):
        changes = (survey_site / prefix / "changes" / "index.html").read_text(encoding="utf-8")
        assert f"<h1>{heading}</h1>" in changes
        dates = re.findall(r'<li><time datetime="([\d-]+)">', changes)
        assert len(dates) == 32 and dates == sorted(dates, reverse=True)
    about = (survey_site / "about" / "index.html").read_text(encoding="utf-8")
    assert '<h2 id="cite-survey">Cite this survey</h2>' in about and "@misc{survey:2026," in about
    index = (survey_site / "index.html").read_text(encoding="utf-8")
    assert '<a href="https://creativecommons.org/licenses/by/4.0/" rel="license">CC BY 4.0</a>' in index
    papers = json.loads((survey_site / "data" / "papers.json").read_text(encoding="utf-8"))
    assert papers["license"] == {"name": "CC BY 4.0", "url": "https://creativecommons.org/licenses/by/4.0/"}


def test_results_read_as_the_papers_tables(survey_site: Path) -> None:
    """A table per group of settings run on the same models, models by benchmarks, proposed models first,
    each column's source (and a note every score of it has) once."""
    page = (survey_site / "papers" / "tinyllama" / "index.html").read_text(encoding="utf-8")
    tables = re.findall(r'<caption id="(results-\d+)">Setting: ([^<]+)</caption>(.*?)</table>', page, re.DOTALL)
    settings = [setting for _id, setting, _body in tables]
    assert settings[0] == "0-shot" and len(settings) == len(set(settings))
    _id, _setting, body = tables[0]
    headers = re.findall(r'<th scope="col" class="num"><a href="[^"]+">([^<]+)</a>(.*?)</th>', body)
    assert [name for name, _ in headers[:3]] == ["HellaSwag", "OpenBookQA", "WinoGrande"]
    # lm-eval-harness applies to every 0-shot score: marked on each column's header, not on each cell.
    assert all('href="#results-1-note-1"' in marks for _, marks in headers)
    assert 'href="#results-1-note-1"' not in body.partition("<tbody>")[2]
    # Every column's main source is Table 2: given once; a score from elsewhere has its source as a note.
    assert '<td colspan="7">Table 2</td>' in body
    assert "Table 2 (the repo&#39;s EVAL.md gives 30.12)</li>" in page
    # The 5-shot, 3-shot and pass@1 results are of the same two models: one table, a setting per column.
    merged = next(b for _i, setting, b in tables if setting == "5-shot · 3-shot · pass@1")
    assert re.search(r'<tr class="sources"><th scope="row">Setting</th> <td></td> <td class="num">5-shot</td>', merged)
    assert len(re.findall(r'<tr class="role-', merged)) == 2
    rows = re.findall(r'<tr class="role-(\w+)"><th scope="row">([^<]+)</th>', body)
    assert rows[0] == ("proposed", "TinyLlama") and all(role == "baseline" for role, _ in rows[1:])
    # Each score sits in its model's row and its benchmark's column, as the paper gives it.
    tinyllama = re.search(r'<th scope="row">TinyLlama</th>(.*?)</tr>', body, re.DOTALL)
    assert tinyllama is not None
    cells = re.findall(r'<td class="num">([^<]*)', tinyllama.group(1))
    assert cells[0] == "1.1B" and cells[1] == "59.2" and cells[2] == "36"
    assert '<li id="results-1-note-1">lm-eval-harness</li>' in page
    # Cells are separated by spaces, so that search reads "HellaSwag" as a word of its own.
    assert "</a></sup></th> <th" in body
    # No id is used twice (the summary's "Results" heading and the section once shared one).
    ids = re.findall(r' id="([^"]+)"', page)
    assert len(ids) == len(set(ids))


def test_a_page_per_benchmark(survey_site: Path) -> None:
    """benchmarks/ lists them; benchmarks/<id>/ ranks each setting, with its chart and downloads."""
    index = (survey_site / "benchmarks" / "index.html").read_text(encoding="utf-8")
    ids = re.findall(r'<th scope="row"><a href="([a-z0-9-]+)/">', index)
    assert "mmlu" in ids and "gsm8k" in ids and len(ids) == len(set(ids)) >= 30
    overview = (survey_site / "chart" / "index.html").read_text(encoding="utf-8")
    for ident in ids:
        page = (survey_site / "benchmarks" / ident / "index.html").read_text(encoding="utf-8")
        assert f'<figure class="chart-figure compact" id="{ident}">' in overview
        assert f'href="../benchmarks/{ident}/"' in overview
        boards = re.findall(r"<h2 id=\"setting-\d+\">Leaderboard: ([^<]+)</h2>(.*?)</table>", page, re.DOTALL)
        assert boards, ident
        for _setting, body in boards:
            rows = re.findall(r'<tr class="role-\w+"[^>]*><td class="num" data-sort="(\d+)">.*?</tr>', body)
            ranks = [int(r) for r in rows]
            assert ranks == sorted(ranks) and ranks[0] == 1
        tex = (survey_site / "benchmarks" / ident / "table.tex").read_text(encoding="utf-8")
        assert tex.count("\\toprule") == len(boards) and "\\bottomrule" in tex
        csv_rows = (survey_site / "benchmarks" / ident / "results.csv").read_text(encoding="utf-8").splitlines()
        assert csv_rows[0] == "setting,rank,model,params,score,paper,source,note"
        assert len(csv_rows) - 1 == sum(body.count('<tr class="role-') for _s, body in boards)
    gsm8k = (survey_site / "benchmarks" / "gsm8k" / "index.html").read_text(encoding="utf-8")
    assert '<a href="../../papers/tinygsm/">TinyGSM</a>' in gsm8k
