"""The whole DAG materialized for real into a temporary DuckDB file, through the CLI and Dagster."""
from __future__ import annotations

import datetime as dt
from pathlib import Path

import dagster as dg
import duckdb
import pytest

from tests.conftest import Env, shared_path

CONTRACT = {
    "raw_documents": ["doc_id", "path", "format", "bytes", "ingested_at"],
    "rejected_documents": ["path", "sha256", "reason", "seen_at"],
    "articles": ["article_id", "doc_id", "parent_article_id", "title", "published_at", "published_date",
                 "source", "url", "keywords", "body"],
    "entities": ["entity_id", "canonical_name", "entity_type", "aliases"],
    "entity_mentions": ["mention_id", "article_id", "entity_id", "entity_type", "surface", "start_char",
                        "end_char", "extractor", "published_date"],
    "mention_counts_daily": ["published_date", "entity_id", "entity_type", "source", "mentions", "articles"],
    "entity_cooccurrence": ["published_date", "entity_a", "entity_b", "articles"],
}


def test_build_sample_corpus_fills_every_table_and_keeps_the_contract(env: Env):
    assert env.cli("build") == 0
    for table, columns in CONTRACT.items():
        present = [r[0] for r in env.sql("SELECT column_name FROM duckdb_columns() WHERE table_name = ?", [table])]
        assert set(columns) <= set(present), table
        assert env.scalar(f"SELECT count(*) FROM {table}") > 0 or table == "rejected_documents", table
    types = dict(env.sql("SELECT column_name, data_type FROM duckdb_columns() WHERE table_name = 'articles'"))
    assert types["published_at"] == "TIMESTAMP" and types["published_date"] == "DATE"
    assert types["keywords"] == "VARCHAR[]"

    # 36 files; five carry a read-also article, which is its own row linked to its parent.
    assert env.scalar("SELECT count(*) FROM raw_documents") == 36
    assert env.scalar("SELECT count(*) FROM articles") == 41
    assert env.scalar("SELECT count(*) FROM articles a JOIN articles p ON a.parent_article_id = p.article_id") == 5
    assert env.scalar("SELECT count(DISTINCT published_date) FROM articles WHERE published_date IS NOT NULL") == 6
    assert env.scalar("SELECT count(DISTINCT source) FROM articles") == 4

    # Offsets slice the body to the surface, for every mention.
    assert env.scalar("""
        SELECT count(*) FROM entity_mentions m JOIN articles a USING (article_id)
        WHERE substr(a.body, m.start_char + 1, m.end_char - m.start_char) <> m.surface""") == 0
    # Counts reconcile with mentions of dated articles; pairs are ordered.
    assert env.scalar("SELECT sum(mentions) FROM mention_counts_daily") == env.scalar(
        "SELECT count(*) FROM entity_mentions WHERE published_date IS NOT NULL")
    assert env.scalar("SELECT count(*) FROM entity_cooccurrence WHERE NOT entity_a < entity_b") == 0
    # Every mention links to an entity, an article and a raw document with path and sha256, and a run.
    assert env.scalar("""
        SELECT count(*) FROM entity_mentions m
        JOIN entities e USING (entity_id)
        JOIN articles a USING (article_id)
        JOIN raw_documents r ON r.doc_id = a.doc_id
        WHERE r.path IS NOT NULL AND r.sha256 = r.doc_id AND m.run_id IS NOT NULL""") == env.scalar(
        "SELECT count(*) FROM entity_mentions")


def test_undated_articles_are_extracted_and_counted_in_totals(env: Env):
    env.cli("build")
    undated = env.sql("SELECT article_id FROM articles WHERE published_date IS NULL AND parent_article_id IS NULL")
    assert len(undated) == 1
    n = env.scalar("SELECT count(*) FROM entity_mentions WHERE article_id = ?", [undated[0][0]])
    assert n > 0
    assert env.scalar("SELECT count(*) FROM entity_mentions WHERE published_date IS NULL") == env.scalar(
        "SELECT sum(undated_mentions) FROM entities")
    assert env.scalar("SELECT sum(mentions) FROM entities") == env.scalar("SELECT count(*) FROM entity_mentions")


def test_second_build_over_unchanged_corpus_changes_no_row(env: Env):
    env.cli("build")
    before = env.snapshot()
    env.cli("build")
    assert env.snapshot() == before


def test_new_file_is_ingested_alone_and_its_day_recounted(env: Env):
    env.cli("build")
    before = dict(env.sql("SELECT path, ingested_at FROM raw_documents"))
    day_before = env.scalar("SELECT count(*) FROM entity_mentions WHERE published_date = DATE '2025-03-12'")
    (env.corpus / "900_test_addition.txt").write_text(
        "مقال اختبار كتب لهذا المشروع\n"
        "تاريخ النشر: 12th, March 2025 GMT\n"
        "زار الرئيس الفرنسي إيمانويل ماكرون القاهرة حيث التقى مسؤولين من مصر والأردن.\n"
        "المصدر: صحيفة الاختبار\n",
        encoding="utf-8",
    )
    env.cli("build")
    after = dict(env.sql("SELECT path, ingested_at FROM raw_documents"))
    assert len(after) == len(before) + 1
    assert all(after[p] == t for p, t in before.items())  # unchanged files were not re-ingested
    assert env.scalar("SELECT count(*) FROM entity_mentions WHERE published_date = DATE '2025-03-12'") > day_before
    assert env.scalar("SELECT sum(mentions) FROM mention_counts_daily WHERE published_date = DATE '2025-03-12'") == \
        env.scalar("SELECT count(*) FROM entity_mentions WHERE published_date = DATE '2025-03-12'")
    assert env.scalar("SELECT count(*) FROM mention_counts_daily WHERE source = 'صحيفة الاختبار'") > 0


def test_changed_file_replaces_its_articles(env: Env):
    env.cli("build")
    target = env.corpus / "001_macron-scholz-paris.txt"
    old_doc = env.scalar("SELECT doc_id FROM raw_documents WHERE path = ?", [str(target)])
    target.write_text("عنوان جديد للاختبار\nتاريخ النشر: 10th, March 2025 GMT\nنص قصير عن تونس.\n", encoding="utf-8")
    env.cli("build")
    assert env.scalar("SELECT count(*) FROM articles WHERE doc_id = ?", [old_doc]) == 0
    assert env.scalar("SELECT count(*) FROM entity_mentions WHERE doc_id = ?", [old_doc]) == 0
    assert env.scalar("SELECT title FROM articles a JOIN raw_documents r USING (doc_id) WHERE r.path = ?",
                      [str(target)]) == "عنوان جديد للاختبار"
    assert env.scalar("SELECT sum(mentions) FROM mention_counts_daily") == env.scalar(
        "SELECT count(*) FROM entity_mentions WHERE published_date IS NOT NULL")


def test_a_file_removed_from_the_corpus_keeps_its_rows(env: Env):
    # The warehouse archives what it ingested: a file that disappears from the corpus (a scraper's
    # rotation, a moved folder) keeps its document, articles, mentions and counts, and a refresh
    # that finds nothing else new changes no row (README, Limits).
    env.cli("build")
    before = env.snapshot()
    gone = env.corpus / "002_egypt-worldbank-infrastructure.txt"
    doc_id = env.scalar("SELECT doc_id FROM raw_documents WHERE path = ?", [str(gone)])
    assert env.scalar("SELECT count(*) FROM entity_mentions WHERE doc_id = ?", [doc_id]) > 0
    gone.unlink()
    assert env.cli("build") == 0
    assert env.snapshot() == before


