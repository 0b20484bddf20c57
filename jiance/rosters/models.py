"""Rosters of the sample schools (样本校测试年级学生与教师名单) and the student sample (SPEC §3-5).

One `Roster` per (cycle, school, stage) carries the review state of the chain
school information officer → principal (校长审核) → county → city; `RosterEvent` keeps every step;
`Student` and `Teacher` are the reported people; `StudentDraw` / `SampledStudent` the student sample.

National ID numbers are stored encrypted (`EncryptedTextField`) with a keyed blind index
(`id_index`) for the uniqueness check across the schools of a cycle.
"""

from __future__ import annotations

import datetime as dt
import json
import zoneinfo
from typing import Any

from django.conf import settings
from django.db import models
from django.utils import translation
from django.utils.translation import gettext_lazy as _

from jiance.accounts import roles
from jiance.audit.models import Action
from jiance.crypto import EncryptedTextField, masked_id
from jiance.kept import KeptFile
from jiance.review.events import ReviewEvent
from jiance.review.models import Reviewable, every_stage_submitted
from jiance.review.spec import Chain, ReviewRefused, Step
from jiance.stages import stage_label, stage_name


class RosterError(ReviewRefused):
    """A refused operation, with the reason in Chinese for the user."""


class RosterStatus(models.TextChoices):
    DRAFT = "draft", _("填报中")
    SUBMITTED = "submitted", _("待校长审核")
    SCHOOL_APPROVED = "school_ok", _("待县级审核")
    COUNTY_APPROVED = "county_ok", _("待市级审核")
    APPROVED = "approved", _("已通过")
    RETURNED = "returned", _("已退回")


EDITABLE_STATUSES = (RosterStatus.DRAFT, RosterStatus.RETURNED)
# While entering and checking at the school, its officer and principal may see full ID numbers.
SCHOOL_STATUSES = (RosterStatus.DRAFT, RosterStatus.RETURNED, RosterStatus.SUBMITTED)


class RosterAction(models.TextChoices):
    IMPORT = "import", _("导入")
    EDIT = "edit", _("修改")
    SUBMIT = "submit", _("提交校长审核")
    PRINCIPAL_APPROVE = "principal", _("校长审核通过")
    COUNTY_APPROVE = "county", _("县级审核通过")
    CITY_APPROVE = "city", _("市级审核通过")
    RETURN = "return", _("退回")


# Who acts on a roster in each status, and may return what waits for them.
STEP_ROLES: dict[str, tuple[str, ...]] = {
    RosterStatus.SUBMITTED: roles.PRINCIPAL,
    RosterStatus.SCHOOL_APPROVED: roles.COUNTY_OFFICE,
    RosterStatus.COUNTY_APPROVED: roles.CITY_OFFICE,
}
RETURNABLE_STATUSES = tuple(STEP_ROLES)


def _all_stages_submitted(roster: Any) -> bool:
    """The school's 师生信息上报 task is done once every sampled stage's roster is submitted."""
    from jiance.sampling.models import DrawStatus, RowStatus, SampledSchool

    stages = set(
        SampledSchool.objects.filter(draw__cycle=roster.cycle, draw__status=DrawStatus.PUBLISHED,
                                     status=RowStatus.IN_SAMPLE, school=roster.school).values_list("stage", flat=True)
    )
    return every_stage_submitted(roster, stages)


def _snapshot(roster: Any) -> dict[str, Any]:
    # the students and teachers, kept at each approval
    from jiance.rosters.changes import roster_snapshot

    return roster_snapshot(roster)


# school information officer → principal → county → city; each step returns what waits for it.
ROSTER_CHAIN = Chain(
    name="roster",
    statuses=RosterStatus,
    editable=EDITABLE_STATUSES,
    steps=(
        Step(RosterAction.SUBMIT, RosterAction.SUBMIT.label, EDITABLE_STATUSES, RosterStatus.SUBMITTED,
             roles.SCHOOL_OFFICER, Action.SUBMIT, milestone="roster_submitted"),
        Step(RosterAction.PRINCIPAL_APPROVE, RosterAction.PRINCIPAL_APPROVE.label, (RosterStatus.SUBMITTED,),
             RosterStatus.SCHOOL_APPROVED, roles.PRINCIPAL, Action.APPROVE),
        Step(RosterAction.COUNTY_APPROVE, RosterAction.COUNTY_APPROVE.label, (RosterStatus.SCHOOL_APPROVED,),
             RosterStatus.COUNTY_APPROVED, roles.COUNTY_OFFICE, Action.APPROVE),
        Step(RosterAction.CITY_APPROVE, RosterAction.CITY_APPROVE.label, (RosterStatus.COUNTY_APPROVED,),
             RosterStatus.APPROVED, roles.CITY_OFFICE, Action.APPROVE),
        Step(RosterAction.RETURN, RosterAction.RETURN.label, RETURNABLE_STATUSES, RosterStatus.RETURNED,
             STEP_ROLES, Action.RETURN, reason_required=True, reason_message=_("退回时必须填写退回原因")),
    ),
    error=RosterError,
    noun=_("名单"),
    audit_subject="学生名单",
    locked_message=_("名单已审核通过并锁定，不能修改。"),
    in_review_message=_("名单当前状态为“%(status)s”，正在审核中，不能修改；如需修改，请联系审核人退回。"),
    milestone_done=_all_stages_submitted,
    snapshot=_snapshot,
)


