"""URL parameters of jiance.aftertest routes for the access walk.

For a school, the factory samples the walk roster's student (tests.access.params_rosters) and
builds a tested-students report holding that student, so the id belongs to the school's branch.
Ids are distinctive because the walk blanks argument values out of response bodies.
"""

from __future__ import annotations

from jiance.units.models import Level, Unit
from tests.access.params_rosters import ID_BASE as ROSTER_BASE
from tests.access.params_rosters import _roster
from tests.access.registry import param

ID_BASE = 89_000_000


@param("tested_id", missing="999999999")
def tested_id(school: Unit) -> str:
    """One tested student of the school's report."""
    from jiance import clock
    from jiance.aftertest.models import TestedReport, TestedStudent
    from jiance.rosters.models import SampledStudent, Student, StudentDraw

    pk = ID_BASE + school.pk
    if TestedStudent.objects.filter(pk=pk).exists():
        return str(pk)
    roster = _roster(school)
    now = clock.now()
    owner = school.ancestors().filter(level=Level.CITY).first() or school
    draw, _ = StudentDraw.objects.get_or_create(cycle=roster.cycle, owner=owner,
                                                defaults={"seed": 1, "created_at": now})
    student = Student.objects.get(pk=ROSTER_BASE + 300_000 + school.pk)
    sampled, _ = SampledStudent.objects.get_or_create(student=student, defaults={
        "draw": draw, "roster": roster, "school": school, "school_students": 1, "sampled_students": 1,
        "selection_probability": 1.0, "within_school_weight": 1.0,
    })
    report, _ = TestedReport.objects.get_or_create(roster=roster, defaults={
        "pk": ID_BASE + 100_000 + school.pk, "cycle": roster.cycle, "school": school, "stage": roster.stage,
        "created_at": now, "updated_at": now,
    })
    TestedStudent.objects.create(pk=pk, report=report, sampled=sampled, school=school, row=1, updated_at=now)
    return str(pk)
