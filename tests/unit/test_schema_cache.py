"""The table schemas shown on asset definitions are kept pickled (news_assets.defs.metadata)."""
from __future__ import annotations

import pytest

from news_assets import pickle_cache
from news_assets.defs import metadata


@pytest.fixture
def cache_home(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    metadata._declared_schemas.cache_clear()
    yield tmp_path / "cache" / "news_assets"
    metadata._declared_schemas.cache_clear()


def test_schemas_are_read_from_the_ddl_once_then_from_the_cache(cache_home, monkeypatch):
    built = metadata._declared_schemas()
    assert "mention_counts_daily" in built and "counted_articles" in built
    (path,) = cache_home.glob("table-schemas-*.pickle")

    def no_ddl(*_a, **_k):
        raise AssertionError("the DDL ran again although the cache file matches")

    monkeypatch.setattr(metadata.duckdb, "connect", no_ddl)
    metadata._declared_schemas.cache_clear()
    assert metadata._declared_schemas() == built
    # A damaged file is not trusted: the DDL runs again and the file is written back.
    monkeypatch.undo()
    monkeypatch.setenv("XDG_CACHE_HOME", str(cache_home.parent))
    path.write_bytes(path.read_bytes()[:100])
    metadata._declared_schemas.cache_clear()
    assert metadata._declared_schemas() == built
    assert pickle_cache.load(path, dict) == built


def test_a_changed_ddl_gets_a_new_file_and_the_old_one_is_dropped(cache_home, monkeypatch):
    from news_assets.warehouse import db

    metadata._declared_schemas()
    (first,) = cache_home.glob("table-schemas-*.pickle")
    real = db.load_sql
    extra = "\nCREATE TABLE IF NOT EXISTS made_up_for_this_test (x INTEGER);\n"
    monkeypatch.setattr(db, "load_sql", lambda name: real(name) + (extra if name == "schema" else ""))
    metadata._declared_schemas.cache_clear()
    assert "made_up_for_this_test" in metadata._declared_schemas()
    (second,) = cache_home.glob("table-schemas-*.pickle")
    assert second != first
