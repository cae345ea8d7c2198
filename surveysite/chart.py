"""Build-time SVG charts of model size against benchmark score.

The site ships no JavaScript charting library: each chart is plain SVG text written at build time, so it
works without scripts, prints, and is styled (light, dark, print) by static/chart.css through CSS classes.
Every string from the content is escaped; every number is written with a fixed precision so builds are
byte-for-byte reproducible.
"""

from __future__ import annotations

import hashlib
import math
import re
import unicodedata
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from html import escape
from typing import Protocol, TypeVar

from surveysite.sizes import format_count
from surveysite.views import BenchmarkView, ResultView, running_best

PALETTE: tuple[str, ...] = (
    "#3b82c4",  # blue
    "#d9730d",  # orange
    "#2a9d8f",  # teal
    "#d1495b",  # red
    "#9467bd",  # purple
    "#4d9a2a",  # green
    "#b8860b",  # dark gold
    "#d4569b",  # pink
    "#8c6d46",  # brown
    "#7a7f8a",  # grey
)
"""Paper colours; each has at least 3:1 contrast on both the light (#fdfdfc) and dark (#15171b) page."""

DEFAULT_LABELS: Mapping[str, str] = {
    "x_title": "Parameters",
    "y_title": "",
    "frontier": "Pareto frontier",
    "proposed": "Proposed model",
    "baseline": "Baseline",
    "title": "{name}{setting_note}: {y_title} by {x_title}",
    "desc": (
        "Results: {count}; papers: {papers}; parameters {size_low} to {size_high}; "
        "{metric} {score_low} to {score_high} ({direction}). {frontier_title}: {frontier}."
    ),
    "higher": "higher is better",
    "lower": "lower is better",
    "empty": "No results",
    "unsized": "Not plotted, size not reported: {models}.",
    "time_title": "First version",
    "history_title": "{name}{setting_note}: best {y_title} so far by date",
    "history_desc": (
        "Best score so far per size class ({direction}), by the month of each paper's first version. {steps}"
    ),
    "history_class": "{size_class}: {steps}.",
    "undated": "Not plotted, month unknown: {models}.",
}
"""Chart strings; pass `labels` to override any of them (e.g. Chinese). An empty y_title means bench.metric.
'title' and 'desc' are str.format templates with the fields name, metric, x_title, y_title, setting, setting_note,
direction, count, papers, size_low, size_high, score_low, score_high, frontier_title and frontier; 'unsized' gets
{models}. The score-over-time chart uses time_title (its x axis), history_title (fields name, setting_note,
y_title), history_desc ({direction}, {steps}), history_class ({size_class}, {steps}) and undated ({models})."""

Box = tuple[float, float, float, float]
"""(left, top, right, bottom) in SVG user units, y growing downwards."""

_LABEL_ASCENT = 0.75
"""Share of line_height above the baseline; the rest is below it (descenders)."""
_LABEL_MAX_CHARS = 24
_LABEL_CELL = 32.0
"""Side of the grid cells label placement indexes boxes by (about a short label's width)."""
_LABEL_CHAR_WIDTH = 7.6
"""Average advance of chart.css's 12px label font, bold included, with a little to spare."""


@dataclass(frozen=True)
class Layout:
    """Fixed sizes of one chart variant, in SVG user units (the viewBox scales them to the page)."""

    width: float
    height: float
    margin_left: float
    margin_right: float
    margin_top: float
    margin_bottom: float
    radius: float
    y_ticks: int


FULL = Layout(640, 400, 58, 18, 14, 46, 4.5, 6)
COMPACT = Layout(260, 160, 42, 12, 8, 36, 3.5, 4)
"""Small multiples: drawn at about this many CSS pixels (four abreast), so the text keeps its size."""


@dataclass(frozen=True)
class Frame:
    """The plot rectangle and the data range it shows: the single source of both scales."""

    width: float
    height: float
    left: float
    top: float
    right: float
    bottom: float
    x_low: float
    x_high: float
    y_low: float
    y_high: float
    y_step: float

    def x(self, params: float) -> float:
        return log_position(params, self.x_low, self.x_high, self.left, self.right)

    def y(self, score: float) -> float:
        """Screen y grows downwards: larger scores go up whichever direction is better."""
        return linear_position(score, self.y_low, self.y_high, self.bottom, self.top)


class Scored(Protocol):
    """Anything with a size (None when unreported) and a score, such as ResultView or Point."""

    @property
    def params(self) -> float | None: ...

    @property
    def score(self) -> float: ...


P = TypeVar("P", bound=Scored)


# --- scales and ticks -------------------------------------------------------------------------------------------


