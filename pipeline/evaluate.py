"""Evaluation driver: run the pipeline on a gold corpus and score it (rules in pipeline/scoring.py)."""
from __future__ import annotations

import json
from dataclasses import asdict
from pathlib import Path

import pandas as pd

from .baselines import baseline_prediction
from .geo import CityResolver
from .lists import predictions_from_frames
from .report import write_run_report
from .run import DEFAULT_CACHE, RunResult, run
from .scoring import aggregate, score_article
from .settings import Settings
from .tables import write_atomic


class CorpusError(Exception):
    """The corpus folder is not in the gold format."""


def load_gold(corpus: Path) -> dict[str, dict]:
    """gold/<id>.json by id; the folder must also hold articles/."""
    if not (corpus / "articles").is_dir() or not (corpus / "gold").is_dir():
        raise CorpusError(f"{corpus} is not a gold corpus: it needs articles/ and gold/ folders (see GOLD_FORMAT.md)")
    gold = {p.stem: json.loads(p.read_text(encoding="utf-8")) for p in sorted((corpus / "gold").glob("*.json"))}
    if not gold:
        raise CorpusError(f"no gold files in {corpus / 'gold'}")
    return gold


def read_tables(paths: dict[str, Path]) -> dict[str, pd.DataFrame]:
    """The CSV tables as written (every cell a string; empty cells NaN, so "NA" stays a name)."""
    return {name: pd.read_csv(paths[name], dtype=str, keep_default_na=False, na_values=[""],
                              encoding="utf-8-sig")
            for name in ("articles", "entities", "signatures", "partnerships")}


def predictions(run_result: RunResult) -> dict[str, dict]:
    """Gold-shaped predictions per article id, read from the tables the run wrote (what a user reads);
    failed articles predict nothing."""
    if not run_result.tables:
        raise ValueError("the run wrote no tables: predictions are read from them")
    return predictions_from_frames(read_tables(run_result.tables))


def baseline_predictions(run_result: RunResult) -> dict[str, dict]:
    """The simple baselines of pipeline/baselines.py on the same articles."""
    resolver = CityResolver.load()
    return {r.article.id: baseline_prediction(r, resolver) for r in run_result.results if r.article.status == "ok"}


def empty_prediction(article_id: str) -> dict:
    return {"id": article_id, "cities": [], "persons": [], "organisations": [], "dates": [], "signatures": [],
            "partnerships": []}


def evaluate(corpus: Path, out: Path, settings: Settings, cache_dir: Path = DEFAULT_CACHE,
             progress: bool | None = None) -> dict:
    """Run, score every gold article, write tables + scores.json + errors.csv + predictions.json to ``out``."""
    gold = load_gold(Path(corpus))
    run_result = run([str(Path(corpus) / "articles")], out, settings, cache_dir=cache_dir, progress=progress)
    preds = predictions(run_result)
    scores = [score_article(preds.get(i) or empty_prediction(i), g) for i, g in gold.items()]
    agg = aggregate(scores)
    agg["run_seconds"] = round(run_result.seconds, 2)
    base = baseline_predictions(run_result)
    agg["baseline"] = aggregate([score_article(base.get(i) or empty_prediction(i), g) for i, g in gold.items()])
    out.mkdir(parents=True, exist_ok=True)
    (out / "scores.json").write_text(json.dumps(agg, indent=1, ensure_ascii=False), encoding="utf-8")
    (out / "predictions.json").write_text(json.dumps(preds, indent=1, ensure_ascii=False), encoding="utf-8")
    errors = pd.DataFrame([asdict(e) for s in scores for e in s.errors],
                          columns=["article_id", "list_name", "kind", "item"])
    write_atomic(errors.rename(columns={"article_id": "article", "list_name": "list"}), out / "errors.csv")
    write_run_report(run_result, out, eval_dir=out)
    return agg
