"""Date strings printed by news sites → timezone-aware UTC datetimes.

A small, strict, regex-based parser (no dateparser): the whole string must be explained by the
grammar below, otherwise the result is ``status='unparsed'`` with ``value=None`` — we never guess.

Grammar, after normalisation (digits → ASCII, Arabic diacritics/hamza variants folded, lower case)::

    [weekday [,]]  DATE  [era]  [sep TIME [am/pm]]  [zone]

DATE is one of
    * ``30th, January 2024`` / ``30 يناير 2024`` / ``15 Jul 2018`` (day first, month name)
    * ``January 30, 2024`` (month name first)
    * ``2024-01-30`` / ``2024/1/30`` (year first, ISO order)
    * ``30/01/2024`` / ``30-01-2024`` / ``30.01.2024`` (day first: Arab sites print day first)

Month names: English (full and abbreviated), Egyptian/Gulf (يناير…), Levantine/Iraqi (كانون
الثاني…), and the Maghrebi forms (جانفي…). A doubled name such as ``كانون الثاني (يناير)`` is
accepted only when both names mean the same month.

The era ``م`` (AD) may follow the year; ``ص``/``م`` after a TIME mean AM/PM. Zones: Z, UTC, GMT,
UT, the RFC-822 US zones, numeric offsets (``+0400``, ``+04:00``, ``+04``, ``GMT+3``) and
"بتوقيت غرينتش"; an RFC 2822 comment after the zone (``+0400 (GST)``) is ignored. No zone → UTC.
A printed weekday is ignored (not cross-checked).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from functools import lru_cache

__all__ = ["ParsedDate", "parse_date"]

MIN_YEAR = 1900
MAX_YEAR = 2100


@dataclass(frozen=True)
class ParsedDate:
    value: datetime | None  # timezone-aware, UTC; None when unknown
    status: str  # 'ok' | 'missing' | 'unparsed'
    raw: str | None  # the input string, stripped


# --- normalisation --------------------------------------------------------------------------

_DIGITS = {ord(c): str(i) for i, c in enumerate("٠١٢٣٤٥٦٧٨٩")}
_DIGITS.update({ord(c): str(i) for i, c in enumerate("۰۱۲۳۴۵۶۷۸۹")})
_FOLD = dict(_DIGITS)
_FOLD.update({ord(c): "ا" for c in "أإآٱ"})
_FOLD.update({ord("ى"): "ي", ord("ة"): "ه", ord("ی"): "ي", ord("ک"): "ك", ord("،"): ",", ord("٫"): ","})
# Diacritics (tashkeel, superscript alef) and tatweel carry no meaning for dates; bidi/zero-width
# marks are invisible noise copied from web pages.
_FOLD.update({cp: None for cp in range(0x064B, 0x0653)})
_FOLD.update({ord(c): None for c in "\u0670\u0640\u200b\u200c\u200d\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\ufeff"})
_FOLD.update({ord(c): " " for c in "\u00a0\u2009\u202f"})
_FOLD.update({ord(c): "-" for c in "–—"})
_SPACES = re.compile(r"\s+")


def _normalise(s: str) -> str:
    return _SPACES.sub(" ", s.translate(_FOLD)).strip().lower()


# --- vocabulary (already in normalised form) ----------------------------------------------

_MONTHS: dict[str, int] = {}


def _add_months(names: str) -> None:
    # "1:a|b 2:c" style table keeps the twelve months of each series readable.
    for group in names.split():
        num, alts = group.split(":")
        for alt in alts.split("|"):
            _MONTHS[alt.replace("_", " ")] = int(num)


_add_months(
    "1:january|jan 2:february|feb 3:march|mar 4:april|apr 5:may 6:june|jun 7:july|jul "
    "8:august|aug 9:september|sept|sep 10:october|oct 11:november|nov 12:december|dec"
)
# Egyptian/Gulf (after folding: أبريل→ابريل, إبريل→ابريل, يونيه/يوليه kept as alternatives).
_add_months(
    "1:يناير 2:فبراير 3:مارس 4:ابريل|ابريل 5:مايو 6:يونيو|يونيه 7:يوليو|يوليه "
    "8:اغسطس|اغسطوس 9:سبتمبر 10:اكتوبر 11:نوفمبر 12:ديسمبر"
)
# Levantine/Iraqi (ة folds to ه, أ/إ/آ fold to ا, so آذار→اذار, آب→اب, أيار→ايار).
_add_months(
    "1:كانون_الثاني 2:شباط 3:اذار 4:نيسان 5:ايار 6:حزيران 7:تموز 8:اب 9:ايلول "
    "10:تشرين_الاول 11:تشرين_الثاني 12:كانون_الاول"
)
# Maghrebi (Algeria/Tunisia, Morocco) — printed by North African sites.
_add_months(
    "1:جانفي 2:فيفري 4:افريل 5:ماي 6:جوان|يونيو 7:جويليه|جويلية|يوليوز 8:اوت|غشت "
    "9:شتنبر 11:نونبر 12:دجنبر"
)

_WEEKDAYS_EN = "monday|mon|tuesday|tues|tue|wednesday|wed|thursday|thurs|thur|thu|friday|fri|saturday|sat|sunday|sun"
_WEEKDAYS_AR = "احد|اثنين|ثلاثاء|ثلاثا|اربعاء|اربعا|خميس|جمعه|سبت"

# Zones named in RFC 822 plus the universal ones; offsets in hours.
_NAMED_ZONES = {
    "z": 0, "ut": 0, "utc": 0, "gmt": 0,
    "est": -5, "edt": -4, "cst": -6, "cdt": -5, "mst": -7, "mdt": -6, "pst": -8, "pdt": -7,
}


def _alt(words) -> str:
    # Longest first so "september" wins over "sep" and "كانون الثاني" is not cut short.
    return "|".join(re.escape(w) for w in sorted(words, key=len, reverse=True))


_MONTH_RE = _alt(_MONTHS)
_ORD = r"(?:st|nd|rd|th)?"

_WEEKDAY = re.compile(
    rf"^(?:(?:{_WEEKDAYS_EN})\.?|(?:يوم )?(?:ال)?(?:{_WEEKDAYS_AR}))(?:\s*,\s*|\s+|$)"
)

# Day-first with month name: "30th, january 2024", "15 jul 2018", "30-jan-2024", "30 يناير2024".
_D_MON_Y = re.compile(
    rf"^(?P<d>\d{{1,2}}){_ORD}[\s,.\-/]*(?P<m>{_MONTH_RE})\.?(?:\s*[(/]\s*(?P<m2>{_MONTH_RE})\s*\)?)?[\s,.\-/]*(?P<y>\d{{4}})(?!\d)"
)
# Month name first: "january 30, 2024", "jan 30 2024".
_MON_D_Y = re.compile(
    rf"^(?P<m>{_MONTH_RE})\.?(?:\s*[(/]\s*(?P<m2>{_MONTH_RE})\s*\)?)?[\s.\-]*(?P<d>\d{{1,2}}){_ORD}[\s,.\-]+(?P<y>\d{{4}})(?!\d)"
)
# Year first: ISO "2024-01-30", also "2024/1/30" and "2024.01.30"; the separator must repeat.
_Y_M_D = re.compile(r"^(?P<y>\d{4})(?P<sep>[-/.])(?P<m>\d{1,2})(?P=sep)(?P<d>\d{1,2})(?!\d)")
# Day first numeric: "30/01/2024", "30-01-2024", "30.01.2024".
_D_M_Y = re.compile(r"^(?P<d>\d{1,2})(?P<sep>[-/.])(?P<m>\d{1,2})(?P=sep)(?P<y>\d{4})(?!\d)")

_ZONE = (
    r"(?P<tz>z|ut|utc|gmt|est|edt|cst|cdt|mst|mdt|pst|pdt"
    r"|(?:(?:gmt|utc)\s*)?[+-]\d{1,2}(?::?\d{2})?"
    r"|(?:بتوقيت|توقيت)\s+(?:غرينتش|غرينيتش|جرينتش|جرينيتش|غرينتش)"
    r")"
)
# Everything allowed after the date: era, time, am/pm, zone — and nothing else.
_TAIL = re.compile(
    r"^(?:\s*(?P<era>م|ميلادي|ميلاديه|ad)(?![\w]))?"
    r"(?:(?:\s*[,|\-]\s*|\s+|t|\s*(?:at|الساعه|في تمام الساعه|في)\s+)+"
    r"(?P<h>\d{1,2}):(?P<mi>\d{2})(?::(?P<s>\d{2})(?:[.,]\d+)?)?"
    r"(?:\s*(?P<ampm>a\.?m\.?|p\.?m\.?|ص|م|صباحا|مساء|مساءا|ظهرا)(?![\w]))?"
    r")?"
    # RFC 2822 allows a comment after the zone ("+0400 (GST)"); it carries no meaning.
    rf"(?:\s*[,\-]?\s*\(?\s*{_ZONE}\s*\)?(?:\s*\([a-z]{{1,5}}\))?)?"
    r"\s*\.?$"
)
_OFFSET = re.compile(r"(?:gmt|utc)?\s*([+-])(\d{1,2})(?::?(\d{2}))?$")

_MISSING = ParsedDate(None, "missing", None)


def _unparsed(raw: str) -> ParsedDate:
    return ParsedDate(None, "unparsed", raw)


def _zone_offset(tz: str | None) -> timedelta | None:
    """Return the UTC offset for a zone token, or None when it is out of range."""
    if not tz:
        return timedelta(0)
    if tz in _NAMED_ZONES:
        return timedelta(hours=_NAMED_ZONES[tz])
    if "توقيت" in tz:
        return timedelta(0)  # Greenwich
    m = _OFFSET.match(tz)
    if not m:
        return None
    sign, hh, mm = m.group(1), int(m.group(2)), int(m.group(3) or 0)
    if hh > 14 or mm > 59:
        return None
    delta = timedelta(hours=hh, minutes=mm)
    return -delta if sign == "-" else delta


def _match_date(s: str) -> tuple[int, int, int, int] | None:
    """Match the DATE part at the start of ``s``: (year, month, day, end) or None."""
    if s[:1].isdigit():
        for rx in (_Y_M_D, _D_M_Y, _D_MON_Y):
            m = rx.match(s)
            if m:
                break
        else:
            return None
    else:
        m = _MON_D_Y.match(s)
        if not m:
            return None
    month_s = m.group("m")
    if month_s.isdigit():
        month = int(month_s)
    else:
        month = _MONTHS[month_s]
        m2 = m.groupdict().get("m2")
        if m2 and _MONTHS[m2] != month:
            return None  # "كانون الثاني (فبراير)" contradicts itself
    return int(m.group("y")), month, int(m.group("d")), m.end()


@lru_cache(maxsize=65536)
def _parse(raw: str) -> ParsedDate:
    s = _normalise(raw)
    wd = _WEEKDAY.match(s)
    if wd:
        s = s[wd.end():]
    found = _match_date(s)
    if found is None:
        return _unparsed(raw)
    year, month, day, end = found
    tail = _TAIL.match(s[end:])
    if tail is None or not (MIN_YEAR <= year <= MAX_YEAR):
        return _unparsed(raw)

    hour = minute = second = 0
    if tail.group("h") is not None:
        hour, minute = int(tail.group("h")), int(tail.group("mi"))
        second = int(tail.group("s") or 0)
        ampm = tail.group("ampm")
        if ampm:
            pm = ampm[0] in "pم" or ampm == "ظهرا"
            if hour == 0 and pm or hour > 12 and not pm:
                return _unparsed(raw)  # "0:30 PM", "14:30 AM": contradictory
            if hour <= 12:
                # 12 AM is midnight, 12 PM is noon; "14:30 م" is redundant but unambiguous.
                hour = hour % 12 + (12 if pm else 0)
        if second == 60:
            second = 59  # a leap second; datetime cannot hold it
        if hour > 23 or minute > 59 or second > 59:
            return _unparsed(raw)

    offset = _zone_offset(tail.group("tz"))
    if offset is None:
        return _unparsed(raw)
    try:
        local = datetime(year, month, day, hour, minute, second, tzinfo=timezone(offset))
    except ValueError:  # 31/02, month 13, day 0 ...
        return _unparsed(raw)
    return ParsedDate(local.astimezone(timezone.utc), "ok", raw)


def parse_date(s: str | None) -> ParsedDate:
    """Parse a printed publication date; see the module docstring for the accepted forms.

    None/empty → status 'missing'; anything not fully recognised or impossible → 'unparsed'.
    Results are cached per distinct string (news files repeat the same few formats and values).
    """
    if s is None:
        return _MISSING
    raw = s.strip()
    if not raw:
        return _MISSING
    return _parse(raw)
