"""A generated test corpus: every file shape, encoding and date form of issue #3.

Each test writes files into ``tmp_path`` from the text below (all written for this test; no
shared data), reads them back as bytes and runs them through :func:`parse_document`, checking
titles, bodies, sources, URLs and UTC dates exactly.

Sections: 1. plain layout · 2. TREC · 3. JSON / JSON Lines · 4. encodings and corruption ·
5. date forms.
"""

import codecs
import json
import random
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from news_assets.text.parsing import ParsedDocument, RejectedDocument, parse_document


def utc(*args):
    return datetime(*args, tzinfo=timezone.utc)


# ============================================================================================
# the article every format carries
# ============================================================================================

TITLE = "الحكومة تعلن خطة جديدة لدعم المزارعين في المناطق الريفية"
PARAS = [
    "أعلنت الحكومة اليوم عن خطة جديدة لدعم المزارعين في المناطق الريفية، تشمل قروضا ميسرة وبذورا محسنة.",
    'وقال وزير الزراعة في مؤتمر صحفي إن الخطة تبدأ الشهر المقبل، مضيفا: "نريد أن يبقى الشباب في قراهم".',
    "ويقدر خبراء كلفة البرنامج بنحو 300 مليون دولار على مدى ثلاث سنوات.",
]
BODY = "\n".join(PARAS)
SOURCE = "وكالة الأنباء العربية"
URL = "https://example.com/news/2024/01/30/farmers?id=7&lang=ar"
AUTHOR = "سارة محمود"
DATE_RAW = "30th, January 2024 GMT"
DATE = utc(2024, 1, 30)
KEYWORDS_LINE = "زراعة، قروض، ريف"
KEYWORDS = ["زراعة", "قروض", "ريف"]

# Related ("read also") articles: a short title line, then one or more paragraphs.
RELATED = [
    ("ارتفاع أسعار القمح في الأسواق العالمية", [
        "ارتفعت أسعار القمح في الأسواق العالمية بنسبة خمسة في المئة خلال الأسبوع الماضي بسبب موجة الجفاف.",
    ]),
    ("وزير الزراعة يزور محافظات الجنوب", [
        "زار وزير الزراعة محافظات الجنوب اليوم لتفقد المحاصيل والاستماع إلى مطالب المزارعين هناك.",
        "ووعد الوزير بحل مشكلات الري قبل بداية الموسم الجديد.",
    ]),
    ("تعاونيات زراعية جديدة في الشمال", [
        "أطلقت وزارة الزراعة ثلاث تعاونيات جديدة في الشمال لتسويق محاصيل صغار المزارعين بأسعار عادلة.",
    ]),
]


@dataclass
class Expected:
    """What a parsed article must look like; None means 'must be None/missing'."""

    title: str
    body: str
    published_at: datetime | None = None
    date_raw: str | None = None
    source: str | None = None
    url: str | None = None
    author: str | None = None
    keywords: list[str] = field(default_factory=list)
    parent_index: int | None = None


MAIN = Expected(TITLE, BODY, DATE, DATE_RAW, SOURCE, URL, AUTHOR, KEYWORDS)


def related_expected(source: str | None = SOURCE) -> list[Expected]:
    return [Expected(t, "\n".join(b), source=source, parent_index=0) for t, b in RELATED]


def related_lines() -> list[str]:
    return [line for t, b in RELATED for line in (t, *b)]


def parse_file(tmp_path: Path, name: str, data: bytes) -> ParsedDocument:
    """Write the bytes to a file, read them back and parse (the path is the format hint)."""
    path = tmp_path / name
    path.write_bytes(data)
    return parse_document(path.read_bytes(), str(path))


def check(doc: ParsedDocument, expected: list[Expected]) -> None:
    assert len(doc.articles) == len(expected), [a.title for a in doc.articles]
    for i, (got, want) in enumerate(zip(doc.articles, expected)):
        assert got.index == i
        assert got.title == want.title
        assert got.body == want.body
        assert got.published_at == want.published_at
        if want.published_at is not None:
            assert got.published_at.utcoffset() == timedelta(0)
            assert got.date_status == "ok"
        assert got.date_raw == want.date_raw
        assert got.source == want.source
        assert got.url == want.url
        assert got.author == want.author
        assert got.keywords == want.keywords
        assert got.parent_index == want.parent_index


