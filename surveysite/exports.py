"""Machine-readable exports: BibTeX, data/papers.json, data/results.{csv,json}, the compare
page's data files, Atom feeds.

Every record is keyed by the paper's slug, the one id that is stable across all exports and URLs.
"""

from __future__ import annotations

import csv
import functools
import hashlib
import html
import io
import json
import re
from collections.abc import Iterable, Iterator
from typing import Any
from urllib.parse import quote

from surveysite import urls
from surveysite.chart import settings_of
from surveysite.model import Paper, Site
from surveysite.output import OutputFile
from surveysite.views import LanguageViews, leaderboards


def xml_escape(text: str, *, quotes: bool = False) -> str:
    """&, < and > escaped, and " too with `quotes`: xml.sax.saxutils.escape, without its module,
    which imports urllib.request and with it a twentieth of a no-op rebuild's start-up."""
    escaped = html.escape(text, quote=False)
    return escaped.replace('"', "&quot;") if quotes else escaped


_BIB_SPECIAL = re.compile(r"([\\{}&%$#_~^])")
_BIB_REPLACEMENT = {"\\": r"\textbackslash{}", "~": r"\textasciitilde{}", "^": r"\textasciicircum{}"}


def _bib_text(text: str) -> str:
    """Escape (La)TeX's special characters, so that any title or name stays inside its braces in
    BibTeX and inside its cell in table.tex."""
    return _BIB_SPECIAL.sub(lambda m: _BIB_REPLACEMENT.get(m.group(1), "\\" + m.group(1)), " ".join(text.split()))


def publication(paper: Paper) -> str:
    """What the venue says the paper is: 'preprint' (on arXiv only), 'journal', 'other' (a model
    release, a report) or 'proceedings' (a conference or workshop). BibTeX and COinS follow it."""
    venue = paper.venue
    if paper.arxiv and ("arxiv" in venue.lower() or not venue):
        return "preprint"
    if re.search(r"journal|transactions|JMLR|TMLR", venue, re.IGNORECASE):
        return "journal"
    if re.search(r"release|preprint|report", venue, re.IGNORECASE):
        return "other"
    return "proceedings"


def bibtex(paper: Paper, page_url: str) -> str:
    """One entry: @misc for preprints and releases, @article for journals, else @inproceedings."""
    venue = paper.venue
    fields: list[tuple[str, str]] = [
        ("title", "{" + _bib_text(paper.title) + "}"),
        ("author", " and ".join(_bib_text(a) for a in paper.authors)),
        ("year", str(paper.venue_year or paper.year)),
    ]
    what = publication(paper)
    kind = {"preprint": "misc", "journal": "article", "other": "misc"}.get(what, "inproceedings")
    if what == "preprint":
        fields += [("eprint", paper.arxiv), ("archivePrefix", "arXiv")]
    elif what == "journal":
        fields.append(("journal", _bib_text(venue)))
    elif what == "other":
        fields.append(("howpublished", _bib_text(venue)))
    else:
        fields.append(("booktitle", _bib_text(venue)))
    fields += [
        (name, _bib_text(value)) for name, value in (("volume", paper.volume), ("number", paper.number)) if value
    ]
    if paper.pages:
        fields.append(("pages", _bib_text(re.sub(r"\s*[-–]+\s*", "--", paper.pages))))
    if paper.arxiv and kind != "misc":
        fields += [("eprint", paper.arxiv), ("archivePrefix", "arXiv")]
    if paper.doi:
        fields.append(("doi", _bib_text(paper.doi)))
    url = paper.links.get("abstract") or paper.links.get("project") or page_url
    fields.append(("url", url.replace("{", "%7B").replace("}", "%7D").replace(" ", "%20")))
    width = max(len(name) for name, _ in fields)
    body = ",\n".join(f"  {name.ljust(width)} = {{{value}}}" for name, value in fields)
    return f"@{kind}{{{paper.slug},\n{body}\n}}\n"


