"""Validate stage: RawContent -> Site, or every problem in every file at once."""

from __future__ import annotations

import datetime as dt
import hashlib
import math
import operator
import re
import unicodedata
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import replace
from pathlib import Path
from typing import Any, TypeVar

from surveysite import fields, urls
from surveysite.cache import Cache
from surveysite.digest import digest as digest_of
from surveysite.digest import plain as plain_digest
from surveysite.errors import BuildError, SourceError, did_you_mean
from surveysite.figures import Figure
from surveysite.figures import inspect as inspect_figure
from surveysite.i18n import STRINGS
from surveysite.links import check_links, site_targets
from surveysite.load import ContentFile, RawContent
from surveysite.markdown import render_markdown
from surveysite.model import (
    Benchmark,
    Change,
    Citation,
    License,
    Model,
    Page,
    Paper,
    Result,
    Site,
    SiteConfig,
    Summary,
    Technique,
    TechniqueGroup,
    Text,
)
from surveysite.sizes import parse_count
from surveysite.source import Key, RawDocument

T = TypeVar("T")
D = TypeVar("D")

SHIPPED = tuple(STRINGS)
"""Languages whose interface strings ship with the engine; any other needs content/i18n/<lang>.yaml."""
LANGUAGE = re.compile(r"[a-z]{2,3}(?:-[a-z0-9]{2,8})*")
"""A BCP 47 tag in lower case (en, de, pt-br, zh-hant), as used in file names and URLs."""
SLUG = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")
SLUG_HINT = "use lower-case ASCII letters, digits and single hyphens"
ARXIV = re.compile(r"\d{4}\.\d{4,5}(?:v\d+)?|[a-z-]+(?:\.[A-Z]{2})?/\d{7}(?:v\d+)?")
URL = re.compile(r"https?://[^\s<>\"']+")
NUMBER = re.compile(r"[-+]?(?:\d+(?:\.\d*)?|\.\d+)")
ROLES = ("proposed", "baseline")
LINK_KINDS = ("abstract", "pdf", "code", "weights", "project")

RESERVED_PAGES = urls.RESERVED
PAPER_REQUIRED = fields.REQUIRED
PAPER_OPTIONAL = fields.OPTIONAL
TRANSLATABLE = fields.TRANSLATABLE
DOI = re.compile(r"10\.\d{4,9}/\S+")
_MISSING = object()


class Checker:
    """Typed accessors over one RawDocument that record errors instead of raising."""

    def __init__(self, doc: RawDocument, errors: list[SourceError]) -> None:
        self.doc = doc
        self.errors = errors

    def error(self, key: Key, message: str, *, on_key: bool = False) -> None:
        self.errors.append(self.doc.at(key, message, on_key=on_key))

    def mapping(
        self, key: Key, value: Any, required: Iterable[str], optional: Iterable[str] = (), what: str = ""
    ) -> dict[str, Any] | None:
        """Check a mapping's type and keys; unknown keys get a suggestion."""
        required = tuple(required)
        allowed = (*required, *optional)
        label = what or (f"'{key[-1]}'" if key else "front matter")
        if not isinstance(value, dict):
            self.error(key, f"{label} must be a mapping of keys to values, got {_kind(value)}")
            return None
        for name in value:
            if name not in allowed:
                hint = did_you_mean(str(name), allowed) or f" (allowed: {', '.join(allowed)})"
                self.error((*key, str(name)), f"unknown key '{name}'{hint}", on_key=True)
        for name in required:
            if name not in value:
                self.error(key, f"{label} is missing required key '{name}'")
            elif value[name] is None:
                self.error((*key, name), f"'{name}' has no value: write one after the colon", on_key=True)
        return value

    def get(self, data: dict[str, Any], key: Key, check: Callable[[Key, Any], T | None], default: D) -> T | D:
        """Run `check` on data[key[-1]] if present and not null, else return default."""
        value = data.get(str(key[-1]), _MISSING)
        if value is _MISSING or value is None:
            return default
        result = check(key, value)
        return default if result is None else result

    def string(self, key: Key, value: Any) -> str | None:
        if isinstance(value, str) and value.strip():
            return value.strip()
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            return str(value)
        self.error(key, f"'{key[-1]}' must be a non-empty string, got {_kind(value)}")
        return None

    def integer(self, key: Key, value: Any) -> int | None:
        if isinstance(value, int) and not isinstance(value, bool):
            return value
        self.error(key, f"'{key[-1]}' must be an integer, got {_kind(value)}")
        return None

    def number(self, key: Key, value: Any) -> float | None:
        if isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value):
            return float(value)
        hint = ""
        if isinstance(value, str) and NUMBER.fullmatch(value.strip().rstrip("%").strip()):
            hint = f" (write the number alone: {value.strip().rstrip('%').strip()})"
        self.error(key, f"'{key[-1]}' must be a number, got {_kind(value)}{hint}")
        return None

    def boolean(self, key: Key, value: Any) -> bool | None:
        if isinstance(value, bool):
            return value
        self.error(key, f"'{key[-1]}' must be true or false, got {_kind(value)}")
        return None

    def date(self, key: Key, value: Any) -> dt.date | None:
        if isinstance(value, dt.date) and not isinstance(value, dt.datetime):
            # A day of slack: "today" differs across time zones, and the check must not depend on one.
            if value > dt.date.today() + dt.timedelta(days=1):
                self.error(key, f"'{key[-1]}' {value.isoformat()} is in the future; use the day it happened")
                return None
            return value
        self.error(key, f"'{key[-1]}' must be a date written YYYY-MM-DD, got {_kind(value)}")
        return None

    def url(self, key: Key, value: Any) -> str | None:
        text = self.string(key, value)
        if text is not None and not URL.fullmatch(text):
            self.error(key, f"'{key[-1]}' must be an http(s) URL, got {text!r}")
            return None
        return text

    def sequence(self, key: Key, value: Any) -> list[Any] | None:
        if isinstance(value, list):
            return value
        hint = f" (for a single item write [{value}])" if isinstance(value, (str, int, float)) else ""
        self.error(key, f"'{key[-1]}' must be a list, got {_kind(value)}{hint}")
        return None

    def strings(self, key: Key, value: Any) -> tuple[str, ...] | None:
        items = self.sequence(key, value)
        if items is None:
            return None
        found = [self.string((*key, i), item) for i, item in enumerate(items)]
        if not items:
            self.error(key, f"'{key[-1]}' must not be empty")
        return tuple(s for s in found if s is not None)

    def text(self, key: Key, value: Any, languages: Iterable[str]) -> Text | None:
        """A string for every language; a plain string counts for all of them."""
        languages = tuple(languages)
        if isinstance(value, str):
            text = self.string(key, value)
            return dict.fromkeys(languages, text) if text else None
        data = self.mapping(key, value, languages)
        if data is None:
            return None
        found = {lang: self.string((*key, lang), data[lang]) for lang in languages if data.get(lang) is not None}
        return (
            {lang: text for lang, text in found.items() if text is not None} if len(found) == len(languages) else None
        )