# ============================================================================================
# 1. plain-text layout
# ============================================================================================

SEED_LIKE = "\n".join([
    TITLE,
    f"تاريخ النشر: {DATE_RAW}",
    *PARAS,
    f"المصدر: {SOURCE}",
    f"الرابط: {URL}",
    f"كتب: {AUTHOR}",
    f"كلمات دلالية: {KEYWORDS_LINE}",
    "إقرأ أيضاً:",
    *related_lines(),
]) + "\n"

PLAIN_CASES = {
    "seed_like": (SEED_LIKE, [MAIN, *related_expected()]),
    # metadata first, out of order; date at the very end; label spelling variants
    "reordered_and_variants": ("\n".join([
        f"المصدر الأصلي: {URL}",
        f"الكاتب : {AUTHOR}",
        TITLE,
        f"الوسوم: {KEYWORDS_LINE}",
        *PARAS,
        f"Source: {SOURCE}",
        "اقرأ أيضا:",
        *related_lines(),
        f"نُشِر في：{DATE_RAW}",  # diacritics in the label, full-width colon
    ]), [MAIN, *related_expected()]),
    # bare labels with the value on the next line; tatweel inside a label
    "bare_labels": ("\n".join([
        TITLE,
        "تاريخ النشر",
        DATE_RAW,
        *PARAS,
        "المـصـدر",
        SOURCE,
        f"رابط الخبر: {URL}",
        f"بقلم: {AUTHOR}",
        f"الكلمات المفتاحية: {KEYWORDS_LINE}",
    ]), [MAIN]),
    # the scraper dropped the date label but kept the date line right after the title
    "unlabelled_date_line": ("\n".join([TITLE, DATE_RAW, *PARAS, f"المصدر: {SOURCE}"]),
                             [Expected(TITLE, BODY, DATE, DATE_RAW, SOURCE)]),
    # lines missing: no date, no source, no keywords; marker with the first related title on it
    "missing_lines": ("\n".join([
        TITLE, *PARAS,
        f"إقرأ أيضاً: {RELATED[0][0]}",
        *RELATED[0][1], *[line for t, b in RELATED[1:] for line in (t, *b)],
    ]), [Expected(TITLE, BODY), *related_expected(source=None)]),
    # blank lines, indentation and invisible marks around lines; the title label sets the title
    "blank_lines_and_title_label": ("\n\n".join([
        "  \u200f" + PARAS[0],
        f"العنوان: {TITLE}",
        *PARAS[1:],
        f"\u200fالتاريخ: {DATE_RAW}  ",
        f"المصدر: {SOURCE}",
    ]) + "\n\n", [Expected(TITLE, BODY, DATE, DATE_RAW, SOURCE)]),
}


@pytest.mark.parametrize("name", list(PLAIN_CASES))
def test_plain_layouts(tmp_path, name):
    text, expected = PLAIN_CASES[name]
    doc = parse_file(tmp_path, f"{name}.txt", text.encode("utf-8"))
    assert doc.format == "plain" and doc.encoding == "utf-8"
    check(doc, expected)
    for art in doc.articles:  # no label or marker ever leaks into a body
        for line in art.body.split("\n"):
            assert ":" not in line[:20] and "أيضا" not in line, line


def test_plain_unparsed_date_keeps_raw(tmp_path):
    doc = parse_file(tmp_path, "a.txt", f"{TITLE}\nتاريخ النشر: قبل ساعتين\n{BODY}\n".encode())
    a = doc.articles[0]
    assert (a.published_at, a.date_status, a.date_raw, a.body) == (None, "unparsed", "قبل ساعتين", BODY)
    assert "unparsed date 'قبل ساعتين'" in doc.problems


# ============================================================================================
# 2. TREC
# ============================================================================================

BOMB_DTD = (
    '<!DOCTYPE DOC [\n <!ENTITY lol "lol">\n'
    ' <!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">\n'
    ' <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">\n]>\n'
)


