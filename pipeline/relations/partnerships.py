"""Partnerships: twinnings (twinning words + two cities), projects ("Projekt X", "X project" + the cities
and organisations listed with the name, or the parties of an agreement for a named project), networks (a
network organisation + the parties that join it or sign its declaration) and alliances."""
from __future__ import annotations

import re
from dataclasses import dataclass

from .. import orgs
from ..records import Article, Mention, Partnership, Signature
from .text import inside, rule, rules, Sentence, signing_status
from .parties import container, main_city, names_network, parties_in, party_name, related_places, unique_parties, within


FUNDERS = {"EU", "EFRE", "ESF", "EFSI", "INTERREG", "HORIZON", "BMBF", "DFG", "UN", "UNESCO"}  # "EU-Projekt X"


PROJECT_NAME_RE = re.compile(r"^(\+?[A-Z][A-Za-z0-9+\-]*[A-Z0-9][A-Za-z0-9+\-]*|[A-ZÄÖÜ]{3,}[\w\-]*)$")


def partnership_rows(article: Article, name: str, kind: str, members: list[Mention], sent: Sentence,
                     start: str | None = None) -> list[Partnership]:
    return [Partnership(article.id, name, kind, party_name(m), m.city.geonames_id if m.type == "CITY" else None,
                        "city" if m.type == "CITY" else "org", None, start, None, sent.text, sent.start, sent.end)
            for m in members]


def twinnings(article: Article, sents: list[Sentence], mentions: list[Mention]) -> list[Partnership]:
    """Twinning words + cities: one twinning per pair of the article's own city and each partner city."""
    home = main_city(article, mentions)
    pattern = rules()["partnership_kind"]["twinning"]
    rows = []
    for sent in sents:
        if not pattern.search(sent.text):
            continue
        cities = unique_parties([m for m in inside(mentions, sent, "CITY") if not container(article.text, m, mentions)])
        anchor = home if home else (cities[0] if cities else None)
        for partner in cities:
            if anchor is None or related_places(party_name(anchor), party_name(partner)) or within(anchor, partner):
                continue
            word = "Twinning" if article.language == "en" else "Städtepartnerschaft"
            name = f"{word} {party_name(anchor)}–{party_name(partner)}"
            rows += partnership_rows(article, name, "twinning", [anchor, partner], sent)
    return rows


def project_names(sent: Sentence) -> list[str]:
    """'Projekt UNITES', 'das UNITES-Projekt', 'the RUGGEDISED project', 'project +CityxChange'."""
    if "roje" not in sent.text:  # every pattern below needs Projekt/project (most sentences have neither)
        return []
    names = []
    for m in re.finditer(r"\b(?:Projekt\w*|[Pp]roject|EU-Projekt\w*|Förderprojekt\w*)\s+[„\"]?([^\s,.;:„“\"()]+)", sent.text):
        names.append(m.group(1))
    for m in re.finditer(r"([^\s,.;:„“\"()]+?)(?:-Projekt\w*|\s+[Pp]roject\b)", sent.text):
        names.append(m.group(1))
    apposition = r"([^\s,.;:„“\"()]+)(?:\s*\([^)]{3,80}\))?,\s+(?:the|an?|das|ein)\s+[^,.;]{0,60}?(?:[Pp]roje[ck]t)\b"
    for m in re.finditer(apposition, sent.text):
        names.append(m.group(1))
    return [n for n in names if PROJECT_NAME_RE.match(n) and not n.isdigit() and n.upper() not in FUNDERS]


def projects(article: Article, sents: list[Sentence], mentions: list[Mention]) -> list[Partnership]:
    """A named project and the cities and organisations listed with it (two or more in one sentence that
    names the project, or, when the article has one project, that uses a member word: partners, consortium)."""
    named = list(dict.fromkeys(n for s in sents for n in project_names(s)))
    member_words = rule("project_members", article.language or "de")
    rows = []
    for name in named:
        members: list[Mention] = []
        first: Sentence | None = None
        for sent in sents:
            names_it = re.search(rf"(?<![\w+]){re.escape(name)}(?![\w])", sent.text)
            if not (names_it or len(named) == 1 and member_words.search(sent.text)):
                continue
            listed = [m for m in parties_in(article, sent, mentions, []) if name.casefold() not in party_name(m).casefold()]
            if len(listed) >= 2:
                members += listed
                first = first or sent
        if first:
            rows += partnership_rows(article, name, "project", unique_parties(members), first)
    return rows


