"""The `camel` extractor: CAMeL Tools' BERT NER (``camel_tools.ner.NERecognizer``) over a local model folder.

No Dagster import. The folder ($NEWS_CAMEL_MODEL_DIR, passed in as a path) is a
BertForTokenClassification (config.json, model.safetensors or pytorch_model.bin, vocab.txt)
whose labels are camel-tools' nine: B-/I- LOC, ORG, PERS, MISC and O, e.g. the ``ner-arabert``
model camel-tools publishes (``camel_data -i ner-arabert`` on a machine with internet).

How a text goes through the model:

- It is tokenised with the project tokenizer (news_assets.text.tokenize), so mention offsets
  index the original text exactly as the other extractors' do.
- Tokens are grouped by sentence (``split_sentences``); each sentence is one model input. camel-tools'
  ``predict`` pads every input to 256 wordpieces and, past 254, cuts a sentence into pieces the model
  sees separately. Sentences are therefore cut here first, at word boundaries, into balanced pieces
  of at most ``max_wordpieces`` (254): nothing is truncated and the cut points are ours.
- Tokens the BERT tokenizer turns into no wordpiece at all (a lone diacritic, a zero-width
  joiner, a control character) are left out of the model input and labelled O: ``predict`` would
  otherwise drop them silently and shift every later label onto the wrong word. A token of more
  than ``max_wordpieces`` wordpieces (a very long non-word) is left out the same way.
- All pieces of all texts given to ``extract_many`` go through ``predict`` in batches.

Labels become mentions like the CRF extractor's (news_assets.ner.model): punctuation is trimmed off
the span edges, a proclitic (و ب ل ك ف, لل) is stripped off the first token when the rest is a
known name or a definite noun, gazetteer keys are looked up, and ``resolve.resolve_mentions``
gives canonical keys and display names, so equal entities get equal ``entity_id``s whichever
extractor found them.

camel-tools downloads a data catalogue when ``camel_tools.data`` is first imported (``camel_tools.ner``
imports it), which fails offline. Unless the user's CAMeL Tools data folder already has a
``catalogue.json``, CAMELTOOLS_DATA is pointed (in this process) at a cache folder holding an empty
catalogue: NERecognizer loads a local folder and never needs the catalogue.
"""
from __future__ import annotations

import bisect
import hashlib
import json
import math
import os
import sys
import tempfile
from collections.abc import Iterable, Sequence
from pathlib import Path

from news_assets.ner.evaluate import bio_spans
from news_assets.ner.features import raw_offset, split_proclitic
from news_assets.ner.resolve import Mention, RawMention, resolve_mentions
from news_assets.text.normalize import normalize_token
from news_assets.text.tokenize import Token, split_sentences, tokenize

__all__ = ["CamelExtractor", "LABELS", "MAX_WORDPIECES", "check_model_dir", "model_digest",
           "ensure_offline_catalogue"]

LABELS = ("B-LOC", "B-ORG", "B-PERS", "B-MISC", "I-LOC", "I-ORG", "I-PERS", "I-MISC", "O")
# camel-tools' predict() builds inputs of max_seq_length=256 wordpieces including [CLS] and [SEP].
MAX_WORDPIECES = 254
WEIGHT_FILES = ("model.safetensors", "pytorch_model.bin", "model.safetensors.index.json",
                "pytorch_model.bin.index.json")
# Files whose bytes decide the model's output: the version digest covers them.
_TOKENIZER_FILES = ("vocab.txt", "tokenizer_config.json", "special_tokens_map.json", "tokenizer.json")
_CATALOGUE = {"version": "1.6.0", "packages": {}, "components": {}}
_PREDICT_CHUNKS = 512  # pieces per predict() call: bounds the logits and features held at once


def _unavailable(msg: str) -> Exception:
    from news_assets.extraction import ExtractorUnavailable

    return ExtractorUnavailable(msg)


