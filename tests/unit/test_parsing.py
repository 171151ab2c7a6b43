import json
import random
import re
from datetime import datetime, timezone
from email.utils import parsedate_to_datetime
from pathlib import Path

import pytest

from news_assets.text.parsing import (
    ParsedDocument,
    RejectedDocument,
    detect_format,
    parse_document,
    split_keywords,
)

SHARED = Path(__file__).resolve().parents[2] / ".." / "shared"
SEED = SHARED / "seeds" / "000_da234c6bb2a9ea86.txt"
ANT = SHARED / "corpora" / "ant-v2.1"

needs_seed = pytest.mark.skipif(not SEED.exists(), reason="../shared/seeds not available (CI-only data)")
needs_ant = pytest.mark.skipif(not ANT.exists(), reason="../shared/corpora/ant-v2.1 not available (CI-only data)")

# Label prefixes that must never appear at the start of a body line (checked independently of
# the parser's own label table).
LABEL_PREFIX = re.compile(
    r"^\s*(?:تاريخ النشر|نشر في|بتاريخ|التاريخ|المصدر|كلمات دلالية|الكلمات المفتاحية|وسوم|"
    r"الكاتب|كتب|الرابط|القسم|التصنيف)\s*:|^\s*[إا]قر[أا] أيضا"
)


def assert_no_label_in_bodies(doc: ParsedDocument):
    for art in doc.articles:
        for line in art.body.split("\n"):
            assert not LABEL_PREFIX.search(line), f"label line in body of {art.title!r}: {line!r}"


def utc(*args):
    return datetime(*args, tzinfo=timezone.utc)


# ---------------------------------------------------------------------------------------------
# plain layout
# ---------------------------------------------------------------------------------------------


@needs_seed
def test_seed_parses_to_two_articles():
    doc = parse_document(SEED.read_bytes(), str(SEED))
    assert doc.format == "plain"
    assert doc.encoding == "utf-8"
    assert len(doc.articles) == 2
    main, rel = doc.articles

    assert main.index == 0 and main.parent_index is None
    assert main.title == "أوكرانيا وبلجيكا توقعان مذكرة تفاهم بشأن الإنتاج المشترك للأسلحة"
    assert main.published_at == utc(2024, 1, 30)
    assert main.date_status == "ok"
    assert main.date_raw == "30th, January 2024 GMT"
    assert main.source == "صدى البلد"
    assert main.body.startswith("وقعت وزارتا")
    assert main.body.endswith("و8 بلجيكية.")
    assert len(main.body.split("\n")) == 7
    # no separators in the seed's keyword line → kept whole, not guessed apart
    assert main.keywords == [
        "أوكرانيا الإنتاج المشترك للأسلحة بلجيكا نائب وزير الدفاع الأوكراني فی أوکرانیا"
    ]

    assert rel.index == 1 and rel.parent_index == 0
    assert rel.title == "ماكرون يبحث نشر قوة أوروبية مسلحة في أوكرانيا"
    assert rel.published_at is None and rel.date_status == "missing" and rel.date_raw is None
    assert rel.source == "صدى البلد"
    assert rel.keywords == []
    assert rel.body.startswith("أكد الرئيس الفرنسي")
    assert rel.body.endswith("تصعيد عسكري روسي.")
    assert_no_label_in_bodies(doc)


@needs_seed
def test_seed_survives_crlf_bom_and_utf16():
    text = SEED.read_text(encoding="utf-8")
    reference = parse_document(SEED.read_bytes())
    for data in (
        b"\xef\xbb\xbf" + text.replace("\n", "\r\n").encode("utf-8"),
        text.encode("utf-16"),
    ):
        doc = parse_document(data)
        assert [a.title for a in doc.articles] == [a.title for a in reference.articles]
        assert [a.body for a in doc.articles] == [a.body for a in reference.articles]


