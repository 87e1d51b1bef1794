"""Benchmark: the pipeline end to end (extract -> tables) against a naive baseline, in one process run.

    python -m pipeline.bench --n 2000 --out outputs/bench.json [--n-process 2] [--scaling-factors 1,2,4]

The first N releases of the Berlin archive (../shared/corpus/berlin) are wrapped as HTML pages in a
temporary folder, so trafilatura's extraction is measured too. Measured in the same process, one
after the other on the same pages:

* system: extraction and NLP on ``--n-process`` worker processes, ``nlp.pipe`` in chunks (workers
  replaced after ``parallel.WORKER_CHUNKS`` chunks), a fresh result cache; then a re-run on the unchanged pages with that cache
  into the same output folder (``rerun_*``: what running ``make extract`` twice does; the tables are
  up to date and not written again), and one into an empty folder (``rerun_new_out_*``: the tables
  are built from the cached results and written);
* scaling: the system with a fresh cache on N x each factor (factor 1 is the run above);
* baseline: one process, no batching, no cache: extract, detect language, ``nlp(text)`` per article,
  entities and relations, tables.

Peak memory is the largest sum over this process and all its descendants (worker pools run under a
forkserver, which ``getrusage`` cannot see), sampled every 0.2 s with psutil, of resident memory
(``peak_rss_mb``) and of proportional set size (``peak_pss_mb``: shared pages split between the
processes sharing them; workers share the forkserver's preloaded models and gazetteer). The
system runs first, so that this process does not yet hold the baseline's models (a ``make extract``
run never loads models in the parent); ``peak_*_mb`` is the peak of the N-article run,
``peak_rss_self_mb`` this process's own peak by then, and each ``scaling`` entry has its run's peaks,
``peak_rss_parent_mb`` among them: this process alone, which holds the articles' metadata (no texts,
no results) and a part of each table at a time.
"""
from __future__ import annotations

import argparse
import gzip
import html
import json
import os
import resource
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

import psutil

from . import parallel
from .cache import ResultCache
from .extract import extract_article
from .inputs import resolve_inputs
from .language import with_language
from .records import ArticleResult
from .run import Progress, analyse_one, mark_duplicates, run_result_of, write_outputs
from .settings import ROOT, Settings
from .tables import build_frames, write_tables

BERLIN = ROOT.parent / "shared" / "corpus" / "berlin" / "berlin-press-releases.jsonl.gz"
STAGES = ("extract_language", "nlp_relations", "tables")


@dataclass
class Measure:
    """One timed pass over a set of pages."""

    n_articles: int = 0
    n_ok: int = 0
    words: int = 0
    nlp_articles: int = 0
    stages: dict[str, float] = field(default_factory=dict)

    @property
    def seconds(self) -> float:
        return sum(self.stages.values())

    def rates(self, prefix: str = "") -> dict[str, float]:
        secs = max(self.seconds, 1e-9)
        return {f"{prefix}seconds": round(self.seconds, 3), f"{prefix}articles_per_s": round(self.n_articles / secs, 2),
                f"{prefix}words_per_s": round(self.words / secs, 1),
                f"{prefix}stages": {k: round(v, 3) for k, v in self.stages.items()}}


class Clock:
    """Stage timer: ``with clock("name"):`` adds wall seconds to ``stages[name]``."""

    def __init__(self, stages: dict[str, float]):
        self.stages, self.name, self.t0 = stages, "", 0.0

    def __call__(self, name: str) -> "Clock":
        self.name = name
        return self

    def __enter__(self) -> None:
        self.t0 = time.perf_counter()

    def __exit__(self, *exc) -> None:
        self.stages[self.name] = self.stages.get(self.name, 0.0) + time.perf_counter() - self.t0


# --- input -------------------------------------------------------------------------------------------

def load_releases(path: Path, n: int) -> list[dict]:
    """The first ``n`` releases of the archive (streamed, never all in memory)."""
    out: list[dict] = []
    with gzip.open(path, "rt", encoding="utf-8") as fh:
        for line in fh:
            if len(out) >= n:
                break
            out.append(json.loads(line))
    return out


def page_html(release: dict) -> str:
    """A release as a plain press-release page: headline, paragraphs, date meta, a little navigation."""
    text = release.get("text") or ""
    title, _, body = text.partition("\n") if "\n" in text else (release.get("title") or "", "", text)
    paras = "\n".join(f"<p>{html.escape(p.strip())}</p>" for p in body.split("\n") if p.strip())
    date = html.escape(release.get("published") or "")
    return (f'<!doctype html><html lang="de"><head><meta charset="utf-8"><title>{html.escape(title)}</title>'
            f'<meta name="date" content="{date}"></head><body><nav><a href="/">Startseite</a> '
            f'<a href="/presse">Presse</a></nav><main><article><h1>{html.escape(title)}</h1>\n{paras}\n</article>'
            f'</main><footer>Pressestelle</footer></body></html>')


