"""Worker processes give the same results as the single-process analysis; incremental runs skip cached work."""
from __future__ import annotations

import os

import pytest

from pipeline import parallel
from pipeline.cache import ResultCache, StoredResults
from pipeline.inputs import resolve_inputs
from pipeline.nlp import EntityFinder
from pipeline.run import Progress, analyse, mark_duplicates, prepare
from pipeline.settings import SAMPLES_DIR, Settings

ARTICLES = SAMPLES_DIR / "articles"


def test_chunk_size_is_bounded_by_batch_size_and_spreads_small_inputs():
    assert parallel.chunk_size(10_000, 2, 32) == 32
    assert parallel.chunk_size(16, 2, 32) == 2
    assert parallel.chunk_size(1, 4, 32) == 1


def test_language_chunks_keep_one_language_per_chunk_in_sorted_order():
    from pipeline.records import Article
    arts = {lang: [Article(f"{lang}{i}", "s", None, "t", "x", None, language=lang) for i in range(5)]
            for lang in ("en", "de")}
    chunks = parallel.language_chunks(arts, n_process=1, batch_size=2)
    assert [len(c) for c in chunks] == [2, 2, 1, 2, 2, 1]
    assert [{a.language for a in c} for c in chunks] == [{"de"}] * 3 + [{"en"}] * 3


@pytest.fixture(scope="module")
def prepared():
    articles, _ = mark_duplicates(prepare(resolve_inputs([str(ARTICLES)], None), Settings()))
    return articles


class Recorder:
    """Progress that notes how many results were in the cache each time it was told of progress."""

    def __init__(self, cache: ResultCache):
        self.cache, self.done, self.cached_at_step = cache, 0, []

    def step(self, n: int = 1) -> None:
        self.done += n
        self.cached_at_step.append(sum(1 for _ in self.cache.root.rglob("*.json")))


@pytest.mark.slow
def test_parallel_equals_serial_and_caches_each_chunk_as_it_finishes(tmp_path, prepared, monkeypatch):
    monkeypatch.setattr(parallel, "MIN_POOL_ITEMS", 1)  # the samples are few: force the pool
    monkeypatch.setattr(parallel, "WORKER_CHUNKS", 2)  # and replace its workers during the run
    serial_cache = ResultCache(tmp_path / "a")
    serial_failed, n_serial = analyse(prepared, EntityFinder(Settings()), serial_cache, Progress(0, False))
    serial = list(StoredResults(prepared, serial_failed, serial_cache))
    cache = ResultCache(tmp_path / "b")
    rec = Recorder(cache)
    failed, n_par = parallel.analyse_parallel(prepared, Settings(batch_size=2), cache, n_process=2, progress=rec)
    assert n_par == n_serial == sum(a.status == "ok" for a in prepared) > 2
    assert failed == serial_failed == {}  # the workers stored every result in the cache themselves
    assert list(StoredResults(prepared, failed, cache)) == serial and sum(len(r.mentions) for r in serial) > 20
    assert len(rec.cached_at_step) > 2 and rec.cached_at_step == sorted(rec.cached_at_step)
    assert rec.cached_at_step[0] < n_par and rec.cached_at_step[-1] == n_par and rec.done == n_par
    again, n_again = parallel.analyse_parallel(prepared, Settings(), cache, n_process=2)
    assert n_again == 0 and again == {} and list(StoredResults(prepared, again, cache)) == serial


@pytest.mark.slow
def test_prepare_incremental_skips_extraction_of_cached_inputs(tmp_path, prepared, monkeypatch):
    sources = resolve_inputs([str(ARTICLES)], None)
    cache = ResultCache(tmp_path)
    first = parallel.prepare_incremental(sources, Settings(), cache, n_process=1)
    stubs = [parallel.stub(a) for a in prepare(sources, Settings())]  # ok articles without their texts
    assert first == stubs and all(a.text == "" and a.text_key for a in first if a.status == "ok")
    assert [a.text for a in parallel.with_texts(first, cache)[0]] == [a.text for a in prepared]
    parallel.analyse_parallel(first, Settings(), cache, n_process=1)
    extracted = []
    monkeypatch.setattr("pipeline.run.prepare", lambda srcs, s: extracted.extend(srcs) or [])
    again = parallel.prepare_incremental(sources, Settings(), cache, n_process=1)
    assert extracted == [] and again == stubs