def log_position(value: float, low: float, high: float, start: float, end: float) -> float:
    """Map `value` in [low, high] to [start, end] on a log10 scale: model sizes span several decades."""
    if high == low:
        return (start + end) / 2
    fraction = (math.log10(value) - math.log10(low)) / (math.log10(high) - math.log10(low))
    return start + fraction * (end - start)


def linear_position(value: float, low: float, high: float, start: float, end: float) -> float:
    """Map `value` in [low, high] to [start, end] linearly."""
    if high == low:
        return (start + end) / 2
    return start + (value - low) / (high - low) * (end - start)


def _power_label(exponent: int) -> str:
    return format_count(10**exponent) if exponent >= 0 else f"{10.0**exponent:g}"


def log_ticks(low: float, high: float) -> list[tuple[float, str]]:
    """Powers of ten inside [low, high], labelled the way papers write sizes: 10M, 100M, 1B, 10B, 1T."""
    if low <= 0 or high <= 0:
        raise ValueError("log ticks need a positive domain")
    low, high = min(low, high), max(low, high)
    first = math.ceil(math.log10(low) - 1e-9)
    last = math.floor(math.log10(high) + 1e-9)
    return [(10.0**e, _power_label(e)) for e in range(first, last + 1)]


def _nice_step(low: float, high: float, count: int) -> float:
    """The smallest step of 1, 2, 2.5 or 5 x 10^k giving at most about `count` ticks."""
    span = abs(high - low) or abs(high) or 1.0
    raw = span / max(count - 1, 1)
    magnitude = 10.0 ** math.floor(math.log10(raw))
    for nice in (1.0, 2.0, 2.5, 5.0, 10.0):
        if nice * magnitude >= raw * (1 - 1e-9):
            return nice * magnitude
    return 10.0 * magnitude  # pragma: no cover - 10 always fits


def _decimals(step: float) -> int:
    """Fewest decimals that write every multiple of `step` exactly (2.5 -> 1, 0.25 -> 2, 20 -> 0)."""
    for digits in range(10):
        if abs(round(step, digits) - step) <= step * 1e-6:
            return digits
    return 10


def _ticks_with_step(low: float, high: float, step: float) -> list[tuple[float, str]]:
    digits = _decimals(step)
    first = math.ceil(low / step - 1e-9)
    last = math.floor(high / step + 1e-9)
    ticks = []
    for k in range(first, last + 1):
        value = round(k * step, digits + 6)
        text = f"{value:.{digits}f}"
        ticks.append((value, "0" if float(text) == 0 else text))
    return ticks


def linear_ticks(low: float, high: float, count: int = 5) -> list[tuple[float, str]]:
    """Round ticks (steps of 1, 2, 2.5 or 5 x 10^k) inside [low, high], about `count` of them."""
    low, high = min(low, high), max(low, high)
    if high == low:
        pad = abs(low) * 0.5 or 1.0
        low, high = low - pad, high + pad
    return _ticks_with_step(low, high, _nice_step(low, high, count))


# --- frontier and labels ----------------------------------------------------------------------------------------


def pareto_frontier(points: Iterable[P], higher_is_better: bool) -> list[P]:
    """Points with no rival at the same or a smaller size scoring strictly better, sorted by params.

    Equal scores keep the smallest model; equal size and score keep the first in input order, which is
    deterministic because views sort results. Points without a size cannot be placed and are skipped.
    """
    sign = 1.0 if higher_is_better else -1.0
    sized = [(p.params, p) for p in points if p.params is not None]
    ranked = sorted(sized, key=lambda pair: (pair[0], -sign * pair[1].score))
    frontier: list[P] = []
    for _, point in ranked:
        if not frontier or sign * point.score > sign * frontier[-1].score:
            frontier.append(point)
    return frontier


def compact_frontier(results: Sequence[P], higher_is_better: bool) -> list[P]:
    """What a paper page's small chart of a benchmark draws besides the paper's own results: the
    Pareto frontier of the plottable ones (where the paper stands against the best of the survey;
    the benchmark's page shows every model). Page keys and views both ask this, so a page's key
    covers exactly what its charts draw."""
    return pareto_frontier([r for r in results if r.params], higher_is_better)


def text_width(text: str, char_width: float = 6.5) -> float:
    """Estimated rendered width: wide (CJK) characters count double."""
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text) * char_width


def label_box(x: float, y: float, text: str, char_width: float = 6.5, line_height: float = 12) -> Box:
    """Box of a label whose baseline starts at (x, y); place_labels keeps these apart."""
    return (x, y - _LABEL_ASCENT * line_height, x + text_width(text, char_width), y + (1 - _LABEL_ASCENT) * line_height)


def _overlaps(a: Box, b: Box) -> bool:
    return a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]


