"""SIGKILL at many points of a large build: the output is always a whole site, old or new, never a mix."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from surveysite import write
from surveysite.pipeline import build
from tests.conftest import ROOT, make_content, project, tree

PAPER = """---
title: "Synthetic paper {n}"
short_name: Synth-{n}
authors: [Author {n}]
year: {year}
venue: arXiv preprint
techniques: [distillation, in-context-learning]
models:
  - name: Synth-{n}
    params: {params}M
    role: proposed
---
Paper {n} studies small models.

## Method

```python
def step(x):
    return x + {n}
```
"""


def _build(content: Path, out: Path) -> subprocess.Popen[bytes]:
    # Without the cache, every build does the full work, so the kills land all along it.
    command = [sys.executable, str(ROOT / "build.py"), "--content", str(content), "--out", str(out), "--no-cache"]
    return subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def test_sigkill_never_leaves_a_partial_site(tmp_path: Path) -> None:
    small = make_content(tmp_path / "small")
    large = make_content(tmp_path / "large")
    for n in range(400):
        text = PAPER.format(n=n, year=2000 + n % 25, params=10 + n)
        (large / "papers" / f"synth-{n}.md").write_text(text)
    out = tmp_path / "_site"
    reference = tmp_path / "reference"
    assert _build(large, reference).wait() == 0
    new = tree(reference)
    assert _build(small, out).wait() == 0
    old = tree(out)

    started = time.monotonic()
    assert _build(large, tmp_path / "timing").wait() == 0
    duration = time.monotonic() - started
    outcomes = []
    for step in range(10):
        process = _build(large, out)
        time.sleep(duration * (step + 0.5) / 10)
        os.kill(process.pid, signal.SIGKILL)
        process.wait()
        site = tree(out)
        assert site in (old, new), f"partial site after a kill at step {step}"
        outcomes.append(site == new)
        if site == new:  # the swap happened before the kill: start again from the old site
            assert _build(small, out).wait() == 0
    assert not all(outcomes), "every kill came after the swap: the test did not interrupt a build"
    # The next run removes whatever staging folder a kill left behind.
    assert _build(small, out).wait() == 0
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.startswith(".")) == []
    assert tree(out) == old


def _interrupt_while_swapping(monkeypatch: pytest.MonkeyPatch, *, fail: bool) -> None:
    """Ctrl-C arriving right after the swap (or during a swap that fails)."""
    real_swap = write._swap

    def swap(staging: Path, out: Path) -> Path | None:
        os.kill(os.getpid(), signal.SIGINT)  # held: the handler must not run here
        if fail:
            raise OSError(28, "No space left on device", str(out))
        return real_swap(staging, out)

    monkeypatch.setattr(write, "_swap", swap)


def test_ctrl_c_after_the_new_site_is_in_place_lets_the_build_finish(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Once the new site is swapped in, the build has succeeded: an interruption while it removes
    the old tree or saves the cache must not say "the previous site is unchanged" of it."""
    content = make_content(tmp_path)
    out = tmp_path / "_site"
    build(project(content, out))
    paper = content / "papers" / "alpha.md"
    paper.write_text(paper.read_text(encoding="utf-8") + "\nA late sentence.\n", encoding="utf-8")
    _interrupt_while_swapping(monkeypatch, fail=False)
    report = build(project(content, out))  # no KeyboardInterrupt: the held signal is dropped
    assert report.written >= 1
    assert "A late sentence." in (out / "papers" / "alpha" / "index.html").read_text(encoding="utf-8")
    assert not signal.sigpending() and signal.SIGINT not in signal.pthread_sigmask(signal.SIG_BLOCK, [])


def test_ctrl_c_during_a_swap_that_fails_still_interrupts(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    content = make_content(tmp_path)
    out = tmp_path / "_site"
    build(project(content, out))
    before = tree(out)
    _interrupt_while_swapping(monkeypatch, fail=True)
    with pytest.raises(KeyboardInterrupt):
        build(project(content, out))
    assert tree(out) == before
