"""Train the relation classifier (``pipeline/relations/confidence.py``) on a gold corpus.

    python -m pipeline.training.build_relations --corpus ../shared/corpus/dev --out models/relations/classifier.json

The rules' candidate rows of every gold article (``relations.candidate_rows``) are labelled by the
evaluation's own one-to-one matching (``scoring.row_labels``: 1 in the gold table, 0 spurious; rows that
match an optional gold item are left out). For signatures (rows with status signed) and partnerships
apart: a logistic regression on the rows' features, its regularisation chosen by the log-loss of
out-of-fold scores (GroupKFold by article, 5 folds), Platt scaling fitted on those out-of-fold scores,
and the threshold that maximises the list's F1 over the out-of-fold probabilities (gold items that no
candidate proposes count as missed at every threshold). When no threshold beats keeping every row by
at least ``MIN_GAIN`` F1, the threshold is 0: the model then only gives the confidence column.
Deterministic (lbfgs, unshuffled folds).
"""
from __future__ import annotations

import argparse
import json
import math
from dataclasses import dataclass, field
from pathlib import Path

from ..settings import MODELS_DIR, Settings

FOLDS = 5
C_GRID = (0.03, 0.1, 0.3, 1.0, 3.0)
MIN_GAIN = 0.005


@dataclass
class Rows:
    """Feature dicts, labels and article ids of one list's candidate rows; ``gold_total`` counts the
    required gold items of that list over the corpus (found or not)."""

    features: list[dict] = field(default_factory=list)
    labels: list[int] = field(default_factory=list)
    groups: list[str] = field(default_factory=list)
    gold_total: int = 0


def candidate_data(corpus: Path, settings: Settings) -> dict[str, Rows]:
    """Labelled candidate rows of every article of ``corpus`` with gold."""
    from ..evaluate import load_gold
    from ..fetch import Fetcher
    from ..inputs import resolve_inputs
    from ..lists import finalise
    from ..nlp import EntityFinder
    from ..records import ArticleResult
    from ..relations import candidate_rows, with_canonical_orgs
    from ..relations.confidence import ArticleView, partnership_features, signature_features
    from ..run import prepare
    from ..scoring import row_labels, score_article
    from ..lists import gold_shape

    gold = load_gold(corpus)
    finder = EntityFinder(settings)
    sources = resolve_inputs([str(corpus / "articles")], lambda: Fetcher(settings.fetch))
    data = {"signatures": Rows(), "partnerships": Rows()}
    for article in prepare(sources, settings):
        if article.status != "ok" or article.id not in gold:
            continue
        doc = finder.nlp(article.language)(article.text)
        mentions = finder.find(article, doc)
        sigs, parts = candidate_rows(article, doc, mentions)
        view = ArticleView(article, with_canonical_orgs(article, mentions))
        pred = gold_shape(finalise(ArticleResult(article, mentions, sigs, parts)))
        pred["partnerships"] = [{"name": p.partnership, "kind": p.kind,
                                 "members": [{"name": p.member, "geonames_id": p.member_geonames_id}]} for p in parts]
        totals = score_article(pred, gold[article.id]).lists
        signed = [s for s in sigs if s.status == "signed"]
        for name, rows, feats in (("signatures", signed, [signature_features(view, r, sigs) for r in signed]),
                                  ("partnerships", parts, [partnership_features(view, r, parts) for r in parts])):
            labels = row_labels(pred, gold[article.id], name)
            assert len(labels) == len(rows), (article.id, name)
            target = data[name]
            target.gold_total += totals[name].tp + totals[name].fn
            for f, label in zip(feats, labels):
                if label is not None:
                    target.features.append(f)
                    target.labels.append(label)
                    target.groups.append(article.id)
    return data


def f1_at(probs: list[float], labels: list[int], gold_total: int, threshold: float) -> float:
    tp = sum(1 for p, y in zip(probs, labels) if p >= threshold and y == 1)
    fp = sum(1 for p, y in zip(probs, labels) if p >= threshold and y == 0)
    return 2 * tp / (2 * tp + fp + (gold_total - tp)) if gold_total + tp + fp else 1.0


