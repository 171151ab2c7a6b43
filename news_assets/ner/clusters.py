"""Distributional word clusters from unlabeled text, in plain numpy.

Each word (a clitic-stripped stem, see ``features.split_proclitic``) is described by how often
each of the most frequent words occurs right before and right after it (and, with weaker
weight, two positions away). The counts are reweighted by positive PMI, reduced to a few
dozen dimensions (eigenvectors of the context-context Gram matrix, i.e. a truncated SVD), and
the unit-length word vectors are grouped by spherical k-means at several granularities. Names
of people end up together because they share contexts (``الرئيس X``, ``X قال``), places share
``في X`` / ``X العاصمة``, and so on; the CRF then sees the cluster ids of words that never
occur in its labelled training data.

Everything is deterministic for the same input (fixed seeds, stable sorts).
"""
from __future__ import annotations

from collections.abc import Sequence

import numpy as np

__all__ = ["cooc_counts", "word_vectors", "kmeans", "word_clusters", "clusters_from_ids"]


def cooc_counts(
    ids: np.ndarray, n_words: int, ctx_of: np.ndarray, offsets: Sequence[int] = (-1, 1)
) -> tuple[np.ndarray, np.ndarray, int]:
    """Sparse co-occurrence counts of words (rows < n_words) with context slots.

    ``ids``: token ids in corpus order, -1 between documents (no pair crosses a -1).
    ``ctx_of[id]``: the context index of a token id (-1 if not a context word).
    Column of (offset k, context c) is ``k_index * n_ctx + c``.
    Returns (codes, counts, n_cols) with codes = row * n_cols + col, sorted.
    """
    n_ctx = int(ctx_of.max()) + 1 if len(ctx_of) else 0
    n_cols = n_ctx * len(offsets)
    codes = []
    for k, off in enumerate(offsets):
        if off > 0:
            w, c = ids[:-off], ids[off:]
        else:
            w, c = ids[-off:], ids[:off]
        # a pair is valid when neither end nor anything between crosses a document break
        ok = (w >= 0) & (c >= 0) & (w < n_words)
        if abs(off) > 1:
            brk = np.flatnonzero(ids < 0)
            if len(brk):
                # position of each token in terms of documents: equal doc index on both ends
                doc = np.cumsum(ids < 0)
                dw = doc[-off:] if off < 0 else doc[:-off]
                dc = doc[:off] if off < 0 else doc[off:]
                ok &= dw == dc
        w, c = w[ok], c[ok]
        cc = ctx_of[c]
        keep = cc >= 0
        codes.append(w[keep].astype(np.int64) * n_cols + (k * n_ctx + cc[keep]))
    allc = np.concatenate(codes) if codes else np.zeros(0, np.int64)
    uniq, counts = np.unique(allc, return_counts=True)
    return uniq, counts.astype(np.float64), n_cols


def word_vectors(
    codes: np.ndarray, counts: np.ndarray, n_rows: int, n_cols: int, dim: int = 64, block: int = 4096
) -> np.ndarray:
    """PPMI-weighted co-occurrence rows reduced to ``dim`` dims and scaled to unit length."""
    rows = codes // n_cols
    cols = codes % n_cols
    row_sum = np.bincount(rows, weights=counts, minlength=n_rows)
    col_sum = np.bincount(cols, weights=counts, minlength=n_cols) ** 0.75  # context smoothing
    total = counts.sum()
    col_p = col_sum / col_sum.sum()
    with np.errstate(divide="ignore"):
        pmi = np.log(counts / total) - np.log(row_sum[rows] / total) - np.log(col_p[cols])
    w = np.maximum(pmi, 0.0)
    starts = np.searchsorted(rows, np.arange(0, n_rows + block, block))
    gram = np.zeros((n_cols, n_cols))
    blocks = []
    for b, r0 in enumerate(range(0, n_rows, block)):
        r1 = min(r0 + block, n_rows)
        a, z = starts[b], starts[b + 1]
        m = np.zeros((r1 - r0, n_cols))
        np.add.at(m, (rows[a:z] - r0, cols[a:z]), w[a:z])
        gram += m.T @ m
        blocks.append((a, z, r0, r1))
    evals, evecs = np.linalg.eigh(gram)
    order = np.argsort(-evals, kind="stable")[:dim]
    v = evecs[:, order]
    # fix each eigenvector's sign so results do not depend on LAPACK's choice
    v *= np.where(v[np.abs(v).argmax(axis=0), np.arange(v.shape[1])] < 0, -1.0, 1.0)
    out = np.zeros((n_rows, v.shape[1]))
    for a, z, r0, r1 in blocks:
        m = np.zeros((r1 - r0, n_cols))
        np.add.at(m, (rows[a:z] - r0, cols[a:z]), w[a:z])
        out[r0:r1] = m @ v
    norm = np.linalg.norm(out, axis=1, keepdims=True)
    norm[norm == 0] = 1.0
    return out / norm