def test_backfill_of_a_date_range_replaces_rows_and_never_duplicates(env: Env):
    env.cli("build")
    before = env.snapshot()
    assert env.cli("backfill", "--start", "2025-03-10", "--end", "2025-03-15") == 0
    assert env.snapshot() == before
    # Forced: every article of two days is extracted again, rows replaced, none duplicated.
    assert env.cli("backfill", "--start", "2025-03-11", "--end", "2025-03-12", "--force") == 0
    after = env.snapshot()
    for table in ("entity_mentions", "mention_counts_daily", "entity_cooccurrence", "entities"):
        strip = (lambda rows: sorted(r.rsplit(",", 1)[0] for r in rows)) if table == "entity_mentions" else sorted
        assert strip(after[table]) == strip(before[table]), table
    assert env.scalar("SELECT count(*) - count(DISTINCT mention_id) FROM entity_mentions") == 0
    runs = env.sql("SELECT DISTINCT run_id FROM entity_mentions WHERE published_date BETWEEN '2025-03-11' AND '2025-03-12'")
    assert len(runs) == 1  # rewritten by the forced backfill run


def test_a_refresh_recounts_only_the_stale_days_its_range_run_spans(env: Env):
    # New articles on the 10th and the 15th share one range run, which spans the days between
    # them; it recounts the two stale days only (RECOUNT_DAYS_TAG). A backfill of the same days
    # recounts every one of them and finds the refresh's rows on all but a day it did not touch.
    import duckdb

    assert env.cli("build") == 0
    day = dt.date(2025, 3, 12)
    marked_rows = "SELECT count(*) FROM mention_counts_daily WHERE published_date = ? AND articles >= 1000"
    with duckdb.connect(str(env.db) + ".work") as con:
        # A mark no plan sees (it checks the days' mention sums, not their article counts): kept
        # by a recount that leaves the day alone, undone by one that recounts it.
        con.execute("UPDATE mention_counts_daily SET articles = articles + 1000 WHERE published_date = ?", [day])
        marked = con.execute(marked_rows, [day]).fetchone()[0]
    assert marked > 0
    (env.corpus / "970_first.txt").write_text(_article(
        "افتتاح", "10/03/2025", "افتتح وزير الخارجية الأردني في عمّان معرضا للكتاب بحضور سفير مصر."), encoding="utf-8")
    (env.corpus / "971_last.txt").write_text(_article(
        "ختام", "15/03/2025", "اختتمت منظمة الصحة العالمية في جنيف اجتماعا عن الحملة في المغرب وتونس."), encoding="utf-8")
    assert env.cli("build") == 0
    assert env.scalar(marked_rows, [day]) == marked
    new_days = "SELECT DISTINCT published_date FROM articles a JOIN raw_documents r USING (doc_id) WHERE r.path LIKE '%/97_%'"
    assert sorted(d for (d,) in env.sql(new_days)) == [dt.date(2025, 3, 10), dt.date(2025, 3, 15)]
    counts_sql = "SELECT * FROM mention_counts_daily WHERE published_date <> ? ORDER BY ALL"
    counts, pairs = env.sql(counts_sql, [day]), env.sql("SELECT * FROM entity_cooccurrence ORDER BY ALL")
    assert env.scalar("SELECT count(*) FROM mention_counts_daily WHERE source = 'صحيفة الاختبار'") > 0
    assert env.cli("backfill", "--start", "2025-03-10", "--end", "2025-03-15") == 0
    assert env.scalar(marked_rows, [day]) == 0
    assert env.sql(counts_sql, [day]) == counts
    assert env.sql("SELECT * FROM entity_cooccurrence ORDER BY ALL") == pairs


def _spy_whole_days(env: Env) -> list[tuple[str, list[dt.date]]]:
    """(counts table, the days its recount is about to recount whole), at every counts/rebuild_* call."""
    from news_assets.defs.counts import assets

    calls: list[tuple[str, list[dt.date]]] = []
    real = assets.run_sql

    def spy(con, name, **params):  # noqa: ANN001, ANN202
        if name.startswith("counts/rebuild_"):
            days = sorted(d for (d,) in con.execute("SELECT published_date FROM whole_days").fetchall())
            calls.append((name.removeprefix("counts/rebuild_"), days))
        return real(con, name, **params)

    env.monkeypatch.setattr(assets, "run_sql", spy)
    return calls


def _counts(env: Env) -> dict[str, list[tuple]]:
    return {t: env.sql(f"SELECT * FROM {t} ORDER BY ALL") for t in ("mention_counts_daily", "entity_cooccurrence")}


def test_a_refresh_counts_what_changed_by_difference_as_a_whole_recount_would(env: Env):
    # New articles on days already counted, an article that becomes a duplicate (015, when an
    # earlier copy of it arrives), one whose body changes and one that moves to a new day: the new
    # and the moved one are counted by difference, the days of the other two recounted whole, and
    # a backfill that recounts every day whole finds the same rows.
    assert env.cli("build") == 0
    whole = _spy_whole_days(env)
    body_015 = (env.corpus / "015_worldbank-digital-north-africa.txt").read_text(encoding="utf-8").splitlines()[2:7]
    (env.corpus / "980_new.txt").write_text(_article(
        "افتتاح", "10/03/2025", "افتتح وزير الخارجية الأردني في عمّان معرضا للكتاب بحضور سفير مصر."), encoding="utf-8")
    (env.corpus / "981_015_earlier.txt").write_text(_article("نسخة أقدم", "11/03/2025", "\n".join(body_015)),
                                                    encoding="utf-8")
    (env.corpus / "982_new.txt").write_text(_article(
        "ختام", "13/03/2025", "اختتمت منظمة الصحة العالمية في جنيف اجتماعا عن الحملة في المغرب وتونس."), encoding="utf-8")
    (env.corpus / "025_paris-arabic-calligraphy-exhibition.txt").write_text(_article(
        "تغيير", "14/03/2025", "التقى المستشار الألماني أولاف شولتس في برلين رئيس الوزراء الياباني."), encoding="utf-8")
    moved = env.corpus / "029_egypt-weather-mild.txt"
    lines = moved.read_text(encoding="utf-8").splitlines()
    lines[1] = "تاريخ النشر: 20/03/2025"
    moved.write_text("\n".join(lines) + "\n", encoding="utf-8")
    assert env.cli("build") == 0
    assert env.sql("SELECT DISTINCT duplicate_kind FROM article_duplicates d JOIN articles a USING (article_id) "
                   "JOIN raw_documents r USING (doc_id) WHERE r.path LIKE '%/015_%'") == [("exact",)]
    march = lambda day: dt.date(2025, 3, day)  # noqa: E731
    for table in ("mention_counts_daily", "entity_cooccurrence"):
        recounted = sorted({d for t, days in whole if t == table for d in days})
        assert recounted == [march(14), march(20)], table
    refreshed = _counts(env)
    assert env.scalar("SELECT count(*) FROM mention_counts_daily WHERE source = 'صحيفة الاختبار'") > 0
    del whole[:]
    first, last = env.sql("SELECT min(published_date), max(published_date) FROM articles")[0]
    assert env.cli("backfill", "--start", str(first), "--end", str(last)) == 0
    assert whole and all(days for _t, days in whole)  # recounted whole, this time
    assert _counts(env) == refreshed


def test_a_warehouse_from_before_the_count_bookkeeping_gets_it_and_recounts_its_stale_days_whole(env: Env):
    import duckdb

    assert env.cli("build") == 0
    with duckdb.connect(str(env.db) + ".work") as con:
        con.execute("DROP TABLE counted_articles; DROP TABLE paired_articles")
    (env.corpus / "984_new.txt").write_text(_article(
        "افتتاح", "11/03/2025", "افتتح وزير الخارجية الأردني في عمّان معرضا للكتاب بحضور سفير مصر."), encoding="utf-8")
    whole = _spy_whole_days(env)
    assert env.cli("build") == 0
    for table in ("mention_counts_daily", "entity_cooccurrence"):
        assert [days for t, days in whole if t == table] == [[dt.date(2025, 3, 11)]], table
    assert env.scalar("SELECT count(*) FROM counted_articles WHERE published_date = '2025-03-11'") == \
        env.scalar("SELECT count(*) FROM extraction_log WHERE published_date = '2025-03-11'") > 1
    refreshed = _counts(env)
    first, last = env.sql("SELECT min(published_date), max(published_date) FROM articles")[0]
    assert env.cli("backfill", "--start", str(first), "--end", str(last)) == 0
    assert _counts(env) == refreshed


