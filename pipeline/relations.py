"""Relations: signatures (who signed what, when, for whom) and partnerships (projects, networks,
twinnings and their members), read sentence by sentence from the found mentions.

Rule set ``press.relations.v2``; its word patterns live in ``models/rules/relations.json``.
Signatures: a sentence with a signing word names the document (or refers back to the article's
main document) and its parties (cities and organisations that are not merely the place of the
signing or part of the document's name). One row per party and document, with the date and the
person found with it. Partnerships: twinnings (twinning words + two cities), projects ("Projekt X",
"X project" + the cities and organisations listed with the name) and networks (a network
organisation + the parties that join it or sign its declaration).
"""
from __future__ import annotations

import json
import re
from dataclasses import dataclass, replace
from functools import lru_cache

from rapidfuzz import fuzz

from . import geo, orgs
from .records import Article, Mention, Partnership, PersonName, Signature
from .settings import MODELS_DIR

RULES_FILE = MODELS_DIR / "rules" / "relations.json"
QUOTED_RE = re.compile(r"[„“\"»«](?P<q>[^„“”\"»«\n]{3,120})[“”\"«»]")
TOKEN_RE = re.compile(r"[\w\-–.’'&+]+")
PLACE_BEFORE_RE = re.compile(r"(\b(in|im|at|nach|aus|from|to|zu|bei)\s+(der|dem|the)?|\ban\s+(der|dem))\s*$", re.I)
PARTNER_BEFORE_RE = re.compile(r"\b(mit|with)\s+(der|dem|ihrer|ihrem|seiner|seinem|the|its|their)?\s*"
                               r"(\w*partner\w*\s+|twin\s+\w+\s+|sister\s+\w+\s+)?$", re.I)
SUBJECT_RE = re.compile(r"\b(Stadt|Bezirk|Senat|Land|Landeshauptstadt|Bezirksamt|city|council|municipality|we|wir|"
                        r"\w*bürgermeister\w*|\w*senator\w*|\w*stadtr[aä]t\w*|Mayor|Cllr|Councillor|Leader)\b", re.I)
CONNECT_EN = {"of", "for", "and", "on", "the", "to", "&"}
CONNECT_DE = {"für", "zur", "zum", "zu", "der", "die", "des", "von", "und", "über", "auf", "in", "den", "dem", "das",
              "gegen", "zwischen", "mit"}
TIME_WORDS = {"Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday", "January", "February",
              "March", "April", "May", "June", "July", "August", "September", "October", "November", "December",
              "Montag", "Dienstag", "Mittwoch", "Donnerstag", "Freitag", "Samstag", "Sonntag", "Januar", "Februar",
              "März", "Juni", "Juli", "Oktober", "Dezember", "Today", "Heute"}
MODIFIER_NOUNS_EN = {"cooperation", "co-operation", "partnership", "twinning", "friendship", "framework",
                     "collaboration", "joint", "cross-border", "energy", "climate", "trade", "twin", "sister",
                     "cities", "city", "mutual", "bilateral", "multilateral"}
COMPLEMENT_START_DE = {"zu", "zur", "zum", "für", "über", "von", "vom", "zwischen", "gegen", "der", "des", "of", "on",
                       "for", "in", "im"}
STOP_LEFT = {"Die", "Der", "Das", "Den", "Dem", "The", "A", "An", "Eine", "Ein", "Einer", "This", "Diese", "Dieser",
             "Mit", "With", "Im", "In", "Am", "At", "Zur", "Zum", "Und", "And", "By", "Durch", "Bei", "Auf", "Its",
             "Their", "Seine", "Ihre", "Her", "His"}
GERMAN_ADJ_RE = re.compile(r"^[a-zäöüß]{3,}(e|en|er|es|em)$")
GERMAN_LEFT_ADJ_RE = re.compile(r"^[A-ZÄÖÜa-zäöüß][a-zäöüß]*(isch|lich|sam|ig|al|är|ell|iv|ner|ter|ser|mer|ler)(e|en|er|es|em)?$")
GERMAN_NOT_ADJ = {"eine", "einer", "einem", "einen", "eines", "diese", "dieser", "dieses", "diesem", "diesen", "jene",
                  "seine", "seiner", "ihre", "ihrer", "unsere", "unserer", "keine", "alle", "beide", "jede", "welche",
                  "haben", "hatten", "sind", "waren", "werden", "wurden", "wollen", "sollen", "können", "müssen",
                  "unterzeichnen", "unterschreiben", "beitreten", "stehen", "gehen", "gelten", "bleiben", "liegen",
                  "kommen", "sehen", "geben", "nehmen", "setzen", "machen", "bringen", "wieder", "immer", "unter",
                  "aber", "oder", "sowie", "sondern", "hier", "oben", "unten", "innen", "außen", "neben", "hinter",
                  "nach", "über", "gegen", "ohne", "seit", "während", "wegen", "dabei", "daher", "denn", "gerne"}
