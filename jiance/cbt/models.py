"""Computer-based tests (网络测试系统, SPEC §5 §7, seed 003).

- `ItemBank`: a subject's items of a cycle (QTI 3 interactions as JSON, `jiance_core.cbt.items`)
  and its forms (题本) as ordered item lists; `BankMedia` the images and sounds it names.
- `Sitting`: one computer room's run of one subject session, as the technician drives it:
  not prepared → prepared (准备考试) → started (开始考试) → ended (结束考试).
- `Delivery`: one student's test in a sitting (`jiance_core.cbt.delivery`): the state, the PC
  (seat) it runs on, the booklet number from the seat plan, and the clock kept on the server
  (`elapsed_seconds` + `running_since`). `token` binds it to one PC's browser: a move to a spare
  PC draws a new token, so the old PC is refused.
- `ItemResponse` / `ResponseSave`: the student's responses, saved by the shared engine
  (`jiance.saving`: client id, sequence number, newest wins).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from jiance_core.cbt import delivery as core


class CbtError(ValueError):
    """A refused operation, with the reason in Chinese for the user."""


class ItemBank(models.Model):
    cycle = models.ForeignKey("cycles.Cycle", on_delete=models.CASCADE, related_name="+")
    subject = models.CharField(_("学科"), max_length=40)
    example = models.BooleanField(_("示例题目"), default=False)
    items = models.JSONField(_("题目"))
    forms = models.JSONField(_("题本"))
    """form number (as a string, JSON keys) -> ordered item identifiers."""
    sha256 = models.CharField(max_length=64)
    filename = models.CharField(_("文件名"), max_length=200)
    uploaded_at = models.DateTimeField(_("导入时间"))
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        ordering = ["cycle", "subject"]
        constraints = [models.UniqueConstraint(fields=["cycle", "subject"], name="one_cbt_bank_per_subject")]

    def __str__(self) -> str:
        return f"{self.subject}（{len(self.items)} 题）"

    def form_numbers(self) -> list[int]:
        return sorted(int(n) for n in self.forms)

    def form_items(self, number: int) -> list[dict[str, Any]]:
        return [self.items[i] for i in self.forms.get(str(number), [])]


class BankMedia(models.Model):
    bank = models.ForeignKey(ItemBank, on_delete=models.CASCADE, related_name="media")
    href = models.CharField(max_length=100)
    content_type = models.CharField(max_length=40)
    data = models.BinaryField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["bank", "href"], name="unique_cbt_media_href")]

    def __str__(self) -> str:
        return self.href


class SittingStatus(models.TextChoices):
    IDLE = "idle", _("未准备")
    PREPARED = "prepared", _("已准备")
    STARTED = "started", _("考试中")
    ENDED = "ended", _("已结束")


SITTING_STEPS: dict[str, tuple[str, str]] = {
    "prepare": (SittingStatus.IDLE, SittingStatus.PREPARED),
    "start": (SittingStatus.PREPARED, SittingStatus.STARTED),
    "end": (SittingStatus.STARTED, SittingStatus.ENDED),
}


class Versioned(models.Model):
    version = models.PositiveIntegerField(default=0)
    changed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                   related_name="+")
    changed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        abstract = True

    def bump(self, actor: Any, now: dt.datetime) -> None:
        self.version += 1
        self.changed_by = actor if getattr(actor, "pk", None) else None
        self.changed_at = now


class Sitting(Versioned):
    cycle = models.ForeignKey("cycles.Cycle", on_delete=models.PROTECT, related_name="+")
    school = models.ForeignKey("units.Unit", on_delete=models.PROTECT, related_name="+")
    room = models.ForeignKey("testday.TestRoom", on_delete=models.PROTECT, related_name="cbt_sittings")
    session = models.CharField(_("场次"), max_length=40)
    subject = models.CharField(_("学科"), max_length=40)
    minutes = models.PositiveSmallIntegerField(_("作答时长（分钟）"))
    status = models.CharField(_("状态"), max_length=10, choices=SittingStatus.choices, default=SittingStatus.IDLE)
    prepared_at = models.DateTimeField(null=True, blank=True)
    started_at = models.DateTimeField(null=True, blank=True)
    ended_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["school__path", "room__number", "session"]
        constraints = [models.UniqueConstraint(fields=["room", "session"], name="unique_cbt_sitting")]

    def __str__(self) -> str:
        return f"{self.room}·{self.session}"

    @property
    def unit(self) -> Any:
        return self.school


class DeliveryStatus(models.TextChoices):
    AWAITING = core.AWAITING, _("等待授权")
    AUTHORISED = core.AUTHORISED, _("已授权")
    IN_PROGRESS = core.IN_PROGRESS, _("作答中")
    PAUSED = core.PAUSED, _("已暂停")
    COMPLETED = core.COMPLETED, _("已交卷")
    TERMINATED = core.TERMINATED, _("已终止")


class Delivery(Versioned):
    sitting = models.ForeignKey(Sitting, on_delete=models.CASCADE, related_name="deliveries")
    student = models.ForeignKey("rosters.Student", on_delete=models.PROTECT, related_name="+")
    plan_seat = models.ForeignKey("testday.Seat", on_delete=models.PROTECT, related_name="+")
    seat = models.ForeignKey("testday.Seat", on_delete=models.PROTECT, related_name="+")
    """the PC the delivery runs on now (the plan seat, or a spare after a move)."""
    booklet = models.PositiveSmallIntegerField(_("题本号"))
    status = models.CharField(_("状态"), max_length=12, choices=DeliveryStatus.choices, default=core.AWAITING)
    limit_seconds = models.PositiveIntegerField()
    extra_seconds = models.PositiveIntegerField(default=0)
    elapsed_seconds = models.PositiveIntegerField(default=0)
    running_since = models.DateTimeField(null=True, blank=True)
    ended_at = models.DateTimeField(null=True, blank=True)
    stopped_at = models.DateTimeField(null=True, blank=True)
    """when the clock last stopped (pause, move, end): saves made before it are still taken."""
    reason = models.CharField(_("原因"), max_length=300, blank=True)
    token = models.CharField(max_length=40)
    move_pending = models.BooleanField(default=False)
    last_seq = models.PositiveBigIntegerField(default=0)

    class Meta:
        ordering = ["sitting", "plan_seat__seat"]
        constraints = [models.UniqueConstraint(fields=["sitting", "student"], name="one_cbt_delivery_per_student")]

    def __str__(self) -> str:
        return f"{self.sitting_id}:{self.student_id}"

    @property
    def unit(self) -> Any:
        return self.sitting.school

    def timer(self) -> core.Timer:
        return core.Timer(self.status, self.limit_seconds, self.extra_seconds, self.elapsed_seconds,
                          self.running_since)

    def take(self, t: core.Timer) -> None:
        self.status, self.extra_seconds = t.status, t.extra_seconds
        self.elapsed_seconds, self.running_since = t.elapsed_seconds, t.running_since

    def remaining(self, now: dt.datetime) -> int:
        return self.timer().remaining(now)

    def settled_view(self, now: dt.datetime) -> None:
        """Show a delivery whose time ran out as completed at that moment, in memory only: a read
        (a GET) never writes; the next action or save on the row settles it for good
        (`jiance.cbt.services.console.settle`, applied first by each of them)."""
        t, ended = core.settle(self.timer(), now)
        if ended is not None:
            self.take(t)
            self.ended_at = self.stopped_at = ended


ACTION_NAMES = {"authorise": _("授权"), "start": _("开始作答"), "pause": _("暂停"), "resume": _("继续"),
                "complete": _("交卷"), "terminate": _("终止"), "extend": _("延长时间"), "move": _("换机")}


def refusal_text(exc: core.DeliveryError) -> str:
    """The core's refusal in the user's language."""
    names: dict[str, Any] = {"status": dict(DeliveryStatus.choices), "action": ACTION_NAMES}
    return str(_(exc.template)) % {k: names.get(k, {}).get(v, v) for k, v in exc.params.items()}


class DeliveryEvent(models.Model):
    delivery = models.ForeignKey(Delivery, on_delete=models.CASCADE, related_name="events")
    action = models.CharField(max_length=12)
    from_status = models.CharField(max_length=12)
    to_status = models.CharField(max_length=12)
    at = models.DateTimeField()
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+")
    reason = models.CharField(max_length=300, blank=True)
    remaining_seconds = models.PositiveIntegerField()

    class Meta:
        ordering = ["at", "pk"]

    def __str__(self) -> str:
        return f"{self.delivery_id}:{self.action}"


class ItemResponse(models.Model):
    delivery = models.ForeignKey(Delivery, on_delete=models.CASCADE, related_name="responses")
    name = models.CharField(max_length=40)
    value = models.JSONField(null=True)
    seq = models.PositiveBigIntegerField()
    saved_at = models.DateTimeField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["delivery", "name"], name="one_cbt_response_per_item")]

    def __str__(self) -> str:
        return f"{self.delivery_id}:{self.name}"


class ResponseSave(models.Model):
    client_id = models.UUIDField(unique=True)
    delivery = models.ForeignKey(Delivery, on_delete=models.CASCADE, related_name="saves")
    name = models.CharField(max_length=40)
    seq = models.PositiveBigIntegerField()
    client_at = models.DateTimeField()
    received_at = models.DateTimeField()
    applied = models.BooleanField(default=True)

    def __str__(self) -> str:
        return str(self.client_id)
