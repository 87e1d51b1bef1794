"""Learned decision on the rules' candidate rows: a confidence for every signature and partnership row.

The rules (``signatures``, ``partnerships``) propose rows; each row is described by features of its
sentence, its party or member and its article (``signature_features``, ``partnership_features``:
general cues only — signing and planning words, where the party stands, how often the article names
it — never a word of one article), and a logistic regression trained on the dev corpus' gold
(``pipeline/training/build_relations.py``, cross-validated by article, Platt-calibrated on the
out-of-fold scores) gives the probability that the row is in the gold table. Rows under the model's
threshold are dropped; the others keep their probability in the ``confidence`` column.

The model is plain JSON (``models/relations/classifier.json``: feature weights, intercept, Platt
coefficients, threshold) applied here without scikit-learn.
"""
from __future__ import annotations

import json
import math
import re
from dataclasses import replace
from functools import lru_cache
from pathlib import Path

from .. import orgs
from ..records import Article, Mention, Partnership, Signature
from ..settings import MODELS_DIR
from .text import rule

MODEL_FILE = MODELS_DIR / "relations" / "classifier.json"

AGREEMENT_KINDS = {  # document heads by kind (German and English), general vocabulary of the domain
    "charter": r"chart(a|er)",
    "declaration": r"erklärung|deklaration|declaration|resolution|appell|manifest|kommuniqu|communiqu|oath|pledge",
    "memorandum": r"memorandum|mou\b|absicht|letter of intent|\bloi\b",
    "agreement": r"vereinbarung|abkommen|agreement|accord|pakt|pact|compact|covenant|konvention|convention",
    "contract": r"vertr[aä]g|contract|treaty|lease",
}
FUTURE_RE = re.compile(r"\b(will|would|soll\w*|wird|werden|woll\w*|plan\w*|geplant\w*|künftig|future|next|kommend\w*)\b",
                       re.I)
BETWEEN_RE = re.compile(r"\b(zwischen|between)\b", re.I)
WITH_RE = re.compile(r"\b(gemeinsam mit|zusammen mit|together with|with|mit)\b", re.I)
PARTNER_RE = re.compile(r"partner|mitglied|member|konsortium|consortium|beteiligt|participat", re.I)


def _fold(s: str) -> str:
    return orgs.fold(s or "")


def _log1(n: float) -> float:
    return math.log1p(max(n, 0))


class ArticleView:
    """What the features need of one article: its text, headline, mentions by folded name."""

    def __init__(self, article: Article, mentions: list[Mention]):
        self.article, self.text = article, article.text
        end = self.text.find("\n")
        self.head_end = end if end >= 0 else len(self.text)
        self.headline = _fold(self.text[:self.head_end])
        self.lang = article.language or "de"
        self.by_name: dict[str, list[Mention]] = {}
        for m in mentions:
            for key in {_fold(m.text), _fold(self._name(m))} - {""}:
                self.by_name.setdefault(key, []).append(m)
        cities = [m for m in mentions if m.type == "CITY" and m.city]
        counts: dict[str, int] = {}
        for m in cities:
            counts[_fold(m.city.name)] = counts.get(_fold(m.city.name), 0) + 1
        self.top_city = max(counts, key=counts.get) if counts else ""

    @staticmethod
    def _name(m: Mention) -> str:
        return m.city.name if m.city else m.person.name if m.person else m.org or m.text

    def mentions_of(self, name: str) -> list[Mention]:
        return self.by_name.get(_fold(name), [])


