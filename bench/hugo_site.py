#!/usr/bin/env python3
"""Convert a surveysite content folder into a Hugo site that renders the same pages.

Usage: python bench/hugo_site.py CONTENT SITE

The Hugo site gets bench/hugo/config.yaml and bench/hugo/layouts/ plus:

- content/papers/<slug>.md and <slug>.zh.md: Hugo reads the `.zh.md` suffix as the Chinese
  translation natively. Hugo translations do not inherit front matter, so the Chinese file repeats
  the facts of the English one (surveysite keeps them only in the main file) with translated
  title, short_name and tldr. Bodies are copied unchanged.
- content/techniques/<id>/_index.md (+ .zh.md): names and definitions of the taxonomy terms.
- content/about.md (+ .zh.md): the free pages.
- data/benchmarks.yaml: benchmark names and metrics by id, for the results tables.

Conversion is not timed by the runner: it stands for content a Hugo user would already have.
"""

from __future__ import annotations

import argparse
import shutil
import sys
from pathlib import Path
from typing import Any

import yaml

sys.path.insert(0, str(Path(__file__).resolve().parent))
from corpus import Corpus, Document, read_corpus

TEMPLATE_SITE = Path(__file__).resolve().parent / "hugo"
"""The checked-in half of the site: config and layouts."""
_DUMPER = getattr(yaml, "CSafeDumper", yaml.SafeDumper)
TRANSLATED = ("title", "short_name", "tldr")


def dump(meta: dict[str, Any], body: str) -> str:
    """A Markdown file with YAML front matter, as Hugo reads it."""
    front = yaml.dump(meta, Dumper=_DUMPER, allow_unicode=True, sort_keys=False, width=1000)
    return f"---\n{front}---\n{body}"


def paper_meta(meta: dict[str, Any]) -> dict[str, Any]:
    """Hugo front matter: `date` for ordering and our facts as page params (Hugo keeps unknown keys)."""
    converted = {"title": meta["title"]}
    if meta.get("added"):
        converted["date"] = meta["added"]
    converted.update((key, value) for key, value in meta.items() if key not in ("title", "added"))
    return converted


def write_papers(corpus: Corpus, folder: Path) -> None:
    folder.mkdir(parents=True)
    for slug, doc in corpus.papers.items():
        meta = paper_meta(doc.meta)
        (folder / f"{slug}.md").write_text(dump(meta, doc.body), encoding="utf-8")
        translation = corpus.papers_zh.get(slug)
        if translation is not None:
            zh_meta = meta | {key: translation.meta[key] for key in TRANSLATED if translation.meta.get(key)}
            (folder / f"{slug}.zh.md").write_text(dump(zh_meta, translation.body), encoding="utf-8")


def write_techniques(corpus: Corpus, folder: Path) -> None:
    """One branch bundle per term, so term pages get titles and definitions in both languages."""
    folder.mkdir(parents=True)
    (folder / "_index.md").write_text(dump({"title": "Techniques"}, ""), encoding="utf-8")
    (folder / "_index.zh.md").write_text(dump({"title": "技术"}, ""), encoding="utf-8")
    for group in corpus.groups:
        for technique in group["techniques"]:
            term = folder / technique["id"]
            term.mkdir()
            for lang, suffix in (("en", ".md"), ("zh", ".zh.md")):
                meta = {
                    "title": technique["name"][lang],
                    "definition": technique["definition"][lang],
                    "group": group["name"][lang],
                }
                (term / f"_index{suffix}").write_text(dump(meta, ""), encoding="utf-8")


def write_pages(pages: dict[str, Document], translations: dict[str, Document], folder: Path) -> None:
    for slug, doc in pages.items():
        (folder / f"{slug}.md").write_text(dump(doc.meta | {"layout": "page"}, doc.body), encoding="utf-8")
        if slug in translations:
            zh = doc.meta | translations[slug].meta | {"layout": "page"}
            (folder / f"{slug}.zh.md").write_text(dump(zh, translations[slug].body), encoding="utf-8")


def write_site(content: Path, site: Path) -> None:
    """(Re)create the Hugo site at `site` from the surveysite folder `content`."""
    corpus = read_corpus(content)
    if site.exists():
        shutil.rmtree(site)
    site.mkdir(parents=True)
    for config in ("config.yaml", "norelated.yaml"):
        shutil.copy(TEMPLATE_SITE / config, site / config)
    shutil.copytree(TEMPLATE_SITE / "layouts", site / "layouts")
    (site / "data").mkdir()
    benchmarks = {b["id"]: {"name": b["name"], "metric": b["metric"]} for b in corpus.benchmarks}
    (site / "data" / "benchmarks.yaml").write_text(
        yaml.dump(benchmarks, Dumper=_DUMPER, allow_unicode=True), encoding="utf-8"
    )
    write_papers(corpus, site / "content" / "papers")
    write_techniques(corpus, site / "content" / "techniques")
    write_pages(corpus.pages, corpus.pages_zh, site / "content")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("content", type=Path, help="surveysite content folder")
    parser.add_argument("site", type=Path, help="Hugo site folder to create (replaced if it exists)")
    args = parser.parse_args(argv)
    write_site(args.content, args.site)
    return 0


if __name__ == "__main__":
    sys.exit(main())
