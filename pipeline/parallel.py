"""One machine, several cores: extraction and NLP in worker processes, each loading the models once.

``analyse_parallel`` has the contract of ``run.analyse``: cached articles are skipped, every new
result is stored in the cache by the worker that made it, as soon as its chunk is done (an
interrupted run resumes), and it returns the failed results by article id (the others are read back
from the cache when the tables are written: ``cache.StoredResults``) plus the number of articles
that needed NLP work.

``prepare_incremental`` replaces ``run.prepare`` for incremental runs: an input whose raw bytes are
already in the result cache is not extracted or language-detected again, so a re-run on unchanged
input costs a file read, a hash and a cache read per article.

Workers come from a ``forkserver`` (``spawn`` where there is none): a fresh process that imported
the pipeline once, so starting a pool is cheap and never forks a parent that holds threads. Work is
sent in chunks of articles (one language each); a worker runs ``nlp.pipe`` over a chunk with the
configured batch size. While the first pool of a run starts (the forkserver loads the models: seconds),
this process extracts chunks itself (``help_while_starting``). Peak memory is the parent's article
stubs (no texts, no results) plus, per worker, what it adds to the models and gazetteer it shares
with the forkserver.
"""
from __future__ import annotations

import math
import multiprocessing as mp
import threading
from collections import deque
from collections.abc import Callable, Iterator
from dataclasses import replace
from multiprocessing.context import BaseContext
from pathlib import Path
from typing import Protocol

from .cache import ResultCache
from .extract import sha256_bytes
from .language import release_profiles
from .records import Article, ArticleResult, Source, text_key
from .settings import Settings

CHUNKS_PER_WORKER = 4  # small inputs are still spread over all workers
PREPARE_CHUNK = 64  # sources per extraction task
WORKER_CHUNKS = 50  # NLP chunks (of up to ``Settings.batch_size`` articles) before the pool replaces a worker
MIN_POOL_ITEMS = 16  # fewer items than this are done in this process: a pool's start costs more


class Steps(Protocol):
    def step(self, n: int = 1) -> None: ...


class NoProgress:
    def step(self, n: int = 1) -> None:
        pass


# --- worker side: one EntityFinder per process, built by the pool initializer -------------------

_FINDER = None
_LOADS = 0  # EntityFinders built in this process (a test checks: one per worker)
PRELOADED = None  # the forkserver's EntityFinder for the default settings (pipeline.preload), shared by its forks


def init_worker(settings: Settings) -> None:
    """Pool initializer: load the pipelines and the gazetteer once per worker process (and settings).
    What the forkserver preloaded for the same models is reused, not loaded again."""
    global _FINDER, _LOADS
    from .nlp import EntityFinder
    if _FINDER is None or _FINDER.settings != settings:
        base = _FINDER or PRELOADED
        _FINDER = base.for_settings(settings) if base is not None else EntityFinder(settings)
        _LOADS += 1


def finder_loads() -> int:
    return _LOADS


def analyse_chunk(chunk: list[Article]) -> list[ArticleResult]:
    """NLP, entities and relations for one chunk of articles of one language (runs in a worker). No spaCy
    memory zone: the worker's vocabulary keeps the words it has met, whose lexemes (with the rulers'
    lexeme flags) a zone per chunk would create again for every chunk (tokenizing 298 releases took
    2.2 s in zones of 32, 0.6 s with the words known). The pool replaces a worker after
    ``WORKER_CHUNKS`` chunks, which bounds that growth."""
    from .run import analyse_batch
    return list(analyse_batch(chunk, _FINDER, memory_zone=False))


_CACHE: ResultCache | None = None


def init_storing_worker(settings: Settings, cache: ResultCache) -> None:
    """Pool initializer of ``analyse_and_store``: the models as ``init_worker``, and the run's result cache."""
    global _CACHE
    init_worker(settings)
    _CACHE = cache


def analyse_and_store(chunk: list[Article]) -> tuple[int, list[ArticleResult]]:
    """``analyse_chunk``, but the ok results go straight into the result cache from this worker (same
    machine, same files): only the number of articles and the failed results go back to the parent,
    which so neither receives nor holds the others."""
    ready, lost = with_texts(chunk, _CACHE)
    failed: dict[str, ArticleResult] = {}
    keep_results([*analyse_chunk(ready), *lost], failed, _CACHE)
    return len(chunk), list(failed.values())


def stub(article: Article) -> Article:
    """An ok article without its text, which the cache holds (its article store or its result): what a
    run's parent process keeps, with the key of the text for the duplicate check."""
    if article.status != "ok" or not article.sha256 or not article.text:
        return article
    return replace(article, text="", text_key=article.text_key or text_key(article.text))


