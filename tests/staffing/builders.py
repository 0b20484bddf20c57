"""Fill a 2022 sample school as [000] asks, through the service."""

from __future__ import annotations

from typing import Any

from jiance.accounts.scoping import Scope
from jiance.cycles.models import Cycle
from jiance.staffing.models import Sheet, SheetKind
from jiance.staffing.services import staff_post_add
from jiance.units.models import Unit

SCHOOL_POSTS: list[tuple[str, str, list[str]]] = [
    ("监测员", "数学甲", ["math"]),
    ("演唱和口语测试监测员", "数学乙", ["math"]), ("演唱和口语测试监测员", "科学丙", ["science"]),
    ("保密员", "保密甲", []), ("保密员", "保密乙", []),
    ("信息员", "信息丁", ["it"]), ("司时员", "司时戊", []), ("医护人员", "校医己", []),
    ("安保人员", "安保庚", []), ("安保人员", "安保辛", []),
]


def version(cycle: Cycle, county: Unit) -> int:
    sheet = Sheet.objects.filter(cycle=cycle, unit=county, kind=SheetKind.STAFFING).first()
    return sheet.version if sheet else 0


def add(actor: Any, cycle: Cycle, site: Unit, role: str, provided_by: str, name: str, **data: Any) -> Any:
    county = site.parent
    return staff_post_add(scope=Scope(actor), cycle=cycle, site=site,
                          data={"role": role, "provided_by": provided_by, "name": name, **data},
                          version=version(cycle, county), actor=actor)


def fill_site(cycle: Cycle, site: Unit, *, county_actor: Any, school_actor: Any, chief_home: Unit) -> None:
    add(county_actor, cycle, site, "责任督学", "county", f"督学{site.code[-1]}", phone="13800000000")
    add(county_actor, cycle, site, "主监测员", "county", f"主监{site.code[-1]}", home=chief_home)
    for role, name, subjects in SCHOOL_POSTS:
        add(school_actor, cycle, site, role, "school", f"{name}{site.code[-1]}", subjects=subjects)
