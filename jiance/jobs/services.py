"""Services of the jobs platform: submit, start, report progress, finish, fail, retry, recover.

A job's life: `job_submit` writes the Job (queued) and, once the transaction commits, enqueues its
task on the configured backend (`settings.TASKS`). The worker runs the task (`jiance.jobs.runner`),
which calls `job_start` (running, one more attempt), `job_progress` (0–100 and a message, also the
heartbeat), then `job_finish` (done, the result file or link) or `job_fail` (failed, the reason in
Chinese). `job_retry` puts a failed job back in the queue.

**Versions.** `Job.version` changes whenever someone other than the running task changes the job
(a retry, a recovery). The task carries the version it was enqueued with: a task whose version is
no longer the job's (a duplicate delivery, a worker that comes back after its job was recovered)
does nothing and its writes are dropped. The jobs page sends the version it was built from with a
retry, so a retry clicked on a stale page is refused instead of running the job twice.

**Worker restarts.** A running task beats (`heartbeat_at`, every `JIANCE_JOB_HEARTBEAT_SECONDS`
and at each progress report). `jobs_recover` finds running jobs whose last beat is older than
`JIANCE_JOB_STALE_SECONDS`: their worker died (killed, machine restarted). Such a job goes back
in the queue while it has had fewer than `JIANCE_JOB_AUTO_ATTEMPTS` attempts, else it is marked
failed ("工作进程中断") and can be retried from the page. The scheduler runs it every minute;
`jiance worker` runs it at start (with `--sole`, the only worker, every running job is orphaned).
"""

from __future__ import annotations

import datetime as dt
import logging
from functools import partial
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils.module_loading import import_string

from jiance import clock
from jiance.audit.models import Action
from jiance.audit.services import audit_record
from jiance.jobs.models import Job, JobFile, JobState

logger = logging.getLogger("jiance.jobs")


class JobError(Exception):
    """A failure the person can act on: its message (Chinese) is shown on the jobs page."""


def job_submit(*, task: Any, owner: Any, unit: Any, kind: str, label: str, params: dict[str, Any]) -> Job:
    """Record a job and enqueue `task` (a `jiance.jobs.runner.job_task`) after commit."""
    with transaction.atomic():
        job = Job.objects.create(
            owner=owner if getattr(owner, "pk", None) is not None else None, unit=unit, kind=kind,
            label=label[:200], task_path=task.module_path, params=params, created_at=clock.now(),
        )
        transaction.on_commit(partial(_enqueue, job.pk, job.version))
    return job


def _enqueue(job_id: int, version: int) -> None:
    job = Job.objects.get(pk=job_id)
    try:
        result = import_string(job.task_path).enqueue(job_id, version)
    except Exception as exc:  # the queue is unreachable: the job fails, retryable
        logger.exception("job %s could not be enqueued", job_id)
        Job.objects.filter(pk=job_id, version=version).update(
            state=JobState.FAILED, finished_at=clock.now(),
            error=f"无法提交到任务队列（{type(exc).__name__}），请稍后点击重试。")
        return
    Job.objects.filter(pk=job_id, version=version).update(task_id=str(result.id)[:64])


def job_start(job_id: int, version: int) -> Job | None:
    """The task's first step: the job, now running; None when this task is no longer the job's."""
    with transaction.atomic():
        job = Job.objects.select_for_update().filter(pk=job_id).first()
        if job is None or job.version != version or job.state != JobState.QUEUED:
            logger.warning("job %s v%s: not queued under this version, skipped", job_id, version)
            return None
        now = clock.now()
        job.state, job.attempts, job.progress, job.message, job.error = JobState.RUNNING, job.attempts + 1, 0, "", ""
        job.started_at = job.heartbeat_at = now
        job.save(update_fields=["state", "attempts", "progress", "message", "error", "started_at", "heartbeat_at"])
    return job


def _mine(job: Job) -> Any:
    return Job.objects.filter(pk=job.pk, version=job.version, state=JobState.RUNNING)


def job_progress(job: Job, percent: float, message: str = "") -> None:
    """Report progress from inside the task (also a heartbeat)."""
    job.progress = max(0, min(100, int(percent)))
    job.message = message[:200]
    _mine(job).update(progress=job.progress, message=job.message, heartbeat_at=clock.now())


def job_heartbeat(job: Job) -> bool:
    """The running task is alive; False when the job was taken from it (recovered, retried)."""
    return bool(_mine(job).update(heartbeat_at=clock.now()))


