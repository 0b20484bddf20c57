"""A city with two counties and enough schools to sample, their frames approved."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

import pytest
from django.utils import timezone

from jiance import clock
from jiance.accounts.models import Role
from jiance.accounts.scoping import Scope
from jiance.cycles.models import Cycle, CycleStatus
from jiance.reporting.models import FrameRecord, FrameStatus, FrameSubmission
from jiance.units.models import Level, Unit
from tests.factories import World, make_unit, make_user
from tests.hashers import fast_hasher  # noqa: F401  (autouse: MD5 passwords in this folder)

FROZEN = timezone.make_aware(dt.datetime(2022, 3, 20, 9, 30))
AREAS = ("城区", "镇区", "乡村")
CONFIG = {
    "grades": {"primary": 4, "junior": 8},
    "sample_size": {"schools_per_unit": {"primary": 3, "junior": 2}, "students_per_school": 30},
}


@dataclass
class People:
    city: Any
    city_info: Any
    county_a: Any
    county_a_admin: Any
    county_b: Any
    other_city: Any
    principal_a1: Any
    city_supervisor: Any


@pytest.fixture(autouse=True)
def frozen_clock() -> Any:
    with clock.frozen(FROZEN):
        yield


@pytest.fixture
def cycle(db: None) -> Cycle:
    return Cycle.objects.create(
        code="national-2022", year=2022, name="2022 年国家义务教育质量监测", status=CycleStatus.ACTIVE,
        config=CONFIG,
    )


def add_schools(county: Unit, prefix: str, n_primary: int, n_junior: int) -> list[Unit]:
    """More schools for a county: primary first, then junior, codes after the World's."""
    out = []
    for i in range(n_primary + n_junior):
        kind = "小学" if i < n_primary else "初中"
        out.append(make_unit(
            f"{county.code}{i + 10:04d}", f"{prefix}{kind}{i + 1}号", Level.SCHOOL, county,
            school_type=kind, nature="公办", area=AREAS[i % 3], affiliation="县属",
        ))
    return out


def students_for(school: Unit, i: int) -> tuple[int, int]:
    """Deterministic tested-grade enrolment; a few schools below 30 to exercise rule (b)."""
    size = 18 + (i * 37) % 160
    if school.school_type == "小学":
        return size, 0
    if school.school_type == "初中":
        return 0, size + 40
    return size, size + 20


def approve_frame(cycle: Cycle, county: Unit, *, status: str = FrameStatus.APPROVED) -> FrameSubmission:
    now = clock.now()
    sub = FrameSubmission.objects.create(
        cycle=cycle, county=county, status=status, locked=status == FrameStatus.APPROVED,
        created_at=now, updated_at=now,
    )
    for i, school in enumerate(Unit.objects.filter(parent=county, level=Level.SCHOOL).order_by("code")):
        p, j = students_for(school, i)
        FrameRecord.objects.create(
            submission=sub, school=school, school_type=school.school_type, nature=school.nature or "公办",
            area=school.area or "城区", affiliation=school.affiliation or "县属",
            primary_students=p, primary_classes=max(1, p // 40) if p else 0,
            junior_students=j, junior_classes=max(1, j // 40) if j else 0, updated_at=now,
        )
    return sub


@pytest.fixture
def sampling_world(world: World) -> World:
    add_schools(world.county_a, "南昌县", 8, 4)
    add_schools(world.county_b, "进贤县", 6, 3)
    return world


@pytest.fixture
def frames(sampling_world: World, cycle: Cycle) -> dict[str, FrameSubmission]:
    return {
        "a": approve_frame(cycle, sampling_world.county_a),
        "b": approve_frame(cycle, sampling_world.county_b),
    }


@pytest.fixture
def people(sampling_world: World) -> People:
    world = sampling_world
    other_city = make_unit("360200", "景德镇市", Level.CITY, world.province)
    other_county = make_unit("360222", "浮梁县", Level.COUNTY, other_city, county_kind="县")
    make_unit("3602220001", "浮梁县第一小学", Level.SCHOOL, other_county, school_type="小学",
              nature="公办", area="乡村", affiliation="县属")
    return People(
        city=make_user("nc_city", Role.CITY_ADMIN, world.city, full_name="南昌市管理员"),
        city_info=make_user("nc_city_info", Role.CITY_INFO_OFFICER, world.city),
        county_a=make_user("nanchang_info", Role.COUNTY_INFO_OFFICER, world.county_a, full_name="南昌县信息员"),
        county_a_admin=make_user("nanchang_admin", Role.COUNTY_ADMIN, world.county_a),
        county_b=make_user("jinxian_info", Role.COUNTY_INFO_OFFICER, world.county_b),
        other_city=make_user("jdz_city", Role.CITY_ADMIN, other_city),
        principal_a1=make_user("a1_xz", Role.PRINCIPAL, world.school_a1),
        city_supervisor=make_user("nc_supervisor", Role.SUPERVISOR, world.city),
    )


def scope_of(user: Any) -> Scope:
    return Scope(user)
