"""The built chart pages: every SVG parses, every point links to an existing page at its data's position."""

from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ET
from pathlib import Path
from posixpath import normpath

import pytest

from surveysite.chart import linear_position, log_position
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


def test_result_downloads_match_the_content(survey_site: Path) -> None:
    data = json.loads((survey_site / "data" / "results.json").read_text(encoding="utf-8"))
    csv_lines = (survey_site / "data" / "results.csv").read_text(encoding="utf-8").splitlines()
    assert len(csv_lines) == len(data["results"]) + 1
    assert csv_lines[0] == ",".join(data["fields"])
    assert all(row["source"] for row in data["results"])
    assert {row["paper"] for row in data["results"]} <= {p.stem for p in (ROOT / "content" / "papers").glob("*.md")}
