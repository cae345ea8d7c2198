"""Validate stage: relative links and #anchors in Markdown bodies must reach a page of the site."""

from __future__ import annotations

import posixpath
import re
from collections.abc import Iterable, Mapping
from urllib.parse import unquote

from surveysite import urls
from surveysite.errors import SourceError, closest, did_you_mean
from surveysite.figures import FOLDER, Figure
from surveysite.load import ContentFile
from surveysite.model import Benchmark, Page, Paper, Summary, TechniqueGroup
from surveysite.timeline import page_anchors

PAPER_SECTIONS = ("summary", "model-list", "results-tables", "in-context", "history", "cite", "related")
"""Ids the paper template gives its sections."""
_SCHEME = re.compile(r"[a-zA-Z][a-zA-Z0-9+.-]*:")


def site_targets(
    papers: Iterable[Paper], pages: Iterable[Page], groups: Iterable[TechniqueGroup], benchmarks: Iterable[Benchmark]
) -> dict[str, set[str]]:
    """Every linkable path (no language prefix, no trailing slash) and the anchor ids it has."""
    groups = tuple(groups)
    papers = tuple(papers)

    def key(path: str) -> str:
        return path.rstrip("/")

    targets: dict[str, set[str]] = {
        key(urls.INDEX): {"papers"},
        key(urls.TAXONOMY): {g.id for g in groups} | {t.id for g in groups for t in g.techniques},
        key(urls.CHART): {b.id for b in benchmarks},
        key(urls.CHANGES): set(),
        key(urls.BENCHMARKS): set(),
        key(urls.TIMELINE): page_anchors(papers),
        key(urls.COMPARE): set(),
        key(urls.SEARCH): set(),
    }
    for group in groups:
        targets.update({key(urls.technique(t.id)): {"papers"} for t in group.techniques})
    for bench in benchmarks:
        targets[key(urls.benchmark(bench.id))] = set()
        targets.update({urls.benchmark_file(bench.id, name): set() for name in ("results.csv", "table.tex")})
    for paper in papers:
        targets[key(urls.paper(paper.slug))] = set(PAPER_SECTIONS) | _heading_ids(paper.summaries.values())
        targets[urls.cite_bib(paper.slug)] = set()
    for page in pages:
        targets[key(urls.page(page.slug))] = _heading_ids(page.summaries.values())
    targets.update({path: set() for path in urls.LINKABLE_FILES})
    return targets


def _heading_ids(summaries: Iterable[Summary]) -> set[str]:
    return {ident for summary in summaries for _level, ident, _text in summary.headings}


def check_links(
    files: Iterable[ContentFile],
    summaries: dict[str, dict[str, Summary]],
    folder: str,
    languages: tuple[str, ...],
    targets: dict[str, set[str]],
    figures: Mapping[str, Figure | str],
    shown: dict[str, Figure | str],
) -> list[SourceError]:
    """Errors for body links of `files` (papers or pages) that reach no page or anchor, and for
    images that are not figures of the survey; the figures shown are added to `shown`."""
    errors = []
    for file in files:
        summary = summaries.get(file.slug, {}).get(file.lang or languages[0])
        if summary is None:
            continue
        here = posixpath.join(folder, file.slug) if folder else file.slug
        for line, href in summary.links:
            problem = _problem(unquote(href), here, languages, targets)
            if problem:
                errors.append(SourceError(file.doc.path, file.doc.body_line + line - 1, 0, problem))
        for line, src, alt in summary.images:
            problem, name = _image_problem(src, alt, figures)
            if problem:
                errors.append(SourceError(file.doc.path, file.doc.body_line + line - 1, 0, problem))
            elif name:
                shown.setdefault(name, figures[name])
    return errors


def _image_problem(src: str, alt: str, figures: Mapping[str, Figure | str]) -> tuple[str, str]:
    """Why an image cannot be shown ('' if it can), and the figure's name."""
    if src.lower().startswith("data:"):
        return "", ""  # inline data, no request
    if _SCHEME.match(src) or src.startswith("//"):
        # A remote image would make every reader's browser call another site.
        return f"image '{src}' is from another site (a third-party request); copy it to content/figures/", ""
    name = src.removeprefix(f"{FOLDER}/")
    if not src.startswith(f"{FOLDER}/") or "/" in name:
        return (
            f"image '{src}' must be a figure of the survey: put the file in content/figures/ and write figures/<name>",
            "",
        )
    if name not in figures:
        hint = did_you_mean(name, figures)
        return f"figure '{name}' is not in content/figures/{hint}", ""
    figure = figures[name]
    if isinstance(figure, str):
        return figure, ""
    if not alt:
        return f"figure '{name}' has no alt text: describe it in the brackets, ![what it shows]({src})", ""
    return "", name


def _problem(href: str, here: str, languages: tuple[str, ...], targets: dict[str, set[str]]) -> str:
    if _SCHEME.match(href) or href.startswith("//"):
        return ""
    path, _, fragment = href.partition("#")
    path = path.partition("?")[0]  # a query is the page's state (compare/?m=...), not another page
    if href.startswith("/"):
        return f"link '{href}' starts at the server root, which breaks under a project path; use a relative link"
    target = posixpath.normpath(posixpath.join(here, path)) if path else here
    target = "" if target == "." else target.strip("/")
    first, _, rest = target.partition("/")
    if first in languages[1:]:
        target = rest
    if target.endswith("index.html"):
        target = target.removesuffix("index.html").rstrip("/")
    if target.startswith("..") or target not in targets:
        match = closest(target, targets)
        hint = f" (did you mean '{posixpath.relpath(match or '.', here)}/'?)" if match is not None else ""
        return f"link '{href}' points to no page of the site{hint}"
    if fragment and fragment not in targets[target]:
        return f"link '{href}': the page has no anchor '#{fragment}'{did_you_mean(fragment, targets[target])}"
    return ""
