"""Unit tests of the build-time SVG charts: scales, ticks, frontier, label placement and the markup."""

from __future__ import annotations

import math
import random
import re
import xml.etree.ElementTree as ET
from itertools import combinations, pairwise

import pytest

from surveysite.chart import (
    label_box,
    linear_position,
    linear_ticks,
    log_position,
    log_ticks,
    month_index,
    pareto_frontier,
    place_labels,
    render_chart,
    render_history,
    render_history_legend,
    render_legend,
    settings_of,
    year_ticks,
)
from surveysite.sizes import format_count
from surveysite.views import BenchmarkView, Ref, ResultView

SVG = "{http://www.w3.org/2000/svg}"


def result(
    model: str,
    params: int | None,
    score: float,
    *,
    paper: str = "alpha",
    role: str = "proposed",
    setting: str = "5-shot",
    source: str = "Table 1",
    date: str = "",
) -> ResultView:
    return ResultView(
        benchmark_id="mmlu",
        model=model,
        params=params,
        params_text=format_count(params) if params else "",
        benchmark=Ref("MMLU", "chart/#mmlu"),
        setting=setting,
        score=score,
        score_text=f"{score:.2f}".rstrip("0").rstrip("."),
        source=source,
        note="",
        role=role,
        paper=Ref(paper.title(), f"papers/{paper}/"),
        date=date,
    )


def bench(*results: ResultView, higher_is_better: bool = True) -> BenchmarkView:
    ordered = sorted(results, key=lambda r: (r.params or 0, r.score, r.model, r.setting))
    return BenchmarkView("mmlu", "MMLU", "accuracy (%)", higher_is_better, "Questions.", tuple(ordered))


def link(path: str) -> str:
    return "../../" + path


SAMPLE = bench(
    result("Tiny-1.1B", 1_100_000_000, 25.3, paper="alpha"),
    result("Small-60M", 60_000_000, 24.0, paper="alpha", role="baseline"),
    result("Mid-7B", 7_000_000_000, 46.8, paper="beta", role="baseline"),
    result("Big-540B", 540_000_000_000, 69.3, paper="gamma", role="baseline"),
    result("Mid-7B-tuned", 7_000_000_000, 52.1, paper="beta", setting="0-shot"),
    result("Worse-13B", 13_000_000_000, 40.0, paper="gamma", role="baseline"),
)


def parse(svg: str) -> ET.Element:
    return ET.fromstring(svg)


def local(tag: str) -> str:
    return tag.removeprefix(SVG)


# --- scales and ticks -------------------------------------------------------------------------------------------


def test_log_position_puts_1_1b_between_1b_and_10b_at_its_log_fraction() -> None:
    low, high, start, end = 1e7, 1e12, 0.0, 500.0
    positions = {label: log_position(value, low, high, start, end) for value, label in log_ticks(low, high)}
    x = log_position(1.1e9, low, high, start, end)
    assert positions["1B"] < x < positions["10B"]
    fraction = (x - positions["1B"]) / (positions["10B"] - positions["1B"])
    assert fraction == pytest.approx(math.log10(1.1e9) - 9)
    assert x == pytest.approx((math.log10(1.1e9) - 7) / 5 * 500)


def test_log_position_edges_and_degenerate_domain() -> None:
    assert log_position(1e7, 1e7, 1e12, 10, 20) == pytest.approx(10)
    assert log_position(1e12, 1e7, 1e12, 10, 20) == pytest.approx(20)
    assert log_position(5e8, 5e8, 5e8, 10, 20) == 15


def test_log_ticks_are_human_readable() -> None:
    ticks = log_ticks(60e6, 540e9)
    assert [label for _, label in ticks] == ["100M", "1B", "10B", "100B"]
    assert [value for value, _ in ticks] == [1e8, 1e9, 1e10, 1e11]
    assert [label for _, label in log_ticks(1e7, 1e12)] == ["10M", "100M", "1B", "10B", "100B", "1T"]
    assert [label for _, label in log_ticks(1e3, 2e6)] == ["1K", "10K", "100K", "1M"]
    assert log_ticks(2e9, 8e9) == []


