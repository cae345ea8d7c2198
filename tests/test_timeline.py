"""The timeline page (surveysite/timeline.py): papers by month, model size over time, the lineage graph."""

from __future__ import annotations

import gzip
import random
import re
import xml.etree.ElementTree as ET
from itertools import combinations
from pathlib import Path
from posixpath import normpath
from urllib.parse import urljoin

import pytest

from surveysite.chart import linear_position, log_position
from surveysite.i18n import STRINGS
from surveysite.links import site_targets
from surveysite.model import Site
from surveysite.pipeline import prepare
from surveysite.timeline import (
    Linked,
    Node,
    SizePoint,
    TimelineView,
    build_timeline,
    edge_path,
    lineage_layout,
    render_lineage,
    render_size_chart,
)
from surveysite.views import Ref, build_views
from tests.conftest import BASIC, ROOT, project

SVG = "{http://www.w3.org/2000/svg}"
PAGES = ["timeline/index.html", "zh/timeline/index.html"]


def _svg(html: str, kind: str) -> ET.Element | None:
    match = re.search(rf'<svg\b[^>]*\bclass="chart {kind}".*?</svg>', html, flags=re.S)
    return ET.fromstring(match.group(0)) if match else None


def _exists(site: Path, page: str, href: str) -> bool:
    target = normpath(f"{Path(page).parent}/{href}")
    return (site / target / "index.html").is_file()


def _site(content: Path, tmp_path: Path) -> Site:
    site, _files = prepare(project(content, tmp_path / "_site"))
    return site


def _overlap(a: Node, b: Node) -> bool:
    (al, at, ar, ab), (bl, bt, br, bb) = a.box, b.box
    return al < br and bl < ar and at < bb and bt < ab


# --- the built pages --------------------------------------------------------------------------------------------


@pytest.mark.parametrize("page", PAGES)
def test_points_link_to_papers_and_sit_at_their_date_and_size(survey_site: Path, page: str, tmp_path: Path) -> None:
    html = (survey_site / page).read_text(encoding="utf-8")
    svg = _svg(html, "timeline-chart")
    assert svg is not None
    assert svg.get("role") == "group"
    assert svg.find(f"{SVG}title") is not None and svg.find(f"{SVG}desc") is not None
    x_low, x_high = float(svg.get("data-x-min", "")), float(svg.get("data-x-max", ""))
    y_low, y_high = float(svg.get("data-y-min", "")), float(svg.get("data-y-max", ""))
    left, top, right, bottom = (float(v) for v in svg.get("data-plot", "").split())
    drawn = []
    for link in svg.iter(f"{SVG}a"):
        assert _exists(survey_site, page, link.get("href", "")), link.get("href")
        title = link.find(f"{SVG}title")
        assert title is not None and title.text  # the link's accessible name
        (circle,) = link.iter(f"{SVG}circle")
        date, params = circle.get("data-date", ""), int(circle.get("data-params", ""))
        year, month = int(date[:4]), int(date[5:7])
        x = linear_position(year * 12 + month - 1 + 0.5, x_low, x_high, left, right)  # months, mid-month
        y = log_position(params, y_low, y_high, bottom, top)
        assert abs(float(circle.get("cx", "")) - x) < 0.1
        assert abs(float(circle.get("cy", "")) - y) < 0.1
        assert circle.get("data-model", "") in title.text
        assert link.get("href", "").endswith(f"papers/{circle.get('data-paper')}/")
        drawn.append((circle.get("data-paper"), circle.get("data-model"), date, params))
    # One point per proposed model of known size of every dated paper, and nothing else.
    site = _site(ROOT / "content", tmp_path)
    expected = sorted(
        (p.slug, m.name, p.date, m.params) for p in site.papers if p.date for m in p.proposed if m.params is not None
    )
    assert sorted(drawn) == expected
    # The same data, as a table.
    assert html.count('<tr><th scope="row">') >= len(expected)


