"""A sample school with a computer room on test day: a cycle whose math session is taken on
screen, n students seated at n PCs plus 3 spares, the example item bank, slips, the staff."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

from django.utils import timezone

from jiance import clock
from jiance.accounts.models import Role, User
from jiance.cbt.services.bank import bank_import
from jiance.cbt.services.student import slips_issue
from jiance.cycles.models import Cycle
from jiance.questionnaires.models import Respondent
from jiance.testday.models import ComputerRoom, Seat, TestRoom
from jiance.testday.services import rooms_plan
from tests.factories import World, make_user
from tests.testday.builders import SUBJECTS, sample_school, testday_cycle

BJ = dt.timezone(dt.timedelta(hours=8))
EXAMPLE = Path(__file__).resolve().parents[2] / "jiance" / "cbt" / "examples" / "math-example.json"
SESSION = "s1-math"
CBT_SESSIONS = [
    {"code": SESSION, "day": "2022-05-25", "name": "学生数学测试", "instrument": "math", "start": "09:00",
     "end": "10:20", "minutes": 80},
    {"code": "s2-q1", "day": "2022-05-25", "name": "学生相关因素问卷（一）", "start": "10:50", "end": "11:20"},
]
CBT_SUBJECTS = [*SUBJECTS, {"code": "math", "name": "数学", "mode": "computer", "booklet_forms": {"4": 2, "8": 2}}]


def at(hh: int, mm: int = 0, ss: int = 0, day: int = 25) -> dt.datetime:
    return timezone.make_aware(dt.datetime(2022, 5, day, hh, mm, ss), timezone=BJ)


@dataclass
class Lab:
    cycle: Cycle
    room: TestRoom
    seats: list[Seat]
    spares: list[Seat]
    slips: dict[int, Respondent]  # seat number -> slip
    tech: User
    proctor: User


def lab(world: World, n: int = 4) -> Lab:
    with clock.frozen(at(8, 0, day=20)):
        cycle = testday_cycle(world, sessions=CBT_SESSIONS, subjects=CBT_SUBJECTS)
        sample_school(cycle, world.school_a1, n)
        ComputerRoom.objects.create(cycle=cycle, school=world.school_a1, name="一号机房", pcs=n + 3,
                                    created_at=clock.now())
        room = rooms_plan(school=world.school_a1, cycle=cycle)[0]
        assert room.kind == "computer"
        bank_import(cycle=cycle, content=EXAMPLE.read_bytes(), filename="math-example.json", actor=None)
        slips_issue(room=room)
    seats = list(Seat.objects.filter(room=room).select_related("student").order_by("seat"))
    slips = {s.seat: Respondent.objects.get(student=s.student) for s in seats if s.student_id}
    return Lab(cycle, room, [s for s in seats if s.student_id], [s for s in seats if not s.student_id], slips,
               tech=make_user("tech", Role.TECHNICIAN, world.school_a1),
               proctor=make_user("proctor", Role.PROCTOR, world.school_a1))
