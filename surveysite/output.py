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
    """A page whose inputs are those of the previous build: its file there is still right."""

    path: str
    key: bytes
