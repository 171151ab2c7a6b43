"""Peak memory of a full build as the corpus grows (issue: flat RSS as the corpus grows).

Builds ../shared/corpora/ant-v2.1 (read in place; or --corpus) from an empty warehouse at several
sizes: the first 1/8, 1/4, 1/2 and all of its files, each from scratch. A share above 1 (2, 3, ...)
adds remixed copies, since no larger real corpus is at hand: copy r of a TREC file keeps its title
and the first half of its TEXT lines, takes the second half from another file, is dated r years
earlier and gets DOCNO `<docno>-r<r>`. A remix shares about a third of its shingles with either
source, below the near-duplicate threshold, so the copies are new articles with real Arabic text,
real entities and new days, not duplicates that clustering would fold away. A sampler reads /proc every
50 ms and sums the proportional set size (PSS) of the `news-assets build` process and all its
descendants (worker processes included; pages shared after a fork are counted once), so the figure
is what the machine had to give, not one process's.

    .venv/bin/python bench/memory_scale.py [--corpus DIR] [--fractions 0.125,0.25,0.5,1,2] [--where] [--timeline S] [--keep DIR] [--refresh]

Prints one row per size: files, articles, wall time, peak tree RSS, peak single-process RSS.
--where adds when the peak came; --timeline S adds, every S seconds of the build, the summed PSS,
the build process's RSS, the largest other process's RSS and the build's last log line. --keep DIR
leaves each size's corpus, warehouse and Dagster home in DIR/share-<share> (for measuring one stage
on a large warehouse) instead of deleting them. --refresh then times, on each size's warehouse, an
unchanged refresh and two refreshes, each with new files numbering 1 % of the corpus's (remixes of
its newest files dated one, then two years later): the same new data at every size, so it shows
whether a refresh costs what is new or what is stored. The first publish after a build copies the
whole file (no spare to patch yet); the second refresh is what a daily one costs. Its table follows
the memory table.
"""
from __future__ import annotations

import argparse
import datetime as dt
import email.utils
import os
import re
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

from corpus_scale import CLI, DEFAULT_CORPUS, copy_into, corpus_files, count, fresh_env, published_key

_DOCNO = re.compile(r"<DOCNO>(.*?)</DOCNO>", re.S)
_TIME = re.compile(r"<TIME>(.*?)</TIME>", re.S)
_TEXT = re.compile(r"(<TEXT>\n?)(.*?)(\n?</TEXT>)", re.S)


