"""The project's Dagster home: its dagster.yaml and the pooled SQLite event log it selects."""

import dagster as dg

from news_assets.dagster_home import dagster_yaml, ensure_dagster_home
from news_assets.warehouse.dagster_storage import PooledSqliteEventLogStorage


def test_home_gets_the_pooled_event_log_and_a_users_config_is_kept(tmp_path):
    home = ensure_dagster_home(tmp_path / "home")
    assert (home / "dagster.yaml").read_text() == dagster_yaml(home)
    (home / "dagster.yaml").write_text("telemetry:\n  enabled: false\n")  # what earlier versions wrote
    ensure_dagster_home(home)
    assert "PooledSqliteEventLogStorage" in (home / "dagster.yaml").read_text()
    mine = tmp_path / "mine"
    mine.mkdir()
    (mine / "dagster.yaml").write_text("telemetry:\n  enabled: true\n")
    ensure_dagster_home(mine)
    assert (mine / "dagster.yaml").read_text() == "telemetry:\n  enabled: true\n"


def test_a_new_home_set_up_by_two_writers_at_once_gets_one_whole_config(tmp_path, monkeypatch):
    """A backfill's range worker sets up a new home at the same moment as the command. Here the
    other writer runs in full between this one's write and its rename (the interleaving that made
    one of two processes fail with FileNotFoundError in 50 of 100 trials): both must succeed."""
    import os

    import news_assets.dagster_home as dagster_home

    home = tmp_path / "home"
    real_replace = os.replace
    interleaved = []

    def replace_after_the_other_writer(src, dst):
        if not interleaved:
            interleaved.append(src)
            ensure_dagster_home(home)  # the other process, start to finish
        real_replace(src, dst)

    monkeypatch.setattr(dagster_home.os, "replace", replace_after_the_other_writer)
    ensure_dagster_home(home)
    assert interleaved
    assert (home / "dagster.yaml").read_text() == dagster_yaml(home)
    assert [p.name for p in home.iterdir()] == ["dagster.yaml"]  # no temporary file left behind


def test_pooled_storage_writes_what_dagsters_own_storage_reads(tmp_path, monkeypatch):
    home = ensure_dagster_home(tmp_path / "home")
    monkeypatch.setenv("DAGSTER_HOME", str(home))

    @dg.asset(partitions_def=dg.DailyPartitionsDefinition(start_date="2024-01-01", end_date="2024-01-11"))
    def daily(context: dg.AssetExecutionContext) -> None:
        """A partitioned asset: one planned and one materialization event per day."""

    with dg.DagsterInstance.get() as instance:
        assert isinstance(instance.event_log_storage, PooledSqliteEventLogStorage)
        for day in ("2024-01-01", "2024-01-02", "2024-01-03"):
            assert dg.materialize([daily], instance=instance, partition_key=day).success
        for i in range(40):  # more runs than open databases: engines are evicted, events still land
            instance.report_runless_asset_event(dg.AssetMaterialization("runless", partition=str(i)))
        instance.wipe()  # deletes the run databases' files; later events must land in new ones
        assert not instance.event_log_storage.get_materialized_partitions(dg.AssetKey("daily"))
        for day in ("2024-01-01", "2024-01-02", "2024-01-03"):
            assert dg.materialize([daily], instance=instance, partition_key=day).success
        for i in range(40):
            instance.report_runless_asset_event(dg.AssetMaterialization("runless", partition=str(i)))

    # A second instance of the same home, with Dagster's own storage class, sees every event.
    from dagster._core.storage.event_log.sqlite.sqlite_event_log import SqliteEventLogStorage

    plain = SqliteEventLogStorage(str(home / "history" / "runs"))
    keys = plain.get_materialized_partitions(dg.AssetKey("daily"))
    assert keys == {"2024-01-01", "2024-01-02", "2024-01-03"}
    assert len(plain.get_materialized_partitions(dg.AssetKey("runless"))) == 40


