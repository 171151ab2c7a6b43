"""Exact and near-duplicate clustering of article bodies (wire stories republished with edits).

Pure Python + Polars; no Dagster. Entry point: :func:`cluster_duplicates`.

Method
------
1. **Normalised body** — :func:`~news_assets.text.normalize.normalize_for_matching`, then
   punctuation (anything that is neither a word character nor whitespace, and ``_``) becomes a
   space and whitespace is collapsed, over the whole body at once (every step is
   character-local, so this equals normalising token by token). It was token by token through a
   bounded cache, which thrashed once a corpus had more distinct tokens than it held: ANT has
   398k; a cold clustering of ANT x4 missed 4.2M times and spent most of its 98 s there.
2. **Exact duplicates** — equal normalised bodies (at least one word).
3. **Near duplicates** — among one representative per exact group with at least
   :data:`MIN_NEAR_WORDS` words:

   * word 5-shingles, each hashed to 64 bits (Polars ``hash`` of the words, combined as a
     polynomial mod 2**64 — vectorised, no per-shingle Python);
   * MinHash signature of :data:`NUM_BANDS` × :data:`ROWS_PER_BAND` values; permutation ``k`` is
     ``v = (s XOR b_k) * a_k`` (``a_k`` odd) followed by ``v XOR (v >> 32)`` — both bijections of
     the 64-bit space;
   * LSH banding: two bodies sharing all ``r`` values of any band become a candidate pair (20
     bands of 5 catch a Jaccard-0.8 pair with probability 0.9996, a 0.5 pair with 0.47). This
     step is SQL (sql/duplicates/candidate_pairs.sql, :func:`candidate_pairs`) run in DuckDB,
     where a warehouse stores the signatures: reading ANT x4's 126k signatures into Polars took
     a process from 62 to 505 MiB RSS, banding them in DuckDB under a 128 MB limit 62 to 178;
   * every candidate pair is verified by the *exact* Jaccard similarity of the two shingle sets;
     pairs at or above ``threshold`` are merged with union-find.

   Very large LSH buckets (> :data:`MAX_BUCKET_PAIRS_MEMBERS` members, e.g. a template repeated
   thousands of times) are linked as a star plus a chain instead of all pairs, so the cost stays
   linear; a pair that only that bucket proposed can then be missed.
4. **Canonical** — per cluster the earliest ``published_at`` (nulls last), ties broken by
   ``article_id``. ``duplicate_kind`` is ``'exact'`` when the normalised body equals the
   canonical's, else ``'near'``; ``similarity`` is the exact shingle Jaccard with the canonical
   (1.0 for canonical/exact). Clusters are transitive, so a ``'near'`` member joined through
   another member can have a similarity to the canonical below ``threshold``.

Determinism: membership depends only on the exact Jaccard values of verified pairs; hashes only
decide which pairs get verified, and the hash seeds are fixed (Polars' ``hash`` is stable within
a Polars version, DuckDB's ``hash`` of a band within a DuckDB version). Output rows follow the
input order.
"""

from __future__ import annotations

import re

import duckdb
import polars as pl

from .normalize import normalize_for_matching

__all__ = ["candidate_pairs", "cluster_duplicates", "cluster_fingerprints", "cluster_with_similarities", "fingerprint_bodies", "fingerprint_texts", "normalize_body", "MIN_NEAR_WORDS",
           "NUM_BANDS", "ROWS_PER_BAND", "SHINGLE_WORDS"]

SHINGLE_WORDS = 5
MIN_NEAR_WORDS = 8  # shorter bodies only cluster on exact match
NUM_BANDS = 20
ROWS_PER_BAND = 5
MAX_BUCKET_PAIRS_MEMBERS = 100
# Candidate pairs verified at a time: their bodies are read and shingled, the pairs' Jaccard
# computed, and the shingles let go. Verifying every candidate at once grew with the number of
# candidates: 1.78 GB for the 11,402 pairs of ANT with one remixed copy (bench/memory_scale.py
# --fractions 2); 1,000 at a time, 0.66 GB and ~1.5 s more (2,000: 0.80 GB).
VERIFY_PAIRS = 1000

_U64 = (1 << 64) - 1
_WORD_SEED = 0x5EED
_POLY = 0x100000001B3  # FNV-64 prime: multiplier of the polynomial shingle hash


