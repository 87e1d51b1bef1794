"""The whole pipeline on the team's sample articles, through the CLI functions."""
from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest

from pipeline.cli import main
from pipeline.nlp import EntityFinder
from pipeline.run import run
from pipeline.settings import SAMPLES_DIR, Settings

pytestmark = pytest.mark.slow
ARTICLES = SAMPLES_DIR / "articles"


@pytest.fixture(scope="module")
def finder():
    return EntityFinder(Settings())


def test_extract_writes_the_four_tables(tmp_path, finder):
    result = run([str(ARTICLES)], tmp_path / "out", Settings(), cache_dir=tmp_path / "cache", finder=finder,
                 progress=False)
    assert set(result.tables) == {"articles", "entities", "signatures", "partnerships", "events"}
    articles = pd.read_csv(result.tables["articles"])
    assert len(articles) == len(list(ARTICLES.iterdir())) and set(articles.status) == {"ok"}
    assert set(articles.language) == {"de", "en"} and result.exit_code == 0
    ents = pd.read_csv(result.tables["entities"])
    assert {"CITY", "PERSON", "ORG", "DATE"} <= set(ents.type)
    text = result.results[0].article.text
    first = ents[ents.article_id == result.results[0].article.id].iloc[0]
    assert text[first.start:first.end] == first.text
    sigs = pd.read_csv(result.tables["signatures"])
    assert ((sigs.signatory == "Leipzig") & (sigs.status == "signed")).any()


def test_rerun_on_unchanged_input_does_no_nlp_work(tmp_path, finder):
    first = run([str(ARTICLES)], None, Settings(), cache_dir=tmp_path, finder=finder, progress=False)
    again = run([str(ARTICLES)], None, Settings(), cache_dir=tmp_path, finder=finder, progress=False)
    assert first.nlp_articles == len(first.results) and again.nlp_articles == 0
    assert [r.signatures for r in first.results] == [r.signatures for r in again.results]


def test_results_are_deterministic(tmp_path, finder):
    a = run([str(ARTICLES)], tmp_path / "a", Settings(), cache_dir=tmp_path / "c1", finder=finder, progress=False)
    b = run([str(ARTICLES)], tmp_path / "b", Settings(), cache_dir=tmp_path / "c2", finder=finder, progress=False)
    for name in a.tables:
        assert a.tables[name].read_bytes() == b.tables[name].read_bytes()


def test_cli_usage_error_is_one_line_exit_2(tmp_path, capsys):
    code = main(["--cache-dir", str(tmp_path), "extract", str(tmp_path / "nope"), "--out", str(tmp_path)])
    err = capsys.readouterr().err.strip()
    assert code == 2 and err.startswith("error:") and "\n" not in err


def test_cli_exit_1_when_some_inputs_fail(tmp_path):
    (tmp_path / "in").mkdir()
    (tmp_path / "in" / "broken.html").write_bytes(b"%PDF-1.5 not a page")
    (tmp_path / "in" / "fine.txt").write_text((ARTICLES / "de-pankow-mayors-for-peace.txt").read_text()
                                              if (ARTICLES / "de-pankow-mayors-for-peace.txt").exists()
                                              else next(ARTICLES.glob("*.txt")).read_text())
    code = main(["--cache-dir", str(tmp_path / "c"), "--no-progress", "extract", str(tmp_path / "in"),
                 "--out", str(tmp_path / "out")])
    statuses = pd.read_csv(tmp_path / "out" / "articles.csv").set_index("id").status.to_dict()
    assert code == 1 and statuses["broken"] == "not_html" and statuses["fine"] == "ok"
    assert (tmp_path / "out" / "report.html").read_text(encoding="utf-8").count("<table") >= 2