_COINS_FORMAT = {
    # (rft_val_fmt, rft.genre, the key of the venue's title). Zotero reads a conference paper
    # only from the book format with genre 'proceeding'; in the journal format it reads any genre
    # as a journal article, so preprints and releases say what they are there.
    "journal": ("info:ofi/fmt:kev:mtx:journal", "article", "rft.jtitle"),
    "proceedings": ("info:ofi/fmt:kev:mtx:book", "proceeding", "rft.btitle"),
    "preprint": ("info:ofi/fmt:kev:mtx:journal", "preprint", "rft.jtitle"),
    "other": ("info:ofi/fmt:kev:mtx:journal", "unknown", "rft.jtitle"),
}


def coins(paper: Paper) -> str:
    """The paper as an OpenURL ContextObject (Z39.88-2004, key/encoded-value), for a COinS span:
    reference managers such as Zotero then save the paper, not the page about it (citation_*
    meta tags would say this page is the paper). Every value is percent-encoded, spaces as %20:
    Zotero reads '+' as a space."""
    fmt, genre, venue_key = _COINS_FORMAT[publication(paper)]
    if genre == "unknown" and re.search(r"preprint|arxiv", paper.venue, re.IGNORECASE):
        genre = "preprint"  # an arXiv paper whose id the survey does not give
    pairs = [("ctx_ver", "Z39.88-2004"), ("rft_val_fmt", fmt), ("rft.genre", genre), ("rft.atitle", paper.title)]
    venue = paper.venue or ("arXiv" if paper.arxiv else "")
    if venue:
        pairs.append((venue_key, venue))
    pairs.append(("rft.date", str(paper.venue_year or paper.year)))
    pairs += [(key, value) for key, value in (("rft.volume", paper.volume), ("rft.issue", paper.number)) if value]
    if paper.pages:
        pairs.append(("rft.pages", re.sub(r"\s*[-–]+\s*", "-", paper.pages)))
    pairs += [("rft.au", author) for author in paper.authors]
    if paper.doi:
        pairs.append(("rft_id", f"info:doi/{paper.doi}"))
    if paper.arxiv:
        pairs.append(("rft_id", urls.arxiv_abstract(paper.arxiv)))
    return "&".join(f"{key}={quote(value, safe='')}" for key, value in pairs)


def bibtex_entries(site: Site) -> dict[str, str]:
    """Each paper's entry by slug, in the index order (pages show them; the .bib files hold them)."""
    return {p.slug: bibtex(p, site.config.site_url + urls.paper(p.slug)) for p in site.papers}


def survey_bibtex(site: Site) -> str:
    """The survey's own entry (site.yaml's citation), or '' when it has none."""
    cite = site.config.citation
    if cite is None:
        return ""
    default = site.config.languages[0]
    fields = [
        ("title", "{" + _bib_text(cite.title) + "}"),
        # A group name ("surveysite contributors") in braces, or BibTeX reads it as first and last name.
        ("author", " and ".join(_bib_text(a) if a[:1].isupper() else "{" + _bib_text(a) + "}" for a in cite.authors)),
        ("year", str(cite.year)),
        ("howpublished", _bib_text(site.config.title[default]) + ", \\url{" + site.config.site_url + "}"),
        ("url", site.config.site_url),
    ]
    if cite.doi:
        fields.append(("doi", _bib_text(cite.doi)))
    if site.config.license:
        fields.append(("note", _bib_text(f"Text and data: {site.config.license.name}")))
    width = max(len(name) for name, _ in fields)
    body = ",\n".join(f"  {name.ljust(width)} = {{{value}}}" for name, value in fields)
    return f"@misc{{survey:{cite.year},\n{body}\n}}\n"  # a colon: no paper slug can take this key


def bib_exports(entries: dict[str, str], survey: str = "") -> Iterator[OutputFile]:
    """papers/<slug>/cite.bib for each paper and survey.bib with all of them (the survey's own first)."""
    for slug, entry in entries.items():
        yield OutputFile(urls.cite_bib(slug), entry.encode())
    yield OutputFile(urls.SURVEY_BIB, "\n".join([survey, *entries.values()] if survey else entries.values()).encode())


