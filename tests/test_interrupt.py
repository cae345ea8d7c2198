"""SIGKILL at many points of a large build: the output is always a whole site, old or new, never a mix."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from tests.conftest import ROOT, make_content, tree

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
