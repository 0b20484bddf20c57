"""Test-day demo, the rooms: on the morning of the first test day (served from 10:10), the
first session is under way in the demo county's sample schools — students checked in from 08:10
(a few absent, never replaced), most rooms started at 09:00, two schools' rooms ended at 10:05,
one room paused since 09:05 for a power cut (past the hour at 10:10, so the city may cancel it),
one school still checking in, and one student offence awaiting the inspector's confirmation.
Through the real services, deterministic, stamped with `clock.frozen` at those moments."""

from __future__ import annotations

import contextlib
import datetime as dt
from collections.abc import Iterator

from django.utils import timezone

from jiance import clock
from jiance.accounts.models import Role, User
from jiance.accounts.scoping import Scope
from jiance.cycles.models import Cycle
from jiance.proctoring.discipline import CaseInput, case_record
from jiance.proctoring.models import Presence
from jiance.proctoring.services import checkin_mark, run_act
from jiance.testday.models import Seat, TestRoom
from jiance.testday.selectors import sessions_for
from jiance.units.models import Unit
from jiance.web.demo.common import acting, stand_in


@contextlib.contextmanager
def _at(day: dt.date, hour: int, minute: int = 0) -> Iterator[None]:
    with clock.frozen(timezone.make_aware(dt.datetime.combine(day, dt.time(hour, minute)))):
        yield


def build_proctoring(*, cycle: Cycle, county: Unit, demo_school: Unit, users: dict[str, User],
                     today: dt.date) -> dict[str, int]:
    rooms = list(TestRoom.objects.filter(cycle=cycle, school__parent=county).select_related("school", "cycle")
                 .order_by("school__code", "stage", "number"))
    schools = list(dict.fromkeys(r.school for r in rooms))
    counts = {"rooms": 0, "checked_in": 0, "absent": 0, "cases": 0}
    if not schools:
        return counts
    others = [s for s in schools if s.pk != demo_school.pk]
    ended = {s.pk for s in others[:2]} if len(others) > 3 else set()
    not_yet = schools[-1].pk if len(schools) > 2 and schools[-1].pk != demo_school.pk else None
    paused_room = next((r for r in rooms if r.school.pk != demo_school.pk and r.school.pk not in ended
                        and r.school.pk != not_yet), None)
    for room in rooms:
        first = next((s for s in sessions_for(cycle, room.stage) if s.day == today), None)
        if first is None or room.school.pk == not_yet:
            continue
        if room.school.pk == demo_school.pk and "school.chief" in users:
            scope = Scope(users["school.chief"])
        else:
            scope = stand_in(room.school, Role.CHIEF_PROCTOR)
        actor = scope.user
        counts["rooms"] += 1
        seats = list(Seat.objects.filter(room=room, student__isnull=False).order_by("seat"))
        with acting(scope):
            for k, seat in enumerate(seats):
                absent = (k * 7 + room.number) % 23 == 5  # about one in twenty, deterministic
                with _at(today, 8, 10 + k % 30):
                    checkin_mark(scope=scope, room=room, session=first.code, actor=actor, seat_number=seat.seat,
                                 status=Presence.ABSENT if absent else Presence.PRESENT,
                                 reason="sick" if absent else "", how="tap")
                counts["absent" if absent else "checked_in"] += 1
            with _at(today, 9):
                run_act(scope=scope, room=room, session=first.code, action="start", actor=actor, version=None)
            if room == paused_room:
                with _at(today, 9, 5):
                    run_act(scope=scope, room=room, session=first.code, action="pause", actor=actor, version=None,
                            reason="全校停电，供电部门抢修中")
            elif room.school.pk in ended:
                with _at(today, 10, 5):
                    run_act(scope=scope, room=room, session=first.code, action="end", actor=actor, version=None)
        if room.school.pk == demo_school.pk and counts["cases"] == 0 and len(seats) > 3:
            with _at(today, 9, 40), acting(scope):
                case_record(scope=scope, cycle=cycle, school=room.school, actor=actor, data=CaseInput(
                    kind="student", offence="student-1-2", room=room, session=first.code, seat_number=seats[3].seat,
                    description="与邻座互打手势，经主监测员两次劝阻仍不改正；已收回题本和答题卡。"))
            counts["cases"] += 1
    return counts