def _kind(value: Any) -> str:
    if value is None:
        return "nothing"
    if isinstance(value, bool):
        return f"'{str(value).lower()}'"
    if isinstance(value, (dict, list)):
        return "a mapping" if isinstance(value, dict) else "a list"
    if isinstance(value, dt.date):
        return f"'{value.isoformat()}'"
    return repr(value) if not isinstance(value, str) else f"'{value}'"


def validate(
    raw: RawContent,
    rendered: Mapping[str, Summary] | None = None,
    site_url: str | None = None,
    cache: Cache | None = None,
) -> Site:
    """Check everything, then build the Site; raise BuildError listing every problem.

    `rendered` maps Markdown bodies to their rendering, done beforehand (cached, in parallel).
    With a cache, a paper whose front matter passed in an earlier build, in the same context
    (languages, taxonomy, benchmarks, the survey's slugs), is not checked again.
    """
    errors: list[SourceError] = list(raw.errors)
    known = rendered or {}

    def render(body: str) -> Summary:
        summary = known.get(body)
        return summary if summary is not None else render_markdown(body)

    before = cache.recall(_VALIDATED) if cache is not None else None
    if cache is not None and before is not None and site_url == before[3]:
        site = _revalidated(before, raw, known)
        if site is not None:
            cache.remember(_VALIDATED, (raw, site, *before[2:]))
            cache.remember(_PAPER_OBJECTS, cache.recall(_PAPER_OBJECTS))
            return site

    config, languages = _site_config(raw.site, errors, [lang for lang, _doc in raw.strings])
    if config is not None and site_url is not None:
        if URL.fullmatch(site_url):
            config = replace(config, site_url=site_url.rstrip("/") + "/")
        else:
            errors.append(SourceError("--site-url", 0, 0, f"must be an http(s) URL, got {site_url!r}"))
    strings = _interface_strings(raw.strings, languages, errors)
    groups = _taxonomy(raw.taxonomy, languages, errors)
    benchmarks = _benchmarks(raw.benchmarks, languages, errors)
    techniques = _declared_ids(raw.taxonomy.data, "groups", "techniques")
    bench_by_id = {b.id: b for b in benchmarks}
    known_benchmarks = _declared_ids(raw.benchmarks.data, "benchmarks")
    papers = _papers(raw.papers, languages, techniques, bench_by_id, known_benchmarks, errors, render, cache)
    pages = _pages(raw.pages, languages, errors, render)
    if errors or config is None:
        raise BuildError(errors)
    targets = site_targets(papers, pages, groups, benchmarks)
    figures = _LazyFigures(dict(raw.figures))
    shown: dict[str, Figure | str] = {}
    for folder, files, items in (("papers", raw.papers, papers), ("", raw.pages, pages)):
        summaries = {item.slug: item.summaries for item in items}
        errors.extend(check_links(files, summaries, folder, languages, targets, figures, shown))
    if errors:
        raise BuildError(errors)
    papers.sort(key=lambda p: (p.year, p.short_name.lower(), p.slug))
    sources = (raw.site, raw.taxonomy, raw.benchmarks, *(doc for _lang, doc in raw.strings))
    digest = hashlib.blake2b(b"".join(doc.digest for doc in sources))
    used = tuple(sorted((f for f in shown.values() if isinstance(f, Figure)), key=lambda f: f.name))
    for figure in used:
        digest.update(f"\0{figure.name}\0{figure.digest}".encode())
    site = Site(config, tuple(groups), tuple(benchmarks), tuple(papers), tuple(pages), digest.digest(), used, strings)
    if cache is not None and cache.resident:
        cache.remember(_VALIDATED, (raw, site, targets, site_url))
    return site


