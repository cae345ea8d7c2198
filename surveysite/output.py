"""What the render stage produces and the write stage writes."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class OutputFile:
    path: str
    """Relative to the output folder, with '/' separators."""
    data: bytes
    source: str = ""
    """The content file a page was made from, when there is one, for error messages."""
    key: bytes = b""
    """Digest of everything the page was rendered from (b'' for files compared by their bytes)."""


@dataclass(frozen=True)
class Kept:
    """Files whose inputs are those of the previous build: their files there are still right.
    One object for many: a one-paper rebuild of 10,000 papers keeps 40,000 files, and passing
    each alone through the stages' generators was a tenth of the dev server's rebuild."""

    files: tuple[tuple[str, bytes], ...]
    """(path, key) of each file."""
