"""Small builders for tests: a hierarchy, people with roles."""

from __future__ import annotations

from typing import Any

from django.test import Client

from jiance.accounts.models import RoleAssignment, User
from jiance.units.models import Level, Unit

PASSWORD = "Test-pass-2026"


def make_unit(code: str, name: str, level: str, parent: Unit | None = None, **fields: Any) -> Unit:
    return Unit.objects.create(code=code, name=name, level=level, parent=parent, **fields)


def make_user(username: str, role: str, unit: Unit, **fields: Any) -> User:
    user = User.objects.create_user(username=username, password=PASSWORD, **fields)
    RoleAssignment.objects.create(user=user, role=role, unit=unit)
    return user


def client_for(user: Any) -> Client:
    """A test client signed in as `user`."""
    c = Client()
    c.force_login(user)
    return c


class World:
    """Centre → 1 province → 1 city → 2 counties → 2 schools each: siblings at every level."""

    def __init__(self) -> None:
        self.centre = make_unit("CN", "教育部基础教育质量监测中心", Level.CENTRE)
        self.province = make_unit("360000", "江西省", Level.PROVINCE, self.centre)
        self.city = make_unit("360100", "南昌市", Level.CITY, self.province)
        self.county_a = make_unit("360121", "南昌县", Level.COUNTY, self.city, county_kind="县")
        self.county_b = make_unit("360124", "进贤县", Level.COUNTY, self.city, county_kind="县")
        self.school_a1 = make_unit(
            "3601210001", "南昌县莲塘第一小学", Level.SCHOOL, self.county_a,
            school_type="小学", nature="公办", area="镇区", affiliation="县属",
        )
        self.school_a2 = make_unit(
            "3601210002", "南昌县莲塘第二中学", Level.SCHOOL, self.county_a,
            school_type="初中", nature="公办", area="镇区", affiliation="县属",
        )
        self.school_b1 = make_unit(
            "3601240001", "进贤县民和镇中心小学", Level.SCHOOL, self.county_b,
            school_type="小学", nature="公办", area="乡村", affiliation="县属",
        )
        self.school_b2 = make_unit(
            "3601240002", "进贤县第一初级中学", Level.SCHOOL, self.county_b,
            school_type="九年一贯制", nature="公办", area="城区", affiliation="县属",
        )
