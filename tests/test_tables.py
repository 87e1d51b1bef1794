"""Tables: documented columns, stable order, atomic writes; the result cache round-trips."""
from __future__ import annotations

import re
from pathlib import Path

import pandas as pd
import pytest

from pipeline.cache import ResultCache, rebind
from pipeline.records import Article, ArticleResult, City, Mention, Partnership, PersonName, Signature
from pipeline.run import mark_duplicates
from pipeline.tables import COLUMNS, build_frames, write_atomic, write_tables, write_tables_streamed

README = Path(__file__).resolve().parent.parent / "README.md"
TEXT = "Pankow unterzeichnet Charta\nAm 4. Juni 2024 unterzeichnete Erika Beispiel für Pankow die Charta."
PERSON_AT = TEXT.index("Erika Beispiel")


def sample_result(article_id: str = "de-pankow") -> ArticleResult:
    art = Article(article_id, f"{article_id}.txt", None, "Pankow unterzeichnet Charta", TEXT, None, language="de",
                  language_probability=0.99, sha256="ab" * 32)
    city = City("Pankow", 2855598, "DE", "borough")
    ms = [Mention("CITY", "Pankow", 0, 6, 0, 27, city=city, source="gazetteer"),
          Mention("DATE", "4. Juni 2024", TEXT.index("4. Juni"), TEXT.index("4. Juni") + 12, 28, len(TEXT), iso_date="2024-06-04", source="date_rules"),
          Mention("PERSON", "Erika Beispiel", PERSON_AT, PERSON_AT + 14, 28, len(TEXT), person=PersonName("Erika Beispiel"),
                  source="PER")]
    sig = Signature(article_id, "Pankow", 2855598, "city", "Charta", "2024-06-04", "Erika Beispiel", None, None,
                    "signed", TEXT[28:], 28, len(TEXT))
    part = Partnership(article_id, "Städtepartnerschaft Pankow–Kolín", "twinning", "Pankow", 2855598, "city", None,
                       None, None, TEXT[28:], 28, len(TEXT))
    return ArticleResult(art, ms, [sig], [part])


def test_frames_have_documented_columns_in_order():
    frames = build_frames([sample_result()], {})
    for name, cols in COLUMNS.items():
        assert list(frames[name].columns) == list(cols)
    ents = frames["entities"]
    assert ents.loc[0, "geonames_id"] == 2855598 and ents.loc[1, "iso_date"] == "2024-06-04"
    assert ents.loc[2, "sentence"].startswith("Am 4. Juni 2024")
    assert TEXT[ents.loc[2, "start"]:ents.loc[2, "end"]] == "Erika Beispiel"


def test_readme_documents_every_column():
    readme = README.read_text(encoding="utf-8")
    for name, cols in COLUMNS.items():
        assert f"`{name}.csv`" in readme
        for col in cols:
            assert re.search(rf"\|\s*`{col}`\s*\|", readme), f"{name}.{col} missing from README"


def test_write_is_atomic_and_keeps_old_table_on_failure(tmp_path, monkeypatch):
    target = tmp_path / "t.csv"
    write_atomic(pd.DataFrame({"a": [1]}), target)

    def boom(*args, **kwargs):
        raise OSError("disk full")
    monkeypatch.setattr(pd.DataFrame, "to_csv", boom)
    with pytest.raises(OSError):
        write_atomic(pd.DataFrame({"a": [2]}), target)
    assert target.read_text() == "a\n1\n" and list(tmp_path.iterdir()) == [target]


def test_tables_written_with_bom_for_excel(tmp_path):
    paths = write_tables(build_frames([sample_result()], {}), tmp_path, excel=True)
    assert paths["signatures"].read_bytes().startswith(b"\xef\xbb\xbf")
    assert pd.read_csv(paths["signatures"], encoding="utf-8-sig").loc[0, "signatory"] == "Pankow"


def test_cache_round_trip_and_rebind(tmp_path):
    cache = ResultCache(tmp_path, version="test")
    result = sample_result()
    cache.put(result.article.sha256, result)
    back = cache.get(result.article.sha256)
    assert back == result
    other = Article("copy", "copy.html", "http://x/copy", "", "", None)
    moved = rebind(back, other)
    assert moved.article.id == "copy" and moved.signatures[0].article_id == "copy" and moved.article.text == TEXT
    assert cache.get("ff" * 32) is None and ResultCache(tmp_path, version="other").get(result.article.sha256) is None


def test_duplicates_are_marked_and_both_recorded():
    a = sample_result("a").article
    b = sample_result("b").article
    arts, dups = mark_duplicates([a, b])
    assert [x.status for x in arts] == ["ok", "duplicate"] and dups == {"b": "a"}
    frames = build_frames([ArticleResult(x) for x in arts], dups)
    assert frames["articles"].loc[1, "duplicate_of"] == "a"


