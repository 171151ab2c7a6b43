"""Duplicates: articles grouped into clusters of the same story, with a canonical article each."""
from collections.abc import Iterator

import dagster as dg
import duckdb
import polars as pl

from news_assets.defs.metadata import definition_metadata, standard_metadata
from news_assets.defs.parse.assets import articles
from news_assets.defs.resources import WarehouseResource
from news_assets.parallel import WorkerPool
from news_assets.text.duplicates import (MAX_BUCKET_PAIRS_MEMBERS, NUM_BANDS, ROWS_PER_BAND, SIMILARITY_SCHEMA,
                                         candidate_pairs, cluster_with_similarities, fingerprint_texts,
                                         normalize_body)
from news_assets.versions import DUPLICATES_VERSION
from news_assets.warehouse import query, run_sql
from news_assets.warehouse.db import with_memory_fallback

FINGERPRINT_BATCH = 5000
# Bodies a worker normalises per task (~200 KB of ANT's text): few enough round trips that the
# pipe costs little, enough tasks in a batch to keep both workers busy to its end.
NORMALIZE_CHUNK = 100
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
        previous = next(iter(run_sql(con, "duplicates/read_state").fetchall()), None)
        state = f"{FINGERPRINT_VERSIONS}:{n_articles}:{fingerprint}"
        recomputed = previous is None or previous[0] != state
        added = query(con, "duplicates/added_articles").pl() if recomputed else None
    clustering = "kept"
    if recomputed:
        # Normalising bodies (to fingerprint them, and to verify candidate pairs) is most of this
        # step's time and pure Python: it runs on $NEWS_WORKERS forked processes.
        with WorkerPool() as pool:
            def map_fn(fn, items):
                return pool.map(fn, items, chunksize=NORMALIZE_CHUNK)

            fingerprinted = _fingerprint_new_bodies(wh, map_fn)
            if _only_added(previous, added, n_articles, fingerprint):
                reclustered = _cluster_added(wh, added["article_id"].to_list(), state, map_fn)
                if reclustered is not None:
                    clustering = "incremental"
                    context.log.info(f"fingerprinted {fingerprinted} new bodies; {added.height} articles added, "
                                     f"{reclustered} clustered again with the clusters they joined")
            if clustering != "incremental":
                clustered = _cluster_all(wh, state, map_fn)
                clustering = "whole"
                context.log.info(f"fingerprinted {fingerprinted} new bodies; clustered {clustered} articles")
    else:
        context.log.info("articles unchanged since the last clustering: kept it")
    with wh.connect() as con:
        total, exact, near, clusters_with_dups, duplicate_ids, unclustered = run_sql(con, "duplicates/summary").fetchone()
        metadata = standard_metadata(con, "article_duplicates", total, "preview/article_duplicates")
    metadata.update({"exact_duplicates": int(exact), "near_duplicates": int(near),
                     "clusters_with_duplicates": int(clusters_with_dups), "recomputed": recomputed,
                     "clustering": clustering})
    return dg.MaterializeResult(
        metadata=metadata,
        check_results=[dg.AssetCheckResult(
            check_name="every_article_clustered_once", passed=duplicate_ids == 0 and unclustered == 0,
            metadata={"duplicate_ids": int(duplicate_ids), "unclustered": int(unclustered)})],
    )


