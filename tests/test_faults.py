"""Faults from outside the content: two builds at once, signals, full disks, permissions.

Each runs the real command in a subprocess and then requires the previous site to be intact,
byte for byte, and nothing half-written left beside it.
"""

from __future__ import annotations

import fcntl
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from surveysite.lock import lock_path, output_lock
from tests.conftest import ROOT, make_content, tree

PAPER = """---
title: "Synthetic paper {n}"
short_name: Synth-{n}
authors: [Author {n}]
year: 2020
venue: arXiv preprint
techniques: [distillation]
models:
  - name: Synth-{n}
    params: {params}M
    role: proposed
---
Paper {n} studies small models.
"""


def _command(content: Path, out: Path, *extra: str) -> list[str]:
    return [sys.executable, str(ROOT / "build.py"), "--content", str(content), "--out", str(out), "--no-search", *extra]


def _run(content: Path, out: Path, *extra: str, prefix: tuple[str, ...] = ()) -> subprocess.CompletedProcess[str]:
    return subprocess.run([*prefix, *_command(content, out, *extra)], capture_output=True, text=True, check=False)


@pytest.fixture(scope="module")
def sites(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """A small survey and a large one (slow enough to be caught mid-build)."""
    root = tmp_path_factory.mktemp("faults")
    small = make_content(root / "small")
    large = make_content(root / "large")
    for n in range(500):
        (large / "papers" / f"synth-{n}.md").write_text(PAPER.format(n=n, params=10 + n))
    return small, large


def _held(out: Path) -> bool:
    """Whether some process holds the output's lock (the file alone proves nothing)."""
    try:
        fd = os.open(lock_path(out), os.O_RDONLY)
    except FileNotFoundError:
        return False
    try:
        fcntl.flock(fd, fcntl.LOCK_SH | fcntl.LOCK_NB)
    except BlockingIOError:
        return True
    finally:
        os.close(fd)
    return False


def _wait_for_lock(out: Path, process: subprocess.Popen[str]) -> None:
    deadline = time.monotonic() + 30
    while not _held(out):
        assert process.poll() is None, "the build ended before it took the lock"
        assert time.monotonic() < deadline
        time.sleep(0.005)


def test_a_second_build_waits_for_the_first(sites: tuple[Path, Path], tmp_path: Path) -> None:
    small, large = sites
    out = tmp_path / "_site"
    reference = tmp_path / "reference"
    assert _run(small, reference).returncode == 0
    for _round in range(3):
        first = subprocess.Popen(_command(large, out), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        _wait_for_lock(out, first)
        second = _run(small, out)
        assert first.wait() == 0, first.stderr.read() if first.stderr else ""
        assert second.returncode == 0, second.stderr
        holder = f"process {first.pid}"
        assert second.stderr.count("waiting for another build") == 1
        assert f"waiting for another build ({holder}) to finish writing" in second.stderr
        # The second build ran after the first, so its site is the one left, whole.
        assert tree(out) == tree(reference)
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.startswith(".")) == [".surveysite-cache"]


def test_no_wait_fails_at_once(sites: tuple[Path, Path], tmp_path: Path) -> None:
    small, _large = sites
    out = tmp_path / "_site"
    assert _run(small, out).returncode == 0
    before = tree(out)
    holder = subprocess.Popen(
        [sys.executable, "-c", f"from surveysite.lock import output_lock\nwith output_lock({str(out)!r}):\n input()"],
        stdin=subprocess.PIPE,
        text=True,
        cwd=ROOT,
    )
    try:
        _wait_for_lock(out, holder)  # type: ignore[arg-type]
        result = _run(small, out, "--no-wait")
    finally:
        holder.communicate("\n")
    assert result.returncode == 1
    assert result.stderr == (
        f"{out}: error: another build (process {holder.pid}) is writing this folder; try again when it ends\n"
        "1 error in 1 file; nothing written\n"
    )
    assert tree(out) == before


def test_no_stale_lock_after_sigkill(sites: tuple[Path, Path], tmp_path: Path) -> None:
    small, large = sites
    out = tmp_path / "_site"
    assert _run(small, out).returncode == 0
    before = tree(out)
    process = subprocess.Popen(_command(large, out), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, text=True)
    _wait_for_lock(out, process)
    process.kill()
    process.wait()
    assert tree(out) == before
    # The lock file may remain, but the kernel released the lock with its holder.
    result = _run(small, out, "--no-wait")
    assert result.returncode == 0, result.stderr
    assert tree(out) == before


def test_the_dev_server_respects_the_lock(sites: tuple[Path, Path], tmp_path: Path) -> None:
    """`serve` rebuilds through the same lock: a rebuild waits while a build holds it."""
    import threading

    from surveysite.serve import BuildWorker, DevState
    from tests.conftest import project

    small, _large = sites
    out = tmp_path / "_site"
    builder = BuildWorker(project(small, out))
    try:
        state = DevState(builder)
        with output_lock(out):
            worker = threading.Thread(target=state.rebuild)
            worker.start()
            worker.join(1.0)
            assert worker.is_alive(), "the rebuild did not wait for the lock"
            assert not out.exists()
        worker.join(30)
        assert state.builds == 1 and not state.errors
        assert (out / "index.html").is_file()
    finally:
        builder.stop()


@pytest.mark.parametrize(("sig", "status"), [(signal.SIGINT, 130), (signal.SIGTERM, 143)])
def test_interrupted_build_says_one_line(sites: tuple[Path, Path], tmp_path: Path, sig: int, status: int) -> None:
    small, large = sites
    out = tmp_path / "_site"
    assert _run(small, out).returncode == 0
    before = tree(out)
    for delay in (0.2, 0.6, 1.0):
        # In a session of its own, so that SIGINT reaches the workers too, as Ctrl-C on a terminal does.
        process = subprocess.Popen(
            _command(large, out, "--no-cache"),
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            start_new_session=True,
        )
        _wait_for_lock(out, process)
        time.sleep(delay)
        os.killpg(process.pid, sig)
        stdout, stderr = process.communicate()
        if process.returncode == 0:  # finished before the signal: put the old site back and go on
            assert _run(small, out).returncode == 0
            continue
        assert process.returncode == status, (delay, stderr[-2000:])
        assert stderr == "interrupted; the previous site is unchanged\n"
        assert stdout == ""
        assert tree(out) == before
        assert [p.name for p in tmp_path.iterdir() if ".staging-" in p.name] == []


def _mount_tmpfs(folder: Path, size: str) -> None:
    folder.mkdir()
    if os.geteuid() != 0 or shutil.which("mount") is None:
        pytest.skip("a full disk is simulated with a small tmpfs, which needs root and mount(8)")
    result = subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(folder)], check=False)
    if result.returncode != 0:
        pytest.skip("this platform does not allow mounting a tmpfs (no CAP_SYS_ADMIN)")


