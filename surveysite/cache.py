"""The build cache (.surveysite-cache/ next to the output): parsed files, rendered Markdown, keys.

Entries are keyed by a hash of the input bytes and of the code that turns them into output, so a
stale entry can never be used: editing a file, upgrading markdown-it, latex2mathml or Pygments, or
changing surveysite's parser or renderer simply misses. One SQLite file, one row per entry: a build reads
the entries it asks for and writes only the new ones (not one pickle of everything, which a
10,000-paper site would read and write whole on every edit). It never grows without bound: once
it holds more than twice the entries the latest build used, the others are deleted (except
those written in the last KEEP_BUILDS builds, which another output sharing the folder may need).
A build therefore writes only what it made; it does not mark every entry it read.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import pickle
import sqlite3
import sys
from pathlib import Path
from typing import Any, TypeVar, cast

from surveysite import digest
from surveysite.errors import os_error

FOLDER = ".surveysite-cache"
T = TypeVar("T")
KEEP_BUILDS = 3
"""Entries written in this many latest builds survive a collection (two outputs may share one
cache folder)."""
FLUSH_BYTES = 32 << 20
"""Pickled entries held before they are written (see Cache._flush)."""
SLACK = 256
"""Entries beyond twice the live ones before the cache is collected: a small site never is."""
READ_AHEAD = 500
"""Entries read from the file in one query once a build has said it will ask for them (expect):
one query for many rows costs about what one costs for one row (SQLite's limit on a query's
parameters is 999 on old versions)."""


def _code_version() -> str:
    modules = ("source.py", "markdown.py", "model.py", "validate.py", "fields.py", "cache.py", "write.py")
    packages = ("markdown-it-py", "mdit-py-plugins", "latex2mathml", "pygments", "pyyaml", "jinja2")
    return digest.code(modules, packages)[:16]


class Cache:
    """Get-or-compute by key; `save` writes what this build made and marks what it used.

    A value is pickled when it is put, so that a large build does not hold every parsed file
    and rendering as objects until the end. A `resident` cache (the dev server's, passed to every
    rebuild) also keeps the values of the last build in memory, reading each entry from disk once."""

    def __init__(self, folder: Path | None, *, resident: bool = False) -> None:
        self.folder = folder
        self.path = folder / f"cache-{_code_version()}.sqlite" if folder else None
        self.resident = resident
        self._db: sqlite3.Connection | None = None
        self._pid = os.getpid()
        self.old: dict[str, Any] = {}
        """Values of the previous build of this process, known without asking the file (resident)."""
        self.used: dict[str, Any] = {}
        """Values this build read or made (resident)."""
        self.seen: set[str] = set()
        """Keys this build read or made."""
        self.made: dict[str, bytes] = {}
        """Entries this build made, pickled."""
        self.touched: set[str] = set()
        self.flushed: set[str] = set()
        """Entries this build made and has written already."""
        self._made_bytes = 0
        self._ahead: list[str] = []
        self._ahead_at: dict[str, int] = {}
        """The keys announced by expect, and the place of each in that list."""
        self._read: dict[str, bytes] = {}
        """Entries read ahead and not yet asked for."""
        self._asked: set[str] = set()
        """Announced keys already asked of the file (found or not)."""
        self._number: int | None = None
        self._failed: BaseException | None = None

    def _connect(self) -> sqlite3.Connection | None:
        if self._pid != os.getpid():  # a forked worker: SQLite connections must not cross a fork
            return None
        if self._db is None and self.path is not None and self.path.is_file():
            try:
                self._db = sqlite3.connect(self.path, timeout=30)
                self._db.execute("SELECT count(*) FROM entries").fetchone()
            except sqlite3.Error:  # a damaged cache is only a slower build
                self._drop()
        return self._db

    def _drop(self) -> None:
        if self._db is not None:
            self._db.close()
            self._db = None
        if self.path is not None:
            with contextlib.suppress(OSError):
                self.path.unlink()

    @staticmethod
    def key(kind: str, *parts: str | bytes) -> str:
        """Of the kind and the parts, each length-prefixed so that no two lists of parts collide."""
        hasher = hashlib.blake2b(kind.encode(), digest_size=digest.SIZE)
        for part in parts:
            data = part.encode() if isinstance(part, str) else part
            hasher.update(len(data).to_bytes(8, "little") + data)
        return hasher.hexdigest()

    def get(self, key: str) -> Any | None:
        if key in self.used:
            return self.used[key]
        value = pickle.loads(self.made[key]) if key in self.made else self.old.get(key)
        if value is None and (db := self._connect()) is not None:
            try:
                if key in self._ahead_at and key not in self._asked:
                    self._read_ahead(db, self._ahead_at[key])
                if key in self._asked:
                    self._asked.discard(key)  # (asked again, it is read again)
                    data = self._read.pop(key, None)
                else:
                    row = db.execute("SELECT value FROM entries WHERE key = ?", (key,)).fetchone()
                    data = row[0] if row is not None else None
                value = pickle.loads(data) if data is not None else None
            except Exception:  # a damaged entry or file is only a slower build
                self._drop()
                value = None
        if value is not None:
            self._keep(key, value)
        return value

    def expect(self, keys: list[str]) -> None:
        """Say which keys the build will ask for next, in order: they are read from the file
        READ_AHEAD at a time instead of one query each (a tenth of a one-paper rebuild at 1,000
        papers, a second of one at 10,000). Only keys not known in memory are worth announcing."""
        self._ahead = [k for k in keys if k not in self.used and k not in self.made and k not in self.old]
        self._ahead_at = {k: i for i, k in enumerate(self._ahead)}
        self._read, self._asked = {}, set()

    def _read_ahead(self, db: sqlite3.Connection, start: int) -> None:
        batch = [k for k in self._ahead[start : start + READ_AHEAD] if k not in self._asked]
        marks = ",".join("?" * len(batch))
        self._read.update(db.execute(f"SELECT key, value FROM entries WHERE key IN ({marks})", batch).fetchall())
        self._asked.update(batch)

    def _keep(self, key: str, value: Any) -> None:
        self.seen.add(key)
        if self.resident:
            self.used[key] = value

    def remember(self, key: str, value: Any) -> None:
        """Keep a value for the next build of this process only (resident), never on disk: an
        object that is cheaper to keep than to make or to unpickle again."""
        if self.resident:
            self.used[key] = value

    def recall(self, key: str) -> Any | None:
        """What this build or the previous one remembered under key (None unless resident): never
        asked of the file, which cannot have it."""
        return self.used[key] if key in self.used else self.old.get(key)

    def touch(self, *keys: str) -> None:
        """Keep the entries (as if this build had used them) without reading them."""
        if self.folder is not None:
            self.touched.update(keys)

    def put(self, key: str, value: Any) -> None:
        if self.folder is not None:  # without a folder nothing is saved: hold nothing in memory
            self._store(key, pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL), value)

    def put_fresh(self, key: str, value: T) -> T:
        """put, and return the value as the cache will give it back, to be used instead of
        `value`: pickling a str makes CPython keep its UTF-8 bytes inside it for good, which
        doubles what every non-ASCII text (a Chinese body and its HTML) costs for the rest of
        the build (170 MB of a cold 10,000-paper build)."""
        if self.folder is None:
            return value
        data = pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL)
        fresh = cast(T, pickle.loads(data))
        self._store(key, data, fresh)
        return fresh

    def _store(self, key: str, data: bytes, value: Any) -> None:
        self.made[key] = data
        self._made_bytes += len(data)
        self._keep(key, value)
        if self._made_bytes > FLUSH_BYTES:
            self._flush()

    def _flush(self) -> None:
        """Write the entries made so far: a cold build of a large site would otherwise hold
        every parsed file and rendering, pickled, until the end. Entries are keyed by their
        inputs, so those of a build that then fails are merely unused."""
        made, self.made, self._made_bytes = self.made, {}, 0
        if self._pid != os.getpid() or self._failed is not None:
            return
        try:
            db, number = self._open()
            with db:
                db.executemany(
                    "INSERT OR REPLACE INTO entries VALUES (?, ?, ?)", ((k, made[k], number) for k in sorted(made))
                )
        except (OSError, sqlite3.Error) as exc:
            self._failed = exc
            return
        self.flushed.update(made)

    def save(self) -> None:
        """Write the entries this build made and collect the unused ones (see the module's
        docstring); a resident cache's next build starts from the values this one used."""
        if self.folder is not None:
            self._flush()
        written, kept = self.flushed, (self.seen | self.touched) - self.flushed
        failed, self._failed, self._number = self._failed, None, None
        self.expect([])
        self.old, self.used, self.seen, self.touched, self.flushed = self.used, {}, set(), set(), set()
        if self.folder is None or self.path is None:
            return
        try:
            if failed is not None:
                raise failed
            self._collect(len(written) + len(kept), kept)
        except (OSError, sqlite3.Error) as exc:  # the site is already in place: only speed is lost
            error = os_error(exc) if isinstance(exc, OSError) else None
            where = error.path if error else str(self.path)
            print(f"{where}: warning: build cache not saved ({error.message if error else exc})", file=sys.stderr)

    def _open(self) -> tuple[sqlite3.Connection, int]:
        """The cache file, created if need be, and this build's number."""
        assert self.folder is not None and self.path is not None
        if self._number is not None and self._db is not None:
            return self._db, self._number
        self.folder.mkdir(parents=True, exist_ok=True)
        for stale in (*self.folder.glob("content-*.pickle"), *self.folder.glob("cache-*.sqlite")):
            if stale != self.path:
                stale.unlink(missing_ok=True)
        if self._db is None:
            self._db = sqlite3.connect(self.path, timeout=30)
        db = self._db
        # No fsync per build: a cache lost in a power cut is only a slower build (a damaged file is
        # dropped). The default rollback journal, removed after each build, not a write-ahead log
        # that would keep megabytes beside the cache.
        db.execute("PRAGMA synchronous = OFF")
        with db:
            db.execute("CREATE TABLE IF NOT EXISTS entries (key TEXT PRIMARY KEY, value BLOB, build INTEGER)")
            db.execute("CREATE TABLE IF NOT EXISTS builds (number INTEGER)")
            self._number = (db.execute("SELECT max(number) FROM builds").fetchone()[0] or 0) + 1
        return db, self._number

    def _collect(self, live: int, kept: set[str]) -> None:
        db, number = self._open()
        with db:
            db.execute("DELETE FROM builds")
            db.execute("INSERT INTO builds VALUES (?)", (number,))
            if db.execute("SELECT count(*) FROM entries").fetchone()[0] > 2 * live + SLACK:
                db.execute("CREATE TEMP TABLE IF NOT EXISTS live (key TEXT PRIMARY KEY)")
                db.execute("DELETE FROM temp.live")
                db.executemany("INSERT INTO temp.live VALUES (?)", ((k,) for k in sorted(kept)))
                db.execute(
                    "DELETE FROM entries WHERE build <= ? AND key NOT IN (SELECT key FROM temp.live)",
                    (number - KEEP_BUILDS,),
                )
