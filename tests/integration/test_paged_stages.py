"""Ingest and parse go through their work lists a page at a time (memory holds one page)."""
from __future__ import annotations

import duckdb
import pytest

import news_assets.defs.ingest.assets as ingest
import news_assets.defs.parse.assets as parse
from tests.conftest import Env


def test_ingest_failing_part_way_keeps_its_pages_and_the_next_build_reads_only_the_rest(
        env: Env, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setattr(ingest, "INGEST_PAGE_FILES", 10)
    writes, fail_at = [], [3]
    real_run_sql = ingest.run_sql

    def counted_write(con, name, **params):
        if name == "ingest/write_files":
            writes.append(name)
            if len(writes) in fail_at:
                raise OSError("no space left on device (test)")
        return real_run_sql(con, name, **params)

    monkeypatch.setattr(ingest, "run_sql", counted_write)
    with pytest.raises(SystemExit):
        env.cli("build")
    # The sample's 36 files in pages of 10: the first two pages landed whole, the third not at all
    # (in the work file: a failed build publishes nothing).
    with duckdb.connect(str(env.db) + ".work", read_only=True) as con:
        first = dict(con.execute("SELECT path, ingested_at FROM raw_documents").fetchall())
        assert con.execute("SELECT count(*) FROM rejected_documents").fetchone()[0] == 0
    assert len(first) == 20

    writes.clear()
    fail_at.clear()
    assert env.cli("build") == 0
    after = dict(env.sql("SELECT path, ingested_at FROM raw_documents"))
    assert len(after) == 36 and env.scalar("SELECT count(*) FROM articles") == 41
    assert all(after[path] == at for path, at in first.items())  # the kept pages were not read again
    # Pages with something new are written; the first two held nothing new.
    assert len(writes) == 2


def test_ingest_checks_pages_of_the_listing_and_writes_their_new_files_in_batches(
        env: Env, monkeypatch: pytest.MonkeyPatch):
    # The sample's 36 files checked 7 at a time (six pages, the last of one file), their new files
    # written 3 at a time: 3 batches for each full page, 1 for the last.
    monkeypatch.setattr(ingest, "INGEST_CHECK_FILES", 7)
    monkeypatch.setattr(ingest, "INGEST_PAGE_FILES", 3)
    writes = []
    real_run_sql = ingest.run_sql

    def counted_write(con, name, **params):
        if name == "ingest/write_files":
            writes.append(con.execute("SELECT count(*) FROM new_documents").fetchone()[0])
        return real_run_sql(con, name, **params)

    monkeypatch.setattr(ingest, "run_sql", counted_write)
    assert env.cli("build") == 0
    assert writes == [3, 3, 1] * 5 + [1]
    assert env.scalar("SELECT count(*) FROM raw_documents") == 36 and env.scalar("SELECT count(*) FROM articles") == 41
    # A changed file in the fourth page and a new one at the end: one batch each, nothing else read.
    changed = sorted(str(p) for p in env.corpus.rglob("*") if p.is_file())[22]
    with open(changed, "a", encoding="utf-8") as fh:
        fh.write("\n(تعديل)\n")
    (env.corpus / "zz-new.txt").write_bytes(open(changed, "rb").read() + "\n(جديد)\n".encode())
    writes.clear()
    assert env.cli("build") == 0
    assert writes == [1, 1]
    assert env.scalar("SELECT count(*) FROM raw_documents") == 37


def test_parse_in_small_pages_parses_every_document_once(env: Env, monkeypatch: pytest.MonkeyPatch):
    # 36 documents in pages of 5 and batches of 2: every page boundary and a short last page.
    monkeypatch.setattr(parse, "TODO_PAGE_DOCUMENTS", 5)
    monkeypatch.setattr(parse, "BATCH_DOCUMENTS", 2)
    # Two more paths to one of them, content-addressed as one document: parsed once, whether or
    # not a page ends among its rows (tests/unit/test_parse_todo_pages.py: which path).
    sample = sorted(p for p in env.corpus.rglob("*") if p.is_file())[0]
    for name in ("zz-copy-a", "zz-copy-b"):
        (env.corpus / f"{name}{sample.suffix}").write_bytes(sample.read_bytes())
    pages: list[int] = []
    real_run_sql = parse.run_sql

    def counted_page(con, name, **params):
        result = real_run_sql(con, name, **params)
        if name == "parse/documents_to_parse":
            rows = result.fetchall()
            pages.append(len(rows))
            return type("Rows", (), {"fetchall": lambda self: rows})()
        return result

    monkeypatch.setattr(parse, "run_sql", counted_page)
    assert env.cli("build") == 0
    # Every page within the limit, the first one of a build from empty too (DuckDB 2.0.1 dropped
    # the LIMIT of the grouped query when no document of this parser version was stored yet).
    assert max(pages) <= 5 and len(pages) >= 8, pages
    with duckdb.connect(str(env.db) + ".work", read_only=True) as con:
        assert con.execute("SELECT count(*), count(DISTINCT doc_id) FROM parsed_documents").fetchone() == (36, 36)
        (doc_id,) = con.execute("SELECT doc_id FROM raw_documents WHERE path = ?", [str(sample)]).fetchone()
        assert con.execute("SELECT count(*) FROM raw_documents WHERE doc_id = ?", [doc_id]).fetchone()[0] == 3
    assert env.scalar("SELECT count(*) FROM articles") == 41
    assert env.scalar("SELECT count(*) FROM articles a JOIN articles p ON a.parent_article_id = p.article_id") == 5


def test_articles_check_reads_only_new_bodies_and_a_failure_stays_until_fixed(env: Env, monkeypatch: pytest.MonkeyPatch):
    import shutil

    assert env.cli("build") == 0
    with duckdb.connect(str(env.db) + ".work", read_only=True) as con:
        (through,) = con.execute("SELECT value::TIMESTAMP FROM pipeline_state "
                                 "WHERE key = 'articles_checked_through'").fetchone()
        assert through == con.execute("SELECT max(parsed_at) FROM articles").fetchone()[0]
    from news_assets.warehouse import Warehouse

    checked_after, real_lookup = [], Warehouse.lookup

    def spy(self, name, params=None, **frames):
        if name == "parse/empty_since":
            checked_after.append(params["after"])
        return real_lookup(self, name, params, **frames)

    monkeypatch.setattr(Warehouse, "lookup", spy)
    # A new file whose article comes out with a blank body (a parser bug, simulated).
    new = env.corpus / "zz_new.txt"
    shutil.copy(sorted(env.corpus.glob("*.txt"))[0], new)
    new.write_text(new.read_text(encoding="utf-8") + "\n(نسخة)\n", encoding="utf-8")  # new content
    real_rows = parse.article_rows

    def blank_body(doc_id, parsed):
        rows, dropped = real_rows(doc_id, parsed)
        if any(row["body"].endswith("(نسخة)") for row in rows):
            for row in rows:
                row["body"] = " "
        return rows, dropped

    monkeypatch.setattr(parse, "article_rows", blank_body)
    with pytest.raises(SystemExit, match=r"steps: articles"):
        env.cli("build")  # the blocking check fails the run
    assert checked_after == [through]  # only what was parsed after the last clean check was read
    monkeypatch.setattr(parse, "article_rows", real_rows)
    with pytest.raises(SystemExit, match=r"steps: articles"):
        env.cli("build")  # nothing new to parse, and the bad row is still checked
    assert checked_after[-1] == through


def test_build_ingests_from_the_listing_made_while_it_started(env: Env, monkeypatch: pytest.MonkeyPatch):
    import news_assets.corpus as corpus

    used = []
    real_pages = corpus.ListingAhead.pages
    monkeypatch.setattr(corpus.ListingAhead, "pages", lambda self: used.append(self.root) or real_pages(self))
    assert env.cli("build") == 0
    assert used == [str(env.corpus.resolve())] and not corpus._LISTINGS_AHEAD  # used, or discarded
    assert env.scalar("SELECT count(*) FROM raw_documents") == 36
    (env.corpus / "zz-new.txt").write_bytes(next(env.corpus.glob("*.txt")).read_bytes() + "\n(جديد)\n".encode())
    assert env.cli("build") == 0 and len(used) == 2
    assert env.scalar("SELECT count(*) FROM raw_documents") == 37
