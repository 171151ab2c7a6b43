"""Offset-preserving tokenizer and sentence splitter for Arabic news text.

Offsets always index the ORIGINAL string, so mentions found on normalised
forms can be mapped back for display.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

__all__ = ["Token", "tokenize", "split_sentences", "WORD_OR_PUNCT_RE"]


@dataclass(frozen=True, slots=True)
class Token:
    text: str
    start: int
    end: int


# Arabic diacritics / Quranic marks / superscript alef / tatweel stay inside words:
# they are not \w in Python's re, so they are listed explicitly.
_MARKS = "\u0610-\u061A\u064B-\u065F\u0670\u06D6-\u06DC\u06DF-\u06E8\u06EA-\u06ED\u0640"
# A number may carry an internal decimal/thousands separator (3.5, 2,000, ٣٫٥).
_NUMBER = r"\d+(?:[.,\u066B\u066C]\d+)+"
_WORD = rf"[^\W_][\w{_MARKS}]*|_"  # a letter/digit then letters, digits, marks
WORD_OR_PUNCT_RE = re.compile(rf"{_NUMBER}|(?:{_WORD})|[^\s\w{_MARKS}]|[{_MARKS}]+")


def tokenize(text: str) -> list[Token]:
    """Split into word tokens and single-character punctuation tokens."""
    return [Token(m.group(), m.start(), m.end()) for m in WORD_OR_PUNCT_RE.finditer(text)]


# A terminator run; a '.' between two digits (3.5) is not a terminator.
_SENT_END_RE = re.compile(r"(?:(?<!\d)\.|\.(?!\d)|[!?\u061F\u061B\u06D4\n])+")


def split_sentences(text: str) -> list[tuple[int, int]]:
    """Return (start, end) spans of sentences, whitespace-trimmed, terminator included."""
    spans: list[tuple[int, int]] = []
    pos = 0
    for m in _SENT_END_RE.finditer(text):
        _add_span(text, pos, m.end(), spans)
        pos = m.end()
    _add_span(text, pos, len(text), spans)
    return spans


def _add_span(text: str, start: int, end: int, out: list[tuple[int, int]]) -> None:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    # a span made only of terminators (e.g. a blank line) is not a sentence
    if end > start and not _SENT_END_RE.fullmatch(text, start, end):
        out.append((start, end))
