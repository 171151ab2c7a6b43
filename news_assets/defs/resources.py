"""Resources: where the warehouse file and the corpus live (from NEWS_* settings)."""

from pathlib import Path

import dagster as dg

from news_assets.extraction import ExtractorChoice, resolve_extractor
from news_assets.warehouse import Warehouse


class WarehouseResource(dg.ConfigurableResource):
    """The DuckDB warehouse file ($NEWS_DUCKDB_PATH)."""

    duckdb_path: str

    def get(self) -> Warehouse:
        return Warehouse(self.duckdb_path)


class CorpusResource(dg.ConfigurableResource):
    """The folder of raw article files ($NEWS_CORPUS_DIR)."""

    root: str
    max_file_bytes: int = 64 * 1024 * 1024

    @property
    def path(self) -> Path:
        return Path(self.root)


class ExtractorResource(dg.ConfigurableResource):
    """Which entity extractor runs ($NEWS_EXTRACTOR), and what it needs (gold file, model folders)."""

    name: str = "rules"
    ner_gold: str | None = None
    model_dir: str | None = None
    camel_model_dir: str | None = None

    def choice(self) -> ExtractorChoice:
        return resolve_extractor(
            self.name,
            Path(self.ner_gold) if self.ner_gold else None,
            Path(self.model_dir) if self.model_dir else None,
            Path(self.camel_model_dir) if self.camel_model_dir else None,
        )
