"""The `model` extractor's CRF, trained from a configured CoNLL gold file."""
import os
import time
from pathlib import Path

import dagster as dg

from news_assets.defs.resources import ExtractorResource
from news_assets.versions import EXTRACTOR_VERSIONS


@dg.asset(
    group_name="models",
    kinds={"python"},
    owners=["team:news-data"],
    code_version=EXTRACTOR_VERSIONS["model"],
)
def ner_model(context: dg.AssetExecutionContext, extractor: ExtractorResource) -> dg.MaterializeResult:
    """CRF tagger for NEWS_EXTRACTOR=model, trained from $NEWS_NER_GOLD (a no-op for other extractors)."""
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
    stats = train_model(extractor.ner_gold, tmp)
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
        "training_stats": dg.MetadataValue.json({k: v for k, v in stats.items() if isinstance(v, (int, float, str))}),
    })
