"""Parties: which cities and organisations of a sentence act in it (sign, join, are members), and which
are only the place, a container, a witness, a supporter or part of a name or role."""
from __future__ import annotations

import re
from dataclasses import replace

from .. import geo, orgs
from ..records import Article, Mention
from .text import inside, PARTNER_BEFORE_RE, PLACE_BEFORE_RE, rule, rules, Sentence
from .documents import DocName, same_document, STOP_LEFT


def party_key(m: Mention) -> tuple:
    return ("city", m.city.geonames_id or m.city.name) if m.type == "CITY" else ("org", m.org)


def party_name(m: Mention) -> str:
    return m.city.name if m.type == "CITY" else m.org


def unique_parties(ms: list[Mention]) -> list[Mention]:
    seen, out = set(), []
    for m in ms:
        if party_key(m) not in seen:
            seen.add(party_key(m))
            out.append(m)
    return out


def main_city(article: Article, mentions: list[Mention]) -> Mention | None:
    """The article's own city: first city of the headline that is not a partner or place there ('Partnerschaft
    mit X', 'Konferenz in Y'), else the most frequent one."""
    cities = [m for m in mentions if m.type == "CITY"]
    if not cities:
        return None
    head_end = article.text.find("\n")
    headline = [m for m in cities if head_end < 0 or m.start < head_end]
    others = {party_key(m) for m in headline if is_place(article, m)
              or PARTNER_BEFORE_RE.search(article.text[max(0, m.start - 40):m.start])}
    in_title = [m for m in headline if party_key(m) not in others]
    if in_title:
        return in_title[0]
    # the most frequent city, not counting the headline's partner and places ('in Hanoi', 'Bezirk X von Hanoi')
    own = [m for m in cities if party_key(m) not in others and not is_place(article, m)
           and not container(article.text, m, mentions)] or cities
    counts: dict = {}
    for m in own:
        counts[party_key(m)] = counts.get(party_key(m), 0) + 1
    return max(own, key=lambda m: (counts[party_key(m)], -m.start))


def is_place(article: Article, m: Mention) -> bool:
    """'in Bologna', 'at the embassy in Prague': the place of the event, not a party."""
    return bool(PLACE_BEFORE_RE.search(article.text[max(0, m.start - 12):m.start]))


def parties_in(article: Article, sent: Sentence, mentions: list[Mention], names: list[DocName],
               trigger_at: int | None = None) -> list[Mention]:
    """Cities and organisations of a sentence that can sign: not places, not inside a document's name,
    and in English either before the signing word or introduced after it ('by', 'with', a list)."""
    found = []
    for m in inside(mentions, sent, "CITY") + inside(mentions, sent, "ORG"):
        if any(d.start <= m.start < d.end or same_document(party_name(m), d.name) for d in names) \
                or is_place(article, m) or m.type == "ORG" and (in_brackets(article.text, m) or in_role(article.text, m)) \
                or genitive_attribute(article.text, m) or witness(article.text[sent.start:m.start]) \
                or container(article.text, m, mentions) or city_in_org(m, mentions) \
                or supporter(article.text, sent, m):
            continue
        if trigger_at is not None and m.start > trigger_at and not introduced(article.text[trigger_at:m.start]):
            continue
        found.append(m)
    return unique_parties(sorted(found, key=lambda m: m.start))


def city_in_org(m: Mention, mentions: list[Mention]) -> bool:
    """The city inside an organisation's name ("Festivals Edinburgh", "Universität Leipzig") is not a party
    of its own: the organisation is."""
    return m.type == "CITY" and any(o.type == "ORG" and o.start <= m.start and m.end <= o.end for o in mentions)


def in_brackets(text: str, m: Mention) -> bool:
    """'(Bezirksbürgermeister, Die Linke)': an affiliation in brackets, not a party to the document."""
    before = text[max(0, m.start - 120):m.start]
    return before.rfind("(") > before.rfind(")")


ROLE_FOR_RE = re.compile(r"(rat|rätin|senator\w*|minister\w*|beauftragte\w*|dezernent\w*|commissioner|"
                         r"spokesperson)\s+(für|for)\s+(die\s+|den\s+|the\s+)?$", re.I)


def in_role(text: str, m: Mention) -> bool:
    """'Bezirksstadtrat für Ökologische Stadtentwicklung': a portfolio in a role title, not a party."""
    return bool(ROLE_FOR_RE.search(text[max(0, m.start - 40):m.start]))


GENITIVE_BEFORE_RE = re.compile(r"(?:^|[\s(„\"])(?P<noun>[A-ZÄÖÜ][\w\-*]*)\s+(?:der|des)\s+(?:(?:Stadt|Gemeinde|Kommune|"
                                r"Bezirks?|Landes|Landeshauptstadt|Hansestadt|Kreises|Landkreises)\s+)?$")


ACTS_FOR_RE = re.compile(r"(bürgermeister|senat|stadtr[aä]t|minister|präsident|vorsitz|vertret|repräsentant|delegation|"
                         r"leitung|leiter|chef|spitze|direktor|geschäftsführ|verwaltung|regierung|^rat$|räte|namen|auftrag|"
                         r"^seiten?$|beitritt|unterzeichn|unterschrift|zustimmung|mitglied|landrat|dezernent|beigeordnet|"
                         r"beauftragt|oberhaupt|kommunen|städte|gemeinden|bezirke|partner|^alle$|^beide$)", re.I)


