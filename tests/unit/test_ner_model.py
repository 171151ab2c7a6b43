import json
from pathlib import Path

import pytest

pytest.importorskip("pycrfsuite")

from news_assets.ner import Mention  # noqa: E402
from news_assets.ner.evaluate import evaluate_extractor, parse_conll, read_conll  # noqa: E402
from news_assets.ner.features import FEATURE_VERSION, split_proclitic  # noqa: E402
from news_assets.ner.gazetteer import load_gazetteer  # noqa: E402
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


@pytest.fixture(scope="module")
def trained_crfsuite(tmp_path_factory):
    """The same model trained by CRFsuite itself (its tagger is the reference for decoding)."""
    d = tmp_path_factory.mktemp("ner_crfsuite")
    gold = d / "tiny.txt"
    gold.write_text(_conll(), encoding="utf-8")
    stats = train_model(gold, d / "m.crf", max_iterations=60, trainer="crfsuite")
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


def _crfsuite_labels(ex: ModelExtractor, texts: list[str]) -> list[list[str]]:
    """Labels from CRFsuite's own tagger over the attribute lists training builds; checks on the way
    that the extractor's state scores are the summed weights of exactly those lists."""
    import numpy as np

    from news_assets.ner.features import Featurizer
    from news_assets.ner.model import _rules_features
    from news_assets.text.tokenize import WORD_OR_PUNCT_RE

    o = ex.meta["options"]
    fz = Featurizer(use_gaz_spans=o["use_gaz_spans"], lexicon=ex.meta.get("lexicon"), ngrams=o["ngrams"],
                    version=o["feature_version"])
    out = []
    for text in texts:
        ms = list(WORD_OR_PUNCT_RE.finditer(text))
        extra = _rules_features(ex.rules, text, ms) if ex.rules is not None else None
        attrs = fz.sequence(fz.infos([m.group() for m in ms]), extra)
        ours = ex._state_scores(text, ms, ex._infos([m.group() for m in ms]))
        assert np.allclose(ours, [ex.weights.sum(a) for a in attrs], atol=1e-9), text
        out.append(ex.tagger.tag(attrs))
    return out


def test_numpy_decoding_gives_crfsuites_labels(trained_crfsuite):
    _gold, path, _ = trained_crfsuite
    ex = ModelExtractor.load(path)
    ex.o_bias = 0.0  # CRFsuite's tagger has no bias
    texts = [t.replace("{P}", "سامر الخطيب").replace("{S}", "الخطيب").replace("{L}", "جنيف").replace("{O}", "البنك الدولي")
             for t in TEMPLATES] + ["زار يامن نيويورك .", "؟", "قال"]
    assert [ex.tag(t) for t in texts] == _crfsuite_labels(ex, texts)
    # decoding many texts at once gives each one's own mentions
    one_by_one = [ex.extract(t) for t in texts]
    assert ex.extract_many(texts) == one_by_one and ex.extract_many(texts[::-1]) == one_by_one[::-1]
    assert ex.extract_many([]) == [] and ex.extract("") == []


@pytest.mark.skipif(not SHARED.exists(), reason="ANERcorp train file lives in ../shared")
def test_numpy_decoding_gives_crfsuites_labels_on_anercorp(tmp_path):
    sents = read_conll(SHARED)
    train_model(None, tmp_path / "m.crf", sents=sents[:1500], unlabeled=_unlabeled_texts(), max_iterations=50,
                trainer="crfsuite")
    ex = ModelExtractor.load(tmp_path / "m.crf")
    texts = [" ".join(w for w, _ in s) for s in sents[1500:1800]]
    biased = [ex.tag(t) for t in texts]
    ex.o_bias = 0.0  # CRFsuite's tagger has no bias
    ours, theirs = [ex.tag(t) for t in texts], _crfsuite_labels(ex, texts)
    assert sum(len(x) for x in ours) > 5000
    assert ours == theirs
    # the default bias against O gives more entity labels
    entity_tokens = [sum(label != "O" for labels in x for label in labels) for x in (biased, ours)]
    assert entity_tokens[0] > entity_tokens[1]


def _same_weights(a: ModelExtractor, b: ModelExtractor, atol: float) -> None:
    import numpy as np

    wa, wb = a.weights, b.weights
    assert set(wa.index) == set(wb.index)
    rows = sorted(wa.index)
    cols = [wb.labels.index(y) for y in wa.labels]
    assert np.allclose(wa.w[[wa.index[r] for r in rows]], wb.w[[wb.index[r] for r in rows]][:, cols], atol=atol)
    assert np.allclose(wa.t, wb.t[np.ix_(cols, cols)], atol=atol)


