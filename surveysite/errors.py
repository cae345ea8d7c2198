"""Error values shared by every stage: each names a file, a line and what to do."""

from __future__ import annotations

import difflib
import errno
import os
from collections.abc import Iterable
from dataclasses import dataclass


@dataclass(frozen=True, order=True)
class SourceError:
    """One problem in one input file, printed compiler style."""

    path: str
    """Path as the user typed it on the command line (relative when possible)."""
    line: int
    """1-based line, 0 when the problem concerns the whole file."""
    column: int
    """1-based column, 0 when unknown."""
    message: str

    def __str__(self) -> str:
        where = self.path
        if self.line:
            where += f":{self.line}"
            if self.column:
                where += f":{self.column}"
        return f"{where}: error: {self.message}"


class BuildError(Exception):
    """Raised by a stage that found problems; carries all of them, not just the first."""

    def __init__(self, errors: Iterable[SourceError]) -> None:
        self.errors = sorted(set(errors))
        super().__init__(self.summary())

    def summary(self) -> str:
        files = len({e.path for e in self.errors})
        noun = "error" if len(self.errors) == 1 else "errors"
        fnoun = "file" if files == 1 else "files"
        return f"{len(self.errors)} {noun} in {files} {fnoun}; nothing written"

    def report(self) -> str:
        return "\n".join([*(str(e) for e in self.errors), self.summary()])


def closest(word: str, choices: Iterable[str]) -> str | None:
    """The choice most like `word`, if any is close enough to be a likely typo.

    A choice equal but for case comes first ('FLAN-T5-SMALL' is 'Flan-T5-Small', not 'T5-Small');
    otherwise case is ignored in the comparison, so that shouting does not hide a typo.
    """
    options = sorted(choices)
    folded = word.casefold()
    same = [choice for choice in options if choice.casefold() == folded]
    if same:
        return same[0]
    by_folded: dict[str, str] = {}
    for choice in options:
        by_folded.setdefault(choice.casefold(), choice)
    close = difflib.get_close_matches(folded, list(by_folded), n=1, cutoff=0.6)
    return by_folded[close[0]] if close else None


def did_you_mean(word: str, choices: Iterable[str]) -> str:
    """A ` (did you mean 'x'?)` suffix, or '' when nothing is close."""
    match = closest(word, choices)
    return f" (did you mean '{match}'?)" if match is not None else ""


def display_path(path: str | os.PathLike[str]) -> str:
    """The path as a user would type it: relative to the working directory when inside it."""
    try:
        relative = os.path.relpath(path)
    except ValueError:  # pragma: no cover - different drive on Windows
        return str(path)
    return str(path) if relative.startswith("..") else relative


_PLAIN = {
    errno.EACCES: "permission denied",
    errno.EPERM: "permission denied",
    errno.ENOSPC: "no space left on the device",
    errno.EDQUOT: "disk quota exceeded",
    errno.EROFS: "the file system is read-only",
    errno.ENOTDIR: "part of the path is a file, not a folder",
    errno.EISDIR: "it is a folder, not a file",
    errno.ENOENT: "no such file or folder",
    errno.EEXIST: "something is already there",
    errno.ENAMETOOLONG: "the name is too long",
    errno.EIO: "input/output error (the disk may be failing)",
}


def os_error(exc: OSError) -> SourceError:
    """An operating-system failure as one line naming the path and the reason in plain words."""
    name = exc.filename if exc.filename is not None else "surveysite"
    path = display_path(os.fsdecode(name) if isinstance(name, (str, bytes, os.PathLike)) else str(name))
    reason = _PLAIN.get(exc.errno or 0) or (exc.strerror or str(exc)).lower()
    return SourceError(path, 0, 0, reason)
