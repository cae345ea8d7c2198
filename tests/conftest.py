"""Shared fixtures: the project's paths, throwaway content trees, and builds of fixture sites."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import pytest

from surveysite.pipeline import Project, build

ROOT = Path(__file__).resolve().parent.parent
TEMPLATES = ROOT / "surveysite" / "templates"
STATIC = ROOT / "surveysite" / "static"
SITES = Path(__file__).resolve().parent / "sites"
BASIC = SITES / "basic" / "content"
DELETE = "__DELETE__\n"
"""In an overlay, a file with exactly this text removes the file from the copied site."""


def make_content(tmp_path: Path, overlay: dict[str, str] | None = None, base: Path = BASIC) -> Path:
    """Copy a fixture content folder to tmp_path, then apply an overlay {relative path: text}."""
    content = tmp_path / "content"
    shutil.copytree(base, content)
    for rel, text in (overlay or {}).items():
        target = content / rel
        if text == DELETE:
            target.unlink()
            continue
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text, encoding="utf-8")
    return content


def tree(root: Path) -> dict[str, bytes]:
    """Every file below root by its relative path: two equal trees are byte-identical sites."""
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


def spy(monkeypatch: pytest.MonkeyPatch, owner: object, name: str) -> list[tuple[Any, ...]]:
    """owner.name still does its work, and the positional arguments of each call from now on are
    recorded in the list returned."""
    calls: list[tuple[Any, ...]] = []
    real = getattr(owner, name)

    def recorded(*args: Any, **kwargs: Any) -> Any:
        calls.append(args)
        return real(*args, **kwargs)

    monkeypatch.setattr(owner, name, recorded)
    return calls


def project(content: Path, out: Path) -> Project:
    return Project(content, TEMPLATES, STATIC, out)


@pytest.fixture(scope="session")
def basic_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The basic fixture site, built once per test session."""
    out = tmp_path_factory.mktemp("basic") / "_site"
    build(project(BASIC, out))
    return out


@pytest.fixture(scope="session")
def survey_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The shipped survey (content/), built once per test session, search index included."""
    out = tmp_path_factory.mktemp("survey") / "_site"
    build(project(ROOT / "content", out))
    return out