def test_trainer_takes_crfsuites_steps(trained, trained_crfsuite, tmp_path):
    """news_assets' trainer follows CRFsuite's L-BFGS (OWL-QN for c1): the same loss and the same
    active features after the same iterations, the same weights (CRFsuite keeps 6 decimals), and
    its model file (.npz) loads and tags the same."""
    ours, theirs = trained[2], trained_crfsuite[2]
    assert ours["iterations"] == theirs["iterations"] > 10  # both stop at the same one, by the same rule
    assert ours["loss"] == pytest.approx(theirs["loss"], rel=1e-6)
    assert ours["active_features"] == theirs["active_features"]
    a, b = ModelExtractor.load(trained[1]), ModelExtractor.load(trained_crfsuite[1])
    assert a.tagger is None and b.tagger is not None
    _same_weights(a, b, atol=2e-6)
    texts = [t.replace("{P}", "هالة ناصر").replace("{S}", "ناصر").replace("{L}", "عمان").replace("{O}", "البنك الدولي")
             for t in TEMPLATES]
    assert [a.tag(t) for t in texts] == [b.tag(t) for t in texts]
    with pytest.raises(ValueError, match="trainer"):
        train_model(trained[0], tmp_path / "m.crf", trainer="sgd")


@pytest.mark.skipif(not SHARED.exists(), reason="ANERcorp train file lives in ../shared")
def test_trainer_takes_crfsuites_steps_on_anercorp(tmp_path):
    sents = read_conll(SHARED)[:600]
    a = train_model(None, tmp_path / "a.crf", sents=sents, max_iterations=40)
    b = train_model(None, tmp_path / "b.crf", sents=sents, max_iterations=40, trainer="crfsuite")
    assert a["tokens"] == b["tokens"] > 15000
    assert a["loss"] == pytest.approx(b["loss"], rel=1e-6)
    assert a["active_features"] == b["active_features"]
    _same_weights(ModelExtractor.load(tmp_path / "a.crf"), ModelExtractor.load(tmp_path / "b.crf"), atol=2e-6)


def test_o_bias_is_subtracted_from_the_o_label_and_stored_with_the_model(trained):
    import numpy as np

    from news_assets.text.tokenize import WORD_OR_PUNCT_RE

    _gold, path, _ = trained
    ex = ModelExtractor.load(path)
    assert ex.meta["options"]["o_bias"] == ex.o_bias == 0.5
    text = "وصل سامر الخطيب إلى جنيف أمس ."
    ms = list(WORD_OR_PUNCT_RE.finditer(text))
    with_bias = ex._state_scores(text, ms, ex._infos([m.group() for m in ms]))
    ex.o_bias = 0.0
    without = ex._state_scores(text, ms, ex._infos([m.group() for m in ms]))
    o = ex.weights.labels.index("O")
    shift = without - with_bias
    assert np.allclose(shift[:, o], 0.5) and np.allclose(np.delete(shift, o, axis=1), 0.0)
    ex.o_bias = 1e6  # nothing can stay O
    assert "O" not in ex.tag(text)


def test_viterbi_batch_finds_the_best_path():
    import itertools

    import numpy as np

    from news_assets.ner.crf import viterbi_batch

    rng = np.random.default_rng(7)
    t = rng.normal(size=(3, 3))
    scores = [rng.normal(size=(n, 3)) for n in (4, 1, 0, 5, 2, 4, 3)]
    paths = viterbi_batch(scores, t, group=3)  # several groups, lengths mixed within each
    for s, path in zip(scores, paths):
        def total(p):
            return sum(s[i, y] for i, y in enumerate(p)) + sum(t[a, b] for a, b in zip(p, p[1:]))
        best = max(itertools.product(range(3), repeat=len(s)), key=total) if len(s) else ()
        assert tuple(path) == best
    # ties go to the lowest label, as in CRFsuite
    assert [list(p) for p in viterbi_batch([np.zeros((3, 4))], np.zeros((4, 4)))] == [[0, 0, 0]]


