"""Article-level lists in the gold format (GOLD_FORMAT.md): what the evaluation scores.

Mentions become one item per city, person, organisation and date; signatures and partnerships
are grouped the way gold files group them.
"""
from __future__ import annotations

import re

from . import orgs, people
from .records import ArticleResult, Mention


def city_items(mentions: list[Mention]) -> list[dict]:
    seen, out = set(), []
    for m in mentions:
        if m.type == "CITY" and m.city is not None:
            key = m.city.geonames_id or m.city.name
            if key not in seen:
                seen.add(key)
                out.append({"name": m.city.name, "geonames_id": m.city.geonames_id, "country": m.city.country})
    return out


def person_items(mentions: list[Mention]) -> list[dict]:
    found = [m.person for m in mentions if m.type == "PERSON" and m.person is not None]
    return [{"name": p.name, "title": p.title, "role": p.role, "affiliation": p.affiliation}
            for p in people.cluster_persons(found)]


def org_items(mentions: list[Mention], text: str, lang: str, projects: frozenset[str] = frozenset()) -> list[dict]:
    """One item per organisation cluster; project names (folded, see ``project_names``) are partnerships,
    not organisations."""
    names = [m.org for m in mentions if m.type == "ORG" and m.org and orgs.fold(m.org) not in projects]
    return [{"name": name, "aliases": aliases} for name, aliases in orgs.cluster_orgs(names, text, lang)]


def date_items(mentions: list[Mention]) -> list[str]:
    return list(dict.fromkeys(m.iso_date for m in mentions if m.type == "DATE" and m.iso_date))


def signature_items(result: ArticleResult) -> list[dict]:
    return [{"signatory": s.signatory, "geonames_id": s.geonames_id, "agreement": s.agreement, "date": s.date,
             "person": s.person, "status": s.status} for s in result.signatures]


def partnership_items(result: ArticleResult) -> list[dict]:
    groups: dict[tuple, dict] = {}
    for p in result.partnerships:
        group = groups.setdefault((p.partnership, p.kind), {"name": p.partnership, "kind": p.kind, "start": p.start,
                                                           "end": p.end, "members": []})
        group["members"].append({"name": p.member, "geonames_id": p.member_geonames_id})
    return list(groups.values())


def project_names(result: ArticleResult) -> frozenset[str]:
    """Folded names of the article's projects, with the long form the text gives in brackets right after
    a name ("+CityxChange (Positive City ExChange)")."""
    names = {p.partnership for p in result.partnerships if p.kind == "project"}
    text = result.article.text
    for name in list(names):
        names.update(m.group(1) for m in re.finditer(rf"{re.escape(name)}\s*\(([^()]{{3,100}})\)", text))
    return frozenset(orgs.fold(n) for n in names)


def gold_shape(result: ArticleResult) -> dict:
    """One article's predictions in the shape of a gold file."""
    a = result.article
    ms = result.mentions
    return {"id": a.id, "url": a.url, "language": a.language, "published": a.published,
            "cities": city_items(ms), "persons": person_items(ms), "organisations": org_items(ms, a.text, a.language or "de", project_names(result)),
            "dates": date_items(ms), "signatures": signature_items(result), "partnerships": partnership_items(result)}
