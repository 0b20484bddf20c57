"""A cycle with online questionnaires (the 2024 shape: staff from 09:00 until done, students
14:00-14:30, county managers and parents over days), example forms published, a sample school."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import timezone

from jiance import clock
from jiance.cycles.models import Cycle, CycleStatus
from jiance.questionnaires.examples import example_xlsx
from jiance.questionnaires.models import FormVersion, Questionnaire
from jiance.questionnaires.services.versions import (
    questionnaires_sync,
    version_publish,
    version_upload,
)
from jiance.rosters.models import Roster, RosterStatus, Teacher
from jiance.units.models import Unit
from tests.factories import World
from tests.testday.builders import sample_school

DAY = dt.date(2024, 5, 22)
QUESTIONNAIRES: list[dict[str, Any]] = [
    {"code": "student_q1", "name": "学生相关因素问卷（一）", "respondents": ["student"], "mode": "online"},
    {"code": "principal", "name": "校长问卷", "respondents": ["principal"], "mode": "online"},
    {"code": "head_teacher", "name": "班主任问卷", "respondents": ["head_teacher"], "mode": "online"},
    {"code": "math_teacher", "name": "数学教师问卷", "respondents": ["subject_teacher"], "subject": "math",
     "mode": "online"},
    {"code": "county_manager", "name": "区县教育管理人员问卷", "respondents": ["county_manager"], "mode": "online",
     "window": {"start": "2024-05-24", "end": "2024-05-31"}},
    {"code": "parent", "name": "家长问卷", "respondents": ["parent"], "mode": "phone",
     "window": {"start": "2024-05-24", "end": "2024-05-30"}},
]
SESSIONS: list[dict[str, Any]] = [
    {"code": "d1-staff", "day": "2024-05-22", "name": "校长与教师问卷填答",
     "respondents": ["principal", "head_teacher", "subject_teacher"], "start": "09:00", "until_done": True},
    {"code": "d1-q1", "day": "2024-05-22", "name": "学生相关因素问卷（一）填答", "instrument": "student_q1",
     "start": "14:00", "end": "14:30"},
]


def at(hm: str, day: dt.date = DAY) -> dt.datetime:
    h, m = hm.split(":")
    return timezone.make_aware(dt.datetime.combine(day, dt.time(int(h), int(m))))


def q_cycle(world: World, *, publish: bool = True, day: dt.date = DAY, student_span: tuple[str, str] = ("14:00", "14:30"),
            county_window: dict[str, str] | None = None, staff_start: str = "09:00") -> Cycle:
    """The cycle; `day` and `student_span` move the test day (browser tests put it around the real now,
    since the browser's clock stamps queued saves)."""
    sessions = [{**SESSIONS[0], "day": day.isoformat(), "start": staff_start},
                {**SESSIONS[1], "day": day.isoformat(), "start": student_span[0], "end": student_span[1]}]
    questionnaires = [
        {**q, "window": county_window} if county_window and "window" in q else q for q in QUESTIONNAIRES
    ]
    cycle = Cycle.objects.create(
        code="national-2024", year=2024, name="2024 年国家义务教育质量监测", status=CycleStatus.ACTIVE,
        config={"timezone": "Asia/Shanghai", "grades": {"primary": 4, "junior": 8}, "test_days": [day.isoformat()],
                "questionnaires": questionnaires, "sessions": sessions,
                "release": {"day": day.isoformat(), "start": "07:30"}},
    )
    questionnaires_sync(cycle=cycle)
    if publish:
        for q in Questionnaire.objects.filter(cycle=cycle):
            publish_example(q)
    return cycle


def publish_example(q: Questionnaire) -> FormVersion:
    config = next(c for c in q.cycle.config["questionnaires"] if c["code"] == q.code)
    with clock.frozen(at("08:00", DAY - dt.timedelta(days=30))):
        version, _ = version_upload(questionnaire=q, content=example_xlsx(q.code, q.name, config["respondents"]),
                                    filename=f"{q.code}.xlsx", actor=None)
        return version_publish(version=version, actor=None)


def school_with_people(cycle: Cycle, school: Unit, students: int = 3, start: int = 0) -> Roster:
    """A junior roster with sampled students and three teachers: a head teacher who also teaches
    math and chose 数学教师 in the roster, a head teacher, a math teacher."""
    sample_school(cycle, school, students, stage="junior", start=start)
    roster = Roster.objects.get(cycle=cycle, school=school)
    Roster.objects.filter(pk=roster.pk).update(status=RosterStatus.APPROVED)
    now = clock.now()
    for name, roles, chosen in [("王老师", ["head_teacher", "math"], "math"), ("李老师", ["head_teacher"], "head_teacher"),
                                ("赵老师", ["math"], "math")]:
        Teacher.objects.create(roster=roster, name=name, sex="女", roles=roles, questionnaire_role=chosen, updated_at=now)
    return roster
