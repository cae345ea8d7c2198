"""The site's URL scheme: every path a page, export or asset has, relative to the site's root.

Written once here; views, render, exports, the link checker and the templates (as `urls`) read
it, so a path cannot differ between the page that is written and the links that reach it.
Folders end in '/', and a language other than the first is a prefix in front of any of them.
"""

from __future__ import annotations

INDEX = ""
TAXONOMY = "techniques/"
CHART = "chart/"
BENCHMARKS = "benchmarks/"
TIMELINE = "timeline/"
COMPARE = "compare/"
SEARCH = "search/"
CHANGES = "changes/"
FEED = "feed.xml"
SURVEY_BIB = "survey.bib"
PAPERS_JSON = "data/papers.json"
RESULTS_CSV = "data/results.csv"
RESULTS_JSON = "data/results.json"
SCHEMA = "schema/paper.json"
TRANSLATION_SCHEMA = "schema/paper.translation.json"
SITEMAP = "sitemap.xml"
ROBOTS = "robots.txt"
NOT_FOUND = "404.html"
ASSETS = "assets/"
FIGURES = "figures/"
SEARCH_INDEX = "pagefind/"

RESERVED = (
    "papers",
    "techniques",
    "chart",
    "benchmarks",
    "timeline",
    "compare",
    "changes",
    "assets",
    "data",
    "figures",
    "schema",
    "search",
    "pagefind",
)
"""First path segments the site's own pages use: no free page may take one as its slug."""


def paper(slug: str) -> str:
    return f"papers/{slug}/"


def cite_bib(slug: str) -> str:
    return f"papers/{slug}/cite.bib"


def technique(ident: str) -> str:
    return f"techniques/{ident}/"


def group(ident: str) -> str:
    return f"{TAXONOMY}#{ident}"


def benchmark(ident: str) -> str:
    return f"{BENCHMARKS}{ident}/"


def benchmark_file(ident: str, name: str) -> str:
    """A download of one benchmark's page: results.csv, table.tex."""
    return f"{BENCHMARKS}{ident}/{name}"


def compare_data(slug: str) -> str:
    """One paper's models and results for the compare page: a script (fetch() fails on file://)."""
    return f"compare/data/{slug}.js"


def compare_models(year: int | str) -> str:
    """The compare page's picker for one year: its papers' models and data files. Split by year
    so that the picker of a survey of 10,000 papers loads a year, not every model at once."""
    return f"compare/models/{year}.js"


def compare_model(slug: str, model: str) -> str:
    """A model's id in the compare page's address (compare/?m=<id>): its paper's slug, '~', its
    name. Stable while neither changes; a slug has no '~', so the first one splits the two."""
    return f"{slug}~{model}"


def page(slug: str) -> str:
    return f"{slug}/"


def figure(name: str) -> str:
    return f"{FIGURES}{name}"


def asset(name: str) -> str:
    return f"{ASSETS}{name}"


def arxiv_abstract(ident: str) -> str:
    """The paper's abstract page on arXiv: another site, the one absolute URL made here."""
    return f"https://arxiv.org/abs/{ident}"


def arxiv_pdf(ident: str) -> str:
    return f"https://arxiv.org/pdf/{ident}"


def lang_prefix(lang: str, languages: tuple[str, ...]) -> str:
    """'' for the first language, served at the root; '<lang>/' for the others."""
    return "" if lang == languages[0] else f"{lang}/"


LINKABLE_FILES = (FEED, SURVEY_BIB, PAPERS_JSON, RESULTS_CSV, RESULTS_JSON, SCHEMA, SITEMAP, ROBOTS)
"""Generated files that a body may link to."""
