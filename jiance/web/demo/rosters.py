"""Step 3 of the demo chain: 南昌县's confirmed sample schools import student rosters (synthetic
students with valid ID numbers, as CSV) and teacher rosters (XLSX) and go through the review
chain to different steps; the demo school's roster waits for its principal."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from typing import Any

import numpy as np
import polars as pl

from jiance.accounts.models import Role, User
from jiance.accounts.scoping import Scope
from jiance.cycles.models import Cycle
from jiance.reporting.models import cycle_grades
from jiance.rosters.models import (
    Employment,
    Roster,
    RosterStatus,
    TeacherRole,
    chinese_labels,
    teacher_roles_for,
)
from jiance.rosters.services import (
    STUDENTS_WINDOW,
    roster_approve,
    roster_import,
    roster_open,
    roster_return,
    roster_submit,
    roster_window_reopen,
    students_draw,
    teacher_import,
    test_date_of,
)
from jiance.rosters.spreadsheet import teacher_columns
from jiance.spreadsheets import write_rows
from jiance.testday.services import rooms_plan
from jiance.units.models import Unit
from jiance.web.demo.common import (
    LATE_ROSTER_REASON,
    RETURN_COMMENT,
    ROSTER_STATES,
    ROSTERS_DAYS_AGO,
    STAGE_NAMES,
    TEACHER_SUBJECT_ROLES,
    ChainSummary,
    Sample,
    Timeline,
    acting,
    actor_of,
    stand_in,
)
from jiance.web.demo_data import DemoUnits
from jiance.windows.services import window_state
from jiance_core.synth import students_for, teachers_for


def build_rosters(
    *, cycle: Cycle, sample: Sample, demo_county: Unit, demo_school: Unit | None, data: DemoUnits, seed: int,
    today: dt.date, users: dict[str, User], summary: ChainSummary, all_approved: bool = False,
) -> None:
    """Student and teacher rosters of 南昌县's confirmed sample schools, in different review steps
    (or, on and after test day, all approved by the city)."""
    if data.city is None:
        return
    when = Timeline(today)
    county_info, city_info = Scope(users["ncx.info"]), Scope(users["nanchang.info"])
    rows = [r for r in sample.rows if r.county_id == demo_county.pk and r.pk not in sample.held]
    if not rows:
        return
    test_date = test_date_of(cycle)
    grades = cycle_grades(cycle)
    frame = data.city.schools
    # One generation per grade for all the schools, so ID numbers never repeat across schools.
    people: dict[str, pl.DataFrame] = {}
    for stage in ("primary", "junior"):
        codes = [r.school.code for r in rows if r.stage == stage]
        if codes:
            people[stage] = students_for(frame.filter(pl.col("school_id").is_in(codes)), grades[stage], seed,
                                         test_date=test_date)
    staff = teachers_for(frame.filter(pl.col("school_id").is_in([r.school.code for r in rows])), seed,
                         today=test_date)

    others = [r for r in rows if demo_school is None or r.school_id != demo_school.pk]
    order = np.random.default_rng([seed, 3]).permutation(len(others))
    states = {others[int(j)].pk: (ROSTER_STATES[k] if k < len(ROSTER_STATES) and not all_approved
                                  else RosterStatus.APPROVED)
              for k, j in enumerate(order)}
    for k, r in enumerate(rows):
        school = r.school
        demo = demo_school is not None and school.pk == demo_school.pk
        if demo and not all_approved:
            school_scope: Scope = Scope(users["school.info"])
            target: str = RosterStatus.SUBMITTED
            start = 3  # days ago
        elif demo:
            school_scope = Scope(users["school.info"])
            target, start = RosterStatus.APPROVED, ROSTERS_DAYS_AGO
        else:
            school_scope = stand_in(school, Role.SCHOOL_INFO_OFFICER)
            target = states[r.pk]
            start = ROSTERS_DAYS_AGO - k % 8
        actor = actor_of(school_scope)
        with when.at(start, 8, 0):
            # still open when the school submits (two days later)?
            if not window_state(cycle=cycle, kind=STUDENTS_WINDOW, unit=school,
                                today=today - dt.timedelta(days=max(start - 2, 0))).open:
                roster_window_reopen(scope=county_info, cycle=cycle, school=school,
                                     until=test_date - dt.timedelta(days=3), reason=LATE_ROSTER_REASON,
                                     actor=county_info.user)
        with acting(school_scope):
            with when.at(start, 8, 30):
                roster = roster_open(scope=school_scope, cycle=cycle, school=school, stage=r.stage)
            with when.at(start, 9, 5 + k):
                students = people[r.stage].filter(pl.col("school_id") == school.code)
                csv = students.select(
                    pl.col("name").alias("姓名"), pl.col("sex").alias("性别"),
                    pl.col("birth_date").cast(pl.String).alias("出生日期"), pl.col("id_number").alias("身份证号"),
                    pl.col("class_name").alias("班级"), pl.col("student_no").alias("学号"),
                ).write_csv().encode("utf-8")
                outcome = roster_import(scope=school_scope, roster=roster, content=csv,
                                        filename=f"{school.name}{roster.grade}年级学生名单.csv", actor=actor)
                if not outcome.applied:
                    raise RuntimeError(f"演示数据：{school.name}学生名单未通过检查：{outcome.check.errors[:3]}")
            if target == RosterStatus.DRAFT:
                continue  # students entered, teachers not yet
            with when.at(start - 1, 10, 15 + k):
                content = _teacher_file(roster, staff.filter(pl.col("school_id") == school.code), r.stage)
                teachers = teacher_import(scope=school_scope, roster=roster, content=content,
                                          filename=f"{school.name}{roster.grade}年级教师名单.xlsx", actor=actor)
                if not teachers.ok:
                    raise RuntimeError(f"演示数据：{school.name}教师名单未通过检查：{teachers.errors[:3]}")
            with when.at(start - 1 if demo else start - 2, 16, 20):
                roster = roster_submit(scope=school_scope, roster=roster, actor=actor)
        if target == RosterStatus.SUBMITTED:
            continue
        principal = stand_in(school, Role.PRINCIPAL)
        with acting(principal), when.at(start - 3, 11, 0):
            roster = roster_approve(scope=principal, roster=roster, actor=None)
        with when.at(start - 5, 15, k % 50):
            if target == RosterStatus.RETURNED:
                roster_return(scope=county_info, roster=roster, actor=county_info.user, comment=RETURN_COMMENT)
                continue
            if target == RosterStatus.SCHOOL_APPROVED:
                continue
            roster = roster_approve(scope=county_info, roster=roster, actor=county_info.user)
        if target == RosterStatus.COUNTY_APPROVED:
            continue
        with when.at(start - 7, 10, k % 50):
            roster_approve(scope=city_info, roster=roster, actor=city_info.user)

    rosters = Roster.objects.filter(cycle=cycle)
    summary.rosters = dict(Counter(rosters.values_list("status", flat=True)))
    summary.students = sum(r.students.count() for r in rosters)
    summary.teachers = sum(r.teachers.count() for r in rosters)


def draw_students(
    *, cycle: Cycle, county: Unit, seed: int, today: dt.date, users: dict[str, User], summary: ChainSummary,
) -> None:
    """The city draws the demo county's students as soon as its rosters are approved (the other
    counties have not reported yet): the per-county draw, two days before `today`; the county
    office then lays out every sample school's rooms and seats."""
    city_info, county_info = Scope(users["nanchang.info"]), Scope(users["ncx.info"])
    when = Timeline(today)
    with when.at(2, 9, 30):
        draw = students_draw(cycle=cycle, actor=city_info.user, seed=seed, scope=city_info, area=county)
    summary.sampled_students = draw.students
    schools = Unit.objects.filter(pk__in=Roster.objects.filter(cycle=cycle, school__parent=county)
                                  .values("school_id")).order_by("code")
    for k, school in enumerate(schools):
        with when.at(1, 10, k % 60):
            rooms_plan(school=school, cycle=cycle, actor=county_info.user, scope=county_info)


