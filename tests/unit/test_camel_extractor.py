"""The camel extractor (news_assets.ner.camel) on tiny BERT token classifiers made here, in tmp dirs.

The real AraBERT NER weights cannot be downloaded on these machines, so the code path is tested
on random models of the same kind (BertForTokenClassification with camel-tools' nine labels),
and on "constant" ones whose classifier always answers one label: with those, which words end
up in a mention is known in advance, so lost, shifted or truncated labels show.
"""
from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
import torch
from transformers import BertConfig, BertForTokenClassification

from news_assets.extraction import ExtractorUnavailable, get_extractor, resolve_extractor
from news_assets.ner import RulesExtractor, entity_id
from news_assets.ner.camel import LABELS, MAX_WORDPIECES, CamelExtractor, ensure_offline_catalogue, model_digest
from news_assets.text.tokenize import tokenize

REPO = Path(__file__).resolve().parents[2]
LETTERS = "ءآأؤإئابةتثجحخدذرسشصضطظعغفقكلمنهوىي"
WORDS = ["محمد", "القاهرة", "مصر", "الرئيس", "قال", "في", "من", "الى", "وزير", "الخارجية", "باريس", "ماكرون"]
TEXT = ("قال الرئيس المصري في القاهرة إن وزير الخارجية سيزور باريس. "
        "والتقى إيمانويل ماكرون بالوفد، ثم عاد إلى مصر!")


def make_model(path: Path, labels=LABELS, constant: str | None = None, seed: int = 0, **cfg) -> Path:
    """A random (or constant-output) BertForTokenClassification saved as a camel-tools model folder."""
    path.mkdir(parents=True, exist_ok=True)
    vocab = (["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"] + list(LETTERS) + ["##" + c for c in LETTERS]
             + WORDS + list("0123456789.,،؟!()«»-:") + ["##" + d for d in "0123456789"])
    (path / "vocab.txt").write_text("\n".join(vocab) + "\n", encoding="utf-8")
    params = dict(vocab_size=len(vocab), hidden_size=32, num_hidden_layers=2, num_attention_heads=2,
                  intermediate_size=64, max_position_embeddings=512)
    params.update(cfg)
    config = BertConfig(num_labels=len(labels), id2label=dict(enumerate(labels)),
                        label2id={lab: i for i, lab in enumerate(labels)}, **params)
    torch.manual_seed(seed)
    model = BertForTokenClassification(config)
    if constant is not None:
        with torch.no_grad():
            model.classifier.weight.zero_()
            model.classifier.bias.zero_()
            model.classifier.bias[list(labels).index(constant)] = 10.0
    model.save_pretrained(path)
    return path


@pytest.fixture(scope="module")
def random_model(tmp_path_factory) -> Path:
    return make_model(tmp_path_factory.mktemp("camel") / "random")


@pytest.fixture(scope="module")
def loc_model(tmp_path_factory) -> Path:
    """Every word is B-LOC: each word token becomes its own LOC mention."""
    return make_model(tmp_path_factory.mktemp("camel") / "loc", constant="B-LOC")


def _words(text: str) -> list:
    return [t for t in tokenize(text) if t.text[0].isalnum()]


def _assert_well_formed(text: str, mentions) -> None:
    for m in mentions:
        assert 0 <= m.start < m.end <= len(text)
        assert text[m.start:m.end] == m.surface
        assert m.entity_type in ("PERS", "LOC", "ORG", "MISC")
        assert m.canonical_key and m.canonical_name


def test_loads_and_extracts_well_formed_mentions(random_model):
    ex = CamelExtractor(random_model)
    assert ex.name == "camel" and ex.model_dir == random_model
    ms = ex.extract(TEXT)
    _assert_well_formed(TEXT, ms)
    texts = [TEXT, "", "   ", "مصر", TEXT[::-1]]
    many = ex.extract_many(texts)
    assert len(many) == len(texts) and many[1] == [] and many[2] == []
    assert many[0] == ms  # batching several texts gives what one text alone gives
    for t, out in zip(texts, many):
        _assert_well_formed(t, out)


def test_every_word_keeps_its_own_label(loc_model):
    # A zero-width non-joiner and a lone diacritic make no BERT wordpiece: camel-tools' predict() would
    # drop them and shift every later label by one word (and return fewer labels than words).
    text = "قال \u200c الوزير \u064b في القاهرة ، ثم سافر إلى باريس ."
    ms = CamelExtractor(loc_model).extract(text)
    _assert_well_formed(text, ms)
    assert [m.surface for m in ms] == [t.text for t in _words(text)]
    assert {m.entity_type for m in ms} == {"LOC"}