class Roster(Reviewable):
    chain = ROSTER_CHAIN

    cycle = models.ForeignKey("cycles.Cycle", on_delete=models.PROTECT, related_name="rosters")
    school = models.ForeignKey("units.Unit", verbose_name=_("学校"), on_delete=models.PROTECT, related_name="rosters")
    stage = models.CharField(_("学段"), max_length=8)
    grade = models.PositiveSmallIntegerField(_("测试年级"))
    status = models.CharField(_("状态"), max_length=10, choices=RosterStatus.choices, default=RosterStatus.DRAFT)
    created_at = models.DateTimeField(_("创建时间"))
    updated_at = models.DateTimeField(_("更新时间"))

    class Meta:
        verbose_name = _("样本校名单")
        verbose_name_plural = _("样本校名单")
        ordering = ["school__path", "stage"]
        constraints = [
            models.UniqueConstraint(fields=["cycle", "school", "stage"], name="unique_roster"),
        ]

    def __str__(self) -> str:  # the audit log's object column: what a person calls it
        return f"{self.school.name}{stage_name(self.stage)}学生名单"

    @property
    def unit(self) -> Any:
        return self.school

    @property
    def stage_label(self) -> str:
        return stage_label(self.stage)


class RosterEvent(ReviewEvent):
    """One step of a roster's review chain."""

    subject = "roster"
    statuses = RosterStatus

    roster = models.ForeignKey(Roster, on_delete=models.CASCADE, related_name="events")
    action = models.CharField(_("操作"), max_length=12, choices=RosterAction.choices)


class Student(models.Model):
    roster = models.ForeignKey(Roster, on_delete=models.CASCADE, related_name="students")
    # The cycle again, so a national ID number is unique across the schools of a cycle.
    cycle = models.ForeignKey("cycles.Cycle", on_delete=models.PROTECT, related_name="+")
    name = models.CharField(_("姓名"), max_length=50)
    sex = models.CharField(_("性别"), max_length=2)
    birth_date = models.DateField(_("出生日期"))
    national_id = EncryptedTextField(_("身份证号"))
    id_index = models.CharField(max_length=64)
    class_name = models.CharField(_("班级"), max_length=50)
    student_no = models.CharField(_("学号"), max_length=50)
    row = models.PositiveIntegerField(_("名单顺序"), default=0)

    class Meta:
        verbose_name = _("学生")
        verbose_name_plural = _("学生")
        ordering = ["roster", "row", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["cycle", "id_index"], name="unique_student_id_per_cycle"),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def unit(self) -> Any:
        return self.roster.school

    @property
    def masked_id(self) -> str:
        return masked_id(self.national_id)


class TeacherRole(models.TextChoices):
    HEAD_TEACHER = "head_teacher", _("班主任")
    CHINESE = "chinese", _("语文教师")
    MATH = "math", _("数学教师")
    ENGLISH = "english", _("英语教师")
    MUSIC = "music", _("音乐教师")
    ART = "art", _("美术教师")
    SCIENCE = "science", _("科学教师")
    OTHER = "other", _("其他教师")
    LEADER = "leader", _("学校领导（中层及以上）")


SUBJECT_ROLES = {"chinese": ("chinese",), "arts": ("music", "art"), "english": ("english",),
                 "math": ("math",), "science": ("science",), "music": ("music",), "art": ("art",)}


def teacher_roles_for(cycle: Any) -> list[str]:
    """The teacher roles a cycle asks for, from its questionnaires.

    2022: head teachers and the subject teachers with a questionnaire (Chinese, music, art,
    English); Chongqing (a questionnaire for every teacher): every teacher in post and leaders.
    """
    qs = (getattr(cycle, "config", None) or {}).get("questionnaires") or []
    respondents = {r for q in qs for r in (q.get("respondents") or [])}
    if "teacher" in respondents:
        return [r.value for r in TeacherRole]
    roles: list[str] = []
    if "head_teacher" in respondents:
        roles.append(TeacherRole.HEAD_TEACHER)
    for q in qs:
        if "subject_teacher" in (q.get("respondents") or []):
            for r in SUBJECT_ROLES.get(q.get("subject", ""), ()):
                if r not in roles:
                    roles.append(r)
    if "manager" in respondents:
        roles.append(TeacherRole.LEADER)
    return [str(r) for r in roles] or [r.value for r in TeacherRole]


class Employment(models.TextChoices):
    """How a teacher holds the post: substitute and rehired teachers in post are reported too [003]."""

    REGULAR = "regular", _("在编在岗")
    SUBSTITUTE = "substitute", _("代课")
    REHIRED = "rehired", _("返聘")
    OTHER = "other", _("其他聘用")


