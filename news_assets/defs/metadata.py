"""Materialization metadata read back from the warehouse: row count, column schema, a preview."""
from __future__ import annotations

import datetime as dt
import functools

import dagster as dg
import duckdb

from news_assets.warehouse import run_sql
from news_assets.warehouse.db import ensure_schema


def table_schema(con: duckdb.DuckDBPyConnection, table: str) -> dg.TableSchema:
    rows = run_sql(con, "meta/columns", table=table).fetchall()
    return dg.TableSchema(
        columns=[dg.TableColumn(name=name, type=dtype, description=comment) for name, dtype, comment in rows]
    )


def markdown_preview(con: duckdb.DuckDBPyConnection, preview: str, params: dict, limit_chars: int = 80) -> str:
    """A small Markdown table from sql/<preview>.sql. Arabic cells sit in a right-to-left isolate
    so mixed Arabic/Latin text renders in reading order."""
    cur = run_sql(con, preview, **params)
    names = [d[0] for d in cur.description]
    rows = cur.fetchall()
    if not rows:
        return "_no rows_"

    def cell(value: object) -> str:
        text = "" if value is None else str(value)
        text = text.replace("\n", " ").replace("|", "\\|")
        if len(text) > limit_chars:
            text = text[: limit_chars - 1] + "…"
        if any("\u0600" <= ch <= "\u06ff" for ch in text):
            text = f"\u2067{text}\u2069"
        return text

    lines = ["| " + " | ".join(names) + " |", "|" + "---|" * len(names)]
    lines += ["| " + " | ".join(cell(v) for v in row) + " |" for row in rows]
    return "\n".join(lines)


def _deps(*pairs: str) -> list[dg.TableColumnDep]:
    return [dg.TableColumnDep(asset_key=dg.AssetKey(p.split(".")[0]), column_name=p.split(".")[1]) for p in pairs]


# Where each derived column comes from, shown as column lineage in the UI.
COLUMN_LINEAGE = {
    "articles": {
        "doc_id": _deps("raw_documents.doc_id"),
        "format": _deps("raw_documents.format"),
    },
    "article_duplicates": {
        "article_id": _deps("articles.article_id"),
        "cluster_id": _deps("articles.article_id", "articles.body", "articles.published_at"),
        "similarity": _deps("articles.body"),
    },
    "entity_mentions": {
        "article_id": _deps("articles.article_id"),
        "doc_id": _deps("articles.doc_id"),
        "surface": _deps("articles.body"),
        "start_char": _deps("articles.body"),
        "end_char": _deps("articles.body"),
        "published_date": _deps("articles.published_date"),
    },
    "entities": {
        "entity_id": _deps("entity_mentions.entity_id", "undated_entity_mentions.entity_id"),
        "canonical_name": _deps("entity_mentions.canonical_name"),
        "aliases": _deps("entity_mentions.surface"),
        "mentions": _deps("entity_mentions.mention_id", "undated_entity_mentions.mention_id"),
    },
    "mention_counts_daily": {
        "published_date": _deps("entity_mentions.published_date"),
        "entity_id": _deps("entity_mentions.entity_id"),
        "entity_type": _deps("entity_mentions.entity_type"),
        "source": _deps("articles.source"),
        "mentions": _deps("entity_mentions.mention_id"),
        "articles": _deps("entity_mentions.article_id"),
        "mentions_unique": _deps("entity_mentions.mention_id", "article_duplicates.duplicate_kind"),
        "articles_unique": _deps("entity_mentions.article_id", "article_duplicates.duplicate_kind"),
    },
    "entity_cooccurrence": {
        "published_date": _deps("entity_mentions.published_date"),
        "entity_a": _deps("entity_mentions.entity_id"),
        "entity_b": _deps("entity_mentions.entity_id"),
        "articles": _deps("entity_mentions.article_id"),
    },
}