def test_pooled_storage_asks_sqlite_for_a_table_once_and_still_writes_tag_rows(tmp_path, monkeypatch):
    from dagster._core.storage.event_log.sqlite.sqlite_event_log import SqliteEventLogStorage

    home = ensure_dagster_home(tmp_path / "home")
    monkeypatch.setenv("DAGSTER_HOME", str(home))
    asked: list[str] = []
    parent = SqliteEventLogStorage.has_table

    def counting(self, table_name):
        asked.append(table_name)
        return parent(self, table_name)

    monkeypatch.setattr(SqliteEventLogStorage, "has_table", counting)
    with dg.DagsterInstance.get() as instance:
        for i in range(30):
            instance.report_runless_asset_event(
                dg.AssetMaterialization("tagged", partition=f"p{i}", tags={"dagster/data_version": f"v{i}"}))
        with_tags = instance.event_log_storage.get_event_tags_for_asset(dg.AssetKey("tagged"))
    assert asked.count("asset_event_tags") == 1  # the parent asks through a new engine per event
    assert len(with_tags) == 30 and {t["dagster/data_version"] for t in with_tags} == {f"v{i}" for i in range(30)}
    plain = SqliteEventLogStorage(str(home / "history" / "runs"))
    assert len(plain.get_event_tags_for_asset(dg.AssetKey("tagged"))) == 30


def _range_run_events(home, monkeypatch, batch_size: str):
    """A run over ten daily partitions of an asset with a check; what Dagster's own storage reads."""
    from dagster._core.storage.event_log.sqlite.sqlite_event_log import SqliteEventLogStorage

    monkeypatch.setenv("DAGSTER_HOME", str(ensure_dagster_home(home)))
    monkeypatch.setenv("DAGSTER_EVENT_BATCH_SIZE", batch_size)
    transactions: list[str] = []  # one per commit of the pooled storage
    connect = PooledSqliteEventLogStorage._connect

    def counting(self, shard):
        transactions.append(shard)
        return connect(self, shard)

    monkeypatch.setattr(PooledSqliteEventLogStorage, "_connect", counting)

    @dg.asset(partitions_def=dg.DailyPartitionsDefinition(start_date="2024-01-01", end_date="2024-01-11"),
              check_specs=[dg.AssetCheckSpec("fine", asset="days")])
    def days(context: dg.AssetExecutionContext) -> dg.MaterializeResult:
        """Ten days in one run, as a range backfill runs them."""
        return dg.MaterializeResult(metadata={"dagster/row_count": 7},
                                    check_results=[dg.AssetCheckResult(check_name="fine", passed=True)])

    with dg.DagsterInstance.get() as instance:
        assert dg.materialize([days], instance=instance, tags={
            "dagster/asset_partition_range_start": "2024-01-01", "dagster/asset_partition_range_end": "2024-01-10",
        }).success
    plain = SqliteEventLogStorage(str(home / "history" / "runs"))
    key = dg.AssetKey("days")
    records = plain.fetch_materializations(key, limit=100).records
    planned = plain.get_records_for_run(records[0].run_id, of_type=dg.DagsterEventType.ASSET_MATERIALIZATION_PLANNED)
    entry = plain.get_asset_records([key])[0].asset_entry
    return len(transactions), {
        # Each index row's tags belong to that event (the batch's ids line up with its events).
        "tags_match_events": all(
            plain.get_event_tags_for_asset(key, filter_event_id=r.storage_id)
            == [{"dagster/data_version": r.asset_materialization.tags["dagster/data_version"]}]
            for r in records),
        # The asset's entry points at the run's last materialization and names its run.
        "entry": (entry.last_materialization_record.storage_id == max(r.storage_id for r in records),
                  entry.last_materialization_record.partition_key, entry.last_run_id == records[0].run_id),
        "partitions": sorted(plain.get_materialized_partitions(key)),
        "materializations": sorted((r.partition_key, r.asset_materialization.metadata["dagster/row_count"].value)
                                   for r in records),
        "planned": len(planned.records),
        "data_versions": len(plain.get_event_tags_for_asset(key)),
        "check": [e.status.value for e in plain.get_asset_check_execution_history(
            dg.AssetCheckKey(key, "fine"), limit=20)],
    }


