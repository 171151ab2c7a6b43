from pathlib import Path

import pytest

from news_assets.ner import Mention
from news_assets.ner.evaluate import (
    evaluate_extractor,
    gold_spans,
    parse_conll,
    read_conll,
    score,
    sentence_text,
    spans_to_tokens,
    split_dev,
)

SHARED = Path(__file__).resolve().parents[3] / "shared" / "ner" / "anercorp-camel-train.txt"

GOLD = """\
زار O
جون B-PERS
كيري I-PERS
باريس B-LOC
. O

أعلنت O
الأمم B-ORG
المتحدة I-ORG
في O
جنيف B-LOC
عن O
كأس B-MISC
العالم I-MISC
"""


def test_parse_conll_and_text():
    sents = parse_conll(GOLD)
    assert [len(s) for s in sents] == [5, 8]
    text, starts = sentence_text(sents[0])
    assert text == "زار جون كيري باريس ."
    assert [text[s : s + len(w)] for s, (w, _) in zip(starts, sents[0])] == [w for w, _ in sents[0]]


def test_gold_spans_conlleval_style():
    assert gold_spans(["B-PERS", "I-PERS", "O", "I-LOC", "I-LOC", "B-LOC", "I-ORG"]) == {
        (0, 2, "PERS"), (3, 5, "LOC"), (5, 6, "LOC"), (6, 7, "ORG")}  # fmt: skip
    assert gold_spans(["B-MISC", "I-MISC"], types=("PERS",)) == set()


def test_spans_to_tokens_maps_touched_tokens():
    starts = [0, 4, 8, 13]  # "زار جون كيري باريس"
    # a span that starts inside a token (clitic stripped) still maps to that token
    assert spans_to_tokens([(5, 12, "PERS"), (14, 18, "LOC")], starts) == {(1, 3, "PERS"), (3, 4, "LOC")}


def test_score_exact_figures():
    gold = {(0, 0, 2, "PERS"), (0, 3, 4, "LOC"), (1, 1, 3, "ORG"), (1, 4, 5, "LOC"), (1, 6, 8, "MISC")}
    pred = {(0, 0, 2, "PERS"), (0, 3, 4, "ORG"), (1, 1, 3, "ORG"), (1, 4, 5, "LOC"), (1, 6, 7, "MISC")}
    r = score(gold, pred)
    assert r["per_type"]["PERS"] == {"precision": 1.0, "recall": 1.0, "f1": 1.0, "tp": 1, "fp": 0, "fn": 0}
    assert r["per_type"]["LOC"]["precision"] == 1.0 and r["per_type"]["LOC"]["recall"] == 0.5
    assert r["per_type"]["LOC"]["f1"] == pytest.approx(0.6667)
    assert r["per_type"]["ORG"]["precision"] == 0.5 and r["per_type"]["ORG"]["recall"] == 1.0
    assert r["per_type"]["MISC"]["f1"] == 0.0
    # core: tp=3 (PERS, ORG, LOC), fp=1 (ORG), fn=1 (LOC) -> P=R=F=0.75
    assert r["micro_core"] == {"precision": 0.75, "recall": 0.75, "f1": 0.75, "tp": 3, "fp": 1, "fn": 1}
    assert r["macro_f1_core"] == pytest.approx((1.0 + 0.6667 + 0.6667) / 3, abs=1e-4)
    # all: + MISC fp=1 fn=1 -> P = 3/5, R = 3/5
    assert r["micro_all"]["precision"] == 0.6 and r["micro_all"]["recall"] == 0.6
    assert r["macro_f1_all"] == pytest.approx((1.0 + 0.6667 + 0.6667 + 0.0) / 4, abs=1e-4)


class FakeExtractor:
    name = "fake"

    def __init__(self, spans_by_surface):
        self.spans = spans_by_surface

    def extract_many(self, texts):
        out = []
        for t in texts:
            ms = []
            for surface, typ in self.spans:
                i = t.find(surface)
                if i >= 0:
                    ms.append(Mention(i, i + len(surface), surface, typ, surface, surface))
            out.append(ms)
        return out


def test_evaluate_extractor_end_to_end():
    sents = parse_conll(GOLD)
    ex = FakeExtractor([("جون كيري", "PERS"), ("باريس", "LOC"), ("مم المتحدة", "ORG"), ("جنيف", "PERS"),
                        ("كأس العالم", "MISC")])  # fmt: skip
    r = evaluate_extractor(ex, sents)
    assert r["extractor"] == "fake" and r["sentences"] == 2 and r["tokens"] == 13
    # "مم المتحدة" starts inside الأمم: it maps to the whole two-token span, like a stripped clitic
    assert r["per_type"]["ORG"]["tp"] == 1
    assert r["per_type"]["LOC"] == {"precision": 1.0, "recall": 0.5, "f1": 0.6667, "tp": 1, "fp": 0, "fn": 1}
    assert r["per_type"]["PERS"]["fp"] == 1 and r["per_type"]["PERS"]["tp"] == 1
    assert r["micro_core"]["tp"] == 3 and r["micro_core"]["fp"] == 1 and r["micro_core"]["fn"] == 1
    assert r["micro_all"]["tp"] == 4
    assert r["tokens_per_second"] > 0


def test_split_dev():
    a, b = split_dev(list(range(10)))
    assert a == list(range(8)) and b == [8, 9]


@pytest.mark.skipif(not SHARED.exists(), reason="ANERcorp train file lives in ../shared")
def test_rules_on_a_small_shared_subset():
    from news_assets.ner import RulesExtractor

    sents = read_conll(SHARED)[:200]
    r = evaluate_extractor(RulesExtractor(), sents)
    assert r["tokens"] == sum(len(s) for s in sents)
    assert 0.3 < r["micro_core"]["f1"] <= 1.0