def test_counts_that_do_not_add_up_to_their_bookkeeping_are_recounted_whole(env: Env):
    # Counts of a day whose bookkeeping lacks an article they count (as if a version that kept no
    # counted_articles rows had counted it): a refresh that adds an article to that day would count
    # the first one again by difference; the day does not add up, and is recounted whole.
    import duckdb

    assert env.cli("build") == 0
    day = dt.date(2025, 3, 13)
    before = _counts(env)
    with duckdb.connect(str(env.db) + ".work") as con:
        article = con.execute("SELECT article_id FROM counted_articles WHERE published_date = ? AND mentions > 0 "
                              "ORDER BY article_id LIMIT 1", [day]).fetchone()[0]
        con.execute("DELETE FROM counted_articles WHERE article_id = ?", [article])
        con.execute("DELETE FROM paired_articles WHERE article_id = ?", [article])
    (env.corpus / "983_new.txt").write_text(_article(
        "ختام", "13/03/2025", "اختتمت منظمة الصحة العالمية في جنيف اجتماعا عن الحملة في المغرب وتونس."), encoding="utf-8")
    whole = _spy_whole_days(env)
    assert env.cli("build") == 0
    for table in ("mention_counts_daily", "entity_cooccurrence"):
        assert [days for t, days in whole if t == table] == [[day]], table  # not by difference alone
    refreshed = _counts(env)
    assert refreshed != before
    assert env.cli("backfill", "--start", str(day), "--end", str(day)) == 0
    assert _counts(env) == refreshed


def test_a_refresh_checks_the_mentions_of_its_stale_days_and_a_backfill_every_day(env: Env):
    # A mention written twice on the 12th, a day a refresh's range run spans (new articles on the
    # 10th and the 15th) without touching it: the refresh checks the days it changed and passes; a
    # backfill of the range checks every day and its blocking check fails on the 12th. Written on
    # the 10th instead, the refresh's own check fails.
    import duckdb

    assert env.cli("build") == 0

    def write_twice(day: dt.date) -> None:
        with duckdb.connect(str(env.db) + ".work") as con:
            con.execute("INSERT INTO entity_mentions SELECT * FROM entity_mentions WHERE mention_id = "
                        "(SELECT min(mention_id) FROM entity_mentions WHERE published_date = ?)", [day])

    write_twice(dt.date(2025, 3, 12))
    (env.corpus / "972_first.txt").write_text(_article(
        "افتتاح", "10/03/2025", "افتتح وزير الخارجية الأردني في عمّان معرضا للكتاب بحضور سفير مصر."), encoding="utf-8")
    (env.corpus / "973_last.txt").write_text(_article(
        "ختام", "15/03/2025", "اختتمت منظمة الصحة العالمية في جنيف اجتماعا عن الحملة في المغرب وتونس."), encoding="utf-8")
    assert env.cli("build") == 0
    with pytest.raises(SystemExit, match="entity_mentions"):
        env.cli("backfill", "--start", "2025-03-10", "--end", "2025-03-15")
    with duckdb.connect(str(env.db) + ".work") as con:
        con.execute("DELETE FROM entity_mentions WHERE published_date = '2025-03-12'")  # the day's mentions again, once
        con.execute("DELETE FROM extraction_log WHERE published_date = '2025-03-12'")
    write_twice(dt.date(2025, 3, 10))
    (env.corpus / "974_again.txt").write_text(_article(
        "افتتاح آخر", "10/03/2025", "زار الرئيس الفرنسي إيمانويل ماكرون القاهرة."), encoding="utf-8")
    with pytest.raises(SystemExit, match="entity_mentions"):
        env.cli("build")


def test_counts_and_checks_in_small_pieces_equal_the_whole_range_at_once(env: Env):
    from news_assets.defs.counts import assets as counts
    from news_assets.defs.entities import assets as entities

    env.cli("build")
    before = env.snapshot()
    first, last = env.sql("SELECT min(published_date), max(published_date) FROM articles")[0]
    assert (last - first).days > 1  # the range spans several chunks below
    with duckdb.connect(str(env.db) + ".work") as con:  # the pipeline's own file: counts gone
        con.execute("DELETE FROM mention_counts_daily; DELETE FROM entity_cooccurrence")
    env.monkeypatch.setattr(counts, "RECOUNT_MENTIONS", 1)  # a piece per day with mentions
    env.monkeypatch.setattr(entities, "CHECK_MENTIONS", 1)
    assert env.cli("backfill", "--start", str(first), "--end", str(last)) == 0
    after = env.snapshot()
    for table in ("mention_counts_daily", "entity_cooccurrence"):
        assert after[table] == before[table], table
    # the run's figures are summed over the pieces: they cover the whole range
    instance = dg.DagsterInstance.get()
    for table in ("entity_mentions", "mention_counts_daily", "entity_cooccurrence"):
        md = instance.get_latest_materialization_event(dg.AssetKey(table)).asset_materialization.metadata
        assert md["range_row_count"].value == env.scalar(
            f"SELECT count(*) FROM {table} WHERE published_date IS NOT NULL"), table
        assert md["range"].value == f"{first} … {last}", table
        assert "preview" in md, table


def test_a_range_run_reports_no_partition_a_row_count_but_its_own(env: Env):
    """A range run's result metadata lands on every partition of the range: each day carried the
    range's row count as its own. Only the last day, the asset's latest materialization, has one."""
    env.cli("build")
    first, last = env.sql("SELECT min(published_date), max(published_date) FROM articles")[0]
    last += dt.timedelta(days=2)  # and two days without articles
    assert env.cli("backfill", "--start", str(first), "--end", str(last), "--force") == 0
    instance = dg.DagsterInstance.get()
    days = {str(first + dt.timedelta(days=i)) for i in range((last - first).days + 1)}
    for table in ("entity_mentions", "mention_counts_daily", "entity_cooccurrence"):
        per_day = {str(d): n for d, n in env.sql(
            f"SELECT published_date, count(*) FROM {table} WHERE published_date IS NOT NULL GROUP BY ALL")}
        latest = {}
        for record in instance.fetch_materializations(dg.AssetKey(table), limit=10_000).records:
            latest.setdefault(record.partition_key, record.asset_materialization.metadata)  # newest first
        assert set(latest) >= days, table
        reported = {d: latest[d]["dagster/row_count"].value for d in days if "dagster/row_count" in latest[d]}
        assert reported == {str(last): per_day.get(str(last), 0)}, table
        md = latest[str(last)]
        assert md["range_row_count"].value == sum(per_day.values()) > 0, table
        assert md["range"].value == f"{first} … {last}" and "preview" in md, table


def test_bad_files_are_quarantined_with_a_reason(env: Env):
    import os
    import random

    (env.corpus / "binary.txt").write_bytes(random.Random(7).randbytes(4000))
    (env.corpus / "empty.txt").write_bytes(b"   \n")
    (env.corpus / "notes.pdf").write_bytes(b"%PDF-1.4")
    (env.corpus / "outside.txt").symlink_to("/etc/hostname")
    (env.corpus / "locked.txt").write_text("خبر", encoding="utf-8")
    real_access = os.access  # tests may run as root, who reads anything: deny this one file
    env.monkeypatch.setattr(os, "access", lambda path, mode: not str(path).endswith("locked.txt") and real_access(path, mode))
    env.cli("build")
    reasons = dict((p.rsplit("/", 1)[1], r) for p, r in env.sql(
        "SELECT path, reason FROM rejected_documents WHERE stage = 'ingest'"))
    assert set(reasons) == {"binary.txt", "empty.txt", "notes.pdf", "outside.txt", "locked.txt"}
    assert "outside the corpus root" in reasons["outside.txt"]
    assert "unsupported file type" in reasons["notes.pdf"]
    assert reasons["locked.txt"] == "file is not readable (permission denied)"
    files_seen = sum(1 for p in env.corpus.iterdir())
    assert env.scalar("SELECT count(*) FROM raw_documents") + len(reasons) == files_seen
    assert env.scalar("SELECT count(*) FROM articles") == 41


