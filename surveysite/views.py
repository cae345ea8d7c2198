"""Model stage: the validated Site -> small per-language views that templates read.

Templates never see raw YAML or the content dataclasses: each view holds only display-ready
values (text in the page's language, formatted numbers, site-relative URLs).
"""

from __future__ import annotations

import bisect
import datetime as dt
import functools
from collections import defaultdict
from dataclasses import dataclass

from surveysite import urls
from surveysite.model import Paper, Site, Summary
from surveysite.sizes import format_count

RELATED_LIMIT = 5


@dataclass(frozen=True)
class Ref:
    """A link to another page: display text and site-relative path ('papers/x/')."""

    text: str
    path: str


@dataclass(frozen=True)
class ModelView:
    name: str
    params: int | None
    params_text: str
    tokens_text: str
    role: str


@dataclass(frozen=True)
class ResultView:
    benchmark_id: str
    model: str
    params: int | None
    params_text: str
    benchmark: Ref
    setting: str
    score: float
    score_text: str
    source: str
    note: str
    role: str
    paper: Ref


@dataclass(frozen=True)
class ResultColumn:
    benchmark: Ref
    source: str
    """The tables or sections its scores come from, given once for the column."""


@dataclass(frozen=True)
class ResultCell:
    score: float
    score_text: str
    notes: tuple[int, ...] = ()
    """Numbers of the table's footnotes that apply to this score."""


@dataclass(frozen=True)
class ResultRow:
    model: str
    params_text: str
    role: str
    cells: tuple[ResultCell | None, ...]
    """One per column; None where the paper reports no score."""


@dataclass(frozen=True)
class ResultTable:
    """The paper's results in one setting, laid out as papers print them: models by benchmarks."""

    setting: str
    columns: tuple[ResultColumn, ...]
    rows: tuple[ResultRow, ...]
    notes: tuple[str, ...]
    """Footnotes, numbered from 1 in cell order."""


def result_tables(results: tuple[ResultView, ...], models: tuple[ModelView, ...]) -> tuple[ResultTable, ...]:
    """One table per setting (in order of first appearance): results in one setting are comparable,
    results in two are not, so they never share a table. Proposed models come first."""
    by_setting: dict[str, list[ResultView]] = {}
    for result in results:
        by_setting.setdefault(result.setting, []).append(result)
    order = {m.name: (m.role != "proposed", index) for index, m in enumerate(models)}
    tables = []
    for setting, group in by_setting.items():
        benchmarks = list(dict.fromkeys(r.benchmark_id for r in group))
        names = sorted(dict.fromkeys(r.model for r in group), key=lambda name: order[name])
        found = {(r.model, r.benchmark_id): r for r in group}
        notes: list[str] = []
        rows = []
        for name in names:
            cells: list[ResultCell | None] = []
            for ident in benchmarks:
                cell = found.get((name, ident))
                if cell is None:
                    cells.append(None)
                    continue
                numbers: tuple[int, ...] = ()
                if cell.note:
                    if cell.note not in notes:
                        notes.append(cell.note)
                    numbers = (notes.index(cell.note) + 1,)
                cells.append(ResultCell(cell.score, cell.score_text, numbers))
            first = next(r for r in group if r.model == name)
            rows.append(ResultRow(name, first.params_text, first.role, tuple(cells)))
        columns = tuple(
            ResultColumn(
                next(r.benchmark for r in group if r.benchmark_id == ident),
                ", ".join(dict.fromkeys(r.source for r in group if r.benchmark_id == ident)),
            )
            for ident in benchmarks
        )
        tables.append(ResultTable(setting, columns, tuple(rows), tuple(notes)))
    return tuple(tables)


