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
