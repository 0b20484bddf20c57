"""Builders for incident tests: a sample school with one test room of 30 seated students, the
people of the chain, and the national (or Chongqing) incident section in the cycle."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.utils import timezone

from jiance import clock
from jiance.accounts.models import Role
from jiance.accounts.scoping import Scope
from jiance.cycles.models import Cycle
from jiance.incidents.services import IncidentInput, incident_record
from jiance.testday.models import Seat, TestRoom
from jiance.units.models import Unit
from jiance_core.cycles.loader import SHIPPED_TEMPLATES_DIR, load_template
from tests.factories import World, make_user
from tests.testday.builders import sample_school

BEIJING = dt.timezone(dt.timedelta(hours=8))


def at(hh: int, mm: int = 0, day: int = 25) -> dt.datetime:
    """A moment of test day (2022-05-25) in Beijing time."""
    return timezone.make_aware(dt.datetime(2022, 5, day, hh, mm), timezone=BEIJING)


def incidents_section(template: str) -> dict[str, Any]:
    rules = load_template(SHIPPED_TEMPLATES_DIR / f"{template}.yaml").incidents
    assert rules is not None
    return rules.model_dump(mode="json")


@dataclass
class People:
    officer_a1: Any
    principal_a1: Any
    proctor_a1: Any
    inspector_a: Any
    county_a: Any
    liaison_a: Any
    city: Any
    supervisor: Any
    officer_b1: Any
    county_b: Any

    def scope(self, who: str) -> Scope:
        return Scope(getattr(self, who))


def people(world: World) -> People:
    return People(
        officer_a1=make_user("officer_a1", Role.SCHOOL_INFO_OFFICER, world.school_a1, full_name="付晓婷"),
        principal_a1=make_user("principal_a1", Role.PRINCIPAL, world.school_a1),
        proctor_a1=make_user("proctor_a1", Role.PROCTOR, world.school_a1),
        inspector_a=make_user("inspector_a", Role.INSPECTOR, world.county_a, full_name="喻建国"),
        county_a=make_user("county_a", Role.COUNTY_ADMIN, world.county_a),
        liaison_a=make_user("liaison_a", Role.COUNTY_LIAISON, world.county_a),
        city=make_user("city", Role.CITY_ADMIN, world.city, full_name="刘晓燕"),
        supervisor=make_user("supervisor", Role.SUPERVISOR, world.city),
        officer_b1=make_user("officer_b1", Role.SCHOOL_INFO_OFFICER, world.school_b1),
        county_b=make_user("county_b", Role.COUNTY_ADMIN, world.county_b),
    )


def seated_room(cycle: Cycle, school: Unit, n: int = 30, absent: tuple[int, ...] = (), start: int = 0) -> TestRoom:
    """One paper room with `n` sampled students on seats 1..n (row order)."""
    students = sample_school(cycle, school, n, start=start)
    room = TestRoom.objects.create(cycle=cycle, school=school, stage="primary", number=1, kind="paper", students=n,
                                   rows=6, columns=6, pattern="vertical", created_at=clock.now())
    Seat.objects.bulk_create(Seat(room=room, seat=i + 1, row=i // 6 + 1, column=i % 6 + 1, student=s,
                                  absent=(i + 1) in absent) for i, s in enumerate(students))
    return room


def record(p: People, cycle: Cycle, school: Unit, kind: str = "student_unwell", *, grade: int | None = None,
           when: dt.datetime | None = None, **kw: Any) -> Any:
    data = IncidentInput(kind_code=kind, occurred_at=when or clock.now(), what=kw.pop("what", "学生腹痛，无法坚持测试"),
                         actions=kw.pop("actions", "交医护人员处理"), grade=grade, **kw)
    return incident_record(scope=p.scope("officer_a1"), cycle=cycle, school=school, data=data, actor=p.officer_a1)