NETWORK_NAME_RES = (
    re.compile(r"(?:Städte)?[Nn]etzwerk\w*\s+[„\"»]([^“”\"«]{3,80})[“”\"«]"),
    re.compile(r"\b([A-ZÄÖÜ][\w\-]*-Netzwerk)(?:e?s)?\b"),
    re.compile(r"\b([A-ZÄÖÜ][\w\-]*[Ss]tädtenetz(?:werk)?)(?:e?s)?\b"),
)


@dataclass(frozen=True)
class Network:
    name: str
    start: int
    known_only: bool = False  # found by the registry alone (no network word in the name)


def network_names(article: Article, mentions: list[Mention]) -> list[Network]:
    """Networks of an article: organisations with a network word, and named networks in the text
    ('Städtenetzwerk „Kommunen für biologische Vielfalt“', 'Biostädte-Netzwerk')."""
    words = rules()["partnership_kind"]["network"]
    found = [Network(m.org, m.start, known_only=not words.search(m.org)) for m in mentions if m.type == "ORG"
             and m.org and (words.search(m.org) or orgs.is_network(m.org))]
    for pattern in NETWORK_NAME_RES:
        found += [Network(m.group(1).strip(), m.start(1)) for m in pattern.finditer(article.text)]
    seen, out = set(), []
    for net in sorted(found, key=lambda n: n.start):
        if net.name.casefold() not in seen:
            seen.add(net.name.casefold())
            out.append(net)
    return out


def refers_to(sent: Sentence, net: Network, only_network: bool) -> bool:
    """The sentence names the network, or says 'dem Netzwerk' / 'the network' when it is the only one."""
    if net.name.casefold() in sent.text.casefold():
        return True
    return only_network and bool(re.search(r"\b(Netzwerk|Bündnis|network|coalition)\b", sent.text, re.I))


def networks(article: Article, sents: list[Sentence], mentions: list[Mention],
             sigs: list[Signature]) -> list[Partnership]:
    """A network with the cities that join it (the article's own city when none is named), that are listed
    as its members, or that sign its declaration."""
    lang = article.language or "de"
    join, listing = rule("sign_trigger", lang), rule("network_members", lang)
    home = main_city(article, mentions)
    nets = network_names(article, mentions)
    rows = []
    for net in nets:
        members: list[Mention] = []
        evidence: Sentence | None = None
        for sent in sents:
            if not refers_to(sent, net, len(nets) == 1) or signing_status(sent.text, lang) != "signed":
                continue
            cities = [m for m in parties_in(article, sent, mentions, []) if m.type == "CITY"]
            if join.search(sent.text):
                cities = cities or ([home] if home else [])
            elif not (listing.search(sent.text) and cities):
                continue
            members += cities
            evidence = evidence or (sent if cities else None)
        # the signatories of the network's declaration; for a network known only from the registry, just when
        # the article says they are members ("All twelve are members of the C40 Cities network")
        if not net.known_only or any(refers_to(sent, net, False) and listing.search(sent.text)
                                     and not inside(mentions, sent, "CITY") for sent in sents):
            members += [m for m in mentions if m.type == "CITY" and any(
                s.geonames_id == m.city.geonames_id and names_network(net.name, s.agreement) for s in sigs
                if s.status == "signed")]
        if members:
            evidence = evidence or next((s for s in sents if s.start <= net.start < s.end), sents[0])
            rows += partnership_rows(article, net.name, "network", unique_parties(members), evidence)
    return rows


