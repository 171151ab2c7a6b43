"""`news-assets`: build, backfill and inspect the warehouse from the command line.

Runs go through the Dagster instance at $DAGSTER_HOME (default: data/dagster_home), so the UI
shows every run the CLI made. Each command runs in this one process: no start-up per partition.
"""
from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import functools
import os
import sys
import time
from pathlib import Path

from news_assets.config import DEFAULT_DATA_DIR, SettingsError, load_settings

QUIET_LOGS = {"loggers": {"console": {"config": {"log_level": "WARNING"}}}}


@functools.cache  # one listener per process: each call would add another, run on every connect
def _relax_sqlite_fsync() -> None:
    """Dagster's default SQLite storage commits each event with a full fsync (~10 ms here), and a
    range run writes several events per daily partition. In WAL mode, synchronous=NORMAL keeps every
    committed event across a crash of this process (only a power cut can lose the last ones), and
    makes a 300-day run spend seconds, not minutes, on bookkeeping. Only SQLite connections opened
    by this process are affected; Postgres-backed instances are untouched.
    """
    import sqlite3

    from sqlalchemy import event
    from sqlalchemy.engine import Engine

    @event.listens_for(Engine, "connect")
    def _on_connect(dbapi_connection, _record):  # noqa: ANN001
        if isinstance(dbapi_connection, sqlite3.Connection):
            dbapi_connection.execute("PRAGMA synchronous=NORMAL")


def _instance():
    import dagster as dg

    _relax_sqlite_fsync()

    from news_assets.dagster_home import ensure_dagster_home

    # The project's own dagster.yaml (quiet, pooled SQLite event log) unless the user wrote one.
    home = os.environ.setdefault("DAGSTER_HOME", str(DEFAULT_DATA_DIR / "dagster_home"))
    ensure_dagster_home(home)
    opened = Path(home) / ".news_assets_opened"
    if opened.exists():
        instance = dg.DagsterInstance.get()
    else:
        # Dagster creates its SQLite storages the first time a home is opened, and stamps their
        # schema version. Two processes opening a new home at once (a backfill starts its range
        # worker beside itself) both did, and left two versions: every later command then failed
        # ("Version table 'alembic_version' has more than one head present"; 5 of 8 trials of
        # two processes opening one new home). The first opening takes a lock; later ones, once
        # the marker exists, need none.
        import fcntl

        with open(Path(home) / ".news_assets_opening.lock", "a") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            instance = dg.DagsterInstance.get()
            opened.touch()
    _INSTANCES.append(instance)
    return instance


_INSTANCES: list = []  # closed before the command's fast exit (see entry)


def _run(job, instance, label: str, **kwargs) -> None:
    started = time.monotonic()
    result = job.execute_in_process(instance=instance, run_config=QUIET_LOGS, raise_on_error=False, **kwargs)
    took = time.monotonic() - started
    if not result.success:
        failed = [e.step_key for e in result.all_events if e.is_step_failure]
        raise SystemExit(
            f"news-assets: {label} run {result.run_id} failed (steps: {', '.join(failed) or 'see run'}); "
            f"open the run in the Dagster UI (DAGSTER_HOME={os.environ['DAGSTER_HOME']}) for the error"
        )
    print(f"{label}: run {result.run_id[:8]} ok in {took:.1f} s", file=sys.stderr)


PARALLEL_RUNS_MIN_ARTICLES = 2000
DATED_ASSETS = ("entity_mentions", "mention_counts_daily", "entity_cooccurrence")
# Days whose mentions stand but whose counts are out of date (RefreshPlan.counts_only): the
# co-occurrences are rebuilt with the counts, in case a run stopped between the mentions and them.
COUNT_ASSETS = ("mention_counts_daily", "entity_cooccurrence")
TOTAL_ASSETS = ("undated_entity_mentions", "entities", "entity_charts")


