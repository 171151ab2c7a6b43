"""Warehouse connections: what a write connection gives the row groups it starts."""
from __future__ import annotations

import os

from news_assets.warehouse import Warehouse
from news_assets.warehouse.db import ROW_GROUP_ROWS


def _row_groups(con, table: str) -> int:
    return con.execute(f"SELECT count(DISTINCT row_group_id) FROM pragma_storage_info('{table}')").fetchone()[0]


def test_write_connections_start_small_row_groups_and_readers_see_every_row(tmp_path):
    # A quote in the folder name: the path is spliced into ATTACH, so it must be escaped.
    wh = Warehouse(tmp_path / "it's here" / "news.duckdb")
    rows = 3 * ROW_GROUP_ROWS + 5
    with wh.transaction() as con:
        con.execute("CREATE TABLE numbers AS SELECT range AS n FROM range($rows)", {"rows": rows})
    with wh.transaction() as con:  # appended by a later connection, as each batch is
        con.execute("INSERT INTO numbers SELECT range FROM range($rows, $more)", {"rows": rows, "more": rows + 100})
    with wh.connect() as con:
        assert con.execute("SELECT count(*), max(n) FROM numbers").fetchone() == (rows + 100, rows + 99)
        assert _row_groups(con, "numbers") == 4  # DuckDB's default (122,880 rows): 2, one per write
        assert con.execute("SELECT count(*) FROM articles").fetchone() == (0,)  # the schema is there


