"""Entities: mentions found in article bodies, and the canonical entities they resolve to."""

import datetime as dt
import time

import dagster as dg
import polars as pl

from news_assets.defs.entities.ner_model import ner_model
from news_assets.defs.metadata import definition_metadata, partition_metadata, standard_metadata
from news_assets.defs.parse.assets import articles
from news_assets.defs.partitions import daily_partitions, mention_pieces, partition_dates, stale_days_of_run
from news_assets.defs.resources import ExtractorResource, WarehouseResource
from news_assets.extraction import ExtractorChoice, get_extractor, offsets_not_matching
from news_assets.ner import entity_id
from news_assets.parallel import WorkerPool
from news_assets.progress import Progress
from news_assets.versions import ENTITIES_VERSION, EXTRACTOR_VERSIONS
from news_assets.warehouse import Warehouse, query, run_sql
from news_assets.warehouse.db import with_memory_fallback

MENTION_SCHEMA = {
    "mention_id": pl.String, "article_id": pl.String, "doc_id": pl.String, "entity_id": pl.String,
    "entity_type": pl.String, "surface": pl.String, "start_char": pl.Int32, "end_char": pl.Int32,
    "canonical_key": pl.String, "canonical_name": pl.String, "published_date": pl.Date,
}
LOG_SCHEMA = {"article_id": pl.String, "body_hash": pl.String, "mentions": pl.Int32, "published_date": pl.Date}
# Articles read, extracted and written per transaction. A range run of ANT's 2018 (31,000 articles,
# one process): peak RSS 476-479 MiB at 5,000, 431-435 MiB at 2,500, for 1.1-1.2 s more (~4 %).
BATCH_ARTICLES = 2500
EXTRACT_CHUNK = 64  # articles per call of the extractor: the model decodes them together (1 at a time: 50k tokens/s; 64: 116k)
REBUILD_MEMORY_LIMIT = "128MB"  # DuckDB's limit while `entities` is rebuilt (see entities)
# The kept totals (entity_surface_counts, entity_mention_changes) were built by this version.
TOTALS_VERSION = f"{ENTITIES_VERSION}:1"
CHECK_MENTIONS = 50_000  # the mentions checks run on pieces of about this many mentions (see extract_scope)
MENTION_CHECKS = [
    ("mention_offsets_match_surface",
     "substr(body, start_char+1, end_char-start_char) = surface for every mention the run wrote (read back as each "
     "batch is written); every mention has its article."),
    ("mention_id_unique", "mention_id is a key."),
]


def _extract_articles(item: tuple) -> list[list[tuple]]:
    """Mentions of some articles, per article as row tuples in MENTION_SCHEMA order (cheap to send
    between processes). The articles go to the extractor together: the model decodes many at once."""
    (effective, model_path), articles = item
    found = get_extractor(effective, model_path).extract_many([body for _a, _d, body, _p in articles])
    return [
        [(f"{article_id}:{m.start}", article_id, doc_id, entity_id(m.entity_type, m.canonical_key), m.entity_type,
          m.surface, m.start, m.end, m.canonical_key, m.canonical_name, published_date) for m in mentions]
        for (article_id, doc_id, _body, published_date), mentions in zip(articles, found)
    ]


def _totals_kept(con) -> bool:
    """Whether `entities` keeps its totals from the change log, so writers must log what they
    change (asked inside each write transaction: writers are serialised, so the answer holds)."""
    return bool(run_sql(con, "entities/totals_kept").fetchall()[0][0])


