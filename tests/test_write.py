"""The output folder is swapped in whole: a failed build never damages the previous site."""

from __future__ import annotations

from pathlib import Path

import pytest

from surveysite.output import OutputFile
from surveysite.write import MARKER, write_site


def _files(text: str) -> list[OutputFile]:
    return [OutputFile("index.html", text.encode()), OutputFile("papers/a/index.html", b"a")]


def test_replaces_previous_site(tmp_path: Path) -> None:
    out = tmp_path / "_site"
    write_site(_files("one"), None, out)
    (out / "stale.html").write_text("from an old build")
    write_site(_files("two"), None, out)
    assert (out / "index.html").read_text() == "two"
    assert not (out / "stale.html").exists()
    assert (out / MARKER).exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["_site"]


def test_failure_during_write_keeps_previous_site(tmp_path: Path) -> None:
    out = tmp_path / "_site"
    write_site(_files("good"), None, out)

    def explode(_staging: Path) -> None:
        raise RuntimeError("search indexer crashed")

    with pytest.raises(RuntimeError):
        write_site(_files("bad"), None, out, post=explode)
    assert (out / "index.html").read_text() == "good"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["_site"]


def test_stray_staging_folders_are_removed(tmp_path: Path) -> None:
    out = tmp_path / "_site"
    stray = tmp_path / "._site.staging-99999"
    stray.mkdir()
    (stray / "half.html").write_text("killed mid-build")
    write_site(_files("x"), None, out)
    assert not stray.exists()


def test_static_files_become_assets(tmp_path: Path) -> None:
    static = tmp_path / "static"
    static.mkdir()
    (static / "site.css").write_text("body{}")
    out = tmp_path / "_site"
    write_site(_files("x"), static, out)
    assert (out / "assets" / "site.css").read_text() == "body{}"


def test_two_step_swap_puts_the_previous_site_back_when_it_fails(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Where the system cannot exchange two folders, the swap renames twice; if the second rename
    fails, the previous site must be back in place before the error is reported."""
    from surveysite import write
    from surveysite.errors import BuildError

    out = tmp_path / "_site"
    write_site(_files("good"), None, out)
    monkeypatch.setattr(write, "_exchange", lambda _a, _b: False)
    real_rename = Path.rename

    def rename(self: Path, target: Path) -> Path:
        if ".staging-" in self.name:
            raise PermissionError(13, "Permission denied", str(self))
        return real_rename(self, target)

    monkeypatch.setattr(Path, "rename", rename)
    with pytest.raises(BuildError):
        write_site(_files("bad"), None, out)
    assert (out / "index.html").read_text() == "good"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["_site"]
