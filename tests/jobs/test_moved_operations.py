"""The operations moved onto jobs: a questionnaire export as a job gives the same file as the
download; a large version's download link leads to the job buttons; the school draw as a job."""

from __future__ import annotations

from typing import Any

import pytest
from django.urls import reverse

from jiance.jobs.models import Job, JobState
from jiance.questionnaires.export_jobs import export_answers
from tests.factories import World
from tests.questionnaires.test_exports import centre, data, get_csv  # noqa: F401  (the fixture)

pytestmark = pytest.mark.django_db


def test_the_export_job_makes_the_same_file_as_the_download(data: Any, world: World,  # noqa: F811
                                                            django_capture_on_commit_callbacks: Any) -> None:
    client = centre(world)
    direct = get_csv(client)
    with django_capture_on_commit_callbacks(execute=True):
        r = client.post(reverse("questionnaires:export_job", args=["student_q1", 1, "csv"]))
    job = Job.objects.get()
    assert r.status_code == 302 and r["Location"] == f"{reverse('jobs:list')}?job={job.pk}"
    assert job.state == JobState.QUEUED and job.params["rows"] == 2 and job.params["identified"] is False
    assert export_answers.call(job.pk, job.version) == "done"
    job.refresh_from_db()
    assert job.state == JobState.DONE
    import csv
    import io

    rows = list(csv.DictReader(io.StringIO(job.file.read().decode("utf-8-sig"))))
    assert rows == direct
    download = client.get(reverse("jobs:file", args=[job.pk]))
    assert download.status_code == 200 and "attachment" in download["Content-Disposition"]


def test_a_large_version_is_sent_to_the_job_buttons(data: Any, world: World, settings: Any) -> None:  # noqa: F811
    settings.JIANCE_SYNC_EXPORT_ROWS = 1
    client = centre(world)
    r = client.get(reverse("questionnaires:export_answers", args=["student_q1", 1, "xlsx"]), follow=True)
    page = r.content.decode()
    assert reverse("questionnaires:export_job", args=["student_q1", 1, "xlsx"]) in page and "后台生成" in page
    assert not Job.objects.exists()


def test_an_identified_export_in_the_background_keeps_its_reason_and_its_rights(
        data: Any, world: World, django_capture_on_commit_callbacks: Any) -> None:  # noqa: F811
    from jiance.audit.models import Action, AuditEntry

    client = centre(world)
    with django_capture_on_commit_callbacks(execute=True):
        r = client.post(reverse("questionnaires:export_identified", args=["student_q1", 1]),
                        {"fmt": "xlsx", "reason": "核查两名学生的作答情况", "background": "on"})
    job = Job.objects.get()
    assert r.status_code == 302 and job.params["identified"] is True and job.params["fmt"] == "xlsx"
    entry = AuditEntry.objects.filter(action=Action.EXPORT).latest("pk")
    assert "实名" in entry.detail and "核查两名学生的作答情况" in entry.detail
    job.owner.roles.all().delete()  # the right is gone before the worker runs it
    with pytest.raises(Exception, match="实名导出"):
        export_answers.call(job.pk, job.version)
    job.refresh_from_db()
    assert job.state == JobState.FAILED and "实名导出的权限" in job.error
