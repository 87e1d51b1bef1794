"""One truth: the evaluation scores the tables a user reads.

Extract + evaluate the team's sample corpus, then score the CSV files written by that run with
GOLD_FORMAT.md's rules, reading them here with the csv module only (no pipeline code builds the
lists), and compare with what ``evaluate`` reported, list by list and language by language.
"""
from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest

from pipeline.cli import main
from pipeline.records import Article, ArticleResult, Mention, PersonName
from pipeline.scoring import LIST_NAMES, aggregate, score_article
from pipeline.settings import SAMPLES_DIR


def read(path: Path) -> list[dict]:
    with open(path, encoding="utf-8-sig", newline="") as fh:
        return list(csv.DictReader(fh))


def lists_from_csv(out: Path) -> dict[str, dict]:
    """A reader's lists: the distinct names of the rows marked listed, per article."""
    entities, sigs, parts = read(out / "entities.csv"), read(out / "signatures.csv"), read(out / "partnerships.csv")
    preds = {}
    for art in read(out / "articles.csv"):
        aid = art["id"]
        ents = [e for e in entities if e["article_id"] == aid and e["listed"] == "True"]
        cities = {e["geonames_id"] or e["name"]: {"name": e["name"], "geonames_id": int(e["geonames_id"]) if e["geonames_id"] else None}
                  for e in ents if e["type"] == "CITY"}
        groups: dict[tuple, dict] = {}
        for p in (p for p in parts if p["article_id"] == aid):
            group = groups.setdefault((p["partnership"], p["kind"]), {"name": p["partnership"], "kind": p["kind"], "members": []})
            group["members"].append({"name": p["member"],
                                     "geonames_id": int(p["member_geonames_id"]) if p["member_geonames_id"] else None})
        preds[aid] = {
            "id": aid, "language": art["language"],
            "cities": list(cities.values()),
            "persons": [{"name": n} for n in dict.fromkeys(e["name"] for e in ents if e["type"] == "PERSON")],
            "organisations": [{"name": n} for n in dict.fromkeys(e["name"] for e in ents if e["type"] == "ORG")],
            "dates": list(dict.fromkeys(e["iso_date"] for e in ents if e["type"] == "DATE")),
            "signatures": [{"signatory": s["signatory"], "geonames_id": int(s["geonames_id"]) if s["geonames_id"] else None,
                            "agreement": s["agreement"], "date": s["date"] or None, "person": s["person"] or None,
                            "status": s["status"]} for s in sigs if s["article_id"] == aid],
            "partnerships": list(groups.values()),
        }
    return preds


@pytest.mark.slow
def test_scores_of_the_written_csvs_equal_the_reported_scores(tmp_path, capsys):
    out = tmp_path / "eval"
    assert main(["--cache-dir", str(tmp_path / "c"), "--no-progress", "evaluate", "--corpus", str(SAMPLES_DIR),
                 "--out", str(out), "--json"]) == 0
    reported = json.loads(capsys.readouterr().out)
    gold = {p.stem: json.loads(p.read_text(encoding="utf-8")) for p in (SAMPLES_DIR / "gold").glob("*.json")}
    preds = lists_from_csv(out)
    ours = aggregate([score_article(preds.get(i, {"id": i}), g) for i, g in gold.items()])
    for name in LIST_NAMES:
        for lang in ("all", "de", "en"):
            assert ours["lists"][name][lang] == reported["lists"][name][lang], (name, lang)
    # and the tables hold something to score
    assert sum(len(p["persons"]) for p in preds.values()) > 5 and sum(len(p["signatures"]) for p in preds.values()) > 0


def test_person_rows_carry_the_clustered_name_and_lone_words_are_not_listed():
    from pipeline.lists import finalise, gold_shape
    from pipeline.tables import table_rows

    text = "Mayor Jane Example met Example and Patricia. Example said the plan was good."
    art = Article(id="a", source="t", url=None, title="", text=text, published=None, language="en")

    def at(word: str, nth: int = 0) -> int:
        i = -1
        for _ in range(nth + 1):
            i = text.index(word, i + 1)
        return i

    ms = [Mention("PERSON", "Jane Example", at("Jane"), at("Jane") + 12,
                  person=PersonName("Jane Example", role="Mayor")),
          Mention("PERSON", "Example", at("Example", 1), at("Example", 1) + 7, person=PersonName("Example")),
          Mention("PERSON", "Patricia", at("Patricia"), at("Patricia") + 8, person=PersonName("Patricia")),
          Mention("PERSON", "Example", at("Example", 2), at("Example", 2) + 7, person=PersonName("Example"))]
    result = finalise(ArticleResult(art, ms, [], []))
    rows = table_rows("entities", [result], {})
    assert [(r["name"], r["listed"]) for r in rows] == [
        ("Jane Example", True), ("Jane Example", True), ("Patricia", False), ("Jane Example", True)]
    assert [r["role"] for r in rows if r["listed"]] == ["Mayor"] * 3
    assert [p["name"] for p in gold_shape(result)["persons"]] == ["Jane Example"]


def test_organisation_rows_carry_the_cluster_name():
    from pipeline.lists import finalise
    from pipeline.tables import table_rows

    text = "The Example Cities Network (ECN) met. ECN members agreed."
    art = Article(id="a", source="t", url=None, title="", text=text, published=None, language="en")
    ms = [Mention("ORG", "Example Cities Network", 4, 26, org="Example Cities Network"),
          Mention("ORG", "ECN", 28, 31, org="ECN"), Mention("ORG", "ECN", 38, 41, org="ECN")]
    rows = table_rows("entities", [finalise(ArticleResult(art, ms, [], []))], {})
    assert {r["name"] for r in rows} == {"Example Cities Network"} and all(r["listed"] for r in rows)
