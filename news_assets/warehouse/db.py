"""Connections to the DuckDB warehouse, and the snapshot analysts read.

DuckDB lets one process open a file read-write, or several open it read-only, never both. So the
pipeline works on a private file, `<NEWS_DUCKDB_PATH>.work`, and after each successful run
*publishes* it: a checkpointed copy renamed over `$NEWS_DUCKDB_PATH` in one atomic step. Analysts
open `$NEWS_DUCKDB_PATH` read-only whenever they like: they never block the pipeline, never see a
half-written run, and a connection held across a publish keeps reading the snapshot it opened.

Our own processes (CLI, Dagster runs, sensors) take an advisory lock on `<work file>.lock` first,
so a second writer waits for the first instead of failing, and readers share the file. Work is
computed outside the lock; only the short read or write transaction holds it.
"""
from __future__ import annotations

import concurrent.futures
import contextlib
import fcntl
import functools
import json
import os
import shutil
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TypeVar

import duckdb

from news_assets.config import duckdb_memory_limit_from_env, scaled_memory_size

T = TypeVar("T")

SQL_DIR = Path(__file__).resolve().parents[2] / "sql"


@functools.cache
def load_sql(name: str) -> str:
    """Text of sql/<name>.sql. Values always go in as parameters, never spliced into this text."""
    return (SQL_DIR / f"{name}.sql").read_text(encoding="utf-8")


