"""Demo hierarchy data: 南昌市 with its 12 county-level units and ~1,200 schools.

`nanchang_units(seed)` returns plain rows (no database). It prefers
`jiance_core.synth.nanchang_city(seed)` (the synthetic-data package) and falls back to a small
deterministic placeholder with the same shape when that package is not available.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

CENTRE = ("CN", "教育部基础教育质量监测中心")
PROVINCE = ("360000", "江西省")
CITY = ("360100", "南昌市")


@dataclass(frozen=True)
class CountyRow:
    code: str
    name: str
    kind: str  # 县 | 区 | 开发区 | 管理局
    schools: int  # placeholder size
    urban_share: float


@dataclass(frozen=True)
class SchoolRow:
    code: str
    name: str
    county_code: str
    school_type: str
    nature: str
    area: str
    affiliation: str


@dataclass
class DemoUnits:
    counties: list[CountyRow]
    schools: list[SchoolRow] = field(default_factory=list)
    source: str = "placeholder"


# The 12 county-level units of 南昌市 in 2022 (seed 000: "全市域共 12 个县（区）（含开发区、湾里管理局）").
NANCHANG_COUNTIES: tuple[CountyRow, ...] = (
    CountyRow("360102", "东湖区", "区", 80, 1.0),
    CountyRow("360103", "西湖区", "区", 75, 1.0),
    CountyRow("360104", "青云谱区", "区", 50, 0.9),
    CountyRow("360105", "湾里管理局", "管理局", 25, 0.5),
    CountyRow("360111", "青山湖区", "区", 100, 0.8),
    CountyRow("360112", "新建区", "区", 170, 0.35),
    CountyRow("360113", "红谷滩区", "区", 60, 0.9),
    CountyRow("360121", "南昌县", "县", 220, 0.3),
    CountyRow("360123", "安义县", "县", 80, 0.25),
    CountyRow("360124", "进贤县", "县", 200, 0.2),
    CountyRow("360191", "南昌高新技术产业开发区", "开发区", 60, 0.6),
    CountyRow("360192", "南昌经济技术开发区", "开发区", 80, 0.6),
)

# A few real towns per county, used for school names in the placeholder.
_TOWNS: dict[str, tuple[str, ...]] = {
    "360121": ("莲塘", "向塘", "三江", "塘南", "幽兰", "蒋巷", "武阳", "冈上", "广福", "黄马", "泾口", "南新", "塔城", "八一"),
    "360124": ("民和", "李渡", "温圳", "文港", "长山晏", "衙前", "梅庄", "张公", "罗溪", "架桥", "前坊", "三里", "池溪", "南台"),
    "360123": ("龙津", "万埠", "长埠", "石鼻", "鼎湖", "黄洲", "乔乐", "东阳", "新民"),
    "360112": ("长堎", "望城", "生米", "西山", "石岗", "松湖", "樵舍", "乐化", "溪霞", "象山", "联圩", "铁河", "南矶"),
    "360105": ("招贤", "梅岭", "太平", "罗亭"),
}
_DISTRICT_STREETS = ("育新", "豫章", "滕王阁", "百花洲", "阳明", "南京路", "丁公路", "洪都", "青云", "站前", "湖坊", "塘山", "京东", "上海路", "桃花", "朝阳", "红角洲", "沙井", "卫东", "九龙湖")

_SHORT = {"360191": "南昌高新区", "360192": "南昌经开区", "360105": "湾里"}

_TYPES = ("小学", "初中", "九年一贯制", "完全中学")
_TYPE_P = (0.68, 0.2, 0.08, 0.04)
_TYPE_SUFFIX = {"小学": "小学", "初中": "中学", "九年一贯制": "学校", "完全中学": "中学"}


def _placeholder(seed: int) -> DemoUnits:
    rng = np.random.default_rng(seed)
    schools: list[SchoolRow] = []
    for county in NANCHANG_COUNTIES:
        towns = _TOWNS.get(county.code, _DISTRICT_STREETS)
        used: set[str] = set()
        for i in range(county.schools):
            school_type = str(rng.choice(_TYPES, p=_TYPE_P))
            town = towns[int(rng.integers(len(towns)))]
            urban = rng.random() < county.urban_share
            area = "城区" if urban else str(rng.choice(("镇区", "乡村"), p=(0.45, 0.55)))
            private = rng.random() < 0.08
            nature = "民办" if private else "公办"
            if private:
                affiliation = "市管民办"
            elif county.kind == "区" and rng.random() < 0.15:
                affiliation = "局属"
            else:
                affiliation = "县属"
            base = f"{_SHORT.get(county.code, county.name)}{town}"
            if area == "乡村":
                base += str(rng.choice(("中心", "村", "")))
            name = f"{base}{_TYPE_SUFFIX[school_type]}"
            n = 1
            while name in used:
                n += 1
                name = f"{base}第{_chinese_number(n)}{_TYPE_SUFFIX[school_type]}"
            used.add(name)
            schools.append(
                SchoolRow(
                    code=f"{county.code}{i + 1:04d}",
                    name=name,
                    county_code=county.code,
                    school_type=school_type,
                    nature=nature,
                    area=area,
                    affiliation=affiliation,
                )
            )
    return DemoUnits(counties=list(NANCHANG_COUNTIES), schools=schools, source="placeholder")


def _chinese_number(n: int) -> str:
    digits = "零一二三四五六七八九"
    if n < 10:
        return digits[n]
    if n < 20:
        return "十" + (digits[n % 10] if n % 10 else "")
    return digits[n // 10] + "十" + (digits[n % 10] if n % 10 else "")


def _get(row: Any, *names: str, default: Any = "") -> Any:
    for name in names:
        if isinstance(row, dict) and name in row:
            return row[name]
        if hasattr(row, name):
            return getattr(row, name)
    return default


def _from_synth(city: Any) -> DemoUnits:
    """Adapt `jiance_core.synth.nanchang_city(seed)` output to DemoUnits."""
    counties_raw = _get(city, "counties")
    schools_raw = _get(city, "schools")
    if hasattr(counties_raw, "to_dicts"):
        counties_raw = counties_raw.to_dicts()
    if hasattr(schools_raw, "to_dicts"):
        schools_raw = schools_raw.to_dicts()
    counties = [
        CountyRow(
            code=str(_get(c, "code", "county_code")),
            name=str(_get(c, "name", "county_name")),
            kind=str(_get(c, "kind", "county_kind", default="区")),
            schools=0,
            urban_share=0.0,
        )
        for c in counties_raw
    ]
    schools = [
        SchoolRow(
            code=str(_get(s, "code", "school_code")),
            name=str(_get(s, "name", "school_name")),
            county_code=str(_get(s, "county_code", "county")),
            school_type=str(_get(s, "school_type", "type")),
            nature=str(_get(s, "nature")),
            area=str(_get(s, "area")),
            affiliation=str(_get(s, "affiliation")),
        )
        for s in schools_raw
    ]
    return DemoUnits(counties=counties, schools=schools, source="jiance_core.synth")


def nanchang_units(seed: int) -> DemoUnits:
    try:
        from jiance_core.synth import nanchang_city  # type: ignore[attr-defined]
    except ImportError:
        return _placeholder(seed)
    return _from_synth(nanchang_city(seed))
