"""属地学校信息 (the school frame) reported by each county before sampling, reviewed by the city.

One `FrameSubmission` per (cycle, county) carries the review state; one `FrameRecord` per school
carries the reported figures; `FrameReviewEvent` keeps every step (who, when, why); `FrameUpload`
keeps an uploaded file between its preview (dry run) and the user's confirmation.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from jiance.accounts import roles
from jiance.audit.models import Action
from jiance.kept import KeptFile
from jiance.review.events import ReviewEvent
from jiance.review.models import Reviewable
from jiance.review.spec import Chain, ReviewRefused, Step
from jiance.stages import STAGE_NAMES
from jiance.units.models import SCHOOL_TYPE_STAGES, Affiliation, Area, Nature, SchoolType

# Plausibility: no tested-grade class holds more than this many students.
MAX_CLASS_SIZE = 60
STAGES = ("primary", "junior")
DEFAULT_GRADES = {"primary": 4, "junior": 8}


class FrameError(ReviewRefused):
    """A refused operation, with the reason in Chinese for the user."""


class FrameStatus(models.TextChoices):
    DRAFT = "draft", _("填报中")
    SUBMITTED = "submitted", _("已提交")
    RETURNED = "returned", _("已退回")
    APPROVED = "approved", _("已通过")


NOT_STARTED = "not_started"
NOT_STARTED_LABEL = _("未开始")
EDITABLE_STATUSES = (FrameStatus.DRAFT, FrameStatus.RETURNED)


def status_label(status: str) -> str:
    return str(dict(FrameStatus.choices).get(status, NOT_STARTED_LABEL))


class ReviewAction(models.TextChoices):
    IMPORT = "import", _("导入")
    SUBMIT = "submit", _("提交")
    APPROVE = "approve", _("审核通过")
    RETURN = "return", _("退回")
    UNLOCK = "unlock", _("解锁")



def _stamp(action: str, now: Any, actor: Any) -> dict[str, Any]:
    """The county's submission is stamped as submitted, the city's decisions as reviewed."""
    if action == ReviewAction.SUBMIT:
        return {"submitted_at": now, "submitted_by": actor}
    return {"reviewed_at": now, "reviewed_by": actor}


def _snapshot(submission: Any) -> dict[str, Any]:
    # the records' data, kept at each approval
    from jiance.reporting.changes import frame_snapshot

    return frame_snapshot(submission)


# The county office reports; the city office decides, and may reopen what it approved.
FRAME_CHAIN = Chain(
    name="frame",
    statuses=FrameStatus,
    editable=EDITABLE_STATUSES,
    steps=(
        Step(ReviewAction.SUBMIT, ReviewAction.SUBMIT.label, EDITABLE_STATUSES, FrameStatus.SUBMITTED,
             roles.COUNTY_OFFICE, Action.SUBMIT, milestone="frame_submitted"),
        Step(ReviewAction.APPROVE, ReviewAction.APPROVE.label, (FrameStatus.SUBMITTED,), FrameStatus.APPROVED,
             roles.CITY_OFFICE, Action.APPROVE, milestone="frame_approved"),
        Step(ReviewAction.RETURN, ReviewAction.RETURN.label, (FrameStatus.SUBMITTED,), FrameStatus.RETURNED,
             roles.CITY_OFFICE, Action.RETURN, reason_required=True, reason_message=_("退回时必须填写退回原因")),
        Step(ReviewAction.UNLOCK, ReviewAction.UNLOCK.label, (FrameStatus.APPROVED,), FrameStatus.DRAFT,
             roles.CITY_OFFICE, Action.UPDATE, reason_required=True, reason_message=_("解锁时必须填写解锁原因")),
    ),
    error=FrameError,
    noun=_("本县属地学校信息"),
    audit_subject="属地学校信息",
    locked_message=_("本县属地学校信息已审核通过并锁定，不能修改；如需修改，请联系市级解锁。"),
    in_review_message=_("本县属地学校信息已提交，正在等待市级审核，不能修改；如需修改，请联系市级退回。"),
    stamp=_stamp,
    snapshot=_snapshot,
    milestone_done=lambda submission: True,  # one submission per county: its step is the county's
)


def cycle_grades(cycle: Any) -> dict[str, int]:
    """The tested grade of each stage: from the cycle's config (Chongqing: 5 and 9), else 4 and 8."""
    grades = dict(DEFAULT_GRADES)
    config = getattr(cycle, "config", None) or {}
    for stage, grade in (config.get("grades") or {}).items():
        if stage in grades:
            try:
                grades[stage] = int(grade)
            except (TypeError, ValueError):
                continue
    return grades