def test_linear_ticks_are_round() -> None:
    assert linear_ticks(0, 100) == [(0, "0"), (25, "25"), (50, "50"), (75, "75"), (100, "100")]
    for low, high, count in [(31.7, 68.2, 5), (0.12, 0.87, 5), (-3.3, 12.9, 4), (1000, 1234, 6), (7, 7, 5)]:
        ticks = linear_ticks(low, high, count)
        assert len(ticks) >= 2
        values = [v for v, _ in ticks]
        steps = {round(b - a, 9) for a, b in pairwise(values)}
        assert len(steps) == 1
        step = steps.pop()
        mantissa = step / 10 ** math.floor(math.log10(step))
        assert any(mantissa == pytest.approx(nice) for nice in (1, 2, 2.5, 5))
        for value, label in ticks:
            assert float(label) == pytest.approx(value)
            assert value / step == pytest.approx(round(value / step))
    assert [label for _, label in linear_ticks(0.12, 0.87)] == ["0.2", "0.4", "0.6", "0.8"]


def test_linear_position_goes_up_the_screen() -> None:
    assert linear_position(0, 0, 100, 300, 10) == 300
    assert linear_position(100, 0, 100, 300, 10) == 10


# --- frontier ---------------------------------------------------------------------------------------------------


def test_frontier_excludes_dominated_points() -> None:
    small = result("small", 100_000_000, 30)
    mid = result("mid", 1_000_000_000, 50)
    dominated = result("dominated", 2_000_000_000, 45)
    big = result("big", 10_000_000_000, 60)
    assert pareto_frontier([big, dominated, mid, small], True) == [small, mid, big]


def test_frontier_ties() -> None:
    smaller = result("smaller", 1_000_000_000, 50)
    larger_same_score = result("larger", 3_000_000_000, 50)
    assert pareto_frontier([larger_same_score, smaller], True) == [smaller]
    better = result("better", 1_000_000_000, 55)
    worse = result("worse", 1_000_000_000, 52)
    assert pareto_frontier([worse, better], True) == [better]
    first = result("first", 1_000_000_000, 50)
    twin = result("twin", 1_000_000_000, 50)
    assert pareto_frontier([first, twin], True) == [first]
    assert pareto_frontier([twin, first], True) == [twin]


def test_frontier_lower_is_better() -> None:
    a = result("a", 100_000_000, 20.0)
    b = result("b", 1_000_000_000, 12.0)
    c = result("c", 2_000_000_000, 15.0)
    d = result("d", 5_000_000_000, 8.0)
    assert pareto_frontier([a, b, c, d], False) == [a, b, d]
    assert pareto_frontier([a, b, c, d], True) == [a]


def test_frontier_skips_points_without_size() -> None:
    unsized = result("secret", None, 99.0)
    known = result("known", 1_000_000_000, 40.0)
    assert pareto_frontier([unsized, known], True) == [known]


# --- labels -----------------------------------------------------------------------------------------------------


def assert_disjoint(placed: list[tuple[float, float, str] | None], width: float, height: float) -> None:
    boxes = [label_box(x, y, text) for x, y, text in (p for p in placed if p is not None)]
    for left, top, right, bottom in boxes:
        assert left >= 0 and top >= 0 and right <= width and bottom <= height
    for a, b in combinations(boxes, 2):
        assert a[2] <= b[0] or b[2] <= a[0] or a[3] <= b[1] or b[3] <= a[1], (a, b)


def test_place_labels_never_overlaps_and_drops_when_crowded() -> None:
    anchors = [(100.0, 100.0, f"model-{i}") for i in range(8)]
    placed = place_labels(anchors, 300, 200)
    assert_disjoint(placed, 300, 200)
    assert placed[0] is not None
    # The four sides fit; every diagonal overlaps the label above or below, and the rest are dropped.
    assert sum(p is not None for p in placed) == 4
    assert any(p is None for p in placed)


