"""Every user-facing error message has a tiny broken site that shows it (tests/sites_invalid/<case>/).

A case holds only the files that differ from the basic fixture site (a file whose text is
__DELETE__ removes one), and expected.txt, the exact error output. Set UPDATE_EXPECTED=1 to
rewrite expected.txt after a deliberate change of wording, then review the diff.

Conditions git cannot store (a 50 MB file, symbolic links, a FIFO) are made in tmp_path by
PROGRAMMATIC below, with their exact messages inline.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest

from surveysite.cli import main
from tests.conftest import BASIC, DELETE, TEMPLATES

CASES = Path(__file__).resolve().parent / "sites_invalid"


def _assemble(case: Path, tmp_path: Path) -> tuple[Path, Path]:
    content = tmp_path / "content"
    shutil.copytree(BASIC, content)
    templates = tmp_path / "templates"
    shutil.copytree(TEMPLATES, templates)
    for layer, target in ((case / "content", content), (case / "templates", templates)):
        if not layer.is_dir():
            continue
        for source in sorted(layer.rglob("*")):
            if source.is_file():
                dest = target / source.relative_to(layer)
                if source.read_bytes() == DELETE.encode():
                    dest.unlink()
                else:
                    dest.parent.mkdir(parents=True, exist_ok=True)
                    shutil.copyfile(source, dest)
    return content, templates


def _build_fails(tmp_path: Path, capsys: pytest.CaptureFixture[str], content: str = "content") -> str:
    """Build over a previous good site; return stderr after checking that nothing was lost."""
    previous = tmp_path / "_site"
    previous.mkdir()
    (previous / ".surveysite").write_text("")
    (previous / "index.html").write_text("the previous good site")
    before = sorted(p.name for p in tmp_path.iterdir())

    status = main(["build", "--content", content, "--templates", "templates", "--out", "_site"])
    err = capsys.readouterr().err

    assert status == 1
    assert err.rstrip().endswith("nothing written")
    # Nothing lost: the previous site is untouched and no staging folder is left behind.
    assert sorted(p.name for p in previous.iterdir()) == [".surveysite", "index.html"]
    assert (previous / "index.html").read_text() == "the previous good site"
    assert sorted(p.name for p in tmp_path.iterdir()) == before
    return err


@pytest.mark.parametrize("case", sorted(p.name for p in CASES.iterdir() if p.is_dir()))
def test_invalid_site(
    case: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    _assemble(CASES / case, tmp_path)
    monkeypatch.chdir(tmp_path)
    err = _build_fails(tmp_path, capsys)

    expected_file = CASES / case / "expected.txt"
    if os.environ.get("UPDATE_EXPECTED"):
        expected_file.write_text(err, encoding="utf-8")
    assert err == expected_file.read_text(encoding="utf-8")


def _huge_file(content: Path) -> None:
    # Sparse: 50 MB on paper, nothing on disk, and no time spent writing it.
    with (content / "papers" / "gamma.md").open("wb") as f:
        f.truncate(50 * 2**20)


def _symlink_to_file_outside(content: Path) -> None:
    outside = content.parent / "secret.md"
    outside.write_text((content / "papers" / "beta.md").read_text().replace("Beta", "Gamma"))
    (content / "papers" / "gamma.md").symlink_to(outside)


def _symlink_to_folder_outside(content: Path) -> None:
    outside = content.parent / "elsewhere"
    shutil.move(content / "pages", outside)
    (content / "pages").symlink_to(outside, target_is_directory=True)


def _dangling_symlink(content: Path) -> None:
    (content / "papers" / "gamma.md").symlink_to(content / "papers" / "nothing.md")


def _symlink_loop(content: Path) -> None:
    (content / "papers" / "gamma.md").symlink_to("gamma.md")


def _fifo(content: Path) -> None:
    os.mkfifo(content / "papers" / "gamma.md")  # reading it would block the build forever


def _folder_named_like_a_paper(content: Path) -> None:
    (content / "papers" / "gamma.md").mkdir()
    shutil.copyfile(content / "papers" / "beta.md", content / "papers" / "gamma.md" / "index.md")


def _symlinked_site_yaml(content: Path) -> None:
    outside = content.parent / "site.yaml"
    shutil.move(content / "site.yaml", outside)
    (content / "site.yaml").symlink_to(outside)


SEE = "content/papers/gamma.md: error: "
PROGRAMMATIC: dict[str, tuple[Callable[[Path], None], str]] = {
    "file-50mb": (
        _huge_file,
        f"{SEE}file is 52,428,800 bytes, over the limit of 2,000,000 for a content file;"
        " keep summaries short and link to large material instead",
    ),
    "symlink-to-file-outside": (
        _symlink_to_file_outside,
        f"{SEE}symbolic link points outside the content folder; copy the file into the folder instead",
    ),
    "symlink-to-folder-outside": (
        _symlink_to_folder_outside,
        "content/pages: error: symbolic link points outside the content folder; copy the file into the folder instead",
    ),
    "symlink-site-yaml-outside": (
        _symlinked_site_yaml,
        "content/site.yaml: error: symbolic link points outside the content folder;"
        " copy the file into the folder instead",
    ),
    "symlink-dangling": (_dangling_symlink, f"{SEE}symbolic link points to nothing; remove it or fix its target"),
    "symlink-loop": (_symlink_loop, f"{SEE}symbolic link points to nothing; remove it or fix its target"),
    "fifo": (_fifo, f"{SEE}is not a regular file; content must be plain files"),
    "folder-named-like-a-paper": (
        _folder_named_like_a_paper,
        f"{SEE}sub-folders of papers/ are not read: move its files into papers/"
        " (a slug is a file name, so it cannot contain '/')",
    ),
}


@pytest.mark.parametrize("case", sorted(PROGRAMMATIC))
def test_invalid_site_made_in_place(
    case: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    make, message = PROGRAMMATIC[case]
    content, _templates = _assemble(tmp_path / "none", tmp_path)
    make(content)
    monkeypatch.chdir(tmp_path)
    assert _build_fails(tmp_path, capsys) == f"{message}\n1 error in 1 file; nothing written\n"


def test_missing_content_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    _assemble(tmp_path / "none", tmp_path)
    monkeypatch.chdir(tmp_path)
    err = _build_fails(tmp_path, capsys, content="contnet")
    assert err == (
        "contnet: error: content folder does not exist; start one with `surveysite init FOLDER`,"
        " or point --content at a survey's content folder\n1 error in 1 file; nothing written\n"
    )


def test_output_folder_not_ours(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    _assemble(tmp_path / "none", tmp_path)
    monkeypatch.chdir(tmp_path)
    (tmp_path / "docs").mkdir()
    (tmp_path / "docs" / "notes.txt").write_text("mine")
    status = main(["build", "--content", "content", "--templates", "templates", "--out", "docs"])
    assert status == 1
    assert capsys.readouterr().err == (
        "docs: error: output folder exists and was not written by surveysite; remove it or choose another --out\n"
        "1 error in 1 file; nothing written\n"
    )
    assert [p.name for p in (tmp_path / "docs").iterdir()] == ["notes.txt"]


def test_bom_and_crlf_are_accepted(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The positive case: Windows editors write these, and the site must build the same."""
    content, _templates = _assemble(tmp_path / "none", tmp_path)
    for path in (content / "papers" / "beta.md", content / "site.yaml"):
        path.write_bytes(b"\xef\xbb\xbf" + path.read_bytes().replace(b"\n", b"\r\n"))
    monkeypatch.chdir(tmp_path)
    assert main(["build", "--content", "content", "--templates", "templates", "--out", "_site"]) == 0
    page = (tmp_path / "_site" / "papers" / "beta" / "index.html").read_text(encoding="utf-8")
    assert "Beta: Prompting Small Models" in page
    assert "\ufeff" not in page
