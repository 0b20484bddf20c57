"""Incidents of test day (应急事件, SPEC §8) and the calls of the local supervision line (本地监督专线).

An `Incident` is a record of the review engine (`jiance.review`): the school's information officer
records it (草稿 → 待确认), the county inspector confirms it (or returns it); then by grade:
grade 1 the county handles it, grades 2 and 3 the county reports to the city (grade 3 with a
proposal), the city decides, the county handles it; grade 3 ends with an evaluation (cause,
course, effect, grade, handling, result); the county office closes it (办结). Every step is
version-checked, kept in the history (`IncidentEvent`) and audited. Where the cycle says so
(Chongqing), the report to the centre is due a set time after handling (`report_due_at`).
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from jiance.accounts import roles
from jiance.audit.models import Action
from jiance.review.events import ReviewEvent
from jiance.review.models import Reviewable
from jiance.review.spec import Chain, ReviewRefused, Step


class IncidentError(ReviewRefused):
    """A refused operation on an incident or a hotline call, with the reason in Chinese."""


class IncidentStatus(models.TextChoices):
    DRAFT = "draft", _("草稿")
    RECORDED = "recorded", _("待确认")
    RETURNED = "returned", _("已退回")
    CONFIRMED = "confirmed", _("已确认")
    ESCALATED = "escalated", _("待市级决定")
    DECIDED = "decided", _("市级已决定")
    HANDLED = "handled", _("已处置")
    CLOSED = "closed", _("已办结")


class IncidentAction(models.TextChoices):
    RECORD = "record", _("登记上报")
    CONFIRM = "confirm", _("确认")
    RETURN = "return", _("退回")
    ESCALATE = "escalate", _("报市级")
    DECIDE = "decide", _("市级决定")
    HANDLE = "handle", _("处置完毕")
    CLOSE = "close", _("办结")
    REPORT = "report", _("报告监测中心")
    EVALUATE = "evaluate", _("填写评估")


class Source(models.TextChoices):
    SCHOOL = "school", _("学校登记")
    HOTLINE = "hotline", _("监督专线来电")
    CUSTODY = "custody", _("监测工具交接")


EDITABLE = (IncidentStatus.DRAFT, IncidentStatus.RETURNED)
OPEN = (IncidentStatus.DRAFT, IncidentStatus.RECORDED, IncidentStatus.RETURNED, IncidentStatus.CONFIRMED,
        IncidentStatus.ESCALATED, IncidentStatus.DECIDED, IncidentStatus.HANDLED)
# Who acts where (roles.py names the sets): the school office records, the inspector confirms,
# the county office (and the inspector, who is on site) handles, the county office reports to the
# city and closes, the city office decides.
HANDLERS = (*roles.COUNTY_OFFICE, *roles.INSPECTOR)


def _stamp(action: str, now: Any, actor: Any) -> dict[str, Any]:
    if action == IncidentAction.RECORD:
        return {"recorded_at": now, "recorded_by": actor}
    if action == IncidentAction.CONFIRM:
        return {"confirmed_at": now, "confirmed_by": actor}
    if action == IncidentAction.ESCALATE:
        return {"escalated_at": now}
    if action == IncidentAction.DECIDE:
        return {"decided_at": now}
    if action == IncidentAction.HANDLE:
        return {"handled_at": now}
    if action == IncidentAction.CLOSE:
        return {"closed_at": now}
    return {}


INCIDENT_CHAIN = Chain(
    name="incidents",
    statuses=IncidentStatus,
    editable=EDITABLE,
    steps=(
        Step(IncidentAction.RECORD, IncidentAction.RECORD.label, EDITABLE, IncidentStatus.RECORDED,
             roles.SCHOOL_OFFICE, Action.SUBMIT),
        Step(IncidentAction.CONFIRM, IncidentAction.CONFIRM.label, (IncidentStatus.RECORDED,),
             IncidentStatus.CONFIRMED, roles.INSPECTOR, Action.APPROVE),
        Step(IncidentAction.RETURN, IncidentAction.RETURN.label, (IncidentStatus.RECORDED,),
             IncidentStatus.RETURNED, roles.INSPECTOR, Action.RETURN, reason_required=True,
             reason_message=_("退回时必须写明需要学校补充或更正的内容")),
        Step(IncidentAction.ESCALATE, IncidentAction.ESCALATE.label, (IncidentStatus.CONFIRMED,),
             IncidentStatus.ESCALATED, roles.COUNTY_OFFICE, Action.SUBMIT, reason_required=True,
             reason_message=_("报市级时必须写明请示的事项（3 级事件写明处置建议）")),
        Step(IncidentAction.DECIDE, IncidentAction.DECIDE.label, (IncidentStatus.ESCALATED,),
             IncidentStatus.DECIDED, roles.CITY_OFFICE, Action.APPROVE, reason_required=True,
             reason_message=_("市级决定时必须写明处置办法")),
        Step(IncidentAction.HANDLE, IncidentAction.HANDLE.label, (IncidentStatus.CONFIRMED, IncidentStatus.DECIDED),
             IncidentStatus.HANDLED, HANDLERS, Action.UPDATE, reason_required=True,
             reason_message=_("处置完毕时必须写明处置情况")),
        Step(IncidentAction.CLOSE, IncidentAction.CLOSE.label, (IncidentStatus.HANDLED,), IncidentStatus.CLOSED,
             roles.COUNTY_OFFICE, Action.APPROVE),
    ),
    error=IncidentError,
    noun=_("应急事件"),
    audit_subject="应急事件",
    locked_message=_("该应急事件已办结，不能修改。"),
    in_review_message=_("当前状态为“%(status)s”，已上报，不能修改；如需更正，请联系区县巡视员退回。"),
    final=IncidentStatus.CLOSED,
    stamp=_stamp,
)


class Incident(Reviewable):
    chain = INCIDENT_CHAIN

    cycle = models.ForeignKey("cycles.Cycle", on_delete=models.PROTECT, related_name="+")
    school = models.ForeignKey("units.Unit", verbose_name=_("学校"), on_delete=models.PROTECT, related_name="+")
    status = models.CharField(_("状态"), max_length=10, choices=IncidentStatus.choices, default=IncidentStatus.DRAFT)
    source = models.CharField(_("来源"), max_length=10, choices=Source.choices, default=Source.SCHOOL)
    # the cycle's `incidents.kinds` code; the name as it was when recorded (the catalogue is data)
    kind_code = models.CharField(_("事件类别代码"), max_length=40)
    kind_name = models.CharField(_("事件类别"), max_length=200)
    grade = models.PositiveSmallIntegerField(_("等级"))
    reported_grade = models.PositiveSmallIntegerField(_("上报等级"))
    occurred_at = models.DateTimeField(_("发生时间"))
    room = models.ForeignKey("testday.TestRoom", verbose_name=_("监测室"), null=True, blank=True,
                             on_delete=models.PROTECT, related_name="+")
    session_code = models.CharField(_("场次"), max_length=40, blank=True)
    session_name = models.CharField(_("场次名称"), max_length=100, blank=True)
    what = models.TextField(_("事件情况"), blank=True)
    actions = models.TextField(_("已采取的措施"), blank=True)
    booklets = models.PositiveSmallIntegerField(_("实有测试卷数"), null=True, blank=True)
    # the offline contract: one id per phone action (a resend returns the row, changes nothing)
    client_id = models.UUIDField(null=True, blank=True, unique=True)
    # a draft raised by the custody ledger (contents mismatch): the entry's id and a short reference
    custody_entry_id = models.PositiveBigIntegerField(null=True, blank=True, unique=True)
    custody_ref = models.CharField(_("交接记录"), max_length=80, blank=True)
    created_at = models.DateTimeField(_("创建时间"))
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                   related_name="+")
    updated_at = models.DateTimeField(_("更新时间"))
    recorded_at = models.DateTimeField(_("上报时间"), null=True, blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                    related_name="+")
    confirmed_at = models.DateTimeField(_("确认时间"), null=True, blank=True)
    confirmed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                     related_name="+")
    escalated_at = models.DateTimeField(_("报市级时间"), null=True, blank=True)
    proposal = models.TextField(_("县级请示或处置建议"), blank=True)
    decided_at = models.DateTimeField(_("市级决定时间"), null=True, blank=True)
    decision = models.TextField(_("市级决定的处置办法"), blank=True)
    handled_at = models.DateTimeField(_("处置完毕时间"), null=True, blank=True)
    handling = models.TextField(_("处置情况"), blank=True)
    report_due_at = models.DateTimeField(_("报告截止时间"), null=True, blank=True)
    reported_at = models.DateTimeField(_("报告监测中心时间"), null=True, blank=True)
    reported_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                    related_name="+")
    closed_at = models.DateTimeField(_("办结时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("应急事件")
        verbose_name_plural = _("应急事件")
        ordering = ["-occurred_at", "-pk"]
        indexes = [
            models.Index(fields=["cycle", "school", "status"], name="incident_school_status"),
            models.Index(fields=["cycle", "report_due_at"], name="incident_report_due"),
        ]

    def __str__(self) -> str:  # the audit log's object column
        return f"{self.school.name} {self.grade} 级 {self.kind_name}"

    @property
    def unit(self) -> Any:
        return self.school

    @property
    def number(self) -> str:
        return f"YJ{self.pk:05d}"

    @property
    def is_open(self) -> bool:
        return self.status in OPEN


class IncidentEvent(ReviewEvent):
    """One step of an incident's chain (the report to the centre and the evaluation included)."""

    subject = "incident"
    statuses = IncidentStatus

    incident = models.ForeignKey(Incident, on_delete=models.CASCADE, related_name="events")
    action = models.CharField(_("操作"), max_length=12, choices=IncidentAction.choices)