@dataclass(frozen=True)
class PaperView:
    slug: str
    path: str
    title: str
    short_name: str
    authors: tuple[str, ...]
    year: int
    venue: str
    arxiv: str
    tldr: str
    links: tuple[tuple[str, str], ...]
    """(kind, url) pairs in display order."""
    license: str
    techniques: tuple[Ref, ...]
    technique_ids: tuple[str, ...]
    models: tuple[ModelView, ...]
    results: tuple[ResultView, ...]
    size_text: str
    """Sizes of the proposed models, e.g. '1.1B' or '80M–11B'."""
    size_sort: int
    """The smallest of those sizes (0 if none), for sorting tables."""
    size_buckets: tuple[str, ...]
    """Ids from SIZE_BUCKETS holding one of those sizes ('unknown' if none), for the index filters."""
    summary: Summary
    summary_lang: str
    """Language of `summary`; differs from the page's when the translation is missing."""
    verified: dt.date | None
    added: dt.date | None
    doi: str = ""
    date: str = ""
    """Month of the first version, "YYYY-MM" ("" when unknown): the timeline's order."""
    builds_on: tuple[Ref, ...] = ()
    built_on_by: tuple[Ref, ...] = ()
    """Papers of the survey that say they build on this one."""
    history: tuple[ChangeView, ...] = ()
    """Newest first."""
    tables: tuple[ResultTable, ...] = ()
    """The results as tables, one per setting."""
    related: tuple[Ref, ...] = ()
    previous: Ref | None = None
    next: Ref | None = None


@dataclass(frozen=True)
class ChangeView:
    """A dated change to one paper's page, in the page's language."""

    date: dt.date
    text: str
    paper: Ref


@dataclass(frozen=True)
class TechniqueView:
    id: str
    path: str
    name: str
    definition: str
    group: Ref
    papers: tuple[Ref, ...]


@dataclass(frozen=True)
class GroupView:
    id: str
    name: str
    techniques: tuple[TechniqueView, ...]


@dataclass(frozen=True)
class BenchmarkView:
    id: str
    name: str
    metric: str
    higher_is_better: bool
    description: str
    results: tuple[ResultView, ...]
    """Sorted by parameter count, then score."""


SIZE_CLASSES: tuple[tuple[str, int, int], ...] = (
    ("small", 0, 10**9),
    ("mid", 10**9, 10**10),
    ("large", 10**10, 10**16),
)
"""(id, low, high): the size classes of leaderboards and the benchmark index, each [low, high)."""


@dataclass(frozen=True)
class Leaderboard:
    """One setting of a benchmark, best first (as the benchmark's metric ranks scores)."""

    setting: str
    ranked: tuple[tuple[int, ResultView], ...]
    """(rank, result); equal scores share a rank."""
    best: tuple[tuple[str, ResultView | None], ...]
    """(size class id, best result of a model of that size) for each of SIZE_CLASSES."""


def leaderboards(bench: BenchmarkView, settings: list[str]) -> tuple[Leaderboard, ...]:
    boards = []
    for setting in settings:
        results = [r for r in bench.results if r.setting == setting]
        sign = -1 if bench.higher_is_better else 1
        ordered = sorted(results, key=lambda r: (sign * r.score, r.params or 0, r.model, r.paper.path))
        ranked: list[tuple[int, ResultView]] = []
        for index, result in enumerate(ordered):
            same = ranked and ranked[-1][1].score == result.score
            ranked.append((ranked[-1][0] if same else index + 1, result))
        best = tuple(
            (ident, next((r for r in ordered if r.params is not None and low <= r.params < high), None))
            for ident, low, high in SIZE_CLASSES
        )
        boards.append(Leaderboard(setting, tuple(ranked), best))
    return tuple(boards)


@dataclass(frozen=True)
class PageView:
    slug: str
    path: str
    title: str
    summary: Summary
    summary_lang: str


@dataclass(frozen=True)
class NavItem:
    """A free page in the site's navigation bar."""

    slug: str
    path: str
    title: str


