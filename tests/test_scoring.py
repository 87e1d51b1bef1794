"""Tests of the scorer: hand-worked counts for every matching rule in GOLD_FORMAT.md."""
from __future__ import annotations

import itertools

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from rapidfuzz import fuzz

from pipeline.scoring import (
    LIST_NAMES,
    PRF,
    ArticleScore,
    ItemError,
    aggregate,
    format_table,
    max_weight_assignment,
    normalise_name,
    person_key,
    score_article,
)

BERLIN, PARIS, PRAGUE, DUSSELDORF, ATHENS = 2950159, 2988507, 3067696, 2934246, 264371
ZERO = (0, 0, 0)


def doc(language: str = "de", id: str = "a1", **lists: object) -> dict:
    """An article in gold/prediction shape with only the given lists."""
    return {"id": id, "language": language, **lists}


def counts(score: ArticleScore, name: str) -> tuple[int, int, int]:
    prf = score.lists[name]
    return prf.tp, prf.fp, prf.fn


def sig(party: str, agreement: str, gid: int | None = None, **extra: object) -> dict:
    return {"signatory": party, "geonames_id": gid, "agreement": agreement,
            "agreement_aliases": [], "date": None, "person": None, **extra}


# --------------------------------------------------------------------------- PRF


@pytest.mark.parametrize(
    ("tp", "fp", "fn", "p", "r", "f1"),
    [
        (0, 0, 0, 1.0, 1.0, 1.0),  # nothing to find, nothing predicted
        (0, 3, 0, 0.0, 0.0, 0.0),  # empty gold, predictions: all wrong
        (0, 0, 2, 0.0, 0.0, 0.0),  # empty prediction, gold present
        (0, 1, 1, 0.0, 0.0, 0.0),
        (2, 2, 0, 0.5, 1.0, 2 / 3),
        (3, 1, 2, 0.75, 0.6, 2 * 0.75 * 0.6 / 1.35),
    ],
)
def test_prf_zero_division_policy(tp: int, fp: int, fn: int, p: float, r: float, f1: float) -> None:
    prf = PRF(tp, fp, fn)
    assert (prf.precision, prf.recall) == (p, r)
    assert prf.f1 == pytest.approx(f1)


def test_prf_add_merges_counts() -> None:
    assert PRF(1, 2, 3) + PRF(4, 5, 6) == PRF(5, 7, 9)
    assert sum([PRF(1, 0, 0), PRF(0, 1, 0)], PRF()) == PRF(1, 1, 0)


# --------------------------------------------------------------------------- normalisation


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("Düsseldorf", "dusseldorf"),
        ("Integrating-Cities-Charter", "integrating cities charter"),
        ("  ICLEI – Local   Governments ", "iclei local governments"),
        ("B‘90/Die Grünen", "b 90 die grunen"),
        ("Straße", "strasse"),
        ("Łódź", "lodz"),
        ("Hoàn Kiếm", "hoan kiem"),
        ("Städtenetzwerk „Kommunen für biologische Vielfalt“", "stadtenetzwerk kommunen fur biologische vielfalt"),
        (None, ""),
    ],
)
def test_normalise_name(raw: str | None, expected: str) -> None:
    assert normalise_name(raw) == expected


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("Dr. Markus Götz", "markus gotz"),
        ("Prof. Dr. h.c. Klaus Wowereit", "klaus wowereit"),
        ("Frau Franziska Giffey", "franziska giffey"),
        ("Sir Sadiq Khan", "sadiq khan"),
        ("Jane Doe, PhD", "jane doe"),
        ("Drake Bell", "drake bell"),  # 'drake' is not 'dr'
        ("H. C. Andersen", "h c andersen"),  # 'h.c.' only counts after a title
        ("Dr.", "dr"),  # never stripped to nothing
    ],
)
def test_person_key_strips_titles(raw: str, expected: str) -> None:
    assert person_key(raw) == expected


# --------------------------------------------------------------------------- empty sides


def full_gold() -> dict:
    """One required item in every list (signatories: one party)."""
    return doc(
        cities=[{"name": "Prague", "geonames_id": PRAGUE, "country": "CZ"}],
        persons=[{"name": "Markus Götz", "title": "Dr."}],
        organisations=[{"name": "EUROCITIES", "aliases": ["Eurocities"]}],
        dates=["2024-11-20"],
        signatures=[sig("Düsseldorf", "Integrating Cities Charter", DUSSELDORF)],
        partnerships=[{"name": "UNITES", "kind": "project",
                       "members": [{"name": "Athens", "geonames_id": ATHENS}]}],
    )


