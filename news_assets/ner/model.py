"""Statistical Arabic NER: a linear-chain CRF with CRFsuite's model and objective.

Training reads CoNLL gold (``token TAG`` lines). Each gold sentence is joined
with single spaces and re-tokenised with the project tokenizer, so training
sees exactly the tokens the pipeline sees at run time; gold labels are
projected onto those sub-tokens (punctuation split off the edges of an entity
is left outside it).

Features (news_assets.ner.features) are cached per distinct token string; the
rules extractor's own spans are added as features when the model was trained
with ``use_rules=True`` (stacking). Training runs news_assets.ner.crf_train (CRFsuite's L-BFGS /
OWL-QN, step for step, with each distinct word's attributes weighed once and torch's sparse
products on both cores) or, with ``trainer="crfsuite"``, CRFsuite itself. Tagging decodes the
trained weights with numpy (news_assets.ner.crf): per distinct token string the weight sums of
its attributes are computed once, so the same labels cost a fraction of the time.

With unlabeled text, training first computes per-word corpus statistics and
distributional word clusters (news_assets.ner.clusters, ``cluster_ks``
granularities); they become features of each word and of its neighbours, so
words never seen in the labelled data still carry useful evidence.

A model is two files: the weights at ``path`` (an .npz of labels, attributes and weights; a
CRFsuite model file for ``trainer="crfsuite"``, format /1) and ``path + ".json"``
(options, the corpus lexicon with the cluster ids, and the vocabulary used to
strip proclitics off a mention's first token). Mentions get canonical keys/names through ``resolve.resolve_mentions``,
exactly like the rules extractor.
"""
from __future__ import annotations

import json
import time
from collections.abc import Iterable
from pathlib import Path

import numpy as np

from news_assets.ner.crf import CrfWeights, viterbi_batch
from news_assets.ner.evaluate import Sentence, bio_spans, read_conll
from news_assets.ner.features import (
    FEATURE_VERSION,
    Featurizer,
    TokInfo,
    corpus_lexicon,
    raw_offset,
    split_proclitic,
)
from news_assets.ner.resolve import Mention, RawMention, resolve_mentions
from news_assets.text.tokenize import WORD_OR_PUNCT_RE

__all__ = ["ModelExtractor", "train_model", "unlabeled_lexicon", "sentence_examples", "DEFAULT_OPTS"]

FORMAT = "news_assets.ner.crf/2"  # weights in an .npz (CrfWeights.save)
FORMAT_CRFSUITE = "news_assets.ner.crf/1"  # a CRFsuite model file (trainer="crfsuite", and models before it)
DEFAULT_OPTS = {
    # "owlqn": news_assets.ner.crf_train, the same iterations and losses as CRFsuite's L-BFGS on the
    # same attributes (the tests compare them) in about a third of the time: ANERcorp's train part,
    # 100 iterations, 30 s against ~96 s. "crfsuite": python-crfsuite's trainer.
    "trainer": "owlqn",
    "c1": 0.01,
    "c2": 0.05,
    # L-BFGS iterations. 100 instead of 300 cuts CRFsuite's training to about a third (ANT's model
    # build trains on one core while the other waits) for the same labels within noise: dev micro-F1
    # 0.7824 at 100, 0.7806 at 150, 0.7822 at 300; 4-fold cross-validation inside the train part
    # (dev unseen) 0.7910 pooled at 100 against 0.7923 at 300.
    "max_iterations": 100,
    "minfreq": 1,
    "use_rules": True,
    "use_gaz_spans": True,
    "ngrams": False,
    "lexicon_min_count": 3,
    "unlabeled_max_tokens": 10_000_000,  # all of ANT (9.0M): 3M gave dev F1 0.754, 9M 0.777
    "cluster_ks": [64, 256, 1024],
    "feature_version": FEATURE_VERSION,
    # Subtracted from the O label's score of every token when tagging: the CRF's MAP labels favour
    # precision (dev P 0.838, R 0.727). Chosen by 4-fold cross-validation inside the train part
    # (the first 80 % of ANERcorp-train; the dev split unseen): pooled micro-F1 0.7898 / 0.7913 /
    # 0.7923 / 0.7890 / 0.7883 at 0 / 0.25 / 0.5 / 0.75 / 1.0. Models trained before it have 0.
    "o_bias": 0.5,
}


