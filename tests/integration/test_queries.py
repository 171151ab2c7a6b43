"""The analysts' queries (sql/queries/*.sql) on a real build of the sample corpus, checked against the
contract tables they summarise, and `news-assets query` end to end."""
from __future__ import annotations

import datetime as dt
import io
import math
import shutil
from collections import defaultdict
from pathlib import Path

import duckdb
import polars as pl
import pytest

from news_assets.queries import QUERIES_DIR, QueryError, cli_query, list_queries, run_query
from news_assets.warehouse.db import load_sql
from tests.conftest import SAMPLE_ARTICLES, Env

QUERY_NAMES = {
    "top_entities_per_day", "top_entities_per_week", "trending_entities", "cooccurrence_neighbours",
    "share_of_voice", "duplicate_clusters", "entity_timeline",
}
D = dt.date


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory):
    """One build of the sample corpus shared by the read-only tests of this module."""
    with pytest.MonkeyPatch.context() as mp:
        e = Env(tmp_path_factory.mktemp("queries"), mp)
        shutil.copytree(SAMPLE_ARTICLES, e.corpus)
        assert e.cli("build") == 0
        yield e


def q(env: Env, name: str, **params) -> pl.DataFrame:
    with duckdb.connect(str(env.db), read_only=True) as con:
        return run_query(con, name, {k: str(v) for k, v in params.items()})


def daily_mentions(env: Env, column: str = "mentions") -> dict[tuple[dt.date, str], int]:
    rows = env.sql(f"SELECT published_date, entity_id, sum({column}) FROM mention_counts_daily GROUP BY ALL")
    return {(d, e): int(n) for d, e, n in rows}


def entity_id(env: Env, canonical_name: str) -> str:
    return env.scalar("SELECT entity_id FROM entities WHERE canonical_name = ?", [canonical_name])


# --- every file ---------------------------------------------------------------------------------

def test_every_query_is_listed_documented_and_runs_as_plain_sql(built: Env):
    infos = {i.name: i for i in list_queries()}
    assert set(infos) == QUERY_NAMES
    bookkeeping = ("parsed_documents", "extraction_log", "pipeline_state")
    with duckdb.connect(str(built.db), read_only=True) as con:
        for name, info in infos.items():
            assert info.question.endswith("?"), name
            text = (QUERIES_DIR / f"{name}.sql").read_text(encoding="utf-8")
            assert not any(t in text for t in bookkeeping), name
            df = run_query(con, name, {})
            assert df.columns == info.columns, name  # the comment block documents the real output
            assert df.height > 0, name               # the defaults fit the sample corpus
            # The file runs as it is, with its parameters passed by name (what the README shows).
            direct = con.execute(text, dict(info.params)).fetchall()
            assert direct == df.rows(), name


# --- top entities -------------------------------------------------------------------------------

def test_top_entities_per_day_keeps_top_n_ranked_and_sums_match_counts(built: Env):
    counts = daily_mentions(built)
    top = q(built, "top_entities_per_day", start="2025-03-10", end="2025-03-15", top=3)
    assert top.height == 6 * 3
    for (day,), rows in top.group_by(["published_date"], maintain_order=True):
        assert rows.height <= 3
        assert rows["rank"].to_list() == list(range(1, rows.height + 1))
        assert rows["mentions"].to_list() == sorted(rows["mentions"].to_list(), reverse=True)
        day_counts = sorted((n for (d, _), n in counts.items() if d == day), reverse=True)
        assert rows["mentions"].to_list() == day_counts[: rows.height]   # nobody better was cut
        for r in rows.iter_rows(named=True):
            assert counts[(day, r["entity_id"])] == r["mentions"]

    everything = q(built, "top_entities_per_day", start="2025-03-10", end="2025-03-15", top=1000)
    assert everything.height == len(counts)
    assert everything["mentions"].sum() == built.scalar("SELECT sum(mentions) FROM mention_counts_daily")
    assert everything["articles"].sum() == built.scalar("SELECT sum(articles) FROM mention_counts_daily")

    one_day = q(built, "top_entities_per_day", start="2025-03-12", end="2025-03-12", top=1000)
    assert set(one_day["published_date"]) == {D(2025, 3, 12)}