def test_empty_gold_and_empty_prediction_score_perfect() -> None:
    score = score_article(doc(), doc())
    assert set(score.lists) == set(LIST_NAMES)
    assert all(counts(score, n) == ZERO for n in LIST_NAMES)
    assert all(score.lists[n].f1 == 1.0 for n in LIST_NAMES)
    assert score.errors == ()


def test_empty_gold_with_predictions_is_all_false_positives() -> None:
    pred = full_gold()
    pred["dates"] = ["2024-11-20", "2024"]
    score = score_article(pred, doc())
    assert counts(score, "dates") == (0, 2, 0)
    assert all(counts(score, n) == (0, 1, 0) for n in LIST_NAMES if n != "dates")
    assert all(score.lists[n].f1 == 0.0 for n in LIST_NAMES)
    assert {e.kind for e in score.errors} == {"spurious"}


def test_empty_prediction_is_all_false_negatives() -> None:
    score = score_article(doc(), full_gold())
    assert all(counts(score, n) == (0, 0, 1) for n in LIST_NAMES)
    assert ItemError("a1", "cities", "missed", "Prague (3067696)") in score.errors
    assert ItemError("a1", "signatures", "missed",
                     "Düsseldorf (2934246) | Integrating Cities Charter") in score.errors
    assert ItemError("a1", "partnerships", "missed", "UNITES | Athens (264371)") in score.errors


def test_gold_scored_against_itself_is_perfect() -> None:
    score = score_article(full_gold(), full_gold())
    assert all(counts(score, n) == (1, 0, 0) for n in LIST_NAMES)


# --------------------------------------------------------------------------- optional items


def optional_gold() -> dict:
    return doc(
        cities=[{"name": "Berlin", "geonames_id": BERLIN},
                {"name": "Paris", "geonames_id": PARIS, "optional": True}],
        organisations=[{"name": "ICLEI"}, {"name": "European Union", "aliases": ["EU"], "optional": True}],
        dates=["2024-11-20", {"value": "2024-11", "optional": True}],
    )


def test_optional_items_absent_are_not_missed() -> None:
    pred = doc(cities=[{"name": "Berlin", "geonames_id": BERLIN}], organisations=[{"name": "ICLEI"}],
               dates=["2024-11-20"])
    score = score_article(pred, optional_gold())
    assert [counts(score, n) for n in ("cities", "organisations", "dates")] == [(1, 0, 0)] * 3
    assert score.errors == ()


def test_optional_items_present_count_nowhere() -> None:
    pred = doc(cities=[{"name": "Paris", "geonames_id": PARIS}],
               organisations=[{"name": "EU"}, {"name": "ICLEI"}, {"name": "Foo"}],
               dates=["2024-11"])
    score = score_article(pred, optional_gold())
    assert counts(score, "cities") == (0, 0, 1)
    assert counts(score, "organisations") == (1, 1, 0)  # Foo is the only fp
    assert counts(score, "dates") == (0, 0, 1)
    assert ItemError("a1", "organisations", "spurious", "Foo") in score.errors


def test_prediction_goes_to_required_item_before_optional_one() -> None:
    gold = doc(organisations=[{"name": "European Union", "aliases": ["EU"], "optional": True},
                              {"name": "EU Commission", "aliases": ["EU"]}])
    assert counts(score_article(doc(organisations=[{"name": "EU"}]), gold), "organisations") == (1, 0, 0)


# --------------------------------------------------------------------------- organisations, duplicates


def test_organisation_matches_gold_alias_but_not_predicted_alias() -> None:
    gold = doc(organisations=[{"name": "EUROCITIES", "aliases": ["Eurocities network"]}, {"name": "C40 Cities"}])
    pred = doc(organisations=[{"name": "eurocities-network"}, {"name": "Foo", "aliases": ["C40 Cities"]}])
    score = score_article(pred, gold)
    assert counts(score, "organisations") == (1, 1, 1)


