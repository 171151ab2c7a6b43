"""Corpus-scale benchmark (issue: the whole ANT corpus in about a minute).

Prints, for one corpus (default: ../shared/corpora/ant-v2.1, read in place):
  1. the floor: one Python process reading every file and regex-tokenising it;
  2. a full build from an empty warehouse: wall time, articles/s, MB/s, peak RSS, time per stage;
  3. incremental refresh: a build over 89 % of the files, then +1 % and +10 % new files;
  4. extractor throughput (tokens/s) for each extractor available here;
  5. a forced backfill of every publication day with NEWS_WORKERS=1 and =2, and of the days
     from 2018 on (ANT's dense part) alike.

Usage: .venv/bin/python bench/corpus_scale.py [--corpus DIR] [--skip incremental,backfill,...]
           [--extractor rules|model] [--repeat N]
--extractor model trains the CRF from $NEWS_NER_GOLD (default ../shared/ner/anercorp-camel-train.txt)
inside the full build (the ner_model asset, once) and extracts with it. --repeat runs each backfill
N times and reports the median (the machine's noise is about a second).
Every figure is measured by this run; nothing is assumed.
"""
from __future__ import annotations

import argparse
import os
import re
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from news_assets.dagster_home import ensure_dagster_home

REPO = Path(__file__).resolve().parents[1]
CLI = REPO / ".venv" / "bin" / "news-assets"
DEFAULT_CORPUS = (REPO / ".." / "shared" / "corpora" / "ant-v2.1").resolve()
TOKEN = re.compile(r"\w+", re.UNICODE)


def corpus_files(root: Path) -> list[Path]:
    return sorted(p for p in root.rglob("*") if p.is_file() and not p.name.startswith(".") and p.suffix != ".md")


def floor(files: list[Path]) -> dict:
    started = time.perf_counter()
    tokens = nbytes = 0
    for p in files:
        data = p.read_bytes()
        nbytes += len(data)
        tokens += len(TOKEN.findall(data.decode("utf-8", "replace")))
    return {"seconds": time.perf_counter() - started, "tokens": tokens, "bytes": nbytes}


def machine_cpu() -> dict[str, float] | None:
    """Seconds the machine's cores spent busy (user+system, any process), and stolen by the
    hypervisor, from /proc/stat (Linux); None elsewhere."""
    try:
        fields = Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]
    except OSError:
        return None
    user, nice, system, _idle, _iowait, irq, softirq, steal = (int(x) for x in fields[:8])
    hz = os.sysconf("SC_CLK_TCK")
    machine = {"busy": (user + nice + system + irq + softirq) / hz, "steal": steal / hz}
    for kind in ("cpu", "io"):  # pressure stall information: time some task waited for a core / for IO
        try:
            some = Path(f"/proc/pressure/{kind}").read_text().split("\n", 1)[0]
            machine[f"{kind}_wait"] = int(some.rsplit("total=", 1)[1]) / 1e6
        except (OSError, IndexError, ValueError):
            pass
    return machine


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def run_cli(args: list[str], env: dict) -> dict:
    """Run news-assets in a child process; wall time, its stage lines and the child's peak RSS, and
    what the machine did meanwhile: CPU seconds of the command (with its worker processes), of
    everything else, and stolen by the hypervisor (a shared virtual machine's second core can be
    busy elsewhere: that shows as steal, and a 2-worker run then cannot be twice as fast)."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    cpu_before, machine_before = _children_cpu(), machine_cpu()
    started = time.perf_counter()
    proc = subprocess.run([str(CLI), *args], env=env, capture_output=True, text=True)
    wall = time.perf_counter() - started
    cpu, machine_after = _children_cpu() - cpu_before, machine_cpu()
    if proc.returncode != 0:
        sys.exit(f"news-assets {' '.join(args)} failed:\n{proc.stderr[-3000:]}")
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    stages = [(m.group(1), float(m.group(2))) for m in re.finditer(r"^(.*): run \w+ ok in ([\d.]+) s$", proc.stderr, re.M)]
    published = re.search(r"for readers in ([\d.]+) s", proc.stderr)
    result = {"wall": wall, "stages": stages, "peak_rss_mb": max(peak, before) / 1024, "cpu": cpu,
              "publish": float(published.group(1)) if published else 0.0, "stdout": proc.stdout}
    if machine_before and machine_after:
        result["other_cpu"] = max(0.0, machine_after["busy"] - machine_before["busy"] - cpu)
        for key in ("steal", "cpu_wait", "io_wait"):
            if key in machine_before and key in machine_after:
                result[key] = machine_after[key] - machine_before[key]
    return result


def cpu_note(r: dict) -> str:
    """Where one run's time went: its runs (as logged), CPU seconds of the command, of other
    processes and stolen by the hypervisor, and the time some task waited for a core or for IO
    (Linux pressure stall information)."""
    runs = [f"{s:.1f}" for label, s in r["stages"] if "…" in label]
    note = f"range runs {' / '.join(runs)} s, totals {_totals(r['stages'])}; cpu {r['cpu']:.1f} s"
    if "steal" in r:
        note += f", others {r['other_cpu']:.1f} s, steal {r['steal']:.1f} s"
    for key, name in (("cpu_wait", "waiting for a core"), ("io_wait", "for IO")):
        if key in r:
            note += f", {name} {r[key]:.1f} s"
    return note


def fresh_env(work: Path, corpus: Path, **extra: str) -> dict:
    home = work / "dagster_home"
    ensure_dagster_home(home)
    env = {k: v for k, v in os.environ.items() if not k.startswith("NEWS_")}
    env.update(NEWS_CORPUS_DIR=str(corpus), NEWS_DUCKDB_PATH=str(work / "news.duckdb"), DAGSTER_HOME=str(home), **extra)
    return env


def count(env: dict, table: str) -> int:
    import duckdb

    with duckdb.connect(env["NEWS_DUCKDB_PATH"], read_only=True) as con:
        return con.execute(f"SELECT count(*) FROM {table}").fetchone()[0]


def summarise_stages(stages: list[tuple[str, float]]) -> str:
    ingest = sum(s for label, s in stages if label.startswith("ingest"))
    ranges = [s for label, s in stages if "…" in label]
    return (f"ingest+parse+duplicates {ingest:.1f} s; entities+counts {sum(ranges):.1f} s in {len(ranges)} range run(s); "
            f"undated+entities {_totals(stages)}")


def _totals(stages: list[tuple[str, float]]) -> str:
    """The totals run's time, or where the totals ran: a refresh with one range run has them in it."""
    if any("…" in label and "undated" in label for label, _s in stages):
        return "in the range run"
    return f"{sum(s for label, s in stages if 'undated' in label):.1f} s"


