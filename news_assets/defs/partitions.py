"""Publication-day partitions for everything downstream of parsing."""
from __future__ import annotations

import datetime as dt
from collections.abc import Mapping

import dagster as dg
# Internal, pinned with dagster: the context Dagster's partition listings read "now" from.
from dagster._core.definitions.partitions.context import partition_loading_context

from news_assets.config import partitions_start_from_env
from news_assets.warehouse import run_sql
from news_assets.warehouse.state import day_ranges


# Read once at import: a partitions definition is part of the asset definitions. Articles dated
# before it (or after tomorrow) go to the undated bucket with date_status 'out_of_range'.
PARTITIONS_START = partitions_start_from_env()


class DailyPartitions(dg.DailyPartitionsDefinition):
    """Dagster's daily partitions (UTC, keys YYYY-MM-DD), whose full key list is made by date
    arithmetic instead of stepping a cron schedule.

    Before a step of an unpartitioned asset that depends on a daily one runs (`entities`, the
    charts), Dagster lists every key of the dependency to look up their data versions, and then
    ignores them when there are more than 100 (SKIP_PARTITION_DATA_VERSION_DEPENDENCY_THRESHOLD).
    From PARTITIONS_START 2000-01-01 that is ~9,800 keys: 0.19 s a listing by the schedule, 0.02 s
    this way (scratch, 2026-11-29); a refresh's range run listed them three times. The same keys
    (tests/unit/test_partitions.py compares the two); any other shape is left to Dagster.
    """

    def get_partition_keys(self, current_time=None, dynamic_partitions_store=None):  # noqa: ANN001, ANN201
        if (self.fmt, self.timezone, self.minute_offset, self.hour_offset, self.exclusions) != (
                "%Y-%m-%d", "UTC", 0, 0, None):
            return super().get_partition_keys(current_time, dynamic_partitions_store)
        # The loading context carries "now" (an evaluation time, or the clock) and is how Dagster's
        # own listing finds the last key.
        with partition_loading_context(current_time, dynamic_partitions_store):
            first, last = self.get_first_partition_key(), self.get_last_partition_key()
        if first is None or last is None:
            return []
        start, end = dt.date.fromisoformat(first), dt.date.fromisoformat(last)
        return [(start + dt.timedelta(days=i)).isoformat() for i in range((end - start).days + 1)]


# end_offset=1 admits today's (UTC) articles before the day is over.
daily_partitions = DailyPartitions(start_date=PARTITIONS_START.isoformat(), end_offset=1)


def partition_dates(context: dg.AssetExecutionContext) -> tuple[dt.date, dt.date]:
    """First and last publication day (inclusive) this run covers, single key or range alike."""
    window = context.partition_time_window
    return window.start.date(), (window.end - dt.timedelta(days=1)).date()


def date_chunks(start: dt.date, end: dt.date, days: int) -> list[tuple[dt.date, dt.date]]:
    """[start, end] cut into consecutive inclusive pieces of at most ``days`` days, in order."""
    if days < 1:
        raise ValueError(f"days must be >= 1, got {days}")
    chunks = []
    while start <= end:
        last = min(end, start + dt.timedelta(days=days - 1))
        chunks.append((start, last))
        start = last + dt.timedelta(days=1)
    return chunks


def load_chunks(start: dt.date, end: dt.date, per_day: Mapping[dt.date, int], max_load: int) -> list[tuple[dt.date, dt.date]]:
    """[start, end] cut into consecutive inclusive pieces, each closed on the day its load reaches
    ``max_load`` (``per_day``: load of a day, absent = 0). Dense days get short pieces and years of
    sparse days one, so a piece's work is bounded by its load, not by its number of days."""
    if max_load < 1:
        raise ValueError(f"max_load must be >= 1, got {max_load}")
    chunks: list[tuple[dt.date, dt.date]] = []
    first, load = start, 0
    for day in sorted(d for d, n in per_day.items() if n > 0 and start <= d <= end):
        load += per_day[day]
        if load >= max_load:
            chunks.append((first, day))
            first, load = day + dt.timedelta(days=1), 0
    if first <= end:
        chunks.append((first, end))
    return chunks


def mention_pieces(con, start: dt.date, end: dt.date, max_mentions: int,
                   only: set[dt.date] | None = None) -> list[tuple[dt.date, dt.date]]:
    """[start, end] in pieces of about ``max_mentions`` mentions each (see load_chunks), from the
    mentions per day in the warehouse (sql/state/mentions_per_day.sql); with ``only``, counting
    the mentions of those days alone (the days a piece's work is restricted to)."""
    per_day = dict(run_sql(con, "state/mentions_per_day", start=start, end=end).fetchall())
    if only is not None:
        per_day = {day: n for day, n in per_day.items() if day in only}
    return load_chunks(start, end, per_day, max_mentions)


# Run tag of a range run that recounts only some of its days (news_assets.defs.counts): the days
# whose counts a refresh found stale, as encode_days writes them. Without it, every day is recounted.
RECOUNT_DAYS_TAG = "news_assets/recount_days"


def encode_days(days) -> str:
    """Days as a short text for a run tag: runs of consecutive days as 'first..last', single days
    alone, comma-separated, in order ('2018-02-01..2018-02-03,2018-02-07')."""
    return ",".join(a.isoformat() if a == b else f"{a.isoformat()}..{b.isoformat()}"
                    for a, b in day_ranges(list(days), merge_gap=1))


def decode_days(text: str) -> set[dt.date]:
    """The days encode_days wrote (ValueError on anything else)."""
    days: set[dt.date] = set()
    for part in filter(None, text.split(",")):
        first, _, last = part.partition("..")
        a = dt.date.fromisoformat(first)
        b = dt.date.fromisoformat(last) if last else a
        if b < a:
            raise ValueError(f"{part!r}: the range ends before it starts")
        days.update(a + dt.timedelta(days=i) for i in range((b - a).days + 1))
    return days


def stale_days_of_run(context: dg.AssetExecutionContext, con, start: dt.date, end: dt.date) -> set[dt.date] | None:
    """The days of [start, end] a refresh's range run is to bring up to date: those its
    RECOUNT_DAYS_TAG names and those whose articles it extracted (sql/state/days_written_by_run).
    None for a run without the tag (the UI, a backfill, a sensor): every day of the range."""
    tagged = context.run.tags.get(RECOUNT_DAYS_TAG)
    if tagged is None:
        return None
    written = {day for (day,) in run_sql(con, "state/days_written_by_run", run_id=context.run_id,
                                          start=start, end=end).fetchall()}
    return {day for day in decode_days(tagged) if start <= day <= end} | written
