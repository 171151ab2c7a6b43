"""Pure helpers: grouping stale days into range runs, and the ordered parallel map."""
from __future__ import annotations

import datetime as dt

import pytest

from news_assets.parallel import Background, WorkerPool, ordered_map, worker_count
from news_assets.warehouse.state import day_ranges

D = dt.date


def test_day_ranges_merge_close_days_and_split_far_ones():
    days = [D(2018, 3, 1), D(2018, 3, 2), D(2018, 3, 10), D(2018, 6, 1), D(2012, 1, 5)]
    assert day_ranges(days, merge_gap=15) == (
        (D(2012, 1, 5), D(2012, 1, 5)),
        (D(2018, 3, 1), D(2018, 3, 10)),
        (D(2018, 6, 1), D(2018, 6, 1)),
    )
    assert day_ranges(days, merge_gap=0) == (
        (D(2012, 1, 5), D(2012, 1, 5)), (D(2018, 3, 1), D(2018, 3, 1)), (D(2018, 3, 2), D(2018, 3, 2)),
        (D(2018, 3, 10), D(2018, 3, 10)), (D(2018, 6, 1), D(2018, 6, 1)),
    )
    assert day_ranges([]) == ()


def _square(x: int) -> int:
    return x * x


def test_ordered_map_keeps_order_across_processes():
    items = list(range(1000))
    assert list(ordered_map(_square, items, workers=2, chunksize=7)) == [x * x for x in items]
    assert list(ordered_map(_square, items, workers=1)) == [x * x for x in items]


def _square_and_pid(x: int) -> tuple[int, int]:
    import os

    return x * x, os.getpid()


def test_worker_pool_keeps_its_processes_across_batches():
    import os

    with WorkerPool(2) as pool:
        first = list(pool.map(_square_and_pid, range(200), chunksize=5))
        second = list(pool.map(_square_and_pid, range(200, 400), chunksize=5))
    assert [v for v, _ in first + second] == [x * x for x in range(400)]
    pids = {pid for _, pid in first + second}
    assert os.getpid() not in pids and len(pids) <= 2  # the same two workers served both batches
    with WorkerPool(2) as pool:  # few items: computed inline, no process started
        assert [pid for _, pid in pool.map(_square_and_pid, range(3), chunksize=5)] == [os.getpid()] * 3


def _fail(x: int) -> int:
    raise ValueError(f"bad item {x}")


def test_background_runs_calls_in_one_other_process_or_inline():
    import os

    with Background(2) as bg:
        futures = [bg.submit(_square_and_pid, x) for x in range(20)]
        failed = bg.submit(_fail, 3)
        results = [f.result() for f in futures]
    assert [v for v, _ in results] == [x * x for x in range(20)]
    assert len({pid for _, pid in results}) == 1 and results[0][1] != os.getpid()
    with pytest.raises(ValueError, match="bad item 3"):
        failed.result()
    with Background(1) as bg:  # no second core to use: each call runs at submit, here
        assert bg.submit(_square_and_pid, 4).result() == (16, os.getpid())
        with pytest.raises(ValueError, match="bad item 5"):
            bg.submit(_fail, 5).result()


def test_worker_count_reads_env(monkeypatch):
    monkeypatch.setenv("NEWS_WORKERS", "3")
    assert worker_count() == 3
    monkeypatch.setenv("NEWS_WORKERS", "zero")
    with pytest.raises(ValueError, match="NEWS_WORKERS"):
        worker_count()


def test_range_workers_can_be_terminated_even_when_started_with_sigterm_ignored():
    import signal
    import subprocess
    import sys

    code = ("import signal, sys; from news_assets.cli import _range_worker_init; _range_worker_init(); "
            "print(signal.getsignal(signal.SIGTERM) == signal.SIG_DFL, 'pyarrow' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120,
                         preexec_fn=lambda: signal.signal(signal.SIGTERM, signal.SIG_IGN))
    # and warmed up: what the first range run would otherwise import on the clock is imported
    assert out.stdout.strip() == "True True", out.stderr[-2000:]


def test_range_workers_terminated_during_their_imports_end_under_a_parent_ignoring_sigterm():
    # The work can turn out too small right after the workers were started, while they still
    # import Dagster; a worker that inherited an ignored SIGTERM then never ended, and
    # Pool.terminate() waited for it forever.
    import signal
    import subprocess
    import sys

    code = ("import signal; from news_assets.cli import _start_range_workers; pool = _start_range_workers(1); "
            "pool.terminate(); pool.join(); print(signal.getsignal(signal.SIGTERM) == signal.SIG_IGN)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60,
                         preexec_fn=lambda: signal.signal(signal.SIGTERM, signal.SIG_IGN))
    assert out.stdout.strip() == "True", out.stderr[-2000:]  # and the caller's own disposition is kept


