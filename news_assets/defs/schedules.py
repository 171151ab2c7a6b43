"""Schedules: a daily refresh of the whole DAG."""
from __future__ import annotations

import dagster as dg

from news_assets.defs.jobs import ingest_job

# 03:00 UTC: ingest and parse whatever arrived; articles_to_entities_sensor then refreshes the
# publication days that changed, so one schedule keeps the whole DAG current.
daily_refresh_schedule = dg.ScheduleDefinition(
    name="daily_refresh_schedule",
    job=ingest_job,
    cron_schedule="0 3 * * *",
    execution_timezone="UTC",
    default_status=dg.DefaultScheduleStatus.RUNNING,
    description="Every day at 03:00 UTC: ingest and parse; downstream days follow via articles_to_entities_sensor.",
)
