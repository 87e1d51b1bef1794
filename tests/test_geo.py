"""Tests for pipeline.geo: gazetteer lookup, admin forms, evidence-based disambiguation, stop words.

All texts are written for these tests. The resolver (and its cached index) is loaded once per session.
"""
from __future__ import annotations

import pytest

from pipeline.geo import CityMatch, CityResolver, GeoContext, fold
from pipeline.records import City

BERLIN, PANKOW, MITTE, PRAGUE, ATHENS_GR = 2950159, 2855598, 6545310, 3067696, 264371


@pytest.fixture(scope="session")
def resolver() -> CityResolver:
    return CityResolver.load()


def ids(matches: list[CityMatch]) -> list[int | None]:
    return [m.city.geonames_id for m in matches]


def names(matches: list[CityMatch]) -> set[str]:
    return {m.city.name for m in matches}


def test_fold_strips_case_diacritics_and_dashes():
    assert fold("  Hoàn  Kiếm ") == "hoan kiem"
    assert fold("Treptow–Köpenick") == "treptow-kopenick"


def test_fold_equals_the_plain_definition_on_every_code_point():
    """fold's fast paths (ASCII, a translate table for combining marks, str.split for white space) give
    what NFKD, dropping combining marks, collapsing \\s+ and case-folding give, for every code point."""
    import re
    import unicodedata

    from pipeline.geo import _TRANSLATE

    def plain(text: str) -> str:
        text = unicodedata.normalize("NFKD", text.translate(_TRANSLATE))
        text = "".join(ch for ch in text if not unicodedata.combining(ch))
        return re.sub(r"\s+", " ", text).strip().casefold()

    chars = [chr(c) for c in range(0x110000) if not 0xD800 <= c <= 0xDFFF]
    assert [c for c in chars if fold(f" Ab{c}c\u0301 {c}") != plain(f" Ab{c}c\u0301 {c}")] == []
    for text in ("Łódź  –  Ústí nad Labem", "São\u2009Paulo\n", "ﬁnal Straße", "  ", ""):
        assert fold(text) == plain(text)


def test_suffix_after_takes_the_first_listed_suffix_that_is_a_whole_word():
    from pipeline.geo import _suffix_after
    text = "Leeds-City-Council said"
    assert _suffix_after(text, 5, ("city-council", "city")) == "city-council"
    assert _suffix_after(text, 5, ("city", "city-council")) == "city"
    assert _suffix_after("Leeds-Citywide", 5, ("city",)) == ""
    assert _suffix_after("Lyon-Métropole", 4, ("metropole",)) == "metropole"
    assert _suffix_after("Lyon-Métropole", 4, ()) == ""


def test_load_is_cached(resolver):
    assert CityResolver.load() is resolver


@pytest.mark.parametrize("name,expected", [
    ("Prag", PRAGUE), ("Saragossa", 3104324), ("Mailand", 3173435), ("Kiew", 703448),
    ("Kyjiw", 703448), ("Windhuk", 3352136), ("Tokio", 1850147), ("Athen", ATHENS_GR)])
def test_german_exonyms_resolve(resolver, name, expected):
    city = resolver.resolve(name, "de", GeoContext(lang="de"))
    assert city is not None and city.geonames_id == expected


@pytest.mark.parametrize("mention,expected", [
    ("Landeshauptstadt Düsseldorf", 2934246), ("Stadt Dortmund", 2935517), ("Comune di Bologna", 3181928),
    ("City of Vilnius", 593116), ("Land Berlin", BERLIN), ("Bezirksamt Pankow", PANKOW),
    ("Berliner Senat", BERLIN), ("der Senat", BERLIN), ("Grenoble-Alpes Métropole", 3014728),
    ("Grenoble Alpes Métropole", 3014728), ("Düsseldorfs", 2934246), ("Frankfurt am Main", 2925533),
    ("Frankfurt (Oder)", 2925535)])
def test_admin_forms_resolve_to_the_city(resolver, mention, expected):
    city = resolver.resolve(mention, "de" if "City" not in mention else "en", GeoContext())
    assert city is not None and city.geonames_id == expected, city


