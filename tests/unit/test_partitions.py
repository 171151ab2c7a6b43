"""Cutting a day range into chunks (counts are recounted a chunk at a time)."""
import datetime as dt

import pytest

from news_assets.defs.partitions import date_chunks, decode_days, encode_days, load_chunks

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


def test_load_chunks_close_a_piece_on_the_day_it_reaches_the_load():
    per_day = {D(2018, 1, 2): 30, D(2018, 1, 3): 80, D(2018, 1, 9): 5, D(2018, 1, 10): 200, D(2018, 1, 20): 1}
    assert load_chunks(D(2018, 1, 1), D(2018, 1, 31), per_day, 100) == [
        (D(2018, 1, 1), D(2018, 1, 3)),     # 30 + 80: closed on the day the load passed 100
        (D(2018, 1, 4), D(2018, 1, 10)),    # a day above the load ends its piece
        (D(2018, 1, 11), D(2018, 1, 31)),   # what is left, however many days it spans
    ]


def test_load_chunks_sparse_years_are_one_piece_and_days_outside_the_range_do_not_count():
    per_day = {D(2012, 5, 1): 3, D(2014, 7, 9): 2, D(2019, 1, 1): 10_000, D(2011, 1, 1): 10_000}
    assert load_chunks(D(2012, 1, 1), D(2017, 12, 31), per_day, 50_000) == [(D(2012, 1, 1), D(2017, 12, 31))]
    assert load_chunks(D(2012, 1, 1), D(2012, 1, 1), {}, 10) == [(D(2012, 1, 1), D(2012, 1, 1))]
    assert load_chunks(D(2020, 1, 2), D(2020, 1, 1), {}, 10) == []


def test_load_chunks_every_day_with_load_ends_a_piece_at_load_one():
    per_day = {D(2020, 1, 2): 1, D(2020, 1, 3): 4}
    assert load_chunks(D(2020, 1, 1), D(2020, 1, 5), per_day, 1) == [
        (D(2020, 1, 1), D(2020, 1, 2)), (D(2020, 1, 3), D(2020, 1, 3)), (D(2020, 1, 4), D(2020, 1, 5))]
    with pytest.raises(ValueError):
        load_chunks(D(2020, 1, 1), D(2020, 1, 2), {}, 0)



def test_days_go_into_a_run_tag_and_come_back_the_same():
    days = [dt.date(2018, 2, 1), dt.date(2018, 2, 2), dt.date(2018, 2, 3), dt.date(2018, 2, 7),
            dt.date(2018, 2, 28), dt.date(2018, 3, 1), dt.date(2020, 12, 31), dt.date(2021, 1, 1)]
    text = encode_days(reversed(days))
    assert text == "2018-02-01..2018-02-03,2018-02-07,2018-02-28..2018-03-01,2020-12-31..2021-01-01"
    assert decode_days(text) == set(days)
    assert encode_days([]) == "" and decode_days("") == set()
    for bad in ["2018-02-03..2018-02-01", "2018-02-30", "yesterday"]:
        with pytest.raises(ValueError):
            decode_days(bad)


def test_daily_partition_keys_by_date_arithmetic_are_dagsters_own():
    # DailyPartitions lists its keys by date arithmetic; Dagster's DailyPartitionsDefinition steps
    # a cron schedule. Same keys at any "now": before the start, on it, across midnight (end_offset=1
    # admits today), in a leap year, given as current_time or by a loading context.
    import dagster as dg
    from dagster._core.definitions.partitions.context import partition_loading_context

    from news_assets.defs.partitions import DailyPartitions

    utc = dt.timezone.utc
    ours, theirs = (cls(start_date="2000-01-01", end_offset=1)
                    for cls in (DailyPartitions, dg.DailyPartitionsDefinition))
    assert ours == theirs  # the same definition to Dagster (its snapshots, its comparisons)
    for now in (dt.datetime(1999, 12, 31, 23, 59, tzinfo=utc), dt.datetime(2000, 1, 1, tzinfo=utc),
                dt.datetime(2004, 2, 29, 12, tzinfo=utc), dt.datetime(2026, 11, 29, 23, 59, 59, tzinfo=utc),
                dt.datetime(2026, 11, 30, 0, 0, 1, tzinfo=utc)):
        expected = theirs.get_partition_keys(now)
        assert ours.get_partition_keys(now) == expected
        with partition_loading_context(now):
            assert ours.get_partition_keys() == expected
    # Another shape is Dagster's own listing.
    offset = DailyPartitions(start_date="2024-01-01", hour_offset=6)
    now = dt.datetime(2024, 3, 1, 7, tzinfo=utc)
    assert offset.get_partition_keys(now) == dg.DailyPartitionsDefinition(
        start_date="2024-01-01", hour_offset=6).get_partition_keys(now)
