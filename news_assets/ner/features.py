"""Token features for the statistical NER tagger (news_assets.ner.model).

Speed is the point of the design: everything that depends only on the token
string (normalised form, clitic split, affixes, shape, word-list flags, the
already-prefixed copies of the features that neighbours see) is computed once
per distinct string and cached. Per sentence, the work left is list
concatenation plus two sequence passes (gazetteer longest match and the rules
extractor's spans, both optional).

Word lists come from the project's own gazetteer (CLDR, GeoNames, ``lists/``).
"""
from __future__ import annotations

from collections import Counter, deque
from collections.abc import Iterable, Sequence

from news_assets.ner.gazetteer import Gazetteer, load_gazetteer
from news_assets.parallel import Background
from news_assets.text.normalize import normalize_token

__all__ = ["FEATURE_VERSION", "Featurizer", "TokInfo", "PROCLITICS", "split_proclitic", "raw_offset", "corpus_lexicon"]

# Proclitic strings on the normalised token, longest first: conjunction و/ف,
# preposition ب/ل/ك; "لل" is ل + ال with the alef dropped.
PROCLITICS: tuple[str, ...] = tuple(
    sorted(
        {c + p for c in ("", "و", "ف") for p in ("", "ب", "ل", "ك")} - {""} | {"لل", "ولل", "فلل"},
        key=len,
        reverse=True,
    )
)
_QUOTES = set('"«»“”\'‘’')
_CHAR_LEN: dict[str, int] = {}
FEATURE_VERSION = 3  # see Featurizer; a model records the version it was trained with


def split_proclitic(norm: str, min_stem: int = 3, known: frozenset[str] | set[str] | None = None) -> tuple[str, str]:
    """(clitic, stem) by the longest proclitic leaving >= min_stem chars; ``لل`` gives stem ``ال…``.

    With ``known`` (words such as gazetteer names): a known word is never split (واشنطن is not
    و + اشنطن), and a split whose stem is known wins over a longer one (ولبنان is و + لبنان, not
    ول + بنان).
    """
    if known is not None and norm in known:
        return "", norm
    longest = None
    for p in PROCLITICS:
        if norm.startswith(p) and len(norm) - len(p) >= min_stem:
            stem = "ال" + norm[len(p):] if p.endswith("لل") else norm[len(p):]
            if known is None or stem in known:
                return p, stem
            longest = longest or (p, stem)
    return longest or ("", norm)


def raw_offset(tok: str, n_norm: int) -> int:
    """Index into the raw token after its first n_norm normalised chars (diacritics count 0)."""
    seen = 0
    for i, ch in enumerate(tok):
        if seen >= n_norm:
            return i
        ln = _CHAR_LEN.get(ch)
        if ln is None:
            ln = _CHAR_LEN[ch] = len(normalize_token(ch))
        seen += ln
    return len(tok)


def _shape(tok: str) -> str:
    c = tok[0]
    if not (c.isalnum() or c == "_"):
        return "Q" if c in _QUOTES else "P"
    if c.isdigit():
        return "D"
    if c.isascii():
        return "L"
    if "\u0600" <= c <= "\u06ff":
        return "A"
    return "O"


