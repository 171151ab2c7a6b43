"""An analyst that never stops querying: opens $NEWS_DUCKDB_PATH read-only every --interval seconds
and checks that what it sees is a whole run, never a half-written one.

    .venv/bin/python bench/reader_soak.py DB --out results.json [--interval 0.2] [--stop-file F] [--seconds S]

At every query, in one read-only connection: per day, sum(mentions) of mention_counts_daily equals
the number of entity_mentions of that day (and no day is in one but not the other); every mention's
article exists. Runs until --stop-file exists, --seconds pass, or SIGTERM; then writes
{queries, errors, violations, snapshots} as JSON to --out.
"""
from __future__ import annotations

import argparse
import json
import os
import signal
import time

CHECKS = {
    "counts_reconcile_per_day": """
        SELECT count(*) FROM (
            SELECT published_date, sum(mentions) AS n FROM mention_counts_daily GROUP BY 1) c
        FULL JOIN (
            SELECT published_date, count(*) AS n FROM entity_mentions WHERE published_date IS NOT NULL GROUP BY 1) m
        USING (published_date)
        WHERE c.n IS DISTINCT FROM m.n""",
    "mentions_have_articles": """
        SELECT count(*) FROM entity_mentions m LEFT JOIN articles a USING (article_id) WHERE a.article_id IS NULL""",
}
SNAPSHOT = ("SELECT (SELECT count(*) FROM entity_mentions), (SELECT count(*) FROM articles), "
            "(SELECT md5(coalesce(string_agg(DISTINCT run_id, ',' ORDER BY run_id), '')) FROM entity_mentions)")


def soak(db: str, out: str, interval: float, stop_file: str | None, seconds: float | None) -> dict:
    import duckdb

    stop = {"now": False}
    signal.signal(signal.SIGTERM, lambda *_: stop.update(now=True))
    result = {"queries": 0, "skipped_absent": 0, "errors": [], "violations": [], "snapshots": []}
    started = time.monotonic()
    while not stop["now"]:
        if stop_file and os.path.exists(stop_file):
            break
        if seconds is not None and time.monotonic() - started > seconds:
            break
        t = round(time.monotonic() - started, 3)
        if not os.path.exists(db):
            result["skipped_absent"] += 1
        else:
            try:
                with duckdb.connect(db, read_only=True) as con:
                    for name, sql in CHECKS.items():
                        bad = con.execute(sql).fetchone()[0]
                        if bad:
                            result["violations"].append({"t": t, "check": name, "rows": bad})
                    snap = list(con.execute(SNAPSHOT).fetchone())
                result["queries"] += 1
                if not result["snapshots"] or result["snapshots"][-1]["state"] != snap:
                    result["snapshots"].append({"t": t, "state": snap})
            except Exception as exc:  # every error is a finding: record it and keep going
                result["errors"].append({"t": t, "error": f"{type(exc).__name__}: {exc}"})
        time.sleep(interval)
    with open(out, "w", encoding="utf-8") as fh:
        json.dump(result, fh, default=str)
    return result


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("db")
    p.add_argument("--out", required=True)
    p.add_argument("--interval", type=float, default=0.2)
    p.add_argument("--stop-file")
    p.add_argument("--seconds", type=float)
    a = p.parse_args(argv)
    r = soak(a.db, a.out, a.interval, a.stop_file, a.seconds)
    print(f"{r['queries']} queries, {len(r['errors'])} errors, {len(r['violations'])} violations, "
          f"{len(r['snapshots'])} distinct snapshots")
    return 1 if r["errors"] or r["violations"] else 0


if __name__ == "__main__":
    raise SystemExit(main())