@pytest.mark.parametrize("page", PAGES)
def test_lineage_nodes_link_to_papers_and_arrows_run_left_to_right(survey_site: Path, page: str) -> None:
    html = (survey_site / page).read_text(encoding="utf-8")
    svg = _svg(html, "lineage")
    assert svg is not None
    nodes: dict[str, tuple[float, float, float, float]] = {}
    for link in svg.iter(f"{SVG}a"):
        assert _exists(survey_site, page, link.get("href", "")), link.get("href")
        slug = link.get("data-paper", "")
        assert link.get("href", "").endswith(f"papers/{slug}/")
        assert "".join(link.itertext()).strip()  # the short name is the link's text
        rect = link.find(f"{SVG}rect")
        assert rect is not None
        x, y = float(rect.get("x", "")), float(rect.get("y", ""))
        nodes[slug] = (x, y, x + float(rect.get("width", "")), y + float(rect.get("height", "")))
    assert set(nodes) == {"flan", "u-palm", "flan-t5", "phi-1-5", "tinygsm", "roberta", "supericl"}
    for a, b in combinations(nodes.values(), 2):
        assert not (a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]), (a, b)
    edges = {(e.get("data-source"), e.get("data-target")) for e in svg.iter(f"{SVG}path") if e.get("data-source")}
    assert edges == {
        ("flan", "flan-t5"),
        ("u-palm", "flan-t5"),
        ("phi-1-5", "tinygsm"),
        ("roberta", "supericl"),
    }
    for source, target in edges:
        assert nodes[source][2] < nodes[target][0]  # from the paper built on to the later one


def test_lineage_is_also_a_list(survey_site: Path) -> None:
    html = (survey_site / "timeline" / "index.html").read_text(encoding="utf-8")
    item = re.search(r'<li><a href="../papers/flan-t5/">Flan-T5</a> builds on (.*?)</li>', html)
    assert item is not None
    assert re.findall(r">([^<]+)</a>", item.group(1)) == ["FLAN", "U-PaLM"]
    assert "An arrow runs from a paper to a later paper that builds on it." in html
    zh = (survey_site / "zh" / "timeline" / "index.html").read_text(encoding="utf-8")
    assert "箭头从一篇论文指向以它为基础的后续论文。" in zh
    assert '<a href="../papers/flan/">FLAN</a>、<a href="../papers/u-palm/">U-PaLM</a>' in zh


def test_papers_are_listed_newest_first_by_year_and_month(survey_site: Path) -> None:
    html = (survey_site / "timeline" / "index.html").read_text(encoding="utf-8")
    years = [int(y) for y in re.findall(r'<h3 id="year-(\d{4})">', html)]
    assert years == sorted(years, reverse=True) and len(years) == len(set(years))
    months = re.findall(r'<time class="timeline-month" datetime="(\d{4}-\d{2})">', html)
    assert months == sorted(months, reverse=True)
    assert re.search(r'datetime="2024-01">January</time> <a href="../papers/tinyllama/">TinyLlama</a>', html)
    zh = (survey_site / "zh" / "timeline" / "index.html").read_text(encoding="utf-8")
    assert re.search(r'datetime="2024-01">1月</time>', zh)


def test_undated_papers_are_listed_under_their_year_and_left_out_of_the_chart(survey_site: Path) -> None:
    for page, unknown in (("timeline/index.html", "month not known"), ("zh/timeline/index.html", "月份不详")):
        html = (survey_site / page).read_text(encoding="utf-8")
        for slug, year in (("litellama", 2024), ("length-adaptive-distillation", 2023)):
            section = html.split(f'<h3 id="year-{year}">', 1)[1].split("<h3 ", 1)[0]
            entry = re.search(
                rf'<span class="timeline-month unknown">{unknown}</span> <a href="[./]*papers/{slug}/"', section
            )
            assert entry is not None, (page, slug)
        svg = _svg(html, "timeline-chart")
        assert svg is not None
        plotted = {c.get("data-paper") for c in svg.iter(f"{SVG}circle")}
        assert not plotted & {"litellama", "length-adaptive-distillation"}
    html = (survey_site / "timeline" / "index.html").read_text(encoding="utf-8")
    # LiteLlama proposes a model of known size, so the page says why it is not drawn; LAD states no size.
    note = re.search(r"<p>Not in the chart, because the month of the first version is not known: (.*?)</p>", html)
    assert note is not None and ">LiteLlama</a>" in note.group(1) and "LAD" not in note.group(1)


