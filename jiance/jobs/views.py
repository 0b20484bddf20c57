"""The person's own background jobs: the list (htmx polls it while one is queued or running; a
plain link reloads it without JavaScript), the result download and the retry of a failed job.
A job is its submitter's alone: anyone else's answers exactly like a missing one (404)."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_POST

from jiance.accounts.roles import CITY_AND_ABOVE
from jiance.accounts.scoping import get_scope
from jiance.htmx import HtmxHttpRequest, page_or_partial
from jiance.http import download
from jiance.jobs.models import Job, JobFile, JobState
from jiance.jobs.services import JobError, job_file_read, job_retry

SHOWN = 50


def _office(request: HttpRequest) -> None:
    """Jobs are submitted by offices (exports, draws): the page is theirs, like its nav entry."""
    get_scope(request).require(CITY_AND_ABOVE)


def _own(request: HttpRequest, job_id: int) -> Job:
    _office(request)
    job = Job.objects.filter(pk=job_id, owner_id=request.user.pk).first()
    if job is None:
        raise Http404
    return job


@login_required
@require_GET
def job_list(request: HtmxHttpRequest) -> HttpResponse:
    _office(request)
    jobs = list(Job.objects.filter(owner_id=request.user.pk).select_related("unit")[:SHOWN])
    with_file = set(JobFile.objects.filter(job__in=jobs).values_list("job_id", flat=True))
    for job in jobs:
        job.has_file = job.pk in with_file  # type: ignore[attr-defined]
    template = page_or_partial(request, "jobs/list.html", "jobs")
    return render(request, template, {
        "jobs": jobs, "active": any(j.is_active for j in jobs),
        "poll": settings.JIANCE_JOB_POLL_SECONDS, "highlight": request.GET.get("job", ""),
    })


@login_required
@require_GET
def job_file(request: HttpRequest, job_id: int) -> HttpResponse:
    job = _own(request, job_id)
    if job.state != JobState.DONE or not JobFile.objects.filter(job=job).exists():
        raise Http404
    content, filename = job_file_read(job=job, actor=request.user)
    return download(content, filename)


@login_required
@require_POST
def retry(request: HttpRequest, job_id: int) -> HttpResponse:
    job = _own(request, job_id)
    try:
        version = int(request.POST.get("version", ""))
    except ValueError:
        version = -1
    try:
        job_retry(job=job, actor=request.user, version=version)
    except JobError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, f"已重新提交：{job.label}")
    return redirect("jobs:list")
