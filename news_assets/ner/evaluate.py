"""Entity-level evaluation of any extractor on CoNLL gold (exact span, conlleval style).

Each gold sentence becomes a text: its tokens joined by single spaces. The
extractor's ``extract_many`` (the same call the pipeline makes) runs on those
texts; predicted character spans are mapped back to the gold tokens they touch
and compared with the gold spans as (sentence, first token, end token, type).

Everything here is a pure function returning JSON-able data.
"""
from __future__ import annotations

import bisect
import time
from collections import Counter
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Protocol

__all__ = [
    "TYPES",
    "CORE_TYPES",
    "read_conll",
    "parse_conll",
    "gold_spans",
    "sentence_text",
    "spans_to_tokens",
    "score",
    "prf",
    "evaluate_extractor",
    "split_dev",
]

TYPES = ("PERS", "LOC", "ORG", "MISC")
CORE_TYPES = ("PERS", "LOC", "ORG")

Sentence = list[tuple[str, str]]  # (token, tag)
Span = tuple[int, int, int, str]  # (sentence, start token, end token exclusive, type)


class _Extractor(Protocol):
    def extract_many(self, texts: Iterable[str]) -> list[list]: ...


def parse_conll(text: str) -> list[Sentence]:
    """``token TAG`` per line, blank line between sentences; other lines also end a sentence."""
    sents: list[Sentence] = []
    cur: Sentence = []
    for line in text.splitlines():
        parts = line.split()
        if len(parts) != 2:
            if cur:
                sents.append(cur)
                cur = []
            continue
        cur.append((parts[0], parts[1]))
    if cur:
        sents.append(cur)
    return sents


def read_conll(path: str | Path) -> list[Sentence]:
    return parse_conll(Path(path).read_text(encoding="utf-8"))


def split_dev(sents: Sequence[Sentence], frac: float = 0.8) -> tuple[list[Sentence], list[Sentence]]:
    """First ``frac`` of the sentences (train/tune) and the rest (dev, for reporting)."""
    cut = int(len(sents) * frac)
    return list(sents[:cut]), list(sents[cut:])


def bio_spans(tags: Sequence[str]) -> list[tuple[int, int, str]]:
    """BIO tags -> [(start, end, type)] in order; an I- that does not continue a span starts one
    (conlleval). Extractors decode their taggers' labels with it too."""
    spans: list[tuple[int, int, str]] = []
    start, typ = None, None
    for i, t in enumerate(list(tags) + ["O"]):
        if t.startswith("I-") and typ == t[2:]:
            continue
        if typ is not None:
            spans.append((start, i, typ))
            start = typ = None
        if t.startswith(("B-", "I-")):
            start, typ = i, t[2:]
    return spans


def gold_spans(tags: Sequence[str], types: Sequence[str] = TYPES) -> set[tuple[int, int, str]]:
    """BIO tags -> {(start, end, type)} of the given types (see bio_spans)."""
    return {s for s in bio_spans(tags) if s[2] in types}


def sentence_text(sent: Sentence) -> tuple[str, list[int]]:
    """The sentence's tokens joined by single spaces, and each token's start offset."""
    starts, pos = [], 0
    for w, _ in sent:
        starts.append(pos)
        pos += len(w) + 1
    return " ".join(w for w, _ in sent), starts


def spans_to_tokens(
    char_spans: Iterable[tuple[int, int, str]], tok_starts: Sequence[int]
) -> set[tuple[int, int, str]]:
    """Char spans (start, end, type) -> token spans (first token touched, last + 1, type)."""
    out = set()
    for s, e, t in char_spans:
        if e <= s:
            continue
        a = bisect.bisect_right(tok_starts, s) - 1
        b = bisect.bisect_right(tok_starts, e - 1) - 1
        if a < 0:
            a = 0
        out.add((a, b + 1, t))
    return out


def prf(tp: int, fp: int, fn: int) -> dict:
    p = tp / (tp + fp) if tp + fp else 0.0
    r = tp / (tp + fn) if tp + fn else 0.0
    f = 2 * p * r / (p + r) if p + r else 0.0
    return {"precision": round(p, 4), "recall": round(r, 4), "f1": round(f, 4), "tp": tp, "fp": fp, "fn": fn}


def score(gold: Iterable[Span], pred: Iterable[Span]) -> dict:
    """Per-type P/R/F1 plus micro and macro over PERS/LOC/ORG ("core") and over all four types."""
    gold, pred = set(gold), set(pred)
    tp, fp, fn = Counter(), Counter(), Counter()
    for p in pred:
        (tp if p in gold else fp)[p[3]] += 1
    for g in gold - pred:
        fn[g[3]] += 1
    res: dict = {"per_type": {t: prf(tp[t], fp[t], fn[t]) for t in TYPES}}
    for name, types in (("core", CORE_TYPES), ("all", TYPES)):
        micro = prf(sum(tp[t] for t in types), sum(fp[t] for t in types), sum(fn[t] for t in types))
        macro_f1 = sum(res["per_type"][t]["f1"] for t in types) / len(types)
        res[f"micro_{name}"] = micro
        res[f"macro_f1_{name}"] = round(macro_f1, 4)
    return res


def evaluate_extractor(extractor: _Extractor, sents: Sequence[Sentence], repeat_timing: bool = False) -> dict:
    """Run ``extractor.extract_many`` on one text per sentence and score against the gold tags.

    ``tokens_per_second`` counts gold tokens over the wall time of ``extract_many``
    (the first, cold-cache call; with ``repeat_timing`` a second, warm call is timed too).
    """
    texts, starts_list = [], []
    for sent in sents:
        t, st = sentence_text(sent)
        texts.append(t)
        starts_list.append(st)
    ntok = sum(len(s) for s in sents)
    t0 = time.perf_counter()
    outs = extractor.extract_many(texts)
    dt = time.perf_counter() - t0
    warm = None
    if repeat_timing:
        t0 = time.perf_counter()
        extractor.extract_many(texts)
        warm = time.perf_counter() - t0
    gold: set[Span] = set()
    pred: set[Span] = set()
    for si, (sent, mentions, st) in enumerate(zip(sents, outs, starts_list)):
        gold |= {(si, s, e, t) for s, e, t in gold_spans([tag for _, tag in sent])}
        cs = [(m.start, m.end, m.entity_type) for m in mentions if m.entity_type in TYPES]
        pred |= {(si, s, e, t) for s, e, t in spans_to_tokens(cs, st)}
    res = score(gold, pred)
    res["sentences"] = len(sents)
    res["tokens"] = ntok
    res["seconds"] = round(dt, 3)
    res["tokens_per_second"] = round(ntok / dt) if dt > 0 else None
    if warm is not None:
        res["tokens_per_second_warm"] = round(ntok / warm) if warm > 0 else None
    res["extractor"] = getattr(extractor, "name", type(extractor).__name__)
    return res
