"""The build as a list of stages: load -> validate -> render -> write (only the last touches disk)."""

from __future__ import annotations

import functools
import gc
import signal
import time
from collections.abc import Callable, Collection, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from surveysite.cache import FOLDER, Cache
from surveysite.errors import BuildError
from surveysite.load import load_content
from surveysite.lock import output_lock
from surveysite.markdown import render_summaries
from surveysite.model import Site
from surveysite.output import Kept, OutputFile
from surveysite.render import Unchanged, plan, render_site
from surveysite.schema import schema_errors
from surveysite.search import carry_search, index_site
from surveysite.validate import validate
from surveysite.write import Manifest, check_output, write_site


@dataclass(frozen=True)
class Project:
    """Where a survey's inputs are and where its site goes."""

    content: Path
    templates: Path
    static: Path
    out: Path
    search: bool = True
    """Run Pagefind over the staged site (off for quick previews and benchmarks)."""
    cache: bool = True
    """Reuse parsed files and rendered Markdown from .surveysite-cache/ next to the output folder."""
    wait: bool = True
    """Wait for another build of the same output folder to finish, instead of failing at once."""
    site_url: str | None = None
    """Where the site is published, overriding site.yaml (a GitHub Pages build knows it)."""
    defer_search: bool = False
    """Keep the current output's search index in the new site, for refresh_search to update after
    the swap (the dev server: a save shows at once, and search catches up)."""
    defer_save: bool = False
    """Leave writing the cache to the caller (BuildReport.save), once the new site is shown: the
    dev server. Until then the cache on disk describes an earlier build, which is only slower for
    a build that reads it: every entry of the manifest is checked against the files on disk."""

    @property
    def cache_folder(self) -> Path | None:
        return self.out.absolute().parent / FOLDER if self.cache else None


@dataclass
class BuildReport:
    files: int = 0
    written: int = 0
    """Files written afresh; the others are hard-linked unchanged from the previous build."""
    rendered: int = 0
    kept: int = 0
    """Pages rendered, and pages not rendered because their inputs are those of the previous build."""
    on_stage: Callable[[str], None] | None = None
    """Told the name of each stage as it starts (the command line draws a progress bar)."""
    site_url: str = ""
    """Where the built site will be published (the dev server serves it under this URL's path)."""
    languages: tuple[str, ...] = ()

    def begin(self, stage: str) -> None:
        if self.on_stage is not None:
            self.on_stage(stage)

    timings: dict[str, float] = field(default_factory=dict)
    save: Callable[[], None] = lambda: None
    """Writes the build's cache entries and its manifest, if the project defers it (defer_save)."""

    @property
    def unchanged(self) -> int:
        return self.files - self.written

    @property
    def seconds(self) -> float:
        return sum(self.timings.values())


def prepare(
    project: Project,
    report: BuildReport | None = None,
    *,
    with_schema: bool = False,
    cache: Cache | None = None,
    unchanged: Unchanged | None = None,
    settle: bool = False,
    changed: Collection[str] | None = None,
) -> tuple[Site, Iterator[OutputFile | Kept]]:
    """Everything but writing: raises BuildError with every problem found.

    The files come lazily, as pages are rendered (on every core for large sites), so that writing
    them overlaps rendering and they never all sit in memory; rendering time is added to
    report.timings["render"] as they are drawn. with_schema also checks every paper against the
    published JSON Schema (`check` does), which keeps schema/paper.json honest: anything the build
    accepts, the schema must accept too. `changed`: the files changed since the previous build
    with the same resident cache, if the caller watches them (see load_content).
    """
    report = report if report is not None else BuildReport()
    cache = cache if cache is not None else Cache(None)
    start = time.perf_counter()
    report.begin("load")
    raw = load_content(project.content, cache, changed)
    report.timings["load"] = time.perf_counter() - start
    _settle(settle)
    start = time.perf_counter()
    report.begin("markdown")
    bodies = [f.doc.body for f in (*raw.papers, *raw.pages) if f.doc.data is not None]
    summaries = render_summaries(bodies, cache)
    report.timings["markdown"] = time.perf_counter() - start
    _settle(settle)
    start = time.perf_counter()
    report.begin("validate")
    site = validate(raw, summaries, site_url=project.site_url, cache=cache)
    if with_schema and (errors := schema_errors(raw, site)):
        raise BuildError(errors)
    report.timings["validate"] = time.perf_counter() - start
    _settle(settle)
    report.begin("render")
    start = time.perf_counter()
    planned = plan(site, project.templates, cache)
    kept = unchanged(planned.keys) if unchanged is not None else set()
    report.timings["plan"] = time.perf_counter() - start
    _settle(settle)
    return site, _drawn(render_site(planned, kept, cache), report)


def _settle(settle: bool) -> None:
    """Put what the stages made so far out of the cyclic collector's sight. A stage's results live
    until the build ends, yet each collection of the oldest generation walks all of them again:
    a quarter of a one-paper rebuild at 10,000 papers. And a forked worker's collections would
    write to every object's header, copying the parent's pages (the tree's memory). Reference
    counting still frees them. Only with `settle`: the caller (`build`, `check`) gives them back
    to the collector when it ends (gc.unfreeze)."""
    if settle:
        gc.freeze()