class TokInfo:
    """Per distinct token string: normalised form, clitic split, feature lists."""

    __slots__ = ("norm", "clitic", "stem", "own", "m1", "p1", "m2", "p2", "gaz_cands", "is_word")

    def __init__(
        self, tok: str, g: Gazetteer, lex: dict[str, str] | None = None, ngrams: bool = False, version: int = 1
    ) -> None:
        shape = _shape(tok)
        self.is_word = shape in ("A", "L", "D", "O")
        if not self.is_word:
            self.norm = self.stem = tok
            self.clitic = ""
            self.gaz_cands = ()
            own = ["w=" + tok, "sh=" + shape]
            nb = ["w=" + tok]
            self.own = own
            self.m1 = ["-1" + f for f in nb]
            self.p1 = ["+1" + f for f in nb]
            self.m2 = ["-2" + f for f in nb]
            self.p2 = ["+2" + f for f in nb]
            return
        n = normalize_token(tok) or tok
        self.norm = n
        clitic, stem = split_proclitic(n, known=g.name_words if version >= 3 else None)
        self.clitic, self.stem = clitic, stem
        base = stem[2:] if stem.startswith("ال") and len(stem) > 4 else stem
        flags = []
        cands = [(0, n)] if not clitic else [(0, n), (raw_offset(tok, len(clitic)), stem)]
        gaz_types: set[str] = set()
        gaz_first: set[str] = set()
        hit = []
        for off, s in cands:
            es = g.by_first.get(s)
            if es:
                hit.append((off, s))
                for e in es:
                    (gaz_types if len(e.tokens) == 1 else gaz_first).add(e.entity_type)
            if s in g.titles:
                flags.append("T")
            if s in g.org_heads:
                flags.append("OH")
            if s in g.first_names:
                flags.append("FN")
        if n in g.stop:
            flags.append("ST")
        if n in g.common:
            flags.append("CM")
        if "\u064b" in tok or "\u064c" in tok or "\u064d" in tok:
            flags.append("TAN")
        if base is not stem and (base.endswith("ي") or base.endswith("يه")):
            flags.append("NIS")
        self.gaz_cands = tuple(hit)
        flags = sorted(set(flags))
        gz = ["g=" + t for t in sorted(gaz_types)] + ["gf=" + t for t in sorted(gaz_first)]
        ln = len(stem)
        own = [
            "w=" + n,
            "s=" + stem,
            "b=" + base,
            "c=" + clitic,
            "sh=" + shape,
            "l=" + (str(ln) if ln < 8 else "8"),
            "x1=" + n[-1:],
            "x2=" + n[-2:],
            "x3=" + n[-3:],
            "bx2=" + base[-2:],
            "bx3=" + base[-3:],
            "bp2=" + base[:2],
            "bp3=" + base[:3],
            "p2=" + n[:2],
            "p3=" + n[:3],
        ]
        own += ["f=" + f for f in flags]
        own += gz
        if ngrams and len(base) > 4:
            own += ["n3=" + base[k : k + 3] for k in range(1, len(base) - 3)]
        lx: list[str] = []
        if lex:
            e = lex.get(stem)
            if e:
                lx = e.split()
        own += lx
        if version >= 2:
            own += ["x4=" + n[-4:], "bp4=" + base[:4]]
        nb1 = ["w=" + n, "s=" + stem, "x2=" + n[-2:], "p2=" + n[:2]] + ["f=" + f for f in flags] + gz + lx
        nb2 = ["s=" + stem] + ["f=" + f for f in flags if f in ("T", "OH", "FN")] + gz
        if version >= 2:
            nb2 += [a for a in lx if a[0] == "k"]  # cluster ids two tokens away too
        self.own = own
        self.m1 = ["-1" + f for f in nb1]
        self.p1 = ["+1" + f for f in nb1]
        self.m2 = ["-2" + f for f in nb2]
        self.p2 = ["+2" + f for f in nb2]


class Featurizer:
    """Turns a token sequence into CRFsuite attribute lists. Build once and reuse."""

    def __init__(
        self,
        use_gaz_spans: bool = True,
        lexicon: dict[str, str] | None = None,
        ngrams: bool = False,
        max_cache: int = 2_000_000,
        version: int = FEATURE_VERSION,
    ) -> None:
        self.g = load_gazetteer()
        # 1: the original set; 2: + 4-char affixes, cluster ids at +-2, stem bigrams with each neighbour;
        # 3: proclitics split with the gazetteer's name words in mind (split_proclitic's ``known``)
        self.version = version
        self.lexicon = lexicon or {}
        self.ngrams = ngrams
        self.use_gaz_spans = use_gaz_spans
        self.cache: dict[str, TokInfo] = {}
        self.max_cache = max_cache

    def infos(self, words: list[str]) -> list[TokInfo]:
        cache = self.cache
        if len(cache) > self.max_cache:
            cache.clear()
        out = []
        for w in words:
            ti = cache.get(w)
            if ti is None:
                ti = cache[w] = TokInfo(w, self.g, self.lexicon, self.ngrams, self.version)
            out.append(ti)
        return out

    def sequence(self, infos: list[TokInfo], extra: list[list[str]] | None = None) -> list[list[str]]:
        """Attribute lists for one sequence; ``extra[i]`` are added to token i (e.g. rules tags)."""
        return [[a for g in groups for a in ([g] if isinstance(g, str) else g)]
                for groups in self.sequence_groups(infos, extra)]

    def sequence_groups(self, infos: list[TokInfo], extra: list[list[str]] | None = None) -> list[list]:
        """``sequence``'s attributes of each token as groups, in the same order: a group is a list
        shared by every token of one word (its TokInfo's own, -1, +1, -2, +2 lists) or a single
        attribute string. The CRF trainer computes each distinct group's weights once."""
        n = len(infos)
        seq_extra = self._gaz_spans(infos) if self.use_gaz_spans else None
        bigrams = self.version >= 2
        out = []
        for i in range(n):
            ti = infos[i]
            f = [ti.own, infos[i - 1].m1 if i > 0 else "-1BOS", infos[i + 1].p1 if i + 1 < n else "+1EOS"]
            if i > 1:
                f.append(infos[i - 2].m2)
            if i + 2 < n:
                f.append(infos[i + 2].p2)
            if bigrams:  # stem bigrams with each neighbour
                if i > 0:
                    f.append("b-=" + infos[i - 1].stem + "|" + ti.stem)
                if i + 1 < n:
                    f.append("b+=" + ti.stem + "|" + infos[i + 1].stem)
            if seq_extra is not None and seq_extra[i]:
                f.append(seq_extra[i])
            if extra is not None and extra[i]:
                f.append(extra[i])
            out.append(f)
        return out

    def _gaz_spans(self, infos: list[TokInfo]) -> list[list[str] | None]:
        """Longest multi-token gazetteer matches as BIO attributes (and on the neighbours)."""
        n = len(infos)
        res: list[list[str] | None] = [None] * n
        by_first = self.g.by_first
        i = 0
        while i < n:
            best = None
            for _off, stem in infos[i].gaz_cands:
                for e in by_first.get(stem, ()):
                    ln = len(e.tokens)
                    if best is not None and ln <= best[0]:
                        break
                    if i + ln > n:
                        continue
                    if all(infos[i + k].norm == e.tokens[k] for k in range(1, ln)):
                        best = (ln, e.entity_type + ("A" if e.adjectival else ""))
                        break
            if best is None or best[0] < 2:
                i += 1
                continue
            ln, t = best
            res[i] = (res[i] or []) + ["gz=B-" + t]
            for k in range(1, ln):
                res[i + k] = ["gz=I-" + t]
            if i + ln < n:
                res[i + ln] = (res[i + ln] or []) + ["-1gz=" + t]
            i += ln
        return res


