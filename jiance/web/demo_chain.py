"""The demo's chain from school reporting to rosters, as it stands some ten days before test day.

Built through the real services (so the data obeys the rules of real use: review states, the
sample's hash chain, the audit log), each step stamped at a plausible moment before `today`:

1. every county imports its 属地学校信息 (the synthetic city's figures) and submits it; the city
   approves it (one county is returned once and corrects a school first);
2. the city draws the sample schools (`draw_create`, PPS, the demo's seed) and publishes them;
   most counties confirm their sample, 南昌县 all but two junior schools, one of which has a
   replacement request waiting for the city;
3. 南昌县's confirmed sample schools import student rosters (synthetic students with valid ID
   numbers, as CSV) and teacher rosters (XLSX) and go through the review chain to different
   steps; the demo school's roster waits for its principal.

Where no demo account works (other counties, other schools) a stand-in scope acts with the one
role the step needs; the audit log names it by label, e.g. “进贤县县级信息员（演示）”.
"""

from __future__ import annotations

import contextlib
import datetime as dt
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import polars as pl
from django.utils import timezone

from jiance import clock
from jiance.accounts.models import Role, User
from jiance.accounts.scoping import Grant, Scope
from jiance.audit.context import Actor, acting_as
from jiance.cycles.models import Cycle
from jiance.reporting.importing import frame_columns
from jiance.reporting.models import FrameRecord, FrameStatus, FrameSubmission, cycle_grades
from jiance.reporting.services import (
    frame_approve,
    frame_import,
    frame_record_save,
    frame_return,
    frame_submit,
)
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
    teacher_import,
    test_date_of,
)
from jiance.rosters.spreadsheet import teacher_columns
from jiance.sampling.models import (
    Method,
    ReasonKind,
    RowStatus,
    SampledSchool,
    SampleRole,
    SchoolDraw,
)
from jiance.sampling.services import (
    draw_create,
    draw_publish,
    replacement_request,
    sample_confirm,
    sample_confirm_county,
)
from jiance.spreadsheets import write_rows
from jiance.units.models import Unit
from jiance.web.demo_data import DemoUnits
from jiance.windows.services import window_state
from jiance_core.synth import students_for, teachers_for

# Days before `today` at which each step happened (the demo shows the chain ~10 days before test day).
# The frames inside the cycle's frame window (it closes ~2 months before test day); the rosters
# run past theirs, so the county reopens entry for its late schools (LATE_ROSTER_REASON).
FRAMES_DAYS_AGO = 60
DRAW_DAYS_AGO = 32
CONFIRM_DAYS_AGO = 29
ROSTERS_DAYS_AGO = 21
UNCONFIRMED_IN_DEMO_COUNTY = 2  # junior sample schools 南昌县 has not confirmed yet
RETURN_COMMENT = "名单中有已转学的学生未删除，请与各班班主任逐一核对后重新提交。"
FRAME_RETURN_COMMENT = "%s 4年级学生数与上年相差过大，请核实后重新提交。"
LATE_ROSTER_REASON = "学校学籍系统数据迁移，名单上报延期，经县级同意补报至测试前。"
REPLACEMENT_REASON = "该校八年级学生已于本学期整体并入邻近学校，现八年级在校生不足 10 人，申请替换。"
# The stages of a roster in the order the demo spreads them over 南昌县's sample schools
# (the rest are approved by the city).
ROSTER_STATES = (
    RosterStatus.RETURNED, RosterStatus.DRAFT, RosterStatus.SCHOOL_APPROVED, RosterStatus.SCHOOL_APPROVED,
    RosterStatus.SCHOOL_APPROVED, RosterStatus.COUNTY_APPROVED,
)
STAGE_NAMES = {"primary": "小学", "junior": "初中"}
TEACHER_SUBJECT_ROLES = {"语文": TeacherRole.CHINESE, "英语": TeacherRole.ENGLISH, "音乐": TeacherRole.MUSIC,
                         "美术": TeacherRole.ART, "数学": TeacherRole.MATH, "科学": TeacherRole.SCIENCE}


