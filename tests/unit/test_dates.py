from datetime import datetime, timedelta, timezone

import pytest

from news_assets.text.dates import ParsedDate, parse_date


def utc(*args):
    return datetime(*args, tzinfo=timezone.utc)


OK_CASES = [
    # English, as in the seed and variants
    ("30th, January 2024 GMT", utc(2024, 1, 30)),
    ("January 30, 2024", utc(2024, 1, 30)),
    ("30 January 2024", utc(2024, 1, 30)),
    ("1st March 2024", utc(2024, 3, 1)),
    ("2nd, Feb 2024", utc(2024, 2, 2)),
    ("23rd September 2023 10:45", utc(2023, 9, 23, 10, 45)),
    ("Sept 3, 2023 10:45 PM", utc(2023, 9, 3, 22, 45)),
    ("Jan 1st 2024 12:05 AM", utc(2024, 1, 1, 0, 5)),
    ("January 1, 2024 12:30 p.m.", utc(2024, 1, 1, 12, 30)),
    ("Tuesday, January 30, 2024 at 10:45 AM GMT+3", utc(2024, 1, 30, 7, 45)),
    ("30-Jan-2024", utc(2024, 1, 30)),
    # RFC 822 / 2822
    ("Sun, 15 Jul 2018 21:56:56 +0400", utc(2018, 7, 15, 17, 56, 56)),
    ("Mon, 26 Feb 2018 02:20:10 GMT", utc(2018, 2, 26, 2, 20, 10)),
    ("Mon, 26 Feb 2018 02:20:10 UTC", utc(2018, 2, 26, 2, 20, 10)),
    ("Wed, 02 Oct 2002 08:00:00 EST", utc(2002, 10, 2, 13, 0)),
    ("Wed, 02 Oct 2002 01:30:00 -0330", utc(2002, 10, 2, 5, 0)),
    ("Sat, 01 Jan 2000 01:00:00 +0200", utc(1999, 12, 31, 23, 0)),  # crosses the year boundary
    # Egyptian/Gulf month names, hamza variants, weekdays, era, am/pm
    ("30 يناير 2024", utc(2024, 1, 30)),
    ("الاثنين، 30 يناير 2024م - 10:30 م", utc(2024, 1, 30, 22, 30)),
    ("الإثنين 29 يناير 2024 م", utc(2024, 1, 29)),
    ("الثلاثاء ، 30 يناير 2024 - 10:30 ص", utc(2024, 1, 30, 10, 30)),
    ("الأربعاء 3 أبريل 2024", utc(2024, 4, 3)),
    ("3 ابريل 2024", utc(2024, 4, 3)),
    ("3 إبريل 2024", utc(2024, 4, 3)),
    ("5 يونيه 2024", utc(2024, 6, 5)),
    ("5 يوليه 2024", utc(2024, 7, 5)),
    ("5 أغسطس 2024", utc(2024, 8, 5)),
    ("5 اكتوبر 2024 12:00 م", utc(2024, 10, 5, 12, 0)),
    ("5 أكتوبر 2024 12:15 ص", utc(2024, 10, 5, 0, 15)),
    ("يوم الجمعة 1 مارس 2024", utc(2024, 3, 1)),
    ("30 يناير 2024 الساعة 10:30 مساءً", utc(2024, 1, 30, 22, 30)),
    ("30 يناير 2024 بتوقيت غرينتش", utc(2024, 1, 30)),
    ("٣٠ يَنايِر ٢٠٢٤", utc(2024, 1, 30)),  # diacritics
    # Levantine/Iraqi month names
    ("30 كانون الثاني 2024", utc(2024, 1, 30)),
    ("1 شباط 2024", utc(2024, 2, 1)),
    ("1 آذار 2024", utc(2024, 3, 1)),
    ("1 اذار 2024", utc(2024, 3, 1)),
    ("1 نيسان 2024", utc(2024, 4, 1)),
    ("1 أيار 2024", utc(2024, 5, 1)),
    ("1 ايار 2024", utc(2024, 5, 1)),
    ("1 حزيران 2024", utc(2024, 6, 1)),
    ("1 تموز 2024", utc(2024, 7, 1)),
    ("1 آب 2024", utc(2024, 8, 1)),
    ("1 اب 2024", utc(2024, 8, 1)),
    ("1 أيلول 2024", utc(2024, 9, 1)),
    ("1 ايلول 2024", utc(2024, 9, 1)),
    ("1 تشرين الأول 2024", utc(2024, 10, 1)),
    ("1 تشرين الاول 2024", utc(2024, 10, 1)),
    ("1 تشرين الثاني 2024", utc(2024, 11, 1)),
    ("25 كانون الأول 2024", utc(2024, 12, 25)),
    ("15 كانون الثاني (يناير) 2024", utc(2024, 1, 15)),
    ("15 شباط/فبراير 2024", utc(2024, 2, 15)),
    # Arabic-Indic and Persian digits
    ("الثلاثاء ٣٠ كانون الثاني ٢٠٢٤ - ١٠:٣٠ م", utc(2024, 1, 30, 22, 30)),
    ("۳۰ أيار ۲۰۲۴ - ۱۰:۳۰ ص", utc(2024, 5, 30, 10, 30)),
    ("٢٠٢٤-٠١-٣٠", utc(2024, 1, 30)),
    # ISO 8601
    ("2024-01-30", utc(2024, 1, 30)),
    ("2024-01-30T10:45", utc(2024, 1, 30, 10, 45)),
    ("2024-01-30T10:45:00Z", utc(2024, 1, 30, 10, 45)),
    ("2024-01-30T10:45:00.123456Z", utc(2024, 1, 30, 10, 45)),
    ("2024-01-30T10:45:00+03:00", utc(2024, 1, 30, 7, 45)),
    ("2024-01-30T01:45:00+03:00", utc(2024, 1, 29, 22, 45)),
    ("2024-01-30T22:45:00-05:00", utc(2024, 1, 31, 3, 45)),
    ("2024-01-30 10:45:00 +0530", utc(2024, 1, 30, 5, 15)),
    # numeric, day first
    ("30/01/2024", utc(2024, 1, 30)),
    ("30-01-2024", utc(2024, 1, 30)),
    ("3/1/2024", utc(2024, 1, 3)),  # day first: 3 January, not March 1
    ("30.01.2024", utc(2024, 1, 30)),
    ("2024/01/30", utc(2024, 1, 30)),
    ("30/01/2024 - 10:30 م", utc(2024, 1, 30, 22, 30)),
    ("30/01/2024 14:05", utc(2024, 1, 30, 14, 5)),
]


