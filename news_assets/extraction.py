"""The configured entity extractor, built once per process (gazetteers and models take a moment).

`rules` works anywhere. `model` is a CRF trained by the `ner_model` asset from the CoNLL gold
file in $NEWS_NER_GOLD; without one the pipeline falls back to `rules` and says so. `camel`
(camel-tools' NERecognizer over $NEWS_CAMEL_MODEL_DIR) is reserved and refused with a clear
message until its wrapper exists. Each extractor's version string names what produced the
mentions, so changing extractor or retraining re-extracts exactly once.
"""
from __future__ import annotations

import functools
import hashlib
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
        path = Path(model_dir) / f"ner-crf-{EXTRACTOR_VERSIONS['model']}-{digest}.crfsuite"
        return ExtractorChoice("model", "model", f"{EXTRACTOR_VERSIONS['model']}-{digest}", path, None)
    if name == "camel":
        return ExtractorChoice("camel", "camel", EXTRACTOR_VERSIONS["camel"],
                               Path(camel_model_dir) if camel_model_dir else None, None)
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
    # Not built yet: camel-tools' NERecognizer needs torch + transformers, which this project's
    # install leaves out (see pyproject.toml). Say so plainly rather than fail inside a run.
    raise ExtractorUnavailable(
        "NEWS_EXTRACTOR=camel is not available in this version: the camel-tools NERecognizer wrapper is "
        "not implemented yet (it also needs torch and transformers). Use NEWS_EXTRACTOR=rules or model.")
