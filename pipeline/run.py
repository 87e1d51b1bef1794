"""The top-level driver: inputs -> articles -> entities -> relations -> tables."""
from __future__ import annotations

import logging
import sys
import time
from collections import Counter
from collections.abc import Iterator, Sequence
from contextlib import nullcontext
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING

from .cache import ResultCache, StoredResults
from .extract import extract_article, one_line
from .fetch import Fetcher
from .inputs import resolve_inputs
from .language import with_language
from .lists import finalise
from .records import Article, ArticleResult, text_key
from .parallel import analyse_parallel, keep_results, prepare_incremental, split_cached, with_texts
from .relations import extract_relations
from .settings import ROOT, Settings
from .tables import COLUMNS, TABLE_CHUNK, build_frames, current_outputs, outputs_key, record_outputs, \
    write_tables, write_tables_streamed

if TYPE_CHECKING:  # spaCy is imported only where a pipeline runs: a run's parent process never loads it
    from .nlp import EntityFinder

log = logging.getLogger(__name__)
DEFAULT_CACHE = ROOT / ".cache" / "results"
STATUSES = ("ok", "fetch_error", "not_html", "empty", "unsupported_language", "too_short", "duplicate", "extract_error")
FAILING = frozenset({"fetch_error", "not_html", "extract_error"})  # exit code 1 when any input has one


@dataclass
class RunResult:
    results: Sequence[ArticleResult]  # a list, or StoredResults (read from the result cache when used)
    duplicates: dict[str, str]  # article id -> id of the first article with the same text
    tables: dict[str, Path] = field(default_factory=dict)
    frames: dict = field(default_factory=dict)  # the tables as DataFrames once built (see table_frames)
    seconds: float = 0.0
    nlp_articles: int = 0  # articles that needed NLP work (not cached)
    outputs_key: str = ""  # tables.outputs_key of this run's results
    up_to_date: bool = False  # the output folder already held this run's tables: nothing was written

    def table_frames(self) -> dict:
        """The tables as DataFrames, built on first use (they take several times the results' memory)."""
        if not self.frames:
            self.frames = build_frames(self.results, self.duplicates)
        return self.frames

    def summary_frames(self) -> dict:
        """The tables as DataFrames with only the entities' article ids and types (what the report counts)."""
        return self.frames or build_frames(self.results, self.duplicates, entity_columns=["article_id", "type"],
                                           chunk=TABLE_CHUNK)

    @property
    def articles(self) -> list[Article]:
        """Every input's article (without its text where the result is in the cache)."""
        stored = getattr(self.results, "articles", None)
        return stored if stored is not None else [r.article for r in self.results]

    @property
    def status_counts(self) -> Counter:
        return Counter(a.status for a in self.articles)

    @property
    def exit_code(self) -> int:
        return 1 if any(a.status in FAILING for a in self.articles) else 0


class Progress:
    """Articles done, rate and time left on stderr; silent when stderr is not a terminal."""

    def __init__(self, total: int, enabled: bool | None = None):
        self.total, self.done, self.start = total, 0, time.monotonic()
        self.enabled = sys.stderr.isatty() if enabled is None else enabled

    def step(self, n: int = 1) -> None:
        self.done += n
        if not self.enabled:
            return
        rate = self.done / max(time.monotonic() - self.start, 1e-9)
        left = (self.total - self.done) / rate if rate else 0
        sys.stderr.write(f"\r{self.done}/{self.total} articles  {rate:.1f}/s  {left:.0f}s left ")
        if self.done >= self.total:
            sys.stderr.write("\n")
        sys.stderr.flush()


def mark_duplicates(articles: list[Article]) -> tuple[list[Article], dict[str, str]]:
    """Same text under two inputs: the first stays, later ones get status duplicate (both recorded)."""
    first: dict[str, str] = {}
    dups: dict[str, str] = {}
    out = []
    for a in articles:
        if a.status == "ok":
            key = a.text_key or text_key(a.text)
            if key in first:
                dups[a.id] = first[key]
                a = replace(a, status="duplicate", error=f"same text as {first[key]}")
            else:
                first[key] = a.id
        out.append(a)
    return out, dups


def prepare(sources, settings: Settings) -> list[Article]:
    s = settings
    return [with_language(extract_article(src, s.fetch.max_bytes), s.languages, s.min_chars,
                          s.min_language_probability, s.language_seed) for src in sources]


def analyse(articles: list[Article], finder: EntityFinder, cache: ResultCache,
            progress: Progress) -> tuple[dict[str, ArticleResult], int]:
    """Results for ok articles not yet in the cache: NLP in batches per language, each result stored in
    the cache at once (see ``StoredResults``).

    Returns the failed results by article id and the number of articles that needed NLP work."""
    done, todo = split_cached(articles, cache)
    progress.step(done)
    failed: dict[str, ArticleResult] = {}
    zone = finder.settings.batch_size * ZONE_BATCHES
    for lang in sorted(todo):
        for start in range(0, len(todo[lang]), zone):
            ready, lost = with_texts(todo[lang][start:start + zone], cache)
            for result in [*analyse_batch(ready, finder), *lost]:
                keep_results([result], failed, cache)
                progress.step()
    return failed, sum(len(batch) for batch in todo.values())