def test_unit_missing_from_geonames_is_kept_by_name(resolver):
    city = resolver.resolve("Bezirksamt Friedrichshain-Kreuzberg", "de", GeoContext())
    assert city == City("Friedrichshain-Kreuzberg", None, "DE", city.rule)


def test_countries_and_regions_are_not_cities(resolver):
    text = "Deutschland, Frankreich und Baden-Württemberg unterstützen das Projekt in Brandenburg."
    assert resolver.find_cities(text, "de") == []


def test_region_named_nearby_picks_the_right_berkeley(resolver):
    text = "Die Stadt kooperiert mit der University of California in Berkeley, Kalifornien."
    found = resolver.find_cities(text, "de")
    assert ids(found) == [5327684]
    assert "region-named" in found[0].city.rule


def test_population_is_the_last_prior(resolver):
    text = "Delegations from Athens, Lisbon and Vienna met in Brussels."
    assert ATHENS_GR in ids(resolver.find_cities(text, "en"))


def test_other_cities_are_evidence_for_a_district(resolver):
    text = "Die Bezirke Lichtenberg und Pankow unterzeichnen mit dem Land Berlin eine Vereinbarung."
    found = resolver.find_cities(text, "de")
    assert ids(found) == [2878102, PANKOW, BERLIN]


def test_genitive_and_adjective_forms(resolver):
    text = "Die Rolle Düsseldorfs wächst. Der Erfurter Stadtrat tagt."
    assert ids(resolver.find_cities(text, "de")) == [2934246, 2929670]


def test_berliner_alone_is_not_berlin(resolver):
    assert resolver.find_cities("Die Berliner Gartenfreunde feiern ihr Sommerfest.", "de") == []


def test_mitte_only_as_the_berlin_borough(resolver):
    assert resolver.find_cities("Mitte Juni beginnt in der Mitte des Platzes der Umbau.", "de") == []
    found = resolver.find_cities("Die Bezirke Pankow, Mitte und Spandau in Berlin.", "de")
    assert MITTE in ids(found)


@pytest.mark.parametrize("text,lang", [
    ("Wir essen gemeinsam. Essen und Trinken gibt es im Hof.", "de"),
    ("The Wedding was nice. Reading is fun. Nice work on the Mobile app, said the Union.", "en"),
    ("Die Kita und die Schulen bleiben offen. Die Tür ist zu.", "de"),
])
def test_common_words_are_not_cities(resolver, text, lang):
    assert resolver.find_cities(text, lang) == []


def test_stop_word_with_admin_form_is_a_city(resolver):
    assert ids(resolver.find_cities("Die Stadt Essen hat unterschrieben.", "de")) == [2928810]


def test_person_names_are_not_cities(resolver):
    text = "Mayor Taylor thanked Morris Miller and Patricia de Lille for their work in London."
    assert names(resolver.find_cities(text, "en")) == {"London"}


def test_ner_person_span_vetoes_a_name_part(resolver):
    text = "Councillor Jonathan Pryor spoke in Leeds."
    spans = [(11, 25, "PERSON")]
    assert names(resolver.find_cities(text, "en", spans)) == {"Leeds"}


def test_ner_place_span_adds_candidates(resolver):
    text = "Visitors came from Glasgow City Council."
    found = resolver.find_cities(text, "en", [(19, 39, "ORG")])
    assert ids(found) == [2648579]


def test_matches_are_sorted_non_overlapping_and_point_into_text(resolver):
    text = "Die Partnerschaft Berlin-Tempelhof und Frankfurt am Main, dazu Neumarkt i.d.OPf."
    found = resolver.find_cities(text, "de")
    assert [m.start for m in found] == sorted(m.start for m in found)
    assert all(a.end <= b.start for a, b in zip(found, found[1:]))
    assert all(text[m.start:m.end] == m.text for m in found)
    assert {"Berlin", "Tempelhof", "Frankfurt am Main", "Neumarkt in der Oberpfalz"} <= names(found)


def test_rule_records_evidence(resolver):
    found = resolver.find_cities("In Pankow und Berlin.", "de")
    assert all(m.city.rule for m in found)
    assert "berlin-context" in found[0].city.rule


def test_publisher_country_prior(resolver):
    ctx_de = GeoContext(text="", lang="en", publisher_country="DE")
    assert resolver.resolve("Frankfurt", "en", ctx_de).geonames_id == 2925533
