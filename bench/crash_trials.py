"""Crash trials: kill -9 a `news-assets build` at chosen points, build again, compare with a clean build.

    .venv/bin/python bench/crash_trials.py [--trials 12] [--extra 300] [--seed 0] [--workdir DIR]

The corpus is the shipped sample (news_assets/sample_corpus/articles) plus `--extra` generated
variants of it (sentences reshuffled and mixed with generated ones, dates spread over 12 days),
written by this module. Every trial uses a fresh warehouse and DAGSTER_HOME over the same corpus
folder, kills the whole build process group with SIGKILL at its kill point, runs `build` again to
completion and compares the published warehouse with a clean build's: per contract table, row
count and an md5 over the ordered rows of the non-volatile columns.

Kill points: `time` (uniform over the clean build's wall time), `parse` (during ingest+parse),
`entities` (during the day-range entities run), `totals` (during the undated/entities-totals run;
a build with one range run has them as that run's last steps, so then late in the range run) and
`publish` (while the checkpointed copy is being written).
"""
from __future__ import annotations

import os
import random
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

from news_assets.dagster_home import ensure_dagster_home

REPO = Path(__file__).resolve().parents[1]
SAMPLE = REPO / "news_assets" / "sample_corpus" / "articles"
CLI = Path(sys.executable).with_name("news-assets")

CONTRACT_TABLES = ("raw_documents", "rejected_documents", "articles", "article_duplicates", "entity_mentions",
                   "entities", "mention_counts_daily", "entity_cooccurrence")
VOLATILE = {"run_id", "ingested_at", "seen_at", "parsed_at"}
DAYS = [f"2025-03-{d:02d}" for d in range(5, 17)]
DATE_LINE = "تاريخ النشر:"


# --- corpus ------------------------------------------------------------------------------------

def make_crash_corpus(root: Path, extra: int = 300, seed: int = 0, undated: bool = True) -> int:
    """Sample corpus + `extra` generated variants under root; returns the number of files.
    undated=False leaves out every undated article (the sample's 034 included)."""
    sys.path.insert(0, str(REPO))
    from bench.fuzz_corpus import _sentence

    root = Path(root)
    shutil.copytree(SAMPLE, root)
    rng = random.Random(seed)
    samples = sorted(SAMPLE.glob("*.txt"))
    if not undated:
        for f in samples:
            if DATE_LINE not in f.read_text(encoding="utf-8"):
                (root / f.name).unlink()
        samples = [f for f in samples if (root / f.name).exists()]
    for i in range(extra):
        lines = samples[i % len(samples)].read_text(encoding="utf-8").splitlines()
        title, rest = lines[0], lines[1:]
        meta = [ln for ln in rest if ln.startswith(("المصدر:", "كلمات دلالية:"))]
        body = [ln for ln in rest if ln.strip() and not ln.startswith((DATE_LINE, "المصدر:", "كلمات دلالية:"))]
        if "إقرأ أيضاً:" in body:  # keep only the main article: its sentences, reshuffled
            body = body[: body.index("إقرأ أيضاً:")]
        body = rng.sample(body, len(body)) + [_sentence(rng) for _ in range(rng.randint(1, 3))]
        body.append(f"وهذه النسخة رقم {i} من الخبر.")
        date = [] if undated and rng.random() < 0.03 else [f"{DATE_LINE} {rng.choice(DAYS)}"]
        text = "\n".join([f"{title} ({i})", *date, *body, *meta]) + "\n"
        (root / f"gen_{i:04d}.txt").write_text(text, encoding="utf-8")
    return len(samples) + extra


# --- warehouse comparison ----------------------------------------------------------------------

def checksums(db: Path) -> dict[str, tuple[int, str]]:
    """{table: (rows, md5 of the sorted rows over non-volatile columns)} of a warehouse file."""
    import duckdb

    out = {}
    with duckdb.connect(str(db), read_only=True) as con:
        for table in CONTRACT_TABLES:
            cols = [c for (c,) in con.execute(
                "SELECT column_name FROM duckdb_columns() WHERE table_name = ? ORDER BY column_index",
                [table]).fetchall() if c not in VOLATILE]
            row = ", ".join(f'"{c}"' for c in cols)
            out[table] = tuple(con.execute(
                f"SELECT count(*), md5(coalesce(string_agg(r, chr(10) ORDER BY r), '')) "
                f"FROM (SELECT CAST(ROW({row}) AS VARCHAR) AS r FROM {table})").fetchone())
    return out


