"""Rule-based Arabic NER: gazetteers + title/organisation-head rules.

Design for speed (~10M tokens): every distinct token string is analysed once
(normalisation, clitic candidates, word-class flags) and cached; the per-token
loop then is a dict lookup plus a bit test, and rules run only at tokens whose
flags say they can start something.
"""
from __future__ import annotations

from collections.abc import Iterable

from news_assets.ner.gazetteer import Gazetteer, GazEntry, load_gazetteer
from news_assets.ner.resolve import Mention, RawMention, resolve_mentions
from news_assets.text.normalize import normalize_token
from news_assets.text.tokenize import WORD_OR_PUNCT_RE

__all__ = ["RulesExtractor"]

# token flags
PUNCT, STOP, DEF, TITLE, ORGH, FIRST, GAZ, NISBA, QUOTE, LL, NUM, TANWEEN, LOCH = (1 << i for i in range(13))
START_MASK = TITLE | ORGH | FIRST | GAZ | LOCH
# Place-kind nouns whose complement is a place name: مدينة قليوب، بلدة بنت جبيل، إقليم دارفور
_LOC_HEADS = frozenset(
    normalize_token(w)
    for w in ("مدينة", "بلدة", "قرية", "منطقة", "إقليم", "ولاية", "محافظة", "مقاطعة", "جزيرة", "عاصمة", "ميناء",
              "مخيم", "حي", "ضاحية", "مديرية")
)  # fmt: skip
_DESCRIPTIVE_LOC_HEADS = frozenset(normalize_token(w) for w in ("منطقة", "حي", "مخيم"))

# Proclitic strings on the normalised token, longest first: conjunction و/ف,
# preposition ب/ل/ك, article ال; "لل" is ل + ال with the alef dropped.
_PREFIXES: list[str] = sorted(
    {c + p for c in ("", "و", "ف") for p in ("", "ب", "ل", "ك")} - {""} | {"لل", "ولل", "فلل"},
    key=len,
    reverse=True,
)
_LL_PREFIXES = ("لل", "ولل", "فلل")
_QUOTES = set('"«»“”\'‘’')
# Connectors inside person names: محمد بن سلمان، عبد الله، أبو بكر
_NAME_LINKS = {"بن", "ابن", "بنت", "ابو", "ابي", "عبد", "ال", "دي", "دو", "فون", "فان"}
_COMPOUND_FIRST = {"عبد", "ابو", "ابي", "بن", "ابن", "بنت"}
# Non-definite words that continue a title phrase: رئيس وزراء إسرائيل، وزير خارجية قطر
_TITLE_CONT = {
    "وزراء", "خارجيه", "دفاع", "داخليه", "ماليه", "عام", "باسم", "مجلس", "اداره", "حكومه",
    "الحكومه", "العام", "التنفيذي", "اركان", "هيئه", "لجنه", "وزاره", "جمهوريه", "دوله", "حزب", "بلديه",
}  # fmt: skip
_VERB_PREFIXES = ("يت", "تت", "يست", "تست", "ين", "تن")
_CLOSE_ORG_COMPLEMENT = {"في", "من", "الى", "علي", "عن", "مع"}


