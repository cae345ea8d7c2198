"""Render stage: views + Jinja templates -> OutputFiles (pure: nothing is written here)."""

from __future__ import annotations

import functools
import hashlib
import io
import json
import pickle
import re
import traceback
from collections import defaultdict
from collections.abc import Callable, Iterator
from dataclasses import dataclass, replace
from html import unescape as html_unescape
from pathlib import Path
from typing import Any, cast
from urllib.parse import urlsplit
from xml.sax.saxutils import escape as xml_escape

import jinja2
import jinja2.bccache
import jinja2.meta
from markupsafe import Markup

from surveysite import chart, timeline, urls
from surveysite.cache import Cache, code_digest
from surveysite.errors import BuildError, SourceError, display_path
from surveysite.exports import (
    atom_feed,
    benchmark_exports,
    bib_exports,
    bibtex_entries,
    page_about_paper,
    papers_json,
    result_exports,
    survey_bibtex,
)
from surveysite.figures import published
from surveysite.i18n import CHART_LABELS
from surveysite.markdown import pygments_css
from surveysite.model import Site, Summary
from surveysite.offsite import offsite_loads
from surveysite.output import Kept, OutputFile
from surveysite.parallel import parallel_iter
from surveysite.schema import schema_files
from surveysite.theme import ignored, template_folders
from surveysite.views import (
    SIZE_BUCKETS,
    SIZE_CLASSES,
    BenchmarkView,
    LanguageViews,
    PaperView,
    ResultView,
    build_views,
    leaderboards,
    related_papers,
)


class _CompiledTemplates(jinja2.BytecodeCache):
    """Compiled templates kept in the build cache, keyed by their source: compiling costs more
    than rendering a small survey."""

    def __init__(self, cache: Cache) -> None:
        self.cache = cache

    def load_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        code = self.cache.get(self.cache.key("template", bucket.key, bucket.checksum))
        if code is not None:
            bucket.bytecode_from_string(code)

    def dump_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        self.cache.put(self.cache.key("template", bucket.key, bucket.checksum), bucket.bytecode_to_string())


def make_environment(templates: Path, cache: Cache | None = None) -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(template_folders(templates)),
        bytecode_cache=_CompiledTemplates(cache) if cache is not None else None,
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


_FIGURE_SRC = re.compile(r' src="figures/([^"]+)"')
_HEADING = re.compile(r"<(/?)h([3-6])\b")
"""How a body's figure appears in its rendering (validation allows no other local image)."""

COMPACT_LIMIT = 60
"""A paper page's charts show every model of a benchmark up to this many results."""


def lang_prefix(site: Site, lang: str) -> str:
    return urls.lang_prefix(lang, site.config.languages)


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


_NO_SUMMARY = Summary("")


def _file_path(here: str) -> str:
    """The file of the page at `here`: folders ('papers/x/', '') get an index.html."""
    return here + "index.html" if here.endswith("/") or not here else here


def _template_error(exc: BaseException, templates: Path) -> SourceError:
    if isinstance(exc, jinja2.TemplateSyntaxError):
        name = exc.filename or str(templates / (exc.name or "?"))
        return SourceError(display_path(Path(name)), exc.lineno, 0, f"template syntax error: {exc.message}")
    roots = tuple(str(folder.resolve()) for folder in template_folders(templates))
    for frame in reversed(traceback.extract_tb(exc.__traceback__)):
        if frame.filename and str(Path(frame.filename).resolve()).startswith(roots):
            return SourceError(display_path(Path(frame.filename)), frame.lineno or 0, 0, f"template error: {exc}")
    return SourceError(display_path(templates), 0, 0, f"template error: {exc}")