def test_place_labels_random_layouts_stay_disjoint() -> None:
    rng = random.Random(7)
    for _ in range(50):
        anchors = [(rng.uniform(0, 400), rng.uniform(0, 250), "x" * rng.randint(1, 20)) for _ in range(30)]
        placed = place_labels(anchors, 400, 250)
        assert len(placed) == len(anchors)
        assert_disjoint(placed, 400, 250)


def test_place_labels_keeps_labels_inside_the_area() -> None:
    placed = place_labels([(2.0, 2.0, "corner"), (1.0, 50.0, "a label far too long for the area")], 80, 60)
    assert placed[0] is not None and placed[0][0] > 2 and placed[0][1] > 2  # only below-right fits
    assert placed[1] is None
    assert_disjoint(placed, 80, 60)


# --- rendering --------------------------------------------------------------------------------------------------


def points_of(root: ET.Element) -> list[tuple[ET.Element, ET.Element]]:
    """(wrapper, shape) pairs: every element carrying data-params, with the <a> (or compact <g>) around it."""
    pairs: list[tuple[ET.Element, ET.Element]] = []
    for anchor in root.iter():
        if "point-link" in (anchor.get("class") or "").split():
            pairs.extend((anchor, child) for child in anchor if "data-params" in child.attrib)
    return pairs


def test_render_chart_is_accessible_xml() -> None:
    svg = render_chart(SAMPLE, link)
    root = parse(svg)
    assert local(root.tag) == "svg"
    assert root.get("role") == "group"  # of links, one per point
    assert parse(render_chart(SAMPLE, link, compact=True)).get("role") == "img"
    assert root.get("viewBox", "").startswith("0 0 ")
    title = root.find(f"{SVG}title")
    desc = root.find(f"{SVG}desc")
    assert title is not None and desc is not None
    assert root.get("aria-labelledby") == f"{title.get('id')} {desc.get('id')}"
    assert (title.text or "").startswith("MMLU")
    assert "Big-540B" in (desc.text or "")
    x_ticks = [t.text for t in root.iter(f"{SVG}text") if "x-tick" in t.get("class", "")]
    assert x_ticks == ["10M", "100M", "1B", "10B", "100B", "1T"]
    assert "Parameters" in svg and "accuracy (%)" in svg
    assert render_chart(SAMPLE, link) == svg  # deterministic


def test_every_point_is_linked_and_positioned_by_its_data() -> None:
    root = parse(render_chart(SAMPLE, link))
    x_min, x_max = float(root.get("data-x-min", "")), float(root.get("data-x-max", ""))
    y_min, y_max = float(root.get("data-y-min", "")), float(root.get("data-y-max", ""))
    left, top, right, bottom = (float(v) for v in root.get("data-plot", "").split())
    pairs = points_of(root)
    assert len(pairs) == len(SAMPLE.results)
    by_model = {r.model: r for r in SAMPLE.results}
    for anchor, shape in pairs:
        r = by_model[shape.get("data-model", "")]
        assert anchor.get("href") == link(r.paper.path)
        params, score = float(shape.get("data-params", "")), float(shape.get("data-score", ""))
        assert (params, score) == (r.params, r.score)
        assert float(shape.get("cx", "")) == pytest.approx(log_position(params, x_min, x_max, left, right), abs=0.06)
        assert float(shape.get("cy", "")) == pytest.approx(linear_position(score, y_min, y_max, bottom, top), abs=0.06)
        assert left <= float(shape.get("cx", "")) <= right and top <= float(shape.get("cy", "")) <= bottom
        tooltip = anchor.find(f"{SVG}title")
        assert tooltip is not None and tooltip.text is not None
        assert tooltip.text.startswith(f"{r.model} — {r.params_text} — {r.score_text}")
        assert "proposed" in shape.get("class", "") if r.role == "proposed" else shape.get("fill") == "none"
    # y grows upwards: the best score sits highest on the screen.
    cy = {shape.get("data-model"): float(shape.get("cy", "")) for _, shape in pairs}
    assert cy["Big-540B"] < cy["Mid-7B"] < cy["Small-60M"]


