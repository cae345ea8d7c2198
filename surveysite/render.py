"""Render stage: planned pages + Jinja templates -> OutputFiles (pure: nothing is written here)."""

from __future__ import annotations

import functools
import json
import re
import traceback
from collections.abc import Callable, Iterator, Mapping, Set
from dataclasses import dataclass, field, replace
from html import unescape as html_unescape
from pathlib import Path
from typing import Any, cast
from urllib.parse import urlsplit

import jinja2
import jinja2.bccache
import jinja2.meta
from markupsafe import Markup

from surveysite import chart, digest, parallel, timeline, urls
from surveysite.cache import Cache
from surveysite.errors import BuildError, SourceError, display_path
from surveysite.exports import (
    atom_feed,
    benchmark_exports,
    bib_exports,
    bibtex_entries,
    compare_exports,
    papers_json,
    result_exports,
    survey_bibtex,
    xml_escape,
)
from surveysite.figures import published
from surveysite.i18n import CHART_LABELS
from surveysite.markdown import pygments_css
from surveysite.model import Paper, Site
from surveysite.offsite import offsite_loads
from surveysite.output import Kept, OutputFile
from surveysite.parallel import parallel_iter, parallel_map
from surveysite.plan import Keys, Page, PaperOf, plan_site, summary_fields
from surveysite.schema import schema_files
from surveysite.theme import ignored, template_folders
from surveysite.views import SIZE_BUCKETS, SIZE_CLASSES, BenchmarkView, Views, related_papers, site_index


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


@dataclass(frozen=True)
class Planned:
    """The pages of a build with their keys, and the key of the exports: what the write stage
    needs to know which previous files still stand for their inputs."""

    site: Site
    templates: Path
    env: jinja2.Environment
    pages: tuple[tuple[Page, str, bytes], ...]
    """(page, output file path, key)."""
    exports_key: bytes
    previous_exports: tuple[str, ...]
    """The files the exports made when they last had this key (empty if unknown)."""
    views: dict[str, Views]
    base: bytes = b""
    """What every page's key covers: the code, the settings, the strings, the navigation."""
    sources: tuple[tuple[str, bytes], ...] = ()
    """(template, digest of it and the templates it uses), for each template a page uses."""
    input_keys: dict[str, Keys] = field(default_factory=dict)
    """The input keys found, by language (kept by the dev server for its next build)."""
    showing: dict[str, tuple[int, ...]] = field(default_factory=dict)
    """Slug -> the places in `pages` of the pages showing the paper's summary (see _showing)."""

    @property
    def keys(self) -> dict[str, bytes]:
        keys = {path: key for _page, path, key in self.pages}
        keys.update(dict.fromkeys(self.previous_exports, self.exports_key))
        return keys