def test_full_disk(sites: tuple[Path, Path], tmp_path: Path) -> None:
    small, _large = sites
    disk = tmp_path / "disk"
    _mount_tmpfs(disk, "1m")
    try:
        out = disk / "_site"
        assert _run(small, out).returncode == 0
        before = tree(out)
        result = _run(ROOT / "content", out)  # the shipped survey does not fit in 1 MB
        assert result.returncode == 1
        assert result.stderr == (
            f"{out}: error: no space left on the device; the previous site is unchanged\n"
            "1 error in 1 file; nothing written\n"
        )
        assert tree(out) == before
        assert sorted(p.name for p in disk.iterdir()) == [".surveysite-cache", "_site"]
    finally:
        subprocess.run(["umount", str(disk)], check=False)


def _unprivileged() -> tuple[str, ...]:
    """Run as root without the capabilities that override file permissions, so that the modes
    set here apply (an unprivileged user could not run the project's Python, kept under /root)."""
    if shutil.which("setpriv") is None:
        pytest.skip("permission faults are simulated with setpriv(1), which is not installed")
    return ("setpriv", "--bounding-set=-dac_override,-dac_read_search")


def test_read_only_parent_folder(sites: tuple[Path, Path], tmp_path: Path) -> None:
    small, _large = sites
    parent = tmp_path / "parent"
    parent.mkdir()
    assert _run(small, parent / "_site").returncode == 0
    before = tree(parent / "_site")
    parent.chmod(0o555)
    try:
        result = _run(small, parent / "_site", "--no-cache", prefix=_unprivileged())
    finally:
        parent.chmod(0o755)
    assert result.returncode == 1
    assert (
        result.stderr == f"{parent}: error: cannot write here: permission denied\n1 error in 1 file; nothing written\n"
    )
    assert tree(parent / "_site") == before


def test_unwritable_cache_folder(sites: tuple[Path, Path], tmp_path: Path) -> None:
    small, _large = sites
    out = tmp_path / "_site"
    assert _run(small, out).returncode == 0
    assert _run(small, out).returncode == 0  # now with a spare tree in the cache folder
    before = tree(out)
    cache = tmp_path / ".surveysite-cache"
    (small / "papers" / "beta.md").touch()
    cache.chmod(0o555)
    try:
        result = _run(small, out, prefix=_unprivileged())
    finally:
        cache.chmod(0o755)
    assert result.returncode == 1
    assert result.stderr == (
        f"{cache}/previous-_site: error: permission denied; the previous site is unchanged\n"
        "1 error in 1 file; nothing written\n"
    )
    assert tree(out) == before


def test_unreadable_content_file(sites: tuple[Path, Path], tmp_path: Path) -> None:
    content = make_content(tmp_path)
    for name in ("papers/beta.md", "site.yaml"):
        (content / name).chmod(0)
    result = subprocess.run(
        [*_unprivileged(), sys.executable, str(ROOT / "build.py"), "check", "--content", str(content)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 1
    assert result.stderr == (
        f"{content}/papers/beta.md: error: cannot read file: permission denied\n"
        f"{content}/site.yaml: error: cannot read file: permission denied\n"
        "2 errors in 2 files; nothing written\n"
    )


def test_output_path_is_a_file(sites: tuple[Path, Path], tmp_path: Path) -> None:
    small, _large = sites
    (tmp_path / "_site").write_text("mine")
    result = _run(small, tmp_path / "_site")
    assert result.returncode == 1
    assert result.stderr == (
        f"{tmp_path}/_site: error: output path exists and is not a folder\n1 error in 1 file; nothing written\n"
    )
    assert (tmp_path / "_site").read_text() == "mine"


def test_empty_folder_is_no_survey(tmp_path: Path) -> None:
    (tmp_path / "content").mkdir()
    result = subprocess.run(
        [sys.executable, str(ROOT / "build.py"), "check", "--content", "content"],
        capture_output=True,
        text=True,
        check=False,
        cwd=tmp_path,
    )
    assert result.returncode == 1
    assert result.stderr.splitlines()[0] == (
        "content: error: no survey here (no site.yaml/taxonomy.yaml/benchmarks.yaml);"
        " start one with `surveysite init FOLDER`, or point --content at a survey's content folder"
    )