def trec_doc(docno: str, title: str, body: str, time: str | None = DATE_RAW, src: str | None = SOURCE,
             url: str | None = URL, author: str = AUTHOR, abstract: str = "") -> str:
    parts = [f"<DOC>\n<DOCNO>{docno}</DOCNO>"]
    if url is not None:
        parts.append(f"<URL>{url}</URL>")
    if src is not None:
        parts.append(f"<SRC>{src}</SRC>")
    parts.append(f"<CAT>economy</CAT>\n<TITLE>{title}</TITLE>")
    if time is not None:
        parts.append(f"<TIME>{time}</TIME>")
    parts.append(f"<AUTHOR>{author}</AUTHOR>\n<ABSTRACT>\n{abstract}\n</ABSTRACT>\n<TEXT>\n{body}\n</TEXT>\n</DOC>\n")
    return "\n".join(parts)


ESCAPED_URL = URL.replace("&", "&amp;")
TREC_FILE = (
    trec_doc("XX-economy-1-20240130", TITLE, BODY, url=ESCAPED_URL)
    # bare '&' and '<' in text, the five entities and numeric references
    + trec_doc("XX-economy-2-20180715", "أرباح S&P 500 &amp; &quot;ناسداك&quot; &#1575;&#x644;",
               "ارتفع مؤشر S&P 500 بنسبة 2% & تراجع الذهب.\nقيمة x < 5 و y > 3 في &lt;المعادلة&gt;.",
               time="Sun, 15 Jul 2018 21:56:56 +0400", src="AT&T News", url="http://example.com/b")
    + BOMB_DTD  # between documents: outside any field, ignored, never expanded
    # an entity-expansion payload inside the fields: kept literally
    + trec_doc("XX-economy-3", "&lol3; عنوان", "نص &lol3; يبقى كما هو.\n" + BOMB_DTD.strip(),
               time="2018-07-15T21:56:56Z", src=None, url=None, author="")
    # empty <TEXT>: the abstract is the body
    + trec_doc("XX-economy-4", "ملخص فقط", "", time="٣٠ كانون الثاني ٢٠٢٤", abstract="الملخص يحل محل النص.")
    # lower-case tags and no closing </DOC> at the end of the file
    + "<doc><docno>XX-economy-5</docno><title>عنوان أخير</title><time>30/01/2024 10:15</time>"
      "<text>نص أخير.</text>"
)


def test_trec_several_docs(tmp_path):
    doc = parse_file(tmp_path, "ant-like.txt", TREC_FILE.encode("utf-8"))
    assert doc.format == "trec"
    check(doc, [
        Expected(TITLE, BODY, DATE, DATE_RAW, SOURCE, URL, AUTHOR),
        Expected('أرباح S&P 500 & "ناسداك" ال',
                 "ارتفع مؤشر S&P 500 بنسبة 2% & تراجع الذهب.\nقيمة x < 5 و y > 3 في <المعادلة>.",
                 utc(2018, 7, 15, 17, 56, 56), "Sun, 15 Jul 2018 21:56:56 +0400", "AT&T News",
                 "http://example.com/b", AUTHOR),
        Expected("&lol3; عنوان", "نص &lol3; يبقى كما هو.\n" + BOMB_DTD.strip(),
                 utc(2018, 7, 15, 21, 56, 56), "2018-07-15T21:56:56Z"),
        Expected("ملخص فقط", "الملخص يحل محل النص.", utc(2024, 1, 30), "٣٠ كانون الثاني ٢٠٢٤", SOURCE, URL, AUTHOR),
        Expected("عنوان أخير", "نص أخير.", utc(2024, 1, 30, 10, 15), "30/01/2024 10:15"),
    ])
    assert [a.external_id for a in doc.articles] == [f"XX-economy-{i}" + s for i, s in
                                                     zip(range(1, 6), ["-20240130", "-20180715", "", "", ""])]
    everything = " ".join(a.title + a.body for a in doc.articles)
    assert "lollol" not in everything.replace(BOMB_DTD.strip(), "")  # nothing was expanded


def test_trec_entity_bomb_before_the_first_doc_is_never_expanded(tmp_path):
    text = BOMB_DTD + trec_doc("XX-1", "&lol3;", BODY) + trec_doc("XX-2", "ثان", "&lol2; نص ثان.")
    doc = parse_file(tmp_path, "bomb.txt", text.encode("utf-8"))
    produced = "".join(a.title + a.body + (a.source or "") for a in doc.articles)
    assert len(produced) <= len(text)  # whatever the reading, nothing grew
    assert produced.count("lol") <= text.count("lol")


