"""The code location the UI loads: stage groups, checks, schedule, sensors, and the sensors' decisions."""
from __future__ import annotations

import dagster as dg

from news_assets.definitions import build_definitions
from tests.conftest import Env


def test_code_location_has_four_stage_groups_checks_schedule_and_sensors(env: Env):
    defs = build_definitions()
    graph = defs.resolve_asset_graph()
    groups = {key.to_user_string(): graph.get(key).group_name for key in graph.get_all_asset_keys()}
    assert groups == {
        "raw_documents": "ingest", "articles": "parse", "article_duplicates": "parse", "entity_mentions": "entities",
        "undated_entity_mentions": "entities", "entities": "entities",
        "mention_counts_daily": "counts", "entity_cooccurrence": "counts", "ner_model": "models",
        "entity_charts": "counts",
    }
    for key in graph.get_all_asset_keys():
        node = graph.get(key)
        assert node.code_version, key
        assert node.description, key
    checks = {k.name for k in graph.asset_check_keys}
    assert {"articles_title_and_body_present", "mention_offsets_match_surface",
            "mention_counts_reconcile", "articles_id_unique", "mention_id_unique"} <= checks
    assert defs.resolve_schedule_def("daily_refresh_schedule").cron_schedule == "0 3 * * *"
    assert defs.resolve_sensor_def("new_corpus_files_sensor")
    assert defs.resolve_sensor_def("articles_to_entities_sensor")
    assert graph.get(dg.AssetKey("entity_mentions")).backfill_policy == dg.BackfillPolicy.single_run()


def test_new_files_sensor_fires_once_per_change(env: Env):
    defs = build_definitions()
    sensor = defs.resolve_sensor_def("new_corpus_files_sensor")
    resources = {"corpus": defs.resources["corpus"]}
    first = sensor(dg.build_sensor_context(cursor=None, resources=resources))
    assert isinstance(first, dg.RunRequest)
    cursor = first.run_key
    again = sensor(dg.build_sensor_context(cursor=cursor, resources=resources))
    assert isinstance(again, dg.SkipReason)
    (env.corpus / "new.txt").write_text("عنوان\nنص جديد.\n", encoding="utf-8")
    changed = sensor(dg.build_sensor_context(cursor=cursor, resources=resources))
    assert isinstance(changed, dg.RunRequest) and changed.run_key != cursor


def test_articles_sensor_requests_exactly_the_changed_day_range(env: Env):
    env.cli("build")
    (env.corpus / "901_added.txt").write_text(
        "خبر إضافي للاختبار\nتاريخ النشر: 2025-03-13\nالتقى وزير الخارجية المصري نظيره الأردني في عمّان.\n",
        encoding="utf-8")
    defs = build_definitions()
    defs.resolve_job_def("ingest_job").execute_in_process(instance=dg.DagsterInstance.get())
    sensor = defs.resolve_sensor_def("articles_to_entities_sensor")
    instance = dg.DagsterInstance.get()
    event = instance.get_latest_materialization_event(dg.AssetKey("articles"))
    context = dg.build_sensor_context(instance=instance, resources={
        "warehouse": defs.resources["warehouse"], "extractor": defs.resources["extractor"]})
    request = sensor.evaluate_tick(context).run_requests
    assert event is not None and len(request) == 1
    assert request[0].tags["dagster/asset_partition_range_start"] == "2025-03-13"
    assert request[0].tags["dagster/asset_partition_range_end"] == "2025-03-13"
