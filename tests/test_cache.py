"""The build cache and the parallel path: faster, never different."""

from __future__ import annotations

import os
import sqlite3
from dataclasses import replace
from pathlib import Path

import pytest

from surveysite import cache, load, markdown, parallel
from surveysite.cache import FOLDER
from surveysite.errors import BuildError
from surveysite.pipeline import build
from tests.conftest import make_content, project, spy, tree


def test_a_warm_build_reuses_the_cache_and_writes_the_same_bytes(tmp_path: Path) -> None:
    content = make_content(tmp_path)
    out = tmp_path / "_site"
    build(project(content, out))
    cold = tree(out)
    cache_files = list((tmp_path / FOLDER).glob("cache-*.sqlite"))
    assert len(cache_files) == 1
    with sqlite3.connect(cache_files[0]) as db:
        assert db.execute("SELECT count(*) FROM entries").fetchone()[0] >= 4  # parsed papers, summaries
    build(project(content, out))
    assert tree(out) == cold
    # An edit misses the cache for that file only, and shows in the output.
    paper = content / "papers" / "alpha.md"
    paper.write_text(paper.read_text(encoding="utf-8").replace("\n\n", "\n\nA new sentence.\n\n", 1), encoding="utf-8")
    build(project(content, out))
    changed = {path for path, data in tree(out).items() if cold.get(path) != data}
    assert "papers/alpha/index.html" in changed
    assert "papers/beta/index.html" not in changed


def test_a_damaged_cache_is_ignored(tmp_path: Path) -> None:
    content = make_content(tmp_path)
    out = tmp_path / "_site"
    build(project(content, out))
    reference = tree(out)
    for file in (tmp_path / FOLDER).iterdir():
        file.write_bytes(b"not a pickle")
    build(project(content, out))
    assert tree(out) == reference