def test_the_quick_exit_after_a_two_worker_backfill_leaves_no_semaphores_to_the_resource_tracker():
    # news-assets ends with os._exit (no interpreter teardown); the range workers' spawned pool
    # still held its six semaphores, and the resource tracker warned of them after the command had
    # returned ("There appear to be 6 leaked semaphore objects").
    import subprocess
    import sys

    code = ("from news_assets import cli; pool = cli._start_range_workers(1); pool.close(); pool.join(); "
            "print('done', flush=True); cli._exit_without_teardown(0)")
    # communicate() waits for the tracker too: it holds the same stderr and warns as it ends
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert (out.returncode, out.stdout.strip()) == (0, "done"), out.stderr[-2000:]
    assert "leaked" not in out.stderr, out.stderr[-2000:]


def test_split_for_workers_covers_every_day_once_and_gives_the_caller_the_head_start():
    from news_assets.warehouse.state import DAY_COST, SPAWN_COST, split_for_workers

    per_day = {D(2018, 1, 1) + dt.timedelta(days=i): 100 for i in range(200)}
    ranges = ((D(2018, 1, 1), D(2018, 6, 30)), (D(2018, 7, 10), D(2018, 7, 19)), (D(2012, 5, 1), D(2012, 5, 1)))
    pieces = split_for_workers(ranges, per_day, 2)
    covered = [a + dt.timedelta(days=i) for a, b in pieces for i in range((b - a).days + 1)]
    wanted = [a + dt.timedelta(days=i) for a, b in ranges for i in range((b - a).days + 1)]
    assert sorted(covered) == sorted(wanted) and len(covered) == len(set(covered))

    def weight(piece):
        a, b = piece
        return sum(DAY_COST + per_day.get(a + dt.timedelta(days=i), 0) for i in range((b - a).days + 1))

    mine, theirs = pieces[0], pieces[1:]
    assert weight(mine) == max(map(weight, pieces))
    assert weight(mine) - sum(map(weight, theirs)) == pytest.approx(SPAWN_COST, abs=4 * (DAY_COST + 100) + 2000)
    assert split_for_workers(ranges, per_day, 1) == list(ranges)


def test_split_for_workers_gives_one_range_one_piece_per_worker_without_a_stub():
    from news_assets.warehouse.state import DAY_COST, split_for_workers

    per_day = {D(2018, 1, 1) + dt.timedelta(days=i): 100 + (i % 7) * 10 for i in range(280)}
    whole = ((D(2018, 1, 1), D(2018, 1, 1) + dt.timedelta(days=279)),)

    def weight(piece):
        a, b = piece
        return sum(DAY_COST + per_day[a + dt.timedelta(days=i)] for i in range((b - a).days + 1))

    for spawn_cost in (0, 500, 2400):
        pieces = split_for_workers(whole, per_day, 2, spawn_cost=spawn_cost)
        # A third piece of a few days would cost a run of its own for nothing.
        assert len(pieces) == 2, (spawn_cost, pieces)
        mine, theirs = map(weight, pieces)
        assert mine - theirs == pytest.approx(spawn_cost, abs=DAY_COST + 170)
    pieces = split_for_workers(whole, per_day, 4, spawn_cost=0)
    assert len(pieces) == 4 and max(map(weight, pieces)) - min(map(weight, pieces)) <= 2 * (DAY_COST + 170)


def test_split_for_workers_splits_a_big_range_beside_many_small_ones():
    # A full build's shape: one dense range and a scatter of small ones (ANT: 31k articles in
    # 2018, and a dozen range runs of a few older ones). The dense range must be shared.
    from news_assets.warehouse.state import split_for_workers

    dense = (D(2018, 1, 1), D(2018, 9, 30))
    per_day = {dense[0] + dt.timedelta(days=i): 115 for i in range((dense[1] - dense[0]).days + 1)}
    small = []
    for k in range(20):
        day = D(2013, 1, 1) + dt.timedelta(days=20 * k)
        per_day[day] = 3
        small.append((day, day))
    pieces = split_for_workers((dense, *small), per_day, 2)
    inside = [p for p in pieces if dense[0] <= p[0] and p[1] <= dense[1]]
    assert len(inside) == 2 and pieces[0] in inside


