"""Map a function over many items on every core, or serially when that is not worth it.

Workers are forked, so they share the parent's memory (the site model, views and templates):
only the item index goes in and the result comes out. Small sites stay serial: starting
processes costs more than it saves below a few hundred items.
"""

from __future__ import annotations

import multiprocessing
import os
import signal
from collections.abc import Callable, Iterator, Sequence
from typing import Any, TypeVar

T = TypeVar("T")
MINIMUM = 200
"""Fewer items than this are processed in this process."""

_WORK: tuple[Callable[[Any], Any], Sequence[Any]] | None = None


def _run(index: int) -> Any:
    assert _WORK is not None
    function, items = _WORK
    return function(items[index])


def _worker() -> None:
    """Ctrl-C reaches the whole process group: only the parent reports it (and ends the pool);
    SIGTERM from the pool's own shutdown ends a worker without a word."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)


def jobs() -> int:
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)


def parallel_map(function: Callable[[Any], T], items: Sequence[Any]) -> list[T]:
    """[function(item) for item in items], in order, across processes when there are enough items."""
    return list(parallel_iter(function, items))


def parallel_iter(function: Callable[[Any], T], items: Sequence[Any]) -> Iterator[T]:
    """function(item) for each item, in order, as results arrive: the caller can consume (write,
    drop) each one while the workers go on, so results never pile up in memory."""
    global _WORK
    workers = jobs()
    if len(items) < MINIMUM or workers < 2 or "fork" not in multiprocessing.get_all_start_methods():
        yield from (function(item) for item in items)
        return
    _WORK = (function, items)
    try:
        with multiprocessing.get_context("fork").Pool(workers, initializer=_worker) as pool:
            yield from pool.imap(_run, range(len(items)), chunksize=max(1, len(items) // (workers * 16)))
    finally:
        _WORK = None
