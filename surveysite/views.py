"""Model stage: the validated Site -> small per-language views that templates read.

Templates never see raw YAML or the content dataclasses: each view holds only display-ready
values (text in the page's language, formatted numbers, site-relative URLs).
"""

from __future__ import annotations

import bisect
import datetime as dt
import functools
from collections import Counter, defaultdict
from collections.abc import Callable
from dataclasses import dataclass, replace

from surveysite import urls
from surveysite.model import Paper, Site, Summary
from surveysite.sizes import format_count

RELATED_LIMIT = 5
PAPER_CONTENTS_MIN = 2
PAGE_CONTENTS_MIN = 3
"""Headings a body needs before its page lists them: a paper's summary sits under the page's
long header, so two already help; a free page is read top to bottom and needs more."""


@dataclass(frozen=True)
class Ref:
    """A link to another page: display text and site-relative path ('papers/x/')."""

    text: str
    path: str


@dataclass(frozen=True)
class ContentsEntry:
    """A heading of a body, linked from its table of contents, with the subheadings under it."""

    id: str
    text: str
    children: tuple[ContentsEntry, ...] = ()


def contents(summary: Summary, minimum: int) -> tuple[ContentsEntry, ...]:
    """The body's headings nested by level (subheadings under the heading before them), or ()
    when it has fewer than `minimum` of them."""
    if len(summary.headings) < minimum:
        return ()
    top = min(level for level, _ident, _text in summary.headings)
    entries: list[ContentsEntry] = []
    for level, ident, text in summary.headings:
        entry = ContentsEntry(ident, text)
        if level > top and entries:
            last = entries[-1]
            entries[-1] = ContentsEntry(last.id, last.text, (*last.children, entry))
        else:
            entries.append(entry)
    return tuple(entries)


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
    date: str = ""
    """The paper's first-version month, "YYYY-MM" ("" when unknown): when the result became known."""
    model_id: str = ""
    """The model's id on the compare page (urls.compare_model), for its checkbox."""


@dataclass(frozen=True)
class ResultColumn:
    benchmark: Ref
    source: str
    """The table or section most of its scores come from, given once for the column (others: footnotes)."""
    setting: str = ""
    notes: tuple[int, ...] = ()
    """Footnotes that apply to every score of the column, marked once on its header."""


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
    """The paper's results laid out as papers print them: models by benchmarks."""

    setting: str
    """The setting of every column, or each column's setting joined with ' · ' when they differ."""
    columns: tuple[ResultColumn, ...]
    rows: tuple[ResultRow, ...]
    notes: tuple[str, ...]
    """Footnotes, numbered from 1: the columns' first, then the cells' in reading order."""
    per_column: bool = False
    """Whether columns differ in setting, so that each column's is shown under its header."""
    source: str = ""
    """The source of every column when two or more share one, given once for the table ("" otherwise)."""


