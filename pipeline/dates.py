"""Date stage: find explicit calendar dates in German and English text and normalise them.

Spans are found with our own regular expressions (never ``dateparser.search_dates``, which
reads German function words as dates) and then normalised to ISO 8601 at the precision the
text gives: ``2024-11-20`` (day), ``2024-11`` (month), ``2024`` (year) or a period
``2024-11-19/2024-11-21``, ``2022-01/2024-11``, ``2024/2025``.

Conventions (documented choices):

* Numeric dates ``a.b.yyyy`` and ``a/b/yyyy`` are read day-first in both languages (German
  and European English); only when ``b`` > 12 is the US order month/day assumed.
* Two-digit years ``yy`` mean ``20yy`` when ``yy`` < 70, else ``19yy``.
* A date without a year takes the year the context makes clear (``_fill_year``):
  1. "of this year" / "nächsten Jahres" right after it: relative to the publication year;
  2. with a publication date: the explicit year of the nearest preceding date in the same
     sentence when that lies more than a year away from publication (a historical account,
     "1968 ... am 19. März"); otherwise the year (publication year -1, 0 or +1) that puts the
     date nearest to publication (press releases report on recent and coming events);
  3. without a publication date, the middle of the latest year that a date with a month names
     ("im Januar 2025") stands in for it: rule 1 applies, then the year of the nearest preceding
     date naming the same month, else the year nearest to it; without such a date: the year of
     the nearest preceding date naming the same month ("19.-21. November 2024 ... am 20.
     November"), else the nearest preceding explicit year in the text; with no year anywhere the
     date is dropped. A period of bare years ("2024 to 2028") never lends its year.
* A bare four-digit number is a year only where its context says time: not inside a name
  ("Agenda 2030", "Horizon 2020"), not a count ("2000 Menschen", "more than 2000"), not part of
  an address, phone number, URL or code.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, replace
from datetime import date
from typing import Iterator

# ---------------------------------------------------------------- records


@dataclass(frozen=True)
class DateSpan:
    """A date expression found in a text, with its ISO value."""

    start: int  # character offsets into the text given
    end: int
    text: str  # text[start:end]
    iso: str  # "2024-11-20", "2024-11", "2024", "2024-11-19/2024-11-21", "2022-01/2024-11"
    kind: str  # "day" | "month" | "year" | "period"


@dataclass(frozen=True)
class _Point:
    """A calendar point at some precision; ``year`` may still be missing."""

    year: int | None
    month: int | None = None
    day: int | None = None


@dataclass(frozen=True)
class _Cand:
    """A candidate span: one point, or a period ``first``..``last``."""

    start: int
    end: int
    first: _Point
    last: _Point | None = None
    rule: str = ""


# ---------------------------------------------------------------- word lists

MONTHS: dict[str, int] = {
    "januar": 1, "jänner": 1, "january": 1, "jan": 1,
    "februar": 2, "feber": 2, "february": 2, "feb": 2,
    "märz": 3, "maerz": 3, "march": 3, "mär": 3, "mrz": 3, "mar": 3,
    "april": 4, "apr": 4,
    "mai": 5, "may": 5,
    "juni": 6, "june": 6, "jun": 6,
    "juli": 7, "july": 7, "jul": 7,
    "august": 8, "aug": 8,
    "september": 9, "sept": 9, "sep": 9,
    "oktober": 10, "october": 10, "okt": 10, "oct": 10,
    "november": 11, "nov": 11,
    "dezember": 12, "december": 12, "dez": 12, "dec": 12,
}

# Words before a bare year that make it a time reference (lower case).
TIME_WORDS = frozenset(
    """im in seit bis ab von vom aus um nach vor zum zur zwischen jahr jahre jahren jahres
    jahrs ende anfang mitte beginn frühjahr frühling sommer herbst winter schuljahr
    haushaltsjahr kalenderjahr geschäftsjahr wirtschaftsjahr spielzeit saison quartal
    halbjahr jahresende jahresbeginn laufe stand bereits schon erst noch spätestens
    frühestens voraussichtlich since by until till from before after during through of
    between year years end early late mid spring summer autumn fall winter fiscal
    financial semester wintersemester sommersemester jahrgang baujahr förderjahr q1 q2 q3 q4 fy
    """.split()
)

# Words before a year earlier than 1800 that make it a year (lower case).
OLD_YEAR_WORDS = frozenset("jahr jahre jahren jahres anno seit um year years since".split())

# Words before a number that make it a count or a code, not a year (lower case).
NOT_YEAR_BEFORE = frozenset(
    """über rund ca etwa mehr knapp fast mindestens insgesamt weitere zusätzlich
    nr no nummer tel telefon fax zimmer raum haus linie bus postfach drucksache plz
    more over about around nearly almost approximately some additional extra number
    line route room suite box""".split()
)

_COUNT_AFTER = (
    r"(?:Euro|EUR|€|\$|Dollar|Pfund|Prozent|%|Menschen|Personen|Teilnehm\w*|Besucher\w*|"
    r"Mitglied\w*|Einwohner\w*|Kinder\w*|Schüler\w*|Studier\w*|Wohnung\w*|Bäume|Plätze|"
    r"Stück|Meter|km|qm|m²|ha|Tonnen|Jahre\b|Stunden|Minuten|Tage\b|years?\b|people|"
    r"persons|residents|visitors|participants|members|homes|households|trees|jobs|"
    r"euros|dollars|pounds|tonnes|square|metres|meters|miles|hectares|students|children|"
    r"employees|staff|times|hours|minutes|days\b|Uhr\b|h\b|ppm\b|[kmcµM]?[gmlWt]\b|kWh\b|m[²³]|qkm\b)"
)
_NAME_AFTER = r"(?:plan|strategy|agenda|programme|program|Plan|Strategie|Agenda|Programm)\b"

# ---------------------------------------------------------------- regex pieces

_SHORT_FULL_NAMES = {"mai", "may", "juni", "june", "juli", "july", "märz"}
_MONTH_FULL = sorted((k for k in MONTHS if len(k) > 4 or k in _SHORT_FULL_NAMES), key=len, reverse=True)
_MONTH_ABBR = sorted((k for k in MONTHS if k not in _MONTH_FULL), key=len, reverse=True)


def _cap(word: str) -> str:
    """``märz`` -> ``März`` (month names are matched capitalised only)."""
    return word[:1].upper() + word[1:]


# Full names; abbreviations with a dot ("Nov.") or, without one, only before a number ("Nov 20").
_MON_ALT = "|".join(
    [_cap(m) for m in _MONTH_FULL]
    + [_cap(m) + r"\." for m in _MONTH_ABBR]
    + [_cap(m) + r"(?=\s+\d)" for m in _MONTH_ABBR]
)
_DAY = r"(?:[12]\d|3[01]|0?[1-9])"
_YEAR4 = r"(?:1[0-9]{3}|20[0-9]{2})"


def _day(name: str) -> str:
    """A day of month with an optional German dot or English ordinal suffix."""
    return rf"(?P<{name}>{_DAY})(?!\d)(?:\.|st\b|nd\b|rd\b|th\b)?"


def _mon(name: str) -> str:
    """A month name (full, or abbreviated with dot)."""
    return rf"(?P<{name}>{_MON_ALT})(?![\wäöü])"


def _year(name: str) -> str:
    """A four-digit year not glued to other digits."""
    return rf"(?P<{name}>{_YEAR4})(?![\d])"


_SEP = r"(?:\s*(?:--|[–—−-])\s*|\s+(?:bis|to|until|till|through|thru)\s+(?:(?:zum|zur|the)\s+)?)"
_AND = r"\s+(?:und|and|&)\s+"
_L = r"(?<![\w./-])"  # left boundary: not glued to a word, number, path or code
# Words that make a bare month name ("im November", "in March") a date.
_MONTH_CUE = (
    r"im|in|seit|since|bis|until|till|ab|from|ende|anfang|mitte|beginn|end\s+of|early|late"
    r"|mid-?|during|this|last|next|vergangenen|letzten|kommenden|nächsten"
)

_PATTERNS_SRC: list[tuple[str, str]] = [
    ("iso", rf"{_L}(?P<y>{_YEAR4})-(?P<mo>0[1-9]|1[0-2])-(?P<d>0[1-9]|[12]\d|3[01])(?![\d-])"),
    ("num", rf"{_L}(?P<a>{_DAY})(?P<sep>[./])(?P<b>{_DAY})(?P=sep)(?P<y>\d{{4}}|\d{{2}})(?![\d]|\.\d)"),
    ("num_sp", rf"{_L}(?P<a>{_DAY})\.\s(?P<b>0?[1-9]|1[0-2])\.\s(?P<y>{_YEAR4})(?!\d)"),
    ("num_short", rf"{_L}(?P<a>{_DAY})\.(?P<b>0?[1-9]|1[0-2])\.(?![\d.]|\w)"),
    ("num_range", rf"{_L}(?P<d1>{_DAY})\.?{_SEP}(?P<a>{_DAY})\.(?P<b>0?[1-9]|1[0-2])\."
                  rf"(?P<y>\d{{4}}|\d{{2}})?(?![\d]|\.\d)"),
    ("dmy", rf"{_L}{_day('d')}\s*(?:of\s+)?{_mon('m')},?\s*{_year('y')}"),
    ("dm", rf"{_L}{_day('d')}\s*(?:of\s+)?{_mon('m')}"),
    ("mdy", rf"{_mon('m')}\s+{_day('d')},?\s+{_year('y')}"),
    ("md", rf"{_mon('m')}\s+{_day('d')}(?![\d.,:]\d|\s*(?:%|{_COUNT_AFTER}))"),
    ("my", rf"{_mon('m')}(?:,|\s+of)?\s+{_year('y')}"),
    ("m", rf"\b(?i:{_MONTH_CUE})\s+(?P<s>{_mon('m')})(?!\s*\d)"),
    ("y", rf"(?:(?<=[Mm]id-)|{_L})(?P<y>{_YEAR4})(?!\d)"),
    ("yy", rf"{_L}(?P<y>{_YEAR4})(?P<sep>\s*(?:--|[–—−/-])\s*|\s+(?:bis|to|until|till|through)\s+"
           rf"(?:(?:zum|zur|Ende|end\s+of)\s+)?)(?P<y2>{_YEAR4}|\d{{2}})(?![\d/.-]\d|\w)"),
    ("ddmy", rf"{_L}{_day('d1')}(?:{_SEP}|{_AND})(?:the\s+)?{_day('d')}\s*(?:of\s+)?{_mon('m')}"
             rf"(?:,?\s*{_year('y')})?"),
    ("mddy", rf"{_mon('m')}\s+{_day('d1')}(?:{_SEP}|{_AND}){_day('d')},?(?:\s+{_year('y')})?"),
    ("dmdmy", rf"{_L}{_day('d1')}\s*{_mon('m1')}(?:\s+{_year('y1')})?{_SEP}{_day('d')}\s*{_mon('m')}"
              rf"(?:,?\s*{_year('y')})?"),
    ("mmy", rf"{_mon('m1')}(?:\s+{_year('y1')})?{_SEP}{_mon('m')},?\s+{_year('y')}"),
]
PATTERNS: list[tuple[str, re.Pattern[str]]] = [(n, re.compile(p)) for n, p in _PATTERNS_SRC]

# ---------------------------------------------------------------- small converters


def month_number(word: str) -> int | None:
    """``Nov.`` / ``März`` / ``maerz`` -> month number, else None."""
    return MONTHS.get(word.strip().rstrip(".").lower())


def expand_year(digits: str) -> int:
    """Four digits as given; two digits: < 70 -> 20yy, else 19yy."""
    value = int(digits)
    if len(digits) != 2:
        return value
    return 2000 + value if value < 70 else 1900 + value


def day_month(a: int, b: int) -> tuple[int, int]:
    """Numeric ``a``/``b``: day-first unless ``b`` cannot be a month (US order)."""
    if b > 12 and a <= 12:
        return b, a
    return a, b


def _valid(p: _Point) -> bool:
    """A complete point is a real calendar day / month."""
    if p.year is None or not 1000 <= p.year <= 2099:
        return False
    if p.month is None:
        return p.day is None
    if p.day is None:
        return 1 <= p.month <= 12
    try:
        date(p.year, p.month, p.day)
    except ValueError:
        return False
    return True


def _iso_point(p: _Point) -> str:
    """ISO text of a point at its precision."""
    if p.month is None:
        return f"{p.year:04d}"
    if p.day is None:
        return f"{p.year:04d}-{p.month:02d}"
    return f"{p.year:04d}-{p.month:02d}-{p.day:02d}"


def _sort_key(p: _Point) -> tuple[int, int, int]:
    """Comparable key (missing parts count as the earliest)."""
    return (p.year or 0, p.month or 0, p.day or 0)


# ---------------------------------------------------------------- builders


def _g(m: re.Match[str], name: str) -> str | None:
    """Group text or None when the group is absent or did not take part."""
    return m.groupdict().get(name)


def _int(m: re.Match[str], name: str) -> int | None:
    """Group as a number."""
    text = _g(m, name)
    return int(text) if text else None


def _year_of(m: re.Match[str], name: str) -> int | None:
    """Group as a (possibly two-digit) year."""
    text = _g(m, name)
    return expand_year(text) if text else None


def _mon_of(m: re.Match[str], name: str) -> int | None:
    """Group as a month number."""
    text = _g(m, name)
    return month_number(text) if text else None


def _numeric(m: re.Match[str]) -> _Point:
    """``20.11.2024``, ``12/03/2024``, ``3.5.`` -> point."""
    day, month = day_month(int(m.group("a")), int(m.group("b")))
    return _Point(_year_of(m, "y"), month, day)


def _year_pair(m: re.Match[str]) -> tuple[_Point, _Point] | None:
    """``2022–2024``, ``2024/25``, ``2020 bis 2023`` -> two years, or None if not ascending."""
    y1, raw = int(m.group("y")), m.group("y2")
    y2 = (y1 // 100) * 100 + int(raw) if len(raw) == 2 else int(raw)
    slash = "/" in m.group("sep")
    if y1 < 1800 or (slash and y2 != y1 + 1) or (len(raw) == 2 and not y1 < y2 <= y1 + 20):
        return None
    if not y1 < y2 <= y1 + 100:
        return None
    return _Point(y1), _Point(y2)


def _build(name: str, m: re.Match[str]) -> tuple[_Point, _Point | None] | None:
    """Turn a pattern match into one point or a period (None: not a date)."""
    y, mon, d = _year_of(m, "y"), _mon_of(m, "m"), _int(m, "d")
    if name == "iso":
        return _Point(int(m.group("y")), int(m.group("mo")), int(m.group("d"))), None
    if name in ("num", "num_sp", "num_short"):
        return _numeric(m), None
    if name == "num_range":
        last = _numeric(m)
        return _Point(last.year, last.month, int(m.group("d1"))), last
    if name == "yy":
        return _year_pair(m)
    if name in ("ddmy", "mddy"):
        return _Point(y, mon, int(m.group("d1"))), _Point(y, mon, d)
    if name in ("dmdmy", "mmy"):
        return _Point(_year_of(m, "y1"), _mon_of(m, "m1"), _int(m, "d1")), _Point(y, mon, d)
    return _Point(y, mon, d), None


# ---------------------------------------------------------------- context guards


def _is_name_word(word: str) -> bool:
    """A capitalised word that is not a time word and carries no trailing punctuation."""
    if not word or not word[0].isupper() or word[-1] in ".,:;!?)]–—-|":
        return False
    return word.lower() not in TIME_WORDS and month_number(word) is None


def _glued(text: str, start: int, end: int) -> bool:
    """The number is part of a code, URL, phone number, decimal or digit group."""
    before, after = text[max(0, start - 4):start], text[end:end + 2]
    if re.search(r"(?i)(?:^|\W)mid-$", before):
        return False
    if before[-1:] and (before[-1].isalnum() or before[-1] in "/@#+_-:.,"):
        return True
    if re.match(r"[\w/@#]|[.,:-]\d|-[^\W\d]", after):
        return True
    return bool(re.search(r"\d\s$", before) or re.match(r"\s\d", after))


def _words_before(text: str, start: int) -> tuple[str, str]:
    """The two tokens right before ``start``, quotes and brackets stripped (may be empty)."""
    tail = text[max(0, start - 60):start].split()[-2:]
    words = ["", ""] + [w.strip("„“\"'‚‘’«»()#@") for w in tail]
    return words[-2], words[-1]


def _count_word_before(text: str, start: int) -> bool:
    """The word before is a quantifier or a code label ("rund", "Nr.", "more")."""
    return _words_before(text, start)[1].lower().rstrip(".:,") in NOT_YEAR_BEFORE


def _is_time_year(text: str, start: int, end: int, lang: str) -> bool:
    """Decide whether a bare four-digit number at ``start:end`` is a year reference."""
    if _glued(text, start, end):
        return False
    earlier, before = _words_before(text, start)
    low = before.lower().rstrip(".:,")
    after = text[end:end + 30]
    if low in NOT_YEAR_BEFORE or re.match(rf"\s*(?:{_COUNT_AFTER}|{_NAME_AFTER})", after):
        return False
    if low in {"als", "than"} and earlier.lower() in {"mehr", "weniger", "more", "less", "fewer"}:
        return False
    if _is_name_word(before):
        return False
    value, timed = int(text[start:end]), low in TIME_WORDS
    if value < 1800:
        return low in OLD_YEAR_WORDS
    return timed or not _german_round_count(value, after, lang)


def _german_round_count(value: int, after: str, lang: str) -> bool:
    """German writes counts without separator ("2000 Menschen"): a round number before a noun."""
    noun_follows = re.match(r"[ \t]+[A-ZÄÖÜ][a-zäöüß]", after) is not None
    return lang == "de" and value % 100 == 0 and noun_follows


def _is_day_date(text: str, start: int, end: int) -> bool:
    """A numeric or named day is no date when glued to codes or followed by counts."""
    after = text[end:end + 2]
    before = text[max(0, start - 1):start]
    return not (re.match(r"[\w@/]", before) or re.match(r"[/@]\w|\.\d", after))


def _accept(name: str, text: str, cand: _Cand, lang: str) -> bool:
    """Context check for one candidate."""
    if name == "y":
        return _is_time_year(text, cand.start, cand.end, lang)
    if name == "yy":
        return not _glued(text, cand.start, cand.end) and not _count_word_before(text, cand.start)
    if name.startswith("num"):
        return _is_day_date(text, cand.start, cand.end)
    if cand.first.year is None and (cand.last is None or cand.last.year is None):
        return not _RELATIVE_BEFORE.search(text[max(0, cand.start - 25):cand.start])
    return True


# "next August", "im kommenden Mai": relative to a day the reader must know; no date
_RELATIVE_BEFORE = re.compile(r"\b(?:next|last|this|coming|nächsten|kommenden|letzten|vergangenen|diesen|"
                              r"im\s+(?:nächsten|kommenden|letzten|vergangenen))\s+$", re.IGNORECASE)


# ---------------------------------------------------------------- candidate search


def _span_of(m: re.Match[str]) -> tuple[int, int]:
    """The date part of a match: group ``s`` when present, else the whole match."""
    if "s" in m.groupdict() and m.group("s") is not None:
        return m.start("s"), m.end("s")
    return m.start(), m.end()


def _split_pair(m: re.Match[str], cand: _Cand) -> list[_Cand]:
    """``3 and 10 November``: two days, not a period (consecutive days stay a period)."""
    last = cand.last
    listed = re.search(r"\s(?:und|and|&)\s", m.group()) is not None
    if last is None or not listed or last.day == (cand.first.day or 0) + 1:
        return [cand]
    first = _Cand(m.start("d1"), m.end("d1"), cand.first, None, cand.rule)
    return [first, _Cand(m.start("d"), m.end(), last, None, cand.rule)]


def _matches(text: str, lang: str) -> Iterator[_Cand]:
    """Every accepted pattern match, overlapping."""
    for name, pattern in PATTERNS:
        for m in pattern.finditer(text):
            built = _build(name, m)
            if built is None:
                continue
            start, end = _span_of(m)
            cand = _Cand(start, end, built[0], built[1], name)
            if _accept(name, text, cand, lang):
                yield from _split_pair(m, cand) if name in ("ddmy", "mddy") else [cand]


def _non_overlapping(cands: list[_Cand]) -> list[_Cand]:
    """Longest candidates first, then earliest; keep those not overlapping a kept one."""
    kept: list[_Cand] = []
    for cand in sorted(cands, key=lambda c: (-(c.end - c.start), c.start)):
        if all(cand.end <= k.start or cand.start >= k.end for k in kept):
            kept.append(cand)
    return sorted(kept, key=lambda c: c.start)


# ---------------------------------------------------------------- periods from two dates

_WEEKDAY = (
    r"(?:Montag|Dienstag|Mittwoch|Donnerstag|Freitag|Samstag|Sonnabend|Sonntag|Monday|Tuesday"
    r"|Wednesday|Thursday|Friday|Saturday|Sunday)"
)
_JOIN = re.compile(
    r"(?:\s*(?:--|[–—−-])\s*|\s+(?:bis|to|until|till|through|thru)\s+)"
    r"(?:(?:zum|zur|einschließlich|the|Ende|Anfang|Mitte|end\s+of)\s+)?"
    rf"(?:{_WEEKDAY},?\s+(?:(?:den|dem|the)\s+)?)?"
)
_BETWEEN = re.compile(r"(?:zwischen|between)(?:\s+(?:dem|der|the))?\s+$", re.IGNORECASE)


def _joins(text: str, a: _Cand, b: _Cand) -> bool:
    """``a`` and ``b`` are the two ends of one period in the text."""
    gap = text[a.end:b.start]
    if a.last is not None or b.last is not None:
        return False
    if _JOIN.fullmatch(gap):
        return True
    between = _BETWEEN.search(text[max(0, a.start - 20):a.start]) is not None
    return between and re.fullmatch(r"\s+(?:und|and)\s+", gap) is not None


def _inherit(first: _Point, last: _Point) -> _Point:
    """Give the first end of a period the year (and month) its last end states."""
    if first.year is not None or last.year is None:
        return first
    month = first.month if first.month is not None or first.day is None else last.month
    probe = _Point(last.year, month, first.day)
    year = last.year if _sort_key(probe) <= _sort_key(last) else last.year - 1
    return _Point(year, month, first.day)


def _merge_periods(text: str, cands: list[_Cand]) -> list[_Cand]:
    """Join neighbouring dates linked by ``bis`` / ``–`` / ``between … and`` into periods."""
    out: list[_Cand] = []
    for cand in cands:
        prev = out[-1] if out else None
        if prev is not None and _joins(text, prev, cand):
            out[-1] = _Cand(prev.start, cand.end, prev.first, cand.first, "join")
        else:
            out.append(cand)
    return out


# ---------------------------------------------------------------- years for yearless dates

_SENTENCE_END = re.compile(r"(?<![\d\s])[.!?]\s+(?=[A-ZÄÖÜ„\"])|\n")


def _published(published: str | None) -> date | None:
    """Parse the publication date leniently (``YYYY``, ``YYYY-MM``, ``YYYY-MM-DD...``)."""
    m = re.match(r"\s*(\d{4})(?:-(\d{1,2}))?(?:-(\d{1,2}))?", published or "")
    if not m:
        return None
    try:
        return date(int(m.group(1)), int(m.group(2) or 6), int(m.group(3) or 15))
    except ValueError:
        return None


def _nearest_to(p: _Point, pub: date) -> int:
    """The year (publication year ± 1) that puts the point nearest to publication."""
    def distance(year: int) -> int:
        months = (year - pub.year) * 12 + (p.month or 6) - pub.month
        return abs(months * 31 + (p.day or 15) - pub.day)

    return min((pub.year, pub.year - 1, pub.year + 1), key=distance)


def _anchor_year(text: str, cands: list[_Cand], index: int, same_sentence: bool) -> int | None:
    """The explicit year of the nearest preceding candidate (optionally in the same sentence). A period
    of years ("the period 2024 to 2028") is a horizon, not the time the sentence speaks of: skipped."""
    start = cands[index].start
    for prev in reversed(cands[:index]):
        year = (prev.last or prev.first).year
        if same_sentence and _SENTENCE_END.search(text, prev.end, start):
            return None
        if year is None or (prev.last is not None and prev.first.month is None and prev.last.month is None):
            continue
        return year
    return None


def _article_present(cands: list[_Cand]) -> date | None:
    """Stand-in for a missing publication date: mid-year of the latest year that a date with a month
    names ("im Januar 2025", "3 March 2024"); bare years are often history or horizons ("seit 2010",
    "bis 2030"). None when no such date exists."""
    years = [p.year for c in cands for p in (c.first, c.last) if p is not None and p.year and p.month]
    return date(max(years), 7, 1) if years else None


_RELATIVE_YEAR = re.compile(
    r"\s*,?\s*(?:(?:of\s+)?(?P<en>this|next|last|the\s+coming|the\s+past)\s+year"
    r"|(?:des\s+)?(?P<de>dieses|laufenden|kommenden|nächsten|vergangenen|letzten)\s+Jahres)\b",
    re.IGNORECASE,
)
_YEAR_SHIFT = {"this": 0, "dieses": 0, "laufenden": 0, "next": 1, "the coming": 1, "kommenden": 1,
               "nächsten": 1, "last": -1, "the past": -1, "vergangenen": -1, "letzten": -1}


def _relative_year(text: str, end: int, pub: date | None) -> int | None:
    """``31 December of this year`` / ``3. März nächsten Jahres``: year relative to publication."""
    m = _RELATIVE_YEAR.match(text, end)
    if m is None or pub is None:
        return None
    word = re.sub(r"\s+", " ", (m.group("en") or m.group("de")).lower())
    return pub.year + _YEAR_SHIFT.get(word, 0)


def _same_month_year(cands: list[_Cand], index: int) -> int | None:
    """Year of the nearest preceding date that names the same month with a year."""
    month = cands[index].first.month
    points = [p for prev in reversed(cands[:index]) for p in (prev.last, prev.first) if p is not None]
    return next((p.year for p in points if month is not None and p.month == month and p.year), None)


def _fill_year(text: str, cands: list[_Cand], index: int, pub: date | None, estimated: bool = False) -> int | None:
    """Year for a yearless date (rule in the module docstring); ``estimated``: ``pub`` stands in for a
    missing publication date."""
    relative = _relative_year(text, cands[index].end, pub)
    if relative is not None:
        return relative
    if pub is None:
        same_month = _same_month_year(cands, index)
        return same_month or _anchor_year(text, cands, index, same_sentence=False)
    if estimated:
        return _same_month_year(cands, index) or _nearest_to(cands[index].first, pub)
    local = _anchor_year(text, cands, index, same_sentence=True)
    if local is not None and abs(local - pub.year) > 1:
        return local
    return _nearest_to(cands[index].first, pub)


def _with_years(text: str, cands: list[_Cand], pub: date | None, estimated: bool = False) -> list[_Cand]:
    """Complete every candidate's missing years (periods first from their own end)."""
    out: list[_Cand] = []
    for i, cand in enumerate(cands):
        first, last = cand.first, cand.last
        if last is not None:
            if last.year is None:
                last = replace(last, year=_fill_year(text, cands, i, pub, estimated))
            first = _inherit(first, last)
        elif first.year is None:
            first = replace(first, year=_fill_year(text, cands, i, pub, estimated))
        out.append(replace(cand, first=first, last=last))
    return out


