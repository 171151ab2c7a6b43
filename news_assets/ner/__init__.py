"""Named-entity recognition for Arabic news: rule-based extractor and resolution helpers."""
from news_assets.ner.resolve import Mention, entity_id
from news_assets.ner.rules import RulesExtractor

__all__ = ["Mention", "RulesExtractor", "entity_id"]
