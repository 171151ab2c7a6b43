import random
import re
from datetime import datetime, timedelta, timezone

import polars as pl
import pytest

from news_assets.text.duplicates import MIN_NEAR_WORDS, cluster_duplicates, normalize_body
from news_assets.text.normalize import normalize_for_matching

# A wire story written for these tests (ten sentences, ~200 words), then edited copies of it.
STORY = [
    "أعلنت وزارة المياه في المملكة الأردنية الهاشمية يوم الأحد توقيع اتفاقية جديدة مع تحالف من الشركات الدولية لبناء محطة كبيرة لتحلية مياه البحر على ساحل خليج العقبة جنوبي البلاد.",
    "وقال وزير المياه في مؤتمر صحفي عقده في العاصمة عمان إن المشروع سيوفر نحو ثلاثمئة مليون متر مكعب من المياه الصالحة للشرب سنويا عند اكتمال مراحله كلها.",
    "وأضاف الوزير أن كلفة المشروع تقدر بنحو مليار ونصف المليار دولار، وسيجري تمويلها عبر قروض ميسرة ومنح من جهات مانحة عربية وأوروبية.",
    "وأوضح أن المياه المحلاة ستنقل عبر خط أنابيب يمتد أكثر من أربعمئة كيلومتر من العقبة حتى محافظات الوسط والشمال.",
    "ويعد الأردن من أفقر دول العالم في الموارد المائية، إذ تقل حصة الفرد فيه كثيرا عن خط الفقر المائي الذي تحدده المنظمات الدولية.",
    "وتعول الحكومة على المشروع لتخفيف الضغط على المياه الجوفية التي تستنزف منذ عقود بمعدلات تفوق قدرتها على التجدد الطبيعي.",
    "وأكد الوزير أن أعمال البناء ستبدأ مطلع العام المقبل.",
    "وأشار إلى أن الاتفاقية تتضمن بنودا لحماية البيئة البحرية في خليج العقبة والشعاب المرجانية التي يشتهر بها الساحل الأردني.",
    "ومن المتوقع أن يوفر المشروع آلاف فرص العمل خلال مرحلة الإنشاء ومئات الوظائف الدائمة بعد التشغيل، وفق بيان الوزارة.",
    "ورحب خبراء في قطاع المياه بالاتفاقية، لكنهم دعوا إلى الإسراع في تنفيذها بعد سنوات من التأخير بسبب صعوبات التمويل.",
]
BODY = "\n".join(STORY)

# The same story republished: two words changed, one (short) sentence dropped.
EDITED = (
    BODY.replace("يوم الأحد", "يوم الإثنين")  # a word changed
    .replace("آلاف فرص العمل", "آلاف الوظائف")  # another word changed
    .replace(STORY[6] + "\n", "")  # one sentence dropped
)

# A different story on the same topic (same country, ministry, project): must NOT cluster.
OTHER = "\n".join([
    "انتقد نواب في البرلمان الأردني يوم الثلاثاء اتفاقية محطة تحلية المياه في العقبة، معتبرين أن شروط التمويل تحمل الموازنة العامة أعباء كبيرة.",
    "وطالب النواب خلال جلسة رقابية وزير المياه بنشر النص الكامل للاتفاقية وكشف أسماء الشركات المشاركة في التحالف الدولي.",
    "ورد الوزير بأن الحكومة ستعرض تفاصيل المشروع على لجنة المياه والزراعة في المجلس خلال الأسابيع المقبلة.",
    "وقال النائب رئيس اللجنة إن الأردن يحتاج إلى حلول عاجلة لأزمة المياه، لكن ذلك لا يبرر توقيع عقود طويلة الأجل دون رقابة كافية.",
    "ويعاني الأردن شحا مزمنا في المياه تفاقم مع موجات اللجوء وارتفاع درجات الحرارة خلال السنوات الأخيرة.",
    "وتقول الحكومة إن المحطة ستغطي جزءا كبيرا من احتياجات الشرب في المملكة بحلول نهاية العقد.",
])