def test_the_parent_holds_no_texts_and_a_lost_text_fails_its_article_alone(tmp_path, prepared):
    """Prepared ok articles come back without their texts; the NLP reads them back from the cache; an
    article whose text is gone from the cache fails alone (status extract_error), and is not cached."""
    from dataclasses import replace

    from pipeline.records import Article
    cache = ResultCache(tmp_path)
    article = Article("a", "a.txt", None, "T", "Die Stadt Leipzig unterzeichnet.", None, language="de", sha256="ab" * 32)
    stored = parallel.store_prepared(article, cache)
    assert stored == parallel.stub(article) and stored.text == "" and cache.get_article("ab" * 32) == article
    orphan = replace(stored, id="b", sha256="cd" * 32)
    ready, lost = parallel.with_texts([stored, orphan], cache)
    assert ready == [replace(article, text_key=stored.text_key)] and [r.article.id for r in lost] == ["b"]
    assert lost[0].article.status == "extract_error" and "gone from the result cache" in lost[0].article.error


def test_settled_statuses_are_not_extracted_again(tmp_path, monkeypatch):
    """Inputs with no NLP to do (too short, other language, empty) are cached at preparation."""
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "short.txt").write_text("Kurz.", encoding="utf-8")
    (folder / "fr.txt").write_text("La ville a signé la charte de l'intégration avec ses partenaires européens. " * 5,
                                   encoding="utf-8")
    sources = resolve_inputs([str(folder)], None)
    first = parallel.prepare_incremental(sources, Settings(), ResultCache(tmp_path / "c"), n_process=1)
    assert sorted(a.status for a in first) == ["too_short", "unsupported_language"]
    extracted = []
    monkeypatch.setattr("pipeline.run.prepare", lambda srcs, s: extracted.extend(srcs) or [])
    again = parallel.prepare_incremental(sources, Settings(), ResultCache(tmp_path / "c"), n_process=1)
    assert extracted == [] and again == first


def test_settings_that_change_results_key_the_cache(tmp_path):
    """A cached 'unsupported_language' must not outlive a change of the languages setting."""
    from dataclasses import replace
    base = ResultCache(tmp_path, version="v").root
    assert ResultCache(tmp_path, version="v", settings=replace(Settings(), n_process=7, batch_size=3)).root == base
    assert ResultCache(tmp_path, version="v", settings=replace(Settings(), languages=("de", "en", "fr"))).root != base
    assert ResultCache(tmp_path, version="v", settings=replace(Settings(), publisher_country="AT")).root != base


def test_duplicates_are_not_extracted_again(tmp_path, monkeypatch):
    """A duplicate's NLP never runs, yet a re-run reads its extraction from the cache."""
    folder = tmp_path / "in"
    folder.mkdir()
    body = "Die Stadt Leipzig hat am 3. Mai 2024 die Charta unterzeichnet. " * 5
    (folder / "a.txt").write_text(body, encoding="utf-8")
    (folder / "b.txt").write_text(body + "\n", encoding="utf-8")  # other bytes, same text
    sources = resolve_inputs([str(folder)], None)
    first = parallel.prepare_incremental(sources, Settings(), ResultCache(tmp_path / "c"), n_process=1)
    extracted = []
    monkeypatch.setattr("pipeline.run.prepare", lambda srcs, s: extracted.extend(srcs) or [])
    again = parallel.prepare_incremental(sources, Settings(), ResultCache(tmp_path / "c"), n_process=1)
    assert extracted == [] and again == first and mark_duplicates(again)[1] == {again[1].id: again[0].id}


def test_failed_analyses_are_not_cached(tmp_path):
    from pipeline.records import Article, ArticleResult
    cache = ResultCache(tmp_path)
    ok = ArticleResult(Article("a", "s", None, "", "text", None, sha256="aa" * 32))
    failed = ArticleResult(Article("b", "s", None, "", "text", None, status="extract_error", sha256="bb" * 32))
    kept: dict = {}
    parallel.keep_results([ok, failed], kept, cache)
    assert kept == {"b": failed} and cache.get("aa" * 32) == ok and cache.get("bb" * 32) is None


def _pid_and_sum(chunk: list[int]) -> tuple[int, int]:
    import time
    time.sleep(0.05)
    return os.getpid(), sum(chunk)


def _fails_on_seven(chunk: list[int]) -> list[int]:
    if 7 in chunk:
        raise ValueError("seven")
    return chunk


def test_parent_works_through_chunks_while_the_pool_starts_and_each_chunk_is_done_once():
    chunks = [[i, 100 + i] for i in range(40)]
    list(parallel.map_chunks(_pid_and_sum, chunks[:20], 2))  # the forkserver is up: a pool starts in well under 2 s
    out = list(parallel.map_chunks(_pid_and_sum, chunks, 2, help_while_starting=True))
    assert sorted(total for _, total in out) == sorted(sum(c) for c in chunks)
    pids = {pid for pid, _ in out}
    assert os.getpid() in pids and len(pids) > 1  # the parent helped, then the pool took over


def test_an_error_in_a_chunk_reaches_the_caller_whoever_runs_it():
    with pytest.raises(ValueError, match="seven"):
        list(parallel.map_chunks(_fails_on_seven, [[i] for i in range(40)], 2, help_while_starting=True))