FUNDERS = {"EU", "EFRE", "ESF", "EFSI", "INTERREG", "HORIZON", "BMBF", "DFG", "UN", "UNESCO"}  # "EU-Projekt X"
PROJECT_NAME_RE = re.compile(r"^(\+?[A-Z][A-Za-z0-9+\-]*[A-Z0-9][A-Za-z0-9+\-]*|[A-ZÄÖÜ]{3,}[\w\-]*)$")


@dataclass(frozen=True)
class Sentence:
    start: int
    end: int
    text: str


@lru_cache(maxsize=1)
def rules() -> dict:
    data = json.loads(RULES_FILE.read_text(encoding="utf-8"))
    return {key: {k: re.compile(v, re.I) for k, v in value.items() if not k.startswith("_")}
            for key, value in data.items() if not key.startswith("_")}


def rule(name: str, lang: str) -> re.Pattern:
    table = rules()[name]
    return table.get(lang) or table["en"]


ABBREVIATION_END_RE = re.compile(r"(?:^|[\s(])(?:Dr|Prof|Dipl|Ing|St|Nr|Hr|Fr|Mag|med|rer|nat|phil|jur|vgl|bzw|ca|Abs|Art|"
                                 r"i\.\s?d|z\.\s?B|u\.\s?a|d\.\s?h|Mr|Mrs|Ms|Cllr|[A-ZÄÖÜ])\.$")


def sentences(article: Article, doc) -> list[Sentence]:
    """spaCy sentences, further split at line breaks (the headline is its own sentence); a sentence or line
    that ends in a title or abbreviation ("Dr.", "Prof.", "z.B.", an initial) runs on into the next."""
    out: list[Sentence] = []
    glue = False
    for sent in doc.sents:
        offset = sent.start_char
        for part in re.split(r"(\n+)", sent.text):
            if part.strip() and not part.startswith("\n"):
                lead = len(part) - len(part.lstrip())
                s, e = offset + lead, offset + len(part.rstrip())
                if glue and out and (out[-1].start >= sent.start_char or "\n" not in article.text[out[-1].end:s]):
                    s = out.pop().start
                out.append(Sentence(s, e, article.text[s:e]))
                glue = bool(ABBREVIATION_END_RE.search(article.text[s:e]))
            offset += len(part)
    return out


def sentences_from_text(text: str) -> list[tuple[int, int]]:
    """Rough sentence spans without spaCy (line breaks and sentence punctuation), for baselines."""
    return [(m.start(), m.end()) for m in re.finditer(r"[^\n.!?]+[.!?]?", text) if m.group().strip()]


def inside(mentions: list[Mention], sent: Sentence, kind: str) -> list[Mention]:
    return [m for m in mentions if m.type == kind and sent.start <= m.start < sent.end]


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


# ---------------------------------------------------------------- document names

@dataclass(frozen=True)
class DocName:
    name: str
    start: int  # absolute offsets of the name in the article text
    end: int
    specificity: int  # 0 bare noun, +1 complement, +2 words before the noun, 4 quoted name
    head: str = ""  # the document noun (charter, Erklärung ...), case-folded


def agreement_names(sent: Sentence, lang: str) -> list[DocName]:
    """Names of signed documents in a sentence, most specific first."""
    noun = rule("agreement_noun", lang)
    found = []
    for q in QUOTED_RE.finditer(sent.text):
        before = sent.text[max(0, q.start() - 30):q.start()]
        after = re.match(r"-?(\w+)", sent.text[q.end():])  # "Integrated Cities"-Abkommen
        head = noun.search(before) or noun.search(q.group("q")) or (after and noun.search(after.group(1)))
        if head:
            found.append(DocName(q.group("q").strip(), sent.start + q.start(), sent.start + q.end(), 4,
                                 head.group(0).casefold()))
    for match in noun.finditer(sent.text):
        if any(d.start <= sent.start + match.start() < d.end for d in found):
            continue
        found.append(expand_name(sent, match.start(), match.end(), lang))
    return sorted(found, key=lambda d: (-d.specificity, d.start))


def word_tokens(text: str) -> list[re.Match]:
    return list(TOKEN_RE.finditer(text))