def test_top_entities_per_day_unique_leaves_the_duplicate_out(built: Env):
    all_ = q(built, "top_entities_per_day", start="2025-03-12", end="2025-03-12", top=1000)
    unique = q(built, "top_entities_per_day", start="2025-03-12", end="2025-03-12", top=1000, unique="true")
    assert unique["mentions"].sum() == built.scalar(
        "SELECT sum(mentions_unique) FROM mention_counts_daily WHERE published_date = DATE '2025-03-12'")
    assert unique["mentions"].sum() < all_["mentions"].sum()   # the 015/016 pair is on 12 March
    assert unique["mentions"].min() > 0                       # entities only in the duplicate are gone
    assert unique["articles"].sum() == built.scalar(
        "SELECT sum(articles_unique) FROM mention_counts_daily WHERE published_date = DATE '2025-03-12'")


def test_top_entities_per_week_groups_by_iso_week(built: Env):
    week = q(built, "top_entities_per_week", start="2025-03-10", end="2025-03-16", top=1000)
    assert set(week["iso_week"]) == {"2025-W11"} and set(week["week_start"]) == {D(2025, 3, 10)}
    assert week["mentions"].sum() == built.scalar("SELECT sum(mentions) FROM mention_counts_daily")
    totals = built.sql("SELECT entity_id, sum(mentions), count(DISTINCT published_date) "
                       "FROM mention_counts_daily GROUP BY 1")
    assert {(e, n, d) for e, n, d in totals} == set(zip(week["entity_id"], week["mentions"], week["days"]))
    top5 = q(built, "top_entities_per_week", top=5)
    assert top5["entity_id"].to_list() == week["entity_id"].to_list()[:5]
    assert top5["rank"].to_list() == [1, 2, 3, 4, 5]
    # A range that cuts the week counts only its own days.
    part = q(built, "top_entities_per_week", start="2025-03-12", end="2025-03-13", top=1000)
    assert part["mentions"].sum() == built.scalar(
        "SELECT sum(mentions) FROM mention_counts_daily WHERE published_date BETWEEN '2025-03-12' AND '2025-03-13'")
    # A month-wide range crosses week boundaries; the sample only has mentions in W11.
    two = q(built, "top_entities_per_week", start="2025-03-01", end="2025-03-31", top=1)
    assert two["iso_week"].to_list() == ["2025-W11"]   # no mention outside W11 in the sample


# --- trending -----------------------------------------------------------------------------------

SPIKE = """\
مصر تستضيف منتدى إقليمياً للطاقة المتجددة
تاريخ النشر: 2025-03-16T10:00:00+00:00
أعلنت مصر اليوم الأحد استضافة منتدى إقليمي للطاقة المتجددة بمشاركة خبراء من عدة دول.
وقال مسؤولون إن مصر تسعى إلى رفع حصة الطاقة النظيفة في مزيج الكهرباء خلال السنوات المقبلة.
وأضافوا أن مصر وقعت اتفاقيات جديدة مع شركاء دوليين لتمويل محطات الرياح والطاقة الشمسية.
وأكد المنظمون أن مصر ستعرض خلال المنتدى تجربتها في تطوير الشبكة الكهربائية.
وأشار خبراء إلى أن مصر أصبحت وجهة رئيسية للاستثمار في الطاقة المتجددة في المنطقة.
وتأمل مصر أن يسهم المنتدى في جذب استثمارات جديدة إلى قطاع الطاقة.
المصدر: وكالة الواحة للأنباء
كلمات دلالية: مصر، الطاقة المتجددة، الاستثمار
"""


