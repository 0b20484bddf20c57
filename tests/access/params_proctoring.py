"""URL parameters of jiance.proctoring routes for the access walk.

The test room is the one the testday factories create (and the release walk seats its secret
sample in), so the room page is walked with students behind it in the release walk."""

from __future__ import annotations

from jiance.units.models import Unit
from tests.access.params_testday import ID_BASE as TESTDAY_BASE
from tests.access.params_testday import _cycle
from tests.access.registry import param

ID_BASE = 87_000_000
SESSION = "s1-chinese"  # the first session of the walk cycle's sessions (tests.testday.builders)


def _room(school: Unit):  # type: ignore[no-untyped-def]
    from jiance import clock
    from jiance.testday.models import TestRoom

    room, _ = TestRoom.objects.get_or_create(
        pk=TESTDAY_BASE + 100_000 + school.pk,
        defaults={"cycle": _cycle(), "school": school, "stage": "primary", "number": 1, "kind": "paper",
                  "students": 0, "rows": 7, "columns": 6, "pattern": "vertical", "created_at": clock.now()},
    )
    return room


@param("test_room_id", missing="999999999")
def test_room_id(school: Unit) -> str:
    """The school's first test room."""
    return str(_room(school).pk)


@param("session", missing="no-such-session", shared=True)
def session(school: Unit) -> str:
    """A session code is the cycle's vocabulary, the same for every branch."""
    return SESSION


@param("run_id", missing="999999999")
def run_id(school: Unit) -> str:
    """The first room's run of the first session, paused (the state the city may cancel from)."""
    import datetime as dt

    from jiance import clock
    from jiance.proctoring.models import RunStatus, SessionRun

    room = _room(school)
    run, _ = SessionRun.objects.get_or_create(
        pk=ID_BASE + school.pk,
        defaults={"cycle": room.cycle, "school": school, "room": room, "session": SESSION,
                  "day": dt.date(2022, 5, 25), "status": RunStatus.PAUSED, "paused_since": clock.now(),
                  "pause_reason": "走查停电"},
    )
    return str(run.pk)


@param("case_id", missing="999999999")
def case_id(school: Unit) -> str:
    """A staff discipline case of the school (no student: nothing secret behind it)."""
    from jiance import clock
    from jiance.proctoring.models import DisciplineCase

    case, _ = DisciplineCase.objects.get_or_create(
        pk=ID_BASE + 100_000 + school.pk,
        defaults={"cycle": _cycle(), "school": school, "kind": "staff", "offence": "other",
                  "offence_text": "其他", "person_name": "走查人员", "description": "走查",
                  "at": clock.now(), "recorded_at": clock.now()},
    )
    return str(case.pk)