def _extract_batch(
    pool: WorkerPool, wh: Warehouse, which: tuple, version: str, run_id: str, ids: list[str],
    parsed: tuple[dt.datetime, dt.datetime],
) -> tuple[int, int]:
    """Read, extract and write one batch of articles (one transaction), then check it: the mentions
    found, and how many of them, as stored, do not match their stored body (the offsets check).
    ``parsed``: the earliest and latest parsed_at of the batch's articles (entities/articles_batch)."""
    # Under lookup's small limit: at the usual one the scan kept the body column cached, and the
    # read of 5,000 articles took +126 MB on ANT's warehouse, +198 MB on four times its size
    # (+101 / +97 MB now).
    batch = sorted(wh.lookup("entities/articles_batch", params={"since": parsed[0], "until": parsed[1]},
                             wanted=pl.DataFrame({"article_id": ids}, schema={"article_id": pl.String})))
    work = [(a, d, b, p) for a, d, b, _h, p in batch]
    chunks = [(which, work[i:i + EXTRACT_CHUNK]) for i in range(0, len(work), EXTRACT_CHUNK)]
    results = [rows for part in pool.map(_extract_articles, chunks, chunksize=1) for rows in part]
    mentions, log = [], []
    for (article_id, _doc, _body, body_hash, published_date), rows in zip(batch, results):
        mentions += rows
        log.append((article_id, body_hash, len(rows), published_date))
    now = dt.datetime.now(dt.UTC).replace(tzinfo=None)
    with wh.transaction() as con:
        logged = _totals_kept(con)
        new_log = pl.DataFrame(log, schema=LOG_SCHEMA, orient="row")
        con.register("todo", new_log.select("article_id"))
        if logged:
            run_sql(con, "entities/log_removed_mentions")
        run_sql(con, "entities/forget_mentions")  # normally nothing: the scope forgot them first
        con.register("new_mentions", pl.DataFrame(mentions, schema=MENTION_SCHEMA, orient="row"))
        con.register("new_log", new_log)
        run_sql(con, "entities/write_mentions", extractor_version=version, run_id=run_id, now=now)
        if logged:
            run_sql(con, "entities/log_written_mentions")
    found = len(mentions)
    del work, chunks, results, mentions
    # The offsets check reads back what was written, once committed (the write's buffers are gone
    # by then), and compares it with the bodies in hand: re-reading bodies in SQL cost +80 MB.
    bodies = {article_id: body for article_id, _doc, body, _h, _p in batch}
    del batch
    with wh.connect() as con:
        con.register("new_log", pl.DataFrame({"article_id": [row[0] for row in log]}, schema={"article_id": pl.String}))
        bad_offsets = offsets_not_matching(bodies, run_sql(con, "entities/written_mentions", run_id=run_id).fetchall())
    return found, bad_offsets


