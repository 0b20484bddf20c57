"""The job flow on the database backend: enqueue after commit, progress, result, failure, retry,
a worker that dies with a job in hand, the real worker loop, the page, /readyz, the scheduler."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from django_tasks_db.models import DBTaskResult

from jiance import clock
from jiance.jobs.models import Job, JobFile, JobState, ScheduledRun
from jiance.jobs.schedule import run_periodic, scheduler_tick
from jiance.jobs.services import JobError, job_retry, job_start, job_submit, jobs_recover
from tests.factories import World, make_user
from tests.jobs.sample_tasks import write_file

T0 = dt.datetime(2026, 5, 20, 9, 0, tzinfo=dt.UTC)


def submit(owner: Any, unit: Any, **params: Any) -> Job:
    return job_submit(task=write_file, owner=owner, unit=unit, kind="test", label="测试任务", params=params)


def run(job: Job) -> str:
    """Run the job's current task synchronously (what a worker does with it)."""
    job.refresh_from_db()
    return write_file.call(job.pk, job.version)


@pytest.fixture
def person(world: World) -> Any:
    return make_user("city.info", "city_admin", world.city)


@pytest.mark.django_db
def test_the_task_is_enqueued_on_commit_and_reports_progress_and_its_file(
        world: World, person: Any, django_capture_on_commit_callbacks: Any) -> None:
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        job = submit(person, world.city)
        assert not DBTaskResult.objects.exists()  # nothing in the queue before the commit
    for callback in callbacks:
        callback()
    job.refresh_from_db()
    queued = DBTaskResult.objects.get()
    assert job.state == JobState.QUEUED and job.task_id == str(queued.id) and queued.status == "READY"
    assert queued.task_path == "tests.jobs.sample_tasks.write_file" and queued.args_kwargs["args"] == [job.pk, 1]
    assert run(job) == "done"
    job.refresh_from_db()
    assert job.state == JobState.DONE and job.progress == 100 and job.message == "写好了" and job.attempts == 1
    assert job.file.filename == "结果.txt"
    assert job.file.read() == "running:50:一半".encode()  # progress was visible while it ran
    assert bytes(job.file.sealed) != job.file.read()  # encrypted at rest


@pytest.mark.django_db
def test_a_failure_says_why_and_a_retry_runs_it_again(world: World, person: Any,
                                                      django_capture_on_commit_callbacks: Any) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        job = submit(person, world.city, fail_first=True)
    with pytest.raises(JobError):
        run(job)
    job.refresh_from_db()
    assert job.state == JobState.FAILED and job.error == "第一次总是失败。" and job.can_retry
    other = make_user("someone.else", "city_admin", world.city)
    with pytest.raises(JobError, match="自己"):
        job_retry(job=job, actor=other, version=job.version)
    with pytest.raises(JobError, match="刷新"):
        job_retry(job=job, actor=person, version=job.version - 1)  # a stale page
    with django_capture_on_commit_callbacks(execute=True):
        job_retry(job=job, actor=person, version=job.version)
    job.refresh_from_db()
    assert job.state == JobState.QUEUED and job.version == 2 and job.error == ""
    assert DBTaskResult.objects.filter(args_kwargs__args=[job.pk, 2]).count() == 1
    assert write_file.call(job.pk, 1) == "skipped"  # the first enqueue's task, delivered late
    assert run(job) == "done"
    job.refresh_from_db()
    assert job.state == JobState.DONE and job.attempts == 2
    with pytest.raises(JobError, match="失败"):
        job_retry(job=job, actor=person, version=job.version)


@pytest.mark.django_db
def test_an_unexpected_error_is_told_in_chinese_with_the_job_number(world: World, person: Any,
                                                                   django_capture_on_commit_callbacks: Any) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        job = submit(person, world.city, crash=True)
    with pytest.raises(RuntimeError):
        run(job)
    job.refresh_from_db()
    assert job.state == JobState.FAILED and "RuntimeError" in job.error and str(job.pk) in job.error
    assert "boom" not in job.error  # internals stay in the log


@pytest.mark.django_db
def test_a_job_whose_worker_died_is_requeued_then_failed_and_retryable(
        world: World, person: Any, django_capture_on_commit_callbacks: Any, settings: Any) -> None:
    settings.JIANCE_JOB_STALE_SECONDS = 180
    settings.JIANCE_JOB_AUTO_ATTEMPTS = 2
    with clock.frozen(T0):
        with django_capture_on_commit_callbacks(execute=True):
            job = submit(person, world.city)
        job.refresh_from_db()
        # A worker claims it and dies (kill -9): the job and the backend's row stay "running".
        DBTaskResult.objects.filter(id=job.task_id).update(status="RUNNING", worker_ids=["dead"])
        assert job_start(job.pk, 1) is not None
    with clock.frozen(T0 + dt.timedelta(seconds=60)), django_capture_on_commit_callbacks(execute=True):
        assert jobs_recover() == {"requeued": 0, "failed": 0}  # still beating recently: alive
    with clock.frozen(T0 + dt.timedelta(seconds=200)), django_capture_on_commit_callbacks(execute=True):
        assert jobs_recover() == {"requeued": 1, "failed": 0}
    job.refresh_from_db()
    assert job.state == JobState.QUEUED and job.version == 2 and "中断" in job.message
    assert DBTaskResult.objects.get(id=job.task_id).status == "READY"  # the new enqueue
    assert DBTaskResult.objects.filter(status="FAILED", worker_ids=["dead"]).count() == 1  # the lost one
    # The second run dies too: no more automatic attempts, the job fails and says why.
    with clock.frozen(T0 + dt.timedelta(seconds=300)):
        assert job_start(job.pk, 2) is not None
    with clock.frozen(T0 + dt.timedelta(seconds=600)), django_capture_on_commit_callbacks(execute=True):
        assert jobs_recover() == {"requeued": 0, "failed": 1}
    job.refresh_from_db()
    assert job.state == JobState.FAILED and "工作进程停止" in job.error and job.attempts == 2
    with django_capture_on_commit_callbacks(execute=True):
        job_retry(job=job, actor=person, version=job.version)
    assert run(job) == "done"


