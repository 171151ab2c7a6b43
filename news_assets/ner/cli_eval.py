"""``news-assets ner-eval``: score an extractor on CoNLL gold and print JSON.

    news-assets ner-eval --gold FILE [--extractor rules|model|camel] [--model PATH]
                         [--train FILE] [--unlabeled DIR] [--split dev|all] [--folds K]

- ``--extractor model --train FILE``: train on FILE first (into a temp dir), then evaluate.
- ``--extractor model --model PATH``: load a model written by ``train_model``.
- ``--extractor camel [--model DIR]``: camel-tools' BERT NER (news_assets.ner.camel) over the
  model folder DIR, else $NEWS_CAMEL_MODEL_DIR; needs torch + transformers (requirements.lock).
- ``--split dev``: score only the last 20 % of --gold (use with --train on the same file
  plus ``--train-part``: train on its first 80 %).
- ``--extractor model --folds K``: K-fold cross-validation over --gold: K contiguous folds in
  file order, each scored by a model trained on the other folds (corpus statistics from
  --unlabeled computed once); prints each fold and the counts pooled over all folds.
"""
from __future__ import annotations

import argparse
import json
import os
import re
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

from news_assets.ner.camel import CamelExtractor  # torch is imported only when one is built

__all__ = ["run_ner_eval", "CamelExtractor"]


def _ant_texts(root: Path) -> Iterator[str]:
    """Bodies of TREC-style article files under root (<TEXT>…</TEXT>), for corpus statistics.

    Files come in a fixed order mixed across sources and sections (by a hash of the path), so a
    token cap still samples the whole corpus.
    """
    import hashlib

    files = sorted(root.rglob("*.txt"), key=lambda f: hashlib.md5(str(f.relative_to(root)).encode()).hexdigest())
    for f in files:
        m = re.search(r"<TEXT>(.*?)</TEXT>", f.read_text(encoding="utf-8", errors="replace"), re.S)
        if m:
            yield m.group(1)


def _parser() -> argparse.ArgumentParser:
    ap = argparse.ArgumentParser(prog="news-assets ner-eval", description="Evaluate an NER extractor on CoNLL gold.")
    ap.add_argument("--gold", required=True, type=Path, help="CoNLL file: 'token TAG' lines, blank between sentences")
    ap.add_argument("--extractor", choices=("rules", "model", "camel"), default="rules")
    ap.add_argument("--model", type=Path, help="--extractor model: a trained model file (from train_model); "
                    "--extractor camel: a camel-tools NER model folder (default $NEWS_CAMEL_MODEL_DIR)")
    ap.add_argument("--train", type=Path, help="train a model on this CoNLL file first (into a temp dir)")
    ap.add_argument("--train-part", action="store_true", help="train only on the first 80%% of --train")
    ap.add_argument("--split", choices=("all", "dev"), default="all", help="'dev': score the last 20%% of --gold")
    ap.add_argument("--unlabeled", type=Path, help="folder of article files for corpus statistics (training)")
    ap.add_argument("--unlabeled-max-tokens", type=int, default=None)
    ap.add_argument("--no-rules-features", action="store_true", help="train without the rules' spans as features")
    ap.add_argument("--folds", type=int, help="--extractor model: K-fold cross-validation over --gold "
                    "(contiguous folds in file order; train on the others, score each, pool the counts)")
    return ap


