"""Counts: mentions per day × entity × source, and entity pairs that share an article."""

import dagster as dg

from news_assets.defs.entities.assets import entity_mentions
from news_assets.defs.metadata import definition_metadata, partition_metadata
from news_assets.defs.parse.duplicates import article_duplicates
from news_assets.defs.partitions import daily_partitions, mention_pieces, partition_dates
from news_assets.defs.resources import WarehouseResource
from news_assets.versions import COUNTS_VERSION
from news_assets.warehouse import run_sql

# A range is recounted a piece at a time (in one transaction), each piece closed once it holds
# this many mentions: DuckDB's join and hash tables then hold one piece's rows, so memory does not
# grow with the range. The largest range of an ANT build (six months) has 820k co-occurrence rows,
# and recounting it whole was the build's peak. ~A month of ANT's dense days (49,000 mentions a
# month); pieces were a calendar month until ANT's 1,900 nearly empty days cost each asset 62
# statements (3.4 s for mention_counts_daily, which scans articles every time).
RECOUNT_MENTIONS = 50_000


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
    start, end = partition_dates(context)
    checked = []
    with warehouse.get().transaction() as con:
        for first, last in mention_pieces(con, start, end, RECOUNT_MENTIONS):
            run_sql(con, "counts/rebuild_mention_counts_daily", start=first, end=last)
            checked.append(run_sql(con, "counts/check_mention_counts_daily", start=first, end=last).fetchone())
        _rows, counted, raw, duplicate_keys = map(sum, zip(*checked))
        partition_metadata(context, con, "meta/rows_per_day_mention_counts_daily", "preview/mention_counts_daily",
                           {"start": start, "end": end})
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
    start, end = partition_dates(context)
    checked = []
    with warehouse.get().transaction() as con:
        for first, last in mention_pieces(con, start, end, RECOUNT_MENTIONS):
            run_sql(con, "counts/rebuild_entity_cooccurrence", start=first, end=last)
            checked.append(run_sql(con, "counts/check_entity_cooccurrence", start=first, end=last).fetchone())
        _rows, unordered, duplicate_keys = map(sum, zip(*checked))
        partition_metadata(context, con, "meta/rows_per_day_entity_cooccurrence", "preview/entity_cooccurrence",
                           {"start": start, "end": end})
    return dg.MaterializeResult(
        check_results=[
            dg.AssetCheckResult(
                check_name="cooccurrence_pairs_ordered_and_unique", passed=unordered == 0 and duplicate_keys == 0,
                metadata={"unordered": int(unordered), "duplicate_keys": int(duplicate_keys)},
            )
        ],
    )