# ---------------------------------------------------------------- output


def _kind(first: _Point, last: _Point | None) -> str:
    """``day`` / ``month`` / ``year`` / ``period``."""
    if last is not None:
        return "period"
    if first.day is not None:
        return "day"
    return "month" if first.month is not None else "year"


def _to_span(text: str, cand: _Cand) -> DateSpan | None:
    """Render a completed candidate; None when it is not a valid date or period."""
    first, last = cand.first, cand.last
    if not _valid(first) or (last is not None and not _valid(last)):
        return None
    iso = _iso_point(first)
    if last is not None:
        if _sort_key(first) >= _sort_key(last):
            return None
        iso = f"{iso}/{_iso_point(last)}"
    return DateSpan(cand.start, cand.end, text[cand.start:cand.end], iso, _kind(first, last))


def find_dates(text: str, lang: str, published: str | None = None) -> list[DateSpan]:
    """All explicit calendar dates, months, years and periods in ``text``, sorted by start."""
    try:
        cands = _merge_periods(text, _non_overlapping(list(_matches(text, lang))))
        pub = _published(published)
        cands = _with_years(text, cands, pub) if pub else _with_years(text, cands, _article_present(cands), True)
        return [s for s in (_to_span(text, c) for c in cands) if s is not None]
    except (ValueError, TypeError, OverflowError, RecursionError):  # pragma: no cover - safety net
        return []


_ISO_FORM = re.compile(r"\d{4}(?:-\d{2}(?:-\d{2})?)?(?:/\d{4}(?:-\d{2}(?:-\d{2})?)?)?")


def _iso_roundtrip(span: str) -> str | None:
    """An ISO value as this module writes it is returned unchanged (if valid)."""
    if not _ISO_FORM.fullmatch(span):
        return None
    parts = [_Point(*(int(x) for x in part.split("-"))) for part in span.split("/")]
    if not all(_valid(p) for p in parts):
        return None
    if len(parts) == 2 and _sort_key(parts[0]) >= _sort_key(parts[1]):
        return None
    return span


def normalise_date(span: str, lang: str, ref_year: int | None = None) -> str | None:
    """One date expression -> ISO string, or None. Never raises."""
    try:
        text = span.strip()
        iso = _iso_roundtrip(text)
        if iso is not None:
            return iso
        found = find_dates(text, lang, f"{ref_year:04d}-06-15" if ref_year else None)
        return found[0].iso if len(found) == 1 else None
    except (ValueError, TypeError, OverflowError):  # pragma: no cover - safety net
        return None