def _fingerprint_new_bodies(wh, map_fn=map) -> int:
    """Fingerprint the bodies that have none yet; the number fingerprinted (``map_fn``: an ordered
    map, over worker processes, for normalize_body).

    A batch of bodies at a time: read under lookup's small limit (the ids are scattered, so the
    read scans every body, and at the usual limit DuckDB kept them cached), fingerprinted, and its
    fingerprints written in a transaction of their own (a stored fingerprint is valid for its body
    whatever happens next, so an interrupted run keeps them). Memory holds one batch, never the
    corpus's text or prints.
    """
    with wh.transaction() as con:
        run_sql(con, "duplicates/forget_other_versions", versions=FINGERPRINT_VERSIONS)
        bands_complete = run_sql(con, "duplicates/bands_complete").fetchall()[0][0]
        run_sql(con, "duplicates/drop_stale_fingerprints", bands=NUM_BANDS, rows=ROWS_PER_BAND)
        if not bands_complete:  # a warehouse from before the table, or fingerprints written without it
            run_sql(con, "duplicates/rebuild_bands", bands=NUM_BANDS)
        run_sql(con, "duplicates/mark_bands_complete")
        todo_rows = run_sql(con, "duplicates/articles_to_fingerprint").fetchall()

    def read(batch: list[tuple]) -> tuple[pl.DataFrame, Iterator[str]]:
        """The batch's ids and body hashes, and its bodies being normalised by map_fn (on worker
        processes, it has started by the time this returns)."""
        todo = pl.DataFrame(sorted(wh.lookup(
            "duplicates/bodies_to_fingerprint", params={"since": batch[0][1], "until": batch[-1][1]},
            wanted=pl.DataFrame({"article_id": [a for a, _p in batch]}, schema={"article_id": pl.String}))),
            schema={"article_id": pl.String, "body_hash": pl.String, "body": pl.String}, orient="row")
        return todo.select("article_id", "body_hash"), map_fn(normalize_body, todo["body"].to_list())

    def write(ids: pl.DataFrame, texts: Iterator[str]) -> int:
        prints = pl.concat([ids, fingerprint_texts(list(texts))], how="horizontal")
        with wh.transaction() as con:
            con.register("new_prints", prints)
            run_sql(con, "duplicates/write_fingerprints", bands=NUM_BANDS, rows=ROWS_PER_BAND)
            run_sql(con, "duplicates/mark_bands_complete")
        return prints.height

    # One batch ahead: the workers normalise the next batch's bodies while this process hashes,
    # signs and writes the last one's (ANT's 31,523 bodies, scratch: 9.6-11.3 s in one process,
    # 8.5 s with the normalising on two workers batch after batch, 6.8-7.1 s a batch ahead).
    fingerprinted, pending = 0, None
    for offset in range(0, len(todo_rows), FINGERPRINT_BATCH):
        ahead = read(todo_rows[offset:offset + FINGERPRINT_BATCH])
        if pending is not None:
            fingerprinted += write(*pending)
        pending = ahead
    if pending is not None:
        fingerprinted += write(*pending)
    return fingerprinted


def _body_loader(wh):
    def load_bodies(ids: list[str]) -> list[str]:
        # The articles of candidate pairs lie anywhere in the table: a lookup, not a scan.
        found = dict(wh.lookup("duplicates/bodies_of", wanted=pl.DataFrame({"article_id": ids})))
        return [found[i] for i in ids]
    return load_bodies


def _cluster_all(wh, state: str, map_fn=map) -> int:
    """Cluster every article from the stored fingerprints and replace the clustering; the number
    of articles clustered. Only the bodies of candidate pairs not verified before are read."""
    with wh.connect() as con:
        all_prints = query(con, "duplicates/fingerprints").pl()
        similarities = query(con, "duplicates/similarities").pl()

    def band(limit: str | None) -> pl.DataFrame:
        with wh.connect(memory_limit=limit) as con:
            run_sql(con, "duplicates/signatures")
            return candidate_pairs(con)

    # The signatures are banded where they are stored, under a small limit (larger if needed):
    # banding ANT x4's took a process from 62 to 561 MiB RSS at the usual limit, 62 to 178 at
    # 128 MB (scratch); reading them into Polars to band there, 62 to 505 before any banding.
    candidates = with_memory_fallback(band, CANDIDATE_MEMORY_LIMIT)
    clusters, verified = cluster_with_similarities(all_prints, _body_loader(wh), similarities=similarities,
                                                   candidates=candidates, map_fn=map_fn)
    _write_clustering(wh, pl.concat([similarities.cast(SIMILARITY_SCHEMA), verified]), "duplicates/write_similarities",
                      clusters, "duplicates/write_clusters", state)
    return all_prints.height


