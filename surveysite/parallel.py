"""Map a function over many items on every core, or serially when that is not worth it.

Workers are forked, so they share the parent's memory (the site model, views and templates):
only results come back, each down the pipe of the worker that made it. Worker k takes items
k, k + n, k + 2n, ..., so the parent reads the results in order, one pipe after another, and a
worker that runs ahead blocks on its full pipe instead of piling results up in memory.

Not multiprocessing.Pool: interrupted (Ctrl-C, SIGTERM) while its workers wait on the task queue,
its terminate() can wait forever for a lock that a worker holds. Here the parent simply kills
its workers. Small sites stay serial: starting processes costs more than it saves below a few
hundred items.
"""

from __future__ import annotations

import contextlib
import os
import pickle
import signal
import struct
from collections.abc import Callable, Iterator, Sequence
from typing import Any, TypeVar

T = TypeVar("T")
MINIMUM = 200
"""Fewer items than this are processed in this process."""
_SIGNALS = {signal.SIGINT, signal.SIGTERM}
_HEADER = struct.Struct("<Q?")
"""Length of the pickled payload, and whether it is an exception raised by the function."""


def jobs() -> int:
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)


def parallel_map(function: Callable[[Any], T], items: Sequence[Any]) -> list[T]:
    """[function(item) for item in items], in order, across processes when there are enough items."""
    return list(parallel_iter(function, items))


def parallel_iter(function: Callable[[Any], T], items: Sequence[Any]) -> Iterator[T]:
    """function(item) for each item, in order, as results arrive: the caller can consume (write,
    drop) each one while the workers go on, so results never pile up in memory."""
    workers = min(jobs(), len(items))
    if len(items) < MINIMUM or workers < 2 or not hasattr(os, "fork"):
        yield from (function(item) for item in items)
        return
    children: list[tuple[int, Any]] = []
    try:
        for k in range(workers):
            read, write = os.pipe()
            # Signals wait until the worker has its own handlers: one arriving in between would
            # run the parent's (clean-up, report) in the child too.
            signal.pthread_sigmask(signal.SIG_BLOCK, _SIGNALS)
            try:
                pid = os.fork()
                if pid == 0:  # the worker: never returns, whatever happens
                    try:
                        # A signal the parent caught just before the fork is still due in this copy
                        # of it: raised here, it must end the worker, not run the parent's handling.
                        os.close(read)
                        _work(function, items, k, workers, write)
                    finally:
                        os._exit(1)
                os.close(write)
                children.append((pid, os.fdopen(read, "rb")))  # recorded before a signal can interrupt
            finally:
                signal.pthread_sigmask(signal.SIG_UNBLOCK, _SIGNALS)
        for index in range(len(items)):
            failed, payload = _receive(children[index % workers][1])
            if failed:
                raise payload
            yield payload
    finally:
        for pid, pipe in children:
            with contextlib.suppress(ProcessLookupError):  # a finished one is a zombie: harmless
                os.kill(pid, signal.SIGKILL)
            pipe.close()
            os.waitpid(pid, 0)


def _work(function: Callable[[Any], Any], items: Sequence[Any], k: int, step: int, fd: int) -> None:
    status = 0
    try:
        # Ctrl-C reaches the whole process group: only the parent reports it, and ends the workers.
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        signal.signal(signal.SIGTERM, signal.SIG_DFL)
        signal.pthread_sigmask(signal.SIG_UNBLOCK, _SIGNALS)
        with os.fdopen(fd, "wb") as out:
            for index in range(k, len(items), step):
                try:
                    result, failed = function(items[index]), False
                except Exception as exc:
                    result, failed = exc, True
                try:
                    data = pickle.dumps(result, protocol=pickle.HIGHEST_PROTOCOL)
                except Exception:  # an exception that cannot be pickled still gets through, as text
                    data, failed = pickle.dumps(RuntimeError(repr(result))), True
                out.write(_HEADER.pack(len(data), failed) + data)
                if failed:
                    break
    except BrokenPipeError:  # the parent stopped reading: it is going away
        status = 1
    except BaseException:
        status = 1
    finally:
        os._exit(status)  # without flushing: the buffers hold the parent's output, not ours


def _receive(pipe: Any) -> tuple[bool, Any]:
    header = pipe.read(_HEADER.size)
    if len(header) < _HEADER.size:
        raise RuntimeError("a build worker died unexpectedly")
    size, failed = _HEADER.unpack(header)
    return failed, pickle.loads(pipe.read(size))