def _perm_constants(n: int) -> tuple[list[int], list[int]]:
    """Fixed odd multipliers and xor masks (splitmix64 sequence from a constant seed)."""
    state = 0x243F6A8885A308D3
    out: list[int] = []
    for _ in range(2 * n):
        state = (state + 0x9E3779B97F4A7C15) & _U64
        z = state
        z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & _U64
        z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & _U64
        out.append(z ^ (z >> 31))
    return [x | 1 for x in out[:n]], out[n:]


_MULS, _XORS = _perm_constants(NUM_BANDS * ROWS_PER_BAND)
_PUNCT = re.compile(r"[^\w\s]+|_+")

_OUTPUT_SCHEMA = {
    "article_id": pl.String,
    "cluster_id": pl.String,
    "canonical_article_id": pl.String,
    "duplicate_kind": pl.String,
    "similarity": pl.Float64,
}


def normalize_body(body: str | None) -> str:
    """The matching form of a body: normalised, punctuation removed, whitespace collapsed."""
    if not body:
        return ""
    return " ".join(_PUNCT.sub(" ", normalize_for_matching(body)).split())


# --------------------------------------------------------------------------------------------
# shingles, MinHash, LSH
# --------------------------------------------------------------------------------------------


def _shingles(texts: pl.DataFrame) -> pl.DataFrame:
    """(doc, s): one row per word 5-shingle occurrence of each text (doc: UInt32, s: UInt64)."""
    words = (
        texts.select("doc", pl.col("text").str.split(" ").alias("w"))
        .explode("w")
        .select("doc", pl.col("w").hash(_WORD_SEED).alias("h"))
    )
    mul = pl.lit(_POLY, dtype=pl.UInt64)
    s = pl.col("h")
    for i in range(1, SHINGLE_WORDS):
        s = s * mul + pl.col("h").shift(-i)
    last_doc = pl.col("doc").shift(-(SHINGLE_WORDS - 1))
    return words.select("doc", s.alias("s"), last_doc.alias("_d")).filter(pl.col("doc") == pl.col("_d")).drop("_d")


