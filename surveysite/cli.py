"""Command line: `build.py [build|serve|check|new]`; exit 0 ok, 1 content errors, 2 usage errors."""

from __future__ import annotations

import argparse
import datetime as dt
import signal
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from surveysite.errors import BuildError, os_error
from surveysite.load import display_path
from surveysite.pipeline import BuildReport, Project, build, check
from surveysite.scaffold import paper_scaffold
from surveysite.validate import SLUG, SLUG_HINT

ROOT = Path(__file__).resolve().parent.parent
"""The project folder: default content/, templates/, static/ and _site/ live here."""


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="build.py", description="Build a research-survey website.")
    commands = parser.add_subparsers(dest="command", metavar="{build,serve,check,new}")

    def with_paths(sub: argparse.ArgumentParser, out: bool = True) -> None:
        sub.add_argument("--content", type=Path, default=ROOT / "content", help="survey folder (default: content/)")
        sub.add_argument("--templates", type=Path, default=ROOT / "templates", help="Jinja templates folder")
        sub.add_argument("--static", type=Path, default=ROOT / "static", help="static files, copied to assets/")
        if out:
            sub.add_argument("--out", type=Path, default=ROOT / "_site", help="output folder (default: _site/)")
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
    with_paths(commands.add_parser("check", help="validate everything, write nothing"), out=False)
    new = commands.add_parser("new", help="create content/papers/<slug>.md with every field")
    new.add_argument("slug")
    new.add_argument("--content", type=Path, default=ROOT / "content")
    return parser


def main(argv: list[str] | None = None) -> int:
    args_list = list(sys.argv[1:] if argv is None else argv)
    if not args_list or (args_list[0].startswith("-") and args_list[0] not in ("-h", "--help")):
        args_list.insert(0, "build")
    args = _parser().parse_args(args_list)  # exits with status 2 on usage errors
    if args.command == "new":
        return _new(args.content, args.slug)
    project = Project(
        args.content,
        args.templates,
        args.static,
        getattr(args, "out", ROOT / "_site"),
        search=not getattr(args, "no_search", False),
        cache=not getattr(args, "no_cache", False),
        wait=not getattr(args, "no_wait", False),
    )
    if args.command != "serve":  # a dev server stopped by SIGTERM simply dies, as it did before: its
        signal.signal(signal.SIGTERM, _terminate)  # rebuilds are as safe against that as against SIGKILL
    try:
        return _run(args, project)
    except KeyboardInterrupt:
        print("interrupted; the previous site is unchanged", file=sys.stderr)
        return 130
    except Terminated:
        print("interrupted; the previous site is unchanged", file=sys.stderr)
        return 143


class Terminated(BaseException):
    """SIGTERM, raised like KeyboardInterrupt so that every stage cleans up on its way out."""


def _terminate(_signum: int, _frame: object) -> None:
    signal.signal(signal.SIGTERM, signal.SIG_IGN)  # once: cleaning up must not be interrupted again
    raise Terminated


def _run(args: argparse.Namespace, project: Project) -> int:
    if not project.templates.is_dir():
        print(f"build.py: error: templates folder {display_path(project.templates)} does not exist", file=sys.stderr)
        return 2
    try:
        if args.command == "check":
            report = check(project)
            print(f"ok: {report.files} files would be written ({report.seconds:.2f} s)")
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
            f"build.py new: error: '{slug}' is not a valid slug: {SLUG_HINT}",
            file=sys.stderr,
        )
        return 2
    path = content / "papers" / f"{slug}.md"
    if path.exists():
        print(f"build.py new: error: {display_path(path)} already exists", file=sys.stderr)
        return 1
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(paper_scaffold(slug, dt.date.today()), encoding="utf-8")
    print(f"created {display_path(path)}")
    return 0
