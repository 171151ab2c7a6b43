"""Day ranges run side by side (this process + spawned workers) give the rows one process gives."""
from __future__ import annotations

import shutil
import tempfile
from pathlib import Path

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


def test_a_process_done_with_its_range_takes_over_batches_of_the_other(tmp_path, monkeypatch, capfd):
    import time

    import dagster as dg

    import news_assets.cli as cli
    import news_assets.defs.entities.assets as assets
    import news_assets.warehouse.state as state

    results = {}
    for workers in ("1", "2"):
        with monkeypatch.context() as m:
            env = Env(tmp_path / f"w{workers}", m)
            shutil.copytree(SAMPLE_ARTICLES, env.corpus)
            m.setenv("NEWS_WORKERS", workers)
            m.setenv("NEWS_PROGRESS", "1")  # set before the workers are spawned: their lines too
            # Small work split in two ranges of many batches (the sample holds ~40 dated articles).
            m.setattr(cli, "PARALLEL_RUNS_MIN_ARTICLES", 0)
            m.setattr(cli, "PRESTARTED_SPAWN_COST", 0)
            m.setattr(state, "RUN_COST", 1)
            m.setattr(assets, "BATCH_ARTICLES", 2)
            assert env.cli("build") == 0
            first, last = env.sql("SELECT min(published_date), max(published_date) FROM articles")[0]
            # This process's batches are slow (the workers are spawned: they run at full speed),
            # so the worker, done with its own range, takes batches of this one from the back.
            real = assets._extract_batch

            def slow(*args, **kwargs):
                time.sleep(0.5)
                return real(*args, **kwargs)

            m.setattr(assets, "_extract_batch", slow)
            capfd.readouterr()
            boards = set(Path(tempfile.gettempdir()).glob("news-assets-ranges-*"))
            assert env.cli("backfill", "--start", str(first), "--end", str(last), "--force") == 0
            err = capfd.readouterr().err
            results[workers] = _content(env)
            if workers == "2":
                assert "articles by another process" in err and "articles of other ranges" in err, err[-2000:]
                # Every mention carries the run id of the run whose range holds its day, whichever
                # process extracted it; every article was extracted once.
                instance = dg.DagsterInstance.get()
                ranges = {}
                for run_id, in env.sql("SELECT DISTINCT run_id FROM entity_mentions WHERE published_date IS NOT NULL"):
                    tags = instance.get_run_by_id(run_id).tags
                    ranges[run_id] = (tags["dagster/asset_partition_range_start"],
                                      tags["dagster/asset_partition_range_end"])
                assert len(ranges) == 2
                for run_id, day in env.sql("SELECT run_id, strftime(published_date, '%Y-%m-%d') FROM entity_mentions "
                                           "WHERE published_date IS NOT NULL"):
                    assert ranges[run_id][0] <= day <= ranges[run_id][1]
                assert env.sql("SELECT count(*), count(DISTINCT article_id) FROM extraction_log") == \
                    env.sql("SELECT count(*), count(*) FROM articles")
                assert set(Path(tempfile.gettempdir()).glob("news-assets-ranges-*")) <= boards  # removed
    assert results["2"] == results["1"]