def test_a_token_of_too_many_wordpieces_is_left_out_not_fed(loc_model):
    # BERT splits "_" and CJK characters one by one: one project token can make hundreds of
    # wordpieces, more than one model input holds (hostile input, cf. the fuzz corpus).
    monster = "_".join(["ب"] * 200)
    text = f"قال {monster} الوزير في القاهرة."
    ex = CamelExtractor(loc_model)
    assert ex.wordpieces(monster) > MAX_WORDPIECES
    ms = ex.extract(text)
    assert [m.surface for m in ms] == ["قال", "الوزير", "في", "القاهرة"]


def test_mentions_resolve_like_the_other_extractors(loc_model):
    # The proclitic و is stripped off the surface and the gazetteer key is used, as rules/model do,
    # so the same place gets the same entity_id whichever extractor found it.
    text = "وصل الوفد إلى القاهرة أمس، والقاهرة تستعد."
    camel = CamelExtractor(loc_model).extract(text)
    surfaces = [(m.surface, m.start) for m in camel]
    assert ("القاهرة", text.index("والقاهرة") + 1) in surfaces
    rules = [m for m in RulesExtractor().extract(text) if m.surface == "القاهرة"]
    assert rules, "the rules extractor should find القاهرة (gazetteer)"
    rule_ids = {entity_id(m.entity_type, m.canonical_key) for m in rules}
    camel_ids = {entity_id(m.entity_type, m.canonical_key) for m in camel if m.surface == "القاهرة"}
    assert camel_ids == rule_ids and len(camel_ids) == 1


def test_long_text_is_cut_into_pieces_not_truncated(loc_model, random_model, monkeypatch):
    # One sentence of 700 words (about 1,900 wordpieces: far past BERT's 512 and camel-tools' 256),
    # then a short tail sentence: every word must come back labelled, the tail included.
    long_sentence = " ".join(["مدينة", "القاهرة", "وزير"][i % 3] for i in range(700))
    text = long_sentence + ". وفي النهاية عاد الوزير إلى باريس."
    ex = CamelExtractor(loc_model)
    seen: list[list[str]] = []
    real_predict = ex.ner.predict

    def spy(sentences, batch_size=32):
        seen.extend(sentences)
        return real_predict(sentences, batch_size=batch_size)

    monkeypatch.setattr(ex.ner, "predict", spy)
    ms = ex.extract(text)
    words = _words(text)
    assert sum(ex.wordpieces(w.text) for w in words) > 512
    assert len(seen) > 4
    assert all(sum(ex.wordpieces(w) for w in piece) <= MAX_WORDPIECES for piece in seen)
    assert [w for piece in seen for w in piece if w[0].isalnum()] == [w.text for w in words]
    assert [m.surface for m in ms] == [w.text for w in words]
    assert ms[-1].surface == "باريس" and ms[-1].end == text.rindex("باريس") + len("باريس")
    # and a random model does not crash on it either
    _assert_well_formed(text, CamelExtractor(random_model).extract(text))


def test_pieces_follow_sentences_and_packing_fills_them(loc_model):
    text = "قال الوزير في القاهرة. ثم عاد إلى باريس. وزار مصر!"
    toks = tokenize(text)
    one = CamelExtractor(loc_model).pieces(text, toks)
    assert [[toks[k].text for k in p] for p in one] == [
        ["قال", "الوزير", "في", "القاهرة", "."], ["ثم", "عاد", "إلى", "باريس", "."], ["وزار", "مصر", "!"]]
    packed = CamelExtractor(loc_model, pack_sentences=True)
    assert packed.pieces(text, toks) == [[k for p in one for k in p]]
    assert packed.extract(text) == CamelExtractor(loc_model).extract(text)  # constant model: same words
    with pytest.raises(ValueError):
        CamelExtractor(loc_model, max_wordpieces=MAX_WORDPIECES + 1)