@functools.cache
def _declared_schemas() -> dict[str, dg.TableSchema]:
    # The warehouse DDL (sql/schema.sql) run in an empty in-memory database, once per process:
    # 0.13-0.17 s on the slower machine of 2026-11-29, in the command, every range worker and the
    # UI's code server. Kept pickled, named after the DDL, the columns query and the versions of
    # Dagster and DuckDB: loading takes ~1 ms. The connection is closed at once: extraction forks
    # workers from this process.
    from importlib.metadata import version

    from news_assets import pickle_cache
    from news_assets.warehouse.db import load_sql

    path = pickle_cache.cache_path("table-schemas", [
        load_sql("schema").encode(), load_sql("meta/columns").encode(),
        f"dagster=={version('dagster')} duckdb=={version('duckdb')}".encode()])
    cached = pickle_cache.load(path, dict)
    if cached is not None:
        return cached  # type: ignore[return-value]
    with duckdb.connect(":memory:") as con:
        ensure_schema(con)
        tables = [t for (t,) in con.execute("SELECT table_name FROM duckdb_tables()").fetchall()]
        schemas = {t: table_schema(con, t) for t in tables}
    pickle_cache.store(schemas, path)
    return schemas


def definition_metadata(table: str) -> dict:
    """Column schema and lineage of a warehouse table, for the asset definition (shown in the UI
    before anything is materialized). Read from sql/schema.sql, the same DDL the warehouse runs."""
    lineage = COLUMN_LINEAGE.get(table)
    return {
        "dagster/column_schema": _declared_schemas()[table],
        **({"dagster/column_lineage": dg.TableColumnLineage(deps_by_column=lineage)} if lineage else {}),
    }


def standard_metadata(
    con: duckdb.DuckDBPyConnection, table: str, row_count: int, preview: str, params: dict | None = None,
) -> dict:
    """Row count, preview, column schema and lineage of an unpartitioned asset's table.

    Day-partitioned assets carry the schema and lineage on the definition instead
    (definition_metadata), and the rest per partition (partition_metadata): a range run attaches
    its metadata to every partition's event, and the schema and lineage were two thirds of each
    ~7 KB event.
    """
    md = {
        "dagster/row_count": dg.MetadataValue.int(int(row_count)),
        "preview": dg.MetadataValue.md(markdown_preview(con, preview, params or {})),
        "dagster/column_schema": table_schema(con, table),
    }
    lineage = COLUMN_LINEAGE.get(table)
    if lineage:
        md["dagster/column_lineage"] = dg.TableColumnLineage(deps_by_column=lineage)
    return md


def partition_metadata(
    context: dg.AssetExecutionContext, con: duckdb.DuckDBPyConnection, rows_per_day: str, preview: str,
    params: dict, range_facts: dict | None = None,
) -> None:
    """Metadata of a day-partitioned asset's run, on its last day's event (the asset's latest
    materialization): that day's dagster/row_count, the run's preview, and for a range, its span,
    its rows and ``range_facts`` (figures of the run as a whole).

    A range run's MaterializeResult metadata goes on the event of every partition in the range:
    each day carried the range's row count as its own and the range's preview, ~3.8 KB an event,
    ~6,600 events in a whole-span backfill of ANT. Each day's own row count is not attached:
    Dagster copies all the metadata added so far on every add_asset_metadata call (0.6 s for
    2,008 days, growing with the square of the range). ``rows_per_day``: a query of
    (published_date, rows) over [$start, $end].
    """
    start, end = params["start"], params["end"]
    per_day = dict(run_sql(con, rows_per_day, start=start, end=end).fetchall())
    last = max(context.partition_keys)
    md = {
        "dagster/row_count": dg.MetadataValue.int(int(per_day.get(dt.date.fromisoformat(last), 0))),
        "preview": dg.MetadataValue.md(markdown_preview(con, preview, params)),
    }
    if start != end:
        md["range"] = f"{start} … {end}"
        md["range_row_count"] = dg.MetadataValue.int(int(sum(per_day.values())))
    context.add_asset_metadata({**md, **(range_facts or {})}, partition_key=last)