def place_labels(
    anchors: list[tuple[float, float, str]],
    width: float,
    height: float,
    char_width: float = 6.5,
    line_height: float = 12,
    *,
    gap: float = 6.0,
    obstacles: Sequence[Box] = (),
) -> list[tuple[float, float, str] | None]:
    """Greedy placement in anchor order (important labels first): right, left, above, below, then diagonals.

    Returns each label's baseline start (x, y) or None when every candidate would overlap a placed label,
    an obstacle (e.g. a data point) or leave the [0, width] x [0, height] area. Dropping is the point:
    a crowded chart stays readable and every point keeps its tooltip.
    """
    # Boxes by the grid cells they cover, so that a candidate is tested against its neighbours
    # only: linear in the number of points, where testing every box was quadratic.
    grid: dict[tuple[int, int], list[Box]] = defaultdict(list)

    def cells(box: Box) -> Iterator[tuple[int, int]]:
        for cx in range(math.floor(box[0] / _LABEL_CELL), math.floor(box[2] / _LABEL_CELL) + 1):
            for cy in range(math.floor(box[1] / _LABEL_CELL), math.floor(box[3] / _LABEL_CELL) + 1):
                yield cx, cy

    def add(box: Box) -> None:
        for cell in cells(box):
            grid[cell].append(box)

    for obstacle in obstacles:
        add(obstacle)
    result: list[tuple[float, float, str] | None] = []
    below_centre = (1 - _LABEL_ASCENT) * line_height
    for x, y, text in anchors:
        w = text_width(text, char_width)
        candidates = (
            (x + gap, y + (_LABEL_ASCENT - 0.5) * line_height),
            (x - gap - w, y + (_LABEL_ASCENT - 0.5) * line_height),
            (x - w / 2, y - gap - below_centre),
            (x - w / 2, y + gap + _LABEL_ASCENT * line_height),
            (x + gap, y + gap + _LABEL_ASCENT * line_height),
            (x + gap, y - gap - below_centre),
            (x - gap - w, y + gap + _LABEL_ASCENT * line_height),
            (x - gap - w, y - gap - below_centre),
        )
        choice: tuple[float, float, str] | None = None
        for lx, ly in candidates:
            box = label_box(lx, ly, text, char_width, line_height)
            inside = box[0] >= 0 and box[1] >= 0 and box[2] <= width and box[3] <= height
            if inside and not any(_overlaps(box, other) for cell in cells(box) for other in grid.get(cell, ())):
                add(box)
                choice = (lx, ly, text)
                break
        result.append(choice)
    return result


# --- data -------------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Point:
    """A result that can be plotted, i.e. whose model size is known."""

    result: ResultView
    params: int
    score: float


def chart_points(bench: BenchmarkView, setting: str | None = None) -> list[Point]:
    """The plottable results of `bench` (of one setting if given), in the view's order."""
    return [
        Point(r, r.params, r.score)
        for r in bench.results
        if r.params is not None and r.params > 0 and (setting is None or r.setting == setting)
    ]


def paper_slug(result: ResultView) -> str:
    return result.paper.path.strip("/").rpartition("/")[2]


def _paper_order(path: str) -> tuple[str, str]:
    return (path.strip("/").rpartition("/")[2], path)


def paper_colours(bench: BenchmarkView) -> dict[str, str]:
    """Paper path -> palette colour, by sorted slug, so a paper keeps its colour in every setting's chart."""
    paths = sorted({r.paper.path for r in bench.results}, key=_paper_order)
    return {path: PALETTE[i % len(PALETTE)] for i, path in enumerate(paths)}


def settings_of(bench: BenchmarkView) -> list[str]:
    """Distinct settings, most results first, then by name: the natural order for per-setting charts."""
    counts = Counter(r.setting for r in bench.results)
    return sorted(counts, key=lambda s: (-counts[s], s))


def _id_part(text: str) -> str:
    """An id-safe form of `text`; a short hash keeps distinct texts distinct when slugging changed them."""
    slug = re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")
    if slug and slug == text:
        return slug
    digest = hashlib.sha256(text.encode()).hexdigest()[:6]
    return f"{slug}-{digest}" if slug else digest


def chart_id(bench: BenchmarkView, setting: str | None = None, compact: bool = False) -> str:
    """Base id of a chart; '-title' and '-desc' are appended for its <title> and <desc>."""
    parts = ["chart", _id_part(bench.id)]
    if setting is not None:
        parts += ["s", _id_part(setting)]
    if compact:
        parts.append("compact")
    return "-".join(parts)


