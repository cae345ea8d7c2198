"""The paper front-matter contract, declared once.

Each field's name, kind, whether it is required and what it means are written here and nowhere
else: the validator takes its lists of keys from it, the published JSON Schema its properties,
docs/content-format.md its field table (a test keeps the two equal), and the `new` scaffold is
tested to mention every field.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Field:
    name: str
    kind: str
    """How the value is written; `schema.KINDS` turns each kind into a JSON Schema."""
    required: bool
    doc: str
    translatable: bool = False
    """A translation file (<slug>.<lang>.md) may give it in its language."""


PAPER_FIELDS: tuple[Field, ...] = (
    Field("title", "text", True, "Exact title, as the paper prints it.", translatable=True),
    Field("short_name", "text", True, "Name used in tables, charts and links.", translatable=True),
    Field("authors", "texts", True, "Every author, in the paper's order."),
    Field("year", "year", True, "Year of the first version (the first arXiv version for preprints)."),
    Field(
        "date",
        "month",
        False,
        'Month of the first version, "2024-01"; else from a new-style arXiv id. It orders `timeline/`, and a'
        " benchmark page's score-over-time chart places the paper's results at this month (a paper without"
        " one is left off both charts, and named under them).",
    ),
    Field("venue", "text", True, 'Where it was published: "NeurIPS 2023", "arXiv preprint", a model release.'),
    Field("arxiv", "arxiv", False, 'arXiv id, quoted ("2401.02385"); abstract, PDF and DOI derive from it.'),
    Field("doi", "doi", False, "The venue's DOI; without one, the arXiv DOI is used."),
    Field("volume", "scalar", False, "Journal volume (BibTeX's `volume`)."),
    Field("number", "scalar", False, "Journal issue (BibTeX's `number`)."),
    Field("pages", "scalar", False, "Pages in the proceedings or journal, as `1–53`."),
    Field("venue_year", "year", False, "The venue's year, when it differs from `year` (BibTeX uses it)."),
    Field("tldr", "text", False, "One sentence in your own words, for lists and link previews.", translatable=True),
    Field("added", "date", False, "The day the paper joined the survey (the feeds sort by it)."),
    Field("verified", "date", False, "The day its facts were last checked against the paper."),
    Field("links", "links", False, "URLs by kind: abstract, pdf, code, weights, project."),
    Field("license", "text", False, "Licence of the released code or weights, if stated."),
    Field("techniques", "techniques", True, "Technique ids from taxonomy.yaml."),
    Field(
        "builds_on",
        "slugs",
        False,
        "Slugs of earlier papers of the survey that this paper says it builds on (the lineage graph).",
    ),
    Field("history", "history", False, "Dated changes to the page, `{date, change}`, shown on it and in the feeds."),
    Field("models", "models", True, "Models proposed and compared: `{name, params, tokens, role}`."),
    Field("results", "results", False, "Scores: `{model, benchmark, setting, score, source, note}`."),
)

REQUIRED = tuple(f.name for f in PAPER_FIELDS if f.required)
OPTIONAL = tuple(f.name for f in PAPER_FIELDS if not f.required)
TRANSLATABLE = tuple(f.name for f in PAPER_FIELDS if f.translatable)


def markdown_table() -> str:
    """The field table of docs/content-format.md."""
    rows = ["| field | required | what it holds |", "|---|---|---|"]
    rows += [f"| `{f.name}` | {'yes' if f.required else 'no'} | {f.doc} |" for f in PAPER_FIELDS]
    return "\n".join(rows) + "\n"