def test_second_prediction_of_same_item_is_false_positive() -> None:
    gold = doc(organisations=[{"name": "ICLEI – Local Governments for Sustainability", "aliases": ["ICLEI"]}],
               persons=[{"name": "Markus Götz"}])
    pred = doc(organisations=[{"name": "ICLEI"}, {"name": "ICLEI – Local Governments for Sustainability"}],
               persons=[{"name": "Markus Götz"}, {"name": "Dr. Markus Götz"}])
    score = score_article(pred, gold)
    assert counts(score, "organisations") == (1, 1, 0)
    assert counts(score, "persons") == (1, 1, 0)


def test_maximum_matching_beats_greedy_order() -> None:
    gold = doc(organisations=[{"name": "Foo", "aliases": ["X"]}, {"name": "Bar", "aliases": ["X"]}])
    pred = doc(organisations=[{"name": "X"}, {"name": "Foo"}])  # greedy would give X to Foo
    assert counts(score_article(pred, gold), "organisations") == (2, 0, 0)


# --------------------------------------------------------------------------- cities, persons


def test_cities_match_by_id_and_by_name_where_gold_id_is_null() -> None:
    gold = doc(cities=[{"name": "Prague", "geonames_id": PRAGUE},
                       {"name": "Friedrichshain-Kreuzberg", "geonames_id": None},
                       {"name": "Berlin", "geonames_id": BERLIN}])
    pred = doc(cities=[{"name": "Prag", "geonames_id": PRAGUE},  # exonym, same id
                       {"name": "friedrichshain kreuzberg", "geonames_id": None},
                       {"name": "Berlin", "geonames_id": None}])  # gold has an id: name is not enough
    score = score_article(pred, gold)
    assert counts(score, "cities") == (2, 1, 1)
    assert ItemError("a1", "cities", "spurious", "Berlin") in score.errors
    assert ItemError("a1", "cities", "missed", "Berlin (2950159)") in score.errors


def test_persons_match_without_titles() -> None:
    gold = doc(persons=[{"name": "Markus Götz", "title": "Dr."}, {"name": "Jane Roe"}])
    pred = doc(persons=[{"name": "Dr. Markus Goetz"}, {"name": "Prof. Jane Roe"}])
    assert counts(score_article(pred, gold), "persons") == (1, 1, 1)  # 'goetz' != 'gotz'


# --------------------------------------------------------------------------- signatures


ABOVE = ("abcdefghijklmnopqrst", "abcdefghijklmnopwxyz")  # token_sort_ratio 80.0
BELOW = ("abcdefghijklmnopqrstuvwx", "abcdefghijklmnopqrszzzzz")  # 79.17


def test_fuzzy_threshold_values() -> None:
    assert fuzz.token_sort_ratio(*ABOVE) == 80.0
    assert 79 < fuzz.token_sort_ratio(*BELOW) < 80


@pytest.mark.parametrize(("pair", "expected"), [(ABOVE, (1, 0, 0)), (BELOW, (0, 1, 1))])
def test_agreement_fuzzy_match_at_threshold(pair: tuple[str, str], expected: tuple[int, int, int]) -> None:
    gold = doc(signatures=[sig("Berlin", pair[0].upper(), BERLIN)])
    pred = doc(signatures=[sig("Berlin", pair[1], BERLIN)])
    assert counts(score_article(pred, gold), "signatures") == expected


def test_agreement_matches_gold_alias_and_word_order() -> None:
    gold = doc(signatures=[sig("Berlin", "Integrating Cities Charter", BERLIN,
                               agreement_aliases=["Charta der integrierenden Städte"])])
    pred = doc(signatures=[sig("Berlin", "Charta der Integrierenden Staedte", BERLIN),
                           sig("Berlin", "Charter of Integrating Cities", BERLIN)])
    assert counts(score_article(pred, gold), "signatures") == (1, 1, 0)


def test_signature_date_and_person_accuracy() -> None:
    gold = doc(signatures=[
        sig("Düsseldorf", "Charter", DUSSELDORF, date="2024-11-20", person="Markus Götz"),
        sig("Bonn", "Charter", 2946447),
        sig("Köln", "Charter", 2886242, date="2024-11-21", person="Anna Test"),
        sig("Essen", "Charter", 2928810, date="2024-11-22", person="Max Muster"),
    ])
    pred = doc(signatures=[
        sig("Düsseldorf", "Charter", DUSSELDORF, date="2024-11-20", person="Dr. Markus Götz"),
        sig("Bonn", "Charter", 2946447, date="2024-11-20", person="X"),  # gold has no values: not counted
        sig("Köln", "Charter", 2886242, date="2024-11-20"),
    ])  # Essen unmatched: not counted either
    score = score_article(pred, gold)
    assert counts(score, "signatures") == (3, 0, 1)
    assert (score.date_hits, score.date_total, score.person_hits, score.person_total) == (1, 2, 1, 2)


