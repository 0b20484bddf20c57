"""Demo hierarchy data: 南昌市 with its 12 county-level units and ~1,200 schools, from
`jiance_core.synth.nanchang_city(seed)` (no database here)."""

from __future__ import annotations

from dataclasses import dataclass

from jiance_core.synth import nanchang_city

CENTRE = ("CN", "教育部基础教育质量监测中心")
PROVINCE = ("360000", "江西省")
CITY = ("360100", "南昌市")


@dataclass(frozen=True)
class CountyRow:
    code: str
    name: str
    kind: str  # 县 | 区 | 县级市 | 开发区 | 管理局


@dataclass(frozen=True)
class SchoolRow:
    code: str
    name: str
    county_code: str
    school_type: str
    nature: str
    area: str
    affiliation: str


@dataclass(frozen=True)
class DemoUnits:
    counties: list[CountyRow]
    schools: list[SchoolRow]
    source: str = "jiance_core.synth"


def nanchang_units(seed: int) -> DemoUnits:
    city = nanchang_city(seed)
    counties = [CountyRow(r["code"], r["name"], r["kind"]) for r in city.counties().iter_rows(named=True)]
    schools = [
        SchoolRow(
            code=r["school_id"], name=r["school_name"], county_code=r["county"],
            school_type=r["school_type"], nature=r["nature"], area=r["area"],
            affiliation=r["affiliation"],
        )
        for r in city.schools.iter_rows(named=True)
    ]
    return DemoUnits(counties=counties, schools=schools)
