"""Objective items scored against `correct`: each interaction right, wrong and unanswered; items
not scored on screen."""

from __future__ import annotations

import json
from pathlib import Path

from jiance_core.cbt.scoring import scorable, score, shown

BANK = json.loads((Path(__file__).resolve().parents[2] / "jiance/cbt/examples/math-example.json").read_text())
ITEMS = {i["identifier"]: i for i in BANK["items"]}


def test_each_interaction_right_wrong_and_unanswered() -> None:
    assert score(ITEMS["EX-M-001"], "B") == 1 and score(ITEMS["EX-M-001"], "A") == 0
    assert score(ITEMS["EX-M-002"], ["C", "A"]) == 1 and score(ITEMS["EX-M-002"], ["A"]) == 0
    assert score(ITEMS["EX-M-003"], " ３０ ") == 1 and score(ITEMS["EX-M-003"], "31") == 0  # full-width digits
    assert score(ITEMS["EX-M-004"], ["B", "A", "C"]) == 1 and score(ITEMS["EX-M-004"], ["A", "B", "C"]) == 0
    assert score(ITEMS["EX-M-005"], ["S3 T1", "S1 T2", "S2 T3"]) == 1
    assert score(ITEMS["EX-M-005"], ["S1 T2", "S2 T1", "S3 T3"]) == 0
    for name in ("EX-M-001", "EX-M-002", "EX-M-003"):
        assert score(ITEMS[name], None) == 0 and score(ITEMS[name], []) == 0


def test_items_not_scored_on_screen() -> None:
    assert not scorable(ITEMS["EX-M-006"]) and score(ITEMS["EX-M-006"], "因为……") is None  # on paper
    item = {**ITEMS["EX-M-001"], "correct": []}
    assert score(item, "B") is None
    assert shown(["A", "C"]) == "A; C" and shown(None) == "" and shown("30") == "30"