def test_viterbi_batch_matches_one_sequence_at_a_time():
    """Many sequences of mixed lengths decoded together (longest first, each step over the ones
    still running) give each sequence the path a plain one-sequence Viterbi gives it."""
    import numpy as np

    from news_assets.ner.crf import viterbi_batch

    def plain(s, t):
        score, back = s[0].copy(), []
        for row in s[1:]:
            cand = score[:, None] + t
            back.append(cand.argmax(axis=0))
            score = cand.max(axis=0) + row
        path = [int(score.argmax())]
        for b in reversed(back):
            path.append(int(b[path[-1]]))
        return path[::-1]

    rng = np.random.default_rng(11)
    t = rng.normal(size=(9, 9))
    lengths = list(rng.integers(1, 60, size=200)) + [0, 1, 1, 300]
    scores = [rng.normal(size=(int(n), 9)) for n in lengths]
    scores[5] = np.zeros((7, 9))  # all ties: the lowest label
    for group in (1, 16, 256):
        paths = viterbi_batch(scores, t, group=group)
        assert [list(p) for p in paths] == [plain(s, t) if len(s) else [] for s in scores]


# ---------------------------------------------------------------- distributional clusters
def _unlabeled_texts(n=300, seed=0):
    """Names after قال and places after إلى, in random mixes: a corpus with two word classes."""
    import random

    rng = random.Random(seed)
    names = ["سامر", "كريم", "ليلى", "هالة", "ماجد", "يامن", "نادر", "رامي"]  # يامن: never in the gold
    places = ["عمان", "جنيف", "طرابلس", "القاهرة", "بيروت", "دمشق", "تونس", "نيويورك"]
    out = []
    for _ in range(n):
        parts = []
        for _ in range(6):
            if rng.random() < 0.5:
                parts.append(f"قال {rng.choice(names)} إن الوضع جيد .")
            else:
                parts.append(f"وصل الوفد إلى {rng.choice(places)} أمس .")
        out.append(" ".join(parts))
    return out


def test_word_clusters_are_deterministic_and_group_by_context():
    from news_assets.ner.clusters import word_clusters

    seqs = [t.split() for t in _unlabeled_texts()]
    a = word_clusters(seqs, ks=(2, 8), min_count=5, n_context=20)
    assert a == word_clusters(seqs, ks=(2, 8), min_count=5, n_context=20)
    assert all(len(v) == 2 for v in a.values())
    names = {a[w][1] for w in ("سامر", "كريم", "ليلى", "يامن")}
    places = {a[w][1] for w in ("عمان", "جنيف", "بيروت", "نيويورك")}
    assert len(names) == 1 and len(places) == 1 and names != places


def test_kmeans_is_deterministic():
    import numpy as np

    from news_assets.ner.clusters import kmeans

    rng = np.random.default_rng(3)
    x = rng.normal(size=(200, 8))
    x /= np.linalg.norm(x, axis=1, keepdims=True)
    la, ca = kmeans(x, 10, seed=1)
    lb, cb = kmeans(x, 10, seed=1)
    assert (la == lb).all() and np.allclose(ca, cb)
    assert set(la.tolist()) <= set(range(10))


def test_lexicon_carries_cluster_ids():
    from news_assets.ner.features import Featurizer, corpus_lexicon

    lex, ntok = corpus_lexicon(_unlabeled_texts(), Featurizer(use_gaz_spans=False), cluster_ks=(2, 8))
    assert ntok > 1000
    feats = lex["يامن"].split()
    assert any(f.startswith("k0=") for f in feats) and any(f.startswith("k1=") for f in feats)
    k1 = next(f for f in feats if f.startswith("k1="))
    assert k1 in lex["سامر"].split()  # same cluster as a name seen in the gold
    own = Featurizer(use_gaz_spans=False, lexicon=lex).infos(["يامن"])[0].own
    assert k1 in own


def test_lexicon_is_the_same_with_the_typed_counts_in_a_second_process(monkeypatch):
    from news_assets.ner.features import Featurizer, corpus_lexicon
    from news_assets.ner.rules import RulesExtractor

    texts = _unlabeled_texts(n=500) + ["أكد الرئيس الفرنسي إيمانويل ماكرون في باريس أن الأمم المتحدة ستجتمع ."] * 50
    lexicons = []
    for workers in ("1", "2"):
        monkeypatch.setenv("NEWS_WORKERS", workers)
        lexicons.append(corpus_lexicon(texts, Featurizer(use_gaz_spans=False), RulesExtractor(), cluster_ks=(2,)))
    assert lexicons[0] == lexicons[1]
    lex = lexicons[0][0]
    assert "uPERS=h" in lex["ماكرون"].split() and "uLOC=h" in lex["باريس"].split()