class Warehouse:
    def __init__(self, published_path: str | os.PathLike[str]):
        self.published_path = Path(published_path)
        self.path = self.published_path.with_name(self.published_path.name + ".work")
        self.lock_path = self.path.with_name(self.path.name + ".lock")
        self.copied = False  # whether the last publish() published the work file
        self.written = 0  # bytes the last publish() wrote (all of them when it copied, not patched)

    def publish(self) -> Path:
        """Atomically replace the analysts' file with a consistent copy of the work file.

        Skipped when neither file changed since the last publish (a refresh with nothing new, a
        sensor's publish after a run that wrote nothing). The file replaced is kept as a spare
        (`.<name>.spare`): the next publish, if no reader still has the spare open, rewrites only
        its blocks that differ from the work file and renames it into place. A copy of the whole
        warehouse, written and synced, grew with it (0.8 s on ANT x4, 2-5 s on x8); a refresh
        changes a few percent of the blocks (20 of 943 MB on ANT x4 + 315 files). Readers keep
        their snapshot either way: DuckDB holds a lock on every file it has open, and a spare that
        is locked is left alone (a full copy is made instead). `self.copied` says whether this
        call published; `self.written` how many bytes it wrote.
        """
        self.copied = False
        self.written = 0
        if not self.path.exists():
            _end_read_aheads(stop=True)
            return self.published_path
        with self._locked(exclusive=True):
            # A publish killed between copy and rename leaves its temporary files: remove those.
            for stale in self.published_path.parent.glob(f".{self.published_path.name}.*.tmp"):
                stale.unlink(missing_ok=True)
            con = _connect_with_retry(self.path, read_only=False)
            try:
                con.execute("CHECKPOINT warehouse")  # fold the WAL into the file so the copy is complete
            finally:
                con.close()
            work = _file_identity(self.path)
            if work is not None and self._published_from() == [work, _file_identity(self.published_path)]:
                # Nothing to compare: the files need not be read any further. An unchanged refresh
                # waited here for the rest of them: on ANT x8 with the three files evicted, 6.4-6.8 s
                # before, 5.3-6.3 s since (6 runs each, alternating; scratch).
                _end_read_aheads(stop=True)
                return self.published_path
            # A read-ahead still running has the spare open, and closing it would drop the lock
            # taken on the spare below (POSIX locks belong to the process, and go with any of its
            # descriptors): it finishes first.
            _end_read_aheads(stop=False)
            new = self._spare_path
            written = _patch_unlocked(self.path, new)
            if written is None:
                new = self.published_path.with_name(f".{self.published_path.name}.{os.getpid()}.tmp")
                shutil.copyfile(self.path, new)
                with open(new, "rb+") as fh:
                    os.fsync(fh.fileno())
                written = os.path.getsize(new)
            os.chmod(new, 0o444)  # the published file is output: analysts cannot write into it by accident
            # The file about to be replaced becomes the next spare (a second name for it, made first).
            keep = self.published_path.with_name(f".{self.published_path.name}.{os.getpid()}.keep.tmp")
            try:
                os.link(self.published_path, keep)
            except FileNotFoundError:
                keep = None
            os.replace(new, self.published_path)
            if keep is not None:
                os.replace(keep, self._spare_path)
            self._record_published_from(work, _file_identity(self.published_path))
            self.copied = True
            self.written = written
        return self.published_path

    def read_ahead_for_publish(self) -> threading.Thread | None:
        """Start reading the files the next publish compares (the work file and the spare) into
        the page cache, on a thread of their own, while the command does its other work.

        A publish reads both files whole. Out of the page cache, as a daily refresh finds them,
        that took 5.8-7.1 s on ANT x8 (1.9 GB each; 0.5-0.7 s read ahead, see Measured in the
        README). The reads fill the page cache, not this process's memory; none when the two
        files would take more than a quarter of the memory available, or where the kernel takes
        no such advice. None when nothing is read ahead."""
        try:
            sizes = [path.stat().st_size for path in (self.path, self._spare_path)]
        except FileNotFoundError:
            return None  # no spare yet: the next publish copies, it compares nothing
        if not hasattr(os, "posix_fadvise") or sum(sizes) > _available_memory() // 4:
            return None
        files = [self.path, self._spare_path]
        stop = threading.Event()
        thread = threading.Thread(target=_read_ahead, args=(files, stop), name="news-assets read-ahead", daemon=True)
        thread.start()
        _READ_AHEADS.append((thread, stop))
        return thread

    @property
    def _spare_path(self) -> Path:
        return self.published_path.with_name(f".{self.published_path.name}.spare")

    @property
    def _marker_path(self) -> Path:
        return self.published_path.with_name(f".{self.published_path.name}.published-from")

    def _published_from(self) -> list | None:
        """[work file, published file] identities recorded by the last publish, if readable."""
        try:
            return json.loads(self._marker_path.read_text())
        except (OSError, ValueError):
            return None

    def _record_published_from(self, work: list | None, published: list | None) -> None:
        # Written after the rename: a publish killed before this line leaves the old record, which
        # no longer matches the published file, so the next publish copies again.
        tmp = self._marker_path.with_name(f"{self._marker_path.name}.{os.getpid()}.tmp")
        tmp.write_text(json.dumps([work, published]))
        os.replace(tmp, self._marker_path)

    @contextlib.contextmanager
    def _locked(self, exclusive: bool) -> Iterator[None]:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(self.lock_path, os.O_RDWR | os.O_CREAT, 0o644)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX if exclusive else fcntl.LOCK_SH)
            yield
        finally:
            fcntl.flock(fd, fcntl.LOCK_UN)
            os.close(fd)

    @contextlib.contextmanager
    def connect(self, write: bool = False, memory_limit: str | None = None) -> Iterator[duckdb.DuckDBPyConnection]:
        """A connection held only for the duration of the block (a cursor of this process's DuckDB
        instance for the file, see _Host).

        Readers of a file that does not exist yet get an in-memory database with the schema, so
        "nothing built yet" reads as empty tables rather than an error. ``memory_limit``: DuckDB's
        limit for this connection instead of $NEWS_DUCKDB_MEMORY_LIMIT (see ``lookup``).
        """
        with self._locked(exclusive=write):
            if not write and not self.path.exists():
                con = duckdb.connect(":memory:")
                ensure_schema(con)
            else:
                con = _connect_with_retry(self.path, read_only=not write, memory_limit=memory_limit)
                if write:
                    ensure_schema(con)
            try:
                yield con
            finally:
                con.close()

    def lookup(self, name: str, params: dict | None = None, **frames: object) -> list[tuple]:
        """Rows of sql/<name>.sql, read under a small DuckDB memory limit (LOOKUP_MEMORY_LIMIT): for
        queries that scan a whole big column, such as rows picked all over a table by the ids in
        the registered ``frames`` (batches of bodies), or a summary over every body.

        A scan that cannot skip row groups reads the whole column, and DuckDB keeps what it read
        cached up to its limit: reading 2,000 bodies picked at random took +156 MB on ANT and
        +233 MB on ANT x2 at 1 GB, +82 and +83 MB at 32 MB; the cost grew with the table, not with
        the rows wanted. A sort of the rows wanted may not fit: sort them in Python. Results too
        big for the small limit are read again under larger ones (with_memory_fallback).
        ``params``: the file's named $parameters. Inside another connection of this process the
        lookup shares that connection's attachment, and so its memory limit (_Host).
        """
        def read(limit: str | None) -> list[tuple]:
            with self.connect(memory_limit=limit) as con:
                for frame_name, frame in frames.items():
                    con.register(frame_name, frame)
                return run_sql(con, name, **(params or {})).fetchall()

        return with_memory_fallback(read, LOOKUP_MEMORY_LIMIT)

    @contextlib.contextmanager
    def transaction(self, memory_limit: str | None = None) -> Iterator[duckdb.DuckDBPyConnection]:
        """A write connection inside BEGIN … COMMIT: all of a stage's writes land, or none do."""
        with self.connect(write=True, memory_limit=memory_limit) as con:
            con.execute("BEGIN TRANSACTION")
            try:
                yield con
            except BaseException:
                con.execute("ROLLBACK")
                raise
            con.execute("COMMIT")