def write_pages(releases: list[dict], folder: Path) -> list[str]:
    """One HTML file per release; returns the paths in corpus order."""
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for i, rel in enumerate(releases):
        path = folder / f"{i:06d}-{rel.get('id', i)}.html"
        path.write_text(page_html(rel), encoding="utf-8")
        paths.append(str(path))
    return paths


# --- the two ways of running -------------------------------------------------------------------------

def count(m: Measure, results) -> None:
    """Articles, ok articles and their words (counted after the timed run: the system's parent process
    does not hold the texts)."""
    ok = [r.article for r in results if r.article.status == "ok"]
    m.n_articles, m.n_ok, m.words = len(results), len(ok), sum(len(a.text.split()) for a in ok)


def run_system(pages: list[str], settings: Settings, cache_dir: Path, out: Path, n_process: int) -> Measure:
    """The system: incremental prepare and NLP on worker processes, then the tables."""
    m = Measure()
    clock = Clock(m.stages)
    with clock("extract_language"):
        cache = ResultCache(cache_dir, settings=settings)
        sources = resolve_inputs(pages, lambda: None)
        articles, duplicates = mark_duplicates(parallel.prepare_incremental(sources, settings, cache, n_process))
    with clock("nlp_relations"):
        bar = Progress(sum(a.status == "ok" for a in articles))
        failed, m.nlp_articles = parallel.analyse_parallel(articles, settings, cache, n_process, bar)
    with clock("tables"):
        result = run_result_of(articles, failed, duplicates, cache)
        del articles
        write_outputs(result, out)
    count(m, result.results)
    return m


def run_baseline(pages: list[str], settings: Settings, out: Path) -> Measure:
    """Naive: one process, one ``nlp(text)`` per article, no batching, no cache."""
    m = Measure()
    clock = Clock(m.stages)
    s = settings
    with clock("extract_language"):
        sources = resolve_inputs(pages, lambda: None)
        prepared = [with_language(extract_article(src), s.languages, s.min_chars, s.min_language_probability,
                                  s.language_seed) for src in sources]
        articles, duplicates = mark_duplicates(prepared)
    with clock("nlp_relations"):
        from .nlp import EntityFinder  # here: the system's parent process never imports spaCy
        finder = EntityFinder(settings)
        analysed = {a.id: analyse_one(a, finder.nlp(a.language)(a.text), finder) for a in articles if a.status == "ok"}
        m.nlp_articles = len(analysed)
    with clock("tables"):
        results = [analysed.get(a.id) or ArticleResult(a) for a in articles]
        write_tables(build_frames(results, duplicates), out)
    count(m, results)
    return m


# --- report -------------------------------------------------------------------------------------------

class PeakRss:
    """Background sampler of this process and all its descendants, in MB: ``peak`` is the largest sum of
    their resident memory (RSS), ``peak_pss`` the largest sum of their proportional set sizes (PSS:
    a page shared by k processes counts 1/k in each, so the sum is the memory the processes occupy;
    the RSS sum counts the pages that forked workers share with their forkserver once per process),
    ``peak_parent`` the largest RSS of this process alone (the run's parent: it holds no models)."""

    def __init__(self, interval: float = 0.2):
        self.interval, self.peak, self.peak_pss, self.peak_parent = interval, 0.0, 0.0, 0.0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._loop, daemon=True)

    def sample(self) -> float:
        me = psutil.Process()
        rss = pss = 0
        for proc in [me, *me.children(recursive=True)]:
            try:
                info = proc.memory_full_info()
            except psutil.Error:  # a worker that just ended
                continue
            rss += info.rss
            pss += getattr(info, "pss", info.rss)  # no PSS outside Linux: RSS, an upper bound
            if proc is me:
                self.peak_parent = max(self.peak_parent, info.rss / 2**20)
        self.peak = max(self.peak, rss / 2**20)
        self.peak_pss = max(self.peak_pss, pss / 2**20)
        return self.peak

    def _loop(self) -> None:
        while not self._stop.wait(self.interval):
            self.sample()

    def __enter__(self) -> "PeakRss":
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._stop.set()
        self._thread.join()
        self.sample()


def own_peak_mb() -> float:
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)


def german_pipeline(settings: Settings) -> str:
    path = Path(settings.german_model)
    return f"trained model {path.name}" if path.exists() else "rules only (no trained German model found)"