T0 = datetime(2024, 3, 10, 8, 0, tzinfo=timezone.utc)


def frame(rows):
    """rows: (article_id, body, published_at or None[, source])."""
    return pl.DataFrame(
        {
            "article_id": [r[0] for r in rows],
            "body": [r[1] for r in rows],
            "published_at": [r[2] for r in rows],
            "source": [r[3] if len(r) > 3 else None for r in rows],
        },
        schema={
            "article_id": pl.String,
            "body": pl.String,
            "published_at": pl.Datetime("us", "UTC"),
            "source": pl.String,
        },
    )


def by_id(out: pl.DataFrame) -> dict[str, dict]:
    return {r["article_id"]: r for r in out.iter_rows(named=True)}


def test_output_shape_and_schema():
    out = cluster_duplicates(frame([("a", BODY, T0), ("b", OTHER, T0)]))
    assert out.columns == ["article_id", "cluster_id", "canonical_article_id", "duplicate_kind", "similarity"]
    assert out.schema["similarity"] == pl.Float64
    assert out["article_id"].to_list() == ["a", "b"]
    for r in out.iter_rows(named=True):
        assert r == {"article_id": r["article_id"], "cluster_id": r["article_id"],
                     "canonical_article_id": r["article_id"], "duplicate_kind": "canonical", "similarity": 1.0}
    empty = cluster_duplicates(frame([]))
    assert empty.height == 0 and empty.columns == out.columns


def test_exact_duplicates_with_different_diacritics_spacing_and_punctuation():
    variant = (
        BODY.replace("أعلنت", "أَعْلَنَتْ")  # tashkeel
        .replace("الأردنية", "الاردنية")  # hamza on alef dropped
        .replace("الهاشمية", "الهاشميه")  # teh marbuta written as heh
        .replace("المياه", "الميـــاه")  # tatweel
        .replace("، ", " ، ")  # spacing around punctuation
        .replace(".", "")  # full stops removed
        .replace("\n", "\n\n   ")  # blank lines and indentation
        .replace("حتى", "حتي")  # alef maksura as yeh
        .replace("ثلاثمئة", "ثلاثمئة\u200f")  # invisible RLM
    )
    assert variant != BODY
    assert normalize_body(variant) == normalize_body(BODY)
    out = by_id(cluster_duplicates(frame([("a", BODY, T0), ("b", variant, T0 + timedelta(hours=1))])))
    assert out["a"]["duplicate_kind"] == "canonical"
    assert out["b"]["duplicate_kind"] == "exact"
    assert out["b"]["cluster_id"] == out["b"]["canonical_article_id"] == "a"
    assert out["b"]["similarity"] == 1.0


def test_normalize_body_is_normalize_for_matching_without_punctuation():
    text = "«قال» الوزيرُ:   إنّ ٣٠٠ مليون، (تقريباً)… في عمّان!\nو_الخ"
    whole = " ".join(re.sub(r"[^\w\s]+|_+", " ", normalize_for_matching(text)).split())
    assert normalize_body(text) == whole == "قال الوزير ان 300 مليون تقريبا في عمان و الخ"
    assert normalize_body("") == normalize_body(None) == normalize_body(" ،.! ") == ""


def test_near_duplicate_clusters():
    assert len(BODY.split()) > 150
    out = by_id(cluster_duplicates(frame([("wire", BODY, T0), ("copy", EDITED, T0 + timedelta(hours=3))])))
    assert out["wire"]["duplicate_kind"] == "canonical"
    assert out["copy"]["duplicate_kind"] == "near"
    assert out["copy"]["cluster_id"] == "wire"
    assert 0.8 <= out["copy"]["similarity"] < 1.0


