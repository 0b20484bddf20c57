"""Background jobs as people see them: one `Job` per submitted task (who, for which unit, what,
its state and progress, its result, why it failed), the result file (`JobFile`, encrypted at rest
like every kept upload), and the runs of periodic jobs the scheduler has enqueued (`ScheduledRun`,
one row per name and due time, so two schedulers never enqueue the same run twice).

The queue itself belongs to the task backend (`django-tasks`: the database backend's
`DBTaskResult` rows, or Redis); a Job points at its current task by `task_id`.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from jiance.kept import KeptFile


class JobState(models.TextChoices):
    QUEUED = "queued", _("排队中")
    RUNNING = "running", _("进行中")
    DONE = "done", _("已完成")
    FAILED = "failed", _("失败")


ACTIVE_STATES = (JobState.QUEUED, JobState.RUNNING)


class Job(models.Model):
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                              related_name="jobs", verbose_name=_("提交人"))
    unit = models.ForeignKey("units.Unit", null=True, blank=True, on_delete=models.SET_NULL, related_name="+",
                             verbose_name=_("单位"))
    kind = models.CharField(_("类型"), max_length=60)
    label = models.CharField(_("名称"), max_length=200)
    state = models.CharField(_("状态"), max_length=10, choices=JobState.choices, default=JobState.QUEUED)
    progress = models.PositiveSmallIntegerField(_("进度"), default=0)
    message = models.CharField(_("进度说明"), max_length=200, blank=True)
    result_url = models.CharField(_("结果链接"), max_length=300, blank=True)
    error = models.TextField(_("失败原因"), blank=True)
    attempts = models.PositiveSmallIntegerField(_("执行次数"), default=0)
    version = models.PositiveIntegerField(_("版本"), default=1)
    # What to run again on retry: the task's import path and its keyword arguments (JSON).
    task_path = models.CharField(max_length=200)
    params = models.JSONField(default=dict)
    task_id = models.CharField(max_length=64, blank=True)  # the backend's id of the current enqueue
    created_at = models.DateTimeField(_("提交时间"))
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    heartbeat_at = models.DateTimeField(null=True, blank=True)  # a running job's last sign of life

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["owner", "-created_at"]), models.Index(fields=["state", "heartbeat_at"])]
        constraints = [models.CheckConstraint(condition=models.Q(progress__lte=100), name="job_progress_le_100")]

    def __str__(self) -> str:
        return self.label

    @property
    def is_active(self) -> bool:
        return self.state in ACTIVE_STATES

    @property
    def can_retry(self) -> bool:
        return self.state == JobState.FAILED


class JobFile(KeptFile):
    """A job's result file (an export with personal data): encrypted, deleted by retention."""

    job = models.OneToOneField(Job, on_delete=models.CASCADE, related_name="file")


class ScheduledRun(models.Model):
    name = models.CharField(max_length=60)
    due_at = models.DateTimeField()
    enqueued_at = models.DateTimeField()
    task_id = models.CharField(max_length=64, blank=True)

    class Meta:
        ordering = ["-due_at"]
        constraints = [models.UniqueConstraint(fields=["name", "due_at"], name="scheduled_run_once")]

    def __str__(self) -> str:
        return f"{self.name}@{self.due_at:%Y-%m-%d %H:%M}"