def papers_json(site: Site) -> OutputFile:
    """data/papers.json: every paper's facts (not its summary), with translated titles. Each
    record is made as it is written: all of them at once were 90 MB at 10,000 papers."""
    return OutputFile(urls.PAPERS_JSON, _json_records("papers", _paper_records(site), **_data_licence(site)))


def _paper_records(site: Site) -> Iterator[dict[str, Any]]:
    for paper in site.papers:
        yield (
            {
                "id": paper.slug,
                "url": site.config.site_url + urls.paper(paper.slug),
                "title": paper.title,
                "short_name": paper.short_name,
                "translations": {lang: dict(text) for lang, text in sorted(paper.translated.items())},
                "authors": list(paper.authors),
                "year": paper.year,
                "date": paper.date or None,
                "venue": paper.venue,
                "arxiv": paper.arxiv or None,
                "doi": paper.doi or None,
                "builds_on": list(paper.builds_on),
                "history": [
                    {"date": c.date.isoformat(), "change": c.change[site.config.languages[0]]} for c in paper.history
                ],
                "tldr": paper.tldr,
                "links": paper.links,
                "license": paper.license or None,
                "techniques": list(paper.techniques),
                "models": [
                    {"name": m.name, "params": m.params, "tokens": m.tokens, "role": m.role} for m in paper.models
                ],
                "results": [
                    {
                        "model": r.model,
                        "benchmark": r.benchmark,
                        "setting": r.setting,
                        "score": r.score,
                        "source": r.source,
                        "note": r.note,
                    }
                    for r in paper.results
                ],
                "added": paper.added.isoformat() if paper.added else None,
                "verified": paper.verified.isoformat() if paper.verified else None,
                "cite": site.config.site_url + urls.cite_bib(paper.slug),
            }
        )


def _data_licence(site: Site) -> dict[str, Any]:
    licence = site.config.license
    return {"license": {"name": licence.name, "url": licence.url}} if licence else {}


def _json_records(name: str, records: Iterable[dict[str, Any]], **head: Any) -> bytes:
    """{..head, name: [records]} with one record per line: easy to diff, and made by json's C
    encoder (indent= would use the pure-Python one, seconds slower at 10,000 papers). Each
    record goes to bytes at once, so that the text is not held twice."""
    dump = functools.partial(json.dumps, ensure_ascii=False, sort_keys=True)
    start = "".join(f"{dump(key)}: {dump(value)}, " for key, value in sorted(head.items()))
    lines = b",\n".join(dump(record).encode() for record in records)
    return f"{{{start}{dump(name)}: [\n".encode() + lines + b"\n]}\n"


RESULT_FIELDS = ("paper", "model", "params", "role", "benchmark", "setting", "score", "source", "note")


def result_exports(views: LanguageViews, site: Site) -> Iterator[OutputFile]:
    """data/results.csv and data/results.json: every result, one row each, stable order."""
    rows: list[dict[str, Any]] = [
        {
            "paper": r.paper.path.split("/")[1],
            "model": r.model,
            "params": r.params,
            "role": r.role,
            "benchmark": bench.id,
            "setting": r.setting,
            "score": r.score,
            "source": r.source,
            "note": r.note,
        }
        for bench in views.benchmarks
        for r in bench.results
    ]
    rows.sort(key=lambda row: (str(row["paper"]), str(row["model"]), str(row["benchmark"]), str(row["setting"])))
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=RESULT_FIELDS, lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    yield OutputFile(urls.RESULTS_CSV, buffer.getvalue().encode())
    yield OutputFile(urls.RESULTS_JSON, _json_records("results", rows, fields=RESULT_FIELDS, **_data_licence(site)))


