"""Builders for test-day tests: a sample school with n sampled students, no spreadsheets."""

from __future__ import annotations

import datetime as dt
from typing import Any

from jiance import clock
from jiance.crypto import blind_index
from jiance.cycles.models import Cycle, CycleStatus
from jiance.rosters.models import Roster, RosterStatus, SampledStudent, Student, StudentDraw
from jiance.units.models import Level, Unit
from jiance_core.idcard import make_id
from tests.factories import World
from tests.rosters.builders import CONFIG, publish_draw

SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗"
GIVEN = ["子涵", "欣怡", "梓轩", "浩然", "雨桐", "一诺", "思远", "佳琪", "宇航", "诗涵", "明辉", "晨"]

SESSIONS: list[dict[str, Any]] = [
    {"code": "s1-chinese", "day": "2022-05-25", "name": "学生语文测试", "start": "09:00", "end": "10:20"},
    {"code": "s2-q1", "day": "2022-05-25", "name": "学生相关因素问卷（一）",
     "primary": {"start": "10:50", "end": "11:20"}, "junior": {"start": "11:00", "end": "11:40"}},
    {"code": "t-online", "day": "2022-05-26", "name": "校长与教师网络问卷", "respondents": ["principal", "teacher"],
     "start": "09:00", "until_done": True},
    {"code": "s3-arts", "day": "2022-05-26", "name": "学生艺术测试", "start": "08:30", "end": "09:50"},
    {"code": "s4-english", "day": "2022-05-26", "name": "学生英语测试",
     "primary": {"start": "10:20", "end": "11:20"}, "junior": {"start": "10:20", "end": "11:40"}},
]
SUBJECTS: list[dict[str, Any]] = [
    {"code": "chinese", "name": "语文", "booklet_forms": {"4": 6, "8": 6}},
    {"code": "arts", "name": "艺术", "booklet_forms": {"4": 2, "8": 2}},
    {"code": "english", "name": "英语", "booklet_forms": {"4": 2, "8": 6}},
]


def testday_cycle(world: World, **config: Any) -> Cycle:
    cycle = Cycle.objects.create(
        code="national-2022", year=2022, name="2022 年国家义务教育质量监测", status=CycleStatus.ACTIVE,
        config={**CONFIG, "sessions": SESSIONS, "subjects": SUBJECTS,
                "sample_size": {"students_per_school": 30, "room_capacity": 42, "computer_spare_pcs": 3}, **config},
    )
    publish_draw(cycle, world)
    return cycle


def student_name(i: int) -> str:
    return SURNAMES[i % len(SURNAMES)] + GIVEN[(i // len(SURNAMES)) % len(GIVEN)]


def sample_school(cycle: Cycle, school: Unit, n: int, *, stage: str = "primary", start: int = 0) -> list[Student]:
    """An approved roster of n students in `school`, all of them sampled."""
    now = clock.now()
    grade = 4 if stage == "primary" else 8
    roster = Roster.objects.create(cycle=cycle, school=school, stage=stage, grade=grade, status=RosterStatus.APPROVED,
                                   locked=True, created_at=now, updated_at=now)
    city = school.ancestors().get(level=Level.CITY)
    draw, _ = StudentDraw.objects.get_or_create(cycle=cycle, owner=city, defaults={"seed": 1, "created_at": now})
    birth = dt.date(2012 if stage == "primary" else 2008, 3, 1)
    students = []
    for k in range(n):
        i = start + k
        national_id = make_id("360121", birth + dt.timedelta(days=i // 400), (i * 2 + 1) % 1000)
        students.append(Student(
            roster=roster, cycle=cycle, name=student_name(i), sex="男", birth_date=birth,
            national_id=national_id, id_index=blind_index(national_id), class_name=f"{grade}年级（{i % 3 + 1}）班",
            student_no=f"{cycle.year}{i:04d}", row=k + 1,
        ))
    students = Student.objects.bulk_create(students)
    SampledStudent.objects.bulk_create([
        SampledStudent(draw=draw, student=s, roster=roster, school=school, school_students=n, sampled_students=n,
                       selection_probability=1.0, within_school_weight=1.0)
        for s in students
    ])
    return students