def score_range(scores: Sequence[float], ticks: int) -> tuple[float, float, float]:
    """(low, high, step): the scores padded a little and widened to round tick steps; never below 0 for
    scores that are not (accuracy cannot be negative: no axis should suggest it)."""
    low, high = min(scores), max(scores)
    pad = (high - low) * 0.08 if high > low else max(abs(high) * 0.05, 1.0)
    step = _nice_step(low - pad, high + pad, ticks)
    digits = _decimals(step) + 6
    y_low = round(math.floor((low - pad) / step + 1e-9) * step, digits)
    y_high = round(math.ceil((high + pad) / step - 1e-9) * step, digits)
    if low >= 0 > y_low:
        y_low = 0.0
    return y_low, y_high, step


def chart_frame(points: Sequence[Point], *, compact: bool = False) -> Frame:
    """Plot rectangle and padded data range: x widened to whole decades, y to round tick steps."""
    if not points:
        raise ValueError("a chart frame needs at least one point")
    layout = COMPACT if compact else FULL
    sizes = [math.log10(p.params) for p in points]
    x_low = 10.0 ** math.floor(min(sizes) - 0.06)
    x_high = 10.0 ** math.ceil(max(sizes) + 0.06)
    y_low, y_high, step = score_range([p.score for p in points], layout.y_ticks)
    return Frame(
        width=layout.width,
        height=layout.height,
        left=layout.margin_left,
        top=layout.margin_top,
        right=layout.width - layout.margin_right,
        bottom=layout.height - layout.margin_bottom,
        x_low=x_low,
        x_high=x_high,
        y_low=y_low,
        y_high=y_high,
        y_step=step,
    )


# --- rendering --------------------------------------------------------------------------------------------------


def _num(value: float) -> str:
    text = f"{value:.1f}"
    return "0.0" if text == "-0.0" else text


def _esc(value: str) -> str:
    return escape(value, quote=True)


def _labels(bench: BenchmarkView, labels: Mapping[str, str] | None) -> dict[str, str]:
    merged = {**DEFAULT_LABELS, **(labels or {})}
    merged["y_title"] = merged["y_title"] or bench.metric
    return merged


def _minor_log_ticks(low: float, high: float) -> list[float]:
    """2x and 5x gridlines, only where few decades leave room for them."""
    if math.log10(high / low) > 3:
        return []
    first, last = math.floor(math.log10(low)), math.ceil(math.log10(high))
    values = (m * 10.0**e for e in range(first, last + 1) for m in (2, 5))
    return [v for v in values if low < v < high]


def _tooltip(r: ResultView, brief: bool = False) -> str:
    """Model, size, score, setting, paper, source; `brief` (a picture linking nowhere) leaves out the last
    and the setting, which its caption and the benchmark's page give."""
    parts = (
        (r.model, r.params_text, r.score_text, r.paper.text)
        if brief
        else (r.model, r.params_text, r.score_text, r.setting, r.paper.text, r.source)
    )
    return " — ".join(p for p in parts if p)


def _short(text: str) -> str:
    return text if len(text) <= _LABEL_MAX_CHARS else text[: _LABEL_MAX_CHARS - 1] + "…"


