"""Dagster's SQLite event log, with one open connection per database instead of one per event.

Dagster's default `SqliteEventLogStorage` builds a new SQLAlchemy engine, opens a connection,
writes one event and disposes of it all again, for every event. A range run writes two asset
events per partition and asset (planned, then materialized), each mirrored into the index
database, so a 200-day refresh of three partitioned assets pays that set-up ~2,500 times:
engine creation, SQL compilation (its cache lives on the engine), connect, and the close of the
last connection to a WAL database, which checkpoints it and deletes the WAL file. This subclass
keeps one engine with one connection per database (the few most recently used), so an event
costs its INSERT and a commit. Events Dagster hands over as a batch (a range run's planned
events, a step's materializations over many partitions) share one transaction per database.
Everything on disk is what Dagster itself writes, in the same files the UI, the daemon and plain
`SqliteEventLogStorage` read, with one deliberate difference: a range run's check result also
resolves the check's planned row for each day of the range (see _update_asset_check_evaluation).

Selected in dagster.yaml (news_assets.instance_config writes it for the project's own homes):

    event_log_storage:
      module: news_assets.warehouse.dagster_storage
      class: PooledSqliteEventLogStorage
      config:
        base_dir: <DAGSTER_HOME>/history/runs/

Commits use synchronous=NORMAL: in WAL mode a committed event survives a crash of the process
(only a power cut can lose the last ones), and a commit costs no fsync.
"""
from __future__ import annotations

import collections
import functools
import os
import sqlite3
import threading
from collections.abc import Iterator
from contextlib import contextmanager

from dagster._core.events import ASSET_CHECK_EVENTS, ASSET_EVENTS
from dagster._core.storage.asset_check_execution_record import AssetCheckExecutionRecordStatus
from dagster._core.storage.event_log.schema import (
    AssetCheckExecutionsTable,
    SqlEventLogStorageMetadata,
    SqlEventLogStorageTable,
)
from dagster._core.storage.event_log.sqlite import sqlite_event_log
from dagster._core.storage.event_log.sqlite.sqlite_event_log import SqliteEventLogStorage
from dagster._core.storage.sql import get_alembic_config, safe_commit
from dagster._core.storage.sqlite import SQLITE_BUSY_TIMEOUT_SECONDS
from dagster_shared.serdes import serialize_value
from sqlalchemy import create_engine, event, inspect, text
from sqlalchemy import exc as sqlalchemy_exc
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.pool import StaticPool

# Runs write to their own database (one per run) and to the shared index: a handful of engines
# covers every run a process is writing at once.
MAX_OPEN_DATABASES = 8
# Events Dagster hands over together (see store_event_batch), at most. Dagster only batches when
# DAGSTER_EVENT_BATCH_SIZE is set; a process that uses this storage sets it unless the user did.
EVENT_BATCH_SIZE = 1000


def _sqlite_engine(conn_string: str) -> Engine:
    engine = create_engine(
        conn_string,
        poolclass=StaticPool,  # one connection, reused; the storage's lock serialises its use
        connect_args={"timeout": SQLITE_BUSY_TIMEOUT_SECONDS, "check_same_thread": False},
    )

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection, _record):  # noqa: ANN001
        if isinstance(dbapi_connection, sqlite3.Connection):
            dbapi_connection.execute("PRAGMA synchronous=NORMAL")

    return engine


@functools.cache
def _migration_scripts():  # noqa: ANN202 - alembic's ScriptDirectory, imported late
    """Dagster's alembic scripts for the event log, read once per process."""
    from alembic.script import ScriptDirectory

    return ScriptDirectory.from_config(get_alembic_config(sqlite_event_log.__file__))


