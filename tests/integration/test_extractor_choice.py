"""NEWS_EXTRACTOR=model end to end: the ner_model asset trains from a gold file, mentions carry its
version; without a gold file the pipeline falls back to rules and says so. NEWS_EXTRACTOR=camel runs
on a tiny random BERT made by the test, and is refused before any run without a model folder."""
from __future__ import annotations

from news_assets.versions import EXTRACTOR_VERSIONS
from tests.conftest import Env
from tests.unit.test_ner_model import _conll

RULES, MODEL, CAMEL = EXTRACTOR_VERSIONS["rules"], EXTRACTOR_VERSIONS["model"], EXTRACTOR_VERSIONS["camel"]


def test_model_extractor_trains_then_extracts(env: Env, tmp_path, capsys):
    gold = tmp_path / "gold.conll"
    gold.write_text(_conll(), encoding="utf-8")
    env.monkeypatch.setenv("NEWS_EXTRACTOR", "model")
    env.monkeypatch.setenv("NEWS_NER_GOLD", str(gold))
    assert env.cli("build") == 0
    models = list((env.db.parent / "models").glob("ner-crf-*.crf"))
    assert len(models) == 1
    # trained with word statistics of the corpus's articles, read a page at a time
    import json

    meta = json.loads(models[0].with_name(models[0].name + ".json").read_text(encoding="utf-8"))
    n_tokens = sum(len(b.split()) for (b,) in env.sql("SELECT body FROM articles"))
    assert 0.5 * n_tokens < meta["unlabeled_tokens"] < 2 * n_tokens  # project tokens vs whitespace words
    assert meta["lexicon"]
    versions = {v for (v,) in env.sql("SELECT DISTINCT extractor FROM entity_mentions")}
    assert len(versions) == 1 and next(iter(versions)).startswith(f"{MODEL}-")
    assert env.scalar("""
        SELECT count(*) FROM entity_mentions m JOIN articles a USING (article_id)
        WHERE substr(a.body, m.start_char + 1, m.end_char - m.start_char) <> m.surface""") == 0
    # Switching back to rules re-extracts every article once, and only once.
    env.monkeypatch.setenv("NEWS_EXTRACTOR", "rules")
    env.cli("build")
    assert {v for (v,) in env.sql("SELECT DISTINCT extractor FROM entity_mentions")} == {RULES}
    before = env.snapshot()
    env.cli("build")
    assert env.snapshot() == before


def test_model_without_gold_falls_back_to_rules_and_says_so(env: Env, capsys):
    env.monkeypatch.setenv("NEWS_EXTRACTOR", "model")
    env.monkeypatch.delenv("NEWS_NER_GOLD", raising=False)
    assert env.cli("build") == 0
    assert "no NEWS_NER_GOLD" in capsys.readouterr().err
    assert {v for (v,) in env.sql("SELECT DISTINCT extractor FROM entity_mentions")} == {RULES}


def test_camel_without_a_model_folder_is_refused_before_any_run(env: Env, capsys):
    env.monkeypatch.setenv("NEWS_EXTRACTOR", "camel")
    env.monkeypatch.delenv("NEWS_CAMEL_MODEL_DIR", raising=False)
    assert env.cli("build") == 2
    err = capsys.readouterr().err
    assert "NEWS_EXTRACTOR=camel needs NEWS_CAMEL_MODEL_DIR" in err
    assert not env.db.exists()  # refused before any run wrote anything
    from news_assets import corpus

    assert not corpus._LISTINGS_AHEAD  # the listing started ahead was stopped, not left behind


def test_camel_extractor_runs_the_pipeline_on_a_tiny_model(env: Env, tmp_path):
    from tests.unit.test_camel_extractor import make_model

    model = make_model(tmp_path / "camel-model")
    env.monkeypatch.setenv("NEWS_EXTRACTOR", "camel")
    env.monkeypatch.setenv("NEWS_CAMEL_MODEL_DIR", str(model))
    assert env.cli("build") == 0
    versions = {v for (v,) in env.sql("SELECT DISTINCT extractor FROM entity_mentions")}
    assert len(versions) == 1 and next(iter(versions)).startswith(f"{CAMEL}-")  # names the model's digest
    assert env.scalar("SELECT count(*) FROM entity_mentions") > 0  # a random model tags plenty
    assert env.scalar("""
        SELECT count(*) FROM entity_mentions m JOIN articles a USING (article_id)
        WHERE substr(a.body, m.start_char + 1, m.end_char - m.start_char) <> m.surface""") == 0
    before = env.snapshot()
    env.cli("build")
    assert env.snapshot() == before  # nothing changed: nothing re-extracted
    # Another model (other weights) is another version: every article is extracted again, once.
    make_model(tmp_path / "camel-model", seed=1)
    env.cli("build")
    after = {v for (v,) in env.sql("SELECT DISTINCT extractor FROM entity_mentions")}
    assert len(after) == 1 and after != versions


def test_article_bodies_pages_through_every_article(env: Env):
    from news_assets.defs.entities.ner_model import article_bodies
    from news_assets.warehouse import Warehouse

    env.cli("build")
    bodies = list(article_bodies(Warehouse(env.db), page_size=1))  # one article a page
    expected = [b for (b,) in env.sql("SELECT body FROM articles ORDER BY article_id")]
    assert len(expected) >= 2 and bodies == expected
