"""Write stage: build a complete staging folder, then swap it in for the output folder.

The previous site stays in place, byte for byte, until the new one is complete: a failed or
killed build leaves at most a stray staging folder, which the next run removes.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import hashlib
import os
import shutil
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

from surveysite.errors import BuildError, SourceError
from surveysite.load import display_path
from surveysite.output import Kept, OutputFile

MARKER = ".surveysite"
"""Present in every output folder we write; we refuse to replace a folder without it."""
_RENAME_EXCHANGE = 2
_AT_FDCWD = -100


def _leftovers(out: Path) -> list[Path]:
    return sorted(out.parent.glob(f".{out.name}.staging-*")) + sorted(out.parent.glob(f".{out.name}.old-*"))


def check_output(out: Path, sources: Iterable[Path]) -> None:
    """Refuse output folders whose replacement would destroy something that is not a build."""
    resolved = out.resolve()
    for source in sources:
        src = source.resolve()
        if resolved == src or resolved in src.parents:
            raise BuildError(
                [
                    SourceError(
                        display_path(out),
                        0,
                        0,
                        f"output folder contains the source folder {display_path(source)}; choose another --out",
                    )
                ]
            )
    if resolved.exists() and not resolved.is_dir():
        raise BuildError([SourceError(display_path(out), 0, 0, "output path exists and is not a folder")])
    if resolved.is_dir() and any(resolved.iterdir()) and not (resolved / MARKER).exists():
        raise BuildError(
            [
                SourceError(
                    display_path(out),
                    0,
                    0,
                    "output folder exists and was not written by surveysite; remove it or choose another --out",
                )
            ]
        )


def _exchange(a: Path, b: Path) -> bool:
    """Atomically swap two paths with renameat2(RENAME_EXCHANGE); False where unsupported."""
    libc_name = ctypes.util.find_library("c")
    if not libc_name:
        return False
    libc = ctypes.CDLL(libc_name, use_errno=True)
    renameat2 = getattr(libc, "renameat2", None)
    if renameat2 is None:
        return False
    result = renameat2(_AT_FDCWD, os.fsencode(a), _AT_FDCWD, os.fsencode(b), _RENAME_EXCHANGE)
    return bool(result == 0)


@dataclass
class Manifest:
    """What each file of the current output holds and was made from, so that the next build can
    skip rendering a page whose inputs did not change and hard-link it, or any file whose bytes
    did not change, into the staging folder instead of writing it again. (size, mtime, inode) must
    still match the file on disk, so a file edited or replaced by hand since is made afresh."""

    entries: dict[str, tuple[bytes, bytes, int, int, int]] = field(default_factory=dict)
    """path -> (digest of the bytes, key of the inputs, size, mtime_ns, inode)"""
    written: int = 0
    unchanged: int = 0

    def keeps(self, out: Path, path: str, key: bytes) -> bool:
        """Whether out/path was made from inputs with this key and is still as the build left it."""
        entry = self.entries.get(path)
        return entry is not None and entry[1] == key and _intact(out / path, entry)


def _intact(file: Path, entry: tuple[bytes, bytes, int, int, int]) -> bool:
    try:
        stat = file.stat()
    except OSError:
        return False
    return (stat.st_size, stat.st_mtime_ns, stat.st_ino) == entry[2:]


def _link(old: Path, new: Path) -> bool:
    try:
        os.link(old, new)
    except OSError:
        return False
    return True


_VANISHED = "this file of the previous build changed while the site was being built; build again"


def write_site(
    files: Iterable[OutputFile | Kept],
    static: Path | None,
    out: Path,
    post: Callable[[Path], None] | None = None,
    manifest: Manifest | None = None,
) -> int:
    """Write files (and static/ as assets/) to a staging folder, run `post` on it, swap it in.

    With a manifest of the previous build, Kept pages and files with unchanged bytes are
    hard-linked rather than rewritten; the manifest is then updated to describe the new output.
    """
    out = Path(os.path.abspath(out))
    out.parent.mkdir(parents=True, exist_ok=True)
    for stray in _leftovers(out):
        shutil.rmtree(stray, ignore_errors=True)
    staging = out.parent / f".{out.name}.staging-{os.getpid()}"
    count = written = 0
    try:
        staging.mkdir()
        if static is not None and static.is_dir():
            shutil.copytree(static, staging / "assets", dirs_exist_ok=True)
        folders: set[Path] = set()
        entries: dict[str, tuple[bytes, bytes, int, int, int]] = {}
        previous = manifest.entries if manifest is not None else {}
        for file in files:
            target = staging / file.path
            if target.parent not in folders:
                target.parent.mkdir(parents=True, exist_ok=True)
                folders.add(target.parent)
            old = previous.get(file.path)
            if isinstance(file, Kept):
                assert old is not None  # the render stage asked Manifest.keeps
                digest = old[0]
                if not _link(out / file.path, target):
                    raise BuildError([SourceError(display_path(out / file.path), 0, 0, _VANISHED)])
            else:
                digest = hashlib.blake2b(file.data, digest_size=16).digest()
                same = old is not None and old[0] == digest and _intact(out / file.path, old)
                if not (same and _link(out / file.path, target)):
                    target.write_bytes(file.data)
                    written += 1
            stat = target.stat()
            entries[file.path] = (digest, file.key, stat.st_size, stat.st_mtime_ns, stat.st_ino)
            count += 1
        if manifest is not None:
            manifest.entries = entries
            manifest.written, manifest.unchanged = written, count - written
        (staging / MARKER).write_bytes(b"")
        if post is not None:
            post(staging)
        if not out.exists():
            staging.rename(out)
        elif _exchange(staging, out):
            shutil.rmtree(staging)
        else:
            retired = out.parent / f".{out.name}.old-{os.getpid()}"
            out.rename(retired)
            staging.rename(out)
            shutil.rmtree(retired)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return count
