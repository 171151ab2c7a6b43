"""The configured entity extractor, built once per process (gazetteers and models take a moment).

`rules` works anywhere. `model` is a CRF trained by the `ner_model` asset from the CoNLL gold
file in $NEWS_NER_GOLD; without one the pipeline falls back to `rules` and says so. `camel` is
camel-tools' BERT NERecognizer over the local model folder in $NEWS_CAMEL_MODEL_DIR
(news_assets.ner.camel); it needs torch + transformers (pinned in requirements.lock), and a
missing stack or an unset, absent or wrong model folder is refused with a clear message before
any run (ExtractorUnavailable). Each extractor's version string names what produced the
mentions (for camel: a digest of the model folder's config, tokenizer and weights), so changing
extractor, retraining or swapping the model re-extracts exactly once.
"""
from __future__ import annotations

import functools
import hashlib
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from news_assets.versions import EXTRACTOR_VERSIONS


class ExtractorUnavailable(RuntimeError):
    """The configured extractor cannot run here; the message says what to install or configure."""


@dataclass(frozen=True)
class ExtractorChoice:
    requested: str
    effective: str          # what actually runs
    version: str            # written to entity_mentions.extractor and the extraction bookkeeping
    model_path: Path | None  # the trained model file (model) or model folder (camel)
    note: str | None        # why effective differs from requested, for logs and metadata


def _file_digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()[:12]


def resolve_extractor(name: str, ner_gold: Path | None = None, model_dir: Path | None = None,
                      camel_model_dir: Path | None = None) -> ExtractorChoice:
    """What runs for NEWS_EXTRACTOR=name, with which version string and model file."""
    if name == "model":
        if ner_gold is None:
            return ExtractorChoice("model", "rules", EXTRACTOR_VERSIONS["rules"], None,
                                   "NEWS_EXTRACTOR=model but no NEWS_NER_GOLD training file is configured: using rules")
        digest = _file_digest(Path(ner_gold))
        path = Path(model_dir) / f"ner-crf-{EXTRACTOR_VERSIONS['model']}-{digest}.crf"
        return ExtractorChoice("model", "model", f"{EXTRACTOR_VERSIONS['model']}-{digest}", path, None)
    if name == "camel":
        version = EXTRACTOR_VERSIONS["camel"]
        path = Path(camel_model_dir) if camel_model_dir else None
        if path is not None and (path / "config.json").is_file():
            from news_assets.ner.camel import model_digest  # no torch import

            version = f"{version}-{model_digest(path)}"
        # without a usable folder the version stays bare: get_extractor refuses it anyway
        return ExtractorChoice("camel", "camel", version, path, None)
    return ExtractorChoice("rules", "rules", EXTRACTOR_VERSIONS["rules"], None, None)


@functools.cache
def get_extractor(effective: str, model_path: str | None = None):
    if effective == "rules":
        from news_assets.ner import RulesExtractor

        return RulesExtractor()
    if effective == "model":
        if model_path is None or not Path(model_path).is_file():
            raise ExtractorUnavailable(
                f"the model extractor's trained file {model_path} does not exist: materialize the ner_model asset "
                "(news-assets build does it first)")
        from news_assets.ner.model import ModelExtractor

        return ModelExtractor.load(model_path)
    if effective == "camel":
        return _camel_extractor(model_path)
    raise ValueError(f"unknown extractor {effective!r}: NEWS_EXTRACTOR must be one of {', '.join(EXTRACTOR_VERSIONS)}")


def _camel_extractor(model_dir: str | None):
    """camel-tools' NERecognizer over the folder; ExtractorUnavailable says what is missing."""
    from news_assets.ner.camel import CamelExtractor

    return CamelExtractor(model_dir)


def offsets_not_matching(bodies: dict[str, str], mentions: Iterable[tuple[str, int, int, str]]) -> int:
    """How many stored mentions (article_id, start_char, end_char, surface) are not the slice of
    their body they claim to be. Offsets count code points, as Python slicing and DuckDB's substr
    do; a mention of an article missing from ``bodies`` counts as not matching."""
    return sum(1 for article_id, start, end, surface in mentions
               if start is None or end is None or bodies.get(article_id, "")[start:end] != surface)
