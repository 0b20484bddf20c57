from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest

from jiance import clock
from jiance.accounts.models import Role
from jiance.cycles.models import Cycle, CycleStatus, Milestone
from tests.factories import World, make_user

TODAY = dt.date(2024, 4, 10)


@pytest.fixture(autouse=True)
def frozen_day() -> Iterator[None]:
    with clock.frozen(dt.datetime(2024, 4, 10, 10, 0)):
        yield


@pytest.fixture
def cycle(world: World) -> Cycle:
    return Cycle.objects.create(code="t-2024", year=2024, name="2024 年监测", config={"test_days": []},
                                status=CycleStatus.ACTIVE)


def task(cycle: Cycle, level: str, number: int, *, deadline: dt.date | None = None, done_when: str = "",
         confirmed_by: str = "", text: str = "") -> Milestone:
    return Milestone.objects.create(cycle=cycle, level=level, number=number, phase="before",
                                    deadline=deadline or TODAY + dt.timedelta(days=5),
                                    task=text or f"{level}任务{number}", done_when=done_when,
                                    confirmed_by=confirmed_by)


@dataclass
class People:
    county_a: Any
    county_b: Any
    city: Any
    school_a1: Any
    principal_a1: Any
    liaison_a: Any


@pytest.fixture
def people(world: World) -> People:
    return People(
        county_a=make_user("ca", Role.COUNTY_ADMIN, world.county_a, full_name="南昌县实施办"),
        county_b=make_user("cb", Role.COUNTY_INFO_OFFICER, world.county_b),
        city=make_user("city", Role.CITY_ADMIN, world.city, full_name="南昌市实施办"),
        school_a1=make_user("sa1", Role.SCHOOL_INFO_OFFICER, world.school_a1),
        principal_a1=make_user("pa1", Role.PRINCIPAL, world.school_a1),
        liaison_a=make_user("la", Role.COUNTY_LIAISON, world.county_a),
    )