@dataclass(frozen=True)
class LanguageViews:
    """Everything the templates of one language need."""

    lang: str
    papers: tuple[PaperView, ...]
    groups: tuple[GroupView, ...]
    techniques: tuple[TechniqueView, ...]
    benchmarks: tuple[BenchmarkView, ...]
    pages: tuple[PageView, ...]

    @functools.cached_property
    def changes(self) -> tuple[ChangeView, ...]:
        """Every paper's history, newest first (the 'What changed' page and the feeds)."""
        entries = [c for p in self.papers for c in p.history]
        return tuple(sorted(entries, key=lambda c: (c.date, c.paper.path, c.text), reverse=True))

    @functools.cached_property
    def nav(self) -> tuple[NavItem, ...]:
        return tuple(NavItem(p.slug, p.path, p.title) for p in self.pages)


SIZE_BUCKETS: tuple[tuple[str, int, int], ...] = (
    ("under-1b", 0, 10**9),
    ("1b-10b", 10**9, 10**10),
    ("10b-100b", 10**10, 10**11),
    ("over-100b", 10**11, 10**16),
)
"""(id, low, high): the size ranges of the index filters, each [low, high)."""


def _sizes(paper: Paper) -> list[int]:
    """Sizes of the proposed models (of all models if none is proposed), ascending."""
    return sorted({m.params for m in (paper.proposed or paper.models) if m.params})


def _size_buckets(sizes: list[int]) -> tuple[str, ...]:
    return tuple(ident for ident, low, high in SIZE_BUCKETS if any(low <= s < high for s in sizes)) or ("unknown",)


def _size_text(sizes: list[int]) -> str:
    if not sizes:
        return ""
    if len(sizes) == 1:
        return format_count(sizes[0])
    return f"{format_count(sizes[0])}–{format_count(sizes[-1])}"


def _count_text(count: int | None) -> str:
    return format_count(count) if count else ""


def _score_text(score: float) -> str:
    """At most two decimals, no trailing zeros: 59.2, 81.5, 75."""
    return f"{score:.2f}".rstrip("0").rstrip(".")


RELATED_WINDOW = 24
"""Per technique, only the papers nearest in year are candidates: exact for small surveys, and
linear (not quadratic) for surveys of thousands of papers, where a technique has hundreds."""


