"""Warehouse connections: what a write connection gives the row groups it starts."""
from __future__ import annotations

from news_assets.warehouse import Warehouse
from news_assets.warehouse.db import ROW_GROUP_ROWS


def _row_groups(con, table: str) -> int:
    return con.execute(f"SELECT count(DISTINCT row_group_id) FROM pragma_storage_info('{table}')").fetchone()[0]


def test_write_connections_start_small_row_groups_and_readers_see_every_row(tmp_path):
    # A quote in the folder name: the path is spliced into ATTACH, so it must be escaped.
    wh = Warehouse(tmp_path / "it's here" / "news.duckdb")
    rows = 3 * ROW_GROUP_ROWS + 5
    with wh.transaction() as con:
        con.execute("CREATE TABLE numbers AS SELECT range AS n FROM range($rows)", {"rows": rows})
    with wh.transaction() as con:  # appended by a later connection, as each batch is
        con.execute("INSERT INTO numbers SELECT range FROM range($rows, $more)", {"rows": rows, "more": rows + 100})
    with wh.connect() as con:
        assert con.execute("SELECT count(*), max(n) FROM numbers").fetchone() == (rows + 100, rows + 99)
        assert _row_groups(con, "numbers") == 4  # DuckDB's default (122,880 rows): 2, one per write
        assert con.execute("SELECT count(*) FROM articles").fetchone() == (0,)  # the schema is there