MY_ARTICLE = """
المصدر الأصلي: https://example.com/news/123
الحكومة تعلن خطة لدعم المزارعين
كتب: أحمد علي
أعلنت الحكومة اليوم عن خطة جديدة لدعم المزارعين في المناطق الريفية.
وقال الوزير إن الخطة تبدأ الشهر المقبل وتشمل قروضا ميسرة.
القسم: اقتصاد
وسوم: زراعة، قروض، ريف
المصدر:
وكالة الأنباء
اقرا ايضا
ارتفاع أسعار القمح عالميا
ارتفعت أسعار القمح في الأسواق العالمية بنسبة خمسة في المئة خلال الأسبوع الماضي بسبب الجفاف.
وتوقع خبراء استمرار الارتفاع.
وزير الزراعة يزور الصعيد
زار وزير الزراعة محافظات الصعيد اليوم لتفقد المحاصيل والاستماع إلى مطالب المزارعين هناك.
نشر في: الأربعاء، ٣ أبريل ٢٠٢٤ - ٠٩:١٥ ص
"""


@pytest.mark.parametrize("encoding", ["utf-8", "cp1256"])
def test_plain_reordered_labels_and_two_related_articles(encoding):
    text = MY_ARTICLE
    if encoding == "cp1256":  # cp1256 has no Arabic-Indic digits; such files use ASCII ones
        text = text.translate(str.maketrans("٠١٢٣٤٥٦٧٨٩", "0123456789"))
    doc = parse_document(text.replace("\n", "\r\n").encode(encoding))
    assert doc.format == "plain"
    assert doc.encoding == encoding
    assert [a.title for a in doc.articles] == [
        "الحكومة تعلن خطة لدعم المزارعين",
        "ارتفاع أسعار القمح عالميا",
        "وزير الزراعة يزور الصعيد",
    ]
    main, r1, r2 = doc.articles
    assert main.url == "https://example.com/news/123"
    assert main.author == "أحمد علي"
    assert main.category == "اقتصاد"
    assert main.keywords == ["زراعة", "قروض", "ريف"]
    assert main.source == "وكالة الأنباء"  # bare label, value on the next line
    assert main.published_at == utc(2024, 4, 3, 9, 15)  # date label at the very end
    assert main.body == (
        "أعلنت الحكومة اليوم عن خطة جديدة لدعم المزارعين في المناطق الريفية.\n"
        "وقال الوزير إن الخطة تبدأ الشهر المقبل وتشمل قروضا ميسرة."
    )
    assert r1.body.endswith("وتوقع خبراء استمرار الارتفاع.")
    assert r1.body.count("\n") == 1
    assert r2.body.startswith("زار وزير الزراعة")
    assert (r1.parent_index, r2.parent_index) == (0, 0)
    assert (r1.index, r2.index) == (1, 2)
    assert r1.source == r2.source == "وكالة الأنباء"
    assert r1.url is None and r1.author is None and r1.keywords == []
    assert r2.date_status == "missing"
    assert_no_label_in_bodies(doc)


@pytest.mark.parametrize(
    "marker",
    ["إقرأ أيضاً:", "اقرأ أيضا", "إقرأ أيضا :", "اقرا ايضا", "اقرأ أيضًا:", "إِقْرَأْ أَيْضاً"],
)
def test_read_also_marker_variants(marker):
    text = (
        "عنوان رئيسي\nالتاريخ: 2024-01-30\nفقرة أولى من الخبر الرئيسي.\n"
        f"{marker}\nعنوان مرتبط\nنص الخبر المرتبط الطويل بما يكفي ليكون فقرة.\n"
    )
    doc = parse_document(text.encode("utf-8"))
    assert [a.title for a in doc.articles] == ["عنوان رئيسي", "عنوان مرتبط"]
    assert doc.articles[0].body == "فقرة أولى من الخبر الرئيسي."
    assert doc.articles[0].published_at == utc(2024, 1, 30)


def test_label_values_on_same_line_and_variants():
    text = (
        "عنوان الخبر\n"
        "بتاريخ: 30/01/2024\n"
        "الكاتب: سارة محمد\n"
        "الرابط: https://example.org/a\n"
        "التصنيف: سياسة\n"
        "الكلمات المفتاحية: غزة | مصر | قمة\n"
        "نص الخبر في فقرة واحدة.\n"
    )
    a = parse_document(text.encode("utf-8")).articles[0]
    assert (a.title, a.author, a.url, a.category) == ("عنوان الخبر", "سارة محمد", "https://example.org/a", "سياسة")
    assert a.keywords == ["غزة", "مصر", "قمة"]
    assert a.published_at == utc(2024, 1, 30)
    assert a.body == "نص الخبر في فقرة واحدة."


