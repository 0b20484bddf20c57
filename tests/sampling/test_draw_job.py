"""The school draw as a background job: the same sample as the draw in the request for the same
seed, the seed fixed at submission (a retry draws the same), a refusal told on the jobs page."""

from __future__ import annotations

from typing import Any

import pytest
from django.urls import reverse

from jiance.cycles.models import Cycle
from jiance.jobs.models import Job, JobState
from jiance.jobs.services import JobError, job_retry
from jiance.sampling.draw_jobs import draw_schools
from jiance.sampling.models import SchoolDraw
from tests.factories import World, client_for
from tests.sampling.conftest import People, approve_frame
from tests.sampling.test_services import draw, signature

pytestmark = pytest.mark.django_db


def test_the_draw_job_draws_what_the_request_draws(sampling_world: World, cycle: Cycle, people: People, frames: Any,
                                                   django_capture_on_commit_callbacks: Any) -> None:
    expected = signature(draw(people, sampling_world, cycle, seed=20220315))
    SchoolDraw.objects.all().delete()
    with django_capture_on_commit_callbacks(execute=True):
        r = client_for(people.city).post(reverse("sampling:draw_create"),
                                         {"seed": "20220315", "method": "pps", "background": "on"})
    job = Job.objects.get()
    assert r.status_code == 302 and r["Location"].endswith(f"?job={job.pk}")
    assert not SchoolDraw.objects.exists()  # nothing drawn in the request
    assert draw_schools.call(job.pk, job.version) == "done"
    job.refresh_from_db()
    d = SchoolDraw.objects.get()
    assert job.state == JobState.DONE and job.result_url == reverse("sampling:draw", kwargs={"draw_id": d.pk})
    assert signature(d) == expected and d.seed == 20220315


def test_a_refused_draw_says_why_and_a_retry_keeps_the_seed(sampling_world: World, cycle: Cycle, people: People,
                                                             django_capture_on_commit_callbacks: Any) -> None:
    approve_frame(cycle, sampling_world.county_a)
    with django_capture_on_commit_callbacks(execute=True):
        client_for(people.city).post(reverse("sampling:draw_create"), {"method": "pps", "background": "on"})
    job = Job.objects.get()
    seed = job.params["seed"]
    assert isinstance(seed, int)  # fixed at submission though left empty
    with pytest.raises(JobError):
        draw_schools.call(job.pk, job.version)
    job.refresh_from_db()
    assert job.state == JobState.FAILED and "进贤县（未开始）" in job.error
    approve_frame(cycle, sampling_world.county_b)
    with django_capture_on_commit_callbacks(execute=True):
        job_retry(job=job, actor=people.city, version=job.version)
    job.refresh_from_db()
    assert draw_schools.call(job.pk, job.version) == "done"
    assert SchoolDraw.objects.get().seed == seed