def _cross_validate(args, gold: list) -> dict:
    """K contiguous folds of ``gold``: train on the rest, score the fold; pooled and per-fold scores."""
    from news_assets.ner.evaluate import CORE_TYPES, TYPES, evaluate_extractor, prf
    from news_assets.ner.model import ModelExtractor, train_model, unlabeled_lexicon

    k = args.folds
    opts = {"use_rules": not args.no_rules_features}
    if args.unlabeled_max_tokens is not None:
        opts["unlabeled_max_tokens"] = args.unlabeled_max_tokens
    t0 = time.perf_counter()
    lexicon, n_unlabeled = unlabeled_lexicon(_ant_texts(args.unlabeled), **opts) if args.unlabeled else ({}, 0)
    result: dict = {"folds": k, "unlabeled_tokens": n_unlabeled,
                    "lexicon_seconds": round(time.perf_counter() - t0, 2), "per_fold": []}
    counts = {t: [0, 0, 0] for t in TYPES}
    n = len(gold)
    with tempfile.TemporaryDirectory(prefix="ner-cv-") as tmp:
        for f in range(k):
            a, b = n * f // k, n * (f + 1) // k
            path = Path(tmp) / f"fold{f}.crf"
            stats = train_model(args.gold, path, sents=gold[:a] + gold[b:], lexicon=lexicon, **opts)
            r = evaluate_extractor(ModelExtractor.load(path), gold[a:b])
            for t in TYPES:
                for i, key in enumerate(("tp", "fp", "fn")):
                    counts[t][i] += r["per_type"][t][key]
            result["per_fold"].append({
                "fold": f, "sentences": [a, b], "train_seconds": stats["seconds"],
                "micro_core": r["micro_core"], "f1": {t: r["per_type"][t]["f1"] for t in TYPES},
            })
    result["per_type"] = {t: prf(*counts[t]) for t in TYPES}
    for name, types in (("core", CORE_TYPES), ("all", TYPES)):
        result[f"micro_{name}"] = prf(*(sum(counts[t][i] for t in types) for i in range(3)))
        result[f"macro_f1_{name}"] = round(sum(result["per_type"][t]["f1"] for t in types) / len(types), 4)
    result["mean_fold_micro_core_f1"] = round(sum(x["micro_core"]["f1"] for x in result["per_fold"]) / k, 4)
    return result


def run_ner_eval(argv: list[str] | None) -> int:
    args = _parser().parse_args(argv)
    from news_assets.ner.evaluate import evaluate_extractor, read_conll, split_dev

    if not args.gold.is_file():
        print(f"ner-eval: --gold {args.gold} is not a file", file=sys.stderr)
        return 2
    gold = read_conll(args.gold)
    if args.folds is not None:
        if args.extractor != "model" or args.split != "all" or args.train or args.model:
            print("ner-eval: --folds trains its own models: use it with --extractor model and --gold only "
                  "(plus --unlabeled)", file=sys.stderr)
            return 2
        if not 2 <= args.folds <= len(gold):
            print(f"ner-eval: --folds must be between 2 and the {len(gold)} sentences of --gold", file=sys.stderr)
            return 2
        result = {"gold": str(args.gold), "split": f"{args.folds}-fold cross-validation"}
        result.update(_cross_validate(args, gold))
        print(json.dumps(result, ensure_ascii=False, indent=2))
        return 0
    if args.split == "dev":
        gold = split_dev(gold)[1]
    result: dict = {"gold": str(args.gold), "split": args.split}
    tmp = None
    try:
        if args.extractor == "rules":
            from news_assets.ner import RulesExtractor

            ex = RulesExtractor()
        elif args.extractor == "camel":
            from news_assets.extraction import ExtractorUnavailable

            model_dir = args.model or os.environ.get("NEWS_CAMEL_MODEL_DIR") or None
            t0 = time.perf_counter()
            try:
                ex = CamelExtractor(model_dir)
            except ExtractorUnavailable as exc:
                print(f"ner-eval: camel extractor unavailable: {exc}", file=sys.stderr)
                return 2
            result["load_seconds"] = round(time.perf_counter() - t0, 3)
            result["model"] = str(ex.model_dir)
        else:
            from news_assets.ner.model import ModelExtractor, train_model

            if args.train is not None:
                if not args.train.is_file():
                    print(f"ner-eval: --train {args.train} is not a file", file=sys.stderr)
                    return 2
                tmp = tempfile.TemporaryDirectory(prefix="ner-model-")
                path = Path(tmp.name) / "model.crf"
                sents = read_conll(args.train)
                if args.train_part:
                    sents = split_dev(sents)[0]
                opts = {"use_rules": not args.no_rules_features}
                if args.unlabeled_max_tokens is not None:
                    opts["unlabeled_max_tokens"] = args.unlabeled_max_tokens
                unl = _ant_texts(args.unlabeled) if args.unlabeled else None
                result["training"] = train_model(args.train, path, sents=sents, unlabeled=unl, **opts)
            elif args.model is not None:
                path = args.model
            else:
                print("ner-eval: --extractor model needs --train FILE or --model PATH", file=sys.stderr)
                return 2
            t0 = time.perf_counter()
            ex = ModelExtractor.load(path)
            result["load_seconds"] = round(time.perf_counter() - t0, 3)
        result.update(evaluate_extractor(ex, gold))
    finally:
        if tmp is not None:
            tmp.cleanup()
    print(json.dumps(result, ensure_ascii=False, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(run_ner_eval(sys.argv[1:]))
