"""Test day in the rooms (SPEC §7, §9): each room's run of each session, the students' check-in,
and discipline cases.

`SessionRun` — one per test room per session — goes not started → in progress → ended, with
pause/continue for a power or network loss; a pause of more than 1 hour lets the city cancel the
session for the school, and a cancelled session is never run again (不再进行补测 [003]). Every
change is a `RunEvent` (who, when on the phone, when recorded, reason). `CheckIn` is a student's
presence in one run (present, absent, left unwell, participation ended, session cancelled), with
its `CheckInEvent` history. `DisciplineCase` is an offence of a staff member or a student from
the cycle's catalogue (违纪处理规定), confirmed or rejected by the county inspector.

Every row a page changes carries a `version`, compared with the one the page was built from; a
refusal names who changed it and when. Every event carries the phone's `client_id` (unique), so
an action sent twice by the offline queue is recorded once.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class ProctoringError(ValueError):
    """A refused operation, with the reason in Chinese for the user."""


class RunStatus(models.TextChoices):
    NOT_STARTED = "not_started", _("未开始")
    IN_PROGRESS = "in_progress", _("进行中")
    PAUSED = "paused", _("已暂停")
    ENDED = "ended", _("已结束")
    CANCELLED = "cancelled", _("已取消")


class RunAction(models.TextChoices):
    START = "start", _("开始")
    PAUSE = "pause", _("暂停")
    RESUME = "resume", _("继续")
    END = "end", _("结束")
    CANCEL = "cancel", _("取消本场")


# action -> (statuses it may be taken from, status it leads to)
TRANSITIONS: dict[str, tuple[tuple[str, ...], str]] = {
    RunAction.START: ((RunStatus.NOT_STARTED,), RunStatus.IN_PROGRESS),
    RunAction.PAUSE: ((RunStatus.IN_PROGRESS,), RunStatus.PAUSED),
    RunAction.RESUME: ((RunStatus.PAUSED,), RunStatus.IN_PROGRESS),
    RunAction.END: ((RunStatus.IN_PROGRESS,), RunStatus.ENDED),
    RunAction.CANCEL: ((RunStatus.PAUSED,), RunStatus.CANCELLED),
}


class Versioned(models.Model):
    version = models.PositiveIntegerField(default=0)
    changed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                   related_name="+")
    changed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        abstract = True


class SessionRun(Versioned):
    """One test room's run of one session of the cycle."""

    cycle = models.ForeignKey("cycles.Cycle", on_delete=models.PROTECT, related_name="+")
    school = models.ForeignKey("units.Unit", on_delete=models.PROTECT, related_name="+")
    room = models.ForeignKey("testday.TestRoom", on_delete=models.PROTECT, related_name="runs")
    session = models.CharField(_("场次"), max_length=40)
    day = models.DateField(_("日期"))
    status = models.CharField(_("状态"), max_length=12, choices=RunStatus.choices, default=RunStatus.NOT_STARTED)
    started_at = models.DateTimeField(_("开始时间"), null=True, blank=True)
    ended_at = models.DateTimeField(_("结束时间"), null=True, blank=True)
    paused_since = models.DateTimeField(_("暂停开始"), null=True, blank=True)
    paused_seconds = models.PositiveIntegerField(_("累计暂停（秒）"), default=0)
    pause_reason = models.CharField(_("暂停原因"), max_length=200, blank=True)
    cancelled_at = models.DateTimeField(_("取消时间"), null=True, blank=True)
    cancel_reason = models.CharField(_("取消原因"), max_length=500, blank=True)

    class Meta:
        verbose_name = _("场次进程")
        verbose_name_plural = _("场次进程")
        ordering = ["school__path", "room__stage", "room__number", "day", "session"]
        constraints = [models.UniqueConstraint(fields=["room", "session"], name="unique_run_per_room_session")]

    def __str__(self) -> str:
        return f"{self.school.name}{self.room.name}·{self.session}"

    @property
    def unit(self) -> Any:
        return self.school

    @property
    def pause_total_minutes(self) -> int:
        return self.paused_seconds // 60


class RunEvent(models.Model):
    """One change of a run: the moment on the phone (`at`), the moment recorded, who, why."""

    run = models.ForeignKey(SessionRun, on_delete=models.CASCADE, related_name="events")
    action = models.CharField(_("操作"), max_length=10, choices=RunAction.choices)
    from_status = models.CharField(max_length=12, choices=RunStatus.choices)
    to_status = models.CharField(max_length=12, choices=RunStatus.choices)
    at = models.DateTimeField(_("时间"))
    recorded_at = models.DateTimeField(_("记录时间"))
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+")
    reason = models.CharField(_("原因"), max_length=500, blank=True)
    client_id = models.UUIDField(null=True, blank=True, unique=True)

    class Meta:
        ordering = ["at", "pk"]

    def __str__(self) -> str:
        return f"{self.run_id}:{self.action}"

    @property
    def unit(self) -> Any:
        return self.run.school