def test_pooled_storage_commits_a_range_runs_events_in_batches_with_the_same_result(tmp_path, monkeypatch):
    in_batches, batched = _range_run_events(tmp_path / "batched", monkeypatch, "1000")
    one_by_one, plain = _range_run_events(tmp_path / "one_by_one", monkeypatch, "0")
    # One by one, each of the 20 planned and materialization events commits in the run's database
    # and in the index; in batches, the ten partitions' events share their transactions.
    assert one_by_one - in_batches >= 30, (one_by_one, in_batches)
    assert batched == plain
    assert batched["partitions"] == [f"2024-01-{d:02d}" for d in range(1, 11)]
    assert batched["planned"] == 10 and batched["data_versions"] == 10
    assert batched["tags_match_events"] and batched["entry"] == (True, "2024-01-10", True)
    # Dagster 1.13 plans the check once per day and stores the range's result as one more row;
    # the days take that result instead of staying PLANNED (shown as SKIPPED once the run is over).
    assert batched["check"] == ["SUCCEEDED"] * 11


def _planned_check_rows(home, monkeypatch) -> tuple[str, list[tuple]]:
    """A range run of a checked daily asset in `home`; the rows of asset_check_executions it left."""
    import sqlite3

    from dagster_shared.serdes import deserialize_value

    monkeypatch.setenv("DAGSTER_HOME", str(home))

    @dg.asset(partitions_def=dg.DailyPartitionsDefinition(start_date="2024-01-01", end_date="2024-03-01"),
              check_specs=[dg.AssetCheckSpec("fine", asset="days")])
    def days(context: dg.AssetExecutionContext) -> dg.MaterializeResult:
        """Sixty days in one run."""
        return dg.MaterializeResult(check_results=[dg.AssetCheckResult(check_name="fine", passed=True)])

    with dg.DagsterInstance.get() as instance:
        storage = type(instance.event_log_storage).__name__
        assert dg.materialize([days], instance=instance, tags={
            "dagster/asset_partition_range_start": "2024-01-01", "dagster/asset_partition_range_end": "2024-02-29",
        }).success
    with sqlite3.connect(home / "history" / "runs" / "index.db") as con:
        rows = con.execute("SELECT asset_key, check_name, partition, execution_status, evaluation_event, "
                           "evaluation_event_storage_id IS NULL FROM asset_check_executions").fetchall()
    found = [(*r[:4], type(deserialize_value(r[4]).dagster_event.event_specific_data).__name__, r[5]) for r in rows]
    return storage, sorted(found, key=repr)  # repr: the evaluation's row has no partition


def test_pooled_storage_writes_dagsters_check_rows_and_resolves_the_days_with_the_ranges_result(tmp_path, monkeypatch):
    pooled_home = ensure_dagster_home(tmp_path / "pooled")
    plain_home = tmp_path / "plain"
    plain_home.mkdir()
    (plain_home / "dagster.yaml").write_text("telemetry:\n  enabled: false\n")  # Dagster's own storage
    pooled, plain = _planned_check_rows(pooled_home, monkeypatch), _planned_check_rows(plain_home, monkeypatch)
    assert (pooled[0], plain[0]) == ("PooledSqliteEventLogStorage", "SqliteEventLogStorage")
    assert sum(1 for r in plain[1] if r[3] == "PLANNED") >= 60  # a planned row per partition, and the evaluation
    # Dagster's own rows, except that each day planned by the run takes the range's evaluation
    resolved = [(key, check, day, "SUCCEEDED", "AssetCheckEvaluation", False)
                if day is not None and status == "PLANNED" else (key, check, day, status, kind, no_id)
                for key, check, day, status, kind, no_id in plain[1]]
    assert pooled[1] == sorted(resolved, key=repr)
    assert not any(r[3] == "PLANNED" for r in pooled[1])