_VALIDATED = "validate:site"
"""The resident cache's entry of the previous successful validation: (content, site, the link
targets, the --site-url given), never on disk."""
_PAPER_OBJECTS = "validate:paper-objects"
"""The resident cache's entry of the previous build's papers, by (context, slug, translations):
(their documents, the paper), never on disk."""


_Validated = tuple[RawContent, Site, dict[str, set[str]], str | None]


def _revalidated(before: _Validated, raw: RawContent, known: Mapping[str, Summary]) -> Site | None:
    """The previous build's site with new summaries for the papers whose bodies alone changed
    since (the dev server's common rebuild: at 10,000 papers, a full validation is 0.2 s), or
    None where a full validation is needed: anything else changed, or a changed body has a
    problem to report, shows an image, adds or removes a heading (another body may link to it),
    or has a link that reaches nothing (the full validation then reports it, with every other)."""
    old, site, targets, _url = before
    same = (raw.site, raw.taxonomy, raw.benchmarks, *(doc for _lang, doc in raw.strings))
    was = (old.site, old.taxonomy, old.benchmarks, *(doc for _lang, doc in old.strings))
    if raw.root != old.root or raw.errors or raw.figures != old.figures or len(same) != len(was):
        return None
    if not all(map(operator.is_, same, was)) or [lang for lang, _ in raw.strings] != [lang for lang, _ in old.strings]:
        return None
    if len(raw.pages) != len(old.pages) or not all(a.doc is b.doc for a, b in zip(raw.pages, old.pages, strict=True)):
        return None
    if len(raw.papers) != len(old.papers):
        return None
    changed = [(a, b) for a, b in zip(old.papers, raw.papers, strict=True) if a.doc is not b.doc]
    if not changed:
        return site
    languages = site.config.languages
    by_slug = {p.slug: p for p in site.papers}
    edited: dict[str, Paper] = {}
    for before_file, file in changed:
        if (before_file.slug, before_file.lang, before_file.doc.path) != (file.slug, file.lang, file.doc.path):
            return None
        if file.doc.data is None or before_file.doc.digest != file.doc.digest or file.slug not in by_slug:
            return None
        summary = known.get(file.doc.body)
        paper = edited.get(file.slug, by_slug[file.slug])
        lang = file.lang or languages[0]
        previous = paper.summaries.get(lang)
        if summary is None or previous is None or summary.problems or summary.images or previous.images:
            return None
        if {h[1] for h in summary.headings} != {h[1] for h in previous.headings}:
            return None
        if check_links([file], {file.slug: {lang: summary}}, "papers", languages, targets, {}, {}):
            return None
        edited[file.slug] = replace(paper, summaries={**paper.summaries, lang: summary})
    return replace(site, papers=tuple(edited.get(p.slug, p) for p in site.papers))


class _LazyFigures(Mapping[str, "Figure | str"]):
    """Figure files by name, each opened and checked only when a body shows it (and then once)."""

    def __init__(self, paths: dict[str, Path]) -> None:
        self.paths = paths
        self.seen: dict[str, Figure | str] = {}

    def __iter__(self) -> Iterator[str]:
        return iter(self.paths)

    def __len__(self) -> int:
        return len(self.paths)

    def __getitem__(self, name: str) -> Figure | str:
        if name not in self.seen:
            self.seen[name] = inspect_figure(self.paths[name], name)
        return self.seen[name]


def _interface_strings(
    files: Iterable[tuple[str, RawDocument]], languages: tuple[str, ...], errors: list[SourceError]
) -> dict[str, dict[str, str]]:
    """The engine's strings for each language, with the survey's i18n/<lang>.yaml over them; a
    language the engine does not ship must give every key."""
    given = dict(files)
    keys = tuple(STRINGS["en"])
    found = {}
    for lang in languages:
        strings = dict(STRINGS.get(lang, {}))
        doc = given.get(lang)
        if doc is not None and doc.data is not None:
            c = Checker(doc, errors)
            required = () if lang in STRINGS else keys
            data = c.mapping((), doc.data, (), keys, f"i18n/{lang}.yaml") or {}
            for key in keys:
                if key in data and data[key] is not None:
                    text = c.string((key,), data[key])
                    if text is not None:
                        strings[key] = text
            missing = [key for key in required if key not in data]
            if missing:
                shown = ", ".join(missing[:8]) + (f" and {len(missing) - 8} more" if len(missing) > 8 else "")
                errors.append(SourceError(doc.path, 1, 0, f"missing interface strings: {shown}"))
        found[lang] = strings
    for lang, doc in given.items():
        if lang not in languages:
            message = (
                f"'{lang}' is not one of the site's languages ({', '.join(languages)}); add it or remove this file"
            )
            errors.append(SourceError(doc.path, 0, 0, message))
    return found


def _declared_ids(data: Any, *path: str) -> set[str] | None:
    """Ids declared in a YAML list (nested lists for taxonomy groups), whether or not valid.

    None when the file is unreadable or has no top-level list: references to it are then not
    checked, so that one broken file does not make every reference an error too.
    """
    if not isinstance(data, dict) or not isinstance(data.get(path[0]), list):
        return None
    items: list[Any] = [data]
    for name in path:
        items = [
            x
            for item in items
            if isinstance(item, dict) and isinstance(item.get(name), list)
            for x in item[name]
            if isinstance(x, dict)
        ]
    return {str(item["id"]) for item in items if item.get("id") is not None}


