"""A 2024 national cycle (the shipped template) with a published sample: 南昌县 has two sample
schools, 进贤县 one; an office at each level."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from django.utils import timezone

from jiance import clock
from jiance.accounts.models import Role, User
from jiance.accounts.scoping import Scope
from jiance.cycles.models import Cycle, CycleStatus
from jiance.documents.kinds import Kind, kind_of
from jiance.sampling.models import DrawStatus, RowStatus, SampledSchool, SchoolDraw
from jiance.units.models import Unit
from jiance_core.cycles import load_template
from tests.factories import World, make_user

TEMPLATE = Path(__file__).resolve().parents[2] / "jiance" / "cycles" / "templates_data" / "national-2024.yaml"
BJ = dt.timezone(dt.timedelta(hours=8))


def at(day: str, hour: int = 10) -> dt.datetime:
    return timezone.make_aware(dt.datetime.fromisoformat(day).replace(hour=hour), timezone=BJ)


@dataclass
class Docs:
    world: World
    cycle: Cycle
    school_info: User
    principal: User
    county_a: User
    county_b: User
    city: User
    school_b_info: User

    def kind(self, code: str) -> Kind:
        k = kind_of(self.cycle, code)
        assert k is not None
        return k

    def scope(self, user: User) -> Scope:
        return Scope(user)


def publish_sample(cycle: Cycle, world: World, schools: list[Unit]) -> None:
    d = SchoolDraw.objects.create(cycle=cycle, owner=world.city, seed=7, frame_hash="0" * 64, plan={},
                                  counties=[world.county_a.code, world.county_b.code], created_at=clock.now())
    for i, school in enumerate(schools):
        SampledSchool.objects.create(
            draw=d, county=school.parent, stage="primary", school=school, role="sample",
            selection_probability=0.5, base_weight=2.0, planned_students=30, frame_order=i,
            school_type=school.school_type, area=school.area, status=RowStatus.IN_SAMPLE)
    SchoolDraw.objects.filter(pk=d.pk).update(status=DrawStatus.PUBLISHED, published_hash="1" * 64, sample_hash="1" * 64)


@pytest.fixture
def docs(world: World) -> Docs:
    config: dict[str, Any] = load_template(TEMPLATE).model_dump(mode="json")
    cycle = Cycle.objects.create(code="national-2024", year=2024, name="2024 年国家义务教育质量监测",
                                 status=CycleStatus.ACTIVE, config=config, programme="national")
    publish_sample(cycle, world, [world.school_a1, world.school_a2, world.school_b1])
    return Docs(
        world=world, cycle=cycle,
        school_info=make_user("a1.info", Role.SCHOOL_INFO_OFFICER, world.school_a1),
        principal=make_user("a1.principal", Role.PRINCIPAL, world.school_a1),
        county_a=make_user("ka.admin", Role.COUNTY_ADMIN, world.county_a),
        county_b=make_user("kb.admin", Role.COUNTY_ADMIN, world.county_b),
        city=make_user("city.admin", Role.CITY_ADMIN, world.city),
        school_b_info=make_user("b1.info", Role.SCHOOL_INFO_OFFICER, world.school_b1),
    )
