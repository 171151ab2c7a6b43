"""Jobs: ingest+parse (unpartitioned), and everything downstream for a range of publication days."""
from __future__ import annotations

import dagster as dg

from news_assets.defs.partitions import daily_partitions

ingest_job = dg.define_asset_job(
    "ingest_job",
    selection=dg.AssetSelection.groups("ingest", "parse", "models"),
    description="Ingest new or changed files under the corpus root, parse them into articles, train the extractor model if configured.",
)

entities_job = dg.define_asset_job(
    "entities_job",
    selection=dg.AssetSelection.groups("entities", "counts"),
    partitions_def=daily_partitions,
    description="Extract entities and recount for a range of publication days (plus the undated bucket).",
)
