"""Relations: signatures (who signed what, when, for whom) and partnerships (projects, networks,
twinnings, alliances and their members), read sentence by sentence from the found mentions.

Rule set ``press.relations.v1``: word patterns live in ``models/rules/relations.json``.
"""
from __future__ import annotations

import json
import re
from dataclasses import dataclass
from functools import lru_cache

from .records import Article, Mention, Partnership, Signature
from .settings import MODELS_DIR

RULES_FILE = MODELS_DIR / "rules" / "relations.json"
QUOTED_RE = re.compile(r"[„“\"»«‚'](?P<q>[^„“”\"»«]{3,120})[“”\"«»‘']")
CONNECTORS = {"of", "for", "and", "on", "the", "to", "für", "zur", "zum", "der", "die", "des", "von", "und", "über", "in", "auf"}
STOP_LEFT = {"Die", "Der", "Das", "The", "A", "An", "Eine", "Ein", "This", "Diese", "Dieser", "Mit", "With", "Im", "In"}


@dataclass(frozen=True)
class Sentence:
    start: int
    end: int
    text: str


@lru_cache(maxsize=1)
def rules() -> dict:
    data = json.loads(RULES_FILE.read_text(encoding="utf-8"))
    out: dict = {}
    for key, value in data.items():
        if key.startswith("_"):
            continue
        out[key] = {k: re.compile(v, re.I) for k, v in value.items()}
    return out


def rule(name: str, lang: str) -> re.Pattern:
    table = rules()[name]
    return table.get(lang) or table["en"]


def sentences(article: Article, doc) -> list[Sentence]:
    """spaCy sentences, further split at line breaks (the headline is its own sentence)."""
    out = []
    for sent in doc.sents:
        offset = sent.start_char
        for part in re.split(r"(\n+)", sent.text):
            if part.strip() and not part.startswith("\n"):
                lead = len(part) - len(part.lstrip())
                s, e = offset + lead, offset + len(part.rstrip())
                out.append(Sentence(s, e, article.text[s:e]))
            offset += len(part)
    return out


def inside(mentions: list[Mention], sent: Sentence, kind: str) -> list[Mention]:
    return [m for m in mentions if m.type == kind and sent.start <= m.start < sent.end]


def party_key(m: Mention) -> tuple:
    return ("city", m.city.geonames_id or m.city.name) if m.type == "CITY" else ("org", m.org)


def unique_parties(ms: list[Mention]) -> list[Mention]:
    seen, out = set(), []
    for m in ms:
        if party_key(m) not in seen:
            seen.add(party_key(m))
            out.append(m)
    return out


def main_city(article: Article, mentions: list[Mention]) -> Mention | None:
    """The article's own city: first city of the headline, else the most frequent one."""
    cities = [m for m in mentions if m.type == "CITY"]
    if not cities:
        return None
    head_end = article.text.find("\n")
    in_title = [m for m in cities if head_end < 0 or m.start < head_end]
    if in_title:
        return in_title[0]
    counts: dict = {}
    for m in cities:
        counts[party_key(m)] = counts.get(party_key(m), 0) + 1
    return max(cities, key=lambda m: (counts[party_key(m)], -m.start))


def agreement_name(sent: Sentence, lang: str) -> str | None:
    """The most specific name of the signed document in a sentence."""
    noun = rule("agreement_noun", lang)
    for q in QUOTED_RE.finditer(sent.text):
        before = sent.text[max(0, q.start() - 40):q.start()]
        if noun.search(before) or noun.search(q.group("q")):
            return q.group("q").strip()
    match = noun.search(sent.text)
    if not match:
        return None
    return expand_name(sent.text, match.start(), match.end())


def expand_name(text: str, start: int, end: int) -> str:
    """Grow a document noun into its capitalised name: 'Glasgow Food and Climate Declaration'."""
    tokens = list(re.finditer(r"[\w\-–.’']+", text))
    idx = next(i for i, t in enumerate(tokens) if t.end() > start)
    left = idx
    while left > 0 and is_name_token(tokens[left - 1].group(), tokens, left - 1):
        left -= 1
    right = idx
    while right + 1 < len(tokens) and right - idx < 8:
        word = tokens[right + 1].group()
        if word[:1].isupper() or word.lower() in CONNECTORS and right + 2 < len(tokens) and tokens[right + 2].group()[:1].isupper():
            right += 1
        else:
            break
    while right > idx and tokens[right].group().lower() in CONNECTORS:
        right -= 1
    return text[tokens[left].start():tokens[right].end()].strip(" .,;:")


def is_name_token(word: str, tokens, i: int) -> bool:
    if word in STOP_LEFT:
        return False
    if word[:1].isupper():
        return True
    return word.lower() in {"and", "of", "for"} and i > 0 and tokens[i - 1].group()[:1].isupper()


def signing_status(text: str, lang: str) -> str:
    if rule("refused", lang).search(text):
        return "refused"
    if rule("planned", lang).search(text):
        return "planned"
    return "signed"


def pick_date(ms: list[Mention]) -> str | None:
    days = [m.iso_date for m in ms if m.iso_date and len(m.iso_date) == 10]
    return days[0] if days else None


def signatures(article: Article, sents: list[Sentence], mentions: list[Mention]) -> list[Signature]:
    lang = article.language or "de"
    default_agreement = next((agreement_name(s, lang) for s in sents[:1] if agreement_name(s, lang)), None)
    home = main_city(article, mentions)
    rows: dict[tuple, Signature] = {}
    for sent in sents:
        if not rule("sign_trigger", lang).search(sent.text):
            continue
        agreement = agreement_name(sent, lang) or default_agreement
        if not agreement:
            continue
        parties = unique_parties(inside(mentions, sent, "CITY") + inside(mentions, sent, "ORG"))
        parties = parties or ([home] if home else [])
        people = inside(mentions, sent, "PERSON")
        person = people[0].person if people else None
        for party in parties:
            key = party_key(party) + (agreement.lower(),)
            if key in rows:
                continue
            rows[key] = Signature(
                article.id, party.city.name if party.type == "CITY" else party.org,
                party.city.geonames_id if party.type == "CITY" else None, "city" if party.type == "CITY" else "org",
                agreement, pick_date(inside(mentions, sent, "DATE")), person.name if person else None,
                person.role if person else None, None, signing_status(sent.text, lang), sent.text, sent.start, sent.end)
    return list(rows.values())


def partnership_kind(text: str) -> str | None:
    for kind in ("twinning", "project", "network", "alliance"):
        if rules()["partnership_kind"][kind].search(text):
            return kind
    return None


def partnerships(article: Article, sents: list[Sentence], mentions: list[Mention]) -> list[Partnership]:
    home = main_city(article, mentions)
    rows: dict[tuple, Partnership] = {}
    for sent in sents:
        kind = partnership_kind(sent.text)
        if kind != "twinning":
            continue
        members = unique_parties(inside(mentions, sent, "CITY") + ([home] if home else []))
        if len(members) < 2:
            continue
        name = "Städtepartnerschaft " + "–".join(m.city.name for m in members[:2])
        for m in members:
            key = ("twinning", party_key(m))
            rows.setdefault(key, Partnership(article.id, name, kind, m.city.name, m.city.geonames_id, "city", None,
                                             None, None, sent.text, sent.start, sent.end))
    return list(rows.values())


def extract_relations(article: Article, doc, mentions: list[Mention]) -> tuple[list[Signature], list[Partnership]]:
    sents = sentences(article, doc)
    return signatures(article, sents, mentions), partnerships(article, sents, mentions)
