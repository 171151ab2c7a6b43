"""The parse stage's work list (sql/parse/documents_to_parse.sql), read a page at a time."""
from __future__ import annotations

import duckdb
import pytest

from news_assets.warehouse.db import ensure_schema, run_sql

PAGE = 10_000  # TODO_PAGE_DOCUMENTS's order of size: DuckDB 2.0.1 lost a grouped query's LIMIT from ~10,000 up


def _raw(con, rows: list[tuple[str, str]]) -> None:
    con.executemany("INSERT INTO raw_documents VALUES (?, ?, ?, 'trec', 'utf-8', 1, 1, now(), NULL)",
                    [(doc_id, doc_id, path) for doc_id, path in rows])


def _pages(con, parser_version: str = "v1") -> list[list[tuple]]:
    pages, after = [], ""
    while rows := run_sql(con, "parse/documents_to_parse", parser_version=parser_version, after=after,
                          limit=PAGE).fetchall():
        pages.append(rows)
        after = rows[-1][0]
    return pages


@pytest.fixture
def con():
    with duckdb.connect(":memory:") as con:
        ensure_schema(con)
        yield con


def test_a_page_never_exceeds_the_limit_when_nothing_is_parsed_yet(con):
    # 25,000 documents and an empty parsed_documents: a build from empty. The grouped query this
    # replaced returned all 25,000 rows as its first page (its LIMIT dropped by DuckDB's planner).
    con.execute("INSERT INTO raw_documents SELECT md5(i::VARCHAR), md5(i::VARCHAR), '/c/' || i, 'trec', 'utf-8', "
                "1, 1, now(), NULL FROM range(25000) t(i)")
    pages = _pages(con)
    assert [len(p) for p in pages] == [PAGE, PAGE, 5_000]
    ids = [row[0] for page in pages for row in page]
    assert ids == sorted(ids) and len(set(ids)) == 25_000


def test_documents_parsed_by_this_version_are_left_out_and_others_listed(con):
    _raw(con, [("a", "/c/a"), ("b", "/c/b"), ("c", "/c/c")])
    con.execute("INSERT INTO parsed_documents VALUES ('a', 'v1', 'parsed', NULL, 1, now()), "
                "('b', 'v0', 'parsed', NULL, 1, now())")
    assert [row[0] for page in _pages(con) for row in page] == ["b", "c"]


def test_a_document_at_several_paths_comes_first_with_its_smallest_path(con):
    _raw(con, [("d", "/c/z"), ("d", "/c/b"), ("e", "/c/a"), ("d", "/c/m")])
    (rows,) = _pages(con)
    assert rows[0][:2] == ("d", "/c/b") and [r[0] for r in rows] == ["d", "d", "d", "e"]
