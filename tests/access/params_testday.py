"""URL parameters of jiance.testday routes for the access walk.

Ids are distinctive because the walk blanks argument values out of response bodies.
"""

from __future__ import annotations

from jiance.units.models import Level, Unit
from tests.access.registry import param

ID_BASE = 86_000_000


def _cycle():  # type: ignore[no-untyped-def]
    from jiance.cycles.models import Cycle

    cycle, _ = Cycle.objects.get_or_create(
        code="walk-2022", defaults={"year": 2022, "name": "走查周期", "config": {"test_days": []}}
    )
    return cycle


@param("stage", missing="no-such-stage", shared=True)
def stage(school: Unit) -> str:
    """A stage is programme vocabulary (primary / junior), the same for every branch."""
    return "primary"


@param("kind", missing="no-such-printout", shared=True)
def printout_kind(school: Unit) -> str:
    return "checkin"


@param("room_id", missing="999999999")
def computer_room_id(school: Unit) -> str:
    """A computer room the school reported."""
    from jiance import clock
    from jiance.testday.models import ComputerRoom

    room, _ = ComputerRoom.objects.get_or_create(
        pk=ID_BASE + school.pk,
        defaults={"cycle": _cycle(), "school": school, "name": "走查机房", "pcs": 45, "created_at": clock.now()},
    )
    return str(room.pk)


@param("seat_id", missing="999999999")
def seat_id(school: Unit) -> str:
    """Seat 01 of the school's first test room (no student: the walk has no sample)."""
    from jiance import clock
    from jiance.testday.models import Seat, TestRoom

    room, _ = TestRoom.objects.get_or_create(
        pk=ID_BASE + 100_000 + school.pk,
        defaults={"cycle": _cycle(), "school": school, "stage": "primary", "number": 1, "kind": "paper",
                  "students": 0, "rows": 7, "columns": 6, "pattern": "vertical", "created_at": clock.now()},
    )
    seat, _ = Seat.objects.get_or_create(pk=ID_BASE + 200_000 + school.pk,
                                         defaults={"room": room, "seat": 1, "row": 1, "column": 1})
    return str(seat.pk)


@param("phone_id", missing="999999999")
def phone_id(school: Unit) -> str:
    """A report phone line of the school's county."""
    from jiance import clock
    from jiance.testday.models import ReportPhone

    county = school.ancestors().filter(level=Level.COUNTY).first() or school
    phone, _ = ReportPhone.objects.get_or_create(
        pk=ID_BASE + 300_000 + county.pk,
        defaults={"cycle": _cycle(), "unit": county, "label": "走查举报电话", "number": "12345678",
                  "created_at": clock.now()},
    )
    return str(phone.pk)
