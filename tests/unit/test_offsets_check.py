"""The offsets check's comparison: stored mentions against the bodies they were found in."""
from news_assets.extraction import offsets_not_matching


def test_offsets_count_code_points_like_duckdb_substr():
    body = "قالَ الرئيسُ ماكرون في باريس"  # diacritics are code points of their own
    start = body.index("ماكرون")
    rows = [("a", start, start + len("ماكرون"), "ماكرون"), ("a", body.index("باريس"), len(body), "باريس")]
    assert offsets_not_matching({"a": body}, rows) == 0


def test_each_kind_of_bad_mention_counts_once():
    bodies = {"a": "وزير الخارجية في عمان", "b": "لا شيء"}
    good = ("a", 17, 21, "عمان")
    rows = [
        good,
        ("a", 18, 22, "عمان"),  # shifted by one
        ("a", 17, 21, "عمّان"),  # surface not what the body holds
        ("a", 21, 17, "عمان"),  # end before start
        ("c", 0, 4, "وزير"),  # article not in the batch
        ("a", None, 4, "وزير"),  # missing offset
    ]
    assert offsets_not_matching(bodies, rows) == 5
    assert offsets_not_matching(bodies, [good, good]) == 0
    assert offsets_not_matching(bodies, []) == 0
