"""Entity-level P/R/F1 (exact span, conlleval style) of the rules extractor on ANERcorp.

Reads the CAMeL train split in place from ../shared (never copied into the repo).
Sentences are whitespace-joined token lists; consecutive sentences are grouped
into pseudo-documents (ANERcorp has no document boundaries in this file) so the
within-text name learning has something to work with. Predicted char spans are
mapped back to the tokens they touch.

    python bench/ner_quality.py            # development part (first 80 % of sentences)
    python bench/ner_quality.py --test     # held-out last 20 % (report once, do not tune)
    python bench/ner_quality.py --speed    # tokens/s of extract_many on 2,000 ANT articles (TEXT)
"""
from __future__ import annotations

import argparse
import bisect
import sys
import time
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from news_assets.ner import RulesExtractor  # noqa: E402

DEFAULT = Path(__file__).resolve().parents[2] / "shared" / "ner" / "anercorp-camel-train.txt"
TYPES = ("PERS", "LOC", "ORG")


def read_sentences(path: Path) -> list[list[tuple[str, str]]]:
    sents, cur = [], []
    for line in path.read_text(encoding="utf-8").splitlines():
        parts = line.split(" ")
        if len(parts) != 2:
            if cur:
                sents.append(cur)
                cur = []
            continue
        cur.append((parts[0], parts[1]))
    if cur:
        sents.append(cur)
    return sents


def gold_spans(tags: list[str]) -> set[tuple[int, int, str]]:
    spans, start, typ = set(), None, None
    for i, t in enumerate(tags + ["O"]):
        if t.startswith("I-") and typ == t[2:]:
            continue
        if typ is not None:
            spans.add((start, i, typ))
            start = typ = None
        if t.startswith(("B-", "I-")):
            start, typ = i, t[2:]
    return {s for s in spans if s[2] in TYPES}


def speed(n_files: int = 2000) -> None:
    """Time extract_many on the TEXT of n ANT v2.1 articles spread over all sources."""
    import re

    from news_assets.text.tokenize import WORD_OR_PUNCT_RE

    root = DEFAULT.parents[1] / "corpora" / "ant-v2.1"
    files = sorted(root.glob("*/*/*.txt"))
    if not files:
        sys.exit(f"skip: {root} not found (it lives in ../shared, outside the repo)")
    step = max(1, len(files) // n_files)
    texts = []
    for f in files[::step][:n_files]:
        m = re.search(r"<TEXT>(.*?)</TEXT>", f.read_text(encoding="utf-8"), re.S)
        if m:
            texts.append(m.group(1))
    ntok = sum(len(WORD_OR_PUNCT_RE.findall(t)) for t in texts)
    t0 = time.perf_counter()
    ex = RulesExtractor()
    print(f"RulesExtractor() {time.perf_counter() - t0:.2f}s")
    for label in ("cold cache", "warm cache"):
        t0 = time.perf_counter()
        out = ex.extract_many(texts)
        dt = time.perf_counter() - t0
        print(f"{label}: {len(texts)} texts, {ntok:,} tokens, {dt:.2f}s -> {ntok / dt:,.0f} tokens/s, "
              f"{sum(map(len, out)):,} mentions")


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--file", type=Path, default=DEFAULT)
    ap.add_argument("--test", action="store_true", help="score the last 20 %% instead of the first 80 %%")
    ap.add_argument("--doc-size", type=int, default=10, help="sentences per pseudo-document")
    ap.add_argument("--errors", type=int, default=0, help="print N false positives/negatives (dev only)")
    ap.add_argument("--speed", action="store_true", help="measure extraction speed on ANT instead")
    args = ap.parse_args()
    if args.speed:
        speed()
        return
    if not args.file.exists():
        sys.exit(f"skip: {args.file} not found (it lives in ../shared, outside the repo)")
    sents = read_sentences(args.file)
    cut = int(len(sents) * 0.8)
    part = sents[cut:] if args.test else sents[:cut]
    if args.test and args.errors:
        sys.exit("no error listing on the held-out part")

    ex = RulesExtractor()
    tp, fp, fn = Counter(), Counter(), Counter()
    errs = []
    t0 = time.perf_counter()
    ntok = 0
    for d in range(0, len(part), args.doc_size):
        doc = part[d : d + args.doc_size]
        text_parts, tok_index = [], []  # tok_index: (sent_no, tok_no, start, end)
        pos = 0
        for si, sent in enumerate(doc):
            for ti, (w, _) in enumerate(sent):
                tok_index.append((si, ti, pos, pos + len(w)))
                text_parts.append(w)
                pos += len(w) + 1
            ntok += len(sent)
        text = " ".join(text_parts)
        starts = [t[2] for t in tok_index]
        pred: set[tuple[int, int, int, str]] = set()
        for m in ex.extract(text):
            if m.entity_type not in TYPES:
                continue
            a = tok_index[bisect.bisect_right(starts, m.start) - 1]
            b = tok_index[bisect.bisect_right(starts, m.end - 1) - 1]
            if a[0] != b[0]:
                continue  # spans never cross sentences in the gold data
            pred.add((a[0], a[1], b[1] + 1, m.entity_type))
        gold = {(si, s, e, t) for si, sent in enumerate(doc) for (s, e, t) in gold_spans([x[1] for x in sent])}
        for p in pred:
            if p in gold:
                tp[p[3]] += 1
            else:
                fp[p[3]] += 1
                errs.append(("FP", p[3], " ".join(w for w, _ in doc[p[0]][p[1] : p[2]]), doc[p[0]]))
        for g_ in gold - pred:
            fn[g_[3]] += 1
            errs.append(("FN", g_[3], " ".join(w for w, _ in doc[g_[0]][g_[1] : g_[2]]), doc[g_[0]]))
    dt = time.perf_counter() - t0

    def prf(a: int, b: int, c: int) -> tuple[float, float, float]:
        p = a / (a + b) if a + b else 0.0
        r = a / (a + c) if a + c else 0.0
        return p, r, (2 * p * r / (p + r) if p + r else 0.0)

    print(f"{'test (last 20%)' if args.test else 'dev (first 80%)'}: {len(part)} sentences, {ntok} tokens, {dt:.2f}s")
    for t in TYPES:
        p, r, f = prf(tp[t], fp[t], fn[t])
        print(f"{t:5s} P={p:.3f} R={r:.3f} F1={f:.3f}  (tp={tp[t]} fp={fp[t]} fn={fn[t]})")
    p, r, f = prf(sum(tp.values()), sum(fp.values()), sum(fn.values()))
    print(f"micro P={p:.3f} R={r:.3f} F1={f:.3f}")
    if args.errors:
        import random

        random.seed(0)
        for kind, typ, s, sent in random.sample(errs, min(args.errors, len(errs))):
            print(kind, typ, s, "||", " ".join(w for w, _ in sent)[:160])


if __name__ == "__main__":
    main()
