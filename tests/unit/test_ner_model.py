import json
from pathlib import Path

import pytest

pytest.importorskip("pycrfsuite")

from news_assets.ner import Mention  # noqa: E402
from news_assets.ner.evaluate import evaluate_extractor, parse_conll, read_conll  # noqa: E402
from news_assets.ner.model import ModelExtractor, train_model  # noqa: E402

SHARED = Path(__file__).resolve().parents[3] / "shared" / "ner" / "anercorp-camel-train.txt"

# (template, slots): each slot is filled from the lists below; tags follow the slot type.
PEOPLE = [["سامر", "الخطيب"], ["ليلى", "منصور"], ["كريم", "العلي"], ["هالة", "ناصر"], ["ماجد", "الحسن"]]
PLACES = [["عمان"], ["طرابلس"], ["نيويورك"], ["القاهرة"], ["جنيف"]]
ORGS = [["منظمة", "الصحة", "العالمية"], ["البنك", "الدولي"], ["جامعة", "اليرموك"], ["الاتحاد", "الأفريقي"],
        ["شركة", "أرامكو"]]  # fmt: skip
TEMPLATES = [
    "قال {P} في {L} إن {O} ستعلن خطتها .",
    "وصل {P} إلى {L} أمس .",
    "أعلنت {O} أن {P} سيزور {L} .",
    "التقى الوزير {P} ممثلي {O} .",
    "وفي {L} عقدت {O} مؤتمرا صحفيا .",
    "أكد {S} أن الوضع في {L} مستقر .",  # surname only
]


def _conll() -> str:
    lines = []
    k = 0
    for t in TEMPLATES:
        for r in range(5):
            p, loc, org = PEOPLE[(k + r) % 5], PLACES[(k + 2 * r) % 5], ORGS[(k + 3 * r) % 5]
            for w in t.split():
                slot = {"{P}": (p, "PERS"), "{S}": (p[-1:], "PERS"), "{L}": (loc, "LOC"), "{O}": (org, "ORG")}.get(w)
                if slot is None:
                    lines.append(f"{w} O")
                else:
                    toks, typ = slot
                    lines += [f"{x} {'B' if i == 0 else 'I'}-{typ}" for i, x in enumerate(toks)]
            lines.append("")
        k += 1
    return "\n".join(lines) + "\n"


@pytest.fixture(scope="module")
def trained(tmp_path_factory):
    d = tmp_path_factory.mktemp("ner")
    gold = d / "tiny.txt"
    gold.write_text(_conll(), encoding="utf-8")
    stats = train_model(gold, d / "m.crf", max_iterations=60)
    return gold, d / "m.crf", stats


def test_tiny_corpus_has_thirty_sentences():
    assert len(parse_conll(_conll())) == 30


def test_training_writes_model_and_stats(trained):
    _gold, path, stats = trained
    assert path.is_file() and Path(str(path) + ".json").is_file()
    assert stats["sentences"] == 30 and stats["tokens"] > 200
    meta = json.loads(Path(str(path) + ".json").read_text(encoding="utf-8"))
    assert meta["format"].startswith("news_assets.ner.crf")


def test_learns_training_data(trained):
    gold, path, _ = trained
    res = evaluate_extractor(ModelExtractor.load(path), read_conll(gold))
    assert res["micro_core"]["f1"] >= 0.95, res


def test_offsets_slice_the_original_text(trained):
    _gold, path, _ = trained
    ex = ModelExtractor.load(path)
    assert ex.name == "model"
    # unseen spacing, punctuation glued to words and a conjunction clitic on the place
    text = "قال  سامر الخطيب، في وجنيف: إن «منظمة الصحة العالمية» ستعلن خطتها."
    ms = ex.extract(text)
    last = -1
    for m in ms:
        assert isinstance(m, Mention)
        assert text[m.start : m.end] == m.surface
        assert m.start >= last
        last = m.end
        assert m.canonical_key and m.canonical_name
    got = {(m.surface, m.entity_type) for m in ms}
    assert ("سامر الخطيب", "PERS") in got
    assert ("جنيف", "LOC") in got  # the و clitic stays outside the span
    assert ex.extract_many([text, ""]) == [ms, []]


def test_person_repeats_share_a_key(trained):
    _gold, path, _ = trained
    ex = ModelExtractor.load(path)
    text = "وصل كريم العلي إلى جنيف أمس . أكد العلي أن الوضع في جنيف مستقر ."
    pers = [m for m in ex.extract(text) if m.entity_type == "PERS"]
    assert len(pers) == 2, pers
    assert len({m.canonical_key for m in pers}) == 1
    assert pers[1].canonical_name == "كريم العلي"


def test_unknown_option_is_rejected(tmp_path):
    gold = tmp_path / "g.txt"
    gold.write_text(_conll(), encoding="utf-8")
    with pytest.raises(TypeError):
        train_model(gold, tmp_path / "m.crf", no_such_option=1)


@pytest.mark.skipif(not SHARED.exists(), reason="ANERcorp train file lives in ../shared")
def test_small_subset_of_anercorp(tmp_path):
    sents = read_conll(SHARED)
    train, dev = sents[:1500], sents[1500:1800]
    stats = train_model(None, tmp_path / "m.crf", sents=train, max_iterations=50)
    assert stats["sentences"] == 1500
    res = evaluate_extractor(ModelExtractor.load(tmp_path / "m.crf"), dev)
    assert res["micro_core"]["f1"] > 0.5, res
