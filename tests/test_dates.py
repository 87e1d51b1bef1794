"""Tests for the date stage (pipeline.dates). All example sentences are made up for these tests."""
from __future__ import annotations

from datetime import date

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pipeline.dates import DateSpan, day_month, expand_year, find_dates, month_number, normalise_date


def isos(text: str, lang: str, published: str | None = "2024-06-15") -> list[str]:
    """ISO values found in ``text``, in order."""
    return [span.iso for span in find_dates(text, lang, published)]


# ------------------------------------------------------------------ German

DE_CASES = [
    ("Die Charta wurde am 20. November 2024 unterzeichnet.", ["2024-11-20"]),
    ("Unterzeichnet am 20.11.2024 im Rathaus.", ["2024-11-20"]),
    ("Unterzeichnet am 20.11.24 im Rathaus.", ["2024-11-20"]),
    ("Das Treffen findet am 3. März statt.", ["2024-03-03"]),
    ("Das Projekt endete im November 2024.", ["2024-11"]),
    ("Das Projekt startete im Januar 2022.", ["2022-01"]),
    ("Im Jahr 2019 wurde der Verein gegründet.", ["2019"]),
    ("Die Partnerschaft besteht seit 2010.", ["2010"]),
    ("2016 wurde das Gebiet förmlich festgelegt.", ["2016"]),
    ("Die Konferenz fand vom 19. bis 21. November 2024 in Bologna statt.", ["2024-11-19/2024-11-21"]),
    ("Die Tagung: 19.–21. November 2024.", ["2024-11-19/2024-11-21"]),
    ("Das Festival läuft vom 29. – 31. August.", ["2024-08-29/2024-08-31"]),
    ("Das Projekt lief von Januar 2022 bis November 2024.", ["2022-01/2024-11"]),
    ("Die Förderung gilt von 2022 bis 2024.", ["2022/2024"]),
    ("Die Förderperiode 2022–2024 ist beendet.", ["2022/2024"]),
    ("Im Schuljahr 2024/25 gilt die Regel.", ["2024/2025"]),
    ("Der Termin: Montag, 20. November 2023, 10 Uhr.", ["2023-11-20"]),
    ("Die Ausstellung ist vom 21.08.2022 bis zum 25.08.2022 geöffnet.", ["2022-08-21/2022-08-25"]),
    ("Die Ausstellung läuft vom 28. Februar bis 3. März 2025.", ["2025-02-28/2025-03-03"]),
    ("Bis Ende Februar 2029 ist der Vertrag geschlossen.", ["2029-02"]),
    ("Im Sommer 2023 beginnt der Umbau.", ["2023"]),
    ("Die Vereinbarung vom 2024-11-20 gilt.", ["2024-11-20"]),
    ("Ab Juni wird die Strategie erarbeitet.", ["2024-06"]),
    ("Termine: 06.02. und 22.02. jeweils 18 Uhr", ["2024-02-06", "2024-02-22"]),
    ("Die Agenda 2030 der Vereinten Nationen", []),
    ("Die Strategie Europa 2020 ist ausgelaufen.", []),
    ("Gefördert aus dem Programm Horizon 2020.", []),
    ("Die Partnerschaft feiert 30 Jahre Bestehen.", []),
    ("Zum Fest kamen 2000 Menschen auf den Platz.", []),
    ("Die Kosten betragen 1.500 Euro.", []),
    ("Die Adresse lautet Rathausstraße 15, 10117 Berlin.", []),
    ("Die Sitzung beginnt um 10:30 Uhr.", []),
    ("Am Montag trifft sich der Ausschuss, heute tagt der Rat.", []),
    ("Im Rahmen der 11. Integrating-Cities-Konferenz sprach sie.", []),
    ("Telefon: 030 9018 2019", []),
    ("Mehr unter www.berlin.de/presse/2024/mitteilung.php", []),
    ("Mehr als 2019 Anträge gingen ein.", []),
    ("Auf der Grünen Woche 2011 wurde unterzeichnet.", []),
    ("Vorträge am 7. und 28. April 2022 in der Bibliothek.", ["2022-04-07", "2022-04-28"]),
    ("Geschlossen von Mittwoch, 14. Juli bis Freitag, 16. Juli 2021.", ["2021-07-14/2021-07-16"]),
    ("Er war zwischen 1985 und 1990 Direktorin.", ["1985/1990"]),
    ("Die Geschichte aus 1001 Nacht wird erzählt.", []),
    ("Aktenzeichen 23 Sa 1107/22", []),
    ("Der Wert liegt bei 1000 ppm.", []),
]


@pytest.mark.parametrize(("text", "expected"), DE_CASES)
def test_find_dates_german(text: str, expected: list[str]) -> None:
    assert isos(text, "de") == expected