def test_plain_missing_date_and_unparsed_date():
    a = parse_document("عنوان\nنص الخبر.".encode("utf-8")).articles[0]
    assert (a.published_at, a.date_status, a.date_raw) == (None, "missing", None)
    doc = parse_document("عنوان\nتاريخ النشر: منذ ساعتين\nنص الخبر.".encode("utf-8"))
    a = doc.articles[0]
    assert (a.published_at, a.date_status, a.date_raw) == (None, "unparsed", "منذ ساعتين")
    assert any("unparsed date" in p for p in doc.problems)


def test_sentence_beginning_with_label_word_is_body():
    # "كتب" and "المصدر" open ordinary sentences; without a colon they are not labels.
    text = "عنوان\nكتب الرئيس في تغريدة أن الاجتماع كان مثمرا.\nالمصدر أكد أن الاتفاق قريب.\n"
    a = parse_document(text.encode("utf-8")).articles[0]
    assert a.author is None and a.source is None
    assert a.body.count("\n") == 1


def test_related_headlines_without_bodies_are_skipped():
    text = "عنوان\nنص الخبر الرئيسي.\nاقرأ أيضا:\nعنوان أول\nعنوان ثان\n"
    doc = parse_document(text.encode("utf-8"))
    assert len(doc.articles) == 1
    assert doc.problems


def test_plain_without_body_rejected():
    with pytest.raises(RejectedDocument, match="no article body found"):
        parse_document("عنوان فقط\nالمصدر: موقع\n".encode("utf-8"))


def test_undecodable_and_empty_rejected():
    with pytest.raises(RejectedDocument, match="not valid UTF-8"):
        parse_document(random.Random(0).randbytes(5000))
    with pytest.raises(RejectedDocument, match="^empty document$"):
        parse_document(b" \n ")


def test_split_keywords():
    assert split_keywords("أ ب ج") == ["أ ب ج"]
    assert split_keywords("أ، ب ، ج") == ["أ", "ب", "ج"]
    assert split_keywords("#أ #ب") == ["أ", "ب"]
    assert split_keywords("a; b|c,d\ne") == ["a", "b", "c", "d", "e"]
    assert split_keywords("  ") == []


# ---------------------------------------------------------------------------------------------
# TREC
# ---------------------------------------------------------------------------------------------

TREC = """<DOC>
<DOCNO>XX-world-1-20180226</DOCNO>
<URL>http://example.com/a?x=1&amp;y=2</URL>
<SRC>Example</SRC>
<CAT>world</CAT>
<TITLE>  عنوان &quot;أول&quot; &#1575; &#x627;  </TITLE>
<TIME>Mon, 26 Feb 2018 02:20:10 GMT</TIME>
<AUTHOR></AUTHOR>
<ABSTRACT>ملخص</ABSTRACT>
<TEXT>
نص أول فيه علامة < وعلامة & غير مهربة.
سطر ثان.
</TEXT>
</DOC>
<DOC>
<DOCNO>XX-world-2-20180715</DOCNO>
<URL>http://example.com/b</URL>
<SRC>Example</SRC>
<CAT>sport</CAT>
<TITLE>عنوان ثان</TITLE>
<TIME>Sun, 15 Jul 2018 21:56:56 +0400</TIME>
<AUTHOR>مراسل</AUTHOR>
<ABSTRACT>
الملخص يحل محل النص الفارغ.
</ABSTRACT>
<TEXT>
</TEXT>
</DOC>
<DOC>
<DOCNO>XX-world-3</DOCNO>
<TITLE></TITLE><TEXT>  </TEXT>
</DOC>
"""


