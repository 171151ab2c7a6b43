"""Recounting and checking a long day range whole vs a month at a time: peak memory and time.

Needs a built warehouse (e.g. `bench/corpus_scale.py --skip floor,incremental,extractors,backfill
--keep DIR` leaves one at DIR/full/news.duckdb). It is copied to a temporary file; each variant runs
in a fresh process inside a transaction that is rolled back, so nothing changes.

    .venv/bin/python bench/recount_chunks.py --warehouse DIR/full/news.duckdb [--start 2017-12-26 --end 2018-06-27]

Prints, per variant: seconds and peak RSS above the process's RSS before the statements ran.
"""
from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]

# One variant in a fresh process: DuckDB's caches and the allocator start empty each time.
CHILD = r"""
import datetime as dt, json, resource, sys, time
import duckdb
sys.path.insert(0, sys.argv[1])
from news_assets.config import duckdb_memory_limit_from_env
from news_assets.defs.partitions import date_chunks
import polars as pl
from news_assets.warehouse import run_sql
from news_assets.warehouse.db import ensure_schema
path, what, days = sys.argv[2], sys.argv[3], int(sys.argv[4])
start, end = dt.date.fromisoformat(sys.argv[5]), dt.date.fromisoformat(sys.argv[6])
con = duckdb.connect(path, config={"memory_limit": duckdb_memory_limit_from_env()})
ensure_schema(con)  # a warehouse from before the count bookkeeping gets its tables
# Every day of the range, as a run without a refresh's tag recounts and checks them.
every_day = pl.DataFrame({"published_date": pl.date_range(start, end, eager=True)}, schema={"published_date": pl.Date})
con.register("recount_days", every_day)
con.register("whole_set", every_day)
con.register("check_days", every_day)
run_id = con.execute("SELECT any_value(run_id) FROM entity_mentions WHERE published_date BETWEEN ? AND ?",
                     [start, end]).fetchone()[0]
base = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
t = time.perf_counter()
con.execute("BEGIN")
for a, b in date_chunks(start, end, days):
    if what == "counts":
        for table in ("mention_counts_daily", "entity_cooccurrence"):
            run_sql(con, "counts/whole_days", start=a, end=b)
            run_sql(con, f"counts/rebuild_{table}", start=a, end=b)
            run_sql(con, f"counts/check_{table}", start=a, end=b).fetchone()
    else:
        run_sql(con, "entities/check_mentions", run_id=run_id, undated=False, start=a, end=b).fetchone()
con.execute("ROLLBACK")
print(json.dumps({"seconds": time.perf_counter() - t,
                  "mb": (resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - base) / 1024}))
"""


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--warehouse", type=Path, required=True)
    ap.add_argument("--start", default="2017-12-26", help="ANT's largest range in a full build starts here")
    ap.add_argument("--end", default="2018-06-27")
    args = ap.parse_args()
    if not args.warehouse.is_file():
        sys.exit(f"{args.warehouse} is not a warehouse file")
    with tempfile.TemporaryDirectory(prefix="news_recount_") as tmp:
        copy = Path(tmp) / "news.duckdb"
        shutil.copyfile(args.warehouse, copy)
        print(f"range {args.start} … {args.end} of {args.warehouse}\n")
        print("| work | days per statement | seconds | peak RSS above base |")
        print("|---|---|---|---|")
        for what in ("counts", "mention checks"):
            for days in (100_000, 31):
                out = subprocess.run([sys.executable, "-c", CHILD, str(REPO), str(copy), what.split()[0], str(days),
                                      args.start, args.end], capture_output=True, text=True, check=True)
                r = json.loads(out.stdout)
                label = "the whole range" if days == 100_000 else str(days)
                print(f"| {what} | {label} | {r['seconds']:.2f} | {r['mb']:.0f} MB |", flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