def check_model_dir(model_dir: str | Path | None) -> Path:
    """The model folder, or ExtractorUnavailable saying what is wrong with it (no torch needed)."""
    if model_dir is None or str(model_dir).strip() == "":
        raise _unavailable(
            "NEWS_EXTRACTOR=camel needs NEWS_CAMEL_MODEL_DIR: a folder with a camel-tools NER model "
            "(a BertForTokenClassification: config.json, model.safetensors, vocab.txt), e.g. the one "
            "`camel_data -i ner-arabert` installs on a machine with internet")
    path = Path(model_dir).expanduser()
    if not path.is_dir():
        raise _unavailable(f"camel NER model folder {path} does not exist (NEWS_CAMEL_MODEL_DIR)")
    cfg_path = path / "config.json"
    if not cfg_path.is_file():
        raise _unavailable(f"camel NER model folder {path} has no config.json: point NEWS_CAMEL_MODEL_DIR at "
                           "the folder that holds config.json, model.safetensors and vocab.txt")
    try:
        cfg = json.loads(cfg_path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise _unavailable(f"camel NER model {cfg_path} is not readable JSON ({exc})") from exc
    if not isinstance(cfg, dict):
        raise _unavailable(f"camel NER model {cfg_path} is not a model config (a JSON object)")
    if cfg.get("model_type") != "bert":
        raise _unavailable(f"camel NER model {path} has model_type={cfg.get('model_type')!r}: camel-tools' "
                           "NERecognizer loads a BERT token classifier (model_type 'bert')")
    id2label = cfg.get("id2label")
    labels = sorted(id2label.values()) if isinstance(id2label, dict) else None
    if labels != sorted(LABELS):
        raise _unavailable(f"camel NER model {path} has labels {labels}: camel-tools NER needs exactly "
                           f"{', '.join(LABELS)}")
    if not any((path / f).is_file() for f in WEIGHT_FILES):
        raise _unavailable(f"camel NER model folder {path} has no weights ({' or '.join(WEIGHT_FILES[:2])})")
    if not (path / "vocab.txt").is_file():
        raise _unavailable(f"camel NER model folder {path} has no vocab.txt (the BERT tokenizer's vocabulary)")
    return path


def _model_files(path: Path) -> list[Path]:
    names = {"config.json", *_TOKENIZER_FILES, *WEIGHT_FILES}
    files = [p for p in path.iterdir() if p.is_file() and (p.name in names or p.suffix in (".safetensors", ".bin"))]
    return sorted(files, key=lambda p: p.name)


_DIGESTS: dict[tuple, str] = {}


def model_digest(model_dir: str | Path) -> str:
    """12 hex chars of sha256 over the folder's config, tokenizer files and weights (names and bytes).

    Cached in-process by (name, size, mtime) of those files: the real model is ~0.5 GB.
    """
    path = Path(model_dir)
    files = _model_files(path)
    key = (str(path.resolve()),) + tuple((p.name, p.stat().st_size, p.stat().st_mtime_ns) for p in files)
    if key not in _DIGESTS:
        h = hashlib.sha256()
        for p in files:
            h.update(p.name.encode() + b"\0")
            with p.open("rb") as f:
                while block := f.read(1 << 20):
                    h.update(block)
            h.update(b"\0")
        _DIGESTS[key] = h.hexdigest()[:12]
    return _DIGESTS[key]


def ensure_offline_catalogue() -> Path | None:
    """Make importing ``camel_tools.data`` work offline; returns the stub folder used, if any.

    A CAMeL Tools data folder that already has a catalogue.json ($CAMELTOOLS_DATA, else
    ~/.camel_tools) is left alone. Otherwise CAMELTOOLS_DATA is set, for this process, to a cache
    folder holding an empty catalogue; nothing is written into the user's own data folder.
    """
    if "camel_tools.data" in sys.modules:
        return None  # already imported: its catalogue is loaded
    user = os.environ.get("CAMELTOOLS_DATA")
    data_dir = Path(user).expanduser() if user else Path.home() / ".camel_tools"
    if (data_dir / "catalogue.json").is_file():
        return None
    from news_assets.config import user_cache_dir

    for root in (user_cache_dir(), Path(tempfile.gettempdir()) / f"news_assets-{os.getuid()}"):
        stub = root / "camel_tools_data"
        try:
            stub.mkdir(parents=True, exist_ok=True)
            cat = stub / "catalogue.json"
            if not cat.is_file():
                tmp = stub / f".catalogue.{os.getpid()}.tmp"
                tmp.write_text(json.dumps(_CATALOGUE), encoding="utf-8")
                os.replace(tmp, cat)
        except OSError:
            continue
        os.environ["CAMELTOOLS_DATA"] = str(stub)
        return stub
    return None


def _is_word(tok: str) -> bool:
    c = tok[0]
    return c.isalnum() or c == "_"


class CamelExtractor:
    """camel-tools NERecognizer behind the extractor interface (``extract``, ``extract_many``).

    ``max_wordpieces``: longest model input (≤ 254, camel-tools' limit). ``pack_sentences``: fill
    each input with consecutive sentences up to that length instead of one sentence per input;
    predict() pads every input to 256 wordpieces anyway, so packing is several times faster on
    news text, but the model then sees several sentences at once, unlike in its training.
    ``threads``: torch intra-op threads (default: torch's own; a forked worker uses 1).
    """

    name = "camel"

    def __init__(self, model_dir: str | Path | None, *, batch_size: int = 32,
                 max_wordpieces: int = MAX_WORDPIECES, pack_sentences: bool = False,
                 threads: int | None = None) -> None:
        if not 1 <= max_wordpieces <= MAX_WORDPIECES:
            raise ValueError(f"max_wordpieces must be 1..{MAX_WORDPIECES}, not {max_wordpieces}")
        self.model_dir = check_model_dir(model_dir)
        self.batch_size = batch_size
        self.max_wordpieces = max_wordpieces
        self.pack_sentences = pack_sentences
        try:
            import torch
            import transformers
        except ImportError as exc:
            raise _unavailable(
                f"NEWS_EXTRACTOR=camel needs torch and transformers ({exc}): install the project's pins, "
                "`pip install --no-deps -r requirements.lock` (torch 2.13.0 CPU build, transformers 5.24.0)"
            ) from exc
        if threads is not None:
            torch.set_num_threads(threads)
        ensure_offline_catalogue()
        try:
            from camel_tools.ner import NERecognizer
        except Exception as exc:  # ImportError (pyrsistent, muddler), DownloaderError offline, ...
            raise _unavailable(f"camel_tools.ner does not import here ({type(exc).__name__}: {exc}); "
                               "install the project's pins: `pip install --no-deps -r requirements.lock`") from exc
        transformers.utils.logging.disable_progress_bar()  # no "Loading weights" bar per process
        try:
            self.ner = NERecognizer(str(self.model_dir), use_gpu=False)
        except Exception as exc:
            raise _unavailable(f"camel NER model {self.model_dir} does not load "
                               f"({type(exc).__name__}: {str(exc).splitlines()[0] if str(exc) else ''})") from exc
        got = sorted(self.ner.labels_map.values())
        if got != sorted(LABELS):  # config.json said otherwise than what transformers loaded
            raise _unavailable(f"camel NER model {self.model_dir} loaded with labels {got}: "
                               f"camel-tools NER needs exactly {', '.join(LABELS)}")
        self._wp: dict[str, int] = {}
        self._pid = os.getpid()
        self._g = None

    # ---------------------------------------------------------------- public
    def extract(self, text: str) -> list[Mention]:
        return self.extract_many([text])[0]

    def extract_many(self, texts: Iterable[str]) -> list[list[Mention]]:
        texts = list(texts)
        self._after_fork()
        toks = [tokenize(t) for t in texts]
        pieces: list[tuple[int, list[int]]] = []  # (text index, token indices fed to the model)
        for ti, (text, ts) in enumerate(zip(texts, toks)):
            pieces += [(ti, p) for p in self.pieces(text, ts)]
        labels = [["O"] * len(ts) for ts in toks]
        for lo in range(0, len(pieces), _PREDICT_CHUNKS):
            part = pieces[lo: lo + _PREDICT_CHUNKS]
            preds = self.ner.predict([[toks[ti][k].text for k in p] for ti, p in part], batch_size=self.batch_size)
            for (ti, p), labs in zip(part, preds, strict=True):
                if len(labs) != len(p):  # cannot happen when the wordpiece counts are right
                    raise RuntimeError(f"camel NER returned {len(labs)} labels for {len(p)} words")
                for k, lab in zip(p, labs):
                    labels[ti][k] = lab
        return [self._mentions(text, ts, labs) for text, ts, labs in zip(texts, toks, labels)]

    # ---------------------------------------------------------------- model inputs
    def wordpieces(self, tok: str) -> int:
        """How many wordpieces the model's tokenizer makes of one token (cached per string)."""
        n = self._wp.get(tok)
        if n is None:
            if len(self._wp) > 2_000_000:
                self._wp.clear()
            n = self._wp[tok] = len(self.ner.tokenizer.tokenize(tok))
        return n

    def pieces(self, text: str, toks: Sequence[Token]) -> list[list[int]]:
        """Token indices of each model input: sentences (or runs of them), cut to ≤ max_wordpieces."""
        limit = self.max_wordpieces
        sent_starts = [s for s, _e in split_sentences(text)]
        sentences: list[list[tuple[int, int]]] = []  # per sentence: (token index, wordpieces)
        cur_sent = -1
        for k, t in enumerate(toks):
            n = self.wordpieces(t.text)
            s = bisect.bisect_right(sent_starts, t.start) - 1
            if s != cur_sent or not sentences:
                sentences.append([])
                cur_sent = s
            if 0 < n <= limit:
                sentences[-1].append((k, n))
        out: list[list[int]] = []
        run: list[int] = []
        run_n = 0
        for sent in sentences:
            total = sum(n for _, n in sent)
            if not total:
                continue
            if total > limit:
                if run:
                    out.append(run)
                    run, run_n = [], 0
                out += _balanced_cut(sent, total, limit)
            elif self.pack_sentences and run_n + total <= limit:
                run += [k for k, _ in sent]
                run_n += total
            else:
                if run:
                    out.append(run)
                run, run_n = [k for k, _ in sent], total
                if not self.pack_sentences:
                    out.append(run)
                    run, run_n = [], 0
        if run:
            out.append(run)
        return out

    def _after_fork(self) -> None:
        # news_assets.parallel forks one worker per core: one torch thread each, so workers do not
        # fight over the cores (and a forked child never reuses the parent's OpenMP pool).
        if os.getpid() != self._pid:
            import torch

            torch.set_num_threads(1)
            self._pid = os.getpid()

    # ---------------------------------------------------------------- decoding
    @property
    def g(self):
        if self._g is None:
            from news_assets.ner.gazetteer import load_gazetteer

            self._g = load_gazetteer()
        return self._g

    def _mentions(self, text: str, toks: Sequence[Token], labels: list[str]) -> list[Mention]:
        raws = []
        for i, j, typ in bio_spans(labels):
            raw = self._raw(toks, i, j, typ)
            if raw is not None:
                raws.append(raw)
        if not raws:
            return []
        return resolve_mentions(text, raws, self.g.people_display)

    def _raw(self, toks: Sequence[Token], i: int, j: int, typ: str) -> RawMention | None:
        while i < j and not _is_word(toks[i].text):
            i += 1
        while j > i and not _is_word(toks[j - 1].text):
            j -= 1
        if i >= j:
            return None
        g = self.g
        first = toks[i].text
        fnorm = normalize_token(first) or first
        off, stem, restore = 0, fnorm, False
        clitic, st = split_proclitic(fnorm, min_stem=2)
        if clitic and fnorm not in g.by_first and (
            st in g.by_first or st in g.first_names or (st.startswith("ال") and len(st) > 3)
        ):
            o = raw_offset(first, len(clitic))
            if o < len(first):
                off, stem, restore = o, st, clitic.endswith("لل")
        norm = (stem,) + tuple(normalize_token(t.text) or t.text for t in toks[i + 1: j] if _is_word(t.text))
        key = None
        for e in g.by_first.get(stem, ()):
            if e.tokens == norm and e.entity_type == typ:
                key = e.key
                break
        return RawMention(toks[i].start + off, toks[j - 1].end, typ, norm, key, None, restore)


def _balanced_cut(sent: list[tuple[int, int]], total: int, limit: int) -> list[list[int]]:
    """Cut one over-long sentence at word boundaries into ⌈total/limit⌉-ish pieces of similar size."""
    target = math.ceil(total / math.ceil(total / limit))
    out: list[list[int]] = []
    cur: list[int] = []
    cur_n = 0
    for k, n in sent:
        if cur and (cur_n >= target or cur_n + n > limit):
            out.append(cur)
            cur, cur_n = [], 0
        cur.append(k)
        cur_n += n
    if cur:
        out.append(cur)
    return out
