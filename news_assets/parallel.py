"""Spread CPU-bound per-item work (reading, parsing, extraction) over the machine's cores.

No Dagster import. Workers are forked, so large read-only state built before the call (the
gazetteers) is shared, not rebuilt; results come back in input order.
"""
from __future__ import annotations

import multiprocessing as mp
import os
from collections.abc import Callable, Iterable, Iterator
from typing import TypeVar

T = TypeVar("T")
R = TypeVar("R")


def worker_count() -> int:
    """$NEWS_WORKERS, else the number of usable cores."""
    raw = os.environ.get("NEWS_WORKERS", "").strip()
    if raw:
        if not raw.isdigit() or int(raw) < 1:
            raise ValueError(f"NEWS_WORKERS={raw!r} must be a whole number ≥ 1")
        return int(raw)
    return max(1, len(os.sched_getaffinity(0)))


class WorkerPool:
    """Forked worker processes kept for several ordered maps (their caches stay warm between
    batches); inline when workers <= 1. Use as a context manager."""

    def __init__(self, workers: int | None = None) -> None:
        self.workers = worker_count() if workers is None else workers
        self._pool = None

    def __enter__(self) -> WorkerPool:
        return self

    def __exit__(self, *exc: object) -> None:
        if self._pool is not None:
            self._pool.shutdown()
            self._pool = None

    def map(self, fn: Callable[[T], R], items: Iterable[T], chunksize: int = 64) -> Iterator[R]:
        """fn over items, in order. A worker that dies (killed, out of memory) fails the call with
        BrokenProcessPool instead of leaving it waiting forever for results that will never come."""
        items = list(items)
        if self.workers <= 1 or len(items) < 2 * chunksize:
            return map(fn, items)
        if self._pool is None:  # forked on first use: state built before then is shared
            self._pool = _forked_executor(self.workers)
        return self._pool.map(fn, items, chunksize=chunksize)


class Background:
    """One forked process that runs submitted calls while this process goes on with other work
    (e.g. two halves of one pass over a corpus); calls run inline at submit when there is no
    second core to use ($NEWS_WORKERS=1). Use as a context manager; ``submit`` returns a Future."""

    def __init__(self, workers: int | None = None) -> None:
        self.inline = (worker_count() if workers is None else workers) <= 1
        self._pool = None

    def __enter__(self) -> Background:
        return self

    def __exit__(self, *exc: object) -> None:
        if self._pool is not None:
            self._pool.shutdown(cancel_futures=exc[0] is not None)
            self._pool = None

    def submit(self, fn: Callable[..., R], *args):
        from concurrent.futures import Future

        if self.inline:
            done: Future = Future()
            try:
                done.set_result(fn(*args))
            except BaseException as exc:  # noqa: BLE001 - handed back through the future, as a pool would
                done.set_exception(exc)
            return done
        if self._pool is None:  # forked on first use: state built before then is shared
            self._pool = _forked_executor(1)
        return self._pool.submit(fn, *args)


def ordered_map(fn: Callable[[T], R], items: Iterable[T], workers: int | None = None, chunksize: int = 64) -> Iterator[R]:
    """fn over items, in order, on `workers` forked processes (inline when 1 or few items)."""
    with WorkerPool(workers) as pool:
        yield from pool.map(fn, items, chunksize)


def _forked_executor(workers: int):
    from concurrent.futures import ProcessPoolExecutor

    return ProcessPoolExecutor(workers, mp_context=mp.get_context("fork"), initializer=_reset_signals)


def _reset_signals() -> None:
    # Forked from a Dagster step, workers inherit its handlers, which turn SIGTERM/SIGINT into
    # DagsterExecutionInterruptedError tracebacks; workers should just stop.
    import signal

    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    signal.signal(signal.SIGINT, signal.SIG_IGN)
