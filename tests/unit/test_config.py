"""NEWS_* settings: defaults, validation messages that name the variable, and where they apply."""
from __future__ import annotations

import pytest

from news_assets.config import SettingsError, duckdb_memory_limit_from_env
from news_assets.warehouse import Warehouse


def test_duckdb_memory_limit_defaults_validates_and_reaches_the_connection(tmp_path, monkeypatch):
    monkeypatch.delenv("NEWS_DUCKDB_MEMORY_LIMIT", raising=False)
    assert duckdb_memory_limit_from_env() == "1GB"
    monkeypatch.setenv("NEWS_DUCKDB_MEMORY_LIMIT", "lots")
    with pytest.raises(SettingsError, match="NEWS_DUCKDB_MEMORY_LIMIT"):
        duckdb_memory_limit_from_env()
    monkeypatch.setenv("NEWS_DUCKDB_MEMORY_LIMIT", "300MB")
    with Warehouse(tmp_path / "news.duckdb").connect(write=True) as con:
        limit = con.execute("SELECT current_setting('memory_limit')").fetchone()[0]
    assert limit.replace(" ", "") in {"286.1MiB", "300.0MB", "286MiB"}, limit


def test_cli_reports_a_bad_setting_in_one_line_for_every_command(tmp_path, monkeypatch, capsys):
    from news_assets.cli import main

    monkeypatch.setenv("DAGSTER_HOME", str(tmp_path / "home"))
    monkeypatch.setenv("NEWS_DUCKDB_PATH", str(tmp_path / "news.duckdb"))
    monkeypatch.setenv("NEWS_CORPUS_DIR", str(tmp_path / "missing"))
    for command in (["status"], ["build"], ["backfill", "--start", "2018-01-01", "--end", "2018-01-02"]):
        assert main(command) != 0
        err = capsys.readouterr().err
        assert "NEWS_CORPUS_DIR" in err and "Traceback" not in err, command
