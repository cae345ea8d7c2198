"""The timeline page: papers by the month of their first version, model size over time, and lineage.

Views first (display-ready, in the page's language, so that they are the page's cache key), then two
build-time SVGs drawn from them: a scatter of proposed models (linear time by log parameters, with
surveysite.chart's scales and ticks) and a layered graph of `builds_on`. Both are deterministic: every
order is by date, then slug, and every number is written with a fixed precision.
"""

from __future__ import annotations

import itertools
import math
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass

from surveysite import urls
from surveysite.chart import (
    _LABEL_CHAR_WIDTH,
    FULL,
    PALETTE,
    TimeFrame,
    _esc,
    _minor_log_ticks,
    _num,
    _short,
    log_position,
    log_ticks,
    month_index,
    place_labels,
    text_width,
    year_ticks,
)
from surveysite.chart import (
    _axes as chart_axes,
)
from surveysite.model import Paper
from surveysite.sizes import format_count
from surveysite.views import LanguageViews, PaperView, Ref

SECTIONS = ("by-month", "size-over-time", "lineage")
"""Ids the timeline template gives its sections; 'lineage' only when a paper builds on another."""


def year_anchor(year: int) -> str:
    """Id of a year's heading on the timeline page."""
    return f"year-{year}"


def page_anchors(papers: Iterable[Paper]) -> set[str]:
    """The ids a body may link to on the timeline page (checked by surveysite.links)."""
    papers = tuple(papers)
    sections = SECTIONS if any(p.builds_on for p in papers) else SECTIONS[:-1]
    return set(sections) | {year_anchor(p.year) for p in papers}


# --- the list ---------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Entry:
    """One paper in the list: when, what, how large."""

    paper: Ref
    date: str
    """"YYYY-MM", or "" when the month is not known."""
    month_text: str
    """The month in words ("March", "3月"), or the page's words for "month not known"."""
    sizes_text: str
    """The proposed models' sizes, smallest first ("" when none is stated)."""
    tldr: str


@dataclass(frozen=True)
class YearGroup:
    year: int
    anchor: str
    entries: tuple[Entry, ...]


@dataclass(frozen=True)
class SizePoint:
    """A proposed model with a known size, placed at its paper's first-version month."""

    paper: Ref
    slug: str
    model: str
    date: str
    date_text: str
    params: int
    params_text: str


@dataclass(frozen=True)
class LineageItem:
    """A paper and the papers of the survey it builds on, for the list beside the graph."""

    paper: Ref
    builds_on: tuple[Ref, ...]


@dataclass(frozen=True)
class TimelineView:
    years: tuple[YearGroup, ...]
    """Newest year first; in a year, newest month first and papers with no known month last."""
    points: tuple[SizePoint, ...]
    """Oldest first, then by slug and size."""
    undated: tuple[Ref, ...]
    """Papers with a sized proposed model but no known month: not in the chart, named under it."""
    lineage: Lineage | None
    """None when no paper builds on another: the page then shows no graph."""
    lineage_items: tuple[LineageItem, ...]
    text: Mapping[str, str]
    """The charts' strings in the page's language (titles, descriptions, axis titles)."""


def month_value(date: str) -> float:
    """A "YYYY-MM" month at its middle on the time axis, which counts months (chart.month_index)."""
    return month_index(date) + 0.5


def month_text(date: str, strings: Mapping[str, str], *, with_year: bool = False) -> str:
    if not date:
        return strings["month_unknown"]
    month = strings[f"month_{int(date[5:7])}"]
    return strings["month_year"].format(month=month, year=date[:4]) if with_year else month


def _order(paper: PaperView) -> tuple[str, str]:
    """Oldest first: by date (a paper with no month goes first in its year), then slug."""
    return (paper.date or f"{paper.year:04d}", paper.slug)


def _proposed_sizes(paper: PaperView) -> list[int]:
    return sorted({m.params for m in paper.models if m.role == "proposed" and m.params})