def _site_config(
    doc: RawDocument, errors: list[SourceError], with_strings: Iterable[str] = ()
) -> tuple[SiteConfig | None, tuple[str, ...]]:
    """The config (None if invalid) and the languages, which other files need even then."""
    if doc.data is None:
        return None, SHIPPED
    c = Checker(doc, errors)
    data = c.mapping(
        (),
        doc.data,
        ("title", "description", "site_url", "languages"),
        ("repo_url", "citation", "license"),
        "site.yaml",
    )
    if data is None:
        return None, SHIPPED
    languages = c.get(data, ("languages",), c.strings, ())
    for index, lang in enumerate(languages):
        if not LANGUAGE.fullmatch(lang):
            hint = f" (write '{lang.lower()}')" if LANGUAGE.fullmatch(lang.lower()) else ""
            c.error(("languages", index), f"'{lang}' is not a language tag such as en, de or pt-br{hint}")
        elif lang not in SHIPPED and lang not in with_strings:
            c.error(
                ("languages", index),
                f"no interface strings for '{lang}' (shipped: {', '.join(SHIPPED)}): add content/i18n/{lang}.yaml"
                " with every key of the English strings (`surveysite init` writes one to translate)",
            )
    if len(set(languages)) != len(languages):
        c.error(("languages",), "'languages' lists a language twice")
    languages = tuple(dict.fromkeys(lang for lang in languages if LANGUAGE.fullmatch(lang)))
    title = c.get(data, ("title",), lambda k, v: c.text(k, v, languages), None)
    description = c.get(data, ("description",), lambda k, v: c.text(k, v, languages), None)
    site_url = c.get(data, ("site_url",), c.url, None)
    repo_url = c.get(data, ("repo_url",), c.url, "")
    citation = c.get(data, ("citation",), lambda k, v: _citation(c, k, v), None)
    license_ = c.get(data, ("license",), lambda k, v: _license(c, k, v), None)
    if title is None or description is None or site_url is None or not languages:
        return None, languages or SHIPPED
    config = SiteConfig(title, description, site_url.rstrip("/") + "/", languages, repo_url, citation, license_)
    return config, languages


def _citation(c: Checker, key: Key, value: Any) -> Citation | None:
    data = c.mapping(key, value, ("authors", "title", "year"), ("doi",), "'citation'")
    if data is None:
        return None
    authors = c.get(data, (*key, "authors"), c.strings, ())
    title = c.get(data, (*key, "title"), c.string, "")
    year = c.get(data, (*key, "year"), c.integer, 0)
    doi = c.get(data, (*key, "doi"), lambda k, v: _doi(c, k, v), "")
    return Citation(authors, title, year, doi) if authors and title and year else None


def _license(c: Checker, key: Key, value: Any) -> License | None:
    data = c.mapping(key, value, ("name", "url"), (), "'license'")
    if data is None:
        return None
    name = c.get(data, (*key, "name"), c.string, "")
    url = c.get(data, (*key, "url"), c.url, "")
    return License(name, url) if name and url else None


def _doi(c: Checker, key: Key, value: Any) -> str | None:
    text = c.string(key, value)
    if text is None:
        return None
    text = text.removeprefix("https://doi.org/").removeprefix("doi:")
    if not DOI.fullmatch(text):
        c.error(key, f"'{key[-1]}' must be a DOI such as 10.18653/v1/2021.naacl-main.185, got {text!r}")
        return None
    return text


def _check_id(c: Checker, key: Key, value: Any, seen: dict[str, tuple[str, Key]], what: str) -> str | None:
    """A valid, unique id; groups and techniques share one namespace, as they share anchors."""
    ident = c.string(key, value)
    if ident is None:
        return None
    if not SLUG.fullmatch(ident):
        c.error(key, f"{what} id '{ident}' must be lower-case letters, digits and single hyphens")
        return None
    if ident in seen:
        other, first = seen[ident]
        line = c.doc.values.get(first, (0, 0))[0]
        c.error(key, f"{what} id '{ident}' is already used by the {other} on line {line}; ids must be unique")
        return None
    seen[ident] = (what, key)  # its line is looked up if needed: positions load lazily (load.py)
    return ident


def _taxonomy(doc: RawDocument, languages: tuple[str, ...], errors: list[SourceError]) -> list[TechniqueGroup]:
    if doc.data is None:
        return []
    c = Checker(doc, errors)
    data = c.mapping((), doc.data, ("groups",), (), "taxonomy.yaml")
    groups: list[TechniqueGroup] = []
    seen: dict[str, tuple[str, Key]] = {}
    for gi, graw in enumerate(c.get(data or {}, ("groups",), c.sequence, [])):
        gkey: Key = ("groups", gi)
        g = c.mapping(gkey, graw, ("id", "name", "techniques"), (), "a technique group")
        if g is None:
            continue
        gid = c.get(g, (*gkey, "id"), lambda k, v: _check_id(c, k, v, seen, "group"), None)
        gname = c.get(g, (*gkey, "name"), lambda k, v: c.text(k, v, languages), None)
        techniques = []
        for ti, traw in enumerate(c.get(g, (*gkey, "techniques"), c.sequence, [])):
            tkey: Key = (*gkey, "techniques", ti)
            t = c.mapping(tkey, traw, ("id", "name", "definition"), (), "a technique")
            if t is None:
                continue
            tid = c.get(t, (*tkey, "id"), lambda k, v: _check_id(c, k, v, seen, "technique"), None)
            tname = c.get(t, (*tkey, "name"), lambda k, v: c.text(k, v, languages), None)
            tdef = c.get(t, (*tkey, "definition"), lambda k, v: c.text(k, v, languages), None)
            if tid and tname and tdef and gid:
                techniques.append(Technique(tid, tname, tdef, gid))
        if gid and gname:
            groups.append(TechniqueGroup(gid, gname, tuple(techniques)))
    return groups


