"""What a refresh has to redo, read from the warehouse (shared by the CLI and the sensors)."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from news_assets.warehouse.db import Warehouse, run_sql


@dataclass(frozen=True)
class RefreshPlan:
    first_day: dt.date | None   # None: no dated partition needs work
    last_day: dt.date | None
    stale_days: int
    undated: bool                # the undated bucket needs work
    articles_to_extract: int

    @property
    def empty(self) -> bool:
        return self.first_day is None and not self.undated


def plan_refresh(wh: Warehouse, extractor_version: str) -> RefreshPlan:
    with wh.connect() as con:
        rows = run_sql(con, "state/stale_days", extractor_version=extractor_version).fetchall()
    days = [day for day, _ in rows if day is not None]
    return RefreshPlan(
        first_day=min(days) if days else None,
        last_day=max(days) if days else None,
        stale_days=len(days),
        undated=any(day is None for day, _ in rows),
        articles_to_extract=int(sum(n for _, n in rows)),
    )