def with_texts(articles: list[Article], cache: ResultCache) -> tuple[list[Article], list[ArticleResult]]:
    """The articles with the texts that ``stub`` dropped, read back from the cache; an article whose text
    is gone from it (the cache was removed during the run) comes back as a failed result."""
    ready, lost = [], []
    for a in articles:
        text = cache.text_of(a.sha256) if a.status == "ok" and not a.text else a.text
        if text is None:
            lost.append(ArticleResult(replace(a, status="extract_error", error=f"its extracted text is gone from "
                                                                               f"the result cache {cache.root}")))
        else:
            ready.append(replace(a, text=text) if text is not a.text else a)
    return ready, lost


_SETTINGS: Settings | None = None
_PREPARED: ResultCache | None = None


def init_preparer(settings: Settings, cache: ResultCache) -> None:
    global _SETTINGS, _PREPARED
    _SETTINGS, _PREPARED = settings, cache


def prepare_chunk(chunk: list[tuple[int, Source]]) -> list[tuple[int, Article]]:
    """Extraction and language detection for one chunk of (position, source) pairs (runs in a worker);
    what they give is stored in the cache here (``store_prepared``) and ok articles go back as stubs."""
    from .run import prepare
    articles = prepare([src for _, src in chunk], _SETTINGS)
    return list(zip([i for i, _ in chunk], [store_prepared(a, _PREPARED) for a in articles]))


def store_prepared(article: Article, cache: ResultCache) -> Article:
    """A settled outcome (no NLP to do) is cached as a result; an ok article goes to the cache's article
    store (its NLP may never run, as a duplicate's, or be cut off) and comes back as a ``stub``."""
    if article.status in SETTLED and article.sha256:
        cache.put(article.sha256, ArticleResult(article))
    elif article.status == "ok" and article.sha256:
        cache.put_article(article.sha256, article)
        return stub(article)
    return article


# --- parent side ----------------------------------------------------------------------------------

def pool_context() -> BaseContext:
    """forkserver (preloading the code, the gazetteer and the default models, shared by the workers
    it forks) where the platform has it, else spawn."""
    if "forkserver" in mp.get_all_start_methods():
        ctx = mp.get_context("forkserver")
        ctx.set_forkserver_preload(["pipeline.parallel", "pipeline.run", "pipeline.nlp", "pipeline.preload"])
        return ctx
    return mp.get_context("spawn")


def chunked(items: list, size: int) -> Iterator[list]:
    for i in range(0, len(items), size):
        yield items[i:i + size]


def chunk_size(n_items: int, n_process: int, batch_size: int) -> int:
    """At most ``batch_size``; smaller when that would leave workers idle."""
    return max(1, min(batch_size, math.ceil(n_items / (n_process * CHUNKS_PER_WORKER))))


def split_cached(articles: list[Article], cache: ResultCache) -> tuple[int, dict[str, list[Article]]]:
    """The number of ok articles whose result is in the cache already, and the ok articles still to do, by language."""
    done = 0
    todo: dict[str, list[Article]] = {}
    for a in articles:
        if a.status != "ok":
            continue
        if cache.has(a.sha256):
            done += 1
        else:
            todo.setdefault(a.language, []).append(a)
    return done, todo


def language_chunks(todo: dict[str, list[Article]], n_process: int, batch_size: int) -> list[list[Article]]:
    """Chunks of one language each, languages in sorted order (as ``run.analyse`` does)."""
    total = sum(len(batch) for batch in todo.values())
    size = chunk_size(total, n_process, batch_size)
    return [chunk for lang in sorted(todo) for chunk in chunked(todo[lang], size)]


def analyse_parallel(articles: list[Article], settings: Settings, cache: ResultCache, n_process: int,
                     progress: Steps | None = None) -> tuple[dict[str, ArticleResult], int]:
    """``run.analyse`` on ``n_process`` worker processes, which store the results in the cache themselves.
    Returns the failed results by article id (the rest are in the cache) and the number of NLP articles."""
    progress = progress or NoProgress()
    done, todo = split_cached(articles, cache)
    progress.step(done)
    chunks = language_chunks(todo, n_process, settings.batch_size)
    failed: dict[str, ArticleResult] = {}
    for n_done, chunk_failed in map_chunks(analyse_and_store, chunks, n_process, init_storing_worker,
                                           (settings, cache), maxtasksperchild=WORKER_CHUNKS):
        failed.update((r.article.id, r) for r in chunk_failed)
        progress.step(n_done)
    return failed, sum(len(batch) for batch in todo.values())


def keep_results(chunk_results: list[ArticleResult], failed: dict[str, ArticleResult], cache: ResultCache) -> None:
    """The ok results into the cache; the failed ones (tried again by a re-run) by article id into ``failed``.
    A failed analysis changes an article's status, never its id or sha256."""
    for result in chunk_results:
        if result.article.status == "ok":
            cache.put(result.article.sha256, result)
        else:
            failed[result.article.id] = result