def joined(text: str, a: re.Match, b: re.Match) -> bool:
    """Only white space between two tokens (no comma, colon, bracket or quote)."""
    return not text[a.end():b.start()].strip()


def expand_name(sent: Sentence, start: int, end: int, lang: str) -> DocName:
    """Grow a document noun into its name: capitalised words before it, a complement after it."""
    text = sent.text
    toks = word_tokens(text)
    idx = next(i for i, t in enumerate(toks) if t.end() > start)
    left = idx
    while left > 0 and joined(text, toks[left - 1], toks[left]) and left_word(
            toks[left - 1].group(), lang, toks[left - 2].group() if left > 1 else ""):
        left -= 1
    right = grow_right(text, toks, idx, lang)
    if right >= idx + 2 and toks[right - 1].group() in ("in", "im", "at") and joined(text, toks[right - 1], toks[right]):
        right -= 2  # "… in Berlin" at the end is where it was signed, not part of the name
    name = text[toks[left].start():toks[right].end()].strip(" .,;:-–")
    compound = bool(re.search(r"[A-ZÄÖÜ]\w*-", toks[idx].group()))  # "Integrating-Cities-Charter"
    specificity = (2 if left < idx or compound else 0) + (1 if right > idx else 0)
    return DocName(name, sent.start + toks[left].start(), sent.start + toks[right].end(), specificity,
                   text[start:end].casefold())


def left_word(word: str, lang: str, before: str = "") -> bool:
    """May a word before the document noun belong to its name? German: adjectives only ("Gemeinsame");
    English: capitalised words, 'and'/'of'/'for' between capitalised words, and modifier nouns."""
    if word in STOP_LEFT or not word[:1].isalnum() or word.lower() in GERMAN_NOT_ADJ:
        return False
    if lang == "de":
        return bool(GERMAN_LEFT_ADJ_RE.match(word))
    if word in CONNECT_EN:
        return before[:1].isupper()
    return word[:1].isupper() or word[:1].isdigit() or word.lower() in MODIFIER_NOUNS_EN


# English names of documents that go on in lower case: "memorandum of understanding", "letter of intent",
# then a complement after on/between ("an agreement on cooperation between Vilnius and Warsaw as twin
# cities"); not after "with", which names the other party ("a Friendship Oath with Kharkiv")
FIXED_OF_EN = {"understanding", "intent", "cooperation", "co-operation"}
COMPLEMENT_START_EN = {"on", "between"}
COMPLEMENT_STOP_EN = {"which", "that", "who", "whose", "by", "during", "after", "before", "since", "when", "while",
                      "to", "at", "in", "from", "until", "last", "next", "this", "today", "yesterday", "tomorrow"}


def grow_right_en(text: str, toks: list[re.Match], idx: int) -> int:
    """English: the fixed "of understanding"/"of intent" and a lower-case complement (up to eight words
    after on/between, to the next punctuation, time word, place or clause word)."""
    right = idx
    if idx + 2 < len(toks) and toks[idx + 1].group() == "of" and toks[idx + 2].group().lower() in FIXED_OF_EN \
            and joined(text, toks[idx], toks[idx + 1]) and joined(text, toks[idx + 1], toks[idx + 2]):
        right = idx + 2
    if right + 2 >= len(toks) or toks[right + 1].group() not in COMPLEMENT_START_EN \
            or not joined(text, toks[right], toks[right + 1]):
        return right
    end, k = None, right + 2
    while k < len(toks) and k - right <= 9 and joined(text, toks[k - 1], toks[k]):
        word = toks[k].group()
        if word.strip(".") in TIME_WORDS or word.lower() in COMPLEMENT_STOP_EN or word[:1].isdigit() \
                or re.search(r"[’']s?$", word):
            break
        end, k = k, k + 1
    while end is not None and end > right + 1 and toks[end].group().lower() in ("and", "the", "of", "a", "an", "or"):
        end -= 1
    return end if end is not None and end > right + 1 else right


