"""Paper facts from a BibTeX file or the arXiv API instead of typed by hand, and a check against arXiv.

Typed-in titles and author lists are where surveys go wrong (a dropped co-author, an accent lost,
the year of the camera-ready instead of the first version). Every survey author already has a
BibTeX file and arXiv ids, so `new --bibtex` and `new --arxiv` start a paper file from them, and
`check --online` compares what the files say with arXiv's records. Only facts the source states
are written; everything else is the same commented scaffold as `new <slug>` writes.

The network is touched only by `new --arxiv` and `check --online`, never by a build. Requests are
batched (`id_list`), spaced as arXiv's API terms ask, and cached for 30 days.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import os
import re
import time
import unicodedata
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # the network and XML modules load only when arXiv is asked: start-up time counts
    from xml.etree.ElementTree import Element

from surveysite.cache import FOLDER
from surveysite.errors import did_you_mean, display_path
from surveysite.scaffold import PaperFacts, first_ids, paper_text
from surveysite.source import RawDocument
from surveysite.validate import ARXIV, DOI, SLUG, URL, arxiv_month

ARXIV_API = "https://export.arxiv.org/api/query"
API_ENV = "SURVEYSITE_ARXIV_API"
"""Environment variable that replaces ARXIV_API (tests point it at a local server)."""
SPACING = 3.0
"""Seconds between two requests to the arXiv API: its terms of use ask for at least three."""
BATCH = 50
"""Ids per request: fewer requests, each with a URL that stays short."""
CACHE_DAYS = 30
"""A cached arXiv record is reused this long: titles and authors of a paper rarely change."""
TIMEOUT = 30.0
MAX_RESPONSE = 10_000_000
"""A feed of BATCH entries is a few hundred kilobytes; anything larger is not arXiv's answer."""
PLACEHOLDER_ID = "0000.00000"
"""The arXiv id `new <slug>` writes until the real one is filled in."""
SHORT_WORDS = 6
"""A short title (and so a slug) keeps at most this many words."""

_ATOM = "{http://www.w3.org/2005/Atom}"
_ARXIV_NS = "{http://arxiv.org/schemas/atom}"
_ARXIV_URL = re.compile(r"arxiv\.org/(?:abs|pdf|html)/([^\s?#]+?)(?:\.pdf)?/?(?:[?#]|$)", re.IGNORECASE)
_ARXIV_DOI = re.compile(r"10\.48550/arxiv\.(.+)", re.IGNORECASE)
_ARXIV_IN_TEXT = re.compile(r"arxiv[:\s/]*(\d{4}\.\d{4,5}(?:v\d+)?)", re.IGNORECASE)
_BIB_ENTRY = re.compile(r"^[ \t]*@[ \t]*(\w+)[ \t]*[{(][ \t]*([^,\s]+)[ \t]*,", re.MULTILINE)
_NOT_ENTRIES = ("string", "comment", "preamble")


class ImportFailure(Exception):
    """A problem that stops an import or an online check: printed as one line, never a traceback."""


@dataclass(frozen=True)
class Imported:
    """Facts ready to become a file, with what to name the file after when the title gives nothing."""

    facts: PaperFacts
    fallback: str
    """The BibTeX key or arXiv id: a slug from it when the short title has no ASCII letter."""
    source: str
    """Where the facts came from, for the line that reports the new file."""


# --- BibTeX ---------------------------------------------------------------------------------


def read_bibtex(path: Path, display: str, today: dt.date, keys: Sequence[str] = ()) -> tuple[list[Imported], list[str]]:
    """The facts of each entry of a BibTeX file (only those named in `keys`, when given), and a
    line for each entry that cannot be imported.

    One bad entry does not stop the others: the parser drops an entry it cannot read without a
    word, so entries are also found by a plain scan, and each one it dropped is named at its line.
    """
    text = _read_text(path, display)
    entries = _parse_bibtex(text)
    declared = _declared_entries(text)
    # An entry that others cross-reference (their proceedings) is no paper of its own.
    volumes = {entry.get("crossref", "").strip().lower() for entry in entries.values()}
    every = [key for key in dict.fromkeys([*declared, *entries]) if key.lower() not in volumes]
    wanted = list(dict.fromkeys(keys)) or every
    if not wanted:
        raise ImportFailure(f"{display} has no BibTeX entries")
    imported: list[Imported] = []
    problems: list[str] = []
    for key in wanted:
        where = f"{display}:{declared[key]}" if key in declared else display
        entry = entries.get(key)
        if entry is None and key in declared:
            problems.append(f"{where}: entry '{key}' could not be read (unbalanced braces or quotes?); skipped")
        elif entry is None:
            problems.append(f"{display}: no entry with key '{key}'{did_you_mean(key, entries)}")
        elif (facts := entry_facts(entry, f"{display} (entry {key})", today)) is None:
            problems.append(f"{where}: entry '{key}' has no title; skipped")
        else:
            imported.append(Imported(facts, key, f"{display} entry {key}"))
    return imported, problems