def build_timeline(views: LanguageViews, strings: Mapping[str, str]) -> TimelineView:
    """Everything the timeline page shows, for one language."""
    papers = sorted(views.papers, key=_order)
    ref = {p.slug: Ref(p.short_name, p.path) for p in papers}
    by_year: dict[int, list[PaperView]] = defaultdict(list)
    for paper in papers:
        by_year[paper.year].append(paper)
    years = []
    for year in sorted(by_year, reverse=True):
        group = sorted(by_year[year], key=lambda p: (p.date != "", p.date, p.slug), reverse=True)
        entries = tuple(
            Entry(
                ref[p.slug],
                p.date,
                month_text(p.date, strings),
                strings["list_separator"].join(format_count(s) for s in _proposed_sizes(p)),
                p.tldr,
            )
            for p in group
        )
        years.append(YearGroup(year, year_anchor(year), entries))
    points = tuple(
        SizePoint(
            ref[p.slug], p.slug, m.name, p.date, month_text(p.date, strings, with_year=True), m.params, m.params_text
        )
        for p in papers
        if p.date
        for m in sorted(p.models, key=lambda m: (m.params or 0, m.name))
        if m.role == "proposed" and m.params
    )
    undated = tuple(ref[p.slug] for p in papers if not p.date and _proposed_sizes(p))
    slugs = {p.path: p.slug for p in papers}
    items = tuple(LineageItem(ref[p.slug], p.builds_on) for p in papers if p.builds_on)
    lineage = lineage_layout(
        [Linked(p.slug, p.short_name, _order(p)[0], tuple(slugs[r.path] for r in p.builds_on)) for p in papers]
    )
    text = {key: value for key, value in strings.items() if key.startswith(("timeline_", "lineage_"))}
    text |= {"params": strings["params"], "first_version": strings["first_version"]}
    return TimelineView(tuple(years), points, undated, lineage, items, text)


# --- the size chart ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class SizeTimeFrame(TimeFrame):
    """chart.TimeFrame (x linear in months) whose y is log in parameters, as the size charts' x is."""

    def y(self, score: float) -> float:
        """Larger models go up."""
        return log_position(score, self.y_low, self.y_high, self.bottom, self.top)


def time_frame(points: Sequence[SizePoint]) -> SizeTimeFrame:
    """Whole years across, whole decades of parameters up and down (as the size charts have)."""
    if not points:
        raise ValueError("a timeline chart needs at least one point")
    years = [int(p.date[:4]) for p in points]
    sizes = [math.log10(p.params) for p in points]
    return SizeTimeFrame(
        width=FULL.width,
        height=FULL.height,
        left=FULL.margin_left,
        top=FULL.margin_top,
        right=FULL.width - FULL.margin_right,
        bottom=FULL.height - FULL.margin_bottom,
        x_low=12.0 * min(years),
        x_high=12.0 * (max(years) + 1),
        y_low=10.0 ** math.floor(min(sizes) - 0.06),
        y_high=10.0 ** math.ceil(max(sizes) + 0.06),
        y_step=10.0,  # a decade from tick to tick
    )


def paper_colours(points: Sequence[SizePoint]) -> dict[str, str]:
    """Slug -> palette colour, by sorted slug (as the size charts colour papers)."""
    return {slug: PALETTE[i % len(PALETTE)] for i, slug in enumerate(sorted({p.slug for p in points}))}


def render_size_chart(view: TimelineView, link: Callable[[str], str]) -> str:
    """An inline <svg> of proposed models, first-version month (x) by parameters (log y), each a link."""
    text = view.text
    points = view.points
    frame = time_frame(points)
    base = "timeline-sizes"
    first, last = points[0], points[-1]
    by_size = sorted(points, key=lambda p: p.params)
    desc = text["timeline_chart_desc"].format(
        count=len(points),
        papers=len({p.slug for p in points}),
        first=first.date_text,
        last=last.date_text,
        size_low=by_size[0].params_text,
        size_high=by_size[-1].params_text,
    )
    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart timeline-chart" '
        f'viewBox="0 0 {_num(frame.width)} {_num(frame.height)}" role="group" '
        f'aria-labelledby="{base}-title {base}-desc" data-x-min="{frame.x_low!r}" data-x-max="{frame.x_high!r}" '
        f'data-y-min="{frame.y_low!r}" data-y-max="{frame.y_high!r}" '
        f'data-plot="{_num(frame.left)} {_num(frame.top)} {_num(frame.right)} {_num(frame.bottom)}">',
        f'<title id="{base}-title">{_esc(text["timeline_chart_title"])}</title>',
        f'<desc id="{base}-desc">{_esc(desc)}</desc>',
        *_axes(frame, text),
        '<g class="points">',
    ]
    colours = paper_colours(points)
    for p in points:
        cx, cy = _num(frame.x(month_value(p.date))), _num(frame.y(p.params))
        tooltip = " — ".join((p.model, p.params_text, p.date_text, p.paper.text))
        colour = colours[p.slug]
        out.append(
            f'<a class="point-link" href="{_esc(link(p.paper.path))}"><title>{_esc(tooltip)}</title>'
            f'<circle class="point proposed" cx="{cx}" cy="{cy}" r="{_num(FULL.radius)}" fill="{colour}" '
            f'stroke="{colour}" data-date="{_esc(p.date)}" data-params="{p.params}" data-paper="{_esc(p.slug)}" '
            f'data-model="{_esc(p.model)}"/></a>'
        )
    out.append("</g>")
    out.extend(_labels(points, frame))
    out.append("</svg>")
    return "\n".join(out)