# ------------------------------------------------------------------ English

EN_CASES = [
    ("The charter was signed on 20 November 2024.", ["2024-11-20"]),
    ("The charter was signed on November 20, 2024.", ["2024-11-20"]),
    ("Signed on Nov. 20th, 2024 in Bologna.", ["2024-11-20"]),
    ("Signed on the 20th of November 2024.", ["2024-11-20"]),
    ("The conference runs from 19 to 21 November 2024.", ["2024-11-19/2024-11-21"]),
    ("The conference runs 19-21 November 2024.", ["2024-11-19/2024-11-21"]),
    ("The conference runs November 19–21, 2024.", ["2024-11-19/2024-11-21"]),
    ("The meeting was held on 10 and 11 November 2022.", ["2022-11-10/2022-11-11"]),
    ("Funding was granted between 2022 and 2024.", ["2022/2024"]),
    ("The plan was adopted in March 2023.", ["2023-03"]),
    ("The agreement is dated 12/03/2024.", ["2024-03-12"]),
    ("The US form 11/25/2024 is read month first.", ["2024-11-25"]),
    ("The agreement is dated 2024-11-20.", ["2024-11-20"]),
    ("Work on the declaration began in 2020.", ["2020"]),
    ("The city wants to be carbon neutral by 2030.", ["2030"]),
    ("The two cities have cooperated since 1998.", ["1998"]),
    ("It all begins on December 31st of this year.", ["2023-12-31"]),
    ("The agreement will run until March next year.", ["2024-03"]),
    ("Earlier in the week, on 3 November, a session took place.", ["2023-11-03"]),
    ("The project ran from January 2022 to November 2024.", ["2022-01/2024-11"]),
    ("The programme covers 2021–2027.", ["2021/2027"]),
    ("Published: Friday 6 October 2023", ["2023-10-06"]),
    ("Councillors want the talks wrapped up by May 2024.", ["2024-05"]),
    ("A debate followed in July 2022, and in November the board approved it.", ["2022-07", "2023-11"]),
    ("Funded by the Horizon 2020 research programme.", []),
    ("The Agenda 2030 goals guide the work.", []),
    ("The declaration was presented at COP26.", []),
    ("The partnership celebrates 65 years.", []),
    ("Last week the mayor met residents; today she signs.", []),
    ("More than 2000 people attended.", []),
    ("Call 0113 222 4444 for details.", []),
    ("The team meets at 10:30 on Monday.", []),
    ("The Transportation 2040 plan sets targets.", []),
    ("Tickets cost 1,500 pounds.", []),
    ("The 2nd edition was a success.", []),
    ("The works should finish by mid-2025.", ["2025"]),
    ("Growth since the 1990s is visible.", []),
    ("You may attend if you wish.", []),
]


@pytest.mark.parametrize(("text", "expected"), EN_CASES)
def test_find_dates_english(text: str, expected: list[str]) -> None:
    assert isos(text, "en", "2023-12-06") == expected


# ------------------------------------------------------------------ year context rules


def test_yearless_date_without_publication_takes_preceding_year() -> None:
    text = "Die Konferenz fand im Oktober 2021 statt. Am 3. März folgte die Unterzeichnung."
    assert isos(text, "de", None) == ["2021-10", "2021-03-03"]


def test_yearless_date_prefers_earlier_date_of_same_month() -> None:
    text = (
        "Vom 19. bis 21. November 2024 tagte man. Das Projekt begann im Januar 2022. "
        "Am 20. November unterschrieb sie."
    )
    assert isos(text, "de", None)[-1] == "2024-11-20"


def test_yearless_date_without_any_year_is_dropped() -> None:
    assert isos("Am 3. März trafen sich alle.", "de", None) == []


def test_yearless_date_nearest_to_publication() -> None:
    assert isos("Am 20. Dezember wurde gefeiert.", "de", "2024-01-10") == ["2023-12-20"]


def test_historical_sentence_keeps_its_year() -> None:
    text = "Im Jahr 1968 wurde am 19. März der Vertrag geschlossen."
    assert isos(text, "de", "2021-05-12") == ["1968", "1968-03-19"]


def test_without_publication_the_latest_dated_year_stands_in_for_it() -> None:
    text = ("Sie unterzeichnete am 3. März die Erklärung. Den Beschluss gab es im Januar 2025. "
            "Der Verein wirkt seit 2010. Am 6. August wird die Flagge gehisst.")
    assert isos(text, "de", None) == ["2025-03-03", "2025-01", "2010", "2025-08-06"]