def test_a_survey_without_builds_on_shows_no_graph(basic_site: Path) -> None:
    for page in PAGES:
        html = (basic_site / page).read_text(encoding="utf-8")
        assert _svg(html, "lineage") is None
        assert 'id="lineage"' not in html and 'href="#lineage"' not in html
        assert _svg(html, "timeline-chart") is not None  # alpha is dated (from its arXiv id) and sized
    html = (basic_site / "timeline" / "index.html").read_text(encoding="utf-8")
    assert '<span class="timeline-month unknown">month not known</span> <a href="../papers/beta/">Beta</a>' in html


def test_the_page_is_linked_listed_and_light(survey_site: Path) -> None:
    index = (survey_site / "index.html").read_text(encoding="utf-8")
    assert '<a href="timeline/">Timeline</a>' in index
    html = (survey_site / "timeline" / "index.html").read_text(encoding="utf-8")
    assert '<a href="./" aria-current="page">Timeline</a>' in html
    assert '<a href="../zh/timeline/" hreflang="zh-Hans"' in html
    zh = (survey_site / "zh" / "timeline" / "index.html").read_text(encoding="utf-8")
    assert 'aria-current="page">时间线</a>' in zh
    sitemap = (survey_site / "sitemap.xml").read_text(encoding="utf-8")
    assert "<loc>https://" in sitemap and "/timeline/</loc>" in sitemap and "/zh/timeline/</loc>" in sitemap
    for page in PAGES:
        body = (survey_site / page).read_bytes()
        assets = re.findall(r'<(?:link rel="stylesheet" href|script src)="([^"]+)"', body.decode())
        files = [body] + [(survey_site / urljoin("/" + page, a).lstrip("/")).read_bytes() for a in assets]
        assert sum(len(gzip.compress(f, mtime=0)) for f in files) <= 30 * 1024, page


# --- the layout -------------------------------------------------------------------------------------------------


def _shipped(tmp_path: Path, lang: str = "en") -> TimelineView:
    site = _site(ROOT / "content", tmp_path)
    return build_timeline(build_views(site, lang), site.strings[lang])


def test_the_view_is_deterministic(tmp_path: Path) -> None:
    first, second = _shipped(tmp_path / "a"), _shipped(tmp_path / "b")
    assert first == second
    assert render_lineage(first, lambda p: p) == render_lineage(second, lambda p: p)


def _random_papers(rng: random.Random, count: int) -> list[Linked]:
    papers = []
    for index in range(count):
        year = rng.randint(2019, 2024)
        key = f"{year}" if rng.random() < 0.15 else f"{year}-{rng.randint(1, 12):02d}"
        slug = f"p{index:02d}"
        others = [p.slug for p in papers]
        on = tuple(rng.sample(others, k=min(len(others), rng.choice((0, 0, 1, 1, 2, 3)))))
        papers.append(Linked(slug, rng.choice(("A", "Flan-T5", "LLaVA-Phi", "TinyGSM-XXL", "中文名称")), key, on))
    return papers


@pytest.mark.parametrize("seed", range(40))
def test_random_lineages_never_overlap_and_are_ordered_by_date(seed: int) -> None:
    rng = random.Random(seed)
    papers = _random_papers(rng, rng.randint(2, 30))
    graph = lineage_layout(papers)
    linked = {s for p in papers if p.builds_on for s in (p.slug, *p.builds_on)}
    if not linked:
        assert graph is None
        return
    assert graph is not None
    assert {n.slug for n in graph.nodes} == linked
    for a, b in combinations(graph.nodes, 2):
        assert not _overlap(a, b), (a, b)
    for node in graph.nodes:
        assert node.x >= 0 and node.x + node.width <= graph.width
        assert node.y >= 0 and node.y + node.height <= graph.height
    # Columns run in date order, and an arrow to a paper of the same or a later date runs rightwards.
    by_slug = {n.slug: n for n in graph.nodes}
    for a, b in combinations(graph.nodes, 2):
        if a.key < b.key:
            assert a.column < b.column
    for edge in graph.edges:
        source, target = by_slug[edge.source], by_slug[edge.target]
        if source.key <= target.key:
            assert source.column < target.column
    # The input's order does not matter.
    shuffled = papers[:]
    rng.shuffle(shuffled)
    assert lineage_layout(shuffled) == graph


