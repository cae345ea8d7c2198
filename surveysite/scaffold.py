"""`surveysite new <slug>` and `surveysite init FOLDER`: files a survey author starts from.

Everything written here must build and pass `check` as it is, so that a new survey starts green
and each field's comment is the first documentation its author reads.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from dataclasses import dataclass
from pathlib import Path

from surveysite.digest import package_version
from surveysite.i18n import STRINGS

PAPER_TEMPLATE = """\
---
{notes}# Exact title from the paper (quoted when it contains a colon).
title: {title}
# Name used in tables and charts.
short_name: {short_name}
# All authors, in the paper's order.
authors: [{authors}]
# Year of the first version (the first arXiv version for preprints).
year: {year}
# Month of the first version; derived from a new-style arXiv id when not given.
# date: 2024-01
# Where it was published: "NeurIPS 2023", "ICLR 2022", or "arXiv preprint".
venue: {venue}
# arXiv id, quoted; abstract and PDF links and the arXiv DOI are derived from it.
{arxiv}
# The venue's DOI, if it has one (otherwise the arXiv DOI is used).
{doi}
# For journals: volume, number, pages, and the venue's year when it differs from `year`.
{volume}
{number}
{pages}
{venue_year}
# One sentence in your own words, shown in lists and link previews.
tldr: What the paper shows, in one sentence.
# Date the paper joined the survey, and date its facts were last checked.
added: {today}
verified: {today}
# Optional links: abstract, pdf, code, weights, project.
links:
{abstract}  code: https://github.com/owner/repo
# Licence of released code or weights, if the paper states one.
license: Apache-2.0
# Technique ids from content/taxonomy.yaml.
techniques: [{technique}]
# Slugs of earlier papers of this survey that this paper says it builds on.
# builds_on: [other-paper]
# Dated changes to this page, newest first: readers who cited a number can see if it moved.
history:
  - date: {today}
    change: Added to the survey.
# Models the paper proposes, and baselines it compares against.
models:
  - name: Model-1B      # unique within this file; results refer to it
    params: 1B          # integer or number with K, M, B, T; omit if the paper does not state it
    tokens: 1T          # training tokens (optional)
    role: proposed      # proposed | baseline
# Results: each with the table or section it comes from.
results:
  - model: Model-1B
    benchmark: {benchmark}     # id from content/benchmarks.yaml
    setting: 5-shot
    score: 25.0
    source: Table 1
---
Write the summary here in your own words: the problem, the method, the key results with
numbers, the limitations, and why the paper matters for this survey.

## Method

## Results

## Limitations
"""


@dataclass(frozen=True)
class PaperFacts:
    """The facts a paper file starts with: placeholders for `new <slug>`, or what an import found.

    An empty optional field is written as the template's commented example, so that an imported
    file documents every field exactly as a typed-in one does.
    """

    title: str
    short_name: str
    year: int
    authors: tuple[str, ...] = ("First Author", "Second Author")
    venue: str = "arXiv preprint"
    arxiv: str = "0000.00000"
    doi: str = ""
    volume: str = ""
    number: str = ""
    pages: str = ""
    venue_year: str = ""
    abstract: str = ""
    """A link to the paper's page, for a paper without an arXiv id (which gives one itself)."""
    notes: tuple[str, ...] = ()
    """Comments put first: where the facts came from, and what to check by hand."""


_EXAMPLES = {
    "arxiv": '"2401.02385"',
    "doi": '"10.18653/v1/2021.naacl-main.185"',
    "volume": '"25"',
    "number": '"70"',
    "pages": '"1–53"',
    "venue_year": "2024",
}
"""The commented example written for an optional fact that is not known."""


def paper_scaffold(slug: str, today: dt.date, technique: str = "example-technique", benchmark: str = "example") -> str:
    """The file `new <slug>` writes: every field, with placeholders that pass `check`."""
    title = slug.replace("-", " ").title()
    return paper_text(PaperFacts(title, title, today.year), today, technique, benchmark)


def paper_text(
    facts: PaperFacts, today: dt.date, technique: str = "example-technique", benchmark: str = "example"
) -> str:
    """A paper file with these facts and every other field scaffolded with its comment."""

    def optional(name: str) -> str:
        value = str(getattr(facts, name))
        return f"{name}: {_yaml_string(value)}" if value else f"# {name}: {_EXAMPLES[name]}"

    return PAPER_TEMPLATE.format(
        notes="".join(f"# {' '.join(note.split())}\n" for note in facts.notes),
        title=_yaml_string(facts.title),
        short_name=yaml_scalar(facts.short_name),
        authors=", ".join(yaml_scalar(name, flow=True) for name in facts.authors),
        year=facts.year,
        venue=yaml_scalar(facts.venue),
        arxiv=optional("arxiv"),
        doi=optional("doi"),
        volume=optional("volume"),
        number=optional("number"),
        pages=optional("pages"),
        venue_year=optional("venue_year").replace('"', ""),
        abstract=f"  abstract: {yaml_scalar(facts.abstract)}\n" if facts.abstract else "",
        today=today.isoformat(),
        technique=technique,
        benchmark=benchmark,
    )