def genitive_attribute(text: str, m: Mention) -> bool:
    """German 'die Website der Stadt X', 'Forderungen der Initiative X', 'ein Beschluss des X': a party in the
    genitive of an ordinary noun is not a signing party (unlike 'Vertreter der Stadt X', 'im Namen des X')."""
    before = GENITIVE_BEFORE_RE.search(text[max(0, m.start - 80):m.start])
    if not before or before.group("noun") in STOP_LEFT:
        return False
    noun = before.group("noun")
    return not ACTS_FOR_RE.search(noun) and not rule("agreement_noun", "de").fullmatch(noun)


WITNESS_RE = re.compile(r"\b(im Beisein|in Anwesenheit|in Gegenwart|unter Anwesenheit|in the presence of|witnessed by)\b"
                        r"[^.;:!?]*$", re.I)


SUPPORTER_RE = re.compile(r"\b(with the (?:support|help|backing) of|supported by|coordinated by|led by|initiated by|"
                          r"hosted by|mit (?:der )?Unterstützung (?:von|des|der)|unterstützt (?:von|durch)|"
                          r"koordiniert (?:von|durch)|initiiert (?:von|durch)|auf Initiative (?:von|des|der))\s+"
                          r"(?:the\s+|der\s+|des\s+|dem\s+)?(?:[^.;:!?,]*?(?:,|\band\b|\bund\b)\s+)*$", re.I)


ANNOUNCER_RE = re.compile(r"^\s*(teilt mit|informiert|gibt bekannt|announces|informs)\s*:", re.I)


def supporter(text: str, sent: Sentence, m: Mention) -> bool:
    """'… with the support of UN-Habitat', 'led by Nourish Scotland and IPES-Food', 'koordiniert von X':
    who supports, drafts or coordinates a document does not sign it; nor does the office that announces
    the news ('Das Presse- und Informationsamt teilt mit:')."""
    return bool(SUPPORTER_RE.search(text[sent.start:m.start]) or ANNOUNCER_RE.match(text[m.end:sent.end]))


def witness(before: str) -> bool:
    """'… im Beisein der Bürgermeisterin und des Vorsitzenden der X': present at the signing, not a party."""
    return bool(WITNESS_RE.search(before))


DISTRICT_AFTER_RE = re.compile(r"^\s+(Stadt|Innenstadt)?(bezirk|teil|ortsteil|distrikt)\w*\s+$", re.I)


CONTAINER_LINK_RE = re.compile(r"^(s|’s|'s)?\s*(,\s*)?(der Stadt|des Landes|von|in|im Land)\s+$")


def container(text: str, m: Mention, mentions: list[Mention]) -> bool:
    """'der Bezirk Hoàn Kiếm von Hanoi', 'Partnerbezirk Lewisham der Stadt London': the city that contains
    the place just named is not a party of its own."""
    if m.type != "CITY":
        return False
    if m.text.endswith("er") and not party_name(m).endswith("er") and any(  # 'der Londoner Bezirk Lewisham'
            o.type == "CITY" and 0 <= o.start - m.end <= 20 and DISTRICT_AFTER_RE.match(text[m.end:o.start])
            for o in mentions):
        return True
    return any(o.type == "CITY" and o.end <= m.start and m.start - o.end <= 20 and party_key(o) != party_key(m)
               and CONTAINER_LINK_RE.match(text[o.end:m.start]) for o in mentions)


def introduced(between: str) -> bool:
    """English: a party after the verb needs 'by', 'with', 'including', 'and' or a colon, within one clause."""
    if re.search(r"[;]|\b(which|who|that|where|when|while|at|in)\b", between):
        return False
    return bool(rules()["party_before_en"]["en"].search(between))


def within(a: Mention, b: Mention) -> bool:
    """One city is a district of the other ("Spandau" and Berlin): never twinned."""
    ids = (a.city.geonames_id if a.city else None, b.city.geonames_id if b.city else None)
    return geo.contains(*ids) or geo.contains(*ids[::-1])


def related_places(a: str, b: str) -> bool:
    """The same place or one inside the other's name ('Schöneberg', 'Tempelhof-Schöneberg')."""
    x, y = a.casefold(), b.casefold()
    return x == y or x in y or y in x


def names_network(network: str, agreement: str) -> bool:
    """'Declaration of Cities Coalition for Digital Rights' names that coalition; 'C40 … Declaration' names C40 Cities."""
    if network.casefold() in agreement.casefold():
        return True
    first = network.split()[0] if network.split() else ""
    distinctive = len(first) >= 3 and (any(c.isdigit() for c in first) or first.isupper())
    return distinctive and first.casefold() in agreement.casefold().split()


def with_canonical_orgs(article: Article, mentions: list[Mention]) -> list[Mention]:
    """Organisation mentions under their organisation's one name in this article, so that "the Kraków
    Festival Office (KBF)" and "KBF" sign (or join) once, as "Kraków Festival Office"."""
    names = [m.org for m in mentions if m.type == "ORG" and m.org]
    if len(set(names)) < 2:
        return mentions
    canonical = {alias: name for name, aliases in orgs.cluster_orgs(names, article.text, article.language or "de")
                 for alias in (name, *aliases)}
    def one_name(m: Mention) -> Mention:
        if m.type == "ORG" and m.org:
            return replace(m, org=canonical.get(m.org, m.org))
        if m.person is not None and m.person.affiliation in canonical:  # "director of KBF"
            return replace(m, person=replace(m.person, affiliation=canonical[m.person.affiliation]))
        return m
    return [one_name(m) for m in mentions]
