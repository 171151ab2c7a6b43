"""kill -9 of a `news-assets build` at chosen points, then a normal build: the published warehouse
must equal a clean build's (row counts and content checksums of every contract table, volatile
columns left out). The full series (12 trials and a results table) is bench/crash_trials.py."""
from __future__ import annotations

import random

import pytest

from bench.crash_trials import clean_build, consistency, make_crash_corpus, run_trial

EXTRA_FILES = 200  # with the 36 sample files: a clean build takes ~5-7 s here


@pytest.fixture(scope="module")
def crash_setup(tmp_path_factory):
    work = tmp_path_factory.mktemp("crash")
    corpus = work / "corpus"
    make_crash_corpus(corpus, extra=EXTRA_FILES, seed=0)
    reference, took, _ = clean_build(corpus, work / "clean", timeout=180)
    return work, corpus, reference, took


def test_clean_build_is_reproducible(crash_setup, tmp_path):
    """The comparison itself is sound: a second clean build has the same checksums."""
    work, corpus, reference, took = crash_setup
    again, _, _ = clean_build(corpus, tmp_path / "again", timeout=180)
    assert again == reference
    assert reference["entity_mentions"][0] > 1000 and reference["articles"][0] > EXTRA_FILES


@pytest.mark.parametrize("seed,kind", [(1, "parse"), (2, "entities"), (3, "totals"), (4, "publish")])
def test_build_killed_then_rebuilt_equals_a_clean_build(crash_setup, seed, kind):
    work, corpus, reference, took = crash_setup
    row = run_trial(corpus, work / f"trial_{kind}_{seed}", kind, random.Random(seed), took, reference, timeout=180)
    assert row["rebuild_rc"] == 0, row["diff"]
    assert row["recovered"], f"killed at {row['killed_at']:.2f} s in stage {row['stage']}: {row['diff']}"


# --- targeted windows -----------------------------------------------------------------------------------

def _small_corpus(tmp_path, undated: bool):
    corpus = tmp_path / "corpus"
    make_crash_corpus(corpus, extra=40, seed=5, undated=undated)
    return corpus


def test_build_killed_before_the_entity_totals_run_recovers(tmp_path):
    """Killed right after the range runs committed mentions and counts, before the totals run (undated
    mentions, then entities) committed anything: the next build redoes the totals run. Two ranges:
    a build with one range run has the totals as that run's last steps (the same window, inside
    one run; its deterministic form is the test below)."""
    import duckdb

    from bench.crash_trials import kill_group, new_env, start_build, finish, _wait_for

    corpus = _small_corpus(tmp_path, undated=False)
    # Written for this test: a day more than MERGE_GAP_DAYS before the corpus's, a range of its own.
    (corpus / "990_far_earlier.txt").write_text(
        "خبر أقدم\nتاريخ النشر: 01/10/2024\nزار وزير الخارجية الأردني القاهرة والتقى نظيره المصري.\n"
        "المصدر: صحيفة الاختبار\n", encoding="utf-8")
    env = new_env(tmp_path / "t", corpus)
    b = start_build(env)
    reached = _wait_for(b, lambda: b.stage() == "totals", 90)
    alive = b.proc.poll() is None
    if not reached:
        kill_group(b)
    assert reached, f"build {'still running (hung?)' if alive else 'ended'} without reaching the totals run: {b.lines}"
    kill_group(b)
    with duckdb.connect(env["NEWS_DUCKDB_PATH"] + ".work", read_only=True) as con:
        mentions, ents = con.execute("SELECT (SELECT count(*) FROM entity_mentions), "
                                     "(SELECT count(*) FROM entities)").fetchone()
    if not (mentions > 0 and ents == 0):
        pytest.skip(f"the kill did not land between the range run and the totals run ({mentions=}, {ents=})")
    b2 = start_build(env)
    assert finish(b2, 180) == 0, b2.lines
    problems = consistency(tmp_path / "t" / "wh" / "news.duckdb")
    assert problems == [], f"{problems}; rebuild said: {b2.lines[-6:]}"


# --- cases that once failed -----------------------------------------------------------------------------------

def test_entities_stale_after_a_crash_before_their_rebuild_are_rebuilt(env):
    """Deterministic form of the crash window: every other table committed, `entities` not yet
    rebuilt (on a first build: still empty)."""
    import duckdb

    assert env.cli("build") == 0
    with duckdb.connect(str(env.db) + ".work") as con:  # the state a kill -9 at that point leaves
        con.execute("DELETE FROM entities")
    assert env.cli("build") == 0
    assert consistency(env.db) == []


def test_crashed_publish_leaves_no_temporary_copy(env):
    """Deterministic form of a kill -9 inside Warehouse.publish (after the copy, before os.replace):
    the copy is left as .news.duckdb.<pid of the dead process>.tmp. The next publish must not keep
    it. (The kill itself is exercised by test_build_killed_then_rebuilt_equals_a_clean_build[4-publish]
    and bench/crash_trials.py, which wait for the tmp file with inotify.)"""
    import shutil

    assert env.cli("build") == 0
    dead = env.db.with_name(f".{env.db.name}.999999.tmp")
    shutil.copyfile(str(env.db) + ".work", dead)
    assert env.cli("build") == 0
    assert sorted(p.name for p in env.db.parent.glob(".*.tmp")) == []
