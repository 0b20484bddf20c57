"""Builders for after-test tests: a cycle with a tested-students window, a published draw with
chosen rows (refusals, replacements), sample schools with sampled students."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import timezone

from jiance import clock
from jiance.cycles.models import Cycle, CycleStatus
from jiance.sampling.models import DrawStatus, RowStatus, SampledSchool, SchoolDraw
from jiance.units.models import Unit
from tests.factories import World
from tests.rosters.builders import CONFIG
from tests.testday.builders import SESSIONS, SUBJECTS

BJ = dt.timezone(dt.timedelta(hours=8))
WINDOW = {"kind": "tested_students", "name": "测试生基本信息上报（含缺席测试生）", "reported_by": "school",
          "reviewed_by": "county", "start": "2022-05-27", "end": "2022-06-06"}
BEFORE_WINDOW = timezone.make_aware(dt.datetime(2022, 5, 26, 12, 0), timezone=BJ)
IN_WINDOW = timezone.make_aware(dt.datetime(2022, 6, 1, 10, 0), timezone=BJ)
AFTER_WINDOW = timezone.make_aware(dt.datetime(2022, 6, 10, 10, 0), timezone=BJ)


def aftertest_cycle(code: str = "national-2022", **config: Any) -> Cycle:
    return Cycle.objects.create(
        code=code, year=2022, name="2022 年国家义务教育质量监测", status=CycleStatus.ACTIVE,
        config={**CONFIG, "sessions": SESSIONS, "subjects": SUBJECTS, "windows": [WINDOW],
                "participation_thresholds": {"school_rate": 0.85, "student_rate": 0.85}, **config},
    )


def draw(cycle: Cycle, world: World, rows: list[dict[str, Any]]) -> SchoolDraw:
    """A published draw; each row: code, stage, role, status, replaces (code of an earlier row)."""
    d = SchoolDraw.objects.create(cycle=cycle, owner=world.city, seed=7, frame_hash="0" * 64, plan={},
                                  counties=[world.county_a.code, world.county_b.code], created_at=clock.now())
    made: dict[str, SampledSchool] = {}
    for i, r in enumerate(rows):
        school = Unit.objects.get(code=r["code"])
        made[r["code"]] = SampledSchool.objects.create(
            draw=d, county=school.parent, stage=r.get("stage", "primary"), school=school,
            role=r.get("role", "sample"), replaces=made.get(r.get("replaces", "")),
            selection_probability=0.5, base_weight=r.get("base_weight", 2.0), planned_students=30,
            frame_order=i, school_type=school.school_type, area=school.area,
            status=r.get("status", RowStatus.IN_SAMPLE),
        )
    SchoolDraw.objects.filter(pk=d.pk).update(status=DrawStatus.PUBLISHED, published_hash="1" * 64,
                                              sample_hash="1" * 64)
    return d


def seated_a1(world: World, a1: int, b1: int, absent: set[int]) -> tuple[Cycle, list[Any]]:
    """An after-test cycle whose draw took schools A1 and B1, with `a1` and `b1` sampled students;
    A1's primary paper room seats its students in order, those of the seat numbers in `absent`
    marked absent. Returns the cycle and A1's sampled students."""
    from jiance.testday.models import Seat, TestRoom
    from tests.testday.builders import sample_school

    cycle = aftertest_cycle()
    draw(cycle, world, [{"code": world.school_a1.code}, {"code": world.school_b1.code}])
    students = sample_school(cycle, world.school_a1, a1)
    sample_school(cycle, world.school_b1, b1, start=100)
    room = TestRoom.objects.create(cycle=cycle, school=world.school_a1, stage="primary", number=1, kind="paper",
                                   students=a1, rows=7, columns=6, pattern="vertical", created_at=clock.now())
    for i, s in enumerate(students, start=1):
        Seat.objects.create(room=room, seat=i, row=1, column=i, student=s, absent=i in absent)
    return cycle, students
