"""Build the German press-release NER pipeline: convert data, train, evaluate, package.

    python -m pipeline.training.build_de --out models/de_press_ner          # full build
    python -m pipeline.training.build_de --out /tmp/de_smoke --quick        # ~2 min smoke run

Deterministic: fixed data splits and seeds (spaCy ``system.seed = 0``). Everything except the
final pipeline directory is written under ``models/_work/`` (git-ignored). Writes
``<out>/metrics.json`` with per-label P/R/F on each held-out set, speed (words/s, one core,
``nlp.pipe`` batch 64) and size on disk.
"""
from __future__ import annotations

import argparse
import gzip
import json
import os
import random
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path

from .convert import (
    Sentence, load, read_europarl, read_germeval, read_ler, read_smartdata, read_wikiann,
    entities, sentence_to_doc,
)

ROOT = Path(__file__).resolve().parents[2]
NER_DATA = Path(os.environ.get("NER_DATA", "/work/shared/ner-data"))
BERLIN = Path(os.environ.get("BERLIN_CORPUS",
                             "/work/shared/corpus/berlin/berlin-press-releases.jsonl.gz"))
CONFIG = ROOT / "models" / "configs" / "de_ner.cfg"
WORK = ROOT / "models" / "_work" / "de_ner"
SEED = 0
SINGLE_CORE_ENV = {"OMP_NUM_THREADS": "1", "OPENBLAS_NUM_THREADS": "1", "MKL_NUM_THREADS": "1",
                   "PYTHONHASHSEED": "0"}

# Fixed splits (see models/README.md)
GERMEVAL_TEST_HELDOUT = 1000   # last sentences of NER-de-test.tsv: held-out test, never trained
GERMEVAL_DEV_SELECT = 600      # last sentences of NER-de-dev.tsv: model selection (dev)
SMARTDATA_DEV_SELECT = 100     # last docs of SmartData train: model selection
WIKIANN_TRAIN = 20000
WIKIANN_DEV_SELECT = 500
WIKIANN_HELDOUT = 2000         # first sentences of WikiANN-de test
LER_HELDOUT = 1000             # last sentences of ler_test.conll
LER_EMPTY_KEEP = 0.10          # fraction of LER sentences without PER/LOC/ORG kept for training
GERMEVAL_UPSAMPLE = 2          # GermEval training sentences are repeated (main target domain)


def _norm(text: str) -> str:
    return re.sub(r"\W+", "", text.lower())


def prepare_data(quick: bool = False) -> dict:
    """Return {"train": [...], "dev": [...], "heldout": {name: [...]}} of Sentences / Docs."""
    import spacy

    nlp = spacy.blank("de")
    rng = random.Random(SEED)
    ge_dev = load(read_germeval, NER_DATA / "germeval2014" / "NER-de-dev.tsv")
    ge_test = load(read_germeval, NER_DATA / "germeval2014" / "NER-de-test.tsv")
    wa_train = load(read_wikiann, NER_DATA / "wikiann" / "de" / "train")
    wa_dev = load(read_wikiann, NER_DATA / "wikiann" / "de" / "dev")
    wa_test = load(read_wikiann, NER_DATA / "wikiann" / "de" / "test")
    ler_dev = load(read_ler, NER_DATA / "ler" / "ler_dev.conll")
    ler_test = load(read_ler, NER_DATA / "ler" / "ler_test.conll")
    ep_train = load(read_europarl, NER_DATA / "europarl" / "train.tsv")
    ep_dev = load(read_europarl, NER_DATA / "europarl" / "dev.tsv")
    ep_test = load(read_europarl, NER_DATA / "europarl" / "test.tsv")
    with gzip.open(NER_DATA / "smartdata_v1" / "train.json.gz", "rt", encoding="utf-8") as fh:
        sd_train = read_smartdata(fh.read(), nlp)
    with gzip.open(NER_DATA / "smartdata_v1" / "test.json.gz", "rt", encoding="utf-8") as fh:
        sd_test = read_smartdata(fh.read(), nlp)

    heldout = {
        "germeval": ge_test[-GERMEVAL_TEST_HELDOUT:],
        "smartdata": sd_test,
        "europarl": ep_test,
        "wikiann": wa_test[:WIKIANN_HELDOUT],
        "ler": ler_test[-LER_HELDOUT:],
    }
    dev = (ge_dev[-GERMEVAL_DEV_SELECT:] + sd_train[-SMARTDATA_DEV_SELECT:] + ep_dev
           + wa_dev[:WIKIANN_DEV_SELECT])

    ler_train = []
    for s in ler_dev + ler_test[:-LER_HELDOUT]:
        if entities(s) or rng.random() < LER_EMPTY_KEEP:
            ler_train.append(s)
    ge_train = ge_dev[:-GERMEVAL_DEV_SELECT] + ge_test[:-GERMEVAL_TEST_HELDOUT]
    train_parts = {
        "germeval": ge_train * GERMEVAL_UPSAMPLE,
        "smartdata": sd_train[:-SMARTDATA_DEV_SELECT],
        "europarl": ep_train,
        "wikiann": wa_train[:WIKIANN_TRAIN],
        "ler": ler_train,
    }
    # Drop training sentences whose text also occurs in a held-out or dev set.
    blocked = set()
    for items in list(heldout.values()) + [dev]:
        for x in items:
            if isinstance(x, Sentence) and len(x.words) >= 5:
                blocked.add(_norm(x.text()))
    n_dropped = 0
    for name, items in train_parts.items():
        kept = [x for x in items if not (isinstance(x, Sentence) and _norm(x.text()) in blocked)]
        n_dropped += len(items) - len(kept)
        train_parts[name] = kept
    if quick:
        train_parts = {k: v[:300] for k, v in train_parts.items()}
        dev = dev[:300]
        heldout = {k: v[:200] for k, v in heldout.items()}
    return {"train_parts": train_parts, "dev": dev, "heldout": heldout, "dedup_dropped": n_dropped,
            "vocab": nlp.vocab}