def test_a_period_of_years_lends_no_year() -> None:
    text = "A plan for the period 2024 to 2028 goes to the committee on 22 April."
    assert isos(text, "en", "2024-03-13") == ["2024/2028", "2024-04-22"]


@pytest.mark.parametrize(("text", "lang"), [("The first exchange is planned for next August.", "en"),
                                            ("Das Fest folgt im kommenden Mai.", "de"),
                                            ("We met last March.", "en")])
def test_relative_months_are_no_dates(text: str, lang: str) -> None:
    assert isos(text, lang, "2024-06-01") == []


# ------------------------------------------------------------------ spans and kinds


def test_span_offsets_and_kind() -> None:
    text = "Gegründet am 20. November 2024 in Köln."
    (span,) = find_dates(text, "de")
    assert isinstance(span, DateSpan)
    assert text[span.start:span.end] == span.text == "20. November 2024"
    assert span.kind == "day"


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        ("im März 2023", "month"),
        ("seit 2010", "year"),
        ("vom 1. bis 3. Mai 2024", "period"),
        ("am 1. Mai 2024", "day"),
    ],
)
def test_kinds(text: str, kind: str) -> None:
    assert [s.kind for s in find_dates(text, "de")] == [kind]


def test_spans_are_sorted_and_disjoint() -> None:
    text = "Am 1. Mai 2024, im Juni 2024 und vom 3. bis 5. Juli 2024 sowie seit 2010."
    spans = find_dates(text, "de")
    assert len(spans) == 4
    assert all(a.end <= b.start for a, b in zip(spans, spans[1:]))


def test_invalid_calendar_day_is_dropped() -> None:
    assert isos("Am 31.02.2024 nicht.", "de") == []


# ------------------------------------------------------------------ normalise_date and helpers


@pytest.mark.parametrize(
    ("span", "lang", "ref", "expected"),
    [
        ("20. November 2024", "de", None, "2024-11-20"),
        ("20.11.24", "de", None, "2024-11-20"),
        ("3. März", "de", 2019, "2019-03-03"),
        ("3. März", "de", None, None),
        ("November 2024", "en", None, "2024-11"),
        ("Nov. 20th, 2024", "en", None, "2024-11-20"),
        ("19-21 November 2024", "en", None, "2024-11-19/2024-11-21"),
        ("2024-11-19/2024-11-21", "en", None, "2024-11-19/2024-11-21"),
        ("2022-01/2024-11", "de", None, "2022-01/2024-11"),
        ("2019", "de", None, "2019"),
        ("Agenda 2030", "de", None, None),
        ("heute", "de", 2024, None),
        ("", "en", None, None),
    ],
)
def test_normalise_date(span: str, lang: str, ref: int | None, expected: str | None) -> None:
    assert normalise_date(span, lang, ref) == expected


@pytest.mark.parametrize(
    ("word", "number"), [("März", 3), ("Nov.", 11), ("sept", 9), ("Mai", 5), ("Montag", None)]
)
def test_month_number(word: str, number: int | None) -> None:
    assert month_number(word) == number


def test_expand_year_and_day_month() -> None:
    assert (expand_year("24"), expand_year("85"), expand_year("2024")) == (2024, 1985, 2024)
    assert day_month(12, 3) == (12, 3) and day_month(3, 25) == (25, 3)


# ------------------------------------------------------------------ properties

_TOKENS = list("0123456789 .-/–,:JMNOabdeilmnorstuvzä") + ["März ", "bis ", "and ", "Nov ", "2024", "1."]
_DATEISH = st.lists(st.sampled_from(_TOKENS), max_size=25).map("".join)


@settings(max_examples=300, deadline=None)
@given(st.one_of(st.text(max_size=80), _DATEISH), st.sampled_from(["de", "en", "fr", ""]))
def test_never_raises_and_spans_are_consistent(text: str, lang: str) -> None:
    spans = find_dates(text, lang, "2024-01-01")
    assert all(text[s.start:s.end] == s.text for s in spans)
    assert all(a.end <= b.start for a, b in zip(spans, spans[1:]))
    normalise_date(text, lang, 2024)


@settings(max_examples=300, deadline=None)
@given(_DATEISH, st.sampled_from(["de", "en"]), st.one_of(st.none(), st.integers(1990, 2030)))
def test_normalise_is_idempotent(span: str, lang: str, ref: int | None) -> None:
    iso = normalise_date(span, lang, ref)
    if iso is not None:
        assert normalise_date(iso, lang, ref) == iso


@settings(max_examples=200, deadline=None)
@given(st.dates(min_value=date(1900, 1, 1), max_value=date(2099, 12, 31)))
def test_german_numeric_dates_roundtrip(day: date) -> None:
    assert normalise_date(day.strftime("%d.%m.%Y"), "de") == day.isoformat()
