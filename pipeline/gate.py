"""Evaluation gate: the F1 of every list and language on named gold corpora must not fall more than
``TOLERANCE`` below the floors pinned in a committed file (``tests/eval_floors.json``).

    python -m pipeline.gate                      # check dev and check against the floors (what CI runs)
    python -m pipeline.gate --raise-floors       # after an improvement: floors go up to the new scores
    python -m pipeline.gate --lower-floors       # only with a reason in the commit message

The floors file also pins a digest of each corpus' gold files: floors pinned on other gold say
nothing about this gold, so a changed gold set fails the gate until the floors are pinned again
(``--lower-floors`` or ``--raise-floors`` re-pins the digest). Only aggregate scores are read.
"""
from __future__ import annotations

import argparse
import hashlib
import json
import sys
import tempfile
from pathlib import Path

from .settings import ROOT, Settings

FLOORS_FILE = ROOT / "tests" / "eval_floors.json"
CORPORA = {"dev": ROOT.parent / "shared" / "corpus" / "dev", "check": ROOT.parent / "shared" / "corpus" / "check"}
TOLERANCE = 0.005
GROUPS = ("all", "de", "en")


def gold_digest(corpus: Path) -> str:
    """sha256 over the gold files' names and bytes, in name order."""
    digest = hashlib.sha256()
    for path in sorted((Path(corpus) / "gold").glob("*.json")):
        digest.update(path.name.encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()


def f1_table(scores: dict) -> dict[str, dict[str, float]]:
    """{list: {group: F1 rounded to 4 places}} of an evaluation's JSON."""
    return {name: {g: round(v[g]["f1"], 4) for g in GROUPS if g in v} for name, v in scores["lists"].items()}


def failures(floors: dict[str, dict[str, float]], scores: dict[str, dict[str, float]],
             tolerance: float = TOLERANCE) -> list[str]:
    """One line per list and group whose score is more than ``tolerance`` under its floor (or missing)."""
    out = []
    for name, groups in floors.items():
        for group, floor in groups.items():
            got = scores.get(name, {}).get(group)
            if got is None or got < floor - tolerance:
                out.append(f"{name} [{group}]: {got if got is not None else 'missing'} < floor {floor} - {tolerance}")
    return out


def moved(floors: dict[str, dict[str, float]], scores: dict[str, dict[str, float]], up: bool, down: bool) -> dict:
    """New floors: each score where it is above its floor (``up``) or below it (``down``)."""
    new = {name: dict(groups) for name, groups in floors.items()}
    for name, groups in scores.items():
        for group, got in groups.items():
            old = new.setdefault(name, {}).get(group)
            if old is None or (up and got > old) or (down and got < old):
                new[name][group] = got
    return new


def evaluate_corpus(corpus: Path, cache_dir: Path | None) -> dict:
    from .evaluate import evaluate
    from .run import DEFAULT_CACHE

    with tempfile.TemporaryDirectory() as out:
        return evaluate(corpus, Path(out), Settings(), cache_dir=cache_dir or DEFAULT_CACHE, progress=False)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--floors", type=Path, default=FLOORS_FILE)
    ap.add_argument("--corpus", action="append", metavar="NAME=DIR",
                    help="a corpus to gate (default: dev and check beside the project)")
    ap.add_argument("--cache-dir", type=Path, default=None)
    move = ap.add_mutually_exclusive_group()
    move.add_argument("--raise-floors", action="store_true", help="raise floors to better scores (and re-pin gold)")
    move.add_argument("--lower-floors", action="store_true", help="set floors to the scores, up or down")
    args = ap.parse_args(argv)
    corpora = dict(c.split("=", 1) for c in args.corpus) if args.corpus else {k: str(v) for k, v in CORPORA.items()}
    pinned = json.loads(args.floors.read_text(encoding="utf-8")) if args.floors.exists() else {}
    problems, new = [], {}
    for name, corpus in corpora.items():
        corpus = Path(corpus)
        if not (corpus / "gold").is_dir():
            print(f"gate: {name}: no gold corpus at {corpus}", file=sys.stderr)
            return 2
        entry = pinned.get(name, {"gold_sha256": None, "f1": {}})
        scores = f1_table(evaluate_corpus(corpus, args.cache_dir))
        digest = gold_digest(corpus)
        if args.raise_floors or args.lower_floors:
            new[name] = {"gold_sha256": digest,
                         "f1": moved(entry["f1"] if entry["gold_sha256"] == digest else {}, scores,
                                     up=True, down=args.lower_floors)}
            continue
        if entry["gold_sha256"] != digest:
            problems.append(f"{name}: the gold files changed since the floors were pinned (re-pin with --raise-floors)")
        problems += [f"{name}: {line}" for line in failures(entry["f1"], scores)]
        print(f"gate: {name}: " + ", ".join(f"{lst} {v['all']:.3f}" for lst, v in scores.items()))
    if new:
        args.floors.write_text(json.dumps({**pinned, **new}, indent=1, sort_keys=True) + "\n", encoding="utf-8")
        print(f"gate: floors written to {args.floors}")
        return 0
    for line in problems:
        print(f"gate: FAIL {line}", file=sys.stderr)
    print("gate: " + ("failed" if problems else "passed"))
    return 1 if problems else 0


if __name__ == "__main__":
    raise SystemExit(main())