def _meta_path(path: str | Path) -> Path:
    return Path(str(path) + ".json")


def _rules_features(rules, text: str, ms: list, words: list[str] | None = None) -> list[list[str] | None]:
    """The rules extractor's spans as BIO attributes on the tokens they cover, None on the others
    (most of them: no list is made for those). ``words``: the strings of ``ms``, if at hand."""
    out: list[list[str] | None] = [None] * len(ms)
    if not ms:
        return out
    spans = rules.spans(ms, [m.group() for m in ms] if words is None else words)
    if not spans:
        return out
    starts = [m.start() for m in ms]
    import bisect

    for start, end, etype in spans:
        a = bisect.bisect_right(starts, start) - 1
        b = bisect.bisect_right(starts, end - 1) - 1
        if a < 0:
            continue
        for k in range(a, b + 1):
            attr = ("r=B-" if k == a else "r=I-") + etype
            if out[k] is None:
                out[k] = [attr]
            else:
                out[k].append(attr)
    return out


def _project_labels(sent: Sentence, text: str, ms: list) -> list[str]:
    """Gold tags of space-joined tokens -> BIO tags of the re-tokenised sub-tokens."""
    from news_assets.ner.evaluate import gold_spans

    tok_of_char = []
    for gi, (w, _) in enumerate(sent):
        tok_of_char.extend([gi] * len(w))
        tok_of_char.append(-1)
    gtok = [tok_of_char[m.start()] for m in ms]
    labels = ["O"] * len(ms)
    by_gold: dict[int, list[int]] = {}
    for si, gi in enumerate(gtok):
        by_gold.setdefault(gi, []).append(si)
    for s, e, t in gold_spans([tag for _, tag in sent], types=("PERS", "LOC", "ORG", "MISC")):
        subs = [si for gi in range(s, e) for si in by_gold.get(gi, ())]
        # punctuation split off the outer edges of the span stays outside it: "(فتح" -> ( + فتح
        while subs and not _is_word(ms[subs[0]].group()):
            subs.pop(0)
        while subs and not _is_word(ms[subs[-1]].group()):
            subs.pop()
        for k, si in enumerate(subs):
            labels[si] = ("B-" if k == 0 else "I-") + t
    return labels


def _is_word(tok: str) -> bool:
    c = tok[0]
    return c.isalnum() or c == "_"


def sentence_examples(sents: list[Sentence], featurizer: Featurizer, rules=None, groups: bool = False):
    """Yield (attribute lists, labels) per gold sentence; with ``groups``, each token's attributes
    as Featurizer.sequence_groups gives them (what crf_train weighs once per distinct group)."""
    sequence = featurizer.sequence_groups if groups else featurizer.sequence
    for sent in sents:
        text = " ".join(w for w, _ in sent)
        ms = list(WORD_OR_PUNCT_RE.finditer(text))
        if not ms:
            continue
        infos = featurizer.infos([m.group() for m in ms])
        extra = _rules_features(rules, text, ms) if rules is not None else None
        yield sequence(infos, extra), _project_labels(sent, text, ms)


def _entity_stems(sents: list[Sentence], featurizer: Featurizer) -> list[str]:
    """Normalised first tokens of gold entities written without a proclitic (for clitic stripping)."""
    from news_assets.ner.evaluate import gold_spans

    vocab = set()
    for sent in sents:
        for s, _e, _t in gold_spans([tag for _, tag in sent]):
            ti = featurizer.infos([sent[s][0]])[0]
            if ti.is_word:
                vocab.add(ti.norm)
    return sorted(vocab)


