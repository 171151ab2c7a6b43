"""Progress lines on stderr for long work, when a person is watching (the CLI turns them on).

Dagster's own logs stay in the run; these are short lines with counts and rates, so a build over
thousands of files shows it is moving. No Dagster import.
"""
from __future__ import annotations

import os
import sys
import time

ENV = "NEWS_PROGRESS"


class Progress:
    def __init__(self, label: str, total: int | None, every_seconds: float = 2.0):
        """`total`: how many items the work has; None when that is not known ahead (a listing read
        as it goes): lines then give the count so far."""
        self.label, self.total, self.every = label, total, every_seconds
        self.started = self.last = time.monotonic()
        self.enabled = os.environ.get(ENV) == "1" and (total is None or total > 0)

    def update(self, done: int, extra: str = "", force: bool = False) -> None:
        now = time.monotonic()
        if not self.enabled or (not force and now - self.last < self.every and (self.total is None or done < self.total)):
            return
        self.last = now
        rate = done / max(now - self.started, 1e-9)
        tail = f", {extra}" if extra else ""
        count = f"{done:,}" if self.total is None else f"{done:,}/{self.total:,}"
        print(f"  {self.label}: {count} ({rate:,.0f}/s){tail}", file=sys.stderr, flush=True)
