"""The content model: frozen dataclasses produced by validation and read by rendering."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from surveysite.figures import Figure

Text = dict[str, str]
"""A string per language code, e.g. {'en': 'Distillation', 'zh': '蒸馏'}."""


@dataclass(frozen=True)
class SiteConfig:
    title: Text
    description: Text
    site_url: str
    """Absolute, ends with '/'; only for canonical URLs, sitemap and feed."""
    languages: tuple[str, ...]
    """The first is the default language, served at the root."""
    repo_url: str = ""
    citation: Citation | None = None
    """How to cite the survey itself (shown on the about page and in survey.bib)."""
    license: License | None = None
    """The licence of the survey's text and data (footer, exports)."""


@dataclass(frozen=True)
class Citation:
    authors: tuple[str, ...]
    title: str
    year: int
    doi: str = ""


@dataclass(frozen=True)
class License:
    name: str
    url: str


@dataclass(frozen=True)
class Technique:
    id: str
    name: Text
    definition: Text
    group: str
    """Id of the TechniqueGroup this technique belongs to."""


@dataclass(frozen=True)
class TechniqueGroup:
    id: str
    name: Text
    techniques: tuple[Technique, ...]


@dataclass(frozen=True)
class Benchmark:
    id: str
    name: str
    metric: str
    higher_is_better: bool
    low: float
    high: float
    description: Text


@dataclass(frozen=True)
class Model:
    name: str
    params: int | None
    """None when the paper does not state it: listed, but never plotted."""
    tokens: int | None
    role: str
    """'proposed' or 'baseline'."""


@dataclass(frozen=True)
class Result:
    model: str
    benchmark: str
    setting: str
    score: float
    source: str
    note: str = ""
    """Details that do not change comparability (split, harness, decoding)."""


@dataclass(frozen=True)
class Change:
    """One dated entry of a paper's history: a reader who cited a number can see if it moved."""

    date: dt.date
    change: Text


@dataclass(frozen=True)
class Summary:
    """A rendered Markdown body in one language."""

    html: str
    headings: tuple[tuple[int, str, str], ...] = ()
    """(level, anchor id, text) of each heading, for a table of contents."""
    links: tuple[tuple[int, str], ...] = ()
    """(line in the body, href) of each link, so that relative ones can be checked."""
    images: tuple[tuple[int, str, str], ...] = ()
    """(line in the body, src, alt text) of each image: each must be a figure of the survey."""
    problems: tuple[tuple[int, str], ...] = ()
    """(line in the body, message) of what cannot be rendered, such as a formula latex2mathml rejects."""


@dataclass(frozen=True)
class Paper:
    slug: str
    title: str
    short_name: str
    authors: tuple[str, ...]
    year: int
    venue: str
    arxiv: str
    tldr: str
    links: dict[str, str]
    """Ordered: abstract, pdf, code, weights, project (only those known)."""
    license: str
    techniques: tuple[str, ...]
    models: tuple[Model, ...]
    results: tuple[Result, ...]
    added: dt.date | None
    verified: dt.date | None
    summaries: dict[str, Summary]
    """Per language; a language missing here falls back to the default one."""
    doi: str = ""
    """Given, or derived from the arXiv id (10.48550/arXiv.<id>)."""
    volume: str = ""
    number: str = ""
    pages: str = ""
    date: str = ""
    """Month of the first version, "YYYY-MM": given, or from a new-style arXiv id ("" when unknown)."""
    venue_year: int | None = None
    """The year of the venue's publication, when it differs from `year` (the first version's)."""
    builds_on: tuple[str, ...] = ()
    """Slugs of earlier papers of the survey that this one says it builds on."""
    history: tuple[Change, ...] = ()
    """Newest first."""
    translated: dict[str, Text] = field(default_factory=dict)
    """Per language, translated text fields (title, short_name, tldr)."""
    source: str = ""
    """Path of the main file, for messages."""
    digest: bytes = b""
    """Of the slug and the front matter in every language (not the summaries): pages that list
    or chart papers are made from these alone, so equal digests mean equal such pages."""

    def text(self, name: str, lang: str) -> str:
        """A text field in `lang`, or the main file's value."""
        value: str = getattr(self, name)
        return self.translated.get(lang, {}).get(name, value)

    @property
    def proposed(self) -> tuple[Model, ...]:
        return tuple(m for m in self.models if m.role == "proposed")


@dataclass(frozen=True)
class Page:
    """A free page such as 'about'."""

    slug: str
    title: Text
    summaries: dict[str, Summary]


@dataclass(frozen=True)
class Site:
    config: SiteConfig
    groups: tuple[TechniqueGroup, ...]
    benchmarks: tuple[Benchmark, ...]
    papers: tuple[Paper, ...]
    """Sorted by year, then short name."""
    pages: tuple[Page, ...] = ()
    digest: bytes = b""
    """Of site.yaml, taxonomy.yaml, benchmarks.yaml and the i18n files."""
    figures: tuple[Figure, ...] = ()
    """The figures that bodies show, each published at figures/<name>."""
    strings: dict[str, dict[str, str]] = field(default_factory=dict)
    """Interface strings per language: the engine's, with the survey's i18n files over them."""

    @property
    def techniques(self) -> dict[str, Technique]:
        return {t.id: t for g in self.groups for t in g.techniques}
