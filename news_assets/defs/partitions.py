"""Publication-day partitions for everything downstream of parsing."""
from __future__ import annotations

import datetime as dt

import dagster as dg

from news_assets.config import partitions_start_from_env


# Read once at import: a partitions definition is part of the asset definitions. Articles dated
# before it (or after tomorrow) go to the undated bucket with date_status 'out_of_range'.
PARTITIONS_START = partitions_start_from_env()

# end_offset=1 admits today's (UTC) articles before the day is over.
daily_partitions = dg.DailyPartitionsDefinition(start_date=PARTITIONS_START.isoformat(), end_offset=1)


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