def _drawn(files: Iterator[OutputFile | Kept], report: BuildReport) -> Iterator[OutputFile | Kept]:
    """files, counting pages rendered and kept, and adding the time spent making them to the
    render stage (the consumer's time, writing them, is not)."""
    report.timings["render"] = 0.0
    while True:
        start = time.perf_counter()
        try:
            file = next(files)
        except StopIteration:
            return
        finally:
            report.timings["render"] += time.perf_counter() - start
        if isinstance(file, Kept):
            report.kept += sum(1 for path, _key in file.files if path.endswith(".html"))
        elif file.key and file.path.endswith(".html"):
            report.rendered += 1
        yield file


def build(
    project: Project,
    report: BuildReport | None = None,
    cache: Cache | None = None,
    changed: Collection[str] | None = None,
) -> BuildReport:
    """Build the site into project.out, replacing it atomically; render only pages whose inputs
    changed since the previous build (as the cache's manifest of that build says).

    A dev server passes the same cache to every build, so that it is read from disk only once,
    and the files its watcher saw change (`changed`), so that the others are not looked at.
    """
    publication = _Publication()
    try:
        with output_lock(project.out, wait=project.wait):
            return _build(project, report, cache, publication, changed)
    finally:
        gc.unfreeze()  # what the stages froze is the collector's again (see _settle)
        publication.release()


class _Publication:
    """Ctrl-C and SIGTERM are held from the moment the new site is swapped in: the build has then
    succeeded, and an interruption while it removes the old tree or saves the cache would report
    "the previous site is unchanged" of a site that has changed. A signal held past a successful
    swap is dropped (the command ends as a build that finished); one held by a swap that failed is
    delivered, and interrupts as before."""

    SIGNALS = frozenset({signal.SIGINT, signal.SIGTERM})

    def __init__(self) -> None:
        self.mask: set[int | signal.Signals] | None = None
        self.published = False

    def hold(self) -> None:
        self.mask = signal.pthread_sigmask(signal.SIG_BLOCK, self.SIGNALS)

    def release(self) -> None:
        if self.mask is None:
            return
        if self.published:
            while self.SIGNALS & signal.sigpending():
                signal.sigtimedwait(self.SIGNALS, 0)
        signal.pthread_sigmask(signal.SIG_SETMASK, self.mask)


def _build(
    project: Project,
    report: BuildReport | None,
    cache: Cache | None,
    publication: _Publication,
    changed: Collection[str] | None,
) -> BuildReport:
    report = report if report is not None else BuildReport()
    check_output(project.out, (project.content, project.templates, project.static))
    cache = cache if cache is not None else Cache(project.cache_folder)
    manifest_key = cache.key("manifest", str(project.out.absolute()))
    manifest = cache.get(manifest_key)
    manifest = manifest if isinstance(manifest, Manifest) else Manifest()
    unchanged = functools.partial(manifest.unchanged, project.out.absolute())
    site, files = prepare(project, report, cache=cache, unchanged=unchanged, settle=True, changed=changed)
    report.site_url = site.config.site_url
    report.languages = site.config.languages
    start = time.perf_counter()
    # One spare tree per output folder: two outputs side by side share a cache folder.
    spare = project.cache_folder / f"previous-{project.out.absolute().name}" if project.cache_folder else None
    post = _search_step(project, report, site, cache)
    report.files, report.written = write_site(
        files, project.static, project.out, post=post, manifest=manifest, spare=spare, swapping=publication.hold
    )
    publication.published = True
    report.begin("write")

    def save() -> None:
        cache.put(manifest_key, manifest)
        cache.save()

    if project.defer_save:
        report.save = save
    else:
        save()
    elapsed = time.perf_counter() - start
    report.timings["write"] = elapsed - report.timings["render"] - report.timings.get("search", 0.0)
    return report


def _search_step(project: Project, report: BuildReport, site: Site, cache: Cache) -> Callable[[Path], None] | None:
    """The search stage, run on the staging folder: bundles of unchanged languages come from the
    current output, so that an edit re-indexes only its own language."""
    if project.defer_search:
        return functools.partial(carry_search, project.out.absolute())
    if not project.search:
        return None
    key = cache.key("search", str(project.out.absolute()))

    def step(staging: Path) -> None:
        report.begin("search")
        start = time.perf_counter()
        known = cache.get(key)
        previous = project.out.absolute() if project.out.is_dir() else None
        digests = index_site(staging, site.config.languages, previous, known if isinstance(known, dict) else {})
        cache.put(key, digests)
        report.timings["search"] = time.perf_counter() - start

    return step


def refresh_search(project: Project, languages: tuple[str, ...], cache: Cache) -> float:
    """Bring the live output's search index up to date with its pages, in place, re-indexing only
    the shards whose pages changed; returns the seconds it took. Holds the output's lock."""
    start = time.perf_counter()
    out = project.out.absolute()
    key = cache.key("search", str(out))
    with output_lock(project.out, wait=True):
        known = cache.get(key)
        digests = index_site(out, languages, out, known if isinstance(known, dict) else {})
        cache.put(key, digests)  # saved with the next build's entries
    return time.perf_counter() - start


def check(project: Project) -> BuildReport:
    """Validate and render everything; write nothing."""
    report = BuildReport()
    try:
        _site, files = prepare(project, report, with_schema=True, settle=True)
        report.files = sum(len(file.files) if isinstance(file, Kept) else 1 for file in files)
    finally:
        gc.unfreeze()
    return report
