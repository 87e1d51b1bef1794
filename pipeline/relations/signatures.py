"""Signatures: one row per signing party and document, with the date, the person who signed for the party,
the place and the status (signed, planned, refused), read from the sentences with a signing word."""
from __future__ import annotations

import re
from dataclasses import dataclass, replace

from ..records import Article, Mention, PersonName, Signature
from .text import inside, rule, Sentence, signing_status, SUBJECT_RE
from .documents import agreement_names, canonical_document, DocName, same_head
from .parties import main_city, names_network, parties_in, party_key, party_name


SIGNED_AT_RE = re.compile(r"\b(in|im|at)\s+(der|dem|the)?\s*$", re.I)


def signing_place(article: Article, sent: Sentence, mentions: list[Mention]) -> str | None:
    """Where it was signed, when the sentence says so: the first city after 'in' / 'at' ("signed … in
    Brussels", "in Bologna unterzeichnet"), the city's name; None when no such city is named."""
    cities = inside(mentions, sent, "CITY")
    for m in cities:
        window = max(0, m.start - 12)
        before = SIGNED_AT_RE.search(article.text[window:m.start])
        if before and not any(0 <= window + before.start() - c.end <= 2 for c in cities):  # not "Pankow in Berlin"
            return party_name(m)
    return None


def pick_date(ms: list[Mention]) -> str | None:
    """The signing date in a sentence: a day if there is one, else a month (not a bare year or period)."""
    for size in (10, 7):
        found = [m.iso_date for m in ms if m.iso_date and len(m.iso_date) == size and "/" not in m.iso_date]
        if found:
            return found[0]
    return None


def report_date(article: Article, mentions: list[Mention]) -> str | None:
    """The day a release reports on: its publication date, else a dateline day near the top."""
    if article.published:
        return article.published
    early = [m.iso_date for m in mentions if m.type == "DATE" and m.start < 300 and m.iso_date and len(m.iso_date) == 10]
    return early[0] if early else None


OFFICIAL_ROLE_RE = re.compile(r"(bürgermeister|senator|stadtr[aä]t|staatssekretär|minister|mayor|councillor|cllr|"
                              r"leader|lord provost|landrat|dezernent|beigeordnet)", re.I)


def person_for(party: Mention, people: list[Mention], n_parties: int) -> PersonName | None:
    """The person who signed for a party: stated affiliation naming it, then a role naming it (an official's
    role first for a city), else the only person when there is one party."""
    name = party_name(party).casefold()
    stem = name[:-1] if len(name) > 4 else name  # "Berlins", "Londoner"
    for p in people:
        if p.person.affiliation and p.person.affiliation.casefold() == name:
            return p.person
    naming = [p for p in people if stem and stem in (p.person.role or "").casefold()]
    if party.type == "CITY":
        naming.sort(key=lambda p: not OFFICIAL_ROLE_RE.search(p.person.role or ""))
    if naming:
        return naming[0].person
    if n_parties == 1 and people:
        officials = [p for p in people if OFFICIAL_ROLE_RE.search(p.person.role or "")]
        return (officials or people)[0].person
    return None


POSSESSIVE_GAP_RE = re.compile(r"^(s|’s|'s)?\s[^.;:()„“\"]{0,100}$")


def possessive_person(text: str, party: Mention, mentions: list[Mention], s: "SigningSentence") -> PersonName | None:
    """'Lichtenbergs Bezirksbürgermeister Max Muster', "Leeds's Lord Mayor Jane Doe": the official named right
    after the party's genitive signs for it."""
    for own in (m for m in inside(mentions, s.sent, party.type) if party_key(m) == party_key(party)):
        after = [p for p in s.people if p.start >= own.end]
        if not after:
            continue
        first = min(after, key=lambda p: p.start)
        gap = text[own.end:first.start]
        genitive = re.match(r"(s|’s|'s)\s", gap) or own.text.endswith("s") and not party_name(own).endswith("s")
        if genitive and POSSESSIVE_GAP_RE.match(gap) and OFFICIAL_ROLE_RE.search(gap + text[first.start:first.end]):
            return first.person
    return None


@dataclass
class SigningSentence:
    sent: Sentence
    names: list[DocName]
    parties: list[Mention]
    status: str
    date: str | None
    people: list[Mention]  # persons of the sentence
    near: list[Mention]  # persons of the sentences just before and after


def signing_sentences(article: Article, sents: list[Sentence], mentions: list[Mention]) -> list[SigningSentence]:
    lang = article.language or "de"
    trigger = rule("sign_trigger", lang)
    invitation = bool(rule("invitation", lang).search(article.title or article.text.split("\n", 1)[0]))
    out = []
    for i, sent in enumerate(sents):
        hit = trigger.search(sent.text)
        if not hit:
            continue
        names = agreement_names(sent, lang)
        if not names and only_joining(sent.text, trigger, lang):
            continue  # joining a network without a named document is a partnership, not a signature
        if not names and all(rule("needs_document", lang).match(m.group(0)) for m in trigger.finditer(sent.text)):
            continue  # "verlängert" counts only for a named document
        at = sent.start + hit.start() if lang == "en" else None
        status = "planned" if invitation else signing_status(sent.text, lang)
        out.append(SigningSentence(sent, names, parties_in(article, sent, mentions, names, at), status,
                                   pick_date(inside(mentions, sent, "DATE")), inside(mentions, sent, "PERSON"),
                                   people_near(mentions, sents, i)))
    return out


def only_joining(text: str, trigger: re.Pattern, lang: str) -> bool:
    join = rule("join_only", lang)
    return all(join.match(m.group(0)) for m in trigger.finditer(text))