class IncidentStudent(models.Model):
    """A sampled student concerned by an incident (chosen from the released sample only)."""

    incident = models.ForeignKey(Incident, on_delete=models.CASCADE, related_name="students")
    student = models.ForeignKey("rosters.Student", on_delete=models.PROTECT, related_name="+")
    seat = models.PositiveSmallIntegerField(_("座位号"), null=True, blank=True)
    proposed_drop = models.BooleanField(_("按座位号剔除"), default=False)

    class Meta:
        ordering = ["incident", "seat", "pk"]
        constraints = [models.UniqueConstraint(fields=["incident", "student"], name="unique_incident_student")]

    def __str__(self) -> str:
        return f"{self.incident_id}:{self.student_id}"

    @property
    def unit(self) -> Any:
        return self.incident.school


class Evaluation(models.Model):
    """The county's evaluation of a grade-3 incident ([003]: 事件原因、事件过程、事件影响、事件等级、
    处置办法、处置效果)."""

    incident = models.OneToOneField(Incident, on_delete=models.CASCADE, related_name="evaluation")
    cause = models.TextField(_("事件原因"))
    course = models.TextField(_("事件过程"))
    effect = models.TextField(_("事件影响"))
    grade_note = models.TextField(_("事件等级"))
    handling = models.TextField(_("处置办法"))
    result = models.TextField(_("处置效果"))
    written_at = models.DateTimeField(_("填写时间"))
    written_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+")

    FIELDS = ("cause", "course", "effect", "grade_note", "handling", "result")

    class Meta:
        verbose_name = _("3 级事件评估")
        verbose_name_plural = _("3 级事件评估")

    def __str__(self) -> str:
        return f"{self.incident_id}"

    @property
    def unit(self) -> Any:
        return self.incident.school


