"""Arabic normalisation for *matching* (never for display).

The pipeline keeps the original text for offsets and display; this module only
produces a folded form so that spelling variants (hamza forms on alef, Persian
ی/ک, diacritics, tatweel, Arabic-Indic digits, ة/ه, ى/ي) compare equal.
"""
from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

from camel_tools.utils.charmap import CharMapper
from camel_tools.utils.normalize import _UNICODE_CHAR_FIX as _camel_unicode_fix

__all__ = ["normalize_for_matching", "normalize_token"]

# camel-tools' character maps, applied with C string methods and regular expressions: camel-tools'
# CharMapper walks a string a character at a time in Python, which made normalising whole article
# bodies (duplicate detection) slower than caching tokens. The results are the same strings
# (tests compare them with camel-tools' functions on every BMP character; every ANT body gave the
# same normalised body).
# 'arclean' maps ک→ك, ی→ى, Arabic-Indic digits→ASCII, drops tatweel, turns invisible marks (RLM,
# ZWNJ…) into spaces, and deletes every character it does not list (its default is '').
_arclean = CharMapper.builtin_mapper("arclean")
if _arclean._default != "":
    raise ImportError("camel-tools' arclean map no longer deletes unlisted characters: review _arclean_text")
_ARCLEAN_KEEPS = sorted(c for c, v in _arclean._charmap.items() if v is None or v == c)
_ARCLEAN_TO = {c: v for c, v in _arclean._charmap.items() if v is not None and v != c}  # others: deleted
_ARCLEAN_CHANGES = re.compile("[^%s]+" % "".join(map(re.escape, _ARCLEAN_KEEPS)))
# normalize_unicode replaces two ligatures (﷼ ﷽) with their words before NFKC.
if _camel_unicode_fix._default is not None:
    raise ImportError("camel-tools' unicode fix map changed: review _normalize")
_UNICODE_FIX = [(c, v) for c, v in _camel_unicode_fix._charmap.items() if v is not None]

# The Arabic diacritics camel-tools' dediac_ar removes: tanween (U+064B-064D), the short vowels,
# shadda and sukun (U+064E-0652) and the dagger alef (U+0670). Written here because importing
# camel_tools.utils.dediac builds camel-tools' character sets by scanning all of Unicode (0.37 s
# in every process start).
_DIACRITICS_RE = re.compile("[\u064b-\u0652\u0670]+")
# normalize_alef_ar (إ أ ٱ آ → ا), normalize_alef_maksura_ar (ى → ي: after arclean, Persian ی has
# become ى, so this also folds it) and normalize_teh_marbuta_ar (ة → ه).
_LETTER_FOLDS = (("\u0625", "\u0627"), ("\u0623", "\u0627"), ("\u0671", "\u0627"), ("\u0622", "\u0627"),
                 ("\u0649", "\u064a"), ("\u0629", "\u0647"))


def dediac_ar(text: str) -> str:
    return _DIACRITICS_RE.sub("", text)


def _arclean_text(text: str) -> str:
    return _ARCLEAN_CHANGES.sub(lambda m: "".join(_ARCLEAN_TO.get(c, "") for c in m.group()), text)


def _normalize(text: str) -> str:
    for char, words in _UNICODE_FIX:  # camel-tools' normalize_unicode
        if char in text:
            text = text.replace(char, words)
    text = dediac_ar(_arclean_text(unicodedata.normalize("NFKC", text)))
    for letter, folded in _LETTER_FOLDS:
        text = text.replace(letter, folded)
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