def render_chart(
    bench: BenchmarkView,
    link: Callable[[str], str],
    *,
    highlight_paper: str | None = None,
    compact: bool = False,
    setting: str | None = None,
    labels: dict[str, str] | None = None,
) -> str:
    """One inline <svg> of parameters (log x) against score (y, larger values up), linked point by point.

    `link` turns a site-relative path ('papers/x/') into the href for the current page.
    `highlight_paper` is a paper slug whose points are emphasised while the others get class "dim".
    Results without a reported size cannot be placed; the <desc> names them instead.
    """
    text = _labels(bench, labels)
    points = chart_points(bench, setting)
    layout = COMPACT if compact else FULL
    base = chart_id(bench, setting, compact)
    highlight_path = f"papers/{highlight_paper}/" if highlight_paper is not None else None
    fields = _describe(bench, points, text, setting)
    # A full chart is a group of links (one per point, named by its <title>); a compact one is a
    # picture whose points are not links, so a paper page does not gain dozens of tab stops.
    head = (
        f'<svg xmlns="http://www.w3.org/2000/svg" class="{"chart compact" if compact else "chart"}" '
        f'viewBox="0 0 {_num(layout.width)} {_num(layout.height)}" role="{"img" if compact else "group"}" '
        f'aria-labelledby="{base}-title {base}-desc"'
    )
    title = f'<title id="{base}-title">{_esc(text["title"].format(**fields))}</title>'
    desc_text = text["desc"].format(**fields) if points else text["empty"]
    unsized = [r for r in bench.results if r.params is None and (setting is None or r.setting == setting)]
    if unsized:
        desc_text += " " + text["unsized"].format(models=", ".join(dict.fromkeys(r.model for r in unsized)))
    desc = f'<desc id="{base}-desc">{_esc(desc_text)}</desc>'

    if not points:
        empty = (
            f'<text class="empty" x="{_num(layout.width / 2)}" y="{_num(layout.height / 2)}" '
            f'text-anchor="middle">{_esc(text["empty"])}</text>'
        )
        return "\n".join([head + ">", title, desc, empty, "</svg>"])

    frame = chart_frame(points, compact=compact)
    frontier = pareto_frontier(points, bench.higher_is_better)
    colours = paper_colours(bench)

    def highlighted(p: Point) -> bool:
        return p.result.paper.path == highlight_path

    out = [
        head + f' data-x-min="{frame.x_low!r}" data-x-max="{frame.x_high!r}" '
        f'data-y-min="{frame.y_low!r}" data-y-max="{frame.y_high!r}" '
        f'data-plot="{_num(frame.left)} {_num(frame.top)} {_num(frame.right)} {_num(frame.bottom)}">',
        title,
        desc,
        f'<rect class="plot-area" x="{_num(frame.left)}" y="{_num(frame.top)}" '
        f'width="{_num(frame.right - frame.left)}" height="{_num(frame.bottom - frame.top)}"/>',
        *_axes(frame, layout, text),
        f'<path class="frontier" d="{_frontier_path(frame, frontier)}"/>',
        '<g class="points">',
    ]
    on_frontier = {id(p) for p in frontier}
    # Emphasised points come last so that they sit on top of dimmed ones.
    for p in sorted(points, key=highlighted):
        state = "" if highlight_path is None else ("highlight" if highlighted(p) else "dim")
        point_link = None if compact else link
        out.append(_point(p, frame, layout, colours[p.result.paper.path], point_link, id(p) in on_frontier, state))
    out.append("</g>")
    out.extend(_label_layer(points, frontier, frame, layout, highlight_path, compact))
    out.append("</svg>")
    return "\n".join(out)


def _describe(
    bench: BenchmarkView, points: Sequence[Point], text: Mapping[str, str], setting: str | None
) -> dict[str, str]:
    """Fields of the title and desc templates: the chart's gist for screen readers."""
    fields = {
        "name": bench.name,
        "metric": bench.metric,
        "x_title": text["x_title"],
        "y_title": text["y_title"],
        "setting": setting or "",
        "setting_note": f" ({setting})" if setting else "",
        "direction": text["higher"] if bench.higher_is_better else text["lower"],
        "frontier_title": text["frontier"],
        "count": str(len(points)),
        "papers": "0",
        "size_low": "",
        "size_high": "",
        "score_low": "",
        "score_high": "",
        "frontier": "",
    }
    if points:
        by_size = sorted(points, key=lambda p: p.params)
        by_score = sorted(points, key=lambda p: p.score)
        best = pareto_frontier(points, bench.higher_is_better)
        fields |= {
            "papers": str(len({p.result.paper.path for p in points})),
            "size_low": by_size[0].result.params_text,
            "size_high": by_size[-1].result.params_text,
            "score_low": by_score[0].result.score_text,
            "score_high": by_score[-1].result.score_text,
            "frontier": ", ".join(f"{p.result.model} ({p.result.params_text}, {p.result.score_text})" for p in best),
        }
    return fields


def _axes(
    frame: Frame,
    layout: Layout,
    text: Mapping[str, str],
    x_ticks: Sequence[tuple[float, str]] | None = None,
    minor: Sequence[float] | None = None,
    y_ticks: Sequence[tuple[float, str]] | None = None,
    y_minor: Sequence[float] = (),
) -> list[str]:
    """Grid, axes, tick labels and titles; x ticks default to the log scale's decades (and 2x, 5x
    minors), y ticks to the frame's linear step (the timeline gives log ones for both)."""
    top, bottom, left, right = _num(frame.top), _num(frame.bottom), _num(frame.left), _num(frame.right)
    if x_ticks is None:
        x_ticks = log_ticks(frame.x_low, frame.x_high)
        minor = _minor_log_ticks(frame.x_low, frame.x_high)
    if y_ticks is None:
        y_ticks = _ticks_with_step(frame.y_low, frame.y_high, frame.y_step)
    out = ['<g class="grid">']
    for value in minor or ():
        x = _num(frame.x(value))
        out.append(f'<line class="minor" x1="{x}" y1="{top}" x2="{x}" y2="{bottom}"/>')
    for value, _ in x_ticks:
        x = _num(frame.x(value))
        out.append(f'<line x1="{x}" y1="{top}" x2="{x}" y2="{bottom}"/>')
    for value in y_minor:
        y = _num(frame.y(value))
        out.append(f'<line class="minor" x1="{left}" y1="{y}" x2="{right}" y2="{y}"/>')
    for value, _ in y_ticks:
        y = _num(frame.y(value))
        out.append(f'<line x1="{left}" y1="{y}" x2="{right}" y2="{y}"/>')
    out.append("</g>")
    out.append('<g class="axes">')
    out.append(f'<line class="axis" x1="{left}" y1="{bottom}" x2="{right}" y2="{bottom}"/>')
    out.append(f'<line class="axis" x1="{left}" y1="{top}" x2="{left}" y2="{bottom}"/>')
    for value, label in x_ticks:
        out.append(
            f'<text class="tick-label x-tick" x="{_num(frame.x(value))}" y="{_num(frame.bottom + 16)}" '
            f'text-anchor="middle">{_esc(label)}</text>'
        )
    for value, label in y_ticks:
        out.append(
            f'<text class="tick-label y-tick" x="{_num(frame.left - 6)}" y="{_num(frame.y(value) + 3.5)}" '
            f'text-anchor="end">{_esc(label)}</text>'
        )
    out.append(
        f'<text class="axis-title x-title" x="{_num((frame.left + frame.right) / 2)}" '
        f'y="{_num(layout.height - 8)}" text-anchor="middle">{_esc(text["x_title"])}</text>'
    )
    out.append(
        f'<text class="axis-title y-title" transform="translate(14 {_num((frame.top + frame.bottom) / 2)}) '
        f'rotate(-90)" text-anchor="middle">{_esc(text["y_title"])}</text>'
    )
    out.append("</g>")
    return out