def plan(site: Site, templates: Path, cache: Cache | None = None) -> Planned:
    """Every page planned and keyed, from the model alone: no view is made and no page rendered.

    A resident cache (the dev server's) also holds the previous build's plan: when the model
    differs from that build's only in papers' summaries (the common edit while writing), the
    plan is the previous one with the keys of those papers' pages made again."""
    cache = cache if cache is not None else Cache(None)
    env = make_environment(templates, cache)
    config = site.config
    sources = _template_sources(env, cache)
    # What every page may show: the site's settings and strings, the free pages in the navigation,
    # the figures; the rest of the taxonomy and the benchmarks are in the keys of the pages showing them.
    base = digest.digest(_code_digest(), config, site.strings, site.figures, [(p.slug, p.title) for p in site.pages])
    remembered = cache.key("plan", str(templates))
    previous = cache.recall(remembered)
    if isinstance(previous, Planned) and previous.templates == templates and previous.base == base:
        edited = _edited_summaries(previous.site, site)
        if edited is not None and all(sources(name) == known for name, known in previous.sources):
            # The previous index stands too (it follows from the front matter), but for the
            # edited papers themselves.
            before = next(iter(previous.input_keys.values())).index
            index = replace(before, papers={**before.papers, **{p.slug: p for p in site.papers if p.slug in edited}})
            keys = {lang: found.updated(site, index, edited) for lang, found in previous.input_keys.items()}
            rekeyed = {n for slug in edited for n in previous.showing.get(slug, ())}
            pages = tuple(
                (page, path, _page_key(page, keys, base, sources) if n in rekeyed else key)
                for n, (page, path, key) in enumerate(previous.pages)
            )
            known = cache.get(cache.key("exports", previous.exports_key))  # written since, if it was new
            planned = replace(
                previous,
                site=site,
                env=env,
                pages=pages,
                views={lang: Views(site, lang, index, previous.views.get(lang)) for lang in config.languages},
                previous_exports=tuple(known or ()),
                input_keys=keys,
            )
            # Kept with its views: a build like this one renders only the edited papers' pages, and
            # the next one may reuse what they drew (the charts' views, over every result).
            cache.remember(remembered, planned)
            return planned
    index = site_index(site, _related(site, cache))
    views = {lang: Views(site, lang, index) for lang in config.languages}
    keys = {lang: Keys(site, lang, index) for lang in config.languages}
    plans = list(plan_site(site, index))
    for template in dict.fromkeys(page.template for page in plans):
        try:
            env.get_template(template)  # compiled here, once, rather than in every worker
        except jinja2.TemplateError as exc:
            raise BuildError([_template_error(exc, templates)]) from exc
        sources(template)  # and its sources digested, with their references cached

    used = tuple((name, sources(name)) for name in dict.fromkeys(page.template for page in plans))
    # The previous build's keys, and what they were made from: when nothing but papers'
    # summaries changed since (the same settings, templates, front matter and plan), only the
    # pages showing those summaries are keyed again, as in the dev server above.
    record_key = cache.key("plan-record", str(templates))
    front = digest.plain(
        (base, used, keys[config.languages[0]].everything, tuple((p.template, p.path, p.lang) for p in plans))
    )
    prints = {paper.slug: _summaries_print(paper) for paper in site.papers}
    showing = _showing(plans)
    record = cache.get(record_key)
    if isinstance(record, _Record) and record.front == front and len(record.keys) == len(plans):
        edited = {slug for slug, found in prints.items() if record.prints.get(slug) != found}
        rekeyed = {n for slug in edited for n in showing.get(slug, ())}
        page_keys = [
            _page_key(page, keys, base, sources) if n in rekeyed else key
            for n, (page, key) in enumerate(zip(plans, record.keys, strict=True))
        ]
    else:
        page_keys = _all_keys(plans, keys, base, sources)
    cache.put(record_key, _Record(front, prints, tuple(page_keys)))
    pages = tuple(
        (page, _file_path(lang_prefix(site, page.lang) + page.path), key)
        for page, key in zip(plans, page_keys, strict=True)
    )
    exports_key = digest.digest(base, keys[config.languages[0]].everything)
    known = cache.get(cache.key("exports", exports_key))
    planned = Planned(site, templates, env, pages, exports_key, tuple(known or ()), views, base, used, keys, showing)
    cache.remember(remembered, replace(planned, views={}))
    return planned


@dataclass(frozen=True)
class _Record:
    """What a build's page keys were made from (see plan)."""

    front: bytes
    """The settings, the templates, every paper's front matter and the pages planned."""
    prints: dict[str, bytes]
    """Slug -> digest of the paper's summaries."""
    keys: tuple[bytes, ...]
    """The pages' keys, in plan order."""


def _summaries_print(paper: Paper) -> bytes:
    """Of every summary of the paper, as Keys reads them."""
    return digest.plain(tuple((lang, summary_fields(s)) for lang, s in sorted(paper.summaries.items())))


