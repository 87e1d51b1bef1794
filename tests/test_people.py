"""Tests for pipeline.people: parsing person mentions, clustering, plausibility, patterns."""
from __future__ import annotations

import pytest
from conftest import blank_rulers

from pipeline.people import (
    cluster_persons,
    is_plausible_person,
    is_role_word,
    parse_person,
    person_patterns,
)
from pipeline.records import PersonName


def parse_in(span: str, sentence: str, lang: str) -> PersonName:
    """parse_person with the span located in its sentence."""
    start = sentence.index(span)
    return parse_person(span, sentence, start, lang)


PARSE_CASES = [
    # (lang, sentence, span, name, title, role, affiliation)
    ("de", "Die Bezirksbürgermeisterin von Neustadt Erika Beispiel eröffnete den Platz.",
     "Bezirksbürgermeisterin von Neustadt Erika Beispiel", "Erika Beispiel", None,
     "Bezirksbürgermeisterin von Neustadt", "Neustadt"),
    ("de", "Die Bezirksbürgermeisterin von Neustadt Erika Beispiel eröffnete den Platz.",
     "Erika Beispiel", "Erika Beispiel", None, "Bezirksbürgermeisterin von Neustadt", "Neustadt"),
    ("de", "Dr. Hans Probe, Leiter der Abteilung für Kultur, unterschrieb.",
     "Dr. Hans Probe", "Hans Probe", "Dr.", "Leiter der Abteilung für Kultur", "Abteilung für Kultur"),
    ("de", "„Wir handeln jetzt.“ (Prof. Dr. Jana Test, Bürgermeisterin von Musterhausen, SPD)",
     "Prof. Dr. Jana Test", "Jana Test", "Prof. Dr.", "Bürgermeisterin von Musterhausen", "Musterhausen"),
    ("de", "Das sagte Frau Beispiel am Rande der Sitzung.", "Frau Beispiel", "Beispiel", None, None, None),
    ("de", "Der Senator für Bildung und Sport Karl Muster sagte: „Gut so.“",
     "Karl Muster", "Karl Muster", None, "Senator für Bildung und Sport", None),
    ("de", "Anwesend war die Regierende Bürgermeisterin Petra Probe.",
     "Bürgermeisterin Petra Probe", "Petra Probe", None, "Regierende Bürgermeisterin", None),
    ("de", "Es sprach Maria von der Testen über den Vertrag.", "Maria von der Testen", "Maria von der Testen",
     None, None, None),
    ("en", "Deputy Mayor of Exampleton John Sample signed the charter.", "John Sample", "John Sample",
     None, "Deputy Mayor of Exampleton", "Exampleton"),
    ("en", "Jane Doe, Lord Mayor of Sampleford, welcomed the guests.", "Jane Doe", "Jane Doe", None,
     "Lord Mayor of Sampleford", "Sampleford"),
    ("en", "Cllr Mary Major, Leader of Testbury City Council, said it matters.", "Cllr Mary Major",
     "Mary Major", "Cllr", "Leader of Testbury City Council", "Testbury"),
    ("en", "The plan was backed by Sir Peter Example.", "Sir Peter Example", "Peter Example", "Sir", None, None),
    ("en", "Anna Smith, CEO of Example Energy, said the deal was good.", "Anna Smith", "Anna Smith", None,
     "CEO of Example Energy", "Example Energy"),
]


@pytest.mark.parametrize("lang, sentence, span, name, title, role, affiliation", PARSE_CASES)
def test_parse_person(lang, sentence, span, name, title, role, affiliation):
    person = parse_in(span, sentence, lang)
    assert person == PersonName(name=name, title=title, role=role, affiliation=affiliation)


@pytest.mark.parametrize("lang, sentence, span, name", [
    ("en", "Mayor of Exampleton Tom Testing opened it.", "Exampleton Tom Testing", "Tom Testing"),
    ("en", "The report quoted Karen Sample's team.", "Karen Sample's", "Karen Sample"),
    ("de", "Staatssekretärin Dr. Maren Muster sprach.", "Staatssekretärin Dr. Maren Muster", "Maren Muster"),
])
def test_parse_person_name_only(lang, sentence, span, name):
    assert parse_in(span, sentence, lang).name == name


@pytest.mark.parametrize("word, expected", [
    ("Bezirksstadträtin", True), ("Finanzsenator", True), ("Oberbürgermeisterin", True),
    ("Mayor", True), ("Vice-Mayor", True), ("Councillor", True), ("CEO", True),
    ("Berlin", False), ("Stiftung", False), ("Müller", False), ("stadtrat", False),
])
def test_is_role_word(word, expected):
    assert is_role_word(word) is expected


@pytest.mark.parametrize("lang, name, expected", [
    ("de", "Erika Beispiel", True),
    ("de", "Maria von der Testen", True),
    ("de", "Beispiel", True),
    ("de", "SPD", False),
    ("de", "Klimaschutzvereinbarung", False),
    ("de", "Senatsverwaltung", False),
    ("de", "Berlin 2024", False),
    ("de", "Marktplatz", False),
    ("de", "Finanzsenator", False),
    ("de", "Hamburg", False),
    ("en", "John Sample", True),
    ("en", "Example Declaration", False),
    ("en", "NATO", False),
    ("en", "City Council", False),
    ("en", "the mayor", False),
    ("en", "London", False),
])
def test_is_plausible_person(lang, name, expected):
    assert is_plausible_person(name, lang) is expected