class HotlineCall(models.Model):
    """One call to a county's local supervision line (本地监督专线), logged by the person on duty."""

    cycle = models.ForeignKey("cycles.Cycle", on_delete=models.PROTECT, related_name="+")
    county = models.ForeignKey("units.Unit", verbose_name=_("区县"), on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(_("来电时间"))
    caller = models.CharField(_("来电人及联系方式"), max_length=100)
    school = models.ForeignKey("units.Unit", verbose_name=_("涉及学校"), null=True, blank=True,
                               on_delete=models.PROTECT, related_name="+")
    content = models.TextField(_("来电内容"))
    handling = models.TextField(_("处理情况"), blank=True)
    logged_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+")
    logged_at = models.DateTimeField(_("记录时间"))
    client_id = models.UUIDField(null=True, blank=True, unique=True)
    incident = models.OneToOneField(Incident, null=True, blank=True, on_delete=models.SET_NULL,
                                    related_name="hotline_call")

    class Meta:
        verbose_name = _("监督专线来电")
        verbose_name_plural = _("监督专线来电")
        ordering = ["-at", "-pk"]

    def __str__(self) -> str:
        return f"{self.county.name} {self.at:%m-%d %H:%M} {self.caller}"

    @property
    def unit(self) -> Any:
        return self.county