def test_frontier_points_are_marked_and_drawn() -> None:
    root = parse(render_chart(SAMPLE, link))
    paths = [p for p in root.iter(f"{SVG}path") if p.get("class") == "frontier"]
    assert len(paths) == 1 and (paths[0].get("d") or "").startswith("M")
    marked = {s.get("data-model") for _, s in points_of(root) if "on-frontier" in s.get("class", "")}
    assert marked == {"Small-60M", "Tiny-1.1B", "Mid-7B-tuned", "Big-540B"}


def test_points_of_a_paper_share_a_colour_and_papers_differ() -> None:
    root = parse(render_chart(SAMPLE, link))
    colours: dict[str, set[str]] = {}
    for _, shape in points_of(root):
        colours.setdefault(shape.get("data-paper", ""), set()).add(shape.get("stroke", ""))
    assert all(len(c) == 1 for c in colours.values())
    assert len({next(iter(c)) for c in colours.values()}) == len(colours) == 3


def test_setting_filters_points_and_changes_ids() -> None:
    assert settings_of(SAMPLE) == ["5-shot", "0-shot"]
    all_root = parse(render_chart(SAMPLE, link))
    five = parse(render_chart(SAMPLE, link, setting="5-shot"))
    compact = parse(render_chart(SAMPLE, link, setting="5-shot", compact=True))
    assert {s.get("data-setting") for _, s in points_of(five)} == {"5-shot"}
    assert len(points_of(five)) == 5
    ids = {root.get("aria-labelledby") for root in (all_root, five, compact)}
    assert len(ids) == 3
    assert "compact" in (compact.get("class") or "")


def test_highlight_dims_other_papers() -> None:
    root = parse(render_chart(SAMPLE, link, highlight_paper="beta", compact=True))
    for anchor, shape in points_of(root):
        classes = (anchor.get("class") or "").split()
        assert ("dim" in classes) == (shape.get("data-paper") != "beta")
    labels = [t.text for t in root.iter(f"{SVG}text") if "label" in (t.get("class") or "").split()]
    assert labels and set(labels) <= {"Mid-7B", "Mid-7B-tuned"}


def test_unsized_results_are_described_not_plotted() -> None:
    data = bench(result("Known-1B", 1_000_000_000, 40.0), result("Secret", None, 60.0))
    root = parse(render_chart(data, link))
    assert [s.get("data-model") for _, s in points_of(root)] == ["Known-1B"]
    desc = root.find(f"{SVG}desc")
    assert desc is not None and "Secret" in (desc.text or "")


def test_empty_chart_is_still_valid() -> None:
    root = parse(render_chart(SAMPLE, link, setting="no such setting"))
    assert root.get("role") == "group"
    assert points_of(root) == []


def test_hostile_strings_are_escaped() -> None:
    nasty = bench(
        result("<script>alert(1)</script>", 1_000_000_000, 50.0, source='"onload="alert(2)'),
        result('"onload="', 2_000_000_000, 55.0, setting="<b>&amp;</b>"),
    )
    labels = {"x_title": "参数量 <i>", "y_title": "得分 & ", "frontier": '前沿"'}
    svg = render_chart(nasty, link, labels=labels)
    legend = render_legend(nasty, link=link, labels=labels)
    for text in (svg, legend):
        assert "<script" not in text
        assert '"onload="' not in text
        assert "<i>" not in text and "<b>" not in text
    root = parse(svg)
    models = {s.get("data-model") for _, s in points_of(root)}
    assert models == {"<script>alert(1)</script>", '"onload="'}
    assert all(set(el.attrib) <= SAFE_ATTRIBUTES for el in root.iter())
    assert "参数量 <i>" in [t.text for t in root.iter(f"{SVG}text")]


SAFE_ATTRIBUTES = {
    "class",
    "viewBox",
    "role",
    "aria-labelledby",
    "aria-hidden",
    "id",
    "href",
    "x",
    "y",
    "x1",
    "y1",
    "x2",
    "y2",
    "cx",
    "cy",
    "r",
    "d",
    "width",
    "height",
    "fill",
    "stroke",
    "transform",
    "text-anchor",
    "data-x-min",
    "data-x-max",
    "data-y-min",
    "data-y-max",
    "data-plot",
    "data-params",
    "data-score",
    "data-model",
    "data-setting",
    "data-paper",
}


