"""Test-day demo, the computer room (phase "testday", standing on the second test day at 10:30).

The demo school reported a computer room (一号机房, its students' PCs and 3 spare PCs, seed 003),
which holds its last test room; the demo cycle lets primary English be taken on paper or on a
computer (`mode_by_stage`), so that room takes the English test (10:20–11:20) on screen with the
**example** English bank (【示例题目】; real items never ship). At 10:30 the console shows a room
in progress: the technician prepared at 10:10 and started at 10:20; the students signed in with
their slips at their PCs and were authorised together; most are working and have saved a few
answers; one PC's screen went black at 10:23 and its student was moved to a spare PC (signed in
there at 10:25 and continues with the time the server kept); one student is paused since 10:26
(mouse replaced); two handed in the short test; one latecomer is authorised but has not started,
another waits for authorisation. Through the real services, each step inside `clock.frozen`.

Accounts: school.tech (the technician's 准备考试/开始考试/结束考试), school.proctor and
school.chief (authorise, pause, extra time, move) open `/cbt/school/<demo school code>/`."""

from __future__ import annotations

import contextlib
import datetime as dt
import uuid
from pathlib import Path
from typing import Any

from django.db.models import ProtectedError
from django.utils import timezone

from jiance import clock
from jiance.accounts.models import User
from jiance.accounts.scoping import Scope
from jiance.cbt.models import Delivery
from jiance.cbt.services.bank import bank_import
from jiance.cbt.services.console import cbt_sessions, delivery_act, room_act, sitting_act
from jiance.cbt.services.student import response_save, slips_issue, student_login, student_submit
from jiance.cycles.models import Cycle
from jiance.proctoring.models import CheckIn, Presence
from jiance.questionnaires.models import Respondent
from jiance.testday.models import ComputerRoom, RoomKind, Seat, TestRoom
from jiance.units.models import Unit
from jiance.web.demo.recordings import build_recordings

EXAMPLE = Path(__file__).resolve().parents[2] / "cbt" / "examples" / "english-example.json"
SUBJECT = "english"
SPARE_PCS = 3


def _at(day: dt.date, hh: int, mm: int, ss: int = 0) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hh, mm, ss)))


def _computer_room(cycle: Cycle, school: Unit) -> TestRoom | None:
    """The school's last test room becomes its reported computer room (the plan is fixed by now,
    so the room is switched here rather than re-planned): one PC per student and 3 spares."""
    room = TestRoom.objects.filter(cycle=cycle, school=school).order_by("stage", "number").last()
    if room is None or room.stage != "primary":
        return None
    students = Seat.objects.filter(room=room, student__isnull=False).count()
    lab = ComputerRoom.objects.create(cycle=cycle, school=school, name="一号机房", pcs=students + SPARE_PCS,
                                      created_at=clock.now())
    room.kind, room.computer_room, room.computer_room_name = RoomKind.COMPUTER, lab, lab.name
    room.save(update_fields=["kind", "computer_room", "computer_room_name"])
    last = max(Seat.objects.filter(room=room, student__isnull=False).values_list("seat", flat=True), default=0)
    with contextlib.suppress(ProtectedError):  # a desk someone recorded something at stays
        Seat.objects.filter(room=room, student__isnull=True, seat__gt=last + SPARE_PCS).delete()
    return room


def _english_on_screen(cycle: Cycle) -> None:
    config = dict(cycle.config or {})
    subjects = [dict(s) for s in config.get("subjects") or []]
    for s in subjects:
        if s.get("code") == SUBJECT:
            s["mode_by_stage"] = {**(s.get("mode_by_stage") or {}), "primary": "paper_or_computer"}
    config["subjects"] = subjects
    cycle.config = config
    cycle.save(update_fields=["config"])


# What the working students answered by 10:29 (item -> response), in the order they answer.
ANSWERS: dict[int, list[tuple[str, Any]]] = {
    1: [("EX-E-001", "A"), ("EX-E-002", "A"), ("EX-E-003", ["A", "C"]), ("EX-E-004", "Wednesday")],
    2: [("EX-E-002", "A"), ("EX-E-005", ["A", "B", "C"]), ("EX-E-006", ["S1 T2", "S2 T3", "S3 T1"]),
        ("EX-E-004", "Wensday")],
}


