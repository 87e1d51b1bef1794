"""Baselines reported beside the system by the evaluation (same articles, same mention spans):

- cities: first-hit GeoNames lookup: every capitalised word (and two-word sequence) that is a
  cities500 name or alternate name becomes the most populous place of that name; no evidence,
  no stop list;
- dates: ``dateparser.parse`` on each date span the system found (day precision, no periods);
- signatures: every city in a sentence with a signing word is a signatory of the first document
  named in the article; partnerships: every city in a sentence with a twinning word is a member
  of one twinning.
"""
from __future__ import annotations

import re
import warnings

from .geo import CityResolver, fold
from .records import ArticleResult
from .relations import Sentence, agreement_names, rule, rules, sentences_from_text

CAPITALISED = re.compile(r"\b[A-ZÄÖÜ][\w\-]+(?:\s+[A-ZÄÖÜ][\w\-]+)?")


def first_hit_cities(text: str, resolver: CityResolver) -> list[dict]:
    gaz = resolver.gaz
    out, seen = [], set()
    for match in CAPITALISED.finditer(text):
        for surface in (match.group(0), match.group(0).split()[0]):
            ids = gaz.names.get(fold(surface))
            if ids:
                gid = max((g for g in ids if g > 0), key=lambda g: gaz.places[g][3], default=None)
                if gid and gid not in seen:
                    seen.add(gid)
                    out.append({"name": gaz.places[gid][0], "geonames_id": gid, "country": gaz.places[gid][1]})
                break
    return out


def dateparser_dates(result: ArticleResult) -> list[str]:
    import dateparser

    out = []
    lang = result.article.language or "de"
    for m in result.mentions:
        if m.type != "DATE":
            continue
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            parsed = dateparser.parse(m.text, languages=[lang], settings={"DATE_ORDER": "DMY"})
        if parsed:
            out.append(parsed.date().isoformat())
    return list(dict.fromkeys(out))


def sentence_cities(result: ArticleResult, pattern: re.Pattern) -> list[list[dict]]:
    """The cities of each sentence that matches ``pattern``."""
    groups = []
    for start, end in sentences_from_text(result.article.text):
        if pattern.search(result.article.text[start:end]):
            groups.append([{"name": m.city.name, "geonames_id": m.city.geonames_id} for m in result.mentions
                           if m.type == "CITY" and start <= m.start < end])
    return groups


def relation_baseline(result: ArticleResult) -> tuple[list[dict], list[dict]]:
    lang = result.article.language or "de"
    text = result.article.text
    docs = [d for s, e in sentences_from_text(text) for d in agreement_names_at(text, s, e, lang)]
    agreement = docs[0].name if docs else "agreement"
    signers = [c for group in sentence_cities(result, rule("sign_trigger", lang)) for c in group]
    sigs = [{"signatory": c["name"], "geonames_id": c["geonames_id"], "agreement": agreement, "date": None,
             "person": None} for c in signers]
    members = [c for group in sentence_cities(result, rules()["partnership_kind"]["twinning"]) for c in group]
    parts = [{"name": "twinning", "kind": "twinning", "members": members}] if members else []
    return sigs, parts


def agreement_names_at(text: str, start: int, end: int, lang: str):
    return agreement_names(Sentence(start, end, text[start:end]), lang)


def baseline_prediction(result: ArticleResult, resolver: CityResolver) -> dict:
    """One article's baseline predictions in the gold shape (persons and organisations: none)."""
    sigs, parts = relation_baseline(result)
    return {"id": result.article.id, "cities": first_hit_cities(result.article.text, resolver), "persons": [],
            "organisations": [], "dates": dateparser_dates(result), "signatures": sigs, "partnerships": parts}
