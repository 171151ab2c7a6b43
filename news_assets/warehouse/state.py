"""What a refresh has to redo, read from the warehouse (shared by the CLI and the sensors)."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from news_assets.warehouse.db import Warehouse, run_sql, with_memory_fallback


# A range run pays per day (Dagster events for three partitioned assets and the day's counts:
# ~2 ms for one of ANT's nearly empty days, see DAY_COST, ~8 ms for a dense one) and per run
# (~0.8 s, RUN_COST). Stale days closer than this many days share one run; farther apart,
# separate runs are cheaper than covering the days between them (break-even ~100 dense days).
# At 15, +1 % of ANT's files scattered over the span (316 files, 167 days) refreshed in three
# range runs, one of them for a single day (1.1 s); at 60 in one: 9.7-10.9 s instead of
# 11.5-12.6 s (scratch, alternating, same warehouse snapshot).
MERGE_GAP_DAYS = 60


@dataclass(frozen=True)
class RefreshPlan:
    ranges: tuple[tuple[dt.date, dt.date], ...]  # day ranges (inclusive) to re-materialize, in order
    day_articles: dict                           # stale day -> articles to extract that day
    stale_days: int
    undated: bool                                # the undated bucket needs work
    articles_to_extract: int
    # entities no longer matches entity_mentions; None: not asked, since mentions are to be
    # extracted or dropped (mention_days, undated) and every such refresh rebuilds the totals.
    totals_stale: bool | None = False
    # Stale days whose mentions need work (articles to extract, or mentions to drop); the others
    # only need their counts again (see counts_only). None: not known, every day's mentions too.
    mention_days: frozenset | None = None

    @property
    def empty(self) -> bool:
        return not self.ranges and not self.undated and not self.totals_stale

    @property
    def first_day(self) -> dt.date | None:
        return self.ranges[0][0] if self.ranges else None

    @property
    def last_day(self) -> dt.date | None:
        return self.ranges[-1][1] if self.ranges else None

    def counts_only(self, first: dt.date, last: dt.date) -> bool:
        """Whether the days [first, last] need only their counts again: no article of theirs to
        extract and no mention to drop, the counts out of date all the same (an article of another
        day joined their duplicate clusters, or a run stopped between the mentions and the counts).
        Their mentions, and the checks on them, stand as they are."""
        if self.mention_days is None:
            return False
        return not any(first <= day <= last for day in self.mention_days)


def day_ranges(days: list[dt.date], merge_gap: int = MERGE_GAP_DAYS) -> tuple[tuple[dt.date, dt.date], ...]:
    """Group sorted days into inclusive ranges, merging neighbours at most merge_gap days apart."""
    ranges: list[list[dt.date]] = []
    for day in sorted(days):
        if ranges and (day - ranges[-1][1]).days <= merge_gap:
            ranges[-1][1] = day
        else:
            ranges.append([day, day])
    return tuple((a, b) for a, b in ranges)


# DuckDB's limit while planning: state/stale_days reads every mention and the duplicates' kinds,
# and DuckDB caches what it scanned up to its limit. On ANT x8 the plan took a fresh process
# +271 MiB RSS at the usual limit, +144-155 MiB at 128 MB, in the same 0.29-0.39 s; 64 MB was not
# enough (scratch). At 1x, +68-69 MiB either way. A warehouse that needs more gets it (with_memory_fallback).
PLAN_MEMORY_LIMIT = "128MB"


def plan_refresh(wh: Warehouse, extractor_version: str) -> RefreshPlan:
    def read(limit: str | None) -> tuple[list, bool | None]:
        with wh.connect(memory_limit=limit) as con:
            rows = run_sql(con, "state/stale_days", extractor_version=extractor_version).fetchall()
            # Whether the totals match the mentions matters only when no mention is to change: a
            # refresh that extracts or drops mentions rebuilds the totals anyway (the build's
            # totals run; the sensor's range runs of the whole job). The question reads every
            # mention: 0.15-0.17 s on ANT x8 on the slower machine of 2026-11-29 (scratch).
            if any(mentions_stale for _day, _n, mentions_stale in rows):
                return rows, None
            (stale,) = run_sql(con, "state/totals_stale").fetchone()
        return rows, stale

    rows, totals_stale = with_memory_fallback(read, PLAN_MEMORY_LIMIT)
    days = [day for day, _n, _m in rows if day is not None]
    return RefreshPlan(
        ranges=day_ranges(days),
        day_articles={day: int(n) for day, n, _m in rows if day is not None},
        stale_days=len(days),
        undated=any(day is None for day, _n, _m in rows),
        articles_to_extract=int(sum(n for _d, n, _m in rows)),
        totals_stale=None if totals_stale is None else bool(totals_stale),
        mention_days=frozenset(day for day, _n, stale in rows if day is not None and stale),
    )


# Costs in "articles extracted" units (rules extractor: ~1.0-1.3 ms an article here, beside
# another process). A day in a range run: Dagster's per-partition events and the day's counts.
# Measured on a whole-span backfill of ANT with 2 workers, from its two pieces' run times (at 4
# units: 17.3 s for 12,683 articles over 2,031 days, 20.6 s for 18,840 articles over 170 days): a
# day costs what ~1.6 articles do, so 2. It was 10 until the event log wrote a batch's rows in one
# statement and sparse days were recounted and checked a month at a time (~13 ms a day before,
# ~1.7 ms after). On 2026-11-29 (connections sharing one DuckDB instance since 7559d1a, among
# other changes) a day cost what ~1.3 articles do, fitted from the pieces of both 2-worker
# backfills of ANT (whole span: 14,532 articles over 2,041 days in 14.5-15.9 s beside 16,991
# over 160 days in 15.0-15.5 s; 2018's dense part: 16,502 over 136 days in 14.1-14.5 s beside
# 14,948 over 148 in 12.7-13.1 s; ~0.9 ms an article, ~1.2 ms a day, the same in either process).
# Since the rules extractor got faster (2026-11-30, e65da0a), an article is cheaper and a day
# weighs more in its units: at 1.3, over the whole span, the piece of 2,041 sparse days (14,532
# articles) ended 0.4-7.2 s after the one of 160 dense days (16,991 articles) in each of 9 runs
# (mean 2.9 s; pieces 26-37 s); at 2.2 it ended 1.9 s before to 0.4 s after (3 runs, alternating
# with 1.3: 1.9 to 2.7 s after). Centred between the two: 2.
DAY_COST = 2.0
# A range run of its own: run start and finish, resources, checks and metadata, ~0.8 s.
RUN_COST = 800
# A spawned worker process: imports and a Dagster instance before its first run, ~2.3 s. The
# process that splits the work runs the largest piece itself and has none of this to pay.
SPAWN_COST = 2400
# What extracting one article costs in these units, by extractor: a run, a day and a spawn cost
# the same whatever extracts, an article does not. Weighing `model` articles like `rules` ones
# gave the worker of ANT's model build 10,013 articles and 12 small range runs against this
# process's 21,438 articles: it was done 39 s before this process (its piece 64 s, the small runs
# 12 s more, against 115 s; ~190 articles a second beside the other process, against ~1,000
# with `rules`). Weighed at 5, the pieces were 16,831 and ~14,600 articles and both processes
# were busy to the end (extraction 117 s -> 105 s). `camel`
# runs tens of tokens a second (bench/camel_speed.py): any large figure splits by articles alone.
ARTICLE_COST = {"rules": 1, "model": 5, "camel": 1000}


def article_cost(extractor: str) -> int:
    """ARTICLE_COST of an extractor (1 for one this module does not know)."""
    return ARTICLE_COST.get(extractor, 1)


def _day_cost(day: dt.date, day_articles: dict, per_article: int = 1) -> float:
    return DAY_COST + per_article * day_articles.get(day, 0)


# Articles in one piece at most, whatever the corpus size: a process's memory grows with the
# articles of the range it runs (token cache, the range's recount), so pieces as large as half
# the work made the peak grow with the corpus. ANT x4 (`bench/memory_scale.py --fractions 1,4
# --where`), stale days up to 60 days apart sharing a range: without this limit one piece held
# 59,066 articles (worker 461 MiB RSS), 674 / 801 MiB at 1x / 4x; with it 693 / 777 MiB, the 4x
# peak in a 24,009-article piece. ANT's build (18,000-article pieces at most) is below it.
MAX_PIECE_ARTICLES = 24_000


def split_for_workers(
    ranges: tuple[tuple[dt.date, dt.date], ...], day_articles: dict, workers: int, spawn_cost: int = SPAWN_COST,
    per_article: int = 1,
) -> list[tuple[dt.date, dt.date]]:
    """Cut ranges at day boundaries into pieces, largest first, so `workers` processes finish
    together: the calling process starts at once, spawned workers `spawn_cost` later (share_pieces
    says which process runs which piece), and no piece holds much more than MAX_PIECE_ARTICLES.
    `per_article`: the extractor's ARTICLE_COST."""
    if workers <= 1:
        return list(ranges)

    def weight(day: dt.date) -> float:
        return _day_cost(day, day_articles, per_article)

    days_of = [[a + dt.timedelta(days=i) for i in range((b - a).days + 1)] for a, b in ranges]
    # Each range is at least one run, and each worker runs at least one piece.
    total = sum(weight(d) for days in days_of for d in days) + RUN_COST * max(len(ranges), workers)
    # Even finishing times: the caller's piece = each worker's share plus the start-up it skips.
    cap = max((total + spawn_cost * (workers - 1)) / workers - RUN_COST, 1)
    pieces: list[tuple[tuple[dt.date, dt.date], float]] = []
    for days in days_of:
        start, acc, articles = days[0], 0, 0
        left = sum(weight(d) for d in days)
        for i, day in enumerate(days):
            acc += weight(day)
            left -= weight(day)
            articles += day_articles.get(day, 0)
            # The cut nearest the cap (or the article limit), unless what it leaves of the range
            # would cost less to extract than a run of its own.
            full = (acc >= cap - weight(day) / 2
                    or articles >= MAX_PIECE_ARTICLES - day_articles.get(day, 0) / 2)
            if full and left >= RUN_COST:
                pieces.append(((start, day), acc))
                start, acc, articles = days[i + 1], 0, 0
        pieces.append(((start, days[-1]), acc))
    return [r for r, _ in sorted(pieces, key=lambda p: -p[1])]