def test_trec_with_doctype_prelude_is_still_trec(tmp_path):
    text = BOMB_DTD + trec_doc("XX-1", "&lol3;", BODY) + trec_doc("XX-2", "ثان", "&lol2; نص ثان.")
    doc = parse_file(tmp_path, "bomb.txt", text.encode("utf-8"))
    assert doc.format == "trec"
    assert [(a.title, a.body) for a in doc.articles] == [("&lol3;", BODY), ("ثان", "&lol2; نص ثان.")]


# ============================================================================================
# 3. JSON, JSON Lines
# ============================================================================================

ALIASES = {
    "title": ["title", "headline"],
    "body": ["content", "maintext", "text", "body"],
    "date": ["date_publish", "published", "date", "date_extracted"],
    "source": ["source", "source_domain", "site"],
    "url": ["url"],
    "author": ["author", "authors"],
}
CANONICAL_RECORD = {"title": TITLE, "body": BODY, "date": DATE_RAW, "source": SOURCE, "url": URL, "author": AUTHOR}


def record(**names: str) -> dict:
    """The article as a JSON record, with the chosen alias per field (default: the first)."""
    rec = {}
    for fld, value in CANONICAL_RECORD.items():
        key = names.get(fld, ALIASES[fld][0])
        rec[key] = [value] if key == "authors" else value  # news-please: authors is a list
    return rec


@pytest.mark.parametrize("fld,alias", [(f, a) for f, aliases in ALIASES.items() for a in aliases])
def test_json_alias_fields(tmp_path, fld, alias):
    doc = parse_file(tmp_path, "a.json", json.dumps(record(**{fld: alias}), ensure_ascii=False).encode())
    assert doc.format == "json"
    check(doc, [MAIN_NO_KW])


def test_json_alias_priority_and_empty_values(tmp_path):
    rec = {
        "headline": "عنوان ثانوي", "title": TITLE,  # title beats headline
        "body": "نص ثانوي", "content": BODY,  # content beats body
        "date_extracted": "2024-02-01", "date": "", "published": None, "date_publish": DATE_RAW,
        "site": "موقع", "source_domain": "example.com", "source": "",  # empty source → next alias
        "url": URL, "authors": ["سارة محمود", "", 7, {"x": 1}],
    }
    doc = parse_file(tmp_path, "a.json", json.dumps([rec], ensure_ascii=False).encode())
    check(doc, [Expected(TITLE, BODY, DATE, DATE_RAW, "example.com", URL, "سارة محمود، 7")])
    # only the extraction date is left: it is used
    rec2 = {"headline": TITLE, "maintext": BODY, "date_publish": None, "date_extracted": "2024-01-30 10:00:00"}
    a = parse_file(tmp_path, "b.json", json.dumps(rec2, ensure_ascii=False).encode()).articles[0]
    assert (a.published_at, a.date_raw) == (utc(2024, 1, 30, 10), "2024-01-30 10:00:00")


def test_json_wrong_types(tmp_path):
    records = [
        {"title": 2024, "text": ["فقرة أولى.", 42, None, {"p": "x"}, "فقرة ثانية."], "date": 1706601600,
         "site": {"name": "x"}, "url": ["https://a"], "author": 3.5},
        {"title": ["عنوان", "في قائمة"], "content": {"nested": True}},  # body of a wrong type: skipped
        {"title": None, "body": "نص بلا عنوان.", "published": ["2024-01-30"], "source": True},
        "not an object",
        17,
    ]
    doc = parse_file(tmp_path, "types.json", json.dumps(records, ensure_ascii=False).encode())
    check(doc, [
        Expected("2024", "فقرة أولى.\n42\nفقرة ثانية.", None, "1706601600", author="3.5"),
        Expected("", "نص بلا عنوان.", source="True"),
    ])
    assert doc.articles[0].date_status == "unparsed"  # a bare number is not a date we guess
    problems = " | ".join(doc.problems)
    for note in ("record 1: title is a int, converted to text", "record 1: site is a dict, ignored",
                 "record 1: url is a list, ignored", "record 1: text: 1 non-text item(s) ignored",
                 "record 2: no body, skipped", "record 4: not an object, skipped",
                 "record 5: not an object, skipped", "record 3: published is a list, ignored"):
        assert note in problems, note


