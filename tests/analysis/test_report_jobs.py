"""A report file built by a background job: the city office submits it from the report page, the
worker's task makes the same PDF as the direct download, the file waits on the jobs page; a
county office (no jobs page) gets no button and is refused; a person who lost the area since the
submission gets a refusal, not the file."""

from __future__ import annotations

from typing import Any

import pytest
from django.urls import reverse

from jiance.accounts.models import RoleAssignment
from jiance.analysis.report_jobs import build_report_file
from jiance.jobs.models import Job, JobState
from jiance.jobs.services import JobError
from tests.analysis.builders import Built, built_with_scores
from tests.factories import World, client_for
from tests.printouts.pdftools import is_pdf, squash
from tests.printouts.pdftools import text as pdf_text

pytestmark = pytest.mark.django_db


@pytest.fixture
def built(world: World) -> Built:
    return built_with_scores(world)


def test_the_city_report_pdf_built_by_a_job_is_the_report(built: Built, django_capture_on_commit_callbacks: Any) -> None:
    city = built.world.city
    client = client_for(built.city_user)
    page = client.get(reverse("analysis:report", args=["primary", city.code])).content.decode()
    assert reverse("analysis:report_job", args=["primary", city.code]) in page and "在后台生成" in page
    with django_capture_on_commit_callbacks(execute=True):
        r = client.post(reverse("analysis:report_job", args=["primary", city.code]), {"fmt": "pdf"})
    job = Job.objects.get()
    assert r.status_code == 302 and r["Location"] == f"{reverse('jobs:list')}?job={job.pk}"
    assert job.state == JobState.QUEUED and job.params["unit_code"] == city.code
    assert build_report_file.call(job.pk, job.version) == "done"
    job.refresh_from_db()
    assert job.state == JobState.DONE and job.progress == 100
    made = job.file.read()
    direct = client.get(reverse("analysis:report_file", args=["primary", city.code, "pdf"])).content
    assert is_pdf(made) and squash(pdf_text(made, raw=True)) == squash(pdf_text(direct, raw=True))
    download = client.get(reverse("jobs:file", args=[job.pk]))
    assert download.status_code == 200 and "no-store" in download["Cache-Control"]


def test_county_offices_get_no_button_and_a_lost_area_is_refused(
        built: Built, django_capture_on_commit_callbacks: Any) -> None:
    county = built.world.county_a
    county_client = client_for(built.county_user)
    page = county_client.get(reverse("analysis:report", args=["primary", county.code])).content.decode()
    assert "在后台生成" not in page
    assert county_client.post(reverse("analysis:report_job", args=["primary", county.code]),
                              {"fmt": "pdf"}).status_code == 403
    client = client_for(built.city_user)
    assert client.post(reverse("analysis:report_job", args=["primary", county.code]), {"fmt": "doc"}).status_code == 404
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("analysis:report_job", args=["primary", county.code]), {"fmt": "xlsx"})
    job = Job.objects.get()
    RoleAssignment.objects.filter(user=built.city_user).delete()  # the city office left since
    with pytest.raises(JobError):  # re-raised for the backend's own record; the job says why
        build_report_file.call(job.pk, job.version)
    job.refresh_from_db()
    assert job.state == JobState.FAILED and "权限" in job.error and not hasattr(job, "file")