def grow_right(text: str, toks: list[re.Match], idx: int, lang: str) -> int:
    """Index of the last token of the document name's complement ("zur Vertiefung der …", "of Mayors")."""
    if lang == "en":
        lower = grow_right_en(text, toks, idx)
        if lower > idx:
            return lower
    connect = CONNECT_DE | CONNECT_EN if lang == "de" else CONNECT_EN
    if lang == "de" and (idx + 1 >= len(toks) or toks[idx + 1].group().lower() not in COMPLEMENT_START_DE):
        return idx
    right, i = idx, idx + 1
    while i < len(toks) and i - idx <= 12 and joined(text, toks[i - 1], toks[i]):
        word = toks[i].group()
        upper_next = i + 1 < len(toks) and toks[i + 1].group()[:1].isupper()
        if word.strip(".") in TIME_WORDS or re.search(r"[’']s?$", word) and lang == "en":
            break  # "… on Finland’s largest plant": a possessive starts what the document is about
        if word[:1].isupper() and word not in STOP_LEFT or word[:1].isdigit() and right == i - 1:
            if i == idx + 1 and lang == "de":
                break  # a German complement starts with a preposition or article, not a bare noun
            right = i
        elif word.lower() in connect:
            pass
        elif lang == "de" and GERMAN_ADJ_RE.match(word) and word not in GERMAN_NOT_ADJ and upper_next and right > idx - 1 \
                and i > idx + 1:
            pass
        else:
            break
        i += 1
    return right


def is_generic(name: str) -> bool:
    return len(name.split()) == 1 and "-" not in name


def same_document(a: str, b: str) -> bool:
    """Two mentions name one document: one contains the other, or they are nearly equal."""
    x, y = a.casefold(), b.casefold()
    return x in y or y in x or fuzz.token_sort_ratio(x, y) >= 80


# ---------------------------------------------------------------- signatures

def signing_status(text: str, lang: str) -> str:
    if rule("refused", lang).search(text):
        return "refused"
    if rule("planned", lang).search(text):
        return "planned"
    return "signed"


def is_place(article: Article, m: Mention) -> bool:
    """'in Bologna', 'at the embassy in Prague': the place of the event, not a party."""
    return bool(PLACE_BEFORE_RE.search(article.text[max(0, m.start - 12):m.start]))


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


def canonical_document(names: list[DocName], main: DocName | None, named: list[DocName]) -> str | None:
    """A sentence's document, mapped onto a named one: a generic mention ('the memorandum') onto the most
    specific document with the same head noun, else onto the main document; a shorter mention onto the main one."""
    if not names:
        return main.name if main else None
    best = names[0]
    if is_generic(best.name):
        same = [d for d in named if same_head(best.head, d.head) and d.specificity > best.specificity]
        if same:
            return min(same, key=lambda d: (-d.specificity, d.start)).name
        return main.name if main and not any(same_head(best.head, d.head) for d in named if d != best) else best.name
    if main and (same_document(best.name, main.name) or best.specificity < main.specificity
                 and same_head(best.head, main.head)):
        return main.name
    return best.name


def same_head(a: str, b: str) -> bool:
    """'Vereinbarung' and 'Kooperationsvereinbarung', 'charter' and 'charta' share a head."""
    a, b = a.replace("charta", "charter"), b.replace("charta", "charter")
    return bool(a and b) and (a.endswith(b) or b.endswith(a))


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


# ---------------------------------------------------------------- partnerships

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


def within(a: Mention, b: Mention) -> bool:
    """One city is a district of the other ("Spandau" and Berlin): never twinned."""
    ids = (a.city.geonames_id if a.city else None, b.city.geonames_id if b.city else None)
    return geo.contains(*ids) or geo.contains(*ids[::-1])


def related_places(a: str, b: str) -> bool:
    """The same place or one inside the other's name ('Schöneberg', 'Tempelhof-Schöneberg')."""
    x, y = a.casefold(), b.casefold()
    return x == y or x in y or y in x


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


def names_network(network: str, agreement: str) -> bool:
    """'Declaration of Cities Coalition for Digital Rights' names that coalition; 'C40 … Declaration' names C40 Cities."""
    if network.casefold() in agreement.casefold():
        return True
    first = network.split()[0] if network.split() else ""
    distinctive = len(first) >= 3 and (any(c.isdigit() for c in first) or first.isupper())
    return distinctive and first.casefold() in agreement.casefold().split()


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


def extract_relations(article: Article, doc, mentions: list[Mention]) -> tuple[list[Signature], list[Partnership]]:
    sents = sentences(article, doc)
    mentions = with_canonical_orgs(article, mentions)
    sigs = signatures(article, sents, mentions)
    found_projects = projects(article, sents, mentions)
    parts = twinnings(article, sents, mentions) + found_projects + projects_of_agreements(article, sigs, found_projects) \
        + networks(article, sents, mentions, sigs) + alliances(article, sents, mentions)
    return sigs, dedupe_partnerships(parts)


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


def dedupe_partnerships(rows: list[Partnership]) -> list[Partnership]:
    seen, out = set(), []
    for p in rows:
        key = (p.partnership.casefold(), p.member_geonames_id or p.member)
        if key not in seen:
            seen.add(key)
            out.append(p)
    return out