def test_legend_lists_papers_in_slug_order_with_chart_colours() -> None:
    legend = render_legend(SAMPLE, link=link)
    root = parse(legend)
    assert root.tag == "ul" and root.get("class") == "chart-legend"
    names = [a.text for a in root.iter("a")]
    assert names == ["Alpha", "Beta", "Gamma"]
    chart = parse(render_chart(SAMPLE, link))
    chart_colours = {s.get("data-paper"): s.get("stroke") for _, s in points_of(chart)}
    legend_colours = [c.get("fill") for c in root.iter("circle") if c.get("fill", "").startswith("#")]
    assert legend_colours == [chart_colours["alpha"], chart_colours["beta"], chart_colours["gamma"]]


# --- score over time ---------------------------------------------------------------------------------------------

CLASSES = {"small": "under 1B", "mid": "1B to 10B", "large": "over 10B"}

HISTORY = bench(
    result("Old-60M", 60_000_000, 30.0, paper="alpha", date="2020-03"),
    result("Worse-100M", 100_000_000, 28.0, paper="beta", date="2021-06"),
    result("New-300M", 300_000_000, 41.5, paper="gamma", date="2023-09"),
    result("Mid-7B", 7_000_000_000, 46.8, paper="alpha", date="2020-03"),
    result("Mid-2B", 2_000_000_000, 52.1, paper="gamma", date="2023-09"),
    result("Mid-3B", 3_000_000_000, 50.0, paper="gamma", date="2023-09"),
    result("Big-540B", 540_000_000_000, 69.3, paper="beta", date="2021-06"),
    result("Undated-1B", 1_000_000_000, 99.0, paper="delta"),
    result("Unsized", None, 99.0, paper="delta", date="2024-01"),
)


def history_points(root: ET.Element) -> list[tuple[str, ET.Element, ET.Element]]:
    """(size class, link, marker) of every step, in drawing order."""
    found = []
    for group in root.iter(f"{SVG}g"):
        classes = (group.get("class") or "").split()
        if "points" not in classes:
            continue
        ident = next(c for c in classes if c.startswith("line-")).removeprefix("line-")
        for a in group.iter(f"{SVG}a"):
            found.append((ident, a, a.find(f"{SVG}path")))
    return found


def test_year_ticks_and_months() -> None:
    assert month_index("2023-01") == 2023 * 12
    assert month_index("2023-12") - month_index("2023-01") == 11
    assert year_ticks(2019 * 12 + 5, 2024 * 12 + 2) == [(12.0 * y, str(y)) for y in range(2020, 2025)]
    assert [label for _, label in year_ticks(1990 * 12, 2024 * 12)] == [str(y) for y in range(1990, 2025, 5)]


def test_history_steps_link_and_sit_at_their_date_and_score() -> None:
    svg = render_history(HISTORY, link, setting="5-shot", class_names=CLASSES)
    root = parse(svg)
    assert root.get("role") == "group"
    assert root.get("aria-labelledby", "").split() == [f"{root[0].get('id')}", f"{root[1].get('id')}"]
    x_low, x_high = float(root.get("data-x-min", "")), float(root.get("data-x-max", ""))
    y_low, y_high = float(root.get("data-y-min", "")), float(root.get("data-y-max", ""))
    left, top, right, bottom = (float(v) for v in root.get("data-plot", "").split())
    points = history_points(root)
    assert [(ident, mark.get("data-date")) for ident, _, mark in points] == [
        ("small", "2020-03"),
        ("small", "2023-09"),
        ("mid", "2020-03"),
        ("mid", "2023-09"),
        ("large", "2021-06"),
    ]
    for _ident, a, mark in points:
        assert a.get("href", "").startswith("../../papers/")
        title = a.find(f"{SVG}title")
        assert title is not None and title.text  # the link's accessible name
        x, y = (float(v) for v in (mark.get("d") or "").removeprefix("M").split("m")[0].split())
        date = mark.get("data-date", "")
        assert abs(x - linear_position(month_index(date), x_low, x_high, left, right)) < 0.1
        assert abs(y - linear_position(float(mark.get("data-score", "")), y_low, y_high, bottom, top)) < 0.1
    desc = root.find(f"{SVG}desc")
    assert desc is not None and desc.text is not None
    assert "Undated-1B" in desc.text and "Unsized" in desc.text  # left out, and said so
    assert "Undated-1B" not in "".join(a.find(f"{SVG}title").text or "" for _, a, _ in points)  # type: ignore[union-attr]


