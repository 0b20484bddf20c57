"""Builders for roster tests: a cycle, approved frames, a published draw, people, roster files."""

from __future__ import annotations

import datetime as dt
import io
from dataclasses import dataclass
from typing import Any

import polars as pl
from django.utils import timezone
from openpyxl import Workbook

from jiance import clock
from jiance.accounts.models import Role
from jiance.cycles.models import Cycle, CycleStatus
from jiance.reporting.models import FrameRecord, FrameStatus, FrameSubmission
from jiance.sampling.models import DrawStatus, RowStatus, SampledSchool, SchoolDraw
from jiance.units.models import Level, Unit
from jiance_core.synth import students_for
from tests.factories import World, make_user

TEST_DAY = dt.date(2022, 5, 25)
# 2022-05-25 07:30 in Beijing
RELEASE = timezone.make_aware(dt.datetime(2022, 5, 25, 7, 30), timezone=dt.timezone(dt.timedelta(hours=8)))
BEFORE_RELEASE = RELEASE - dt.timedelta(minutes=1)
AFTER_RELEASE = RELEASE + dt.timedelta(minutes=1)
ENTRY_TIME = timezone.make_aware(dt.datetime(2022, 4, 20, 10, 0))
CONFIG: dict[str, Any] = {
    "grades": {"primary": 4, "junior": 8},
    "test_days": [TEST_DAY.isoformat()],
    "sample_size": {"students_per_school": 30},
    "release": {"day": TEST_DAY.isoformat(), "start": "07:30"},
    "questionnaires": [
        {"code": "head_teacher", "respondents": ["head_teacher"]},
        {"code": "chinese_teacher", "respondents": ["subject_teacher"], "subject": "chinese"},
        {"code": "arts_teacher", "respondents": ["subject_teacher"], "subject": "arts"},
        {"code": "english_teacher", "respondents": ["subject_teacher"], "subject": "english"},
    ],
}
# students and classes of each World school in the frame (primary, junior)
FRAME = {
    "3601210001": (40, 2, 0, 0),
    "3601210002": (0, 0, 45, 2),
    "3601240001": (25, 1, 0, 0),
    "3601240002": (35, 2, 50, 2),
}
SAMPLED = [("3601210001", "primary", 30), ("3601210002", "junior", 30), ("3601240001", "primary", 30),
           ("3601240002", "primary", 30)]


def make_cycle(code: str = "national-2022", **config: Any) -> Cycle:
    return Cycle.objects.create(
        code=code, year=2022, name="2022 年国家义务教育质量监测", status=CycleStatus.ACTIVE,
        config={**CONFIG, **config},
    )


def approve_frames(cycle: Cycle, world: World) -> None:
    now = clock.now()
    for county in (world.county_a, world.county_b):
        sub = FrameSubmission.objects.create(
            cycle=cycle, county=county, status=FrameStatus.APPROVED, locked=True, created_at=now, updated_at=now
        )
        for school in Unit.objects.filter(parent=county, level=Level.SCHOOL):
            p, pc, j, jc = FRAME[school.code]
            FrameRecord.objects.create(
                submission=sub, school=school, school_type=school.school_type, nature="公办", area="城区",
                affiliation="县属", primary_students=p, primary_classes=pc, junior_students=j, junior_classes=jc,
                updated_at=now,
            )


def publish_draw(cycle: Cycle, world: World, sampled: list[tuple[str, str, int]] | None = None) -> SchoolDraw:
    draw = SchoolDraw.objects.create(
        cycle=cycle, owner=world.city, seed=7, frame_hash="0" * 64, plan={},
        counties=[world.county_a.code, world.county_b.code], created_at=clock.now(),
    )
    for code, stage, planned in sampled or SAMPLED:
        school = Unit.objects.get(code=code)
        SampledSchool.objects.create(
            draw=draw, county=school.parent, stage=stage, school=school, role="sample",
            selection_probability=0.5, base_weight=2.0, planned_students=planned,
            school_type=school.school_type, area=school.area, status=RowStatus.IN_SAMPLE,
        )
    SchoolDraw.objects.filter(pk=draw.pk).update(status=DrawStatus.PUBLISHED, published_hash="1" * 64,
                                                 sample_hash="1" * 64)
    return draw