@pytest.mark.django_db(transaction=True)
def test_the_real_database_worker_loop_runs_a_job_and_recovers_at_start() -> None:
    world = World()
    person = make_user("city.worker", "city_admin", world.city)
    orphan = submit(person, world.city)  # autocommit: enqueued at once
    orphan.refresh_from_db()
    # ...claimed by a worker that died (kill -9) with it "running"
    DBTaskResult.objects.filter(id=orphan.task_id).update(status="RUNNING", worker_ids=["dead"])
    assert job_start(orphan.pk, 1) is not None
    fresh = submit(person, world.city)
    call_command("worker", "--sole", "--batch", "--interval", "0", verbosity=0)
    orphan.refresh_from_db()
    fresh.refresh_from_db()
    assert fresh.state == JobState.DONE and fresh.file.read() == "running:50:一半".encode()
    assert orphan.state == JobState.DONE and orphan.attempts == 2 and orphan.version == 2
    assert DBTaskResult.objects.filter(status="SUCCESSFUL").count() == 2
    assert DBTaskResult.objects.get(worker_ids=["dead"]).status == "FAILED"


@pytest.mark.django_db
def test_the_page_lists_only_my_jobs_and_serves_my_results_no_store(
        world: World, person: Any, django_capture_on_commit_callbacks: Any) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        mine, failed = submit(person, world.city), submit(person, world.city, crash=True)
        theirs = submit(make_user("other.city", "city_admin", world.city), world.city)
    run(mine)
    with pytest.raises(RuntimeError):
        run(failed)
    client = Client()
    client.force_login(person)
    page = client.get(reverse("jobs:list")).content.decode()
    assert f'id="job-{mine.pk}"' in page and f'id="job-{failed.pk}"' in page and f'id="job-{theirs.pk}"' not in page
    assert reverse("jobs:file", args=[mine.pk]) in page and reverse("jobs:retry", args=[failed.pk]) in page
    assert "hx-trigger" not in page  # nothing running: no polling
    response = client.get(reverse("jobs:file", args=[mine.pk]))
    assert response.status_code == 200 and response["Cache-Control"].startswith("no-store")
    assert client.get(reverse("jobs:file", args=[theirs.pk])).status_code == 404
    assert client.get(reverse("jobs:file", args=[failed.pk])).status_code == 404
    failed.refresh_from_db()
    stale = client.post(reverse("jobs:retry", args=[failed.pk]), {"version": failed.version + 5}, follow=True)
    assert "刷新" in stale.content.decode()
    failed.refresh_from_db()
    assert failed.state == JobState.FAILED
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("jobs:retry", args=[failed.pk]), {"version": failed.version})
    failed.refresh_from_db()
    assert failed.state == JobState.QUEUED
    polling = client.get(reverse("jobs:list")).content.decode()
    assert 'hx-trigger="every' in polling  # a queued job: the list polls
    assert client.post(reverse("jobs:retry", args=[theirs.pk]), {"version": 1}).status_code == 404


@pytest.mark.django_db
def test_readyz_checks_the_job_queue(client: Client) -> None:
    body = client.get("/readyz").json()
    assert body["checks"]["jobs"] == "ok"


@pytest.mark.django_db
def test_the_scheduler_enqueues_each_due_run_once(settings: Any) -> None:
    morning = dt.datetime(2026, 5, 20, 6, 31, tzinfo=dt.timezone(dt.timedelta(hours=8)))
    first = scheduler_tick(morning)
    assert sorted(first) == ["custody-overdue", "purge-uploads", "remind"]
    assert scheduler_tick(morning + dt.timedelta(minutes=1)) == []  # already enqueued
    assert scheduler_tick(morning + dt.timedelta(minutes=15)) == ["custody-overdue"]
    assert ScheduledRun.objects.filter(name="remind").count() == 1
    assert DBTaskResult.objects.filter(task_path="jiance.jobs.schedule.run_periodic").count() == 4
    late = dt.datetime(2026, 5, 21, 23, 0, tzinfo=dt.timezone(dt.timedelta(hours=8)))
    assert "remind" not in scheduler_tick(late)  # a morning missed long ago is not caught up at night
    with pytest.raises(ValueError):
        run_periodic.call("flush")
    assert "逾期" in run_periodic.call("custody-overdue")


@pytest.mark.django_db
def test_retention_deletes_old_result_files(world: World, person: Any, django_capture_on_commit_callbacks: Any,
                                            settings: Any) -> None:
    from jiance.retention import uploads_purge

    with django_capture_on_commit_callbacks(execute=True):
        job = submit(person, world.city)
    run(job)
    assert uploads_purge(keep_days=settings.UPLOAD_KEEP_DAYS)["job_files"] == 0
    with clock.frozen(clock.now() + dt.timedelta(days=settings.UPLOAD_KEEP_DAYS + 1)):
        assert uploads_purge(keep_days=settings.UPLOAD_KEEP_DAYS)["job_files"] == 1
    assert not JobFile.objects.exists()