class FrameSubmission(Reviewable):
    chain = FRAME_CHAIN

    cycle = models.ForeignKey("cycles.Cycle", on_delete=models.PROTECT, related_name="frame_submissions")
    county = models.ForeignKey(
        "units.Unit", verbose_name=_("县（区）"), on_delete=models.PROTECT, related_name="frame_submissions"
    )
    status = models.CharField(
        _("状态"), max_length=10, choices=FrameStatus.choices, default=FrameStatus.DRAFT
    )
    # version and locked come from Reviewable; a preview remembers the version so a stale
    # confirmation is refused, and so does a review page.
    submitted_at = models.DateTimeField(_("提交时间"), null=True, blank=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    reviewed_at = models.DateTimeField(_("审核时间"), null=True, blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("创建时间"))
    updated_at = models.DateTimeField(_("更新时间"))

    class Meta:
        verbose_name = _("属地学校信息上报")
        verbose_name_plural = _("属地学校信息上报")
        ordering = ["county__path"]
        constraints = [
            models.UniqueConstraint(fields=["cycle", "county"], name="unique_frame_submission"),
        ]

    def __str__(self) -> str:
        return f"{self.county_id}:{self.get_status_display()}"

    @property
    def unit(self) -> Any:
        """The unit the submission belongs to (the audit log files entries under it)."""
        return self.county


class FrameRecord(models.Model):
    submission = models.ForeignKey(FrameSubmission, on_delete=models.CASCADE, related_name="records")
    school = models.ForeignKey("units.Unit", verbose_name=_("学校"), on_delete=models.PROTECT, related_name="+")
    school_type = models.CharField(_("学校类型"), max_length=10, choices=SchoolType.choices)
    nature = models.CharField(_("办学性质"), max_length=4, choices=Nature.choices)
    area = models.CharField(_("城乡区域"), max_length=4, choices=Area.choices)
    affiliation = models.CharField(_("隶属关系"), max_length=10, choices=Affiliation.choices)
    primary_students = models.PositiveIntegerField(_("小学测试年级学生数"), default=0)
    primary_classes = models.PositiveIntegerField(_("小学测试年级班级数"), default=0)
    junior_students = models.PositiveIntegerField(_("初中测试年级学生数"), default=0)
    junior_classes = models.PositiveIntegerField(_("初中测试年级班级数"), default=0)
    note = models.CharField(_("备注"), max_length=200, blank=True)
    updated_at = models.DateTimeField(_("更新时间"))
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    DATA_FIELDS = (
        "school_type", "nature", "area", "affiliation",
        "primary_students", "primary_classes", "junior_students", "junior_classes", "note",
    )

    class Meta:
        verbose_name = _("学校信息")
        verbose_name_plural = _("学校信息")
        ordering = ["school__path"]
        constraints = [
            models.UniqueConstraint(fields=["submission", "school"], name="unique_frame_record"),
        ]

    def __str__(self) -> str:
        return f"{self.school_id}:{self.school_type}"

    @property
    def unit(self) -> Any:
        return self.school

    @property
    def stages(self) -> tuple[str, ...]:
        return SCHOOL_TYPE_STAGES.get(self.school_type, ())

    def problems(self, grades: dict[str, int] | None = None) -> list[tuple[str, str, str]]:
        """Every rule this record breaks, as (field, kind, reason); empty when consistent.

        Shared by the form and the spreadsheet import so both say the same thing.
        """
        grades = grades or DEFAULT_GRADES
        out: list[tuple[str, str, str]] = []
        if not self.school_type:
            return out
        stages = self.stages
        for stage in STAGES:
            students = getattr(self, f"{stage}_students") or 0
            classes = getattr(self, f"{stage}_classes") or 0
            grade = grades[stage]
            if stage not in stages:
                if students or classes:
                    out.append((
                        f"{stage}_students" if students else f"{stage}_classes",
                        "学校类型与所报学段不一致",
                        f"{self.school_type}没有{STAGE_NAMES[stage]}学段，{grade}年级学生数和班级数应为 0 或留空",
                    ))
                continue
            if students > 0 and classes == 0:
                out.append((
                    f"{stage}_classes", "班级数为 0 但学生数大于 0",
                    f"{grade}年级有 {students} 名学生，班级数不能为 0",
                ))
            elif classes > 0 and students == 0:
                out.append((
                    f"{stage}_students", "有班级但学生数为 0",
                    f"{grade}年级有 {classes} 个班，学生数不能为 0",
                ))
            elif classes > 0 and students > MAX_CLASS_SIZE * classes:
                out.append((
                    f"{stage}_students", "学生数与班级数不符",
                    f"{grade}年级 {students} 名学生分在 {classes} 个班，平均每班超过 {MAX_CLASS_SIZE} 人，请核实",
                ))
        return out

    def clean(self) -> None:
        super().clean()
        errors: dict[str, list[str]] = {}
        grades = cycle_grades(self.submission.cycle) if self.submission_id else None
        for field, _kind, reason in self.problems(grades):
            errors.setdefault(field, []).append(reason)
        if errors:
            raise ValidationError(errors)


class FrameReviewEvent(ReviewEvent):
    """One step of the frame's review chain."""

    subject = "submission"
    statuses = FrameStatus
    unknown_status_label = NOT_STARTED_LABEL

    submission = models.ForeignKey(FrameSubmission, on_delete=models.CASCADE, related_name="events")
    action = models.CharField(_("操作"), max_length=12, choices=ReviewAction.choices)


class FrameUpload(KeptFile):
    """An uploaded template kept (encrypted) between its preview and the user's confirmation."""

    submission = models.ForeignKey(FrameSubmission, on_delete=models.CASCADE, related_name="uploads")
    base_version = models.PositiveIntegerField(_("预览时的版本"))
    applied_at = models.DateTimeField(_("导入时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("上传文件")
        verbose_name_plural = _("上传文件")