def test_exact_agreement_preferred_over_fuzzy_for_attributes() -> None:
    gold = doc(signatures=[sig("Berlin", "Climate Pact", BERLIN, date="2024-01-01")])
    pred = doc(signatures=[sig("Berlin", "Climate Pakt", BERLIN, date="2023-01-01"),
                           sig("Berlin", "Climate Pact", BERLIN, date="2024-01-01")])
    score = score_article(pred, gold)
    assert (counts(score, "signatures"), score.date_hits, score.date_total) == ((1, 1, 0), 1, 1)
    assert ItemError("a1", "signatures", "spurious", "Berlin (2950159) | Climate Pakt") in score.errors


def test_signatories_match_through_gold_organisation_aliases() -> None:
    gold = doc(organisations=[{"name": "EUROCITIES", "aliases": ["Eurocities network"]}],
               signatures=[sig("EUROCITIES", "Charter"), sig("Düsseldorf", "Charter", DUSSELDORF),
                           sig("Düsseldorf", "Declaration", DUSSELDORF)])
    pred = doc(signatures=[sig("Eurocities Network", "Charter"),
                           sig("Landeshauptstadt Düsseldorf", "Charter", DUSSELDORF),
                           sig("Düsseldorf", "Charter", DUSSELDORF)])  # same id: same party
    score = score_article(pred, gold)
    assert counts(score, "signatories") == (2, 0, 0)
    assert counts(score, "signatures") == (2, 1, 1)  # a second Düsseldorf | Charter is a fp


def test_party_without_predicted_id_matches_by_name() -> None:
    gold = doc(signatures=[sig("Düsseldorf", "Charter", DUSSELDORF)])
    by_name = score_article(doc(signatures=[sig("DÜSSELDORF", "Charter"), sig("düsseldorf", "Charter")]), gold)
    assert counts(by_name, "signatories") == (1, 0, 0)
    assert counts(by_name, "signatures") == (1, 1, 0)
    other_id = score_article(doc(signatures=[sig("Düsseldorf", "Charter", 1)]), gold)
    assert counts(other_id, "signatures") == (0, 1, 1)


def test_optional_rows_make_party_optional_unless_a_required_row_has_it() -> None:
    gold = doc(signatures=[sig("Berlin", "Climate Pact", BERLIN),
                           sig("Berlin", "Housing Declaration", BERLIN, optional=True),
                           sig("Paris", "Housing Declaration", PARIS, optional=True)])
    pred_none = score_article(doc(), gold)
    assert counts(pred_none, "signatories") == (0, 0, 1)
    assert counts(pred_none, "signatures") == (0, 0, 1)
    pred = doc(signatures=[sig("Berlin", "Housing Declaration", BERLIN),
                           sig("Paris", "Housing Declaration", PARIS)])
    score = score_article(pred, gold)
    assert counts(score, "signatories") == (1, 0, 0)
    assert counts(score, "signatures") == (0, 0, 1)


def test_only_signed_rows_are_scored() -> None:
    gold = doc(signatures=[sig("Berlin", "Pact", BERLIN)])
    planned = doc(signatures=[sig("Berlin", "Pact", BERLIN, status="planned")])
    signed = doc(signatures=[sig("Berlin", "Pact", BERLIN, status="signed")])
    assert counts(score_article(planned, gold), "signatures") == (0, 0, 1)
    assert counts(score_article(planned, gold), "signatories") == (0, 0, 1)
    assert counts(score_article(signed, gold), "signatures") == (1, 0, 0)


# --------------------------------------------------------------------------- partnerships


def twinning(name: str, *members: tuple[str, int], kind: str = "twinning") -> dict:
    return {"name": name, "kind": kind, "members": [{"name": n, "geonames_id": g} for n, g in members]}


