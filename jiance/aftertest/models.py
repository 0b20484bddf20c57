"""After the test (SPEC §3): the tested students' basic information, absentees included
(测试生基本信息), reported by each sample school and reviewed by its county.

`TestedReport` — one per roster (cycle, school, stage) — carries the review state
(填报中 → 待县级审核 → 已通过, or 已退回); `TestedReportEvent` keeps every step; `TestedStudent`
is one sampled student's attendance; `TestedCorrection` records each correction of the roster's
name/sex/class (the roster itself is never overwritten). A 补报 window a county opens for one
school is a reopening of the `tested_students` window (`jiance.windows`).
"""

from __future__ import annotations

import json
from typing import Any

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from jiance.accounts import roles
from jiance.audit.models import Action
from jiance.kept import KeptFile
from jiance.review.events import ReviewEvent
from jiance.review.models import Reviewable, every_stage_submitted
from jiance.review.spec import Chain, ReviewRefused, Step
from jiance.stages import stage_label, stage_name


class AftertestError(ReviewRefused):
    """A refused operation, with the reason in Chinese for the user."""


class ReportStatus(models.TextChoices):
    DRAFT = "draft", _("填报中")
    SUBMITTED = "submitted", _("待县级审核")
    APPROVED = "approved", _("已通过")
    RETURNED = "returned", _("已退回")


class ReportAction(models.TextChoices):
    CREATE = "create", _("生成（按座位表预填）")
    EDIT = "edit", _("修改")
    IMPORT = "import", _("导入")
    SUBMIT = "submit", _("提交县级审核")
    APPROVE = "approve", _("县级审核通过")
    RETURN = "return", _("退回")


EDITABLE_STATUSES = (ReportStatus.DRAFT, ReportStatus.RETURNED)


def _all_stages_submitted(report: Any) -> bool:
    """The school's 测试生基本信息上报 task is done once every stage with sampled students is submitted."""
    from jiance.rosters.models import SampledStudent

    stages = set(
        SampledStudent.objects.filter(roster__cycle=report.cycle, school=report.school)
        .values_list("roster__stage", flat=True).distinct()
    )
    return every_stage_submitted(report, stages)


# The school office (officer or principal) submits; the county office decides.
TESTED_CHAIN = Chain(
    name="tested",
    statuses=ReportStatus,
    editable=EDITABLE_STATUSES,
    steps=(
        Step(ReportAction.SUBMIT, ReportAction.SUBMIT.label, EDITABLE_STATUSES, ReportStatus.SUBMITTED,
             roles.SCHOOL_OFFICE, Action.SUBMIT, milestone="tested_submitted"),
        Step(ReportAction.APPROVE, ReportAction.APPROVE.label, (ReportStatus.SUBMITTED,), ReportStatus.APPROVED,
             roles.COUNTY_OFFICE, Action.APPROVE),
        Step(ReportAction.RETURN, ReportAction.RETURN.label, (ReportStatus.SUBMITTED,), ReportStatus.RETURNED,
             roles.COUNTY_OFFICE, Action.RETURN, reason_required=True, reason_message=_("退回时必须填写退回原因")),
    ),
    error=AftertestError,
    noun=_("测试生信息"),
    audit_subject="测试生基本信息",
    locked_message=_("测试生信息已审核通过并锁定，不能修改。"),
    in_review_message=_("当前状态为“%(status)s”，正在审核中，不能修改；如需修改，请联系县级审核人退回。"),
    milestone_done=_all_stages_submitted,
)


class Attendance(models.TextChoices):
    PRESENT = "present", _("参加")
    PARTIAL = "partial", _("部分缺考")
    ABSENT = "absent", _("缺考")


class AbsenceReason(models.TextChoices):
    SICK = "sick", _("病假")
    PERSONAL = "personal", _("事假")
    TRANSFERRED = "transferred", _("转学")
    OTHER = "other", _("其他")


class TestedReport(Reviewable):
    chain = TESTED_CHAIN
    __test__ = False  # not a pytest class

    cycle = models.ForeignKey("cycles.Cycle", on_delete=models.PROTECT, related_name="+")
    school = models.ForeignKey("units.Unit", verbose_name=_("学校"), on_delete=models.PROTECT, related_name="+")
    roster = models.OneToOneField("rosters.Roster", on_delete=models.PROTECT, related_name="tested_report")
    stage = models.CharField(_("学段"), max_length=8)
    status = models.CharField(_("状态"), max_length=10, choices=ReportStatus.choices, default=ReportStatus.DRAFT)
    created_at = models.DateTimeField(_("创建时间"))
    updated_at = models.DateTimeField(_("更新时间"))

    class Meta:
        verbose_name = _("测试生基本信息")
        verbose_name_plural = _("测试生基本信息")
        ordering = ["school__path", "stage"]

    def __str__(self) -> str:  # the audit log's object column: what a person calls it
        return f"{self.school.name}{stage_name(self.stage)}测试生信息"

    @property
    def unit(self) -> Any:
        return self.school

    @property
    def stage_label(self) -> str:
        return stage_label(self.stage)