def _benchmarks(doc: RawDocument, languages: tuple[str, ...], errors: list[SourceError]) -> list[Benchmark]:
    if doc.data is None:
        return []
    c = Checker(doc, errors)
    data = c.mapping((), doc.data, ("benchmarks",), (), "benchmarks.yaml")
    found: list[Benchmark] = []
    seen: dict[str, tuple[str, Key]] = {}
    for index, raw in enumerate(c.get(data or {}, ("benchmarks",), c.sequence, [])):
        key: Key = ("benchmarks", index)
        b = c.mapping(key, raw, ("id", "name", "metric", "higher_is_better", "range", "description"), (), "a benchmark")
        if b is None:
            continue
        ident = c.get(b, (*key, "id"), lambda k, v: _check_id(c, k, v, seen, "benchmark"), None)
        name = c.get(b, (*key, "name"), c.string, None)
        metric = c.get(b, (*key, "metric"), c.string, None)
        higher = c.get(b, (*key, "higher_is_better"), c.boolean, None)
        bounds = c.get(b, (*key, "range"), lambda k, v: _range(c, k, v), None)
        description = c.get(b, (*key, "description"), lambda k, v: c.text(k, v, languages), None)
        if ident and name and metric and higher is not None and bounds and description:
            found.append(Benchmark(ident, name, metric, higher, bounds[0], bounds[1], description))
    return found


def _range(c: Checker, key: Key, value: Any) -> tuple[float, float] | None:
    items = c.sequence(key, value)
    if items is None:
        return None
    numbers = [c.number((*key, i), v) for i, v in enumerate(items)]
    if len(numbers) != 2 or None in numbers:
        c.error(key, "'range' must be two numbers [low, high]")
        return None
    low, high = numbers[0], numbers[1]
    assert low is not None and high is not None
    if low >= high:
        c.error(key, f"'range' [{low:g}, {high:g}] must be [low, high] with low below high")
        return None
    return low, high


def _split(
    files: Iterable[ContentFile], languages: tuple[str, ...], errors: list[SourceError], what: str
) -> tuple[dict[str, RawDocument], dict[str, dict[str, RawDocument]]]:
    """Main files and translations by slug; checks file names.

    Unreadable files (data None) are kept, so that their translations do not look orphaned.
    """
    files = tuple(files)
    main: dict[str, RawDocument] = {}
    translations: dict[str, dict[str, RawDocument]] = {}
    names = {f.slug for f in files if f.lang is None}
    for f in files:
        path = f.doc.path
        if not SLUG.fullmatch(f.slug):
            errors.append(
                SourceError(path, 0, 0, f"file name '{f.slug}' is not a valid slug: {SLUG_HINT}{_rename(f, names)}")
            )
        elif f.lang is None:
            main[f.slug] = f.doc
        elif f.lang not in languages[1:]:
            others = ", ".join(languages[1:]) or "none"
            errors.append(
                SourceError(
                    path,
                    0,
                    0,
                    f"'{f.lang}' is not a translation language of this site (translation languages: {others})",
                )
            )
        else:
            translations.setdefault(f.slug, {})[f.lang] = f.doc
    for slug, docs in sorted(translations.items()):
        if slug not in main:
            for doc in docs.values():
                errors.append(
                    SourceError(
                        doc.path, 0, 0, f"translation has no main file: create {what}s/{slug}.md or rename this file"
                    )
                )
    return main, translations


def _rename(file: ContentFile, names: set[str]) -> str:
    """A suggested valid name; a slug differing from another only in case cannot be renamed safely.

    GitHub Pages serves `Alpha/` and `alpha/` as two pages, but a checkout on macOS or Windows
    holds only one of the two files.
    """
    ascii_ = unicodedata.normalize("NFKD", file.slug).encode("ascii", "ignore").decode()
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_.lower()).strip("-")
    suffix = f".{file.lang}.md" if file.lang else ".md"
    if not slug:
        return ""
    if file.lang is None and slug in names:
        return f" ('{slug}.md' exists too, and the two differ only in case: merge them)"
    return f" (rename it to '{slug}{suffix}')"


def _body(doc: RawDocument, render: Callable[[str], Summary], errors: list[SourceError]) -> Summary:
    """A file's body rendered, what could not be rendered (such as a formula) added to `errors`."""
    summary = render(doc.body)
    errors.extend(SourceError(doc.path, doc.body_line + line - 1, 0, message) for line, message in summary.problems)
    return summary


