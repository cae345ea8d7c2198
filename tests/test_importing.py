"""`new --bibtex`, `new --arxiv` and `check --online`, in surveys made by `surveysite init`.

arXiv is a local HTTP server in a thread that answers with the recorded feeds of
tests/fixtures/arxiv/, so the real request code runs and no test touches the network.
"""

from __future__ import annotations

import datetime as dt
import http.server
import json
import re
import socket
import threading
import time
import urllib.parse
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest
import yaml

from surveysite import importing
from surveysite.cli import main
from surveysite.scaffold import paper_scaffold

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "arxiv"
ATOM = "http://www.w3.org/2005/Atom"

BIBTEX = r"""
% A comment line, as reference managers write them.
@string{jmlr = "Journal of Machine Learning Research"}

@inproceedings{eldan2023tinystories,
  title         = {{TinyStories}: How Small Can Language Models Be and Still Speak Coherent {E}nglish?},
  author        = {Eldan, Ronen and M{\"u}ller, J{\"o}rg and Fran{\c{c}}ois, Ren{\'e} and Stra{\ss}e, Hans
                   and van der Berg, Jan and Garc\'{\i}a, Jos\'e},
  booktitle     = {The Twelfth International Conference on Learning Representations},
  year          = {2024},
  eprint        = {2305.07759v2},
  archivePrefix = {arXiv},
  primaryClass  = {cs.CL},
}

@article{chung2024scaling,
  title   = {Scaling Instruction-Finetuned Language Models},
  author  = {Chung, Hyung Won and Hou, Le and Longpre, Shayne},
  journal = jmlr,
  volume  = {25},
  number  = {70},
  pages   = {1--53},
  year    = {2024},
  doi     = {https://doi.org/10.5555/3722577.3722647},
}

@article{zhang2024tinyllama,
  title   = {{TinyLlama}: An Open-Source Small Language Model},
  author  = {Zhang, Peiyuan and Zeng, Guangtao and Wang, Tianduo and Lu, Wei},
  journal = {arXiv preprint arXiv:2401.02385},
  year    = {2024},
}
"""


# --- a recorded arXiv ---------------------------------------------------------------------


@dataclass
class FakeArxiv:
    """The local arXiv: its URL, and each request's ids and arrival time."""

    url: str
    requests: list[tuple[list[str], float]] = field(default_factory=list)


def _feed(ids: list[str]) -> bytes:
    """One feed with the recorded entry of each id it knows, as arXiv answers an id_list."""
    ET.register_namespace("", ATOM)
    feed = ET.fromstring((FIXTURES / "empty.xml").read_bytes())
    for ident in ids:
        recorded = FIXTURES / f"{ident}.xml"
        if recorded.is_file():
            feed.extend(ET.fromstring(recorded.read_bytes()).findall(f"{{{ATOM}}}entry"))
    return b'<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(feed)


@pytest.fixture
def arxiv(monkeypatch: pytest.MonkeyPatch) -> Iterator[FakeArxiv]:
    """A local arXiv API; SURVEYSITE_ARXIV_API points the command line at it."""
    state = FakeArxiv("")

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            query = urllib.parse.parse_qs(urllib.parse.urlsplit(self.path).query)
            ids = query.get("id_list", [""])[0].split(",")
            state.requests.append((ids, time.monotonic()))
            body = _feed(ids)
            self.send_response(200)
            self.send_header("Content-Type", "application/atom+xml; charset=utf-8")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, format: str, *args: object) -> None:  # keep the test output clean
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    state.url = f"http://127.0.0.1:{server.server_address[1]}/api/query"
    monkeypatch.setenv(importing.API_ENV, state.url)
    try:
        yield state
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