def test_seed_builds_to_two_articles_with_its_entities(env: Env):
    env.use_corpus(shared_path("seeds"))
    assert env.cli("build") == 0
    rows = env.sql("SELECT title, published_date, parent_article_id IS NOT NULL FROM articles ORDER BY article_index")
    assert len(rows) == 2
    assert rows[0][1] == dt.date(2024, 1, 30) and rows[1][1] is None and rows[1][2]
    names = {n for (n,) in env.sql("SELECT canonical_name FROM entities")}
    assert {"أوكرانيا", "بلجيكا"} <= names
    assert any(n.endswith("ماكرون") for n in names)
    macron = env.sql("SELECT DISTINCT entity_id FROM entity_mentions WHERE surface LIKE '%ماكرون'")
    assert len(macron) == 1


PARTITIONED = {"entity_mentions", "mention_counts_daily"}


def test_materializations_report_row_count_schema_and_preview(env: Env):
    from news_assets.definitions import build_definitions

    env.cli("build")
    instance = dg.DagsterInstance.get()
    defs = build_definitions()
    for key in ("raw_documents", "articles", "entities", "entity_mentions", "mention_counts_daily"):
        event = instance.get_latest_materialization_event(dg.AssetKey(key))
        assert event is not None, key
        md = event.asset_materialization.metadata
        assert "dagster/row_count" in md and md["dagster/row_count"].value > 0, key
        assert "preview" in md, key
        # Partitioned assets carry the schema and lineage on the definition: a range run would
        # repeat them on every partition's event. The others carry the live table's on each run.
        defined = defs.get_assets_def(dg.AssetKey(key)).specs_by_key[dg.AssetKey(key)].metadata
        where = defined if key in PARTITIONED else md
        schema = where["dagster/column_schema"]
        columns = [c.name for c in getattr(schema, "schema", schema).columns]  # event values wrap it
        assert columns == [n for (n,) in env.sql(
            "SELECT column_name FROM duckdb_columns() WHERE table_name = ? ORDER BY column_index", [key])], key
        if key != "raw_documents":
            assert "dagster/column_lineage" in where, key
        if key in PARTITIONED:
            assert "dagster/column_schema" not in md and "dagster/column_schema" in defined, key
    checks = instance.event_log_storage.get_latest_asset_check_execution_by_key(
        [dg.AssetCheckKey(dg.AssetKey("entity_mentions"), "mention_offsets_match_surface")])
    assert checks, "the offsets check ran"


def test_readers_of_the_published_file_never_block_or_see_a_partial_build(env: Env):
    import duckdb

    env.cli("build")
    reader = duckdb.connect(str(env.db), read_only=True)  # held open across the next build
    before = reader.execute("SELECT count(*), sum(mentions) FROM mention_counts_daily").fetchone()
    (env.corpus / "902_more.txt").write_text(
        "خبر آخر للاختبار\nتاريخ النشر: 2025-03-14\nزار وزير الخارجية المصري باريس والتقى ماكرون.\n",
        encoding="utf-8")
    assert env.cli("build") == 0  # would wait and fail if the reader's open file blocked the writer
    assert reader.execute("SELECT count(*), sum(mentions) FROM mention_counts_daily").fetchone() == before
    reader.close()
    after = env.scalar("SELECT sum(mentions) FROM mention_counts_daily")
    assert after > before[1]
    assert after == env.scalar("SELECT count(*) FROM entity_mentions WHERE published_date IS NOT NULL")


def test_duplicates_are_clustered_and_counts_come_with_and_without_them(env: Env):
    env.cli("build")
    rows = env.sql("""
        SELECT list_sort(list(regexp_extract(r.path, '/(\d{3})_', 1))), list_sort(list(d.duplicate_kind))
        FROM article_duplicates d JOIN articles a USING (article_id) JOIN raw_documents r USING (doc_id)
        GROUP BY d.cluster_id HAVING count(*) > 1""")
    # The sample corpus republishes one wire story (015, 016) the same day with small edits; both
    # are dated midnight, so which one is canonical is the article_id tie-break.
    assert rows == [(["015", "016"], ["canonical", "near"])]
    assert env.scalar("SELECT count(*) FROM article_duplicates") == env.scalar("SELECT count(*) FROM articles")
    day = "2025-03-12"
    all_, unique = env.sql("SELECT sum(mentions), sum(mentions_unique) FROM mention_counts_daily "
                           "WHERE published_date = ?", [day])[0]
    dup_mentions = env.scalar("""
        SELECT count(*) FROM entity_mentions m JOIN article_duplicates d USING (article_id)
        WHERE d.duplicate_kind <> 'canonical' AND m.published_date = ?""", [day])
    assert dup_mentions > 0 and unique == all_ - dup_mentions


def test_a_warehouse_fingerprinted_before_band_keys_gets_them_and_clusters_the_same(env: Env):
    import duckdb

    env.cli("build")
    clusters = env.sql("SELECT * FROM article_duplicates ORDER BY article_id")
    with duckdb.connect(str(env.db) + ".work") as con:  # as an older version left it
        con.execute("ALTER TABLE article_fingerprints DROP COLUMN band_keys")
        con.execute("DELETE FROM pipeline_state WHERE key = 'duplicates_fingerprint'")  # cluster again
    assert env.cli("build") == 0
    with duckdb.connect(str(env.db) + ".work", read_only=True) as con:
        assert con.execute("SELECT count(*) FILTER (WHERE minhash IS NOT NULL), count(*) FILTER "
                           "(WHERE len(band_keys) = 20) FROM article_fingerprints").fetchone() == (41, 41)
    assert env.sql("SELECT * FROM article_duplicates ORDER BY article_id") == clusters
    assert [k for k, in env.sql("SELECT duplicate_kind FROM article_duplicates")].count("near") == 1


def test_fingerprints_of_other_package_versions_are_made_again(env: Env):
    from news_assets.defs.parse import duplicates

    env.cli("build")
    clusters = env.sql("SELECT * FROM article_duplicates ORDER BY article_id")
    fingerprinted = []
    real = duplicates.fingerprint_texts
    env.monkeypatch.setattr(duplicates, "fingerprint_texts", lambda texts: fingerprinted.extend(texts) or real(texts))
    # As after an upgrade of Polars or DuckDB, whose hashes the stored fingerprints come from.
    env.monkeypatch.setattr(duplicates, "FINGERPRINT_VERSIONS", "1:polars-0.0:duckdb-0.0")
    assert env.cli("build") == 0
    assert len(fingerprinted) == 41  # every body again, not only new ones
    assert env.sql("SELECT * FROM article_duplicates ORDER BY article_id") == clusters
    fingerprinted.clear()
    (env.corpus / "zz_new.txt").write_text(
        (env.corpus / sorted(p.name for p in env.corpus.iterdir())[0]).read_text(encoding="utf-8") + "\nتحديث\n",
        encoding="utf-8")
    assert env.cli("build") == 0
    new_articles = env.scalar("SELECT count(*) FROM articles JOIN raw_documents USING (doc_id) "
                              "WHERE path LIKE '%zz_new.txt'")
    assert 1 <= len(fingerprinted) == new_articles  # the same versions: only the new file's articles


