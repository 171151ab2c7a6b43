"""Cutting a day range into chunks (counts are recounted a chunk at a time)."""
import datetime as dt

import pytest

from news_assets.defs.partitions import date_chunks

D = dt.date


def test_chunks_cover_the_range_in_order_without_gaps_or_overlap():
    chunks = date_chunks(D(2018, 1, 30), D(2018, 3, 5), 14)
    assert chunks == [(D(2018, 1, 30), D(2018, 2, 12)), (D(2018, 2, 13), D(2018, 2, 26)),
                      (D(2018, 2, 27), D(2018, 3, 5))]


def test_one_day_and_exact_multiples():
    assert date_chunks(D(2020, 2, 29), D(2020, 2, 29), 31) == [(D(2020, 2, 29), D(2020, 2, 29))]
    assert date_chunks(D(2020, 1, 1), D(2020, 1, 4), 2) == [(D(2020, 1, 1), D(2020, 1, 2)), (D(2020, 1, 3), D(2020, 1, 4))]
    assert date_chunks(D(2020, 1, 1), D(2020, 1, 3), 1) == [(D(2020, 1, d), D(2020, 1, d)) for d in (1, 2, 3)]


def test_empty_range_and_bad_size():
    assert date_chunks(D(2020, 1, 2), D(2020, 1, 1), 5) == []
    with pytest.raises(ValueError):
        date_chunks(D(2020, 1, 1), D(2020, 1, 2), 0)