def _read_text(path: Path, display: str) -> str:
    try:
        return path.read_bytes().decode("utf-8-sig")
    except OSError as exc:
        raise ImportFailure(f"cannot read {display}: {(exc.strerror or str(exc)).lower()}") from None
    except UnicodeDecodeError as exc:
        raise ImportFailure(f"{display} is not valid UTF-8 (byte {exc.start}); save it as UTF-8") from None


def _parse_bibtex(text: str) -> dict[str, dict[str, str]]:
    """Entries by key, fields lower-cased, values still LaTeX (decoded field by field later)."""
    import bibtexparser  # imported here: only `new --bibtex` needs it
    from bibtexparser.bparser import BibTexParser

    parser = BibTexParser(
        common_strings=True, ignore_nonstandard_types=False, interpolate_strings=True, add_missing_from_crossref=True
    )
    database = bibtexparser.loads(text, parser=parser)
    entries: dict[str, dict[str, str]] = {}
    for entry in database.entries:
        entries.setdefault(str(entry["ID"]), {str(k): str(v) for k, v in entry.items()})
    return entries


def _declared_entries(text: str) -> dict[str, int]:
    """Each entry's key and line as written, to name entries the parser dropped without a word."""
    found: dict[str, int] = {}
    for match in _BIB_ENTRY.finditer(text):
        if match.group(1).lower() not in _NOT_ENTRIES:
            found.setdefault(match.group(2), text.count("\n", 0, match.start()) + 1)
    return found


def entry_facts(entry: Mapping[str, str], source: str, today: dt.date) -> PaperFacts | None:
    """One BibTeX entry as paper facts; None without a title, the one field nothing can stand in for.

    A fact the entry lacks keeps the scaffold's placeholder, with a comment saying so, so that the
    file passes `check` at once and its author sees what is left to fill in.
    """
    title = latex_to_text(entry.get("title", ""))
    if not title:
        return None
    notes = [f"Imported from {source} on {today.isoformat()}: check each fact against the paper."]
    authors, others = split_authors(entry.get("author", ""))
    if others:
        notes.append("The entry ends its authors with 'and others': add the remaining authors.")
    if not authors:
        authors = ["First Author", "Second Author"]
        notes.append("The entry names no authors: replace the placeholders.")
    arxiv = entry_arxiv(entry)
    venue, journal = _venue(entry, arxiv)
    if not venue:
        venue = "Unknown venue"
        notes.append("The entry names no venue: replace 'Unknown venue'.")
    year = _year(entry.get("year", "") or entry.get("date", ""))
    if year is None:
        year = today.year
        notes.append("The entry gives no year: replace this one with the year of the first version.")
    venue_year = ""
    first = arxiv_month(arxiv) if year is not None and arxiv else ""
    if year is not None and first and int(first[:4]) != year:
        # `year` is the first version's, which the arXiv id dates; the entry's year is the venue's.
        venue_year, year = str(year), int(first[:4])
        notes.append(f"year is the first arXiv version's ({first}); the entry's year is kept as venue_year.")
    elif year is not None and arxiv and venue != "arXiv preprint":
        notes.append("year is the venue's: if the first arXiv version is older, give its year, and this as venue_year.")
    doi = _doi(entry.get("doi", ""))
    url = entry.get("url", "").strip()
    short = short_title(title)
    return PaperFacts(
        title=title,
        short_name=short,
        year=year,
        authors=tuple(authors),
        venue=venue,
        arxiv=arxiv,
        doi=doi,
        volume=latex_to_text(entry.get("volume", "")) if journal else "",
        number=latex_to_text(entry.get("number", "")) if journal else "",
        pages=latex_to_text(entry.get("pages", "")) if journal else "",
        venue_year=venue_year,
        abstract=url if URL.fullmatch(url) and not arxiv else "",
        notes=tuple(notes),
    )