def _papers(
    files: Iterable[ContentFile],
    languages: tuple[str, ...],
    techniques: set[str] | None,
    benchmarks: dict[str, Benchmark],
    known_benchmarks: set[str] | None,
    errors: list[SourceError],
    render: Callable[[str], Summary] = render_markdown,
    cache: Cache | None = None,
) -> list[Paper]:
    main, translations = _split(files, languages, errors, "paper")
    papers = []
    slugs = set(main)
    # The dev server loads an unchanged file as the same document object as before (load.py):
    # a paper whose files are all those objects, in the same context, is the previous build's
    # paper, unchecked.
    found = cache.recall(_PAPER_OBJECTS) if cache is not None else None
    objects: dict[tuple[str, ...], tuple[tuple[RawDocument, ...], Paper]] = found if isinstance(found, dict) else {}
    kept: dict[tuple[str, ...], tuple[tuple[RawDocument, ...], Paper]] = {}
    # What a paper's validation depends on besides its own front matter: a file whose front
    # matter and context are those of an earlier build that accepted it is not checked again.
    context = Cache.key(
        "paper-context",
        plain_digest((languages, tuple(sorted(techniques or ())), tuple(sorted(known_benchmarks or ())))),
        digest_of(sorted(benchmarks.items())),
        plain_digest(tuple(sorted(slugs))),
    )

    def key(slug: str, doc: RawDocument) -> str:
        return Cache.key("paper", context, slug, doc.path, doc.digest)

    if cache is not None and not cache.resident:  # (a resident cache holds the papers themselves)
        cache.expect([key(slug, doc) for slug, doc in main.items() if doc.data is not None])
    for slug, doc in main.items():
        if doc.data is None:
            continue
        extra = translations.get(slug, {})
        start = len(errors)
        docs = (doc, *(extra[lang] for lang in sorted(extra)))
        memo = (context, slug, *sorted(extra))
        hit = objects.get(memo)
        if hit is not None and len(hit[0]) == len(docs) and all(map(operator.is_, hit[0], docs)):
            kept[memo] = hit
            papers.append(hit[1])
            continue
        entry = key(slug, doc) if cache is not None else ""
        paper = cache.get(entry) if cache is not None else None
        if paper is None:
            before = len(errors)
            paper = _paper(slug, doc, languages, techniques, benchmarks, known_benchmarks, errors, slugs)
            if cache is not None and paper is not None and len(errors) == before:
                cache.put(entry, paper)
        translated: dict[str, Text] = {}
        summaries = {languages[0]: _body(doc, render, errors)}
        for lang, tdoc in extra.items():
            if tdoc.data is None:
                continue
            c = Checker(tdoc, errors)
            data = tdoc.data
            if isinstance(data, dict):
                for name in [n for n in data if n in (*PAPER_REQUIRED, *PAPER_OPTIONAL) and n not in TRANSLATABLE]:
                    c.error(
                        (name,),
                        f"'{name}' cannot be translated: facts live only in {doc.path}; a translation holds"
                        f" only {', '.join(TRANSLATABLE)}",
                        on_key=True,
                    )
                    data = {k: v for k, v in data.items() if k != name}
            data = c.mapping((), data, (), TRANSLATABLE)
            translated[lang] = {
                name: text for name in TRANSLATABLE if (text := c.get(data or {}, (name,), c.string, ""))
            }
            summaries[lang] = _body(tdoc, render, errors)
        if paper is not None:
            digest = hashlib.blake2b(f"{slug}\0".encode() + doc.digest, digest_size=16)
            for lang, tdoc in sorted(extra.items()):
                digest.update(f"\0{lang}\0".encode() + tdoc.digest)
            papers.append(replace(paper, summaries=summaries, translated=translated, digest=digest.digest()))
            if len(errors) == start:
                kept[memo] = (docs, papers[-1])
    if cache is not None:
        cache.remember(_PAPER_OBJECTS, kept)
    return papers


