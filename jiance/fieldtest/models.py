"""The 体育现场测试记录卡 (PE field-test record card) of one sampled student, entered by the school's
information officer and checked by a PE proctor (体育监测员) [002].

A `FieldCard` is a record of the review engine (`jiance.review`): saved by the officer it is
已录入 (entered); a PE proctor approves it (已核查, locked) or sends it back with a reason (已退回);
the officer corrects it and it is 已录入 again. The two-person rule — the person who last entered
the values never checks them — is the engine's `check` in `jiance.fieldtest.services`. The values
are kept as written (text with the item's decimal places), with the out-of-range items the entry
confirmed (`confirmed`).
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


class FieldTestError(ReviewRefused):
    """A refused operation on a record card, with the reason in Chinese."""


class CardStatus(models.TextChoices):
    ENTERED = "entered", _("已录入")
    RETURNED = "returned", _("已退回")
    CHECKED = "checked", _("已核查")


class CardAction(models.TextChoices):
    APPROVE = "approve", _("核查通过")
    RETURN = "return", _("退回")
    ENTER = "enter", _("更正后重新录入")


class Attendance(models.TextChoices):
    PRESENT = "present", _("参测")
    ABSENT = "absent", _("缺测")
    EXEMPT = "exempt", _("免测")


def _stamp(action: str, now: Any, actor: Any) -> dict[str, Any]:
    if action in (CardAction.APPROVE, CardAction.RETURN):
        return {"checked_at": now, "checked_by": actor}
    return {"checked_at": None, "checked_by": None}


CARD_CHAIN = Chain(
    name="fieldtest",
    statuses=CardStatus,
    editable=(CardStatus.ENTERED, CardStatus.RETURNED),
    steps=(
        Step(CardAction.APPROVE, CardAction.APPROVE.label, (CardStatus.ENTERED,), CardStatus.CHECKED,
             roles.PE_PROCTORS, Action.APPROVE),
        Step(CardAction.RETURN, CardAction.RETURN.label, (CardStatus.ENTERED,), CardStatus.RETURNED,
             roles.PE_PROCTORS, Action.RETURN, reason_required=True,
             reason_message=_("退回时必须写明哪一项与记录卡不符")),
        Step(CardAction.ENTER, CardAction.ENTER.label, (CardStatus.RETURNED,), CardStatus.ENTERED,
             roles.FIELDTEST_ENTRY, Action.SUBMIT),
    ),
    error=FieldTestError,
    noun=_("体育现场测试记录卡"),
    audit_subject="体育现场测试记录卡",
    locked_message=_("该记录卡已核查，不能修改。"),
    in_review_message=_("当前状态为“%(status)s”，不能修改。"),
    final=CardStatus.CHECKED,
    stamp=_stamp,
)


class FieldCard(Reviewable):
    chain = CARD_CHAIN

    cycle = models.ForeignKey("cycles.Cycle", on_delete=models.PROTECT, related_name="+")
    school = models.ForeignKey("units.Unit", verbose_name=_("学校"), on_delete=models.PROTECT, related_name="+")
    student = models.ForeignKey("rosters.Student", verbose_name=_("学生"), on_delete=models.PROTECT,
                                related_name="+")
    grade = models.PositiveSmallIntegerField(_("年级"))
    sex = models.CharField(_("性别"), max_length=2)
    status = models.CharField(_("状态"), max_length=10, choices=CardStatus.choices, default=CardStatus.ENTERED)
    attendance = models.CharField(_("参测情况"), max_length=8, choices=Attendance.choices,
                                  default=Attendance.PRESENT)
    reason = models.CharField(_("缺测或免测原因"), max_length=100, blank=True)
    # item code → the value as recorded (text, with the item's decimal places)
    values = models.JSONField(_("成绩"), default=dict)
    # item codes whose value is outside the plausible range and was confirmed at entry
    confirmed = models.JSONField(_("已确认的超范围项目"), default=list)
    # who entered the values last: the account (None for the demo's stand-ins) and a key naming the
    # person either way (`u<pk>`, or the stand-in's one grant) — the two-person rule compares keys
    entered_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                   related_name="+")
    entered_who = models.CharField(max_length=60)
    entered_at = models.DateTimeField(_("录入时间"))
    checked_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                   related_name="+")
    checked_at = models.DateTimeField(_("核查时间"), null=True, blank=True)
    updated_at = models.DateTimeField(_("更新时间"))

    class Meta:
        verbose_name = _("体育现场测试记录卡")
        verbose_name_plural = _("体育现场测试记录卡")
        constraints = [models.UniqueConstraint(fields=["cycle", "student"], name="one_field_card_per_student")]
        indexes = [models.Index(fields=["cycle", "school", "status"])]

    def __str__(self) -> str:
        return f"{self.cycle_id}:{self.student_id}:{self.status}"

    @property
    def unit(self) -> Any:
        return self.school


class FieldCardEvent(ReviewEvent):
    """One step of a card's check (approved, sent back with the reason, entered again)."""

    subject = "card"
    statuses = CardStatus

    card = models.ForeignKey(FieldCard, on_delete=models.CASCADE, related_name="events")
    action = models.CharField(_("操作"), max_length=12, choices=CardAction.choices)