def test_json_array_single_object_wrapper_and_jsonl(tmp_path):
    one = record()
    two = {"headline": RELATED[0][0], "maintext": RELATED[0][1][0], "date_publish": "2024-01-31T09:00:00+02:00",
           "source_domain": "example.org", "url": "https://example.org/2"}
    exp_two = Expected(RELATED[0][0], RELATED[0][1][0], utc(2024, 1, 31, 7), "2024-01-31T09:00:00+02:00",
                       "example.org", "https://example.org/2")
    dumps = lambda v: json.dumps(v, ensure_ascii=False)  # noqa: E731

    doc = parse_file(tmp_path, "array.json", dumps([one, two]).encode())
    assert doc.format == "json"
    check(doc, [MAIN_NO_KW, exp_two])

    doc = parse_file(tmp_path, "single.json", json.dumps(one, indent=2, ensure_ascii=False).encode())
    assert doc.format == "json"
    check(doc, [MAIN_NO_KW])

    doc = parse_file(tmp_path, "wrapped.json", dumps({"status": "ok", "articles": [one, two]}).encode())
    check(doc, [MAIN_NO_KW, exp_two])

    # JSON Lines: blank lines, a broken line and an escaped (ASCII-only) record
    jsonl = "\n".join([dumps(one), "", "{\"title\": \"مقطوع", json.dumps(two), ""])
    doc = parse_file(tmp_path, "feed.jsonl", jsonl.encode())
    assert doc.format == "jsonl"
    check(doc, [MAIN_NO_KW, exp_two])
    assert doc.problems == ["line 3: invalid JSON, skipped"]


MAIN_NO_KW = Expected(TITLE, BODY, DATE, DATE_RAW, SOURCE, URL, AUTHOR)


@pytest.mark.parametrize("name,data,reason", [
    ("broken.json", b'[{"title": "x", "content": ', "invalid JSON"),
    ("empty.json", b"[]", "empty JSON array"),
    ("nobody.json", '[{"title": "عنوان"}]'.encode(), "no usable JSON record"),
    ("deep.json", b"[" * 100 + b"]" * 100, "nesting"),
])
def test_json_rejections(tmp_path, name, data, reason):
    with pytest.raises(RejectedDocument, match=reason):
        parse_file(tmp_path, name, data)


# ============================================================================================
# 4. encodings: the same article must parse identically; corruption is rejected, never mojibake
# ============================================================================================

def _jsonl_text() -> str:
    return "\n".join(json.dumps(r, ensure_ascii=False) for r in (
        record(),
        {"headline": RELATED[1][0], "maintext": "\n".join(RELATED[1][1]), "published": "30/01/2024"},
    )) + "\n"


FORMAT_TEXTS = {
    "plain": SEED_LIKE,
    "trec": TREC_FILE.replace(BOMB_DTD, "").replace("٣٠ كانون الثاني ٢٠٢٤", "30 كانون الثاني 2024"),
    "json": json.dumps([record(), record(title="headline")], ensure_ascii=False, indent=1),
    "jsonl": _jsonl_text(),
}


def _with_stray_nuls(text: str) -> str:
    """NUL padding at both ends and NULs between characters (as left by broken exporters)."""
    chars = list(text)
    for pos in range(len(chars) - 7, 0, -97):
        chars.insert(pos, "\x00")
    return "\x00\x00" + "".join(chars) + "\x00\x00\x00\x00"


ENCODINGS = {
    # name: (encode function, encoding name reported by the decoder)
    "utf-8": (lambda t: t.encode("utf-8"), "utf-8"),
    "utf-8-bom": (lambda t: codecs.BOM_UTF8 + t.encode("utf-8"), "utf-8-sig"),
    "utf-16-le-bom": (lambda t: codecs.BOM_UTF16_LE + t.encode("utf-16-le"), "utf-16"),
    "utf-16-be-bom": (lambda t: codecs.BOM_UTF16_BE + t.encode("utf-16-be"), "utf-16"),
    "utf-16-le-no-bom": (lambda t: t.encode("utf-16-le"), "utf-16"),
    "windows-1256": (lambda t: t.encode("cp1256"), "cp1256"),
}
VARIANTS = [(fmt, enc, crlf, nuls) for fmt in FORMAT_TEXTS for enc in ENCODINGS
            for crlf in (False, True) for nuls in (False, True) if not (nuls and "16" in enc)]