def result_tables(results: tuple[ResultView, ...], models: tuple[ModelView, ...]) -> tuple[ResultTable, ...]:
    """One table per group of settings that the same models were run in (in order of first appearance).

    A column holds one benchmark in one setting, so the scores down a column are comparable and those of
    two settings never share one; settings that report the same models share a table (a column each) rather
    than repeating the model rows. A note that every score of a column has is given once, on its header; a
    column's source is the one most of its scores come from, and a score from another is footnoted with its
    own. Proposed models come first.
    """
    by_setting: dict[str, list[ResultView]] = {}
    for result in results:
        by_setting.setdefault(result.setting, []).append(result)
    order = {m.name: (m.role != "proposed", index) for index, m in enumerate(models)}
    groups: dict[tuple[str, ...], list[str]] = {}
    for setting, group in by_setting.items():
        names = tuple(sorted(dict.fromkeys(r.model for r in group), key=lambda name: order[name]))
        groups.setdefault(names, []).append(setting)
    tables = []
    for names, settings in groups.items():
        found = {(r.model, r.setting, r.benchmark_id): r for s in settings for r in by_setting[s]}
        keys = [(s, ident) for s in settings for ident in dict.fromkeys(r.benchmark_id for r in by_setting[s])]
        notes: list[str] = []

        def number(note: str, notes: list[str] = notes) -> int:
            if note not in notes:
                notes.append(note)
            return notes.index(note) + 1

        columns = []
        shared: list[str] = []
        sources: list[str] = []
        for setting, ident in keys:
            column = [r for r in by_setting[setting] if r.benchmark_id == ident]
            common = {r.note for r in column}
            shared.append(common.pop() if len(common) == 1 else "")
            counts = Counter(r.source for r in column)
            sources.append(max(counts, key=lambda source: counts[source]))  # the first of the most used
            columns.append(
                ResultColumn(column[0].benchmark, sources[-1], setting, (number(shared[-1]),) if shared[-1] else ())
            )
        rows = []
        for name in names:
            cells: list[ResultCell | None] = []
            for (setting, ident), column_note, source in zip(keys, shared, sources, strict=True):
                cell = found.get((name, setting, ident))
                if cell is None:
                    cells.append(None)
                    continue
                own: tuple[int, ...] = (number(cell.note),) if cell.note and not column_note else ()
                if cell.source != source:  # a score from elsewhere than its column's: its source as a note
                    own += (number(cell.source),)
                cells.append(ResultCell(cell.score, cell.score_text, own))
            first = next(r for s in settings for r in by_setting[s] if r.model == name)
            rows.append(ResultRow(name, first.params_text, first.role, tuple(cells)))
        text = " · ".join(settings)
        common_source = sources[0] if len(sources) > 1 and len(set(sources)) == 1 else ""
        tables.append(ResultTable(text, tuple(columns), tuple(rows), tuple(notes), len(settings) > 1, common_source))
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
    compare: tuple[str, ...] = ()
    """Names of the models the index's checkbox puts on the compare page: the proposed ones (every
    model when none is proposed). With the slug, each makes a compare id (urls.compare_model)."""

    @property
    def contents(self) -> tuple[ContentsEntry, ...]:
        """The summary's table of contents (derived, so a listing without summaries has none)."""
        return contents(self.summary, PAPER_CONTENTS_MIN)


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
    history: tuple[tuple[str, tuple[ResultView, ...]], ...] = ()
    """(size class id, results that raised the best score so far, oldest first) for the classes that have any."""
    history_dates: int = 0
    """Distinct months among the results `history` draws from: a score-over-time chart needs two."""
    undated: tuple[str, ...] = ()
    """Models of sized results whose paper has no month: left out of `history`."""


def running_best(
    results: list[ResultView] | tuple[ResultView, ...], higher_is_better: bool
) -> tuple[tuple[str, tuple[ResultView, ...]], ...]:
    """Per size class, the results that beat every earlier one (by paper month) of that class.

    Within a month the best result comes first, so a month steps at most once; equal scores keep the
    earlier paper. Results without a size or a month are left out (they cannot be placed).
    """
    sign = 1 if higher_is_better else -1
    lines = []
    for ident, low, high in SIZE_CLASSES:
        members = [r for r in results if r.date and r.params is not None and low <= r.params < high]
        members.sort(key=lambda r: (r.date, -sign * r.score, r.paper.path, r.model))
        steps: list[ResultView] = []
        for result in members:
            if not steps or sign * result.score > sign * steps[-1].score:
                steps.append(result)
        if steps:
            lines.append((ident, tuple(steps)))
    return tuple(lines)


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
        sized = [r for r in results if r.params is not None]
        boards.append(
            Leaderboard(
                setting,
                tuple(ranked),
                best,
                running_best(results, bench.higher_is_better),
                len({r.date for r in sized if r.date}),
                tuple(dict.fromkeys(r.model for r in sized if not r.date)),
            )
        )
    return tuple(boards)


