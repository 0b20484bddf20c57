"""Builders for custody tests: a two-day 2022 cycle with the national custody rules, rooms."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import timezone

from jiance import clock
from jiance.accounts.models import Role
from jiance.custody import pins
from jiance.cycles.models import Cycle, CycleStatus
from jiance.testday.models import TestRoom
from jiance.units.models import Unit
from jiance_core.cycles import load_template
from jiance_core.cycles.loader import SHIPPED_TEMPLATES_DIR
from tests.factories import PASSWORD, World, make_user

DAY1 = dt.date(2022, 5, 25)
DAY2 = dt.date(2022, 5, 26)
PIN = "482913"


def at(day: dt.date, hm: str) -> dt.datetime:
    h, m = (int(x) for x in hm.split(":"))
    return timezone.make_aware(dt.datetime.combine(day, dt.time(h, m)))


def custody_rules(name: str = "national-2022") -> dict[str, Any]:
    t = load_template(SHIPPED_TEMPLATES_DIR / f"{name}.yaml")
    assert t.custody is not None
    return t.custody.model_dump(mode="json")


def custody_cycle(**config: Any) -> Cycle:
    return Cycle.objects.create(
        code="national-2022", year=2022, name="2022 年国家义务教育质量监测", status=CycleStatus.ACTIVE,
        config={"grades": {"primary": 4, "junior": 8}, "test_days": [DAY1.isoformat(), DAY2.isoformat()],
                "custody": custody_rules(), **config},
    )


def rooms(cycle: Cycle, school: Unit, n: int = 1, *, stage: str = "primary", computer: int = 0) -> None:
    for i in range(1, n + computer + 1):
        TestRoom.objects.create(cycle=cycle, school=school, stage=stage, number=i,
                                kind="paper" if i <= n else "computer", students=30, rows=6, columns=5,
                                pattern="S", created_at=clock.now())


class People:
    def __init__(self, world: World) -> None:
        self.county_keeper = make_user("ncx.custodian", Role.CUSTODIAN, world.county_a)
        self.county_admin = make_user("ncx.admin", Role.COUNTY_ADMIN, world.county_a)
        self.school_keeper = make_user("a1.custodian", Role.CUSTODIAN, world.school_a1)
        self.chief = make_user("a1.chief", Role.CHIEF_PROCTOR, world.school_a1)
        self.city_admin = make_user("nc.admin", Role.CITY_ADMIN, world.city)
        self.other_keeper = make_user("jx.custodian", Role.CUSTODIAN, world.county_b)
        for user in (self.school_keeper, self.county_keeper, self.other_keeper, self.chief):
            pins.pin_set(user=user, password=PASSWORD, pin=PIN)
