"""Documents: the names of charters, declarations, agreements and memoranda in a sentence, grown to their
most specific wording ("Kooperationsvereinbarung für X", "memorandum of understanding on Y"), and which
names refer to the same document."""
from __future__ import annotations

import re
from dataclasses import dataclass

from rapidfuzz import fuzz

from .text import QUOTED_RE, rule, Sentence, TOKEN_RE


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
