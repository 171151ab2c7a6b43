"""Analysts' questions as SQL files (sql/queries/*.sql), listed and run with typed parameters.

Each file starts with a comment block in this shape::

    -- Question: Which entities are mentioned most on each day of a date range?
    -- Parameters:
    --   $start  = 2025-03-10  first publication day (inclusive, UTC)
    --   $top    = 10          how many entities to keep per day
    --   $entity = 'ماكرون'    a string default may be quoted (needed when it holds spaces)
    -- Columns:
    --   ...

A default's spelling gives the parameter its type: true/false -> bool, a whole number -> int, a
decimal -> float, YYYY-MM-DD -> date, anything else -> str. Values given as strings (command line)
are converted to that type. The files are plain DuckDB SQL with named $parameters, so they also run
as they are: ``con.execute(open(path).read(), {every parameter: value})``.

No Dagster import here: the CLI imports this module without loading the pipeline.
"""
from __future__ import annotations

import argparse
import datetime as dt
import os
import re
import sys
from dataclasses import dataclass, field
from pathlib import Path

import duckdb
import polars as pl

QUERIES_DIR = Path(__file__).resolve().parents[1] / "sql" / "queries"

ParamValue = bool | int | float | dt.date | str

_PARAM_LINE = re.compile(r"^\$(?P<name>[A-Za-z_]\w*)\s*=\s*(?P<default>'[^']*'|\"[^\"]*\"|\S+)\s*(?P<help>.*)$")
_USED_PARAM = re.compile(r"\$([A-Za-z_]\w*)")


class QueryError(ValueError):
    """A query name or parameter is wrong; the message says which and what is allowed."""


@dataclass(frozen=True)
class QueryInfo:
    name: str
    question: str
    params: dict[str, ParamValue]
    help: dict[str, str] = field(default_factory=dict, compare=False)
    columns: list[str] = field(default_factory=list, compare=False)
    path: Path | None = field(default=None, compare=False)


def _parse_default(text: str) -> ParamValue:
    if len(text) >= 2 and text[0] == text[-1] and text[0] in "'\"":
        return text[1:-1]
    if text.lower() in ("true", "false"):
        return text.lower() == "true"
    if re.fullmatch(r"[+-]?\d+", text):
        return int(text)
    if re.fullmatch(r"[+-]?(\d+\.\d*|\.\d+)([eE][+-]?\d+)?", text):
        return float(text)
    if re.fullmatch(r"\d{4}-\d{2}-\d{2}", text):
        return dt.date.fromisoformat(text)
    return text


def _header(text: str) -> list[str]:
    """The leading comment lines, without their `--`."""
    lines = []
    for line in text.splitlines():
        stripped = line.strip()
        if not stripped.startswith("--"):
            break
        lines.append(stripped[2:].strip())
    return lines


def parse_query_file(path: Path) -> QueryInfo:
    """QueryInfo from a query file's comment block; checks it against the $parameters the SQL uses."""
    text = path.read_text(encoding="utf-8")
    question, params, helps, columns, section = "", {}, {}, [], None
    for line in _header(text):
        lowered = line.lower()
        if lowered.startswith("question:"):
            question, section = line.split(":", 1)[1].strip(), "question"
        elif lowered.startswith("parameters:"):
            section = "parameters"
        elif lowered.startswith("columns:"):
            section = "columns"
        elif section == "parameters" and (m := _PARAM_LINE.match(line)):
            params[m["name"]] = _parse_default(m["default"])
            helps[m["name"]] = m["help"].strip()
        elif section == "columns" and (m := re.match(r"^([a-z_]\w*)\s{2,}", line)):
            columns.append(m[1])
        elif section == "question" and line:
            question = f"{question} {line}"
    if not question:
        raise QueryError(f"{path}: the comment block has no '-- Question:' line")
    body = "\n".join(line for line in text.splitlines() if not line.strip().startswith("--"))
    used = set(_USED_PARAM.findall(body))
    if used != set(params):
        raise QueryError(
            f"{path}: the SQL uses ${', $'.join(sorted(used)) or '(none)'} but the comment block declares "
            f"${', $'.join(sorted(params)) or '(none)'}: declare every parameter with a default")
    return QueryInfo(path.stem, question, params, helps, columns, path)


def list_queries(directory: Path = QUERIES_DIR) -> list[QueryInfo]:
    """Every query in sql/queries, by name."""
    return [parse_query_file(p) for p in sorted(directory.glob("*.sql"))]


def get_query(name: str, directory: Path = QUERIES_DIR) -> QueryInfo:
    path = directory / f"{name}.sql"
    if not re.fullmatch(r"\w+", name) or not path.is_file():
        known = ", ".join(q.name for q in list_queries(directory))
        raise QueryError(f"unknown query {name!r}: known queries are {known}")
    return parse_query_file(path)


def _type_name(default: ParamValue) -> str:
    return {bool: "true/false", int: "whole number", float: "number", dt.date: "date YYYY-MM-DD"}.get(
        type(default), "text")