def yaml_scalar(text: str, *, flow: bool = False) -> str:
    """`text` as YAML reads it back unchanged: plain when it can be (as people write it), else quoted.

    `flow` is for an item of a [list], where commas and brackets end a plain scalar.
    """
    import yaml

    wrapped = f"k: [{text}]" if flow else f"k: {text}"
    try:
        plain = yaml.safe_load(wrapped) == {"k": [text] if flow else text}
    except yaml.YAMLError:
        plain = False
    return text if plain and text == text.strip() and "\n" not in text else _yaml_string(text)


def first_ids(content: Path) -> tuple[str, str]:
    """The survey's first technique and benchmark ids, so that `new` scaffolds a valid paper."""
    import yaml

    def first(name: str, pattern: str, default: str) -> str:
        try:
            text = (content / name).read_text(encoding="utf-8")
        except OSError:
            return default
        try:
            data = yaml.safe_load(text)
        except yaml.YAMLError:
            return default
        items = [data] if isinstance(data, dict) else []
        for key in pattern.split("/"):
            items = [x for item in items if isinstance(item.get(key), list) for x in item[key] if isinstance(x, dict)]
        ids = [str(item["id"]) for item in items if item.get("id")]
        return ids[0] if ids else default

    return first("taxonomy.yaml", "groups/techniques", "example-technique"), first(
        "benchmarks.yaml", "benchmarks", "example"
    )


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-") or "survey"


def _yaml_string(text: str) -> str:
    """A double-quoted YAML string; JSON's escapes are YAML's, and they cover control characters."""
    return json.dumps(text, ensure_ascii=False)


ENGINE_SOURCE = "surveysite @ git+https://github.com/surveysite/surveysite@v{version}"
"""Where a scaffolded survey's workflows install the engine from: the version that made it."""


def survey_files(folder: str, title: str, languages: tuple[str, ...], today: dt.date) -> dict[str, str]:
    """Every file of a new survey, by path relative to its folder."""
    default = languages[0]
    slug = _slug(folder)
    engine = ENGINE_SOURCE.format(version=package_version("surveysite"))

    def text(value: str) -> str:
        return "{" + ", ".join(f"{lang}: {_yaml_string(value)}" for lang in languages) + "}"

    files = {
        "content/site.yaml": f"""\
# The survey's settings. Strings given as {{{default}: ...}} need one entry per language.
title: {text(title)}
description: {text(f"A survey of {title.lower()}, with every result traced to its source.")}
# Where the site is published. GitHub Pages builds pass their own URL with --site-url.
site_url: https://example.github.io/{slug}/
# The first language is served at the root, the others under /<language>/.
languages: [{", ".join(languages)}]
# The repository, for "edit this page" and "report an error" links.
# repo_url: https://github.com/example/{slug}
citation:
  authors: [{slug} contributors]
  title: {_yaml_string(title)}
  year: {today.year}
license:
  name: CC BY 4.0
  url: https://creativecommons.org/licenses/by/4.0/
""",
        "content/taxonomy.yaml": f"""\
# Groups of techniques; papers list technique ids in `techniques:`.
groups:
  - id: methods
    name: {text("Methods")}
    techniques:
      - id: example-technique
        name: {text("Example technique")}
        definition: {text("Replace this with a technique of your field and a one-sentence definition.")}
""",
        "content/benchmarks.yaml": f"""\
# Benchmarks that results refer to by id; `range` bounds every score.
benchmarks:
  - id: example
    name: Example benchmark
    metric: accuracy (%)
    higher_is_better: true
    range: [0, 100]
    description: {text("Replace this with what the benchmark measures.")}
""",
        "content/papers/example-paper.md": paper_scaffold("example-paper", today),
        "content/pages/about.md": """\
---
title: About
---
## Scope

What this survey covers, and what it leaves out.

## How papers are chosen and checked

Every number on this site comes from the paper it belongs to, with the table or section it is
printed in. To suggest a paper or report an error, open an issue or a pull request.
""",
        "README.md": f"""\
# {title}

A survey built with [surveysite](https://github.com/surveysite/surveysite).

```sh
python3 -m pip install -r requirements.txt && surveysite build   # build content/ into _site/
surveysite check                                                  # validate everything, as pull requests are checked
```

`surveysite serve` previews the site with live reload. Add a paper with `surveysite new <slug>`,
fill in its facts from the paper, and open a pull request. `requirements.txt` names the engine
version this survey is built with; the workflows install the same.
""",
        "requirements.txt": f"# The engine this survey is built with (the workflows install the same).\n{engine}\n",
        ".gitignore": "_site/\n.surveysite-cache/\n._site.lock\n__pycache__/\n",
        ".github/workflows/pages.yml": _PAGES_WORKFLOW,
        ".github/workflows/check.yml": _CHECK_WORKFLOW,
        ".github/ISSUE_TEMPLATE/suggest-paper.yml": _SUGGEST_FORM,
        ".github/ISSUE_TEMPLATE/report-error.yml": _ERROR_FORM,
        "CITATION.cff": f"""\
cff-version: 1.2.0
message: If you use this survey, please cite it as below.
title: {_yaml_string(title)}
type: dataset
authors:
  - name: {slug} contributors
date-released: {today.isoformat()}
license: CC-BY-4.0
""",
    }
    for lang in languages:
        if lang not in STRINGS:
            files[f"content/i18n/{lang}.yaml"] = strings_to_translate(lang)
    return files