def _articles_with_bodies(wh: Warehouse, n: int, body_chars: int) -> None:
    with wh.transaction() as con:
        con.execute("""
            INSERT INTO articles (article_id, doc_id, article_index, title, title_derived, date_status, keywords,
                body, body_hash, format, parsed_at)
            SELECT 'a' || range, 'd' || range, 0, 't', false, 'missing', [], repeat('كلمة ', $words) || range, 'h',
                'plain', now()
            FROM range($n)""", {"n": n, "words": body_chars // 5})


def test_lookup_reads_the_rows_wanted(tmp_path):
    import polars as pl

    wh = Warehouse(tmp_path / "news.duckdb")
    _articles_with_bodies(wh, 300, 500)
    wanted = ["a7", "a250", "a0", "a7"]
    rows = dict(wh.lookup("duplicates/bodies_of", wanted=pl.DataFrame({"article_id": wanted})))
    assert set(rows) == {"a0", "a7", "a250"}
    assert rows["a250"].endswith("250") and len(rows["a250"]) == 500 + 3


def test_lookup_falls_back_to_the_usual_memory_limit_when_the_rows_do_not_fit_the_small_one(tmp_path, monkeypatch):
    import duckdb
    import polars as pl
    import pytest

    from news_assets.warehouse import db

    wh = Warehouse(tmp_path / "news.duckdb")
    _articles_with_bodies(wh, 40, 400_000)  # ~30 MB of bodies
    wanted = pl.DataFrame({"article_id": [f"a{i}" for i in range(40)]})
    monkeypatch.setattr(db, "LOOKUP_MEMORY_LIMIT", "2MB")
    with pytest.raises(duckdb.OutOfMemoryException):  # what the first attempt meets
        with wh.connect(memory_limit="2MB") as con:
            con.register("wanted", wanted)
            db.run_sql(con, "duplicates/bodies_of").fetchall()
    rows = wh.lookup("duplicates/bodies_of", wanted=wanted)
    assert len(rows) == 40 and all(len(body) > 400_000 for _a, body in rows)


def test_memory_fallback_tries_four_times_the_limit_before_the_usual_one():
    import duckdb
    import pytest

    from news_assets.warehouse.db import with_memory_fallback

    def fails_below(fits):
        seen = []

        def work(limit):
            seen.append(limit)
            if limit not in fits:
                raise duckdb.OutOfMemoryException("does not fit")
            return limit

        return work, seen

    work, seen = fails_below({"128MB"})
    retries = []
    assert with_memory_fallback(work, "32MB", on_retry=lambda: retries.append(1)) == "128MB"
    assert seen == ["32MB", "128MB"] and retries == [1]
    work, seen = fails_below({None})
    assert with_memory_fallback(work, "32MB") is None and seen == ["32MB", "128MB", None]
    work, seen = fails_below(set())
    with pytest.raises(duckdb.OutOfMemoryException):
        with_memory_fallback(work, "1.5GB")
    assert seen == ["1.5GB", "6GB", None]


def _published_count(wh: Warehouse) -> int:
    import duckdb

    with duckdb.connect(str(wh.published_path), read_only=True) as con:
        return con.execute("SELECT count(*) FROM numbers").fetchone()[0]


def test_publish_copies_only_when_the_work_file_or_the_published_file_changed(tmp_path):
    import os

    wh = Warehouse(tmp_path / "news.duckdb")
    with wh.transaction() as con:
        con.execute("CREATE TABLE numbers AS SELECT range AS n FROM range(10)")
    wh.publish()
    assert wh.copied and _published_count(wh) == 10
    first = os.stat(wh.published_path)

    wh.publish()  # nothing written since: the snapshot analysts have open stays as it is
    assert not wh.copied
    assert os.stat(wh.published_path).st_ino == first.st_ino

    with wh.transaction() as con:  # same size on disk, new content
        con.execute("UPDATE numbers SET n = n + 1 WHERE n = 0")
    wh.publish()
    assert wh.copied
    with wh.transaction() as con:
        con.execute("INSERT INTO numbers VALUES (99)")
    Warehouse(tmp_path / "news.duckdb").publish()  # another process's Warehouse: the record is on disk
    assert _published_count(wh) == 11

    wh.published_path.unlink()  # the published file removed (or replaced) by someone else
    wh.publish()
    assert wh.copied and _published_count(wh) == 11

    os.chmod(wh.published_path, 0o644)  # written into (root can even without this)
    import duckdb

    with duckdb.connect(str(wh.published_path)) as con:
        con.execute("DELETE FROM numbers")
    wh.publish()
    assert wh.copied and _published_count(wh) == 11

    for marker in tmp_path.glob(".news.duckdb.published-from"):
        marker.write_text("not json")  # an unreadable record: copy rather than trust it
    wh.publish()
    assert wh.copied
    wh.publish()
    assert not wh.copied


def _same_bytes(a, b) -> bool:
    return open(a, "rb").read() == open(b, "rb").read()


def test_publish_rewrites_only_changed_blocks_of_the_spare_and_readers_keep_their_snapshot(tmp_path):
    import os
    import subprocess
    import sys

    wh = Warehouse(tmp_path / "news.duckdb")
    with wh.transaction() as con:
        con.execute("CREATE TABLE numbers AS SELECT range AS n, md5(range::VARCHAR) || md5((range * 7)::VARCHAR) AS pad "
                    "FROM range(200000)")
    wh.publish()  # nothing to patch yet: a copy
    size = os.path.getsize(wh.published_path)
    assert wh.copied and wh.written == size and not (tmp_path / ".news.duckdb.spare").exists()
    first_inode = os.stat(wh.published_path).st_ino

    with wh.transaction() as con:
        con.execute("INSERT INTO numbers VALUES (-1, 'y')")
    wh.publish()  # the spare is now the first snapshot; there was none to patch: a copy again
    assert wh.written == os.path.getsize(wh.published_path)
    assert os.stat(tmp_path / ".news.duckdb.spare").st_ino == first_inode

    with wh.transaction() as con:
        con.execute("INSERT INTO numbers VALUES (-2, 'z')")
    wh.publish()  # the first snapshot's file patched into the third
    assert os.stat(wh.published_path).st_ino == first_inode
    assert 0 < wh.written < os.path.getsize(wh.published_path) / 2
    assert _same_bytes(wh.published_path, wh.path)
    assert _published_count(wh) == 200002
    assert os.stat(wh.published_path).st_mode & 0o777 == 0o444

    # A reader of the third snapshot holds it across two publishes: when it is the spare, it is
    # not touched (a copy is made), and the reader goes on reading what it opened.
    reader = subprocess.Popen(
        [sys.executable, "-c", (
            "import duckdb, sys\n"
            f"con = duckdb.connect({str(wh.published_path)!r}, read_only=True)\n"
            "print(con.execute('SELECT count(*), min(n) FROM numbers').fetchone(), flush=True)\n"
            "sys.stdin.readline()\n"
            "print(con.execute('SELECT count(*), min(n) FROM numbers').fetchone(), flush=True)\n")],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    try:
        assert reader.stdout.readline().strip() == "(200002, -2)"
        for n in (-3, -4):
            with wh.transaction() as con:
                con.execute("DELETE FROM numbers WHERE n BETWEEN 0 AND 5000")
                con.execute("INSERT INTO numbers VALUES (?, 'w')", [n])
            wh.publish()
            assert _same_bytes(wh.published_path, wh.path)
        assert wh.written == os.path.getsize(wh.published_path)  # the spare was the reader's file
        reader.stdin.write("\n")
        reader.stdin.flush()
        assert reader.stdout.readline().strip() == "(200002, -2)"
    finally:
        reader.stdin.close()
        reader.wait(timeout=30)
    assert os.stat(wh.published_path).st_ino != first_inode

    # With the reader gone, the next publish patches again.
    with wh.transaction() as con:
        con.execute("INSERT INTO numbers VALUES (-5, 'v')")
    wh.publish()
    assert wh.written < os.path.getsize(wh.published_path) / 2 and _same_bytes(wh.published_path, wh.path)


def test_read_ahead_needs_a_spare_and_the_next_publish_waits_for_it(tmp_path, monkeypatch):
    import os

    from news_assets.warehouse import db

    wh = Warehouse(tmp_path / "news.duckdb")
    assert wh.read_ahead_for_publish() is None  # no work file yet
    with wh.transaction() as con:
        con.execute("CREATE TABLE numbers AS SELECT range AS n, md5(range::VARCHAR) AS pad FROM range(200000)")
    wh.publish()
    assert wh.read_ahead_for_publish() is None  # no spare yet: a publish copies, it compares nothing
    with wh.transaction() as con:
        con.execute("INSERT INTO numbers VALUES (-1, 'y')")
    wh.publish()  # now there is a spare

    # Not when the two files would take more than a quarter of the memory available.
    monkeypatch.setattr(db, "_available_memory", lambda: 3 * os.path.getsize(wh.path))
    assert wh.read_ahead_for_publish() is None
    monkeypatch.undo()

    asked = []
    real_fadvise = os.posix_fadvise
    monkeypatch.setattr(os, "posix_fadvise", lambda fd, offset, length, advice: (
        asked.append((os.readlink(f"/proc/self/fd/{fd}"), offset, advice)), real_fadvise(fd, offset, length, advice))[1])
    thread = wh.read_ahead_for_publish()
    assert thread is not None
    with wh.transaction() as con:
        con.execute("INSERT INTO numbers VALUES (-2, 'z')")
    wh.publish()  # joins the read-ahead before it locks and patches the spare
    assert not thread.is_alive() and not db._READ_AHEADS
    # Both files read whole, from the start.
    for path in (wh.path, tmp_path / ".news.duckdb.spare"):
        offsets = [offset for p, offset, _a in asked if p == str(path)]
        assert offsets[0] == 0 and offsets[-1] + db.READ_AHEAD_STEP >= os.path.getsize(path), path
    assert {advice for _p, _o, advice in asked} == {os.POSIX_FADV_WILLNEED}
    assert 0 < wh.written < os.path.getsize(wh.published_path) / 2  # patched, not copied
    assert _same_bytes(wh.published_path, wh.path)


def test_a_publish_with_nothing_to_publish_stops_the_read_ahead(tmp_path, monkeypatch):
    import os
    import time

    from news_assets.warehouse import db

    wh = Warehouse(tmp_path / "news.duckdb")
    for value in (1, 2):  # two publishes: a published file and a spare
        with wh.transaction() as con:
            con.execute(f"CREATE OR REPLACE TABLE numbers AS SELECT range + {value} AS n FROM range(200000)")
        wh.publish()
    asked = []
    monkeypatch.setattr(db, "READ_AHEAD_STEP", 4096)  # hundreds of steps, each slowed down below
    real_fadvise = os.posix_fadvise
    monkeypatch.setattr(os, "posix_fadvise", lambda fd, offset, length, advice: (
        asked.append(offset), time.sleep(0.01), real_fadvise(fd, offset, length, advice))[2])
    steps = sum(-(-os.path.getsize(p) // 4096) for p in (wh.path, tmp_path / ".news.duckdb.spare"))
    thread = wh.read_ahead_for_publish()
    started = time.monotonic()
    wh.publish()  # nothing changed since the last publish: nothing to compare, no need to wait
    assert not wh.copied and not thread.is_alive() and not db._READ_AHEADS
    assert time.monotonic() - started < steps * 0.01 / 2 and len(asked) < steps / 2


def test_connections_share_one_instance_and_leave_the_file_free_and_checkpointed_when_closed(tmp_path):
    import subprocess
    import sys

    import duckdb

    from news_assets.warehouse import db

    wh = Warehouse(tmp_path / "news.duckdb")
    with wh.transaction() as con:
        con.execute("CREATE TABLE numbers AS SELECT range AS n FROM range(10)")
    instance = db._HOSTS[str(wh.path)].instance
    assert not wh.path.with_name(wh.path.name + ".wal").exists()  # checkpointed as it closed
    with wh.connect() as outer, wh.connect() as inner:  # nested readers share the attachment
        assert outer.execute("SELECT count(*) FROM numbers").fetchone() == inner.execute(
            "SELECT count(*) FROM numbers").fetchone() == (10,)
    with wh.transaction() as con:
        con.execute("INSERT INTO numbers VALUES (10)")
    assert db._HOSTS[str(wh.path)].instance is instance  # one instance for every connection
    # Closed, the file is free: another process writes to it, and the next connection here sees that.
    subprocess.run([sys.executable, "-c", "import duckdb, sys; duckdb.connect(sys.argv[1]).execute("
                    "'INSERT INTO numbers VALUES (11)')", str(wh.path)], check=True)
    with duckdb.connect(str(wh.path), read_only=True) as other:  # this process, outside the Warehouse
        assert other.execute("SELECT count(*) FROM numbers").fetchone() == (12,)
    with wh.connect() as con:
        assert con.execute("SELECT max(n) FROM numbers").fetchone() == (11,)


def test_a_forked_child_opens_the_warehouse_on_an_instance_of_its_own(tmp_path):
    import os

    from news_assets.warehouse import db

    wh = Warehouse(tmp_path / "news.duckdb")
    with wh.transaction() as con:
        con.execute("CREATE TABLE numbers AS SELECT range AS n FROM range(5)")
    parent_instance = db._HOSTS[str(wh.path)].instance
    pid = os.fork()
    if pid == 0:  # the child: a write and a read on its own instance, then out without clean-up
        ok = False
        try:
            with wh.transaction() as con:
                con.execute("INSERT INTO numbers VALUES (5)")
            with wh.connect() as con:
                ok = con.execute("SELECT count(*) FROM numbers").fetchone() == (6,)
            ok = ok and db._HOSTS[str(wh.path)].instance is not parent_instance
        finally:
            os._exit(0 if ok else 1)
    _, status = os.waitpid(pid, 0)
    assert os.waitstatus_to_exitcode(status) == 0
    with wh.connect() as con:
        assert con.execute("SELECT count(*) FROM numbers").fetchone() == (6,)


def test_the_last_connection_to_close_hands_duckdbs_free_memory_back(tmp_path, monkeypatch):
    import sys

    from news_assets.warehouse import db

    if sys.platform == "linux":  # the builds we pin export it (see _allocator_flush)
        assert db._allocator_flush() is not None
    flushes = []
    monkeypatch.setattr(db, "_allocator_flush", lambda: lambda: flushes.append(1))
    wh = Warehouse(tmp_path / "news.duckdb")
    with wh.transaction() as con:
        con.execute("CREATE TABLE numbers AS SELECT range AS n FROM range(10)")
    assert flushes == [1]
    with wh.connect() as outer, wh.connect() as inner:
        inner.execute("SELECT 1")
        assert flushes == [1]  # the attachment is still in use
    assert flushes == [1, 1]


def test_patching_writes_exactly_the_differing_blocks_in_either_half_and_fits_the_length(tmp_path, monkeypatch):
    # The headers, then the two halves of the blocks after them, are compared on two threads:
    # blocks differing on either side of the middle, in a short last chunk, a changed header, and
    # a target longer or shorter than the source. Blocks are cut from PATCH_START (where DuckDB's blocks
    # start), so one changed block is written once, not as the two it would straddle if cut from 0.
    import random

    from news_assets.warehouse import db

    monkeypatch.setattr(db, "PATCH_CHUNK", 4 * 1024)
    monkeypatch.setattr(db, "PATCH_BLOCK", 1024)
    monkeypatch.setattr(db, "PATCH_START", 300)
    rng = random.Random(7)
    source = tmp_path / "work"
    size = 300 + 41 * 1024 + 300  # headers, 10 whole chunks and a short one
    blocks = [(0, 300)] + [(at, min(at + 1024, size)) for at in range(300, size, 1024)]
    for target_size in (size, 50 * 1024, 30 * 1024):
        data = bytearray(rng.randbytes(size))
        source.write_bytes(bytes(data))
        old = bytearray(data[:target_size]) + bytearray(max(0, target_size - len(data)))
        # the header, blocks on both sides of the middle, the last two; each changed in its middle
        changed = [blocks[i] for i in (0, 1, 20, 21, 40, 41)]
        for start, end in changed:
            at = (start + end) // 2
            if at < len(old):
                old[at] ^= 0xFF
        target = tmp_path / "spare"
        target.write_bytes(bytes(old))
        written = db._patch_unlocked(source, target)
        assert target.read_bytes() == bytes(data)
        # a block is rewritten when the target's bytes at its place differ (or are missing)
        rewritten = [end - start for start, end in blocks if bytes(old[start:end]) != bytes(data[start:end])]
        assert written == sum(rewritten) and len(rewritten) >= 5


def test_duckdb_threads_follow_the_share_asked_from_the_next_attachment_on(tmp_path):
    import duckdb

    from news_assets.cli import _core_share
    from news_assets.warehouse.db import set_duckdb_threads

    wh = Warehouse(tmp_path / "news.duckdb")

    def threads() -> int:
        with wh.connect() as con:
            return con.execute("SELECT current_setting('threads')").fetchone()[0]

    default = duckdb.connect(":memory:").execute("SELECT current_setting('threads')").fetchone()[0]
    with wh.transaction() as con:
        con.execute("CREATE TABLE t (n INTEGER)")
    assert threads() == default
    try:
        set_duckdb_threads(1)
        with wh.connect() as con:
            set_duckdb_threads(None)  # an open attachment keeps what it was given
            with wh.connect() as inner:
                assert inner.execute("SELECT current_setting('threads')").fetchone()[0] == 1
        assert threads() == default  # back to DuckDB's default at the next attachment
    finally:
        set_duckdb_threads(None)
    # Processes side by side share the cores out, one thread each at the least.
    cores = len(os.sched_getaffinity(0))
    assert _core_share(1) == cores and _core_share(cores) == 1 and _core_share(4 * cores) == 1