@dataclass
class People:
    officer_a1: Any
    principal_a1: Any
    officer_b1: Any
    officer_a2: Any
    county_a: Any
    county_b: Any
    city: Any
    centre: Any


def make_people(world: World) -> People:
    return People(
        officer_a1=make_user("a1_xx", Role.SCHOOL_INFO_OFFICER, world.school_a1, full_name="莲塘一小信息员"),
        principal_a1=make_user("a1_xz", Role.PRINCIPAL, world.school_a1, full_name="莲塘一小校长"),
        officer_b1=make_user("b1_xx", Role.SCHOOL_INFO_OFFICER, world.school_b1),
        officer_a2=make_user("a2_xx", Role.SCHOOL_INFO_OFFICER, world.school_a2),
        county_a=make_user("nc_county", Role.COUNTY_INFO_OFFICER, world.county_a, full_name="南昌县信息员"),
        county_b=make_user("jx_county", Role.COUNTY_ADMIN, world.county_b),
        city=make_user("nc_city", Role.CITY_ADMIN, world.city, full_name="南昌市管理员"),
        centre=make_user("centre", Role.CENTRE_ADMIN, world.centre),
    )


def roster_ready(world: World) -> tuple[People, Any]:
    """A cycle with approved frames and a published draw, its people, and school A1's primary roster
    opened by its information officer."""
    from jiance.accounts.scoping import Scope
    from jiance.rosters.services import roster_open

    cycle = make_cycle()
    approve_frames(cycle, world)
    publish_draw(cycle, world)
    people = make_people(world)
    return people, roster_open(scope=Scope(people.officer_a1), cycle=cycle, school=world.school_a1, stage="primary")


def students(school_code: str, county_code: str, n: int, classes: int, *, grade: int = 4, seed: int = 1) -> pl.DataFrame:
    """Synthetic students of a school with Chinese roster headers, birth dates fitting the grade."""
    junior = grade >= 7
    frame = pl.DataFrame({
        "school_id": [school_code], "county": [county_code],
        "primary_students": [0 if junior else n], "primary_classes": [0 if junior else classes],
        "junior_students": [n if junior else 0], "junior_classes": [classes if junior else 0],
    })
    s = students_for(frame, grade, seed, test_date=TEST_DAY)
    return s.select(
        pl.col("name").alias("姓名"), pl.col("sex").alias("性别"),
        pl.col("birth_date").cast(pl.String).alias("出生日期"), pl.col("id_number").alias("身份证号"),
        pl.col("class_name").alias("班级"), pl.col("student_no").cast(pl.String).alias("学号"),
    )


def xlsx(df: pl.DataFrame) -> bytes:
    wb = Workbook()
    ws = wb.active
    ws.append(df.columns)
    for row in df.iter_rows():
        ws.append(list(row))
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


TEACHER_HEADERS = ["姓名", "性别", "任教班级", "角色", "问卷角色", "任职类型"]
TEACHERS = [
    ["王老师", "女", "4年级1班", "班主任、语文教师", "班主任"],
    ["李老师", "男", "4年级2班", "英语教师", ""],
    ["张老师", "女", "4年级1班、4年级2班", "音乐教师", "音乐教师"],
]


def teacher_xlsx(rows: list[list[Any]], headers: list[str] = TEACHER_HEADERS) -> bytes:
    """A teacher roster file laid out like the template's data sheet."""
    wb = Workbook()
    ws = wb.active
    ws.title = "数据"
    ws.append(headers)
    for r in rows:
        ws.append(r)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()
