"""URL parameters of jiance.sampling routes for the access walk.

Each factory builds, for a school, a published draw of the school's city holding one row for
that school (and a pending replacement request on it), so every id belongs to the school's
branch. Ids are distinctive because the walk blanks argument values out of response bodies.
"""

from __future__ import annotations

from jiance.units.models import Level, Unit
from tests.access.registry import param

ID_BASE = 78_000_000


def _city(school: Unit) -> Unit:
    city = school.ancestors().filter(level=Level.CITY).first()
    assert city is not None, "walk schools sit below a city"
    return city


def _row(school: Unit):  # type: ignore[no-untyped-def]
    """One published draw per school (each in its own cycle, so a city may hold several)."""
    from jiance import clock
    from jiance.cycles.models import Cycle
    from jiance.sampling.models import DrawStatus, RowStatus, SampledSchool, SchoolDraw

    row = SampledSchool.objects.filter(pk=ID_BASE + 500_000 + school.pk).first()
    if row is not None:
        return row
    cycle, _ = Cycle.objects.get_or_create(
        code=f"walk-sampling-{school.code}", defaults={"year": 2022, "name": "走查周期", "config": {}}
    )
    draw = SchoolDraw.objects.create(
        pk=ID_BASE + school.pk, cycle=cycle, owner=_city(school), seed=1, frame_hash="0" * 64, plan={},
        counties=[school.parent.code], created_at=clock.now(),
    )
    row = SampledSchool.objects.create(
        pk=ID_BASE + 500_000 + school.pk, draw=draw, county=school.parent, stage="primary", school=school,
        role="sample", selection_probability=0.5, base_weight=2.0, planned_students=30,
        school_type=school.school_type or "小学", area=school.area or "城区", status=RowStatus.IN_SAMPLE,
    )
    SchoolDraw.objects.filter(pk=draw.pk).update(
        status=DrawStatus.PUBLISHED, published_hash="1" * 64, sample_hash="1" * 64
    )
    return row


@param("draw_id", missing="999999999")
def draw_id(school: Unit) -> str:
    return str(_row(school).draw_id)


@param("sampled_id", missing="999999999")
def sampled_id(school: Unit) -> str:
    return str(_row(school).pk)


@param("replacement_id", missing="999999999")
def replacement_id(school: Unit) -> str:
    from jiance import clock
    from jiance.sampling.models import ReplacementRequest, RequestStatus

    row = _row(school)
    req = ReplacementRequest.objects.filter(sampled_school=row, status=RequestStatus.PENDING).first()
    if req is None:
        req = ReplacementRequest.objects.create(
            pk=ID_BASE + 900_000 + school.pk, sampled_school=row, reason_kind="other", reason="走查",
            requested_at=clock.now(),
        )
    return str(req.pk)
