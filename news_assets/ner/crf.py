"""Decoding a trained linear-chain CRF with numpy: per-token scores from cached weight sums, then
Viterbi over many sequences at once.

A linear-chain CRF as CRFsuite defines it (news_assets.ner.crf_train trains one the same way)
scores a label sequence y for tokens x as
``sum_t sum_{a in attrs(x_t)} w[a, y_t] + sum_t T[y_{t-1}, y_t]`` and decodes by Viterbi. Handing
it attribute strings costs a string lookup per attribute (about 100 per token). Most of a token's
attributes depend only on its own string or on one neighbour's string, so their weight sums can be
computed once per distinct token and reused: a token's state score is then a few vector additions.
The result is CRFsuite's decoding of the same weights (of a CRFsuite model: as its dump prints them,
6 decimals); the test checks the labels against CRFsuite's own tagger.
"""
from __future__ import annotations

from collections.abc import Iterable, Sequence
from pathlib import Path

import numpy as np

__all__ = ["CrfWeights", "viterbi_batch"]


class CrfWeights:
    """Labels, a weight row per attribute and the transition matrix of a trained linear-chain CRF
    (CRFsuite's, or news_assets.ner.crf_train's with the same objective)."""

    def __init__(self, labels: Sequence[str], state: dict[tuple[str, str], float],
                 transitions: dict[tuple[str, str], float]) -> None:
        self.labels = list(labels)
        lab = {y: i for i, y in enumerate(self.labels)}
        attrs = sorted({a for a, _y in state})
        self.index = {a: i for i, a in enumerate(attrs)}
        self.w = np.zeros((len(attrs) + 1, len(self.labels)))  # the last row: an unknown attribute (zeros)
        for (a, y), v in state.items():
            self.w[self.index[a], lab[y]] = v
        self.t = np.zeros((len(self.labels), len(self.labels)))
        for (y0, y1), v in transitions.items():
            self.t[lab[y0], lab[y1]] = v
        self.unknown = len(attrs)

    def save(self, path: str | Path) -> None:
        """Write labels, attributes and weights as one .npz file at ``path`` (name kept as given)."""
        attrs = np.array(sorted(self.index, key=self.index.__getitem__), dtype=str)
        with open(path, "wb") as f:
            np.savez(f, labels=np.array(self.labels, dtype=str), attrs=attrs, w=self.w[:self.unknown], t=self.t)

    @classmethod
    def load(cls, path: str | Path) -> CrfWeights:
        with np.load(path, allow_pickle=False) as z:
            labels, attrs, w, t = z["labels"].tolist(), z["attrs"].tolist(), z["w"], z["t"]
        weights = cls(labels, {}, {})  # empty, then the stored arrays as they are
        weights.index = {a: i for i, a in enumerate(attrs)}
        weights.w = np.vstack([w, np.zeros((1, len(labels)))])  # + the unknown attribute's zero row
        weights.t = t
        weights.unknown = len(attrs)
        return weights

    @classmethod
    def from_tagger(cls, tagger) -> CrfWeights:
        """From an open ``pycrfsuite.Tagger`` (its model dump)."""
        info = tagger.info()
        labels = sorted(info.labels, key=lambda y: int(info.labels[y]))
        return cls(labels, info.state_features, info.transitions)

    def sum(self, attrs: Iterable[str]) -> np.ndarray:
        """Summed weight rows of these attributes (unknown ones weigh nothing; repeats count twice)."""
        return self.sums([attrs])[0]

    def sums(self, groups: Sequence[Iterable[str]]) -> np.ndarray:
        """``sum`` of each group of attributes, as rows of one (groups x labels) array."""
        index, unknown = self.index, self.unknown
        idx: list[int] = []
        starts = []
        for attrs in groups:
            starts.append(len(idx))
            idx.append(unknown)  # a zero row first, so an empty group sums to zeros
            idx.extend([index.get(a, unknown) for a in attrs])
        return np.add.reduceat(self.w[idx], starts, axis=0)


def viterbi_batch(scores: Sequence[np.ndarray], t: np.ndarray, group: int = 256) -> list[np.ndarray]:
    """Best label index sequence for each (n_i x L) state-score matrix, under transitions ``t``.

    Sequences are decoded ``group`` at a time, longest first, so each step of the recursion is one
    numpy operation over the sequences still running at that step: a short article does not pay for
    the steps of the longest one beside it. Ties go to the lowest label index, as in CRFsuite.
    """
    out: list[np.ndarray | None] = [None] * len(scores)
    order = sorted(range(len(scores)), key=lambda i: -len(scores[i]))
    for i in order:
        if not len(scores[i]):
            out[i] = np.zeros(0, dtype=np.intp)
    order = [i for i in order if len(scores[i])]
    for g in range(0, len(order), group):
        members = order[g:g + group]
        for i, path in zip(members, _viterbi_sorted([scores[i] for i in members], t)):
            out[i] = path
    return out  # type: ignore[return-value]


def _viterbi_sorted(scores: list[np.ndarray], t: np.ndarray) -> list[np.ndarray]:
    """viterbi_batch of non-empty sequences sorted longest first.

    The sequences are packed step-major: step s holds the s-th token of the ``active[s]`` sequences
    that are that long (a prefix of them, being sorted), at rows ``start[s]:start[s] + active[s]``.
    """
    lens = np.array([len(s) for s in scores])
    longest = int(lens[0])
    active = np.searchsorted(-lens, -np.arange(longest))  # sequences longer than each step
    start = np.zeros(longest + 1, dtype=np.intp)
    np.cumsum(active, out=start[1:])
    packed = np.empty((int(start[-1]), t.shape[0]))
    for k, s in enumerate(scores):
        packed[start[:len(s)] + k] = s
    back = np.empty((len(packed), t.shape[0]), dtype=np.intp)
    final = np.empty((len(scores), t.shape[0]))
    score = packed[:active[0]]
    for step in range(1, longest):
        a, was = int(active[step]), int(active[step - 1])
        if a < was:  # these sequences ended at the previous step
            final[a:was] = score[a:]
        cand = score[:a, :, None] + t  # (sequence, previous label, label)
        back[start[step]:start[step] + a] = cand.argmax(axis=1)
        score = cand.max(axis=1) + packed[start[step]:start[step] + a]
    final[:len(score)] = score
    best = np.empty(len(packed), dtype=np.intp)
    last = final.argmax(axis=1)
    cur = np.empty(len(scores), dtype=np.intp)
    for step in range(longest - 1, -1, -1):
        a, now = int(active[step]), int(active[step + 1]) if step + 1 < longest else 0
        cur[now:a] = last[now:a]  # sequences whose last token is at this step
        best[start[step]:start[step] + a] = cur[:a]
        if step:
            cur[:a] = back[start[step]:start[step] + a][np.arange(a), cur[:a]]
    return [best[start[:n] + k] for k, n in enumerate(lens)]