def test_events_group_one_signing_reported_by_two_articles():
    from dataclasses import replace as rep

    from pipeline.events import event_rows, group_events
    a = sample_result("a").signatures[0]
    b = rep(a, article_id="b", signatory="Kolín", geonames_id=3073152, date=None)
    other = rep(a, article_id="b", agreement="Memorandum of Understanding", signatory="Prague")
    planned = rep(a, article_id="c", signatory="Brno", status="planned")
    rows = event_rows(group_events([a, b, other, planned]))
    assert len(rows) == 2
    assert rows[0]["n_signatories"] == 2 and rows[0]["articles"] == "a; b" and rows[0]["date"] == "2024-06-04"
    assert rows[1]["signatories"] == "Prague"


def test_cache_holds_no_results_but_reads_an_entry_once_to_know_it_is_there(tmp_path):
    """A run asks twice whether a result is cached (to skip extraction, then the NLP): the second time is
    answered from memory, without reading the file; the results themselves are not kept."""
    writer = ResultCache(tmp_path, version="test")
    result = sample_result()
    writer.put(result.article.sha256, result)
    reader = ResultCache(tmp_path, version="test")
    first = reader.get(result.article.sha256)
    assert first == result and reader.get(result.article.sha256) is not first  # read again, not kept
    next(tmp_path.rglob("*.json")).unlink()
    assert reader.has(result.article.sha256) and reader.get(result.article.sha256) is None
    assert not reader.has(result.article.sha256) and not ResultCache(tmp_path, version="test").has(result.article.sha256)


def test_stored_results_are_read_from_the_cache_when_used(tmp_path):
    """A run's results: the analysed ones from the cache (under each input's id), failures and articles
    without analysis from memory; the articles it holds have no text where the cache has it."""
    from dataclasses import replace as rep

    from pipeline.cache import CacheLost, StoredResults
    cache = ResultCache(tmp_path, version="test")
    stored, failed = sample_result("a"), ArticleResult(rep(sample_result("b").article, status="extract_error"))
    cache.put(stored.article.sha256, stored)
    copy = rep(stored.article, id="a2", source="elsewhere/a2.html")  # same content under another input
    short = rep(sample_result("c").article, status="too_short")
    results = StoredResults([stored.article, copy, rep(failed.article, status="ok"), short], {"b": failed}, cache)
    assert [a.text for a in results.articles] == ["", "", failed.article.text, short.text]
    assert [a.status for a in results.articles] == ["ok", "ok", "extract_error", "too_short"]
    assert len(results) == 4 and results[0] == stored and results[2] == failed and results[3] == ArticleResult(short)
    assert results[1].article.id == "a2" and results[1].mentions == stored.mentions
    assert [r.article.id for r in results] == ["a", "a2", "b", "c"] and results[1:3] == [results[1], failed]
    next(tmp_path.rglob("*.json")).unlink()
    with pytest.raises(CacheLost):
        results[0]


@pytest.mark.parametrize("excel", [False, True])
def test_tables_written_in_parts_are_the_same_bytes(tmp_path, excel):
    from dataclasses import replace as rep
    # parts where a column is all empty (no CITY, no language probability) and parts where it is not
    bare = ArticleResult(rep(sample_result("c").article, language_probability=None, sha256="cd" * 32),
                         [m for m in sample_result("c").mentions if m.type != "CITY"], [], [])
    failed = ArticleResult(rep(sample_result("d").article, status="extract_error", error="boom", text=""))
    results = [sample_result("a"), bare, failed, sample_result("b")]
    whole = write_tables(build_frames(results, {"b": "a"}), tmp_path / "whole", excel=excel)
    for chunk in (1, 3):
        parts = write_tables_streamed(results, {"b": "a"}, tmp_path / f"parts{chunk}", excel=excel, chunk=chunk)
        assert {n: p.read_bytes() for n, p in parts.items()} == {n: p.read_bytes() for n, p in whole.items()}
        joined = build_frames(results, {"b": "a"}, chunk=chunk)  # frames made in parts: the same values
        assert {n: df.to_csv(index=False) for n, df in joined.items()} == \
            {n: df.to_csv(index=False) for n, df in build_frames(results, {"b": "a"}).items()}
        assert len(joined["entities"]) == sum(len(r.mentions) for r in results) > 0
    empty = write_tables_streamed([], {}, tmp_path / "empty")
    assert empty["entities"].read_text().strip() == ",".join(COLUMNS["entities"])