def test_trending_flags_a_spike_against_a_trailing_average_with_missing_days_as_zero(env: Env):
    (env.corpus / "037_egypt-renewables-forum.txt").write_text(SPIKE, encoding="utf-8")
    assert env.cli("build") == 0
    egypt = entity_id(env, "مصر")
    per_day = defaultdict(int, {d: n for (d, e), n in daily_mentions(env).items() if e == egypt})
    spike_day = D(2025, 3, 16)
    assert per_day[spike_day] >= 5, "the spike article should be counted under مصر"

    for window in (3, 10):  # 10 reaches back to 6 March: four days without any article count as 0
        days = [spike_day - dt.timedelta(days=k) for k in range(1, window + 1)]
        trailing = sum(per_day[d] for d in days)
        expected_avg = trailing / window
        trend = q(env, "trending_entities", day="2025-03-16", window=window, min_mentions=2)
        row = trend.filter(pl.col("entity_id") == egypt).to_dicts()
        assert len(row) == 1, f"مصر not flagged with window {window}"
        row = row[0]
        assert row["mentions"] == per_day[spike_day]
        assert row["trailing_mentions"] == trailing
        assert row["active_days"] == sum(1 for d in days if per_day[d] > 0)
        assert row["active_days"] < window   # 15 March has no مصر: the zero day must still count
        assert math.isclose(row["trailing_avg"], expected_avg)
        assert math.isclose(row["ratio"], per_day[spike_day] / expected_avg)
        # Everything returned beats its own trailing average and the minimum.
        assert (trend["mentions"] > trend["trailing_avg"]).all() and (trend["mentions"] >= 2).all()

    # On a day where مصر is at its usual level it is not flagged, and a high minimum hides everything.
    quiet = q(env, "trending_entities", day="2025-03-13", window=3, min_mentions=1)
    avg_13 = sum(per_day[D(2025, 3, d)] for d in (10, 11, 12)) / 3
    assert (egypt in quiet["entity_id"].to_list()) == (per_day[D(2025, 3, 13)] > avg_13)
    assert q(env, "trending_entities", day="2025-03-16", window=3, min_mentions=1000).height == 0
    with duckdb.connect(str(env.db), read_only=True) as con, pytest.raises(duckdb.Error, match="window"):
        run_query(con, "trending_entities", {"window": "0"})


# --- co-occurrence ------------------------------------------------------------------------------

def test_neighbours_of_macron_by_alias_with_shared_articles_and_lift(built: Env):
    macron = entity_id(built, "إيمانويل ماكرون")
    df = q(built, "cooccurrence_neighbours", entity="  ماكرون ", top=100)
    assert set(df["entity_id"]) == {macron}
    by_name = {r["neighbour_name"]: r for r in df.iter_rows(named=True)}
    assert {"أولاف شولتس", "فرنسا", "باريس"} <= set(by_name)   # 001: ماكرون with شولتس in Paris, France
    assert df["rank"].to_list() == list(range(1, df.height + 1))
    assert df["shared_articles"].to_list() == sorted(df["shared_articles"].to_list(), reverse=True)
    # shared_articles against the mentions themselves
    for name, row in by_name.items():
        assert row["shared_articles"] == built.scalar("""
            SELECT count(DISTINCT a.article_id) FROM entity_mentions a JOIN entity_mentions b USING (article_id)
            WHERE a.entity_id = ? AND b.entity_id = ? AND a.published_date IS NOT NULL""",
            [macron, row["neighbour_id"]]), name
    # lift by hand for Scholz: shared * all dated articles / (Macron's articles * Scholz's articles)
    scholz = by_name["أولاف شولتس"]
    n = built.scalar("SELECT count(*) FROM articles WHERE published_date BETWEEN '2025-03-10' AND '2025-03-15'")
    assert (scholz["shared_articles"], scholz["entity_articles"], scholz["neighbour_articles"]) == (1, 3, 1)
    assert math.isclose(scholz["lift"], 1 * n / (3 * 1))
    assert math.isclose(scholz["pmi"], math.log2(n / 3))
    # canonical name with doubled spaces finds the same entity; a range without him finds nothing
    same = q(built, "cooccurrence_neighbours", entity="إيمانويل   ماكرون", top=100)
    assert same.rows() == df.rows()
    assert q(built, "cooccurrence_neighbours", entity="ماكرون", start="2025-03-14", end="2025-03-15").height == 0
    assert q(built, "cooccurrence_neighbours", entity="لا أحد").height == 0
    assert q(built, "cooccurrence_neighbours", entity="ماكرون", top=2).height == 2


