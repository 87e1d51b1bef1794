"""Command line: ``python -m pipeline extract INPUT... --out DIR`` and ``python -m pipeline evaluate --corpus DIR``.

Each command parses its arguments, calls a function that returns data, and prints a summary.
Exit codes: 0 all inputs processed, 1 some inputs failed, 2 usage error.
"""
from __future__ import annotations

import argparse
import json
import logging
import signal
import sys
from dataclasses import replace
from pathlib import Path

from .evaluate import CorpusError, evaluate
from .inputs import UsageError
from .run import DEFAULT_CACHE, STATUSES, RunResult, run
from .report import write_report
from .scoring import format_table
from .tables import COLUMNS, current_outputs, record_outputs, write_parquet
from .settings import EVAL_OUT_DIR, OUTPUTS_DIR, SAMPLES_DIR, load_settings


PATH_ERRORS = (FileNotFoundError, NotADirectoryError, IsADirectoryError, FileExistsError, PermissionError)  # bad paths


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="python -m pipeline", description="Municipal press releases into tables.")
    p.add_argument("-v", "--verbose", action="store_true", help="more log output on stderr")
    p.add_argument("--config", type=Path, help="JSON file overriding packaged settings key by key")
    p.add_argument("--cache-dir", type=Path, default=DEFAULT_CACHE, help="per-article result cache")
    p.add_argument("--no-progress", action="store_true", help="never show the progress line")
    p.add_argument("--n-process", type=int, default=None, help="worker processes for the NLP stage (default 1)")
    sub = p.add_subparsers(dest="command", required=True)
    ex = sub.add_parser("extract", help="read articles into articles/entities/signatures/partnerships CSVs")
    ex.add_argument("inputs", nargs="*", help="folders, .html/.htm/.txt files, URLs, URL-list files, RSS/Atom feed URLs")
    ex.add_argument("--out", type=Path, default=OUTPUTS_DIR, help="output folder (default outputs/)")
    ex.add_argument("--allow-private-hosts", action="store_true", help="allow fetching from private/loopback addresses")
    ex.add_argument("--excel", action="store_true", help="write CSVs with a UTF-8 BOM for spreadsheet programs")
    ex.add_argument("--format", choices=["csv", "parquet"], default="csv",
                    help="parquet: also write every table as .parquet beside the CSVs")
    ex.add_argument("--scheduler", help="run on a Dask distributed cluster (tcp://host:8786)")
    ev = sub.add_parser("evaluate", help="run on a gold corpus and score it")
    ev.add_argument("--corpus", type=Path, required=True, help="folder with articles/ and gold/")
    ev.add_argument("--out", type=Path, default=EVAL_OUT_DIR, help="output folder (default outputs/eval/)")
    ev.add_argument("--json", action="store_true", help="print only the scores JSON on stdout")
    return p


def summary(result: RunResult) -> str:
    """End-of-run report: every status counted (zeros included), NLP work done, tables written."""
    found = result.status_counts
    counts = ", ".join(f"{k} {found[k]}" for k in (*STATUSES, *sorted(set(found) - set(STATUSES))))
    lines = [f"{len(result.results)} inputs in {result.seconds:.1f} s: {counts}",
             f"NLP work on {result.nlp_articles} articles (the rest from the cache or not processed)"]
    if result.up_to_date:
        lines.append("tables up to date (same results as the run that wrote them): not written again")
    for name, path in result.tables.items():
        lines.append(f"  {name:<13} {path}")
    return "\n".join(lines)


def cmd_extract(args, settings) -> int:
    if args.allow_private_hosts:
        settings = replace(settings, fetch=replace(settings.fetch, allow_private_hosts=True))
    inputs = args.inputs or [str(SAMPLES_DIR / "articles")]
    if args.scheduler:
        from .distributed import run_distributed  # Dask is imported only when a cluster is asked for

        result = run_distributed(inputs, args.out, settings, scheduler=args.scheduler, cache_dir=args.cache_dir,
                                 parquet=args.format == "parquet")
    else:
        result = run(inputs, args.out, settings, cache_dir=args.cache_dir,
                     progress=False if args.no_progress else None, excel=args.excel)
    # a distributed run wrote its Parquet tables as partitions (out/parquet/<table>/)
    write_extras(result, args.out, parquet=args.format == "parquet" and not args.scheduler)
    print(summary(result), file=sys.stderr)
    return result.exit_code


def write_extras(result: RunResult, out: Path, parquet: bool) -> None:
    """The report (and the Parquet tables): skipped, like the CSVs, when the folder holds them from a
    run with the same results; otherwise written and added to the folder's manifest."""
    current = current_outputs(out, result.outputs_key) or {}
    wanted = ["report"] + ([f"{name}.parquet" for name in COLUMNS] if parquet else [])
    if result.up_to_date and all(name in current for name in wanted):
        result.tables.update({name: current[name] for name in wanted})
        return
    if parquet:
        result.tables.update({f"{n}.parquet": p for n, p in write_parquet(result.table_frames(), out).items()})
    result.tables["report"] = write_report(result.results, result.summary_frames(), out)
    record_outputs(out, result.outputs_key, result.tables)


def cmd_evaluate(args, settings) -> int:
    agg = evaluate(args.corpus, args.out, settings, cache_dir=args.cache_dir,
                   progress=False if args.no_progress else None)
    table = format_table(agg) + "\n\nBaselines (pipeline/baselines.py: first-hit GeoNames, dateparser on the spans, " \
        "every city in a signing sentence signs):\n" + format_table(agg["baseline"])
    if args.json:
        print(table, file=sys.stderr)
        print(json.dumps(agg, ensure_ascii=False))
    else:
        print(table)
        print(f"scores, tables and errors.csv in {args.out}", file=sys.stderr)
    return 0


def settings_from(path: Path | None):
    try:
        return load_settings(path)
    except (OSError, ValueError, TypeError) as exc:
        raise UsageError(f"bad --config {path}: {exc}") from exc


def stop_on_sigterm():
    """``kill`` (SIGTERM) stops like Ctrl-C: temporary files are removed, finished articles stay cached.

    Returns the previous handler (None when signals cannot be set from this thread)."""
    def handler(signum, frame):
        raise KeyboardInterrupt
    try:
        return signal.signal(signal.SIGTERM, handler)
    except ValueError:  # not the main thread
        return None


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    logging.basicConfig(level=logging.INFO if args.verbose else logging.WARNING, stream=sys.stderr,
                        format="%(levelname)s %(name)s: %(message)s")
    previous = stop_on_sigterm()
    try:
        settings = settings_from(args.config)
        if args.n_process is not None:
            if args.n_process < 1:
                raise UsageError("--n-process must be at least 1")
            settings = replace(settings, n_process=args.n_process)
        return {"extract": cmd_extract, "evaluate": cmd_evaluate}[args.command](args, settings)
    except (UsageError, CorpusError, *PATH_ERRORS) as exc:
        print(f"error: {exc}".splitlines()[0], file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("interrupted: finished articles are cached; run the same command again to continue", file=sys.stderr)
        return 130
    finally:
        if previous is not None:
            signal.signal(signal.SIGTERM, previous)