def _refresh_entities(defs, instance, ranges, label: str, day_articles: dict | None = None, pool=None,
                      extractor: str = "rules", counts_only=None, stale_days=None) -> None:
    """Runs for the partitioned assets, one per day range, side by side on $NEWS_WORKERS processes;
    then one run for the undated bucket and the entities table, which reads every mention and so is
    rebuilt once, after all ranges (a single range in this process takes them as its last steps).
    Processes compute in parallel and only queue for the short write transactions (the warehouse
    lock). `pool`: range workers started earlier (see _start_range_workers); they are used or
    stopped here. `extractor`: the one that runs (an
    article's share of the split depends on it). `counts_only(first, last)`: whether those days
    need only their counts again (RefreshPlan.counts_only); their runs leave entity_mentions out.
    `stale_days`: the days a refresh's plan found stale; each range run then brings only those of
    its days up to date (RECOUNT_DAYS_TAG), not the days between them that it spans to share one run."""
    from dagster import AssetKey

    from news_assets.defs.partitions import encode_days
    from news_assets.parallel import worker_count
    from news_assets.warehouse.state import SPAWN_COST, article_cost, share_pieces, split_for_workers

    workers = worker_count()
    if sum((day_articles or {}).values()) < PARALLEL_RUNS_MIN_ARTICLES:
        workers = 1  # a spawned worker costs ~2.3 s before its first run: not worth it for small work
    spawn_cost = PRESTARTED_SPAWN_COST if pool is not None else SPAWN_COST
    per_article = article_cost(extractor)
    pieces = split_for_workers(tuple(ranges), day_articles or {}, workers, spawn_cost, per_article)
    # This process runs the largest piece itself (it has everything imported and its instance
    # open) and others beside, as many as keep it busy while spawned processes take the rest.
    mine, theirs = (share_pieces(pieces, day_articles or {}, workers, spawn_cost, per_article) if workers > 1
                    else (pieces, []))

    def item(first, last) -> tuple:
        recount = None if stale_days is None else encode_days(d for d in stale_days if first <= d <= last)
        if counts_only is not None and counts_only(first, last):
            return (f"{label} {first} … {last}, counts only", first, last, COUNT_ASSETS, recount)
        return (f"{label} {first} … {last}", first, last, DATED_ASSETS, recount)

    if not theirs and pool is not None:
        pool.terminate()  # started in case the work was big enough; it was not
        pool.join()
        pool = None
    if theirs:
        if pool is None:
            pool = _start_range_workers(min(workers - 1, len(theirs)))
        try:
            pending = pool.map_async(_range_run, [item(a, b) for a, b in theirs], chunksize=1)
            # No more tasks: a worker exits as soon as its ranges are done instead of idling, with
            # its memory, while this process runs its own last ranges.
            pool.close()
            own = []
            with _extraction_inline(workers):
                for first, last in mine:
                    own.append(_range_run(item(first, last), defs, instance))
                    if own[-1]:
                        break
            if not pending.ready():
                _warm_up_totals()
            failures = [err for err in (*own, *pending.get()) if err]
            # Workers exit on their own (terminate() would interrupt their clean-up), and are gone
            # before the totals run: its peak and a worker's memory would otherwise add up (ANT x2:
            # build 706 MiB + a worker still exiting 378 MiB). Exiting takes ~0.02 s.
            pool.join()
        except BaseException:
            pool.terminate()
            pool.join()
            raise
        if failures:
            raise SystemExit(failures[0])
    elif len(mine) == 1:
        # One range, in this process: the totals go in its run. A run of their own cost ~1 s of
        # Dagster's own work (+1 % of ANT scattered: 0.96 s of the 1.6 s totals run, py-spy,
        # scratch); in one run they are more steps after the range's.
        name, first, last, assets, recount = item(*mine[0])
        err = _range_run((f"{name}, with undated articles and entity totals", first, last,
                          assets + TOTAL_ASSETS, recount), defs, instance)
        if err:
            raise SystemExit(err)
        return
    else:
        for first, last in mine:
            err = _range_run(item(first, last), defs, instance)
            if err:
                raise SystemExit(err)
    _run(defs.resolve_job_def("entities_job"), instance, f"{label}: undated articles and entity totals",
         asset_selection=[AssetKey(k) for k in TOTAL_ASSETS])


def _warm_up_totals() -> None:
    """What the totals run imports (matplotlib for the charts, ~0.4 s), imported while this process
    waits for the range workers anyway: with workers, that wait is idle time before the totals run."""
    import news_assets.charts  # noqa: F401


