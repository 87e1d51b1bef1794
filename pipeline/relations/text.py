"""Sentences and the word patterns of the relation rules (``models/rules/relations.json``): the ground
the document, party, signature and partnership modules stand on."""
from __future__ import annotations

import json
import re
from dataclasses import dataclass
from functools import lru_cache

from ..records import Article, Mention
from ..settings import MODELS_DIR


RULES_FILE = MODELS_DIR / "rules" / "relations.json"


QUOTED_RE = re.compile(r"[„“\"»«](?P<q>[^„“”\"»«\n]{3,120})[“”\"«»]")


TOKEN_RE = re.compile(r"[\w\-–.’'&+]+")


PLACE_BEFORE_RE = re.compile(r"(\b(in|im|at|nach|aus|from|to|zu|bei)\s+(der|dem|the)?|\ban\s+(der|dem))\s*$", re.I)


PARTNER_BEFORE_RE = re.compile(r"\b(mit|with)\s+(der|dem|ihrer|ihrem|seiner|seinem|the|its|their)?\s*"
                               r"(\w*partner\w*\s+|twin\s+\w+\s+|sister\s+\w+\s+)?$", re.I)


SUBJECT_RE = re.compile(r"\b(Stadt|Bezirk|Senat|Land|Landeshauptstadt|Bezirksamt|city|council|municipality|we|wir|"
                        r"\w*bürgermeister\w*|\w*senator\w*|\w*stadtr[aä]t\w*|Mayor|Cllr|Councillor|Leader)\b", re.I)


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


def signing_status(text: str, lang: str) -> str:
    if rule("refused", lang).search(text):
        return "refused"
    if rule("planned", lang).search(text):
        return "planned"
    return "signed"
