"""Render stage: views + Jinja templates -> OutputFiles (pure: nothing is written here)."""

from __future__ import annotations

import functools
import json
import traceback
from collections.abc import Callable, Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit
from xml.sax.saxutils import escape as xml_escape

import jinja2
from markupsafe import Markup

from surveysite import chart
from surveysite.errors import BuildError, SourceError
from surveysite.exports import atom_feed, bib_exports, bibtex_entries, papers_json, result_exports, scholarly_article
from surveysite.i18n import CHART_LABELS, STRINGS
from surveysite.load import display_path
from surveysite.markdown import pygments_css
from surveysite.model import Site
from surveysite.offsite import offsite_loads
from surveysite.output import OutputFile
from surveysite.parallel import parallel_map
from surveysite.schema import schema_files
from surveysite.views import (
    SIZE_BUCKETS,
    BenchmarkView,
    LanguageViews,
    PaperView,
    ResultView,
    build_views,
    related_papers,
)


def make_environment(templates: Path) -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(templates),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.filters["tojson_script"] = _json_for_script
    env.tests["contains"] = lambda sequence, item: item in sequence
    return env


def _json_for_script(value: Any) -> str:
    """JSON safe inside <script>: '<', '>' and '&' are escaped so '</script>' cannot close it."""
    text = json.dumps(value, ensure_ascii=False, sort_keys=True)
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


CSP = (
    "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; style-src 'self'; img-src 'self' data:; "
    "font-src 'self'; connect-src 'self'; worker-src 'self' blob:; object-src 'none'; base-uri 'self'; "
    "form-action 'self'"
)
"""Only this site's own files; 'wasm-unsafe-eval' lets Pagefind start its WebAssembly search."""


COMPACT_LIMIT = 60
"""A paper page's charts show every model of a benchmark up to this many results."""


def lang_prefix(site: Site, lang: str) -> str:
    return "" if lang == site.config.languages[0] else f"{lang}/"


@functools.lru_cache(maxsize=65536)
def relative(from_path: str, to_path: str) -> str:
    """Relative URL from the page at `from_path` ('papers/x/') to `to_path` ('techniques/#g').

    Plain string work on '/'-separated site paths (posixpath.relpath resolves against the current
    directory on every call, and pages make hundreds of links), cached because they repeat.
    """
    target, hash_, fragment = to_path.partition("#")
    base = from_path.split("/")[:-1]  # the page's folders: 'papers/x/' -> ['papers', 'x']
    parts = target.split("/")
    common = 0
    while common < len(base) and common < len(parts) - 1 and base[common] == parts[common]:
        common += 1
    rel = "../" * (len(base) - common) + "/".join(parts[common:])
    return (rel or "./") + hash_ + fragment


def _template_error(exc: BaseException, templates: Path) -> SourceError:
    if isinstance(exc, jinja2.TemplateSyntaxError):
        name = exc.filename or str(templates / (exc.name or "?"))
        return SourceError(display_path(Path(name)), exc.lineno, 0, f"template syntax error: {exc.message}")
    root = str(templates.resolve())
    for frame in reversed(traceback.extract_tb(exc.__traceback__)):
        if frame.filename and str(Path(frame.filename).resolve()).startswith(root):
            return SourceError(display_path(Path(frame.filename)), frame.lineno or 0, 0, f"template error: {exc}")
    return SourceError(display_path(templates), 0, 0, f"template error: {exc}")


def render_site(site: Site, templates: Path) -> list[OutputFile]:
    """Every page of every language, plus sitemap, robots.txt, exports and feeds.

    Pages are independent once the views exist, so large sites render them on every core.
    """
    env = make_environment(templates)
    try:
        jobs, files = _plan(site, env)
    except (jinja2.TemplateError, TypeError, AttributeError) as exc:
        raise BuildError([_template_error(exc, templates)]) from exc
    rendered = parallel_map(functools.partial(_run_job, templates=templates), jobs)
    if errors := [r for r in rendered if isinstance(r, SourceError)]:
        raise BuildError(errors[:1])
    files += [r for r in rendered if isinstance(r, OutputFile)]
    if errors := offsite_loads(files):
        raise BuildError(errors)
    return sorted(files, key=lambda f: f.path)


def _run_job(job: Callable[[], OutputFile], templates: Path) -> OutputFile | SourceError:
    """One page; a template error becomes a SourceError here, where its traceback still exists."""
    try:
        return job()
    except (jinja2.TemplateError, TypeError, AttributeError) as exc:
        return _template_error(exc, templates)


def _plan(site: Site, env: jinja2.Environment) -> tuple[list[Callable[[], OutputFile]], list[OutputFile]]:
    """The pages to render (as jobs) and the other files (made here: they are quick)."""
    jobs: list[Callable[[], OutputFile]] = []
    files = list(_files(site, env, jobs))
    return jobs, files