def map_chunks(fn: Callable[[list], list], chunks: list[list], n_process: int,
               initializer: Callable[..., None] | None = None, initargs: tuple = (),
               help_while_starting: bool = False, maxtasksperchild: int | None = None) -> Iterator[list]:
    """``fn`` over chunks, results as they finish: in this process for one worker or one chunk, else in a pool.
    With ``help_while_starting`` (for light work only), this process also works through chunks itself
    until the pool is up: the first pool of a run waits seconds for the forkserver to load the models."""
    if n_process <= 1 or len(chunks) <= 1 or sum(map(len, chunks)) < MIN_POOL_ITEMS:
        if initializer is not None and chunks:
            initializer(*initargs)
        yield from (fn(chunk) for chunk in chunks)
        return
    if help_while_starting:
        yield from _map_while_pool_starts(fn, chunks, n_process, initializer, initargs, maxtasksperchild)
        return
    with pool_context().Pool(min(n_process, len(chunks)), initializer=initializer, initargs=initargs,
                             maxtasksperchild=maxtasksperchild) as pool:
        yield from pool.imap_unordered(fn, chunks)


def _map_while_pool_starts(fn: Callable[[list], list], chunks: list[list], n_process: int,
                           initializer: Callable[..., None] | None, initargs: tuple,
                           maxtasksperchild: int | None = None) -> Iterator[list]:
    """The pool starts in a thread; meanwhile this process takes chunks from a shared queue, one at a
    time; once the pool is up it takes all the chunks left. Every chunk is done once."""
    pending = deque(chunks)
    started: dict = {}
    ready = threading.Event()

    def left() -> Iterator[list]:
        while True:
            try:
                yield pending.popleft()
            except IndexError:
                return

    def start() -> None:
        try:
            started["pool"] = pool_context().Pool(min(n_process, len(chunks)), initializer=initializer,
                                                  initargs=initargs, maxtasksperchild=maxtasksperchild)
            started["results"] = started["pool"].imap_unordered(fn, left())
        except BaseException as exc:  # noqa: BLE001 - raised again in the caller's thread
            started["error"] = exc
        finally:
            ready.set()

    threading.Thread(target=start, name="pool-start", daemon=True).start()
    try:
        if initializer is not None:
            initializer(*initargs)
        while not ready.is_set() and pending:
            try:
                chunk = pending.popleft()
            except IndexError:
                break
            yield fn(chunk)
        ready.wait()
        if "error" in started:
            raise started["error"]
        yield from started["results"]
    finally:
        ready.wait()
        if "pool" in started:
            started["pool"].terminate()  # as leaving ``with Pool()`` does


def prepare_parallel(sources: list[Source], settings: Settings, cache: ResultCache, n_process: int) -> list[Article]:
    """``run.prepare`` (extraction and language detection) over worker processes, input order kept; the
    outcomes stored in ``cache`` by the workers (``store_prepared``)."""
    size = chunk_size(len(sources), n_process, PREPARE_CHUNK)
    chunks = list(chunked(list(enumerate(sources)), size))
    out: list[Article | None] = [None] * len(sources)
    for part in map_chunks(prepare_chunk, chunks, n_process, init_preparer, (settings, cache),
                           help_while_starting=True):
        for i, article in part:
            out[i] = article
    if n_process > 1:
        release_profiles()  # this process helped while the pool started; it detects no more languages
    return out


def cached_article(source: Source, cache: ResultCache) -> Article | None:
    """The extracted article of a local input whose raw bytes are in the cache with status ok, else None."""
    if source.error or not source.path:
        return None
    try:
        sha = sha256_bytes(Path(source.path).read_bytes())
    except OSError:
        return None
    cached = cache.get(sha)
    if cached is not None and cached.article.status in ("ok", *SETTLED):
        article = cached.article
    else:
        article = cache.get_article(sha)
        if article is None:
            return None
    return stub(replace(article, id=source.id, source=source.source, url=source.url))


# outcomes of extraction and language detection that follow from the raw bytes and the settings alone
# (the cache is keyed by both), so a re-run need not extract such an input again; errors are retried
SETTLED = ("not_html", "empty", "unsupported_language", "too_short")


def prepare_incremental(sources: list[Source], settings: Settings, cache: ResultCache, n_process: int = 1) -> list[Article]:
    """``run.prepare``, but inputs already in the result cache are not extracted again. Input order kept.
    Articles that ended with a settled status (no NLP to do) are cached as results; ok ones as
    extracted articles (their results follow after the NLP), and they come back as stubs: without
    their texts, which ``with_texts`` reads back for the NLP. So the parent process never holds the
    texts of a whole corpus."""
    known = [cached_article(src, cache) for src in sources]
    fresh = prepare_parallel([src for src, art in zip(sources, known) if art is None], settings, cache, n_process)
    it = iter(fresh)
    return [art if art is not None else next(it) for art in known]
