"""Test-day demo, the rooms (phase "testday", standing on the second test day at
`DEMO_TESTDAY_TIME`, 10:30). Day 1 is complete: every room of the demo county checked in its
students before each session (about one in twenty absent for the day, never replaced), ran the
session from its start to its end time and ended it; one room paused 09:05–09:25 for a power cut
and ran that much longer; a student at the demo school left unwell during the Chinese test (absent
afterwards) and another's participation ended for an offence the inspector confirmed. Day 2 is in
progress: the arts test ended at 09:50 everywhere but one room, paused since 09:20 for another
power cut (past the hour at 10:30, so nanchang.admin may cancel it); the English test started at
10:20 in most rooms, one school is still checking in, and one student offence waits for the
inspector. Through the real services, deterministic, each step inside `clock.frozen` at its
moment."""

from __future__ import annotations

import contextlib
import datetime as dt
from collections.abc import Iterator

from django.utils import timezone

from jiance import clock
from jiance.accounts.models import Role, User
from jiance.accounts.scoping import Scope
from jiance.cycles.models import Cycle
from jiance.proctoring.discipline import CaseInput, case_decide, case_record
from jiance.proctoring.models import CheckIn, Presence, ProctoringError
from jiance.proctoring.services import checkin_mark, run_act
from jiance.testday.models import Seat, TestRoom
from jiance.testday.selectors import sessions_for
from jiance.units.models import Unit
from jiance.web.demo.common import acting, stand_in

PAUSE_DAY1 = (dt.time(9, 5), dt.time(9, 25))
PAUSE_DAY2 = dt.time(9, 20)


def _moment(day: dt.date, t: dt.time, minutes: int = 0) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, t)) + dt.timedelta(minutes=minutes)


@contextlib.contextmanager
def _frozen(at: dt.datetime) -> Iterator[None]:
    with clock.frozen(at):
        yield


def _hm(text: str) -> dt.time:
    return dt.time.fromisoformat(text[:5])