def _common(view: ArticleView, name: str, is_city: bool, start: int, end: int) -> dict[str, float]:
    """Features of a party or member in its evidence sentence and article."""
    sent = view.text[start:end]
    ms = view.mentions_of(name)
    inside = [m for m in ms if start <= m.start < end]
    verb = rule("sign_trigger", view.lang).search(sent)
    f = {
        "lang_en": float(view.lang == "en"),
        "is_city": float(is_city),
        "in_sentence": float(bool(inside) or _fold(name) in _fold(sent)),
        "in_headline": float(_fold(name) in view.headline),
        "evidence_is_headline": float(start < view.head_end),
        "position": start / max(len(view.text), 1),
        "mentions_log": _log1(len(ms)),
        "is_top_city": float(is_city and _fold(name) == view.top_city),
        "registry_org": float(not is_city and _fold(name) in orgs.registry_index()),
        "name_words_log": _log1(len(name.split())),
        "sentence_words_log": _log1(len(sent.split())),
        "sign_verb": float(verb is not None),
        "future": float(bool(FUTURE_RE.search(sent))),
        "between": float(bool(BETWEEN_RE.search(sent))),
        "with": float(bool(WITH_RE.search(sent))),
        "partner_word": float(bool(PARTNER_RE.search(sent))),
    }
    if inside and verb is not None:
        at = start + verb.start()
        gap = min(abs(m.start - at) for m in inside)
        f["verb_gap_log"] = _log1(gap / 10)
        f["before_verb"] = float(any(m.start < at for m in inside))
    return f


def signature_features(view: ArticleView, row: Signature, rows: list[Signature]) -> dict[str, float]:
    f = _common(view, row.signatory, row.signatory_type == "city", row.evidence_start, row.evidence_end)
    agreement = row.agreement.casefold()
    kind = next((k for k, pattern in AGREEMENT_KINDS.items() if re.search(pattern, agreement)), "other")
    same_doc = [r for r in rows if r.agreement == row.agreement]
    f.update({
        f"doc_{kind}": 1.0,
        "doc_words_log": _log1(len(agreement.split())),
        "doc_in_headline": float(any(w in view.headline for w in _fold(row.agreement).split() if len(w) > 4)),
        "has_date": float(row.date is not None),
        "has_person": float(row.person is not None),
        "has_place": float(row.place is not None),
        "parties_of_doc_log": _log1(len({r.signatory for r in same_doc})),
        "documents_log": _log1(len({r.agreement for r in rows})),
    })
    return f


def partnership_features(view: ArticleView, row: Partnership, rows: list[Partnership]) -> dict[str, float]:
    f = _common(view, row.member, row.member_type == "city", row.evidence_start, row.evidence_end)
    group = [r for r in rows if r.partnership == row.partnership]
    f.update({
        f"kind_{row.kind}": 1.0,
        "name_in_sentence": float(_fold(row.partnership) in _fold(view.text[row.evidence_start:row.evidence_end])),
        "name_in_headline": float(_fold(row.partnership) in view.headline),
        "members_log": _log1(len(group)),
        "partnerships_log": _log1(len({r.partnership for r in rows})),
        "has_start": float(row.start is not None),
    })
    return f


# --------------------------------------------------------------------------- the model


@lru_cache(maxsize=4)
def load_model(path: str = str(MODEL_FILE)) -> dict | None:
    """The classifier file, or None when there is none (every row is kept, without a confidence)."""
    p = Path(path)
    return json.loads(p.read_text(encoding="utf-8")) if p.is_file() else None


def probability(part: dict, features: dict[str, float]) -> float:
    """Platt-calibrated probability of one row under one part of the model (signatures or partnerships)."""
    z = part["intercept"] + sum(part["weights"].get(k, 0.0) * v for k, v in features.items())
    z = part["platt"][0] * z + part["platt"][1]
    return 1.0 / (1.0 + math.exp(-max(min(z, 50.0), -50.0)))


def decide(article: Article, mentions: list[Mention], sigs: list[Signature], parts: list[Partnership],
           model: dict | None = None) -> tuple[list[Signature], list[Partnership]]:
    """The rows with their confidence; rows under the model's threshold are dropped (signatures: only
    rows with status signed are judged, planned and refused rows keep their status and get a confidence)."""
    model = load_model() if model is None else model
    if not model or not (sigs or parts):
        return sigs, parts
    view = ArticleView(article, mentions)
    out_sigs = []
    for row in sigs:
        p = probability(model["signatures"], signature_features(view, row, sigs))
        if row.status != "signed" or p >= model["signatures"]["threshold"]:
            out_sigs.append(replace(row, confidence=round(p, 3)))
    out_parts = []
    for row in parts:
        p = probability(model["partnerships"], partnership_features(view, row, parts))
        if p >= model["partnerships"]["threshold"]:
            out_parts.append(replace(row, confidence=round(p, 3)))
    return out_sigs, out_parts