def benchmark_exports(views: LanguageViews) -> Iterator[OutputFile]:
    """benchmarks/<id>/results.csv and table.tex: one benchmark's leaderboards, to download."""
    for bench in views.benchmarks:
        boards = leaderboards(bench, settings_of(bench))
        buffer = io.StringIO()
        writer = csv.writer(buffer, lineterminator="\n")
        writer.writerow(["setting", "rank", "model", "params", "score", "paper", "source", "note"])
        for board in boards:
            for rank, r in board.ranked:
                writer.writerow(
                    [
                        board.setting,
                        rank,
                        r.model,
                        r.params or "",
                        r.score,
                        r.paper.path.split("/")[1],
                        r.source,
                        r.note,
                    ]
                )
        yield OutputFile(urls.benchmark_file(bench.id, "results.csv"), buffer.getvalue().encode())
        lines = [f"% {bench.name}: {bench.metric}, from the survey's data; needs \\usepackage{{booktabs}}"]
        for board in boards:
            lines += [
                "\\begin{table}[t]",
                "\\centering",
                "\\begin{tabular}{rlrrl}",
                "\\toprule",
                "Rank & Model & Size & Score & Source \\\\",
                "\\midrule",
            ]
            for rank, r in board.ranked:
                cells = [
                    str(rank),
                    _bib_text(r.model),
                    _bib_text(r.params_text or "--"),
                    r.score_text,
                    _bib_text(f"{r.paper.text}, {r.source}"),
                ]
                lines.append(" & ".join(cells) + " \\\\")
            lines += [
                "\\bottomrule",
                "\\end{tabular}",
                f"\\caption{{{_bib_text(bench.name)} ({_bib_text(board.setting)}), {_bib_text(bench.metric)}.}}",
                "\\end{table}",
                "",
            ]
        yield OutputFile(urls.benchmark_file(bench.id, "table.tex"), "\n".join(lines).encode())