def _frontier_path(frame: Frame, frontier: Sequence[Point]) -> str:
    """Step line: the best score so far holds until a larger model beats it, then to the plot's right edge."""
    first = frontier[0]
    parts = [f"M{_num(frame.x(first.params))} {_num(frame.y(first.score))}"]
    parts.extend(f"H{_num(frame.x(p.params))}V{_num(frame.y(p.score))}" for p in frontier[1:])
    parts.append(f"H{_num(frame.right)}")
    return "".join(parts)


def _point(
    p: Point, frame: Frame, layout: Layout, colour: str, link: Callable[[str], str] | None, frontier: bool, state: str
) -> str:
    """One marker (a link when `link` is given): filled if proposed, hollow if a baseline, ringed on the frontier."""
    r = p.result
    cx, cy = _num(frame.x(p.params)), _num(frame.y(p.score))
    role = "proposed" if r.role == "proposed" else "baseline"
    radius = layout.radius + (1 if state == "highlight" else 0)
    fill = colour if role == "proposed" else "none"
    shape_class = f"point {role}" + (" on-frontier" if frontier else "")
    shape = (
        f'<circle class="{shape_class}" cx="{cx}" cy="{cy}" r="{_num(radius)}" fill="{fill}" stroke="{colour}" '
        f'data-params="{p.params}" data-score="{p.score!r}" data-model="{_esc(r.model)}" '
        f'data-setting="{_esc(r.setting)}" data-paper="{_esc(paper_slug(r))}"/>'
    )
    ring = f'<circle class="ring" cx="{cx}" cy="{cy}" r="{_num(radius + 3)}"/>' if frontier else ""
    link_class = f"point-link {state}".rstrip()
    inner = f"<title>{_esc(_tooltip(r, brief=link is None))}</title>{shape}{ring}"
    if link is None:
        return f'<g class="{link_class}">{inner}</g>'
    return f'<a class="{link_class}" href="{_esc(link(r.paper.path))}">{inner}</a>'


def _label_layer(
    points: Sequence[Point],
    frontier: Sequence[Point],
    frame: Frame,
    layout: Layout,
    highlight_path: str | None,
    compact: bool,
) -> list[str]:
    """Visible names for the points worth naming; the rest rely on tooltips and the results table."""
    mine = [p for p in points if p.result.paper.path == highlight_path]
    if compact:
        chosen = mine if highlight_path is not None else list(frontier)
    else:
        proposed = [p for p in points if p.result.role == "proposed"]
        chosen = [*mine, *frontier, *proposed]
    seen: set[tuple[str, str]] = set()
    picked: list[Point] = []
    for p in chosen:
        key = (p.result.model, p.result.paper.path)
        if key not in seen:
            seen.add(key)
            picked.append(p)
    if not picked:
        return []
    reach = layout.radius + 4  # a highlighted point's frontier ring: labels keep clear of every marker
    local = [(frame.x(p.params) - frame.left, frame.y(p.score) - frame.top) for p in points]
    markers = [(x - reach, y - reach, x + reach, y + reach) for x, y in local]
    anchors = [(frame.x(p.params) - frame.left, frame.y(p.score) - frame.top, _short(p.result.model)) for p in picked]
    width, height = frame.right - frame.left, frame.bottom - frame.top
    placed = place_labels(anchors, width, height, _LABEL_CHAR_WIDTH, gap=reach + 1, obstacles=markers)
    out = ['<g class="labels" aria-hidden="true">']
    for p, spot in zip(picked, placed, strict=True):
        if spot is None:
            continue
        x, y, label = spot
        state = ""
        if highlight_path is not None:
            state = " highlight" if p.result.paper.path == highlight_path else " dim"
        out.append(
            f'<text class="label{state}" x="{_num(x + frame.left)}" y="{_num(y + frame.top)}">{_esc(label)}</text>'
        )
    out.append("</g>")
    return out