def test_unusable_model_folders_are_refused_with_a_clear_message(tmp_path, random_model):
    cases = {
        None: "NEWS_CAMEL_MODEL_DIR",
        tmp_path / "absent": "does not exist",
        tmp_path: "has no config.json",
    }
    for model_dir, expected in cases.items():
        with pytest.raises(ExtractorUnavailable, match=expected):
            CamelExtractor(model_dir)
    bad = make_model(tmp_path / "bad-labels", labels=["B-PER", "I-PER", "B-LOC", "I-LOC", "B-ORG", "I-ORG",
                                                     "B-MISC", "I-MISC", "O"])
    with pytest.raises(ExtractorUnavailable, match=r"labels .*B-PER'.*needs exactly B-LOC"):
        CamelExtractor(bad)
    few = make_model(tmp_path / "few-labels", labels=["B-PERS", "I-PERS", "O"])
    with pytest.raises(ExtractorUnavailable, match="needs exactly"):
        CamelExtractor(few)
    no_vocab = make_model(tmp_path / "no-vocab")
    (no_vocab / "vocab.txt").unlink()
    with pytest.raises(ExtractorUnavailable, match="no vocab.txt"):
        CamelExtractor(no_vocab)
    no_weights = make_model(tmp_path / "no-weights")
    (no_weights / "model.safetensors").unlink()
    with pytest.raises(ExtractorUnavailable, match="no weights"):
        CamelExtractor(no_weights)
    broken = make_model(tmp_path / "broken-weights")
    (broken / "model.safetensors").write_bytes(b"not a safetensors file")
    with pytest.raises(ExtractorUnavailable, match="does not load"):
        CamelExtractor(broken)
    not_bert = make_model(tmp_path / "not-bert")
    cfg = json.loads((not_bert / "config.json").read_text())
    (not_bert / "config.json").write_text(json.dumps({**cfg, "model_type": "roberta"}))
    with pytest.raises(ExtractorUnavailable, match="model_type='roberta'"):
        CamelExtractor(not_bert)
    # through the pipeline's entry point too
    with pytest.raises(ExtractorUnavailable, match="NEWS_CAMEL_MODEL_DIR"):
        get_extractor("camel", None)


def test_missing_torch_is_refused_with_a_clear_message(random_model, monkeypatch):
    monkeypatch.setitem(sys.modules, "torch", None)  # `import torch` now raises ImportError
    with pytest.raises(ExtractorUnavailable, match="needs torch and transformers"):
        CamelExtractor(random_model)


def test_version_names_the_model_contents(tmp_path):
    a = make_model(tmp_path / "a", seed=1)
    b = make_model(tmp_path / "b", seed=1)
    c = make_model(tmp_path / "c", seed=2)
    va = resolve_extractor("camel", camel_model_dir=a).version
    assert va.startswith("camel-1-") and va == f"camel-1-{model_digest(a)}"
    assert resolve_extractor("camel", camel_model_dir=b).version == va  # same bytes, other folder
    assert resolve_extractor("camel", camel_model_dir=c).version != va  # other weights
    cfg = json.loads((b / "config.json").read_text())
    (b / "config.json").write_text(json.dumps({**cfg, "hidden_dropout_prob": 0.2}))
    assert resolve_extractor("camel", camel_model_dir=b).version != va  # other config
    assert resolve_extractor("camel").version == "camel-1"  # no folder: refused later by get_extractor


def test_offline_catalogue_stub_and_a_users_own_catalogue(tmp_path, monkeypatch):
    monkeypatch.delitem(sys.modules, "camel_tools.data", raising=False)
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    monkeypatch.delenv("CAMELTOOLS_DATA", raising=False)
    stub = ensure_offline_catalogue()
    assert stub == tmp_path / "cache" / "news_assets" / "camel_tools_data"
    assert os.environ["CAMELTOOLS_DATA"] == str(stub)
    assert json.loads((stub / "catalogue.json").read_text()) == {"version": "1.6.0", "packages": {}, "components": {}}
    # a user's data folder with its own catalogue is left as it is
    own = tmp_path / "own"
    own.mkdir()
    (own / "catalogue.json").write_text('{"version": "1.6.0", "packages": {"x": 1}, "components": {}}')
    monkeypatch.setenv("CAMELTOOLS_DATA", str(own))
    assert ensure_offline_catalogue() is None
    assert os.environ["CAMELTOOLS_DATA"] == str(own)
    assert json.loads((own / "catalogue.json").read_text())["packages"] == {"x": 1}


