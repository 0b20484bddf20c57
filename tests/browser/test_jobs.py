"""The jobs page in Chromium: an export submitted as a background job from the export page, the
list polling until the real database worker has made the file, the download; a failed job's
reason and retry button; the page on a phone."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command

from jiance import clock
from jiance.jobs.models import Job, JobState
from tests.browser.conftest import login, screenshot
from tests.factories import World, make_user
from tests.questionnaires.builders import q_cycle


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_an_export_job_from_submission_to_download(page: Any, phone_page: Any, live_server: Any,
                                                   tmp_path: Path, settings: Any) -> None:
    settings.JIANCE_JOB_POLL_SECONDS = 0.5
    world = World()
    q_cycle(world)
    user = make_user("centre.jobs", "centre_admin", world.centre)
    Job.objects.create(owner=user, unit=world.centre, kind="questionnaire_export", label="导出答卷：旧的一次（XLSX）",
                       state=JobState.FAILED, attempts=2, created_at=clock.now(), task_path="x.y",
                       error="任务执行中断（工作进程停止），已执行 2 次。请点击重试。")
    login(page, live_server, "centre.jobs")
    page.goto(f"{live_server.url}/questionnaires/")
    row = page.locator("tr", has_text="学生相关因素问卷（一）").first
    with page.expect_navigation():
        row.get_by_role("link", name="导出答案").first.click()
    with page.expect_navigation():
        page.get_by_role("button", name="CSV", exact=True).click()
    assert "/jobs/" in page.url
    job = Job.objects.exclude(state=JobState.FAILED).get()
    queued = page.locator(f"#job-{job.pk}")
    assert queued.get_attribute("data-state") == "queued"
    assert page.locator("#jobs[hx-trigger]").count() == 1  # polling while one is queued
    screenshot(page, "jobs-queued")
    call_command("worker", "--batch", "--interval", "0", verbosity=0)  # the real database worker
    page.locator(f"#job-{job.pk}[data-state=done]").wait_for(timeout=10_000)  # htmx polled it in
    assert page.locator("#jobs[hx-trigger]").count() == 0  # nothing running: polling stops
    screenshot(page, "jobs-done")
    with page.expect_download() as info:
        page.locator(f"#job-{job.pk}").get_by_role("link", name="下载").click()
    path = tmp_path / "answers.csv"
    info.value.save_as(path)
    assert path.read_text("utf-8-sig").startswith("resp_id,resp_kind,school_code")
    failed = page.locator("tr[data-state=failed]")
    assert "工作进程停止" in failed.inner_text() and failed.get_by_role("button", name="重试").is_visible()

    login(phone_page, live_server, "centre.jobs")
    phone_page.goto(f"{live_server.url}/jobs/")
    phone_page.get_by_role("heading", name="后台任务").wait_for()
    screenshot(phone_page, "jobs-phone")
