"""Demo hierarchy data: 南昌市 with its 12 county-level units and ~1,200 schools, from
`jiance_core.synth.nanchang_city(seed)` (no database here)."""

from __future__ import annotations

from dataclasses import dataclass

from jiance_core.synth import SynthCity, nanchang_city

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
    # tested-grade enrolment and classes (grade 4 and grade 8), as the county reports them
    primary_students: int = 0
    primary_classes: int = 0
    junior_students: int = 0
    junior_classes: int = 0


@dataclass(frozen=True)
class DemoUnits:
    counties: list[CountyRow]
    schools: list[SchoolRow]
    source: str = "jiance_core.synth"
    # the synthetic city itself: its students and teachers fill the sample schools' rosters
    city: SynthCity | None = None


def nanchang_units(seed: int) -> DemoUnits:
    city = nanchang_city(seed)
    counties = [CountyRow(r["code"], r["name"], r["kind"]) for r in city.counties().iter_rows(named=True)]
    schools = [
        SchoolRow(
            code=r["school_id"], name=r["school_name"], county_code=r["county"],
            school_type=r["school_type"], nature=r["nature"], area=r["area"],
            affiliation=r["affiliation"], primary_students=r["primary_students"],
            primary_classes=r["primary_classes"], junior_students=r["junior_students"],
            junior_classes=r["junior_classes"],
        )
        for r in city.schools.iter_rows(named=True)
    ]
    return DemoUnits(counties=counties, schools=schools, city=city)