def latex_to_text(text: str) -> str:
    """LaTeX as a reader sees it: {\\"u} is ü, braces that protect case are dropped, -- is a dash.

    A bare % is a percent sign here, not LaTeX's comment that would swallow the rest of a title.
    """
    if not text.strip():
        return ""
    from pylatexenc.latex2text import LatexNodes2Text  # imported here: only imports need it

    escaped = re.sub(r"(?<!\\)%", r"\\%", text)
    decoded = str(LatexNodes2Text(math_mode="text", strict_latex_spaces=True).latex_to_text(escaped))
    return _clean(decoded)


def _clean(text: str) -> str:
    """One line in NFC, without control characters (which content files refuse)."""
    text = unicodedata.normalize("NFC", text.replace("\xa0", " "))
    text = "".join(" " if unicodedata.category(ch) == "Cc" else ch for ch in text)
    return " ".join(text.split())


def split_authors(text: str) -> tuple[list[str], bool]:
    """Names as "First von Last Jr." in the entry's order, and whether it ended with "and others"."""
    from bibtexparser.customization import InvalidName, splitname

    names: list[str] = []
    others = False
    for raw in _split_and(text):
        if raw.strip().lower() == "others":
            others = True
            continue
        try:
            parts = splitname(raw, strict_mode=False)
            pieces = [*parts["first"], *parts["von"], *parts["last"]]
            name = " ".join(str(p) for p in pieces)
            if parts["jr"]:
                name += " " + " ".join(str(p) for p in parts["jr"])
        except InvalidName:
            name = raw
        decoded = latex_to_text(name)
        if decoded:
            names.append(decoded)
    return names, others


def _split_and(text: str) -> list[str]:
    """Split on the word "and" outside braces, as BibTeX does ({Barnes and Noble} is one name)."""
    parts: list[str] = []
    depth = 0
    start = 0
    for match in re.finditer(r"[{}]|\s+and\s+", text, re.IGNORECASE):
        token = match.group()
        if token == "{":
            depth += 1
        elif token == "}":
            depth = max(depth - 1, 0)
        elif depth == 0:
            parts.append(text[start : match.start()])
            start = match.end()
    parts.append(text[start:])
    return [part.strip() for part in parts if part.strip()]


def entry_arxiv(entry: Mapping[str, str]) -> str:
    """The arXiv id an entry gives: its eprint, an arxiv.org URL, the arXiv DOI or a Google Scholar
    style "arXiv preprint arXiv:2401.02385" journal; '' when it gives none."""
    prefix = (entry.get("archiveprefix", "") or entry.get("eprinttype", "")).strip().lower()
    eprint = entry.get("eprint", "").strip()
    candidates = []
    if eprint and (prefix == "arxiv" or (not prefix and ARXIV.fullmatch(eprint.removeprefix("arXiv:")))):
        candidates.append(eprint)
    for name in ("url", "doi", "journal", "note", "howpublished"):
        value = entry.get(name, "")
        for pattern in (_ARXIV_URL, _ARXIV_DOI, _ARXIV_IN_TEXT):
            match = pattern.search(value)
            if match:
                candidates.append(match.group(1))
    for candidate in candidates:
        ident = normalize_arxiv_id(candidate)
        if ident:
            return ident
    return ""


def normalize_arxiv_id(text: str) -> str | None:
    """The unversioned id in "arXiv:2401.02385v2", "https://arxiv.org/abs/2401.02385", or None.

    Without its version, the id names the paper, and its abstract link shows the latest version.
    """
    text = text.strip().rstrip("/")
    url = _ARXIV_URL.search(text + "?")
    if url:
        text = url.group(1)
    text = re.sub(r"^arxiv:\s*", "", text, flags=re.IGNORECASE).removesuffix(".pdf")
    if not ARXIV.fullmatch(text):
        return None
    return re.sub(r"v\d+$", "", text)


def _year(text: str) -> int | None:
    match = re.search(r"(?<!\d)(19\d\d|20\d\d)(?!\d)", text)  # `check` takes 1900 to 2100
    return int(match.group(1)) if match else None