def test_cli_evaluate_json_on_samples(tmp_path, capsys):
    code = main(["--cache-dir", str(tmp_path / "c"), "--no-progress", "evaluate", "--corpus", str(SAMPLES_DIR),
                 "--out", str(tmp_path / "eval"), "--json"])
    out = json.loads(capsys.readouterr().out)
    assert code == 0 and out["n_articles"] == len(list((SAMPLES_DIR / "gold").glob("*.json")))
    for name in ("cities", "persons", "organisations", "dates", "signatories", "signatures", "partnerships"):
        assert set(out["lists"][name]) >= {"all", "de", "en"}
    assert "date_accuracy" in out["lists"]["signatures"]["all"]
    errors = pd.read_csv(tmp_path / "eval" / "errors.csv")
    assert list(errors.columns) == ["article", "list", "kind", "item"]
    assert (Path(tmp_path / "eval") / "scores.json").exists()


def test_cli_evaluate_rejects_a_folder_without_gold(tmp_path, capsys):
    assert main(["evaluate", "--corpus", str(tmp_path)]) == 2
    assert "articles/ and gold/" in capsys.readouterr().err


def test_analyse_batch_frees_the_strings_its_docs_added(finder):
    """A long run's memory stays flat: words first seen in a batch leave the vocabulary afterwards,
    while the results (plain values) stay usable."""
    from pipeline.records import Article
    from pipeline.run import analyse_batch

    text = ("Die Stadt Leipzig hat am 3. Mai 2024 die Charta Quorxelbund unterzeichnet. "
            "Oberbürgermeister Burkhard Jung unterschrieb für die Zyprablik-Initiative.")
    article = Article(id="a1", source="test", url=None, title="", text=text, published="2024-05-03",
                      language="de", sha256="x")
    strings = finder.nlp("de").vocab.strings
    before = len(strings)
    results = list(analyse_batch([article], finder))
    assert len(strings) == before and "Quorxelbund" not in strings
    assert any(m.city and m.city.name == "Leipzig" for m in results[0].mentions)
    assert results[0].signatures and results[0].signatures[0].signatory == "Leipzig"


def copy_articles(dest: Path, n: int = 3) -> Path:
    dest.mkdir(parents=True)
    for path in sorted(ARTICLES.iterdir())[:n]:
        (dest / path.name).write_bytes(path.read_bytes())
    return dest


def stamps(result) -> dict[str, int]:
    return {name: path.stat().st_mtime_ns for name, path in result.tables.items()}


def test_rerun_into_the_same_folder_writes_nothing_until_something_changes(tmp_path, finder):
    inputs, out = copy_articles(tmp_path / "in"), tmp_path / "out"
    go = lambda: run([str(inputs)], out, Settings(), cache_dir=tmp_path / "cache", finder=finder, progress=False)
    first = go()
    again = go()
    assert not first.up_to_date and again.up_to_date and again.nlp_articles == 0
    assert stamps(again) == stamps(first) and again.outputs_key == first.outputs_key
    assert again.table_frames()["entities"].equals(first.table_frames()["entities"])  # built on demand
    # a table edited (or deleted) by hand is written again
    first.tables["signatures"].write_text("edited\n", encoding="utf-8")
    mended = go()
    assert not mended.up_to_date and first.tables["signatures"].read_text().startswith("article_id,")
    (out / "events.csv").unlink()
    assert not go().up_to_date and (out / "events.csv").exists()
    # a new input changes the key: the tables are written with its rows
    extra = sorted(ARTICLES.iterdir())[3]
    (inputs / extra.name).write_bytes(extra.read_bytes())
    grown = go()
    assert not grown.up_to_date and grown.nlp_articles == 1
    assert len(pd.read_csv(grown.tables["articles"])) == 4


def test_cli_rerun_skips_the_report_and_adds_parquet_when_asked(tmp_path, capsys):
    inputs, out = copy_articles(tmp_path / "in", 2), tmp_path / "out"
    args = ["--cache-dir", str(tmp_path / "cache"), "--n-process", "1", "--no-progress", "extract", str(inputs),
            "--out", str(out)]
    assert main(args) == 0
    report = (out / "report.html").stat().st_mtime_ns
    capsys.readouterr()
    assert main(args) == 0
    assert "tables up to date" in capsys.readouterr().err and (out / "report.html").stat().st_mtime_ns == report
    assert main(args + ["--format", "parquet"]) == 0
    assert (out / "entities.parquet").exists() and (out / "report.html").stat().st_mtime_ns != report