def _to_docs(vocab, items):
    return [x if not isinstance(x, Sentence) else sentence_to_doc(vocab, x) for x in items]


def write_docbins(data: dict, work: Path) -> dict:
    from spacy.tokens import DocBin

    corpus = work / "corpus"
    corpus.mkdir(parents=True, exist_ok=True)
    vocab = data["vocab"]
    train = [d for items in data["train_parts"].values() for d in _to_docs(vocab, items)]
    random.Random(SEED).shuffle(train)
    DocBin(docs=train, store_user_data=False).to_disk(corpus / "train.spacy")
    DocBin(docs=_to_docs(vocab, data["dev"])).to_disk(corpus / "dev.spacy")
    for name, items in data["heldout"].items():
        DocBin(docs=_to_docs(vocab, items)).to_disk(corpus / f"heldout_{name}.spacy")
    stats = {
        "train": {k: {"docs": len(v), "tokens": sum(len(x.words) if isinstance(x, Sentence)
                                                    else len(x) for x in v)}
                  for k, v in data["train_parts"].items()},
        "dev_docs": len(data["dev"]),
        "heldout": {k: len(v) for k, v in data["heldout"].items()},
        "dedup_dropped": data["dedup_dropped"],
    }
    (work / "data_stats.json").write_text(json.dumps(stats, indent=2))
    return stats


def train(work: Path, max_steps: int | None, eval_frequency: int | None) -> Path:
    out = work / "train"
    if out.exists():
        shutil.rmtree(out)
    cmd = [sys.executable, "-m", "spacy", "train", str(CONFIG), "--output", str(out),
           "--paths.train", str(work / "corpus" / "train.spacy"),
           "--paths.dev", str(work / "corpus" / "dev.spacy"),
           "--system.seed", str(SEED)]
    if max_steps is not None:
        cmd += ["--training.max_steps", str(max_steps)]
    if eval_frequency is not None:
        cmd += ["--training.eval_frequency", str(eval_frequency)]
    env = {**os.environ, **SINGLE_CORE_ENV}
    print(" ".join(cmd), flush=True)
    subprocess.run(cmd, check=True, env=env)
    best = out / "model-best"
    return best if best.exists() else out / "model-last"


def package(model_dir: Path, out: Path) -> None:
    import spacy

    nlp = spacy.load(model_dir)
    if "sentencizer" not in nlp.pipe_names:
        nlp.add_pipe("sentencizer", first=True)
    nlp.meta.update({
        "name": "press_ner", "version": "0.1.0",
        "description": "German NER (PER/LOC/ORG) for municipal press releases; CNN tok2vec, "
                       "rule-based sentencizer. See models/README.md.",
        "license": "CC BY 4.0 (training data: GermEval 2014, SmartData, LER: CC BY 4.0; "
                   "WikiANN, Europarl: licence not stated at source)",
        "sources": ["GermEval 2014 (dev+test)", "SmartData v1", "LER", "WikiANN-de",
                    "Europarl NER (Faruqui & Pado 2010)"],
    })
    if out.exists():
        shutil.rmtree(out)
    nlp.to_disk(out)


