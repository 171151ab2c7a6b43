"""Duplicates: articles grouped into clusters of the same story, with a canonical article each."""
import dagster as dg
import duckdb
import polars as pl

from news_assets.defs.metadata import definition_metadata, standard_metadata
from news_assets.defs.parse.assets import articles
from news_assets.defs.resources import WarehouseResource
from news_assets.text.duplicates import (NUM_BANDS, ROWS_PER_BAND, candidate_pairs, cluster_fingerprints,
                                         fingerprint_bodies)
from news_assets.versions import DUPLICATES_VERSION
from news_assets.warehouse import query, run_sql
from news_assets.warehouse.db import with_memory_fallback

FINGERPRINT_BATCH = 5000
# What stored fingerprints depend on besides the bodies: hashes are stable only within a version.
FINGERPRINT_VERSIONS = f"{DUPLICATES_VERSION}:polars-{pl.__version__}:duckdb-{duckdb.__version__}"
CANDIDATE_MEMORY_LIMIT = "128MB"  # DuckDB's limit while banding the signatures


@dg.asset(
    group_name="parse",
    kinds={"duckdb", "polars"},
    owners=["team:news-data"],
    code_version=DUPLICATES_VERSION,
    deps=[articles],
    check_specs=[
        dg.AssetCheckSpec("every_article_clustered_once", asset="article_duplicates", blocking=True,
                          description="Each article has exactly one row."),
    ],
    metadata=definition_metadata("article_duplicates"),
)
def article_duplicates(context: dg.AssetExecutionContext, warehouse: WarehouseResource) -> dg.MaterializeResult:
    """Exact and near-duplicate clusters of articles (MinHash over word 5-shingles, verified by Jaccard)."""
    wh = warehouse.get()
    with wh.connect() as con:
        n_articles, fingerprint = run_sql(con, "duplicates/articles_fingerprint").fetchone()
        previous = run_sql(con, "duplicates/read_state").fetchone()
    state = f"{FINGERPRINT_VERSIONS}:{n_articles}:{fingerprint}"
    recomputed = previous is None or previous[0] != state
    if recomputed:
        # Fingerprint only bodies not seen before; clustering then starts from every stored
        # fingerprint and re-reads just the bodies of candidate pairs not verified before.
        # A batch of bodies at a time: read under lookup's small limit (the ids are scattered, so
        # the read scans every body, and at the usual limit DuckDB kept them cached), fingerprinted,
        # and its fingerprints written in a transaction of their own (a stored fingerprint is valid
        # for its body whatever happens next, so an interrupted run keeps them). Memory holds one
        # batch, never the corpus's text or prints.
        with wh.transaction() as con:
            run_sql(con, "duplicates/forget_other_versions", versions=FINGERPRINT_VERSIONS)
            run_sql(con, "duplicates/drop_stale_fingerprints", bands=NUM_BANDS, rows=ROWS_PER_BAND)
            todo_ids = [a for (a,) in run_sql(con, "duplicates/articles_to_fingerprint").fetchall()]
        fingerprinted = 0
        for offset in range(0, len(todo_ids), FINGERPRINT_BATCH):
            todo = pl.DataFrame(sorted(wh.lookup("duplicates/bodies_to_fingerprint", wanted=pl.DataFrame(
                {"article_id": todo_ids[offset:offset + FINGERPRINT_BATCH]}, schema={"article_id": pl.String}))),
                schema={"article_id": pl.String, "body_hash": pl.String, "body": pl.String}, orient="row")
            prints = pl.concat([todo.select("article_id", "body_hash"),
                                fingerprint_bodies(todo["body"].to_list())], how="horizontal")
            del todo
            with wh.transaction() as con:
                con.register("new_prints", prints)
                run_sql(con, "duplicates/write_fingerprints", bands=NUM_BANDS, rows=ROWS_PER_BAND)
            fingerprinted += prints.height
            del prints
        with wh.connect() as con:
            all_prints = query(con, "duplicates/fingerprints").pl()
            similarities = {(a, b): j for a, b, j in run_sql(con, "duplicates/similarities").fetchall()}

        def band(limit: str | None) -> pl.DataFrame:
            with wh.connect(memory_limit=limit) as con:
                run_sql(con, "duplicates/signatures")
                return candidate_pairs(con)

        # The signatures are banded where they are stored, under a small limit (larger if needed):
        # banding ANT x4's took a process from 62 to 561 MiB RSS at the usual limit, 62 to 178 at
        # 128 MB (scratch); reading them into Polars to band there, 62 to 505 before any banding.
        candidates = with_memory_fallback(band, CANDIDATE_MEMORY_LIMIT)

        def load_bodies(ids: list[str]) -> list[str]:
            # The articles of candidate pairs lie anywhere in the table: a lookup, not a scan.
            found = dict(wh.lookup("duplicates/bodies_of", wanted=pl.DataFrame({"article_id": ids})))
            return [found[i] for i in ids]

        clusters = cluster_fingerprints(all_prints, load_bodies, similarities=similarities, candidates=candidates)
        with wh.transaction() as con:
            con.register("new_similarities", pl.DataFrame(
                [(a, b, j) for (a, b), j in similarities.items()], orient="row",
                schema={"text_hash_a": pl.UInt64, "text_hash_b": pl.UInt64, "jaccard": pl.Float64}))
            run_sql(con, "duplicates/write_similarities")
            con.register("new_clusters", clusters)
            run_sql(con, "duplicates/write_clusters")
            run_sql(con, "duplicates/write_state", fingerprint=state)
        context.log.info(f"fingerprinted {fingerprinted} new bodies; clustered {all_prints.height} articles")
    else:
        context.log.info("articles unchanged since the last clustering: kept it")
    with wh.connect() as con:
        total, exact, near, clusters_with_dups, duplicate_ids, unclustered = run_sql(con, "duplicates/summary").fetchone()
        metadata = standard_metadata(con, "article_duplicates", total, "preview/article_duplicates")
    metadata.update({"exact_duplicates": int(exact), "near_duplicates": int(near),
                     "clusters_with_duplicates": int(clusters_with_dups), "recomputed": recomputed})
    return dg.MaterializeResult(
        metadata=metadata,
        check_results=[dg.AssetCheckResult(
            check_name="every_article_clustered_once", passed=duplicate_ids == 0 and unclustered == 0,
            metadata={"duplicate_ids": int(duplicate_ids), "unclustered": int(unclustered)})],
    )