@dataclass
class ChainSummary:
    county_name: str = ""  # the demo county
    frames_approved: int = 0
    frame_counties: int = 0
    frame_schools: int = 0
    draw_seed: int = 0
    draw_hash: str = ""
    sample_rows: int = 0  # in-sample (school, stage) rows
    sample_schools: int = 0  # distinct schools
    counties_confirmed: int = 0  # counties that confirmed every sample school
    demo_county_confirmed: int = 0
    demo_county_rows: int = 0
    replacements_pending: int = 0
    rosters: dict[str, int] = field(default_factory=dict)  # status -> count
    students: int = 0
    teachers: int = 0

    def lines(self) -> list[str]:
        """The summary `jiance demo` prints, one line per part of the chain."""
        labels = chinese_labels(RosterStatus)
        order = (RosterStatus.APPROVED, RosterStatus.COUNTY_APPROVED, RosterStatus.SCHOOL_APPROVED,
                 RosterStatus.SUBMITTED, RosterStatus.RETURNED, RosterStatus.DRAFT)
        rosters = "，".join(f"{labels[s]} {self.rosters[s]} 份" for s in order if self.rosters.get(s))
        return [
            f"属地学校信息：{self.frames_approved} 个县（区）已由市级审核通过（共 {self.frame_counties} 个），"
            f"{self.frame_schools} 所学校。",
            f"样本校抽样：PPS，随机种子 {self.draw_seed}，在样 {self.sample_rows} 校次（{self.sample_schools} 所学校），"
            f"已发布，校验码 {self.draw_hash[:12]}…；{self.counties_confirmed} 个县（区）已确认全部样本校，"
            f"{self.county_name}已确认 {self.demo_county_confirmed}/{self.demo_county_rows} 校次，"
            f"待审核替换申请 {self.replacements_pending} 件。",
            f"样本校名单（{self.county_name}）：{rosters or '无'}；学生 {self.students} 名，教师 {self.teachers} 名；"
            "其他县（区）尚未开始上报名单。",
        ]


@dataclass
class Sample:
    draw: SchoolDraw
    rows: list[SampledSchool]  # in sample, every county

    def schools_by_county(self) -> dict[int, list[Unit]]:
        out: dict[int, dict[int, Unit]] = {}
        for r in self.rows:
            out.setdefault(r.county_id, {})[r.school_id] = r.school
        return {k: sorted(v.values(), key=lambda u: u.code) for k, v in out.items()}


class StandIn(Scope):
    """Someone holding `role` at `unit` where no demo account works: the demo acts for them
    through the same services (the permission checks see exactly this one grant)."""

    def __init__(self, unit: Unit, role: str) -> None:
        super().__init__(None)
        # `grants` is a cached property: the instance value wins, so no account is looked up
        self.__dict__["grants"] = (Grant(role, unit.pk, unit.path, unit.level, unit.name),)
        self.label = f"{unit.name}{Role(role).label}（演示）"


class Timeline:
    """Moments before `today`, never after the real now; services read them through the clock."""

    def __init__(self, today: dt.date) -> None:
        self.today = today
        self.limit = clock.now()

    @contextlib.contextmanager
    def at(self, days_ago: int, hour: int, minute: int = 0) -> Iterator[None]:
        when = timezone.make_aware(dt.datetime.combine(self.today - dt.timedelta(days=days_ago), dt.time(hour, minute)))
        with clock.frozen(min(when, self.limit)):
            yield


@contextlib.contextmanager
def _as(scope: Scope) -> Iterator[None]:
    """Audit entries of a stand-in carry its label (they have no account)."""
    if isinstance(scope, StandIn):
        with acting_as(Actor(label=scope.label)):
            yield
    else:
        yield


def _actor(scope: Scope) -> User | None:
    return None if isinstance(scope, StandIn) else scope.user


