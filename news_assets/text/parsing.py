"""Raw news files → articles: format detection and three tolerant parsers.

Formats
-------
* ``plain`` — the scraped text layout of ``seeds/000_*.txt``: title line, labelled metadata lines
  (date, source, keywords, …) in any order, body paragraphs, then an optional "إقرأ أيضاً"
  section with related articles (rows of their own, ``parent_index=0``).
* ``trec`` — ``<DOC>`` files as in the ANT corpus. Read with regexes, never an XML parser: the
  files are not well-formed XML, and an XML parser would expose entity-expansion attacks.
* ``json`` / ``jsonl`` — records from common scrapers (news-please and friends) with aliased
  field names.

Everything is pure Python; errors that make a whole document unusable raise
:class:`RejectedDocument`, everything else becomes a note in ``ParsedDocument.problems``.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from .dates import parse_date
from .decode import DecodeError, decode_bytes

__all__ = [
    "ParsedArticle",
    "ParsedDocument",
    "RejectedDocument",
    "detect_format",
    "parse_document",
]


@dataclass
class ParsedArticle:
    index: int  # 0-based position of this article within its document
    parent_index: int | None  # related ("read also") article: index of its parent; else None
    title: str
    body: str  # paragraphs joined by "\n"; stripped
    published_at: datetime | None  # UTC-aware
    date_raw: str | None
    date_status: str  # 'ok' | 'missing' | 'unparsed' (from ParsedDate.status)
    source: str | None
    url: str | None
    author: str | None
    category: str | None
    keywords: list[str] = field(default_factory=list)
    external_id: str | None = None  # e.g. TREC DOCNO, JSON id


class RejectedDocument(ValueError):
    """The document cannot yield any article; ``str(e)`` is the short, specific reason."""


@dataclass
class ParsedDocument:
    format: str  # 'plain' | 'trec' | 'json' | 'jsonl'
    encoding: str
    articles: list[ParsedArticle]  # never empty
    problems: list[str] = field(default_factory=list)  # non-fatal notes


# ============================================================================================
# shared helpers
# ============================================================================================

# Keyword separators. Without any of them a keyword line is kept whole: the seed joins
# multi-word phrases with plain spaces, and guessing phrase boundaries would invent keywords.
_KEYWORD_SEP = re.compile(r"[،,;؛|#\n]+")


def split_keywords(value: str | None) -> list[str]:
    """Split a keyword string on explicit separators only; no separator → one keyword."""
    if not value:
        return []
    value = value.strip()
    if not value:
        return []
    if not _KEYWORD_SEP.search(value):
        return [value]
    return [k for k in (p.strip() for p in _KEYWORD_SEP.split(value)) if k]


def _date_fields(raw: str | None) -> tuple[datetime | None, str | None, str]:
    pd = parse_date(raw)
    return pd.value, pd.raw, pd.status


# ============================================================================================
# detection
# ============================================================================================

# An optional XML declaration, comments and a DOCTYPE (internal subset included) may precede the
# first <DOC>: they are skipped, never interpreted, so declared entities are not expanded.
_TREC_START = re.compile(
    r"\A[\s\ufeff]*(?:<\?xml[^>]*\?>\s*)?(?:<!--.*?-->\s*)*(?:<!DOCTYPE[^\[>]*(?:\[.*?\])?\s*>\s*)?"
    r"(?:<!--.*?-->\s*)*(?:<[A-Za-z][\w.-]*>\s*)?<DOC>",
    re.IGNORECASE | re.DOTALL,
)
# After "[" or "{", JSON continues with a quote, a bracket, a closer, a number or a literal.
# A plain article whose title starts with "[فيديو]" does not, so it stays 'plain'.
_JSONISH = re.compile(r'\A[\s\ufeff]*[\[{]\s*(?:["\[\]{}\d-]|true|false|null|\Z)')
# An unterminated string runs to the end of the text: without the \Z the regex would re-scan
# the rest from every later quote (quadratic on `["\"\"\"…`).
_JSON_TOKEN = re.compile(r'"[^"\\]*(?:\\.[^"\\]*)*(?:"|\Z)|[\[\]{}]')
MAX_JSON_DEPTH = 64


class _JSONTooDeep(ValueError):
    pass


_INVALID_LINE = object()  # marks a JSONL line that failed to parse (None is valid JSON: null)


def _json_depth(text: str) -> int:
    """Maximum bracket nesting outside strings; scanned with a regex so strings are skipped in C."""
    depth = best = 0
    for m in _JSON_TOKEN.finditer(text):
        tok = m.group()
        if tok in "[{":
            depth += 1
            if depth > best:
                best = depth
                if best > MAX_JSON_DEPTH:
                    return best  # no need to scan further
        elif tok in "]}":
            depth -= 1
    return best


def _safe_loads(text: str) -> Any:
    """json.loads with the nesting guard applied first; RecursionError is caught anyway."""
    if _json_depth(text) > MAX_JSON_DEPTH:
        raise _JSONTooDeep(f"JSON nesting deeper than {MAX_JSON_DEPTH}")
    try:
        return json.loads(text)
    except RecursionError as exc:  # the depth scan should prevent this; belt and braces
        raise _JSONTooDeep("JSON nesting too deep") from exc


@dataclass
class _Detected:
    format: str
    payload: Any = None  # parsed JSON value / list of (line_no, value-or-error) for JSONL
    error: str | None = None  # set when the text claims to be JSON but is unusable


TREC_PRELUDE_LIMIT = 1 << 20  # an XML declaration/DOCTYPE longer than 1 MiB is not a news file


def _detect(text: str, path: str = "") -> _Detected:
    if _TREC_START.match(text[:TREC_PRELUDE_LIMIT]):
        return _Detected("trec")
    stripped = text.lstrip(" \t\r\n\ufeff")
    if stripped[:5].lower() == "<?xml" or stripped[:9].upper() == "<!DOCTYPE":
        # XML that is not the TREC <DOC> layout: never read its markup as an article.
        return _Detected("trec", error="XML without a <DOC> element: not a supported article format")
    if not stripped or stripped[0] not in "[{":
        return _Detected("plain")
    jsonish = bool(_JSONISH.match(stripped)) or path.lower().endswith((".json", ".jsonl", ".ndjson"))
    too_deep: _JSONTooDeep | None = None
    try:
        return _Detected("json", _safe_loads(stripped))
    except _JSONTooDeep as exc:
        too_deep = exc  # maybe JSON Lines with one pathological line: try that first
        whole_error = exc
    except ValueError as exc:
        whole_error = exc
    # JSON Lines: one object per non-empty line. Tolerated when the first line is an object;
    # later broken lines become problem notes rather than sinking the whole file.
    lines = [(n, ln) for n, ln in enumerate(stripped.split("\n"), 1) if ln.strip()]
    if len(lines) > 1 and lines[0][1].lstrip()[:1] == "{":
        records: list[tuple[int, Any]] = []
        for n, ln in lines:
            try:
                records.append((n, _safe_loads(ln)))
            except _JSONTooDeep as exc:
                records.append((n, exc))
            except ValueError:
                records.append((n, _INVALID_LINE))
        if any(isinstance(value, dict) for _, value in records):
            return _Detected("jsonl", records)
        first = records[0][1]
        if isinstance(first, _JSONTooDeep):
            return _Detected("jsonl", error=str(first))
    if too_deep is not None:
        return _Detected("json", error=str(too_deep))
    if jsonish:
        return _Detected("json", error=f"invalid JSON: {whole_error}")
    return _Detected("plain")


def detect_format(text: str) -> str:
    """'trec' | 'json' | 'jsonl' | 'plain' for decoded text.

    ``<DOC>`` at the start → trec; text starting with ``[``/``{`` that parses → json; one JSON
    object per line → jsonl; otherwise plain. Text that clearly means to be JSON (``[{"…``,
    ``{"…``) but is malformed or nested deeper than 64 is still 'json', so that
    :func:`parse_document` rejects it instead of reading it as an article.
    """
    return _detect(text).format


# ============================================================================================
# TREC
# ============================================================================================

_TREC_TAGS = ("DOCNO", "URL", "SRC", "CAT", "TITLE", "TIME", "AUTHOR", "ABSTRACT", "TEXT")
_DOC_TAG = re.compile(r"<(/?)DOC>", re.IGNORECASE)
_FIELD_OPEN = re.compile(r"<(" + "|".join(_TREC_TAGS) + r")>", re.IGNORECASE)
_FIELD_CLOSE = {t: re.compile(rf"</{t}>", re.IGNORECASE) for t in _TREC_TAGS}


def _trec_docs(text: str):
    """Yield the inside of each <DOC>…</DOC>; a missing </DOC> ends at the next <DOC> or EOF.

    Plain tag scanning (no backtracking regex over the body) keeps this linear and fast.
    """
    start = None
    for m in _DOC_TAG.finditer(text):
        if not m.group(1):  # <DOC>
            if start is not None:
                yield text[start:m.start()]
            start = m.end()
        elif start is not None:  # </DOC>
            yield text[start:m.start()]
            start = None
    if start is not None:
        yield text[start:]


def _trec_fields(doc: str, label: str, problems: list[str]) -> dict[str, str]:
    """Tag → raw value. A tag's content runs to its own closing tag, so stray '<' and other
    tags inside TEXT are harmless; an unclosed tag is ignored."""
    fields: dict[str, str] = {}
    unclosed_from: dict[str, int] = {}  # tag -> position after which it has no closing tag
    pos = 0
    while True:
        m = _FIELD_OPEN.search(doc, pos)
        if m is None:
            return fields
        tag = m.group(1).upper()
        # Once a closing tag was not found from some position, it is not found from any later one:
        # remembering that keeps many unclosed tags linear instead of re-scanning to the end.
        close = None if m.end() >= unclosed_from.get(tag, len(doc) + 1) else _FIELD_CLOSE[tag].search(doc, m.end())
        if close is None:
            unclosed_from[tag] = min(unclosed_from.get(tag, len(doc) + 1), m.end())
            problems.append(f"{label}: unclosed <{tag}>, ignored")
            pos = m.end()
            continue
        if tag in fields:
            problems.append(f"{label}: repeated <{tag}>, first kept")
        else:
            fields[tag] = doc[m.end():close.start()]
        pos = close.end()


_ENTITY = re.compile(r"&(?:(amp|lt|gt|quot|apos)|#(\d{1,7})|#[xX]([0-9a-fA-F]{1,6}));")
_NAMED_ENTITIES = {"amp": "&", "lt": "<", "gt": ">", "quot": '"', "apos": "'"}


def _entity(m: re.Match) -> str:
    if m.group(1):
        return _NAMED_ENTITIES[m.group(1)]
    cp = int(m.group(2)) if m.group(2) else int(m.group(3), 16)
    if cp == 0 or 0xD800 <= cp <= 0xDFFF or cp > 0x10FFFF:
        return m.group(0)  # not a character: leave the reference as written
    return chr(cp)


def unescape_xml(value: str) -> str:
    """Resolve only the five XML entities and numeric references (no DTD, no HTML names)."""
    return _ENTITY.sub(_entity, value) if "&" in value else value


def _parse_trec(text: str, problems: list[str]) -> list[ParsedArticle]:
    articles: list[ParsedArticle] = []
    n_docs = 0
    for n_docs, doc in enumerate(_trec_docs(text), 1):
        raw = _trec_fields(doc, f"doc {n_docs}", problems)
        fields = {tag: unescape_xml(value).strip() for tag, value in raw.items()}
        docno = fields.get("DOCNO") or None
        label = f"doc {n_docs}" + (f" ({docno})" if docno else "")
        title = fields.get("TITLE", "")
        body = fields.get("TEXT", "") or fields.get("ABSTRACT", "")
        if not title and not body:
            problems.append(f"{label}: no title or body, skipped")
            continue
        if not fields.get("TEXT") and body:
            problems.append(f"{label}: empty <TEXT>, used <ABSTRACT>")
        published_at, date_raw, status = _date_fields(fields.get("TIME"))
        if status == "unparsed":
            problems.append(f"{label}: unparsed date {date_raw!r}")
        articles.append(
            ParsedArticle(
                index=len(articles),
                parent_index=None,
                title=title,
                body=body,
                published_at=published_at,
                date_raw=date_raw,
                date_status=status,
                source=fields.get("SRC") or None,
                url=fields.get("URL") or None,
                author=fields.get("AUTHOR") or None,
                category=fields.get("CAT") or None,
                keywords=[],
                external_id=docno,
            )
        )
    if n_docs == 0:
        raise RejectedDocument("no <DOC> element found")
    if not articles:
        raise RejectedDocument("no <DOC> with a title or body")
    return articles


# ============================================================================================
# JSON / JSON Lines
# ============================================================================================

# Aliases in priority order (first present wins).
_JSON_FIELDS: dict[str, tuple[str, ...]] = {
    "title": ("title", "headline"),
    "body": ("content", "maintext", "text", "body", "article"),
    "date": ("date_publish", "published", "published_at", "pubDate", "date", "date_extracted"),
    "source": ("source", "source_domain", "site", "publisher"),
    "url": ("url", "link"),
    "author": ("author", "authors"),
    "category": ("category", "section"),
    "keywords": ("keywords", "tags"),
    "id": ("id",),
}
# A wrapper object such as {"articles": [...]} is unwrapped when it has no article fields itself.
_WRAPPER_KEYS = ("articles", "items", "data", "results", "records", "docs", "documents")


def _lookup(record: dict, aliases: tuple[str, ...]) -> tuple[str | None, Any]:
    """First alias with a non-empty value; exact key first, then case-insensitive."""
    lowered = None
    for alias in aliases:
        if alias in record:
            value = record[alias]
        else:
            if lowered is None:
                lowered = {k.lower(): k for k in record if isinstance(k, str)}
            key = lowered.get(alias.lower())
            if key is None:
                continue
            value = record[key]
            alias = key
        if value is None or (isinstance(value, (str, list, dict)) and not value):
            continue
        return alias, value
    return None, None


def _as_text(value: Any, what: str, notes: list[str]) -> str | None:
    """Coerce a scalar to str; ignore containers. Notes say what was done."""
    if value is None:
        return None
    if isinstance(value, str):
        return value.strip() or None
    if isinstance(value, (bool, int, float)):
        notes.append(f"{what} is a {type(value).__name__}, converted to text")
        return str(value)
    notes.append(f"{what} is a {type(value).__name__}, ignored")
    return None


def _as_text_list(value: Any, what: str, notes: list[str]) -> list[str]:
    """A list of scalars → list of str (containers inside ignored); anything else → []."""
    out: list[str] = []
    dropped = 0
    for item in value:
        if isinstance(item, str):
            if item.strip():
                out.append(item.strip())
        elif isinstance(item, (bool, int, float)):
            out.append(str(item))
        elif item is not None:
            dropped += 1
    if dropped:
        notes.append(f"{what}: {dropped} non-text item(s) ignored")
    return out


def _json_article(record: Any, label: str, problems: list[str], index: int) -> ParsedArticle | None:
    if not isinstance(record, dict):
        problems.append(f"{label}: not an object, skipped")
        return None
    notes: list[str] = []

    key, value = _lookup(record, _JSON_FIELDS["body"])
    if isinstance(value, list):
        # A list of paragraph strings is a common, unambiguous body shape.
        body = "\n".join(_as_text_list(value, key or "body", notes)) or None
    else:
        body = _as_text(value, key or "body", notes)
    if not body:
        problems.extend(f"{label}: {n}" for n in notes)
        problems.append(f"{label}: no body, skipped")
        return None

    def text_field(name: str) -> str | None:
        k, v = _lookup(record, _JSON_FIELDS[name])
        return _as_text(v, k or name, notes)

    title = text_field("title") or ""
    date_raw = text_field("date")
    published_at, date_raw, status = _date_fields(date_raw)
    if status == "unparsed":
        notes.append(f"unparsed date {date_raw!r}")

    k, v = _lookup(record, _JSON_FIELDS["author"])
    if isinstance(v, list):  # news-please: "authors": ["a", "b"]
        author = "، ".join(_as_text_list(v, k, notes)) or None
    else:
        author = _as_text(v, k or "author", notes)

    k, v = _lookup(record, _JSON_FIELDS["keywords"])
    if isinstance(v, list):
        keywords = _as_text_list(v, k, notes)
    else:
        keywords = split_keywords(_as_text(v, k or "keywords", notes))

    k, v = _lookup(record, _JSON_FIELDS["id"])
    external_id = str(v) if isinstance(v, (int, float)) and not isinstance(v, bool) else _as_text(v, "id", notes)

    source, url, category = text_field("source"), text_field("url"), text_field("category")
    problems.extend(f"{label}: {n}" for n in notes)
    return ParsedArticle(
        index=index,
        parent_index=None,
        title=title,
        body=body,
        published_at=published_at,
        date_raw=date_raw,
        date_status=status,
        source=source,
        url=url,
        author=author,
        category=category,
        keywords=keywords,
        external_id=external_id,
    )


def _is_article_like(obj: dict) -> bool:
    return any(_lookup(obj, _JSON_FIELDS[f])[0] for f in ("title", "body"))


def _parse_json(payload: Any, problems: list[str]) -> list[ParsedArticle]:
    if isinstance(payload, dict) and not _is_article_like(payload):
        for key in _WRAPPER_KEYS:
            inner = payload.get(key)
            if isinstance(inner, list):
                payload = inner
                break
    records = payload if isinstance(payload, list) else [payload]
    if isinstance(payload, list) and not payload:
        raise RejectedDocument("empty JSON array")
    labelled = [(f"record {i}", rec) for i, rec in enumerate(records, 1)]
    return _json_records(labelled, problems)


def _json_records(labelled: list[tuple[str, Any]], problems: list[str]) -> list[ParsedArticle]:
    articles: list[ParsedArticle] = []
    for label, rec in labelled:
        art = _json_article(rec, label, problems, len(articles))
        if art is not None:
            articles.append(art)
    if not articles:
        raise RejectedDocument("no usable JSON record (no record with a body)")
    return articles


def _parse_jsonl(records: list[tuple[int, Any]], problems: list[str]) -> list[ParsedArticle]:
    labelled = []
    for n, value in records:
        if value is _INVALID_LINE:
            problems.append(f"line {n}: invalid JSON, skipped")
        elif isinstance(value, _JSONTooDeep):
            problems.append(f"line {n}: {value}, skipped")
        else:
            labelled.append((f"line {n}", value))
    return _json_records(labelled, problems)


# ============================================================================================
# plain text layout
# ============================================================================================

_TASHKEEL = "[\u064b-\u0652\u0670\u0640]*"  # diacritics/tatweel allowed after any letter
_LETTER_CLASS = {
    "ا": "[اأإآٱ]",
    "ي": "[يى]",
    "ه": "[هة]",
    "ى": "[يى]",
    "ة": "[هة]",
}


def _label_pattern(label: str) -> str:
    """Regex for a label written in normalised form, tolerant to hamza/diacritics/spacing."""
    out = []
    for ch in label:
        if ch == " ":
            out.append(r"\s+")
        else:
            out.append(_LETTER_CLASS.get(ch, re.escape(ch)) + _TASHKEEL)
    return "".join(out)


# Label (normalised spelling) → field. Spelling variants with hamza, tanween, ة/ه, ى/ي are
# covered by _label_pattern, so only genuinely different words are listed.
_LABELS: dict[str, str] = {
    # date
    "تاريخ النشر": "date", "نشر في": "date", "نشر بتاريخ": "date", "بتاريخ": "date",
    "التاريخ": "date", "تاريخ": "date", "تاريخ الخبر": "date",
    "published": "date", "date": "date", "published at": "date",
    # "updated" dates are labels too (kept out of bodies) but do not set the publication date
    "اخر تحديث": "updated", "تاريخ التحديث": "updated", "تم التحديث": "updated", "updated": "updated",
    # source / url
    "المصدر": "source", "source": "source",
    "المصدر الاصلي": "url", "الرابط": "url", "رابط الخبر": "url", "رابط المقال": "url",
    "url": "url", "link": "url",
    # author
    "الكاتب": "author", "كتب": "author", "كتبت": "author", "بقلم": "author", "author": "author",
    # keywords
    "كلمات دلاليه": "keywords", "الكلمات الدلاليه": "keywords", "الكلمات المفتاحيه": "keywords",
    "كلمات مفتاحيه": "keywords", "وسوم": "keywords", "الوسوم": "keywords",
    "tags": "keywords", "keywords": "keywords",
    # category
    "القسم": "category", "التصنيف": "category", "category": "category", "section": "category",
    # title
    "العنوان": "title", "title": "title",
}
# The "read also" marker and equivalent "related" headers start the related-articles section.
_READ_ALSO = ["اقرا ايضا", "اقرا كذلك", "اقرا المزيد", "اخبار ذات صله",
              "مقالات ذات صله", "ذات صله", "read also", "related", "related articles"]

_LABEL_ALT = "|".join(_label_pattern(k) for k in sorted(_LABELS, key=len, reverse=True))
_MARKER_ALT = "|".join(_label_pattern(k) for k in sorted(_READ_ALSO, key=len, reverse=True))
# A label needs a colon, unless the line is the bare label (value then on the next line).
_LABEL_LINE = re.compile(
    rf"^(?P<label>{_LABEL_ALT})\s*(?:[:：]\s*(?P<value>.*)|$)", re.IGNORECASE | re.DOTALL
)
_MARKER_LINE = re.compile(
    rf"^(?P<label>{_MARKER_ALT})\s*(?:[:：]\s*(?P<value>.*)|$)", re.IGNORECASE | re.DOTALL
)
_LABEL_NORM = str.maketrans(
    {
        **{c: "ا" for c in "أإآٱ"},
        "ى": "ي",
        "ة": "ه",
        **{chr(c): None for c in range(0x064B, 0x0653)},
        "\u0670": None,
        "\u0640": None,
    }
)
_WS = re.compile(r"\s+")

# Invisible characters web pages leave at line edges.
_EDGE_JUNK = " \t\u00a0\u200b\u200c\u200d\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\ufeff"
_URLISH = re.compile(r"^(?:https?://|www\.)\S+$", re.IGNORECASE)

# Related-article split heuristic (see _split_related).
_HEADING_MAX_WORDS = 15
_SENTENCE_END = (".", "…", ":", "：", "。")


def _label_key(label: str) -> str:
    return _WS.sub(" ", label.translate(_LABEL_NORM)).lower()


@dataclass
class _Line:
    kind: str  # 'text' | 'label' | 'marker'
    text: str
    name: str | None = None  # the metadata field a label sets
    value: str | None = None


def _classify(line: str) -> _Line:
    m = _MARKER_LINE.match(line)
    if m:
        return _Line("marker", line, value=(m.group("value") or "").strip() or None)
    m = _LABEL_LINE.match(line)
    if m:
        fld = _LABELS[_label_key(m.group("label"))]
        return _Line("label", line, name=fld, value=(m.group("value") or "").strip() or None)
    return _Line("text", line)


def _is_heading(line: str) -> bool:
    """Short line without a final full stop: what a related article's title looks like."""
    return len(line.split()) <= _HEADING_MAX_WORDS and not line.endswith(_SENTENCE_END)


def _split_related(lines: list[str], problems: list[str]) -> list[tuple[str, list[str]]]:
    """Split the lines after the "read also" marker into (title, body lines) blocks.

    Heuristic (kept deliberately simple): the first line is a title; a later line starts a new
    article when (a) the current article already has a body line, (b) the line is short
    (≤ 15 words) with no final full stop/colon, and (c) the next line is longer. If every line
    is heading-like the section is a bare list of headlines: they have no bodies and are skipped.
    """
    if not lines:
        return []
    if all(_is_heading(ln) for ln in lines):
        problems.append(f"read-also section has {len(lines)} title(s) without body, skipped")
        return []
    blocks: list[tuple[str, list[str]]] = [(lines[0], [])]
    for i in range(1, len(lines)):
        ln = lines[i]
        nxt = lines[i + 1] if i + 1 < len(lines) else None
        if blocks[-1][1] and _is_heading(ln) and nxt is not None and len(nxt.split()) > len(ln.split()):
            blocks.append((ln, []))
        else:
            blocks[-1][1].append(ln)
    return blocks


def _date_only_line(line: str) -> bool:
    """An unlabelled line that is nothing but a date (some scrapers drop the label)."""
    return len(line) <= 60 and parse_date(line).status == "ok"


def _parse_plain(text: str, problems: list[str]) -> list[ParsedArticle]:
    raw_lines = [ln.strip(_EDGE_JUNK) for ln in text.split("\n")]
    lines = [_classify(ln) for ln in raw_lines if ln]

    meta: dict[str, str] = {}
    keyword_values: list[str] = []

    def set_meta(fld: str, value: str | None) -> None:
        if not value:
            return
        if fld == "url" and not _URLISH.match(value) and "source" not in meta:
            fld = "source"  # "المصدر الأصلي: صدى البلد" names a site, not a link
        if fld == "keywords":
            keyword_values.append(value)
        elif fld in meta:
            if meta[fld] != value:
                problems.append(f"repeated {fld} label, first kept")
        else:
            meta[fld] = value

    main: list[str] = []
    related: list[str] = []
    in_related = False
    i = 0
    while i < len(lines):
        ln = lines[i]
        if ln.kind == "marker":
            in_related = True
            if ln.value:  # "اقرأ أيضاً: <first related title>"
                related.append(ln.value)
        elif ln.kind == "label":
            value = ln.value
            if value is None and i + 1 < len(lines) and lines[i + 1].kind == "text":
                i += 1  # bare label: its value is the next line
                value = lines[i].text
            # Metadata anywhere in the file describes the page, i.e. the main article.
            set_meta(ln.name, value)
        elif (
            not in_related
            and "date" not in meta
            and (len(main) <= 1 or i == len(lines) - 1)  # before/after the title, or last line
            and _date_only_line(ln.text)
        ):
            set_meta("date", ln.text)  # some scrapers drop the label but keep the date line
        else:
            (related if in_related else main).append(ln.text)
        i += 1

    if "title" in meta:
        title, body_lines = meta["title"], main
    else:
        title, body_lines = (main[0], main[1:]) if main else ("", [])
    if not body_lines:
        raise RejectedDocument("no article body found")

    published_at, date_raw, status = _date_fields(meta.get("date"))
    if status == "unparsed":
        problems.append(f"unparsed date {date_raw!r}")
    keywords: list[str] = []
    for kv in keyword_values:
        keywords.extend(k for k in split_keywords(kv) if k not in keywords)

    source = meta.get("source")
    articles = [
        ParsedArticle(
            index=0,
            parent_index=None,
            title=title,
            body="\n".join(body_lines),
            published_at=published_at,
            date_raw=date_raw,
            date_status=status,
            source=source,
            url=meta.get("url"),
            author=meta.get("author"),
            category=meta.get("category"),
            keywords=keywords,
            external_id=None,
        )
    ]
    for rel_title, rel_body in _split_related(related, problems):
        if not rel_body:
            problems.append(f"related article {rel_title[:40]!r}: no body, skipped")
            continue
        # Related articles sit on the same site (inherit source) but their date, author,
        # keywords and URL are unknown.
        articles.append(
            ParsedArticle(
                index=len(articles),
                parent_index=0,
                title=rel_title,
                body="\n".join(rel_body),
                published_at=None,
                date_raw=None,
                date_status="missing",
                source=source,
                url=None,
                author=None,
                category=None,
                keywords=[],
                external_id=None,
            )
        )
    return articles


# ============================================================================================
# entry point
# ============================================================================================


def parse_document(data: bytes, path: str = "") -> ParsedDocument:
    """Decode, detect the format and parse; raise RejectedDocument when nothing usable remains.

    ``path`` is only a hint: a ``.json``/``.jsonl`` name makes malformed JSON a rejection instead
    of a fallback to plain text.
    """
    try:
        text, encoding = decode_bytes(data)
    except DecodeError as exc:
        raise RejectedDocument(str(exc)) from exc
    detected = _detect(text, path)
    if detected.error:
        raise RejectedDocument(detected.error)
    problems: list[str] = []
    if detected.format == "trec":
        articles = _parse_trec(text, problems)
    elif detected.format == "json":
        articles = _parse_json(detected.payload, problems)
    elif detected.format == "jsonl":
        articles = _parse_jsonl(detected.payload, problems)
    else:
        articles = _parse_plain(text, problems)
    return ParsedDocument(detected.format, encoding, articles, problems)
