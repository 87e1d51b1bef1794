"""Beyond one machine: the same pipeline on a Dask distributed cluster, partitioned by article.

    run_distributed(inputs, out, settings, scheduler="tcp://host:8786")  # an existing cluster
    run_distributed(inputs, out, settings)                               # a LocalCluster here

This machine resolves the inputs, extracts them and detects their language (its own cores, inputs
already in the result cache skipped), and looks every article up in the result cache. The articles
still to do go to the workers in partitions of one language; a worker loads the models once (a
module-level ``EntityFinder`` per worker process) and returns ``ArticleResult`` records. Results are
cached here as partitions finish, so an interrupted run resumes, and the tables are written by
``pipeline.run.write_outputs`` exactly as a single-machine run writes them (not again when the output
folder holds them already from a run with the same results); ``parquet=True`` adds Parquet
partitions (``<out>/parquet/<table>/part-00000.parquet`` ...) for outputs too big for one CSV.

Workers need this package importable (``pip install -e .`` on every worker host) and should run one
thread each (``dask worker tcp://host:8786 --nthreads 1 --nworkers N``); with more threads a
worker's threads take turns on its models.
"""
from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager, nullcontext
from pathlib import Path

import pandas as pd
from distributed import Client, LocalCluster, as_completed

from . import parallel
from .cache import ResultCache
from .fetch import Fetcher
from .inputs import resolve_inputs
from .records import Article, ArticleResult
from .run import DEFAULT_CACHE, RunResult, mark_duplicates, run_result_of, write_outputs
from .settings import Settings

PARQUET_ROWS = 100_000  # rows per Parquet partition
_WORKER_LOCK = threading.Lock()


def analyse_partition(articles: list[Article], settings: Settings) -> list[ArticleResult]:
    """Worker side: entities and relations for one partition, with the worker's one EntityFinder."""
    with _WORKER_LOCK:
        parallel.init_worker(settings)
        return parallel.analyse_chunk(articles)


def worker_finder_loads() -> int:
    """How many times this worker process built an EntityFinder (run on workers with ``client.run``)."""
    return parallel.finder_loads()


@contextmanager
def dask_client(scheduler: str | None, n_workers: int) -> Iterator[Client]:
    """A client of the scheduler at ``scheduler``, or of a LocalCluster of ``n_workers`` one-thread processes."""
    if scheduler:
        with Client(scheduler) as client:
            yield client
        return
    with LocalCluster(n_workers=n_workers, threads_per_worker=1, processes=True, dashboard_address=None) as cluster, \
            Client(cluster) as client:
        yield client


def n_workers_of(client: Client) -> int:
    return max(1, len(client.scheduler_info().get("workers", {})))


def analyse_distributed(articles: list[Article], settings: Settings, cache: ResultCache, client: Client,
                        progress: parallel.Steps | None = None) -> tuple[dict[str, ArticleResult], int]:
    """``run.analyse`` on a Dask cluster: cached articles skipped, each partition's results cached as it
    finishes. Returns the failed results by article id (the rest are in the cache) and the NLP articles."""
    progress = progress or parallel.NoProgress()
    done, todo = parallel.split_cached(articles, cache)
    progress.step(done)
    return analyse_todo(todo, settings, cache, client, progress), sum(len(batch) for batch in todo.values())


def analyse_todo(todo: dict[str, list[Article]], settings: Settings, cache: ResultCache, client: Client,
                 progress: parallel.Steps) -> dict[str, ArticleResult]:
    """The uncached articles (by language) on the cluster, one-language partitions. Results come back
    here (workers may be on other machines) and go into the cache on arrival; returns the failed ones."""
    failed: dict[str, ArticleResult] = {}
    partitions = []
    for chunk in parallel.language_chunks(todo, n_workers_of(client), settings.batch_size):
        ready, lost = parallel.with_texts(chunk, cache)  # workers elsewhere cannot read this cache
        parallel.keep_results(lost, failed, cache)
        partitions.append(ready)
    futures = client.map(analyse_partition, [p for p in partitions if p], settings=settings, pure=False)
    for _, part in as_completed(futures, with_results=True):
        parallel.keep_results(part, failed, cache)
        progress.step(len(part))
    return failed


def write_parquet(frames: dict[str, pd.DataFrame], folder: Path, rows: int = PARQUET_ROWS) -> dict[str, list[Path]]:
    """Each table as numbered Parquet partitions of at most ``rows`` rows (one, possibly empty, at least)."""
    paths: dict[str, list[Path]] = {}
    for name, df in frames.items():
        target = folder / name
        target.mkdir(parents=True, exist_ok=True)
        for old in target.glob("part-*.parquet"):
            old.unlink()
        starts = range(0, max(len(df), 1), rows)
        paths[name] = [target / f"part-{i:05d}.parquet" for i in range(len(starts))]
        for path, start in zip(paths[name], starts):
            df.iloc[start:start + rows].to_parquet(path, index=False)
    return paths


def run_distributed(inputs: list[str], out: Path | None, settings: Settings, scheduler: str | None = None,
                    cache_dir: Path = DEFAULT_CACHE, client: Client | None = None, parquet: bool = False,
                    progress: parallel.Steps | None = None, excel: bool = False) -> RunResult:
    """``run.run`` with the NLP on Dask: the scheduler at ``scheduler``, the given ``client``, or a LocalCluster."""
    started = time.monotonic()
    sources = resolve_inputs(inputs, lambda: Fetcher(settings.fetch))
    cache = ResultCache(cache_dir, settings=settings)
    articles, duplicates = mark_duplicates(parallel.prepare_incremental(sources, settings, cache, settings.n_process))
    done, todo = parallel.split_cached(articles, cache)
    progress = progress or parallel.NoProgress()
    progress.step(done)
    failed: dict[str, ArticleResult] = {}
    if todo:  # no cluster is started when everything is cached
        with nullcontext(client) if client is not None else dask_client(scheduler, max(1, settings.n_process)) as c:
            failed = analyse_todo(todo, settings, cache, c, progress)
    n_nlp = sum(len(batch) for batch in todo.values())
    run_result = run_result_of(articles, failed, duplicates, cache, n_nlp, excel)
    del articles  # StoredResults keeps its own list of them
    if out is not None:
        write_outputs(run_result, Path(out), excel)  # not written again when up to date
        if parquet:
            write_parquet(run_result.table_frames(), Path(out) / "parquet")
    run_result.seconds = time.monotonic() - started
    return run_result
