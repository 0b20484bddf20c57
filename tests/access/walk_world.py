"""A hierarchy with a sibling at every level, so every role has a 'foreign' branch."""

from __future__ import annotations

from dataclasses import dataclass

from jiance.accounts.models import ROLE_LEVELS, Role, User
from jiance.units.models import Level, Unit
from tests.factories import make_unit, make_user


@dataclass
class Branch:
    unit: Unit  # where the person holds the role
    own_school: Unit  # a school inside the person's units
    foreign_school: Unit  # a school outside them


class WalkWorld:
    def __init__(self) -> None:
        self.centre = make_unit("CN", "教育部基础教育质量监测中心", Level.CENTRE)
        self.p1 = make_unit("360000", "江西省", Level.PROVINCE, self.centre)
        self.p2 = make_unit("450000", "广西壮族自治区", Level.PROVINCE, self.centre)
        self.c1 = make_unit("360100", "南昌市", Level.CITY, self.p1)
        self.c2 = make_unit("360200", "景德镇市", Level.CITY, self.p1)
        self.c3 = make_unit("450200", "柳州市", Level.CITY, self.p2)
        self.ka = make_unit("360121", "南昌县", Level.COUNTY, self.c1, county_kind="县")
        self.kb = make_unit("360124", "进贤县", Level.COUNTY, self.c1, county_kind="县")
        self.kd = make_unit("360202", "昌江区", Level.COUNTY, self.c2, county_kind="区")
        self.ke = make_unit("450226", "三江侗族自治县", Level.COUNTY, self.c3, county_kind="县")
        school = {"nature": "公办", "area": "乡村", "affiliation": "县属"}
        self.a1 = make_unit("3601210001", "莲塘一小", Level.SCHOOL, self.ka, school_type="小学", **school)
        self.a2 = make_unit("3601210002", "莲塘二中", Level.SCHOOL, self.ka, school_type="九年一贯制", **school)
        self.b1 = make_unit("3601240001", "民和镇中心小学", Level.SCHOOL, self.kb, school_type="小学", **school)
        self.d1 = make_unit("3602020001", "昌江区实验学校", Level.SCHOOL, self.kd, school_type="九年一贯制", **school)
        self.e1 = make_unit("4502260001", "三江县古宜镇小学", Level.SCHOOL, self.ke, school_type="小学", **school)

    def branch_for(self, level: str) -> Branch:
        return {
            Level.CENTRE: Branch(self.centre, self.a1, self.a1),
            Level.PROVINCE: Branch(self.p1, self.a1, self.e1),
            Level.CITY: Branch(self.c1, self.a1, self.d1),
            Level.COUNTY: Branch(self.ka, self.a1, self.b1),
            Level.SCHOOL: Branch(self.a1, self.a1, self.a2),
        }[Level(level)]

    @property
    def all_schools(self) -> list[Unit]:
        return [self.a1, self.a2, self.b1, self.d1, self.e1]


def role_cases() -> list[tuple[str, str]]:
    """Every role at every level it may be held at."""
    return [(role.value, level) for role in Role for level in ROLE_LEVELS[role]]


def person(world: WalkWorld, role: str, level: str) -> tuple[User, Branch]:
    branch = world.branch_for(level)
    user = make_user(f"{role}-{level}", role, branch.unit)
    return user, branch
