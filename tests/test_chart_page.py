"""The built chart pages: every SVG parses, every point links to an existing page at its data's position."""

from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ET
from pathlib import Path
from posixpath import normpath

import pytest
import yaml

from surveysite.chart import linear_position, log_position, month_index
from surveysite.pipeline import build
from tests.conftest import ROOT, project

SVG = "{http://www.w3.org/2000/svg}"


@pytest.fixture(scope="module")
def survey_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("survey") / "_site"
    build(project(ROOT / "content", out))
    return out


def _svgs(html: str) -> list[ET.Element]:
    blocks = re.findall(r"<svg\b[^>]*\bclass=\"chart[ \"].*?</svg>", html, flags=re.S)
    return [ET.fromstring(block) for block in blocks]


@pytest.mark.parametrize("page", ["chart/index.html", "zh/chart/index.html", "papers/phi-1-5/index.html"])
def test_points_link_to_pages_at_their_data_position(survey_site: Path, page: str) -> None:
    html = (survey_site / page).read_text(encoding="utf-8")
    svgs = _svgs(html)
    assert svgs, "no chart on the page"
    points = 0
    page_dir = str(Path(page).parent)
    for svg in svgs:
        compact = "compact" in (svg.get("class") or "").split()
        assert svg.get("role") == ("img" if compact else "group")
        assert svg.find(f"{SVG}title") is not None and svg.find(f"{SVG}desc") is not None
        x_low, x_high = float(svg.get("data-x-min", "")), float(svg.get("data-x-max", ""))
        y_low, y_high = float(svg.get("data-y-min", "")), float(svg.get("data-y-max", ""))
        left, top, right, bottom = (float(v) for v in svg.get("data-plot", "").split())
        for link in svg.iter(f"{SVG}g" if compact else f"{SVG}a"):
            if "point-link" not in (link.get("class") or "").split():
                continue
            if not compact:
                target = normpath(f"{page_dir}/{link.get('href')}")
                assert (survey_site / target / "index.html").is_file(), f"{page}: point links to missing {target}"
            for circle in link.iter(f"{SVG}circle"):
                if "point" not in (circle.get("class") or "").split():
                    continue
                points += 1
                x = log_position(float(circle.get("data-params", "")), x_low, x_high, left, right)
                y = linear_position(float(circle.get("data-score", "")), y_low, y_high, bottom, top)
                assert abs(float(circle.get("cx", "")) - x) < 0.1
                assert abs(float(circle.get("cy", "")) - y) < 0.1
                assert circle.get("data-model", "") in "".join(link.itertext())  # the tooltip names it
    assert points > 0


def _dated_settings(site: Path) -> dict[str, dict[str, set[str]]]:
    """benchmark -> setting -> the months of its sized results, from the site's own downloads."""
    papers = json.loads((site / "data" / "papers.json").read_text(encoding="utf-8"))["papers"]
    dates = {p["id"]: p["date"] for p in papers}
    rows = json.loads((site / "data" / "results.json").read_text(encoding="utf-8"))["results"]
    found: dict[str, dict[str, set[str]]] = {}
    for row in rows:
        months = found.setdefault(row["benchmark"], {}).setdefault(row["setting"], set())
        if row["params"] and dates[row["paper"]]:
            months.add(dates[row["paper"]])
    return found


@pytest.mark.parametrize("lang", ["", "zh/"])
def test_score_over_time_charts(survey_site: Path, lang: str) -> None:
    """Per setting with sized results from two months or more, one chart; its steps link to papers, sit at
    their (month, score) and never get worse; a setting with a single date has none."""
    higher = {
        b["id"]: b["higher_is_better"]
        for b in yaml.safe_load((ROOT / "content" / "benchmarks.yaml").read_text())["benchmarks"]
    }
    drawn = 0
    for ident, settings in _dated_settings(survey_site).items():
        page = f"{lang}benchmarks/{ident}/index.html"
        html = (survey_site / page).read_text(encoding="utf-8")
        svgs = [svg for svg in _svgs(html) if "history" in (svg.get("class") or "").split()]
        assert len(svgs) == sum(len(months) >= 2 for months in settings.values()), page
        for svg in svgs:
            drawn += 1
            x_low, x_high = float(svg.get("data-x-min", "")), float(svg.get("data-x-max", ""))
            y_low, y_high = float(svg.get("data-y-min", "")), float(svg.get("data-y-max", ""))
            left, top, right, bottom = (float(v) for v in svg.get("data-plot", "").split())
            for group in svg.iter(f"{SVG}g"):
                if "points" not in (group.get("class") or "").split():
                    continue
                scores = []
                for link in group.iter(f"{SVG}a"):
                    target = normpath(f"{Path(page).parent}/{link.get('href')}")
                    assert (survey_site / target / "index.html").is_file(), f"{page}: step links to missing {target}"
                    title = link.find(f"{SVG}title")
                    assert title is not None and title.text
                    mark = link.find(f"{SVG}path")
                    assert mark is not None
                    x, y = (float(v) for v in (mark.get("d") or "").removeprefix("M").split("m")[0].split())
                    assert (
                        abs(x - linear_position(month_index(mark.get("data-date", "")), x_low, x_high, left, right))
                        < 0.1
                    )
                    score = float(mark.get("data-score", ""))
                    assert abs(y - linear_position(score, y_low, y_high, bottom, top)) < 0.1
                    scores.append(score)
                assert scores == sorted(scores, reverse=not higher[ident]), page
    assert drawn > 0


def test_result_downloads_match_the_content(survey_site: Path) -> None:
    data = json.loads((survey_site / "data" / "results.json").read_text(encoding="utf-8"))
    csv_lines = (survey_site / "data" / "results.csv").read_text(encoding="utf-8").splitlines()
    assert len(csv_lines) == len(data["results"]) + 1
    assert csv_lines[0] == ",".join(data["fields"])
    assert all(row["source"] for row in data["results"])
    assert {row["paper"] for row in data["results"]} <= {p.stem for p in (ROOT / "content" / "papers").glob("*.md")}