def consistency(db: Path) -> list[str]:
    """Invariants a published warehouse must hold whatever happened before."""
    import duckdb

    problems = []
    with duckdb.connect(str(db), read_only=True) as con:
        def q(sql):
            return con.execute(sql).fetchone()[0]
        if q("SELECT count(*) FROM (SELECT published_date, sum(mentions) s FROM mention_counts_daily GROUP BY 1) c "
             "FULL JOIN (SELECT published_date, count(*) n FROM entity_mentions WHERE published_date IS NOT NULL "
             "GROUP BY 1) m USING (published_date) WHERE c.s IS DISTINCT FROM m.n"):
            problems.append("mention_counts_daily does not reconcile with entity_mentions")
        if q("SELECT count(*) FROM entity_mentions m LEFT JOIN articles a USING (article_id) WHERE a.article_id IS NULL"):
            problems.append("mentions of missing articles")
        if q("SELECT count(*) FROM entity_mentions m LEFT JOIN entities e USING (entity_id) WHERE e.entity_id IS NULL"):
            problems.append("mentions of entities missing from entities")
        if q("SELECT coalesce(sum(mentions), 0) FROM entities") != q("SELECT count(*) FROM entity_mentions"):
            problems.append("entities.mentions totals differ from entity_mentions")
    return problems


# --- running and killing builds ----------------------------------------------------------------

STAGE_ORDER = ["start", "parse", "entities", "totals", "publish", "done"]


def _line_stage(line: str) -> str | None:
    """The stage a CLI stderr line shows the build has entered, if any."""
    if line.startswith("published "):
        return "done"
    if "undated articles and entity totals: run" in line:
        return "publish"  # the last run is over: next comes the publish
    if line.startswith("entities+counts ") and " ok in " in line:
        return "totals"  # a day-range run is over: next comes the undated/entities-totals run
    if line.startswith("entities+counts:"):
        return "entities"
    if line.startswith("corpus:"):
        return "parse"
    return None


def _stage_of(lines: list[str]) -> str:
    stage = "start"
    for line in lines:
        s = _line_stage(line)
        if s and STAGE_ORDER.index(s) > STAGE_ORDER.index(stage):
            stage = s
    return stage


@dataclass
class Build:
    env: dict
    proc: subprocess.Popen
    started: float
    lines: list[str] = field(default_factory=list)
    stamps: list[float] = field(default_factory=list)

    def stage(self) -> str:
        return _stage_of(self.lines)


def start_build(env: dict, args: tuple = ("build",)) -> Build:
    proc = subprocess.Popen([str(CLI), *args], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                            text=True, start_new_session=True)
    b = Build(env, proc, time.monotonic())

    def pump():
        for line in proc.stderr:
            b.lines.append(line.rstrip("\n"))
            b.stamps.append(time.monotonic() - b.started)
    threading.Thread(target=pump, daemon=True).start()
    return b


def kill_group(b: Build) -> None:
    try:
        os.killpg(b.proc.pid, signal.SIGKILL)  # the CLI and every worker it forked or spawned
    except ProcessLookupError:
        pass
    b.proc.wait()


def finish(b: Build, timeout: float) -> int | None:
    try:
        return b.proc.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        kill_group(b)
        return None


def new_env(base: Path, corpus: Path) -> dict:
    home = base / "dagster_home"
    ensure_dagster_home(home)
    return {**os.environ, "NEWS_CORPUS_DIR": str(corpus), "NEWS_DUCKDB_PATH": str(base / "wh" / "news.duckdb"),
            "DAGSTER_HOME": str(home)}


def wait_for_tmp_file(b: Build, directory: Path, timeout: float) -> bool:
    """Block until a hidden *.tmp file (the publish copy) is created in directory (inotify: the copy
    lives only milliseconds, polling misses it). False if the build ends or timeout passes first."""
    import ctypes
    import select
    import struct

    libc = ctypes.CDLL(None, use_errno=True)
    fd = libc.inotify_init1(os.O_NONBLOCK | os.O_CLOEXEC)
    if fd < 0 or libc.inotify_add_watch(fd, os.fsencode(directory), 0x100) < 0:  # IN_CREATE
        raise OSError(ctypes.get_errno(), "inotify")
    try:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline and b.proc.poll() is None:
            if not select.select([fd], [], [], 0.05)[0]:
                continue
            buf = os.read(fd, 65536)
            pos = 0
            while pos < len(buf):
                _wd, _mask, _cookie, length = struct.unpack_from("iIII", buf, pos)
                name = buf[pos + 16: pos + 16 + length].rstrip(b"\0").decode()
                pos += 16 + length
                if name.startswith(".") and name.endswith(".tmp"):
                    return True
        return False
    finally:
        os.close(fd)