@pytest.mark.parametrize("raw,expected", OK_CASES)
def test_parses_to_exact_utc(raw, expected):
    pd = parse_date(raw)
    assert pd.status == "ok", raw
    assert pd.value == expected
    assert pd.value.utcoffset().total_seconds() == 0
    assert pd.raw == raw


def test_value_is_utc_aware_and_raw_is_stripped():
    pd = parse_date("  Sun, 15 Jul 2018 21:56:56 +0400 \n")
    assert pd.raw == "Sun, 15 Jul 2018 21:56:56 +0400"
    assert pd.value.tzinfo is not None
    assert pd.value.tzinfo.utcoffset(pd.value).total_seconds() == 0
    assert pd.value.hour == 17


@pytest.mark.parametrize("raw", [None, "", "   ", "\n\t"])
def test_missing(raw):
    assert parse_date(raw) == ParsedDate(None, "missing", None)


UNPARSED = [
    "31/02/2024",  # impossible day
    "29/02/2023",  # not a leap year
    "30/13/2024",  # month 13
    "2024-13-01",
    "2024-00-10",
    "0/01/2024",
    "1899-12-31",  # out of range years
    "2101-01-01",
    "1 يناير 1850",
    "منذ ساعتين",  # relative dates are not guessed
    "يناير 2024",  # no day
    "January 2024",
    "hello world",
    "30 يناير",  # no year
    "2024-01-30 25:00",
    "2024-01-30 10:61",
    "30/01/2024 14:30 AM",  # contradictory
    "30 يناير 2024 0:30 م",
    "2024-01-30T10:45:00+15:00",  # offset out of range
    "30 يناير 2024 ونص",  # trailing junk
    "15 كانون الثاني (فبراير) 2024",  # self-contradicting double month name
    "30 Janvier 2024",
    "30/01/24",  # two-digit years are ambiguous
    "1445-07-18",  # a Hijri year is out of range, not converted
]


@pytest.mark.parametrize("raw", UNPARSED)
def test_unparsed_returns_none(raw):
    pd = parse_date(raw)
    assert pd.status == "unparsed", raw
    assert pd.value is None
    assert pd.raw == raw


def test_era_m_after_year_is_not_pm():
    # "م" right after the year means AD; only after a time does it mean PM.
    assert parse_date("30 يناير 2024 م").value == utc(2024, 1, 30, 0, 0)
    assert parse_date("30 يناير 2024م 10:30 م").value == utc(2024, 1, 30, 22, 30)
    assert parse_date("30 يناير 2024 م - 10:30").value == utc(2024, 1, 30, 10, 30)


def test_30k_distinct_strings_parse_on_the_cold_path():
    # Distinct strings defeat the cache, so every call takes the uncached path. (Its speed is a
    # benchmark's business, bench/corpus_scale.py's parse stage, not a timed assertion here.)
    base = datetime(2018, 1, 1, tzinfo=timezone.utc)
    days = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"]
    months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
    strings, expected = [], []
    for i in range(30000):
        d = datetime.fromtimestamp(base.timestamp() + i * 997, timezone.utc)
        strings.append(
            f"{days[d.weekday()]}, {d.day:02d} {months[d.month - 1]} {d.year} {d:%H:%M:%S} +0300"
        )
        expected.append(d - timedelta(hours=3))  # the wall time was written at +03:00
    results = [parse_date(s) for s in strings]
    assert all(r.status == "ok" for r in results)
    assert results[0].value == utc(2017, 12, 31, 21, 0)
    assert [r.value for r in results] == expected