def _all_keys(plans: list[Page], keys: dict[str, Keys], base: bytes, sources: Callable[[str], bytes]) -> list[bytes]:
    """Every page's key: on every core for sites of KEY_ON_EVERY_CORE pages or more, in chunks
    (one result a chunk through the pipes), with what every page's key draws on made once, before."""

    def keyed(chunk: list[Page]) -> list[bytes]:
        return [_page_key(page, keys, base, sources) for page in chunk]

    size = max(1, len(plans) // parallel.MINIMUM) if len(plans) >= KEY_ON_EVERY_CORE else len(plans)
    if size < len(plans):
        for found in keys.values():
            found.prepare()
    chunks = [plans[start : start + size] for start in range(0, len(plans), size)]
    return [key for found in parallel_map(keyed, chunks) for key in found]


def _page_key(page: Page, keys: dict[str, Keys], base: bytes, sources: Callable[[str], bytes]) -> bytes:
    inputs = tuple((name, value.key(keys[page.lang])) for name, value in page.inputs)
    where = (page.template, page.path, page.lang, page.absolute)
    return digest.plain((base, sources(page.template), *where, inputs))


def _edited_summaries(before: Site, after: Site) -> set[str] | None:
    """The slugs of the papers whose summaries alone changed from `before` to `after`, or None if
    anything else did. Only a PaperOf key reads a summary (plan.Keys), and everything else about a
    paper follows from its files' front matter (in Paper.digest) and the survey's settings,
    taxonomy and benchmarks (in Site.digest), given the same slugs in the same order."""
    if (before.digest, before.config, before.pages, before.figures) != (
        after.digest,
        after.config,
        after.pages,
        after.figures,
    ) or len(before.papers) != len(after.papers):
        return None
    edited = set()
    for old, new in zip(before.papers, after.papers, strict=True):
        if old is new:
            continue
        if (old.slug, old.digest) != (new.slug, new.digest):
            return None
        if old.summaries != new.summaries:
            edited.add(new.slug)
    return edited


def _showing(plans: list[Page]) -> dict[str, tuple[int, ...]]:
    """Slug -> the places in plans of the pages that show the paper's summary (only a PaperOf
    input reads a summary: see _edited_summaries)."""
    found: dict[str, list[int]] = {}
    for n, page in enumerate(plans):
        for slug in dict.fromkeys(value.slug for _name, value in page.inputs if isinstance(value, PaperOf)):
            found.setdefault(slug, []).append(n)
    return {slug: tuple(places) for slug, places in found.items()}


KEY_ON_EVERY_CORE = 1000
"""Pages from which keying them in forked workers saves more than the forks cost (2,100 pages:
0.2 s of keys serially)."""


def _related(site: Site, cache: Cache) -> dict[str, tuple[str, ...]]:
    """related_papers(site), from the cache when no paper's year or techniques changed: ranking
    every paper against its neighbours is the costliest whole-site step of a rebuild."""
    key = cache.key("related", _code_digest(), digest.plain(tuple((p.slug, p.year, p.techniques) for p in site.papers)))
    if (known := cache.get(key)) is None:
        known = related_papers(site)
        cache.put(key, known)
    return cast(dict[str, tuple[str, ...]], known)


def render_site(
    planned: Planned, unchanged: Set[str] = frozenset(), cache: Cache | None = None
) -> Iterator[OutputFile | Kept]:
    """Every page, plus sitemap, robots.txt, exports and feeds, as they are made. Pages are
    independent, so large sites render them on every core; a file in `unchanged` (the write
    stage found it made from the same key and intact) comes out as Kept, unrendered."""
    cache = cache if cache is not None else Cache(None)
    to_render, kept = [], []
    for page, path, key in planned.pages:
        if path in unchanged:
            kept.append((path, key))
        else:
            to_render.append((page, path, key))
    if kept:
        yield Kept(tuple(kept))
    errors: list[SourceError] = []
    for file in _other_files(planned, unchanged, cache):  # one at a time: 10,000 compare files and more
        if isinstance(file, OutputFile):
            errors += offsite_loads([file])
        yield file
    render = functools.partial(_render_job, planned=planned)
    for result in parallel_iter(render, to_render):
        if isinstance(result, SourceError):
            raise BuildError([result])
        if isinstance(result, list):
            errors += result
            continue
        yield result
    if errors:
        raise BuildError(errors)


Unchanged = Callable[[Mapping[str, bytes]], Set[str]]
"""unchanged(keys): the files that the previous build wrote from inputs with these keys and that
are still intact (the write stage knows)."""


def _render_job(job: tuple[Page, str, bytes], planned: Planned) -> OutputFile | SourceError | list[SourceError]:
    """One page, checked for off-site loads. A template error becomes a SourceError here, where
    its traceback still exists."""
    page, path, key = job
    try:
        html = render_page(planned, page)
    except (jinja2.TemplateError, TypeError, AttributeError) as exc:
        return _template_error(exc, planned.templates)
    output = OutputFile(path, html.encode(), page.source, key)
    return offsite_loads([output]) or output


def render_page(planned: Planned, page: Page) -> str:
    """The page's HTML: its template with the site-wide globals and the values of its inputs."""
    site, lang, path = planned.site, page.lang, page.path
    config = site.config
    views = planned.views[lang]
    prefix = lang_prefix(site, lang)
    here = prefix + path
    base_path = urlsplit(config.site_url).path or "/"
    figures = {f.name: f for f in site.figures}

    def rel(to: str) -> str:
        # The 404 page is served at any depth, so its links start at the site's root path.
        return base_path + to if page.absolute else relative(here, to)

    def link(to: str) -> str:
        return rel(prefix + to)

    def svg_chart(bench: BenchmarkView, **options: Any) -> Markup:
        # The chart module escapes every string it writes.
        return Markup(chart.render_chart(bench, link, labels=CHART_LABELS.get(lang, {}), **options))

    def prose(html: str, *, top: bool = False) -> Markup:
        """A rendered body, its figures linked from this page, with their sizes. Bodies are
        rendered for a paper page, where they sit under an <h2>; `top` lifts their headings one
        level for a page where they follow the <h1> directly."""
        if top:
            html = _HEADING.sub(lambda m: f"<{m.group(1)}h{int(m.group(2)) - 1}", html)

        def figure(match: re.Match[str]) -> str:
            shown = figures[html_unescape(match.group(1))]
            src = xml_escape(rel(urls.figure(shown.name)), quotes=True)
            return f' src="{src}" width="{shown.width}" height="{shown.height}"'

        return Markup(_FIGURE_SRC.sub(figure, html))

    def legend(bench: BenchmarkView, **options: Any) -> Markup:
        return Markup(chart.render_legend(bench, link=link, labels=CHART_LABELS.get(lang, {}), **options))

    class_names = {ident: site.strings[lang][f"size_class_{ident}"] for ident, _low, _high in SIZE_CLASSES}

    def history_chart(bench: BenchmarkView, setting: str) -> Markup:
        labels = CHART_LABELS.get(lang, {})
        return Markup(chart.render_history(bench, link, setting=setting, class_names=class_names, labels=labels))

    def history_legend(bench: BenchmarkView, setting: str) -> Markup:
        return Markup(chart.render_history_legend(bench, setting=setting, class_names=class_names))

    def svg_timeline(view: timeline.TimelineView) -> Markup:
        # The timeline module escapes every string it writes, as the chart module does.
        return Markup(timeline.render_size_chart(view, link))

    def svg_lineage(view: timeline.TimelineView) -> Markup:
        return Markup(timeline.render_lineage(view, link))

    alternates = [(other, config.site_url + lang_prefix(site, other) + path) for other in config.languages]
    return planned.env.get_template(page.template).render(
        lang=lang,
        t=site.strings[lang],
        site=config,
        site_title=config.title[lang],
        nav_pages=views.nav,
        here=here,
        path=path,
        rel=rel,
        link=link,
        svg_chart=svg_chart,
        legend=legend,
        history_chart=history_chart,
        history_legend=history_legend,
        svg_timeline=svg_timeline,
        svg_lineage=svg_lineage,
        prose=prose,
        settings_of=chart.settings_of,
        home=prefix,
        prefix=prefix,
        alternates=alternates,
        canonical=config.site_url + here,
        languages=config.languages,
        lang_prefix=lambda other: lang_prefix(site, other),
        strings=site.strings,
        urls=urls,
        csp=CSP,
        size_buckets=[ident for ident, _low, _high in SIZE_BUCKETS] + ["unknown"],
        **{name: value.value(views) for name, value in page.inputs},
    )


@functools.lru_cache(maxsize=1)
@functools.cache
def _code_digest() -> str:
    """The renderer itself: every module of surveysite and the template engine's version."""
    return digest.code(sorted(p.name for p in Path(__file__).parent.glob("*.py")), ("jinja2", "markupsafe"))


def _template_sources(env: jinja2.Environment, cache: Cache) -> Callable[[str], bytes]:
    """template name -> digest of its source and of every template it extends, includes or
    imports, as found in the survey's templates/ or the engine's: other files there (an editor's
    swap file, a template no page uses) are in no page's key."""
    assert env.loader is not None
    loader = env.loader

    @functools.cache
    def source(name: str) -> str:
        return loader.get_source(env, name)[0]

    @functools.cache
    def referenced(name: str) -> tuple[str | None, ...]:
        key = cache.key("template-references", source(name))
        if (known := cache.get(key)) is None:
            known = tuple(jinja2.meta.find_referenced_templates(env.parse(source(name))))
            cache.put(key, known)
        return cast(tuple[str | None, ...], known)

    @functools.cache
    def closure(name: str) -> bytes:
        seen, todo = {name}, [name]
        while todo:
            others = referenced(todo.pop())
            if None in others:  # a name computed at render time: it may be any template
                return digest.digest(sorted((n, source(n)) for n in loader.list_templates() if not ignored(n)))
            todo += [o for o in others if o is not None and o not in seen]
            seen.update(todo)
        return digest.digest(sorted((n, source(n)) for n in seen))

    return closure


def _other_files(planned: Planned, unchanged: Set[str], cache: Cache) -> Iterator[OutputFile | Kept]:
    """Sitemap, robots.txt, data exports and feeds, all made from the front matter: when their key
    is the previous build's and its files are intact, they are kept without being made."""
    site = planned.site
    key = planned.exports_key
    if planned.previous_exports and all(path in unchanged for path in planned.previous_exports):
        yield Kept(tuple((path, key) for path in planned.previous_exports))
        cache.put(cache.key("exports", key), planned.previous_exports)
    else:
        paths = []
        for file in _exports(planned):
            paths.append(file.path)
            yield replace(file, key=key)
        cache.put(cache.key("exports", key), tuple(paths))
    yield OutputFile(urls.asset("pygments.css"), pygments_css().encode())
    for shown in site.figures:
        yield OutputFile(urls.figure(shown.name), published(shown, cache))


def _exports(planned: Planned) -> Iterator[OutputFile]:
    site = planned.site
    config = site.config
    languages = config.languages
    first = planned.views[languages[0]].all
    sitemap = [
        (page.path, [(o, config.site_url + lang_prefix(site, o) + page.path) for o in languages])
        for page, _path, _key in planned.pages
        if page.listed and page.lang == languages[0]
    ]
    yield OutputFile(urls.SITEMAP, _sitemap(sitemap).encode())
    robots = f"User-agent: *\nAllow: /\nSitemap: {config.site_url}{urls.SITEMAP}\n"
    yield OutputFile(urls.ROBOTS, robots.encode())
    yield OutputFile(".nojekyll", b"")
    yield from result_exports(first, site)
    yield from benchmark_exports(first)
    yield from compare_exports({lang: planned.views[lang].all for lang in languages})
    yield from bib_exports(bibtex_entries(site), survey_bibtex(site))
    yield papers_json(site)
    yield from schema_files(site)
    for lang in languages:
        yield atom_feed(site, planned.views[lang].all, lang_prefix(site, lang), config.title[lang])


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