def unlabeled_lexicon(unlabeled: Iterable[str], rules=None, **opts) -> tuple[dict[str, str], int]:
    """The corpus statistics train_model computes from unlabeled texts with these training options
    (features.corpus_lexicon): (lexicon, tokens read). Compute once to train several models."""
    o = {**DEFAULT_OPTS, **opts}
    if rules is None:
        from news_assets.ner.rules import RulesExtractor

        rules = RulesExtractor()
    return corpus_lexicon(
        unlabeled,
        Featurizer(use_gaz_spans=False, version=o["feature_version"]),  # the same stems as training
        rules,
        o["lexicon_min_count"],
        o["unlabeled_max_tokens"],
        cluster_ks=tuple(o["cluster_ks"]),
    )


def train_model(
    gold_path: str | Path | None,
    out_path: str | Path,
    sents: list[Sentence] | None = None,
    unlabeled: Iterable[str] | None = None,
    lexicon: dict[str, str] | None = None,
    **opts,
) -> dict:
    """Train a CRF on CoNLL gold (or on ``sents``) and write ``out_path`` (+ ``.json``). Returns stats.

    ``unlabeled``: optional raw article texts (e.g. the pipeline's corpus); per-word statistics
    from them (see features.corpus_lexicon, up to ``unlabeled_max_tokens`` tokens) become
    features and are stored in the model's ``.json``. ``lexicon``: such statistics computed
    before (``features.corpus_lexicon``), used instead of ``unlabeled``.
    """
    o = {**DEFAULT_OPTS, **opts}
    unknown = set(o) - set(DEFAULT_OPTS) - {"verbose"}
    if unknown:
        raise TypeError(f"unknown training options: {sorted(unknown)}")
    if o["trainer"] not in ("owlqn", "crfsuite"):
        raise ValueError(f"trainer must be 'owlqn' or 'crfsuite', not {o['trainer']!r}")
    t0 = time.perf_counter()
    if sents is None:
        sents = read_conll(gold_path)
    from news_assets.ner.rules import RulesExtractor

    rules = RulesExtractor()
    lexicon = dict(lexicon or {})
    n_unlabeled = 0
    if unlabeled is not None and not lexicon:
        lexicon, n_unlabeled = unlabeled_lexicon(unlabeled, rules, **opts)
    t_lex = time.perf_counter() - t0
    featurizer = Featurizer(
        use_gaz_spans=o["use_gaz_spans"], lexicon=lexicon, ngrams=o["ngrams"], version=o["feature_version"]
    )
    if not o["use_rules"]:
        rules = None
    out_path = Path(out_path)
    out_path.parent.mkdir(parents=True, exist_ok=True)
    if o["trainer"] == "crfsuite":
        ntok, t_ready, info = _train_crfsuite(sents, featurizer, rules, o, out_path)
        t_feat = t_ready - t0 - t_lex
        fmt = FORMAT_CRFSUITE
    else:
        from news_assets.ner.crf_train import CrfData, train_crf

        data = CrfData(sentence_examples(sents, featurizer, rules, groups=True))
        ntok = data.n_tokens
        t_feat = time.perf_counter() - t0 - t_lex
        log = (lambda it: print(it, flush=True)) if o.get("verbose") else None
        model, info = train_crf(data, c1=o["c1"], c2=o["c2"], max_iterations=o["max_iterations"],
                                minfreq=o["minfreq"], log=log)
        CrfWeights(model["labels"], model["state"], model["transitions"]).save(out_path)
        info = {"num": info["iterations"], "loss": info["loss"], "active_features": info["active"]}
        fmt = FORMAT
    meta = {
        "format": fmt,
        "options": {k: o[k] for k in DEFAULT_OPTS},
        "entity_stems": _entity_stems(sents, featurizer),
        "trained_on": str(gold_path) if gold_path else None,
        "sentences": len(sents),
        "unlabeled_tokens": n_unlabeled,
        "lexicon": lexicon,
    }
    _meta_path(out_path).write_text(json.dumps(meta, ensure_ascii=False), encoding="utf-8")
    return {
        "sentences": len(sents),
        "tokens": ntok,
        "unlabeled_tokens": n_unlabeled,
        "lexicon_words": len(lexicon),
        "lexicon_seconds": round(t_lex, 2),
        "feature_seconds": round(t_feat, 2),
        "seconds": round(time.perf_counter() - t0, 2),
        "iterations": info.get("num"),
        "loss": info.get("loss"),
        "active_features": info.get("active_features"),
        "model_bytes": out_path.stat().st_size,
        "path": str(out_path),
        "options": meta["options"],
    }