def _teacher_file(roster: Roster, staff: pl.DataFrame, stage: str) -> bytes:
    """The tested grade's head teachers and the teachers of the subjects the cycle asks about,
    as the teacher template's data sheet."""
    allowed = set(teacher_roles_for(roster.cycle))
    labels = chinese_labels(TeacherRole)
    employment = list(chinese_labels(Employment).values())
    grade_name = f"{'四' if roster.grade == 4 else '八' if roster.grade == 8 else roster.grade}年级"
    mine = staff.filter((pl.col("stage") == STAGE_NAMES[stage]) & (pl.col("grade") == roster.grade))
    rows: list[list[Any]] = []
    seen: set[tuple[str, str]] = set()
    heads = 0
    for i, t in enumerate(mine.iter_rows(named=True)):
        roles: list[str] = []
        if t["role"] == "班主任" and TeacherRole.HEAD_TEACHER in allowed:
            heads += 1
            roles.append(TeacherRole.HEAD_TEACHER)
            class_name = f"{grade_name}({heads})班"
        else:
            class_name = f"{grade_name}({i % max(heads, 1) + 1})班"
        subject = TEACHER_SUBJECT_ROLES.get(t["subject"])
        if subject is not None and subject in allowed:
            roles.append(subject)
        if not roles or (t["name"], class_name) in seen:
            continue
        seen.add((t["name"], class_name))
        kind = employment[1] if i % 11 == 7 else employment[2] if i % 17 == 9 else employment[0]
        rows.append([t["name"], t["sex"], class_name, "、".join(labels[r] for r in roles), labels[roles[0]], kind])
    if not rows:  # a tiny school: its head teacher all the same
        rows.append(["王老师", "女", f"{grade_name}(1)班", labels[TeacherRole.HEAD_TEACHER],
                     labels[TeacherRole.HEAD_TEACHER], employment[0]])
    return write_rows("数据", [c.header for c in teacher_columns(roster)], rows)