def test_the_parallel_path_builds_the_same_site(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    if parallel.jobs() < 2:
        pytest.skip("one CPU: the parallel path is never taken")
    content = make_content(tmp_path)
    serial, forked = tmp_path / "serial", tmp_path / "forked"
    build(project(content, serial))
    monkeypatch.setattr(parallel, "MINIMUM", 1)
    calls: list[int] = []
    real_fork = os.fork

    def counting_fork() -> int:
        calls.append(1)
        return real_fork()

    monkeypatch.setattr(os, "fork", counting_fork)
    build(project(content, forked))
    assert len(calls) >= 2, "no workers were forked"
    assert tree(forked) == tree(serial)


def test_unchanged_files_are_linked_not_rewritten(tmp_path: Path) -> None:
    content = make_content(tmp_path)
    out = tmp_path / "_site"
    first = build(project(content, out))
    assert first.written == first.files and first.unchanged == 0
    inode = (out / "papers" / "beta" / "index.html").stat().st_ino
    paper = content / "papers" / "alpha.md"
    paper.write_text(paper.read_text(encoding="utf-8") + "\nOne more line.\n", encoding="utf-8")
    second = build(project(content, out))
    assert 0 < second.written < 10 and second.unchanged == second.files - second.written
    # The same file, linked into the new build: nothing rewrote it.
    assert (out / "papers" / "beta" / "index.html").stat().st_ino == inode
    # A file changed by hand since the last build is written afresh, not trusted.
    (out / "papers" / "beta" / "index.html").write_text("edited by hand")
    third = build(project(content, out))
    assert (out / "papers" / "beta" / "index.html").read_text() != "edited by hand"
    assert third.written >= 1


def test_an_error_in_an_unchanged_cached_file_has_its_position(tmp_path: Path) -> None:
    """Cached documents carry their position tables lazily: an error that a change elsewhere
    causes in an unchanged file (a technique removed from the taxonomy) is still placed exactly."""
    content = make_content(tmp_path)
    build(project(content, tmp_path / "_site"))
    taxonomy = content / "taxonomy.yaml"
    taxonomy.write_text(taxonomy.read_text(encoding="utf-8").replace("id: distillation", "id: distilling"))
    with pytest.raises(BuildError) as warm:
        build(project(content, tmp_path / "_site"))
    with pytest.raises(BuildError) as cold:
        build(replace(project(content, tmp_path / "cold"), cache=False))
    assert warm.value.report() == cold.value.report()
    assert "papers/alpha.md:" in warm.value.report() and "unknown technique 'distillation'" in warm.value.report()


def _reads(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The content files read from now on (by name)."""
    read: list[str] = []
    real = Path.read_bytes

    def counting(path: Path) -> bytes:
        read.append(path.name)
        return real(path)

    monkeypatch.setattr(Path, "read_bytes", counting)
    return read


def test_a_file_whose_stamp_is_unchanged_is_not_read(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """(size, mtime, ctime, inode, device) as the previous build saw them: the file is taken from
    the cache unread; an edit, or a file replaced by another of the same size, is read."""
    monkeypatch.setattr(load._Stamps, "RACY_NS", 0)
    content = make_content(tmp_path)
    out = tmp_path / "_site"
    build(project(content, out))
    reference = tree(out)
    read = _reads(monkeypatch)
    build(project(content, out))
    assert not [name for name in read if name.endswith(".md")]
    assert tree(out) == reference
    paper = content / "papers" / "alpha.md"
    text = paper.read_text(encoding="utf-8")
    read.clear()
    paper.write_text(text.replace("\n\n", "\n\nA new sentence.\n\n", 1), encoding="utf-8")
    build(project(content, out))
    assert [name for name in read if name.endswith(".md")] == ["alpha.md"]
    # Same size and mtime, other bytes, written through a new inode (as editors save).
    stat = paper.stat()
    swapped = paper.read_text(encoding="utf-8").replace("A new sentence.", "A newer one ...")
    assert len(swapped.encode()) == stat.st_size
    (content / "papers" / "swap.tmp").write_text(swapped, encoding="utf-8")
    os.utime(content / "papers" / "swap.tmp", ns=(stat.st_atime_ns, stat.st_mtime_ns))
    os.replace(content / "papers" / "swap.tmp", paper)
    build(project(content, out))
    assert "A newer one ..." in (out / "papers" / "alpha" / "index.html").read_text(encoding="utf-8")


def test_a_file_changed_just_before_a_build_is_read_again(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """An edit in the same clock tick as the build's stat would keep the stamp: a file changed
    within RACY_NS of a build is not trusted by the next one."""
    monkeypatch.setattr(load._Stamps, "RACY_NS", 3600 * 10**9)  # "a moment ago", however slow the machine
    content = make_content(tmp_path)
    out = tmp_path / "_site"
    build(project(content, out))  # every file was written a moment ago: none is trusted
    read = _reads(monkeypatch)
    build(project(content, out))
    assert "alpha.md" in read


def test_the_cache_is_collected_when_it_holds_twice_what_a_build_uses(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Each edit leaves entries no build will ask for again; they go once they outnumber the live
    ones, and a warm build after the collection still reuses everything it needs."""
    monkeypatch.setattr(cache, "SLACK", 0)
    content = make_content(tmp_path)
    out = tmp_path / "_site"
    build(project(content, out))
    paper = content / "papers" / "alpha.md"
    counts = []
    for n in range(8):
        paper.write_text(paper.read_text(encoding="utf-8") + f"\nEdit {n}.\n", encoding="utf-8")
        build(project(content, out))
        (path,) = (tmp_path / FOLDER).glob("cache-*.sqlite")
        with sqlite3.connect(path) as db:
            counts.append(db.execute("SELECT count(*) FROM entries").fetchone()[0])
    assert max(counts) < 2 * counts[0] + 20, counts  # bounded, not one more set per edit
    assert min(counts[3:]) < max(counts), counts  # and collected at least once
    reference = tree(out)
    again = build(project(content, out))
    assert again.rendered == 0 and tree(out) == reference


def test_entries_are_written_as_they_are_made(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Past FLUSH_BYTES the pickled entries go to the file during the build, not all at its end
    (a cold 10,000-paper build would hold them all), and the next build finds every one."""
    monkeypatch.setattr(cache, "FLUSH_BYTES", 0)
    held: list[int] = []
    real_put = cache.Cache.put

    def put(self: cache.Cache, key: str, value: object) -> None:
        real_put(self, key, value)
        held.append(len(self.made))

    monkeypatch.setattr(cache.Cache, "put", put)
    content = make_content(tmp_path)
    out = tmp_path / "_site"
    build(project(content, out))
    assert held and max(held) == 0
    reference = tree(out)
    (tmp_path / "_site").rename(tmp_path / "elsewhere")  # no manifest to lean on: only the entries
    monkeypatch.setattr(cache.Cache, "put", real_put)
    made: list[str] = []
    monkeypatch.setattr(cache.Cache, "put", lambda self, key, value: made.append(key))
    build(project(content, out))
    assert tree(out) == reference
    # Only the per-build records (the manifest, the files' stamps, the exports' list) are new.
    assert len(made) <= 4 < len(held), (made, len(held))


def test_a_load_told_what_changed_reads_only_that_and_falls_back_to_a_full_load(tmp_path: Path) -> None:
    """The dev server names the files its watcher saw change: only those are looked at, the others
    come back as the very documents of the previous load. A change that only a full load can
    handle (the survey's own files, a sub-folder, a file that is not Markdown) gets one, with its
    errors, and so does a load after one that found errors."""
    content = make_content(tmp_path)
    resident = cache.Cache(tmp_path / FOLDER, resident=True)

    def loaded(changed: list[Path] | None) -> load.RawContent:
        raw = load.load_content(content, resident, None if changed is None else [str(p) for p in changed])
        resident.save()
        return raw

    first = loaded(None)
    by_name = {f.doc.path.rpartition("/")[2]: f.doc for f in first.papers}
    alpha = content / "papers" / "alpha.md"
    alpha.write_text(alpha.read_text(encoding="utf-8") + "\nAn edit.\n", encoding="utf-8")
    (content / "papers" / "gamma.md").write_text((content / "papers" / "beta.md").read_text(encoding="utf-8"))
    second = loaded([alpha, content / "papers" / "gamma.md", tmp_path / "templates" / "paper.html"])
    docs = {f.doc.path.rpartition("/")[2]: f.doc for f in second.papers}
    assert list(docs) == sorted(docs) and "gamma.md" in docs
    assert "An edit." in docs["alpha.md"].body
    assert all(docs[name] is doc for name, doc in by_name.items() if name != "alpha.md")
    # A deleted file is gone; an untold edit is not seen (the watcher would have named it).
    (content / "papers" / "gamma.md").unlink()
    beta = content / "papers" / "beta.md"
    beta.write_text(beta.read_text(encoding="utf-8") + "\nUntold.\n", encoding="utf-8")
    third = loaded([content / "papers" / "gamma.md"])
    assert [f.doc.path for f in third.papers] == [f.doc.path for f in first.papers]
    assert "Untold." not in next(f.doc.body for f in third.papers if f.doc.path.endswith("/beta.md"))
    # A sub-folder: a full load, which sees the untold edit too and reports the folder.
    (content / "papers" / "sub").mkdir()
    fourth = loaded([content / "papers" / "sub"])
    assert "Untold." in next(f.doc.body for f in fourth.papers if f.doc.path.endswith("/beta.md"))
    assert [e.message for e in fourth.errors if "sub-folders" in e.message]
    # After a load with errors, every file is looked at again.
    (content / "papers" / "sub").rmdir()
    beta.write_text(beta.read_text(encoding="utf-8") + "\nToo.\n", encoding="utf-8")
    fifth = loaded([])
    assert not fifth.errors
    assert "Too." in next(f.doc.body for f in fifth.papers if f.doc.path.endswith("/beta.md"))
    # The survey's own files are read by a full load.
    site = content / "site.yaml"
    site.write_text(site.read_text(encoding="utf-8") + "\n", encoding="utf-8")
    beta.write_text(beta.read_text(encoding="utf-8") + "\nThree.\n", encoding="utf-8")
    sixth = loaded([site])
    assert "Three." in next(f.doc.body for f in sixth.papers if f.doc.path.endswith("/beta.md"))


def test_a_prose_edit_does_not_highlight_unchanged_code_again(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The fences a cold build's workers highlighted are cached with the bodies: editing the prose
    around one highlights nothing again (Pygments would make its lexer for it), and the page is
    the one a build from scratch makes."""
    content = make_content(tmp_path)
    paper = content / "papers" / "alpha.md"
    paper.write_text(paper.read_text(encoding="utf-8") + "\n```python\nprint('kept')\n```\n", encoding="utf-8")
    out = tmp_path / "_site"
    monkeypatch.setattr(parallel, "MINIMUM", 1)  # rendered in forked workers
    build(project(content, out))
    monkeypatch.setattr(parallel, "MINIMUM", 200)
    highlighted = spy(monkeypatch, markdown, "_highlight")
    paper.write_text(paper.read_text(encoding="utf-8").replace("\n\n", "\n\nNew prose.\n\n", 1), encoding="utf-8")
    build(project(content, out))
    assert highlighted == []
    page = (out / "papers" / "alpha" / "index.html").read_text(encoding="utf-8")
    assert "New prose." in page and '<span class="nb">print</span>' in page


def test_entries_announced_are_read_in_batches_and_each_as_often_as_asked(tmp_path: Path) -> None:
    store = cache.Cache(tmp_path / FOLDER)
    for n in range(1200):
        store.put(f"k{n}", n)
    store.save()
    reader = cache.Cache(tmp_path / FOLDER)
    reader.expect([f"k{n}" for n in range(1200)] + ["missing"])
    queries: list[str] = []
    db = reader._connect()
    assert db is not None
    db.set_trace_callback(queries.append)
    assert [reader.get(f"k{n}") for n in range(1200)] == list(range(1200))
    assert reader.get("missing") is None
    assert reader.get("k7") == 7 and reader.get("k7") == 7  # asked twice: read twice
    assert 3 <= len([q for q in queries if q.startswith("SELECT")]) <= 6
