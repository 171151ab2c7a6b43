"""Arabic normalisation for *matching* (never for display).

The pipeline keeps the original text for offsets and display; this module only
produces a folded form so that spelling variants (hamza forms on alef, Persian
ی/ک, diacritics, tatweel, Arabic-Indic digits, ة/ه, ى/ي) compare equal.
"""
from __future__ import annotations

import re
from functools import lru_cache

from camel_tools.utils.charmap import CharMapper
from camel_tools.utils.normalize import (
    normalize_alef_ar,
    normalize_alef_maksura_ar,
    normalize_teh_marbuta_ar,
    normalize_unicode,
)

__all__ = ["normalize_for_matching", "normalize_token"]

# Built once: 'arclean' maps ک→ك, ی→ى, Arabic-Indic digits→ASCII, drops tatweel
# and turns invisible marks (RLM, ZWNJ…) into spaces.
_ARCLEAN = CharMapper.builtin_mapper("arclean")

# The Arabic diacritics camel-tools' dediac_ar removes: tanween (U+064B-064D), the short vowels,
# shadda and sukun (U+064E-0652) and the dagger alef (U+0670). Written here because importing
# camel_tools.utils.dediac builds camel-tools' character sets by scanning all of Unicode (0.37 s
# in every process start). tests/unit/test_normalize.py checks it against dediac_ar.
_DIACRITICS_RE = re.compile("[\u064b-\u0652\u0670]")


def dediac_ar(text: str) -> str:
    return _DIACRITICS_RE.sub("", text)


def _normalize(text: str) -> str:
    text = normalize_unicode(text)
    text = _ARCLEAN(text)
    text = dediac_ar(text)
    text = normalize_alef_ar(text)
    # after arclean, Persian ی has become ى, so this also folds it to ي
    text = normalize_alef_maksura_ar(text)
    text = normalize_teh_marbuta_ar(text)
    return text


# Cache sizes bound memory (an entry costs a few hundred bytes). The ANT corpus has 237k distinct
# tokens (project tokenizer), and the most frequent 131k of them cover 98.8 % of its 9.0M tokens.
@lru_cache(maxsize=1 << 17)
def normalize_token(tok: str) -> str:
    """Normalise one token; cached because it is called once per token on ~10M tokens."""
    return _normalize(tok).strip()


def normalize_for_matching(text: str) -> str:
    """Normalise any text (a token or a phrase) for dictionary matching.

    Short strings (typically tokens) go through the token cache; long texts are
    normalised directly so they do not flood the cache.
    """
    if len(text) <= 40:
        return _normalize_cached(text)
    return _normalize(text)


@lru_cache(maxsize=1 << 17)
def _normalize_cached(text: str) -> str:
    return _normalize(text)