def strings_to_translate(lang: str) -> str:
    """Every interface string, prefilled with the English text, each marked for translation."""
    lines = [
        f"# Interface strings for '{lang}'. Each value is the English text: translate it, then delete",
        "# its '# translate' mark. Keys must stay as they are.",
    ]
    # Known already: the tag itself; the language's own name is to be written (the tag until then).
    known = {"html_lang": lang, "og_locale": lang.replace("-", "_"), "language_name": lang}
    for key, value in STRINGS["en"].items():
        mark = "" if key in ("html_lang", "og_locale") else "  # translate"
        lines.append(f"{key}: {_yaml_string(known.get(key, value))}{mark}")
    return "\n".join(lines) + "\n"


_PAGES_WORKFLOW = """\
name: Deploy to GitHub Pages

on:
  push:
    branches: [main]
  workflow_dispatch:

permissions:
  contents: read
  pages: write
  id-token: write
  actions: read

concurrency:
  group: pages
  cancel-in-progress: false

jobs:
  build:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@v4
      - uses: actions/setup-python@v5
        with:
          python-version: "3.11"
      - id: pages
        uses: actions/configure-pages@v5
      - name: Build
        env:
          # The address GitHub Pages serves this site at, subpath included.
          SURVEYSITE_SITE_URL: ${{ steps.pages.outputs.base_url }}/
        run: |
          python -m pip install -r requirements.txt
          surveysite check
          surveysite build --out _site
      - uses: actions/upload-pages-artifact@v5
        with:
          path: _site
          include-hidden-files: true  # keeps .nojekyll: v5 leaves hidden files out by default

  deploy:
    needs: build
    runs-on: ubuntu-latest
    environment:
      name: github-pages
      url: ${{ steps.deployment.outputs.page_url }}
    steps:
      - id: deployment
        uses: actions/deploy-pages@v5
"""

_CHECK_WORKFLOW = """\
name: Check

on:
  pull_request:
  push:
    branches: [main]

permissions:
  contents: read

jobs:
  check:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@v4
      - uses: actions/setup-python@v5
        with:
          python-version: "3.11"
      - name: Check the content
        run: |
          python -m pip install -r requirements.txt
          surveysite check --format github
      - name: Build
        run: surveysite build --no-search --out _site
"""

_SUGGEST_FORM = """\
name: Suggest a paper
description: A paper this survey should include.
title: "Add paper: "
labels: [add paper]
body:
  - type: input
    id: link
    attributes:
      label: Link to the paper
      description: arXiv, DOI or the venue's page.
    validations:
      required: true
  - type: textarea
    id: why
    attributes:
      label: Why it belongs in this survey
    validations:
      required: true
"""

_ERROR_FORM = """\
name: Report an error
description: A wrong number, name or statement on a page.
title: "Error on "
labels: [error]
body:
  - type: input
    id: page
    attributes:
      label: Page
      description: The address of the page with the error.
    validations:
      required: true
  - type: textarea
    id: what
    attributes:
      label: What is wrong, and what the source says
      description: Name the table or section of the paper.
    validations:
      required: true
"""