def test_trec_two_docs():
    doc = parse_document(TREC.encode("utf-8"), "x.txt")
    assert doc.format == "trec"
    assert len(doc.articles) == 2
    a, b = doc.articles
    assert (a.index, a.parent_index, b.index, b.parent_index) == (0, None, 1, None)
    assert a.external_id == "XX-world-1-20180226"
    assert a.url == "http://example.com/a?x=1&y=2"
    assert a.title == 'عنوان "أول" ا ا'
    assert a.source == "Example" and a.category == "world" and a.author is None
    assert a.body == "نص أول فيه علامة < وعلامة & غير مهربة.\nسطر ثان."
    assert a.published_at == utc(2018, 2, 26, 2, 20, 10)
    assert b.published_at == utc(2018, 7, 15, 17, 56, 56)
    assert b.body == "الملخص يحل محل النص الفارغ."  # ABSTRACT fallback
    assert b.author == "مراسل"
    assert any("XX-world-3" in p and "skipped" in p for p in doc.problems)


def test_trec_entities_are_not_expanded_beyond_the_five():
    text = (
        '<DOC><DOCNO>1</DOCNO><TITLE>&lol; &nbsp; &amp;lt;</TITLE>'
        "<TEXT>نص.</TEXT></DOC>"
    )
    bomb = '<!DOCTYPE x [<!ENTITY lol "lollollollol">]>\n'
    assert detect_format(text) == "trec"
    a = parse_document(text.encode("utf-8")).articles[0]
    assert a.title == "&lol; &nbsp; &lt;"
    # A DTD before <DOC> is skipped, not interpreted: still TREC, and nothing is expanded.
    doc = parse_document((bomb + text).encode("utf-8"))
    assert doc.format == "trec"
    assert doc.articles[0].title == "&lol; &nbsp; &lt;"


# ---------------------------------------------------------------------------------------------
# JSON / JSONL
# ---------------------------------------------------------------------------------------------


def test_json_array_with_aliases_and_wrong_types():
    records = [
        {
            "headline": "عنوان أول",
            "maintext": "نص أول.",
            "date_publish": None,
            "published": "2024-01-30T10:00:00+02:00",
            "source_domain": "example.com",
            "link": "https://example.com/1",
            "authors": ["أحمد", "منى", {"name": "x"}],
            "tags": ["أ", "ب", 3],
            "id": 17,
        },
        {"title": 12345, "content": "نص ثان.", "pubDate": "30/01/2024", "site": {"n": 1}, "keywords": "x، y"},
        {"title": "بلا نص", "content": ""},
        {"title": "نص من نوع خاطئ", "text": {"nested": "object"}},
        "not an object",
        {"Title": "حروف كبيرة", "Body": ["فقرة 1", "فقرة 2"], "date_extracted": "2024-02-01"},
    ]
    doc = parse_document(json.dumps(records, ensure_ascii=False).encode("utf-8"), "a.json")
    assert doc.format == "json"
    assert [a.title for a in doc.articles] == ["عنوان أول", "12345", "حروف كبيرة"]
    a, b, c = doc.articles
    assert [x.index for x in doc.articles] == [0, 1, 2]
    assert a.body == "نص أول."
    assert a.published_at == utc(2024, 1, 30, 8, 0)
    assert a.source == "example.com" and a.url == "https://example.com/1"
    assert a.author == "أحمد، منى"
    assert a.keywords == ["أ", "ب", "3"]
    assert a.external_id == "17"
    assert b.published_at == utc(2024, 1, 30)
    assert b.source is None  # a nested object is ignored, not stringified
    assert b.keywords == ["x", "y"]
    assert c.body == "فقرة 1\nفقرة 2"
    assert c.published_at == utc(2024, 2, 1)
    problems = " | ".join(doc.problems)
    assert "record 3: no body, skipped" in problems
    assert "record 4" in problems and "record 5: not an object, skipped" in problems
    assert "record 2: title is a int, converted to text" in problems
    assert "site is a dict, ignored" in problems


def test_json_single_object_and_wrapper():
    one = {"title": "عنوان", "article": "نص.", "date": "2024-01-30", "publisher": "موقع"}
    doc = parse_document(json.dumps(one).encode("utf-8"))
    assert doc.format == "json" and len(doc.articles) == 1
    assert doc.articles[0].source == "موقع"
    wrapped = {"articles": [one, one]}
    assert len(parse_document(json.dumps(wrapped).encode("utf-8")).articles) == 2


