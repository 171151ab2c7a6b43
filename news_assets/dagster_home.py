"""The project's Dagster home: a folder with a dagster.yaml that the CLI, `make run`, CI, the tests
and the benchmarks all set up the same way.

    python -m news_assets.dagster_home [DIR]     # DIR defaults to $DAGSTER_HOME

The dagster.yaml turns telemetry off and selects `PooledSqliteEventLogStorage`
(news_assets.warehouse.dagster_storage): the same SQLite files as Dagster's default storage,
written through one connection per database instead of one per event. A dagster.yaml a user
wrote is never touched; one this project wrote in an earlier version is brought up to date.
"""
from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path

# What earlier versions of this project wrote: safe to replace, nobody edited it.
_EARLIER_DEFAULTS = ("telemetry:\n  enabled: false\n",)


def dagster_yaml(home: Path) -> str:
    runs = Path(home).resolve() / "history" / "runs"
    return (
        "# Written by news_assets (python -m news_assets.dagster_home); edit freely, it is not rewritten.\n"
        "telemetry:\n"
        "  enabled: false\n"
        "# Dagster's SQLite event log, through one open connection per database (same files on disk).\n"
        "event_log_storage:\n"
        "  module: news_assets.warehouse.dagster_storage\n"
        "  class: PooledSqliteEventLogStorage\n"
        "  config:\n"
        f"    base_dir: {runs}/\n"
    )


def ensure_dagster_home(home: str | os.PathLike[str]) -> Path:
    """Create `home` and its dagster.yaml unless a user's own is already there."""
    home = Path(home)
    home.mkdir(parents=True, exist_ok=True)
    config = home / "dagster.yaml"
    if not config.exists() or config.read_text(encoding="utf-8") in _EARLIER_DEFAULTS:
        # A temporary file of this call's own: a backfill's range worker sets up a new home at the
        # same moment as the command, and with one shared name the second writer's os.replace found
        # the file already moved (FileNotFoundError in 50 of 100 trials of two processes at once).
        fd, tmp = tempfile.mkstemp(dir=home, prefix=".dagster.yaml.", suffix=".tmp")
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as f:
                f.write(dagster_yaml(home))
            os.chmod(tmp, 0o644)  # mkstemp's 0600 would hide the config from other users of a shared home
            os.replace(tmp, config)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
    return home


def main(argv: list[str]) -> int:
    target = argv[0] if argv else os.environ.get("DAGSTER_HOME")
    if not target:
        print("usage: python -m news_assets.dagster_home DIR   (or set DAGSTER_HOME)", file=sys.stderr)
        return 2
    print(ensure_dagster_home(target) / "dagster.yaml")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
