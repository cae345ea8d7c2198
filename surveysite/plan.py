"""Page planning: every page of the site as (path, template, language, inputs), from the model alone.

Each page names its inputs once, here. An input gives two things: its value, made from the views
when the page is rendered, and its key, made from the model without any view. A page's template
context holds its inputs and nothing else of the site (StrictUndefined turns any other read into
an error), so a page whose inputs' keys are unchanged would render to the same bytes: it is not
rendered again, and no view is made for it.
"""

from __future__ import annotations

import dataclasses
import functools
from collections.abc import Iterator
from dataclasses import dataclass, replace
from typing import Any, NamedTuple, Protocol, cast

from surveysite import chart, digest, timeline, urls
from surveysite.exports import bibtex, coins, page_about_paper, survey_bibtex
from surveysite.model import Site, Summary
from surveysite.validate import SLUG
from surveysite.views import (
    SIZE_CLASSES,
    BenchmarkView,
    Leaderboard,
    Ref,
    ResultView,
    SiteIndex,
    Views,
    leaderboards,
    site_index,
)


class Input(Protocol):
    def key(self, keys: Keys) -> Any:
        """What the value is made of, as plain data (str, bytes, numbers, bools, None, tuples of
        them; see digest.plain): page keys are made of these in bulk."""

    def value(self, views: Views) -> Any: ...


@dataclass(frozen=True)
class Page:
    template: str
    path: str
    """Site-relative, without the language prefix ('papers/x/', '' for the home page)."""
    lang: str
    inputs: tuple[tuple[str, Input], ...]
    """(context name, input): all the template sees of the site besides the site-wide globals."""
    listed: bool = True
    """In the sitemap."""
    absolute: bool = False
    """Links start at the site's root path: the 404 page is served at any depth."""
    source: str = ""
    """The content file it shows, for messages."""


# --- the key side: plain data from the model ------------------------------------------------------


class Drawn(NamedTuple):
    """A result as a chart and a leaderboard show it, with the view's order fields first."""

    params: int | None
    score: float
    model: str
    setting: str
    slug: str
    short_name: str
    source: str
    note: str
    role: str
    date: str