PATCH_CHUNK = 4 << 20  # bytes compared at a time
PATCH_BLOCK = 256 << 10  # DuckDB's block size: the unit a checkpoint rewrites
# Where DuckDB's blocks start: after its file header and two database headers of 4 KiB each.
# Blocks compared from there are DuckDB's own, so a block DuckDB rewrote is one block to write
# again, not the two it straddled when they were cut from the file's start (ANT x8 after a
# scattered refresh: 76 blocks differ from the snapshot before, 87 cut from 0; scratch).
PATCH_START = 3 * 4096


def _patch_unlocked(source: Path, target: Path) -> int | None:
    """Make ``target`` a byte copy of ``source`` by writing only the blocks that differ (the
    headers, then DuckDB's blocks: PATCH_START), then sync it; the bytes written. None, with
    ``target`` untouched, when it does not exist or a process holds a lock on it (a DuckDB
    connection has it open: a reader of an earlier snapshot).

    The two halves of the file are compared on two threads: reading a chunk (a copy out of the
    page cache, or a read from disk) releases the GIL, and that is most of the time. ANT x8's
    1.9 GB files, cached: 0.40 s on one thread, 0.27-0.30 s on two, with 18 MB to rewrite (scratch)."""
    try:
        os.chmod(target, 0o644)
        fd = os.open(target, os.O_RDWR)
    except FileNotFoundError:
        return None
    try:
        try:
            fcntl.lockf(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            os.chmod(target, 0o444)
            return None
        src = os.open(source, os.O_RDONLY)
        try:
            size = os.fstat(src).st_size
            start = min(PATCH_START, size)
            # chunks stay aligned to DuckDB's blocks
            middle = start + (max(size - start, 0) // 2) // PATCH_CHUNK * PATCH_CHUNK
            with concurrent.futures.ThreadPoolExecutor(2) as pool:
                parts = [pool.submit(_patch_range, src, fd, a, b)
                         for a, b in ((0, start), (start, middle), (middle, size))]
                written = sum(part.result() for part in parts)
        finally:
            os.close(src)
        os.ftruncate(fd, size)
        os.fsync(fd)
        return written
    finally:
        os.close(fd)  # also releases the lock


def _patch_range(src: int, dst: int, start: int, end: int) -> int:
    """Write into ``dst`` the blocks of [start, end) that differ from ``src``; the bytes written."""
    written, offset = 0, start
    while offset < end:
        chunk = os.pread(src, min(PATCH_CHUNK, end - offset), offset)
        if not chunk:
            break  # the source is shorter than it was (not expected: it is locked and checkpointed)
        old = os.pread(dst, len(chunk), offset)
        if old != chunk:
            for i in range(0, len(chunk), PATCH_BLOCK):
                block = chunk[i:i + PATCH_BLOCK]
                if old[i:i + PATCH_BLOCK] != block:
                    os.pwrite(dst, block, offset + i)
                    written += len(block)
        offset += len(chunk)
    return written


# (thread, its stop flag): started by read_ahead_for_publish, ended by publish
_READ_AHEADS: list[tuple[threading.Thread, threading.Event]] = []
READ_AHEAD_STEP = 8 << 20  # bytes asked for at a time (one request for a whole file read ~8 MB)


def _end_read_aheads(stop: bool) -> None:
    """Wait for the read-aheads started by this process to finish, or with ``stop``, for them to
    stop after the step they are at."""
    while _READ_AHEADS:
        thread, stop_flag = _READ_AHEADS.pop()
        if stop:
            stop_flag.set()
        thread.join()


def _read_ahead(files: list[Path], stop: threading.Event) -> None:
    """Ask the kernel to read the files into the page cache (posix_fadvise WILLNEED, a step at a
    time); it reads them while this process goes on. Reading them here instead, in order (sendfile
    to /dev/null), left a publish on cold ANT x8 files at 2.8-3.3 s against 0.5-0.7 s this way."""
    for path in files:
        try:
            fd = os.open(path, os.O_RDONLY)
        except OSError:
            continue  # replaced or removed meanwhile: the publish will see to it
        try:
            size = os.fstat(fd).st_size
            for offset in range(0, size, READ_AHEAD_STEP):
                if stop.is_set():
                    return
                os.posix_fadvise(fd, offset, READ_AHEAD_STEP, os.POSIX_FADV_WILLNEED)
        except OSError:
            pass  # only a head start: the publish reads what it needs either way
        finally:
            os.close(fd)


def _available_memory() -> int:
    """MemAvailable from /proc/meminfo in bytes (0 where there is none: no read-ahead)."""
    try:
        with open("/proc/meminfo") as fh:
            for line in fh:
                if line.startswith("MemAvailable:"):
                    return int(line.split()[1]) * 1024
    except OSError:
        pass
    return 0


def _file_identity(path: Path) -> list | None:
    """What changes whenever the file is written or replaced: inode, size, and the modification
    and change times in nanoseconds; None if it does not exist."""
    try:
        st = path.stat()
    except FileNotFoundError:
        return None
    return [st.st_dev, st.st_ino, st.st_size, st.st_mtime_ns, st.st_ctime_ns]


def _connect_with_retry(path: Path, read_only: bool, memory_limit: str | None = None) -> duckdb.DuckDBPyConnection:
    # A process outside our lock (an analyst's read-write session) can still hold the file; wait a
    # little for it, then fail with a message that says what to do.
    deadline = time.monotonic() + 60
    delay = 0.05
    while True:
        try:
            return _open(path, read_only, memory_limit)
        except duckdb.IOException as exc:
            if "lock" not in str(exc).lower() or time.monotonic() > deadline:
                raise RuntimeError(
                    f"cannot open {path}: another process holds it ({exc}). Close other read-write "
                    "DuckDB sessions on this file (analysts: open it with read_only=True)."
                ) from exc
            time.sleep(delay)
            delay = min(delay * 2, 1.0)


LOOKUP_MEMORY_LIMIT = "32MB"  # Warehouse.lookup


def with_memory_fallback(work: Callable[[str | None], T], limit: str, on_retry: Callable[[], None] | None = None) -> T:
    """``work(limit)``; if DuckDB runs out of memory under that limit, ``work`` again under four
    times it, then under the usual limit (``None``). ``on_retry`` is called before the first retry.
    ``work`` must leave nothing behind when it fails (a read, or a transaction that rolls back).

    The middle step is there because a query that just misses a small limit does not need the
    usual one: ANT x4's parse summary, at 32 MB, failed one run in four (DuckDB's threads do not
    always need the same memory), and at the usual 1 GB it took the process +540 MiB for a moment.
    """
    for k, attempt in enumerate((limit, scaled_memory_size(limit, 4))):
        try:
            return work(attempt)
        except duckdb.OutOfMemoryException:
            if k == 0 and on_retry is not None:
                on_retry()
    return work(None)


# Rows per row group that write connections give the row groups they start (DuckDB's default is
# 122,880). A checkpoint can rewrite a table's open row group whole, and it runs as each batch's
# connection closes: appending ANT's articles 2,000 at a time (scratch loop), the default made
# some checkpoints take 600-850 MB for a moment; with 16,384 rows they stay under ~170 MB. Parsing
# ANT x4 (scratch, ingest and parse only), the largest such moment in the build process was 1,169 MiB
# RSS at 32,768 rows, 788 at 16,384, 580 at 8,192.
ROW_GROUP_ROWS = 8_192


# DuckDB threads for this process's connections; None: DuckDB's default, one per core. Range
# processes that run side by side take a share each (cli._core_share).
_THREADS: int | None = None


def set_duckdb_threads(threads: int | None) -> None:
    """Threads for DuckDB's queries in this process from its next connection on (None: DuckDB's
    default). Taken when the warehouse is next attached: connections already open keep theirs."""
    global _THREADS
    _THREADS = threads


class _Host:
    """A DuckDB instance of this process that the warehouse file is attached to for each connection.

    Starting a DuckDB instance costs ~18 ms whatever the file (an in-memory one too), attaching a
    file to a running one ~2-3 ms, and a refresh opens ~47 connections: on ANT x8 with 315 new
    files, 1.0 s of opens and 0.85 s of closes before, 0.4 and 0.4 s since (the closes of writers
    are mostly checkpoints; scratch wrapper, 2026-11-29). So connections are cursors of one instance per
    file: the first attaches the file in its mode, under its memory limit; the last to close
    detaches it, which checkpoints a read-write attachment and releases DuckDB's lock on the file,
    as closing an instance did. What does not fit the memory limit spills beside the file (an
    in-memory database's default is ./.tmp, wherever the command was started); DuckDB cannot move
    that folder once used, hence an instance per file. Guarded by _HOSTS_LOCK. A forked child
    starts instances of its own (_forget_hosts_in_child).
    """

    def __init__(self, path: Path) -> None:
        self.path = str(path)
        self.instance = duckdb.connect(":memory:", config={"temp_directory": f"{path}.tmp"})
        self.read_only: bool | None = None  # the attachment's mode while connections are open
        self.users = 0
        self.threads: int | None = None  # as set_duckdb_threads last asked (None: DuckDB's default)

    def open(self, read_only: bool, memory_limit: str | None) -> _Connection:
        if self.users == 0:
            limit = memory_limit or duckdb_memory_limit_from_env()
            self.instance.execute(f"SET memory_limit = '{_quoted(limit)}'")
            if self.threads != _THREADS:
                self.instance.execute("RESET threads" if _THREADS is None else f"SET threads = {int(_THREADS)}")
                self.threads = _THREADS
            quoted = _quoted(self.path)
            # The row group size is an option of ATTACH (see ROW_GROUP_ROWS).
            self.instance.execute(f"ATTACH '{quoted}' AS warehouse ("
                                  + ("READ_ONLY" if read_only else f"ROW_GROUP_SIZE {ROW_GROUP_ROWS}") + ")")
            self.read_only = read_only
        elif self.read_only != read_only:
            raise RuntimeError(f"{self.path} is open in this process {'read-only' if self.read_only else 'read-write'}: "
                               "close that connection before opening one of the other mode")
        self.users += 1
        try:
            cursor = self.instance.cursor()
            cursor.execute("USE warehouse")
        except BaseException:
            self.release()
            raise
        return _Connection(cursor, self)

    def release(self) -> None:
        self.users -= 1
        if self.users == 0:
            self.read_only = None
            self.instance.execute("DETACH warehouse")
            # Closing an instance handed its allocator's free memory back to the system; a running
            # one keeps it for reuse. Range pieces of ANT x8 run one after another in one process
            # ended at 422 / 437 MiB RSS without this, 350 / 359 with it (336 / 359 with an instance
            # a connection), for ~2 % of their time (scratch, 2026-11-29).
            if (flush := _allocator_flush()) is not None:
                flush()


@functools.cache
def _allocator_flush() -> Callable[[], None] | None:
    """DuckDB's static ``duckdb::Allocator::FlushAll()``, which returns the memory its allocator
    (jemalloc, in the Linux builds) holds free to the system, through ctypes; None where the
    extension module does not export it (another platform or build)."""
    import ctypes

    try:
        import _duckdb

        return ctypes.CDLL(_duckdb.__file__)._ZN6duckdb9Allocator8FlushAllEv
    except (ImportError, OSError, AttributeError):
        return None


def _quoted(text: str) -> str:
    return text.replace("'", "''")


class _Connection:
    """A cursor of a _Host's instance, on the attached warehouse; close() hands the attachment back."""

    def __init__(self, cursor: duckdb.DuckDBPyConnection, host: _Host) -> None:
        self._cursor = cursor
        self._host: _Host | None = host

    def __getattr__(self, name: str):
        return getattr(self._cursor, name)

    def close(self) -> None:
        if self._host is not None:
            host, self._host = self._host, None
            try:
                self._cursor.close()
            finally:
                with _HOSTS_LOCK:
                    host.release()

    def __enter__(self) -> _Connection:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


_HOSTS: dict[str, _Host] = {}  # by file: this process's instances (see _Host)
_HOSTS_LOCK = threading.Lock()


_INHERITED: list[dict[str, _Host]] = []  # a forked child's copies of its parent's instances: never used, never freed


def _forget_hosts_in_child() -> None:
    # The parent's instances are not the child's to use, nor to close: their threads did not come
    # along, and freeing one (dropping the last reference) would wait for them or crash the child.
    # So they are kept, unused. The lock may have been held by another of the parent's threads.
    global _HOSTS, _HOSTS_LOCK
    _INHERITED.append(_HOSTS)
    _HOSTS, _HOSTS_LOCK = {}, threading.Lock()


os.register_at_fork(after_in_child=_forget_hosts_in_child)


def _open(path: Path, read_only: bool, memory_limit: str | None = None) -> duckdb.DuckDBPyConnection:
    with _HOSTS_LOCK:
        host = _HOSTS.get(str(path))
        if host is None:
            for other in [h for h in _HOSTS.values() if h.users == 0]:  # one instance a file in use, not one a file ever used
                other.instance.close()
                del _HOSTS[other.path]
            host = _HOSTS[str(path)] = _Host(path)
        return host.open(read_only, memory_limit)  # type: ignore[return-value]  # has a connection's methods


SCHEMA_TABLES = (
    "raw_documents", "rejected_documents", "parsed_documents", "articles", "article_duplicates", "entity_mentions",
    "extraction_log", "entities", "mention_counts_daily", "entity_cooccurrence", "pipeline_state",
    "article_fingerprints", "duplicate_similarities", "entity_mention_changes", "entity_surface_counts",
    "fingerprint_bands", "counted_articles", "paired_articles",
)


# Columns added to a table after warehouses were built with it (also in sql/schema.sql, for new ones).
ADDED_COLUMNS = (("article_fingerprints", "band_keys", "UBIGINT[]"),)


def ensure_schema(con: duckdb.DuckDBPyConnection) -> None:
    """Create the warehouse tables if any is missing (idempotent DDL in sql/schema.sql).

    Checked first so an ordinary write does not rewrite the catalogue comments every time.
    """
    present = {row[0] for row in con.execute(
        "SELECT table_name FROM duckdb_tables() UNION ALL SELECT table_name || '.' || column_name "
        "FROM duckdb_columns() WHERE (table_name, column_name) IN (" + ", ".join(
            f"('{table}', '{column}')" for table, column, _type in ADDED_COLUMNS) + ")").fetchall()}
    if not set(SCHEMA_TABLES) <= present:
        con.execute(load_sql("schema"))
    for table, column, sql_type in ADDED_COLUMNS:
        if f"{table}.{column}" not in present and table in present:  # a warehouse built before the column
            con.execute(f"ALTER TABLE {table} ADD COLUMN IF NOT EXISTS {column} {sql_type}")


def run_sql(con: duckdb.DuckDBPyConnection, name: str, **params: object) -> duckdb.DuckDBPyConnection:
    """Run sql/<name>.sql, one statement after another, with named $parameters.

    Each statement receives only the parameters it names, so one file can hold a DELETE and an
    INSERT that take different values.
    """
    result = con
    for statement in _statements(name):
        used = {k: v for k, v in params.items() if f"${k}" in statement}
        result = con.execute(statement, used) if used else con.execute(statement)
    return result


def query(con: duckdb.DuckDBPyConnection, name: str, **params: object) -> duckdb.DuckDBPyRelation:
    """A relation over the single SELECT in sql/<name>.sql (for .pl() / .to_arrow_table() without copies)."""
    (statement,) = _statements(name)
    used = {k: v for k, v in params.items() if f"${k}" in statement}
    return con.sql(statement, params=used or None)


@functools.cache
def _statements(name: str) -> tuple[str, ...]:
    text = "\n".join(line for line in load_sql(name).splitlines() if not line.lstrip().startswith("--"))
    return tuple(s.strip() for s in text.split(";") if s.strip())
