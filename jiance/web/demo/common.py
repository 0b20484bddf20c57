"""What every step of the demo chain shares: the summary it prints, the timeline, and acting
for the people the demo creates no account for (a real `Scope.acting_for`, audited by label)."""

from __future__ import annotations

import contextlib
import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass, field

from django.utils import timezone

from jiance import clock
from jiance.accounts.models import Role, User
from jiance.accounts.scoping import Scope
from jiance.audit.context import Actor, acting_as
from jiance.rosters.models import RosterStatus, TeacherRole, chinese_labels
from jiance.sampling.models import SampledSchool, SchoolDraw
from jiance.units.models import Unit

# Days before `today` at which each step happened (the demo shows the chain ~10 days before test day).
# The frames inside the cycle's frame window (it closes ~2 months before test day); the rosters
# run past theirs, so the county reopens entry for its late schools (LATE_ROSTER_REASON).
FRAMES_DAYS_AGO = 60
DRAW_DAYS_AGO = 32
CONFIRM_DAYS_AGO = 29
ROSTERS_DAYS_AGO = 21
UNCONFIRMED_IN_DEMO_COUNTY = 2  # junior sample schools 南昌县 has not confirmed yet
LATE_ROSTER_REASON = "学校学籍系统数据迁移，名单上报延期，经县级同意补报至测试前。"
RETURN_COMMENT = "名单中有已转学的学生未删除，请与各班班主任逐一核对后重新提交。"
FRAME_RETURN_COMMENT = "%s 4年级学生数与上年相差过大，请核实后重新提交。"
REPLACEMENT_REASON = "该校八年级学生已于本学期整体并入邻近学校，现八年级在校生不足 10 人，申请替换。"
# The stages of a roster in the order the demo spreads them over 南昌县's sample schools
# (the rest are approved by the city).
ROSTER_STATES = (
    RosterStatus.RETURNED, RosterStatus.DRAFT, RosterStatus.SCHOOL_APPROVED, RosterStatus.SCHOOL_APPROVED,
    RosterStatus.SCHOOL_APPROVED, RosterStatus.COUNTY_APPROVED,
)
STAGE_NAMES = {"primary": "小学", "junior": "初中"}
DOC_LABELS = {"approved": "已通过", "submitted": "待审核", "returned": "已退回", "filed": "已备案", "draft": "填报中"}
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
    sampled_students: int = 0  # drawn for the demo county (test-day and after-test phases)
    documents: dict[str, int] = field(default_factory=dict)  # implementation documents: status -> count
    custody: dict[str, int] = field(default_factory=dict)  # test-day boxes: issued / returned / sealed

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
        ] + ([f"样本学生：{self.county_name}名单全部通过后已按县抽取 {self.sampled_students} 名。"]
             if self.sampled_students else []) + ([
            "实施材料：" + "，".join(f"{DOC_LABELS.get(k, k)} {n} 份" for k, n in sorted(self.documents.items()))
            + "。"] if self.documents else []) + ([
            f"保密材料（{self.county_name}）：两天共发放监测工具箱 {self.custody.get('issued', 0)} 箱，"
            f"第一天送回 {self.custody.get('returned', 0)} 箱、逾期未送回 {self.custody.get('overdue', 0)} 箱"
            f"（已提醒 {self.custody.get('alerts', 0)} 人次），卷袋密封 {self.custody.get('sealed', 0)} 袋，"
            f"更正 {self.custody.get('corrections', 0)} 条。"] if self.custody else [])


@dataclass
class Sample:
    draw: SchoolDraw
    rows: list[SampledSchool]  # in sample, every county
    held: set[int] = field(default_factory=set)  # rows of the demo county not confirmed yet

    def schools_by_county(self) -> dict[int, list[Unit]]:
        out: dict[int, dict[int, Unit]] = {}
        for r in self.rows:
            out.setdefault(r.county_id, {})[r.school_id] = r.school
        return {k: sorted(v.values(), key=lambda u: u.code) for k, v in out.items()}


def stand_in(unit: Unit, role: str) -> Scope:
    """Someone holding `role` at `unit` where no demo account works: the demo acts for them
    through the same services (the permission checks see exactly this one grant)."""
    return Scope.acting_for(unit, role)


def stand_in_label(scope: Scope) -> str:
    """How the audit log names a stand-in, e.g. “进贤县县级信息员（演示）”."""
    grant = scope.grants[0]
    return f"{grant.unit_name}{Role(grant.role).label}（演示）"


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
def acting(scope: Scope) -> Iterator[None]:
    """Audit entries of a stand-in carry its label (they have no account)."""
    if scope.user is None:
        with acting_as(Actor(label=stand_in_label(scope))):
            yield
    else:
        yield


def actor_of(scope: Scope) -> User | None:
    """The account acting (None for a stand-in)."""
    return scope.user


def county_officer(county: Unit, *, demo_county: Unit, demo_officer: Scope) -> Scope:
    """The county's information officer: the demo account in the demo county, a stand-in elsewhere."""
    return demo_officer if county.pk == demo_county.pk else stand_in(county, Role.COUNTY_INFO_OFFICER)
