"""Synthetic units and schools: Nanchang and the national frame."""

from __future__ import annotations

import math
import time

import polars as pl
import pytest

from jiance_core.sampling.frame import check_frame
from jiance_core.synth import (
    AFFILIATIONS,
    AREAS,
    SCHOOL_COLUMNS,
    SCHOOL_TYPES,
    UNIT_COLUMNS,
    NationalHierarchy,
    SynthCity,
    nanchang_city,
    national_hierarchy,
    national_school_frame,
)

NANCHANG_UNITS = {
    "360102": ("东湖区", "区"),
    "360103": ("西湖区", "区"),
    "360104": ("青云谱区", "区"),
    "360111": ("青山湖区", "区"),
    "360112": ("新建区", "区"),
    "360113": ("红谷滩区", "区"),
    "360121": ("南昌县", "县"),
    "360123": ("安义县", "县"),
    "360124": ("进贤县", "县"),
    "360190": ("湾里管理局", "管理局"),
    "360191": ("南昌高新技术产业开发区", "开发区"),
    "360192": ("南昌经济技术开发区", "开发区"),
}
URBAN_DISTRICTS = {"360102", "360103", "360104", "360111", "360113"}


@pytest.fixture(scope="module")
def city() -> SynthCity:
    return nanchang_city(7)


@pytest.fixture(scope="module")
def nation() -> NationalHierarchy:
    return national_hierarchy(7)


# --- shared checks on any school frame ---------------------------------------------------------
def check_schools(schools: pl.DataFrame) -> None:
    assert tuple(schools.columns) == SCHOOL_COLUMNS
    for c in ("primary_students", "junior_students", "primary_classes", "junior_classes"):
        assert schools.schema[c] == pl.Int64
    assert schools.null_count().sum_horizontal().item() == 0
    # codes: 10 digits, unique, prefixed by the county code
    assert schools["school_id"].is_unique().all()
    assert schools["school_id"].str.contains(r"^\d{10}$").all()
    assert (schools["school_id"].str.slice(0, 6) == schools["county"]).all()
    assert (schools["county"].str.slice(0, 4) + "00" == schools["city"]).all()
    assert (schools["county"].str.slice(0, 2) + "0000" == schools["province"]).all()
    # names unique within a county
    assert schools.select(pl.struct("county", "school_name").is_unique().all()).item()
    # categories
    assert set(schools["school_type"].unique()) <= set(SCHOOL_TYPES)
    assert set(schools["area"].unique()) <= set(AREAS)
    assert set(schools["nature"].unique()) <= {"公办", "民办"}
    assert set(schools["affiliation"].unique()) <= set(AFFILIATIONS)
    # stages: students only in the stages the type has
    has_primary = pl.col("school_type").is_in(["小学", "九年一贯制", "十二年一贯制"])
    has_junior = pl.col("school_type").is_in(["初中", "九年一贯制", "十二年一贯制", "完全中学"])
    assert schools.filter(has_primary & (pl.col("primary_students") < 1)).is_empty()
    assert schools.filter(~has_primary & (pl.col("primary_students") != 0)).is_empty()
    assert schools.filter(has_junior & (pl.col("junior_students") < 1)).is_empty()
    assert schools.filter(~has_junior & (pl.col("junior_students") != 0)).is_empty()
    # classes of about 45
    for stage in ("primary", "junior"):
        expected = (pl.col(f"{stage}_students") + 44) // 45
        assert schools.filter(pl.col(f"{stage}_classes") != expected).is_empty()
    # city-, province-run and city-managed private schools stand in urban districts
    special = schools.filter(pl.col("affiliation") != "县属")
    assert (special["area"] == "城区").all()
    assert (special.filter(pl.col("affiliation") == "市管民办")["nature"] == "民办").all()
    assert (special.filter(pl.col("affiliation").is_in(["局属", "省属"]))["nature"] == "公办").all()


def check_units(units: pl.DataFrame) -> None:
    assert tuple(units.columns) == UNIT_COLUMNS
    assert units["code"].is_unique().all()
    assert units["code"].str.contains(r"^\d{6}$").all()
    codes = set(units["code"])
    provinces = units.filter(pl.col("level") == "province")
    assert provinces["parent_code"].is_null().all()
    assert provinces["code"].str.ends_with("0000").all()
    others = units.filter(pl.col("level") != "province")
    assert set(others["parent_code"]) <= codes
    # a parent comes before its children
    position = {c: i for i, c in enumerate(units["code"])}
    for code, parent in others.select("code", "parent_code").iter_rows():
        assert position[parent] < position[code]
    # levels nest: county under a city under a province, sharing code prefixes
    level = dict(units.select("code", "level").iter_rows())
    for code, parent, lvl in others.select("code", "parent_code", "level").iter_rows():
        assert level[parent] == {"city": "province", "county": "city"}[lvl]
        assert code[: {"city": 2, "county": 4}[lvl]] == parent[: {"city": 2, "county": 4}[lvl]]


# --- Nanchang ----------------------------------------------------------------------------------
def test_nanchang_units(city: SynthCity) -> None:
    check_units(city.units)
    assert city.units.filter(pl.col("level") == "province").rows() == [
        ("360000", "江西省", None, "province", "省")
    ]
    assert city.units.filter(pl.col("level") == "city")["code"].to_list() == ["360100"]
    counties = city.counties()
    assert counties.height == 12
    got = {code: (name, kind) for code, name, _, _, kind in counties.iter_rows()}
    assert got == NANCHANG_UNITS
    assert (counties["parent_code"] == "360100").all()


