"""The learned decision on relation rows: features, the JSON model, labels and training (invented data)."""
from __future__ import annotations

import json

import pytest

from pipeline.records import Article, City, Mention, Partnership, Signature
from pipeline.relations.confidence import ArticleView, decide, load_model, probability, signature_features
from pipeline.scoring import row_labels
from pipeline.training.build_relations import Rows, f1_at, fit_part

TEXT = ("Exampletown signs climate charter\n"
        "The city of Exampletown signed the Climate Charter on Monday. Mayor Jane Doe said the city will "
        "also join a network next year.")


def article() -> Article:
    return Article(id="a", source="t", url=None, title="", text=TEXT, published="2024-05-06", language="en")


def city_mentions() -> list[Mention]:
    city = City("Exampletown", 1, "DE")
    out, at = [], -1
    while (at := TEXT.find("Exampletown", at + 1)) >= 0:
        out.append(Mention("CITY", "Exampletown", at, at + 11, city=city))
    return out


def sig(status: str = "signed") -> Signature:
    start = TEXT.index("The city")
    end = TEXT.index("Monday.") + 7
    return Signature("a", "Exampletown", 1, "city", "Climate Charter", None, None, None, None, status,
                     TEXT[start:end], start, end)


def test_signature_features_describe_the_sentence_and_the_party():
    f = signature_features(ArticleView(article(), city_mentions()), sig(), [sig()])
    assert f["in_sentence"] == 1.0 and f["in_headline"] == 1.0 and f["sign_verb"] == 1.0
    assert f["doc_charter"] == 1.0 and f["is_city"] == 1.0 and f["is_top_city"] == 1.0
    assert f["evidence_is_headline"] == 0.0 and f["before_verb"] == 1.0 and f["future"] == 0.0


MODEL = {"signatures": {"weights": {"in_sentence": 2.0, "sign_verb": 1.0}, "intercept": -2.5, "platt": [1.0, 0.0],
                        "threshold": 0.6},
         "partnerships": {"weights": {}, "intercept": 0.0, "platt": [1.0, 0.0], "threshold": 0.0}}


def test_probability_is_the_platt_scaled_logistic_score():
    assert probability(MODEL["signatures"], {"in_sentence": 1.0, "sign_verb": 1.0}) == pytest.approx(1 / (1 + 2.718281828 ** -0.5))


def test_decide_drops_signed_rows_under_the_threshold_and_keeps_planned_ones():
    weak = Signature("a", "Othertown", None, "city", "Climate Charter", None, None, None, None, "signed",
                     "Mayor Jane Doe said", 100, 119)
    planned = sig("planned")
    part = Partnership("a", "Net", "network", "Exampletown", 1, "city", None, None, None, "x", 0, 5)
    sigs, parts = decide(article(), city_mentions(), [sig(), weak, planned], [part], model=MODEL)
    assert [s.signatory for s in sigs] == ["Exampletown", "Exampletown"]
    assert [s.status for s in sigs] == ["signed", "planned"] and all(0 < s.confidence < 1 for s in sigs)
    assert parts[0].confidence == 0.5


def test_decide_without_a_model_keeps_every_row(tmp_path):
    assert load_model(str(tmp_path / "none.json")) is None
    assert decide(article(), [], [sig()], [], model={}) == ([sig()], [])


def test_row_labels_follow_the_one_to_one_matching():
    gold = {"id": "a", "signatures": [
        {"signatory": "Exampletown", "geonames_id": 1, "agreement": "Climate Charter"},
        {"signatory": "Othertown", "geonames_id": 2, "agreement": "Climate Charter", "optional": True}]}
    pred = {"id": "a", "signatures": [
        {"signatory": "Exampletown", "geonames_id": 1, "agreement": "Climate Charter", "status": "signed"},
        {"signatory": "Exampletown", "geonames_id": 1, "agreement": "Climate Charter", "status": "signed"},
        {"signatory": "Othertown", "geonames_id": 2, "agreement": "Charter on Climate", "status": "signed"}]}
    assert row_labels(pred, gold, "signatures") == [1, 0, None]


def test_f1_counts_gold_that_no_candidate_proposes_as_missed():
    assert f1_at([0.9, 0.2], [1, 0], gold_total=2, threshold=0.5) == pytest.approx(2 / 3)
    assert f1_at([0.9, 0.2], [1, 0], gold_total=2, threshold=0.0) == pytest.approx(0.5)


def test_fit_part_learns_a_separating_feature_and_a_threshold_that_helps():
    rows = Rows()
    for i in range(60):
        good = i % 3 != 0
        rows.features.append({"cue": float(good), "noise": float(i % 2)})
        rows.labels.append(int(good))
        rows.groups.append(f"art{i % 12}")
    rows.gold_total = 45
    part = fit_part(rows)
    assert part["weights"]["cue"] > 1.0 and abs(part["weights"]["noise"]) < part["weights"]["cue"]
    assert part["threshold"] > 0 and part["cv"]["f1_at_threshold"] > part["cv"]["f1_keep_all"]
    json.dumps(part)  # plain JSON


def test_the_shipped_model_is_complete():
    model = load_model()
    assert model is not None
    for name in ("signatures", "partnerships"):
        part = model[name]
        assert part["weights"] and len(part["platt"]) == 2 and 0.0 <= part["threshold"] < 1.0
        assert part["cv"]["rows"] > 50