def _projection(doc: ParsedDocument):
    return doc.format, [
        (a.index, a.parent_index, a.title, a.body, a.published_at, a.date_raw, a.date_status, a.source,
         a.url, a.author, a.category, a.keywords, a.external_id)
        for a in doc.articles
    ]


@pytest.mark.parametrize("fmt,enc,crlf,nuls", VARIANTS,
                         ids=[f"{f}-{e}{'-crlf' if c else ''}{'-nul' if n else ''}" for f, e, c, n in VARIANTS])
def test_same_article_in_every_encoding(tmp_path, fmt, enc, crlf, nuls):
    text = FORMAT_TEXTS[fmt]
    reference = parse_document(text.encode("utf-8"))
    assert reference.problems == [] or fmt == "trec"
    encode, reported = ENCODINGS[enc]
    variant = text.replace("\n", "\r\n") if crlf else text
    if nuls:
        variant = _with_stray_nuls(variant)
    doc = parse_file(tmp_path, f"article.{'json' if fmt == 'json' else fmt}", encode(variant))
    assert doc.encoding == reported
    assert _projection(doc) == _projection(reference)
    assert doc.problems == reference.problems


def test_reference_articles_are_what_the_formats_carry():
    plain = parse_document(FORMAT_TEXTS["plain"].encode())
    check(plain, [MAIN, *related_expected()])
    check(parse_document(FORMAT_TEXTS["json"].encode()), [MAIN_NO_KW, MAIN_NO_KW])
    jl = parse_document(FORMAT_TEXTS["jsonl"].encode())
    check(jl, [MAIN_NO_KW, Expected(RELATED[1][0], "\n".join(RELATED[1][1]), utc(2024, 1, 30), "30/01/2024")])


UTF8_ARTICLE = SEED_LIKE.encode("utf-8")
NOT_TEXT = "not valid UTF-8, UTF-16 or Windows-1256 text"


def _cut_inside_last_char(data: bytes) -> bytes:
    """The file cut in the middle of its last Arabic letter (a scraper's byte limit)."""
    end = len(data.rstrip(b"\n. "))  # after the last Arabic letter (two bytes in UTF-8)
    return data[:end - 1]


@pytest.mark.parametrize("name,corrupt", [
    ("lone_lead_byte", lambda d: d[:200] + b"\xd8" + d[200:] if d[200] < 0x80 or d[200] >= 0xc0 else None),
    ("missing_continuation_byte", lambda d: d.replace("المزارعين".encode(), "المزارعين".encode()[:-1], 1)),
    ("truncated_at_end", _cut_inside_last_char),
    ("stray_continuation_bytes", lambda d: d.replace(b" ", b" \x80\xbf ", 1)),
    ("latin1_byte_in_arabic", lambda d: d.replace(b" ", b"\xa0", 3)),
])
def test_invalid_utf8_inside_arabic_text_is_rejected(tmp_path, name, corrupt):
    data = corrupt(UTF8_ARTICLE)
    if data is None:  # the chosen offset fell inside a character: shift the insertion point
        data = UTF8_ARTICLE[:201] + b"\xd8" + UTF8_ARTICLE[201:]
    with pytest.raises(UnicodeDecodeError):
        data.decode("utf-8")
    with pytest.raises(RejectedDocument, match=f"^{NOT_TEXT}$"):
        parse_file(tmp_path, f"{name}.txt", data)