def _axes(frame: SizeTimeFrame, text: Mapping[str, str]) -> list[str]:
    """chart's axes with year ticks across and log ticks of parameters up."""
    titles = {**text, "x_title": text["first_version"], "y_title": text["params"]}
    x_ticks = year_ticks(frame.x_low, frame.x_high)
    y_ticks = log_ticks(frame.y_low, frame.y_high)
    return chart_axes(frame, FULL, titles, x_ticks, (), y_ticks, _minor_log_ticks(frame.y_low, frame.y_high))


def _labels(points: Sequence[SizePoint], frame: SizeTimeFrame) -> list[str]:
    """Each paper's short name by its largest model, where it fits; the rest rely on tooltips and the table."""
    largest: dict[str, SizePoint] = {}
    for p in points:
        if p.slug not in largest or p.params >= largest[p.slug].params:
            largest[p.slug] = p
    reach = FULL.radius + 3
    local = [(frame.x(month_value(p.date)) - frame.left, frame.y(p.params) - frame.top) for p in points]
    markers = [(x - reach, y - reach, x + reach, y + reach) for x, y in local]
    picked = sorted(largest.values(), key=lambda p: (p.date, p.slug))
    anchors = [
        (frame.x(month_value(p.date)) - frame.left, frame.y(p.params) - frame.top, _short(p.paper.text)) for p in picked
    ]
    width, height = frame.right - frame.left, frame.bottom - frame.top
    placed = place_labels(anchors, width, height, _LABEL_CHAR_WIDTH, gap=reach + 1, obstacles=markers)
    out = ['<g class="labels" aria-hidden="true">']
    for spot in placed:
        if spot is not None:
            x, y, label = spot
            out.append(f'<text class="label" x="{_num(x + frame.left)}" y="{_num(y + frame.top)}">{_esc(label)}</text>')
    out.append("</g>")
    return out


# --- the lineage graph ------------------------------------------------------------------------------------------

NODE_HEIGHT = 26.0
NODE_PADDING = 10.0
NODE_MIN_WIDTH = 48.0
NODE_CHAR_WIDTH = 7.6
"""Average advance of timeline.css's 12px bold node font, with a little to spare."""
COLUMN_GAP = 40.0
"""Room between columns for the arrows."""
ROW_GAP = 18.0
HEADER = 22.0
"""Height of the column headings (each column's month)."""
MARGIN = 6.0


@dataclass(frozen=True)
class Node:
    slug: str
    text: str
    path: str
    key: str
    """Its column's heading: the month of the first version ("YYYY-MM"), or the year when unknown."""
    column: int
    row: int
    x: float
    y: float
    width: float
    height: float

    @property
    def box(self) -> tuple[float, float, float, float]:
        return (self.x, self.y, self.x + self.width, self.y + self.height)


@dataclass(frozen=True)
class Edge:
    """An arrow from `source` (the paper built on) to `target` (the paper that builds on it)."""

    source: str
    target: str
    turn: str = "middle"
    """Where an arrow between two rows changes row: "early" (in the gap after `source`, then level
    along the target's row), "late" (level along the source's row, then in the gap before `target`)
    or "middle" (one S-curve), so that it passes no other paper's box where it can."""


@dataclass(frozen=True)
class Lineage:
    nodes: tuple[Node, ...]
    edges: tuple[Edge, ...]
    columns: tuple[tuple[str, float], ...]
    """(heading, centre x) of each column, left to right."""
    width: float
    height: float


@dataclass(frozen=True)
class Linked:
    """What the layout needs of a paper."""

    slug: str
    text: str
    key: str
    """"YYYY-MM", or "YYYY" when the month is not known: sorts before the year's months."""
    builds_on: tuple[str, ...]


