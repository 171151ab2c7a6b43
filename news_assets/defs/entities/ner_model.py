"""The `model` extractor's CRF, trained from a configured CoNLL gold file and the corpus's text."""
import os
import time
from collections.abc import Iterator
from pathlib import Path

import dagster as dg

from news_assets.defs.parse.assets import articles
from news_assets.defs.resources import ExtractorResource, WarehouseResource
from news_assets.versions import EXTRACTOR_VERSIONS
from news_assets.warehouse import Warehouse, run_sql

PAGE_ARTICLES = 2000


def article_bodies(wh: Warehouse, page_size: int = PAGE_ARTICLES) -> Iterator[str]:
    """Every article body, a page at a time: memory holds one page, and the warehouse lock is
    held only while a page is read, not while the text is being counted."""
    after = ""
    while True:
        with wh.connect() as con:
            page = run_sql(con, "entities/article_bodies_page", after=after, page_size=page_size).fetchall()
        if not page:
            return
        yield from (body for _id, body in page)
        after = page[-1][0]


@dg.asset(
    group_name="models",
    kinds={"python"},
    owners=["team:news-data"],
    code_version=EXTRACTOR_VERSIONS["model"],
    deps=[articles],
)
def ner_model(
    context: dg.AssetExecutionContext, extractor: ExtractorResource, warehouse: WarehouseResource
) -> dg.MaterializeResult:
    """CRF tagger for NEWS_EXTRACTOR=model, trained from $NEWS_NER_GOLD and word statistics of the
    articles (a no-op for other extractors).

    It is trained once per gold file and code version, with the corpus as it stands then (up to
    the model's unlabeled_max_tokens): later refreshes reuse it, so mentions keep one extractor
    version. Delete the model file to retrain it on a grown corpus."""
    choice = extractor.choice()
    if choice.requested != "model":
        return dg.MaterializeResult(metadata={"status": f"not used: NEWS_EXTRACTOR={choice.requested}"})
    if choice.effective != "model":
        context.log.warning(choice.note)
        return dg.MaterializeResult(metadata={"status": choice.note})
    path = Path(choice.model_path)
    meta_path = Path(str(path) + ".json")
    if path.is_file() and meta_path.is_file():
        return dg.MaterializeResult(metadata={"status": "already trained for this gold file and code version",
                                              "model": dg.MetadataValue.path(str(path))})
    from news_assets.ner.model import train_model

    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    started = time.monotonic()
    # Corpus statistics (word clusters, how often a word takes ال or follows a title...) let the
    # tagger recognise names it never saw in the gold file: dev micro-F1 0.74 -> 0.78.
    stats = train_model(extractor.ner_gold, tmp, unlabeled=article_bodies(warehouse.get()))
    # Model and its metadata appear together or not at all.
    os.replace(str(tmp) + ".json", meta_path)
    os.replace(tmp, path)
    took = time.monotonic() - started
    context.log.info(f"trained {path.name} in {took:.0f} s")
    return dg.MaterializeResult(metadata={
        "status": "trained",
        "model": dg.MetadataValue.path(str(path)),
        "gold": dg.MetadataValue.path(extractor.ner_gold),
        "training_seconds": round(took, 1),
        "unlabeled_tokens": stats["unlabeled_tokens"],
        "training_stats": dg.MetadataValue.json({k: v for k, v in stats.items() if isinstance(v, (int, float, str))}),
    })