def chinese_labels(choices: type[models.TextChoices]) -> dict[str, str]:
    """value → Chinese label. Spreadsheets keep their Chinese values whatever the page language,
    so a file made from an English page reads the same as one from a Chinese page."""
    with translation.override("zh-hans"):
        return {value: str(label) for value, label in choices.choices}


class Teacher(models.Model):
    """A teacher concerned by the cycle; one with several roles picks the one they answer as."""

    roster = models.ForeignKey(Roster, on_delete=models.CASCADE, related_name="teachers")
    name = models.CharField(_("姓名"), max_length=50)
    sex = models.CharField(_("性别"), max_length=2)
    class_name = models.CharField(_("任教班级"), max_length=100, blank=True)
    roles = models.JSONField(_("角色"), default=list)
    questionnaire_role = models.CharField(_("问卷角色"), max_length=20)
    employment = models.CharField(_("任职类型"), max_length=12, choices=Employment.choices, default=Employment.REGULAR)
    updated_at = models.DateTimeField(_("更新时间"))

    class Meta:
        ordering = ["roster", "pk"]

    def __str__(self) -> str:
        return self.name

    @property
    def unit(self) -> Any:
        return self.roster.school

    @property
    def roles_label(self) -> str:
        labels = dict(TeacherRole.choices)
        return "、".join(str(labels.get(r, r)) for r in self.roles)

    @property
    def questionnaire_role_label(self) -> str:
        return str(dict(TeacherRole.choices).get(self.questionnaire_role, self.questionnaire_role))


class UploadKind(models.TextChoices):
    STUDENTS = "students", _("学生名单")
    TEACHERS = "teachers", _("教师名单")


class RosterUpload(KeptFile):
    """The last rejected file of a roster, per kind (students, teachers), kept (encrypted) for the
    rejected-rows download. Its errors name ID numbers too, so they are encrypted at rest like the
    students' numbers."""

    roster = models.ForeignKey(Roster, on_delete=models.CASCADE, related_name="rejected_uploads")
    kind = models.CharField(max_length=10, choices=UploadKind.choices, default=UploadKind.STUDENTS)
    # the errors as JSON [[row, column, reason], ...], encrypted
    errors_json = EncryptedTextField()
    error_count = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["roster", "kind"], name="one_rejected_upload_per_kind")]

    @property
    def errors(self) -> list[list[Any]]:
        return list(json.loads(self.errors_json or "[]"))

    @property
    def unit(self) -> Any:
        return self.roster.school


class StudentDraw(models.Model):
    """One run of the student sampling by a city (or the centre) for its approved rosters."""

    cycle = models.ForeignKey("cycles.Cycle", on_delete=models.PROTECT, related_name="student_draws")
    owner = models.ForeignKey("units.Unit", on_delete=models.PROTECT, related_name="student_draws")
    seed = models.BigIntegerField(_("随机种子"))
    created_at = models.DateTimeField(_("抽样时间"))
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+")
    schools = models.PositiveIntegerField(default=0)
    students = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["cycle", "owner"], name="one_student_draw_per_owner")]

    def __str__(self) -> str:
        return f"{self.owner.name}样本学生抽取（随机种子 {self.seed}）"

    @property
    def unit(self) -> Any:
        return self.owner


class SampledStudent(models.Model):
    draw = models.ForeignKey(StudentDraw, on_delete=models.CASCADE, related_name="sampled")
    student = models.OneToOneField(Student, on_delete=models.PROTECT, related_name="sampled")
    roster = models.ForeignKey(Roster, on_delete=models.PROTECT, related_name="+")
    school = models.ForeignKey("units.Unit", on_delete=models.PROTECT, related_name="+")
    school_students = models.PositiveIntegerField()
    sampled_students = models.PositiveIntegerField()
    selection_probability = models.FloatField(_("入样概率"))
    within_school_weight = models.FloatField(_("校内权重"))
    final_weight = models.FloatField(_("最终权重"), null=True)

    class Meta:
        ordering = ["school__path", "student__row", "pk"]

    def __str__(self) -> str:
        return f"{self.draw_id}:{self.student_id}"

    @property
    def unit(self) -> Any:
        return self.school


def release_at(cycle: Any) -> dt.datetime | None:
    """When the sampled-student list is published (test day, release start, cycle timezone)."""
    release = (getattr(cycle, "config", None) or {}).get("release") or {}
    day = release.get("day")
    if not day:
        return None
    start = str(release.get("start") or "00:00")
    tz_name = (cycle.config or {}).get("timezone") or settings.TIME_ZONE
    try:
        tz = zoneinfo.ZoneInfo(str(tz_name))
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        tz = zoneinfo.ZoneInfo(settings.TIME_ZONE)
    hh, mm = (int(x) for x in start.split(":")[:2])
    return dt.datetime.combine(dt.date.fromisoformat(str(day)), dt.time(hh, mm), tzinfo=tz)