class Keys:
    """The key of each input of one language, from the model; equal keys mean equal values."""

    def __init__(self, site: Site, lang: str, index: SiteIndex) -> None:
        self.site = site
        self.lang = lang
        self.index = index
        self._papers: dict[str, bytes] = {}
        self.benchmark = functools.cache(self._benchmark)
        self.frontier = functools.cache(self._frontier)
        self.ref = functools.cache(self._ref)

    def paper(self, slug: str) -> bytes:
        found = self._papers.get(slug)
        if found is None:
            found = self._papers[slug] = self._paper(slug)
        return found

    def updated(self, site: Site, index: SiteIndex, edited: set[str]) -> Keys:
        """These keys, for a site that differs from theirs only in the summaries of the papers
        `edited` (render._edited_summaries): only those papers' own keys read a summary, so
        every other key found so far stands."""
        self.site, self.index = site, index
        for slug in edited:
            self._papers.pop(slug, None)
        return self

    def prepare(self) -> None:
        """Find what many pages' keys share (every benchmark's results and frontier) now, in
        this process, rather than once in each worker that keys pages."""
        for ident in self._drawn:
            self.frontier(ident)

    def _ref(self, slug: str) -> tuple[str, str]:
        return slug, self.index.papers[slug].text("short_name", self.lang)

    @functools.cached_property
    def everything(self) -> bytes:
        """Every paper's front matter and the free pages: what listing pages and exports show."""
        return digest.digest(self.site.digest, [p.digest for p in self.site.papers], self.site.pages)

    @functools.cached_property
    def techniques(self) -> dict[str, tuple[str, str, str, str]]:
        """Technique id -> what a page shows of it: name, definition, group id and group name."""
        lang = self.lang
        return {
            t.id: (t.name[lang], t.definition[lang], g.id, g.name[lang]) for g in self.site.groups for t in g.techniques
        }

    @functools.cached_property
    def benchmarks(self) -> dict[str, tuple[str, str, bool, str]]:
        """Benchmark id -> what a page shows of it: name, metric, direction and description."""
        return {b.id: (b.name, b.metric, b.higher_is_better, b.description[self.lang]) for b in self.site.benchmarks}

    def _paper(self, slug: str) -> bytes:
        paper, papers, index = self.index.papers[slug], self.site.papers, self.index.position[slug]
        summary = paper.summaries.get(self.lang, paper.summaries[self.site.config.languages[0]])
        near = [papers[i].slug for i in (index - 1, index + 1) if 0 <= i < len(papers)]
        others = (*paper.builds_on, *self.index.built_on_by.get(slug, ()), *self.index.related[slug], *near)
        translated = self.lang in paper.summaries
        named = (
            tuple(self.techniques[t] for t in paper.techniques),
            tuple(self.benchmarks[b] for b in dict.fromkeys(r.benchmark for r in paper.results)),
        )
        shown = (*summary_fields(summary), translated, index > 0)
        return digest.plain((paper.digest, shown, tuple(self.ref(s) for s in others), named))

    def drawn(self, ident: str) -> list[Drawn]:
        """The benchmark's results in its view's order (views.Views._benchmark sorts the same way)."""
        return self._drawn.get(ident, [])

    @functools.cached_property
    def _drawn(self) -> dict[str, list[Drawn]]:
        """Every benchmark's results, in one pass over the papers."""
        found: dict[str, list[Drawn]] = {}
        for paper in self.site.papers:
            models = {m.name: m for m in paper.models}
            short = paper.text("short_name", self.lang)
            for r in paper.results:
                m = models[r.model]
                drawn = Drawn(
                    m.params, r.score, r.model, r.setting, paper.slug, short, r.source, r.note, m.role, paper.date
                )
                found.setdefault(r.benchmark, []).append(drawn)
        for results in found.values():
            results.sort(key=lambda d: (d.params or 0, d.score, d.model, d.setting))
        return found

    def _benchmark(self, ident: str) -> bytes:
        return digest.plain((self.benchmarks[ident], tuple(self.drawn(ident))))

    def _frontier(self, ident: str) -> bytes:
        higher = self.benchmarks[ident][2]
        return digest.plain((self.benchmarks[ident], tuple(chart.compact_frontier(self.drawn(ident), higher))))

    def charts(self, slug: str) -> bytes:
        """What the paper's small charts draw: each benchmark's frontier and the paper's own
        results (in the paper's digest): a score edit elsewhere changes them only if it moves a frontier."""
        parts = tuple((ident, self.frontier(ident)) for ident in charted(self.index, slug))
        return digest.plain((self.index.papers[slug].digest, self.ref(slug), parts))

    def technique(self, ident: str) -> bytes:
        return digest.plain((self.techniques[ident], tuple(self.ref(s) for s in self.index.users.get(ident, ()))))


def summary_fields(summary: Summary) -> tuple[Any, ...]:
    """Every field of the summary as plain data, so that a field added to Summary is covered; the
    HTML by its digest (repr would copy and escape every body again)."""
    fields = (getattr(summary, f.name) for f in dataclasses.fields(summary))
    return tuple(digest.of_bytes(v.encode()) if isinstance(v, str) else v for v in fields)


def charted(index: SiteIndex, slug: str) -> list[str]:
    """Benchmarks the paper's page charts: those of its results with a model size, in site order."""
    paper = index.papers[slug]
    sizes = {m.name: m.params for m in paper.models}
    return list(dict.fromkeys(r.benchmark for r in paper.results if sizes[r.model]))


# --- inputs -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Literal:
    """A value the plan already holds, such as a title."""

    data: Any

    def key(self, keys: Keys) -> Any:
        return self.data

    def value(self, views: Views) -> Any:
        return self.data


@dataclass(frozen=True)
class PaperOf:
    slug: str

    def key(self, keys: Keys) -> Any:
        return keys.paper(self.slug)

    def value(self, views: Views) -> Any:
        return views.paper(self.slug)


@dataclass(frozen=True)
class ChartsOf:
    """The benchmarks of the paper's compact charts, each holding only what its chart draws."""

    slug: str

    def key(self, keys: Keys) -> Any:
        return keys.charts(self.slug)

    def value(self, views: Views) -> Any:
        benches = [b for ident in _site_order(views, charted(views.index, self.slug)) if (b := views.benchmark(ident))]
        return tuple(_compact(views, b, self.slug) for b in benches)


