#!/usr/bin/env python3
"""Convert a surveysite content folder into a Pelican site that renders the same pages.

Usage: python bench/pelican_site.py CONTENT SITE

The Pelican site gets bench/pelican/pelicanconf.py and bench/pelican/theme/ plus:

- content/papers/<slug>.md and <slug>.zh.md: Pelican's Markdown metadata (`Key: value` lines)
  instead of YAML. Techniques become tags (tag pages are the technique pages); models, results
  and links, which Pelican metadata cannot nest, travel as one line of JSON (`Data:`) that the
  theme decodes with a `fromjson` filter. The Chinese file is a translation (`Lang: zh`, same
  slug) and repeats the facts. Bodies are copied unchanged.
- content/pages/<slug>.md (+ .zh.md): the free pages.
- site.json: site title, technique names and benchmark names, read by pelicanconf.py.

Conversion is not timed by the runner: it stands for content a Pelican user would already have.
"""

from __future__ import annotations

import argparse
import json
import shutil
import sys
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
from corpus import Corpus, Document, read_corpus

TEMPLATE_SITE = Path(__file__).resolve().parent / "pelican"
FACTS = ("arxiv", "links", "license", "models", "results", "verified")
"""Front-matter keys the theme needs that do not fit a one-line string."""


def one_line(text: object) -> str:
    """Pelican metadata values end at the line's end."""
    return " ".join(str(text).split())


def paper_file(slug: str, meta: dict[str, Any], body: str, lang: str) -> str:
    facts = {key: meta[key] for key in FACTS if key in meta}
    lines = {
        "Title": meta["title"],
        "Date": meta.get("added") or f"{meta['year']}-01-01",
        "Slug": slug,
        "Lang": lang,
        "Tags": ", ".join(meta["techniques"]),
        "Authors": "; ".join(meta["authors"]),
        "Shortname": meta["short_name"],
        "Year": meta["year"],
        "Venue": meta["venue"],
        "Tldr": meta.get("tldr", ""),
        "Data": json.dumps(facts, ensure_ascii=False, default=str, sort_keys=True),
    }
    head = "".join(f"{key}: {one_line(value)}\n" for key, value in lines.items())
    return f"{head}\n{body}"


def write_papers(corpus: Corpus, folder: Path) -> None:
    folder.mkdir(parents=True)
    for slug, doc in corpus.papers.items():
        (folder / f"{slug}.md").write_text(paper_file(slug, doc.meta, doc.body, "en"), encoding="utf-8")
        translation = corpus.papers_zh.get(slug)
        if translation is not None:
            meta = doc.meta | {key: value for key, value in translation.meta.items() if value}
            (folder / f"{slug}.zh.md").write_text(paper_file(slug, meta, translation.body, "zh"), encoding="utf-8")


def write_pages(pages: dict[str, Document], translations: dict[str, Document], folder: Path) -> None:
    folder.mkdir(parents=True)
    for slug, doc in pages.items():
        versions = [("en", "", doc)] + ([("zh", ".zh", translations[slug])] if slug in translations else [])
        for lang, suffix, version in versions:
            title = version.meta.get("title") or doc.meta["title"]
            head = f"Title: {one_line(title)}\nSlug: {slug}\nLang: {lang}\n\n"
            (folder / f"{slug}{suffix}.md").write_text(head + version.body, encoding="utf-8")


def site_json(corpus: Corpus) -> dict[str, Any]:
    techniques = {
        t["id"]: {"name": t["name"]["en"], "definition": t["definition"]["en"], "group": g["name"]["en"]}
        for g in corpus.groups
        for t in g["techniques"]
    }
    benchmarks = {b["id"]: {"name": b["name"], "metric": b["metric"]} for b in corpus.benchmarks}
    return {
        "title": corpus.site["title"],
        "description": corpus.site["description"],
        "techniques": techniques,
        "benchmarks": benchmarks,
    }


def write_site(content: Path, site: Path) -> None:
    """(Re)create the Pelican site at `site` from the surveysite folder `content`."""
    corpus = read_corpus(content)
    if site.exists():
        shutil.rmtree(site)
    site.mkdir(parents=True)
    shutil.copy(TEMPLATE_SITE / "pelicanconf.py", site / "pelicanconf.py")
    shutil.copytree(TEMPLATE_SITE / "theme", site / "theme")
    (site / "site.json").write_text(json.dumps(site_json(corpus), ensure_ascii=False, indent=1), encoding="utf-8")
    write_papers(corpus, site / "content" / "papers")
    write_pages(corpus.pages, corpus.pages_zh, site / "content" / "pages")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("content", type=Path, help="surveysite content folder")
    parser.add_argument("site", type=Path, help="Pelican site folder to create (replaced if it exists)")
    args = parser.parse_args(argv)
    write_site(args.content, args.site)
    return 0


if __name__ == "__main__":
    sys.exit(main())
