from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest

from jiance import clock
from jiance.accounts.models import Role
from jiance.cycles.models import Cycle, CycleStatus
from jiance.testday.models import TestRoom
from jiance.units.models import Unit
from jiance_core.cycles.loader import shipped_templates
from tests.factories import World, make_user
from tests.hashers import fast_hasher  # noqa: F401  (autouse: MD5 passwords in this folder)
from tests.rosters.builders import ENTRY_TIME, publish_draw


@pytest.fixture(autouse=True)
def entry_clock() -> Any:
    with clock.frozen(ENTRY_TIME):
        yield


def make_staffing_cycle(world: World, template: str = "national-2022") -> Cycle:
    config = shipped_templates()[template].model_dump(mode="json")
    cycle = Cycle.objects.create(code=f"{template}-t", year=2022, name="2022年国家义务教育质量监测",
                                 status=CycleStatus.ACTIVE, config=config)
    publish_draw(cycle, world)
    return cycle


def add_rooms(cycle: Cycle, school: Unit, n: int, kind: str = "paper") -> list[TestRoom]:
    return [TestRoom.objects.create(cycle=cycle, school=school, stage="primary", number=i, kind=kind, students=30,
                                    rows=6, columns=5, pattern="vertical", created_at=clock.now())
            for i in range(1, n + 1)]


@dataclass
class Staff:
    county_a: Any  # 南昌县 admin
    county_a_info: Any
    county_b: Any  # 进贤县 admin
    city: Any
    school_a1: Any  # 莲塘一小 information officer
    school_a2: Any


@pytest.fixture
def cycle(world: World) -> Cycle:
    return make_staffing_cycle(world)


@pytest.fixture
def staff(world: World) -> Staff:
    return Staff(
        county_a=make_user("ca", Role.COUNTY_ADMIN, world.county_a, full_name="熊文斌"),
        county_a_info=make_user("ci", Role.COUNTY_INFO_OFFICER, world.county_a),
        county_b=make_user("cb", Role.COUNTY_ADMIN, world.county_b),
        city=make_user("city", Role.CITY_ADMIN, world.city),
        school_a1=make_user("sa1", Role.SCHOOL_INFO_OFFICER, world.school_a1),
        school_a2=make_user("sa2", Role.SCHOOL_INFO_OFFICER, world.school_a2),
    )
