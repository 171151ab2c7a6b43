"""Ingest: the raw files under the corpus root, content-addressed."""

import datetime as dt
import functools
import hashlib
from collections import Counter

import dagster as dg
import polars as pl

from news_assets.corpus import iter_corpus_files
from news_assets.parallel import ordered_map
from news_assets.progress import Progress
from news_assets.defs.metadata import definition_metadata, standard_metadata
from news_assets.defs.resources import CorpusResource, WarehouseResource
from news_assets.text.decode import DecodeError, decode_bytes
from news_assets.text.parsing import detect_format
from news_assets.versions import INGEST_VERSION
from news_assets.warehouse import run_sql

DOCUMENT_SCHEMA = {
    "sha256": pl.String, "path": pl.String, "format": pl.String, "encoding": pl.String,
    "bytes": pl.Int64, "mtime_ns": pl.Int64,
}
REJECT_SCHEMA = {"path": pl.String, "sha256": pl.String, "reason": pl.String, "bytes": pl.Int64, "mtime_ns": pl.Int64}


def read_document(path: str, size: int, max_bytes: int) -> tuple[dict | None, str | None, str | None]:
    """(document fields, sha256, reject reason): read, hash, decode and sniff one file."""
    if size > max_bytes:
        return None, None, f"file is {size} bytes, over the NEWS_MAX_FILE_BYTES limit of {max_bytes}"
    try:
        with open(path, "rb") as fh:
            data = fh.read(max_bytes + 1)
    except OSError as exc:
        return None, None, f"cannot read file: {exc.strerror or exc}"
    if len(data) > max_bytes:
        return None, None, f"file grew past the NEWS_MAX_FILE_BYTES limit of {max_bytes} while reading"
    sha = hashlib.sha256(data).hexdigest()
    try:
        text, encoding = decode_bytes(data)
    except DecodeError as exc:
        return None, sha, str(exc)
    return {"sha256": sha, "format": detect_format(text), "encoding": encoding}, sha, None


def _read(f, max_bytes: int):
    return read_document(f.path, f.bytes, max_bytes)


@dg.asset(
    group_name="ingest",
    kinds={"duckdb", "python"},
    owners=["team:news-data"],
    code_version=INGEST_VERSION,
    check_specs=[
        dg.AssetCheckSpec("raw_documents_path_unique", asset="raw_documents", blocking=True,
                          description="One row per path."),
    ],
    metadata=definition_metadata("raw_documents"),
)
def raw_documents(
    context: dg.AssetExecutionContext, warehouse: WarehouseResource, corpus: CorpusResource
) -> dg.MaterializeResult:
    """Every file under the corpus root, content-addressed by sha256; unchanged files are not re-read."""
    wh = warehouse.get()
    with wh.connect() as con:
        known = {(p, b, m) for p, b, m in run_sql(con, "ingest/known_files").fetchall()}

    documents, rejects, to_read = [], [], []
    seen = unchanged = 0
    for f in iter_corpus_files(corpus.path):
        seen += 1
        if (f.path, f.bytes, f.mtime_ns) in known:
            unchanged += 1
        elif f.problem:
            rejects.append({"path": f.path, "sha256": None, "reason": f.problem, "bytes": f.bytes, "mtime_ns": f.mtime_ns})
        else:
            to_read.append(f)

    reader = functools.partial(_read, max_bytes=corpus.max_file_bytes)
    progress = Progress(f"reading new files ({seen:,} seen, {unchanged:,} unchanged)", len(to_read))
    for i, (f, (fields, sha, reason)) in enumerate(zip(to_read, ordered_map(reader, to_read)), 1):
        progress.update(i, force=i == len(to_read))
        if reason:
            rejects.append({"path": f.path, "sha256": sha, "reason": reason, "bytes": f.bytes, "mtime_ns": f.mtime_ns})
        else:
            documents.append({**fields, "path": f.path, "bytes": f.bytes, "mtime_ns": f.mtime_ns})

    new_documents = pl.DataFrame(documents, schema=DOCUMENT_SCHEMA)
    new_rejects = pl.DataFrame(rejects, schema=REJECT_SCHEMA)
    now = dt.datetime.now(dt.UTC).replace(tzinfo=None)
    with wh.transaction() as con:
        if documents or rejects:
            con.register("new_documents", new_documents)
            con.register("new_rejects", new_rejects)
            run_sql(con, "ingest/write_files", now=now, run_id=context.run_id)
        documents_total, duplicate_paths, rejected_total = run_sql(con, "ingest/summary").fetchone()
        metadata = standard_metadata(con, "raw_documents", documents_total, "preview/raw_documents")

    context.log.info(f"{seen} files seen: {unchanged} unchanged, {len(documents)} ingested, {len(rejects)} rejected")
    metadata.update({
        "files_seen": seen,
        "files_unchanged": unchanged,
        "files_ingested": len(documents),
        "files_rejected": len(rejects),
        "rejected_total": int(rejected_total),
        "ingested_by_format": dg.MetadataValue.json(dict(Counter(d["format"] for d in documents))),
        "rejects_by_reason": dg.MetadataValue.json(dict(Counter(r["reason"] for r in rejects))),
    })
    return dg.MaterializeResult(
        metadata=metadata,
        check_results=[
            dg.AssetCheckResult(
                check_name="raw_documents_path_unique", passed=duplicate_paths == 0,
                metadata={"duplicate_paths": int(duplicate_paths)},
            )
        ],
    )