def render_site(
    site: Site, templates: Path, keep: Keep | None = None, cache: Cache | None = None
) -> Iterator[OutputFile | Kept]:
    """Every page of every language, plus sitemap, robots.txt, exports and feeds, as they are made.

    Pages are independent once the views exist, so large sites render them on every core. A page
    whose inputs digest to the key it had in the previous build is not rendered again when
    `keep(path, key)` says that build's file is still in place: it comes out as Kept.
    """
    cache = cache if cache is not None else Cache(None)
    env = make_environment(templates, cache)
    jobs: list[_Job] = []
    try:
        files = list(_files(site, env, templates, cache, jobs))  # the pages become jobs; other files are quick
    except (jinja2.TemplateError, TypeError, AttributeError) as exc:
        raise BuildError([_template_error(exc, templates)]) from exc
    errors = offsite_loads(files)
    yield from files
    for result in parallel_iter(functools.partial(_run_job, templates=templates, keep=keep), jobs):
        if isinstance(result, SourceError):
            raise BuildError([result])
        if isinstance(result, list):
            errors += result
            continue
        yield result
    if errors:
        raise BuildError(errors)


Keep = Callable[[str, bytes], bool]
"""keep(path, key): the previous build wrote `path` from inputs with this key, and it is intact."""


@dataclass(frozen=True)
class _Job:
    path: str
    key_parts: tuple[Any, ...]
    """What the page is made of, digested (by _run_job, on any core) into its key."""
    render: Callable[[], OutputFile]


def _run_job(job: _Job, templates: Path, keep: Keep | None) -> OutputFile | Kept | SourceError | list[SourceError]:
    """One page: Kept when unchanged, else rendered and checked for off-site loads. A template
    error becomes a SourceError here, where its traceback still exists."""
    key = _digest(job.key_parts)
    if keep is not None and keep(job.path, key):
        return Kept(job.path, key)
    try:
        page = replace(job.render(), key=key)
    except (jinja2.TemplateError, TypeError, AttributeError) as exc:
        return _template_error(exc, templates)
    return offsite_loads([page]) or page


def _fingerprint(value: Any) -> bytes:
    """Bytes that are equal exactly when the values are: pickle without its memo, so that shared
    and merely equal objects give the same bytes."""
    buffer = io.BytesIO()
    pickler = pickle.Pickler(buffer, protocol=pickle.HIGHEST_PROTOCOL)
    pickler.fast = True
    pickler.dump(value)
    return buffer.getvalue()


def _digest(value: Any) -> bytes:
    return hashlib.blake2b(_fingerprint(value), digest_size=16).digest()


@functools.lru_cache(maxsize=1)
def _code_digest() -> str:
    """The renderer itself: every module of surveysite and the template engine's version."""
    return code_digest(sorted(p.name for p in Path(__file__).parent.glob("*.py")), ("jinja2", "markupsafe"))


def _templates_digest(templates: Path) -> bytes:
    digest = hashlib.blake2b()
    for folder in template_folders(templates):
        digest.update(str(folder).encode() + b"\0")
        for file in sorted(p for p in folder.rglob("*") if p.is_file() and not ignored(p.name)):
            digest.update(file.relative_to(folder).as_posix().encode() + b"\0" + file.read_bytes() + b"\0")
    return digest.digest()


def _reads_everything(env: jinja2.Environment, cache: Cache) -> Callable[[str], bool]:
    """Whether a template, or one it extends, includes or imports, reads `lang_views` (every
    paper of the language): such pages change with any paper. Others see only what they are given."""

    @functools.cache
    def parsed(name: str) -> tuple[bool, tuple[str | None, ...]]:
        assert env.loader is not None
        source, filename, _uptodate = env.loader.get_source(env, name)
        key = cache.key("template-reads", source)
        if (known := cache.get(key)) is None:
            tree = env.parse(source, name, filename)
            names = jinja2.meta.find_undeclared_variables(tree)
            known = "lang_views" in names, tuple(jinja2.meta.find_referenced_templates(tree))
            cache.put(key, known)
        return cast(tuple[bool, tuple[str | None, ...]], known)

    @functools.cache
    def reads(name: str) -> bool:
        seen = {name}
        todo = [name]
        while todo:
            own, others = parsed(todo.pop())
            if own or None in others:  # None: a name computed at render time, so any template
                return True
            todo += [o for o in others if o is not None and o not in seen]
            seen.update(todo)
        return False

    return reads