def _wait_for(b: Build, predicate, timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and b.proc.poll() is None:
        if predicate():
            return True
        time.sleep(0.005)
    return False


def run_trial(corpus: Path, base: Path, kind: str, rng: random.Random, clean_time: float,
              reference: dict, timeout: float = 300) -> dict:
    env = new_env(base, corpus)
    wh_dir = Path(env["NEWS_DUCKDB_PATH"]).parent
    wh_dir.mkdir(parents=True, exist_ok=True)
    b = start_build(env)
    aim = None
    if kind == "time":
        aim = rng.uniform(0.3, 0.9 * clean_time)
        _wait_for(b, lambda: time.monotonic() - b.started >= aim, timeout)
    elif kind == "publish":
        # The copy is written to .news.duckdb.<pid>.tmp, fsynced and renamed: kill while it exists.
        delay = rng.uniform(0, 0.004)
        if wait_for_tmp_file(b, wh_dir, timeout):
            time.sleep(delay)
    elif kind == "totals":
        # Their own run after several range runs; the last steps of a single range run otherwise
        # (the CLI folds them in): then they start about when the range run's own steps would end.
        if _wait_for(b, lambda: b.stage() in ("entities", "totals"), timeout):
            entered = time.monotonic()
            _wait_for(b, lambda: b.stage() != "entities" or time.monotonic() - entered >= STAGE_SPREAD["entities"],
                      timeout)
            marked = time.monotonic()
            delay = rng.uniform(0, STAGE_SPREAD[kind])
            _wait_for(b, lambda: time.monotonic() - marked >= delay, timeout)
    else:
        stage = {"parse": "parse", "entities": "entities"}[kind]
        if _wait_for(b, lambda: b.stage() == stage, timeout):
            marked = time.monotonic()
            # spread the kill over the stage (clean build of the default corpus: ingest+parse ~2 s,
            # range run ~1.8 s, totals run ~0.7 s)
            delay = rng.uniform(0, STAGE_SPREAD[kind])
            _wait_for(b, lambda: time.monotonic() - marked >= delay, timeout)
    killed_at = time.monotonic() - b.started
    finished_first = b.proc.poll() is not None
    stage = b.stage()
    kill_group(b)
    litter = sorted(p.name for p in wh_dir.glob(".*.tmp"))
    published_before = (wh_dir / "news.duckdb").exists()

    b2 = start_build(env)
    rc = finish(b2, timeout)
    row = {"kind": kind, "killed_at": killed_at, "stage": "done (not killed)" if finished_first else stage,
           "published_before": published_before, "tmp_litter": litter, "rebuild_rc": rc}
    if rc != 0:
        row.update(recovered=False, diff=[f"rebuild failed rc={rc}: {' | '.join(b2.lines[-5:])}"])
        return row
    got = checksums(wh_dir / "news.duckdb")
    diff = [f"{t}: rows {got[t][0]} vs clean {reference[t][0]}" + ("" if got[t][0] != reference[t][0] else " (content differs)")
            for t in CONTRACT_TABLES if got[t] != reference[t]]
    diff += consistency(wh_dir / "news.duckdb")
    row.update(recovered=not diff, diff=diff)
    return row


def clean_build(corpus: Path, base: Path, timeout: float = 300) -> tuple[dict, float, Build]:
    env = new_env(base, corpus)
    b = start_build(env)
    rc = finish(b, timeout)
    took = time.monotonic() - b.started
    if rc != 0:
        raise RuntimeError(f"clean build failed (rc={rc}): " + "\n".join(b.lines[-20:]))
    return checksums(Path(env["NEWS_DUCKDB_PATH"])), took, b


STAGE_SPREAD = {"parse": 1.8, "entities": 1.7, "totals": 0.6}
TRIAL_KINDS = ["parse", "entities", "entities", "totals", "totals", "publish", "publish", "time", "time", "time",
               "time", "time"]


def main(argv: list[str] | None = None) -> int:
    import argparse

    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--trials", type=int, default=12)
    p.add_argument("--extra", type=int, default=300)
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--workdir", type=Path)
    args = p.parse_args(argv)

    work = Path(args.workdir or tempfile.mkdtemp(prefix="crash_trials_"))
    corpus = work / "corpus"
    n = make_crash_corpus(corpus, args.extra, args.seed)
    reference, clean_time, clean = clean_build(corpus, work / "clean")
    print(f"corpus: {n} files; clean build {clean_time:.1f} s; stage times: "
          + ", ".join(f"{_stage_of(clean.lines[:i + 1])}@{t:.1f}s" for i, t in enumerate(clean.stamps)
                      if i == 0 or _stage_of(clean.lines[:i + 1]) != _stage_of(clean.lines[:i])))
    print("clean: " + ", ".join(f"{t}={reference[t][0]}" for t in CONTRACT_TABLES))
    rng = random.Random(args.seed)
    rows = []
    print(f"\n{'trial':>5}  {'kill point':10} {'kill at':>8}  {'stage reached':18} {'published':9} {'tmp left':8} recovered")
    for i in range(args.trials):
        kind = TRIAL_KINDS[i % len(TRIAL_KINDS)]
        row = run_trial(corpus, work / f"trial_{i:02d}", kind, random.Random(rng.random()), clean_time, reference)
        rows.append(row)
        print(f"{i:>5}  {kind:10} {row['killed_at']:7.2f}s  {row['stage']:18} {'yes' if row['published_before'] else 'no':9} "
              f"{len(row['tmp_litter']):<8} {'yes' if row['recovered'] else 'NO: ' + '; '.join(row['diff'])}", flush=True)
    bad = sum(1 for r in rows if not r["recovered"])
    print(f"\n{len(rows) - bad}/{len(rows)} recovered; work dir {work}")
    if not args.workdir:
        shutil.rmtree(work, ignore_errors=True)
    return 1 if bad else 0


if __name__ == "__main__":
    raise SystemExit(main())
