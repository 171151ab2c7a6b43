import codecs
import random

import pytest

from news_assets.text.decode import DecodeError, decode_bytes

ARABIC = "أعلنت الحكومة اليوم عن خطة جديدة لدعم المزارعين في المناطق الريفية، وقال الوزير إنها تبدأ الشهر المقبل."
MIXED = "عنوان الخبر\nنص الخبر: قال المتحدث «نحن مستعدون» – 2024."


def test_utf8_plain():
    assert decode_bytes(ARABIC.encode("utf-8")) == (ARABIC, "utf-8")


def test_utf8_with_bom():
    text, enc = decode_bytes(codecs.BOM_UTF8 + ARABIC.encode("utf-8"))
    assert (text, enc) == (ARABIC, "utf-8-sig")
    assert not text.startswith("\ufeff")


@pytest.mark.parametrize("codec", ["utf-16-le", "utf-16-be"])
def test_utf16_with_bom(codec):
    bom = codecs.BOM_UTF16_LE if codec.endswith("le") else codecs.BOM_UTF16_BE
    assert decode_bytes(bom + MIXED.encode(codec)) == (MIXED, "utf-16")


def test_utf16_python_default_codec():
    assert decode_bytes(MIXED.encode("utf-16")) == (MIXED, "utf-16")


@pytest.mark.parametrize("codec", ["utf-16-le", "utf-16-be"])
def test_utf16_without_bom_is_recognised(codec):
    assert decode_bytes(ARABIC.encode(codec)) == (ARABIC, "utf-16")


def test_cp1256_arabic():
    data = MIXED.encode("cp1256")
    with pytest.raises(UnicodeDecodeError):
        data.decode("utf-8")  # the premise: this is not UTF-8
    assert decode_bytes(data) == (MIXED, "cp1256")


def test_cp1256_is_not_chosen_for_latin1_text():
    # "café crème" in Latin-1 is invalid UTF-8; cp1256 would "decode" it but it is not Arabic.
    with pytest.raises(DecodeError):
        decode_bytes("café crème brûlée à la française".encode("latin-1"))


def test_utf8_arabic_is_never_read_as_cp1256():
    text, enc = decode_bytes(ARABIC.encode("utf-8"))
    assert enc == "utf-8" and text == ARABIC


@pytest.mark.parametrize(
    "raw,expected",
    [
        (b"a\r\nb\r\nc", "a\nb\nc"),
        (b"a\rb\rc", "a\nb\nc"),
        (b"a\r\n\r\nb\n\rc", "a\n\nb\n\nc"),
    ],
)
def test_newlines_normalised(raw, expected):
    assert decode_bytes(raw)[0] == expected


def test_crlf_in_cp1256_and_utf16():
    assert decode_bytes("سطر\r\nثان\rثالث".encode("utf-16"))[0] == "سطر\nثان\nثالث"
    text, enc = decode_bytes(("عنوان\r\n" + ARABIC).encode("cp1256"))
    assert enc == "cp1256" and text == "عنوان\n" + ARABIC


def test_nul_characters_stripped():
    head, tail = ARABIC[:10].encode("utf-8"), ARABIC[10:].encode("utf-8")
    text, enc = decode_bytes(b"\x00" + head + b"\x00" + tail + b"\x00\x00")
    assert enc == "utf-8"
    assert text == ARABIC
    assert "\x00" not in text


@pytest.mark.parametrize("size", [64, 512, 4096, 100_000])
def test_random_bytes_rejected(size):
    rng = random.Random(0)
    for _ in range(20):
        with pytest.raises(DecodeError):
            decode_bytes(rng.randbytes(size))


def test_binary_with_utf8_header_rejected():
    # Valid UTF-8 that is mostly control bytes is not text.
    with pytest.raises(DecodeError, match="binary"):
        decode_bytes(bytes(range(1, 32)) * 20)


@pytest.mark.parametrize("data", [b"", b"   ", b"\n\r\n\t ", b"\x00\x00", codecs.BOM_UTF8 + b" \n",
                                  codecs.BOM_UTF16_LE + " \n".encode("utf-16-le")])
def test_empty_documents(data):
    with pytest.raises(DecodeError, match="^empty document$"):
        decode_bytes(data)


def test_decode_error_is_value_error_with_reason():
    with pytest.raises(ValueError) as info:
        decode_bytes(random.Random(0).randbytes(1000))
    assert str(info.value) == "not valid UTF-8, UTF-16 or Windows-1256 text"
