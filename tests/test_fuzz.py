"""Property-based tests: the normalisers and the extractor never raise on any input, and the
normalisers are idempotent where that makes sense (a normalised value normalises to itself)."""
from __future__ import annotations

import os
import re

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from pipeline.dates import find_dates, normalise_date
from pipeline.extract import decode_text, extract_article
from pipeline.geo import CityResolver
from pipeline.language import with_language
from pipeline.orgs import canonical_org
from pipeline.people import cluster_persons, parse_person
from pipeline.records import PersonName, Source
from pipeline.run import STATUSES

EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "150"))  # FUZZ_EXAMPLES=5000 for a longer search
FUZZ = settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=[HealthCheck.too_slow])
LANGS = st.sampled_from(["de", "en"])
ISO = re.compile(r"\d{4}(-\d{2}(-\d{2})?)?(/\d{4}(-\d{2}(-\d{2})?)?)?")

# Words that steer random text into the normalisers' interesting paths.
DATE_WORDS = ["1.", "4.", "12.", "31.", "2024", "1999", "24", "März", "Juni", "Dezember", "January", "May", "Sept.",
              "bis", "to", "–", "-", "/", "vom", "from", "am", "on", "Anfang", "Ende", "Q3", "2024/25", "12.3.2024",
              "2024-06-04", "29.02.2023", "0.", "99.", "Herbst", "Jahr", "\n", ",", "."]
NAME_WORDS = ["Dr.", "Prof.", "Oberbürgermeisterin", "Mayor", "Cllr", "Lord", "von", "van", "de", "Hans", "Erika",
              "Jane", "Beispiel", "Sample", "Müller-Lüdenscheidt", "(SPD)", ",", "der", "Stadt", "Köln", "of",
              "Leeds", "sagte", "said", "'s", "„", "“", "-", ""]
ORG_WORDS = ["der", "die", "des", "Deutschen", "Deutsche", "Städtetages", "Städtetag", "Rat", "Gemeinden", "Europas",
             "the", "The", "Council", "of", "European", "Cities", "'s", "e.V.", "GmbH", "„", "“", "\"", "(", ")", "-",
             "ICLEI", "Eurocities", "Netzwerk", "Klima-Bündnis", ",", ".", " ", "Stadt", "Berlin"]
CITY_WORDS = ["Stadt", "Landeshauptstadt", "Hansestadt", "Bezirk", "City", "of", "Council", "Berlin", "Köln",
              "Frankfurt", "am", "Main", "Oder", "Halle", "(Saale)", "St.", "Senat", "Kraków", "Wrocław", "Breslau",
              "-", "a.", "d.", "London", "Borough", "Leeds", "Springfield", "Neustadt", "an", "der"]


def phrases(words: list[str]) -> st.SearchStrategy[str]:
    """Random text mixed with words that exercise the rules."""
    token = st.one_of(st.sampled_from(words), st.text(max_size=8))
    return st.lists(token, max_size=12).map(" ".join)


# ---------------------------------------------------------------- dates


@FUZZ
@given(text=phrases(DATE_WORDS), lang=LANGS, year=st.one_of(st.none(), st.integers(1, 9999)))
@example(text="29. Februar", lang="de", year=2023)
@example(text="31.12.99 bis 1.1.00", lang="de", year=None)
def test_normalise_date_never_raises_and_is_idempotent(text, lang, year):
    iso = normalise_date(text, lang, year)
    assert iso is None or ISO.fullmatch(iso)
    if iso is not None:
        assert normalise_date(iso, lang, year) == iso


@FUZZ
@given(text=phrases(DATE_WORDS), lang=LANGS, published=st.one_of(st.none(), st.sampled_from(
    ["2024-06-04", "2024", "not a date", "", "9999-12-31", "0001-01-01", "2024-02-30"])))
def test_find_dates_never_raises_and_spans_match_the_text(text, lang, published):
    for span in find_dates(text, lang, published):
        assert text[span.start:span.end] == span.text and ISO.fullmatch(span.iso)


# ---------------------------------------------------------------- people


SURNAMES = st.from_regex(r"[A-ZÄÖÜ][a-zäöüß]{2,9}(-[A-Z][a-z]{2,8})?", fullmatch=True)
NAME_SPANS = st.tuples(
    st.sampled_from(["", "Oberbürgermeisterin ", "Bürgermeister ", "Mayor ", "Cllr ", "Lord Mayor "]),
    st.sampled_from(["", "Dr. ", "Prof. Dr. ", "Prof. "]),
    st.sampled_from(["Hans", "Erika", "Jane", "Jan", "Ayşe", "Zoë"]),
    st.sampled_from(["", " von", " van der", " de"]),
    SURNAMES,
).map(lambda t: f"{t[0]}{t[1]}{t[2]}{t[3]} {t[4]}")


@FUZZ
@given(span=phrases(NAME_WORDS), left=phrases(NAME_WORDS), right=phrases(NAME_WORDS), lang=LANGS)
def test_parse_person_never_raises(span, left, right, lang):
    sentence = f"{left} {span} {right}"
    assert isinstance(parse_person(span, sentence, len(left) + 1, lang), PersonName)


@FUZZ
@given(span=NAME_SPANS, lang=LANGS)
def test_parse_person_name_is_idempotent(span, lang):
    name = parse_person(span, f"{span} sagte", 0, lang).name
    assert name and parse_person(name, name, 0, lang).name == name


@pytest.mark.xfail(strict=True, reason="people.parse_person: a name left over from a non-name span changes when "
                                       "parsed again ('de - Hans' -> '- Hans' -> 'Hans'; known gap, see README)")
