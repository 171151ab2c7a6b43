"""Batches of a range's extraction that another process can take over (no Dagster import).

Range runs that run side by side (news-assets build / backfill with $NEWS_WORKERS > 1) are cut to
finish together, but one process can still end seconds before the other: the machine slows one
down, or the estimate of a piece was off. The extraction of a range is a list of batches, each
read, extracted and written in its own transaction; the run that owns the range takes them from
the front, and a process whose own ranges are done takes them from the back, until they meet.

The board is a folder the command creates for its range runs and removes after them:

- `<key>.plan`: a range's batches (the article ids, the parse-time window to read them from) and
  what writes them (extractor, version, the owner's run id), published by the owner;
- `<key>.<i>.claim`: whoever made this file runs batch i. It appears already locked (made under
  another name, locked, then linked into place), and its maker holds the lock until the batch is
  committed and its result written;
- `<key>.<i>.done`: the result (mentions written, offsets not matching), written before the lock
  is released;
- `<key>.finished`: the owner is past its batches; nothing of that range is left to take.

A helper that dies leaves a claim without a result: its lock is released with its process, and
the owner runs that batch itself.
"""
from __future__ import annotations

import contextlib
import fcntl
import os
import pickle
from collections.abc import Iterator
from pathlib import Path

_BOARD: Board | None = None  # the board of the range runs this process runs, if any


def current_board() -> Board | None:
    """The board set for this process's range runs, or None (runs launched one by one, from the UI)."""
    return _BOARD


@contextlib.contextmanager
def using_board(folder: str | os.PathLike[str] | None) -> Iterator[Board | None]:
    """The board in `folder` for the block (none when folder is None)."""
    global _BOARD
    before = _BOARD
    _BOARD = Board(folder) if folder is not None else None
    try:
        yield _BOARD
    finally:
        _BOARD = before


class Board:
    def __init__(self, folder: str | os.PathLike[str]) -> None:
        self.folder = Path(folder)

    def _path(self, name: str) -> Path:
        return self.folder / name

    def _write(self, name: str, value: object) -> None:
        tmp = self._path(f".{name}.{os.getpid()}.tmp")
        tmp.write_bytes(pickle.dumps(value))
        os.replace(tmp, self._path(name))

    def publish(self, key: str, plan: dict) -> None:
        """Make a range's plan visible: plan["units"] lists its batches in the owner's order."""
        self._write(f"{key}.plan", plan)

    def finish(self, key: str) -> None:
        self._write(f"{key}.finished", True)

    @contextlib.contextmanager
    def claim(self, key: str, i: int) -> Iterator[bool]:
        """Yields whether this process got batch i of `key` (False: someone else has it). When it
        did, the claim stays locked until the block ends: write the result (done) inside it."""
        tmp = self._path(f".{key}.{i}.{os.getpid()}.claim")
        fd = os.open(tmp, os.O_RDWR | os.O_CREAT | os.O_TRUNC, 0o644)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX)
            try:
                os.link(tmp, self._path(f"{key}.{i}.claim"))
                got = True
            except FileExistsError:
                got = False
            finally:
                tmp.unlink()
            yield got
        finally:
            os.close(fd)  # releases the lock

    def done(self, key: str, i: int, result: object) -> None:
        """Batch i's result, written by the claim's holder before it lets go."""
        self._write(f"{key}.{i}.done", result)

    def result(self, key: str, i: int) -> object | None:
        """Batch i's result once its holder let go (waits for that); None if it never wrote one."""
        fd = os.open(self._path(f"{key}.{i}.claim"), os.O_RDONLY)
        try:
            fcntl.flock(fd, fcntl.LOCK_SH)
        finally:
            os.close(fd)
        path = self._path(f"{key}.{i}.done")
        return pickle.loads(path.read_bytes()) if path.exists() else None

    def open_plans(self) -> list[tuple[str, dict]]:
        """The published plans whose owners are not past their batches yet."""
        plans = []
        for path in sorted(self.folder.glob("*.plan")):
            key = path.name[:-len(".plan")]
            if not self._path(f"{key}.finished").exists():
                plans.append((key, pickle.loads(path.read_bytes())))
        return plans

    def taken(self, key: str, i: int) -> bool:
        return self._path(f"{key}.{i}.claim").exists()


def batch_bounds(n: int, batch: int, tail_parts: int = 1) -> list[tuple[int, int]]:
    """[start, end) of the batches of n items: `batch` items each (the last of them short if need
    be), and the last `batch` items cut in `tail_parts` (finer pieces where a helper taking batches
    from the back meets the owner taking them from the front)."""
    if n <= 0:
        return []
    tail = min(n, batch) if tail_parts > 1 else 0
    head = n - tail
    bounds = [(i, min(i + batch, head)) for i in range(0, head, batch)]
    if tail:
        cuts = [head + tail * k // tail_parts for k in range(tail_parts + 1)]
        bounds += [(a, b) for a, b in zip(cuts, cuts[1:]) if b > a]
    return bounds