def test_split_for_workers_shares_the_dense_year_of_a_whole_span_backfill():
    # ANT's whole span as one range: 1,896 nearly empty days, then 304 days with 31,451 articles.
    # Each empty day costs Dagster bookkeeping (~8-10 ms, about 10 articles' worth); counted at 20,
    # the empty days alone outweighed the dense year and the worker got every article (22.7 s
    # against 30.7 s). Both pieces must hold part of the dense year.
    from news_assets.warehouse.state import split_for_workers

    sparse_start, dense_start, end = D(2012, 10, 11), D(2017, 12, 21), D(2018, 10, 20)
    per_day = {sparse_start + dt.timedelta(days=26 * k): 1 for k in range(72)}
    per_day.update({dense_start + dt.timedelta(days=i): 31_451 // 304 for i in range(304)})
    pieces = split_for_workers(((sparse_start, end),), per_day, 2, spawn_cost=500)
    assert len(pieces) == 2
    assert all(b >= dense_start for _a, b in pieces), pieces


def test_the_split_weighs_an_article_by_what_its_extractor_costs():
    # ANT's build with the `model` extractor: one dense range and a dozen small ones. A run and a
    # day cost the same whatever extracts; a `model` article costs ~5 `rules` ones. Weighed like
    # `rules`, the worker got 10,013 of the dense range's 31,451 articles plus the small runs and
    # finished 39 s before the other process.
    from news_assets.warehouse.state import (
        ARTICLE_COST, DAY_COST, RUN_COST, SPAWN_COST, article_cost, share_pieces, split_for_workers,
    )

    dense = (D(2018, 1, 1), D(2018, 9, 30))
    per_day = {dense[0] + dt.timedelta(days=i): 115 for i in range((dense[1] - dense[0]).days + 1)}
    small = [(D(2013, 1, 1) + dt.timedelta(days=20 * k),) * 2 for k in range(12)]
    per_day.update({a: 5 for a, _b in small})
    ranges = (dense, *small)

    def articles(share):
        return sum(per_day.get(a + dt.timedelta(days=i), 0) for a, b in share for i in range((b - a).days + 1))

    share_of_caller = {}
    for extractor in ("rules", "model"):
        cost = article_cost(extractor)
        pieces = split_for_workers(ranges, per_day, 2, SPAWN_COST, cost)
        mine, theirs = share_pieces(pieces, per_day, 2, SPAWN_COST, cost)
        assert sorted(mine + theirs) == sorted(pieces)

        def load(share):
            return sum(RUN_COST + sum(DAY_COST + cost * per_day.get(a + dt.timedelta(days=i), 0)
                                      for i in range((b - a).days + 1)) for a, b in share)

        # Both processes finish together in that extractor's units (the worker starts SPAWN_COST late).
        assert abs(load(mine) - (load(theirs) + SPAWN_COST)) < 0.03 * load(pieces), extractor
        share_of_caller[extractor] = articles(mine) / articles(pieces)
    assert share_of_caller["rules"] > 0.65  # the worker's dozen runs are worth many rules articles
    assert 0.5 < share_of_caller["model"] < 0.58  # and few model ones
    assert article_cost("no such extractor") == 1 and ARTICLE_COST["rules"] == 1


def test_share_pieces_keeps_the_caller_busy_while_the_worker_runs_the_rest():
    from news_assets.warehouse.state import MAX_PIECE_ARTICLES, RUN_COST, share_pieces, split_for_workers

    # ANT x4's shape: four dense ten-month ranges a year apart (~31,000 articles each) and a few small ones.
    per_day, ranges = {}, []
    for year in (2015, 2016, 2017, 2018):
        first = D(year - 1, 12, 26)
        ranges.append((first, first + dt.timedelta(days=299)))
        per_day.update({first + dt.timedelta(days=i): 105 for i in range(300)})
    for year in (2011, 2012, 2013):
        ranges.append((D(year, 5, 1), D(year, 5, 3)))
        per_day.update({D(year, 5, 1): 20})
    pieces = split_for_workers(tuple(ranges), per_day, 2)
    mine, theirs = share_pieces(pieces, per_day, 2)
    assert sorted(mine + theirs) == sorted(pieces)

    def load(share):
        return sum(RUN_COST + sum(10 + per_day.get(a + dt.timedelta(days=i), 0) for i in range((b - a).days + 1))
                   for a, b in share)

    assert mine[0] == max(pieces, key=lambda p: load([p]))  # the caller starts on the largest
    # Each dense range is cut in two (no piece much above MAX_PIECE_ARTICLES: a process's memory
    # follows its piece), and each process runs two ranges' worth (it was one against three).
    def articles(piece):
        a, b = piece
        return sum(per_day.get(a + dt.timedelta(days=i), 0) for i in range((b - a).days + 1))

    assert len(pieces) == 4 * 2 + 3 and max(map(articles, pieces)) <= MAX_PIECE_ARTICLES + 105
    assert abs(load(mine) - load(theirs)) < load(pieces) * 0.1
    # A worker that would start too late for any piece to be worth it gets none.
    assert share_pieces(pieces, per_day, 2, spawn_cost=10**9) == (sorted(pieces, key=lambda p: -load([p])), [])


def test_a_range_is_counts_only_when_no_day_of_it_needs_its_mentions_redone():
    import dataclasses
    import datetime as dt

    from news_assets.warehouse.state import RefreshPlan

    day, later = dt.date(2025, 3, 12), dt.date(2025, 3, 20)
    unknown = RefreshPlan(ranges=((day, later),), day_articles={later: 1}, stale_days=2, undated=False,
                          articles_to_extract=1)
    assert not unknown.counts_only(day, day)  # not told which days' mentions need work: all of them
    plan = dataclasses.replace(unknown, mention_days=frozenset({later}))
    assert plan.counts_only(day, day) and plan.counts_only(day, later - dt.timedelta(days=1))
    assert not plan.counts_only(day, later) and not plan.counts_only(later, later)
