"""Bytes → text for scraped Arabic news files.

The rule is "never decode silently wrong": every fallback is checked for plausibility and
anything that does not look like text raises :class:`DecodeError` instead of producing mojibake.

Order of attempts:

1. a byte-order mark decides (UTF-8-SIG, UTF-16 LE/BE);
2. UTF-16 without a BOM, only when the NUL-byte pattern makes it unmistakable;
3. strict UTF-8 (Arabic in Windows-1256 is essentially never valid UTF-8, so this is safe first);
4. Windows-1256, only when the result reads like Arabic text.

Afterwards line endings are normalised to ``\\n`` and NUL characters are removed.
"""

from __future__ import annotations

import codecs
import re

__all__ = ["DecodeError", "decode_bytes"]


class DecodeError(ValueError):
    """The bytes are not text we can decode with confidence; the message is a short reason."""


# C0 controls other than tab/newline/vertical tab/form feed/carriage return, plus DEL and C1.
_BAD_CONTROLS = re.compile(r"[\x01-\x08\x0e-\x1f\x7f-\x9f]")
# Arabic-script letters (the block U+0600–U+06FF minus digits, punctuation and diacritics,
# plus the presentation forms some legacy converters emit).
_ARABIC_LETTER = re.compile(r"[\u0621-\u063a\u0641-\u064a]")  # core Arabic letters only
# Characters Arabic news text is made of: Arabic letters/diacritics/punctuation/digits, ASCII,
# whitespace, typographic quotes and dashes.
_PLAUSIBLE_CHAR = re.compile(
    r"[\u0621-\u0652\u0660-\u066c\u060c\u061b\u061f\x20-\x7e\s«»“”‘’–—…\u00a0\u200c-\u200f]"
)
_MIN_PLAUSIBLE_SHARE = 0.95
_NEWLINES = re.compile(r"\r\n?")

# Plausibility thresholds. Random bytes decoded as cp1256 give ~12% control characters and
# ~40% Arabic letters among letters, real Arabic news gives 0% and > 90%.
_MAX_CONTROL_SHARE = 0.01
_MIN_ARABIC_SHARE = 0.6
_MIN_ARABIC_LETTERS = 3
# Valid UTF-8 is trusted more (a few stray control bytes in a real file are tolerated).
_MAX_UTF8_CONTROL_SHARE = 0.05


def _control_share(text: str) -> float:
    if not text:
        return 0.0
    return len(_BAD_CONTROLS.findall(text)) / len(text)


# Latin letters that belong to the file's structure, not its prose: markup tags (TREC <TITLE>),
# URLs and JSON keys. They are left out of the "Arabic dominates among letters" ratio, otherwise
# a short Arabic article in a TREC or JSON file saved as Windows-1256 was rejected.
_MARKUP = re.compile(r"</?[A-Za-z][\w.-]*>|(?:https?://|www\.)\S+|\"[A-Za-z_][\w-]*\"\s*:")


def _looks_like_arabic(text: str) -> bool:
    """True when a cp1256 decoding reads like Arabic prose rather than arbitrary bytes.

    Three independent checks: enough core Arabic letters, Arabic dominates among the letters of
    the prose (markup tags, URLs and JSON keys left out), and almost every character is one that
    Arabic news text actually uses (random bytes decoded as cp1256 are ~40% symbols such as
    ‰ ¶ ƒ and Urdu letters).
    """
    if not text:
        return False
    prose = _MARKUP.sub(" ", text)
    letters = sum(1 for ch in prose if ch.isalpha())
    arabic = len(_ARABIC_LETTER.findall(prose))
    if arabic < _MIN_ARABIC_LETTERS or letters == 0:
        return False
    plausible = len(_PLAUSIBLE_CHAR.findall(text)) / len(text)
    return (
        arabic / letters >= _MIN_ARABIC_SHARE
        and plausible >= _MIN_PLAUSIBLE_SHARE
        and _control_share(text) <= _MAX_CONTROL_SHARE
    )


def _utf16_without_bom(data: bytes) -> str | None:
    """Detect BOM-less UTF-16 by its NUL pattern (ASCII/Arabic code units have a 0x00 or 0x06 high byte).

    Only returns text when one byte lane is mostly NUL/0x06 and the other is not, and the
    decoding is clean; otherwise None so the normal UTF-8/cp1256 checks run.
    """
    if len(data) < 4 or len(data) % 2:
        return None
    even, odd = data[0::2], data[1::2]
    n = len(even)

    def high_share(lane: bytes) -> float:
        return (lane.count(0) + lane.count(6)) / n

    if high_share(odd) > 0.9 and even.count(0) / n < 0.1:
        enc = "utf-16-le"
    elif high_share(even) > 0.9 and odd.count(0) / n < 0.1:
        enc = "utf-16-be"
    else:
        return None
    try:
        text = data.decode(enc)
    except UnicodeDecodeError:
        return None
    return text if _control_share(text) <= _MAX_CONTROL_SHARE else None


def _finish(text: str, encoding: str) -> tuple[str, str]:
    text = _NEWLINES.sub("\n", text).replace("\x00", "")
    if text.startswith("\ufeff"):  # a second BOM left by careless concatenation
        text = text[1:]
    if not text.strip():
        raise DecodeError("empty document")
    return text, encoding


def decode_bytes(data: bytes) -> tuple[str, str]:
    """Return ``(text, encoding_name)`` with encoding_name in {'utf-8','utf-8-sig','utf-16','cp1256'}.

    Raises DecodeError("empty document") for empty/whitespace-only input and DecodeError with a
    short reason for anything that is not confidently text.
    """
    if not data.replace(b"\x00", b"").strip():
        raise DecodeError("empty document")

    if data.startswith(codecs.BOM_UTF8):
        try:
            return _finish(data.decode("utf-8-sig"), "utf-8-sig")
        except UnicodeDecodeError as exc:
            raise DecodeError("UTF-8 byte-order mark but invalid UTF-8 text") from exc
    if data.startswith(codecs.BOM_UTF16_LE) or data.startswith(codecs.BOM_UTF16_BE):
        try:
            text = data.decode("utf-16")  # the codec reads and drops the BOM
        except UnicodeDecodeError as exc:
            raise DecodeError("UTF-16 byte-order mark but invalid UTF-16 text") from exc
        if _control_share(text) > _MAX_CONTROL_SHARE:
            raise DecodeError("UTF-16 byte-order mark but binary content")
        return _finish(text, "utf-16")

    text = _utf16_without_bom(data)
    if text is not None:
        return _finish(text, "utf-16")

    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    else:
        # Valid UTF-8 can still be binary (e.g. short random runs below 0x80). NULs are not
        # counted: NUL padding is stripped, and NUL-interleaved UTF-16 was handled above.
        if _control_share(text) > _MAX_UTF8_CONTROL_SHARE:
            raise DecodeError("binary content (control characters)")
        return _finish(text, "utf-8")

    text = data.decode("cp1256")  # cp1256 maps all 256 byte values, so this never raises
    if _looks_like_arabic(text.replace("\x00", "")):
        return _finish(text, "cp1256")
    raise DecodeError("not valid UTF-8, UTF-16 or Windows-1256 text")
