"""The evaluation gate's comparisons and the pinned floors file (no corpus is evaluated here)."""
from __future__ import annotations

import json

from pipeline.gate import FLOORS_FILE, GROUPS, TOLERANCE, failures, gold_digest, moved
from pipeline.scoring import LIST_NAMES


def test_a_score_more_than_the_tolerance_under_its_floor_fails():
    floors = {"cities": {"all": 0.9, "de": 0.8}}
    assert failures(floors, {"cities": {"all": 0.9 - TOLERANCE, "de": 0.85}}) == []
    lines = failures(floors, {"cities": {"all": 0.89, "de": 0.85}})
    assert len(lines) == 1 and lines[0].startswith("cities [all]: 0.89")
    assert failures(floors, {}) == ["cities [all]: missing < floor 0.9 - 0.005", "cities [de]: missing < floor 0.8 - 0.005"]


def test_raising_moves_floors_up_only_and_lowering_both_ways():
    floors = {"cities": {"all": 0.9, "de": 0.8}}
    scores = {"cities": {"all": 0.95, "de": 0.7}, "dates": {"all": 0.5}}
    assert moved(floors, scores, up=True, down=False) == {"cities": {"all": 0.95, "de": 0.8}, "dates": {"all": 0.5}}
    assert moved(floors, scores, up=True, down=True) == {"cities": {"all": 0.95, "de": 0.7}, "dates": {"all": 0.5}}


def test_the_gold_digest_changes_with_any_gold_file(tmp_path):
    (tmp_path / "gold").mkdir()
    (tmp_path / "gold" / "a.json").write_text("{}")
    first = gold_digest(tmp_path)
    (tmp_path / "gold" / "a.json").write_text('{"id": "a"}')
    assert gold_digest(tmp_path) != first


def test_the_committed_floors_pin_every_list_and_language_of_dev_and_check():
    pinned = json.loads(FLOORS_FILE.read_text(encoding="utf-8"))
    for corpus in ("dev", "check"):
        assert len(pinned[corpus]["gold_sha256"]) == 64
        for name in LIST_NAMES:
            assert set(pinned[corpus]["f1"][name]) == set(GROUPS)