def lineage_layout(papers: Sequence[Linked]) -> Lineage | None:
    """Columns by date and a band of rows per connected group; None when no paper builds on another.

    Only papers with a `builds_on` link either way are drawn. Sorted by date, then slug (except that in
    a month a paper comes after those of the month it builds on), each date gets a column, to the right
    of the previous date's; a paper goes right of every earlier paper it builds on (two papers of one
    month, one building on the other, take two columns). Each connected group
    of papers has its own band of rows, the groups ordered by their earliest paper; in a band, a paper
    takes the row of a paper it builds on when that cell is free and the straight arrow from it crosses
    no other paper, else the band's first row that is free. Nodes never share a cell, so never overlap.
    """
    linked = {slug for p in papers if p.builds_on for slug in (p.slug, *p.builds_on)}
    chosen = [p for p in papers if p.slug in linked]
    if not chosen:
        return None
    depth = _depths(chosen)
    chosen.sort(key=lambda p: (p.key, depth[p.slug], p.slug))
    order = {p.slug: index for index, p in enumerate(chosen)}
    builds_on = {p.slug: tuple(o for o in p.builds_on if o in order) for p in chosen}
    # Columns: one per date, each right of the last; a paper also right of what it builds on.
    column: dict[str, int] = {}
    previous_key, floor, last = "", 0, -1
    for p in chosen:
        if p.key != previous_key:
            floor, previous_key = last + 1, p.key
        column[p.slug] = max([floor, *(column[o] + 1 for o in builds_on[p.slug] if o in column)])
        last = max(last, column[p.slug])
    # Connected groups, ignoring direction, in order of their earliest paper.
    parent = {p.slug: p.slug for p in chosen}

    def find(slug: str) -> str:
        while parent[slug] != slug:
            slug = parent[slug]
        return slug

    for slug, on in builds_on.items():
        for other in on:
            a, b = sorted((find(slug), find(other)), key=order.__getitem__)
            parent[b] = a
    groups: dict[str, list[str]] = {}
    for p in chosen:
        groups.setdefault(find(p.slug), []).append(p.slug)
    # Rows: a band per group; cells (column, row) are taken once.
    row: dict[str, int] = {}
    taken: set[tuple[int, int]] = set()
    base = 0
    for members in groups.values():
        end = base
        for slug in sorted(members, key=lambda s: (column[s], order[s])):
            col = column[slug]
            placed = [o for o in builds_on[slug] if o in row]

            def fits(candidate: int, col: int = col, placed: list[str] = placed) -> bool:
                if (col, candidate) in taken:
                    return False
                return not any(
                    (c, candidate) in taken for o in placed if row[o] == candidate for c in range(column[o] + 1, col)
                )

            wanted = (row[o] for o in placed)
            row[slug] = next(r for r in itertools.chain(wanted, itertools.count(base)) if r >= base and fits(r))
            taken.add((col, row[slug]))
            end = max(end, row[slug] + 1)
        base = end
    # Geometry: each column as wide as its widest name, nodes centred in it.
    widths = {p.slug: max(NODE_MIN_WIDTH, text_width(p.text, NODE_CHAR_WIDTH) + 2 * NODE_PADDING) for p in chosen}
    count = last + 1
    col_width = [max([widths[s] for s in column if column[s] == c], default=NODE_MIN_WIDTH) for c in range(count)]
    left = [MARGIN + sum(col_width[:c]) + COLUMN_GAP * c for c in range(count)]
    heads: dict[int, str] = {}
    for p in chosen:
        heads.setdefault(column[p.slug], p.key)
    nodes = tuple(
        Node(
            p.slug,
            p.text,
            urls.paper(p.slug),
            p.key,
            column[p.slug],
            row[p.slug],
            left[column[p.slug]] + (col_width[column[p.slug]] - widths[p.slug]) / 2,
            MARGIN + HEADER + row[p.slug] * (NODE_HEIGHT + ROW_GAP),
            widths[p.slug],
            NODE_HEIGHT,
        )
        for p in chosen
    )

    def turn(source: str, target: str) -> str:
        between = range(column[source] + 1, column[target])
        if row[source] == row[target] or not between:
            return "middle"
        for name, level in (("early", row[target]), ("late", row[source])):
            if all((c, level) not in taken for c in between):
                return name
        return "middle"

    edges = tuple(Edge(other, p.slug, turn(other, p.slug)) for p in chosen for other in builds_on[p.slug])
    width = left[-1] + col_width[-1] + MARGIN
    height = MARGIN + HEADER + base * (NODE_HEIGHT + ROW_GAP) - ROW_GAP + MARGIN
    headings = tuple((heads.get(c, ""), left[c] + col_width[c] / 2) for c in range(count))
    return Lineage(nodes, edges, headings, width, height)


