"""Cost of Dagster's events in the project's Dagster home vs Dagster's default SQLite event log.

A range run writes two asset events per day and partitioned asset; this times that write path,
for each storage class in a fresh DAGSTER_HOME:
1. N partitioned AssetMaterialization events reported one at a time;
2. one single-run range run of three daily-partitioned assets with a check each (the shape of
   the pipeline's range runs, with nothing to compute) over D days: its wall time, and how much of
   it came before the run started (the planned events and planned check rows Dagster writes when
   it creates the run). Events Dagster hands over as batches are written as batches only by the
   project's storage (it sets DAGSTER_EVENT_BATCH_SIZE).

    .venv/bin/python bench/event_log.py [--events 400] [--range-days 300]
"""
from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile

CHILD = """
import os, sys, time, warnings
warnings.simplefilter("ignore")
import dagster as dg
n = int(sys.argv[1])
instance = dg.DagsterInstance.get()
for i in range(20):  # warm up: engine set-up, first writes
    instance.report_runless_asset_event(dg.AssetMaterialization("warmup", partition=str(i)))
started = time.perf_counter()
for i in range(n):
    instance.report_runless_asset_event(dg.AssetMaterialization("daily", partition=f"day-{i}"))
took = time.perf_counter() - started
print(type(instance.event_log_storage).__name__, f"{took / n * 1000:.2f}")
"""

RANGE_CHILD = """
import datetime as dt, sys, time, warnings
warnings.simplefilter("ignore")
import dagster as dg
days = int(sys.argv[1])
parts = dg.DailyPartitionsDefinition(start_date="2020-01-01")

def make(name):
    @dg.asset(name=name, partitions_def=parts, backfill_policy=dg.BackfillPolicy.single_run(),
              check_specs=[dg.AssetCheckSpec("fine", asset=name)])
    def _asset(context: dg.AssetExecutionContext) -> dg.MaterializeResult:
        return dg.MaterializeResult(metadata={"dagster/row_count": 1},
                                    check_results=[dg.AssetCheckResult(check_name="fine", passed=True)])
    return _asset

last = (dt.date(2020, 1, 1) + dt.timedelta(days=days - 1)).isoformat()
instance = dg.DagsterInstance.get()
started = time.perf_counter()
result = dg.materialize([make(n) for n in ("a", "b", "c")], instance=instance, tags={
    "dagster/asset_partition_range_start": "2020-01-01", "dagster/asset_partition_range_end": last})
took = time.perf_counter() - started
assert result.success
record = instance.get_run_record_by_id(result.run_id)
print(type(instance.event_log_storage).__name__, f"{took:.2f}", f"{record.start_time - record.create_timestamp.timestamp():.2f}")
"""


def _home(home: str, pooled: bool) -> None:
    from news_assets.dagster_home import ensure_dagster_home

    if pooled:
        ensure_dagster_home(home)
    else:
        with open(os.path.join(home, "dagster.yaml"), "w", encoding="utf-8") as fh:
            fh.write("telemetry:\n  enabled: false\n# Dagster's defaults otherwise\n")


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--events", type=int, default=400)
    ap.add_argument("--range-days", type=int, default=300, help="days of the range run (0: skip it)")
    args = ap.parse_args()

    print(f"machine: {os.cpu_count()} cores; {args.events} events per storage, each in a fresh DAGSTER_HOME\n")
    print("| event log storage | ms per event |\n|---|---|")
    for pooled in (False, True):
        with tempfile.TemporaryDirectory(prefix="news_events_") as home:
            _home(home, pooled)
            out = subprocess.run([sys.executable, "-c", CHILD, str(args.events)], env={**os.environ, "DAGSTER_HOME": home},
                                 capture_output=True, text=True, check=True)
            name, ms = out.stdout.split()
            print(f"| {name} | {ms} |")
    if args.range_days > 0:
        print(f"\none range run, {args.range_days} days x 3 daily-partitioned assets with a check each\n")
        print("| event log storage | wall | of which before the run started |\n|---|---|---|")
        for pooled in (False, True):
            with tempfile.TemporaryDirectory(prefix="news_events_") as home:
                _home(home, pooled)
                out = subprocess.run([sys.executable, "-c", RANGE_CHILD, str(args.range_days)],
                                     env={**os.environ, "DAGSTER_HOME": home}, capture_output=True, text=True)
                if out.returncode != 0:
                    sys.exit(out.stderr[-3000:])
                name, wall, before = out.stdout.split()
                print(f"| {name} | {wall} s | {before} s |")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