def test_threshold_is_respected():
    sim = by_id(cluster_duplicates(frame([("wire", BODY, T0), ("copy", EDITED, T0)])))["copy"]["similarity"]
    strict = by_id(cluster_duplicates(frame([("wire", BODY, T0), ("copy", EDITED, T0)]), threshold=min(1.0, sim + 0.01)))
    assert strict["copy"]["duplicate_kind"] == "canonical"
    with pytest.raises(ValueError):
        cluster_duplicates(frame([("a", BODY, T0)]), threshold=0)


def test_different_stories_on_the_same_topic_do_not_cluster():
    out = by_id(cluster_duplicates(frame([("wire", BODY, T0), ("other", OTHER, T0), ("copy", EDITED, T0)])))
    assert out["other"]["duplicate_kind"] == "canonical" and out["other"]["cluster_id"] == "other"
    assert out["copy"]["cluster_id"] == out["wire"]["cluster_id"] == "copy"  # same time: id decides


def test_short_bodies_cluster_only_on_exact_match():
    short = "انفجار قوي يهز وسط العاصمة صباح اليوم"  # 7 words
    assert len(short.split()) < MIN_NEAR_WORDS
    rows = [
        ("s1", short, T0),
        ("s2", short.replace("قوي", "قويّ") + ".", T0),  # exact after normalisation
        ("s3", short.replace("صباح", "مساء"), T0),  # one word changed: not a near duplicate
        ("s4", "", T0),
        ("s5", "", T0),  # empty bodies never cluster
    ]
    out = by_id(cluster_duplicates(frame(rows)))
    assert out["s2"]["duplicate_kind"] == "exact" and out["s2"]["cluster_id"] == "s1"
    assert out["s3"]["duplicate_kind"] == "canonical"
    assert out["s4"]["cluster_id"] == "s4" and out["s5"]["cluster_id"] == "s5"


def test_canonical_is_earliest_then_article_id_nulls_last():
    rows = [
        ("z-null", BODY, None),
        ("m-late", EDITED, T0 + timedelta(days=1)),
        ("k-early", BODY + "\n", T0),
        ("b-early", EDITED.replace("،", ""), T0),  # same time as k-early: b < k wins
    ]
    out = by_id(cluster_duplicates(frame(rows)))
    assert {r["cluster_id"] for r in out.values()} == {"b-early"}
    assert out["b-early"]["duplicate_kind"] == "canonical"
    assert out["m-late"]["duplicate_kind"] == "exact"  # same normalised body as the canonical
    assert out["k-early"]["duplicate_kind"] == "near" and out["z-null"]["duplicate_kind"] == "near"
    assert out["k-early"]["similarity"] == out["z-null"]["similarity"] < 1.0

    # all dates null: article_id decides
    out = by_id(cluster_duplicates(frame([("y", BODY, None), ("x", EDITED, None)])))
    assert out["y"]["cluster_id"] == "x"


def test_transitive_chain_is_one_cluster():
    # c is close to b, b is close to a, a–c may be further apart: one cluster under a
    b = EDITED
    c = b.replace("وأوضح أن", "وبين أن").replace("ورحب خبراء", "وأشاد خبراء")
    out = by_id(cluster_duplicates(frame([("a", BODY, T0), ("b", b, T0 + timedelta(1)), ("c", c, T0 + timedelta(2))])))
    assert {r["cluster_id"] for r in out.values()} == {"a"}
    assert out["c"]["similarity"] <= out["b"]["similarity"]