def test_any_twinning_matches_any_twinning() -> None:
    gold = doc(partnerships=[twinning("Städtepartnerschaft Berlin–Paris", ("Berlin", BERLIN), ("Paris", PARIS))])
    same_kind = doc(partnerships=[twinning("Sister cities", ("Berlin", BERLIN), ("Paris", PARIS))])
    other_kind = doc(partnerships=[twinning("Sister cities", ("Berlin", BERLIN), ("Paris", PARIS), kind="project")])
    assert counts(score_article(same_kind, gold), "partnerships") == (2, 0, 0)
    assert counts(score_article(other_kind, gold), "partnerships") == (0, 2, 2)


def test_partnership_pairs_with_aliases_and_optional_members() -> None:
    gold = doc(organisations=[{"name": "EUROCITIES", "aliases": ["Eurocities network"]}],
               partnerships=[
                   {"name": "UNITES", "aliases": ["Urban Integration Strategies Through Co-design"],
                    "kind": "project",
                    "members": [{"name": "Athens", "geonames_id": ATHENS}, {"name": "EUROCITIES"},
                                {"name": "Foo", "optional": True}, {"name": "Lyon", "geonames_id": 2996944}]},
                   {"name": "Side network", "kind": "network", "optional": True,
                    "members": [{"name": "Bar"}]},
               ])
    pred = doc(partnerships=[
        {"name": "Urban integration strategies through co-design", "kind": "network",
         "members": [{"name": "Athina", "geonames_id": ATHENS}, {"name": "Eurocities Network"},
                     {"name": "Foo"}, {"name": "Baz"}]},
        {"name": "Side network", "members": [{"name": "Bar"}]},
    ])
    score = score_article(pred, gold)
    assert counts(score, "partnerships") == (2, 1, 1)  # Baz spurious, Lyon missed
    assert ItemError("a1", "partnerships", "missed", "UNITES | Lyon (2996944)") in score.errors


# --------------------------------------------------------------------------- aggregation


def test_aggregate_micro_averages_per_language() -> None:
    de = score_article(doc(cities=[{"name": "Berlin", "geonames_id": BERLIN}, {"name": "X", "geonames_id": 1}]),
                       doc(cities=[{"name": "Berlin", "geonames_id": BERLIN}]))
    en = score_article(doc(language="en", id="a2"),
                       doc(language="en", id="a2", cities=[{"name": "Paris", "geonames_id": PARIS},
                                                           {"name": "Prague", "geonames_id": PRAGUE}]))
    fr = score_article(doc(language="fr", id="a3", cities=[{"name": "Paris", "geonames_id": PARIS}]),
                       doc(language="fr", id="a3", cities=[{"name": "Paris", "geonames_id": PARIS}]))
    agg = aggregate([de, en, fr])
    cities = agg["lists"]["cities"]
    assert agg["n_articles"] == 3
    assert agg["articles"] == {"all": 3, "de": 1, "en": 1, "fr": 1}
    assert (cities["all"]["tp"], cities["all"]["fp"], cities["all"]["fn"]) == (2, 1, 2)
    assert (cities["all"]["p"], cities["all"]["r"]) == (2 / 3, 0.5)  # micro, not the mean of p
    assert (cities["de"]["p"], cities["de"]["r"]) == (0.5, 1.0)
    assert (cities["en"]["p"], cities["en"]["r"], cities["en"]["f1"]) == (0.0, 0.0, 0.0)
    assert cities["fr"]["f1"] == 1.0


def test_aggregate_signature_accuracy_per_group_and_none_without_gold_values() -> None:
    gold_de = doc(signatures=[sig("Berlin", "Pact", BERLIN, date="2024-01-01", person="Kai Wegner")])
    pred_de = doc(signatures=[sig("Berlin", "Pact", BERLIN, date="2024-01-02", person="Kai Wegner")])
    gold_en = doc(language="en", id="a2", signatures=[sig("Leeds", "Oath", 2644688)])
    agg = aggregate([score_article(pred_de, gold_de), score_article(gold_en, gold_en)])
    signatures = agg["lists"]["signatures"]
    assert (signatures["all"]["date_accuracy"], signatures["all"]["person_accuracy"]) == (0.0, 1.0)
    assert (signatures["en"]["date_accuracy"], signatures["en"]["person_accuracy"]) == (None, None)
    assert "date_accuracy" not in agg["lists"]["cities"]["all"]


def test_aggregate_of_nothing_keeps_all_groups() -> None:
    agg = aggregate([])
    assert agg["n_articles"] == 0
    assert list(agg["lists"]) == list(LIST_NAMES)
    assert list(agg["lists"]["cities"]) == ["all", "de", "en"]