def coerce(name: str, value: object, default: ParamValue) -> ParamValue:
    """`value` converted to the type of `default`, or QueryError saying what was expected."""
    if not isinstance(value, str):
        if isinstance(default, float) and isinstance(value, int) and not isinstance(value, bool):
            return float(value)
        if type(value) is type(default) or (isinstance(default, dt.date) and type(value) is dt.date):
            return value
        raise QueryError(f"parameter {name}: expected a {_type_name(default)}, got {value!r}")
    text = value.strip()
    try:
        if isinstance(default, bool):
            lowered = text.lower()
            if lowered in ("true", "1", "yes", "y", "on"):
                return True
            if lowered in ("false", "0", "no", "n", "off"):
                return False
            raise ValueError(text)
        if isinstance(default, int):
            return int(text)
        if isinstance(default, float):
            return float(text)
        if isinstance(default, dt.date):
            return dt.date.fromisoformat(text)
    except ValueError:
        raise QueryError(f"parameter {name}={value!r}: expected a {_type_name(default)}") from None
    return value  # text parameters keep their exact value


def resolve_params(info: QueryInfo, params: dict[str, object] | None) -> dict[str, ParamValue]:
    """Defaults overridden by `params`, each value of the type its default has."""
    params = dict(params or {})
    unknown = sorted(set(params) - set(info.params))
    if unknown:
        allowed = ", ".join(info.params) or "none"
        raise QueryError(f"query {info.name} has no parameter {', '.join(unknown)}: its parameters are {allowed}")
    return {k: coerce(k, params[k], d) if k in params else d for k, d in info.params.items()}


def run_query(con: duckdb.DuckDBPyConnection, name: str, params: dict[str, str] | None = None) -> pl.DataFrame:
    """Run sql/queries/<name>.sql on `con` with defaults filled in; the result as a polars DataFrame."""
    info = get_query(name)
    values = resolve_params(info, params)
    text = info.path.read_text(encoding="utf-8")
    return con.sql(text, params=values or None).pl()


# --- command line -----------------------------------------------------------------------------------

def _format_default(value: ParamValue) -> str:
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)


def _print_catalogue(out) -> None:
    for info in list_queries():
        print(info.name, file=out)
        print(f"    {info.question}", file=out)
        for pname, default in info.params.items():
            print(f"    --param {pname}={_format_default(default)}  {info.help.get(pname, '')}".rstrip(), file=out)
        print(file=out)


def _csv_ready(df: pl.DataFrame) -> pl.DataFrame:
    """CSV has no nested values: list columns become one string, items joined by '; '."""
    lists = [c for c, t in df.schema.items() if isinstance(t, pl.List)]
    return df.with_columns(pl.col(c).cast(pl.List(pl.String)).list.join("; ") for c in lists) if lists else df


def _argument_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="news-assets query",
        description="Run one of the analysts' questions in sql/queries against $NEWS_DUCKDB_PATH "
        "(opened read-only). Without NAME: list the queries with their parameters and defaults.")
    p.add_argument("name", nargs="?", metavar="NAME", help="query name, e.g. top_entities_per_day")
    p.add_argument("--param", "-p", action="append", default=[], metavar="KEY=VALUE",
                   help="a parameter value (repeatable); the others keep their defaults")
    p.add_argument("--csv", action="store_true", help="print CSV instead of a table")
    return p


def _warehouse_path() -> Path:
    from news_assets.config import DEFAULT_DATA_DIR

    raw = os.environ.get("NEWS_DUCKDB_PATH", "").strip()
    return Path(raw).expanduser() if raw else DEFAULT_DATA_DIR / "news.duckdb"


def cli_query(argv: list[str]) -> int:
    """`news-assets query [NAME] [--param k=v ...] [--csv]`; returns the exit status."""
    args = _argument_parser().parse_args(argv)
    if not args.name:
        _print_catalogue(sys.stdout)
        return 0
    params: dict[str, str] = {}
    for item in args.param:
        key, sep, value = item.partition("=")
        if not sep or not key.strip():
            print(f"news-assets query: --param {item!r} is not KEY=VALUE", file=sys.stderr)
            return 2
        params[key.strip()] = value
    try:
        info = get_query(args.name)
        values = resolve_params(info, params)
    except QueryError as exc:
        print(f"news-assets query: {exc}", file=sys.stderr)
        return 2
    path = _warehouse_path()
    if not path.is_file():
        print(f"news-assets query: no warehouse at {path} (NEWS_DUCKDB_PATH): run `news-assets build` first",
              file=sys.stderr)
        return 2
    try:
        with duckdb.connect(str(path), read_only=True) as con:
            df = run_query(con, info.name, values)
    except (duckdb.Error, QueryError) as exc:
        print(f"news-assets query: {info.name} failed: {exc}", file=sys.stderr)
        return 1
    if args.csv:
        sys.stdout.write(_csv_ready(df).write_csv())
    else:
        with pl.Config(tbl_rows=-1, tbl_cols=-1, fmt_str_lengths=80, tbl_width_chars=250,
                       tbl_hide_dataframe_shape=False):
            print(df)
    return 0