def _files(
    site: Site, env: jinja2.Environment, templates: Path, cache: Cache, jobs: list[_Job]
) -> Iterator[OutputFile]:
    config = site.config
    languages = config.languages
    related = related_papers(site)
    views = {lang: build_views(site, lang, related) for lang in languages}
    base_path = urlsplit(config.site_url).path or "/"
    sitemap: list[tuple[str, list[tuple[str, str]]]] = []
    common = _digest((_code_digest(), _templates_digest(templates), config, site.figures))
    figures = {f.name: f for f in site.figures}
    reads_everything = _reads_everything(env, cache)
    strings = _digest(sorted((code, sorted(table.items())) for code, table in site.strings.items()))
    # Views are made from the Site model by code digested in `common`. Leaving out the papers'
    # summaries (which listing pages do not see), the model is made from the front matter and
    # YAML files that Paper.digest and Site.digest name: those stand for the views in page keys.
    everything = _digest((site.digest, [p.digest for p in site.papers], site.pages))
    charting: dict[str, list[bytes]] = defaultdict(list)
    for paper_model in site.papers:
        for ident in dict.fromkeys(r.benchmark for r in paper_model.results):
            charting[ident].append(paper_model.digest)
    benchmark_digests = {ident: _digest((site.digest, ident, papers)) for ident, papers in charting.items()}

    @functools.cache
    def listing(lang: str) -> LanguageViews:
        """What `lang_views` holds: every paper without its summary, so that a listing page
        changes with any paper's metadata but not with its text."""
        v = views[lang]
        return replace(v, papers=tuple(replace(p, summary=_NO_SUMMARY) for p in v.papers))

    def page(template: str, path: str, lang: str, *, listed: bool = True, **context: Any) -> None:
        """Plan one page at site-relative `path` (without language prefix)."""
        if listed and not context.get("absolute"):
            sitemap_entry(path, lang)
        parts = {
            name: [benchmark_digests[b.id] for b in value] if name == "paper_benchmarks" else value
            for name, value in context.items()
        }
        # Every page shows interface strings, its own language's and other languages' names.
        key_parts: tuple[Any, ...] = (common, template, path, lang, views[lang].nav, strings, sorted(parts.items()))
        if reads_everything(template):
            key_parts += (everything,)
        env.get_template(template)  # compiled here, once, rather than in every worker
        render = functools.partial(render_page, template, path, lang, **context)
        jobs.append(_Job(_file_path(lang_prefix(site, lang) + path), key_parts, render))

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
            return Markup(chart.render_chart(bench, link, labels=CHART_LABELS.get(lang, {}), **options))

        def prose(html: str, *, top: bool = False) -> Markup:
            """A rendered body, its figures linked from this page, with their sizes. Bodies are
            rendered for a paper page, where they sit under an <h2>; `top` lifts their headings one
            level for a page where they follow the <h1> directly."""
            if top:
                html = _HEADING.sub(lambda m: f"<{m.group(1)}h{int(m.group(2)) - 1}", html)

            def figure(match: re.Match[str]) -> str:
                shown = figures[html_unescape(match.group(1))]
                src = xml_escape(rel(urls.figure(shown.name)), {'"': "&quot;"})
                return f' src="{src}" width="{shown.width}" height="{shown.height}"'

            return Markup(_FIGURE_SRC.sub(figure, html))

        def svg_timeline(view: timeline.TimelineView) -> Markup:
            # The timeline module escapes every string it writes, as the chart module does.
            return Markup(timeline.render_size_chart(view, link))

        def svg_lineage(view: timeline.TimelineView) -> Markup:
            return Markup(timeline.render_lineage(view, link))

        def legend(bench: BenchmarkView, **options: Any) -> Markup:
            return Markup(chart.render_legend(bench, link=link, labels=CHART_LABELS.get(lang, {}), **options))

        alternates = [(other, config.site_url + lang_prefix(site, other) + path) for other in languages]
        html = env.get_template(template).render(
            lang=lang,
            t=site.strings[lang],
            site=config,
            site_title=config.title[lang],
            lang_views=listing(lang) if reads_everything(template) else None,
            nav_pages=views[lang].nav,
            here=here,
            path=path,
            rel=rel,
            link=link,
            svg_chart=svg_chart,
            legend=legend,
            svg_timeline=svg_timeline,
            svg_lineage=svg_lineage,
            prose=prose,
            settings_of=chart.settings_of,
            home=prefix,
            prefix=prefix,
            alternates=alternates,
            canonical=config.site_url + here,
            languages=languages,
            lang_prefix=lambda other: lang_prefix(site, other),
            strings=site.strings,
            urls=urls,
            csp=CSP,
            size_buckets=[ident for ident, _low, _high in SIZE_BUCKETS] + ["unknown"],
            **context,
        )
        return OutputFile(_file_path(here), html.encode(), source)

    def sitemap_entry(path: str, lang: str) -> None:
        if lang == languages[0]:
            sitemap.append((path, [(o, config.site_url + lang_prefix(site, o) + path) for o in languages]))

    by_slug = {p.slug: p for p in site.papers}
    citations = bibtex_entries(site)
    survey_entry = survey_bibtex(site)
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
                jsonld=page_about_paper(model, config.site_url + lang_prefix(site, lang) + paper.path, lang),
            )
        page("taxonomy.html", urls.TAXONOMY, lang, title=site.strings[lang]["taxonomy_heading"])
        for technique in v.techniques:
            page("technique.html", technique.path, lang, technique=technique, title=technique.name)
        page("chart.html", urls.CHART, lang, title=site.strings[lang]["chart_heading"])
        rows = []
        for bench in v.benchmarks:
            boards = leaderboards(bench, chart.settings_of(bench))
            rows.append({"bench": bench, "board": boards[0]})
            page("benchmark.html", urls.benchmark(bench.id), lang, bench=bench, boards=boards, title=bench.name)
        classes = [ident for ident, _low, _high in SIZE_CLASSES]
        heading = site.strings[lang]["benchmarks_heading"]
        page("benchmarks.html", urls.BENCHMARKS, lang, benchmark_rows=rows, size_classes=classes, title=heading)
        history = timeline.build_timeline(v, site.strings[lang])
        page("timeline.html", urls.TIMELINE, lang, timeline=history, title=site.strings[lang]["timeline_heading"])
        page("search.html", urls.SEARCH, lang, listed=False, title=site.strings[lang]["search_heading"])
        page("changes.html", urls.CHANGES, lang, title=site.strings[lang]["changes_heading"])
        for extra in v.pages:
            cite = survey_entry if extra.slug == "about" else ""
            page("page.html", extra.path, lang, page=extra, title=extra.title, survey_bibtex=cite)
    yield render_page(
        "404.html", urls.NOT_FOUND, languages[0], absolute=True, title=site.strings[languages[0]]["not_found_title"]
    )
    yield OutputFile(urls.SITEMAP, _sitemap(sitemap).encode())
    robots = f"User-agent: *\nAllow: /\nSitemap: {config.site_url}{urls.SITEMAP}\n"
    yield OutputFile(urls.ROBOTS, robots.encode())
    yield OutputFile(".nojekyll", b"")
    yield from result_exports(views[languages[0]], site)
    yield from benchmark_exports(views[languages[0]])
    yield from bib_exports(citations, survey_entry)
    yield papers_json(site)
    yield from schema_files(site)
    for lang in languages:
        yield atom_feed(site, views[lang], lang_prefix(site, lang), config.title[lang])
    yield OutputFile(urls.asset("pygments.css"), pygments_css().encode())
    for shown in site.figures:
        yield OutputFile(urls.figure(shown.name), published(shown, cache))


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
