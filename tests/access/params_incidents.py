"""URL parameters of jiance.incidents routes for the access walk.

Ids are distinctive because the walk blanks argument values out of response bodies.
"""

from __future__ import annotations

from jiance.units.models import Level, Unit
from tests.access.registry import param

ID_BASE = 87_000_000


def _cycle():  # type: ignore[no-untyped-def]
    from jiance.cycles.models import Cycle

    cycle, _ = Cycle.objects.get_or_create(
        code="walk-2022", defaults={"year": 2022, "name": "走查周期", "config": {"test_days": []}}
    )
    return cycle


@param("incident_id", missing="999999999")
def incident_id(school: Unit) -> str:
    """An incident the school recorded (waiting for the inspector)."""
    from jiance import clock
    from jiance.incidents.models import Incident, IncidentStatus

    now = clock.now()
    incident, _ = Incident.objects.get_or_create(
        pk=ID_BASE + school.pk,
        defaults={"cycle": _cycle(), "school": school, "status": IncidentStatus.RECORDED, "kind_code": "student_unwell",
                  "kind_name": "个别学生身体不适，不能坚持完成测试", "grade": 1, "reported_grade": 1, "occurred_at": now,
                  "what": "走查事件", "created_at": now, "updated_at": now, "recorded_at": now},
    )
    # where the world has a sample (the release walk), the incident concerns a sampled student: its
    # pages must not name them before the release time
    from jiance.incidents.models import IncidentStudent
    from jiance.rosters.models import SampledStudent

    sampled = SampledStudent.objects.filter(school=school).first()
    if sampled is not None:
        IncidentStudent.objects.get_or_create(incident=incident, student_id=sampled.student_id)
    return str(incident.pk)


@param("call_id", missing="999999999")
def call_id(school: Unit) -> str:
    """A call to the supervision line of the school's county, about the school."""
    from jiance import clock
    from jiance.incidents.models import HotlineCall

    county = school.ancestors().filter(level=Level.COUNTY).first() or school
    call, _ = HotlineCall.objects.get_or_create(
        pk=ID_BASE + 100_000 + school.pk,
        defaults={"cycle": _cycle(), "county": county, "school": school, "at": clock.now(), "caller": "走查来电",
                  "content": "走查来电内容", "logged_at": clock.now()},
    )
    return str(call.pk)