def test_nanchang_schools(city: SynthCity) -> None:
    schools = city.schools
    check_schools(schools)
    assert 1_100 <= schools.height <= 1_300
    assert set(schools["county"]) == set(NANCHANG_UNITS)
    assert (schools["city"] == "360100").all()
    share = dict(schools["school_type"].value_counts(normalize=True).iter_rows())
    assert 0.58 <= share["小学"] <= 0.72
    assert 0.13 <= share["初中"] <= 0.23
    assert 0.08 <= share["九年一贯制"] <= 0.16
    assert 0.01 <= share["完全中学"] <= 0.06
    assert 0.005 <= share.get("十二年一贯制", 0) <= 0.04
    private = (schools["nature"] == "民办").mean()
    assert private is not None and 0.06 <= float(private) <= 0.15  # type: ignore[arg-type]
    # every kind of affiliation occurs, the special ones only in the urban districts
    assert {"县属", "局属", "市管民办"} <= set(schools["affiliation"])
    districts = {code for code, (_, kind) in NANCHANG_UNITS.items() if kind == "区"}
    assert set(schools.filter(pl.col("affiliation") != "县属")["county"]) <= districts
    # rural counties have many small village primaries, urban districts large schools
    rural = schools.filter(pl.col("county").is_in(["360121", "360123", "360124"]))
    urban = schools.filter(pl.col("county").is_in(list(URBAN_DISTRICTS)))
    assert (rural["area"] == "乡村").mean() > 0.4  # type: ignore[operator]
    small = rural.filter((pl.col("school_type") == "小学") & (pl.col("primary_students") < 30))
    assert small.height > 100
    urban_primary = urban.filter(pl.col("school_type") == "小学")["primary_students"]
    assert 150 <= urban_primary.median() <= 450  # type: ignore[operator]
    assert (urban["area"] == "城区").mean() > 0.75  # type: ignore[operator]


def test_nanchang_school_names(city: SynthCity) -> None:
    names = dict(city.schools.select("school_id", "school_name").iter_rows())
    by_county = dict(city.counties().select("code", "name").iter_rows())
    for sid, name in names.items():
        county_name = by_county[sid[:6]]
        assert name.startswith((county_name, "南昌市", "南昌", "江西省")), name
        assert name.endswith(("小学", "中学", "学校", "教学点")), name
    all_names = set(names.values())
    assert any(n.endswith("中心小学") for n in all_names)
    assert any(n.startswith("南昌县") and n.endswith("第一中学") for n in all_names)
    assert any("镇" in n and n.endswith("小学") for n in all_names)


def test_nanchang_determinism() -> None:
    a, b, other = nanchang_city(11), nanchang_city(11), nanchang_city(12)
    assert a.schools.equals(b.schools)
    assert a.units.equals(b.units)
    assert not a.schools.equals(other.schools)
    assert a.units.equals(other.units)  # the geography is fixed


# --- national ----------------------------------------------------------------------------------
def test_national_counts(nation: NationalHierarchy) -> None:
    units = nation.units
    check_units(units)
    levels = dict(units.group_by("level").len().iter_rows())
    assert levels["province"] == 31
    assert 320 <= levels["city"] <= 345
    assert 2_800 <= levels["county"] <= 2_900
    assert 200_000 <= nation.schools.height <= 220_000
    kinds = set(units.filter(pl.col("level") == "county")["kind"])
    assert {"区", "县", "县级市", "旗", "管理局", "开发区"} <= kinds
    # every county has schools and every school's county is a unit
    county_codes = set(units.filter(pl.col("level") == "county")["code"])
    assert set(nation.schools["county"]) == county_codes


def test_national_schools(nation: NationalHierarchy) -> None:
    schools = nation.schools
    check_schools(schools)
    assert schools["school_id"].is_sorted()
    share = dict(schools["school_type"].value_counts(normalize=True).iter_rows())
    assert 0.60 <= share["小学"] <= 0.72
    assert 0.13 <= share["初中"] <= 0.22
    assert 0.08 <= share["九年一贯制"] <= 0.16
    grade4 = schools["primary_students"].sum()
    assert 12_000_000 <= grade4 <= 22_000_000
    per_county = schools.group_by("county").len()["len"]
    assert per_county.min() >= 4  # type: ignore[operator]
    assert 50 <= per_county.mean() <= 100  # type: ignore[operator]


def test_national_contains_nanchang(nation: NationalHierarchy) -> None:
    nanchang = nanchang_city(7)
    inside = nation.schools.filter(pl.col("city") == "360100")
    assert inside.equals(nanchang.schools)
    assert nation.units.filter(pl.col("parent_code") == "360100").height == 12


def test_national_frame_passes_the_sampling_frame_checks(nation: NationalHierarchy) -> None:
    checked = check_frame(nation.schools)
    assert checked.height == nation.schools.height


def test_national_determinism_and_speed(nation: NationalHierarchy) -> None:
    t0 = time.perf_counter()
    again = national_school_frame(7)
    elapsed = time.perf_counter() - t0
    assert again.equals(nation.schools)
    other = national_hierarchy(8)
    assert not other.schools.equals(nation.schools)
    # generous: ~1.5 s on an idle 2-core machine, several times that under a loaded test run
    assert elapsed < 30, elapsed
    assert math.isfinite(sum(nation.timings.values()))
