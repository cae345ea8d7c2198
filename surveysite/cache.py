"""The build cache (.surveysite-cache/ next to the output): parsed files and rendered Markdown.

Entries are keyed by a hash of the input bytes and of the code that turns them into output, so a
stale entry can never be used: editing a file, upgrading markdown-it, latex2mathml or Pygments, or
changing surveysite's parser or renderer simply misses. One pickle file, rewritten atomically after each
successful build with only the entries that build used, so it never grows without bound.
"""

from __future__ import annotations

import hashlib
import os
import pickle
import sys
import tempfile
from collections.abc import Iterable
from importlib.metadata import version
from pathlib import Path
from typing import Any

from surveysite.errors import os_error

FOLDER = ".surveysite-cache"


def code_digest(modules: Iterable[str], packages: Iterable[str]) -> str:
    """Of surveysite's modules (file names) and the packages' versions: what turns inputs into a
    cached value, so that changing either misses the cache."""
    here = Path(__file__).resolve().parent
    digest = hashlib.sha256()
    for name in modules:
        digest.update(name.encode() + b"\0" + (here / name).read_bytes())
    for package in packages:
        digest.update(package.encode() + b"\0" + version(package).encode())
    return digest.hexdigest()


def _code_version() -> str:
    modules = ("source.py", "markdown.py", "model.py", "cache.py", "write.py")
    packages = ("markdown-it-py", "mdit-py-plugins", "latex2mathml", "pygments", "pyyaml", "jinja2")
    return code_digest(modules, packages)[:16]


class Cache:
    """Get-or-compute by key; `save` keeps what this build used."""

    def __init__(self, folder: Path | None) -> None:
        self.folder = folder
        self.path = folder / f"content-{_code_version()}.pickle" if folder else None
        self.old: dict[str, Any] = {}
        self.used: dict[str, Any] = {}
        if self.path is not None and self.path.is_file():
            try:
                with self.path.open("rb") as handle:
                    self.old = pickle.load(handle)
            except Exception:  # a damaged cache is only a slower build
                self.old = {}

    @staticmethod
    def key(kind: str, *parts: str | bytes) -> str:
        digest = hashlib.sha256(kind.encode())
        for part in parts:
            digest.update(b"\0" + (part.encode() if isinstance(part, str) else part))
        return digest.hexdigest()

    def get(self, key: str) -> Any | None:
        value = self.old.get(key)
        if value is not None:
            self.used[key] = value
        return value

    def put(self, key: str, value: Any) -> None:
        if self.folder is not None:  # without a folder nothing is saved: hold nothing in memory
            self.used[key] = value

    def save(self, *, background: bool = False) -> None:
        """Write what this build used, and start the next build from it. In the background, a
        forked child writes it (a dev server must not stall on pickling a large cache)."""
        used, self.old, self.used = self.used, self.used, {}
        if self.folder is None or self.path is None:
            return
        if background and hasattr(os, "fork"):
            child = os.fork()
            if child != 0:
                os.waitpid(child, 0)
                return
            try:  # fork again and leave at once: the writer is then nobody's child to reap
                if os.fork() == 0:
                    self._write(used)
            finally:
                os._exit(0)
        self._write(used)

    def _write(self, used: dict[str, Any]) -> None:
        """A cache that cannot be saved costs only speed: the site is already in place."""
        try:
            self._replace(used)
        except OSError as exc:
            error = os_error(exc)
            print(f"{error.path}: warning: build cache not saved ({error.message})", file=sys.stderr)

    def _replace(self, used: dict[str, Any]) -> None:
        assert self.folder is not None and self.path is not None
        self.folder.mkdir(parents=True, exist_ok=True)
        for stale in self.folder.glob("content-*.pickle"):
            if stale != self.path:
                stale.unlink(missing_ok=True)
        handle, temporary = tempfile.mkstemp(dir=self.folder, prefix=".tmp-")
        try:
            with os.fdopen(handle, "wb") as out:
                pickle.dump(used, out, protocol=pickle.HIGHEST_PROTOCOL)
            os.replace(temporary, self.path)
        except BaseException:
            Path(temporary).unlink(missing_ok=True)
            raise