def kmeans(x: np.ndarray, k: int, iters: int = 25, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """Spherical k-means on unit rows: (labels, unit centroids). k-means++ start, fixed seed."""
    n = len(x)
    k = max(1, min(k, n))
    rng = np.random.default_rng(seed)
    cent = np.empty((k, x.shape[1]))
    cent[0] = x[rng.integers(n)]
    d = 1.0 - x @ cent[0]
    for j in range(1, k):
        p = np.maximum(d, 0)
        s = p.sum()
        idx = int(rng.choice(n, p=p / s)) if s > 0 else int(rng.integers(n))
        cent[j] = x[idx]
        d = np.minimum(d, 1.0 - x @ cent[j])
    labels = np.full(n, -1)
    for _ in range(iters):
        new = np.argmax(x @ cent.T, axis=1)
        if np.array_equal(new, labels):
            break
        labels = new
        sums = np.zeros_like(cent)
        np.add.at(sums, labels, x)
        nrm = np.linalg.norm(sums, axis=1, keepdims=True)
        empty = nrm[:, 0] == 0
        cent = np.where(empty[:, None], cent, sums / np.where(nrm == 0, 1.0, nrm))
    return labels, cent


def word_clusters(seqs: Sequence[Sequence[str]], **options) -> dict[str, tuple[int, ...]]:
    """Cluster ids of the words of token sequences (documents or sentences); ``options`` are
    clusters_from_ids's (ks, min_count, n_context, ...)."""
    index: dict[str, int] = {}
    parts = []
    for s in seqs:
        parts.append(np.fromiter((index.setdefault(t, len(index)) for t in s), dtype=np.int64, count=len(s)))
        parts.append(np.array([-1], dtype=np.int64))
    if not index:
        return {}
    return clusters_from_ids(np.concatenate(parts), list(index), **options)


def clusters_from_ids(
    ids: np.ndarray,
    words: Sequence[str],
    ks: Sequence[int] = (64, 256, 1024),
    min_count: int = 5,
    n_context: int = 500,
    fit_words: int = 20000,
    dim: int = 64,
    offsets: Sequence[int] = (-2, -1, 1, 2),
) -> dict[str, tuple[int, ...]]:
    """Cluster ids (one per k in ``ks``) of every word seen at least ``min_count`` times.

    ``ids``: the corpus mapped to ids (indexes into ``words``), -1 between documents; memory is the
    id array (8 bytes a token), not a string per token. Context words are the ``n_context`` most
    frequent tokens (punctuation included); k-means is fitted on the ``fit_words`` most frequent
    words and the rest are assigned to the nearest centroid.
    """
    counts = np.bincount(ids[ids >= 0], minlength=len(words))
    # stable order: by count, then by string
    order = sorted((i for i in range(len(words)) if counts[i] >= min_count), key=lambda i: (-counts[i], words[i]))
    if not order:
        return {}
    n_rows = len(order)
    remap = np.full(len(words) + 1, n_rows, dtype=np.int64)  # rare words -> n_rows (not a row)
    remap[np.array(order, dtype=np.int64)] = np.arange(n_rows)
    remap[-1] = -1  # index -1 (document break) stays -1
    ids = remap[ids]
    ctx_of = np.full(n_rows + 1, -1, dtype=np.int64)
    n_ctx = min(n_context, n_rows)
    ctx_of[:n_ctx] = np.arange(n_ctx)
    codes, cooc, n_cols = cooc_counts(ids, n_rows, ctx_of, offsets)
    vec = word_vectors(codes, cooc, n_rows, n_cols, dim=dim)
    fit = vec[: min(fit_words, n_rows)]
    labels = []
    for j, k in enumerate(ks):
        _lab, cent = kmeans(fit, k, seed=j)
        labels.append(np.argmax(vec @ cent.T, axis=1))
    return {words[w]: tuple(int(lab[i]) for lab in labels) for i, w in enumerate(order)}
