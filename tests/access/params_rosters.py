"""URL parameters of jiance.rosters routes for the access walk.

For a school, the factory builds a roster of that school (in its own walk cycle) holding one
student and one teacher, so every id belongs to the school's branch. Ids are distinctive because
the walk blanks argument values out of response bodies.
"""

from __future__ import annotations

from jiance.units.models import Unit
from tests.access.registry import param

ID_BASE = 81_000_000
# A valid GB 11643 number (check digit 0), birth date 2012-05-01.
NATIONAL_ID = "360121201205011230"


def _roster(school: Unit):  # type: ignore[no-untyped-def]
    import datetime as dt

    from jiance import clock
    from jiance.crypto import blind_index
    from jiance.cycles.models import Cycle
    from jiance.rosters.models import Roster, Student, Teacher

    roster = Roster.objects.filter(pk=ID_BASE + school.pk).first()
    if roster is not None:
        return roster
    cycle, _ = Cycle.objects.get_or_create(
        code=f"walk-rosters-{school.code}", defaults={"year": 2022, "name": "走查周期", "config": {}}
    )
    now = clock.now()
    roster = Roster.objects.create(
        pk=ID_BASE + school.pk, cycle=cycle, school=school, stage="primary", grade=4, created_at=now,
        updated_at=now,
    )
    Student.objects.create(
        pk=ID_BASE + 300_000 + school.pk, roster=roster, cycle=cycle, name="走查学生", sex="男",
        birth_date=dt.date(2012, 5, 1), national_id=NATIONAL_ID, id_index=blind_index(NATIONAL_ID),
        class_name="4年级1班", student_no="1", row=2,
    )
    Teacher.objects.create(
        pk=ID_BASE + 600_000 + school.pk, roster=roster, name="走查教师", sex="女", roles=["chinese"],
        questionnaire_role="chinese", updated_at=now,
    )
    return roster


@param("roster_id", missing="999999999")
def roster_id(school: Unit) -> str:
    return str(_roster(school).pk)


@param("student_id", missing="999999999")
def student_id(school: Unit) -> str:
    return str(ID_BASE + 300_000 + _roster(school).school_id)


@param("teacher_id", missing="999999999")
def teacher_id(school: Unit) -> str:
    return str(ID_BASE + 600_000 + _roster(school).school_id)
