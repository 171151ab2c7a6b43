"""A separate reader process queries the published warehouse every 200 ms while a `build` (with new
files) and a `backfill --force` run as subprocesses: no error, never a half-written run."""
from __future__ import annotations

import json
import random
import subprocess
import sys
import time
from pathlib import Path

from bench.fuzz_corpus import make_article, render_plain, run_build
from tests.conftest import REPO, Env

CLI = Path(sys.executable).with_name("news-assets")


def test_reader_sees_only_whole_runs_during_build_and_forced_backfill(env: Env, tmp_path: Path):
    import os

    assert env.cli("build") == 0  # the published file exists only after a first build
    out, stop = tmp_path / "reader.json", tmp_path / "stop"
    reader = subprocess.Popen([sys.executable, str(REPO / "bench" / "reader_soak.py"), str(env.db), "--out", str(out),
                               "--interval", "0.2", "--stop-file", str(stop), "--seconds", "300"], cwd=REPO)
    try:
        time.sleep(1.0)
        rng = random.Random(11)
        for i in range(120):  # new articles on the sample's days and on new ones
            day = rng.choice(["2025-03-11", "2025-03-12", "2025-03-13", "2025-03-16", "2025-03-17"])
            (env.corpus / f"soak_{i:03d}.txt").write_text(render_plain(make_article(rng, 5000 + i, day)), encoding="utf-8")
        build = run_build(CLI, dict(os.environ), timeout=240)
        assert build.returncode == 0, build.stderr[-2000:]
        time.sleep(0.5)
        backfill = run_build(CLI, dict(os.environ), timeout=240,
                             args=("backfill", "--start", "2025-03-10", "--end", "2025-03-17", "--force"))
        assert backfill.returncode == 0, backfill.stderr[-2000:]
        time.sleep(0.5)
    finally:
        stop.touch()
        reader.wait(timeout=30)
    result = json.loads(out.read_text())
    assert result["errors"] == []
    assert result["violations"] == []
    assert result["skipped_absent"] == 0
    assert result["queries"] >= 20
    # it really read across publishes: the build's new mentions, then the backfill's rewrite (new run ids)
    states = [s["state"] for s in result["snapshots"]]
    assert len(states) >= 3, states
    assert states[-1][1] == env.scalar("SELECT count(*) FROM articles") > states[0][1]