@pytest.fixture
def survey(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A fresh survey from `surveysite init`, as the current directory."""
    assert main(["init", str(tmp_path / "survey"), "--title", "Efficient Attention"]) == 0
    monkeypatch.chdir(tmp_path / "survey")
    return tmp_path / "survey"


def _front_matter(path: Path) -> dict[str, object]:
    text = path.read_text(encoding="utf-8")
    data = yaml.safe_load(text.split("---\n")[1])
    assert isinstance(data, dict)
    return data


def _line(path: Path, start: str) -> int:
    """The number of the first line that starts so."""
    lines = path.read_text(encoding="utf-8").splitlines()
    return next(number for number, line in enumerate(lines, start=1) if line.startswith(start))


def _check(capsys: pytest.CaptureFixture[str]) -> None:
    """The survey passes `check` as it is."""
    capsys.readouterr()
    code = main(["check"])
    captured = capsys.readouterr()
    assert code == 0, captured.err
    assert captured.out.startswith("ok:")


# --- BibTeX ---------------------------------------------------------------------------------


def test_bibtex_entries_become_papers_that_pass_check(survey: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (survey / "refs.bib").write_text(BIBTEX, encoding="utf-8")
    assert main(["new", "--bibtex", "refs.bib"]) == 0
    out = capsys.readouterr().out
    assert "created content/papers/tinystories.md from refs.bib entry eldan2023tinystories" in out
    papers = survey / "content" / "papers"

    stories = _front_matter(papers / "tinystories.md")
    assert stories["title"] == "TinyStories: How Small Can Language Models Be and Still Speak Coherent English?"
    assert stories["short_name"] == "TinyStories"
    assert stories["authors"] == [
        "Ronen Eldan",
        "Jörg Müller",
        "René François",
        "Hans Straße",
        "Jan van der Berg",
        "José García",
    ]
    # The first arXiv version (2305) dates the paper; the entry's year is the venue's.
    assert (stories["year"], stories["venue_year"]) == (2023, 2024)
    assert stories["venue"] == "The Twelfth International Conference on Learning Representations"
    assert stories["arxiv"] == "2305.07759"  # the version is dropped: the id names the paper
    assert "doi" not in stories and "volume" not in stories
    # The survey's own technique and benchmark ids, so that the file checks.
    assert stories["techniques"] == ["example-technique"]
    assert stories["results"][0]["benchmark"] == "example"  # type: ignore[index]

    journal = _front_matter(papers / "scaling-instruction-finetuned-language-models.md")
    assert journal["venue"] == "Journal of Machine Learning Research"
    assert (journal["volume"], journal["number"], journal["pages"]) == ("25", "70", "1–53")
    assert journal["doi"] == "10.5555/3722577.3722647"
    assert journal["authors"] == ["Hyung Won Chung", "Le Hou", "Shayne Longpre"]

    scholar = _front_matter(papers / "tinyllama.md")  # Google Scholar's "arXiv preprint arXiv:<id>"
    assert (scholar["venue"], scholar["arxiv"], scholar["title"]) == (
        "arXiv preprint",
        "2401.02385",
        "TinyLlama: An Open-Source Small Language Model",
    )
    assert "volume" not in scholar

    # Fields BibTeX does not have are scaffolded with the comments `new <slug>` writes.
    text = (papers / "tinystories.md").read_text(encoding="utf-8")
    scaffold = paper_scaffold("x", dt.date.today())
    for comment in [line for line in scaffold.splitlines() if line.startswith("#")]:
        assert comment in text or comment.removeprefix("# ") in text  # or the field, when the entry has it
    assert text.startswith("---\n# Imported from refs.bib (entry eldan2023tinystories)")
    _check(capsys)


def test_an_existing_file_is_never_replaced(survey: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (survey / "refs.bib").write_text(BIBTEX, encoding="utf-8")
    mine = survey / "content" / "papers" / "tinyllama.md"
    mine.write_text("my own notes\n", encoding="utf-8")
    assert main(["new", "--bibtex", "refs.bib"]) == 1
    captured = capsys.readouterr()
    assert mine.read_text(encoding="utf-8") == "my own notes\n"
    assert captured.err == (
        "surveysite new: error: content/papers/tinyllama.md already exists; refs.bib entry zhang2024tinyllama skipped\n"
    )
    assert (survey / "content" / "papers" / "tinystories.md").is_file()  # the others went on


def test_keys_choose_entries_and_bad_ones_are_named(survey: Path, capsys: pytest.CaptureFixture[str]) -> None:
    broken = BIBTEX + "\n@misc{unclosed,\n  title = {Never closed\n"
    (survey / "refs.bib").write_text(broken, encoding="utf-8")
    assert main(["new", "--bibtex", "refs.bib", "--key", "zhang2024tinyllama", "chung2024scalin"]) == 1
    captured = capsys.readouterr()
    assert captured.out == "created content/papers/tinyllama.md from refs.bib entry zhang2024tinyllama\n"
    assert "no entry with key 'chung2024scalin' (did you mean 'chung2024scaling'?)" in captured.err
    assert sorted(p.name for p in (survey / "content" / "papers").iterdir()) == ["example-paper.md", "tinyllama.md"]

    assert main(["new", "--bibtex", "refs.bib", "--key", "unclosed"]) == 1
    line = BIBTEX.count("\n") + 2
    assert capsys.readouterr().err == (
        f"surveysite new: error: refs.bib:{line}: entry 'unclosed' could not be read (unbalanced braces or"
        " quotes?); skipped\n"
    )
    # A slug names the file of a single entry.
    assert main(["new", "my-name", "--bibtex", "refs.bib", "--key", "chung2024scaling"]) == 0
    assert _front_matter(survey / "content" / "papers" / "my-name.md")["volume"] == "25"
    _check(capsys)


def test_usage_errors(survey: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (survey / "refs.bib").write_text(BIBTEX, encoding="utf-8")
    assert main(["new"]) == 2
    assert main(["new", "--key", "x"]) == 2
    assert main(["new", "--bibtex", "refs.bib", "--arxiv", "2401.02385"]) == 2
    assert main(["new", "one-name", "--bibtex", "refs.bib"]) == 2  # three entries, one name
    assert main(["new", "--bibtex", "missing.bib"]) == 1
    err = capsys.readouterr().err
    assert "give a slug, --bibtex FILE or --arxiv ID" in err
    assert "surveysite new: error: cannot read missing.bib: no such file or directory" in err
    assert "Traceback" not in err
    assert sorted(p.name for p in (survey / "content" / "papers").iterdir()) == ["example-paper.md"]


def test_new_slug_is_unchanged(survey: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["new", "my-paper"]) == 0
    text = (survey / "content" / "papers" / "my-paper.md").read_text(encoding="utf-8")
    assert text == paper_scaffold("my-paper", dt.date.today(), "example-technique", "example")
    assert '---\n# Exact title from the paper (quoted when it contains a colon).\ntitle: "My Paper"\n' in text
    assert "authors: [First Author, Second Author]\n" in text
    assert 'arxiv: "0000.00000"\n# The venue\'s DOI' in text
    assert '# doi: "10.18653/v1/2021.naacl-main.185"\n' in text
    assert '# volume: "25"\n# number: "70"\n# pages: "1–53"\n# venue_year: 2024\n' in text
    assert "links:\n  code: https://github.com/owner/repo\n" in text
    _check(capsys)


@pytest.mark.parametrize(
    ("latex", "text"),
    [
        (r"M{\"u}ller", "Müller"),
        (r"M\"uller", "Müller"),
        (r"Stra\ss e", "Straße"),
        (r"{\o}ystein {\AA}se", "øystein Åse"),
        (r"{BERT}: {P}re-training", "BERT: Pre-training"),
        (r"Q\&A in 99% of cases", "Q&A in 99% of cases"),
        (r"$\mu$P: \emph{tuning}", "μP: tuning"),
        ("A  very\n  long~title", "A very long title"),
    ],
)
def test_latex_to_text(latex: str, text: str) -> None:
    assert importing.latex_to_text(latex) == text


def test_authors_split_outside_braces() -> None:
    names, others = importing.split_authors(r"{Barnes and Noble} and Smith, Jr., John and others")
    assert (names, others) == (["Barnes and Noble", "John Smith Jr."], True)


@pytest.mark.parametrize(
    ("given", "ident"),
    [
        ("2401.02385", "2401.02385"),
        ("arXiv:2401.02385v3", "2401.02385"),
        ("https://arxiv.org/abs/2401.02385v1", "2401.02385"),
        ("https://arxiv.org/pdf/2401.02385.pdf", "2401.02385"),
        ("hep-th/9901001v2", "hep-th/9901001"),
        ("not an id", None),
    ],
)
def test_normalize_arxiv_id(given: str, ident: str | None) -> None:
    assert importing.normalize_arxiv_id(given) == ident


def test_arxiv_id_from_url_and_dblp_corr() -> None:
    today = dt.date(2026, 1, 2)
    url = {"ID": "k", "title": "X", "url": "https://arxiv.org/abs/2309.05463", "year": "2023"}
    facts = importing.entry_facts(url, "refs.bib (entry k)", today)
    assert facts is not None and (facts.arxiv, facts.venue) == ("2309.05463", "arXiv preprint")
    dblp = {"ID": "k", "title": "X", "journal": "CoRR", "volume": "abs/2309.05463", "eprinttype": "arXiv"}
    facts = importing.entry_facts({**dblp, "eprint": "2309.05463", "year": "2023"}, "refs.bib", today)
    assert facts is not None and (facts.arxiv, facts.venue, facts.volume) == ("2309.05463", "arXiv preprint", "")


@pytest.mark.parametrize(
    ("title", "slug"),
    [
        ("TinyLlama: An Open-Source Small Language Model", "tinyllama"),
        ("Textbooks Are All You Need II: phi-1.5 technical report", "textbooks-are-all-you-need-ii"),
        ("Orca 2: Teaching Small Language Models How to Reason", "orca-2"),
        ("One Two Three Four Five Six Seven Eight", "one-two-three-four-five-six"),
        ("Über große Modelle", "uber-groe-modelle"),
    ],
)
def test_slug_from_short_title(title: str, slug: str) -> None:
    facts = importing.PaperFacts(title, importing.short_title(title), 2024)
    assert importing.paper_slug(facts) == slug


# --- arXiv ----------------------------------------------------------------------------------


def test_arxiv_import(survey: Path, arxiv: FakeArxiv, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["new", "--arxiv", "2401.02385"]) == 0
    assert capsys.readouterr().out == "created content/papers/tinyllama.md from arXiv 2401.02385\n"
    path = survey / "content" / "papers" / "tinyllama.md"
    data = _front_matter(path)
    assert data["title"] == "TinyLlama: An Open-Source Small Language Model"
    assert data["authors"] == ["Peiyuan Zhang", "Guangtao Zeng", "Tianduo Wang", "Wei Lu"]
    assert data["year"] == 2024  # the first version's (published), not the last update's
    assert (data["venue"], data["arxiv"], data["doi"]) == ("arXiv preprint", "2401.02385", "10.48550/arXiv.2401.02385")
    assert "\n# arXiv primary category: cs.CL\n" in path.read_text(encoding="utf-8")
    assert arxiv.requests == [(["2401.02385"], arxiv.requests[0][1])]
    cached = json.loads((survey / ".surveysite-cache" / "arxiv" / "2401.02385.json").read_text(encoding="utf-8"))
    assert cached["fetched"] == dt.date.today().isoformat()
    assert cached["record"]["published"] == "2024-01-04"
    _check(capsys)


def test_several_ids_in_one_request(survey: Path, arxiv: FakeArxiv, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["new", "--arxiv", "arXiv:2309.05463v1", "https://arxiv.org/abs/1907.11692"]) == 0
    assert [ids for ids, _at in arxiv.requests] == [["2309.05463", "1907.11692"]]
    phi = _front_matter(survey / "content" / "papers" / "textbooks-are-all-you-need-ii.md")
    assert phi["authors"] == [
        "Yuanzhi Li",
        "Sébastien Bubeck",
        "Ronen Eldan",
        "Allie Del Giorno",
        "Suriya Gunasekar",
        "Yin Tat Lee",
    ]
    assert _front_matter(survey / "content" / "papers" / "roberta.md")["year"] == 2019
    _check(capsys)


def test_unknown_arxiv_id(survey: Path, arxiv: FakeArxiv, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["new", "--arxiv", "2401.99999"]) == 1
    captured = capsys.readouterr()
    assert captured.err == "surveysite new: error: arXiv has no paper with id 2401.99999\n"
    assert sorted(p.name for p in (survey / "content" / "papers").iterdir()) == ["example-paper.md"]
    assert main(["new", "--arxiv", "24.1"]) == 1
    assert capsys.readouterr().err == "surveysite new: error: '24.1' is not an arXiv id such as 2401.02385\n"


def _refused_url() -> str:
    """An address on this machine where nothing listens: the connection is refused at once."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    return f"http://127.0.0.1:{port}/api/query"


def test_network_error_is_one_line(
    survey: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    url = _refused_url()
    monkeypatch.setenv(importing.API_ENV, url)
    assert main(["new", "--arxiv", "2401.02385"]) == 1
    err = capsys.readouterr().err
    assert err == f"surveysite new: error: cannot reach the arXiv API at {url}: connection refused\n"
    assert not (survey / "content" / "papers" / "tinyllama.md").exists()


def test_an_answer_that_is_not_a_feed(tmp_path: Path) -> None:
    with pytest.raises(importing.ImportFailure, match="did not answer with an Atom feed"):
        importing.parse_feed(b"<html><body>Service unavailable</body></html>")
    with pytest.raises(importing.ImportFailure, match="did not answer with an Atom feed"):
        importing.parse_feed(b"")


def test_requests_are_batched_and_spaced(arxiv: FakeArxiv) -> None:
    assert importing.ArxivClient().spacing == 3.0  # arXiv's terms; tests shrink it below
    client = importing.ArxivClient(arxiv.url, spacing=0.3, batch=2)
    found = client.fetch(["2401.02385", "2309.05463", "1907.11692", "2401.99999"])
    assert sorted(found) == ["1907.11692", "2309.05463", "2401.02385"]
    assert [ids for ids, _at in arxiv.requests] == [["2401.02385", "2309.05463"], ["1907.11692", "2401.99999"]]
    assert arxiv.requests[1][1] - arxiv.requests[0][1] >= 0.3
    assert client.requests == 2


def test_cache_is_reused_for_30_days(tmp_path: Path) -> None:
    record = importing.ArxivRecord("hep-th/9901001", "A title", ("An Author",), "1999-01-01", "hep-th")
    day = dt.date(2026, 1, 1)
    assert importing.ArxivCache(tmp_path, day).put(record) is None
    assert (tmp_path / "hep-th_9901001.json").is_file()
    assert importing.ArxivCache(tmp_path, day + dt.timedelta(days=29)).get(record.id) == record
    assert importing.ArxivCache(tmp_path, day + dt.timedelta(days=30)).get(record.id) is None
    (tmp_path / "hep-th_9901001.json").write_text("{not json", encoding="utf-8")
    assert importing.ArxivCache(tmp_path, day).get(record.id) is None  # damaged: ask again


# --- check --online -------------------------------------------------------------------------


def test_check_online_warns_at_file_line(survey: Path, arxiv: FakeArxiv, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["new", "--arxiv", "2401.02385", "2309.05463"]) == 0
    path = survey / "content" / "papers" / "tinyllama.md"
    text = path.read_text(encoding="utf-8")
    text = text.replace('title: "TinyLlama: An Open-Source Small Language Model"', 'title: "TinyLlama: A Small Model"')
    # A year the arXiv id contradicts is an error offline; with a `date` that agrees, only arXiv can tell.
    text = text.replace("Tianduo Wang, Wei Lu]", "Tianduo Wang]").replace(
        "\nyear: 2024", "\nyear: 2023\ndate: 2023-12", 1
    )
    path.write_text(text, encoding="utf-8")
    title_line, authors_line, year_line = (_line(path, key) for key in ("title:", "authors:", "year:"))
    for cached in (survey / ".surveysite-cache" / "arxiv").iterdir():
        cached.unlink()
    capsys.readouterr()
    arxiv.requests.clear()

    assert main(["check", "--online"]) == 0  # differences are warnings, never failures
    captured = capsys.readouterr()
    assert captured.err.splitlines() == [
        f'content/papers/tinyllama.md:{title_line}:8: warning: title differs from arXiv: "TinyLlama: An'
        ' Open-Source Small Language Model"',
        f"content/papers/tinyllama.md:{authors_line}:10: warning: arXiv lists 4 authors, this file 3: missing Wei Lu",
        f"content/papers/tinyllama.md:{year_line}:7: warning: year differs from arXiv: 2024 (first version 2024-01-04)",
    ]
    assert captured.out.startswith("ok:")
    assert "online: 2 papers compared with arXiv (0 from the cache, 2 in 1 request): 3 warnings" in captured.out
    assert [sorted(ids) for ids, _at in arxiv.requests] == [["2309.05463", "2401.02385"]]

    # Again: from the cache, no request; with GitHub annotations.
    assert main(["check", "--online", "--format", "github"]) == 0
    captured = capsys.readouterr()
    assert len(arxiv.requests) == 1
    assert f"::warning file=content/papers/tinyllama.md,line={title_line},col=8::title differs" in captured.out
    assert "(2 from the cache, 0 in 0 requests): 3 warnings" in captured.out


def test_check_online_author_and_unknown_id(survey: Path, arxiv: FakeArxiv, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["new", "--arxiv", "1907.11692"]) == 0
    path = survey / "content" / "papers" / "roberta.md"
    path.write_text(path.read_text(encoding="utf-8").replace("Myle Ott", "Myle Otto"), encoding="utf-8")
    example = survey / "content" / "papers" / "example-paper.md"
    # The scaffold's year is this year: an unknown id of this year, so that it agrees with `year`.
    unknown = f"{dt.date.today():%y}01.99999"
    example.write_text(example.read_text(encoding="utf-8").replace("0000.00000", unknown), encoding="utf-8")
    capsys.readouterr()
    assert main(["check", "--online"]) == 0
    err = capsys.readouterr().err
    authors, arxiv_line = _line(path, "authors:"), _line(example, "arxiv:")
    assert f'content/papers/roberta.md:{authors}:23: warning: author 2 differs from arXiv: "Myle Ott"' in err
    assert f"content/papers/example-paper.md:{arxiv_line}:8: warning: arXiv has no paper with id {unknown}" in err


def test_check_online_without_network_still_passes(
    survey: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    url = _refused_url()
    monkeypatch.setenv(importing.API_ENV, url)
    example = survey / "content" / "papers" / "example-paper.md"
    text = example.read_text(encoding="utf-8").replace("0000.00000", "2401.02385")
    example.write_text(re.sub(r"\nyear: \d+", "\nyear: 2024", text), encoding="utf-8")
    assert main(["check", "--online"]) == 0
    captured = capsys.readouterr()
    assert captured.err == (
        f"surveysite check: warning: online comparison skipped: cannot reach the arXiv API at {url}:"
        " connection refused\n"
    )


def test_normal_check_and_build_ask_nothing(survey: Path, arxiv: FakeArxiv, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["check"]) == 0
    assert main(["build", "--no-search"]) == 0
    assert arxiv.requests == []


def test_crossref_and_links(tmp_path: Path) -> None:
    """Fields inherited from a cross-referenced proceedings entry, which is no paper itself; a
    paper without an arXiv id links to the page its entry names."""
    (tmp_path / "x.bib").write_text(
        "@proceedings{iclr24, booktitle = {ICLR 2024}, year = 2024}\n"
        "@inproceedings{doe24, title = {A Paper}, author = {Doe, Jane}, crossref = {iclr24},\n"
        "  url = {https://openreview.net/forum?id=abc}}\n",
        encoding="utf-8",
    )
    imported, problems = importing.read_bibtex(tmp_path / "x.bib", "x.bib", dt.date(2026, 1, 2))
    assert problems == [] and [item.fallback for item in imported] == ["doe24"]
    facts = imported[0].facts
    assert (facts.venue, facts.year, facts.abstract) == ("ICLR 2024", 2024, "https://openreview.net/forum?id=abc")
    assert "  abstract: https://openreview.net/forum?id=abc\n" in importing.paper_text(facts, dt.date(2026, 1, 2))
