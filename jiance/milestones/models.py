"""A task the platform cannot observe, marked done by hand by the responsible unit (with a note
and an optional attachment), confirmed by the level above where the cycle says so: one more
chain of the review engine."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from jiance.accounts import roles
from jiance.audit.models import Action
from jiance.review.events import ReviewEvent
from jiance.review.models import Reviewable
from jiance.review.spec import Chain, ReviewRefused, Step


class MarkError(ReviewRefused):
    pass


class MarkStatus(models.TextChoices):
    OPEN = "open", _("未完成")
    MARKED = "marked", _("待上级确认")
    DONE = "done", _("已完成")
    RETURNED = "returned", _("被退回")


class MarkAction(models.TextChoices):
    MARK = "mark", _("标记完成")
    SUBMIT = "submit", _("标记完成，报上级确认")
    CONFIRM = "confirm", _("确认完成")
    RETURN = "return", _("退回")
    UNDO = "undo", _("撤销完成")


OPEN_STATUSES = (MarkStatus.OPEN, MarkStatus.RETURNED)
# Which level's office may take each step is checked by the services (the unit's own office marks
# and undoes; the office of the level the cycle names confirms and returns); the chain's roles
# are every office, so the engine's check is the outer bound.
MARK_CHAIN = Chain(
    name="milestone_mark",
    statuses=MarkStatus,
    editable=OPEN_STATUSES,
    steps=(
        Step(MarkAction.MARK, MarkAction.MARK.label, OPEN_STATUSES, MarkStatus.DONE, roles.ALL_OFFICES, Action.UPDATE),
        Step(MarkAction.SUBMIT, MarkAction.SUBMIT.label, OPEN_STATUSES, MarkStatus.MARKED, roles.ALL_OFFICES,
             Action.SUBMIT),
        Step(MarkAction.CONFIRM, MarkAction.CONFIRM.label, (MarkStatus.MARKED,), MarkStatus.DONE, roles.ALL_OFFICES,
             Action.APPROVE),
        Step(MarkAction.RETURN, MarkAction.RETURN.label, (MarkStatus.MARKED,), MarkStatus.RETURNED, roles.ALL_OFFICES,
             Action.RETURN, reason_required=True, reason_message=_("退回时必须填写退回原因")),
        Step(MarkAction.UNDO, MarkAction.UNDO.label, (MarkStatus.MARKED, MarkStatus.DONE), MarkStatus.OPEN,
             roles.ALL_OFFICES, Action.UPDATE),
    ),
    error=MarkError,
    noun=_("工作节点"),
    audit_subject="工作节点",
    locked_message=_("该工作节点已完成；如需修改，请先撤销完成。"),
    in_review_message=_("该工作节点当前状态为“%(status)s”，不能修改。"),
    final=MarkStatus.DONE,
)


class MilestoneMark(Reviewable):
    """One unit's hand-marked task of a cycle (created on the first marking)."""

    chain = MARK_CHAIN

    cycle = models.ForeignKey("cycles.Cycle", on_delete=models.CASCADE, related_name="+")
    milestone = models.ForeignKey("cycles.Milestone", on_delete=models.CASCADE, related_name="marks")
    unit = models.ForeignKey("units.Unit", verbose_name=_("单位"), on_delete=models.PROTECT, related_name="+")
    status = models.CharField(_("状态"), max_length=10, choices=MarkStatus.choices, default=MarkStatus.OPEN)
    note = models.CharField(_("说明"), max_length=500, blank=True)
    attachment = models.BinaryField(_("附件"), null=True, blank=True)
    attachment_name = models.CharField(_("附件名"), max_length=200, blank=True)
    attachment_type = models.CharField(max_length=10, blank=True)  # pdf | jpeg | png, by content
    marked_at = models.DateTimeField(_("标记时间"), null=True, blank=True)
    marked_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                  related_name="+")
    created_at = models.DateTimeField(_("创建时间"))
    updated_at = models.DateTimeField(_("更新时间"))

    class Meta:
        verbose_name = _("工作节点完成标记")
        verbose_name_plural = _("工作节点完成标记")
        constraints = [models.UniqueConstraint(fields=["milestone", "unit"], name="unique_milestone_mark")]

    def __str__(self) -> str:
        return f"{self.milestone_id}:{self.unit_id}:{self.status}"


class MilestoneMarkEvent(ReviewEvent):
    subject = "mark"
    statuses = MarkStatus

    mark = models.ForeignKey(MilestoneMark, on_delete=models.CASCADE, related_name="events")
    action = models.CharField(_("操作"), max_length=12, choices=MarkAction.choices)
