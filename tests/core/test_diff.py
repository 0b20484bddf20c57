"""jiance_core.diff: added, removed and changed records between two versions (pure data)."""

from __future__ import annotations

from jiance_core.diff import diff_records, keyed


def test_added_removed_changed_in_reading_order() -> None:
    before = {"a": {"name": "甲", "n": 1}, "b": {"name": "乙", "n": 2}, "c": {"name": "丙", "n": 3}}
    after = {"c": {"name": "丙", "n": 4}, "a": {"name": "甲", "n": 1}, "d": {"name": "丁", "n": 5}}
    d = diff_records(before, after, ["name", "n"])
    assert [r.key for r in d.added] == ["d"] and d.added[0].before is None and d.added[0].record["name"] == "丁"
    assert [r.key for r in d.removed] == ["b"] and d.removed[0].after is None and d.removed[0].record["name"] == "乙"
    assert [(r.key, [(c.field, c.old, c.new) for c in r.changes]) for r in d.changed] == [("c", [("n", 3, 4)])]
    assert d.total == 3 and [r.kind for r in d.rows] == ["added", "changed", "removed"]


def test_only_the_named_fields_are_compared_in_their_order() -> None:
    before = {"k": {"x": 1, "y": 1, "ignored": 1}}
    after = {"k": {"x": 2, "y": 2, "ignored": 2}}
    assert [c.field for c in diff_records(before, after, ["y", "x"]).changed[0].changes] == ["y", "x"]
    assert [c.field for c in diff_records(before, after).changed[0].changes] == ["ignored", "x", "y"]


def test_missing_field_equals_empty_and_identical_versions_have_no_diff() -> None:
    before = {"k": {"note": None, "n": 0}}
    assert diff_records(before, {"k": {"note": "", "n": 0}}, ["note", "n"]).total == 0
    assert diff_records(before, {"k": {"n": 0}}, ["note", "n"]).total == 0
    assert diff_records({}, {}).total == 0
    assert diff_records(before, {"k": {"note": None, "n": 0}}).rows == []


def test_keyed_numbers_repeated_keys() -> None:
    rows = [{"name": "王老师", "s": 1}, {"name": "李老师"}, {"name": "王老师", "s": 2}]
    assert list(keyed(rows, key=lambda r: r["name"])) == ["王老师", "李老师", "王老师#2"]
