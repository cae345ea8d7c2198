"""Write stage: build a complete staging folder, then swap it in for the output folder.

The previous site stays in place, byte for byte, until the new one is complete: a failed or
killed build leaves at most a stray staging folder, which the next run removes. With a cache, the
staging folder is the site before last (the spare tree), so a rebuild only replaces what differs.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import errno
import hashlib
import os
import shutil
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from surveysite import urls
from surveysite.errors import BuildError, SourceError, display_path, os_error
from surveysite.output import Kept, OutputFile
from surveysite.theme import static_files

MARKER = ".surveysite"
"""Present in every output folder we write; we refuse to replace a folder without it."""
TOKEN = ".surveysite-spare"
"""In the spare tree only (see Manifest.spare_token); never in a published site."""
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
    if renameat2(_AT_FDCWD, os.fsencode(a), _AT_FDCWD, os.fsencode(b), _RENAME_EXCHANGE) == 0:
        return True
    code = ctypes.get_errno()
    if code in (errno.ENOSYS, errno.EINVAL, errno.ENOTSUP):
        return False  # the kernel or file system cannot exchange: rename in two steps
    # Anything else (a folder that is not writable, a full disk) would fail the fallback too.
    raise OSError(code, os.strerror(code), str(a))


Entry = tuple[bytes, bytes, int, int, int]
"""(digest of the bytes, key of the inputs, size, mtime_ns, inode) of one output file."""


@dataclass
class Manifest:
    """What each file of the current output, and of the spare tree (the output before it), holds
    and was made from. The next build skips rendering a page whose inputs did not change, and
    touches only the files of the spare tree whose bytes differ. (size, mtime, inode) must still
    match the file on disk, so a file edited or replaced by hand since is made afresh."""

    entries: dict[str, Entry] = field(default_factory=dict)
    spare: dict[str, Entry] = field(default_factory=dict)
    spare_token: bytes = b""
    """The spare tree is trusted only while its TOKEN file holds this: the file is written when the
    tree leaves the live site and removed before the tree is changed, so a build killed half-way
    leaves a tree that is not reused."""

    def unchanged(self, out: Path, keys: Mapping[str, bytes]) -> set[str]:
        """The files of out/ made from inputs with these keys and still as the build left them."""
        found = set()
        base = f"{out}/"
        for path, key in keys.items():
            entry = self.entries.get(path)
            if entry is not None and entry[1] == key and _intact(base + path, entry) is not None:
                found.add(path)
        return found


def _intact(file: str | Path, entry: Entry) -> os.stat_result | None:
    """The file's stat when it is still as the entry describes it (size, mtime, inode), else None.
    (Paths are strings in the per-file loops: pathlib costs more than the stat.)"""
    try:
        stat = os.stat(file)
    except OSError:
        return None
    return stat if (stat.st_size, stat.st_mtime_ns, stat.st_ino) == entry[2:] else None


def _link(old: str, new: str) -> bool:
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
    spare: Path | None = None,
    swapping: Callable[[], None] | None = None,
) -> tuple[int, int]:
    """Write files (and static/ as assets/) to a staging folder, run `post` on it, swap it in
    (calling `swapping` just before: from there on the new site is the build's outcome).

    With a manifest of the previous build, Kept pages and files with unchanged bytes are
    hard-linked from the output rather than written; the manifest is then updated to describe the
    new output. With a `spare` folder too, the output before the previous one is kept there after
    the swap and is the next build's staging folder: only the files that differ are replaced, so
    a rebuild creates and deletes no folders for unchanged pages. Files are never written in
    place (the spare tree shares unchanged files with the live site): a changed one is unlinked
    and written anew. Returns how many files the site has, and how many were written.
    """
    out = Path(os.path.abspath(out))
    out.parent.mkdir(parents=True, exist_ok=True)
    for stray in _leftovers(out):
        shutil.rmtree(stray, ignore_errors=True)
    manifest = manifest if manifest is not None else Manifest()
    staging, reused = _staging(out, manifest, spare)
    written = 0
    try:
        folders: set[str] = set()
        entries: dict[str, Entry] = {}
        into, live = f"{staging}/", f"{out}/"

        def place(path: str, key: bytes, digest: bytes, data: bytes | None) -> None:
            """The file in the staging tree: left there, linked from the live site, or written
            (data None: a kept file, which the live site must still have)."""
            nonlocal written
            target, there, current = into + path, reused.get(path), manifest.entries.get(path)
            stat = _intact(target, there) if there is not None and there[0] == digest else None
            if stat is None:  # not already in the staging tree (the spare one) as it should be
                parent = target.rpartition("/")[0]
                if parent not in folders:
                    _folder(Path(parent), staging)
                    folders.add(parent)
                _remove(Path(target))
                same = current is not None and current[0] == digest and _intact(live + path, current) is not None
                if not (same and _link(live + path, target)):
                    if data is None:
                        raise BuildError([SourceError(display_path(out / path), 0, 0, _VANISHED)])
                    with open(target, "wb") as handle:
                        handle.write(data)
                    written += 1
                stat = os.stat(target)
            entries[path] = (digest, key, stat.st_size, stat.st_mtime_ns, stat.st_ino)

        for file in _with_static(files, static):
            if isinstance(file, OutputFile):
                place(file.path, file.key, hashlib.blake2b(file.data, digest_size=16).digest(), file.data)
                continue
            for path, key in file.files:
                current = manifest.entries[path]  # the render stage asked Manifest.unchanged
                there = reused.get(path)
                if there is current or (there is not None and there[0] == current[0] and there[2:] == current[2:]):
                    # The spare tree's file is the live site's (one inode, hard-linked), which
                    # Manifest.unchanged has just found intact: no second stat (40,000 at 10,000
                    # papers), and the entry stands as it is (its key is this build's too).
                    entries[path] = current
                else:
                    place(path, key, current[0], None)
        for path in sorted(reused.keys() - entries.keys()):
            _remove(staging / path)
            _prune((staging / path).parent, staging)
        (staging / MARKER).write_bytes(b"")
        if post is not None:
            shutil.rmtree(staging / "pagefind", ignore_errors=True)
            post(staging)
        if swapping is not None:
            swapping()
        previous = _swap(staging, out)
    except OSError as exc:  # a full disk, a read-only folder: one line, and the old site stays
        shutil.rmtree(staging, ignore_errors=True)
        error = os_error(exc) if exc.filename is not None else SourceError(display_path(out), 0, 0, "")
        reason = error.message or os_error(exc).message
        message = f"{reason}; the previous site is unchanged"
        raise BuildError([SourceError(error.path, 0, 0, message)]) from None
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    if previous is not None and staging == spare:
        manifest.spare, manifest.spare_token = manifest.entries, os.urandom(16).hex().encode()
        (spare / TOKEN).write_bytes(manifest.spare_token)
    else:
        if previous is not None:
            shutil.rmtree(previous)
        manifest.spare, manifest.spare_token = {}, b""
    manifest.entries = entries
    return len(entries), written


def _staging(out: Path, manifest: Manifest, spare: Path | None) -> tuple[Path, dict[str, Entry]]:
    """The folder to build the new site in, and what it holds (by the manifest) when it is the
    trusted spare tree; else a new, empty folder."""
    # Only into a folder that exists (a failed first build creates nothing), on the output's file
    # system (a swap cannot cross file systems).
    if spare is not None and spare.parent.is_dir() and os.stat(spare.parent).st_dev == os.stat(out.parent).st_dev:
        try:
            trusted = bool(manifest.spare_token) and (spare / TOKEN).read_bytes() == manifest.spare_token
        except OSError:
            trusted = False
        if trusted:
            (spare / TOKEN).unlink()  # from here on the tree is being changed: untrusted if killed
            return spare, manifest.spare
        shutil.rmtree(spare, ignore_errors=True)
        spare.mkdir()
        return spare, {}
    staging = out.parent / f".{out.name}.staging-{os.getpid()}"
    staging.mkdir()
    return staging, {}


def _swap(staging: Path, out: Path) -> Path | None:
    """Put staging in the place of out, atomically where the system can; the previous output ends
    up at staging's path (returned), or None if there was none."""
    if not out.exists():
        staging.rename(out)
        return None
    if not _exchange(staging, out):
        retired = out.parent / f".{out.name}.old-{os.getpid()}"
        out.rename(retired)
        try:
            staging.rename(out)
        except BaseException:
            retired.rename(out)  # the previous site goes back before anything else happens
            raise
        retired.rename(staging)
    return staging


def _with_static(files: Iterable[OutputFile | Kept], static: Path | None) -> Iterator[OutputFile | Kept]:
    """The engine's assets, with the survey's static files in their place, as assets/..., then files."""
    for name, path in static_files(static).items():
        yield OutputFile(urls.asset(name), path.read_bytes())
    yield from files


def _folder(folder: Path, root: Path) -> None:
    """mkdir -p, removing a file of the spare tree that stands where a folder must now be."""
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except (FileExistsError, NotADirectoryError):
        for parent in (*reversed(folder.relative_to(root).parents), folder.relative_to(root)):
            if (root / parent).is_file():
                (root / parent).unlink()
        folder.mkdir(parents=True, exist_ok=True)


def _remove(path: Path) -> None:
    try:
        path.unlink(missing_ok=True)
    except IsADirectoryError:
        shutil.rmtree(path)


def _prune(folder: Path, root: Path) -> None:
    """Remove folder and its parents up to root while they are empty (a deleted paper's folder)."""
    while folder != root:
        try:
            folder.rmdir()
        except OSError:
            return
        folder = folder.parent
