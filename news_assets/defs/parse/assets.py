"""Parse: raw documents → one row per article (a "read also" article is its own row)."""

import datetime as dt
import hashlib
from collections import Counter

import dagster as dg
import polars as pl

from news_assets.defs.ingest.assets import raw_documents
from news_assets.defs.metadata import definition_metadata, standard_metadata
from news_assets.defs.partitions import PARTITIONS_START
from news_assets.defs.resources import WarehouseResource
from news_assets.parallel import WorkerPool
from news_assets.progress import Progress
from news_assets.text.parsing import ParsedDocument, RejectedDocument, parse_document
from news_assets.versions import PARSER_VERSION
from news_assets.warehouse import run_sql

BATCH_DOCUMENTS = 2000  # one transaction per batch: a crash keeps finished batches, loses no half batch
# Documents to parse, read from the warehouse this many at a time: the whole list, three Python
# strings a document, grew with the corpus (with ingest paged too, ANT x8's build peaked at 797
# MiB instead of 919: bench/memory_scale.py). Each page costs a join of raw_documents with
# parsed_documents (19 ms a 2,000-document page on ANT x4, scratch), so pages are large. (A page
# query that grouped by doc_id once lost its LIMIT in a build from empty: see the SQL file.)
TODO_PAGE_DOCUMENTS = 10 * BATCH_DOCUMENTS

ARTICLE_SCHEMA = {
    "article_id": pl.String, "doc_id": pl.String, "parent_article_id": pl.String, "article_index": pl.Int32,
    "title": pl.String, "title_derived": pl.Boolean, "published_at": pl.Datetime("us"), "date_raw": pl.String, "date_status": pl.String,
    "source": pl.String, "url": pl.String, "author": pl.String, "category": pl.String,
    "keywords": pl.List(pl.String), "body": pl.String, "body_hash": pl.String, "external_id": pl.String,
    "format": pl.String,
}
DOC_SCHEMA = {"doc_id": pl.String, "status": pl.String, "reason": pl.String, "articles": pl.Int32}


def article_id(doc_id: str, index: int) -> str:
    return f"{doc_id[:16]}-{index}"


def derive_title(body: str, max_words: int = 15) -> str:
    """A stand-in headline from the body's first line, for records that carry none (flagged in the row)."""
    first_line = body.strip().split("\n", 1)[0]
    words = first_line.split()
    return " ".join(words[:max_words]) + (" …" if len(words) > max_words else "")


def article_rows(doc_id: str, parsed: ParsedDocument) -> tuple[list[dict], list[str]]:
    """Warehouse rows of a parsed document (UTC times stored without zone), and why any were dropped.

    An article without body text is not kept (nothing to extract or count); one without a title
    keeps a headline derived from its first line, with title_derived set.
    """
    rows, dropped = [], []
    for art in parsed.articles:
        if not art.body.strip():
            dropped.append("article has no body text" + (" (title only)" if art.title.strip() else ""))
            continue
        published = art.published_at.astimezone(dt.UTC).replace(tzinfo=None) if art.published_at else None
        title = art.title.strip()
        rows.append({
            "article_id": article_id(doc_id, art.index),
            "doc_id": doc_id,
            "parent_article_id": None if art.parent_index is None else article_id(doc_id, art.parent_index),
            "article_index": art.index,
            "title": title or derive_title(art.body),
            "title_derived": not title,
            "published_at": published,
            "date_raw": art.date_raw,
            "date_status": art.date_status,
            "source": art.source,
            "url": art.url,
            "author": art.author,
            "category": art.category,
            "keywords": list(art.keywords),
            "body": art.body,
            "body_hash": hashlib.sha256(art.body.encode("utf-8")).hexdigest()[:32],
            "external_id": art.external_id,
            "format": parsed.format,
        })
    return rows, dropped


def parse_one(doc_id: str, path: str) -> tuple[list[dict], str | None, str | None]:
    """(article rows, format, reject reason) for one stored document, re-read from its path."""
    try:
        with open(path, "rb") as fh:
            data = fh.read()
    except OSError as exc:
        return [], None, f"cannot read file: {exc.strerror or exc}"
    if hashlib.sha256(data).hexdigest() != doc_id:
        # Changed since ingest: the next ingest records the new content and we parse that.
        return [], None, "file changed since it was ingested; will be parsed after the next ingest"
    try:
        parsed = parse_document(data, path)
    except RejectedDocument as exc:
        return [], None, str(exc)
    rows, dropped = article_rows(doc_id, parsed)
    if not rows:
        return [], None, dropped[0] if dropped else "no article found"
    return rows, parsed.format, None


def _parse_item(item: tuple) -> tuple[list[dict], str | None, str | None]:
    doc_id, path, _format = item
    return parse_one(doc_id, path)