class TestedReportEvent(ReviewEvent):
    """One step of a tested-student report's review chain."""

    __test__ = False  # not a pytest class
    subject = "report"
    statuses = ReportStatus

    report = models.ForeignKey(TestedReport, on_delete=models.CASCADE, related_name="events")
    action = models.CharField(_("操作"), max_length=12, choices=ReportAction.choices)


class TestedStudent(models.Model):
    """One sampled student after the test: attended, partly absent or absent (with a reason)."""

    __test__ = False  # not a pytest class

    report = models.ForeignKey(TestedReport, on_delete=models.CASCADE, related_name="students")
    sampled = models.OneToOneField("rosters.SampledStudent", on_delete=models.PROTECT, related_name="tested")
    school = models.ForeignKey("units.Unit", on_delete=models.PROTECT, related_name="+")
    attendance = models.CharField(_("参加情况"), max_length=8, choices=Attendance.choices,
                                  default=Attendance.PRESENT)
    absent_sessions = models.JSONField(_("缺考场次"), default=list)
    reason = models.CharField(_("缺考原因"), max_length=12, choices=AbsenceReason.choices, blank=True)
    note = models.CharField(_("备注"), max_length=200, blank=True)
    # Corrections of the roster (blank = the roster is right); each change is a TestedCorrection.
    name = models.CharField(_("更正姓名"), max_length=50, blank=True)
    sex = models.CharField(_("更正性别"), max_length=2, blank=True)
    class_name = models.CharField(_("更正班级"), max_length=50, blank=True)
    row = models.PositiveIntegerField(default=0)
    updated_at = models.DateTimeField(_("更新时间"))

    class Meta:
        ordering = ["report", "row", "pk"]

    def __str__(self) -> str:
        return f"{self.report_id}:{self.sampled_id}"

    @property
    def unit(self) -> Any:
        return self.school

    @property
    def tested(self) -> bool:
        """Took part in at least one session."""
        return self.attendance != Attendance.ABSENT

    def problems(self) -> list[tuple[str, str]]:
        """(column, reason) pairs that block this row."""
        out: list[tuple[str, str]] = []
        if self.attendance != Attendance.PRESENT and not self.reason:
            out.append(("缺考原因", str(_("缺考学生必须填写缺考原因（病假/事假/转学/其他）"))))
        if self.attendance == Attendance.PRESENT and self.reason:
            out.append(("缺考原因", str(_("参加测试的学生不应填写缺考原因"))))
        if self.attendance == Attendance.PARTIAL and not self.absent_sessions:
            out.append(("缺考场次", str(_("部分缺考的学生必须注明缺考的场次"))))
        if self.reason == AbsenceReason.OTHER and not self.note.strip():
            out.append(("备注", str(_("缺考原因为“其他”时须在备注中说明"))))
        if self.sex and self.sex not in ("男", "女"):
            out.append(("更正性别", str(_("性别只能填“男”或“女”"))))
        return out


class CorrectionField(models.TextChoices):
    NAME = "name", _("姓名")
    SEX = "sex", _("性别")
    CLASS = "class_name", _("班级")


class TestedCorrection(models.Model):
    """A recorded correction of the roster (old value → new value), never a silent overwrite."""

    __test__ = False  # not a pytest class

    tested = models.ForeignKey(TestedStudent, on_delete=models.CASCADE, related_name="corrections")
    field = models.CharField(_("字段"), max_length=12, choices=CorrectionField.choices)
    old_value = models.CharField(_("原值"), max_length=50)
    new_value = models.CharField(_("更正为"), max_length=50)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(_("时间"))

    class Meta:
        ordering = ["at", "pk"]

    def __str__(self) -> str:
        return f"{self.tested_id}:{self.field}"

    @property
    def unit(self) -> Any:
        return self.tested.school


class TestedUpload(KeptFile):
    """The rejected rows of a report's last rejected file, kept (encrypted: they name the
    students) for the rejected-rows download. The kept content is the rows as JSON:
    [[row, {header: value}, [reasons]], ...]."""

    __test__ = False  # not a pytest class

    report = models.OneToOneField(TestedReport, on_delete=models.CASCADE, related_name="rejected_upload")
    error_count = models.PositiveIntegerField(default=0)

    @property
    def rows(self) -> list[list[Any]]:
        return list(json.loads(self.read()))

    @property
    def unit(self) -> Any:
        return self.report.school