def _paper(
    slug: str,
    doc: RawDocument,
    languages: tuple[str, ...],
    techniques: set[str] | None,
    benchmarks: dict[str, Benchmark],
    known_benchmarks: set[str] | None,
    errors: list[SourceError],
    slugs: set[str],
) -> Paper | None:
    before = len(errors)
    c = Checker(doc, errors)
    data = c.mapping((), doc.data, PAPER_REQUIRED, PAPER_OPTIONAL)
    if data is None:
        return None
    title = c.get(data, ("title",), c.string, "")
    short_name = c.get(data, ("short_name",), c.string, "")
    authors = c.get(data, ("authors",), c.strings, ())
    year = c.get(data, ("year",), c.integer, None)
    if year is not None and not 1900 <= year <= 2100:
        c.error(("year",), f"'year' {year} is not a plausible publication year: use the year of the first version")
    venue = c.get(data, ("venue",), c.string, "")
    arxiv = c.get(data, ("arxiv",), lambda k, v: _arxiv(c, k, v), "")
    tldr = c.get(data, ("tldr",), c.string, "")
    added = c.get(data, ("added",), c.date, None)
    verified = c.get(data, ("verified",), c.date, None)
    license_ = c.get(data, ("license",), c.string, "")
    links = _links(c, data, arxiv)
    tech = c.get(data, ("techniques",), c.strings, ())
    for index, ident in enumerate(tech):
        if techniques is not None and ident not in techniques:
            c.error(("techniques", index), f"unknown technique '{ident}'{did_you_mean(ident, techniques)}")
        if ident in tech[:index]:
            c.error(("techniques", index), f"technique '{ident}' is listed twice; remove one")
    doi = c.get(data, ("doi",), lambda k, v: _doi(c, k, v), "")
    if not doi and arxiv:
        doi = f"10.48550/arXiv.{re.sub(r'v[0-9]+$', '', arxiv)}"  # arXiv's DataCite DOI for every id
    volume = c.get(data, ("volume",), c.string, "")
    number = c.get(data, ("number",), c.string, "")
    pages = c.get(data, ("pages",), c.string, "")
    venue_year = c.get(data, ("venue_year",), c.integer, None)
    if venue_year is not None and year is not None and venue_year < year:
        c.error(("venue_year",), f"'venue_year' {venue_year} is before 'year' {year}, the year of the first version")
    date = c.get(data, ("date",), lambda k, v: _month(c, k, v), "") or arxiv_month(arxiv)
    if date and year is not None and int(date[:4]) != year:
        where = ("date",) if "date" in data else ("arxiv",)
        c.error(
            where,
            f"first version in {date} (from {where[0]!r}) but 'year' is {year}: 'year' is the first version's year",
        )
    builds_on = c.get(data, ("builds_on",), c.strings, ())
    for index, other in enumerate(builds_on):
        if other == slug:
            c.error(("builds_on", index), "a paper cannot build on itself")
        elif slugs and other not in slugs:
            c.error(("builds_on", index), f"unknown paper '{other}' in 'builds_on'{did_you_mean(other, slugs)}")
        if other in builds_on[:index]:
            c.error(("builds_on", index), f"paper '{other}' is listed twice; remove one")
    history = _history(c, data, languages)
    models = _models(c, data)
    declared = {str(m["name"]) for m in data.get("models") or [] if isinstance(m, dict) and m.get("name") is not None}
    results = _results(c, data, declared, benchmarks, known_benchmarks)
    if len(errors) > before:
        return None
    return Paper(
        slug=slug,
        title=title,
        short_name=short_name,
        authors=authors,
        year=year or 0,
        venue=venue,
        arxiv=arxiv,
        tldr=tldr,
        links=links,
        license=license_,
        techniques=tuple(dict.fromkeys(tech)),
        models=models,
        results=results,
        added=added,
        verified=verified,
        summaries={},
        doi=doi,
        volume=volume,
        number=number,
        pages=pages,
        venue_year=venue_year,
        date=date,
        builds_on=tuple(dict.fromkeys(builds_on)),
        history=history,
        source=doc.path,
    )


def _history(c: Checker, data: dict[str, Any], languages: tuple[str, ...]) -> tuple[Change, ...]:
    """Dated changes, newest first; each change a string or one per language."""
    changes: list[Change] = []
    for index, raw in enumerate(c.get(data, ("history",), c.sequence, [])):
        key: Key = ("history", index)
        entry = c.mapping(key, raw, ("date", "change"), (), "a history entry")
        if entry is None:
            continue
        date = c.get(entry, (*key, "date"), c.date, None)
        change = c.get(entry, (*key, "change"), lambda k, v: _change_text(c, k, v, languages), None)
        if date is not None and change is not None:
            changes.append(Change(date, change))
    return tuple(sorted(changes, key=lambda ch: ch.date, reverse=True))


def _change_text(c: Checker, key: Key, value: Any, languages: tuple[str, ...]) -> Text | None:
    """A plain string, or one per language: the first language's is required, the others fall back to it."""
    if isinstance(value, str):
        text = c.string(key, value)
        return dict.fromkeys(languages, text) if text else None
    data = c.mapping(key, value, languages[:1], languages[1:], "'change'")
    if data is None or data.get(languages[0]) is None:
        return None
    found = {lang: c.get(data, (*key, lang), c.string, "") for lang in languages}
    return {lang: found[lang] or found[languages[0]] for lang in languages} if found[languages[0]] else None


def _arxiv(c: Checker, key: Key, value: Any) -> str | None:
    if isinstance(value, float):
        c.error(key, f"'arxiv' must be quoted, as in arxiv: \"2401.02385\" (unquoted, YAML reads the number {value!r})")
        return None
    text = c.string(key, value)
    if text is not None and not ARXIV.fullmatch(text):
        c.error(key, f"'arxiv' must be an arXiv id such as \"2401.02385\", got {text!r}")
        return None
    return text


MONTH = re.compile(r"\d{4}-(?:0[1-9]|1[0-2])")


def _month(c: Checker, key: Key, value: Any) -> str | None:
    if isinstance(value, dt.date):
        c.error(key, f"'date' is a month, as in date: 2024-01 (got the day {value.isoformat()})")
        return None
    text = c.string(key, value)
    if text is not None and not MONTH.fullmatch(text):
        c.error(key, f"'date' must be a month such as 2024-01, got {text!r}")
        return None
    return text


def arxiv_month(arxiv: str) -> str:
    """Month of an arXiv id's first version: new-style ids begin YYMM (from 0704, April 2007)."""
    match = re.fullmatch(r"(\d{2})(\d{2})\.\d{4,5}(?:v\d+)?", arxiv) or re.fullmatch(
        r"[a-z-]+(?:\.[A-Z]{2})?/(\d{2})(\d{2})\d{3}(?:v\d+)?", arxiv
    )
    if match is None:
        return ""
    yy, mm = int(match.group(1)), match.group(2)
    if not "01" <= mm <= "12":  # a placeholder such as 0000.00000
        return ""
    return f"{2000 + yy if yy < 91 else 1900 + yy}-{mm}"


