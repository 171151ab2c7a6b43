"""Shared fixtures: a private corpus copy, warehouse file and Dagster instance per test."""
from __future__ import annotations

import shutil
from pathlib import Path

import duckdb
import pytest

from news_assets.dagster_home import ensure_dagster_home

REPO = Path(__file__).resolve().parents[1]
SHARED = (REPO / ".." / "shared").resolve()
SAMPLE_ARTICLES = REPO / "news_assets" / "sample_corpus" / "articles"


def shared_path(*parts: str) -> Path:
    """A path under ../shared, or skip the test with the reason when it is absent."""
    path = SHARED.joinpath(*parts)
    if not path.exists():
        pytest.skip(f"{path} is absent: this test reads the team's shared data in place (../shared beside the repo)")
    return path


class Env:
    """One isolated pipeline: its own corpus folder, warehouse file and DAGSTER_HOME."""

    def __init__(self, root: Path, monkeypatch: pytest.MonkeyPatch):
        self.corpus = root / "corpus"
        self.db = root / "warehouse" / "news.duckdb"
        self.home = root / "dagster_home"
        ensure_dagster_home(self.home)  # the same dagster.yaml the CLI writes
        monkeypatch.setenv("DAGSTER_HOME", str(self.home))
        monkeypatch.setenv("NEWS_DUCKDB_PATH", str(self.db))
        self.monkeypatch = monkeypatch
        self.use_corpus(self.corpus)

    def use_corpus(self, path: Path) -> None:
        self.monkeypatch.setenv("NEWS_CORPUS_DIR", str(path))

    def cli(self, *args: str) -> int:
        from news_assets.cli import main

        return main(list(args))

    def sql(self, query: str, params: list | None = None) -> list[tuple]:
        with duckdb.connect(str(self.db), read_only=True) as con:
            return con.execute(query, params or []).fetchall()

    def scalar(self, query: str, params: list | None = None):
        return self.sql(query, params)[0][0]

    def snapshot(self) -> dict[str, list[tuple]]:
        """Every contract table's rows, sorted: equal snapshots mean no row changed."""
        tables = ["raw_documents", "rejected_documents", "articles", "entity_mentions", "entities",
                  "mention_counts_daily", "entity_cooccurrence"]
        with duckdb.connect(str(self.db), read_only=True) as con:
            return {t: sorted(map(repr, con.execute(f"SELECT * FROM {t}").fetchall())) for t in tables}


@pytest.fixture
def env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Env:
    e = Env(tmp_path, monkeypatch)
    shutil.copytree(SAMPLE_ARTICLES, e.corpus)
    return e
