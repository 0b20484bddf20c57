"""URL parameters of jiance.fieldtest routes for the access walk.

`student_id` is a sampled student of the school (the save view is POST-only: the walk's GET
answers 405, which the walk accepts for POST routes); `card_id` a card entered for them."""

from __future__ import annotations

from jiance.units.models import Unit
from tests.access.registry import param


@param("student_id", missing="999999999")
def student_id(school: Unit) -> str:
    from jiance.rosters.models import SampledStudent

    sampled = SampledStudent.objects.filter(school=school).first()
    return str(sampled.student_id) if sampled is not None else "999999998"


@param("card_id", missing="999999999")
def card_id(school: Unit) -> str:
    from jiance import clock
    from jiance.fieldtest.models import FieldCard
    from jiance.rosters.models import SampledStudent

    sampled = SampledStudent.objects.filter(school=school).select_related("student", "roster").first()
    if sampled is None:
        return "999999998"
    user = school.role_assignments.select_related("user").first()
    if user is None:
        return "999999998"
    now = clock.now()
    card, _ = FieldCard.objects.get_or_create(
        cycle=sampled.roster.cycle, student=sampled.student,
        defaults={"school": school, "grade": sampled.roster.grade, "sex": sampled.student.sex,
                  "entered_by": user.user, "entered_who": f"u{user.user_id}", "entered_at": now, "updated_at": now})
    return str(card.pk)
