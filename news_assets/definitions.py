"""The Dagster code location: four stage groups (ingest → parse → entities → counts) on DuckDB."""
from __future__ import annotations

import dagster as dg

from news_assets.config import Settings, load_settings
from news_assets.defs.counts import assets as counts_assets
from news_assets.defs.counts import charts as chart_assets
from news_assets.defs.entities import assets as entities_assets
from news_assets.defs.entities import ner_model as ner_model_assets
from news_assets.defs.ingest import assets as ingest_assets
from news_assets.defs.jobs import entities_job, ingest_job
from news_assets.defs.parse import assets as parse_assets
from news_assets.defs.parse import duplicates as duplicates_assets
from news_assets.defs.resources import CorpusResource, ExtractorResource, WarehouseResource
from news_assets.defs.schedules import daily_refresh_schedule
from news_assets.defs.sensors import articles_to_entities_sensor, new_corpus_files_sensor, publish_warehouse_sensor


def build_definitions(settings: Settings | None = None) -> dg.Definitions:
    settings = settings or load_settings()
    return dg.Definitions(
        assets=dg.load_assets_from_modules([ingest_assets, parse_assets, duplicates_assets, ner_model_assets, entities_assets, counts_assets, chart_assets]),
        jobs=[ingest_job, entities_job],
        schedules=[daily_refresh_schedule],
        sensors=[new_corpus_files_sensor, articles_to_entities_sensor, publish_warehouse_sensor],
        resources={
            "warehouse": WarehouseResource(duckdb_path=str(settings.duckdb_path)),
            "corpus": CorpusResource(root=str(settings.corpus_dir), max_file_bytes=settings.max_file_bytes),
            "extractor": ExtractorResource(
                name=settings.extractor,
                ner_gold=str(settings.ner_gold) if settings.ner_gold else None,
                model_dir=str(settings.model_dir),
                camel_model_dir=str(settings.camel_model_dir) if settings.camel_model_dir else None,
            ),
        },
    )


defs = build_definitions()