def _train_crfsuite(sents: list[Sentence], featurizer: Featurizer, rules, o: dict, out_path: Path):
    """CRFsuite's own trainer (trainer="crfsuite"): (tokens, time the features were ready, last
    iteration's log)."""
    import pycrfsuite

    trainer = pycrfsuite.Trainer(verbose=bool(o.get("verbose")))
    ntok = 0
    for xseq, yseq in sentence_examples(sents, featurizer, rules):
        trainer.append(xseq, yseq)
        ntok += len(yseq)
    t_feat = time.perf_counter()
    trainer.set_params(
        {
            "c1": o["c1"],
            "c2": o["c2"],
            "max_iterations": o["max_iterations"],
            "feature.minfreq": o["minfreq"],
            "feature.possible_transitions": True,
        }
    )
    trainer.train(str(out_path))
    return ntok, t_feat, trainer.logparser.last_iteration or {}


class ModelExtractor:
    """CRF extractor with the RulesExtractor interface. Build with ``ModelExtractor.load(path)``."""

    name = "model"

    def __init__(self, weights: CrfWeights, meta: dict, tagger=None) -> None:
        opts = meta.get("options", {})
        self.tagger = tagger  # CRFsuite's own tagger, for models in its format (tests compare labels)
        self.meta = meta
        self.featurizer = Featurizer(
            use_gaz_spans=opts.get("use_gaz_spans", True),
            lexicon=meta.get("lexicon"),
            ngrams=opts.get("ngrams", False),
            version=opts.get("feature_version", 1),  # models from before the option had version 1's features
        )
        # Decoding runs on the model's weights with numpy (news_assets.ner.crf), not through CRFsuite's
        # tagger: a distinct token's weight sums are computed once, so a token costs a few vector adds.
        self.weights = weights
        self.featurizer.max_cache = self.MAX_TOKENS + 1  # cleared together with the token rows below
        self._rows: dict[str, int] = {}
        self._vectors = np.zeros((1024, 5, len(self.weights.labels)))
        self._extra_sums: dict[tuple[str, ...], np.ndarray] = {}
        self._bos = self.weights.sum(["-1BOS"])
        self._eos = self.weights.sum(["+1EOS"])
        self.g = self.featurizer.g
        self.rules = None
        if opts.get("use_rules"):
            from news_assets.ner.rules import RulesExtractor

            self.rules = RulesExtractor()
        self.entity_stems = frozenset(meta.get("entity_stems", ()))
        self.o_bias = float(opts.get("o_bias", 0.0))  # see DEFAULT_OPTS; 0 gives CRFsuite's own labels
        self._o = self.weights.labels.index("O") if "O" in self.weights.labels else None
        # Stem bigram attributes by their pair "a|b": (row of b-=a|b, row of b+=a|b), either None
        # when the model has no weights for it; one lookup a token pair in _state_scores.
        self._bigrams: dict[str, tuple[int | None, int | None]] | None = None
        if self.featurizer.version >= 2:
            self._bigrams = {}
            for attr, row in self.weights.index.items():
                if attr.startswith(("b-=", "b+=")):
                    minus, plus = self._bigrams.get(attr[3:], (None, None))
                    self._bigrams[attr[3:]] = (row, plus) if attr[1] == "-" else (minus, row)

    @classmethod
    def load(cls, path: str | Path) -> ModelExtractor:
        meta = json.loads(_meta_path(path).read_text(encoding="utf-8"))
        if meta.get("format") == FORMAT:
            return cls(CrfWeights.load(path), meta)
        if meta.get("format") == FORMAT_CRFSUITE:
            import pycrfsuite

            tagger = pycrfsuite.Tagger()
            tagger.open(str(path))
            return cls(CrfWeights.from_tagger(tagger), meta, tagger)
        raise ValueError(f"{path}: not a {FORMAT} or {FORMAT_CRFSUITE} model (format={meta.get('format')!r})")

    # ---------------------------------------------------------------- public
    def extract(self, text: str) -> list[Mention]:
        return self.extract_many([text])[0]

    def extract_many(self, texts: Iterable[str]) -> list[list[Mention]]:
        """Mentions of each text; the texts are decoded together (Viterbi over many at once)."""
        parsed, scores = [], []
        for text in texts:
            ms = list(WORD_OR_PUNCT_RE.finditer(text))
            words = [m.group() for m in ms]
            infos, rows = self._infos_rows(words)
            parsed.append((text, ms, infos))
            scores.append(self._state_scores(text, ms, infos, rows, words))
        labels = self.weights.labels
        return [
            self._mentions(text, ms, infos, [labels[k] for k in path]) if ms else []
            for (text, ms, infos), path in zip(parsed, viterbi_batch(scores, self.weights.t))
        ]

    def tag(self, text: str) -> list[str]:
        """BIO label of each token of ``text`` (project tokenizer), as decoded here."""
        ms = list(WORD_OR_PUNCT_RE.finditer(text))
        infos = self._infos([m.group() for m in ms]) if ms else []
        (path,) = viterbi_batch([self._state_scores(text, ms, infos)], self.weights.t)
        return [self.weights.labels[k] for k in path]

    # ---------------------------------------------------------------- scoring
    MAX_TOKENS = 200_000  # distinct token strings kept with their weight sums (360 bytes each)

    def _infos(self, words: list[str]) -> list[TokInfo]:
        return self._infos_rows(words)[0]

    def _infos_rows(self, words: list[str]) -> tuple[list[TokInfo], list[int]]:
        """The words' TokInfos, and their rows of weight sums in ``_vectors`` (made for new words)."""
        rows, vectors = self._rows, self._vectors
        if len(rows) + len(words) > self.MAX_TOKENS:  # start over, like every capped cache here
            rows.clear()
            self.featurizer.cache.clear()
        infos = self.featurizer.infos(words)
        at = list(map(rows.get, words))
        if None not in at:
            return infos, at
        w = self.weights
        for k, (word, ti) in enumerate(zip(words, infos)):
            if at[k] is not None:
                continue
            r = rows.get(word)
            if r is None:
                r = rows[word] = len(rows)
                if r >= len(vectors):
                    grown = np.zeros((max(r + 1, min(2 * len(vectors), self.MAX_TOKENS)),) + vectors.shape[1:])
                    grown[:len(vectors)] = vectors
                    vectors = self._vectors = grown
                if ti.own is None:  # the cache kept this TokInfo but not its row: rebuild it
                    ti = self.featurizer.cache[word] = TokInfo(word, self.featurizer.g, self.featurizer.lexicon,
                                                               self.featurizer.ngrams, self.featurizer.version)
                vectors[r] = w.sums((ti.own, ti.m1, ti.p1, ti.m2, ti.p2))
                ti.own = ti.m1 = ti.p1 = ti.m2 = ti.p2 = None  # the sums replace the lists
            at[k] = r
        return infos, at

    def _state_scores(self, text: str, ms: list, infos: list[TokInfo], rows: list[int] | None = None,
                      words: list[str] | None = None) -> np.ndarray:
        """(tokens x labels) summed weights of every attribute Featurizer.sequence gives each token,
        less ``o_bias`` on the O label. ``rows``, ``words``: from _infos_rows, if at hand."""
        n = len(infos)
        if not n:
            return np.zeros((0, len(self.weights.labels)))
        if rows is None:
            rows = [self._rows[m.group()] for m in ms]
        r = self._vectors[rows]
        s = r[:, 0].copy()
        s[0] += self._bos
        s[-1] += self._eos
        if n > 1:
            s[1:] += r[:-1, 1]
            s[:-1] += r[1:, 2]
        if n > 2:
            s[2:] += r[:-2, 3]
            s[:-2] += r[2:, 4]
        if self._bigrams is not None and n > 1:  # stem bigrams with each neighbour
            stems = [ti.stem for ti in infos]
            found = list(map(self._bigrams.get, [a + "|" + b for a, b in zip(stems, stems[1:])]))
            at, rows_w = [], []
            for i, hit in enumerate(found, 1):
                if hit is not None:  # (row of b-=pair on token i, row of b+=pair on token i-1)
                    if hit[0] is not None:
                        at.append(i)
                        rows_w.append(hit[0])
                    if hit[1] is not None:
                        at.append(i - 1)
                        rows_w.append(hit[1])
            if at:
                np.add.at(s, at, self.weights.w[rows_w])
        extras = []
        if self.featurizer.use_gaz_spans:
            extras.append(self.featurizer._gaz_spans(infos))
        if self.rules is not None:
            extras.append(_rules_features(self.rules, text, ms, words))
        sums = self._extra_sums
        for extra in extras:
            for i, attrs in [(i, attrs) for i, attrs in enumerate(extra) if attrs]:
                key = tuple(attrs)
                v = sums.get(key)
                if v is None:
                    v = sums[key] = self.weights.sum(attrs)  # few distinct lists: r=B-PERS, gz=I-LOC…
                s[i] += v
        if self.o_bias and self._o is not None:
            s[:, self._o] -= self.o_bias
        return s

    # ---------------------------------------------------------------- decoding
    def _mentions(self, text: str, ms: list, infos: list[TokInfo], labels: list[str]) -> list[Mention]:
        raws = []
        for i, j, typ in bio_spans(labels):
            raw = self._raw(ms, infos, i, j, typ)
            if raw is not None:
                raws.append(raw)
        if not raws:
            return []
        return resolve_mentions(text, raws, self.g.people_display)

    def _raw(self, ms: list, infos: list[TokInfo], i: int, j: int, typ: str) -> RawMention | None:
        while i < j and not infos[i].is_word:
            i += 1
        while j > i and not infos[j - 1].is_word:
            j -= 1
        if i >= j:
            return None
        first = infos[i]
        off, stem, restore = 0, first.norm, False
        clitic, st = split_proclitic(first.norm, min_stem=2)
        if clitic and first.norm not in self.entity_stems and first.norm not in self.g.by_first:
            if st in self.entity_stems or st in self.g.by_first or st in self.g.first_names or (
                st.startswith("ال") and len(st) > 3
            ):
                off = raw_offset(ms[i].group(), len(clitic))
                stem = st
                restore = clitic.endswith("لل")
                if off >= len(ms[i].group()):
                    off, stem, restore = 0, first.norm, False
        norm = (stem,) + tuple(infos[k].norm for k in range(i + 1, j) if infos[k].is_word)
        key = None
        for e in self.g.by_first.get(stem, ()):
            if e.tokens == norm and e.entity_type == typ:
                key = e.key
                break
        return RawMention(ms[i].start() + off, ms[j - 1].end(), typ, norm, key, None, restore)
