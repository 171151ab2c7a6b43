"""Charts as materialization metadata: PNGs embedded in Markdown, shown on the asset's page in the UI."""
from __future__ import annotations

import base64
import datetime as dt

import dagster as dg
import duckdb

from news_assets.charts import cooccurrence_network_png, top_entities_daily_png


def markdown_image(png: bytes, alt: str) -> dg.MarkdownMetadataValue:
    """A PNG inlined as a data URI (the 1.13 UI's Markdown renderer allows `data:` image sources)."""
    return dg.MetadataValue.md(f"![{alt}](data:image/png;base64,{base64.b64encode(png).decode('ascii')})")


def chart_metadata(con: duckdb.DuckDBPyConnection, start: dt.date, end: dt.date) -> dict:
    """Metadata entries with the top-entities and co-occurrence charts of [start, end] (inclusive days)."""
    return {
        "top_entities_chart": markdown_image(top_entities_daily_png(con, start, end), "top entities"),
        "cooccurrence_chart": markdown_image(cooccurrence_network_png(con, start, end), "co-occurrence network"),
    }