def test_a_cycle_in_builds_on_still_lays_out() -> None:
    graph = lineage_layout([Linked("a", "A", "2023-01", ("b",)), Linked("b", "B", "2023-01", ("a",))])
    assert graph is not None and len(graph.nodes) == 2 and len(graph.edges) == 2
    assert not _overlap(*graph.nodes)


def test_no_builds_on_means_no_layout() -> None:
    assert lineage_layout([Linked("a", "A", "2023-01", ()), Linked("b", "B", "2024", ())]) is None
    assert lineage_layout([]) is None


def test_undated_fixture_paper(tmp_path: Path) -> None:
    site = _site(BASIC, tmp_path)
    for lang, unknown in (("en", "month not known"), ("zh", "月份不详")):
        view = build_timeline(build_views(site, lang), site.strings[lang])
        assert [g.year for g in view.years] == [2024, 2023]
        (beta,) = view.years[0].entries
        assert (beta.date, beta.month_text, beta.sizes_text) == ("", unknown, "60M")
        assert [p.slug for p in view.points] == ["alpha"]
        assert [r.text for r in view.undated] == ["Beta"]
        assert view.lineage is None and view.lineage_items == ()


def test_every_string_is_escaped() -> None:
    evil = "'><img src=x onerror=alert(1)>&amp;"
    graph = lineage_layout([Linked("a", evil, "2023-01", ()), Linked("b", "B", "2023-02", ("a",))])
    text = dict.fromkeys(STRINGS["en"], evil)
    point = SizePoint(Ref(evil, "papers/a/"), "a", evil, "2023-01", evil, 10**9, "1B")
    view = TimelineView((), (point,), (), graph, (), {**text, "params": evil})
    link = lambda path: path + '"><script>'  # noqa: E731 - a hostile href too
    for svg in (render_lineage(view, link), render_size_chart(view, link)):
        assert "<img" not in svg and "<script" not in svg
        root = ET.fromstring(svg)
        assert any(evil in "".join(e.itertext()) for e in root.iter())
        assert all(a.get("href", "").endswith('"><script>') for a in root.iter(f"{SVG}a"))


def _path_points(d: str) -> list[tuple[float, float]]:
    """Points along a path of M, C and H commands (what edge_path writes), sampled finely."""
    points: list[tuple[float, float]] = []
    for command, args in re.findall(r"([MCH])([^MCH]*)", d):
        numbers = [float(v) for v in args.split()]
        if command == "M":
            points.append((numbers[0], numbers[1]))
        elif command == "H":
            (x0, y0), x1 = points[-1], numbers[0]
            points += [(x0 + (x1 - x0) * i / 20, y0) for i in range(1, 21)]
        else:
            (x0, y0), (ax, ay, bx, by, x1, y1) = points[-1], numbers
            for i in range(1, 41):
                t = i / 40
                u = 1 - t
                x = u**3 * x0 + 3 * u * u * t * ax + 3 * u * t * t * bx + t**3 * x1
                y = u**3 * y0 + 3 * u * u * t * ay + 3 * u * t * t * by + t**3 * y1
                points.append((x, y))
    return points


def test_shipped_arrows_pass_no_other_box(tmp_path: Path) -> None:
    graph = _shipped(tmp_path).lineage
    assert graph is not None
    by_slug = {n.slug: n for n in graph.nodes}
    for edge in graph.edges:
        ends = {edge.source, edge.target}
        for x, y in _path_points(edge_path(by_slug[edge.source], by_slug[edge.target], edge.turn)):
            for node in graph.nodes:
                left, top, right, bottom = node.box
                assert node.slug in ends or not (left < x < right and top < y < bottom), (edge, node.slug)


def test_bodies_may_link_to_the_sections_the_page_has(tmp_path: Path) -> None:
    shipped = site_targets(_site(ROOT / "content", tmp_path / "a").papers, (), (), ())["timeline"]
    assert {"by-month", "size-over-time", "lineage", "year-2019", "year-2024"} <= shipped
    fixture = site_targets(_site(BASIC, tmp_path / "b").papers, (), (), ())["timeline"]
    assert fixture == {"by-month", "size-over-time", "year-2023", "year-2024"}