def test_bodies_normalised_on_workers_a_batch_ahead_give_the_fingerprints_and_clusters_of_one_process(env: Env):
    from news_assets.defs.parse import duplicates
    from news_assets.text.duplicates import fingerprint_bodies

    env.monkeypatch.setenv("NEWS_WORKERS", "1")
    assert env.cli("build") == 0
    clusters = env.sql("SELECT * FROM article_duplicates ORDER BY article_id")
    with duckdb.connect(str(env.db) + ".work") as con:  # fingerprint and cluster everything again
        con.execute("DELETE FROM article_fingerprints; DELETE FROM fingerprint_bands; "
                    "DELETE FROM duplicate_similarities; DELETE FROM pipeline_state WHERE key = 'duplicates_fingerprint'")
    # Batches of 7 bodies, 2 a task on two forked workers: six batches, each read while the
    # workers normalise the one before, and the candidate pairs' bodies normalised there too.
    env.monkeypatch.setenv("NEWS_WORKERS", "2")
    env.monkeypatch.setattr(duplicates, "FINGERPRINT_BATCH", 7)
    env.monkeypatch.setattr(duplicates, "NORMALIZE_CHUNK", 2)
    forked = []
    real_map = duplicates.WorkerPool.map
    env.monkeypatch.setattr(duplicates.WorkerPool, "map",
                            lambda self, fn, items, chunksize=64: forked.append(len(items)) or real_map(self, fn, items, chunksize))
    assert env.cli("build") == 0
    assert len(forked) >= 6 and max(forked) >= 2 * 2
    assert env.sql("SELECT * FROM article_duplicates ORDER BY article_id") == clusters
    stored = env.sql("SELECT a.body, f.text_hash, f.n_words, f.minhash FROM article_fingerprints f "
                     "JOIN articles a USING (article_id) ORDER BY article_id")
    inline = fingerprint_bodies([body for body, *_ in stored])
    assert [tuple(r[1:]) for r in stored] == list(inline.iter_rows())


# Words for made-up bodies (written for these tests): seeded draws make long texts whose word
# 5-shingles are nearly all distinct, so their Jaccard similarities follow from how they overlap.
_WORDS = ("مدينة سوق مياه طريق مدرسة حديقة قطار ميناء جسر مصنع مكتبة شارع نهر جبل صحراء بحر سماء "
          "مطر ريح شمس قمر ليل نهار صباح مساء عمل تجارة زراعة صناعة تعليم صحة رياضة ثقافة فن "
          "موسيقى مسرح كتاب قلم ورق باب نافذة بيت غرفة مطبخ سيارة حافلة طائرة سفينة").split()


def _words(seed: int, n: int) -> list[str]:
    import random

    rng = random.Random(seed)
    return [rng.choice(_WORDS) for _ in range(n)]


def _article(title: str, day: str, body: str) -> str:
    return f"{title}\nتاريخ النشر: {day}\n{body}\nالمصدر: صحيفة الاختبار\n"


def _clusters(env: Env) -> list[tuple]:
    return env.sql("SELECT * FROM article_duplicates ORDER BY article_id")


def _cluster_of(env: Env, name: str) -> list[tuple]:
    """(file name, duplicate_kind) of every member of the cluster of the article of file ``name``."""
    return env.sql("""
        SELECT regexp_extract(r.path, '[^/]+$'), d.duplicate_kind
        FROM article_duplicates d JOIN articles a USING (article_id) JOIN raw_documents r USING (doc_id)
        WHERE d.cluster_id = (SELECT d2.cluster_id FROM article_duplicates d2 JOIN articles a2 USING (article_id)
                              JOIN raw_documents r2 USING (doc_id) WHERE r2.path LIKE '%/' || ? AND a2.parent_article_id IS NULL)
        ORDER BY 1""", [name])


def _spy_whole_clusterings(env: Env) -> list[int]:
    from news_assets.defs.parse import duplicates

    calls: list[int] = []
    real = duplicates._cluster_all
    env.monkeypatch.setattr(duplicates, "_cluster_all", lambda *a: calls.append(1) or real(*a))
    return calls


def _add_round_two(env: Env) -> None:
    common = _words(1, 240)
    # A bridge: near both earlier made-up articles (Jaccard ~0.84 each), which are not near each
    # other (~0.73), dated before both, so the merged cluster's canonical is the new article.
    (env.corpus / "952_bridge.txt").write_text(_article("مقال جسر", "09/03/2025", " ".join(common)), encoding="utf-8")
    # The body of 015 again, dated earlier: it joins 015 and 016's cluster as its new canonical.
    body_015 = (env.corpus / "015_worldbank-digital-north-africa.txt").read_text(encoding="utf-8").splitlines()[2:7]
    (env.corpus / "953_exact_015.txt").write_text(_article("نسخة", "01/03/2025", "\n".join(body_015)), encoding="utf-8")
    (env.corpus / "954_unrelated.txt").write_text(_article("مقال آخر", "13/03/2025", " ".join(_words(3, 200))),
                                                  encoding="utf-8")
    (env.corpus / "955_short.txt").write_text(_article("قصير", "13/03/2025", "خبر قصير جدا"), encoding="utf-8")
    (env.corpus / "956_short_again.txt").write_text(_article("قصير أيضا", "14/03/2025", "خبر قصير جدا"),
                                                    encoding="utf-8")


def _add_round_one(env: Env) -> None:
    common = _words(1, 240)
    (env.corpus / "950_story_a.txt").write_text(
        _article("قصة أ", "10/03/2025", " ".join(common + _words(10, 40))), encoding="utf-8")
    (env.corpus / "951_story_b.txt").write_text(
        _article("قصة ب", "11/03/2025", " ".join(common + _words(11, 40))), encoding="utf-8")
    # Near A (~0.86) but not near the round-two bridge (~0.73): it stays in A's cluster only through
    # the pair verified in round one.
    (env.corpus / "957_story_a_longer.txt").write_text(
        _article("قصة أ مطولة", "12/03/2025", " ".join(common + _words(10, 40) + _words(12, 40))), encoding="utf-8")


def test_articles_added_are_clustered_into_the_stored_clusters_as_a_whole_clustering_would(env: Env):
    import duckdb

    _add_round_one(env)
    assert env.cli("build") == 0
    assert _cluster_of(env, "950_story_a.txt") == [("950_story_a.txt", "canonical"), ("957_story_a_longer.txt", "near")]
    assert _cluster_of(env, "951_story_b.txt") == [("951_story_b.txt", "canonical")]
    whole = _spy_whole_clusterings(env)
    _add_round_two(env)
    assert env.cli("build") == 0
    assert whole == []  # only articles were added: clustered into the stored clustering
    assert _cluster_of(env, "952_bridge.txt") == [
        ("950_story_a.txt", "near"), ("951_story_b.txt", "near"), ("952_bridge.txt", "canonical"),
        ("957_story_a_longer.txt", "near")]
    assert _cluster_of(env, "015_worldbank-digital-north-africa.txt") == [
        ("015_worldbank-digital-north-africa.txt", "exact"), ("016_worldbank-digital-north-africa-repost.txt", "near"),
        ("953_exact_015.txt", "canonical")]
    assert [k for _, k in _cluster_of(env, "955_short.txt")] == ["canonical", "exact"]
    assert _cluster_of(env, "954_unrelated.txt") == [("954_unrelated.txt", "canonical")]
    incremental = _clusters(env)
    with duckdb.connect(str(env.db) + ".work") as con:
        con.execute("DELETE FROM pipeline_state WHERE key = 'duplicates_fingerprint'")  # cluster again, whole
    assert env.cli("build") == 0
    assert whole == [1]
    assert _clusters(env) == incremental
    # A changed file is not an addition: the whole clustering again.
    (env.corpus / "954_unrelated.txt").write_text(_article("مقال آخر", "13/03/2025", " ".join(_words(4, 200))),
                                                  encoding="utf-8")
    assert env.cli("build") == 0
    assert whole == [1, 1]


def test_a_warehouse_from_before_the_band_table_gets_it_and_still_clusters_added_articles_as_a_whole_would(env: Env):
    import duckdb

    from news_assets.text.duplicates import NUM_BANDS

    _add_round_one(env)
    assert env.cli("build") == 0
    with duckdb.connect(str(env.db) + ".work") as con:
        bands = con.execute("SELECT band, key, text_hash FROM fingerprint_bands ORDER BY ALL").fetchall()
        # As duplicates/write_fingerprints left them: the band keys of every stored signature, once.
        assert bands == con.execute("""
            SELECT DISTINCT unnest(range(?)) AS band, unnest(band_keys) AS key, text_hash
            FROM article_fingerprints WHERE band_keys IS NOT NULL ORDER BY ALL""", [NUM_BANDS]).fetchall()
        assert len(bands) > 20
        con.execute("DROP TABLE fingerprint_bands")  # as a warehouse built before the table was
        con.execute("DELETE FROM pipeline_state WHERE key = 'fingerprint_bands'")
    whole = _spy_whole_clusterings(env)
    _add_round_two(env)
    assert env.cli("build") == 0
    assert whole == []  # the table was rebuilt from the stored fingerprints, then used
    assert _cluster_of(env, "952_bridge.txt") == [
        ("950_story_a.txt", "near"), ("951_story_b.txt", "near"), ("952_bridge.txt", "canonical"),
        ("957_story_a_longer.txt", "near")]
    incremental = _clusters(env)
    with duckdb.connect(str(env.db) + ".work") as con:
        con.execute("DELETE FROM pipeline_state WHERE key = 'duplicates_fingerprint'")
    assert env.cli("build") == 0
    assert whole == [1]
    assert _clusters(env) == incremental