def test_format_table_lists_every_list_and_group() -> None:
    agg = aggregate([score_article(full_gold(), full_gold())])
    table = format_table(agg)
    assert all(name in table for name in LIST_NAMES)
    assert "all (n=1)" in table and "de (n=1)" in table and "en (n=0)" in table
    assert "signature date accuracy" in table and "n/a" in table
    assert table.splitlines()[2].startswith("cities")


# --------------------------------------------------------------------------- loader robustness


def awkward_gold() -> dict:
    """Every shape GOLD_FORMAT allows, plus missing and null keys."""
    return {
        "id": "awkward", "language": "en", "url": None, "published": None,
        "cities": [{"name": "Friedrichshain-Kreuzberg", "geonames_id": None, "country": "DE"},
                   {"name": "Paris", "geonames_id": PARIS, "optional": True}, "Prague"],
        "persons": None,
        "organisations": [{"name": "ICLEI"}, {"name": "EU", "aliases": None, "optional": True}],
        "dates": ["2024", {"value": "2024-11", "optional": True}, {"value": "2024-12"}],
        "signatures": [{"signatory": "ICLEI", "agreement": "Pact"},  # no id, aliases, date, person keys
                       {"signatory": "Paris", "geonames_id": PARIS, "agreement": "Pact", "optional": True}],
        "partnerships": [{"name": "Net", "kind": "network",
                          "members": [{"name": "ICLEI"}, {"name": "Paris", "geonames_id": PARIS, "optional": True}]},
                         {"name": "Empty", "members": None}],
        # no "signatures_extra", unknown keys ignored
    }


def test_loader_tolerates_every_optional_shape() -> None:
    gold = awkward_gold()
    self_score = score_article(gold, gold)
    assert all(self_score.lists[n].f1 == 1.0 for n in LIST_NAMES), self_score.lists
    assert counts(self_score, "cities") == (2, 0, 0)
    assert counts(self_score, "dates") == (2, 0, 0)
    empty = score_article({}, gold)
    assert counts(empty, "cities") == (0, 0, 2)
    assert counts(empty, "organisations") == (0, 0, 1)
    assert counts(empty, "signatories") == (0, 0, 1)
    assert counts(empty, "partnerships") == (0, 0, 1)
    assert counts(empty, "persons") == ZERO
    assert empty.article_id == "awkward" and empty.language == "en"


def test_prediction_geonames_id_as_string_and_missing_lists() -> None:
    pred = {"cities": [{"name": "Paris", "geonames_id": str(PARIS)}]}
    score = score_article(pred, doc(cities=[{"name": "Paris", "geonames_id": PARIS}]))
    assert counts(score, "cities") == (1, 0, 0)


# --------------------------------------------------------------------------- assignment


@settings(max_examples=150, deadline=None)
@given(st.integers(1, 5).flatmap(lambda n: st.lists(st.lists(st.integers(0, 9), min_size=n, max_size=n),
                                                    min_size=n, max_size=n)))
def test_assignment_is_optimal(weights: list[list[int]]) -> None:
    n = len(weights)
    chosen = max_weight_assignment(weights)
    assert sorted(chosen) == list(range(n))
    best = max(sum(weights[i][p[i]] for i in range(n)) for p in itertools.permutations(range(n)))
    assert sum(weights[i][chosen[i]] for i in range(n)) == best


def test_project_names_and_their_bracketed_long_forms_are_no_organisations():
    from pipeline.lists import finalise, gold_shape, project_names
    from pipeline.records import Article, ArticleResult, Mention, Partnership
    text = "+SampleChange (Positive Sample ExChange) ends. Example Energy and the project partners met."
    art = Article(id="a", source="t", url=None, title="", text=text, published=None, language="en")
    part = Partnership("a", "+SampleChange", "project", "Example Energy", None, "org", None, None, None, text, 0, 10)
    ms = [Mention("ORG", n, text.index(n), text.index(n) + len(n), org=n)
          for n in ("SampleChange", "Positive Sample ExChange", "Example Energy")]
    result = ArticleResult(art, ms, [], [part])
    assert project_names(result) == {"samplechange", "positive sample exchange"}
    assert [o["name"] for o in gold_shape(finalise(result))["organisations"]] == ["Example Energy"]
    assert [m.listed for m in finalise(result).mentions] == [False, False, True]
