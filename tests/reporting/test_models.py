from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from jiance.reporting.models import (
    FrameError,
    FrameRecord,
    FrameStatus,
    FrameSubmission,
    ReviewAction,
    cycle_grades,
)
from jiance.units.models import SchoolType


def record(school_type: str, ps: int = 0, pc: int = 0, js: int = 0, jc: int = 0) -> FrameRecord:
    return FrameRecord(
        school_type=school_type, nature="公办", area="城区", affiliation="县属",
        primary_students=ps, primary_classes=pc, junior_students=js, junior_classes=jc,
    )


def kinds(r: FrameRecord) -> list[tuple[str, str]]:
    return [(field, kind) for field, kind, _ in r.problems()]


def test_consistent_records_have_no_problems() -> None:
    assert kinds(record(SchoolType.PRIMARY, 120, 3)) == []
    assert kinds(record(SchoolType.JUNIOR, js=400, jc=8)) == []
    assert kinds(record(SchoolType.NINE_YEAR, 40, 1, 50, 1)) == []
    assert kinds(record(SchoolType.COMPLETE_SECONDARY, js=300, jc=6)) == []


@pytest.mark.parametrize(
    ("school_type", "values", "field"),
    [
        (SchoolType.PRIMARY, {"js": 30, "jc": 1}, "junior_students"),
        (SchoolType.PRIMARY, {"ps": 30, "pc": 1, "jc": 1}, "junior_classes"),
        (SchoolType.JUNIOR, {"ps": 30, "pc": 1, "js": 30, "jc": 1}, "primary_students"),
        (SchoolType.COMPLETE_SECONDARY, {"ps": 10, "pc": 1, "js": 30, "jc": 1}, "primary_students"),
    ],
)
def test_type_must_match_the_stages_reported(school_type: str, values: dict, field: str) -> None:
    r = record(school_type, **values)
    assert (field, "学校类型与所报学段不一致") in kinds(r)
    reason = next(reason for f, _k, reason in r.problems() if f == field)
    assert school_type in reason


def test_students_without_classes() -> None:
    assert kinds(record(SchoolType.PRIMARY, 30, 0)) == [("primary_classes", "班级数为 0 但学生数大于 0")]


def test_classes_without_students() -> None:
    assert kinds(record(SchoolType.JUNIOR, js=0, jc=2)) == [("junior_students", "有班级但学生数为 0")]


def test_at_most_sixty_per_class() -> None:
    assert kinds(record(SchoolType.PRIMARY, 120, 2)) == []
    assert kinds(record(SchoolType.PRIMARY, 121, 2)) == [("primary_students", "学生数与班级数不符")]


def test_reasons_name_the_cycle_grades() -> None:
    r = record(SchoolType.PRIMARY, 30, 0)
    (_f, _k, reason), = r.problems({"primary": 5, "junior": 9})
    assert "5年级" in reason


@pytest.mark.django_db
def test_clean_raises_per_field(cycle, world) -> None:
    sub = FrameSubmission.objects.create(cycle=cycle, county=world.county_a, created_at=cycle.created_at,
                                         updated_at=cycle.created_at)
    r = record(SchoolType.PRIMARY, 30, 0, 5, 1)
    r.submission, r.school = sub, world.school_a1
    with pytest.raises(ValidationError) as exc:
        r.clean()
    assert set(exc.value.message_dict) == {"primary_classes", "junior_students"}


def test_cycle_grades_read_from_config() -> None:
    class C:
        config = {"grades": {"primary": 5, "junior": 9}}

    class Empty:
        config: dict = {}

    assert cycle_grades(C()) == {"primary": 5, "junior": 9}
    assert cycle_grades(Empty()) == {"primary": 4, "junior": 8}


@pytest.mark.parametrize(
    ("status", "action", "allowed"),
    [
        (FrameStatus.DRAFT, ReviewAction.SUBMIT, True),
        (FrameStatus.RETURNED, ReviewAction.SUBMIT, True),
        (FrameStatus.SUBMITTED, ReviewAction.SUBMIT, False),
        (FrameStatus.APPROVED, ReviewAction.SUBMIT, False),
        (FrameStatus.SUBMITTED, ReviewAction.APPROVE, True),
        (FrameStatus.DRAFT, ReviewAction.APPROVE, False),
        (FrameStatus.RETURNED, ReviewAction.RETURN, False),
        (FrameStatus.SUBMITTED, ReviewAction.RETURN, True),
        (FrameStatus.APPROVED, ReviewAction.UNLOCK, True),
        (FrameStatus.SUBMITTED, ReviewAction.UNLOCK, False),
    ],
)
def test_transitions(status: str, action: str, allowed: bool) -> None:
    sub = FrameSubmission(status=status)
    if allowed:
        assert sub.target_status(action)
    else:
        with pytest.raises(FrameError, match="当前状态为"):
            sub.target_status(action)