def build_proctoring(*, cycle: Cycle, county: Unit, demo_school: Unit, users: dict[str, User],
                     today: dt.date) -> dict[str, int]:
    """`today` is the day the demo stands on (the second test day); every earlier test day is
    complete, and `today` runs up to the clock's now."""
    now = clock.now()
    rooms = list(TestRoom.objects.filter(cycle=cycle, school__parent=county).select_related("school", "cycle")
                 .order_by("school__code", "stage", "number"))
    schools = list(dict.fromkeys(r.school for r in rooms))
    counts = {"rooms": 0, "runs": 0, "checked_in": 0, "absent": 0, "cases": 0}
    if not schools:
        return counts
    others = [s for s in schools if s.pk != demo_school.pk]
    late_school = others[-1].pk if len(others) > 2 else None  # still checking in for the English test
    paused_day1 = next((r for r in rooms if others and r.school.pk == others[0].pk), None)
    paused_today = next((r for r in rooms if len(others) > 1 and r.school.pk == others[1].pk), None)
    demo_rooms = [r for r in rooms if r.school.pk == demo_school.pk]
    first_demo = demo_rooms[0] if demo_rooms else None

    def scope_of(room: TestRoom) -> Scope:
        if room.school.pk == demo_school.pk and "school.chief" in users:
            return Scope(users["school.chief"])
        return stand_in(room.school, Role.CHIEF_PROCTOR)

    def act(scope: Scope, room: TestRoom, code: str, action: str, at: dt.datetime, reason: str = "") -> None:
        with _frozen(at), acting(scope):
            run_act(scope=scope, room=room, session=code, action=action, actor=scope.user, version=None, reason=reason)

    for room in rooms:
        scope = scope_of(room)
        seats = list(Seat.objects.filter(room=room, student__isnull=False).order_by("seat"))
        counts["rooms"] += 1
        lines = [s for s in sessions_for(cycle, room.stage) if s.day <= today]
        for line in lines:
            start = _moment(line.day, _hm(line.start))
            if start - dt.timedelta(minutes=20) > now:
                continue  # not yet time to check in
            end = _moment(line.day, _hm(line.end)) if line.end else None
            day_number = sorted(cycle.test_days).index(line.day)
            checking_late = (line.day == today and room.school.pk == late_school and start <= now
                             and (end is None or now < end))  # the session under way at the demo's moment
            for k, seat in enumerate(seats):
                at = start - dt.timedelta(minutes=20) + dt.timedelta(minutes=k % 15)
                if at > now or (checking_late and k >= len(seats) // 2):
                    break
                absent = ((k + day_number) * 7 + room.number) % 23 == 5  # about one in twenty, for the day
                with _frozen(at), acting(scope):
                    try:
                        checkin_mark(scope=scope, room=room, session=line.code, actor=scope.user,
                                     seat_number=seat.seat, status=Presence.ABSENT if absent else Presence.PRESENT,
                                     reason="sick" if absent else "", how="tap")
                    except ProctoringError:
                        continue  # left unwell or ended by an offence in an earlier session: not checked in again
                counts["absent" if absent else "checked_in"] += 1
            if start > now or checking_late:
                continue
            act(scope, room, line.code, "start", start)
            counts["runs"] += 1
            extra = dt.timedelta(0)
            if room == paused_day1 and line.day != today and _moment(line.day, PAUSE_DAY1[0]) > start \
                    and end is not None and _moment(line.day, PAUSE_DAY1[0]) < end:
                act(scope, room, line.code, "pause", _moment(line.day, PAUSE_DAY1[0]), "学校停电，供电部门抢修中")
                act(scope, room, line.code, "resume", _moment(line.day, PAUSE_DAY1[1]))
                extra = _moment(line.day, PAUSE_DAY1[1]) - _moment(line.day, PAUSE_DAY1[0])
            if room == paused_today and line.day == today and end is not None \
                    and start < _moment(today, PAUSE_DAY2) < end and _moment(today, PAUSE_DAY2) <= now:
                act(scope, room, line.code, "pause", _moment(today, PAUSE_DAY2), "监测室所在教学楼停电，供电部门抢修中")
                break  # the power is still off: the school's later sessions wait
            if first_demo is not None and room == first_demo and line == lines[0] and len(seats) > 5:
                _offence_and_illness(cycle, room, line.code, seats, scope, users, start, counts)
            if line.day == today and room.school.pk != demo_school.pk and counts["cases"] == 1 and len(seats) > 4 \
                    and _moment(today, dt.time(9, 10)) >= start and end is not None and _moment(today, dt.time(9, 10)) < end:
                with _frozen(_moment(today, dt.time(9, 10))), acting(scope):
                    case_record(scope=scope, cycle=cycle, school=room.school, actor=scope.user, data=CaseInput(
                        kind="student", offence="student-1-2", room=room, session=line.code,
                        seat_number=seats[4].seat,
                        description="偷看邻座答题卡，经监测员提醒后仍不改正；已收回题本和答题卡。"))
                counts["cases"] += 1
            if end is not None and end + extra <= now:
                act(scope, room, line.code, "end", end + extra)
    return counts


def _offence_and_illness(cycle: Cycle, room: TestRoom, code: str, seats: list[Seat], scope: Scope,
                         users: dict[str, User], start: dt.datetime, counts: dict[str, int]) -> None:
    """The demo school's first room in its first session: a student leaves unwell at 09:35 (the
    grade-1 incident of `incidents.py`), another's participation ends for an offence at 09:40,
    which the inspector confirms at 10:00."""
    present = set(CheckIn.objects.filter(run__room=room, run__session=code, status=Presence.PRESENT)
                  .values_list("seat_id", flat=True))
    here = [s for s in seats if s.pk in present]
    if len(here) < 4:
        return
    ill, offender = here[2], here[3]
    with _frozen(start + dt.timedelta(minutes=35)), acting(scope):
        checkin_mark(scope=scope, room=room, session=code, actor=scope.user, seat_number=ill.seat,
                     status=Presence.LEFT, reason="sick", how="tap")
    with _frozen(start + dt.timedelta(minutes=40)), acting(scope):
        case = case_record(scope=scope, cycle=cycle, school=room.school, actor=scope.user, data=CaseInput(
            kind="student", offence="student-1-2", room=room, session=code, seat_number=offender.seat,
            description="与邻座互打手势，经主监测员两次劝阻仍不改正；已收回题本和答题卡。"))
    counts["cases"] += 1
    inspector = users.get("ncx.inspector")
    if inspector is not None:
        with _frozen(start + dt.timedelta(minutes=60)):
            case_decide(scope=Scope(inspector), case=case, confirm=True, actor=inspector, version=None,
                        comment="经核实，情况属实。")