@dg.asset(
    group_name="parse",
    kinds={"duckdb", "polars"},
    owners=["team:news-data"],
    code_version=PARSER_VERSION,
    deps=[raw_documents],
    check_specs=[
        dg.AssetCheckSpec("articles_title_and_body_present", asset="articles", blocking=True,
                          description="Every article has a non-empty title and body."),
        dg.AssetCheckSpec("articles_id_unique", asset="articles", blocking=True,
                          description="article_id is a key."),
    ],
    metadata=definition_metadata("articles"),
)
def articles(context: dg.AssetExecutionContext, warehouse: WarehouseResource) -> dg.MaterializeResult:
    """Parsed articles, one row each; documents already parsed by this parser version are skipped."""
    wh = warehouse.get()

    def todo_page(after: str) -> list[tuple]:
        with wh.connect() as con:
            return run_sql(con, "parse/documents_to_parse", parser_version=PARSER_VERSION, after=after,
                           limit=TODO_PAGE_DOCUMENTS).fetchall()

    # The work list is read a page at a time, in doc_id order (see TODO_PAGE_DOCUMENTS). A page
    # shorter than the limit is the last one: a refresh's whole list, counted from it, without
    # another join of raw_documents with parsed_documents for the count and one more for an empty
    # page (ANT x8 + 315 new files: ~0.1 s each on the slower machine of 2026-11-29, scratch).
    # Documents another run ingests meanwhile are parsed by the next parse run.
    todo_rows = todo_page("")
    if len(todo_rows) < TODO_PAGE_DOCUMENTS:
        to_parse = len({doc_id for doc_id, _path, _format in todo_rows})
    else:
        with wh.connect() as con:
            (to_parse,) = run_sql(con, "parse/documents_to_parse_count", parser_version=PARSER_VERSION).fetchone()

    by_format: Counter[str] = Counter()
    rejects: Counter[str] = Counter()
    parsed_articles = listed = 0
    progress = Progress("parsing documents", to_parse)
    with WorkerPool() as pool:  # one set of workers for every batch
        while todo_rows:
            after = todo_rows[-1][0]  # past every listed document, parsed or skipped: no page comes twice
            # One row per document: its first, smallest path (rows come in (doc_id, path) order).
            page = [row for i, row in enumerate(todo_rows) if i == 0 or row[0] != todo_rows[i - 1][0]]
            for start in range(0, len(page), BATCH_DOCUMENTS):
                batch = page[start : start + BATCH_DOCUMENTS]
                rows, docs = [], []
                for (doc_id, _path, _format), (doc_rows, fmt, reason) in zip(batch, pool.map(_parse_item, batch, chunksize=32)):
                    if reason and reason.startswith("file changed since"):
                        continue  # leave it unparsed; not a property of the document
                    rows += doc_rows
                    if reason:
                        rejects[reason] += 1
                    else:
                        by_format[fmt] += 1
                    docs.append({"doc_id": doc_id, "status": "rejected" if reason else "parsed",
                                 "reason": reason, "articles": len(doc_rows)})
                parsed_articles += len(rows)
                listed += len(batch)
                with wh.transaction() as con:
                    # Taken inside the lock: a batch committed after another has a later parsed_at,
                    # which the empty-body check's checked-through mark relies on (parse/empty_since).
                    now = dt.datetime.now(dt.UTC).replace(tzinfo=None)
                    con.register("batch_articles", pl.DataFrame(rows, schema=ARTICLE_SCHEMA))
                    con.register("batch_documents", pl.DataFrame(docs, schema=DOC_SCHEMA))
                    run_sql(con, "parse/write_batch", now=now, run_id=context.run_id, parser_version=PARSER_VERSION,
                            min_day=PARTITIONS_START, max_day=now.date() + dt.timedelta(days=1))
                context.log.info(f"parsed {listed}/{to_parse} documents")
                progress.update(listed, f"{parsed_articles:,} articles", force=True)
            todo_rows = todo_page(after) if len(todo_rows) == TODO_PAGE_DOCUMENTS else []

    with wh.transaction() as con:
        run_sql(con, "parse/remove_orphans")
        checked_through = (run_sql(con, "parse/read_checked_through").fetchone() or (None,))[0]
    # The empty-body check reads the bodies of the articles parsed since it last passed (all of
    # them the first time): under lookup's small limit, or DuckDB keeps the column cached while it
    # runs (ANT x4, every body: the build process went 320 -> 813 MiB here). The distinct-id count
    # is a query of its own: beside a body scan it made the summary miss 32 MB one run in four on
    # ANT x4 (the retry then went up to the usual limit).
    ((empty, newest),) = wh.lookup("parse/empty_since", params={"after": checked_through})
    ((total, dated, related),) = wh.lookup("parse/summary")
    ((duplicate_ids,),) = wh.lookup("parse/duplicate_ids")
    if empty == 0 and newest is not None:
        # Passed: the next run checks only what it parses. Not moved on a failure, so a failing
        # check keeps failing until the rows are fixed.
        with wh.transaction() as con:
            run_sql(con, "parse/write_checked_through", through=newest)
    with wh.connect() as con:
        metadata = standard_metadata(con, "articles", total, "preview/articles")

    metadata.update({
        "documents_parsed": listed,
        "articles_parsed": parsed_articles,
        "parsed_by_format": dg.MetadataValue.json(dict(by_format)),
        "rejects_by_reason": dg.MetadataValue.json(dict(rejects)),
        "dated_share": dg.MetadataValue.float(round(dated / total, 4) if total else 0.0),
        "related_articles": int(related),
    })
    return dg.MaterializeResult(
        metadata=metadata,
        check_results=[
            dg.AssetCheckResult(check_name="articles_title_and_body_present", passed=empty == 0,
                                metadata={"empty_title_or_body": int(empty)}),
            dg.AssetCheckResult(check_name="articles_id_unique", passed=duplicate_ids == 0,
                                metadata={"duplicate_ids": int(duplicate_ids)}),
        ],
    )
