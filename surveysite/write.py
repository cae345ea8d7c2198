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
from surveysite.output import OutputFile

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
    """What each file of the current output holds, so that an unchanged file is hard-linked from the
    previous build into the staging folder instead of written again. (size, mtime) must still
    match the file on disk, so a file edited by hand since is written afresh."""

    entries: dict[str, tuple[bytes, int, int]] = field(default_factory=dict)
    """path -> (digest, size, mtime_ns)"""
    written: int = 0
    unchanged: int = 0


def _reuse(manifest: Manifest, out: Path, target: Path, path: str, digest: bytes) -> bool:
    entry = manifest.entries.get(path)
    if entry is None or entry[0] != digest:
        return False
    try:
        old = out / path
        stat = old.stat()
        if (stat.st_size, stat.st_mtime_ns) != entry[1:]:
            return False
        os.link(old, target)
    except OSError:
        return False
    return True


def write_site(
    files: Iterable[OutputFile],
    static: Path | None,
    out: Path,
    post: Callable[[Path], None] | None = None,
    manifest: Manifest | None = None,
) -> int:
    """Write files (and static/ as assets/) to a staging folder, run `post` on it, swap it in.

    With a manifest of the previous build, unchanged files are hard-linked rather than rewritten;
    the manifest is then updated to describe the new output.
    """
    out = Path(os.path.abspath(out))
    out.parent.mkdir(parents=True, exist_ok=True)
    for stray in _leftovers(out):
        shutil.rmtree(stray, ignore_errors=True)
    staging = out.parent / f".{out.name}.staging-{os.getpid()}"
    count = 0
    try:
        staging.mkdir()
        if static is not None and static.is_dir():
            shutil.copytree(static, staging / "assets", dirs_exist_ok=True)
        folders: set[Path] = set()
        entries: dict[str, tuple[bytes, int, int]] = {}
        for file in files:
            target = staging / file.path
            if target.parent not in folders:
                target.parent.mkdir(parents=True, exist_ok=True)
                folders.add(target.parent)
            digest = hashlib.blake2b(file.data, digest_size=16).digest()
            if manifest is not None and _reuse(manifest, out, target, file.path, digest):
                manifest.unchanged += 1
            else:
                target.write_bytes(file.data)
                if manifest is not None:
                    manifest.written += 1
            if manifest is not None:
                stat = target.stat()
                entries[file.path] = (digest, stat.st_size, stat.st_mtime_ns)
            count += 1
        if manifest is not None:
            manifest.entries = entries
        (staging / MARKER).write_bytes(b"")
        if post is not None:
            post(staging)
        if not out.exists():
            staging.rename(out)
        elif _exchange(staging, out):
            shutil.rmtree(staging)
        else:
            old = out.parent / f".{out.name}.old-{os.getpid()}"
            out.rename(old)
            staging.rename(out)
            shutil.rmtree(old)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return count
