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
from jiance.spreadsheets import write_rows
from jiance.units.models import Level
from tests.factories import World, make_unit, make_user
from tests.hashers import fast_hasher  # noqa: F401  (autouse: MD5 passwords in this folder)

FROZEN = timezone.make_aware(dt.datetime(2022, 3, 20, 9, 30))
HEADERS = ["学校代码", "学校名称", "学校类型", "办学性质", "城乡区域", "隶属关系",
           "4年级学生数", "4年级班级数", "8年级学生数", "8年级班级数", "备注"]


@dataclass
class People:
    county_a: Any
    county_a_admin: Any
    county_b: Any
    city: Any
    city_info: Any
    other_city: Any


def make_cycle() -> Cycle:
    return Cycle.objects.create(
        code="national-2022", year=2022, name="2022 年国家义务教育质量监测", status=CycleStatus.ACTIVE,
        config={"grades": {"primary": 4, "junior": 8}},
    )


@pytest.fixture
def cycle(db: None) -> Cycle:
    return make_cycle()


@pytest.fixture
def people(world: World) -> People:
    return make_people(world)


def make_people(world: World) -> People:
    other_city = make_unit("360200", "景德镇市", Level.CITY, world.province)
    other_county = make_unit("360222", "浮梁县", Level.COUNTY, other_city, county_kind="县")
    make_unit("3602220001", "浮梁县第一小学", Level.SCHOOL, other_county, school_type="小学",
              nature="公办", area="乡村", affiliation="县属")
    return People(
        county_a=make_user("nanchang_info", Role.COUNTY_INFO_OFFICER, world.county_a, full_name="南昌县信息员"),
        county_a_admin=make_user("nanchang_admin", Role.COUNTY_ADMIN, world.county_a),
        county_b=make_user("jinxian_info", Role.COUNTY_INFO_OFFICER, world.county_b),
        city=make_user("nc_city", Role.CITY_ADMIN, world.city, full_name="南昌市管理员"),
        city_info=make_user("nc_city_info", Role.CITY_INFO_OFFICER, world.city),
        other_city=make_user("jdz_city", Role.CITY_ADMIN, other_city),
    )


@pytest.fixture(autouse=True)
def frozen_clock() -> Any:
    with clock.frozen(FROZEN):
        yield


def scope_of(user: Any) -> Scope:
    return Scope(user)


def xlsx(rows: list[list[Any]], headers: list[str] | None = None) -> bytes:
    return write_rows("数据", headers or HEADERS, rows)


def good_rows_a() -> list[list[Any]]:
    """A correct file for 南昌县 (World: one 小学, one 初中)."""
    return [
        ["3601210001", "南昌县莲塘第一小学", "小学", "公办", "镇区", "县属", 180, 4, "", "", ""],
        ["3601210002", "南昌县莲塘第二中学", "初中", "公办", "镇区", "县属", "", "", 420, 9, ""],
    ]
