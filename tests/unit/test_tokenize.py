from news_assets.text.tokenize import Token, split_sentences, tokenize

TEXT = 'قال الرئيسُ، إنّ 3.5% من "الناس" ذهبوا.\nوهذا ٣٫٥ أيضاً؟ نعم! مـرحبا'


def test_offsets_map_back():
    toks = tokenize(TEXT)
    assert toks
    for t in toks:
        assert TEXT[t.start : t.end] == t.text
    words = [t.text for t in toks]
    assert "الرئيسُ" in words  # diacritic stays inside the word
    assert "،" in words and "؟" in words  # punctuation is separate
    assert "3.5" in words and "٣٫٥" in words  # numbers keep their decimal mark
    assert "مـرحبا" in words  # tatweel stays inside


def test_token_is_frozen():
    t = Token("a", 0, 1)
    try:
        t.start = 3  # type: ignore[misc]
    except Exception:
        return
    raise AssertionError("Token should be frozen")


def test_sentences():
    spans = split_sentences(TEXT)
    sents = [TEXT[a:b] for a, b in spans]
    assert sents == ['قال الرئيسُ، إنّ 3.5% من "الناس" ذهبوا.', "وهذا ٣٫٥ أيضاً؟", "نعم!", "مـرحبا"]


def test_sentences_semicolon_and_blank_lines():
    text = "أولا؛ ثانيا\n\n\nثالثا"
    assert [text[a:b] for a, b in split_sentences(text)] == ["أولا؛", "ثانيا", "ثالثا"]
    assert split_sentences("") == []
