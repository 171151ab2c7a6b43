"""The built gazetteer is cached in a file named after its inputs (news_assets.ner.gazetteer)."""
from __future__ import annotations

import shutil

import pytest

from news_assets.ner import gazetteer as gz


@pytest.fixture
def cache_home(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    return tmp_path / "cache" / "news_assets"


def _load():
    return gz.load_gazetteer.__wrapped__()  # past the per-process lru_cache


def test_first_load_builds_and_stores_later_loads_read_the_file(cache_home, monkeypatch):
    built = _load()
    path = gz.gazetteer_cache_path()
    assert path.parent == cache_home and path.is_file()

    def no_build():
        raise AssertionError("built again although the cache file matches")

    monkeypatch.setattr(gz, "_build", no_build)
    loaded = _load()
    assert loaded.by_first == built.by_first and loaded.name_words == built.name_words
    assert loaded.people_display == built.people_display and loaded.title_seqs == built.title_seqs
    assert (loaded.titles, loaded.first_names, loaded.common) == (built.titles, built.first_names, built.common)


def test_a_damaged_or_foreign_cache_file_is_rebuilt(cache_home):
    reference = _load()
    path = gz.gazetteer_cache_path()
    for damage in (path.read_bytes()[:1000], b"", b"\x80\x05K\x01."):  # truncated, empty, a pickled 1
        path.write_bytes(damage)
        assert _load().by_first == reference.by_first
        assert gz._load_cached(path) is not None, "the rebuilt gazetteer was not written back"


def test_a_changed_list_gets_a_new_file_and_the_old_one_is_dropped(cache_home, tmp_path, monkeypatch):
    _load()
    first = gz.gazetteer_cache_path()
    lists = tmp_path / "lists"
    shutil.copytree(gz.LISTS_DIR, lists)
    name = "قرية الاختبار المتخيلة"  # a made-up place name
    with open(lists / "locations_extra.txt", "a", encoding="utf-8") as f:
        f.write(f"\n{name}\n")
    monkeypatch.setattr(gz, "LISTS_DIR", lists)
    second = gz.gazetteer_cache_path()
    assert second != first
    g = _load()
    tokens = gz.norm_tokens(name)
    assert any(e.tokens == tokens for e in g.by_first.get(tokens[0], [])), "the edited list was not built"
    assert second.is_file() and not first.exists()


def test_an_unwritable_cache_folder_still_gives_a_gazetteer(tmp_path, monkeypatch):
    blocker = tmp_path / "not_a_dir"
    blocker.write_text("a file where the cache folder would go")
    monkeypatch.setenv("XDG_CACHE_HOME", str(blocker))
    assert _load().by_first