def evaluate(nlp, work: Path, names) -> dict:
    from spacy.tokens import DocBin
    from spacy.training import Example

    results = {}
    for name in names:
        db = DocBin().from_disk(work / "corpus" / f"heldout_{name}.spacy")
        gold = list(db.get_docs(nlp.vocab))
        examples = [Example(_copy_words(nlp, g), g)
                    for g in gold]
        scores = nlp.evaluate(examples, batch_size=256)
        per = scores.get("ents_per_type") or {}
        results[name] = {
            "docs": len(gold),
            "overall": {"p": round(100 * scores["ents_p"], 1), "r": round(100 * scores["ents_r"], 1),
                        "f": round(100 * scores["ents_f"], 1)},
            "per_label": {lab: {k: round(100 * v, 1) for k, v in d.items()}
                          for lab, d in sorted(per.items())},
        }
        print(name, json.dumps(results[name]), flush=True)
    return results


def _copy_words(nlp, gold):
    from spacy.tokens import Doc

    return Doc(nlp.vocab, words=[t.text for t in gold], spaces=[bool(t.whitespace_) for t in gold])


def measure_speed(nlp, n_docs: int = 2000, batch_size: int = 64) -> dict:
    texts = []
    with gzip.open(BERLIN, "rt", encoding="utf-8") as fh:
        for line in fh:
            rec = json.loads(line)
            if rec.get("text"):
                texts.append(rec["text"])
            if len(texts) >= n_docs:
                break
    list(nlp.pipe(texts[:50], batch_size=batch_size))  # warm-up
    t0 = time.perf_counter()
    words = 0
    for doc in nlp.pipe(texts, batch_size=batch_size, n_process=1):
        words += sum(1 for t in doc if not t.is_space)
    secs = time.perf_counter() - t0
    return {"docs": len(texts), "words": words, "seconds": round(secs, 1),
            "words_per_second": int(words / secs), "batch_size": batch_size, "n_process": 1,
            "threads": 1}


def _config_max_steps() -> int:
    m = re.search(r"^max_steps = (\d+)", CONFIG.read_text(), re.M)
    return int(m.group(1)) if m else 0


def dir_size_mb(path: Path) -> float:
    return round(sum(p.stat().st_size for p in path.rglob("*") if p.is_file()) / 1e6, 2)


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", type=Path, default=ROOT / "models" / "de_press_ner")
    ap.add_argument("--work", type=Path, default=WORK)
    ap.add_argument("--max-steps", type=int, default=None, help="override training.max_steps")
    ap.add_argument("--quick", action="store_true", help="tiny data and 200 steps (smoke run)")
    ap.add_argument("--skip-train", action="store_true",
                    help="reuse <work>/train/model-best (re-package and re-evaluate only)")
    ap.add_argument("--speed-docs", type=int, default=2000)
    args = ap.parse_args(argv)
    for k, v in SINGLE_CORE_ENV.items():
        os.environ.setdefault(k, v)
    work = args.work
    work.mkdir(parents=True, exist_ok=True)
    t0 = time.time()
    max_steps, eval_freq = args.max_steps, None
    if args.quick:
        max_steps, eval_freq = max_steps or 200, 100
    if args.skip_train:
        model_dir = work / "train" / "model-best"
        stats = json.loads((work / "data_stats.json").read_text())
    else:
        stats = write_docbins(prepare_data(quick=args.quick), work)
        print(json.dumps(stats), flush=True)
        model_dir = train(work, max_steps, eval_freq)
    train_secs = round(time.time() - t0)
    package(model_dir, args.out)

    import spacy

    nlp = spacy.load(args.out)
    heldout = evaluate(nlp, work, list(stats["heldout"]))
    speed = measure_speed(nlp, n_docs=200 if args.quick else args.speed_docs)
    print("speed", json.dumps(speed), flush=True)
    metrics = {
        "labels": list(nlp.get_pipe("ner").labels),
        "pipeline": nlp.pipe_names,
        "heldout": heldout,
        "speed": speed,
        "size_mb": None,
        "data": stats,
        "config": str(CONFIG.relative_to(ROOT)),
        "seed": SEED,
        "max_steps": max_steps or _config_max_steps(),
        "quick": args.quick,
        "build_seconds": train_secs,
        "spacy_version": spacy.__version__,
        "dev_selection_scores": dev_selection_scores(model_dir),
    }
    (args.out / "metrics.json").write_text(json.dumps(metrics, indent=2))
    metrics["size_mb"] = dir_size_mb(args.out)
    (args.out / "metrics.json").write_text(json.dumps(metrics, indent=2))
    print("size_mb", metrics["size_mb"])
    return 0


def dev_selection_scores(model_dir: Path) -> dict | None:
    """P/R/F (x100) of the shipped checkpoint on the dev mix used for model selection (from spaCy's meta)."""
    try:
        perf = json.loads((Path(model_dir) / "meta.json").read_text())["performance"]
        return {k: round(100 * perf[k], 1) for k in ("ents_f", "ents_p", "ents_r")}
    except (OSError, KeyError, TypeError, ValueError):
        return None


if __name__ == "__main__":
    raise SystemExit(main())