def build_cbt(*, cycle: Cycle, demo_school: Unit, users: dict[str, User], today: dt.date) -> dict[str, int]:
    """The demo school's computer room in the English test at 10:30 (see the module). Returns
    the deliveries by state."""
    if not {"school.tech", "school.proctor"} <= set(users):
        return {}
    with clock.frozen(_at(today, 10, 0)):
        room = _computer_room(cycle, demo_school)
        if room is None:
            return {}
        _english_on_screen(cycle)
        bank_import(cycle=cycle, content=EXAMPLE.read_bytes(), filename=EXAMPLE.name, actor=users.get("centre.admin"))
        slips_issue(room=room)
    session = next((s for s in cbt_sessions(room) if s.subject == SUBJECT and s.day == today), None)
    if session is None:
        return {}
    tech, proctor = Scope(users["school.tech"]), Scope(users["school.proctor"])
    present = set(CheckIn.objects.filter(run__room=room, run__session=session.code, status=Presence.PRESENT)
                  .values_list("seat_id", flat=True))
    seats = [s for s in Seat.objects.filter(room=room, student__isnull=False).order_by("seat")
             if not present or s.pk in present]
    if len(seats) < 8:
        return {}
    slips = dict(Respondent.objects.filter(cycle=cycle, student_id__in=[s.student_id for s in seats])
                 .values_list("student_id", "pk"))
    by_pk = Respondent.objects.in_bulk(list(slips.values()))

    def sign_in(seat: Seat, when: dt.datetime, pc: int | None = None) -> Delivery:
        assert seat.student_id is not None
        slip = by_pk[slips[seat.student_id]]
        with clock.frozen(when):
            return student_login(room_id=room.pk, seat_number=pc or seat.seat, login=slip.login or "", code=slip.code)

    def proctor_act(d: Delivery, action: str, when: dt.datetime, **kw: Any) -> Delivery:
        d.refresh_from_db()
        with clock.frozen(when):
            return delivery_act(scope=proctor, delivery=d, action=action, actor=proctor.user, version=d.version,
                                **kw)

    def answer(d: Delivery, when: dt.datetime, upto: int) -> None:
        d.refresh_from_db()
        for n, (name, value) in enumerate(ANSWERS.get(d.booklet, ANSWERS[1])[:upto], start=1):
            moment = when + dt.timedelta(seconds=30 * n)
            with clock.frozen(moment):
                response_save(delivery=d, token=d.token, name=name, raw=value, seq=n,
                              client_id=uuid.UUID(int=(d.pk << 16) + n), at=moment)

    *on_time, late_authorised, late_waiting = seats
    with clock.frozen(_at(today, 10, 10)):
        sitting_act(scope=tech, room=room, session=session.code, action="prepare", actor=tech.user, version=None)
    deliveries = [sign_in(seat, _at(today, 10, 12) + dt.timedelta(seconds=9 * k)) for k, seat in enumerate(on_time)]
    with clock.frozen(_at(today, 10, 17)):
        room_act(scope=proctor, room=room, session=session.code, action="authorise_all", actor=proctor.user,
                 version=None)
    with clock.frozen(_at(today, 10, 20)):
        sitting_act(scope=tech, room=room, session=session.code, action="start", actor=tech.user, version=None)
    for k, d in enumerate(deliveries):
        # stamped in order: the moved and the paused student's answers come before 10:23
        answer(d, _at(today, 10, 20, 30) + dt.timedelta(seconds=5 * k), upto=1 + k % 4)
    moved, paused, done = deliveries[3], deliveries[6], deliveries[1:3]
    spare = min(s for s in Seat.objects.filter(room=room, student__isnull=True).values_list("seat", flat=True))
    proctor_act(moved, "move", _at(today, 10, 23), reason="显示器黑屏，重启无效", to_seat=spare)
    sign_in(on_time[3], _at(today, 10, 25), pc=spare)
    proctor_act(paused, "pause", _at(today, 10, 26), reason="鼠标失灵，正在更换鼠标")
    for k, d in enumerate(done):
        answer(d, _at(today, 10, 24), upto=4)
        with clock.frozen(_at(today, 10, 27, 30 * k)):
            student_submit(delivery=d)
    working = [d for d in deliveries if d.pk not in {moved.pk, paused.pk, *(x.pk for x in done)}]
    build_recordings(working=working, at=_at(today, 10, 27))
    late = sign_in(late_authorised, _at(today, 10, 28))
    proctor_act(late, "authorise", _at(today, 10, 29))
    sign_in(late_waiting, _at(today, 10, 29, 20))
    states: dict[str, int] = {}
    for status in Delivery.objects.filter(sitting__room=room).values_list("status", flat=True):
        states[status] = states.get(status, 0) + 1
    return states