def test_random_bytes_never_become_mojibake(tmp_path):
    """The decoder's promise: corrupted UTF-8 is either rejected with a reason, or, when the
    corruption happens to be valid UTF-8 itself, read as UTF-8 — never re-read as Windows-1256."""
    rng = random.Random(20240130)
    outcomes = {"rejected": 0, "utf-8": 0}
    for i in range(300):
        data = bytearray(UTF8_ARTICLE)
        for _ in range(rng.randint(1, 4)):
            pos = rng.randrange(len(data))
            data[pos:pos] = rng.randbytes(rng.randint(1, 12))
        try:
            doc = parse_file(tmp_path, f"r{i}.txt", bytes(data))
        except RejectedDocument as exc:
            assert str(exc), "a rejection always has a reason"
            outcomes["rejected"] += 1
            continue
        assert doc.encoding == "utf-8"
        text = bytes(data).decode("utf-8")  # accepted only because it IS valid UTF-8
        for art in doc.articles:
            assert art.title in text
        outcomes["utf-8"] += 1
    assert outcomes["rejected"] > 250, outcomes


@pytest.mark.parametrize("size", [1, 100, 5000])
def test_random_files_rejected(tmp_path, size):
    rng = random.Random(size)
    for i in range(10):
        data = rng.randbytes(size) if size > 1 else bytes([rng.randrange(0x80, 0x100)])
        with pytest.raises(RejectedDocument) as info:
            parse_file(tmp_path, f"rand{i}.bin", data)
        assert str(info.value)


def test_latin1_files_with_markup_are_not_read_as_windows_1256(tmp_path):
    # Latin-1 á/í/ã are Arabic letters in Windows-1256: Spanish prose must still be rejected
    # although tags, URLs and JSON keys are left out of the Arabic-share check.
    prose = "La compañía anunció que el índice subió más de lo esperado en África, según el ministro."
    files = {
        "es.txt": f"<DOC><TITLE>Está en la península</TITLE><URL>http://example.es/a</URL><TEXT>{prose}</TEXT></DOC>",
        "es.json": json.dumps({"title": "Está en la península", "content": prose}, ensure_ascii=False),
    }
    for name, text in files.items():
        with pytest.raises(RejectedDocument, match=f"^{NOT_TEXT}$"):
            parse_file(tmp_path, name, text.encode("latin-1"))


def test_truncated_utf16_rejected(tmp_path):
    data = codecs.BOM_UTF16_LE + SEED_LIKE.encode("utf-16-le")
    with pytest.raises(RejectedDocument, match="UTF-16 byte-order mark but invalid UTF-16 text"):
        parse_file(tmp_path, "cut.txt", data[:-1])


# ============================================================================================
# 5. every date form, in every format
# ============================================================================================