def people_near(mentions: list[Mention], sents: list[Sentence], i: int) -> list[Mention]:
    """Persons of the sentences just before and after a signing sentence."""
    around = [sents[j] for j in (i - 1, i + 1) if 0 <= j < len(sents)]
    return [m for s in around for m in inside(mentions, s, "PERSON")]


FOLLOW_UP_RE = re.compile(r"^(Damit|Somit|Hiermit|Dadurch|Mit (der|dieser|ihrer|seiner) (Unterzeichnung|Unterschrift)|"
                          r"With (this|the) (signature|signing)|By signing)\b", re.I)


def follow_up_parties(article: Article, sents: list[Sentence], sent: Sentence, mentions: list[Mention]) -> list[Mention]:
    """'X unterzeichnete die Deklaration. Damit tritt der Bezirk Y dem Bündnis bei.': a signing sentence that
    names no party takes the cities of a next sentence that starts by referring back to the signing."""
    nxt = next((t for t in sents if t.start >= sent.end), None)
    if nxt is None or not FOLLOW_UP_RE.match(nxt.text):
        return []
    return [m for m in parties_in(article, nxt, mentions, []) if m.type == "CITY"]


def main_document(found: list[SigningSentence], sents: list[Sentence], lang: str) -> DocName | None:
    """The article's main document: the most specific name in a signing sentence (earliest first), else
    the most specific document named anywhere ('Glasgow was among the first signatories')."""
    names = [d for s in found for d in s.names]
    if names:  # a named document of the body before the headline's looser wording ('"X"-Abkommen' for 'X-Charter')
        head_end = sents[0].end if sents else 0
        body_named = any(d.start >= head_end and d.specificity >= 2 and d.name[:1].isupper() for d in names)
        return min(names, key=lambda d: (body_named and d.start < head_end, -d.specificity, d.start))
    names = [
        d for s in sents if signing_status(s.text, lang) == "signed" for d in agreement_names(s, lang)
        if d.specificity >= 2 and d.name[:1].isupper()]
    return min(names, key=lambda d: (-d.specificity, d.start)) if names else None


def signatures(article: Article, sents: list[Sentence], mentions: list[Mention]) -> list[Signature]:
    found = signing_sentences(article, sents, mentions)
    main = main_document(found, sents, article.language or "de")
    named = [d for s in found for d in s.names]
    home = main_city(article, mentions)
    reported = report_date(article, mentions)
    rows: dict[tuple, Signature] = {}
    nearby: dict[tuple, PersonName | None] = {}  # persons of neighbouring sentences, used when none is closer
    origin: dict[tuple, set[str]] = {}  # whether a row was read in the headline, the body or both
    head_end = article.text.find("\n")
    undated: list[tuple[str, str]] = []  # (document noun, date) of signing sentences that name no party
    previous: tuple[int, str] | None = None  # (sentence index, document) of the last signing sentence naming one
    index = {sent.start: i for i, sent in enumerate(sents)}
    for s in found:
        agreement = canonical_document(s.names, main, named)
        at = index.get(s.sent.start, -2)
        if not s.names and previous is not None and previous[0] == at - 1:
            agreement = previous[1]  # "… signed a memorandum on X. It was signed by A and B.": that memorandum
        if s.names and agreement:
            previous = (at, agreement)
        parties = s.parties or follow_up_parties(article, sents, s.sent, mentions) or (
            [home] if home and SUBJECT_RE.search(s.sent.text) else [])
        if s.names and not parties and s.date and s.status == "signed":
            undated.append((s.names[0].head, s.date))  # "The agreement was signed … in February 2025."
        if not agreement or not parties:
            continue
        for party in parties:
            person = possessive_person(article.text, party, mentions, s) or person_for(party, s.people, len(parties))
            row = Signature(article.id, party_name(party), party.city.geonames_id if party.type == "CITY" else None,
                            "city" if party.type == "CITY" else "org", agreement, s.date,
                            person.name if person else None, person.role if person else None,
                            signing_place(article, s.sent, mentions), s.status,
                            s.sent.text, s.sent.start, s.sent.end)
            key = party_key(party) + (agreement.casefold(),)
            rows[key] = merge_rows(rows.get(key), row)
            nearby.setdefault(key, person_for(party, s.near, len(parties)))
            origin.setdefault(key, set()).add("head" if head_end >= 0 and s.sent.start < head_end else "body")
    for key in [k for k, o in origin.items() if o == {"head"}]:
        body = [k for k, o in origin.items() if k[:2] == key[:2] and "body" in o]
        if len(body) == 1:  # the headline's wording of the one document the body says this party signed
            rows[body[0]] = merge_rows(rows[body[0]], rows.pop(key))
    for key in [k for k, r in rows.items() if r.signatory_type == "org" and names_network(r.signatory, r.agreement)]:
        del rows[key]  # the network a declaration is named after issues it ("C40 Cities", "C40 … Declaration")
    for key, row in rows.items():
        if row.person is None and nearby.get(key) is not None:
            rows[key] = replace(row, person=nearby[key].name, role=nearby[key].role)
    for key, row in rows.items():  # a party-less sentence dates the signing of its document
        words = row.agreement.casefold().split()  # (the head may be followed by a complement: "agreement on X")
        date = next((d for head, d in undated if any(same_head(head, w) for w in words)), None)
        if row.date is None and row.status == "signed" and date:
            rows[key] = replace(row, date=date)
    return [r if r.date or r.status != "signed" else replace(r, date=reported) for r in rows.values()]


def merge_rows(old: Signature | None, new: Signature) -> Signature:
    """One row per party and document: 'signed' wins over other statuses; missing date/person/place are filled."""
    if old is None:
        return new
    base, other = (old, new) if old.status == "signed" or new.status != "signed" else (new, old)
    return replace(base, date=base.date or other.date, person=base.person or other.person,
                   role=base.role or other.role, place=base.place or other.place)