def _site_order(views: Views, idents: list[str]) -> list[str]:
    wanted = set(idents)
    return [b.id for b in views.site.benchmarks if b.id in wanted]


def _compact(views: Views, bench: BenchmarkView, slug: str) -> BenchmarkView:
    """The benchmark with the results a paper page's small chart draws: the paper's own and the
    frontier (found once a benchmark, so that paper pages stay linear in the survey's size)."""
    known = views.derived.get(("frontier", bench.id))
    if known is None:
        known = views.derived[("frontier", bench.id)] = tuple(
            chart.compact_frontier(bench.results, bench.higher_is_better)
        )
    frontier = cast(tuple[ResultView, ...], known)
    own = [r for r in views.results(slug) if r.benchmark_id == bench.id]
    kept = {id(r): r for r in (*own, *frontier)}.values()  # the views' own objects: one of each
    ordered = sorted(kept, key=lambda r: (r.params or 0, r.score, r.paper.path, r.model))
    return replace(bench, results=tuple(ordered))


@dataclass(frozen=True)
class CitationOf:
    slug: str

    def key(self, keys: Keys) -> Any:
        return keys.index.papers[self.slug].digest

    def value(self, views: Views) -> Any:
        return bibtex(views.index.papers[self.slug], views.site.config.site_url + urls.paper(self.slug))


@dataclass(frozen=True)
class CoinsOf:
    """The paper as an OpenURL ContextObject, for reference managers."""

    slug: str

    def key(self, keys: Keys) -> Any:
        return keys.index.papers[self.slug].digest

    def value(self, views: Views) -> Any:
        return coins(views.index.papers[self.slug])


@dataclass(frozen=True)
class AboutOf:
    """The page's JSON-LD: a WebPage in the page's language about the paper."""

    slug: str
    url: str

    def key(self, keys: Keys) -> Any:
        return keys.index.papers[self.slug].digest

    def value(self, views: Views) -> Any:
        return page_about_paper(views.index.papers[self.slug], self.url, views.lang)


@dataclass(frozen=True)
class BenchmarkOf:
    ident: str

    def key(self, keys: Keys) -> Any:
        return keys.benchmark(self.ident)

    def value(self, views: Views) -> Any:
        return views.benchmark(self.ident)


@dataclass(frozen=True)
class BoardsOf:
    ident: str

    def key(self, keys: Keys) -> Any:
        return keys.benchmark(self.ident)

    def value(self, views: Views) -> tuple[Leaderboard, ...]:
        bench = views.benchmark(self.ident)
        assert bench is not None
        return leaderboards(bench, chart.settings_of(bench))


@dataclass(frozen=True)
class TechniqueOf:
    ident: str

    def key(self, keys: Keys) -> Any:
        return keys.technique(self.ident)

    def value(self, views: Views) -> Any:
        return views.techniques[self.ident]


@dataclass(frozen=True)
class FreePageOf:
    slug: str

    def key(self, keys: Keys) -> Any:
        return digest.digest(next(p for p in keys.site.pages if p.slug == self.slug))

    def value(self, views: Views) -> Any:
        return next(p for p in views.pages if p.slug == self.slug)


@dataclass(frozen=True)
class Listing:
    """Every paper, technique and benchmark of the language, without the papers' summaries."""

    def key(self, keys: Keys) -> Any:
        return keys.everything

    def value(self, views: Views) -> Any:
        return views.listing


@dataclass(frozen=True)
class BenchmarkRows:
    """One row per benchmark for the benchmarks index: the benchmark and its main leaderboard."""

    def key(self, keys: Keys) -> Any:
        return keys.everything

    def value(self, views: Views) -> Any:
        return [{"bench": b, "board": leaderboards(b, chart.settings_of(b))[0]} for b in views.benchmarks]


@dataclass(frozen=True)
class Timeline:
    """The timeline page: every paper's month, name, proposed sizes, tldr and builds_on (front matter)."""

    def key(self, keys: Keys) -> Any:
        return keys.everything

    def value(self, views: Views) -> Any:
        return timeline.build_timeline(views.listing, views.site.strings[views.lang])