@dataclass(frozen=True)
class PageView:
    slug: str
    path: str
    title: str
    summary: Summary
    summary_lang: str

    @property
    def contents(self) -> tuple[ContentsEntry, ...]:
        return contents(self.summary, PAGE_CONTENTS_MIN)


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


@dataclass(frozen=True)
class SiteIndex:
    """Who refers to whom, for every language: computed once a build from the model, cheaply, so
    that one page's view can be made (and one page's key computed) without making all views."""

    papers: dict[str, Paper]
    position: dict[str, int]
    related: dict[str, tuple[str, ...]]
    built_on_by: dict[str, tuple[str, ...]]
    """Slug -> slugs of the papers that say they build on it, in the survey's order."""
    reporting: dict[str, tuple[str, ...]]
    """Benchmark id -> slugs of the papers with a result on it, in the survey's order."""
    users: dict[str, tuple[str, ...]]
    """Technique id -> slugs of the papers that use it, in the survey's order."""


def site_index(site: Site, related: dict[str, tuple[str, ...]] | None = None) -> SiteIndex:
    """`related` is related_papers(site), when the caller has it already (from the build cache)."""
    built_on_by: dict[str, list[str]] = defaultdict(list)
    reporting: dict[str, list[str]] = defaultdict(list)
    users: dict[str, list[str]] = defaultdict(list)
    for paper in site.papers:
        for other in paper.builds_on:
            built_on_by[other].append(paper.slug)
        for ident in dict.fromkeys(r.benchmark for r in paper.results):
            reporting[ident].append(paper.slug)
        for ident in paper.techniques:
            users[ident].append(paper.slug)
    return SiteIndex(
        {p.slug: p for p in site.papers},
        {p.slug: index for index, p in enumerate(site.papers)},
        related if related is not None else related_papers(site),
        {slug: tuple(others) for slug, others in built_on_by.items()},
        {ident: tuple(slugs) for ident, slugs in reporting.items()},
        {ident: tuple(slugs) for ident, slugs in users.items()},
    )


