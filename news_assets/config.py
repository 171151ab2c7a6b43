"""Settings read from NEWS_* environment variables, validated once, with errors that say the fix.

No Dagster import here: the CLI, the Dagster definitions and the tests all read the same settings.
"""
from __future__ import annotations

import datetime as dt
import os
import re
from dataclasses import dataclass
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parents[1]
SAMPLE_CORPUS_DIR = Path(__file__).resolve().parent / "sample_corpus" / "articles"
DEFAULT_DATA_DIR = PROJECT_ROOT / "data"


class SettingsError(ValueError):
    """A NEWS_* setting is wrong; the message names the variable and the fix."""


@dataclass(frozen=True)
class Settings:
    corpus_dir: Path
    duckdb_path: Path
    partitions_start: dt.date
    extractor: str
    max_file_bytes: int
    ner_gold: Path | None = None       # CoNLL gold the `model` extractor trains on
    camel_model_dir: Path | None = None  # a local camel-tools NER model (BERT token classifier)

    @property
    def model_dir(self) -> Path:
        """Where trained extractor models live: beside the warehouse."""
        return self.duckdb_path.parent / "models"

    @property
    def lock_path(self) -> Path:
        return self.duckdb_path.with_name(self.duckdb_path.name + ".lock")


EXTRACTORS = ("rules", "model", "camel")


def user_cache_dir() -> Path:
    """This project's folder in the user's cache: $XDG_CACHE_HOME (default ~/.cache)/news_assets.
    Only things that can be rebuilt go there (the gazetteer, camel-tools' offline catalogue)."""
    return Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "news_assets"


def _env(name: str) -> str | None:
    value = os.environ.get(name)
    return value.strip() if value and value.strip() else None


def partitions_start_from_env() -> dt.date:
    """$NEWS_PARTITIONS_START (default 2000-01-01): the first daily partition."""
    raw = _env("NEWS_PARTITIONS_START") or "2000-01-01"
    try:
        return dt.date.fromisoformat(raw)
    except ValueError as exc:
        raise SettingsError(f"NEWS_PARTITIONS_START={raw!r} is not a date: use YYYY-MM-DD") from exc


_MEMORY_RE = re.compile(r"(\d+(?:\.\d+)?)\s*(B|KB|MB|GB|TB|KiB|MiB|GiB|TiB)", re.IGNORECASE)


def scaled_memory_size(size: str, factor: float) -> str:
    """A DuckDB memory size times ``factor``: '32MB' x 4 -> '128MB'."""
    number, unit = _MEMORY_RE.fullmatch(size.strip()).groups()
    return f"{float(number) * factor:g}{unit}"


def duckdb_memory_limit_from_env() -> str:
    """$NEWS_DUCKDB_MEMORY_LIMIT (default 1GB): the most memory DuckDB may hold in one pipeline
    process (its own default is 80 % of RAM, which it fills with cached pages of a big warehouse);
    beyond it DuckDB evicts cached pages and spills to disk."""
    raw = _env("NEWS_DUCKDB_MEMORY_LIMIT") or "1GB"
    if not _MEMORY_RE.fullmatch(raw):
        raise SettingsError(f"NEWS_DUCKDB_MEMORY_LIMIT={raw!r} is not a memory size: use a figure like 1GB or 512MB")
    return raw


def load_settings() -> Settings:
    """Read and validate the NEWS_* variables (defaults: the shipped sample corpus, data/news.duckdb)."""
    corpus = Path(_env("NEWS_CORPUS_DIR") or SAMPLE_CORPUS_DIR).expanduser()
    if not corpus.is_dir():
        raise SettingsError(
            f"NEWS_CORPUS_DIR={corpus} is not a directory: point it at the folder that holds the article files"
        )
    db = Path(_env("NEWS_DUCKDB_PATH") or DEFAULT_DATA_DIR / "news.duckdb").expanduser()
    if db.is_dir():
        raise SettingsError(f"NEWS_DUCKDB_PATH={db} is a directory: give a file path such as {db / 'news.duckdb'}")
    try:
        db.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise SettingsError(f"NEWS_DUCKDB_PATH={db}: cannot create its folder ({exc.strerror})") from exc
    start = partitions_start_from_env()
    extractor = _env("NEWS_EXTRACTOR") or "rules"
    if extractor not in EXTRACTORS:
        raise SettingsError(f"NEWS_EXTRACTOR={extractor!r} is unknown: use one of {', '.join(EXTRACTORS)}")
    max_raw = _env("NEWS_MAX_FILE_BYTES") or str(64 * 1024 * 1024)
    if not max_raw.isdigit() or int(max_raw) <= 0:
        raise SettingsError(f"NEWS_MAX_FILE_BYTES={max_raw!r} must be a positive whole number of bytes")
    gold_raw = _env("NEWS_NER_GOLD")
    gold = Path(gold_raw).expanduser().resolve() if gold_raw else None
    if gold is not None and not gold.is_file():
        raise SettingsError(f"NEWS_NER_GOLD={gold_raw} is not a file: give a CoNLL file ('token TAG' lines)")
    camel_raw = _env("NEWS_CAMEL_MODEL_DIR")
    camel_dir = Path(camel_raw).expanduser().resolve() if camel_raw else None
    if camel_dir is not None and not (camel_dir / "config.json").is_file():
        raise SettingsError(f"NEWS_CAMEL_MODEL_DIR={camel_raw} has no config.json: point it at a camel-tools NER model folder")
    duckdb_memory_limit_from_env()  # validated with the rest, read where connections open
    return Settings(
        ner_gold=gold,
        camel_model_dir=camel_dir,
        corpus_dir=corpus.resolve(),
        duckdb_path=db.resolve(),
        partitions_start=start,
        extractor=extractor,
        max_file_bytes=int(max_raw),
    )
