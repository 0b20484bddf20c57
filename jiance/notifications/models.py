"""In-app notifications (提醒) and the record of reminders sent to laggards."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Kind(models.TextChoices):
    DEADLINE = "deadline", _("截止提醒")
    INBOX = "inbox", _("待处理事项")
    REMINDER = "reminder", _("上级催办")


class Notification(models.Model):
    """One message for one person. `key` says what it is about (a task's deadline bucket, an
    inbox item, a reminder of one day): unique per recipient, so the daily job may run twice."""

    recipient = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications")
    unit = models.ForeignKey("units.Unit", null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(_("类型"), max_length=10, choices=Kind.choices)
    key = models.CharField(max_length=120)
    title = models.CharField(_("标题"), max_length=300)
    url = models.CharField(_("链接"), max_length=300, blank=True)
    created_at = models.DateTimeField(_("时间"))
    read_at = models.DateTimeField(_("已读时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("提醒")
        verbose_name_plural = _("提醒")
        ordering = ["-created_at", "-pk"]
        constraints = [models.UniqueConstraint(fields=["recipient", "key"], name="unique_notification_key")]
        indexes = [models.Index(fields=["recipient", "read_at"], name="notification_unread")]

    def __str__(self) -> str:
        return self.title


class LaggardReminder(models.Model):
    """The level above reminded a unit of a task it has not done: once per unit, task and day."""

    milestone = models.ForeignKey("cycles.Milestone", on_delete=models.CASCADE, related_name="+")
    unit = models.ForeignKey("units.Unit", on_delete=models.CASCADE, related_name="+")
    day = models.DateField(_("日期"))
    sent_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    sent_at = models.DateTimeField(_("发送时间"))

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["milestone", "unit", "day"], name="unique_laggard_reminder_per_day"),
        ]

    def __str__(self) -> str:
        return f"{self.milestone_id}:{self.unit_id}@{self.day}"