def _best_neighbour(word, ctx, frequent, word_count, min_count: int, n: int) -> dict[int, tuple[int, int]]:
    """For each word id: (count, context id) of its most frequent neighbour that is a frequent
    word, seen at least twice; words seen fewer than min_count times are left out. ``word`` and
    ``ctx`` are aligned id arrays (-1 = a break between texts)."""
    import numpy as np

    ok = (word >= 0) & (ctx >= 0)
    word, ctx = word[ok], ctx[ok]
    keep = frequent[ctx] & (word_count[word] >= min_count)
    codes, counts = np.unique(word[keep] * (n + 1) + ctx[keep], return_counts=True)
    w, c = codes // (n + 1), codes % (n + 1)
    sel = counts >= 2
    w, c, counts = w[sel], c[sel], counts[sel]
    order = np.lexsort((c, -counts, w))  # per word: highest count first, then the lowest id
    w, c, counts = w[order], c[order], counts[order]
    first = np.ones(len(w), dtype=bool)
    first[1:] = w[1:] != w[:-1]
    return {int(a): (int(b), int(x)) for a, b, x in zip(w[first], counts[first], c[first])}


def _bucket(r: float) -> str | None:
    if r >= 0.5:
        return "h"
    if r >= 0.2:
        return "m"
    if r >= 0.05:
        return "l"
    return None


TYPED_CHUNK_TEXTS = 200  # texts per call of the typed counts in the second process
TYPED_MAX_PENDING = 8
_TYPED_STATE: tuple | None = None  # (rules extractor, gazetteer, feature version), inherited by the fork


def _typed_stem_counts(texts: list[str]) -> dict[str, Counter]:
    """Per entity type: how often each word's stem lies inside a rules mention of that type (a
    mention covers every token it touches, as in the token pass)."""
    import bisect

    from news_assets.text.tokenize import WORD_OR_PUNCT_RE

    rules, g, version = _TYPED_STATE
    out = {t: Counter() for t in ("PERS", "LOC", "ORG")}
    for text in texts:
        ms = list(WORD_OR_PUNCT_RE.finditer(text))
        found = [s for s in rules.spans(ms, [m.group() for m in ms]) if s[2] in out]
        if not found:
            continue
        starts = [m.start() for m in ms]
        for start, end, etype in found:
            a = bisect.bisect_right(starts, start) - 1
            b = bisect.bisect_right(starts, end - 1) - 1
            c = out[etype]
            for k in range(max(a, 0), b + 1):
                w = ms[k].group()
                e = _STEMS.get(w)
                if e is None:
                    if len(_STEMS) > 500_000:
                        _STEMS.clear()
                    ti = TokInfo(w, g, None, False, version)
                    e = _STEMS[w] = (ti.stem, ti.is_word)
                if e[1]:
                    c[e[0]] += 1
    return out