def _links(c: Checker, data: dict[str, Any], arxiv: str) -> dict[str, str]:
    given = c.get(data, ("links",), lambda k, v: c.mapping(k, v, (), LINK_KINDS), {})
    links = {}
    if arxiv:
        links = {"abstract": urls.arxiv_abstract(arxiv), "pdf": urls.arxiv_pdf(arxiv)}
    for kind in LINK_KINDS:
        url = c.get(given, ("links", kind), c.url, "")
        if url:
            links[kind] = url
    return {kind: links[kind] for kind in LINK_KINDS if kind in links}


def _models(c: Checker, data: dict[str, Any]) -> tuple[Model, ...]:
    models: list[Model] = []
    names: dict[str, Key] = {}
    items = c.get(data, ("models",), c.sequence, [])
    if "models" in data and not items:
        c.error(("models",), "'models' must list at least one model")
    for index, raw in enumerate(items):
        key: Key = ("models", index)
        m = c.mapping(key, raw, ("name", "role"), ("params", "tokens"), "a model")
        if m is None:
            continue
        name = c.get(m, (*key, "name"), c.string, "")
        params = c.get(m, (*key, "params"), lambda k, v: _count(c, k, v), None)
        tokens = c.get(m, (*key, "tokens"), lambda k, v: _count(c, k, v), None)
        role = c.get(m, (*key, "role"), c.string, "")
        if role and role not in ROLES:
            c.error((*key, "role"), f"'role' must be 'proposed' or 'baseline', got '{role}'{did_you_mean(role, ROLES)}")
        if name in names:
            c.error(
                (*key, "name"),
                f"duplicate model name '{name}' (first on line {c.doc.values.get(names[name], (0, 0))[0]});"
                " names must be unique within a paper",
            )
        else:
            names[name] = (*key, "name")
        if name and role in ROLES:
            models.append(Model(name, params, tokens, role))
    return tuple(models)


def _count(c: Checker, key: Key, value: Any) -> int | None:
    try:
        return parse_count(value)
    except ValueError as exc:
        c.error(key, f"'{key[-1]}': {exc}")
        return None


def _results(
    c: Checker, data: dict[str, Any], models: set[str], benchmarks: dict[str, Benchmark], known: set[str] | None
) -> tuple[Result, ...]:
    """Results; references are checked against everything declared, valid or not, to avoid cascades."""
    results: list[Result] = []
    seen: dict[tuple[str, str, str], Key] = {}
    for index, raw in enumerate(c.get(data, ("results",), c.sequence, [])):
        key: Key = ("results", index)
        r = c.mapping(key, raw, ("model", "benchmark", "setting", "score", "source"), ("note",), "a result")
        if r is None:
            continue
        model = c.get(r, (*key, "model"), c.string, "")
        bench = c.get(r, (*key, "benchmark"), c.string, "")
        setting = c.get(r, (*key, "setting"), c.string, "")
        score = c.get(r, (*key, "score"), c.number, None)
        source = c.get(r, (*key, "source"), c.string, "")
        note = c.get(r, (*key, "note"), c.string, "")
        if model and model not in models:
            c.error(
                (*key, "model"), f"result names model '{model}', which is not in 'models'{did_you_mean(model, models)}"
            )
        benchmark = benchmarks.get(bench)
        if bench and known is not None and bench not in known:
            c.error((*key, "benchmark"), f"unknown benchmark '{bench}'{did_you_mean(bench, known)}")
        if benchmark and score is not None and not benchmark.low <= score <= benchmark.high:
            c.error(
                (*key, "score"),
                f"score {score:g} is outside the range of {benchmark.name} [{benchmark.low:g}, {benchmark.high:g}]",
            )
        if (model, bench, setting) in seen:
            c.error(
                key,
                f"duplicate result for model '{model}' on '{bench}' ({setting}), first on line"
                f" {c.doc.values.get(seen[model, bench, setting], (0, 0))[0]}; remove one, or tell them apart in"
                " 'setting'",
            )
        else:
            seen[model, bench, setting] = key
        if model and bench and setting and score is not None and source:
            results.append(Result(model, bench, setting, score, source, note))
    return tuple(results)


def _pages(
    files: Iterable[ContentFile],
    languages: tuple[str, ...],
    errors: list[SourceError],
    render: Callable[[str], Summary] = render_markdown,
) -> list[Page]:
    main, translations = _split(files, languages, errors, "page")
    pages = []
    for slug, doc in main.items():
        if doc.data is None:
            continue
        if slug in RESERVED_PAGES or slug in languages:
            errors.append(
                SourceError(doc.path, 0, 0, f"page slug '{slug}' is taken by the site's own pages; rename the file")
            )
            continue
        c = Checker(doc, errors)
        data = c.mapping((), doc.data, ("title",), ())
        title = {languages[0]: c.get(data or {}, ("title",), c.string, "")}
        summaries = {languages[0]: _body(doc, render, errors)}
        for lang, tdoc in translations.get(slug, {}).items():
            if tdoc.data is None:
                continue
            tc = Checker(tdoc, errors)
            tdata = tc.mapping((), tdoc.data, (), ("title",))
            title[lang] = tc.get(tdata or {}, ("title",), tc.string, title[languages[0]])
            summaries[lang] = _body(tdoc, render, errors)
        pages.append(Page(slug, title, summaries))
    return pages