def test_deterministic_and_independent_of_row_order():
    rnd = random.Random(7)
    rows = []
    for i in range(40):
        words = BODY.split()
        rnd.shuffle(words)  # unrelated "stories" made of the same vocabulary
        rows.append((f"r{i:02d}", " ".join(words), T0 + timedelta(minutes=i)))
    rows += [("wire", BODY, T0), ("copy", EDITED, T0 + timedelta(hours=1)), ("other", OTHER, None),
             ("dup", BODY.replace("\n", "  "), None)]
    first = cluster_duplicates(frame(rows))
    assert first.equals(cluster_duplicates(frame(rows)))
    shuffled = rows[:]
    rnd.shuffle(shuffled)
    again = cluster_duplicates(frame(shuffled))
    assert first.sort("article_id").equals(again.sort("article_id"))
    got = by_id(first)
    assert got["copy"]["cluster_id"] == got["dup"]["cluster_id"] == "wire"
    assert got["dup"]["duplicate_kind"] == "exact"
    assert sum(r["duplicate_kind"] != "canonical" for r in got.values()) == 2


def test_rejects_bad_input():
    with pytest.raises(ValueError, match="unique"):
        cluster_duplicates(frame([("a", BODY, T0), ("a", OTHER, T0)]))
    with pytest.raises(ValueError, match="missing"):
        cluster_duplicates(pl.DataFrame({"article_id": ["a"]}))


def test_batches_of_bodies_give_the_same_fingerprints_as_one_call():
    from news_assets.text.duplicates import fingerprint_bodies

    bodies = ["قال الرئيس الفرنسي إيمانويل ماكرون في باريس " * 5, "زار وزير الخارجية بلجيكا " * 6, None]
    batched = [fingerprint_bodies(bodies[:2]), fingerprint_bodies(bodies[2:])]
    import polars as pl

    assert pl.concat(batched).equals(fingerprint_bodies(bodies))


def test_a_body_normalised_whole_equals_its_tokens_normalised_one_by_one():
    text = "«قال» الوزيرُ:   إنّ ٣٠٠ مليون، (تقريباً)… في عمّان!\nو_الخ ﷽ مـــصر\u200f أوکرانیا ٢٠٢٤م ﻻ"
    by_token = " ".join(" ".join(re.sub(r"[^\w\s]+|_+", " ", normalize_for_matching(t)).split()) for t in text.split())
    assert normalize_body(text) == " ".join(by_token.split())


def test_verified_similarities_are_reused_and_their_bodies_not_read_again():
    from news_assets.text.duplicates import SIMILARITY_SCHEMA, cluster_with_similarities, fingerprint_bodies

    arts = frame([("wire", BODY, T0), ("copy", EDITED, T0 + timedelta(hours=3)), ("other", OTHER, T0)])
    bodies = dict(zip(arts["article_id"], arts["body"]))
    prints = pl.concat([arts.select("article_id", "published_at"), fingerprint_bodies(arts["body"].to_list())],
                       how="horizontal")
    read: list[list[str]] = []

    def load(ids):
        read.append(list(ids))
        return [bodies[i] for i in ids]

    first, verified = cluster_with_similarities(prints, load)
    assert read and verified.height, "the candidate pair was verified on its bodies and returned"
    assert verified.schema == pl.Schema(SIMILARITY_SCHEMA)
    assert (verified["text_hash_a"] < verified["text_hash_b"]).all()
    assert verified.n_unique(["text_hash_a", "text_hash_b"]) == verified.height
    read.clear()
    second, again = cluster_with_similarities(prints, load, similarities=verified)
    assert read == [] and again.height == 0 and second.equals(first)
    assert by_id(second)["copy"]["duplicate_kind"] == "near"
    # A remembered similarity is trusted: below the threshold, the pair no longer clusters.
    low = verified.with_columns(pl.lit(0.1).alias("jaccard"))
    assert by_id(cluster_with_similarities(prints, load, similarities=low)[0])["copy"]["duplicate_kind"] == "canonical"


