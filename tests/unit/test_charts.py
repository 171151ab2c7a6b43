"""PNG charts: built from a small in-memory warehouse; Arabic labels drawn joined and right-to-left."""
from __future__ import annotations

import datetime as dt
import io
import unicodedata
from pathlib import Path

import duckdb
import numpy as np
import pytest
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from PIL import Image

from news_assets import charts

REPO = Path(__file__).resolve().parents[2]
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
D1, D2, D3 = dt.date(2025, 3, 10), dt.date(2025, 3, 11), dt.date(2025, 3, 12)
# (entity_id, canonical_name, type, mentions per day D1..D3)
ENTITIES = [
    ("LOC:tunis", "تونس", "LOC", (3, 5, 1)),
    ("PERS:macron", "إيمانويل ماكرون", "PERS", (2, 0, 4)),
    ("ORG:un", "الأمم المتحدة", "ORG", (1, 2, 2)),
    ("LOC:cairo", "القاهرة", "LOC", (0, 1, 3)),
]
WORD = "ماكرون"
# The same word typed in presentation forms (initial meem, final alef, initial kaf, final reh,
# isolated waw, isolated noon): what a correct renderer must draw, letters joined.
WORD_JOINED = "\ufee3\ufe8e\ufedb\ufeae\ufeed\ufee5"


@pytest.fixture
def con() -> duckdb.DuckDBPyConnection:
    con = duckdb.connect()
    con.execute((REPO / "sql" / "schema.sql").read_text(encoding="utf-8"))
    for eid, name, etype, per_day in ENTITIES:
        con.execute("INSERT INTO entities VALUES (?, ?, ?, [?], ?, ?, ?, 0, ?, ?)",
                    [eid, name, etype, name, eid, sum(per_day), sum(per_day), D1, D3])
        for day, n in zip((D1, D2, D3), per_day):
            if n:
                con.execute("INSERT INTO mention_counts_daily VALUES (?, ?, ?, 'src', ?, 1, ?, 1)", [day, eid, etype, n, n])
    # Counted and co-occurring, but not (yet) in entities: the name comes from its mentions.
    con.execute("""INSERT INTO entity_mentions VALUES ('a-0:5', 'a-0', 'd', 'ORG:wb', 'ORG', 'البنك الدولي', 5, 17,
                   'wb', 'البنك الدولي', 'rules-1', ?, NULL)""", [D2])
    con.execute("INSERT INTO mention_counts_daily VALUES (?, 'ORG:wb', 'ORG', 'src', 1, 1, 1, 1)", [D2])
    pairs = [(D1, "LOC:tunis", "PERS:macron", 2), (D1, "LOC:tunis", "ORG:un", 1), (D2, "LOC:tunis", "ORG:un", 2),
             (D2, "LOC:cairo", "ORG:wb", 1), (D3, "LOC:cairo", "PERS:macron", 1), (D3, "ORG:un", "PERS:macron", 3)]
    con.executemany("INSERT INTO entity_cooccurrence VALUES (?, ?, ?, ?)", pairs)
    return con


def _image(png: bytes) -> Image.Image:
    assert png.startswith(PNG_SIGNATURE)
    Image.open(io.BytesIO(png)).verify()  # a complete, uncorrupted PNG
    return Image.open(io.BytesIO(png))


def test_top_entities_daily_png(con):
    png = charts.top_entities_daily_png(con, D1, D3, top=3)
    image = _image(png)
    assert image.size == (900, 500)
    assert 10_000 < len(png) < 400_000
    assert len(image.convert("RGB").getcolors(maxcolors=1 << 16)) > 20  # lines and text, not a blank canvas


def test_top_entities_single_day_and_empty_range(con):
    assert _image(charts.top_entities_daily_png(con, D2, D2)).size == (900, 500)  # bars for one day
    empty = _image(charts.top_entities_daily_png(con, dt.date(2030, 1, 1), dt.date(2030, 1, 2)))
    assert empty.size == (600, 120)