def _corpus_bodies(files: list[Path]):
    from news_assets.text.parsing import parse_document

    for p in files:
        try:
            yield from (a.body for a in parse_document(p.read_bytes(), str(p)).articles)
        except Exception:  # noqa: BLE001 - rejects are simply skipped
            pass


def extractor_speed(files: list[Path], n: int = 2000) -> list[tuple[str, str]]:
    sys.path.insert(0, str(REPO))
    from news_assets.defs.entities.assets import EXTRACT_CHUNK
    from news_assets.extraction import get_extractor
    from news_assets.text.tokenize import tokenize

    step = max(1, len(files) // n)
    bodies = list(_corpus_bodies(files[::step][:n]))
    tokens = sum(len(tokenize(b)) for b in bodies)
    out = []
    gold = REPO / ".." / "shared" / "ner" / "anercorp-camel-train.txt"
    for name in ("rules", "model", "camel"):
        try:
            if name == "model":
                if not gold.is_file():
                    raise RuntimeError(f"no gold file at {gold} to train on")
                from news_assets.ner.model import train_model

                model_path = Path(tempfile.mkdtemp(prefix="news_bench_model_")) / "ner.crf"
                # as the ner_model asset trains it: gold plus the corpus's article bodies
                train_model(gold, model_path, unlabeled=_corpus_bodies(files))
                extractor = get_extractor("model", str(model_path))
            elif name == "camel":
                folder = os.environ.get("NEWS_CAMEL_MODEL_DIR")
                if not folder:
                    raise RuntimeError("set NEWS_CAMEL_MODEL_DIR to a camel-tools NER model; bench/camel_speed.py "
                                       "times a bert-base-size model with random weights instead")
                from news_assets.extraction import resolve_extractor

                extractor = get_extractor("camel", str(resolve_extractor("camel", camel_model_dir=Path(folder)).model_path))
            else:
                extractor = get_extractor(name)
        except Exception as exc:  # noqa: BLE001
            out.append((name, f"not available here: {str(exc).splitlines()[0][:160]}"))
            continue
        # in chunks of articles as the pipeline's workers call it (the model decodes a chunk at once)
        chunks = [bodies[i:i + EXTRACT_CHUNK] for i in range(0, len(bodies), EXTRACT_CHUNK)]
        started = time.perf_counter()
        for chunk in chunks:
            extractor.extract_many(chunk)
        took = time.perf_counter() - started
        # again, with the per-token caches filled: closer to a whole-corpus run, where the first
        # sight of each distinct token is a small share (ANT: 237k distinct in 9.0M tokens)
        started = time.perf_counter()
        for chunk in chunks:
            extractor.extract_many(chunk)
        warm = time.perf_counter() - started
        out.append((name, f"{tokens / took:,.0f} tokens/s on one core, cold cache; {tokens / warm:,.0f} warm "
                          f"({len(bodies)} articles, {tokens:,} tokens)"))
    return out


def published_key(path: Path) -> tuple:
    sys.path.insert(0, str(REPO))
    from news_assets.text.parsing import parse_document

    try:
        when = parse_document(path.read_bytes(), str(path)).articles[0].published_at
    except Exception:  # noqa: BLE001 - unparseable files sort first, into the base
        when = None
    return (when is not None, when.timestamp() if when else 0.0, str(path))


def copy_into(corpus_root: Path, dest_root: Path, paths: list[Path]) -> None:
    for p in paths:
        dest = dest_root / p.relative_to(corpus_root)
        dest.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(p, dest)


def incremental(corpus_root: Path, files: list[Path], work: Path, mode: str, held_1: list[Path],
                held_10: list[Path]) -> list[tuple[str, str]]:
    rows = []
    corpus = work / "corpus"
    held = {*held_1, *held_10}
    copy_into(corpus_root, corpus, [p for p in files if p not in held])
    env = fresh_env(work, corpus)
    r0 = run_cli(["build"], env)
    rows.append((f"incremental ({mode}): base build ({len(files) - len(held):,} files)", f"{r0['wall']:.1f} s"))
    for label, batch in (("+1 %", held_1), ("+10 %", held_10)):
        copy_into(corpus_root, corpus, batch)
        r = run_cli(["build"], env)
        rows.append((f"incremental ({mode}): {label} ({len(batch):,} new files)",
                     f"{r['wall']:.1f} s wall ({summarise_stages(r['stages'])})"))
    r = run_cli(["build"], env)
    rows.append((f"incremental ({mode}): unchanged corpus", f"{r['wall']:.1f} s wall"))
    return rows


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS)
    ap.add_argument("--skip", default="", help="comma list of: floor,full,incremental,extractors,backfill")
    ap.add_argument("--keep", type=Path, help="keep the work folders under this path")
    ap.add_argument("--extractor", choices=("rules", "model"), default="rules")
    ap.add_argument("--repeat", type=int, default=1, help="backfill runs per worker count (median reported)")
    args = ap.parse_args()
    extractor_env = {"NEWS_EXTRACTOR": args.extractor}
    if args.extractor == "model":
        gold = os.environ.get("NEWS_NER_GOLD") or str(REPO.parent / "shared" / "ner" / "anercorp-camel-train.txt")
        if not Path(gold).is_file():
            print(f"--extractor model needs a CoNLL gold file: {gold} is absent (set NEWS_NER_GOLD)")
            return 0
        extractor_env["NEWS_NER_GOLD"] = gold
    skip = set(filter(None, args.skip.split(",")))
    if not args.corpus.is_dir():
        print(f"corpus {args.corpus} is absent (the shared ANT corpus sits at ../shared/corpora/ant-v2.1)")
        return 0
    files = corpus_files(args.corpus)
    base = Path(args.keep or tempfile.mkdtemp(prefix="news_bench_"))
    base.mkdir(parents=True, exist_ok=True)
    rows: list[tuple[str, str]] = [("machine", f"{os.cpu_count()} cores, Python {sys.version.split()[0]}"),
                                   ("corpus", f"{args.corpus} ({len(files):,} files)"),
                                   ("extractor", args.extractor)]

    fl = None
    if "floor" not in skip:
        fl = floor(files)
        rows.append(("floor: read + regex-tokenise, 1 process",
                     f"{fl['seconds']:.1f} s ({fl['bytes'] / 1e6:.0f} MB, {fl['tokens']:,} tokens)"))

    full_env = None
    if "full" not in skip:
        full_env = fresh_env(base / "full", args.corpus, **extractor_env)
        # From empty means without the gazetteer a previous run cached, too: the build makes it
        # (~0.6 s, once) and the runs after it load it, as they would on a user's machine.
        from news_assets.ner.gazetteer import gazetteer_cache_path

        for cached in gazetteer_cache_path().parent.glob("gazetteer-*.pickle"):
            cached.unlink()
        r = run_cli(["build"], full_env)
        n_articles = count(full_env, "articles")
        mb = sum(p.stat().st_size for p in files) / 1e6
        rows.append(("full build from empty", f"{r['wall']:.1f} s wall; {n_articles / r['wall']:,.0f} articles/s; "
                                              f"{mb / r['wall']:.2f} MB/s; peak RSS {r['peak_rss_mb']:,.0f} MB"))
        rows.append(("  per stage", summarise_stages(r["stages"]) + f"; publish {r['publish']:.1f} s"))
        if fl:
            rows.append(("  build / floor", f"{r['wall'] / fl['seconds']:.1f}x"))
        rows.append(("  rows", f"{n_articles:,} articles, {count(full_env, 'entity_mentions'):,} mentions, "
                              f"{count(full_env, 'entities'):,} entities"))

    if "incremental" not in skip:
        # Daily refreshes bring the newest articles: the base is the oldest 89 % by publication
        # time, then the next 1 %, then the newest 10 %. The "scattered" variant adds files spread
        # over the whole time span instead (every day's counts change), the harder case.
        by_time = sorted(files, key=published_key)
        n = len(by_time)
        plans = {
            "newest": (by_time[int(n * 0.89):int(n * 0.90)], by_time[int(n * 0.90):]),
            "scattered": ([p for i, p in enumerate(files) if i % 100 == 7],
                          [p for i, p in enumerate(files) if 10 <= i % 100 < 20]),
        }
        for mode, (held_1, held_10) in plans.items():
            rows += incremental(args.corpus, files, base / f"incremental_{mode}", mode, held_1, held_10)

    if "extractors" not in skip:
        for name, figure in extractor_speed(files):
            rows.append((f"extractor {name}", figure))

    if "backfill" not in skip:
        env = full_env or fresh_env(base / "full", args.corpus, **extractor_env)
        if not full_env:
            run_cli(["build"], env)
        import duckdb

        with duckdb.connect(env["NEWS_DUCKDB_PATH"], read_only=True) as con:
            # Every publication day (what the issue asks), and the dense part alone (ANT: all but
            # 72 articles are from 2018; before that, ~1,900 days that are mostly empty).
            spans = [con.execute("SELECT min(published_date), max(published_date) FROM articles").fetchone(),
                     con.execute("SELECT min(published_date), max(published_date) FROM articles "
                                 "WHERE published_date >= DATE '2018-01-01'").fetchone()]
        spans = [span for i, span in enumerate(spans) if span[0] is not None and span not in spans[:i]]
        import statistics

        for first, last in spans:
            walls: dict[int, list[float]] = {1: [], 2: []}
            for i in range(args.repeat):
                # Interleaved, and in turn 1-2 then 2-1 (ABBA), so drift in the machine's speed over
                # the minutes of the benchmark hits both worker counts alike.
                for workers in ((1, 2) if i % 2 == 0 else (2, 1)):
                    r = run_cli(["backfill", "--start", str(first), "--end", str(last), "--force"],
                                {**env, "NEWS_WORKERS": str(workers)})
                    walls[workers].append(r["wall"])
                    rows.append((f"  run {i + 1}, {first} … {last}, NEWS_WORKERS={workers}",
                                 f"{r['wall']:.1f} s wall; {cpu_note(r)}"))
            timings = {w: statistics.median(v) for w, v in walls.items()}
            for workers in (1, 2):
                runs = ", ".join(f"{x:.1f}" for x in walls[workers])
                rows.append((f"backfill --force {first} … {last}, NEWS_WORKERS={workers}",
                             f"{timings[workers]:.1f} s wall" + (f" (median of {runs})" if args.repeat > 1 else "")))
            speedup = f"{timings[1] / timings[2]:.2f}x"
            if args.repeat > 1:
                # Each repeat runs both worker counts back to back: the ratio within a pair is less
                # exposed to the machine's drift over the minutes between repeats.
                pairs = [one / two for one, two in zip(walls[1], walls[2])]
                speedup += (f" (ratio of the medians); per pair {', '.join(f'{x:.2f}' for x in pairs)},"
                            f" median {statistics.median(pairs):.2f}x")
            rows.append(("  speed-up 2 vs 1 worker", speedup))

    width = max(len(k) for k, _ in rows)
    print("| measure | result |\n|---|---|")
    for k, v in rows:
        print(f"| {k.ljust(width)} | {v} |")
    if not args.keep:
        shutil.rmtree(base, ignore_errors=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