def test_jsonl_with_a_broken_line():
    lines = [
        json.dumps({"title": "أ", "text": "نص أ.", "url": "u1"}, ensure_ascii=False),
        "",
        "{broken",
        json.dumps({"title": "ب", "body": "نص ب.", "author": "كاتب"}, ensure_ascii=False),
    ]
    data = "\n".join(lines).encode("utf-8")
    assert detect_format(data.decode()) == "jsonl"
    doc = parse_document(data)
    assert doc.format == "jsonl"
    assert [a.title for a in doc.articles] == ["أ", "ب"]
    assert doc.articles[1].author == "كاتب"
    assert "line 3: invalid JSON, skipped" in doc.problems


def test_json_without_usable_records_rejected():
    with pytest.raises(RejectedDocument, match="no usable JSON record"):
        parse_document(json.dumps([{"title": "x"}, {"body": None}]).encode("utf-8"))
    with pytest.raises(RejectedDocument, match="empty JSON array"):
        parse_document(b"[]")
    with pytest.raises(RejectedDocument, match="invalid JSON"):
        parse_document(b'[{"title": "x", ')


@pytest.mark.parametrize("depth", [65, 1000, 200_000])
def test_deep_nesting_rejected(depth):
    data = ("[" * depth + "]" * depth).encode()
    with pytest.raises(RejectedDocument, match="nesting"):
        parse_document(data)
    obj = ('{"a":' * depth + "1" + "}" * depth).encode()
    with pytest.raises(RejectedDocument, match="nesting"):
        parse_document(obj)


def test_brackets_inside_strings_do_not_count_as_nesting():
    rec = {"title": "[" * 500, "content": "{" * 500 + ' \\" ['}
    doc = parse_document(json.dumps(rec).encode())
    assert doc.articles[0].title == "[" * 500


def test_moderate_nesting_accepted():
    rec = {"title": "t", "content": "c", "extra": json.loads("[" * 60 + "]" * 60)}
    assert parse_document(json.dumps(rec).encode()).articles[0].body == "c"


# ---------------------------------------------------------------------------------------------
# detection
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text,fmt",
    [
        ("<DOC>\n<TITLE>x</TITLE></DOC>", "trec"),
        ("\ufeff  \n<DOC><TEXT>x</TEXT></DOC>", "trec"),
        ('[{"title": "x"}]', "json"),
        ('  {"title": "x"}', "json"),
        ('{"a": 1}\n{"a": 2}\n', "jsonl"),
        ("[فيديو] عنوان\nنص الخبر.", "plain"),
        ("{عاجل} عنوان\nنص الخبر.", "plain"),
        ("عنوان\nنص", "plain"),
        ("title mentioning <DOC> later", "plain"),
    ],
)
def test_detect_format(text, fmt):
    assert detect_format(text) == fmt


# ---------------------------------------------------------------------------------------------
# ANT corpus sample (read in place from ../shared)
# ---------------------------------------------------------------------------------------------


def _tag(text: str, tag: str) -> str:
    m = re.search(rf"<{tag}>(.*?)</{tag}>", text, re.DOTALL)
    assert m, tag
    return m.group(1).strip()


@needs_ant
def test_ant_sample_matches_trec_fields():
    files = sorted(ANT.glob("*/*/*.txt"))
    assert len(files) > 30000
    step = len(files) // 300
    sample = files[::step][:300]
    assert len(sample) == 300
    for path in sample:
        raw = path.read_bytes()
        text = raw.decode("utf-8")
        doc = parse_document(raw, str(path))
        assert doc.format == "trec", path
        assert len(doc.articles) == 1, path
        a = doc.articles[0]
        assert a.title == _tag(text, "TITLE"), path
        assert a.source == _tag(text, "SRC"), path
        assert a.url == _tag(text, "URL"), path
        assert a.external_id == _tag(text, "DOCNO"), path
        expected = parsedate_to_datetime(_tag(text, "TIME")).astimezone(timezone.utc)
        assert a.published_at == expected, path
        assert a.date_status == "ok"
        assert a.body and a.body == a.body.strip()