def test_top_entities_names(con, monkeypatch):
    labels = []
    monkeypatch.setattr(charts, "prepare_label", lambda text: labels.append(text) or text)
    # Counted, but neither in entities nor in entity_mentions (rows removed by hand): named by its id.
    con.execute("INSERT INTO mention_counts_daily VALUES (?, 'MISC:ghost', 'MISC', 'src', 1, 1, 1, 1)", [D3])
    charts.top_entities_daily_png(con, D1, D3, top=10)
    assert len(labels) == 6
    assert [label.lstrip("\u200e").split(" (")[0] for label in labels[:2]] == ["تونس", "إيمانويل ماكرون"]
    assert any("البنك الدولي" in label for label in labels)  # name from entity_mentions
    assert any("MISC:ghost" in label for label in labels)


def test_cooccurrence_network_png(con, monkeypatch):
    labels = []
    real = charts.prepare_label
    monkeypatch.setattr(charts, "prepare_label", lambda text: labels.append(text) or real(text))
    png = charts.cooccurrence_network_png(con, D1, D3, top=25)
    assert _image(png).size == (1000, 800)
    assert 10_000 < len(png) < 600_000
    assert sorted(labels) == sorted(["تونس", "إيمانويل ماكرون", "الأمم المتحدة", "القاهرة", "البنك الدولي"])
    labels.clear()
    charts.cooccurrence_network_png(con, D1, D3, top=2)
    assert len(labels) == 2
    assert _image(charts.cooccurrence_network_png(con, dt.date(2030, 1, 1), dt.date(2030, 1, 1))).size == (600, 120)


def test_spring_layout_is_deterministic_and_spread():
    edges = [(0, 1, 3.0), (1, 2, 1.0), (2, 0, 1.0), (3, 4, 2.0)]
    pos = charts.spring_layout(6, edges)
    assert np.array_equal(pos, charts.spring_layout(6, edges))
    assert pos.min() >= 0 and pos.max() <= 1
    gaps = np.linalg.norm(pos[:, None] - pos[None, :], axis=-1)[np.triu_indices(6, 1)]
    assert gaps.min() > 0.05  # no two nodes on top of each other
    assert charts.spring_layout(1, []).tolist() == [[0.5, 0.5]]


def _render(text: str) -> np.ndarray:
    fig = Figure(figsize=(3, 1), dpi=100)
    canvas = FigureCanvasAgg(fig)
    fig.text(0.1, 0.3, text, fontproperties=charts._font(24))
    canvas.draw()
    return np.asarray(canvas.buffer_rgba()).copy()


def test_arabic_label_renders_joined_right_to_left():
    """The label of a word draws exactly the joined letters, right to left, in the chart font.

    With matplotlib >= 3.11 (libraqm layout) prepare_label leaves the text alone and matplotlib
    shapes it; the reference, in presentation forms, is then in logical order too. Older
    matplotlib draws code points left to right, so prepare_label must hand it the visual order."""
    # Ask the renderer, not charts.native_shaping(): does it turn the typed letters into joined forms?
    renderer_shapes = np.array_equal(_render(WORD), _render(WORD_JOINED))
    assert charts.native_shaping() == renderer_shapes
    label = charts.prepare_label(WORD)
    reference = WORD_JOINED if renderer_shapes else WORD_JOINED[::-1]
    drawn = _render(label)
    assert (drawn[..., :3] < 128).any()  # the font has the glyphs: something is drawn
    assert np.array_equal(drawn, _render(reference))
    assert not np.array_equal(drawn, _render("\u200c".join(WORD)))  # letters forced apart look different
    assert not np.array_equal(drawn, _render(reference[::-1]))  # so does the wrong direction


def test_prepare_label_leaves_latin_alone():
    assert charts.prepare_label("UN (ORG, 3)") == "UN (ORG, 3)"
    assert charts.has_arabic(WORD) and not charts.has_arabic("Macron")


def test_shape_for_display_round_trips():
    """The fallback for matplotlib < 3.11: presentation forms in visual order."""
    pytest.importorskip("arabic_reshaper", reason="arabic-reshaper is only needed with matplotlib < 3.11")
    pytest.importorskip("bidi", reason="python-bidi is only needed with matplotlib < 3.11")
    shaped = charts.shape_for_display(WORD)
    assert shaped != WORD
    assert shaped == WORD_JOINED[::-1]
    assert unicodedata.normalize("NFKC", shaped[::-1]) == WORD  # back to the letters typed
    phrase = "إيمانويل ماكرون"
    assert unicodedata.normalize("NFKC", charts.shape_for_display(phrase)[::-1]) == phrase