def test_fingerprints_stored_without_their_band_keys_are_noticed(env: Env):
    import duckdb

    assert env.cli("build") == 0
    with duckdb.connect(str(env.db) + ".work") as con:
        (marker,) = con.execute("SELECT value FROM pipeline_state WHERE key = 'fingerprint_bands'").fetchone()
    _add_round_one(env)
    assert env.cli("build") == 0
    # As if an older version of the project had run round one: fingerprints for the new articles,
    # no band keys for their texts, and the marker as the newer code last left it.
    with duckdb.connect(str(env.db) + ".work") as con:
        con.execute("""
            DELETE FROM fingerprint_bands WHERE text_hash IN (
                SELECT f.text_hash FROM article_fingerprints f JOIN articles a USING (article_id)
                JOIN raw_documents r USING (doc_id) WHERE regexp_extract(r.path, '[^/]+$') LIKE '95%')""")
        con.execute("UPDATE pipeline_state SET value = ? WHERE key = 'fingerprint_bands'", [marker])
    whole = _spy_whole_clusterings(env)
    _add_round_two(env)
    assert env.cli("build") == 0
    assert whole == []
    assert _cluster_of(env, "952_bridge.txt") == [
        ("950_story_a.txt", "near"), ("951_story_b.txt", "near"), ("952_bridge.txt", "canonical"),
        ("957_story_a_longer.txt", "near")]


def test_an_added_text_in_a_crowded_bucket_is_clustered_with_everything(env: Env):
    from news_assets.defs.parse import duplicates

    _add_round_one(env)
    assert env.cli("build") == 0
    whole = _spy_whole_clusterings(env)
    # Buckets of more than this many texts are linked as a star and a chain, whose pairs depend on
    # every member: an added member can drop an old pair, so only a whole clustering is right.
    env.monkeypatch.setattr(duplicates, "MAX_BUCKET_PAIRS_MEMBERS", 1)
    _add_round_two(env)
    assert env.cli("build") == 0
    assert whole == [1]
    assert _cluster_of(env, "952_bridge.txt") == [
        ("950_story_a.txt", "near"), ("951_story_b.txt", "near"), ("952_bridge.txt", "canonical"),
        ("957_story_a_longer.txt", "near")]


def _spy_entity_sql(env: Env) -> list[str]:
    from news_assets.defs.entities import assets

    names: list[str] = []
    real = assets.run_sql
    env.monkeypatch.setattr(assets, "run_sql", lambda con, name, **p: names.append(name) or real(con, name, **p))
    return names


def _entities(env: Env) -> list[tuple]:
    return env.sql("SELECT * FROM entities ORDER BY entity_id")


def test_entity_totals_follow_logged_changes_as_a_whole_rebuild_would(env: Env):
    import duckdb

    assert env.cli("build") == 0
    sql = _spy_entity_sql(env)
    # New articles (one dated before every other, one undated), a changed one, a deleted one and a
    # re-dated one: mentions written, deleted and moved between days.
    (env.corpus / "960_new.txt").write_text(_article(
        "زيارة", "01/01/2024", "زار الرئيس الفرنسي إيمانويل ماكرون القاهرة والتقى وزير الخارجية الأردني في عمّان."),
        encoding="utf-8")
    (env.corpus / "961_undated.txt").write_text(
        "خبر بلا تاريخ\nقالت منظمة الصحة العالمية في جنيف إن الحملة في المغرب وتونس نجحت.\n", encoding="utf-8")
    (env.corpus / "001_macron-scholz-paris.txt").write_text(_article(
        "تغيير", "10/03/2025", "التقى المستشار الألماني أولاف شولتس في برلين رئيس الوزراء الياباني."), encoding="utf-8")
    (env.corpus / "002_egypt-worldbank-infrastructure.txt").unlink()
    moved = env.corpus / "003_morocco-squad-regragui.txt"
    lines = moved.read_text(encoding="utf-8").splitlines()
    lines[1] = "تاريخ النشر: 20/03/2025"
    moved.write_text("\n".join(lines) + "\n", encoding="utf-8")
    assert env.cli("build") == 0
    assert "entities/apply_mention_changes" in sql and "entities/rebuild_entities" not in sql
    assert env.scalar("SELECT min(first_seen) FROM entities") == dt.date(2024, 1, 1)
    kept = _entities(env)
    with duckdb.connect(str(env.db) + ".work", read_only=True) as con:
        assert con.execute("SELECT count(*) FROM entity_mention_changes").fetchone() == (0,)
    with duckdb.connect(str(env.db) + ".work") as con:
        con.execute("DELETE FROM pipeline_state WHERE key = 'entities_totals'")  # rebuild them whole
    del sql[:]
    assert env.cli("backfill", "--start", "2025-03-12", "--end", "2025-03-12") == 0  # runs the totals
    assert "entities/rebuild_entities" in sql
    assert _entities(env) == kept


def test_entity_totals_follow_a_forced_re_extraction_as_a_whole_rebuild_would(env: Env):
    # A forced backfill re-extracts articles that keep their id, body and date: the mentions it
    # replaces are logged as removed (entities/log_removed_mentions), the new ones as written.
    import duckdb

    assert env.cli("build") == 0
    whole = _entities(env)
    day = env.scalar("SELECT published_date FROM entity_mentions GROUP BY 1 ORDER BY count(*) DESC, 1 LIMIT 1")
    sql = _spy_entity_sql(env)
    assert env.cli("backfill", "--start", str(day), "--end", str(day), "--force") == 0
    assert "entities/log_removed_mentions" in sql
    assert "entities/apply_mention_changes" in sql and "entities/rebuild_entities" not in sql
    with duckdb.connect(str(env.db) + ".work", read_only=True) as con:
        assert con.execute("SELECT count(*) FROM entity_mention_changes").fetchone() == (0,)
    assert _entities(env) == whole


def test_entity_totals_follow_an_entity_losing_its_last_day_as_a_whole_rebuild_would(env: Env):
    # entities/apply_mention_changes widens first/last seen by the days mentions were added on and
    # reads an entity's mentions again only when it lost some on its first or last day.
    import duckdb

    assert env.cli("build") == 0
    entity, first, last = env.sql("""
        SELECT entity_id, first_seen, last_seen FROM entities
        WHERE first_seen < last_seen AND undated_mentions = 0 ORDER BY mentions DESC, entity_id LIMIT 1""")[0]
    # the articles that mention it on its last day are rewritten without it (a deleted file's
    # articles stay: raw_documents keeps its row)
    rewritten = [Path(p) for (p,) in env.sql("""
        SELECT DISTINCT r.path FROM entity_mentions m JOIN raw_documents r ON r.doc_id = m.doc_id
        WHERE m.entity_id = ? AND m.published_date = ?""", [entity, last])]
    for i, path in enumerate(rewritten):
        path.write_text(_article(f"طقس {i}", last.strftime("%d/%m/%Y"), f"أمطار خفيفة متوقعة غدا {i}."), encoding="utf-8")
    # and a new article mentioning it on a day before all of its others
    (env.corpus / "962_earlier.txt").write_text(_article(
        "قبل", "02/01/2020", env.scalar("SELECT surface FROM entity_mentions WHERE entity_id = ? LIMIT 1", [entity])
        + " في خبر قديم."), encoding="utf-8")
    sql = _spy_entity_sql(env)
    assert env.cli("build") == 0
    assert "entities/apply_mention_changes" in sql and "entities/rebuild_entities" not in sql
    kept = _entities(env)
    row = env.sql("SELECT first_seen, last_seen FROM entities WHERE entity_id = ?", [entity])
    assert row and row[0][0] == dt.date(2020, 1, 2) and first > row[0][0] and row[0][1] < last
    with duckdb.connect(str(env.db) + ".work") as con:
        con.execute("DELETE FROM pipeline_state WHERE key = 'entities_totals'")  # rebuild them whole
    assert env.cli("backfill", "--start", "2025-03-12", "--end", "2025-03-12") == 0
    assert _entities(env) == kept