def share_pieces(
    pieces: list[tuple[dt.date, dt.date]], day_articles: dict, workers: int, spawn_cost: int = SPAWN_COST,
    per_article: int = 1,
) -> tuple[list[tuple[dt.date, dt.date]], list[tuple[dt.date, dt.date]]]:
    """(the calling process's pieces, the spawned workers' pieces), largest first: each piece, the
    largest first, goes to whichever process would be free soonest, the workers starting
    `spawn_cost` behind. With many ranges no piece reaches the cap of split_for_workers, and one
    piece for the caller left it idle while the worker ran the rest (ANT x4's build: four
    31,000-article ranges, three of them in the worker)."""
    def cost(piece: tuple[dt.date, dt.date]) -> float:
        first, last = piece
        days = (first + dt.timedelta(days=i) for i in range((last - first).days + 1))
        return RUN_COST + sum(_day_cost(day, day_articles, per_article) for day in days)

    loads = [0] + [spawn_cost] * (workers - 1)
    mine: list[tuple[dt.date, dt.date]] = []
    theirs: list[tuple[dt.date, dt.date]] = []
    for piece in sorted(pieces, key=cost, reverse=True):
        k = min(range(workers), key=lambda i: loads[i])
        loads[k] += cost(piece)
        (mine if k == 0 else theirs).append(piece)
    return mine, theirs