def _venue(entry: Mapping[str, str], arxiv: str) -> tuple[str, bool]:
    """The venue, and whether it is a journal (whose volume, number and pages are kept).

    DBLP's "CoRR" and Google Scholar's "arXiv preprint arXiv:..." journals are arXiv itself.
    """
    kind = entry.get("ENTRYTYPE", "").lower()
    booktitle = latex_to_text(entry.get("booktitle", ""))
    journal = latex_to_text(entry.get("journal", "") or entry.get("journaltitle", ""))
    if booktitle:
        return booktitle, False
    if journal and not (journal.lower() == "corr" or journal.lower().startswith("arxiv")):
        return journal, True
    if arxiv:
        return "arXiv preprint", False
    school = latex_to_text(entry.get("school", "") or entry.get("institution", ""))
    if kind in ("phdthesis", "mastersthesis") and school:
        what = "PhD thesis" if kind == "phdthesis" else "Master's thesis"
        return f"{what}, {school}", False
    if kind == "techreport" and school:
        return f"Technical report, {school}", False
    other = latex_to_text(entry.get("howpublished", "") or entry.get("publisher", ""))
    return (other if not other.startswith("<") else ""), False


def _doi(text: str) -> str:
    text = text.strip().replace("\\_", "_").replace("\\%", "%")
    text = re.sub(r"^(?:https?://(?:dx\.)?doi\.org/|doi:\s*)", "", text, flags=re.IGNORECASE)
    return text if DOI.fullmatch(text) else ""


# --- slugs ----------------------------------------------------------------------------------


def short_title(title: str) -> str:
    """The name a paper goes by: the part before a colon ("TinyLlama: An Open-Source ..."), at
    most SHORT_WORDS words."""
    head = re.split(r":\s|\s[-–—]\s|\?\s", title, maxsplit=1)[0].strip() or title
    words = head.split()
    return " ".join(words[:SHORT_WORDS]).rstrip(",;.") if words else title


def slugify(text: str) -> str:
    """A slug (validate.SLUG) from a name: accents folded to ASCII, phi-1.5 becomes phi-1-5."""
    ascii_ = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_.lower()).strip("-")
    return slug if SLUG.fullmatch(slug) else ""


def paper_slug(facts: PaperFacts, fallback: str = "") -> str:
    """The file name for imported facts: the short title's slug, else the BibTeX key's or the id's."""
    return slugify(facts.short_name) or slugify(fallback) or "paper"


# --- the arXiv API --------------------------------------------------------------------------


@dataclass(frozen=True)
class ArxivRecord:
    """What arXiv says about one paper: the facts a survey file states, and a few for comments."""

    id: str
    """Unversioned, as the survey writes it."""
    title: str
    authors: tuple[str, ...]
    published: str
    """Date of the first version, YYYY-MM-DD: the survey's `year` is its year."""
    category: str = ""
    doi: str = ""
    """A DOI the authors gave arXiv (the journal's), if any; arXiv's own is derived from the id."""
    journal_ref: str = ""

    @property
    def year(self) -> int:
        return int(self.published[:4])


def api_url() -> str:
    """The arXiv API endpoint: ARXIV_API, unless SURVEYSITE_ARXIV_API names another."""
    return os.environ.get(API_ENV, "").strip() or ARXIV_API


