"""Valid HTML: the W3C Nu HTML Checker (npm vnu-jar, run with the machine's Java) finds no error
on any page of the shipped survey or of the fixture site."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest

from tests.conftest import ROOT

VNU = ROOT / "node_modules" / "vnu-jar" / "build" / "dist" / "vnu.jar"


def _require() -> None:
    missing = [
        what for what, ok in (("java", shutil.which("java")), (str(VNU.relative_to(ROOT)), VNU.is_file())) if not ok
    ]
    if missing:
        message = f"the HTML check needs {', '.join(missing)} (bash .ci/run installs them)"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)


@pytest.mark.parametrize("name", ["survey", "fixture"])
def test_every_page_is_valid_html(name: str, survey_site: Path, basic_site: Path) -> None:
    _require()
    site = survey_site if name == "survey" else basic_site
    pages = list(site.rglob("*.html"))
    assert len(pages) >= (150 if name == "survey" else 20)
    run = subprocess.run(
        ["java", "-jar", str(VNU), "--skip-non-html", "--errors-only", "--format", "json", str(site)],
        capture_output=True,
        text=True,
        check=False,
    )
    messages = json.loads(run.stderr or '{"messages": []}')["messages"]
    problems = [
        f"{m.get('url', '?').rsplit(str(site), 1)[-1]}:{m.get('lastLine', 0)}: {m['message']}" for m in messages
    ]
    assert not problems, "\n".join(problems[:40])
