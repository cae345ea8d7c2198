"""Command line: `surveysite [build|serve|check|new|init]`, also `python3 build.py ...`.

Exit 0 ok, 1 content or disk errors, 2 usage errors, 130/143 interrupted.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import signal
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from surveysite import INTERRUPTED, importing
from surveysite.errors import BuildError, SourceError, display_path, os_error
from surveysite.importing import API_ENV, OnlineWarning
from surveysite.pipeline import BuildReport, Project, build, check
from surveysite.scaffold import first_ids, paper_scaffold, survey_files
from surveysite.validate import LANGUAGE, SLUG, SLUG_HINT


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="surveysite", description="Build a research-survey website.")
    commands = parser.add_subparsers(dest="command", metavar="{build,serve,check,new,init}")

    def with_paths(sub: argparse.ArgumentParser, out: bool = True) -> None:
        sub.add_argument("--content", type=Path, default=Path("content"), help="survey folder (default: content/)")
        sub.add_argument(
            "--templates",
            type=Path,
            help="templates that replace the engine's of the same name (default: templates/, if there is one)",
        )
        sub.add_argument(
            "--static",
            type=Path,
            help="files that replace or add to the engine's assets/ (default: static/, if there is one)",
        )
        sub.add_argument(
            "--site-url",
            default=os.environ.get("SURVEYSITE_SITE_URL") or None,
            help="where the site is published, overriding site.yaml (default: $SURVEYSITE_SITE_URL)",
        )
        if out:
            sub.add_argument("--out", type=Path, default=Path("_site"), help="output folder (default: _site/)")
            sub.add_argument("--no-search", action="store_true", help="skip the Pagefind search index")
            sub.add_argument("--no-cache", action="store_true", help="ignore and do not write .surveysite-cache/")
            sub.add_argument(
                "--no-wait", action="store_true", help="fail at once if another build is writing the output folder"
            )

    with_paths(commands.add_parser("build", help="build the site (the default)"))
    serve = commands.add_parser("serve", help="build, serve with live reload, rebuild on change")
    with_paths(serve)
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=8000)
    check_ = commands.add_parser("check", help="validate everything, write nothing")
    with_paths(check_, out=False)
    check_.add_argument(
        "--format",
        choices=("text", "github"),
        default="text",
        help="github: also print workflow annotations, so a pull request shows each error on its line",
    )
    check_.add_argument(
        "--online",
        action="store_true",
        help="also compare each paper's title, authors and year with its arXiv record (warnings only;"
        f" cached 30 days; the API is ${API_ENV} if set)",
    )
    new = commands.add_parser(
        "new",
        help="create content/papers/<slug>.md with every field, or one per BibTeX entry or arXiv id",
        description="Create a paper file with every field commented: from a slug, or with the facts of"
        " BibTeX entries or arXiv records (slugs from their short titles). An existing file is never replaced.",
    )
    new.add_argument("slug", nargs="?", help="the file's name; with --bibtex or --arxiv, for one paper only")
    new.add_argument("--content", type=Path, default=Path("content"), help="survey folder (default: content/)")
    new.add_argument("--bibtex", type=Path, metavar="FILE", help="one paper file per entry of this BibTeX file")
    new.add_argument(
        "--key", action="extend", nargs="+", default=[], metavar="KEY", help="with --bibtex: only these entries"
    )
    new.add_argument(
        "--arxiv",
        action="extend",
        nargs="+",
        default=[],
        metavar="ID",
        help=f"one paper file per arXiv id, from the arXiv API (${API_ENV} replaces its URL)",
    )
    init = commands.add_parser("init", help="start a new survey in an empty folder")
    init.add_argument("folder", type=Path)
    init.add_argument("--title", required=True, help='the survey\'s title, e.g. "Efficient Attention"')
    init.add_argument("--languages", default="en", help="comma-separated language tags, the first the default")
    return parser


def main(argv: list[str] | None = None) -> int:
    args_list = list(sys.argv[1:] if argv is None else argv)
    if not args_list or (args_list[0].startswith("-") and args_list[0] not in ("-h", "--help")):
        args_list.insert(0, "build")
    args = _parser().parse_args(args_list)  # exits with status 2 on usage errors
    if args.command == "new":
        if args.bibtex is not None or args.arxiv or args.key:
            return _import(args)
        if args.slug is None:
            print("surveysite new: error: give a slug, --bibtex FILE or --arxiv ID", file=sys.stderr)
            return 2
        return _new(args.content, args.slug)
    if args.command == "init":
        return _init(args.folder, args.title, args.languages)
    for name in ("templates", "static"):
        given = getattr(args, name)
        if given is not None and not given.is_dir():
            print(f"surveysite: error: {name} folder {display_path(given)} does not exist", file=sys.stderr)
            return 2
    project = Project(
        args.content,
        args.templates if args.templates is not None else Path("templates"),
        args.static if args.static is not None else Path("static"),
        getattr(args, "out", Path("_site")),
        search=not getattr(args, "no_search", False),
        cache=not getattr(args, "no_cache", False),
        wait=not getattr(args, "no_wait", False),
        site_url=args.site_url,
    )
    # A dev server stopped by SIGTERM simply dies: its rebuilds are as safe against that as against SIGKILL.
    signal.signal(signal.SIGTERM, signal.SIG_DFL if args.command == "serve" else _terminate)
    try:
        return _run(args, project)
    except KeyboardInterrupt:
        print(INTERRUPTED, file=sys.stderr)
        return 130
    except Terminated:
        print(INTERRUPTED, file=sys.stderr)
        return 143


class Terminated(BaseException):
    """SIGTERM, raised like KeyboardInterrupt so that every stage cleans up on its way out."""


def _terminate(_signum: int, _frame: object) -> None:
    signal.signal(signal.SIGTERM, signal.SIG_IGN)  # once: cleaning up must not be interrupted again
    raise Terminated


def _run(args: argparse.Namespace, project: Project) -> int:
    try:
        if args.command == "check":
            report = check(project)
            print(f"ok: {report.files} files would be written ({report.seconds:.2f} s)")
            if args.online:
                _online(project.content, args.format)
        elif args.command == "serve":
            from surveysite.serve import serve

            serve(project, args.host, args.port)
        else:
            with progress_bar() as on_stage:
                report = build(project, BuildReport(on_stage=on_stage))
            steps = ", ".join(f"{name} {seconds:.2f}" for name, seconds in report.timings.items())
            print(
                f"built {report.files} files ({report.rendered} pages rendered, {report.kept} kept;"
                f" {report.written} files written, {report.unchanged} unchanged) in"
                f" {report.seconds:.2f} s ({steps}) -> {display_path(project.out)}"
            )
    except BuildError as exc:
        print(exc.report(), file=sys.stderr)
        if getattr(args, "format", "text") == "github":
            print("\n".join(_annotation(e) for e in exc.errors))
        return 1
    except OSError as exc:  # the disk, not the content: a full disk, a read-only folder
        print(BuildError([os_error(exc)]).report(), file=sys.stderr)
        return 1
    return 0


STAGES = ("load", "markdown", "validate", "render", "write", "search")


@contextmanager
def progress_bar(delay: float = 1.0) -> Iterator[Callable[[str], None]]:
    """A stage-by-stage bar on a terminal, shown only once a build has run for `delay` seconds."""
    started = time.monotonic()
    bar: Any = None
    task: Any = None
    done = 0

    def on_stage(stage: str) -> None:
        nonlocal bar, task, done
        if bar is None and sys.stderr.isatty() and time.monotonic() - started >= delay:
            from rich.console import Console  # imported only when a bar is drawn: start-up time counts
            from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

            bar = Progress(
                TextColumn("{task.description:>9}"),
                BarColumn(),
                TimeElapsedColumn(),
                transient=True,
                console=Console(stderr=True),
            )
            bar.start()
            task = bar.add_task(stage, total=len(STAGES), completed=done)
        done += 1
        if bar is not None:
            bar.update(task, description=stage, completed=done - 1)

    try:
        yield on_stage
    finally:
        if bar is not None:
            bar.stop()


def _new(content: Path, slug: str) -> int:
    if not SLUG.fullmatch(slug):
        print(
            f"surveysite new: error: '{slug}' is not a valid slug: {SLUG_HINT}",
            file=sys.stderr,
        )
        return 2
    path = content / "papers" / f"{slug}.md"
    if path.exists():
        print(f"surveysite new: error: {display_path(path)} already exists", file=sys.stderr)
        return 1
    path.parent.mkdir(parents=True, exist_ok=True)
    technique, benchmark = first_ids(content)
    path.write_text(paper_scaffold(slug, dt.date.today(), technique, benchmark), encoding="utf-8")
    print(f"created {display_path(path)}")
    return 0


def _import(args: argparse.Namespace) -> int:
    """`new --bibtex FILE [--key KEY ...]` and `new --arxiv ID ...`: the logic is in importing.py."""

    def usage(message: str) -> int:
        print(f"surveysite new: error: {message}", file=sys.stderr)
        return 2

    if args.bibtex is not None and args.arxiv:
        return usage("give either --bibtex or --arxiv, not both")
    if args.key and args.bibtex is None:
        return usage("--key chooses entries of a --bibtex file")
    if args.slug is not None and not SLUG.fullmatch(args.slug):
        return usage(f"'{args.slug}' is not a valid slug: {SLUG_HINT}")
    today = dt.date.today()
    notes: list[str] = []
    try:
        if args.bibtex is not None:
            imported, problems = importing.read_bibtex(args.bibtex, display_path(args.bibtex), today, args.key)
        else:
            cache = importing.ArxivCache.for_survey(args.content, today)
            client = importing.ArxivClient()
            imported, problems, notes = importing.arxiv_imports(args.arxiv, client, cache, today)
    except importing.ImportFailure as exc:
        print(f"surveysite new: error: {exc}", file=sys.stderr)
        return 1
    if args.slug is not None and len(imported) + len(problems) > 1:
        return usage("a slug names one file: choose one entry with --key, or give one arXiv id")
    try:
        created, skipped = importing.create_papers(args.content, imported, today, args.slug)
    except OSError as exc:
        print(BuildError([os_error(exc)]).report(), file=sys.stderr)
        return 1
    for line in created:
        print(line)
    for line in (*notes, *(f"surveysite new: error: {line}" for line in (*problems, *skipped))):
        print(line, file=sys.stderr)
    return 1 if problems or skipped else 0


def _online(content: Path, form: str) -> None:
    """`check --online`: differences from arXiv are warnings; they never fail the check."""
    from surveysite.load import load_content

    docs = [f.doc for f in load_content(content).papers if f.lang is None and f.doc.data is not None]
    client = importing.ArxivClient()
    try:
        warnings, compared, notes = importing.online_warnings(
            docs, client, importing.ArxivCache.for_survey(content, dt.date.today())
        )
    except importing.ImportFailure as exc:
        print(f"surveysite check: warning: online comparison skipped: {exc}", file=sys.stderr)
        return
    for line in (*notes, *(str(w) for w in warnings)):
        print(line, file=sys.stderr)
    if form == "github" and warnings:
        print("\n".join(_annotation(w, "warning") for w in warnings))
    noun = "warning" if len(warnings) == 1 else "warnings"
    requests = f"{client.requests} request{'' if client.requests == 1 else 's'}"
    print(
        f"online: {compared} papers compared with arXiv ({compared - client.received} from the cache,"
        f" {client.received} in {requests}): {len(warnings)} {noun}"
    )


def _annotation(error: SourceError | OnlineWarning, level: str = "error") -> str:
    """A GitHub workflow command: the pull request shows the message on the file's line."""
    where = f"file={error.path}"
    if error.line:
        where += f",line={error.line}" + (f",col={error.column}" if error.column else "")
    message = error.message.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")
    return f"::{level} {where}::{message}"


def _init(folder: Path, title: str, languages_text: str) -> int:
    languages = tuple(lang.strip() for lang in languages_text.split(",") if lang.strip())
    bad = [lang for lang in languages if not LANGUAGE.fullmatch(lang)]
    if not languages or bad or len(set(languages)) != len(languages):
        what = f"'{bad[0]}' is not a language tag such as en, de or pt-br" if bad else "list each language once"
        print(f"surveysite init: error: --languages: {what}", file=sys.stderr)
        return 2
    if folder.exists() and (not folder.is_dir() or any(folder.iterdir())):
        print(
            f"surveysite init: error: {display_path(folder)} is not an empty folder; choose a new one",
            file=sys.stderr,
        )
        return 1
    files = survey_files(folder.resolve().name, title.strip() or "Survey", languages, dt.date.today())
    for name, text in files.items():
        target = folder / name
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text, encoding="utf-8")
    print(f"created a survey in {display_path(folder)} ({len(files)} files); next: cd {display_path(folder)}")
    print("  python3 -m pip install -r requirements.txt && surveysite build    # or: surveysite serve")
    return 0