def bench(n: int, corpus: Path, n_process: int, factors: list[int], work: Path, settings: Settings) -> dict:
    """All measurements in this process; returns the bench.json content."""
    pages = write_pages(load_releases(corpus, n * max(factors + [1])), work / "pages")
    n = min(n, len(pages))
    # the system first: this process then holds no models, as in `make extract`
    with PeakRss() as rss:
        system = run_system(pages[:n], settings, work / "cache-1", work / "out-system", n_process)
    own_system = own_peak_mb()
    # the same command again, as `make extract` twice: same pages, cache and output folder
    rerun = run_system(pages[:n], settings, work / "cache-1", work / "out-system", n_process)
    # and into an empty folder, so that the tables are built and written again
    rerun_new_out = run_system(pages[:n], settings, work / "cache-1", work / "out-rerun", n_process)
    scaling = [{"n": n, "seconds": round(system.seconds, 3), "peak_rss_mb": round(rss.peak, 1),
                "peak_pss_mb": round(rss.peak_pss, 1), "peak_rss_parent_mb": round(rss.peak_parent, 1)}]
    for f in sorted(set(factors) - {1}):
        if n * f <= len(pages):
            with PeakRss() as rss_f:
                m = run_system(pages[:n * f], settings, work / f"cache-{f}", work / f"out-{f}", n_process)
            scaling.append({"n": n * f, "seconds": round(m.seconds, 3), "peak_rss_mb": round(rss_f.peak, 1),
                            "peak_pss_mb": round(rss_f.peak_pss, 1), "peak_rss_parent_mb": round(rss_f.peak_parent, 1)})
    cpu0 = time.process_time()
    with PeakRss() as rss_baseline:
        baseline = run_baseline(pages[:n], settings, work / "out-baseline")
    baseline_cpu = time.process_time() - cpu0
    same = all((work / "out-system" / t).read_bytes() == (work / "out-baseline" / t).read_bytes()
               for t in ("articles.csv", "entities.csv", "signatures.csv", "partnerships.csv", "events.csv"))
    return {"n_articles": system.n_articles, "n_ok": system.n_ok, "words": system.words, "n_process": n_process,
            "cpu_count": os.cpu_count(), "load_average_at_end": [round(x, 2) for x in os.getloadavg()],
            "german_pipeline": german_pipeline(settings), **system.rates(),
            **baseline.rates("baseline_"),
            "baseline_cpu_seconds": round(baseline_cpu, 3),  # wall >> cpu: the machine was busy with other work
            "speedup_vs_baseline": round(baseline.seconds / max(system.seconds, 1e-9), 2),
            "tables_equal_baseline": same, "rerun_seconds": round(rerun.seconds, 3),
            "rerun_nlp_articles": rerun.nlp_articles, "rerun_stages": rerun.rates()["stages"],
            "rerun_speedup": round(system.seconds / max(rerun.seconds, 1e-9), 1),
            "rerun_new_out_seconds": round(rerun_new_out.seconds, 3),
            "rerun_new_out_stages": rerun_new_out.rates()["stages"],
            "rerun_new_out_speedup": round(system.seconds / max(rerun_new_out.seconds, 1e-9), 1), "scaling": scaling,
            "peak_rss_mb": round(rss.peak, 1), "peak_pss_mb": round(rss.peak_pss, 1),
            "baseline_peak_rss_mb": round(rss_baseline.peak, 1), "baseline_peak_pss_mb": round(rss_baseline.peak_pss, 1),
            "peak_rss_self_mb": own_system}


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="python -m pipeline.bench", description=__doc__.split("\n")[0])
    p.add_argument("--n", type=int, default=2000, help="releases to process (default 2000)")
    p.add_argument("--out", type=Path, default=ROOT / "outputs" / "bench.json", help="result JSON")
    p.add_argument("--corpus", type=Path, default=BERLIN, help="JSON-lines archive (.jsonl.gz)")
    p.add_argument("--n-process", type=int, default=os.cpu_count() or 1, help="worker processes (default: all cores)")
    p.add_argument("--scaling-factors", default="1,2,4", help="N x these for the growth measurement (default 1,2,4)")
    p.add_argument("--work", type=Path, help="keep pages, caches and tables here (default: a temporary folder)")
    return p


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    if not args.corpus.exists():
        print(f"error: corpus not found: {args.corpus}", file=sys.stderr)
        return 2
    factors = [int(f) for f in args.scaling_factors.split(",") if f.strip()]
    with tempfile.TemporaryDirectory(prefix="bench-") as tmp:
        report = bench(args.n, args.corpus, args.n_process, factors, args.work or Path(tmp), Settings())
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(report, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    print(json.dumps(report, indent=2, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    sys.exit(main())