def test_a_warehouse_built_before_the_kept_totals_gets_them(env: Env):
    import duckdb

    assert env.cli("build") == 0
    with duckdb.connect(str(env.db) + ".work") as con:  # as an older version left it
        con.execute("DROP TABLE entity_mention_changes")
        con.execute("DROP TABLE entity_surface_counts")
        con.execute("DELETE FROM pipeline_state WHERE key = 'entities_totals'")
    (env.corpus / "960_new.txt").write_text(_article(
        "زيارة", "01/01/2024", "زار الرئيس الفرنسي إيمانويل ماكرون القاهرة."), encoding="utf-8")
    assert env.cli("build") == 0
    kept = _entities(env)
    assert env.scalar("SELECT min(first_seen) FROM entities") == dt.date(2024, 1, 1)
    with duckdb.connect(str(env.db) + ".work") as con:
        assert con.execute("SELECT sum(mentions) FROM entity_surface_counts").fetchone() == \
            con.execute("SELECT count(*) FROM entity_mentions").fetchone()
        con.execute("DELETE FROM pipeline_state WHERE key = 'entities_totals'")
    assert env.cli("backfill", "--start", "2025-03-12", "--end", "2025-03-12") == 0
    assert _entities(env) == kept


def test_entity_totals_that_disagree_with_the_mentions_are_rebuilt(env: Env):
    import duckdb

    assert env.cli("build") == 0
    whole = _entities(env)
    with duckdb.connect(str(env.db) + ".work") as con:  # changes no writer logged
        con.execute("UPDATE entities SET mentions = mentions + 1 WHERE entity_id = (SELECT min(entity_id) FROM entities)")
    sql = _spy_entity_sql(env)
    assert env.cli("build") == 0 and env.cli("backfill", "--start", "2025-03-12", "--end", "2025-03-12") == 0
    assert "entities/rebuild_entities" in sql
    assert _entities(env) == whole


def test_offsets_check_flags_a_mention_that_does_not_match_its_body(env: Env):
    import duckdb
    import polars as pl

    from news_assets.extraction import offsets_not_matching
    from news_assets.warehouse import run_sql

    env.cli("build")
    with duckdb.connect(str(env.db)) as con:  # a copy of the published file: safe to corrupt
        run_id, article_id = con.execute(
            "SELECT run_id, article_id FROM entity_mentions WHERE published_date IS NOT NULL "
            "ORDER BY mention_id LIMIT 1").fetchone()
        others = [a for (a,) in con.execute("SELECT DISTINCT article_id FROM entity_mentions WHERE article_id <> ? "
                                             "ORDER BY 1 LIMIT 3", [article_id]).fetchall()]
        bodies = dict(con.execute("SELECT article_id, body FROM articles").fetchall())

        def bad(batch: list[str], run: str = run_id) -> int:
            # what the run does after writing a batch: read back the batch's rows of this run
            con.register("new_log", pl.DataFrame({"article_id": batch}))
            rows = run_sql(con, "entities/written_mentions", run_id=run).fetchall()
            assert {r[0] for r in rows} <= set(batch)
            return offsets_not_matching(bodies, rows)

        assert bad([article_id, *others]) == 0
        con.execute("UPDATE entity_mentions SET surface = surface || 'x' WHERE mention_id = "
                    "(SELECT min(mention_id) FROM entity_mentions WHERE article_id = ?)", [article_id])
        assert bad([article_id, *others]) == 1
        con.execute("UPDATE entity_mentions SET start_char = start_char + 1, end_char = end_char + 1 "
                    "WHERE mention_id = (SELECT max(mention_id) FROM entity_mentions WHERE article_id = ?)",
                    [article_id])
        assert bad([article_id, *others]) == 2
        # rows written by earlier runs were compared when they were written
        assert bad([article_id, *others], run="another-run") == 0
        # only the batch's articles are read back
        assert bad(others) == 0


def test_a_run_that_writes_a_mention_off_its_body_fails_its_offsets_check(env: Env, monkeypatch):
    import dagster as dg

    from news_assets.defs.entities import assets as entity_assets

    real = entity_assets._extract_articles

    def shifted(item):  # one mention per chunk one character off, as a buggy extractor would write it
        rows = real(item)
        for per_article in rows:
            if per_article:
                m = list(per_article[0])
                m[6], m[7] = m[6] + 1, m[7] + 1
                per_article[0] = tuple(m)
                break
        return rows

    monkeypatch.setattr(entity_assets, "_extract_articles", shifted)
    monkeypatch.setenv("NEWS_WORKERS", "1")  # extraction in this process, where the patch is
    with pytest.raises(SystemExit):  # the check blocks: the range run fails and says which step
        env.cli("build")
    key = dg.AssetCheckKey(dg.AssetKey("entity_mentions"), "mention_offsets_match_surface")
    record = dg.DagsterInstance.get().event_log_storage.get_latest_asset_check_execution_by_key([key])[key]
    evaluation = record.event.dagster_event.event_specific_data
    assert not evaluation.passed
    assert evaluation.metadata["offsets_not_matching"].value >= 1


def _transactions_out_of_memory_under(monkeypatch, limit: str) -> list:
    """Every write transaction opened under DuckDB memory limit `limit` fails as out of memory
    once its work is done (so it must be rolled back); the limits of all transactions opened."""
    import contextlib

    from news_assets.warehouse import Warehouse

    real = Warehouse.transaction
    limits = []

    @contextlib.contextmanager
    def transaction(self, memory_limit=None):
        limits.append(memory_limit)
        with real(self, memory_limit) as con:
            yield con
            if memory_limit == limit:
                raise duckdb.OutOfMemoryException(f"simulated: the work does not fit {limit}")

    monkeypatch.setattr(Warehouse, "transaction", transaction)
    return limits


def test_entities_rebuild_runs_again_under_the_usual_memory_limit_when_the_small_one_is_not_enough(env: Env, monkeypatch):
    from news_assets.defs.entities import assets

    # A limit no other transaction uses (the recounts' is 128 MB too).
    monkeypatch.setattr(assets, "REBUILD_MEMORY_LIMIT", "127MB")
    limits = _transactions_out_of_memory_under(monkeypatch, "127MB")
    assert env.cli("build") == 0
    assert limits.count("127MB") == 1
    assert env.scalar("SELECT count(*) FROM entities") == env.scalar("SELECT count(DISTINCT entity_id) FROM entity_mentions") > 0
    assert env.scalar("SELECT sum(mentions) FROM entities") == env.scalar("SELECT count(*) FROM entity_mentions")


def _charts_materialization():
    with dg.DagsterInstance.get() as instance:
        event = instance.get_latest_materialization_event(dg.AssetKey("entity_charts"))
    return {k: v.value for k, v in event.asset_materialization.metadata.items()}


