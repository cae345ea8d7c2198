"""A build does not depend on the working directory, the locale or the time zone."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import BASIC, ROOT, tree


@pytest.mark.parametrize(
    "env",
    [
        {"TZ": "Pacific/Kiritimati", "LC_ALL": "C"},
        {"TZ": "America/Adak", "LANG": "zh_CN.UTF-8", "PYTHONHASHSEED": "12345"},
    ],
    ids=["utc+14-C-locale", "utc-10-zh-locale"],
)
def test_same_bytes_from_another_directory_locale_and_zone(
    basic_site: Path, tmp_path: Path, env: dict[str, str]
) -> None:
    out = tmp_path / "out"
    command = [sys.executable, str(ROOT / "build.py"), "--content", str(BASIC), "--out", str(out)]
    result = subprocess.run(
        command, cwd=tmp_path, env={**os.environ, **env}, capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stderr
    assert tree(out) == tree(basic_site)
