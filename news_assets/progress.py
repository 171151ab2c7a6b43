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
    def __init__(self, label: str, total: int, every_seconds: float = 2.0):
        self.label, self.total, self.every = label, total, every_seconds
        self.started = self.last = time.monotonic()
        self.enabled = os.environ.get(ENV) == "1" and total > 0

    def update(self, done: int, extra: str = "", force: bool = False) -> None:
        now = time.monotonic()
        if not self.enabled or (not force and now - self.last < self.every and done < self.total):
            return
        self.last = now
        rate = done / max(now - self.started, 1e-9)
        tail = f", {extra}" if extra else ""
        print(f"  {self.label}: {done:,}/{self.total:,} ({rate:,.0f}/s){tail}", file=sys.stderr, flush=True)