class RulesExtractor:
    """Gazetteer + rules extractor. Build once and reuse: the token cache grows with use."""

    name = "rules"
    # Distinct tokens kept analysed: ANT's 9 M tokens have ~240 k (+36 MB); beyond the cap the cache
    # starts over, so a larger corpus does not grow memory without end.
    MAX_CACHE = 500_000

    def __init__(self) -> None:
        self.g: Gazetteer = load_gazetteer()
        self._cache: dict[str, tuple] = {}
        self._char_len: dict[str, int] = {}

    # ---------------------------------------------------------------- analysis
    def _analyze(self, tok: str) -> tuple:
        """(norm, flags, cands) for one raw token; cands = ((raw_offset, stem), ...)."""
        g = self.g
        c0 = tok[0]
        if not (c0.isalnum() or c0 == "_"):
            info = ("", PUNCT | (QUOTE if c0 in _QUOTES else 0), ())
            self._cache[tok] = info
            return info
        norm = normalize_token(tok)
        flags = 0
        if c0.isdigit():
            flags |= NUM | STOP
        if "\u064b" in tok or "\u064c" in tok or "\u064d" in tok:
            flags |= TANWEEN  # case endings on indefinite nouns/adverbs: never a proper name
        if norm in g.stop or norm in g.common:
            flags |= STOP
        if norm.startswith("ال") and len(norm) > 3:
            flags |= DEF
            if len(norm) >= 5 and (norm.endswith("ي") or norm.endswith("يه")):
                flags |= NISBA
        if norm.startswith(_LL_PREFIXES):
            flags |= LL
        cands = [(0, norm)]
        if not flags & STOP:
            for p in _PREFIXES:
                if norm.startswith(p) and len(norm) - len(p) >= 2:
                    off = self._raw_offset(tok, len(p))
                    if p.endswith("لل"):
                        cands.append((off, "ال" + norm[len(p):]))
                    else:
                        cands.append((off, norm[len(p):]))
        hit = []
        for off, stem in cands:
            f = 0
            if stem in g.by_first:
                f |= GAZ
            if stem in g.titles:
                f |= TITLE
            if stem in g.org_heads:
                f |= ORGH
            if stem in _LOC_HEADS:
                f |= LOCH
            # على (preposition) normalises like علي and is often spelt علي: never a trigger
            if stem in g.first_names and stem != "علي":
                f |= FIRST
            if f:
                flags |= f
                hit.append((off, stem))
        info = (norm, flags, tuple(hit))
        self._cache[tok] = info
        return info

    def _raw_offset(self, tok: str, n_norm: int) -> int:
        """Raw index after the first n_norm normalised chars (diacritics/tatweel count 0)."""
        seen = 0
        for i, ch in enumerate(tok):
            if seen >= n_norm:
                return i
            ln = self._char_len.get(ch)
            if ln is None:
                ln = self._char_len[ch] = len(normalize_token(ch))
            seen += ln
        return len(tok)

    # ---------------------------------------------------------------- public
    def extract(self, text: str) -> list[Mention]:
        ms = list(WORD_OR_PUNCT_RE.finditer(text))
        words = [m.group() for m in ms]
        return self._extract(text, ms, words, self._infos(words))

    def spans(self, ms: list, words: list[str]) -> list[tuple[int, int, str]]:
        """(start, end, type) of the mentions ``extract`` would find in the text that ``ms`` (its
        WORD_OR_PUNCT_RE matches) and ``words`` (their strings) tokenise: no second tokenising, and
        no canonical keys or names (the CRF's features and its corpus statistics need only spans)."""
        return [(ms[ts].start() + off, ms[te - 1].end(), etype)
                for ts, te, off, etype, *_rest in self._chosen(words, self._infos(words))]

    def _infos(self, words: list[str]) -> list[tuple]:
        if len(self._cache) > self.MAX_CACHE:
            self._cache.clear()
        infos = list(map(self._cache.get, words))  # no bytecode per token when every token is known
        if None in infos:
            analyze = self._analyze
            infos = [info or analyze(w) for info, w in zip(infos, words)]
        return infos

    def extract_many(self, texts: Iterable[str]) -> list[list[Mention]]:
        return [self.extract(t) for t in texts]

    # ---------------------------------------------------------------- rules
    def _extract(self, text: str, ms: list, words: list[str], infos: list[tuple]) -> list[Mention]:
        raws = []
        for ts, te, off, etype, norm, key, display, _prio, restore in self._chosen(words, infos):
            start = ms[ts].start() + off
            raws.append(RawMention(start, ms[te - 1].end(), etype, norm, key, display, restore))
        return resolve_mentions(text, raws, self.g.people_display) if raws else []

    def _chosen(self, words: list[str], infos: list[tuple]) -> list[tuple]:
        """The selected candidates, sorted by start: (tok_start, tok_end, char_off_in_first, type,
        norm, key, display, prio, restore_al)."""
        n = len(infos)
        cands: list[tuple] = []
        for i in range(n):
            info = infos[i]
            if not info[1] & START_MASK:
                continue
            flags = info[1]
            if flags & GAZ:
                self._gaz_at(i, infos, cands)
            if flags & TITLE:
                self._title_at(i, infos, cands)
            if flags & ORGH:
                self._org_at(i, infos, cands)
            if flags & FIRST:
                self._first_name_at(i, infos, cands)
            if flags & LOCH:
                self._place_at(i, infos, cands)
        if not cands:
            return []
        self._learned_names(words, infos, cands)
        return _select(cands, n)

    def _gaz_at(self, i: int, infos: list[tuple], out: list) -> None:
        by_first = self.g.by_first
        n = len(infos)
        best: tuple[GazEntry, int, str] | None = None
        for off, stem in infos[i][2]:
            for e in by_first.get(stem, ()):
                ln = len(e.tokens)
                if best is not None and ln <= len(best[0].tokens):
                    break
                if i + ln > n:
                    continue
                # most entries have one or two tokens: compared without a generator
                if ln == 1 or (infos[i + 1][0] == e.tokens[1]
                               and (ln == 2 or all(infos[i + k][0] == e.tokens[k] for k in range(2, ln)))):
                    if e.adjectival and (off > 0 or (i > 0 and infos[i - 1][1] & DEF)):
                        continue  # الشركة السعودية: an adjective, not the country
                    best = (e, off, stem)
                    break
        if best is None:
            return
        e, off, stem = best
        restore = stem.startswith("ال") and not infos[i][0][off:].startswith("ال") and off > 0
        out.append((i, i + len(e.tokens), off, e.entity_type, e.tokens, e.key, None, 2 + e.prio, restore))

    def _name_span(self, j: int, infos: list[tuple], first_is_name: bool = False) -> int:
        """End index of a 1–3 token name starting at j (j if none)."""
        n = len(infos)
        k = j
        limit = j + 3
        while k < n and k < limit:
            norm, f, _ = infos[k]
            if f & (PUNCT | STOP | TITLE | ORGH | TANWEEN):
                break
            prev = infos[k - 1][0] if k > j else ""
            if f & DEF and not (f & LL):
                # names do not start with ال, but surnames may (بشار الأسد) and compounds do (عبد الله)
                if k == j and not first_is_name:
                    break
                if prev not in _COMPOUND_FIRST and (norm.endswith("ه") or f & NISBA and norm.endswith("يه")):
                    break
            elif f & LL:
                break
            if k == j and _and_def(norm, f):
                break  # "ثورة الملك والشعب": a coordinated definite noun, not a name
            if len(norm) < 2:
                break  # stray letters / a bare tatweel are not names
            if k > j and norm.startswith("و") and len(norm) > 3 and norm not in self.g.first_names:
                break  # "ماكرون وميركل", "أيوب وغيرها": coordination ends the name
            if norm.startswith(_VERB_PREFIXES) and len(norm) >= 5 and not f & (GAZ | FIRST):
                break  # يتناول، تستضيف: imperfect verbs
            if k > j and len(norm) == 4 and norm[0] == "ي" and norm not in self.g.first_names and not f & GAZ:
                break  # imperfect verb (يعيش، يقول) right after a name
            if k == j and f & GAZ and any(e.entity_type == "PERS" and len(e.tokens) == 1 for e in self.g.by_first.get(norm, ())):
                return k + 1  # a known surname (الرئيس شافيز): the name ends here
            if norm in _NAME_LINKS:
                limit = min(limit + 1, j + 5)
            k += 1
        # a name cannot end on a connector (محمد بن ...)
        while k > j and infos[k - 1][0] in _NAME_LINKS:
            k -= 1
        return k

    def _title_at(self, i: int, infos: list[tuple], out: list) -> None:
        n = len(infos)
        j = i + 1
        steps = 0
        head = next(s for _o, s in infos[i][2] if s in self.g.titles)
        while j < n and steps < 6:
            norm, f, _ = infos[j]
            if f & PUNCT:
                return  # "الوزير الأوكراني، الفريق X": the next title takes over
            if steps == 0 and not head.startswith("ال") and not f & STOP and not f & (TITLE | DEF | LL):
                if norm not in _TITLE_CONT and not f & GAZ:
                    # construct state: "حارس إسبانيول X", "رئيس فريق الدفاع": first word is the complement
                    j += 1
                    steps += 1
                    continue
            if f & TITLE or norm in _TITLE_CONT or (f & (DEF | LL) and not f & STOP) or _and_def(norm, f):
                j += 1
                steps += 1
                continue
            if f & GAZ and steps > 0 and infos[j - 1][0] in _TITLE_CONT:
                j += 1  # وزير خارجية قطر
                steps += 1
                continue
            break
        k = self._name_span(j, infos)
        if k > j:
            norm = tuple(infos[t][0] for t in range(j, k))
            out.append((j, k, 0, "PERS", norm, None, None, 4, False))

    def _first_name_at(self, i: int, infos: list[tuple], out: list) -> None:
        off = next(o for o, s in infos[i][2] if s in self.g.first_names)
        if off and infos[i][0].startswith("ال"):
            return
        k = self._name_span(i + 1, infos, first_is_name=infos[i][0] in _COMPOUND_FIRST)
        if k > i + 1:
            norm = (infos[i][0][off:] if off else infos[i][0],) + tuple(infos[t][0] for t in range(i + 1, k))
            out.append((i, k, off, "PERS", norm, None, None, 3, False))

    def _org_at(self, i: int, infos: list[tuple], out: list) -> None:
        n = len(infos)
        off, head = next((o, s) for o, s in infos[i][2] if s in self.g.org_heads)
        j = i + 1
        if j < n and infos[j][1] & QUOTE:
            # وكالة "أوكرينفورم": the quoted name is the organisation
            for k in range(j + 1, min(n, j + 7)):
                if infos[k][1] & QUOTE:
                    if k > j + 1:
                        norm = tuple(infos[t][0] for t in range(j + 1, k))
                        out.append((j + 1, k, 0, "ORG", norm, None, None, 4, False))
                    return
                if infos[k][1] & PUNCT:
                    return
            return
        if head.startswith("ال"):
            return  # "الشركة الأوكرانية" is a description, not a name
        k = j
        while k < n and k < j + 3:
            norm, f, _ = infos[k]
            if f & (PUNCT | STOP | TITLE) or norm in _CLOSE_ORG_COMPLEMENT:
                break
            if f & (DEF | LL):
                k += 1
                continue
            if k == j and f & GAZ:
                types = {e.entity_type for e in self.g.by_first.get(norm, ())}
                if "LOC" in types and "ORG" not in types:
                    k += 1  # جامعة دمشق: the head + the place
                break  # شركة غوغل: the known name is the organisation
            break
        if k > j:
            first = infos[i][0][off:] if off else infos[i][0]
            norm = (first,) + tuple(infos[t][0] for t in range(j, k))
            out.append((i, k, off, "ORG", norm, None, None, 3, False))

    def _place_at(self, i: int, infos: list[tuple], out: list) -> None:
        """The one-token name after a place-kind noun (مدينة قليوب): LOC, below any gazetteer match."""
        j = i + 1
        if j >= len(infos):
            return
        norm, f, _ = infos[j]
        if f & (PUNCT | STOP | TITLE | ORGH | TANWEEN | NUM | NISBA | LL | LOCH) or len(norm) < 3:
            return
        if norm.endswith(("ه", "ي", "ين", "ون", "ات")) and not f & GAZ:
            return  # المدينة الساحلية، منطقة صناعية، قرية صغيرة: a description
        if not f & GAZ and (norm.startswith(("و", "ف")) or (norm[0] == "ي" and len(norm) >= 4)):
            return  # coordination, or an imperfect verb (مدينة يقطنها)
        if f & DEF and next(s for _o, s in infos[i][2] if s in _LOC_HEADS) in _DESCRIPTIVE_LOC_HEADS:
            return  # منطقة الجزاء، منطقة الحدود
        out.append((j, j + 1, 0, "LOC", (norm,), None, None, 1, False))

    def _learned_names(self, words: list[str], infos: list[tuple], cands: list) -> None:
        """Bare repeats of persons found via titles/first names/the table in this text."""
        learned: dict[tuple[str, ...], tuple] = {}
        for c in cands:
            if c[3] != "PERS":
                continue
            norm = c[4]
            learned.setdefault(norm, c)
            last = norm[-1]
            if len(norm) > 1 and len(last) >= 3 and last not in self.g.stop and last not in self.g.first_names:
                learned.setdefault((last,), c)
        if not learned:
            return
        firsts: dict[str, list[tuple[str, ...]]] = {}
        for toks in learned:
            firsts.setdefault(toks[0], []).append(toks)
        for lst in firsts.values():
            lst.sort(key=len, reverse=True)
        # A token that is a learned first word behind a proclitic: its (proclitic, first word)
        # readings in _CLITICS order, so a token costs one lookup instead of a test per proclitic.
        behind: dict[str, list[tuple[int, str, str]]] = {}
        for stem in firsts:
            for k, p in enumerate(_CLITICS):
                behind.setdefault(p + stem, []).append((k, p, stem))
        for readings in behind.values():
            readings.sort()
        n = len(infos)
        for i in range(n):
            norm, f, _hit = infos[i]
            if f & (PUNCT | STOP):
                continue
            if norm in firsts:
                options = [(0, norm)]
            else:
                readings = behind.get(norm)
                if readings is None:
                    continue
                options = [(self._raw_offset(words[i], len(p)), stem) for _k, p, stem in readings]
            for off, stem in options:
                for toks in firsts.get(stem, ()):
                    ln = len(toks)
                    if i + ln <= n and all(infos[i + k][0] == toks[k] for k in range(1, ln)):
                        cands.append((i, i + ln, off, "PERS", toks, None, None, 1, False))
                        break


_CLITICS = ("و", "ف", "ب", "ل", "وب", "ول")  # proclitics a learned name can carry


def _and_def(norm: str, flags: int) -> bool:
    """و + a definite noun (والتجارة، والشعب): continues a title phrase, never starts a name."""
    return len(norm) > 5 and norm.startswith("وال") and not flags & STOP


def _select(cands: list[tuple], n: int) -> list[tuple]:
    """Longest match wins; ties by priority then position. Non-overlapping, sorted by start."""
    taken = bytearray(n)
    chosen = []
    for c in sorted(cands, key=lambda c: (-(c[1] - c[0]), -c[7], c[0])):
        ts, te = c[0], c[1]
        if any(taken[ts:te]):
            continue
        for t in range(ts, te):
            taken[t] = 1
        chosen.append(c)
    chosen.sort(key=lambda c: c[0])
    return chosen