_STEMS: dict[str, tuple[str, bool]] = {}  # token -> (stem, is a word), in the typed-counts process


def _token_counts(parts: list, tok_stem: list[int], tok_flags: list[int]) -> tuple:
    """From the token pass's arrays of token ids (see corpus_lexicon), which it empties: the stem
    ids in text order (-1 between texts), and two Counters by stem id: occurrences as a word (in
    order of the first one), and occurrences as a word right after a word that is a title."""
    import numpy as np

    tids = np.concatenate(parts) if parts else np.zeros(0, np.int32)
    parts.clear()
    ids = np.array(tok_stem + [-1], dtype=np.int64)[tids]  # token id -1 (between texts) -> -1
    flags = np.array(tok_flags + [0], dtype=np.int8)[tids]
    del tids
    word = (flags & 1).astype(bool)
    after = np.zeros(len(ids), dtype=bool)
    after[1:] = word[:-1] & (flags[:-1] & 2).astype(bool)
    del flags
    word_ids = ids[word]
    n_stems = int(ids.max()) + 1 if len(ids) else 0
    counts = np.bincount(word_ids, minlength=n_stems)
    seen, first = np.unique(word_ids, return_index=True)
    in_order = seen[np.argsort(first)]
    cnt = Counter(dict(zip(in_order.tolist(), counts[in_order].tolist())))
    titled = np.bincount(ids[word & after], minlength=n_stems)
    after_title = Counter({sid: int(titled[sid]) for sid in np.flatnonzero(titled).tolist()})
    return ids, cnt, after_title


def _neighbour_statistics(stem_ids: dict[str, int], cnt: Counter, ids, min_count: int,
                          context_words: int, cluster_ks: Sequence[int]) -> tuple:
    """(stems by id, best left and right neighbours by stem id, cluster ids by stem) of the stem
    ids in text order, -1 between texts (see corpus_lexicon)."""
    import numpy as np

    stems = list(stem_ids)
    n_stems = len(stems)
    # context signature: the stem's most frequent left/right neighbour among frequent words,
    # a cheap stand-in for word clusters (names share contexts like الرئيس X / X قال)
    frequent = np.zeros(n_stems + 1, dtype=bool)
    frequent[[sid for sid, _ in cnt.most_common(context_words)]] = True
    word_count = np.zeros(n_stems + 1, dtype=np.int64)
    for sid, c in cnt.items():
        word_count[sid] = c
    best_l = _best_neighbour(ids[1:], ids[:-1], frequent, word_count, min_count, n_stems)
    best_r = _best_neighbour(ids[:-1], ids[1:], frequent, word_count, min_count, n_stems)
    clusters: dict[str, tuple[int, ...]] = {}
    if cluster_ks and len(ids):
        from news_assets.ner.clusters import clusters_from_ids

        clusters = clusters_from_ids(ids, stems, ks=cluster_ks, min_count=max(min_count, 5))
    return stems, best_l, best_r, clusters


