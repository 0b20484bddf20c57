"""Singing and spoken-English recordings (演唱与英语口语测试, issue 13, seed 001).

A recording task is an item of a computer-based test bank (`recordingInteraction`,
`jiance_core.recordings.tasks`); the student records it on the PC of their seat, inside their cbt
`Delivery`. `Recording` is one attempt uploaded: the file lies under `JIANCE_MEDIA_ROOT`
(`path`, relative), never in a public folder; the same bytes sent twice (same SHA-256) are one
recording. `state` is `uploaded` until the check ran, then `checked` or `failed`.
`RecordingMark` says the browser holds a recording of the task not yet acknowledged (the
monitoring page's "recorded")."""

from __future__ import annotations

from typing import Any

from django.db import models
from django.utils.translation import gettext_lazy as _

from jiance_core.recordings import checks


class RecordingError(ValueError):
    """A refused upload or play, with the reason in Chinese for the user."""


class RecordingState(models.TextChoices):
    UPLOADED = checks.UPLOADED, _("已上传")
    CHECKED = checks.CHECKED, _("检查通过")
    FAILED = checks.FAILED, _("检查未通过")


# A task's state for one student (`jiance_core.recordings.checks.STATES`), as the pages say it.
STATE_LABELS = {checks.NOT_STARTED: _("未开始"), checks.RECORDED: _("已录音"), checks.UPLOADED: _("已上传"),
                checks.CHECKED: _("检查通过"), checks.FAILED: _("检查未通过")}


class Recording(models.Model):
    delivery = models.ForeignKey("cbt.Delivery", on_delete=models.PROTECT, related_name="recordings")
    task = models.CharField(_("录音题"), max_length=40)
    attempt = models.PositiveSmallIntegerField(_("第几次录音"))
    sha256 = models.CharField(max_length=64)
    content_type = models.CharField(max_length=60)
    size = models.PositiveIntegerField()
    path = models.CharField(max_length=300)
    state = models.CharField(_("状态"), max_length=12, choices=RecordingState.choices, default=RecordingState.UPLOADED)
    duration = models.FloatField(null=True)
    silence = models.FloatField(null=True)
    clipped = models.FloatField(null=True)
    peak_db = models.FloatField(null=True)
    codec = models.CharField(max_length=20, blank=True)
    problems = models.JSONField(default=list)
    uploaded_at = models.DateTimeField()
    checked_at = models.DateTimeField(null=True)

    class Meta:
        ordering = ["delivery", "task", "attempt"]
        constraints = [
            models.UniqueConstraint(fields=["delivery", "task", "sha256"], name="one_recording_per_content"),
            models.UniqueConstraint(fields=["delivery", "task", "attempt"], name="one_recording_per_attempt"),
        ]

    def __str__(self) -> str:
        return f"{self.delivery_id}:{self.task}#{self.attempt}"

    @property
    def unit(self) -> Any:
        return self.delivery.sitting.school

    def summary(self) -> dict[str, Any]:
        return {"id": self.pk, "task": self.task, "attempt": self.attempt, "state": self.state,
                "label": str(STATE_LABELS[self.state]), "duration": self.duration, "silence": self.silence,
                "clipped": self.clipped, "problems": self.problems, "sha256": self.sha256}


class RecordingMark(models.Model):
    delivery = models.ForeignKey("cbt.Delivery", on_delete=models.CASCADE, related_name="+")
    task = models.CharField(max_length=40)
    sha256 = models.CharField(max_length=64)
    marked_at = models.DateTimeField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["delivery", "task"], name="one_recording_mark_per_task")]

    def __str__(self) -> str:
        return f"{self.delivery_id}:{self.task}"