def _depths(papers: Sequence[Linked]) -> dict[str, int]:
    """How many papers of its own month each paper builds on, in a chain: within a month, a paper is
    placed after those it builds on (a cycle, which the content allows, is cut where it is entered)."""
    key = {p.slug: p.key for p in papers}
    on = {p.slug: p.builds_on for p in papers}
    depth: dict[str, int] = {}

    def visit(slug: str, path: frozenset[str]) -> int:
        if slug not in depth:
            same = [o for o in on[slug] if key.get(o) == key[slug] and o not in path]
            depth[slug] = max((visit(o, path | {slug}) + 1 for o in same), default=0)
        return depth[slug]

    for p in sorted(papers, key=lambda p: p.slug):
        visit(p.slug, frozenset())
    return depth


ARROW = 7.0
"""Length of an arrowhead."""


def edge_path(source: Node, target: Node, turn: str = "middle") -> str:
    """A curve from the right side of `source` to the left side of `target`, leaving and arriving level."""
    x1, y1 = source.x + source.width, source.y + source.height / 2
    x2, y2 = target.x - ARROW, target.y + target.height / 2
    start, end = f"M{_num(x1)} {_num(y1)}", f"{_num(x2)} {_num(y2)}"
    step = COLUMN_GAP - ARROW
    if turn == "early" and x2 - x1 > step:
        mid = x1 + step / 2
        return f"{start}C{_num(mid)} {_num(y1)} {_num(mid)} {_num(y2)} {_num(x1 + step)} {_num(y2)}H{_num(x2)}"
    if turn == "late" and x2 - x1 > step:
        mid = x2 - step / 2
        return f"{start}H{_num(x2 - step)}C{_num(mid)} {_num(y1)} {_num(mid)} {_num(y2)} {end}"
    bend = max((x2 - x1) / 2, COLUMN_GAP / 2)
    return f"{start}C{_num(x1 + bend)} {_num(y1)} {_num(x2 - bend)} {_num(y2)} {end}"


def arrowhead(target: Node) -> str:
    tip_x, tip_y = target.x, target.y + target.height / 2
    back = tip_x - ARROW
    return f"M{_num(tip_x)} {_num(tip_y)}L{_num(back)} {_num(tip_y - 3.5)}L{_num(back)} {_num(tip_y + 3.5)}Z"


def render_lineage(view: TimelineView, link: Callable[[str], str]) -> str:
    """An inline <svg> of the lineage: a linked box per paper, an arrow per `builds_on`, months on top."""
    graph = view.lineage
    if graph is None:
        return ""
    text = view.text
    base = "lineage-graph"
    desc = text["lineage_desc"].format(papers=len(graph.nodes), links=len(graph.edges))
    by_slug = {n.slug: n for n in graph.nodes}
    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart lineage" viewBox="0 0 {_num(graph.width)} '
        f'{_num(graph.height)}" width="{_num(graph.width)}" height="{_num(graph.height)}" role="group" '
        f'aria-labelledby="{base}-title {base}-desc">',
        f'<title id="{base}-title">{_esc(text["lineage_title"])}</title>',
        f'<desc id="{base}-desc">{_esc(desc)}</desc>',
        '<g class="columns" aria-hidden="true">',
    ]
    for heading, centre in graph.columns:
        out.append(
            f'<text class="tick-label" x="{_num(centre)}" y="{_num(MARGIN + HEADER - 8)}" '
            f'text-anchor="middle">{_esc(heading)}</text>'
        )
    out.append("</g>")
    out.append('<g class="edges" aria-hidden="true">')
    for edge in graph.edges:
        source, target = by_slug[edge.source], by_slug[edge.target]
        out.append(
            f'<path class="edge" d="{edge_path(source, target, edge.turn)}" data-source="{_esc(edge.source)}" '
            f'data-target="{_esc(edge.target)}"/><path class="arrowhead" d="{arrowhead(target)}"/>'
        )
    out.append("</g>")
    out.append('<g class="nodes">')
    for node in graph.nodes:
        out.append(
            f'<a class="node" href="{_esc(link(node.path))}" data-paper="{_esc(node.slug)}">'
            f'<rect x="{_num(node.x)}" y="{_num(node.y)}" width="{_num(node.width)}" height="{_num(node.height)}" '
            f'rx="4"/><text x="{_num(node.x + node.width / 2)}" y="{_num(node.y + node.height / 2 + 4)}" '
            f'text-anchor="middle">{_esc(node.text)}</text></a>'
        )
    out.append("</g>")
    out.append("</svg>")
    return "\n".join(out)