def _minhash(shingles: pl.DataFrame) -> pl.DataFrame:
    """(doc, m0 … m{K-1}) MinHash signature per doc."""
    s = pl.col("s")
    half = pl.lit(1 << 32, dtype=pl.UInt64)
    aggs = []
    for k, (a, b) in enumerate(zip(_MULS, _XORS)):
        v = (s ^ pl.lit(b, dtype=pl.UInt64)) * pl.lit(a, dtype=pl.UInt64)
        aggs.append((v ^ (v // half)).min().alias(f"m{k}"))
    return shingles.lazy().group_by("doc").agg(aggs).collect(engine="streaming")


def register_signatures(con, signatures: pl.DataFrame) -> None:
    """Make ``signatures`` (article_id, text_hash, minhash) the relation :func:`candidate_pairs`
    reads on ``con``, with its band keys (sql/duplicates/frame_signatures.sql)."""
    from news_assets.warehouse.db import run_sql  # the SQL file reader; nothing here needs a warehouse

    con.register("signature_frame", signatures)
    run_sql(con, "duplicates/frame_signatures", bands=NUM_BANDS, rows=ROWS_PER_BAND)


def candidate_pairs(con) -> pl.DataFrame:
    """(a, b) normalised-text hashes, a < b, of the candidate pairs among the signatures in the
    relation ``signatures`` (article_id, text_hash, minhash, band_keys) on the DuckDB connection
    ``con``: the LSH banding of sql/duplicates/candidate_pairs.sql, run where the signatures are
    stored (band_keys as sql/duplicates/write_fingerprints.sql computes them)."""
    from news_assets.warehouse.db import query  # the SQL file reader; nothing here needs a warehouse

    return query(con, "duplicates/candidate_pairs", bands=NUM_BANDS, rows=ROWS_PER_BAND,
                 max_members=MAX_BUCKET_PAIRS_MEMBERS).pl()


def _jaccard(pairs: pl.DataFrame, shingle_sets: pl.DataFrame) -> pl.DataFrame:
    """Exact Jaccard of shingle sets for each (a, b) pair → (a, b, j)."""
    if pairs.height == 0:
        return pairs.with_columns(pl.lit(None, dtype=pl.Float64).alias("j"))
    sizes = shingle_sets.group_by("doc").agg(pl.len().alias("n"))
    inter = (
        pairs.join(shingle_sets.rename({"doc": "a"}), on="a")
        .join(shingle_sets.rename({"doc": "b"}), on=["b", "s"])
        .group_by("a", "b")
        .agg(pl.len().alias("i"))
    )
    return (
        pairs.join(inter, on=["a", "b"], how="left")
        .join(sizes.rename({"doc": "a", "n": "na"}), on="a", how="left")
        .join(sizes.rename({"doc": "b", "n": "nb"}), on="b", how="left")
        .with_columns(pl.col("i").fill_null(0))
        .select("a", "b", (pl.col("i") / (pl.col("na") + pl.col("nb") - pl.col("i"))).alias("j"))
    )


def _find(parent: dict[int, int], x: int) -> int:
    root = x
    while parent.get(root, root) != root:
        root = parent[root]
    while parent.get(x, x) != root:  # path compression
        parent[x], x = root, parent[x]
    return root


# --------------------------------------------------------------------------------------------
# entry point
# --------------------------------------------------------------------------------------------


FINGERPRINT_SCHEMA = {
    "text_hash": pl.UInt64,
    "n_words": pl.Int32,
    "minhash": pl.List(pl.UInt64),
}


def fingerprint_bodies(bodies: list[str | None]) -> pl.DataFrame:
    """Per body, what clustering needs, computed once and storable: a hash of the normalised text
    (exact duplicates), its word count, and the MinHash signature (None when too short to be a near
    duplicate). Rows follow the input order."""
    return fingerprint_texts([normalize_body(b) for b in bodies])


def fingerprint_texts(texts: list[str]) -> pl.DataFrame:
    """:func:`fingerprint_bodies` of bodies already normalised by :func:`normalize_body` (the
    pipeline normalises them on worker processes: it is most of the time here)."""
    texts = pl.DataFrame(
        {"doc": pl.Series(range(len(texts)), dtype=pl.UInt32), "text": texts},
        schema={"doc": pl.UInt32, "text": pl.String},
    ).with_columns(
        pl.when(pl.col("text") == "").then(0).otherwise(pl.col("text").str.count_matches(" ") + 1)
        .cast(pl.Int32).alias("n_words"),
        pl.col("text").hash(_WORD_SEED).alias("text_hash"),
    )
    long_enough = texts.filter(pl.col("n_words") >= MIN_NEAR_WORDS)
    sig_cols = [f"m{k}" for k in range(NUM_BANDS * ROWS_PER_BAND)]
    if long_enough.height:
        sig = _minhash(_shingles(long_enough)).select("doc", pl.concat_list(sig_cols).alias("minhash"))
    else:
        sig = pl.DataFrame(schema={"doc": pl.UInt32, "minhash": pl.List(pl.UInt64)})
    return texts.join(sig, on="doc", how="left").sort("doc").select(list(FINGERPRINT_SCHEMA))


def cluster_duplicates(articles: pl.DataFrame, threshold: float = 0.8) -> pl.DataFrame:
    """Cluster exact and near-duplicate bodies; one output row per input row, in input order.

    Input columns: ``article_id`` (str, unique), ``body`` (str), ``published_at`` (datetime or
    null), ``source`` (str or null; carried by the contract, not used for matching).
    Output: ``article_id``, ``cluster_id`` (= ``canonical_article_id``), ``canonical_article_id``,
    ``duplicate_kind`` ('canonical' | 'exact' | 'near'), ``similarity`` (Float64).
    """
    missing = {"article_id", "body", "published_at"} - set(articles.columns)
    if missing:
        raise ValueError(f"missing column(s): {sorted(missing)}")
    bodies = dict(zip(articles["article_id"].cast(pl.String).to_list(), articles["body"].to_list()))
    prints = pl.concat([articles.select("article_id", "published_at"),
                        fingerprint_bodies(articles["body"].to_list())], how="horizontal")
    return cluster_fingerprints(prints, lambda ids: [bodies[i] for i in ids], threshold)


SIMILARITY_SCHEMA = {"text_hash_a": pl.UInt64, "text_hash_b": pl.UInt64, "jaccard": pl.Float64}


def cluster_fingerprints(prints: pl.DataFrame, load_bodies, threshold: float = 0.8,
                         candidates: pl.DataFrame | None = None) -> pl.DataFrame:
    """Cluster from stored fingerprints (see :func:`fingerprint_bodies`); output as
    :func:`cluster_duplicates`. The arguments are :func:`cluster_with_similarities`'s."""
    return cluster_with_similarities(prints, load_bodies, threshold, candidates=candidates)[0]


def cluster_with_similarities(prints: pl.DataFrame, load_bodies, threshold: float = 0.8,
                              similarities: pl.DataFrame | None = None,
                              candidates: pl.DataFrame | None = None, map_fn=map) -> tuple[pl.DataFrame, pl.DataFrame]:
    """(clusters, the pairs verified now) from stored fingerprints (see :func:`fingerprint_bodies`).

    ``prints``: ``article_id``, ``published_at``, ``text_hash``, ``n_words`` and, unless
    ``candidates`` is given, ``minhash``. ``candidates``: the candidate pairs as
    :func:`candidate_pairs` returns them, computed where the signatures are stored (a warehouse
    keeps them out of Python: 800 bytes an article). ``load_bodies(ids)``
    returns the bodies of the given article ids, in order: only the articles of candidate pairs are
    read again, to verify them by exact shingle Jaccard. Clusters as :func:`cluster_duplicates`.

    ``similarities``: Jaccard of earlier verified pairs (:data:`SIMILARITY_SCHEMA`: the two
    normalised-text hashes, smaller first, one row a pair). Pairs found there are not verified
    again (their bodies are not read); the pairs verified now come back in the same shape, so a
    caller that stores them makes a refresh re-read only the bodies of new candidate pairs.
    Everything per article or per pair stays in Polars frames: as Python dicts and lists (ANT x8:
    252k articles, 384k verified pairs) they took a whole clustering from 136 to 513 MiB RSS.
    """
    if not 0.0 < threshold <= 1.0:
        raise ValueError(f"threshold must be in (0, 1], got {threshold}")
    known = pl.DataFrame(schema=SIMILARITY_SCHEMA) if similarities is None else similarities.select(
        pl.col(c).cast(t) for c, t in SIMILARITY_SCHEMA.items())
    verified: list[pl.DataFrame] = []
    n = prints.height
    if n == 0:
        return pl.DataFrame(schema=_OUTPUT_SCHEMA), pl.DataFrame(schema=SIMILARITY_SCHEMA)
    ids = prints["article_id"].cast(pl.String)
    if ids.null_count() or ids.n_unique() != n:
        raise ValueError("article_id must be non-null and unique")

    if candidates is None:
        signatures = prints.filter(pl.col("minhash").is_not_null()).select("article_id", "text_hash", "minhash")
        with duckdb.connect(":memory:") as con:
            register_signatures(con, signatures)
            candidates = candidate_pairs(con)
    texts = prints.select(pl.Series("doc", range(n), dtype=pl.UInt32), pl.col("text_hash").cast(pl.UInt64), "n_words")
    # exact groups: representative = first doc with that normalised text (empty texts stand alone)
    texts = texts.with_columns(
        pl.when(pl.col("n_words") > 0).then(pl.col("doc").min().over("text_hash")).otherwise(pl.col("doc")).alias("rep")
    )
    text_hash = texts["text_hash"]

    def shingle_sets_of(docs: pl.Series) -> pl.DataFrame:
        """Shingle sets of these docs, from their bodies read again."""
        texts_todo = pl.DataFrame({"doc": docs.cast(pl.UInt32),
                                   "text": list(map_fn(normalize_body, load_bodies(ids.gather(docs).to_list())))})
        return _shingles(texts_todo).unique()

    def jaccard(pairs: pl.DataFrame) -> pl.DataFrame:
        """(a, b, j) for doc pairs: from the known or verified pairs, else verified on shingle sets."""
        ha, hb = text_hash.gather(pairs["a"]), text_hash.gather(pairs["b"])
        keyed = pairs.select("a", "b").with_columns(
            pl.min_horizontal(ha, hb).alias("text_hash_a"), pl.max_horizontal(ha, hb).alias("text_hash_b"))
        pairs_known = pl.concat([known, *verified])
        todo = (keyed.join(pairs_known, on=["text_hash_a", "text_hash_b"], how="anti")
                .unique(["text_hash_a", "text_hash_b"]).sort("a", "b"))  # pairs of one doc together
        for offset in range(0, todo.height, VERIFY_PAIRS):
            chunk = todo.slice(offset, VERIFY_PAIRS)
            computed = _jaccard(chunk.select("a", "b"), shingle_sets_of(pl.concat([chunk["a"], chunk["b"]]).unique().sort()))
            verified.append(chunk.join(computed, on=["a", "b"], how="left")
                            .select("text_hash_a", "text_hash_b", pl.col("j").cast(pl.Float64).alias("jaccard")))
        pairs_known = pl.concat([known, *verified])
        return (keyed.join(pairs_known, on=["text_hash_a", "text_hash_b"], how="left", maintain_order="left")
                .select("a", "b", pl.col("jaccard").alias("j")))

    # near duplicates: candidate pairs of texts, as pairs of their representatives
    reps = texts.filter((pl.col("doc") == pl.col("rep")) & (pl.col("n_words") > 0)).select("text_hash", "doc")
    pairs = (
        candidates.join(reps.rename({"text_hash": "a", "doc": "da"}), on="a")
        .join(reps.rename({"text_hash": "b", "doc": "db"}), on="b")
        .select(pl.min_horizontal("da", "db").alias("a"), pl.max_horizontal("da", "db").alias("b"))
    )
    # union-find over the representatives of verified pairs only (a few per cent of the articles)
    parent: dict[int, int] = {}
    if pairs.height:
        linked = jaccard(pairs).filter(pl.col("j") >= threshold)
        for a, b in linked.select("a", "b").sort("a", "b").iter_rows():
            ra, rb = _find(parent, a), _find(parent, b)
            if ra != rb:
                parent[max(ra, rb)] = min(ra, rb)
    joined = list(parent)
    roots = pl.DataFrame({"rep": pl.Series(joined, dtype=pl.UInt32),
                          "root": pl.Series([_find(parent, r) for r in joined], dtype=pl.UInt32)})

    frame = pl.DataFrame({"doc": pl.Series(range(n), dtype=pl.UInt32), "article_id": ids,
                          "published_at": prints["published_at"], "rep": texts["rep"]})
    frame = (frame.join(roots, on="rep", how="left", maintain_order="left")
             .with_columns(pl.col("root").fill_null(pl.col("rep"))))
    canon = (
        frame.sort("root", "published_at", "article_id", nulls_last=True)
        .group_by("root", maintain_order=True)
        .first()
        .select("root", pl.col("doc").alias("cdoc"), pl.col("article_id").alias("canonical_article_id"),
                pl.col("rep").alias("crep"))
    )
    frame = frame.join(canon, on="root", how="left").sort("doc")

    # similarity of near members to their canonical (shingle sets are shared within exact groups)
    near_pairs = frame.filter(pl.col("rep") != pl.col("crep")).select(
        pl.col("rep").alias("a"), pl.col("crep").alias("b")
    ).unique()
    sims = pl.DataFrame(schema={"a": pl.UInt32, "b": pl.UInt32, "j": pl.Float64})
    if near_pairs.height:
        sims = jaccard(near_pairs)

    out = frame.join(sims, left_on=["rep", "crep"], right_on=["a", "b"], how="left").sort("doc")
    kind = (
        pl.when(pl.col("doc") == pl.col("cdoc")).then(pl.lit("canonical"))
        .when(pl.col("rep") == pl.col("crep")).then(pl.lit("exact"))
        .otherwise(pl.lit("near"))
    )
    clusters = out.select(
        "article_id",
        pl.col("canonical_article_id").alias("cluster_id"),
        "canonical_article_id",
        kind.alias("duplicate_kind"),
        pl.when(pl.col("rep") == pl.col("crep")).then(1.0).otherwise(pl.col("j")).cast(pl.Float64).alias("similarity"),
    )
    return clusters, pl.concat([pl.DataFrame(schema=SIMILARITY_SCHEMA), *verified])