def test_word_unseen_in_training_gets_its_cluster_feature(tmp_path):
    gold = tmp_path / "tiny.txt"
    gold.write_text(_conll(), encoding="utf-8")
    stats = train_model(gold, tmp_path / "m.crf", unlabeled=_unlabeled_texts(), max_iterations=60, cluster_ks=[2, 8])
    assert stats["lexicon_words"] > 0
    meta = json.loads(Path(str(tmp_path / "m.crf") + ".json").read_text(encoding="utf-8"))
    assert meta["options"]["cluster_ks"] == [2, 8]
    ex = ModelExtractor.load(tmp_path / "m.crf")
    own = ex.featurizer.infos(["يامن"])[0].own  # in the unlabeled text only
    assert any(a.startswith("k1=") for a in own), own


def test_feature_versions():
    from news_assets.ner.features import Featurizer

    words = ["قال", "سامر", "الخطيب", "في", "عمان", "."]
    lex = {"سامر": "fq=3 k0=1 k1=7", "عمان": "fq=5 k0=2 k1=9"}
    v1, v2 = Featurizer(lexicon=lex, version=1), Featurizer(lexicon=lex, version=2)
    s1 = v1.sequence(v1.infos(words))
    s2 = v2.sequence(v2.infos(words))
    assert not any(a.startswith("b-=") for a in s1[2])
    assert "b-=سامر|الخطيب" in s2[2] and "b+=الخطيب|في" in s2[2]
    assert "-2k1=7" in s2[3] and "-2k1=7" not in s1[3]  # سامر's cluster seen from two tokens on
    assert "k1=9" in s2[4] and "+1k1=9" in s2[3]


def test_model_without_feature_version_loads_version_1(trained):
    _gold, path, _ = trained
    meta_path = Path(str(path) + ".json")
    meta = json.loads(meta_path.read_text(encoding="utf-8"))
    assert meta["options"]["feature_version"] == FEATURE_VERSION
    assert ModelExtractor.load(path).featurizer.version == FEATURE_VERSION
    del meta["options"]["feature_version"]
    old = meta_path.with_name("old.crf.json")
    old.write_text(json.dumps(meta), encoding="utf-8")
    old.with_suffix("").write_bytes(path.read_bytes())
    assert ModelExtractor.load(old.with_suffix("")).featurizer.version == 1


def test_proclitic_split_keeps_names_whole_and_prefers_a_known_stem():
    known = load_gazetteer().name_words
    # without the names: the first letter of a name that looks like a clitic is stripped
    assert split_proclitic("واشنطن") == ("و", "اشنطن")
    assert split_proclitic("واشنطن", known=known) == ("", "واشنطن")
    assert split_proclitic("بريطانيا", known=known) == ("", "بريطانيا")
    assert split_proclitic("ولبنان") == ("ول", "بنان")
    assert split_proclitic("ولبنان", known=known) == ("و", "لبنان")
    assert split_proclitic("للبنان", known=known) == ("ل", "لبنان")
    # words that are not names split as before
    assert split_proclitic("والقاهرة", known=known) == ("و", "القاهرة")
    assert split_proclitic("وقال", known=known) == ("و", "قال")


def test_ner_eval_cross_validates_over_contiguous_folds(tmp_path, capsys):
    from news_assets.cli import main
    from news_assets.ner.evaluate import CORE_TYPES, gold_spans, prf

    gold = tmp_path / "tiny.txt"
    gold.write_text(_conll(), encoding="utf-8")
    assert main(["ner-eval", "--gold", str(gold), "--extractor", "model", "--folds", "3"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert [f["sentences"] for f in out["per_fold"]] == [[0, 10], [10, 20], [20, 30]]
    # Every gold entity is scored once, in the fold that held it out.
    core = sum(1 for s in parse_conll(_conll()) for _a, _b, t in gold_spans([tag for _, tag in s]) if t in CORE_TYPES)
    pooled = out["micro_core"]
    assert pooled["tp"] + pooled["fn"] == core
    assert pooled == prf(*(sum(f["micro_core"][k] for f in out["per_fold"]) for k in ("tp", "fp", "fn")))
    assert 0 < pooled["f1"] <= 1
    assert main(["ner-eval", "--gold", str(gold), "--extractor", "model", "--folds", "3", "--split", "dev"]) == 2
    assert main(["ner-eval", "--gold", str(gold), "--extractor", "rules", "--folds", "3"]) == 2
    assert main(["ner-eval", "--gold", str(gold), "--extractor", "model", "--folds", "1"]) == 2