def job_finish(job: Job, *, content: bytes | None = None, filename: str = "", url: str = "",
               message: str = "") -> bool:
    """Done: keep the result file (encrypted) and/or link. False when the job is no longer this task's."""
    with transaction.atomic():
        if not _mine(job).select_for_update().exists():
            logger.warning("job %s v%s finished after it was taken from its task: result dropped",
                           job.pk, job.version)
            return False
        JobFile.objects.filter(job=job).delete()
        if content is not None:
            JobFile.objects.create(job=job, **JobFile.keep(content, filename=filename, actor=job.owner))
        _mine(job).update(state=JobState.DONE, progress=100, message=message[:200] or "已完成",
                          result_url=url[:300], finished_at=clock.now(), heartbeat_at=clock.now())
    return True


def job_fail(job: Job, exc: BaseException) -> None:
    if isinstance(exc, JobError):
        error = str(exc)
    else:
        logger.error("job %s (%s) failed", job.pk, job.kind, exc_info=exc)
        error = (f"任务执行出错（{type(exc).__name__}），请点击重试；再次失败请联系管理员，"
                 f"并告知任务编号 {job.pk}。")
    _mine(job).update(state=JobState.FAILED, error=error, finished_at=clock.now())


def job_retry(*, job: Job, actor: Any, version: int) -> Job:
    """Put a failed job back in the queue. JobError when it is not failed or the page was stale."""
    with transaction.atomic():
        locked = Job.objects.select_for_update().get(pk=job.pk)
        if locked.owner_id != getattr(actor, "pk", None):
            raise JobError("只能重试自己提交的任务。")
        if locked.version != version:
            raise JobError("任务状态已经变化，请刷新页面后再操作。")
        if locked.state != JobState.FAILED:
            raise JobError("只有失败的任务可以重试。")
        JobFile.objects.filter(job=locked).delete()
        locked.state, locked.progress, locked.message, locked.error = JobState.QUEUED, 0, "", ""
        locked.version += 1
        locked.finished_at = locked.started_at = locked.heartbeat_at = None
        locked.save()
        transaction.on_commit(partial(_enqueue, locked.pk, locked.version))
    return locked


def jobs_recover(*, stale_after: dt.timedelta | None = None) -> dict[str, int]:
    """Running jobs whose worker stopped beating: back in the queue, or failed (retryable)."""
    if stale_after is None:
        stale_after = dt.timedelta(seconds=settings.JIANCE_JOB_STALE_SECONDS)
    now = clock.now()
    counts = {"requeued": 0, "failed": 0}
    with transaction.atomic():
        orphans = list(Job.objects.select_for_update(skip_locked=True)
                       .filter(state=JobState.RUNNING, heartbeat_at__lte=now - stale_after))
        for job in orphans:
            _backend_result_lost(job.task_id)
            job.version += 1
            if job.attempts < settings.JIANCE_JOB_AUTO_ATTEMPTS:
                job.state, job.message = JobState.QUEUED, "工作进程中断，已自动重新排队"
                job.progress = 0
                transaction.on_commit(partial(_enqueue, job.pk, job.version))
                counts["requeued"] += 1
            else:
                job.state, job.finished_at = JobState.FAILED, now
                job.error = f"任务执行中断（工作进程停止），已执行 {job.attempts} 次。请点击重试。"
                counts["failed"] += 1
            job.save()
    if orphans:
        logger.warning("jobs recovered after a worker stopped: %s", counts)
    return counts


def _backend_result_lost(task_id: str) -> None:
    """The database backend leaves the dead worker's task 'RUNNING' forever: mark it failed."""
    if not task_id or "django_tasks_db" not in settings.TASKS["default"]["BACKEND"]:
        return
    from django_tasks_db.models import DBTaskResult

    DBTaskResult.objects.filter(id=task_id, status="RUNNING").update(
        status="FAILED", finished_at=clock.now(), exception_class_path="jiance.jobs.services.WorkerLost",
        traceback="The worker running this task stopped (recovered by jiance.jobs.services.jobs_recover).")


def job_file_read(*, job: Job, actor: Any) -> tuple[bytes, str]:
    """The result file of the person's own finished job (audited as an export)."""
    kept = job.file
    audit_record(action=Action.EXPORT, obj=job, unit=job.unit, actor=actor,
                 after={"kind": job.kind, "file": kept.filename, "size": kept.size},
                 detail=f"下载后台任务结果：{job.label}（{kept.filename}）")
    return kept.read(), kept.filename
