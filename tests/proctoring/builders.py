"""A sample school on test day: a cycle whose sessions name their instruments, 5 sampled
students seated in one paper room, and the people who act in the room."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.utils import timezone

from jiance.accounts.models import Role, User
from jiance.cycles.models import Cycle
from jiance.testday.models import Seat, TestRoom
from jiance.testday.services import rooms_plan
from tests.factories import World, make_user
from tests.testday.builders import SESSIONS, sample_school, testday_cycle

BJ = dt.timezone(dt.timedelta(hours=8))


def at(day: int, hh: int, mm: int = 0) -> dt.datetime:
    return timezone.make_aware(dt.datetime(2022, 5, day, hh, mm), timezone=BJ)


TIMED_SESSIONS: list[dict[str, Any]] = [
    {**s, "instrument": {"s1-chinese": "chinese", "s3-arts": "arts", "s4-english": "english"}.get(s["code"])}
    for s in SESSIONS
]
for s in TIMED_SESSIONS:
    if s["instrument"] is None:
        del s["instrument"]

DISCIPLINE = {
    "staff": [{"tier": 1, "handling": "由区县政府教育督导室给予通报批评", "decided_by": "county",
               "offences": [{"code": "staff-1-1", "text": "不按规定核对学生"}]}],
    "student": [{"tier": 1, "handling": "取消监测资格，由学校进行批评教育", "decided_by": "school",
                 "ends_participation": True,
                 "offences": [{"code": "student-1-2", "text": "交头接耳，互打暗号、手势"}]}],
}


@dataclass
class Site:
    cycle: Cycle
    room: TestRoom
    seats: list[Seat]
    proctor: User
    inspector: User
    city: User


def site(world: World, n: int = 5) -> Site:
    cycle = testday_cycle(world, sessions=TIMED_SESSIONS, discipline=DISCIPLINE,
                          test_days=["2022-05-25", "2022-05-26"])
    sample_school(cycle, world.school_a1, n)
    room = rooms_plan(school=world.school_a1, cycle=cycle)[0]
    seats = list(Seat.objects.filter(room=room, student__isnull=False).select_related("student").order_by("seat"))
    return Site(cycle, room, seats,
                proctor=make_user("proctor", Role.CHIEF_PROCTOR, world.school_a1),
                inspector=make_user("inspector", Role.INSPECTOR, world.county_a),
                city=make_user("city", Role.CITY_ADMIN, world.city))