# --- 1 and 2: frames and the school sample ---------------------------------------------------------
def build_sample(
    *, cycle: Cycle, city: Unit, counties: list[Unit], demo_county: Unit, data: DemoUnits, seed: int,
    today: dt.date, users: dict[str, User], summary: ChainSummary,
) -> Sample:
    """Frames reported and approved, the sample drawn, published and (mostly) confirmed."""
    when = Timeline(today)
    summary.county_name = demo_county.name
    city_info, city_admin, county_info = (
        Scope(users["nanchang.info"]), Scope(users["nanchang.admin"]), Scope(users["ncx.info"])
    )

    def county_scope(county: Unit) -> Scope:
        return county_info if county.pk == demo_county.pk else StandIn(county, Role.COUNTY_INFO_OFFICER)

    grades = cycle_grades(cycle)
    headers = [c.header for c in frame_columns(grades)]
    by_county: dict[str, list[list[Any]]] = {}
    for s in data.schools:
        by_county.setdefault(s.county_code, []).append([
            s.code, s.name, s.school_type, s.nature, s.area, s.affiliation,
            s.primary_students, s.primary_classes, s.junior_students, s.junior_classes, "",
        ])
    # One county first reports a mistyped figure; the city returns it and the county corrects it.
    returned = counties[2] if len(counties) > 2 else None
    fix: tuple[str, int] | None = None
    if returned is not None:
        county_rows = by_county.get(returned.code, [])
        big = max((r for r in county_rows if r[6] >= 20), key=lambda r: (r[6], r[0]), default=None)
        if big is not None:
            fix = (big[0], big[6])
            big[6] = big[6] // 2  # still consistent with its classes, so the import accepts it
    for i, county in enumerate(counties):
        scope = county_scope(county)
        day = FRAMES_DAYS_AGO - i % 4
        with _as(scope):
            with when.at(day, 9, 10 + i):
                content = write_rows("数据", headers, by_county.get(county.code, []))
                outcome = frame_import(
                    scope=scope, cycle=cycle, county=county, content=content, actor=_actor(scope),
                    filename=f"{county.name}属地学校信息.xlsx",
                )
                if not outcome.applied:  # the synthetic data must pass the real checks
                    raise RuntimeError(f"演示数据：{county.name}属地学校信息未通过检查：{outcome.result.problems[:3]}")
            with when.at(day, 15, 30 + i):
                sub = FrameSubmission.objects.get(cycle=cycle, county=county)
                sub = frame_submit(scope=scope, submission=sub, actor=_actor(scope))
        with when.at(day - 2, 10, i):
            if county == returned and fix is not None:
                school = Unit.objects.get(code=fix[0])
                sub = frame_return(scope=city_info, submission=sub, actor=city_info.user,
                                   comment=FRAME_RETURN_COMMENT % school.name)
                with _as(scope), when.at(day - 3, 9, 30):
                    record = FrameRecord.objects.get(submission=sub, school=school)
                    data_fields = {k: getattr(record, k) for k in FrameRecord.DATA_FIELDS}
                    frame_record_save(scope=scope, cycle=cycle, county=county, school=school,
                                      data={**data_fields, "primary_students": fix[1], "note": "已核实更正"},
                                      actor=_actor(scope))
                with _as(scope), when.at(day - 3, 10, 0):
                    sub = frame_submit(scope=scope, submission=sub, actor=_actor(scope), comment="已按意见核实更正")
                with when.at(day - 4, 9, 0):
                    sub = frame_approve(scope=city_info, submission=sub, actor=city_info.user)
            else:
                sub = frame_approve(scope=city_info, submission=sub, actor=city_info.user)
        summary.frames_approved += sub.status == FrameStatus.APPROVED
    summary.frame_counties = len(counties)
    summary.frame_schools = FrameRecord.objects.filter(submission__cycle=cycle).count()

    with when.at(DRAW_DAYS_AGO, 10, 0):
        draw = draw_create(scope=city_admin, cycle=cycle, owner=city, seed=seed, method=Method.PPS,
                           actor=city_admin.user)
    with when.at(DRAW_DAYS_AGO - 1, 9, 0):
        draw = draw_publish(scope=city_admin, draw=draw, actor=city_admin.user)
    summary.draw_seed, summary.draw_hash = draw.seed, draw.sample_hash

    rows = list(
        SampledSchool.objects.filter(draw=draw, status=RowStatus.IN_SAMPLE)
        .select_related("county", "school").order_by("county__path", "stage", "frame_order", "pk")
    )
    summary.sample_rows = len(rows)
    summary.sample_schools = len({r.school_id for r in rows})
    # Every county confirms its sample but the last one (it has not yet); 南昌县 confirms school
    # by school and keeps its last junior schools back, one of them asking for a replacement.
    for i, county in enumerate(counties):
        if county.pk == demo_county.pk or i == len(counties) - 1:
            continue
        scope = county_scope(county)
        with _as(scope), when.at(CONFIRM_DAYS_AGO - i % 3, 14, i):
            sample_confirm_county(scope=scope, draw=draw, county=county, actor=_actor(scope))
        summary.counties_confirmed += 1
    mine = [r for r in rows if r.county_id == demo_county.pk]
    held = held_back(mine)
    for k, r in enumerate(mine):
        if r.pk in held:
            continue
        with when.at(CONFIRM_DAYS_AGO - 1, 9, k):
            sample_confirm(scope=county_info, sampled_school=r, actor=county_info.user)
        summary.demo_county_confirmed += 1
    summary.demo_county_rows = len(mine)
    if held:
        row = next(r for r in mine if r.pk == min(held))
        with when.at(2, 11, 20):
            replacement_request(scope=county_info, sampled_school=row, reason=REPLACEMENT_REASON,
                                actor=county_info.user, reason_kind=ReasonKind.MERGED)
        summary.replacements_pending = 1
    return Sample(draw=draw, rows=rows)


