"""The baselines reported beside the system are real (and deliberately naive)."""
from __future__ import annotations

import pytest

from pipeline.baselines import first_hit_cities, relation_baseline
from pipeline.geo import CityResolver
from pipeline.records import Article, ArticleResult, City, Mention


@pytest.fixture(scope="module")
def resolver():
    return CityResolver.load()


def test_first_hit_takes_the_most_populous_place_without_evidence(resolver):
    found = {c["name"]: c["country"] for c in first_hit_cities("Die Stadt Paris und Essen.", resolver)}
    assert found.get("Paris") == "FR"
    assert "Essen" in found  # no stop list: the common word becomes a city, unlike in the system


def test_relation_baseline_signs_every_city_of_a_signing_sentence():
    text = "Titel\nKöln und Bonn unterzeichnen die Charta für Vielfalt in Berlin."
    cities = [Mention("CITY", w, text.index(w), text.index(w) + len(w), city=City(w, i, "DE"))
              for w, i in (("Köln", 2886242), ("Bonn", 2946447), ("Berlin", 2950159))]
    result = ArticleResult(Article("t", "t", None, "Titel", text, None, language="de"), cities)
    sigs, parts = relation_baseline(result)
    assert {s["signatory"] for s in sigs} == {"Köln", "Bonn", "Berlin"} and parts == []
    assert {s["agreement"] for s in sigs} == {"Charta für Vielfalt"}