class PooledSqliteEventLogStorage(SqliteEventLogStorage):
    """`SqliteEventLogStorage` that reuses one connection per database (see the module docstring)."""

    def __init__(self, base_dir: str, inst_data=None) -> None:  # noqa: ANN001 - Dagster's signature
        self._engines: collections.OrderedDict[str, Engine] = collections.OrderedDict()
        self._engines_lock = threading.Lock()
        self._tables_seen: set[str] = set()
        os.environ.setdefault("DAGSTER_EVENT_BATCH_SIZE", str(EVENT_BATCH_SIZE))
        super().__init__(base_dir, inst_data)

    @classmethod
    def from_config_value(cls, inst_data, config_value):  # noqa: ANN001, ANN206
        return cls(inst_data=inst_data, **config_value)  # the parent builds its own class, not cls

    def _engine(self, shard: str) -> Engine:
        with self._engines_lock:
            engine = self._engines.get(shard)
            if engine is not None:
                self._engines.move_to_end(shard)
                return engine
            engine = _sqlite_engine(self.conn_string_for_shard(shard))
            self._engines[shard] = engine
            while len(self._engines) > MAX_OPEN_DATABASES:
                _, old = self._engines.popitem(last=False)
                old.dispose()
            return engine

    def has_table(self, table_name: str) -> bool:
        # Dagster asks this before writing each materialization's tag rows, and the parent answers
        # through a new engine and connection every time: 0.7 ms an event (6.6 s of a 44.6 s
        # backfill of 1,877 days under cProfile). Migrations only ever add tables, so a yes is kept.
        if table_name in self._tables_seen:
            return True
        found = super().has_table(table_name)
        if found:
            self._tables_seen.add(table_name)
        return found

    def store_event_batch(self, events) -> None:  # noqa: ANN001 - Dagster's signature
        """One transaction per database for a batch, where the parent commits every event twice.

        Dagster batches (when DAGSTER_EVENT_BATCH_SIZE is set) the planned events of a run and the
        materializations of a step over many partitions: three assets over a 1,900-day range are
        ~11,000 events. Rows written are the parent's own: the event in the run's database, and
        for asset events its copy in the index with tags and the asset's entry; check events'
        index rows go in the same transaction, their check-table rows after it (as the parent
        does, through its own connection).

        The event rows go in as one multi-row insert per database rather than a statement built
        and compiled per event, and an asset's entry row is written once per batch with the last
        event of each kind: each write of an entry overwrites the same columns for events of one
        kind, so what the parent's row-by-row writes leave is the last one's. Creating a range run
        of ANT's 1,999 sparse days (6,000 planned events, four checks' planned rows) took 8.4-9.4 s,
        most of it building and compiling statements; 1.5-2.5 s with this and the method below.
        """
        indexed_types = ASSET_EVENTS | ASSET_CHECK_EVENTS
        if not all(ev.is_dagster_event and ev.dagster_event_type in indexed_types for ev in events):
            super().store_event_batch(events)  # not a batch Dagster 1.13 makes: one event at a time
            return
        by_run: dict[str, list] = {}
        for ev in events:
            by_run.setdefault(ev.run_id, []).append(ev)
        for run_id, run_events in by_run.items():
            rows = [self._event_to_row(ev) for ev in run_events]
            with self.run_connection(run_id) as conn:
                conn.execute(SqlEventLogStorageTable.insert(), rows)
            checks = []
            with self.index_connection() as conn:
                inserted = conn.execute(
                    SqlEventLogStorageTable.insert().returning(SqlEventLogStorageTable.c.id, sort_by_parameter_order=True),
                    rows,
                )
                event_ids = [row[0] for row in inserted]
                assets, asset_ids, last_of_kind = [], [], {}
                for ev, event_id in zip(run_events, event_ids, strict=True):
                    if ev.dagster_event_type in ASSET_CHECK_EVENTS:
                        checks.append((ev, event_id))
                    else:
                        assets.append(ev)
                        asset_ids.append(event_id)
                        kind = (ev.dagster_event.asset_key, ev.dagster_event_type)
                        last_of_kind.pop(kind, None)  # re-inserted: dict order is the order of last events
                        last_of_kind[kind] = (ev, event_id)
                for ev, event_id in last_of_kind.values():
                    self._store_asset_event(conn, ev, event_id)
                self._store_asset_event_tags(conn, assets, asset_ids)
            for ev, event_id in checks:
                self.store_asset_check_event(ev, event_id)

    def _store_asset_check_evaluation_planned(self, event, event_id) -> None:  # noqa: ANN001
        """The parent's rows, one per partition the check is planned for, with the event serialized
        once instead of once per row and inserted as one executemany instead of a statement of
        2,000 VALUES tuples compiled for it: creating a 2,000-day range run spent 3.9 s of 6.7 s
        (cProfile) in the parent's method for its four checks."""
        planned = event.dagster_event.event_specific_data
        partition_keys = planned.partitions_subset.get_partition_keys() if planned.partitions_subset else [None]
        common = dict(
            asset_key=planned.asset_key.to_string(),
            check_name=planned.check_name,
            run_id=event.run_id,
            execution_status=AssetCheckExecutionRecordStatus.PLANNED.value,
            evaluation_event=serialize_value(event),
            evaluation_event_timestamp=self._event_insert_timestamp(event),
            evaluation_event_storage_id=event_id,
        )
        with self.index_connection() as conn:
            conn.execute(AssetCheckExecutionsTable.insert(), [{**common, "partition": key} for key in partition_keys])

    def _update_asset_check_evaluation(self, event, event_id) -> None:  # noqa: ANN001
        """The parent's row for the evaluation, then the range's day rows resolved with it.

        A range run plans a check once per day of the range (a PLANNED row each), and the asset's
        one result for the range arrives without a partition: the parent adds it as a row of its
        own and leaves the day rows PLANNED, which Dagster shows as SKIPPED once the run has
        finished, on every day the check covered. The result is the range's, so every day of the
        run takes it (a failure marks them all: the check does not say which day failed).
        """
        super()._update_asset_check_evaluation(event, event_id)
        evaluation = event.dagster_event.event_specific_data
        if evaluation.partition is not None:
            return
        table = AssetCheckExecutionsTable
        status = AssetCheckExecutionRecordStatus.SUCCEEDED if evaluation.passed else AssetCheckExecutionRecordStatus.FAILED
        target = evaluation.target_materialization_data
        with self.index_connection() as conn:
            conn.execute(
                table.update()
                .where(
                    table.c.asset_key == evaluation.asset_key.to_string(),
                    table.c.check_name == evaluation.check_name,
                    table.c.run_id == event.run_id,
                    table.c.partition.isnot(None),
                    table.c.execution_status == AssetCheckExecutionRecordStatus.PLANNED.value,
                )
                .values(
                    execution_status=status.value,
                    evaluation_event=serialize_value(event),
                    evaluation_event_timestamp=self._event_insert_timestamp(event),
                    evaluation_event_storage_id=event_id,
                    materialization_event_storage_id=target.storage_id if target else None,
                )
            )

    @contextmanager
    def _connect(self, shard: str) -> Iterator[Connection]:
        with self._db_lock:
            engine = self._engine(shard)
            if shard not in self._initialized_dbs:
                self._initdb(engine)
                self._initialized_dbs.add(shard)
            with engine.connect() as conn:
                with conn.begin():
                    yield conn

    def _initdb(self, engine: Engine, for_index_shard: bool = False) -> None:
        """A new run's database, made as the parent makes it (its tables, WAL, the alembic stamp
        of the head revision), with Dagster's migration scripts read once per process. The parent
        reads them twice a run, to check the database's revision and to stamp it (the stamp also
        runs Dagster's alembic environment): ~0.14 s a run, two runs a refresh (py-spy of a 1x
        refresh, 2026-11-29). A database that has a revision is left as it is, as the parent
        leaves it; the index, a database found with tables but no revision, and any error (another
        process making the same database at once) go to the parent, which knows those cases."""
        from alembic.runtime.migration import MigrationContext

        if for_index_shard:
            super()._initdb(engine, for_index_shard)
            return
        try:
            with engine.connect() as conn:
                if MigrationContext.configure(conn).get_current_revision() is not None:
                    return
                fresh = not inspect(conn).get_table_names()
            if fresh:
                SqlEventLogStorageMetadata.create_all(engine)
                with engine.connect() as conn:
                    conn.execute(text("PRAGMA journal_mode=WAL;"))
                    MigrationContext.configure(conn).stamp(_migration_scripts(), "head")
                    safe_commit(conn)
                return
        except (sqlalchemy_exc.DatabaseError, sqlite3.DatabaseError):
            pass
        super()._initdb(engine, for_index_shard)

    def _dispose_engines(self) -> None:
        with self._engines_lock:
            for engine in self._engines.values():
                engine.dispose()
            self._engines.clear()

    def wipe(self) -> None:
        # Dagster's wipe deletes the run databases' files: an open connection would go on writing
        # into the deleted file.
        with self._db_lock:
            self._dispose_engines()
        self._tables_seen.clear()
        super().wipe()

    def dispose(self) -> None:
        self._dispose_engines()
        super().dispose()
