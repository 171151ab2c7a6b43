"""Cost of one Dagster event in the project's Dagster home vs Dagster's default SQLite event log.

A range run writes two asset events per day and partitioned asset; this times that write path:
N partitioned AssetMaterialization events reported to a fresh instance, for each storage class.

    .venv/bin/python bench/event_log.py [--events 400]
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


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--events", type=int, default=400)
    args = ap.parse_args()
    from news_assets.dagster_home import ensure_dagster_home

    print(f"machine: {os.cpu_count()} cores; {args.events} events per storage, each in a fresh DAGSTER_HOME\n")
    print("| event log storage | ms per event |\n|---|---|")
    for pooled in (False, True):
        with tempfile.TemporaryDirectory(prefix="news_events_") as home:
            if pooled:
                ensure_dagster_home(home)
            else:
                with open(os.path.join(home, "dagster.yaml"), "w", encoding="utf-8") as fh:
                    fh.write("telemetry:\n  enabled: false\n# Dagster's defaults otherwise\n")
            out = subprocess.run([sys.executable, "-c", CHILD, str(args.events)], env={**os.environ, "DAGSTER_HOME": home},
                                 capture_output=True, text=True, check=True)
            name, ms = out.stdout.split()
            print(f"| {name} | {ms} |")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
