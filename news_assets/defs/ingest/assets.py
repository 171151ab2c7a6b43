"""Ingest: the raw files under the corpus root, content-addressed."""

import datetime as dt
import functools
import hashlib
import itertools
import os
from collections import Counter
from collections.abc import Iterable, Iterator
from typing import TypeVar

import dagster as dg
import polars as pl

from news_assets.corpus import UNREADABLE, listed_pages
from news_assets.parallel import WorkerPool
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
T = TypeVar("T")
# Files of the listing checked against what is stored at once. Each check costs ~40 ms
# whatever its size (a connection, a frame, the query) plus ~1 us a file: checking ANT x8's
# 252,830 unchanged files took 0.60-0.83 s in pages of 20,000, 0.40 s of 50,000, 0.30 s of
# 100,000 (scratch, 2026-11-28). A page of 100,000 of its files took 29 MiB (tracemalloc) and its
# frame 10 MiB more: 50,000, most of the gain for half the memory.
INGEST_CHECK_FILES = 50_000
# Of the files a check found new or changed, how many are read and written per transaction: an
# interrupted ingest keeps the batches it wrote. Each read file keeps a row until its batch is
# written.
INGEST_PAGE_FILES = 20_000


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


def _pages(items: Iterable[T], size: int) -> Iterator[list[T]]:
    """Lists of `size` items (the last one shorter), pulled from `items` as they are needed."""
    items = iter(items)
    while page := list(itertools.islice(items, size)):
        yield page


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
    reader = functools.partial(_read, max_bytes=corpus.max_file_bytes)
    seen = unchanged = ingested = rejected = 0
    by_format: Counter[str] = Counter()
    by_reason: Counter[str] = Counter()
    progress = Progress("reading files", None)
    # A page of the listing at a time is checked against what is stored; its new or changed files
    # are read and written in batches, each a transaction of its own. Memory holds one page, never
    # the corpus's listing: holding every file's row until one write at the end took the build
    # process to 602 MiB RSS on ANT x8 (252,200 files; bench/memory_scale.py). An interrupted run
    # keeps the batches it wrote (each row records one file as it was read) and the next run reads
    # only the files after them.
    # Read permission is checked below for the files to read only (not for unchanged ones). The
    # listing may have been made ahead, while `news-assets build` started (news_assets.corpus).
    pages, note = listed_pages(corpus.path, INGEST_CHECK_FILES)
    if note:
        context.log.warning(note)
    with WorkerPool() as pool:
        for page in pages:
            seen += len(page)
            changed = {path for (path,) in wh.lookup(
                "ingest/listed_changed", params={"lo": min(page.paths), "hi": max(page.paths)}, listed=pl.DataFrame(
                {"path": page.paths, "bytes": page.bytes, "mtime_ns": page.mtime_ns},
                schema={"path": pl.String, "bytes": pl.Int64, "mtime_ns": pl.Int64}))}
            unchanged += len(page) - len(changed)
            done = seen - len(changed)  # files handled, for the progress line
            new_or_changed = (page.file(i) for i, path in enumerate(page.paths) if path in changed)
            for batch in _pages(new_or_changed, INGEST_PAGE_FILES):
                documents, rejects, to_read = [], [], []
                for f in batch:
                    if problem := f.problem or (None if os.access(f.path, os.R_OK) else UNREADABLE):
                        rejects.append({"path": f.path, "sha256": None, "reason": problem, "bytes": f.bytes,
                                        "mtime_ns": f.mtime_ns})
                    else:
                        to_read.append(f)
                for f, (fields, sha, reason) in zip(to_read, pool.map(reader, to_read)):
                    if reason:
                        rejects.append({"path": f.path, "sha256": sha, "reason": reason, "bytes": f.bytes,
                                        "mtime_ns": f.mtime_ns})
                    else:
                        documents.append({**fields, "path": f.path, "bytes": f.bytes, "mtime_ns": f.mtime_ns})
                now = dt.datetime.now(dt.UTC).replace(tzinfo=None)
                with wh.transaction() as con:
                    con.register("new_documents", pl.DataFrame(documents, schema=DOCUMENT_SCHEMA))
                    con.register("new_rejects", pl.DataFrame(rejects, schema=REJECT_SCHEMA))
                    run_sql(con, "ingest/write_files", now=now, run_id=context.run_id)
                ingested, rejected = ingested + len(documents), rejected + len(rejects)
                by_format.update(d["format"] for d in documents)
                by_reason.update(r["reason"] for r in rejects)
                done += len(batch)
                progress.update(done, f"{unchanged:,} unchanged, {ingested:,} read, {rejected:,} rejected")
            progress.update(seen, f"{unchanged:,} unchanged, {ingested:,} read, {rejected:,} rejected")
    progress.update(seen, f"{unchanged:,} unchanged, {ingested:,} read, {rejected:,} rejected", force=True)
    with wh.connect() as con:
        documents_total, duplicate_paths, rejected_total = run_sql(con, "ingest/summary").fetchone()
        metadata = standard_metadata(con, "raw_documents", documents_total, "preview/raw_documents")

    context.log.info(f"{seen} files seen: {unchanged} unchanged, {ingested} ingested, {rejected} rejected")
    metadata.update({
        "files_seen": seen,
        "files_unchanged": unchanged,
        "files_ingested": ingested,
        "files_rejected": rejected,
        "rejected_total": int(rejected_total),
        "ingested_by_format": dg.MetadataValue.json(dict(by_format)),
        "rejects_by_reason": dg.MetadataValue.json(dict(by_reason)),
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