def held_back(rows: list[SampledSchool]) -> set[int]:
    """The sample rows of the demo county it has not confirmed: its last junior schools."""
    junior = [r for r in rows if r.stage == "junior"] or rows
    return {r.pk for r in junior[-UNCONFIRMED_IN_DEMO_COUNTY:]} if len(rows) > UNCONFIRMED_IN_DEMO_COUNTY else set()


def pick_demo_school(sample: Sample, county: Unit) -> Unit | None:
    """The school the school accounts work in: a confirmed in-sample 小学 of the county, drawn
    as a sample school (not added), of a size that shows a few classes (deterministic: the
    first by code)."""
    rows = [r for r in sample.rows if r.county_id == county.pk and r.stage == "primary" and r.school_type == "小学"]
    held = held_back([r for r in sample.rows if r.county_id == county.pk])
    rows = [r for r in rows if r.pk not in held]
    if not rows:
        return None
    sized = [r for r in rows if 60 <= r.primary_students <= 200]
    return min(sized or rows, key=lambda r: (r.role != SampleRole.SAMPLE, r.school.code)).school


# --- 3: rosters -------------------------------------------------------------------------------------
def build_rosters(
    *, cycle: Cycle, sample: Sample, demo_county: Unit, demo_school: Unit | None, data: DemoUnits, seed: int,
    today: dt.date, users: dict[str, User], summary: ChainSummary,
) -> None:
    """Student and teacher rosters of 南昌县's confirmed sample schools, in different review steps."""
    if data.city is None:
        return
    when = Timeline(today)
    county_info, city_info = Scope(users["ncx.info"]), Scope(users["nanchang.info"])
    rows = [r for r in sample.rows if r.county_id == demo_county.pk and r.pk not in held_back(
        [x for x in sample.rows if x.county_id == demo_county.pk])]
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
    states = {others[int(j)].pk: (ROSTER_STATES[k] if k < len(ROSTER_STATES) else RosterStatus.APPROVED)
              for k, j in enumerate(order)}
    for k, r in enumerate(rows):
        school = r.school
        demo = demo_school is not None and school.pk == demo_school.pk
        if demo:
            school_scope: Scope = Scope(users["school.info"])
            target: str = RosterStatus.SUBMITTED
            start = 3  # days ago
        else:
            school_scope = StandIn(school, Role.SCHOOL_INFO_OFFICER)
            target = states[r.pk]
            start = ROSTERS_DAYS_AGO - k % 8
        actor = _actor(school_scope)
        with when.at(start, 8, 0):
            # still open when the school submits (two days later)?
            if not window_state(cycle=cycle, kind=STUDENTS_WINDOW, unit=school,
                                today=today - dt.timedelta(days=max(start - 2, 0))).open:
                roster_window_reopen(scope=county_info, cycle=cycle, school=school,
                                     until=test_date - dt.timedelta(days=3), reason=LATE_ROSTER_REASON,
                                     actor=county_info.user)
        with _as(school_scope):
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
        principal = StandIn(school, Role.PRINCIPAL)
        with _as(principal), when.at(start - 3, 11, 0):
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