def test_cluster_merges_surname_and_genitive_mentions():
    mentions = [
        PersonName("Erika Beispiel", role="Bürgermeisterin"),
        PersonName("Hans Probe"),
        PersonName("Beispiel"),
        PersonName("Beispiels"),
        PersonName("Erika Beispiel", title="Dr.", role="Bürgermeisterin von Neustadt", affiliation="Neustadt"),
    ]
    assert cluster_persons(mentions) == [
        PersonName("Erika Beispiel", title="Dr.", role="Bürgermeisterin von Neustadt", affiliation="Neustadt"),
        PersonName("Hans Probe"),
    ]


@pytest.mark.parametrize("mentions, expected_names", [
    ([PersonName("Mary Major"), PersonName("Mary J. Major")], ["Mary J. Major"]),
    ([PersonName("Peter Hoffmann"), PersonName("Peter Hofmann")], ["Peter Hoffmann"]),
    ([PersonName("Anna Kowalski-Nowak"), PersonName("Kowalski")], ["Anna Kowalski-Nowak"]),
    ([PersonName("Klimaschutz"), PersonName("Lara Test")], ["Lara Test"]),
    ([PersonName("Testmann", role="Bezirksbürgermeister")], ["Testmann"]),
    ([PersonName("Beate Sample"), PersonName("Carl Sample")], ["Beate Sample", "Carl Sample"]),
    ([PersonName("Tom Test"), PersonName("Tom")], ["Tom Test"]),
])
def test_cluster_persons_names(mentions, expected_names):
    assert [p.name for p in cluster_persons(mentions)] == expected_names


@pytest.fixture(scope="module")
def rulers():
    """Blank pipelines with only the person patterns."""
    return blank_rulers(person_patterns)


@pytest.mark.parametrize("lang, text, expected", [
    ("de", "Heute sprach Bezirksstadträtin Erika Beispiel im Rathaus.", "Bezirksstadträtin Erika Beispiel"),
    ("de", "Eingeladen hat Dr. Jonas Probe aus Köln.", "Dr. Jonas Probe"),
    ("de", "Auch Katrin Muster-Beispiel war da.", "Katrin Muster-Beispiel"),
    ("de", "Es sprach Prof. Dr. Jonas Probe vom Institut.", "Prof. Dr. Jonas Probe"),
    ("de", "Es sprach Ministerin Dr. Probe-Muster heute.", "Ministerin Dr. Probe-Muster"),
    ("de", "Dabei war Jonas van der Probe aus Köln.", "Jonas van der Probe"),
    ("en", "The Rt Hon Sample Example Person spoke.", "Rt Hon Sample Example Person"),
    ("en", "It was opened by Councillor Sam Sample today.", "Councillor Sam Sample"),
    ("en", "Later, Sarah Example met the press.", "Sarah Example"),
    ("en", "The minister met Stephan von Test yesterday.", "Stephan von Test"),
])
def test_person_patterns_find_names(rulers, lang, text, expected):
    ents = [e.text for e in rulers[lang](text).ents if e.label_ == "PERSON"]
    assert expected in ents


def test_person_patterns_stay_few():
    """The matcher's time grows with patterns x tokens: forms share token sets and counted repeats."""
    for lang in ("de", "en"):
        assert len(person_patterns(lang)) < 60


def test_person_patterns_are_entity_ruler_dicts():
    for lang in ("de", "en"):
        patterns = person_patterns(lang)
        assert patterns and all(p["label"] == "PERSON" and isinstance(p["pattern"], list) for p in patterns)


def test_role_after_a_conjunction_belongs_to_the_next_person():
    sentence = ("Der Oberbürgermeister von Neustadt, Jonas Probe, und die Bürgermeisterin von Altdorf, "
                "Erika Muster, haben die Vereinbarung unterzeichnet.")
    first = parse_in("Jonas Probe", sentence, "de")
    assert first.role == "Oberbürgermeister von Neustadt" and first.affiliation == "Neustadt"
    assert parse_in("Erika Muster", sentence, "de").role == "Bürgermeisterin von Altdorf"


def test_lord_provost_is_a_role_not_a_person():
    from pipeline.people import parse_person
    sentence = "The Lord Provost of Edinburgh, Fiona Strachan, signed."
    assert parse_person("Lord Provost", sentence, 4, "en").name == ""
    fiona = parse_person("Fiona Strachan", sentence, sentence.index("Fiona"), "en")
    assert fiona.name == "Fiona Strachan" and fiona.role == "Lord Provost of Edinburgh"


def test_title_at_finds_the_first_listed_title_as_a_scan_of_all_titles_does():
    from pipeline.people import title_at, titles

    def scan(words, i):
        for form, canonical, kind in titles():
            n = len(form)
            if tuple(words[i:i + n]) == form or tuple(w.rstrip(",") for w in words[i:i + n]) == form:
                return n, canonical, kind
        return None

    cases = [list(form) for form, _, _ in titles()] + [[*form[:-1], form[-1] + ","] for form, _, _ in titles()]
    cases += [[w + "," for w in form] + ["Anna"] for form, _, _ in titles()]
    cases += ["Frau Dr. Anna Schmidt".split(), "Prof., Dr. Jan".split(), "the Lord Mayor of Cork".split(), []]
    for words in cases:
        for i in range(len(words) + 1):
            assert title_at(words, i) == scan(words, i), (words, i)
    assert title_at(["Dr.", "Anna"], 0)[0] == 1
