"""The engine's own templates and assets, and a survey's overrides of them.

A survey repository holds only its content. The engine ships a complete theme inside the package;
a survey replaces any single template or asset by putting a file of the same name in its own
`templates/` or `static/` folder, which is looked up first.
"""

from __future__ import annotations

from pathlib import Path

ENGINE_TEMPLATES = Path(__file__).resolve().parent / "templates"
ENGINE_STATIC = Path(__file__).resolve().parent / "static"


def ignored(name: str) -> bool:
    """Editor and system leftovers, which must neither be published nor change a page's key."""
    return name.startswith((".", "#")) or name.endswith(("~", ".swp", ".swo", ".tmp"))


def template_folders(survey: Path | None) -> list[Path]:
    """Where templates are looked up, in order: the survey's folder (if it has one), the engine's."""
    folders = [survey] if survey is not None and survey.is_dir() and survey.resolve() != ENGINE_TEMPLATES else []
    return [*folders, ENGINE_TEMPLATES]


def static_files(survey: Path | None) -> dict[str, Path]:
    """Each asset by its path under assets/: the engine's, replaced by the survey's of the same name."""
    found: dict[str, Path] = {}
    for folder in (ENGINE_STATIC, survey):
        if folder is None or not folder.is_dir():
            continue
        for path in sorted(folder.rglob("*")):
            if path.is_file() and not any(ignored(part) for part in path.relative_to(folder).parts):
                found[path.relative_to(folder).as_posix()] = path
    return dict(sorted(found.items()))