ALLIANCE_RE = re.compile(
    r"\b(?:(?:neue[nrs]?|strategische[nrs]?|enge[nrs]?|new|strategic|close)\s+)?(?:Partnerschaft|Kooperation|Allianz|"
    r"partnership|alliance)\b(?:\s+(?:zwischen|between)\s+[^,.;:()]{2,80}?\s+(?:und|and)\s+"
    r"[A-ZÄÖÜ][\w\-]*(?:\s+[A-ZÄÖÜ][\w\-]*)*)?")


LAUNCH_RE = re.compile(r"\b(start\w*|gestartet|vereinbar\w*|(ge)?schlossen|schließ\w*|besiegel\w*|eingegangen|"
                       r"gehen\b[^.]{0,60}\bein\b|kooperier\w*|launch\w*|form(s|ed)?\b|enter(s|ed)?\b|"
                       r"agree\w*|establish\w*|forge[ds]?\b)", re.I)


def alliances(article: Article, sents: list[Sentence], mentions: list[Mention]) -> list[Partnership]:
    """A partnership the article says two or more parties start or agree ("Berlin und Queensland gehen eine
    neue Partnerschaft ein", "a new partnership between X and Y was launched"): kind alliance, named by
    the phrase, members the sentences' parties (one alliance per article, named by its longest wording).
    Twinnings, projects and networks have rules of their own."""
    lang = article.language or "de"
    other_kinds = [rules()["partnership_kind"][k] for k in ("twinning", "project", "network")]
    found: list[tuple[str, list[Mention], Sentence]] = []
    for sent in sents:
        match = ALLIANCE_RE.search(sent.text)
        if not match or any(k.search(sent.text) for k in other_kinds) or signing_status(sent.text, lang) != "signed":
            continue
        if not (LAUNCH_RE.search(sent.text) or rule("sign_trigger", lang).search(sent.text)):
            continue
        members = [m for m in parties_in(article, sent, mentions, []) if not container(article.text, m, mentions)]
        if len(members) >= 2:
            found.append((match.group().strip(), members, sent))
    if not found:
        return []
    # one article, one partnership: its longest wording names it, every sentence adds members
    name = max((f[0] for f in found), key=len)
    rows = [row for _, members, sent in found for row in partnership_rows(article, name, "alliance", members, sent)]
    return rows


# a project named in a signed document's name: "Kooperationsvereinbarung für Modellprojekt Rathausblock Kreuzberg",
# "agreement on the Harbour Bridge project"
PROJECT_IN_NAME_RES = (re.compile(r"\b([A-ZÄÖÜ]?[\w\-]*[Pp]rojekt\w*(?:\s+(?:[A-ZÄÖÜ0-9„\"][^\s,.;]*|und|and))*"
                                  r"\s+[A-ZÄÖÜ0-9„\"][^\s,.;]*)"),
                       re.compile(r"\b((?:[A-Z][\w\-+]*\s+)+project)\b"))


def projects_of_agreements(article: Article, sigs: list[Signature], found: list[Partnership]) -> list[Partnership]:
    """The parties that signed an agreement for a named project are its members (two or more), under the
    name the project has elsewhere in the article when that name is part of this one."""
    known = {p.partnership for p in found if p.kind == "project"}
    rows = []
    for agreement in dict.fromkeys(s.agreement for s in sigs if s.status == "signed"):
        match = next((m for r in PROJECT_IN_NAME_RES for m in [r.search(agreement)] if m), None)
        signers = [s for s in sigs if s.agreement == agreement and s.status == "signed"]
        if match is None or len({s.signatory for s in signers}) < 2:
            continue
        name = next((k for k in known if k.casefold() in match.group(1).casefold()), match.group(1).strip())
        rows += [Partnership(article.id, name, "project", s.signatory, s.geonames_id, s.signatory_type, None, None,
                             None, s.evidence, s.evidence_start, s.evidence_end) for s in signers]
    return rows


def dedupe_partnerships(rows: list[Partnership]) -> list[Partnership]:
    seen, out = set(), []
    for p in rows:
        key = (p.partnership.casefold(), p.member_geonames_id or p.member)
        if key not in seen:
            seen.add(key)
            out.append(p)
    return out