def test_two_processes_opening_a_new_home_at_once_leave_it_usable(tmp_path):
    """A backfill's range worker opens the Dagster home beside the command itself. Dagster stamps
    a new home's schema version as it creates its storages; two processes doing that at once left
    two versions, and every later command failed (5 of 8 trials before the first opening took a
    lock)."""
    import sqlite3
    import subprocess
    import sys

    opener = "import warnings; warnings.simplefilter('ignore'); from news_assets.cli import _instance; _instance()"
    for trial in range(3):
        home = tmp_path / f"home{trial}"
        env = {**__import__("os").environ, "DAGSTER_HOME": str(home)}
        procs = [subprocess.Popen([sys.executable, "-c", opener], env=env, stderr=subprocess.PIPE) for _ in range(2)]
        errors = [p.communicate()[1].decode() for p in procs]
        assert [p.returncode for p in procs] == [0, 0], errors
        with sqlite3.connect(home / "schedules" / "schedules.db") as con:
            assert len(con.execute("SELECT * FROM alembic_version").fetchall()) == 1
        opened = subprocess.run([sys.executable, "-c", opener], env=env, capture_output=True, text=True)
        assert opened.returncode == 0, opened.stderr


def test_a_run_database_made_by_the_pooled_storage_is_the_one_dagster_makes(tmp_path, monkeypatch):
    """Its tables, indexes, journal mode and alembic revision, as Dagster's own storage makes them
    (the pooled storage reads the migration scripts once per process, see _initdb); and a run
    database Dagster's storage made is left as it is."""
    import functools
    import sqlite3

    import sqlalchemy
    from dagster._core.storage.event_log.sqlite.sqlite_event_log import SqliteEventLogStorage

    import news_assets.warehouse.dagster_storage as storage

    def shape(db_file):
        with sqlite3.connect(db_file) as con:
            schema = sorted(con.execute("SELECT type, name, sql FROM sqlite_master WHERE name NOT LIKE 'sqlite_%'"))
            return schema, con.execute("SELECT version_num FROM alembic_version").fetchall(), \
                con.execute("PRAGMA journal_mode").fetchone()

    theirs = SqliteEventLogStorage(str(tmp_path / "theirs"))
    ours = PooledSqliteEventLogStorage(str(tmp_path / "ours"))
    reads = []
    real = storage._migration_scripts.__wrapped__
    storage._migration_scripts.cache_clear()
    monkeypatch.setattr(storage, "_migration_scripts",
                        functools.cache(lambda: reads.append(1) or real()))
    for run_id in ("run-a", "run-b", "run-c"):
        with theirs.run_connection(run_id) as conn:
            conn.execute(sqlalchemy.text("SELECT 1"))
        with ours.run_connection(run_id) as conn:
            conn.execute(sqlalchemy.text("SELECT 1"))
        mine, dagsters = shape(tmp_path / "ours" / f"{run_id}.db"), shape(tmp_path / "theirs" / f"{run_id}.db")
        assert mine == dagsters and mine[1] and mine[2] == ("wal",)
    assert reads == [1]  # read once for three runs
    # A database Dagster made: kept (no second stamp, nothing rewritten).
    made = tmp_path / "theirs" / "run-a.db"
    before = shape(made)
    again = PooledSqliteEventLogStorage(str(tmp_path / "theirs"))
    with again.run_connection("run-a") as conn:
        conn.execute(sqlalchemy.text("SELECT 1"))
    assert shape(made) == before
    for used in (ours, again, theirs):
        used.dispose()
