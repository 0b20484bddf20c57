"""Writing a task as a job: `@job_task` over a module-level function `f(ctx) -> JobResult`.

    @job_task
    def export_answers(ctx: JobContext) -> JobResult:
        ...ctx.params..., ctx.progress(40, "写入文件")...
        return JobResult(content=data, filename="答卷.xlsx")

`job_task` makes a Django task (`django_tasks.task`, the API of Django's `django.tasks`) of the
same name taking `(job_id, version)`: whatever backend runs it (the database worker, RQ on Redis,
the immediate backend), the task reads its parameters from the Job, reports progress, beats while
it runs, and records the result or the failure. Nothing in a task depends on the backend.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db import connection
from django_tasks import task

from jiance.jobs.models import Job
from jiance.jobs.services import (
    JobError,
    job_fail,
    job_finish,
    job_heartbeat,
    job_progress,
    job_start,
)

logger = logging.getLogger("jiance.jobs")


@dataclass
class JobResult:
    content: bytes | None = None  # a file to download (kept encrypted)
    filename: str = ""
    url: str = ""  # or a page to open (e.g. the draw just made)
    message: str = ""


@dataclass
class JobContext:
    job: Job

    @property
    def params(self) -> dict[str, Any]:
        return dict(self.job.params)

    def progress(self, percent: float, message: str = "") -> None:
        job_progress(self.job, percent, message)

    def submitter(self, doing: str) -> Any:
        """The account that submitted the job, as it is now: a task works with its submitter's scope
        at run time, so an account removed or deactivated since is refused (`JobError`, "…不能<doing>。")."""
        owner = self.job.owner
        if owner is None or not owner.is_active:
            raise JobError(f"提交人账号已停用，不能{doing}。")
        return owner


class _Heartbeat(threading.Thread):
    """Beats for a running job while its task works between progress reports."""

    def __init__(self, job: Job, every: float) -> None:
        super().__init__(daemon=True, name=f"job-{job.pk}-heartbeat")
        self.job, self.every, self.stopped = job, every, threading.Event()

    def run(self) -> None:
        try:
            while not self.stopped.wait(self.every):
                try:
                    job_heartbeat(self.job)
                except Exception:  # a locked SQLite file: the next beat will do
                    logger.warning("job %s: heartbeat not written", self.job.pk, exc_info=True)
        finally:
            connection.close()  # this thread's own connection


def run_job(func: Callable[[JobContext], JobResult], job_id: int, version: int) -> str:
    job = job_start(job_id, version)
    if job is None:
        return "skipped"
    beat = _Heartbeat(job, settings.JIANCE_JOB_HEARTBEAT_SECONDS)
    beat.start()
    try:
        result = func(JobContext(job))
    except Exception as exc:
        job_fail(job, exc)
        raise  # the backend records the failure too (its own result row)
    finally:
        beat.stopped.set()
    finished = job_finish(job, content=result.content, filename=result.filename, url=result.url,
                          message=result.message)
    return "done" if finished else "dropped"


def job_task(func: Callable[[JobContext], JobResult]) -> Any:
    """A Django task running `func` as a job (see the module docstring)."""

    def run(job_id: int, version: int) -> str:
        return run_job(func, job_id, version)

    run.__name__, run.__qualname__, run.__module__ = func.__name__, func.__qualname__, func.__module__
    run.__doc__ = func.__doc__
    return task()(run)
