"""Decoding a trained linear-chain CRF with numpy: per-token scores from cached weight sums, then
Viterbi over many sequences at once.

CRFsuite (news_assets.ner.model trains with it) scores a label sequence y for tokens x as
``sum_t sum_{a in attrs(x_t)} w[a, y_t] + sum_t T[y_{t-1}, y_t]`` and decodes by Viterbi. Handing
it attribute strings costs a string lookup per attribute (about 100 per token). Most of a token's
attributes depend only on its own string or on one neighbour's string, so their weight sums can be
computed once per distinct token and reused: a token's state score is then a few vector additions.
The result is CRFsuite's decoding with the weights as its model dump prints them (6 decimals);
the test checks the labels against CRFsuite's own tagger.
"""
from __future__ import annotations

from collections.abc import Iterable, Sequence

import numpy as np

__all__ = ["CrfWeights", "viterbi_batch"]


class CrfWeights:
    """Labels, a weight row per attribute and the transition matrix of a trained CRFsuite model."""

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


def viterbi_batch(scores: Sequence[np.ndarray], t: np.ndarray, group: int = 64) -> list[np.ndarray]:
    """Best label index sequence for each (n_i x L) state-score matrix, under transitions ``t``.

    Sequences are decoded ``group`` at a time, sorted by length, so each step of the recursion is
    one numpy operation over a group. Ties go to the lowest label index, as in CRFsuite.
    """
    out: list[np.ndarray | None] = [None] * len(scores)
    order = sorted(range(len(scores)), key=lambda i: len(scores[i]))
    n_labels = t.shape[0]
    for g in range(0, len(order), group):
        members = [i for i in order[g:g + group] if len(scores[i])]
        for i in order[g:g + group]:
            if not len(scores[i]):
                out[i] = np.zeros(0, dtype=np.intp)
        if not members:
            continue
        lens = np.array([len(scores[i]) for i in members])
        b, longest = len(members), int(lens.max())
        s = np.zeros((b, longest, n_labels))
        for k, i in enumerate(members):
            s[k, :lens[k]] = scores[i]
        back = np.zeros((longest, b, n_labels), dtype=np.intp)
        final = np.zeros((b, n_labels))
        ends = lens - 1
        score = s[:, 0]
        final[ends == 0] = score[ends == 0]
        for step in range(1, longest):
            cand = score[:, :, None] + t  # (sequence, previous label, label)
            arg = cand.argmax(axis=1)
            back[step] = arg
            score = np.take_along_axis(cand, arg[:, None, :], axis=1)[:, 0] + s[:, step]
            done = ends == step
            if done.any():
                final[done] = score[done]
        best = np.zeros((b, longest), dtype=np.intp)
        last = final.argmax(axis=1)
        cur = last
        rows = np.arange(b)
        for step in range(longest - 1, -1, -1):
            best[:, step] = cur
            if step:
                # a sequence shorter than step+1 keeps its last label until its own end is reached
                cur = np.where(ends >= step, back[step, rows, cur], last)
        for k, i in enumerate(members):
            out[i] = best[k, :lens[k]]
    return out  # type: ignore[return-value]