def test_charts_are_kept_while_their_window_is_unchanged_and_drawn_again_when_it_changes(env: Env):
    from news_assets import charts

    assert env.cli("build") == 0
    folder = env.db.parent / "charts"
    first = {p.name: p.read_bytes() for p in folder.glob("*.png")}
    assert sorted(first) == ["cooccurrence_network.png", "top_entities_daily.png"]
    assert _charts_materialization()["drawn"] == "now"
    last_day = env.scalar("SELECT max(published_date) FROM mention_counts_daily")

    # A forced backfill finds the same mentions: nothing in the window changed, nothing is drawn.
    real = charts.top_entities_daily_png
    drawn = []
    env.monkeypatch.setattr(charts, "top_entities_daily_png", lambda *a, **k: drawn.append(1) or real(*a, **k))
    assert env.cli("backfill", "--start", str(last_day), "--end", str(last_day), "--force") == 0
    assert drawn == [] and _charts_materialization()["drawn"].startswith("kept")
    assert {p.name: p.read_bytes() for p in folder.glob("*.png")} == first
    md = _charts_materialization()
    assert md["top_entities_chart"].startswith("![") and md["window"].endswith(str(last_day))

    # A file changed by hand is not what was drawn: drawn again.
    (folder / "top_entities_daily.png").write_bytes(b"not a picture")
    assert env.cli("backfill", "--start", str(last_day), "--end", str(last_day)) == 0
    assert drawn == [1] and _charts_materialization()["drawn"] == "now"
    assert (folder / "top_entities_daily.png").read_bytes() == first["top_entities_daily.png"]

    # New mentions on the window's last day: drawn again, and the picture changes.
    (env.corpus / "970_in_window.txt").write_text(_article(
        "قمة", last_day.strftime("%d/%m/%Y"),
        " ".join(["التقى الرئيس الفرنسي إيمانويل ماكرون المستشار الألماني أولاف شولتس في برلين."] * 12)),
        encoding="utf-8")
    assert env.cli("build") == 0
    assert drawn == [1, 1] and _charts_materialization()["drawn"] == "now"
    assert (folder / "top_entities_daily.png").read_bytes() != first["top_entities_daily.png"]


def test_the_refresh_plan_runs_under_a_small_memory_limit_and_again_under_larger_ones_if_needed(env: Env):
    import duckdb

    from news_assets.versions import EXTRACTOR_VERSIONS
    from news_assets.warehouse import Warehouse, plan_refresh, state

    version = EXTRACTOR_VERSIONS["rules"]  # the sample corpus's default extractor
    assert env.cli("build") == 0
    day = env.scalar("SELECT min(published_date) FROM mention_counts_daily")
    with duckdb.connect(str(env.db) + ".work") as con:  # a day whose counts no longer reconcile
        con.execute("DELETE FROM mention_counts_daily WHERE published_date = ?", [day])
    wh = Warehouse(env.db)
    limits = []
    real_connect = Warehouse.connect
    env.monkeypatch.setattr(Warehouse, "connect", lambda self, write=False, memory_limit=None: (
        limits.append(memory_limit), real_connect(self, write, memory_limit))[1])
    plan = plan_refresh(wh, version)
    assert limits == [state.PLAN_MEMORY_LIMIT] and plan.ranges == ((day, day),) and plan.stale_days == 1
    del limits[:]
    env.monkeypatch.setattr(state, "PLAN_MEMORY_LIMIT", "1MB")  # too small even for the sample corpus
    assert plan_refresh(wh, version) == plan
    assert limits == ["1MB", "4MB", None]


def _partition_materializations(asset: str, day: dt.date) -> int:
    records = dg.DagsterInstance.get().fetch_materializations(
        dg.AssetRecordsFilter(asset_key=dg.AssetKey(asset), asset_partitions=[day.isoformat()]), limit=100).records
    return len(records)


def test_a_day_whose_mentions_stand_gets_its_counts_again_without_its_mentions_step(env: Env, capsys):
    from news_assets.defs.sensors import COUNTS_ONLY_SELECTION
    from news_assets.definitions import build_definitions
    from news_assets.versions import EXTRACTOR_VERSIONS
    from news_assets.warehouse import Warehouse, plan_refresh

    env.cli("build")
    day, earlier = dt.date(2025, 3, 12), dt.date(2024, 10, 1)  # 015's day; more than MERGE_GAP_DAYS before it
    all_before, unique_before = env.sql("SELECT sum(mentions), sum(mentions_unique) FROM mention_counts_daily "
                                        "WHERE published_date = ?", [day])[0]
    mentions_before = env.sql("SELECT * FROM entity_mentions WHERE published_date = ? ORDER BY mention_id", [day])
    # 015's body again, dated months earlier: the new article becomes the canonical of 015 and
    # 016's cluster, so 015's day counts fewer mentions without duplicates though none of its
    # articles changed.
    body_015 = (env.corpus / "015_worldbank-digital-north-africa.txt").read_text(encoding="utf-8").splitlines()[2:7]
    (env.corpus / "958_015_earlier.txt").write_text(_article("نسخة أقدم", "01/10/2024", "\n".join(body_015)),
                                                    encoding="utf-8")
    defs = build_definitions()
    instance = dg.DagsterInstance.get()
    defs.resolve_job_def("ingest_job").execute_in_process(instance=instance)
    plan = plan_refresh(Warehouse(env.db), EXTRACTOR_VERSIONS["rules"])
    assert plan.ranges == ((earlier, earlier), (day, day))
    assert not plan.counts_only(earlier, earlier) and plan.counts_only(day, day)

    # The sensor asks for the whole job on the new article's day, for the counts (and charts) on 015's.
    sensor = defs.resolve_sensor_def("articles_to_entities_sensor")
    context = dg.build_sensor_context(instance=instance, resources={
        "warehouse": defs.resources["warehouse"], "extractor": defs.resources["extractor"]})
    requests = sensor.evaluate_tick(context).run_requests
    assert [(r.tags["dagster/asset_partition_range_start"], r.asset_selection) for r in requests] == [
        (earlier.isoformat(), None), (day.isoformat(), [dg.AssetKey(k) for k in COUNTS_ONLY_SELECTION])]

    mentions_runs = _partition_materializations("entity_mentions", day)
    counts_runs = _partition_materializations("mention_counts_daily", day)
    capsys.readouterr()
    env.cli("build")
    assert f"entities+counts {day} … {day}, counts only: run" in capsys.readouterr().err
    assert _partition_materializations("entity_mentions", day) == mentions_runs
    assert _partition_materializations("mention_counts_daily", day) == counts_runs + 1
    assert env.sql("SELECT * FROM entity_mentions WHERE published_date = ? ORDER BY mention_id", [day]) == mentions_before
    all_after, unique_after = env.sql("SELECT sum(mentions), sum(mentions_unique) FROM mention_counts_daily "
                                      "WHERE published_date = ?", [day])[0]
    dup_mentions = env.scalar("""
        SELECT count(*) FROM entity_mentions m JOIN article_duplicates d USING (article_id)
        WHERE d.duplicate_kind <> 'canonical' AND m.published_date = ?""", [day])
    assert all_after == all_before and unique_after < unique_before and unique_after == all_after - dup_mentions
    assert plan_refresh(Warehouse(env.db), EXTRACTOR_VERSIONS["rules"]).empty


def test_a_recount_that_does_not_fit_its_small_memory_limit_runs_again_under_a_larger_one(env: Env, monkeypatch):
    from news_assets.defs.counts import assets

    # A limit no other transaction uses (the entities rebuild's is 128 MB too).
    monkeypatch.setattr(assets, "RECOUNT_MEMORY_LIMIT", "126MB")
    limits = _transactions_out_of_memory_under(monkeypatch, "126MB")
    assert env.cli("build") == 0
    # Each of the two assets' recounts, in every range run, failed once and ran again at 4x the limit.
    assert limits.count("126MB") == limits.count("504MB") >= 2
    assert env.scalar("SELECT sum(mentions) FROM mention_counts_daily") == \
        env.scalar("SELECT count(*) FROM entity_mentions WHERE published_date IS NOT NULL") > 0
    assert env.scalar("SELECT sum(articles) FROM entity_cooccurrence") == env.scalar("""
        WITH e AS (SELECT DISTINCT article_id, entity_id FROM entity_mentions WHERE published_date IS NOT NULL)
        SELECT count(*) FROM e x JOIN e y ON x.article_id = y.article_id AND x.entity_id < y.entity_id""") > 0
