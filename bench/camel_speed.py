"""Speed of the `camel` extractor (news_assets.ner.camel) with a bert-base-size model, next to `rules`.

The real AraBERT NER weights cannot be downloaded here, so the script makes a model of the same
shape in a temp dir: BertForTokenClassification, hidden 768, 12 layers, 12 heads, intermediate
3072, a 64,000-entry WordPiece vocabulary (like AraBERT's) built from other articles of the same
corpus, camel-tools' nine labels, random weights. Speed depends on the shape, not on the values.

Texts: article bodies from ../shared/corpora/ant-v2.1 (parsed as the pipeline parses them, files
in a fixed hashed order mixing sources), else the repo's news_assets/sample_corpus. Whole
articles are taken until --tokens project tokens (news_assets.text.tokenize, punctuation
included, as bench/corpus_scale.py counts) are reached.

For 1 and 2 torch threads it times CamelExtractor.extract_many over all texts, with one sentence
per model input (the default) and with sentences packed up to 254 wordpieces per input; then
RulesExtractor on the same texts (first call, cold token cache). Wall time and the process's CPU
time are both printed: the machine may be shared, so the load average before and after is too.

Usage: .venv/bin/python bench/camel_speed.py [--tokens 3000] [--threads 1,2] [--corpus DIR]
"""
from __future__ import annotations

import argparse
import hashlib
import os
import shlex
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
ANT = (REPO / ".." / "shared" / "corpora" / "ant-v2.1").resolve()
SAMPLE = REPO / "news_assets" / "sample_corpus"
VOCAB_SIZE = 64_000


def cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    import platform

    return platform.processor() or "unknown"


def loadavg() -> str:
    try:
        return " ".join(f"{x:.2f}" for x in os.getloadavg())
    except OSError:
        return "?"


def article_bodies(root: Path):
    """Bodies of the corpus's articles, files in a fixed order mixed across sources (md5 of the path)."""
    from news_assets.text.parsing import parse_document

    files = sorted((p for p in root.rglob("*") if p.is_file() and p.suffix != ".md" and not p.name.startswith(".")),
                   key=lambda p: hashlib.md5(str(p.relative_to(root)).encode()).hexdigest())
    for p in files:
        try:
            doc = parse_document(p.read_bytes(), str(p))
        except Exception:  # noqa: BLE001 - rejected files are simply skipped
            continue
        for a in doc.articles:
            if a.body and a.body.strip():
                yield a.body


def build_vocab(bodies, size: int) -> list[str]:
    """Specials, characters and ##characters, then the most frequent words and ##word-endings."""
    from news_assets.text.tokenize import tokenize

    words: Counter = Counter()
    chars: set[str] = set()
    for b in bodies:
        for t in tokenize(b):
            words[t.text] += 1
            chars.update(t.text)
    ends: Counter = Counter()
    for w, n in words.items():
        for k in (2, 3, 4):
            if len(w) > k + 1:
                ends[w[-k:]] += n
    vocab = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"]
    vocab += sorted(chars) + ["##" + c for c in sorted(chars) if c.isalnum()]
    seen = set(vocab)
    n_ends = min(4000, len(ends))
    for e, _ in ends.most_common(n_ends):
        if "##" + e not in seen:
            vocab.append("##" + e)
            seen.add("##" + e)
    for w, _ in words.most_common():
        if len(vocab) >= size:
            break
        if w not in seen:
            vocab.append(w)
            seen.add(w)
    return vocab


