"""Jobs for the tests of the jobs platform (importable by path, as a worker needs)."""

from __future__ import annotations

from jiance.jobs.models import Job
from jiance.jobs.runner import JobContext, JobResult, job_task
from jiance.jobs.services import JobError


@job_task
def write_file(ctx: JobContext) -> JobResult:
    """Reports progress, reads it back from the database, returns a file naming what it saw."""
    ctx.progress(50, "一半")
    row = Job.objects.get(pk=ctx.job.pk)
    seen = f"{row.state}:{row.progress}:{row.message}"
    if ctx.params.get("fail_first") and ctx.job.attempts == 1:
        raise JobError("第一次总是失败。")
    if ctx.params.get("crash"):
        raise RuntimeError("boom")
    return JobResult(content=seen.encode(), filename="结果.txt", message="写好了")