def corpus_lexicon(
    texts: Iterable[str],
    featurizer: Featurizer,
    rules=None,
    min_count: int = 3,
    max_tokens: int | None = None,
    context_words: int = 1000,
    cluster_ks: Sequence[int] = (),
) -> tuple[dict[str, str], int]:
    """Unlabeled-corpus statistics per clitic-stripped stem, as space-separated attributes.

    - ``fq=k``: log2 frequency bucket;
    - ``al=h|m|l|0``: how often the stem also occurs with the article (names rarely take ال);
    - ``ut=…``: how often the previous token is a title (الرئيس X);
    - ``uPERS/uLOC/uORG=…``: how often the rules extractor puts the stem inside a mention of
      that type (needs ``rules``): a self-trained gazetteer of names seen in context;
    - ``cl=W`` / ``cr=W``: most frequent left/right neighbour among the ``context_words``
      most frequent words (a cheap stand-in for word clusters);
    - ``k0=…``, ``k1=…``, …: distributional cluster ids of the stem, one per k in ``cluster_ks``
      (news_assets.ner.clusters), for stems seen at least ``max(min_count, 5)`` times.
    Returns (lexicon, tokens read).
    """
    import math

    import numpy as np

    from news_assets.text.tokenize import WORD_OR_PUNCT_RE

    # Memory is the point of the layout: a stem is an int id, the corpus one int array (4 bytes a
    # token during the pass, 8 after; -1 between texts), and neighbour pairs are counted with numpy
    # at the end. Keeping a string per token and a Counter of (word, neighbour) pairs took 2.4 GB
    # for ANT's 9M tokens.
    g, version = featurizer.g, featurizer.version
    # Each distinct token string gets an id when first seen, with its stem's id and whether it is a
    # word and a title; a text becomes an array of token ids, and the counting is done on them with
    # numpy at the end: per token, the pass does a dict lookup (in map) and no Python loop.
    tok_ids: dict[str, int] = {}
    tok_stem: list[int] = []
    tok_flags: list[int] = []  # 1: a word; 2: a title
    stem_ids: dict[str, int] = {}
    ntok = 0
    parts: list[np.ndarray] = []  # token ids of each text, then -1
    text_end = np.array([-1], dtype=np.int32)
    # The rules extractor's mentions (uPERS/uLOC/uORG) are counted by a second process while this
    # one counts tokens: over ANT that is a third of the pass, overlapped (inline with NEWS_WORKERS=1).
    global _TYPED_STATE
    _TYPED_STATE = (rules, g, version)
    _STEMS.clear()  # stems depend on the gazetteer and version: never reuse another call's
    pending: deque = deque()  # futures of typed counts, oldest first
    typed_parts: list[dict[str, Counter]] = []
    chunk: list[str] = []
    try:
        with Background() as background:
            for text in texts:
                words = WORD_OR_PUNCT_RE.findall(text)
                if not words:
                    continue
                ids = list(map(tok_ids.get, words))
                if None in ids:
                    for k, w in enumerate(words):
                        if ids[k] is None:
                            t = tok_ids.get(w)
                            if t is None:
                                ti = TokInfo(w, g, None, False, version)
                                t = tok_ids[w] = len(tok_stem)
                                tok_stem.append(stem_ids.setdefault(ti.stem, len(stem_ids)))
                                tok_flags.append(int(ti.is_word) | (2 if "f=T" in ti.own else 0))
                            ids[k] = t
                ntok += len(words)
                parts.append(np.array(ids, dtype=np.int32))
                parts.append(text_end)
                if rules is not None:
                    chunk.append(text)
                    if len(chunk) >= TYPED_CHUNK_TEXTS:
                        while pending and pending[0].done():
                            typed_parts.append(pending.popleft().result())
                        if len(pending) < TYPED_MAX_PENDING:
                            pending.append(background.submit(_typed_stem_counts, chunk))
                        else:  # the second process is behind: count this chunk here rather than wait
                            typed_parts.append(_typed_stem_counts(chunk))
                        chunk = []
                if max_tokens is not None and ntok >= max_tokens:
                    break
            if chunk:
                pending.append(background.submit(_typed_stem_counts, chunk))
            # The neighbour and cluster statistics need only this process's counts: they are
            # computed while the second process finishes its chunks (~19 s of ANT's pass).
            del tok_ids
            ids, cnt, after_title = _token_counts(parts, tok_stem, tok_flags)
            neighbours = _neighbour_statistics(stem_ids, cnt, ids, min_count, context_words, cluster_ks)
            del ids
            typed_parts += [f.result() for f in pending]
    finally:
        _TYPED_STATE = None
        _STEMS.clear()
    stems, best_l, best_r, clusters = neighbours
    cnt = Counter({stems[sid]: c for sid, c in cnt.items()})
    after_title = Counter({stems[sid]: c for sid, c in after_title.items()})
    typed = {t: Counter() for t in ("PERS", "LOC", "ORG")}
    for part in typed_parts:
        for t, tc in part.items():
            typed[t].update(tc)
    best_l = {stems[w]: (c, stems[x]) for w, (c, x) in best_l.items()}
    best_r = {stems[w]: (c, stems[x]) for w, (c, x) in best_r.items()}
    lex: dict[str, str] = {}
    for stem, c in cnt.items():
        if c < min_count:
            continue
        feats = ["fq=" + str(min(int(math.log2(c)), 14))]
        if not stem.startswith("ال"):
            with_al = cnt.get("ال" + stem, 0)
            feats.append("al=" + (_bucket(with_al / (with_al + c)) or "0"))
        b = _bucket(after_title.get(stem, 0) / c)
        if b:
            feats.append("ut=" + b)
        for t, tc in typed.items():
            b = _bucket(tc.get(stem, 0) / c)
            if b:
                feats.append("u" + t + "=" + b)
        if stem in best_l:
            feats.append("cl=" + best_l[stem][1])
        if stem in best_r:
            feats.append("cr=" + best_r[stem][1])
        cid = clusters.get(stem)
        if cid:
            feats += [f"k{j}={x}" for j, x in enumerate(cid)]
        lex[stem] = " ".join(feats)
    return lex, ntok