def _files(site: Site, env: jinja2.Environment, jobs: list[Callable[[], OutputFile]]) -> Iterator[OutputFile]:
    config = site.config
    languages = config.languages
    related = related_papers(site)
    views = {lang: build_views(site, lang, related) for lang in languages}
    base_path = urlsplit(config.site_url).path or "/"
    sitemap: list[tuple[str, list[tuple[str, str]]]] = []

    def page(template: str, path: str, lang: str, *, listed: bool = True, **context: Any) -> None:
        """Plan one page at site-relative `path` (without language prefix)."""
        if listed and not context.get("absolute"):
            sitemap_entry(path, lang)
        jobs.append(functools.partial(render_page, template, path, lang, **context))

    def render_page(
        template: str,
        path: str,
        lang: str,
        *,
        absolute: bool = False,
        source: str = "",
        **context: Any,
    ) -> OutputFile:
        """Render one page at site-relative `path` (without language prefix)."""
        prefix = lang_prefix(site, lang)
        here = prefix + path

        def rel(to: str) -> str:
            # The 404 page is served at any depth, so its links start at the site's root path.
            return base_path + to if absolute else relative(here, to)

        def link(to: str) -> str:
            return rel(prefix + to)

        def svg_chart(bench: BenchmarkView, **options: Any) -> Markup:
            # The chart module escapes every string it writes.
            if options.get("compact") and "paper" in context:
                bench = compact_benchmark(bench, context["paper"])
            return Markup(chart.render_chart(bench, link, labels=CHART_LABELS[lang], **options))

        def legend(bench: BenchmarkView, **options: Any) -> Markup:
            return Markup(chart.render_legend(bench, link=link, labels=CHART_LABELS[lang], **options))

        alternates = [(other, config.site_url + lang_prefix(site, other) + path) for other in languages]
        html = env.get_template(template).render(
            lang=lang,
            t=STRINGS[lang],
            site=config,
            site_title=config.title[lang],
            lang_views=views[lang],
            here=here,
            path=path,
            rel=rel,
            link=link,
            svg_chart=svg_chart,
            legend=legend,
            settings_of=chart.settings_of,
            home=prefix,
            prefix=prefix,
            alternates=alternates,
            canonical=config.site_url + here,
            languages=languages,
            lang_prefix=lambda other: lang_prefix(site, other),
            strings=STRINGS,
            csp=CSP,
            size_buckets=[ident for ident, _low, _high in SIZE_BUCKETS] + ["unknown"],
            **context,
        )
        return OutputFile(here + "index.html" if here.endswith("/") or not here else here, html.encode(), source)

    def sitemap_entry(path: str, lang: str) -> None:
        if lang == languages[0]:
            sitemap.append((path, [(o, config.site_url + lang_prefix(site, o) + path) for o in languages]))

    by_slug = {p.slug: p for p in site.papers}
    citations = bibtex_entries(site)
    frontiers: dict[int, tuple[ResultView, ...]] = {}

    def compact_benchmark(bench: BenchmarkView, paper: PaperView) -> BenchmarkView:
        """Up to COMPACT_LIMIT results, every model; beyond, the paper's own and the Pareto frontier."""
        if len(bench.results) <= COMPACT_LIMIT:
            return bench
        if id(bench) not in frontiers:  # once per benchmark, so paper pages stay linear in size
            points = chart.pareto_frontier(chart.chart_points(bench), bench.higher_is_better)
            frontiers[id(bench)] = tuple(p.result for p in points)
        own = [r for r in paper.results if r.benchmark_id == bench.id]
        kept = {id(r): r for r in (*own, *frontiers[id(bench)])}.values()
        ordered = sorted(kept, key=lambda r: (r.params or 0, r.score, r.paper.path, r.model))
        return replace(bench, results=tuple(ordered))

    for lang in languages:
        v: LanguageViews = views[lang]
        page("index.html", "", lang, title=config.title[lang])
        for paper in v.papers:
            reported = {r.benchmark_id for r in paper.results if r.params}
            on_charts = [b for b in v.benchmarks if b.id in reported]
            model = by_slug[paper.slug]
            page(
                "paper.html",
                paper.path,
                lang,
                paper=paper,
                source=model.source,
                title=paper.short_name,
                paper_benchmarks=on_charts,
                bibtex=citations[paper.slug],
                jsonld=scholarly_article(model, config.site_url + lang_prefix(site, lang) + paper.path, lang),
            )
        page("taxonomy.html", "techniques/", lang, title=STRINGS[lang]["taxonomy_heading"])
        for technique in v.techniques:
            page("technique.html", technique.path, lang, technique=technique, title=technique.name)
        page("chart.html", "chart/", lang, title=STRINGS[lang]["chart_heading"])
        page("search.html", "search/", lang, listed=False, title=STRINGS[lang]["search_heading"])
        for extra in v.pages:
            page("page.html", extra.path, lang, page=extra, title=extra.title)
    yield render_page(
        "404.html", "404.html", languages[0], absolute=True, title=STRINGS[languages[0]]["not_found_title"]
    )
    yield OutputFile("sitemap.xml", _sitemap(sitemap).encode())
    yield OutputFile("robots.txt", f"User-agent: *\nAllow: /\nSitemap: {config.site_url}sitemap.xml\n".encode())
    yield OutputFile(".nojekyll", b"")
    yield from result_exports(views[languages[0]])
    yield from bib_exports(citations)
    yield papers_json(site)
    yield from schema_files(site)
    for lang in languages:
        yield atom_feed(site, views[lang], lang_prefix(site, lang), config.title[lang])
    yield OutputFile("assets/pygments.css", pygments_css().encode())


def _sitemap(entries: list[tuple[str, list[tuple[str, str]]]]) -> str:
    lines = [
        '<?xml version="1.0" encoding="UTF-8"?>',
        '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9" xmlns:xhtml="http://www.w3.org/1999/xhtml">',
    ]
    for _path, alternates in entries:
        for _lang, url in alternates:
            lines.append(f"  <url><loc>{xml_escape(url)}</loc>")
            lines.extend(
                f'    <xhtml:link rel="alternate" hreflang="{o}" href="{xml_escape(u)}"/>' for o, u in alternates
            )
            lines.append("  </url>")
    lines.append("</urlset>")
    return "\n".join(lines) + "\n"