def remix(doc: str, other: str, r: int) -> str | None:
    """Copy r of a TREC document (see the module docstring); None when it has no TIME or TEXT to remix."""
    time_m, text_m, other_m = _TIME.search(doc), _TEXT.search(doc), _TEXT.search(other)
    if not (time_m and text_m and other_m and _DOCNO.search(doc)):
        return None
    try:
        when = email.utils.parsedate_to_datetime(time_m.group(1).strip())
    except (TypeError, ValueError):
        return None
    try:
        earlier = when.replace(year=when.year - r)
    except ValueError:  # 29 February
        earlier = (when - dt.timedelta(days=1)).replace(year=when.year - r)
    mine, theirs = text_m.group(2).split("\n"), other_m.group(2).split("\n")
    body = "\n".join(mine[: max(1, len(mine) // 2)] + theirs[len(theirs) // 2:])
    out = _DOCNO.sub(lambda m: f"<DOCNO>{m.group(1)}-r{r}</DOCNO>", doc, count=1)
    out = _TIME.sub(lambda m: f"<TIME>{email.utils.format_datetime(earlier)}</TIME>", out, count=1)
    return _TEXT.sub(lambda m: m.group(1) + body + m.group(3), out, count=1)


def add_remixed_copies(corpus_root: Path, dest_root: Path, paths: list[Path], copies: int) -> int:
    """Write `copies` remixed copies of each file under dest_root/remix-<r>/; the number written."""
    written = 0
    for r in range(1, copies + 1):
        shift = len(paths) // (r + 1) + r  # each round pairs a file with a different other file
        for i, p in enumerate(paths):
            doc = p.read_text(encoding="utf-8", errors="replace")
            other = paths[(i + shift) % len(paths)].read_text(encoding="utf-8", errors="replace")
            out = remix(doc, other, r)
            if out is None:
                continue
            dest = dest_root / f"remix-{r}" / p.relative_to(corpus_root)
            dest.parent.mkdir(parents=True, exist_ok=True)
            dest.write_text(out, encoding="utf-8")
            written += 1
    return written


def add_newer_copies(corpus_root: Path, dest_root: Path, paths: list[Path], newest: list[Path], years: int = 1) -> int:
    """New files for a refresh: remixes of `newest` (the corpus's newest files), dated `years`
    later (new days after everything built), with halves of other `paths`, under
    dest_root/newer/ (newer-<years>/ after the first); the number written."""
    written = 0
    for i, p in enumerate(newest):
        other = paths[(i * 7919 + years - 1) % len(paths)]  # a file from anywhere in the corpus
        out = remix(p.read_text(encoding="utf-8", errors="replace"),
                    other.read_text(encoding="utf-8", errors="replace"), -years)
        if out is None:
            continue
        dest = dest_root / ("newer" if years == 1 else f"newer-{years}") / p.relative_to(corpus_root)
        dest.parent.mkdir(parents=True, exist_ok=True)
        dest.write_text(out, encoding="utf-8")
        written += 1
    return written


def refresh(env: dict, corpus_root: Path, files: list[Path], newest: list[Path]) -> tuple[float, list, int, list[str]]:
    """(unchanged refresh wall, [walls of two refreshes, each with remixes of `newest` added], files
    added each time, those builds' stage lines) on a built warehouse: the same new data at every
    size, so the walls show what a refresh costs as the warehouse grows. Two, because the first
    publish after a build copies the whole file (there is no spare to patch yet); daily refreshes
    are like the second."""
    started = time.perf_counter()
    subprocess.run([str(CLI), "build"], env=env, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    unchanged = time.perf_counter() - started
    walls, stages = [], []
    for years in (1, 2):
        added = add_newer_copies(corpus_root, Path(env["NEWS_CORPUS_DIR"]), files, newest, years)
        started = time.perf_counter()
        done = subprocess.run([str(CLI), "build"], env=env, check=True, stdout=subprocess.DEVNULL,
                              stderr=subprocess.PIPE, text=True)
        walls.append(time.perf_counter() - started)
        stages.append(f"refresh {years}: " + "; ".join(
            line.strip() for line in done.stderr.splitlines() if " ok in " in line or line.startswith("published")))
    return unchanged, walls, added, stages


def _children() -> dict[int, list[int]]:
    kids: dict[int, list[int]] = {}
    for entry in os.scandir("/proc"):
        if not entry.name.isdigit():
            continue
        try:
            with open(f"/proc/{entry.name}/stat", "rb") as fh:
                stat = fh.read()
        except OSError:
            continue
        ppid = int(stat[stat.rindex(b")") + 2:].split()[1])
        kids.setdefault(ppid, []).append(int(entry.name))
    return kids


def _memory(pid: int) -> tuple[int, int]:
    """(PSS, RSS) in bytes. PSS splits pages shared by forked workers between them, so PSS sums over
    a process tree without counting a shared page twice; RSS of one process is the usual figure."""
    try:
        with open(f"/proc/{pid}/smaps_rollup", "rb") as fh:
            fields = dict(line.split(b":", 1) for line in fh.read().splitlines()[1:])
    except (OSError, ValueError):
        return 0, 0
    return int(fields[b"Pss"].split()[0]) * 1024, int(fields[b"Rss"].split()[0]) * 1024


class TreeSampler(threading.Thread):
    """Peak summed PSS of a process and its descendants, and peak RSS of any one of them, sampled every `interval` seconds."""

    def __init__(self, pid: int, interval: float = 0.05):
        super().__init__(daemon=True)
        self.pid, self.interval = pid, interval
        self.peak_tree = self.peak_one = 0
        self.peak_at = 0.0  # seconds after start
        self.peak_processes: list[tuple[int, int]] = []  # (pid, RSS) of each process at the peak, the build first
        self.samples: list[tuple[float, int, int, int]] = []  # (seconds, PSS of the tree, RSS build, RSS largest other)
        self.started = time.perf_counter()
        self.done = threading.Event()

    def run(self) -> None:
        while not self.done.is_set():
            kids, todo, tree = _children(), [self.pid], []
            while todo:
                pid = todo.pop()
                tree.append(pid)
                todo += kids.get(pid, [])
            sizes = [_memory(p) for p in tree]
            self.samples.append((time.perf_counter() - self.started, sum(pss for pss, _ in sizes), sizes[0][1],
                                 max((rss for _, rss in sizes[1:]), default=0)))
            if sum(pss for pss, _ in sizes) > self.peak_tree:
                self.peak_at = time.perf_counter() - self.started
                self.peak_processes = [(p, rss) for p, (_pss, rss) in zip(tree, sizes)]
            self.peak_tree = max(self.peak_tree, sum(pss for pss, _ in sizes))
            self.peak_one = max(self.peak_one, max((rss for _, rss in sizes), default=0))
            self.done.wait(self.interval)


def build(env: dict) -> tuple[float, TreeSampler, list[tuple[float, str]]]:
    """Wall time, the sampler, and the build's stderr lines with their time after the start."""
    started = time.perf_counter()
    proc = subprocess.Popen([str(CLI), "build"], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    sampler = TreeSampler(proc.pid)
    sampler.start()
    log = [(time.perf_counter() - sampler.started, line.rstrip()) for line in proc.stderr]
    proc.wait()
    sampler.done.set()
    sampler.join()
    if proc.returncode != 0:
        sys.exit("news-assets build failed:\n" + "\n".join(line for _, line in log[-40:]))
    return time.perf_counter() - started, sampler, log


def print_timeline(samples: list[tuple[float, int, int, int]], log: list[tuple[float, str]], step: float) -> None:
    """The highest sample of each `step`-second window, with the build's last log line before it."""
    print("\n    seconds  PSS tree  RSS build  RSS other  last log line")
    window: list[tuple[float, int, int, int]] = []
    for sample in [*samples, (float("inf"), 0, 0, 0)]:
        if window and sample[0] >= window[0][0] + step:
            t, pss, build_rss, other = max(window, key=lambda x: x[1])
            before = [line.strip() for at, line in log if at <= t and line.strip()]
            print(f"    {t:7.1f}  {pss / 2**20:5.0f} MiB  {build_rss / 2**20:5.0f} MiB  {other / 2**20:5.0f} MiB  "
                  f"{(before[-1] if before else '-')[:90]}")
            window = []
        window.append(sample)
    print(flush=True)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS)
    ap.add_argument("--fractions", default="0.125,0.25,0.5,1")
    ap.add_argument("--where", action="store_true",
                    help="after each row: when the peak came, each process's RSS then, and the build's last log line before it")
    ap.add_argument("--timeline", type=float, default=0,
                    help="after each row: memory every this many seconds of the build, with its last log line")
    ap.add_argument("--keep", type=Path, help="leave each size's corpus, warehouse and Dagster home in DIR/share-<share>")
    ap.add_argument("--refresh", action="store_true",
                    help="after each build: an unchanged refresh, then one with 1 %% of the corpus's file count "
                         "in new files (the same new data at every size)")
    args = ap.parse_args()
    if not args.corpus.is_dir():
        print(f"corpus {args.corpus} is absent (the shared ANT corpus sits at ../shared/corpora/ant-v2.1)")
        return 0
    files = corpus_files(args.corpus)
    print(f"machine: {os.cpu_count()} cores, Python {sys.version.split()[0]}; corpus {args.corpus} ({len(files):,} files)")
    print(f"command: {' '.join(sys.argv)}\n")
    print("| share of corpus | files | articles | wall | peak memory (PSS), build + workers | peak RSS, largest process |")
    print("|---|---|---|---|---|---|")
    refreshes = []
    # The files the refreshes remix, found once (dating every file parses it: seconds).
    newest = sorted(files, key=published_key)[-max(1, len(files) // 100):] if args.refresh else []
    for frac in (float(x) for x in args.fractions.split(",")):
        if args.keep:
            work = args.keep / f"share-{frac:g}"
            shutil.rmtree(work, ignore_errors=True)
            work.mkdir(parents=True)
        else:
            work = Path(tempfile.mkdtemp(prefix="news_mem_"))
        try:
            # Every k-th file, so each size spans the corpus's sources and dates like the whole.
            subset = files[:: max(1, round(1 / frac))] if frac < 1 else files
            copy_into(args.corpus, work / "corpus", subset)
            n_files = len(subset)
            if frac > 1:
                n_files += add_remixed_copies(args.corpus, work / "corpus", subset, round(frac) - 1)
            env = fresh_env(work, work / "corpus")
            wall, s, log = build(env)
            print(f"| {frac:g} | {n_files:,} | {count(env, 'articles'):,} | {wall:.1f} s | "
                  f"{s.peak_tree / 2**20:,.0f} MiB | {s.peak_one / 2**20:,.0f} MiB |", flush=True)
            if args.where:
                before = [line for t, line in log if t <= s.peak_at]
                rss = ", ".join(f"{'build' if k == 0 else 'child'} {r / 2**20:,.0f} MiB"
                                for k, (_pid, r) in enumerate(s.peak_processes) if k == 0 or r > 50 * 2**20)
                print(f"|   | peak at {s.peak_at:.1f} s of {wall:.1f} s; RSS {rss}; "
                      f"last log line before it: {before[-1] if before else '-'} |", flush=True)
            if args.timeline:
                print_timeline(s.samples, log, args.timeline)
            if args.refresh:
                unchanged, wall_new, added, stages = refresh(env, args.corpus, files, newest)
                refreshes.append((frac, count(env, "articles"), unchanged, added, wall_new, stages))
        finally:
            if not args.keep:
                shutil.rmtree(work, ignore_errors=True)
    if refreshes:
        print("\n| share of corpus | articles after the refreshes | unchanged refresh | new files | refresh with them "
              "| a second one |")
        print("|---|---|---|---|---|---|")
        for frac, articles, unchanged, added, walls, _stages in refreshes:
            print(f"| {frac:g} | {articles:,} | {unchanged:.1f} s | {added:,} each | {walls[0]:.1f} s | {walls[1]:.1f} s |")
        for frac, *_rest, stages in refreshes:
            print(f"\n{frac:g}: " + "\n   ".join(stages))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
