"""NEWS_EXTRACTOR=model end to end: the ner_model asset trains from a gold file, mentions carry its
version; without a gold file the pipeline falls back to rules and says so."""
from __future__ import annotations

from tests.conftest import Env
from tests.unit.test_ner_model import _conll


def test_model_extractor_trains_then_extracts(env: Env, tmp_path, capsys):
    gold = tmp_path / "gold.conll"
    gold.write_text(_conll(), encoding="utf-8")
    env.monkeypatch.setenv("NEWS_EXTRACTOR", "model")
    env.monkeypatch.setenv("NEWS_NER_GOLD", str(gold))
    assert env.cli("build") == 0
    models = list((env.db.parent / "models").glob("ner-crf-*.crfsuite"))
    assert len(models) == 1
    versions = {v for (v,) in env.sql("SELECT DISTINCT extractor FROM entity_mentions")}
    assert len(versions) == 1 and next(iter(versions)).startswith("model-1-")
    assert env.scalar("""
        SELECT count(*) FROM entity_mentions m JOIN articles a USING (article_id)
        WHERE substr(a.body, m.start_char + 1, m.end_char - m.start_char) <> m.surface""") == 0
    # Switching back to rules re-extracts every article once, and only once.
    env.monkeypatch.setenv("NEWS_EXTRACTOR", "rules")
    env.cli("build")
    assert {v for (v,) in env.sql("SELECT DISTINCT extractor FROM entity_mentions")} == {"rules-1"}
    before = env.snapshot()
    env.cli("build")
    assert env.snapshot() == before


def test_model_without_gold_falls_back_to_rules_and_says_so(env: Env, capsys):
    env.monkeypatch.setenv("NEWS_EXTRACTOR", "model")
    env.monkeypatch.delenv("NEWS_NER_GOLD", raising=False)
    assert env.cli("build") == 0
    assert "no NEWS_NER_GOLD" in capsys.readouterr().err
    assert {v for (v,) in env.sql("SELECT DISTINCT extractor FROM entity_mentions")} == {"rules-1"}


def test_camel_is_refused_with_a_clear_message_before_any_run(env: Env, capsys):
    env.monkeypatch.setenv("NEWS_EXTRACTOR", "camel")
    assert env.cli("build") == 2
    err = capsys.readouterr().err
    assert "NEWS_EXTRACTOR=camel is not available" in err
    assert not env.db.exists()  # refused before any run wrote anything
