"""The benchmark end to end at CI size (N=20 Berlin releases, or a generated stand-in when the archive is absent)."""
from __future__ import annotations

import gzip
import json

import pytest

from pipeline import bench

REQUIRED = {"n_articles", "articles_per_s", "words_per_s", "baseline_articles_per_s", "speedup_vs_baseline",
            "rerun_seconds", "rerun_speedup", "peak_rss_mb", "scaling", "stages"}
BODY = ("Der Bezirk Pankow hat am 4. Juni 2024 die Charta der Vielfalt unterzeichnet. Bezirksbürgermeisterin "
        "Erika Beispiel unterschrieb die Urkunde im Rathaus. Die Charta ist ein Netzwerk von Arbeitgebern, "
        "das sich für Vielfalt in der Arbeitswelt einsetzt. Damit schließt sich der Bezirk vielen Städten an.")


def test_page_html_round_trips_through_extraction(tmp_path):
    from pipeline.extract import extract_article
    from pipeline.records import Source
    rel = {"id": "x", "published": "2020-05-04", "text": "Senat & Bezirk\nErster Absatz <mit> Zeichen.\nZweiter Absatz."}
    path = tmp_path / "x.html"
    path.write_text(bench.page_html(rel), encoding="utf-8")
    art = extract_article(Source("x", str(path), path=str(path)))
    assert art.title == "Senat & Bezirk" and "Erster Absatz <mit> Zeichen." in art.text and "Startseite" not in art.text


@pytest.mark.slow
def test_bench_small_n_writes_the_report(tmp_path):
    corpus = bench.BERLIN
    if not corpus.exists():  # CI without the shared archive: a small generated one
        corpus = tmp_path / "c.jsonl.gz"
        with gzip.open(corpus, "wt", encoding="utf-8") as fh:
            for i in range(40):
                fh.write(json.dumps({"id": f"r{i}", "published": "2024-06-04", "text": f"Meldung {i}\n{BODY} {i}"}) + "\n")
    out = tmp_path / "bench.json"
    assert bench.main(["--n", "20", "--corpus", str(corpus), "--out", str(out), "--n-process", "2",
                       "--scaling-factors", "1,2"]) == 0
    report = json.loads(out.read_text())
    assert REQUIRED <= set(report)
    assert report["n_articles"] == 20 and [s["n"] for s in report["scaling"]] == [20, 40]
    assert set(report["stages"]) == set(bench.STAGES) and report["tables_equal_baseline"] is True
    assert report["rerun_nlp_articles"] == 0 and report["rerun_speedup"] > 1 and report["peak_rss_mb"] > 0
    assert all(s["peak_rss_mb"] > 0 for s in report["scaling"])