def make_model(path: Path, vocab: list[str]) -> None:
    import torch
    import transformers
    from transformers import BertConfig, BertForTokenClassification

    from news_assets.ner.camel import LABELS

    transformers.utils.logging.disable_progress_bar()
    path.mkdir(parents=True, exist_ok=True)
    (path / "vocab.txt").write_text("\n".join(vocab) + "\n", encoding="utf-8")
    (path / "tokenizer_config.json").write_text('{"do_lower_case": false}', encoding="utf-8")
    config = BertConfig(vocab_size=len(vocab), hidden_size=768, num_hidden_layers=12, num_attention_heads=12,
                        intermediate_size=3072, max_position_embeddings=512, num_labels=len(LABELS),
                        id2label=dict(enumerate(LABELS)), label2id={lab: i for i, lab in enumerate(LABELS)})
    torch.manual_seed(0)
    BertForTokenClassification(config).save_pretrained(path)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--tokens", type=int, default=3000, help="project tokens of article text to time (whole articles)")
    ap.add_argument("--threads", default="1,2", help="torch thread counts to time, comma-separated")
    ap.add_argument("--corpus", type=Path, help="folder of article files (default: ANT v2.1 if present, else the sample)")
    ap.add_argument("--no-pack", action="store_true", help="time only one sentence per model input")
    args = ap.parse_args(argv)

    import torch
    import transformers

    from news_assets.ner import RulesExtractor
    from news_assets.ner.camel import CamelExtractor
    from news_assets.text.tokenize import tokenize

    corpus = args.corpus or (ANT if ANT.is_dir() else SAMPLE)
    rel = os.path.relpath(sys.executable, Path.cwd()) if sys.executable.startswith(str(REPO)) else sys.executable
    print("command: " + " ".join(shlex.quote(x) for x in [rel, os.path.relpath(__file__)] + sys.argv[1:]))
    print(f"machine: nproc={os.cpu_count()} (usable {len(os.sched_getaffinity(0))}), CPU: {cpu_model()}, "
          f"load average {loadavg()}")
    print(f"python {sys.version.split()[0]}, torch {torch.__version__} (default threads {torch.get_num_threads()}), "
          f"transformers {transformers.__version__}")
    print(f"corpus: {corpus}")

    bodies_iter = article_bodies(corpus)
    texts, ntok = [], 0
    for b in bodies_iter:
        texts.append(b)
        ntok += len(tokenize(b))
        if ntok >= args.tokens:
            break
    vocab_texts = [b for _, b in zip(range(5000), bodies_iter)] or texts  # other articles, when there are
    print(f"texts: {len(texts)} articles, {ntok:,} tokens; vocabulary from {len(vocab_texts)} other articles")

    with tempfile.TemporaryDirectory(prefix="camel-bench-") as tmp:
        model_dir = Path(tmp) / "model"
        t0 = time.perf_counter()
        make_model(model_dir, build_vocab(vocab_texts, VOCAB_SIZE))
        size = sum(p.stat().st_size for p in model_dir.iterdir())
        print(f"model: bert-base shape (768 hidden, 12 layers, 12 heads, 3072 intermediate), "
              f"vocab {VOCAB_SIZE:,}, random weights, {size / 1e6:,.0f} MB, made in {time.perf_counter() - t0:.1f} s")
        t0 = time.perf_counter()
        ex = CamelExtractor(model_dir)
        print(f"load: {time.perf_counter() - t0:.2f} s")
        toks = [tokenize(t) for t in texts]
        wps = sum(ex.wordpieces(t.text) for ts in toks for t in ts)
        words = sum(1 for ts in toks for t in ts)
        print(f"wordpieces per token: {wps / words:.2f}")
        modes = [False] if args.no_pack else [False, True]
        inputs = {}
        for pack in modes:
            ex.pack_sentences = pack
            inputs[pack] = sum(len(ex.pieces(t, ts)) for t, ts in zip(texts, toks))
        print()
        print(f"{'extractor':<34} {'threads':>7} {'inputs':>7} {'seconds':>8} {'tokens/s':>9} {'cpu s':>7} "
              f"{'tokens/cpu-s':>12}")
        for n in [int(x) for x in args.threads.split(",") if x.strip()]:
            torch.set_num_threads(n)
            ex.pack_sentences = False
            ex.extract("قال الرئيس في القاهرة إن الوزير سيزور باريس.")  # warm-up (thread pool, allocator)
            for pack in modes:
                ex.pack_sentences = pack
                t0, c0 = time.perf_counter(), time.process_time()
                ex.extract_many(texts)
                dt, cpu = time.perf_counter() - t0, time.process_time() - c0
                label = "camel, sentences packed to 254 wp" if pack else "camel, one sentence per input"
                print(f"{label:<34} {n:>7} {inputs[pack]:>7} {dt:>8.1f} {ntok / dt:>9,.0f} {cpu:>7.1f} "
                      f"{ntok / cpu:>12,.0f}", flush=True)
    rules = RulesExtractor()
    t0, c0 = time.perf_counter(), time.process_time()
    rules.extract_many(texts)
    dt, cpu = time.perf_counter() - t0, time.process_time() - c0
    print(f"{'rules (cold token cache)':<34} {1:>7} {'-':>7} {dt:>8.2f} {ntok / dt:>9,.0f} {cpu:>7.2f} "
          f"{ntok / max(cpu, 1e-9):>12,.0f}")
    print(f"\nload average after: {loadavg()}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
