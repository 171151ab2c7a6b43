"""The configured entity extractor, built once per process (gazetteers take a moment to load)."""
from __future__ import annotations

import functools

from news_assets.versions import EXTRACTOR_VERSIONS


@functools.cache
def get_extractor(name: str):
    if name == "rules":
        from news_assets.ner import RulesExtractor

        return RulesExtractor()
    raise ValueError(f"unknown extractor {name!r}: NEWS_EXTRACTOR must be one of {', '.join(EXTRACTOR_VERSIONS)}")


def extractor_version(name: str) -> str:
    return EXTRACTOR_VERSIONS[name]
