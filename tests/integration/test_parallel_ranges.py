"""Day ranges run side by side (this process + spawned workers) give the rows one process gives."""
from __future__ import annotations

import shutil

import pytest

from tests.conftest import SAMPLE_ARTICLES, Env

CONTENT = {
    "entity_mentions": "SELECT mention_id, entity_id, entity_type, surface, start_char, end_char, published_date "
                       "FROM entity_mentions",
    "mention_counts_daily": "SELECT * FROM mention_counts_daily",
    "entity_cooccurrence": "SELECT * FROM entity_cooccurrence",
    "entities": "SELECT * FROM entities",
}


def _content(env: Env) -> dict[str, list]:
    return {t: sorted(map(repr, env.sql(q))) for t, q in CONTENT.items()}


def test_parallel_range_runs_match_one_process(tmp_path, monkeypatch):
    import news_assets.cli as cli

    results = {}
    for workers in ("1", "2"):
        with monkeypatch.context() as m:
            env = Env(tmp_path / f"w{workers}", m)
            shutil.copytree(SAMPLE_ARTICLES, env.corpus)
            m.setenv("NEWS_WORKERS", workers)
            m.setattr(cli, "PARALLEL_RUNS_MIN_ARTICLES", 0)  # the sample is small: force the parallel path
            assert env.cli("build") == 0
            first, last = env.sql("SELECT min(published_date), max(published_date) FROM articles")[0]
            assert env.cli("backfill", "--start", str(first), "--end", str(last), "--force") == 0
            results[workers] = _content(env)
            days = env.scalar("SELECT count(DISTINCT published_date) FROM mention_counts_daily")
    assert days >= 2, "the sample needs several days for ranges to be split"
    assert results["2"] == results["1"]
    assert results["1"]["entity_mentions"], "something was extracted"
