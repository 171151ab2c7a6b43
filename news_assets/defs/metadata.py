"""Materialization metadata read back from the warehouse: row count, column schema, a preview."""
from __future__ import annotations

import dagster as dg
import duckdb

from news_assets.warehouse import run_sql


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


def standard_metadata(
    con: duckdb.DuckDBPyConnection, table: str, row_count: int, preview: str, params: dict | None = None
) -> dict:
    return {
        "dagster/row_count": dg.MetadataValue.int(int(row_count)),
        "dagster/column_schema": table_schema(con, table),
        "preview": dg.MetadataValue.md(markdown_preview(con, preview, params or {})),
    }
