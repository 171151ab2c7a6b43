"""Counts: mentions per day × entity × source, and entity pairs that share an article."""

import dagster as dg
import polars as pl

from news_assets.defs.entities.assets import entity_mentions
from news_assets.defs.metadata import definition_metadata, partition_metadata
from news_assets.defs.parse.duplicates import article_duplicates
from news_assets.defs.partitions import daily_partitions, mention_pieces, partition_dates, stale_days_of_run
from news_assets.defs.resources import WarehouseResource
from news_assets.versions import COUNTS_VERSION
from news_assets.warehouse import run_sql
from news_assets.warehouse.db import with_memory_fallback

# A range is recounted a piece at a time (in one transaction), each piece closed once it holds
# this many mentions: DuckDB's join and hash tables then hold one piece's rows, so memory does not
# grow with the range. The largest range of an ANT build (six months) has 820k co-occurrence rows,
# and recounting it whole was the build's peak. ~A month of ANT's dense days (49,000 mentions a
# month); pieces were a calendar month until ANT's 1,900 nearly empty days cost each asset 62
# statements (3.4 s for mention_counts_daily, which scans articles every time).
RECOUNT_MENTIONS = 50_000
# DuckDB's limit while a range is recounted. The joins read columns of whole tables (articles,
# article_duplicates) and DuckDB keeps what it read up to its limit, so at the usual one a range
# process's memory grew with the warehouse: recounting a 24,012-article range of ANT x8 (both
# assets, one process, scratch) peaked at 328 MiB RSS, 287 MiB under this limit, in 1.05 vs
# 1.15 s. A range that needs more is recounted again under a larger limit (with_memory_fallback).
RECOUNT_MEMORY_LIMIT = "128MB"


def _recount(context: dg.AssetExecutionContext, warehouse: WarehouseResource, table: str) -> list[tuple]:
    """Recount the run's days of `table` a piece at a time in one transaction, check each piece
    (sql/counts/check_<table>) and attach the run's metadata; the check rows of the pieces.

    A run tagged with RECOUNT_DAYS_TAG (a refresh's range run, from `news-assets build`) works on
    the days it names and those whose mentions this run wrote, and on them by difference
    (sql/counts/delta_<table>): what changed since the articles were counted is added or moved,
    and only days it cannot handle that way are recounted whole; a day whose counts then do not
    add up to what the bookkeeping says was counted is recounted whole as well
    (sql/counts/unreconciled_<table>). The days between them, which its range spans only so that
    they share one run, keep their rows. Any other run (the UI, a backfill, a sensor) recounts
    every day of its range whole (sql/counts/rebuild_<table>)."""
    start, end = partition_dates(context)

    def recount(limit: str | None) -> list[tuple]:
        with warehouse.get().transaction(memory_limit=limit) as con:
            days = stale_days_of_run(context, con, start, end)
            days_frame = pl.DataFrame(
                {"published_date": pl.date_range(start, end, eager=True) if days is None else sorted(days)},
                schema={"published_date": pl.Date})
            con.register("recount_days", days_frame)

            def recount_whole(whole: set | None) -> None:
                """Recount whole the days of `whole` (None: every day of recount_days), a piece at a
                time (RECOUNT_MENTIONS): the recount reads every mention of its days."""
                con.register("whole_set", days_frame if whole is None else pl.DataFrame(
                    {"published_date": sorted(whole)}, schema={"published_date": pl.Date}))
                for first, last in mention_pieces(con, start, end, RECOUNT_MENTIONS, only=whole):
                    run_sql(con, "counts/whole_days", start=first, end=last)
                    run_sql(con, f"counts/rebuild_{table}", start=first, end=last)

            if days is None:
                recount_whole(None)
            else:
                # By difference over the whole range at once: its work follows the changed articles.
                run_sql(con, f"counts/delta_{table}", start=start, end=end)
                whole = {day for (day,) in run_sql(con, "counts/whole_days_list").fetchall()}
                if whole:
                    recount_whole(whole)
                unreconciled = {day for (day,) in run_sql(con, f"counts/unreconciled_{table}",
                                                          start=start, end=end).fetchall()}
                if unreconciled:
                    context.log.warning(f"{len(unreconciled)} day(s) did not add up after the difference and "
                                        "were recounted whole")
                    recount_whole(unreconciled)
                context.log.info(f"{len(days)} of the range's {(end - start).days + 1} days to bring up to date "
                                 f"(the stale ones): {len(days) - len(whole)} by difference, "
                                 f"{len(whole)} recounted whole")
            checked = [run_sql(con, f"counts/check_{table}", start=first, end=last).fetchone()
                       for first, last in mention_pieces(con, start, end, RECOUNT_MENTIONS, only=days)]
            partition_metadata(context, con, f"meta/rows_per_day_{table}", f"preview/{table}",
                               {"start": start, "end": end})
            return checked

    return with_memory_fallback(recount, RECOUNT_MEMORY_LIMIT, on_retry=lambda: context.log.warning(
        f"{table}: the recount needs more than {RECOUNT_MEMORY_LIMIT}; running it again under a larger limit"))


@dg.asset(
    group_name="counts",
    kinds={"duckdb"},
    owners=["team:news-data"],
    code_version=COUNTS_VERSION,
    deps=[entity_mentions, article_duplicates],
    partitions_def=daily_partitions,
    backfill_policy=dg.BackfillPolicy.single_run(),
    metadata=definition_metadata("mention_counts_daily"),
    check_specs=[
        dg.AssetCheckSpec("mention_counts_reconcile", asset="mention_counts_daily", blocking=True,
                          description="Summed mentions equal the rows of entity_mentions for the same days; keys unique."),
    ],
)
def mention_counts_daily(context: dg.AssetExecutionContext, warehouse: WarehouseResource) -> dg.MaterializeResult:
    """Mentions and articles per publication day, entity and source (undated mentions: see entities)."""
    checked = _recount(context, warehouse, "mention_counts_daily")
    _rows, counted, raw, duplicate_keys = map(sum, zip(*checked))
    return dg.MaterializeResult(
        check_results=[
            dg.AssetCheckResult(
                check_name="mention_counts_reconcile", passed=counted == raw and duplicate_keys == 0,
                metadata={"counted_mentions": int(counted), "entity_mentions_rows": int(raw),
                          "duplicate_keys": int(duplicate_keys)},
            )
        ],
    )


@dg.asset(
    group_name="counts",
    kinds={"duckdb"},
    owners=["team:news-data"],
    code_version=COUNTS_VERSION,
    deps=[entity_mentions],
    partitions_def=daily_partitions,
    backfill_policy=dg.BackfillPolicy.single_run(),
    metadata=definition_metadata("entity_cooccurrence"),
    check_specs=[
        dg.AssetCheckSpec("cooccurrence_pairs_ordered_and_unique", asset="entity_cooccurrence", blocking=True,
                          description="entity_a < entity_b and (day, a, b) is a key."),
    ],
)
def entity_cooccurrence(context: dg.AssetExecutionContext, warehouse: WarehouseResource) -> dg.MaterializeResult:
    """Pairs of entities mentioned in the same article, with the number of such articles per day."""
    checked = _recount(context, warehouse, "entity_cooccurrence")
    _rows, unordered, duplicate_keys = map(sum, zip(*checked))
    return dg.MaterializeResult(
        check_results=[
            dg.AssetCheckResult(
                check_name="cooccurrence_pairs_ordered_and_unique", passed=unordered == 0 and duplicate_keys == 0,
                metadata={"unordered": int(unordered), "duplicate_keys": int(duplicate_keys)},
            )
        ],
    )