def related_papers(site: Site) -> dict[str, tuple[str, ...]]:
    """Up to RELATED_LIMIT slugs per paper, ranked by shared techniques, then year proximity."""
    by_technique: dict[str, list[tuple[int, str]]] = defaultdict(list)
    for paper in site.papers:
        for ident in paper.techniques:
            by_technique[ident].append((paper.year, paper.slug))
    for bucket in by_technique.values():
        bucket.sort()
    techniques = {p.slug: set(p.techniques) for p in site.papers}
    years = {p.slug: p.year for p in site.papers}
    related = {}
    for paper in site.papers:
        candidates: set[str] = set()
        for ident in paper.techniques:
            bucket = by_technique[ident]
            if len(bucket) <= RELATED_WINDOW:
                candidates.update(slug for _, slug in bucket)
                continue
            middle = bisect.bisect_left(bucket, (paper.year, paper.slug))
            low = max(0, min(middle - RELATED_WINDOW // 2, len(bucket) - RELATED_WINDOW))
            candidates.update(slug for _, slug in bucket[low : low + RELATED_WINDOW])
        candidates.discard(paper.slug)
        mine = techniques[paper.slug]
        shared = {other: len(mine & techniques[other]) for other in candidates}
        ranked = sorted(shared, key=lambda s: (-shared[s], abs(years[s] - paper.year), s))
        related[paper.slug] = tuple(ranked[:RELATED_LIMIT])
    return related


def build_views(site: Site, lang: str, related: dict[str, tuple[str, ...]] | None = None) -> LanguageViews:
    """All views of one language; the site model is complete before any page is rendered."""
    default = site.config.languages[0]
    techniques = site.techniques
    bench = {b.id: b for b in site.benchmarks}
    related = related if related is not None else related_papers(site)

    def technique_ref(ident: str) -> Ref:
        return Ref(techniques[ident].name[lang], urls.technique(ident))

    def paper_ref(paper: Paper) -> Ref:
        return Ref(paper.text("short_name", lang), urls.paper(paper.slug))

    refs = {p.slug: paper_ref(p) for p in site.papers}
    built_on_by: dict[str, list[Ref]] = defaultdict(list)
    for paper in site.papers:
        for other in paper.builds_on:
            built_on_by[other].append(refs[paper.slug])
    papers = []
    for index, paper in enumerate(site.papers):
        params = {m.name: m for m in paper.models}
        models = tuple(
            ModelView(m.name, m.params, _count_text(m.params), _count_text(m.tokens), m.role) for m in paper.models
        )
        results = tuple(
            ResultView(
                benchmark_id=r.benchmark,
                model=r.model,
                params=params[r.model].params,
                params_text=_count_text(params[r.model].params),
                benchmark=Ref(bench[r.benchmark].name, urls.benchmark(r.benchmark)),
                setting=r.setting,
                score=r.score,
                score_text=_score_text(r.score),
                source=r.source,
                note=r.note,
                role=params[r.model].role,
                paper=refs[paper.slug],
            )
            for r in paper.results
        )
        summary_lang = lang if lang in paper.summaries else default
        sizes = _sizes(paper)
        papers.append(
            PaperView(
                slug=paper.slug,
                path=urls.paper(paper.slug),
                title=paper.text("title", lang),
                short_name=paper.text("short_name", lang),
                authors=paper.authors,
                year=paper.year,
                venue=paper.venue,
                arxiv=paper.arxiv,
                tldr=paper.text("tldr", lang),
                links=tuple(paper.links.items()),
                license=paper.license,
                techniques=tuple(technique_ref(t) for t in paper.techniques),
                technique_ids=paper.techniques,
                models=models,
                results=results,
                size_text=_size_text(sizes),
                size_sort=next(iter(sizes), 0),
                size_buckets=_size_buckets(sizes),
                summary=paper.summaries[summary_lang],
                summary_lang=summary_lang,
                verified=paper.verified,
                added=paper.added,
                doi=paper.doi,
                date=paper.date,
                builds_on=tuple(refs[s] for s in paper.builds_on),
                built_on_by=tuple(built_on_by[paper.slug]),
                history=tuple(ChangeView(c.date, c.change[lang], refs[paper.slug]) for c in paper.history),
                tables=result_tables(results, models),
                related=tuple(refs[s] for s in related[paper.slug]),
                previous=refs[site.papers[index - 1].slug] if index > 0 else None,
                next=refs[site.papers[index + 1].slug] if index + 1 < len(site.papers) else None,
            )
        )

    users: dict[str, list[Ref]] = defaultdict(list)
    for paper in site.papers:
        for ident in paper.techniques:
            users[ident].append(refs[paper.slug])
    groups = []
    for group in site.groups:
        group_ref = Ref(group.name[lang], urls.group(group.id))
        views = tuple(
            TechniqueView(t.id, urls.technique(t.id), t.name[lang], t.definition[lang], group_ref, tuple(users[t.id]))
            for t in group.techniques
        )
        groups.append(GroupView(group.id, group.name[lang], views))

    by_benchmark: dict[str, list[ResultView]] = defaultdict(list)
    for view in papers:
        for result in view.results:
            by_benchmark[result.benchmark_id].append(result)
    benchmarks = tuple(
        BenchmarkView(
            b.id,
            b.name,
            b.metric,
            b.higher_is_better,
            b.description[lang],
            tuple(sorted(by_benchmark[b.id], key=lambda r: (r.params or 0, r.score, r.model, r.setting))),
        )
        for b in site.benchmarks
        if by_benchmark[b.id]
    )
    pages = tuple(
        PageView(
            p.slug,
            urls.page(p.slug),
            p.title.get(lang, p.title[default]),
            p.summaries.get(lang, p.summaries[default]),
            lang if lang in p.summaries else default,
        )
        for p in site.pages
    )
    return LanguageViews(
        lang,
        tuple(papers),
        tuple(groups),
        tuple(t for g in groups for t in g.techniques),
        benchmarks,
        pages,
    )