ZONE_BATCHES = 8  # batches of nlp.pipe per spaCy memory zone


def analyse_batch(batch: list[Article], finder: EntityFinder, memory_zone: bool = True) -> Iterator[ArticleResult]:
    """Results for articles of one language, in order. With ``memory_zone`` the batch runs in a spaCy
    memory zone: the words its docs added to the vocabulary are freed afterwards, so a long run's
    memory stays flat (results hold plain values, never spaCy objects); the next batch creates their
    lexemes again. Worker processes run without one: the pool replaces them instead."""
    if not batch:
        return
    with finder.nlp(batch[0].language).memory_zone() if memory_zone else nullcontext():
        for article, doc, error in docs_or_errors(batch, finder):
            yield analyse_one(article, doc, finder) if error is None else failed_result(article, error)


def docs_or_errors(batch: list[Article], finder: EntityFinder):
    """(article, doc, None) per article, batched; if the batched pipe fails, the rest of the batch goes
    one by one so that only the article spaCy cannot process gets (article, None, error)."""
    done = 0
    try:
        for doc in finder.docs(batch):
            yield batch[done], doc, None
            done += 1
        return
    except Exception:  # noqa: BLE001 - isolate the failing article below
        log.warning("batched NLP failed; processing the remaining %d articles one by one", len(batch) - done)
    for article in batch[done:]:
        try:
            doc = next(iter(finder.docs([article])))
        except Exception as exc:  # noqa: BLE001
            log.exception("NLP failed for %s", article.id)
            yield article, None, exc
            continue
        yield article, doc, None


def failed_result(article: Article, exc: BaseException) -> ArticleResult:
    message = f"analysis failed: {type(exc).__name__}: {exc}"
    return ArticleResult(replace(article, status="extract_error", error=one_line(message)))


def analyse_one(article: Article, doc, finder: EntityFinder) -> ArticleResult:
    """Entities and relations of one article; an error here fails this article only."""
    try:
        mentions = finder.find(article, doc)
        signatures, partnerships = extract_relations(article, doc, mentions)
        return finalise(ArticleResult(article, mentions, signatures, partnerships))
    except Exception as exc:  # noqa: BLE001
        log.exception("analysis failed for %s", article.id)
        return failed_result(article, exc)


def run(inputs: list[str], out: Path | None, settings: Settings, cache_dir: Path = DEFAULT_CACHE,
        finder: EntityFinder | None = None, progress: bool | None = None, excel: bool = False) -> RunResult:
    """Process every input; write the four tables to ``out`` (when given). Never raises for one bad input."""
    started = time.monotonic()
    sources = resolve_inputs(inputs, lambda: Fetcher(settings.fetch))
    cache = ResultCache(cache_dir, settings=settings)
    articles, duplicates = mark_duplicates(prepare_incremental(sources, settings, cache, settings.n_process))
    bar = Progress(sum(a.status == "ok" for a in articles), progress)
    if settings.n_process > 1 and finder is None:
        failed, n_nlp = analyse_parallel(articles, settings, cache, settings.n_process, bar)
    else:
        if finder is None:
            from .nlp import EntityFinder
            finder = EntityFinder(settings)
        failed, n_nlp = analyse(articles, finder, cache, bar)
    run_result = run_result_of(articles, failed, duplicates, cache, n_nlp, excel)
    del articles  # StoredResults keeps its own list of them
    if out is not None:
        write_outputs(run_result, Path(out), excel)
    run_result.seconds = time.monotonic() - started
    return run_result


def run_result_of(articles: list[Article], failed: dict[str, ArticleResult], duplicates: dict[str, str],
                  cache: ResultCache, n_nlp: int = 0, excel: bool = False) -> RunResult:
    """Every input's result in input order, read from the cache when used (``StoredResults``; failed
    analyses from ``failed``, articles without analysis as extracted), and the key of the tables they
    make (``tables.outputs_key``, salted with the result cache's version and settings)."""
    results = StoredResults(articles, failed, cache)
    return RunResult(results, duplicates, nlp_articles=n_nlp,
                     outputs_key=outputs_key(results.articles, duplicates, cache.root.name, ("csv", excel)))


def write_outputs(run_result: RunResult, out: Path, excel: bool = False) -> None:
    """The tables into ``out``, unless it already holds them from a run with the same key (as ``make``
    skips an up-to-date target): a re-run on unchanged input then writes nothing. The manifest is
    updated after the tables are written."""
    current = current_outputs(out, run_result.outputs_key)
    if current is not None and set(COLUMNS) <= set(current):
        run_result.tables, run_result.up_to_date = {name: current[name] for name in COLUMNS}, True
        return
    if run_result.frames:
        run_result.tables = write_tables(run_result.frames, out, excel=excel)
    else:  # in parts: memory stays flat however many articles there are
        run_result.tables = write_tables_streamed(run_result.results, run_result.duplicates, out, excel=excel)
    record_outputs(out, run_result.outputs_key, run_result.tables)