def _write_clustering(wh, pairs: pl.DataFrame, pairs_sql: str, clusters: pl.DataFrame, clusters_sql: str,
                      state: str) -> None:
    """In one transaction: the verified ``pairs`` (SIMILARITY_SCHEMA) and the ``clusters`` rows,
    through the given SQL files, and the state they were computed for."""
    with wh.transaction() as con:
        con.register("new_similarities", pairs)
        run_sql(con, pairs_sql)
        con.register("new_clusters", clusters)
        run_sql(con, clusters_sql)
        run_sql(con, "duplicates/write_state", fingerprint=state)


def _only_added(previous: tuple | None, added: pl.DataFrame, n_articles: int, fingerprint: str) -> bool:
    """Whether the articles changed only by the ``added`` ones since the clustering recorded in
    ``previous`` (same fingerprint versions; none removed or changed): the stored fingerprint,
    XOR the added articles' hashes, is the current one."""
    if previous is None or added.height == 0:
        return False
    versions, _, rest = previous[0].rpartition(":")
    versions, _, old_count = versions.rpartition(":")
    if versions != FINGERPRINT_VERSIONS or not old_count.isdigit() or not rest.isdigit():
        return False
    combined = int(rest)
    for print_ in added["print"].to_list():
        combined ^= print_
    return int(old_count) + added.height == n_articles and str(combined) == fingerprint


def _cluster_added(wh, added_ids: list[str], state: str, map_fn=map) -> int | None:
    """Cluster the added articles into the stored clustering; the number of articles whose rows
    were written again, or None when only a whole clustering gives the same result.

    The same clusters as clustering everything again (tests compare both), for this reason: every
    candidate pair the whole clustering would find is an old one (verified and stored before) or
    has an added text in it, provided no LSH bucket an added text falls in has more than
    MAX_BUCKET_PAIRS_MEMBERS texts (those are linked as a star and a chain whose pairs depend on
    every member, so one more member can drop an old pair: then None). So the new clusters are the
    old ones merged through the added articles' pairs, and only the added articles and the members
    of the clusters they touch are clustered again, from their stored fingerprints and pairs.
    """
    added = pl.DataFrame({"article_id": added_ids}, schema={"article_id": pl.String})

    def buckets(limit: str | None) -> pl.DataFrame:
        with wh.connect(memory_limit=limit) as con:
            con.register("added", added)
            return query(con, "duplicates/added_buckets", bands=NUM_BANDS).pl()

    members = with_memory_fallback(buckets, CANDIDATE_MEMORY_LIMIT)
    if members.height and members.group_by("band", "key").len()["len"].max() > MAX_BUCKET_PAIRS_MEMBERS:
        return None
    with wh.connect() as con:
        con.register("added", added)
        added_texts = query(con, "duplicates/added_texts").pl()["text_hash"]
        pairs = (
            members.join(members, on=["band", "key"], suffix="_b")
            .filter(pl.col("text_hash") < pl.col("text_hash_b"))
            .filter(pl.col("text_hash").is_in(added_texts.implode()) | pl.col("text_hash_b").is_in(added_texts.implode()))
            .select(pl.col("text_hash").alias("a"), pl.col("text_hash_b").alias("b"))
            .unique()
        )
        con.register("texts", pl.DataFrame({"text_hash": pl.concat([added_texts, pairs["a"], pairs["b"]]).unique()}))
        prints = query(con, "duplicates/affected_fingerprints").pl()
        con.register("texts", prints.select("text_hash").unique())
        known = query(con, "duplicates/similarities_among").pl()
    # The pairs verified before among these texts stand for the old clusters' links (a cluster is
    # connected by its pairs at or above the threshold); the new ones are verified now.
    candidates = pl.concat([pairs, known.select(pl.col("text_hash_a").alias("a"), pl.col("text_hash_b").alias("b"))
                            .cast(pl.UInt64)]).unique()
    clusters, verified = cluster_with_similarities(prints, _body_loader(wh), similarities=known, candidates=candidates,
                                                   map_fn=map_fn)
    _write_clustering(wh, verified, "duplicates/add_similarities", clusters, "duplicates/update_clusters", state)
    return clusters.height