def extract_scope(
    context: dg.AssetExecutionContext, wh: Warehouse, choice: ExtractorChoice, scope: dict
) -> dg.MaterializeResult:
    """Extract the articles of one scope that need it, write their mentions, check the scope.

    Articles whose body and date already went through this extractor version keep their rows, so a
    refresh costs what is new; a re-run of a partition never duplicates (delete then insert). Each
    batch of articles is one transaction with its bookkeeping, so an interrupted run resumes where
    it stopped.
    """
    version = choice.version
    if choice.note:
        context.log.warning(choice.note)
    which = (choice.effective, str(choice.model_path) if choice.model_path else None)
    with wh.transaction() as con:
        logged = _totals_kept(con)
        if logged:
            run_sql(con, "entities/log_orphan_mentions", **scope)
        run_sql(con, "entities/remove_orphans", **scope)
        to_extract = query(con, "entities/articles_to_extract", extractor_version=version, **scope).pl()
        con.register("todo", to_extract.select("article_id"))
        todo = to_extract["article_id"].to_list()
        # Per batch, the earliest and latest parsed_at of its articles (in parse order): the slice
        # of the table entities/articles_batch reads its bodies from.
        parsed = to_extract.group_by(pl.int_range(pl.len()) // BATCH_ARTICLES, maintain_order=True).agg(
            since=pl.col("parsed_at").first(), until=pl.col("parsed_at").last()).select("since", "until").rows()
        if logged:
            run_sql(con, "entities/log_removed_mentions")
        run_sql(con, "entities/forget_mentions")
    if todo:
        get_extractor(*which)  # build it once here; forked workers inherit it
    started, found, bad_offsets = time.monotonic(), 0, 0
    span = "undated" if scope["undated"] else f"{scope['start']}…{scope['end']}"
    progress = Progress(f"extracting entities {span}, articles", len(todo))
    # A batch at a time: its bodies are read, extracted (on $NEWS_WORKERS processes) and written
    # with their bookkeeping in one transaction, so memory holds one batch of text, never the
    # scope's, and an interrupted run resumes where it stopped.
    with WorkerPool() as pool:
        for offset in range(0, len(todo), BATCH_ARTICLES):
            n, bad = _extract_batch(pool, wh, which, version, context.run_id, todo[offset:offset + BATCH_ARTICLES],
                                    parsed[offset // BATCH_ARTICLES])
            found, bad_offsets = found + n, bad_offsets + bad
            done = min(offset + BATCH_ARTICLES, len(todo))
            rate = done / max(time.monotonic() - started, 1e-9)
            context.log.info(f"extracted {done}/{len(todo)} articles ({rate:,.0f} articles/s), {found:,} mentions")
            progress.update(done, f"{found:,} mentions", force=True)

    # Checked a piece at a time, each on its own connection: memory then follows a piece's
    # mentions, not the range's (one connection's buffer cache keeps every piece's pages). Pieces
    # were a calendar month, 62 of them (2.5 s) for ANT's nearly empty years; now they hold about
    # CHECK_MENTIONS mentions (~a month of ANT's dense days), and those years are one.
    # A refresh's range run (RECOUNT_DAYS_TAG) checks the days whose mentions can have changed:
    # the plan's stale days and the days this run wrote; the days between them, which the range
    # spans only to share one run, keep mentions that were checked when they were written.
    days = None
    if scope["undated"]:
        chunks = [scope]
    else:
        with wh.connect() as con:
            days = stale_days_of_run(context, con, scope["start"], scope["end"])
            pieces = mention_pieces(con, scope["start"], scope["end"], CHECK_MENTIONS, only=days)
        chunks = [{**scope, "start": first, "end": last} for first, last in pieces]
    checked = []
    for chunk in chunks:
        with wh.connect() as con:
            con.register("check_days", _days_frame(days if days is not None else
                                                   pl.date_range(chunk["start"], chunk["end"], eager=True)))
            checked.append(run_sql(con, "entities/check_mentions", **chunk).fetchone())
    total, without_article, duplicate_ids, n_articles = map(sum, zip(*checked))
    run_facts = {
        "articles_extracted": len(todo),
        "mentions_extracted": found,
        "articles_with_mentions": int(n_articles),
    }
    if days is not None:
        range_days = (scope["end"] - scope["start"]).days + 1
        run_facts["days_checked"] = f"{len(days)} of the range's {range_days} (the stale ones)"
    # On every partition's event: which extractor its mentions come from.
    metadata = {"extractor": version, **({"extractor_note": choice.note} if choice.note else {})}
    with wh.connect() as con:
        if scope["undated"]:
            metadata.update(standard_metadata(con, "entity_mentions", total, "preview/entity_mentions", scope))
            metadata.update(run_facts)
        else:
            partition_metadata(context, con, "state/mentions_per_day", "preview/entity_mentions", scope, run_facts)
    return dg.MaterializeResult(
        metadata=metadata,
        check_results=[
            dg.AssetCheckResult(check_name="mention_offsets_match_surface", passed=bad_offsets == 0 and without_article == 0,
                                metadata={"offsets_not_matching": int(bad_offsets), "without_article": int(without_article)}),
            dg.AssetCheckResult(check_name="mention_id_unique", passed=duplicate_ids == 0,
                                metadata={"duplicate_ids": int(duplicate_ids)}),
        ],
    )


def _days_frame(days) -> pl.DataFrame:  # noqa: ANN001 - a set of days or a Polars date range
    return pl.DataFrame({"published_date": sorted(days) if isinstance(days, set) else days},
                        schema={"published_date": pl.Date})


def _mention_checks(asset: str) -> list[dg.AssetCheckSpec]:
    return [dg.AssetCheckSpec(name, asset=asset, blocking=True, description=desc) for name, desc in MENTION_CHECKS]


@dg.asset(
    group_name="entities",
    kinds={"duckdb", "polars"},
    owners=["team:news-data"],
    code_version="+".join(EXTRACTOR_VERSIONS.values()),
    deps=[articles, ner_model],
    partitions_def=daily_partitions,
    backfill_policy=dg.BackfillPolicy.single_run(),
    metadata=definition_metadata("entity_mentions"),
    check_specs=_mention_checks("entity_mentions"),
)
def entity_mentions(
    context: dg.AssetExecutionContext, warehouse: WarehouseResource, extractor: ExtractorResource
) -> dg.MaterializeResult:
    """Named-entity mentions (PERS/LOC/ORG/MISC) with character offsets into dated article bodies."""
    start, end = partition_dates(context)
    return extract_scope(context, warehouse.get(), extractor.choice(), {"undated": False, "start": start, "end": end})


@dg.asset(
    group_name="entities",
    kinds={"duckdb", "polars"},
    owners=["team:news-data"],
    code_version="+".join(EXTRACTOR_VERSIONS.values()),
    deps=[articles, ner_model],
    check_specs=_mention_checks("undated_entity_mentions"),
    metadata=definition_metadata("entity_mentions"),
)
def undated_entity_mentions(
    context: dg.AssetExecutionContext, warehouse: WarehouseResource, extractor: ExtractorResource
) -> dg.MaterializeResult:
    """Mentions in articles with no usable date: rows of entity_mentions with published_date NULL."""
    # Dates are unused in the undated scope but every statement takes the same parameters.
    scope = {"undated": True, "start": dt.date.min, "end": dt.date.min}
    return extract_scope(context, warehouse.get(), extractor.choice(), scope)


@dg.asset(
    group_name="entities",
    kinds={"duckdb"},
    owners=["team:news-data"],
    code_version=ENTITIES_VERSION,
    deps=[entity_mentions, undated_entity_mentions],
    check_specs=[
        dg.AssetCheckSpec("entity_id_unique", asset="entities", blocking=True, description="entity_id is a key."),
        dg.AssetCheckSpec("mentions_linked_to_entities", asset="entities",
                          description="Every mention's entity_id has a row in entities."),
    ],
    metadata=definition_metadata("entities"),
)
def entities(context: dg.AssetExecutionContext, warehouse: WarehouseResource) -> dg.MaterializeResult:
    """Canonical entities with aliases and totals over every mention, dated or undated."""
    # The writers of entity_mentions log what they delete and write (entity_mention_changes); the
    # totals follow that log, rewriting only the entities it touches (a refresh of ANT x4 with
    # 315 new files: ~2,000 of 47,730). A whole rebuild reads every mention (1.4-1.5 s on ANT x4),
    # and runs the first time, after a version change, when the log is large, or when the kept
    # totals no longer agree with the mentions.
    # Under DuckDB's usual limit a rebuild's peak grew with the mentions (+158 MB on ANT, +229 MB
    # on ANT x2), under REBUILD_MEMORY_LIMIT DuckDB evicts what it has read (+151 / +165 MB). If
    # it cannot fit, it is rolled back and run again under a larger limit (with_memory_fallback).
    def refresh(limit: str | None) -> tuple:
        with warehouse.get().transaction(memory_limit=limit) as con:
            version, changes, mentions = run_sql(con, "entities/totals_state").fetchone()
            how = "rebuilt"
            if version == TOTALS_VERSION and changes <= mentions // 2:
                if changes:
                    run_sql(con, "entities/apply_mention_changes")
                _, consistent = run_sql(con, "entities/totals_consistent").fetchone()
                if consistent:
                    how = f"{changes:,} logged mention changes applied" if changes else "unchanged"
                else:
                    context.log.warning("entities: the kept totals disagree with the mentions; rebuilding them")
            if how == "rebuilt":
                run_sql(con, "entities/rebuild_entities", version=TOTALS_VERSION)
            total, duplicate_ids, unlinked = run_sql(con, "entities/check_entities").fetchone()
            return total, duplicate_ids, unlinked, how, standard_metadata(con, "entities", total, "preview/entities")

    total, duplicate_ids, unlinked, how, metadata = with_memory_fallback(
        refresh, REBUILD_MEMORY_LIMIT, on_retry=lambda: context.log.warning(
            f"entities: the rebuild needs more than {REBUILD_MEMORY_LIMIT}; running it again under a larger limit"))
    context.log.info(f"entities: {how}")
    metadata["totals"] = how
    return dg.MaterializeResult(
        metadata=metadata,
        check_results=[
            dg.AssetCheckResult(check_name="entity_id_unique", passed=duplicate_ids == 0,
                                metadata={"duplicate_ids": int(duplicate_ids)}),
            dg.AssetCheckResult(check_name="mentions_linked_to_entities", passed=unlinked == 0,
                                metadata={"unlinked_mentions": int(unlinked)}),
        ],
    )
