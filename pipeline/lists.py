"""Article-level lists in the gold format (GOLD_FORMAT.md): what the evaluation scores.

One truth: ``finalise`` decides once, per article, which mention names which city, person,
organisation or date (persons and organisations clustered across the article) and marks the
mentions no list counts (``Mention.listed``). The tables carry those decisions (entities.csv's
``name`` and ``listed`` columns), and the lists are read from table rows only
(``lists_from_rows``): the evaluation reads them from the CSV files it wrote, so what it scores is
what a user reads.
"""
from __future__ import annotations

import math
import re
from dataclasses import replace

from . import orgs, people
from .records import ArticleResult, Mention


# --------------------------------------------------------------------------- decisions on mentions


def finalise(result: ArticleResult) -> ArticleResult:
    """The result with its mentions as the lists count them: every PERSON mention carries its person's
    clustered record (full name, best title, role, affiliation), every ORG mention its organisation's
    canonical name; a lone word that joins no person, an organisation that is one of the article's
    projects and a place or date left unresolved are ``listed=False``."""
    mentions = list(result.mentions)
    _finalise_persons(mentions)
    _finalise_orgs(mentions, result)
    for i, m in enumerate(mentions):
        if m.type == "CITY" and m.city is None or m.type == "DATE" and not m.iso_date:
            mentions[i] = replace(m, listed=False)
    return ArticleResult(result.article, mentions, result.signatures, result.partnerships)


def _finalise_persons(mentions: list[Mention]) -> None:
    at = [i for i, m in enumerate(mentions) if m.type == "PERSON"]
    persons = [mentions[i].person or people.PersonName("") for i in at]
    clustered: dict[int, people.PersonName] = {}
    for record, members in people.person_clusters(persons):
        clustered.update((at[k], record) for k in members)
    for i in at:
        m = mentions[i]
        mentions[i] = replace(m, person=clustered[i], listed=True) if i in clustered else replace(m, listed=False)


def _finalise_orgs(mentions: list[Mention], result: ArticleResult) -> None:
    projects = project_names(result)
    at = []
    for i, m in enumerate(mentions):
        if m.type != "ORG":
            continue
        if not m.org or orgs.fold(m.org) in projects:
            mentions[i] = replace(m, listed=False)
        else:
            at.append(i)
    a = result.article
    clusters, of_name = orgs.org_clusters([mentions[i].org for i in at], a.text, a.language or "de")
    for i, k in zip(at, of_name):
        mentions[i] = replace(mentions[i], listed=False) if k is None else replace(mentions[i], org=clusters[k][0])


def project_names(result: ArticleResult) -> frozenset[str]:
    """Folded names of the article's projects, with the long form the text gives in brackets right after
    a name ("+CityxChange (Positive City ExChange)")."""
    names = {p.partnership for p in result.partnerships if p.kind == "project"}
    text = result.article.text
    for name in list(names):
        names.update(m.group(1) for m in re.finditer(rf"{re.escape(name)}\s*\(([^()]{{3,100}})\)", text))
    return frozenset(orgs.fold(n) for n in names)


# --------------------------------------------------------------------------- lists from table rows


def _value(v):
    """A cell as read back from a CSV: NaN/None/"" are None."""
    if v is None or isinstance(v, float) and math.isnan(v) or v == "":
        return None
    return v


def _int(v) -> int | None:
    v = _value(v)
    return None if v is None else int(float(v)) if isinstance(v, str) else int(v)


def _listed(row: dict) -> bool:
    v = _value(row.get("listed"))
    return v is None or v is True or str(v).strip().casefold() == "true"


def city_items(rows: list[dict]) -> list[dict]:
    seen, out = set(), []
    for r in rows:
        if r["type"] == "CITY" and _listed(r) and _value(r["name"]):
            gid = _int(r["geonames_id"])
            key = gid or r["name"]
            if key not in seen:
                seen.add(key)
                out.append({"name": r["name"], "geonames_id": gid, "country": _value(r["country"])})
    return out


def person_items(rows: list[dict]) -> list[dict]:
    seen: dict[str, dict] = {}
    for r in rows:
        if r["type"] == "PERSON" and _listed(r) and _value(r["name"]) and r["name"] not in seen:
            seen[r["name"]] = {"name": r["name"], "title": _value(r["title"]), "role": _value(r["role"]),
                               "affiliation": _value(r["affiliation"])}
    return list(seen.values())


def org_items(rows: list[dict]) -> list[dict]:
    """One item per canonical name; the other forms the article writes it in are its aliases."""
    seen: dict[str, dict] = {}
    for r in rows:
        if r["type"] == "ORG" and _listed(r) and _value(r["name"]):
            item = seen.setdefault(r["name"], {"name": r["name"], "aliases": []})
            written = " ".join(str(_value(r["text"]) or "").split())
            if written and written != r["name"] and written not in item["aliases"]:
                item["aliases"].append(written)
    return list(seen.values())


def date_items(rows: list[dict]) -> list[str]:
    return list(dict.fromkeys(r["iso_date"] for r in rows if r["type"] == "DATE" and _listed(r)
                              and _value(r["iso_date"])))


def signature_items(rows: list[dict]) -> list[dict]:
    return [{"signatory": r["signatory"], "geonames_id": _int(r["geonames_id"]), "agreement": r["agreement"],
             "date": _value(r["date"]), "person": _value(r["person"]), "status": _value(r["status"])} for r in rows]


def partnership_items(rows: list[dict]) -> list[dict]:
    groups: dict[tuple, dict] = {}
    for r in rows:
        group = groups.setdefault((r["partnership"], r["kind"]), {
            "name": r["partnership"], "kind": r["kind"], "start": _value(r["start"]), "end": _value(r["end"]),
            "members": []})
        group["members"].append({"name": r["member"], "geonames_id": _int(r["member_geonames_id"])})
    return list(groups.values())


def lists_from_rows(article: dict, entities: list[dict], signatures: list[dict], partnerships: list[dict]) -> dict:
    """One article's lists in the shape of a gold file, from its rows of articles.csv, entities.csv,
    signatures.csv and partnerships.csv (as dicts, from ``tables.table_rows`` or read back from disk)."""
    return {"id": article["id"], "url": _value(article.get("url")), "language": _value(article.get("language")),
            "published": _value(article.get("published")), "cities": city_items(entities),
            "persons": person_items(entities), "organisations": org_items(entities), "dates": date_items(entities),
            "signatures": signature_items(signatures), "partnerships": partnership_items(partnerships)}


def gold_shape(result: ArticleResult) -> dict:
    """One article's predictions in the shape of a gold file, made from its table rows."""
    from .tables import table_rows  # tables builds on records only; lists builds on tables' rows

    rows = {name: table_rows(name, [result], {}) for name in ("articles", "entities", "signatures", "partnerships")}
    return lists_from_rows(rows["articles"][0], rows["entities"], rows["signatures"], rows["partnerships"])


def predictions_from_frames(frames: dict) -> dict[str, dict]:
    """Gold-shaped lists per article id from the tables as DataFrames (e.g. read back from the CSVs)."""
    by_article: dict[str, dict[str, list[dict]]] = {}
    for name in ("entities", "signatures", "partnerships"):
        for row in frames[name].to_dict("records"):
            by_article.setdefault(str(row["article_id"]), {}).setdefault(name, []).append(row)
    out = {}
    for article in frames["articles"].to_dict("records"):
        rows = by_article.get(str(article["id"]), {})
        out[str(article["id"])] = lists_from_rows(article, rows.get("entities", []), rows.get("signatures", []),
                                                  rows.get("partnerships", []))
    return out