class Presence(models.TextChoices):
    PRESENT = "present", _("已到")
    ABSENT = "absent", _("缺考")
    LEFT = "left", _("身体不适离场")
    ENDED = "ended", _("违纪取消资格")
    CANCELLED = "cancelled", _("本场取消")


class CheckIn(Versioned):
    """A student's presence in one run (a seat of the room; the seat plan is fixed: an absent
    student is marked absent, never replaced)."""

    run = models.ForeignKey(SessionRun, on_delete=models.CASCADE, related_name="checkins")
    seat = models.ForeignKey("testday.Seat", on_delete=models.PROTECT, related_name="+")
    student = models.ForeignKey("rosters.Student", on_delete=models.PROTECT, related_name="+")
    school = models.ForeignKey("units.Unit", on_delete=models.PROTECT, related_name="+")
    status = models.CharField(_("到场情况"), max_length=10, choices=Presence.choices)
    reason = models.CharField(_("缺考原因"), max_length=12, blank=True)
    at = models.DateTimeField(_("时间"))

    class Meta:
        ordering = ["run", "seat__seat"]
        constraints = [models.UniqueConstraint(fields=["run", "seat"], name="unique_checkin_per_seat")]

    def __str__(self) -> str:
        return f"{self.run_id}:{self.seat_id}"

    @property
    def unit(self) -> Any:
        return self.school


class CheckInEvent(models.Model):
    checkin = models.ForeignKey(CheckIn, on_delete=models.CASCADE, related_name="events")
    status = models.CharField(max_length=10, choices=Presence.choices)
    how = models.CharField(max_length=8, blank=True)  # scan / code / tap / system
    at = models.DateTimeField()
    recorded_at = models.DateTimeField()
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+")
    client_id = models.UUIDField(null=True, blank=True, unique=True)

    class Meta:
        ordering = ["at", "pk"]

    def __str__(self) -> str:
        return f"{self.checkin_id}:{self.status}"


class OffenderKind(models.TextChoices):
    STAFF = "staff", _("工作人员")
    STUDENT = "student", _("学生")


class CaseStatus(models.TextChoices):
    RECORDED = "recorded", _("待督学确认")
    CONFIRMED = "confirmed", _("已确认")
    REJECTED = "rejected", _("未予确认")


OTHER = "other"


class DisciplineCase(Versioned):
    """An offence (违纪) against the cycle's catalogue, recorded against the person, the room and
    the session; the county inspector (责任督学) confirms it."""

    cycle = models.ForeignKey("cycles.Cycle", on_delete=models.PROTECT, related_name="+")
    school = models.ForeignKey("units.Unit", on_delete=models.PROTECT, related_name="+")
    room = models.ForeignKey("testday.TestRoom", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    session = models.CharField(_("场次"), max_length=40, blank=True)
    kind = models.CharField(_("对象"), max_length=8, choices=OffenderKind.choices)
    offence = models.CharField(_("违纪情形代码"), max_length=40)
    offence_text = models.CharField(_("违纪情形"), max_length=300)
    tier = models.PositiveSmallIntegerField(_("等级"), null=True, blank=True)
    handling = models.CharField(_("处理"), max_length=300, blank=True)
    ends_participation = models.BooleanField(_("取消监测资格"), default=False)
    student = models.ForeignKey("rosters.Student", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    person_name = models.CharField(_("姓名"), max_length=50, blank=True)
    person_post = models.CharField(_("岗位"), max_length=50, blank=True)
    description = models.CharField(_("情况说明"), max_length=1000)
    at = models.DateTimeField(_("发生时间"))
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(_("登记时间"))
    client_id = models.UUIDField(null=True, blank=True, unique=True)
    status = models.CharField(_("状态"), max_length=10, choices=CaseStatus.choices, default=CaseStatus.RECORDED)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                   related_name="+")
    decided_at = models.DateTimeField(_("确认时间"), null=True, blank=True)
    comment = models.CharField(_("督学意见"), max_length=500, blank=True)

    class Meta:
        verbose_name = _("违纪记录")
        verbose_name_plural = _("违纪记录")
        ordering = ["-at", "-pk"]

    def __str__(self) -> str:
        return f"{self.school.name}·{self.offence_text[:20]}"

    @property
    def unit(self) -> Any:
        return self.school

    @property
    def ends(self) -> bool:
        """Ends the student's participation (a student offence not rejected by the inspector)."""
        return self.ends_participation and self.status != CaseStatus.REJECTED