def fit_part(rows: Rows) -> dict:
    """Model and cross-validated report of one list."""
    import numpy as np
    from sklearn.feature_extraction import DictVectorizer
    from sklearn.linear_model import LogisticRegression
    from sklearn.model_selection import GroupKFold

    vec = DictVectorizer(sparse=False, sort=True)
    x, y, groups = vec.fit_transform(rows.features), np.array(rows.labels), np.array(rows.groups)
    folds = list(GroupKFold(n_splits=min(FOLDS, len(set(rows.groups)))).split(x, y, groups))

    def out_of_fold(c: float) -> np.ndarray:
        z = np.zeros(len(y))
        for train, test in folds:
            if len(set(y[train])) < 2:
                z[test] = 0.0
                continue
            model = LogisticRegression(C=c, max_iter=2000).fit(x[train], y[train])
            z[test] = model.decision_function(x[test])
        return z

    def log_loss(z: np.ndarray) -> float:
        p = np.clip(1 / (1 + np.exp(-z)), 1e-6, 1 - 1e-6)
        return float(-np.mean(y * np.log(p) + (1 - y) * np.log(1 - p)))

    losses = {c: log_loss(out_of_fold(c)) for c in C_GRID}
    best_c = min(C_GRID, key=lambda c: (losses[c], c))
    z = out_of_fold(best_c)
    platt = LogisticRegression(C=1e6, max_iter=2000).fit(z.reshape(-1, 1), y)
    a, b = float(platt.coef_[0][0]), float(platt.intercept_[0])
    probs = [1 / (1 + math.exp(-(a * v + b))) for v in z]
    keep_all = f1_at(probs, list(y), rows.gold_total, 0.0)
    candidates = sorted({math.floor(p * 1000) / 1000 for p in probs})  # each keeps the rows at or above it
    best_t = max(candidates, key=lambda t: (round(f1_at(probs, list(y), rows.gold_total, t), 6), -t))
    best_f1 = f1_at(probs, list(y), rows.gold_total, best_t)
    threshold = best_t if best_f1 >= keep_all + MIN_GAIN else 0.0
    final = LogisticRegression(C=best_c, max_iter=2000).fit(x, y)
    brier = float(np.mean((np.array(probs) - y) ** 2))
    return {
        "weights": {name: round(float(w), 6) for name, w in zip(vec.get_feature_names_out(), final.coef_[0])},
        "intercept": round(float(final.intercept_[0]), 6),
        "platt": [round(a, 6), round(b, 6)],
        "threshold": threshold,
        "cv": {"rows": len(y), "positives": int(y.sum()), "gold_total": rows.gold_total, "C": best_c,
               "log_loss_by_C": {str(c): round(v, 4) for c, v in losses.items()},
               "f1_keep_all": round(keep_all, 4), "f1_at_threshold": round(f1_at(probs, list(y), rows.gold_total,
                                                                                   threshold), 4),
               "best_threshold_seen": best_t, "brier_out_of_fold": round(brier, 4)},
    }


def build(corpus: Path, out: Path, settings: Settings | None = None, filter_lists: tuple[str, ...] = ()) -> dict:
    """Train and write the model. Only the lists named in ``filter_lists`` keep their cross-validated
    threshold (rows under it are dropped); the others get threshold 0: a confidence for every row."""
    data = candidate_data(Path(corpus), settings or Settings(n_process=1))
    model = {"about": "Relation classifier (pipeline/relations/confidence.py), built by "
                      "pipeline/training/build_relations.py on the gold corpus named in trained_on.",
             "trained_on": Path(corpus).resolve().name}
    for name in ("signatures", "partnerships"):
        model[name] = fit_part(data[name])
        if name not in filter_lists:
            model[name]["threshold"] = 0.0
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(model, indent=1, sort_keys=True, ensure_ascii=False) + "\n", encoding="utf-8")
    return model


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--corpus", type=Path, default=Path("../shared/corpus/dev"))
    ap.add_argument("--out", type=Path, default=MODELS_DIR / "relations" / "classifier.json")
    ap.add_argument("--filter", nargs="*", default=[], choices=["signatures", "partnerships"],
                    help="lists whose rows under the cross-validated threshold are dropped (default: none; "
                         "the threshold is stored as best_threshold_seen either way)")
    args = ap.parse_args(argv)
    model = build(args.corpus, args.out, filter_lists=tuple(args.filter))
    for name in ("signatures", "partnerships"):
        print(name, json.dumps(model[name]["cv"]), "threshold", model[name]["threshold"])
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
