from news_assets.text.normalize import normalize_for_matching, normalize_token


def test_persian_letters_fold_to_arabic():
    assert normalize_for_matching("أوکرانیا") == normalize_for_matching("أوكرانيا")
    assert normalize_token("کیف") == normalize_token("كيف")


def test_diacritics_removed():
    assert normalize_for_matching("مَدْرَسَةٌ") == normalize_for_matching("مدرسة")


def test_alef_maksura_teh_marbuta():
    assert normalize_for_matching("إسرائيل") == normalize_for_matching("اسرائيل")
    assert normalize_for_matching("آسيا") == "اسيا"
    assert normalize_for_matching("مستشفى") == "مستشفي"
    assert normalize_for_matching("مدرسة") == "مدرسه"


def test_tatweel_and_digits():
    assert normalize_for_matching("مـــصر") == "مصر"
    assert normalize_for_matching("٢٠٢٤") == "2024"


def test_long_text_is_normalised_too():
    long = "أوکرانیا " * 20
    assert normalize_for_matching(long).split() == ["اوكرانيا"] * 20


def test_dediacritisation_matches_camel_tools_on_every_bmp_character():
    from camel_tools.utils.dediac import dediac_ar as camel_dediac_ar

    from news_assets.text.normalize import dediac_ar

    text = "".join(chr(c) for c in range(0xD800)) + "".join(chr(c) for c in range(0xE000, 0x10000))
    assert dediac_ar(text) == camel_dediac_ar(text)
    assert dediac_ar("مُحَمَّدٌ") == "محمد"


def camel_tools_chain(text: str) -> str:
    """The normalisation written with camel-tools' own functions, as this module did before it
    applied their character maps with str.translate."""
    from camel_tools.utils.charmap import CharMapper
    from camel_tools.utils.dediac import dediac_ar
    from camel_tools.utils.normalize import (
        normalize_alef_ar,
        normalize_alef_maksura_ar,
        normalize_teh_marbuta_ar,
        normalize_unicode,
    )

    text = CharMapper.builtin_mapper("arclean")(normalize_unicode(text))
    return normalize_teh_marbuta_ar(normalize_alef_maksura_ar(normalize_alef_ar(dediac_ar(text))))


def test_normalisation_matches_camel_tools_functions_on_every_bmp_character():
    from news_assets.text.normalize import _normalize

    every = "".join(chr(c) for c in range(0xD800)) + "".join(chr(c) for c in range(0xE000, 0x10000))
    assert _normalize(every) == camel_tools_chain(every)
    # one character at a time too: NFKC composes neighbours, so the long string alone could hide one
    for c in map(chr, [*range(0x0600, 0x0700), *range(0xFB50, 0xFE00), *range(0xFE70, 0xFF00), 0x200C, 0x200F]):
        assert _normalize(c) == camel_tools_chain(c), hex(ord(c))
    for text in ["مَدْرَسَةٌ", "أوکرانیا", "ﷲ ﷺ ﷼ ﷽", "مـــصر ٢٠٢٤", "إِسْرَائِيل‏ آسيا مستشفى"]:
        assert _normalize(text) == camel_tools_chain(text)