def test_entity_lookup_ignores_case_and_spacing():
    """On a hand-made warehouse, since the sample's names are all Arabic (no case)."""
    con = duckdb.connect(":memory:")
    con.execute(load_sql("schema"))
    con.execute("""INSERT INTO entities VALUES
        ('e1', 'Emmanuel Macron', 'PERS', ['Emmanuel Macron', 'Macron'], 'k1', 3, 2, 0, '2025-03-10', '2025-03-11'),
        ('e2', 'Paris', 'LOC', ['Paris'], 'k2', 2, 2, 0, '2025-03-10', '2025-03-11')""")
    con.execute("""INSERT INTO mention_counts_daily VALUES
        ('2025-03-10', 'e1', 'PERS', 'A', 2, 1, 2, 1), ('2025-03-11', 'e1', 'PERS', 'B', 1, 1, 1, 1),
        ('2025-03-10', 'e2', 'LOC', 'A', 1, 1, 1, 1), ('2025-03-11', 'e2', 'LOC', 'B', 1, 1, 1, 1)""")
    con.execute("INSERT INTO entity_cooccurrence VALUES ('2025-03-10', 'e1', 'e2', 1), ('2025-03-11', 'e1', 'e2', 1)")
    for spelling in ("  MACRON ", "emmanuel\tmacron", "Emmanuel  MACRON"):
        assert run_query(con, "cooccurrence_neighbours", {"entity": spelling})["neighbour_id"].to_list() == ["e2"]
        timeline = run_query(con, "entity_timeline", {"entity": spelling, "start": "2025-03-09", "end": "2025-03-12"})
        assert timeline.height == 4 * 2   # four days x two sources, zeros filled
        assert timeline["mentions"].sum() == 3
        assert timeline.filter(pl.col("published_date") == D(2025, 3, 9))["mentions"].to_list() == [0, 0]


# --- share of voice -----------------------------------------------------------------------------

def test_share_of_voice_sums_to_one_per_source(built: Env):
    df = q(built, "share_of_voice", top=1000)
    sources = built.sql("SELECT source, sum(mentions) FROM mention_counts_daily GROUP BY 1")
    assert set(df["source"]) == {s for s, _ in sources} and len(sources) == 4
    for source, total in sources:
        rows = df.filter(pl.col("source") == source)
        assert math.isclose(rows["share"].sum(), 1.0)
        assert set(rows["source_mentions"]) == {total} and rows["mentions"].sum() == total
        assert rows["share"].to_list() == sorted(rows["share"].to_list(), reverse=True)
    top2 = q(built, "share_of_voice", top=2)
    assert top2.height == 4 * 2
    assert top2.rows() == df.filter(pl.col("rank") <= 2).rows()
    one_day = q(built, "share_of_voice", start="2025-03-12", end="2025-03-12", top=1000)
    assert one_day["mentions"].sum() == built.scalar(
        "SELECT sum(mentions) FROM mention_counts_daily WHERE published_date = '2025-03-12'")


# --- duplicates ---------------------------------------------------------------------------------

def test_duplicate_clusters_find_the_sample_pair(built: Env):
    ids = dict(built.sql("""SELECT substr(regexp_extract(r.path, '[^/]+$'), 1, 3), a.article_id
                            FROM articles a JOIN raw_documents r USING (doc_id)
                            WHERE r.path LIKE '%/015_%' OR r.path LIKE '%/016_%'"""))
    df = q(built, "duplicate_clusters")
    assert df.height == 1
    c = df.row(0, named=True)
    assert sorted(c["article_ids"]) == sorted([ids["015"], ids["016"]])
    assert c["members"] == 2 and c["near_duplicates"] == 1 and c["exact_duplicates"] == 0
    assert 0.8 <= c["min_similarity"] < 1.0
    assert c["sources"] == sorted(["وكالة الواحة للأنباء", "موقع النافذة الرقمي"])
    assert c["canonical_article_id"] in c["article_ids"]
    assert c["canonical_title"] == built.scalar("SELECT title FROM articles WHERE article_id = ?",
                                                [c["canonical_article_id"]])
    assert "البنك الدولي" in c["canonical_title"]
    assert c["first_published_at"].date() == c["last_published_at"].date() == D(2025, 3, 12)
    assert q(built, "duplicate_clusters", min_members=1).height == built.scalar(
        "SELECT count(DISTINCT cluster_id) FROM article_duplicates")
    assert q(built, "duplicate_clusters", min_members=3).height == 0


