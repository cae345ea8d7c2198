"""Incremental builds: after any edit, a rebuild gives exactly the bytes of a build from scratch,
and renders only the pages that depend on what changed."""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

import pytest

from surveysite import load, parallel, render, validate
from surveysite.cache import Cache
from surveysite.errors import BuildError
from surveysite.pipeline import Project, build
from surveysite.write import TOKEN
from tests.conftest import ROOT, STATIC, TEMPLATES, spy, tree


def _replace(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, f"{old!r} not in {path}"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def _body_edit(src: Path) -> None:
    _replace(src / "content/papers/tinyllama.md", "\n## ", "\nAn added sentence.\n\n## ")


def _score_edit(src: Path) -> None:
    _replace(src / "content/papers/tinyllama.md", "score: 53.65", "score: 43.65")


def _short_name_edit(src: Path) -> None:
    _replace(src / "content/papers/tinyllama.md", "short_name: TinyLlama", "short_name: TinyLlama-X")


def _translation_edit(src: Path) -> None:
    _replace(src / "content/papers/tinyllama.zh.md", "\n## ", "\n新增一句。\n\n## ")


def _new_paper(src: Path) -> None:
    text = (src / "content/papers/tinyllama.md").read_text(encoding="utf-8")
    (src / "content/papers/tinyllama-copy.md").write_text(text.replace("TinyLlama", "TinyCopy"), encoding="utf-8")


def _deleted_paper(src: Path) -> None:
    (src / "content/papers/orca-2.md").unlink()
    (src / "content/papers/orca-2.zh.md").unlink()


def _technique_edit(src: Path) -> None:
    _replace(src / "content/taxonomy.yaml", "name: {en: Training", "name: {en: Renamed training")


def _site_edit(src: Path) -> None:
    _replace(src / "content/site.yaml", "en: Small", "en: Renamed small")


def _template_edit(src: Path) -> None:
    _replace(src / "templates/paper.html", "{% block main %}", "{% block main %}<!-- edited -->")


def _base_template_edit(src: Path) -> None:
    _replace(src / "templates/base.html", "</footer>", "<!-- edited --></footer>")


def _page_edit(src: Path) -> None:
    about = next((src / "content/pages").glob("*.md"))
    _replace(about, "\n---\n", "\n---\n\nAn added sentence.\n")


def _strings_edit(src: Path) -> None:
    (src / "content/i18n").mkdir(exist_ok=True)
    (src / "content/i18n/en.yaml").write_text('nav_timeline: "History"\n', encoding="utf-8")


EDITS: dict[str, Callable[[Path], None]] = {
    "body": _body_edit,
    "score": _score_edit,
    "short name": _short_name_edit,
    "translation": _translation_edit,
    "new paper": _new_paper,
    "deleted paper": _deleted_paper,
    "technique": _technique_edit,
    "site": _site_edit,
    "template": _template_edit,
    "base template": _base_template_edit,
    "free page": _page_edit,
    "strings": _strings_edit,
}


def _project(src: Path, out: Path, *, cache: bool = True) -> Project:
    return Project(src / "content", src / "templates", STATIC, out, search=False, cache=cache)


@pytest.fixture
def src(tmp_path: Path) -> Path:
    """A copy of the shipped survey and its templates, to edit."""
    shutil.copytree(ROOT / "content", tmp_path / "src/content")
    shutil.copytree(TEMPLATES, tmp_path / "src/templates")
    return tmp_path / "src"


@pytest.mark.parametrize("edit", EDITS, ids=list(EDITS))
def test_a_rebuild_after_an_edit_equals_a_build_from_scratch(src: Path, tmp_path: Path, edit: str) -> None:
    out = tmp_path / "warm/_site"
    build(_project(src, out))
    EDITS[edit](src)
    report = build(_project(src, out))
    scratch = tmp_path / "cold/_site"
    build(_project(src, scratch, cache=False))
    assert tree(out) == tree(scratch)
    assert report.rendered + report.kept == sum(1 for _ in scratch.rglob("*.html"))
    if edit in ("base template", "site", "strings"):
        assert report.kept < report.rendered
    elif edit == "template":  # paper.html: the paper pages alone use it
        assert report.rendered == sum(1 for _ in scratch.glob("**/papers/*/index.html"))
    else:
        assert report.kept > report.rendered


def test_a_body_edit_renders_only_that_page(src: Path, tmp_path: Path) -> None:
    out = tmp_path / "_site"
    first = build(_project(src, out))
    assert first.kept == 0 and first.rendered > 70
    unchanged = build(_project(src, out))
    assert (unchanged.rendered, unchanged.written) == (0, 0)
    _body_edit(src)
    report = build(_project(src, out))
    # The English page alone: the Chinese one has its own summary, and listing pages (index,
    # taxonomy, chart) see papers without their summaries.
    assert (report.rendered, report.written) == (1, 1)


def test_a_page_changed_by_hand_is_rendered_again(src: Path, tmp_path: Path) -> None:
    out = tmp_path / "_site"
    build(_project(src, out))
    page = out / "papers/orca-2/index.html"
    original = page.read_bytes()
    page.write_bytes(original.replace(b"<main", b"<main data-edited"))
    report = build(_project(src, out))
    assert report.rendered == 1 and page.read_bytes() == original
    # Replaced by another file of the same size and time, it is still noticed (by its inode).
    stat = page.stat()
    replacement = tmp_path / "replacement"
    replacement.write_bytes(original.replace(b"<main", b"<mai!"))
    os.utime(replacement, ns=(stat.st_atime_ns, stat.st_mtime_ns))
    replacement.replace(page)
    report = build(_project(src, out))
    assert report.rendered == 1 and page.read_bytes() == original


def test_the_parallel_path_renders_only_what_changed(
    src: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(parallel, "MINIMUM", 1)
    out = tmp_path / "_site"
    build(_project(src, out))
    _short_name_edit(src)
    report = build(_project(src, out))
    scratch = tmp_path / "cold/_site"
    build(_project(src, scratch, cache=False))
    assert tree(out) == tree(scratch)
    assert 0 < report.rendered < report.kept


def test_a_failed_rebuild_keeps_the_previous_site_and_its_manifest(src: Path, tmp_path: Path) -> None:
    out = tmp_path / "_site"
    build(_project(src, out))
    before = tree(out)
    _replace(src / "templates/paper.html", "{% block main %}", "{% block main %}{{ no_such_variable }}")
    with pytest.raises(BuildError):
        build(_project(src, out))
    assert tree(out) == before
    _replace(src / "templates/paper.html", "{{ no_such_variable }}", "")
    report = build(_project(src, out))
    assert (report.rendered, report.written) == (0, 0)


def test_edit_after_edit_the_spare_tree_is_reused_and_the_live_site_never_touched(src: Path, tmp_path: Path) -> None:
    """Each build stages in the output before last (kept in the cache folder): it must never
    change a file of the live site through a shared hard link, and must leave no stale files or
    empty folders behind."""
    out = tmp_path / "_site"
    spare = tmp_path / ".surveysite-cache/previous-_site"
    build(_project(src, out))
    for step, edit in enumerate(EDITS.values()):
        live = tree(out)
        edit(src)
        build(_project(src, out))
        if step > 0:
            assert spare.is_dir()
            assert {p: d for p, d in tree(spare).items() if p != TOKEN} == live
        scratch = tmp_path / f"cold-{step}/_site"
        build(_project(src, scratch, cache=False))
        assert tree(out) == tree(scratch), list(EDITS)[step]
        assert not [d for d in out.rglob("*") if d.is_dir() and not any(d.iterdir())]


def test_a_spare_tree_changed_since_is_not_trusted(src: Path, tmp_path: Path) -> None:
    out = tmp_path / "_site"
    spare = tmp_path / ".surveysite-cache/previous-_site"
    for _ in range(3):
        build(_project(src, out))
    reference = tree(out)
    # Changed by hand (the manifest's size, time and inode no longer match): rewritten.
    (spare / "index.html").write_text("edited in the spare tree")
    _body_edit(src)
    build(_project(src, out))
    _replace(src / "content/papers/tinyllama.md", "\nAn added sentence.\n\n## ", "\n## ")
    build(_project(src, out))
    assert tree(out) == reference
    # A build killed while it changed the spare tree leaves no token: the tree is rebuilt.
    (spare / TOKEN).unlink()
    (spare / "stray.html").write_text("left by a killed build")
    build(_project(src, out))
    assert tree(out) == reference


def _files(src: Path) -> dict[str, bytes]:
    return {str(p): p.read_bytes() for p in sorted(src.rglob("*")) if p.is_file()}


class _CountedStats:
    """The os module as load.py sees it, counting the files it stats."""

    def __init__(self) -> None:
        self.paths: list[str] = []

    def stat(self, path: str) -> os.stat_result:
        self.paths.append(str(path))
        return os.stat(path)

    def __getattr__(self, name: str) -> object:
        return getattr(os, name)


@pytest.mark.parametrize("watched", [False, True], ids=["stat every file", "told what changed"])
def test_the_dev_servers_resident_rebuilds_equal_builds_from_scratch(
    src: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, watched: bool
) -> None:
    """The dev server's worker passes one resident cache to every build, and with it the previous
    build's plan, files and papers, and the files its watcher saw change: after each kind of edit
    in turn, the site is still exactly a build from scratch, a summary edit is planned without
    planning the site again, and a build told what changed stats only that file."""
    out = tmp_path / "_site"
    project = _project(src, out)
    cache = Cache(project.cache_folder, resident=True)
    build(project, cache=cache)
    planned_afresh = spy(monkeypatch, render, "plan_site")
    stats = _CountedStats()
    monkeypatch.setattr(load, "os", stats)
    for step, (name, edit) in enumerate([("body", _body_edit), *EDITS.items(), ("body again", _body_edit)]):
        planned_afresh.clear()
        before = _files(src)
        edit(src)
        after = _files(src)
        changed = sorted(p for p in before.keys() | after.keys() if before.get(p) != after.get(p))
        stats.paths.clear()
        report = build(project, cache=cache, changed=changed if watched else None)
        if name.startswith("body") or name == "translation":
            assert (report.rendered, planned_afresh) == (1, []), name
            assert len(stats.paths) == (1 if watched else len(list(src.glob("content/*/*.md")))), name
        elif name in ("score", "short name", "site", "template"):
            assert planned_afresh, name
        scratch = tmp_path / f"cold-{step}/_site"
        build(_project(src, scratch, cache=False))
        assert tree(out) == tree(scratch), name


def test_a_summary_edit_keys_only_that_papers_pages(src: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """From the command line too: the previous build's keys stand for every page that does not
    show the edited summary (the build's record of what its keys were made from), and the site
    is still exactly a build from scratch."""
    out = tmp_path / "_site"
    build(_project(src, out))
    keyed = spy(monkeypatch, render, "_page_key")
    _body_edit(src)
    report = build(_project(src, out))
    assert sorted(page.path for page, *_ in keyed) == ["papers/tinyllama/", "papers/tinyllama/"]  # each language
    assert (report.rendered, report.written) == (1, 1)
    scratch = tmp_path / "cold/_site"
    build(_project(src, scratch, cache=False))
    assert tree(out) == tree(scratch)
    keyed.clear()
    _score_edit(src)  # front matter: every page keyed again
    build(_project(src, out))
    assert len(keyed) > 100


def test_the_dev_server_validates_a_body_edit_by_difference(
    src: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A body edit is validated against the previous build's site (its papers are not checked
    again), but a link that reaches nothing is still an error, and an edit that adds a heading
    (an anchor another body may link to) is validated in full: each result equals a build from
    scratch."""
    out = tmp_path / "_site"
    project = _project(src, out)
    cache = Cache(project.cache_folder, resident=True)
    build(project, cache=cache)
    checked = spy(monkeypatch, validate, "_papers")
    paper = src / "content/papers/tinyllama.md"
    _body_edit(src)
    build(project, cache=cache, changed=[str(paper)])
    assert checked == []
    _replace(paper, "An added sentence.", "An added [link](../no-such-paper/).")
    with pytest.raises(BuildError) as failed:
        build(project, cache=cache, changed=[str(paper)])
    assert "link '../no-such-paper/' points to no page of the site" in failed.value.report()
    assert "tinyllama.md" in failed.value.report()
    _replace(paper, "An added [link](../no-such-paper/).", "An added sentence.\n\n## A new heading\n")
    checked.clear()
    build(project, cache=cache, changed=[str(paper)])
    assert checked  # a heading more: validated in full
    scratch = tmp_path / "cold/_site"
    build(_project(src, scratch, cache=False))
    assert tree(out) == tree(scratch)


def test_a_deferred_save_writes_the_cache_only_when_asked(src: Path, tmp_path: Path) -> None:
    """The dev server shows the new site first and writes the cache after: until then a build from
    the command line finds the earlier manifest, renders again what it cannot trust, and still
    builds exactly the same site; once saved, nothing is rendered again."""
    out = tmp_path / "_site"
    build(_project(src, out))
    _body_edit(src)
    deferred = replace(_project(src, out), defer_save=True)
    build(deferred, cache=Cache(deferred.cache_folder, resident=True))
    reference = tree(out)
    again = build(_project(src, out))  # the manifest on disk is the first build's
    assert again.rendered >= 1 and tree(out) == reference
    _replace(src / "content/papers/tinyllama.md", "An added sentence.", "Another sentence.")
    report = build(deferred, cache=Cache(deferred.cache_folder, resident=True))
    report.save()
    assert build(_project(src, out)).rendered == 0