class Views:
    """The views of one language, each made when first asked for: a rebuild that renders one
    page makes the views of that page only. Equal calls return the same objects."""

    def __init__(self, site: Site, lang: str, index: SiteIndex | None = None, front: Views | None = None) -> None:
        """`front`: the views of a site whose papers differ from this one's only in their summaries
        (the dev server's previous build): the views made from front matter alone (results,
        benchmarks, references, frontiers) are its, and are not made again."""
        self.site = site
        self.lang = lang
        self.index = index if index is not None else site_index(site)
        self.default = site.config.languages[0]
        self.bench = {b.id: b for b in site.benchmarks}
        self.paper = functools.cache(self._paper)
        self.results: Callable[[str], tuple[ResultView, ...]] = (
            front.results if front is not None else functools.cache(self._results)
        )
        self.benchmark: Callable[[str], BenchmarkView | None] = (
            front.benchmark if front is not None else functools.cache(self._benchmark)
        )
        self.ref: Callable[[str], Ref] = front.ref if front is not None else functools.cache(self._ref)
        self.derived: dict[tuple[str, str], object] = front.derived if front is not None else {}
        """Values other modules derive from these views' front matter, made once: (kind, id) -> value."""

    def _ref(self, slug: str) -> Ref:
        return Ref(self.index.papers[slug].text("short_name", self.lang), urls.paper(slug))

    def _technique_ref(self, ident: str) -> Ref:
        return Ref(self.site.techniques[ident].name[self.lang], urls.technique(ident))

    def models(self, paper: Paper) -> tuple[ModelView, ...]:
        return tuple(
            ModelView(m.name, m.params, _count_text(m.params), _count_text(m.tokens), m.role) for m in paper.models
        )

    def _results(self, slug: str) -> tuple[ResultView, ...]:
        paper = self.index.papers[slug]
        params = {m.name: m for m in paper.models}
        bench = self.bench
        return tuple(
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
                paper=self.ref(slug),
                date=paper.date,
                model_id=urls.compare_model(paper.slug, r.model),
            )
            for r in paper.results
        )

    def _paper(self, slug: str) -> PaperView:
        paper, lang, index, papers = self.index.papers[slug], self.lang, self.index.position[slug], self.site.papers
        models = self.models(paper)
        results = self.results(slug)
        summary_lang = lang if lang in paper.summaries else self.default
        sizes = _sizes(paper)
        return PaperView(
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
            techniques=tuple(self._technique_ref(t) for t in paper.techniques),
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
            builds_on=tuple(self.ref(s) for s in paper.builds_on),
            built_on_by=tuple(self.ref(s) for s in self.index.built_on_by.get(slug, ())),
            history=tuple(ChangeView(c.date, c.change[lang], self.ref(slug)) for c in paper.history),
            tables=result_tables(results, models),
            related=tuple(self.ref(s) for s in self.index.related[slug]),
            previous=self.ref(papers[index - 1].slug) if index > 0 else None,
            next=self.ref(papers[index + 1].slug) if index + 1 < len(papers) else None,
            compare=tuple(m.name for m in paper.proposed or paper.models),
        )

    def _benchmark(self, ident: str) -> BenchmarkView | None:
        """None for a benchmark without results (it has no page)."""
        b = self.bench[ident]
        found = [
            r for slug in self.index.reporting.get(ident, ()) for r in self.results(slug) if r.benchmark_id == ident
        ]
        if not found:
            return None
        ordered = tuple(sorted(found, key=lambda r: (r.params or 0, r.score, r.model, r.setting)))
        return BenchmarkView(b.id, b.name, b.metric, b.higher_is_better, b.description[self.lang], ordered)

    @functools.cached_property
    def benchmarks(self) -> tuple[BenchmarkView, ...]:
        return tuple(view for b in self.site.benchmarks if (view := self.benchmark(b.id)) is not None)

    @functools.cached_property
    def groups(self) -> tuple[GroupView, ...]:
        groups = []
        for group in self.site.groups:
            group_ref = Ref(group.name[self.lang], urls.group(group.id))
            views = tuple(
                TechniqueView(
                    t.id,
                    urls.technique(t.id),
                    t.name[self.lang],
                    t.definition[self.lang],
                    group_ref,
                    tuple(self.ref(s) for s in self.index.users.get(t.id, ())),
                )
                for t in group.techniques
            )
            groups.append(GroupView(group.id, group.name[self.lang], views))
        return tuple(groups)

    @functools.cached_property
    def techniques(self) -> dict[str, TechniqueView]:
        return {t.id: t for g in self.groups for t in g.techniques}

    @functools.cached_property
    def pages(self) -> tuple[PageView, ...]:
        default = self.default
        return tuple(
            PageView(
                p.slug,
                urls.page(p.slug),
                p.title.get(self.lang, p.title[default]),
                p.summaries.get(self.lang, p.summaries[default]),
                self.lang if self.lang in p.summaries else default,
            )
            for p in self.site.pages
        )

    @functools.cached_property
    def nav(self) -> tuple[NavItem, ...]:
        return tuple(NavItem(p.slug, p.path, p.title) for p in self.pages)

    @functools.cached_property
    def all(self) -> LanguageViews:
        """Every view of the language (the feeds, the exports)."""
        papers = tuple(self.paper(p.slug) for p in self.site.papers)
        return LanguageViews(
            self.lang, papers, self.groups, tuple(self.techniques.values()), self.benchmarks, self.pages
        )

    @functools.cached_property
    def listing(self) -> LanguageViews:
        """What listing pages see: every paper without its summary, so that they change with any
        paper's front matter but not with its text."""
        v = self.all
        return replace(v, papers=tuple(replace(p, summary=_NO_SUMMARY) for p in v.papers))


_NO_SUMMARY = Summary("")


def build_views(site: Site, lang: str) -> LanguageViews:
    """All views of one language."""
    return Views(site, lang).all
