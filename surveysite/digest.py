"""Digests of values, for cache keys and page keys: one canonical encoding, one hash.

Keys must be equal exactly when the values are, in every process and every run: so the encoding
is explicit (a tag and a length for each value, dict items sorted, dataclasses by field), not
pickle, whose bytes depend on object sharing and protocol details, nor hash(), which is salted.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import functools
import hashlib
import os
import re
import struct
import sys
from collections.abc import Iterable
from pathlib import Path, PurePath
from typing import Any

SIZE = 16
"""Bytes of a digest: 128 bits, so that a collision among a site's keys is not a concern."""


def digest(*values: Any) -> bytes:
    """Of `values`, by their canonical encoding."""
    hasher = hashlib.blake2b(digest_size=SIZE)
    for value in values:
        _encode(value, hasher.update)
    return hasher.digest()


def of_bytes(data: bytes) -> bytes:
    """Of raw bytes, such as a file's contents (cheaper than digest(data), same guarantees)."""
    return hashlib.blake2b(data, digest_size=SIZE).digest()


def plain(value: Any) -> bytes:
    """Of nested tuples and lists of str, int, float, bool and None only: their repr is canonical
    (floats print exactly) and made in C, many times faster than digest() for bulk data."""
    return of_bytes(repr(value).encode("utf-8", "surrogatepass"))


def _encode(value: Any, out: Any) -> None:
    """Write `value` to `out` (a hasher's update) as tag + length + payload, recursively."""
    if value is None:
        out(b"N")
    elif value is True or value is False:
        out(b"T" if value else b"F")
    elif isinstance(value, int):
        text = str(value).encode()
        out(b"i" + struct.pack("<I", len(text)) + text)
    elif isinstance(value, float):
        out(b"f" + struct.pack("<d", value))
    elif isinstance(value, str):
        data = value.encode("utf-8", "surrogatepass")
        out(b"s" + struct.pack("<I", len(data)) + data)
    elif isinstance(value, bytes):
        out(b"b" + struct.pack("<I", len(value)) + value)
    elif isinstance(value, (tuple, list)):
        out(b"l" + struct.pack("<I", len(value)))
        for item in value:
            _encode(item, out)
    elif isinstance(value, dict):
        out(b"d" + struct.pack("<I", len(value)))
        for key in sorted(value, key=repr):
            _encode(key, out)
            _encode(value[key], out)
    elif isinstance(value, (set, frozenset)):
        out(b"e" + struct.pack("<I", len(value)))
        for item in sorted(value, key=repr):
            _encode(item, out)
    elif isinstance(value, (dt.date, dt.datetime)):
        _encode(value.isoformat(), out)
    elif isinstance(value, PurePath):
        _encode(value.as_posix(), out)
    elif dataclasses.is_dataclass(value) and not isinstance(value, type):
        name = type(value).__qualname__.encode()
        out(b"c" + struct.pack("<I", len(name)) + name)
        for item in dataclasses.fields(value):
            _encode(getattr(value, item.name), out)
    else:
        raise TypeError(f"cannot digest a {type(value).__name__}")


def code(modules: Iterable[str], packages: Iterable[str]) -> str:
    """Of surveysite's modules (file names) and the packages' versions: what turns inputs into a
    cached value, so that changing either misses the cache."""
    here = Path(__file__).resolve().parent
    hasher = hashlib.blake2b(digest_size=SIZE)
    for name in modules:
        hasher.update(name.encode() + b"\0" + of_bytes((here / name).read_bytes()))
    for package in packages:
        hasher.update(package.encode() + b"\0" + package_version(package).encode() + b"\0")
    return hasher.hexdigest()


def package_version(name: str) -> str:
    """The installed version of a distribution, from its `.dist-info` folder's name when there is
    one: importlib.metadata costs a fifth of the start-up of a no-op rebuild (it imports email)."""
    found = _dist_info().get(_canonical(name))
    if found is None:
        from importlib.metadata import version

        found = version(name)
    return found


def _canonical(name: str) -> str:
    return re.sub(r"[-_.]+", "_", name).lower()


@functools.cache
def _dist_info() -> dict[str, str]:
    """Name -> version of the wheel-installed distributions on sys.path, the first found winning
    (as the import system's order does)."""
    found: dict[str, str] = {}
    for folder in sys.path:
        try:
            names = sorted(os.listdir(folder or "."))
        except OSError:
            continue
        for entry in names:
            stem, dot, suffix = entry.rpartition(".")
            name, dash, number = stem.partition("-")
            if dot and suffix == "dist-info" and dash:
                found.setdefault(_canonical(name), number)
    return found
