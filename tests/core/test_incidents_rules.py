"""The incident rules of jiance_core: escalation per grade, the report clock, the booklet shortage."""

from __future__ import annotations

import datetime as dt

import pytest

from jiance_core.cycles.incidents import IncidentRules
from jiance_core.cycles.loader import SHIPPED_TEMPLATES_DIR, load_template
from jiance_core.incidents import (
    SeatedStudent,
    booklet_shortage_drop,
    escalation_path,
    needs_city,
    report_due,
    report_state,
)

T0 = dt.datetime(2020, 10, 29, 9, 30, tzinfo=dt.UTC)


def test_escalation_per_grade() -> None:
    assert escalation_path(1) == ("record", "confirm", "handle", "close")
    assert "decide" in escalation_path(2) and "evaluate" not in escalation_path(2)
    assert escalation_path(3)[-3:] == ("handle", "evaluate", "close")
    assert not needs_city(1) and needs_city(2) and needs_city(3)
    with pytest.raises(ValueError):
        escalation_path(4)


def test_report_clock() -> None:
    assert report_due(T0, 60) == T0 + dt.timedelta(hours=1)
    assert report_state(handled_at=T0, reported_at=None, minutes=None, now=T0) == "none"
    assert report_state(handled_at=None, reported_at=None, minutes=60, now=T0) == "waiting"
    assert report_state(handled_at=T0, reported_at=None, minutes=60, now=T0 + dt.timedelta(minutes=60)) == "due"
    assert report_state(handled_at=T0, reported_at=None, minutes=60, now=T0 + dt.timedelta(minutes=61)) == "overdue"
    assert report_state(handled_at=T0, reported_at=T0 + dt.timedelta(minutes=59), minutes=60, now=T0) == "on_time"
    assert report_state(handled_at=T0, reported_at=T0 + dt.timedelta(minutes=75), minutes=60, now=T0) == "late"


def test_booklet_shortage_drops_highest_seats_first() -> None:
    seats = [SeatedStudent(seat=n, student=100 + n) for n in range(1, 31)]
    dropped = booklet_shortage_drop(seats, 27)
    assert [s.seat for s in dropped] == [30, 29, 28]
    assert booklet_shortage_drop(seats, 30) == [] and booklet_shortage_drop(seats, 40) == []


def test_booklet_shortage_skips_absent_students() -> None:
    seats = [SeatedStudent(seat=n, student=n, absent=n in (29, 30)) for n in range(1, 31)]
    # 28 present, 26 booklets: drop the two highest present seats (28, 27); absent 29, 30 need none
    assert [s.seat for s in booklet_shortage_drop(seats, 26)] == [28, 27]
    with pytest.raises(ValueError):
        booklet_shortage_drop(seats, -1)


def test_catalogue_rules() -> None:
    base = {"grades": [], "kinds": [{"code": "a", "name": "A", "grade": 1},
                                    {"code": "o", "name": "其他", "grade": 1, "other": True}]}
    assert IncidentRules.model_validate(base).other_kind().code == "o"  # type: ignore[union-attr]
    with pytest.raises(ValueError, match="重复"):
        IncidentRules.model_validate({**base, "kinds": base["kinds"] + [{"code": "a", "name": "B", "grade": 2}]})
    with pytest.raises(ValueError, match="其他"):
        IncidentRules.model_validate({**base, "kinds": base["kinds"][:1]})
    with pytest.raises(ValueError, match="report_to"):
        IncidentRules.model_validate({**base, "report_within_minutes": 60})


@pytest.mark.parametrize("name", ["national-2022", "national-2023", "national-2024", "chongqing-2020"])
def test_shipped_catalogues(name: str) -> None:
    rules = load_template(SHIPPED_TEMPLATES_DIR / f"{name}.yaml").incidents
    assert rules is not None
    assert [g.grade for g in rules.grades] == [1, 2, 3]
    short = rules.kind("booklets_short")
    assert short is not None and short.grade == 2 and short.rule == "drop_by_seat"
    assert rules.kind("impersonation").grade == 3  # type: ignore[union-attr]
    assert rules.kind("student_unwell").grade == 1  # type: ignore[union-attr]
    assert (rules.kind("food_poisoning") is not None) == (name == "national-2024")
    assert (rules.report_within_minutes == 60) == (name == "chongqing-2020")