def _script_call(function: str, value: Any) -> bytes:
    """A data file for the compare page: one call of a function that compare.js defines. A script,
    not JSON, because file:// pages cannot fetch() but can load scripts of their own site."""
    text = json.dumps(value, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return f"surveysiteCompare.{function}({text});\n".encode()


def compare_exports(views: dict[str, LanguageViews]) -> Iterator[OutputFile]:
    """compare/data/<slug>.js per paper (its models and results, each with its source) and
    compare/models/<year>.js (that year's papers and models, for the picker). Both are the same in
    every language but for the paper's short name, which they give per language."""
    first, *_ = views.values()
    names = {lang: {p.slug: p.short_name for p in v.papers} for lang, v in views.items()}
    years: dict[int, list[dict[str, Any]]] = {}
    for paper in first.papers:
        short = {lang: by_slug[paper.slug] for lang, by_slug in names.items()}
        record = {
            "slug": paper.slug,
            "path": paper.path,
            "name": short,
            "models": [
                {"name": m.name, "params": m.params, "size": m.params_text, "role": m.role} for m in paper.models
            ],
            "results": [
                {
                    "model": r.model,
                    "benchmark": r.benchmark_id,
                    "benchmark_name": r.benchmark.text,
                    "benchmark_path": r.benchmark.path,
                    "setting": r.setting,
                    "score": r.score,
                    "text": r.score_text,
                    "source": r.source,
                    "note": r.note,
                }
                for r in paper.results
            ],
        }
        yield OutputFile(urls.compare_data(paper.slug), _script_call("paper", record))
        models = [[m.name, m.params_text, m.role] for m in paper.models]
        years.setdefault(paper.year, []).append({"slug": paper.slug, "name": short, "models": models})
    for year, papers in sorted(years.items()):
        yield OutputFile(urls.compare_models(year), _script_call("models", {"year": year, "papers": papers}))


def atom_feed(site: Site, views: LanguageViews, prefix: str, title: str) -> OutputFile:
    """<prefix>feed.xml: papers by the date they were added, newest first; dated by content, not by clock."""
    dated = sorted((p for p in views.papers if p.added), key=lambda p: (p.added, p.slug), reverse=True)
    base = site.config.site_url + prefix
    days = [p.added for p in dated if p.added] + [c.date for c in views.changes]
    updated = f"{max(days).isoformat()}T00:00:00Z" if days else "1970-01-01T00:00:00Z"
    lines = [
        '<?xml version="1.0" encoding="utf-8"?>',
        f'<feed xmlns="http://www.w3.org/2005/Atom" xml:lang="{xml_escape(views.lang)}">',
        f"  <title>{xml_escape(title)}</title>",
        f"  <id>{xml_escape(base)}</id>",
        f'  <link rel="self" type="application/atom+xml" href="{xml_escape(base + urls.FEED)}"/>',
        f'  <link rel="alternate" type="text/html" href="{xml_escape(base)}"/>',
        f"  <updated>{updated}</updated>",
        "  <generator>surveysite</generator>",
    ]
    for paper in dated:
        url = base + paper.path
        assert paper.added is not None
        lines += [
            "  <entry>",
            f"    <title>{xml_escape(paper.title)}</title>",
            f'    <link rel="alternate" type="text/html" href="{xml_escape(url)}"/>',
            f"    <id>{xml_escape(url)}</id>",
            f"    <published>{paper.added.isoformat()}T00:00:00Z</published>",
            f"    <updated>{(paper.verified or paper.added).isoformat()}T00:00:00Z</updated>",
            *(f"    <author><name>{xml_escape(a)}</name></author>" for a in paper.authors),
            f"    <summary>{xml_escape(paper.tldr or paper.title)}</summary>",
            "  </entry>",
        ]
    for change in views.changes:
        if any(p.path == change.paper.path and p.added == change.date for p in dated):
            continue  # the paper's own entry says it was added
        url = base + change.paper.path + "#history"
        stamp = f"{change.date.isoformat()}T00:00:00Z"
        lines += [
            "  <entry>",
            f"    <title>{xml_escape(site.strings[views.lang]['feed_change'].format(paper=change.paper.text))}</title>",
            f'    <link rel="alternate" type="text/html" href="{xml_escape(url)}"/>',
            f"    <id>{xml_escape(url)}-{change.date.isoformat()}-{_short_digest(change.text)}</id>",
            f"    <published>{stamp}</published>",
            f"    <updated>{stamp}</updated>",
            f"    <author><name>{xml_escape(title)}</name></author>",
            f"    <summary>{xml_escape(change.text)}</summary>",
            "  </entry>",
        ]
    lines.append("</feed>")
    return OutputFile(prefix + urls.FEED, ("\n".join(lines) + "\n").encode())


def page_about_paper(paper: Paper, page_url: str, lang: str) -> dict[str, Any]:
    """schema.org JSON-LD: this page is a WebPage (in its own language) about the paper, which is
    the ScholarlyArticle; the page never claims to be the paper."""
    article: dict[str, Any] = {
        "@type": "ScholarlyArticle",
        "headline": paper.title[:110],
        "name": paper.title,
        "author": [{"@type": "Person", "name": a} for a in paper.authors],
        "datePublished": str(paper.year),
        "keywords": list(paper.techniques),
    }
    if paper.venue:
        article["publisher"] = {"@type": "Organization", "name": paper.venue}
    if paper.doi:
        article["identifier"] = {"@type": "PropertyValue", "propertyID": "DOI", "value": paper.doi}
        article["url"] = f"https://doi.org/{paper.doi}"
    same = [paper.links[k] for k in ("abstract", "pdf", "code", "weights", "project") if k in paper.links]
    if same:
        article["sameAs"] = same
    data: dict[str, Any] = {
        "@context": "https://schema.org",
        "@type": "WebPage",
        "url": page_url,
        "name": paper.text("title", lang),
        "inLanguage": lang,
        "about": article,
    }
    if paper.tldr:
        data["description"] = paper.text("tldr", lang)
    if paper.verified:
        data["dateModified"] = paper.verified.isoformat()
    return data


def _short_digest(text: str) -> str:
    return hashlib.blake2b(text.encode(), digest_size=4).hexdigest()