def render_legend(
    bench: BenchmarkView,
    *,
    setting: str | None = None,
    highlight_paper: str | None = None,
    link: Callable[[str], str] | None = None,
    labels: dict[str, str] | None = None,
) -> str:
    """HTML key for a chart: paper colours (linked when `link` is given), marker shapes, the frontier line."""
    text = _labels(bench, labels)
    points = chart_points(bench, setting)
    colours = paper_colours(bench)
    names: dict[str, str] = {}
    for p in points:
        names.setdefault(p.result.paper.path, p.result.paper.text)
    highlight_path = f"papers/{highlight_paper}/" if highlight_paper is not None else None
    swatch = '<svg class="swatch" viewBox="0 0 12 12" aria-hidden="true" focusable="false">{}</svg>'
    items = []
    for path in sorted(names, key=_paper_order):
        name = _esc(names[path])
        label = f'<a href="{_esc(link(path))}">{name}</a>' if link else name
        state = "" if highlight_path is None else (" highlight" if path == highlight_path else " dim")
        dot = f'<circle cx="6" cy="6" r="5" fill="{colours[path]}"/>'
        items.append(f'<li class="legend-paper{state}">{swatch.format(dot)} {label}</li>')
    roles = {p.result.role for p in points}
    for role in ("proposed", "baseline"):
        if role in roles:
            shape = f'<circle class="point {role}" cx="6" cy="6" r="4"/>'
            items.append(f'<li class="legend-key">{swatch.format(shape)} {_esc(text[role])}</li>')
    if points:
        line = '<path class="frontier" d="M0 10H6V3H12"/>'
        items.append(f'<li class="legend-key">{swatch.format(line)} {_esc(text["frontier"])}</li>')
    return '<ul class="chart-legend">' + "".join(items) + "</ul>"


# --- score over time --------------------------------------------------------------------------------------------


def month_index(date: str) -> int:
    """'YYYY-MM' -> months since year 0: the time axis is linear in months."""
    year, _, month = date.partition("-")
    return int(year) * 12 + int(month) - 1