@FUZZ
@given(span=phrases(NAME_WORDS), lang=LANGS)
@example(span="de - Hans", lang="de")
@example(span="Oberbürgermeisterin Hans Hans Hans Dr.", lang="de")
def test_parse_person_is_idempotent_on_any_span(span, lang):
    name = parse_person(span, span, 0, lang).name
    assert not name or parse_person(name, name, 0, lang).name == name


PERSONS = st.builds(PersonName, name=phrases(NAME_WORDS), title=st.sampled_from([None, "Dr.", "Prof. Dr."]),
                    role=st.sampled_from([None, "Oberbürgermeisterin", "Mayor"]), affiliation=st.none())


@FUZZ
@given(mentions=st.lists(PERSONS, max_size=8))
def test_cluster_persons_never_raises_and_is_idempotent(mentions):
    clustered = cluster_persons(mentions)
    assert len(clustered) <= len(mentions)
    assert cluster_persons(clustered) == clustered


# ---------------------------------------------------------------- organisations


@FUZZ
@given(span=phrases(ORG_WORDS), lang=LANGS)
def test_canonical_org_never_raises(span, lang):
    assert isinstance(canonical_org(span, lang), str)


@FUZZ
@given(span=phrases(ORG_WORDS), lang=LANGS)
@example(span="(Eurocities).", lang="en")
@example(span="Netzwerk „ Gesunde Städte “", lang="de")
def test_canonical_org_is_idempotent(span, lang):
    name = canonical_org(span, lang)
    assert canonical_org(name, lang) == name


# ---------------------------------------------------------------- cities


@pytest.fixture(scope="session")
def cities() -> CityResolver:
    return CityResolver.load()


@FUZZ
@given(name=phrases(CITY_WORDS), lang=LANGS)
def test_city_resolve_never_raises(cities, name, lang):
    city = cities.resolve(name, lang)
    assert city is None or (city.name and city.country)


@FUZZ
@given(name=st.sampled_from(["Berlin", "Köln", "Frankfurt am Main", "Halle (Saale)", "Kraków", "Breslau", "Leeds",
                             "Neustadt an der Weinstraße", "Mülheim an der Ruhr", "Springfield"]),
       form=st.sampled_from(["{}", "Stadt {}", "Landeshauptstadt {}", "Hansestadt {}", "City of {}", "{} City Council",
                             "die Stadt {}", "Bezirk {}"]), lang=LANGS)
def test_city_forms_resolve_to_one_place_idempotently(cities, name, form, lang):
    city = cities.resolve(form.format(name), lang)
    if city is not None:
        again = cities.resolve(city.name, lang)
        assert again is not None and again.geonames_id == city.geonames_id


@pytest.mark.xfail(strict=True, reason="geo.CityResolver.resolve: 'London City' -> City of London (2643741), whose "
                                       "name 'City of London' resolves to London (2643743) (known gap, see README)")
@FUZZ
@given(name=phrases(CITY_WORDS), lang=LANGS)
@example(name="London City", lang="de")
def test_city_resolve_is_idempotent_on_any_text(cities, name, lang):
    city = cities.resolve(name, lang)
    if city is not None:
        again = cities.resolve(city.name, lang)
        assert again is not None and again.geonames_id == city.geonames_id


# ---------------------------------------------------------------- extraction


def extract(tmp_path_factory, name: str, data: bytes):
    path = tmp_path_factory.mktemp("fuzz") / name
    path.write_bytes(data)
    article = extract_article(Source(path.stem, str(path), path=str(path)))
    return with_language(article, ("de", "en"), min_chars=200, min_prob=0.5)


def assert_clean(article) -> None:
    assert article.status in STATUSES
    assert article.status == "ok" or (article.error and "\n" not in article.error)
    assert not re.search(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]", article.text)


@FUZZ
@given(data=st.binary(max_size=4000), suffix=st.sampled_from([".html", ".txt", ".htm"]))
def test_extractor_on_random_bytes(tmp_path_factory, data, suffix):
    assert isinstance(decode_text(data), str)
    assert_clean(extract(tmp_path_factory, f"random{suffix}", data))


TAGS = ["html", "head", "body", "title", "article", "main", "div", "p", "h1", "nav", "footer", "script", "style",
        "table", "td", "a", "b", "i", "span", "br", "meta", "!--", "![CDATA[", "?xml", "!doctype html"]
HTML_PIECES = st.one_of(
    st.sampled_from(TAGS).map(lambda t: f"<{t}>"), st.sampled_from(TAGS).map(lambda t: f"</{t}>"),
    st.sampled_from(['<meta charset="iso-8859-1">', '<meta charset="utf-16">', '<meta charset="rot13">',
                     '<meta charset="no-such">', "&amp;", "&uuml;", "&#0;", "&#x110000;", "&#xD800;", "&bogus;",
                     "<p class='a\"b>", "<", ">", "]]>", "-->"]),
    st.text(max_size=40),
    st.sampled_from(["Der Bezirk Pankow hat die Charta der Vielfalt unterzeichnet. ",
                     "The City of Leeds signed the Covenant of Mayors on 12 March 2024. "]),
)


@FUZZ
@given(pieces=st.lists(HTML_PIECES, max_size=60), encoding=st.sampled_from(["utf-8", "cp1252", "utf-16"]))
def test_extractor_on_random_html(tmp_path_factory, pieces, encoding):
    data = "".join(pieces).encode(encoding, errors="replace")
    assert_clean(extract(tmp_path_factory, "random.html", data))