class ArxivClient:
    """Asks the arXiv API for records, in batches, never two requests closer than `spacing` seconds."""

    def __init__(
        self,
        base_url: str | None = None,
        spacing: float = SPACING,
        batch: int = BATCH,
        timeout: float = TIMEOUT,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.base_url = base_url or api_url()
        self.spacing = spacing
        self.batch = max(batch, 1)
        self.timeout = timeout
        self.clock = clock
        self.sleep = sleep
        self.requests = 0
        self.received = 0
        """Requests made and records received, for the summary line."""
        self._last: float | None = None

    def fetch(self, ids: Iterable[str]) -> dict[str, ArxivRecord]:
        """Records by id for the ids arXiv knows; an id missing from the result is unknown to it.

        Raises ImportFailure, one line, when arXiv cannot be reached or does not answer with a feed.
        """
        wanted = list(dict.fromkeys(ids))
        found: dict[str, ArxivRecord] = {}
        for start in range(0, len(wanted), self.batch):
            chunk = wanted[start : start + self.batch]
            records = parse_feed(self._get(chunk), self.base_url)
            found.update({ident: records[ident] for ident in chunk if ident in records})
        self.received += len(found)
        return found

    def _get(self, ids: Sequence[str]) -> bytes:
        import http.client
        import urllib.error
        import urllib.parse
        import urllib.request

        if self._last is not None:
            wait = self._last + self.spacing - self.clock()
            if wait > 0:
                self.sleep(wait)
        query = urllib.parse.urlencode({"id_list": ",".join(ids), "max_results": len(ids)})
        url = self.base_url + ("&" if "?" in self.base_url else "?") + query
        request = urllib.request.Request(url, headers={"User-Agent": _user_agent()})
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:
                body: bytes = response.read(MAX_RESPONSE + 1)
        except urllib.error.HTTPError as exc:
            raise ImportFailure(f"the arXiv API at {self.base_url} answered HTTP {exc.code} {exc.reason}") from None
        except (urllib.error.URLError, OSError, ValueError, http.client.HTTPException) as exc:
            reason = exc.reason if isinstance(exc, urllib.error.URLError) else exc
            raise ImportFailure(f"cannot reach the arXiv API at {self.base_url}: {_reason(reason)}") from None
        finally:
            self.requests += 1
            self._last = self.clock()
        if len(body) > MAX_RESPONSE:
            raise ImportFailure(f"the arXiv API at {self.base_url} sent more than {MAX_RESPONSE:,} bytes")
        return body


def _reason(reason: object) -> str:
    """An OS error in plain words: 'connection refused', 'timed out', a host that does not resolve."""
    if isinstance(reason, OSError) and reason.strerror:
        return reason.strerror.lower()
    return str(reason).lower() or type(reason).__name__


def _user_agent() -> str:
    """arXiv asks API clients to say who they are."""
    from importlib.metadata import PackageNotFoundError, version

    try:
        return f"surveysite/{version('surveysite')}"
    except PackageNotFoundError:  # pragma: no cover - run from a checkout that was never installed
        return "surveysite"


def parse_feed(body: bytes, source: str = "the arXiv API") -> dict[str, ArxivRecord]:
    """The entries of an arXiv Atom feed by unversioned id.

    arXiv answers an unknown id with a feed that has no entry for it, and a malformed one with an
    entry titled "Error"; neither becomes a record.
    """
    import xml.etree.ElementTree as ET

    try:
        root = ET.fromstring(body)
    except ET.ParseError:
        raise ImportFailure(f"{source} did not answer with an Atom feed") from None
    if root.tag != f"{_ATOM}feed":
        raise ImportFailure(f"{source} did not answer with an Atom feed")
    records: dict[str, ArxivRecord] = {}
    for entry in root.iter(f"{_ATOM}entry"):
        record = _entry_record(entry)
        if record is not None:
            records[record.id] = record
    return records


def _entry_record(entry: Element) -> ArxivRecord | None:
    def text(tag: str) -> str:
        return _clean(entry.findtext(tag) or "")

    ident = normalize_arxiv_id(text(f"{_ATOM}id"))
    title = text(f"{_ATOM}title")
    published = text(f"{_ATOM}published")[:10]
    if ident is None or not title or title == "Error" or not re.fullmatch(r"\d{4}-\d\d-\d\d", published):
        return None
    if "\\" in title or "$" in title:  # arXiv titles are TeX: "$\mu$P" is "μP"
        title = latex_to_text(title)
    authors = tuple(_clean(a.findtext(f"{_ATOM}name") or "") for a in entry.findall(f"{_ATOM}author"))
    category = entry.find(f"{_ARXIV_NS}primary_category")
    return ArxivRecord(
        id=ident,
        title=title,
        authors=tuple(a for a in authors if a),
        published=published,
        category=category.get("term", "") if category is not None else "",
        doi=text(f"{_ARXIV_NS}doi"),
        journal_ref=text(f"{_ARXIV_NS}journal_ref"),
    )


def record_facts(record: ArxivRecord, today: dt.date) -> PaperFacts:
    """An arXiv record as paper facts: a preprint with arXiv's DOI; a journal DOI goes in a comment."""
    notes = [f"Imported from arXiv {record.id} on {today.isoformat()}: check each fact against the paper."]
    if record.category:
        notes.append(f"arXiv primary category: {record.category}")
    if record.journal_ref:
        notes.append(f"arXiv journal reference: {record.journal_ref} (set venue to it once checked)")
    if record.doi:
        notes.append(f"DOI given on arXiv: {record.doi} (use it as doi once venue is the journal's)")
    return PaperFacts(
        title=record.title,
        short_name=short_title(record.title),
        year=record.year,
        authors=record.authors or ("First Author", "Second Author"),
        venue="arXiv preprint",
        arxiv=record.id,
        doi=f"10.48550/arXiv.{record.id}",
        notes=tuple(notes),
    )


# --- the cache ------------------------------------------------------------------------------


class ArxivCache:
    """Records in .surveysite-cache/arxiv/<id>.json with the day they were fetched, reused for
    CACHE_DAYS days: a second `check --online` asks arXiv nothing."""

    def __init__(self, folder: Path | None, today: dt.date, days: int = CACHE_DAYS) -> None:
        self.folder = folder
        self.today = today
        self.days = days

    @staticmethod
    def for_survey(content: Path, today: dt.date) -> ArxivCache:
        """The cache beside the survey's content folder, where the build cache is too."""
        return ArxivCache(content.absolute().parent / FOLDER / "arxiv", today)

    def _path(self, ident: str) -> Path | None:
        return self.folder / f"{ident.replace('/', '_')}.json" if self.folder else None

    def get(self, ident: str) -> ArxivRecord | None:
        path = self._path(ident)
        if path is None:
            return None
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
            fetched = dt.date.fromisoformat(data["fetched"])
            fields = data["record"]
            record = ArxivRecord(**{**fields, "authors": tuple(fields["authors"])})
        except (OSError, ValueError, KeyError, TypeError):  # missing or damaged: ask arXiv again
            return None
        if record.id != ident or not 0 <= (self.today - fetched).days < self.days:
            return None
        return record

    def put(self, record: ArxivRecord) -> str | None:
        """Store a record; a warning line when it cannot be stored (only a later request is lost)."""
        path = self._path(record.id)
        if path is None:
            return None
        data = {"fetched": self.today.isoformat(), "record": dataclasses.asdict(record)}
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            temporary = path.with_name(f".{path.name}.tmp")
            temporary.write_text(json.dumps(data, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
            os.replace(temporary, path)
        except OSError as exc:
            return f"{path}: warning: arXiv record not cached ({(exc.strerror or str(exc)).lower()})"
        return None


def lookup(ids: Iterable[str], client: ArxivClient, cache: ArxivCache) -> tuple[dict[str, ArxivRecord], list[str]]:
    """Records for these ids, from the cache or (in batches) from arXiv, and any cache warnings."""
    wanted = list(dict.fromkeys(ids))
    found = {ident: record for ident in wanted if (record := cache.get(ident)) is not None}
    missing = [ident for ident in wanted if ident not in found]
    warnings: list[str] = []
    if missing:
        fetched = client.fetch(missing)
        for record in fetched.values():
            warning = cache.put(record)
            if warning and not warnings:
                warnings.append(warning)
        found.update(fetched)
    return {ident: found[ident] for ident in wanted if ident in found}, warnings


# --- writing files --------------------------------------------------------------------------


def create_papers(
    content: Path, imported: Iterable[Imported], today: dt.date, slug: str | None = None
) -> tuple[list[str], list[str]]:
    """Write one paper file per import, with the survey's first technique and benchmark as
    placeholders (so each passes `check`); lines for the files created and for those skipped.

    A file that exists is never replaced, whoever wrote it: it may hold hours of summarizing.
    """
    technique, benchmark = first_ids(content)
    created: list[str] = []
    skipped: list[str] = []
    for item in imported:
        path = content / "papers" / f"{slug or paper_slug(item.facts, item.fallback)}.md"
        if write_paper(path, paper_text(item.facts, today, technique, benchmark)):
            created.append(f"created {display_path(path)} from {item.source}")
        else:
            skipped.append(f"{display_path(path)} already exists; {item.source} skipped")
    return created, skipped


def write_paper(path: Path, text: str) -> bool:
    """Create the file; False when something is already there (created exclusively: no race)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        with path.open("x", encoding="utf-8") as handle:
            handle.write(text)
    except FileExistsError:
        return False
    return True


def arxiv_imports(
    ids: Sequence[str], client: ArxivClient, cache: ArxivCache, today: dt.date
) -> tuple[list[Imported], list[str], list[str]]:
    """Facts for each arXiv id, a line for each id that is malformed or unknown to arXiv, and
    warnings of a cache that could not be written.

    Raises ImportFailure when arXiv cannot be asked at all.
    """
    problems: list[str] = []
    wanted: list[str] = []
    for given in ids:
        ident = normalize_arxiv_id(given)
        if ident is None:
            problems.append(f"'{given}' is not an arXiv id such as 2401.02385")
        else:
            wanted.append(ident)
    records, notes = lookup(wanted, client, cache) if wanted else ({}, [])
    problems.extend(f"arXiv has no paper with id {ident}" for ident in dict.fromkeys(wanted) if ident not in records)
    imported = [Imported(record_facts(r, today), r.id, f"arXiv {r.id}") for r in records.values()]
    return imported, problems, notes


# --- check --online -------------------------------------------------------------------------


@dataclass(frozen=True, order=True)
class OnlineWarning:
    """A difference between a paper file and its arXiv record, at the value's line and column."""

    path: str
    line: int
    column: int
    message: str

    def __str__(self) -> str:
        where = self.path + (f":{self.line}" if self.line else "") + (f":{self.column}" if self.column else "")
        return f"{where}: warning: {self.message}"


def arxiv_ids(docs: Iterable[RawDocument]) -> dict[str, RawDocument]:
    """Papers that give a valid arXiv id, by unversioned id (a paper file's `arxiv`); the
    scaffold's placeholder 0000.00000 is no paper to ask about."""
    found: dict[str, RawDocument] = {}
    for doc in docs:
        data = doc.data
        value = data.get("arxiv") if isinstance(data, dict) else None
        ident = normalize_arxiv_id(value) if isinstance(value, str) else None
        if ident and ident != PLACEHOLDER_ID:
            found.setdefault(ident, doc)
    return found


def compare(doc: RawDocument, record: ArxivRecord) -> list[OnlineWarning]:
    """Where the file's title, authors and year differ from arXiv's (whitespace and Unicode
    normalization aside: those are not differences a reader sees)."""
    data: dict[str, Any] = doc.data if isinstance(doc.data, dict) else {}
    warnings: list[OnlineWarning] = []

    def warn(key: tuple[str | int, ...], message: str) -> None:
        line, column = doc.values.get(key) or doc.values.get(key[:1]) or (0, 0)
        warnings.append(OnlineWarning(doc.path, line, column, message))

    title = data.get("title")
    if isinstance(title, str) and _clean(title) != record.title:
        warn(("title",), f"title differs from arXiv: {json.dumps(record.title, ensure_ascii=False)}")
    authors = data.get("authors")
    if isinstance(authors, list) and all(isinstance(a, str) for a in authors):
        _author_warnings([_clean(a) for a in authors], list(record.authors), warn)
    year = data.get("year")
    if isinstance(year, int) and year != record.year:
        warn(("year",), f"year differs from arXiv: {record.year} (first version {record.published})")
    return warnings


def _author_warnings(mine: list[str], theirs: list[str], warn: Callable[[tuple[str | int, ...], str], None]) -> None:
    """One warning per author that differs, at that author; a missing or extra one at the list."""
    for index, (name, other) in enumerate(zip(mine, theirs, strict=False)):
        if name != other:
            warn(("authors", index), f"author {index + 1} differs from arXiv: {json.dumps(other, ensure_ascii=False)}")
    if len(mine) < len(theirs):
        rest = ", ".join(theirs[len(mine) :])
        warn(("authors",), f"arXiv lists {len(theirs)} authors, this file {len(mine)}: missing {rest}")
    elif len(mine) > len(theirs):
        warn(("authors",), f"arXiv lists {len(theirs)} authors, this file {len(mine)}")


def online_warnings(
    docs: Iterable[RawDocument], client: ArxivClient, cache: ArxivCache
) -> tuple[list[OnlineWarning], int, list[str]]:
    """Every difference from arXiv, the number of papers compared, and cache warnings.

    An id arXiv does not know is a warning too: the abstract and PDF links would be dead.
    """
    papers = arxiv_ids(docs)
    records, notes = lookup(papers, client, cache)
    warnings: list[OnlineWarning] = []
    for ident, doc in papers.items():
        record = records.get(ident)
        if record is None:
            line, column = doc.values.get(("arxiv",), (0, 0))
            warnings.append(OnlineWarning(doc.path, line, column, f"arXiv has no paper with id {ident}"))
        else:
            warnings.extend(compare(doc, record))
    return sorted(warnings), len(records), notes