def test_candidates_verified_a_few_pairs_at_a_time_give_the_same_clusters(monkeypatch):
    import news_assets.text.duplicates as dup

    # Five edited copies of one story and five of another: many candidate pairs.
    rows = []
    for k, story in enumerate((BODY, OTHER)):
        sentences = story.split("\n")
        for i in range(5):
            edited = "\n".join(s.replace("و", "ف", 1) if j == i else s for j, s in enumerate(sentences))
            rows.append((f"s{k}-{i}", edited, T0 + timedelta(hours=i)))
    arts = frame(rows)
    bodies = dict(zip(arts["article_id"], arts["body"]))
    prints = pl.concat([arts.select("article_id", "published_at"), dup.fingerprint_bodies(arts["body"].to_list())],
                       how="horizontal")
    reads: list[list[str]] = []

    def load(ids):
        reads.append(list(ids))
        return [bodies[i] for i in ids]

    at_once = dup.cluster_fingerprints(prints, load)
    assert max(map(len, reads)) > 4
    monkeypatch.setattr(dup, "VERIFY_PAIRS", 2)
    reads.clear()
    in_pairs_of_two = dup.cluster_fingerprints(prints, load)
    assert in_pairs_of_two.equals(at_once)
    assert max(map(len, reads)) <= 4, "no more than two pairs' bodies read at once"
    assert set(at_once["cluster_id"]) == {"s0-0", "s1-0"}


def _signatures(rows):
    """rows: (article_id, text_hash, minhash) -> the `signatures` relation candidate_pairs reads."""
    return pl.DataFrame(rows, schema={"article_id": pl.String, "text_hash": pl.UInt64, "minhash": pl.List(pl.UInt64)},
                        orient="row")


def _pairs(signatures: pl.DataFrame) -> set[tuple[int, int]]:
    import duckdb

    from news_assets.text.duplicates import candidate_pairs, register_signatures

    with duckdb.connect(":memory:") as con:
        register_signatures(con, signatures)
        return set(candidate_pairs(con).iter_rows())


def test_candidate_pairs_share_a_band_and_pair_texts_not_articles():
    from news_assets.text.duplicates import NUM_BANDS, ROWS_PER_BAND

    k = NUM_BANDS * ROWS_PER_BAND
    base = list(range(1000, 1000 + k))
    one_band = list(range(1000, 1000 + ROWS_PER_BAND)) + list(range(5000, 5000 + k - ROWS_PER_BAND))  # band 0 only
    almost = base[:ROWS_PER_BAND - 1] + [7] + list(range(9000, 9000 + k - ROWS_PER_BAND))  # no band whole
    sig = _signatures([
        ("a", 11, base), ("a-copy", 11, base),  # one text, two articles: not a pair with itself
        ("b", 22, one_band), ("c", 33, almost), ("d", 44, list(range(20_000, 20_000 + k))),
    ])
    assert _pairs(sig) == {(11, 22)}


def test_a_bucket_over_the_limit_is_linked_as_a_star_and_a_chain_by_article_id():
    from news_assets.text.duplicates import MAX_BUCKET_PAIRS_MEMBERS, NUM_BANDS, ROWS_PER_BAND

    k = NUM_BANDS * ROWS_PER_BAND
    n = MAX_BUCKET_PAIRS_MEMBERS + 20
    # n texts agreeing only on band 0 (a template); ids in an order unlike their hashes
    rows = [(f"id{(i * 37) % n:04d}", 100 + i, [1, 2, 3, 4, 5] + [10_000 * (i + 1) + j for j in range(k - 5)])
            for i in range(n)]
    by_id = sorted(rows)
    first = by_id[0][1]
    star = {(min(first, h), max(first, h)) for _, h, _ in by_id[1:]}
    chain = {(min(x[1], y[1]), max(x[1], y[1])) for x, y in zip(by_id, by_id[1:])}
    assert _pairs(_signatures(rows)) == star | chain
    assert len(star | chain) == 2 * n - 3
    small = rows[:MAX_BUCKET_PAIRS_MEMBERS]  # at the limit: every pair
    assert len(_pairs(_signatures(small))) == MAX_BUCKET_PAIRS_MEMBERS * (MAX_BUCKET_PAIRS_MEMBERS - 1) // 2
