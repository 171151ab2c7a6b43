"""Pure helpers: grouping stale days into range runs, and the ordered parallel map."""
from __future__ import annotations

import datetime as dt

import pytest

from news_assets.parallel import ordered_map, worker_count
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


def test_worker_count_reads_env(monkeypatch):
    monkeypatch.setenv("NEWS_WORKERS", "3")
    assert worker_count() == 3
    monkeypatch.setenv("NEWS_WORKERS", "zero")
    with pytest.raises(ValueError, match="NEWS_WORKERS"):
        worker_count()