@dataclass(frozen=True)
class BenchmarkLinks:
    """A link to every benchmark page (the compare page's text without JavaScript)."""

    def key(self, keys: Keys) -> Any:
        return tuple((b.id, b.name) for b in keys.site.benchmarks if b.id in keys.index.reporting)

    def value(self, views: Views) -> Any:
        return [Ref(b.name, urls.benchmark(b.id)) for b in views.site.benchmarks if b.id in views.index.reporting]


@dataclass(frozen=True)
class SurveyCitation:
    def key(self, keys: Keys) -> Any:
        return None  # site.yaml is in every page's key

    def value(self, views: Views) -> Any:
        return survey_bibtex(views.site)


# --- the plan -----------------------------------------------------------------------------------


def plan_site(site: Site, index: SiteIndex | None = None) -> Iterator[Page]:
    """Every page of every language, in a fixed order (the sitemap's)."""
    index = index if index is not None else site_index(site)
    config = site.config
    with_results = set(index.reporting)
    for lang in config.languages:
        strings = site.strings[lang]
        prefix = urls.lang_prefix(lang, config.languages)

        def page(
            template: str, path: str, *, listed: bool = True, source: str = "", lang: str = lang, **inputs: Input
        ) -> Page:
            return Page(template, path, lang, tuple(sorted(inputs.items())), listed, source=source)

        yield page("index.html", "", title=Literal(config.title[lang]), lang_views=Listing())
        for paper in site.papers:
            slug = paper.slug
            yield page(
                "paper.html",
                urls.paper(slug),
                source=paper.source,
                paper=PaperOf(slug),
                title=Literal(paper.text("short_name", lang)),
                paper_benchmarks=ChartsOf(slug),
                bibtex=CitationOf(slug),
                jsonld=AboutOf(slug, config.site_url + prefix + urls.paper(slug)),
                coins=CoinsOf(slug),
            )
        yield page("taxonomy.html", urls.TAXONOMY, title=Literal(strings["taxonomy_heading"]), lang_views=Listing())
        for group in site.groups:
            for technique in group.techniques:
                ident = technique.id
                title = Literal(technique.name[lang])
                yield page("technique.html", urls.technique(ident), technique=TechniqueOf(ident), title=title)
        yield page("chart.html", urls.CHART, title=Literal(strings["chart_heading"]), lang_views=Listing())
        for bench in site.benchmarks:
            if bench.id in with_results:
                yield page(
                    "benchmark.html",
                    urls.benchmark(bench.id),
                    bench=BenchmarkOf(bench.id),
                    boards=BoardsOf(bench.id),
                    title=Literal(bench.name),
                )
        yield page(
            "benchmarks.html",
            urls.BENCHMARKS,
            benchmark_rows=BenchmarkRows(),
            size_classes=Literal(tuple(ident for ident, _low, _high in SIZE_CLASSES)),
            title=Literal(strings["benchmarks_heading"]),
        )
        yield page("timeline.html", urls.TIMELINE, timeline=Timeline(), title=Literal(strings["timeline_heading"]))
        yield page(
            "compare.html",
            urls.COMPARE,
            benchmark_refs=BenchmarkLinks(),
            years=Literal(tuple(sorted({p.year for p in site.papers}, reverse=True))),
            slug=Literal(SLUG.pattern),
            title=Literal(strings["compare_heading"]),
        )
        yield page("search.html", urls.SEARCH, listed=False, title=Literal(strings["search_heading"]))
        yield page("changes.html", urls.CHANGES, title=Literal(strings["changes_heading"]), lang_views=Listing())
        for extra in site.pages:
            cite: Input = SurveyCitation() if extra.slug == "about" else Literal("")
            title = Literal(extra.title.get(lang, extra.title[config.languages[0]]))
            yield page("page.html", urls.page(extra.slug), page=FreePageOf(extra.slug), title=title, survey_bibtex=cite)
    first = config.languages[0]
    title = Literal(site.strings[first]["not_found_title"])
    yield Page("404.html", urls.NOT_FOUND, first, (("title", title),), listed=False, absolute=True)