# --- timeline -----------------------------------------------------------------------------------

def test_entity_timeline_of_macron_by_source_with_zero_days(built: Env):
    macron = entity_id(built, "إيمانويل ماكرون")
    df = q(built, "entity_timeline", entity="ماكرون")
    expected = built.sql("""SELECT published_date, source, mentions, articles FROM mention_counts_daily
                            WHERE entity_id = ? AND mentions > 0""", [macron])
    sources = {s for _, s, _, _ in expected}
    assert df.height == 6 * len(sources)                  # every day of the range, per source
    assert set(df["entity_id"]) == {macron}
    nonzero = df.filter(pl.col("mentions") > 0).select("published_date", "source", "mentions", "articles")
    assert sorted(nonzero.rows()) == sorted(expected)
    assert df["mentions"].sum() == built.scalar("SELECT mentions - undated_mentions FROM entities WHERE entity_id = ?",
                                                [macron])
    days = dict(df.group_by("published_date").agg(pl.col("day_mentions").first()).rows())
    assert {d for d, n in days.items() if n > 0} == {D(2025, 3, 10), D(2025, 3, 12), D(2025, 3, 13)}
    assert days[D(2025, 3, 11)] == 0


# --- Python API and command line ----------------------------------------------------------------

def test_run_query_coerces_strings_and_refuses_unknown_parameters(built: Env):
    with duckdb.connect(str(built.db), read_only=True) as con:
        typed = run_query(con, "top_entities_per_day", {"start": D(2025, 3, 12), "end": D(2025, 3, 12), "top": 2,
                                                        "unique": True})
        strings = run_query(con, "top_entities_per_day", {"start": "2025-03-12", "end": " 2025-03-12",
                                                          "top": "2", "unique": "TRUE"})
        assert typed.rows() == strings.rows() and strings.height == 2
        with pytest.raises(QueryError, match=r"no parameter colour.*start, end, top, unique"):
            run_query(con, "top_entities_per_day", {"colour": "red"})
        with pytest.raises(QueryError, match=r"top='many'.*whole number"):
            run_query(con, "top_entities_per_day", {"top": "many"})
        with pytest.raises(QueryError, match=r"start='12/03/2025'.*date"):
            run_query(con, "top_entities_per_day", {"start": "12/03/2025"})
        with pytest.raises(QueryError, match="unknown query 'nope'.*top_entities_per_day"):
            run_query(con, "nope", {})


def test_cli_query_lists_runs_with_params_and_csv_and_rejects_unknown_params(built: Env, capsys):
    assert cli_query([]) == 0
    listing = capsys.readouterr().out
    for info in list_queries():
        assert info.name in listing and info.question in listing
    assert "--param top=10" in listing and "--param entity=ماكرون" in listing

    argv = ["top_entities_per_day", "--param", "start=2025-03-10", "--param", "end=2025-03-15", "--param", "top=5"]
    assert cli_query(argv) == 0
    table = capsys.readouterr().out
    assert "canonical_name" in table and "shape: (30, 7)" in table

    assert cli_query([*argv, "--csv"]) == 0
    csv = pl.read_csv(io.StringIO(capsys.readouterr().out), try_parse_dates=True)
    expected = q(built, "top_entities_per_day", start="2025-03-10", end="2025-03-15", top=5)
    assert csv.columns == expected.columns and csv.rows() == expected.rows()

    assert cli_query(["duplicate_clusters", "--csv"]) == 0   # list columns are joined for CSV
    assert "وكالة الواحة للأنباء" in capsys.readouterr().out

    assert cli_query(["top_entities_per_day", "--param", "limit=5"]) == 2
    err = capsys.readouterr().err
    assert "no parameter limit" in err and "start, end, top, unique" in err
    assert cli_query(["top_entities_per_day", "--param", "top"]) == 2
    assert "KEY=VALUE" in capsys.readouterr().err


def test_cli_query_without_a_warehouse_says_to_build(tmp_path: Path, monkeypatch, capsys):
    monkeypatch.setenv("NEWS_DUCKDB_PATH", str(tmp_path / "none.duckdb"))
    assert cli_query(["share_of_voice"]) == 2
    assert "news-assets build" in capsys.readouterr().err
