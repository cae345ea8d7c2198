"""End-to-end: the basic fixture site builds to exactly the files in tests/golden/basic/.

Set UPDATE_GOLDEN=1 to rewrite the golden tree after a deliberate change, then review `git diff`.
"""

from __future__ import annotations

import difflib
import os
import shutil
from pathlib import Path

from surveysite.pipeline import build
from tests.conftest import BASIC, STATIC, project

GOLDEN = Path(__file__).resolve().parent / "golden" / "basic"


def _tree(root: Path, search_index: bool = True) -> dict[str, bytes]:
    """Every built file except verbatim copies of static/ (compared with their source instead).

    The golden copy leaves out Pagefind's binary index; the byte-identical test keeps it.
    """
    tree = {p.relative_to(root).as_posix(): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}
    if not search_index:
        tree = {path: data for path, data in tree.items() if not path.startswith("pagefind/")}
    for path in list(tree):
        source = STATIC / path.removeprefix("assets/")
        if path.startswith("assets/") and source.is_file():
            assert tree.pop(path) == source.read_bytes(), path
    return tree


def test_basic_site_matches_golden(basic_site: Path) -> None:
    if os.environ.get("UPDATE_GOLDEN"):
        shutil.rmtree(GOLDEN, ignore_errors=True)
        for path, data in _tree(basic_site, search_index=False).items():
            (GOLDEN / path).parent.mkdir(parents=True, exist_ok=True)
            (GOLDEN / path).write_bytes(data)
    built, golden = _tree(basic_site, search_index=False), _tree(GOLDEN)
    assert sorted(built) == sorted(golden)
    for path, data in built.items():
        if data != golden[path]:
            diff = difflib.unified_diff(
                golden[path].decode().splitlines(),
                data.decode().splitlines(),
                f"golden/{path}",
                f"built/{path}",
                lineterm="",
            )
            raise AssertionError("\n".join(diff))


def test_builds_are_byte_identical(tmp_path: Path, basic_site: Path) -> None:
    again = tmp_path / "again"
    build(project(BASIC, again))
    assert _tree(again) == _tree(basic_site)
