"""Sensors: new files under the corpus root, and articles that changed."""

import dagster as dg

from news_assets.corpus import corpus_signature
from news_assets.defs.jobs import entities_job, ingest_job
from news_assets.defs.resources import CorpusResource, ExtractorResource, WarehouseResource
from news_assets.warehouse import plan_refresh

RANGE_START_TAG = "dagster/asset_partition_range_start"
RANGE_END_TAG = "dagster/asset_partition_range_end"
COUNTS_ONLY_SELECTION = ("mention_counts_daily", "entity_cooccurrence", "entity_charts")


def range_tags(first_day, last_day) -> dict[str, str]:
    """Run tags that make one run cover a range of daily partitions (BackfillPolicy.single_run)."""
    return {RANGE_START_TAG: first_day.isoformat(), RANGE_END_TAG: last_day.isoformat()}


@dg.sensor(job=ingest_job, minimum_interval_seconds=60, default_status=dg.DefaultSensorStatus.RUNNING)
def new_corpus_files_sensor(context: dg.SensorEvaluationContext, corpus: CorpusResource):
    """Launch ingest+parse when the listing of the corpus root (paths, sizes, mtimes) changes."""
    signature = corpus_signature(corpus.path)
    if signature == context.cursor:
        return dg.SkipReason("no new or changed files under the corpus root")
    context.update_cursor(signature)
    return dg.RunRequest(run_key=signature)


@dg.asset_sensor(
    asset_key=dg.AssetKey("articles"), job=entities_job, minimum_interval_seconds=30,
    default_status=dg.DefaultSensorStatus.RUNNING,
)
def articles_to_entities_sensor(
    context: dg.SensorEvaluationContext, asset_event, warehouse: WarehouseResource, extractor: ExtractorResource
):
    """After articles change, refresh entities and counts for exactly the publication days affected."""
    plan = plan_refresh(warehouse.get(), extractor.choice().version)
    if plan.empty:
        return dg.SkipReason("articles materialized but no publication day needs work")
    undated = dg.RunRequest(run_key=f"{asset_event.run_id}:undated", asset_selection=[
        dg.AssetKey("undated_entity_mentions"), dg.AssetKey("entities")])
    if not plan.ranges:
        # Only the undated bucket changed: run the unpartitioned part of the job.
        return undated
    # A range run of the whole job also refreshes the undated bucket and the entities table; days
    # whose mentions stand (plan.counts_only) get their counts and the charts only.
    requests = [
        dg.RunRequest(run_key=f"{asset_event.run_id}:{first}:{last}", tags=range_tags(first, last),
                      asset_selection=[dg.AssetKey(k) for k in COUNTS_ONLY_SELECTION]
                      if plan.counts_only(first, last) else None)
        for first, last in plan.ranges
    ]
    if all(r.asset_selection for r in requests) and (plan.undated or plan.totals_stale):
        requests.append(undated)
    return requests


@dg.run_status_sensor(
    run_status=dg.DagsterRunStatus.SUCCESS, default_status=dg.DefaultSensorStatus.RUNNING,
    minimum_interval_seconds=10,
)
def publish_warehouse_sensor(context: dg.RunStatusSensorContext, warehouse: WarehouseResource):
    """After a successful run, publish the warehouse snapshot analysts read ($NEWS_DUCKDB_PATH)."""
    wh = warehouse.get()
    path = wh.publish()
    done = "published" if wh.copied else "nothing changed since the last publish of"
    context.log.info(f"{done} {path} after run {context.dagster_run.run_id}")