@pytest.mark.parametrize("higher", [True, False])
def test_history_lines_are_monotone(higher: bool) -> None:
    rng = random.Random(7)
    results = [
        result(
            f"M{i}",
            rng.choice([5, 50, 500]) * 10**7,
            round(rng.uniform(10, 90), 1),
            date=f"{rng.randint(2018, 2024)}-{rng.randint(1, 12):02d}",
        )
        for i in range(40)
    ]
    data = bench(*results, higher_is_better=higher)
    root = parse(render_history(data, link, setting="5-shot", class_names=CLASSES))
    by_class: dict[str, list[tuple[str, float]]] = {}
    for ident, _a, mark in history_points(root):
        by_class.setdefault(ident, []).append((mark.get("data-date", ""), float(mark.get("data-score", ""))))
    assert by_class
    for steps in by_class.values():
        dates = [d for d, _ in steps]
        scores = [s for _, s in steps]
        assert dates == sorted(dates) and len(set(dates)) == len(dates)
        assert all((b > a) if higher else (b < a) for a, b in pairwise(scores))
    for line in root.iter(f"{SVG}path"):
        if "history-line" not in (line.get("class") or ""):
            continue
        ys = [float(v) for v in re.findall(r"[MV](?:[-\d.]+ )?([-\d.]+)", line.get("d", ""))]
        # Screen y grows downwards: the best so far only goes up (higher is better) or down (lower is).
        assert all((b <= a) if higher else (b >= a) for a, b in pairwise(ys))


def test_history_needs_two_dates() -> None:
    one = bench(result("A", 10**8, 30.0, date="2023-01"), result("B", 10**10, 40.0, date="2023-01"))
    assert render_history(one, link, setting="5-shot", class_names=CLASSES) == ""
    undated = bench(result("A", 10**8, 30.0), result("B", 10**10, 40.0, date="2023-01"))
    assert render_history(undated, link, setting="5-shot", class_names=CLASSES) == ""


def test_history_is_deterministic_and_escaped() -> None:
    hostile = bench(
        result('<b>"x"</b>', 10**8, 30.0, paper="alpha", date="2021-01"),
        result("y & z", 10**8, 35.0, paper="beta", date="2022-01"),
    )
    first = render_history(hostile, link, setting="5-shot", class_names={**CLASSES, "small": "<under>"})
    again = render_history(
        bench(*reversed(hostile.results)), link, setting="5-shot", class_names={**CLASSES, "small": "<under>"}
    )
    assert first == again
    assert "<b>" not in first and "&lt;b&gt;" in first and "&lt;under&gt;" in first
    parse(first)
    legend = render_history_legend(hostile, setting="5-shot", class_names={**CLASSES, "small": "<under>"})
    assert "&lt;under&gt;" in legend and "line-small" in legend
    ET.fromstring(legend)


def test_history_legend_names_each_drawn_class_with_its_own_dash_and_marker() -> None:
    legend = ET.fromstring(render_history_legend(HISTORY, setting="5-shot", class_names=CLASSES))
    items = legend.findall("li")
    assert ["".join(li.itertext()).strip() for li in items] == ["under 1B", "1B to 10B", "over 10B"]
    marks = [li.find("svg/path[@class='mark']").get("d") for li in items]  # type: ignore[union-attr]
    assert len(set(marks)) == 3  # shapes differ, not colour alone
