"""Write stage guard: one build at a time per output folder.

Two builds into one folder would delete each other's staging folder, spare tree and swap; an
`fcntl.flock` on a file next to the output serialises them. The kernel drops the lock when its
holder dies, however it dies, so there is never a stale lock to clean up by hand.
"""

from __future__ import annotations

import fcntl
import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from surveysite.errors import BuildError, SourceError, display_path, os_error


def lock_path(out: Path) -> Path:
    """Beside the output, not inside it (the output is swapped) nor in the cache (--no-cache)."""
    out = Path(os.path.abspath(out))
    return out.parent / f".{out.name}.lock"


@contextmanager
def output_lock(out: Path, *, wait: bool = True) -> Iterator[None]:
    """Hold the output's lock; wait for another holder (saying so once), or fail at once.

    The holder removes the lock file on release, so nothing is left beside the output. A waiter
    may then hold a lock on a file that is gone: it checks, after locking, that the path still
    names the file it locked, and tries again if not (the usual flock-and-unlink protocol).
    """
    path = lock_path(out)
    said = False
    while True:
        fd = _open(path)
        held = False
        try:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                holder = _holder(fd)
                if not wait:
                    message = f"another build ({holder}) is writing this folder; try again when it ends"
                    raise BuildError([SourceError(display_path(out), 0, 0, message)]) from None
                if not said:
                    print(
                        f"waiting for another build ({holder}) to finish writing {display_path(out)}", file=sys.stderr
                    )
                    said = True
                fcntl.flock(fd, fcntl.LOCK_EX)
            if not _same_file(fd, path):
                continue  # released and removed while we waited: lock the new one
            held = True
            try:  # who holds it, for the message of a build that waits: nothing depends on it
                os.ftruncate(fd, 0)
                os.pwrite(fd, f"{os.getpid()}\n".encode(), 0)
            except OSError:  # a full disk: the build goes on, and its write stage says so
                pass
            yield
            return
        finally:
            if held:  # a file left by a holder killed outright is harmless: its lock died with it
                path.unlink(missing_ok=True)
            os.close(fd)  # releases the lock


def _open(path: Path) -> int:
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        return os.open(path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o644)
    except OSError as exc:  # named for the folder the user chose, not for our lock file
        reason = os_error(exc).message
        raise BuildError([SourceError(display_path(path.parent), 0, 0, f"cannot write here: {reason}")]) from None


def _same_file(fd: int, path: Path) -> bool:
    try:
        there = path.stat()
    except FileNotFoundError:
        return False
    here = os.fstat(fd)
    return (here.st_dev, here.st_ino) == (there.st_dev, there.st_ino)


def _holder(fd: int) -> str:
    text = os.pread(fd, 32, 0).decode(errors="replace").strip()
    return f"process {text}" if text.isdigit() else "a process"