DATE_FORMS = [
    # the seed's form and English variants
    ("30th, January 2024 GMT", utc(2024, 1, 30)),
    ("January 30, 2024 10:45 PM", utc(2024, 1, 30, 22, 45)),
    ("Tuesday, 30 January 2024 10:45 GMT+3", utc(2024, 1, 30, 7, 45)),
    # Egyptian/Gulf month names (يناير…), with weekday prefixes, era and ص/م
    ("30 يناير 2024", utc(2024, 1, 30)),
    ("الثلاثاء، 30 يناير 2024م - 10:30 م", utc(2024, 1, 30, 22, 30)),
    ("الأربعاء 3 أبريل 2024 09:15 ص", utc(2024, 4, 3, 9, 15)),
    ("يوم الجمعة 15 أغسطس 2025", utc(2025, 8, 15)),
    ("1 ديسمبر 2023 الساعة 23:59", utc(2023, 12, 1, 23, 59)),
    # Levantine/Iraqi month names (كانون الثاني…)
    ("30 كانون الثاني 2024", utc(2024, 1, 30)),
    ("السبت 1 شباط 2020", utc(2020, 2, 1)),
    ("15 آذار 2019 14:00 بتوقيت غرينتش", utc(2019, 3, 15, 14)),
    ("الأحد 15 تموز/يوليو 2018", utc(2018, 7, 15)),
    ("25 كانون الأول 2022", utc(2022, 12, 25)),
    ("1 تشرين الثاني 2021", utc(2021, 11, 1)),
    # Arabic-Indic (and Persian) digits
    ("الثلاثاء ٣٠ كانون الثاني ٢٠٢٤ - ١٠:٣٠ م", utc(2024, 1, 30, 22, 30)),
    ("٣٠ يناير ٢٠٢٤", utc(2024, 1, 30)),
    ("٢٠٢٤-٠١-٣٠T١٠:٤٥:٠٠+٠٣:٠٠", utc(2024, 1, 30, 7, 45)),
    ("۱۵/۰۷/۲۰۱۸", utc(2018, 7, 15)),
    # ISO 8601 with offsets
    ("2024-01-30", utc(2024, 1, 30)),
    ("2024-01-30T10:45:00Z", utc(2024, 1, 30, 10, 45)),
    ("2024-01-30T01:45:00+03:00", utc(2024, 1, 29, 22, 45)),
    ("2024-01-30T22:45:00.250-05:00", utc(2024, 1, 31, 3, 45)),
    ("2024-01-30 10:45:00+0530", utc(2024, 1, 30, 5, 15)),
    # DD/MM/YYYY (day first)
    ("30/01/2024", utc(2024, 1, 30)),
    ("3/1/2024", utc(2024, 1, 3)),
    ("30-01-2024 14:05", utc(2024, 1, 30, 14, 5)),
    ("30.01.2024", utc(2024, 1, 30)),
    # RFC 822 / 2822 with offsets
    ("Sun, 15 Jul 2018 21:56:56 +0400", utc(2018, 7, 15, 17, 56, 56)),
    ("Mon, 26 Feb 2018 02:20:10 GMT", utc(2018, 2, 26, 2, 20, 10)),
    ("Wed, 02 Oct 2002 08:00:00 EST", utc(2002, 10, 2, 13)),
    ("Sat, 01 Jan 2000 01:00:00 +0200", utc(1999, 12, 31, 23)),
    ("Fri, 31 Dec 2021 23:30:00 -0330", utc(2022, 1, 1, 3)),
    ("Sun, 15 Jul 2018 21:56:56 +0400 (GST)", utc(2018, 7, 15, 17, 56, 56)),
]
UNKNOWN_DATES = ["منذ ساعتين", "أمس", "31/02/2024", "1706601600", "30 Janvier 2024", "30/01/24",
                 "Sun, 15 Jul 2018 25:00:00 GMT", "كانون الثاني 2024"]


def _date_file(fmt: str, raw: str) -> tuple[str, bytes]:
    if fmt == "plain":
        return "d.txt", f"{TITLE}\nتاريخ النشر: {raw}\n{BODY}\nالمصدر: {SOURCE}\n".encode("utf-8")
    if fmt == "trec":
        return "d.txt", trec_doc("XX-date-1", TITLE, BODY, time=raw).encode("utf-8")
    if fmt == "json":
        return "d.json", json.dumps({"title": TITLE, "content": BODY, "date_publish": raw, "source": SOURCE},
                                    ensure_ascii=False).encode("utf-8")
    line = json.dumps({"headline": TITLE, "text": BODY, "published": raw, "site": SOURCE}, ensure_ascii=False)
    return "d.jsonl", (line + "\n" + line + "\n").encode("utf-8")


@pytest.mark.parametrize("fmt", ["plain", "trec", "json", "jsonl"])
@pytest.mark.parametrize("raw,expected", DATE_FORMS, ids=[r for r, _ in DATE_FORMS])
def test_date_forms_to_exact_utc(tmp_path, fmt, raw, expected):
    doc = parse_file(tmp_path, *_date_file(fmt, raw))
    assert doc.format == fmt
    a = doc.articles[0]
    assert (a.title, a.body, a.source) == (TITLE, BODY, SOURCE)
    assert a.published_at == expected
    assert a.published_at.utcoffset() == timedelta(0)
    assert (a.date_raw, a.date_status) == (raw, "ok")
    assert not doc.problems


@pytest.mark.parametrize("fmt", ["plain", "trec", "json", "jsonl"])
@pytest.mark.parametrize("raw", UNKNOWN_DATES)
def test_unknown_dates_are_none_with_the_raw_string_kept(tmp_path, fmt, raw):
    doc = parse_file(tmp_path, *_date_file(fmt, raw))
    a = doc.articles[0]
    assert (a.title, a.body, a.source) == (TITLE, BODY, SOURCE)
    assert (a.published_at, a.date_status, a.date_raw) == (None, "unparsed", raw)
    assert any(f"unparsed date {raw!r}" in p for p in doc.problems)