def _run_python(code: str, env_extra: dict, timeout: int = 240) -> subprocess.CompletedProcess:
    """Run code in a fresh interpreter in its own process group; on timeout the whole group is killed
    (forked workers included) and TimeoutExpired is raised."""
    args = [sys.executable, "-c", textwrap.dedent(code)]
    with subprocess.Popen(args, cwd=REPO, env={**os.environ, **env_extra}, stdout=subprocess.PIPE,
                          stderr=subprocess.PIPE, text=True, start_new_session=True) as proc:
        try:
            out, err = proc.communicate(timeout=timeout)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.communicate()
            raise
    return subprocess.CompletedProcess(args, proc.returncode, out, err)


def test_a_fresh_process_loads_offline_without_any_camel_data(random_model, tmp_path):
    # No ~/.camel_tools catalogue and no CAMELTOOLS_DATA: importing camel_tools.ner would try to
    # download the catalogue (and fail offline) without the extractor's own stub.
    env = {"HOME": str(tmp_path / "home"), "XDG_CACHE_HOME": str(tmp_path / "cache"), "HF_HUB_OFFLINE": "1"}
    code = f"""
        import os
        os.environ.pop("CAMELTOOLS_DATA", None)
        from news_assets.ner.camel import CamelExtractor
        ms = CamelExtractor({str(random_model)!r}).extract("قال الرئيس في القاهرة")
        print("ok", len(ms), os.environ["CAMELTOOLS_DATA"])
    """
    proc = _run_python(code, env)
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert proc.stdout.startswith("ok ") and str(tmp_path / "cache") in proc.stdout


def test_forked_workers_do_not_hang_after_the_parent_used_torch(loc_model):
    # news_assets.parallel forks one worker per core. A child of a process whose OpenMP pool already
    # ran hangs at its first multi-threaded torch op unless it drops to one thread (seen here: a
    # run that never ends). The child runs in a subprocess so a hang fails this test, not the suite.
    code = f"""
        import torch
        from news_assets.extraction import get_extractor
        from news_assets.parallel import ordered_map

        def job(text):
            return len(get_extractor("camel", {str(loc_model)!r}).extract(text)), torch.get_num_threads()

        ex = get_extractor("camel", {str(loc_model)!r})
        texts = ["قال الرئيس في القاهرة إن الوزير سيزور باريس. " * 10] * 24
        ex.extract_many(texts[:4])  # the parent runs the model first (its OpenMP pool starts)
        out = list(ordered_map(job, texts, workers=2, chunksize=4))
        print(len(out), sorted({{n for n, _ in out}}), sorted({{t for _, t in out}}))
    """
    try:
        proc = _run_python(code, {"OMP_NUM_THREADS": "2"}, timeout=120)
    except subprocess.TimeoutExpired:
        pytest.fail("forked extraction workers hung (the parent's OpenMP pool is unusable in a child)")
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert proc.stdout.split() == ["24", "[80]", "[1]"]


def _tiny_conll(path: Path) -> Path:
    path.write_text("زار B-PERS\nسامر I-PERS\nالخطيب I-PERS\nعمان B-LOC\n. O\n\n"
                    "وصلت O\nليلى B-PERS\nإلى O\nالقاهرة B-LOC\n. O\n", encoding="utf-8")
    return path


def test_ner_eval_scores_the_camel_extractor(loc_model, tmp_path, capsys, monkeypatch):
    from news_assets.cli import main

    gold = _tiny_conll(tmp_path / "gold.conll")
    assert main(["ner-eval", "--gold", str(gold), "--extractor", "camel", "--model", str(loc_model)]) == 0
    res = json.loads(capsys.readouterr().out)
    assert res["extractor"] == "camel" and res["model"] == str(loc_model) and res["sentences"] == 2
    # every word is predicted LOC: the two places are right, the other six words are false LOCs,
    # and the people are missed
    assert {k: res["per_type"]["LOC"][k] for k in ("tp", "fp", "fn")} == {"tp": 2, "fp": 6, "fn": 0}
    assert {k: res["per_type"]["PERS"][k] for k in ("tp", "fp", "fn")} == {"tp": 0, "fp": 0, "fn": 2}
    # $NEWS_CAMEL_MODEL_DIR stands in for --model
    monkeypatch.setenv("NEWS_CAMEL_MODEL_DIR", str(loc_model))
    assert main(["ner-eval", "--gold", str(gold), "--extractor", "camel"]) == 0
    assert json.loads(capsys.readouterr().out)["per_type"]["LOC"]["tp"] == 2
    # and a folder that is not a model is refused with the reason, exit code 2
    assert main(["ner-eval", "--gold", str(gold), "--extractor", "camel", "--model", str(tmp_path)]) == 2
    assert "has no config.json" in capsys.readouterr().err