def year_ticks(low: float, high: float, count: int = 8) -> list[tuple[float, str]]:
    """January of each year inside [low, high] (months), every second or fifth year when they are many."""
    first, last = math.ceil(low / 12 - 1e-9), math.floor(high / 12 + 1e-9)
    step = next((s for s in (1, 2, 5, 10, 20, 50) if (last - first) // s + 1 <= count), 100)
    return [(12.0 * year, str(year)) for year in range(first, last + 1) if year % step == 0]


@dataclass(frozen=True)
class TimeFrame(Frame):
    """A Frame whose x is linear in months (month_index) instead of log in parameters."""

    def x(self, params: float) -> float:
        return linear_position(params, self.x_low, self.x_high, self.left, self.right)


HISTORY_MARKS: Mapping[str, str] = {
    "small": "m-4.5 0a4.5 4.5 0 1 0 9 0a4.5 4.5 0 1 0 -9 0z",
    "mid": "m-4 -4h8v8h-8z",
    "large": "m0 -5.5l5 9h-10z",
}
"""Marker shape per size class, relative to its centre: a circle, a square, a triangle (not colour alone)."""


def history_frame(lines: Sequence[tuple[str, Sequence[ResultView]]], dates: Iterable[str] = ()) -> TimeFrame:
    """Months of the steps and of `dates` (every result's, so that the lines run on to the last one) padded
    by a quarter on each side, widened to include a January so that a year is labelled; y fits the steps."""
    results = [r for _ident, steps in lines for r in steps]
    if not results:
        raise ValueError("a history frame needs at least one result")
    months = [month_index(d) for d in (*dates, *(r.date for r in results))]
    low, high = min(months) - 3, max(months) + 3
    if not year_ticks(low, high):
        low = 12 * math.floor(low / 12)
    y_low, y_high, step = score_range([r.score for r in results], FULL.y_ticks)
    return TimeFrame(
        width=FULL.width,
        height=FULL.height,
        left=FULL.margin_left,
        top=FULL.margin_top,
        right=FULL.width - FULL.margin_right,
        bottom=FULL.height - FULL.margin_bottom,
        x_low=float(low),
        x_high=float(high),
        y_low=y_low,
        y_high=y_high,
        y_step=step,
    )


def history_id(bench: BenchmarkView, setting: str) -> str:
    return chart_id(bench, setting) + "-history"


def render_history(
    bench: BenchmarkView,
    link: Callable[[str], str],
    *,
    setting: str,
    class_names: Mapping[str, str],
    labels: dict[str, str] | None = None,
) -> str:
    """One inline <svg>: per size class, a step line of the best score so far by paper month, each step a link.

    Empty when the setting's dated, sized results span fewer than two months: one date shows no trend.
    `class_names` names each of SIZE_CLASSES ('small' -> 'under 1B') for the description and tooltips.
    """
    text = _labels(bench, labels)
    results = [r for r in bench.results if r.setting == setting]
    lines = running_best(results, bench.higher_is_better)
    dates = sorted({r.date for r in results if r.date and r.params is not None})
    if len(dates) < 2:
        return ""
    frame = history_frame(lines, dates)
    base = history_id(bench, setting)
    fields = {
        "name": bench.name,
        "setting_note": f" ({setting})" if setting else "",
        "y_title": text["y_title"],
        "direction": text["higher"] if bench.higher_is_better else text["lower"],
    }
    described = " ".join(
        text["history_class"].format(
            size_class=class_names[ident],
            steps=", ".join(f"{r.model} ({r.date}, {r.score_text})" for r in steps),
        )
        for ident, steps in lines
    )
    desc_text = text["history_desc"].format(**fields, steps=described)
    unsized = [r.model for r in results if r.params is None]
    undated = [r.model for r in results if r.params is not None and not r.date]
    if unsized:
        desc_text += " " + text["unsized"].format(models=", ".join(dict.fromkeys(unsized)))
    if undated:
        desc_text += " " + text["undated"].format(models=", ".join(dict.fromkeys(undated)))
    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart history" '
        f'viewBox="0 0 {_num(FULL.width)} {_num(FULL.height)}" role="group" '
        f'aria-labelledby="{base}-title {base}-desc" data-x-min="{frame.x_low!r}" data-x-max="{frame.x_high!r}" '
        f'data-y-min="{frame.y_low!r}" data-y-max="{frame.y_high!r}" '
        f'data-plot="{_num(frame.left)} {_num(frame.top)} {_num(frame.right)} {_num(frame.bottom)}">',
        f'<title id="{base}-title">{_esc(text["history_title"].format(**fields))}</title>',
        f'<desc id="{base}-desc">{_esc(desc_text)}</desc>',
        *_axes(frame, FULL, {**text, "x_title": text["time_title"]}, year_ticks(frame.x_low, frame.x_high)),
    ]
    for ident, steps in lines:
        parts = []
        for index, r in enumerate(steps):
            x, y = _num(frame.x(month_index(r.date))), _num(frame.y(r.score))
            parts.append(f"M{x} {y}" if index == 0 else f"H{x}V{y}")
        parts.append(f"H{_num(frame.right)}")
        out.append(f'<path class="history-line line-{ident}" d="{"".join(parts)}"/>')
    for ident, steps in lines:
        out.append(f'<g class="points line-{ident}">')
        for r in steps:
            x, y = _num(frame.x(month_index(r.date))), _num(frame.y(r.score))
            tooltip = " — ".join(p for p in (r.model, r.params_text, r.score_text, r.date, r.paper.text) if p)
            out.append(
                f'<a class="point-link" href="{_esc(link(r.paper.path))}"><title>{_esc(tooltip)}</title>'
                f'<path class="mark" d="M{x} {y}{HISTORY_MARKS[ident]}" data-date="{_esc(r.date)}" '
                f'data-score="{r.score!r}" data-params="{r.params}"/></a>'
            )
        out.append("</g>")
    out.append("</svg>")
    return "\n".join(out)


def render_history_legend(bench: BenchmarkView, *, setting: str, class_names: Mapping[str, str]) -> str:
    """HTML key of the score-over-time chart: each size class drawn, with its line's dash and its marker."""
    lines = running_best([r for r in bench.results if r.setting == setting], bench.higher_is_better)
    swatch = '<svg class="swatch wide" viewBox="0 0 24 12" aria-hidden="true" focusable="false">{}</svg>'
    items = []
    for ident, _steps in lines:
        shape = f'<path class="history-line" d="M0 6H24"/><path class="mark" d="M12 6{HISTORY_MARKS[ident]}"/>'
        items.append(f'<li class="legend-key line-{ident}">{swatch.format(shape)} {_esc(class_names[ident])}</li>')
    return '<ul class="chart-legend">' + "".join(items) + "</ul>"
