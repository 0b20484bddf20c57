"""URL parameters of jiance.jobs routes for the access walk: a finished job with a result file,
submitted by an account of the school's city (a job is its submitter's alone: anyone else,
the walk's own person included, gets the same 404 as for a missing job)."""

from __future__ import annotations

from jiance.units.models import Unit
from tests.access.registry import param

ID_BASE = 79_000_000


@param("job_id", missing="79999999")
def job_id(school: Unit) -> str:
    from jiance import clock
    from jiance.jobs.models import Job, JobFile, JobState
    from tests.factories import make_user

    pk = ID_BASE + school.pk
    if not Job.objects.filter(pk=pk).exists():
        owner = make_user(f"walk-jobs-{school.code}", "city_admin", school.ancestors().get(level="city"))
        job = Job.objects.create(pk=pk, owner=owner, unit=school, kind="test", label="walk",
                                 state=JobState.DONE, task_path="tests.jobs.sample_tasks.write_file",
                                 created_at=clock.now())
        JobFile.objects.create(job=job, **JobFile.keep(b"x", filename="x.txt"))
    return str(pk)