@contextlib.contextmanager
def _extraction_inline(processes: int):
    """NEWS_WORKERS=1 for the block: a range this process runs beside worker processes extracts on
    this process's core instead of forking more workers than there are cores; and its DuckDB
    queries take this process's share of the cores (_core_share), `processes` running at once."""
    from news_assets.warehouse.db import set_duckdb_threads

    before = os.environ.get("NEWS_WORKERS")
    os.environ["NEWS_WORKERS"] = "1"
    set_duckdb_threads(_core_share(processes))
    try:
        yield
    finally:
        set_duckdb_threads(None)
        if before is None:
            os.environ.pop("NEWS_WORKERS", None)
        else:
            os.environ["NEWS_WORKERS"] = before


def _core_share(processes: int) -> int:
    """DuckDB threads for each of `processes` range processes running side by side: the cores
    shared out, so that their queries do not ask for more threads than there are cores (DuckDB's
    default is one thread per core in every process). Two processes on 2 cores, each DuckDB on 1
    thread instead of 2, whole-span forced backfills of ANT: 37.4, 33.9, 36.9 s with this and the
    re-tuned split (DAY_COST), 38.6, 43.9, 36.2 s with the split alone, 41.1, 39.8, 36.5 s with
    neither (alternating on a noisy machine, 2026-11-30; scratch): not a clear gain."""
    return max(1, len(os.sched_getaffinity(0)) // max(processes, 1))


# Range workers started at the top of the command are ready about as soon as this process is:
# their spawn and imports overlap this process's own imports, instance and planning, and so does
# their warm-up (_warm_up_range_runs). Since main() starts them before it imports Dagster, both
# processes start their range runs within ~0.1 s of each other (ANT's whole span, 2 workers), and
# both extract at the same pace: the worker needs no head start. At 1,400 units (the split's
# measure before days were found cheaper, see DAY_COST), this process's piece of 2018's dense
# part held ~1,550 articles more and took 1.1-1.5 s longer than the worker's (6 runs, 2026-11-29);
# at 0, with days at 1.3 units, 0.1-0.7 s (3 runs), and over the whole span 0.1-0.3 s against
# 0.2 s before (3 runs each, alternating; scratch). On 2026-11-30 the worker's first run began
# 0.0-1.3 s after this process's (5 whole-span backfills, mean 0.6 s; both machines and code
# slower to start than the day before), so it starts ~300 units (about 0.5 s) behind.
PRESTARTED_SPAWN_COST = 300
_WORKER: tuple | None = None  # (definitions, instance) of a range worker process


def _start_range_workers(n: int):
    """n spawned processes for range runs. Spawn, not fork: this process runs Dagster's threads,
    and a forked copy of a threaded process can deadlock on a lock some thread held at the fork."""
    import multiprocessing as mp
    import signal
    import threading

    # Started from a shell or CI step that ignores SIGTERM, a worker inherits that (exec keeps an
    # ignored signal), and its initializer only restores the default after its imports: a
    # terminate() before then (the work turned out too small) was ignored and Pool.terminate()
    # waited forever (seen: a test run hung in _refresh_entities). So spawn them with the default.
    on_main = threading.current_thread() is threading.main_thread()  # only the main thread may set it
    previous = signal.signal(signal.SIGTERM, signal.SIG_DFL) if on_main else None
    try:
        return mp.get_context("spawn").Pool(n, initializer=_range_worker_init, initargs=(n + 1,))
    finally:
        if on_main:
            signal.signal(signal.SIGTERM, previous)


def _range_worker_init(processes: int = 2) -> None:
    """`processes`: range processes running side by side, this one among them."""
    # One range per process: extraction inside the run stays on this process's core, and its
    # DuckDB queries on its share of the cores.
    os.environ["NEWS_WORKERS"] = "1"
    from news_assets.warehouse.db import set_duckdb_threads

    set_duckdb_threads(_core_share(processes))
    # Started from a shell or CI step that ignores SIGTERM, a worker would inherit that, and when
    # the parent gives up (another range failed, its stderr reader went away) Pool.terminate()
    # would wait forever for workers that never end. Seen: a build orphaned by a killed benchmark
    # waited 27 minutes. The parent is the one that decides when a worker stops.
    import signal

    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    import warnings

    import dagster as dg

    warnings.filterwarnings("ignore", category=dg.BetaWarning)
    warnings.filterwarnings("ignore", category=dg.PreviewWarning)
    # Ready before the first range arrives: definitions and the instance's connections.
    from news_assets.definitions import build_definitions

    global _WORKER
    _WORKER = (build_definitions(), _instance())
    _warm_up_range_runs(_WORKER[0])
    _freeze_heap()
    import atexit

    atexit.register(_exit_without_teardown)


def _freeze_heap() -> None:
    """Set aside everything imported and built so far (modules, Dagster's definitions, the
    instance: ~135,000 objects) from Python's cyclic garbage collector, which otherwise walks them
    all at every full collection: the work ahead allocates millions of short-lived objects, and
    full collections come with them. Listing ANT x8's 252,830 files inside the ingest run took
    1.9-2.0 s, 1.3-1.5 s with this (scratch, 2026-11-28). They are long-lived anyway: nothing is lost
    but the chance to free a cycle among them. The youngest generation is collected every 20,000
    allocations instead of 700 (the pipeline's objects are tuples and lists of rows that live for a
    batch, not cycles): a build of ANT from empty took 40.0-44.6 s (4 runs) against 44.4-51.4 s
    with the freeze alone, alternating (2026-11-28)."""
    import gc

    gc.collect()
    gc.freeze()
    gc.set_threshold(20_000, 20, 20)


def _exit_without_teardown(code: int = 0) -> None:
    """Exit now, without the interpreter's teardown (the rest of atexit, freeing every module).

    That teardown took ~0.55 s in a range worker (from Pool.close() to the exit of an idle worker)
    and ~1 s in the command's own process (see entry); this exit takes ~0.02 s. Nothing is lost: a
    range run has committed its writes before it returns, and the pool does not read a worker's
    exit status. The Dagster instances are closed and output still buffered is written first."""
    import logging

    for instance in _INSTANCES:
        instance.dispose()  # each SQLite file checkpointed and closed, as at an ordinary exit
    mp_util = sys.modules.get("multiprocessing.util")
    if mp_util is not None:
        # What multiprocessing's own exit does first: a spawned pool's semaphores are unlinked
        # (else the resource tracker prints "6 leaked semaphore objects" after a 2-worker backfill).
        mp_util._run_finalizers(0)
    logging.shutdown()
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except (OSError, ValueError):  # a reader that went away (`| head`), a stream already closed
            code = code or 1
    os._exit(code)


def _warm_up_range_runs(defs) -> None:
    """What a process's first range run would otherwise do on the clock (~0.5 s measured: a
    worker's first run of 4 days took 1.0 s, the same run again 0.4 s): build the job and import
    what Polars hands data to DuckDB through."""
    defs.resolve_job_def("entities_job").get_job_snapshot()
    import numpy  # noqa: F401
    import pyarrow  # noqa: F401
    import pyarrow.ipc  # noqa: F401


def _range_run(item, defs=None, instance=None) -> str | None:
    """Materialize partitioned assets (`assets`) for one day range; an error message, or None.
    `item`: (label, first day, last day, assets, the days to recount as encode_days wrote them,
    or None for every day)."""
    from dagster import AssetKey

    from news_assets.defs.partitions import RECOUNT_DAYS_TAG
    from news_assets.defs.sensors import range_tags

    label, first, last, assets, recount = item
    if defs is None:  # in a worker process: its own definitions and instance connections
        defs, instance = _WORKER
    tags = range_tags(first, last)
    if recount is not None:
        tags[RECOUNT_DAYS_TAG] = recount
    try:
        _run(defs.resolve_job_def("entities_job"), instance, label,
             tags=tags, asset_selection=[AssetKey(k) for k in assets])
    except SystemExit as exc:
        return str(exc)
    return None


def _publish(settings) -> None:
    from news_assets.warehouse import Warehouse

    started = time.monotonic()
    warehouse = Warehouse(settings.duckdb_path)
    path = warehouse.publish()
    if warehouse.copied:
        size = path.stat().st_size
        how = "copied" if warehouse.written >= size else f"{warehouse.written / 1e6:,.0f} of {size / 1e6:,.0f} MB rewritten"
        print(f"published {path} for readers in {time.monotonic() - started:.1f} s ({how})", file=sys.stderr)
    else:
        print(f"{path} for readers: already up to date (nothing changed since it was published)", file=sys.stderr)


def _extractor_choice(settings, quiet: bool = False):
    from news_assets.extraction import ExtractorUnavailable, get_extractor, resolve_extractor

    choice = resolve_extractor(settings.extractor, settings.ner_gold, settings.model_dir, settings.camel_model_dir)
    if quiet:
        return choice
    if choice.note:
        print(f"news-assets: {choice.note}", file=sys.stderr)
    if choice.effective == "camel":  # fail before any run if its stack or model is missing
        try:
            get_extractor(choice.effective, str(choice.model_path) if choice.model_path else None)
        except ExtractorUnavailable as exc:
            raise SettingsError(str(exc)) from exc
    return choice


def cmd_build(args: argparse.Namespace) -> int:
    from news_assets.definitions import build_definitions
    from news_assets.warehouse import Warehouse, plan_refresh

    settings = load_settings()
    choice = _extractor_choice(settings)
    print(f"corpus:    {settings.corpus_dir}\nwarehouse: {settings.duckdb_path}\nextractor: {choice.version}",
          file=sys.stderr)
    # The files the publish at the end compares are read into the page cache meanwhile.
    Warehouse(settings.duckdb_path).read_ahead_for_publish()
    defs = build_definitions(settings)
    instance = _instance()
    _freeze_heap()
    _run(defs.resolve_job_def("ingest_job"), instance, "ingest+parse")
    plan = plan_refresh(Warehouse(settings.duckdb_path), choice.version)
    if plan.empty:
        print("entities+counts: nothing to refresh (no article changed)", file=sys.stderr)
    else:
        print(f"entities+counts: {plan.articles_to_extract} articles to extract, {plan.stale_days} days in "
              f"{len(plan.ranges)} range run(s){', plus undated articles' if plan.undated else ''}", file=sys.stderr)
        _refresh_entities(defs, instance, plan.ranges, "entities+counts", plan.day_articles,
                          extractor=choice.effective, counts_only=plan.counts_only,
                          stale_days=frozenset(plan.day_articles))
    _publish(settings)
    return cmd_status(args)


def cmd_backfill(args: argparse.Namespace) -> int:
    from news_assets.parallel import worker_count

    pool = getattr(args, "pool", None)  # started by main() before its own imports
    try:
        settings = load_settings()
        if args.end < args.start:
            raise SystemExit("news-assets backfill: --end is before --start")
        if pool is None and worker_count() > 1:
            pool = _start_range_workers(worker_count() - 1)
        return _backfill(args, settings, pool)
    except BaseException:
        if pool is not None:
            pool.terminate()
            pool.join()
        raise


def _backfill(args: argparse.Namespace, settings, pool) -> int:
    from news_assets.definitions import build_definitions
    from news_assets.warehouse import Warehouse, run_sql

    Warehouse(settings.duckdb_path).read_ahead_for_publish()  # for the publish at the end (see cmd_build)
    defs = build_definitions(settings)
    if args.force:
        # Forget the extraction bookkeeping of the range so every article is extracted again.
        with Warehouse(settings.duckdb_path).transaction() as con:
            run_sql(con, "state/forget_extractions", start=args.start, end=args.end)
    with Warehouse(settings.duckdb_path).connect() as con:
        day_articles = dict(run_sql(con, "state/articles_per_day", start=args.start, end=args.end).fetchall())
    instance = _instance()
    _freeze_heap()
    _refresh_entities(defs, instance, [(args.start, args.end)], "backfill", day_articles, pool,
                      extractor=_extractor_choice(settings, quiet=True).effective)
    _publish(settings)
    return cmd_status(args)


def cmd_status(args: argparse.Namespace) -> int:
    from news_assets.warehouse import Warehouse, run_sql

    settings = load_settings()
    with Warehouse(settings.duckdb_path).connect() as con:
        for table, rows in run_sql(con, "state/table_counts").fetchall():
            print(f"{table:22} {rows:>10,}")
    return 0


def cmd_top(args: argparse.Namespace) -> int:
    from news_assets.warehouse import Warehouse, run_sql

    settings = load_settings()
    with Warehouse(settings.duckdb_path).connect() as con:
        rows = run_sql(con, "state/top_entities", limit=args.limit).fetchall()
    if not rows:
        print("no entities yet: run `news-assets build` first")
        return 0
    print(f"{'mentions':>8} {'articles':>8}  type  name")
    for name, etype, mentions, n_articles in rows:
        print(f"{mentions:>8} {n_articles:>8}  {etype:<4}  {name}")
    return 0


def cmd_ner_eval(args: argparse.Namespace) -> int:
    from news_assets.ner.cli_eval import run_ner_eval

    return run_ner_eval(args.rest)


def _date(value: str) -> dt.date:
    try:
        return dt.date.fromisoformat(value)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(f"{value!r} is not a date: use YYYY-MM-DD") from exc


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="news-assets",
        description="Build and inspect the news_assets DuckDB warehouse of Arabic news articles and entities. "
        "Settings come from NEWS_CORPUS_DIR, NEWS_DUCKDB_PATH, NEWS_EXTRACTOR, NEWS_PARTITIONS_START, "
        "NEWS_MAX_FILE_BYTES; runs are recorded in $DAGSTER_HOME (default data/dagster_home).",
    )
    sub = p.add_subparsers(dest="command", required=True)
    b = sub.add_parser("build", help="ingest, parse, extract and count everything new under $NEWS_CORPUS_DIR (incremental)")
    b.set_defaults(func=cmd_build)
    f = sub.add_parser("backfill", help="re-materialize entities and counts for a range of publication days (split over $NEWS_WORKERS processes, no start-up per partition)")
    f.add_argument("--start", type=_date, required=True, help="first publication day, YYYY-MM-DD")
    f.add_argument("--end", type=_date, required=True, help="last publication day (inclusive), YYYY-MM-DD")
    f.add_argument("--force", action="store_true", help="re-extract every article of the range, not only changed ones")
    f.set_defaults(func=cmd_backfill)
    s = sub.add_parser("status", help="row counts of every warehouse table")
    s.set_defaults(func=cmd_status)
    t = sub.add_parser("top", help="the most mentioned entities")
    t.add_argument("--limit", type=int, default=15, help="how many (default 15)")
    t.set_defaults(func=cmd_top)
    sub.add_parser("query", add_help=False,
                   help="run an analyst query from sql/queries/ against the published warehouse; "
                   "`news-assets query` lists them")
    e = sub.add_parser(
        "ner-eval", add_help=False,
        help="score an extractor on a CoNLL gold file (precision/recall/F1 per type, tokens/s) as JSON; "
        "`news-assets ner-eval --help` for options")
    e.set_defaults(func=cmd_ner_eval)
    return p


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else list(argv)
    if argv[:1] == ["query"]:
        from news_assets.queries import cli_query

        return cli_query(argv[1:])
    if argv[:1] == ["ner-eval"]:
        # ner-eval owns its options (--gold, --train, --extractor, …): hand them over untouched.
        return cmd_ner_eval(argparse.Namespace(rest=argv[1:]))
    args = parser().parse_args(argv)
    if args.func is cmd_backfill and args.end >= args.start:
        from news_assets.parallel import worker_count

        # A backfill is usually big: its range workers start first, so that their imports overlap
        # all of this process's own (Dagster's took ~1.3 s before the workers were started).
        args.pool = _start_range_workers(worker_count() - 1) if worker_count() > 1 else None
    if args.func is cmd_build:
        from news_assets.corpus import start_listing_ahead

        # The corpus is listed by a child process while this one imports Dagster and builds its
        # definitions (~1.6 s): the ingest run then reads the listing instead of making it.
        try:
            start_listing_ahead(load_settings().corpus_dir)
        except SettingsError:
            pass  # cmd_build reports it
    import warnings

    import dagster as dg

    os.environ.setdefault("NEWS_PROGRESS", "1")  # progress lines on stderr for long work
    # backfill_policy is marked beta in Dagster 1.13; the warning says nothing a user can act on.
    warnings.filterwarnings("ignore", category=dg.BetaWarning)
    warnings.filterwarnings("ignore", category=dg.PreviewWarning)
    try:
        return args.func(args)
    except SettingsError as exc:
        print(f"news-assets: {exc}", file=sys.stderr)
        return 2
    finally:
        if args.func is cmd_build:
            from news_assets.corpus import discard_listings_ahead

            discard_listings_ahead()  # one the build did not get to use


def entry() -> None:
    """The `news-assets` command: main(), then an exit that skips the interpreter's teardown.

    Freeing every module of a process that has imported Dagster, DuckDB, Polars and matplotlib
    took 0.92-1.05 s after a one-day backfill had printed its last line, on every command. Nothing
    in it is needed: the warehouse's connections are closed and its writes committed by then, and
    the Dagster instances are closed on the way out. An error still exits the ordinary way, with
    its traceback or message."""
    _exit_without_teardown(main() or 0)


if __name__ == "__main__":
    entry()
