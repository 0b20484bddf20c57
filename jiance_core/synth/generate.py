"""Deterministic synthetic administrative units, schools, teachers and students.

All functions take a ``seed`` and return the same data for the same seed. Schools are generated
with one ``numpy.random.Generator`` per run (vectorised; ~210,000 national schools in about a
second). Students and teachers use counter-based random numbers keyed by school code and row, so
a school gets the same people whether it is generated alone or with the whole city (only the
three-digit ID sequence number may move when two people would otherwise share an ID number).

DataFrames
----------
``units`` (:func:`national_hierarchy`, :attr:`SynthCity.units`), one row per unit, parents first:

=============  ==========================================================================
code           6-digit code: province ``PP0000``, city ``PPCC00``, county ``PPCCXX``
name           全称, e.g. 江西省 / 南昌市 / 东湖区
parent_code    code of the parent unit; null for a province (its parent is the national centre)
level          ``province`` / ``city`` / ``county``
kind           province: 省 自治区 直辖市; city: 地级市 自治州 地区 盟 直辖市 省直辖;
               county: 区 县 县级市 旗 管理局 开发区
=============  ==========================================================================

``schools`` (:func:`national_school_frame`, :attr:`SynthCity.schools`), one row per school, in the
column order of :data:`SCHOOL_COLUMNS` (the first seven are the sampling frame's required columns):

==================  ======================================================================
county              code of the county-level unit the school belongs to (属地)
school_id           10 digits: county code + 4-digit serial, unique
school_name         e.g. 南昌县莲塘第一小学, 进贤县民和镇中心小学
school_type         小学 / 初中 / 九年一贯制 / 完全中学 / 十二年一贯制
area                城区 / 镇区 / 乡村
primary_students    grade-4 enrolment (0 if the school has no primary stage)
junior_students     grade-8 enrolment (0 if the school has no junior stage)
province, city      codes of the province and city
nature              公办 / 民办
affiliation         县属 / 局属 (city education bureau) / 省属 / 市管民办 — all still belong to
                    the county where they stand
primary_classes     grade-4 classes (ceil(students / 45)), 0 if no primary stage
junior_classes      grade-8 classes, 0 if no junior stage
==================  ======================================================================

Counts and strings: codes are ``pl.String``, counts ``pl.Int64``.

``students_for`` columns: ``school_id, county, grade, class_no, class_name, student_no, name, sex,
birth_date (pl.Date), id_number``. ``teachers_for`` columns: ``school_id, county, teacher_no,
name, sex, birth_date, id_number, stage (小学/初中/高中), subject, grade (null for leaders), role
(校长/副校长/班主任/任课教师)``.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from datetime import date
from typing import Final

import numpy as np
import numpy.typing as npt
import polars as pl

from jiance_core.idcard import make_ids, school_year_start
from jiance_core.synth.geography import (
    MUNICIPAL_DISTRICTS,
    NANCHANG_CITY_CODE,
    NANCHANG_PLACE_WORDS,
    NANCHANG_UNITS,
    PROVINCES,
    ProvinceRow,
    city_full_name,
    city_kind,
)
from jiance_core.synth.names import names_from_uniforms

__all__ = [
    "AFFILIATIONS",
    "AREAS",
    "DEFAULT_TEST_DATE",
    "NATIONAL_SCHOOL_TARGET",
    "SCHOOL_COLUMNS",
    "SCHOOL_TYPES",
    "UNIT_COLUMNS",
    "NationalHierarchy",
    "SynthCity",
    "nanchang_city",
    "national_hierarchy",
    "national_school_frame",
    "students_for",
    "teachers_for",
]

AREAS: Final = ("城区", "镇区", "乡村")
SCHOOL_TYPES: Final = ("小学", "初中", "九年一贯制", "完全中学", "十二年一贯制")
NATURES: Final = ("公办", "民办")
AFFILIATIONS: Final = ("县属", "局属", "省属", "市管民办")
SCHOOL_COLUMNS: Final = (
    "county",
    "school_id",
    "school_name",
    "school_type",
    "area",
    "primary_students",
    "junior_students",
    "province",
    "city",
    "nature",
    "affiliation",
    "primary_classes",
    "junior_classes",
)
UNIT_COLUMNS: Final = ("code", "name", "parent_code", "level", "kind")
NATIONAL_SCHOOL_TARGET: Final = 210_000
#: The default test day: students' ages are computed for the school year that contains it.
DEFAULT_TEST_DATE: Final = date(2027, 5, 20)
CLASS_SIZE: Final = 45

# --- school mix -----------------------------------------------------------------------------
# P(type | area), columns in SCHOOL_TYPES order, rows in AREAS order.
_TYPE_PROBS = np.array(
    [
        [0.60, 0.20, 0.10, 0.05, 0.05],
        [0.55, 0.28, 0.12, 0.04, 0.01],
        [0.78, 0.08, 0.13, 0.005, 0.005],
    ]
)
_HAS_PRIMARY = np.array([True, False, True, False, True])
_HAS_JUNIOR = np.array([False, True, True, True, True])
_PRIVATE_BY_AREA = np.array([0.17, 0.08, 0.035])
_PRIVATE_TYPE_MULT = np.array([1.0, 1.0, 1.3, 0.8, 4.5])
# tested-grade enrolment: lognormal (median, sigma) by area; multiplier by type
_PRIMARY_SIZE = np.array([[220.0, 0.5], [90.0, 0.6], [18.0, 0.9]])
_JUNIOR_SIZE = np.array([[320.0, 0.5], [220.0, 0.55], [60.0, 0.8]])
_PRIMARY_TYPE_MULT = np.array([1.0, 0.0, 0.6, 0.0, 0.8])
_JUNIOR_TYPE_MULT = np.array([0.0, 1.0, 0.5, 1.0, 0.6])
_PRIMARY_MAX, _JUNIOR_MAX = 1200, 1500
# area mix by county kind (城区, 镇区, 乡村)
_AREA_BY_KIND = {
    "区": (0.70, 0.18, 0.12),
    "县": (0.08, 0.32, 0.60),
    "旗": (0.08, 0.32, 0.60),
    "县级市": (0.22, 0.33, 0.45),
}
_AREA_CENTRAL_DISTRICT = (0.95, 0.05, 0.0)

_PUBLIC_SUFFIX = np.array(["小学", "中学", "学校", "中学", "实验学校"])
_PRIVATE_SUFFIXES = (
    ("实验小学", "外国语小学", "双语小学", "育才小学"),
    ("实验中学", "外国语学校", "育才中学", "博文中学"),
    ("实验学校", "外国语学校", "育才学校", "博文学校"),
    ("中学", "实验中学", "外国语中学", "育才中学"),
    ("外国语学校", "实验学校", "国际学校", "双语学校"),
)

_PLACE_WORDS = tuple(
    [
        "育新",
        "育才",
        "光明",
        "朝阳",
        "解放",
        "人民",
        "建设",
        "胜利",
        "红星",
        "东风",
        "前进",
        "新华",
        "和平",
        "文化",
        "民主",
        "友谊",
        "团结",
        "站前",
        "滨江",
        "湖滨",
        "城南",
        "城北",
        "城东",
        "城西",
        "江南",
        "阳光",
        "春晖",
        "启明",
        "晨光",
        "希望",
        "明德",
        "崇文",
        "尚德",
        "致远",
        "博雅",
        "育英",
        "培英",
        "英才",
        "行知",
        "树人",
        "德润",
        "文昌",
        "桂花",
        "梅园",
        "竹林",
        "桃源",
        "丹桂",
        "翠苑",
        "银湖",
        "金桥",
        "凤凰",
        "紫阳",
        "青云",
        "白鹭",
        "东湖",
        "西湖",
        "南湖",
        "北湖",
        "新城",
        "新区",
        "开发区",
        "高新",
        "滨河",
        "河西",
        "河东",
        "江北",
        "江滨",
        "文华",
        "文星",
        "启智",
        "星光",
        "长青",
        "松柏",
        "翠竹",
        "秀水",
        "清泉",
        "龙山",
        "凤山",
        "狮山",
        "象山",
        "鹿鸣",
        "书院",
        "学府",
        "府前",
        "府后",
        "钟楼",
        "鼓楼",
        "北门",
        "南门",
        "东门",
        "西门",
        "大桥",
        "新桥",
        "石桥",
        "花园",
        "园林",
        "体育路",
        "人民路",
        "解放路",
        "中山路",
        "建设路",
        "健康路",
        "工农",
        "红旗",
        "铁路",
        "矿区",
        "电厂",
        "机场",
        "港口",
        "林场",
        "农场",
        "纺织",
        "油田",
        "钢城",
        "实验",
        "第二实验",
        "师范附属",
        "教院附属",
    ]
)
_VILLAGE_A = tuple("东西南北上下前后大小新老黄李张王刘陈杨周吴徐胡罗邓曾彭石高龙凤马牛白竹杨")
_VILLAGE_B = tuple("塘桥山岭湖港坪坑源田家湾洲岗庄陂圩埠坊店冲垅畈岭桥潭口")
_TOWN_A = tuple(
    "安平清河阳山江宁武德兴永丰新长临泉华和宝金龙明汉白云青松石高大东西南北中上开广建昌庆吉泰同定通文乐靖怀远嘉富兰顺"
)
_TOWN_B = tuple("安平阳山江宁城德兴丰川泉化和源州林水原台都溪陵昌康远门口沙岗关集桥湖坪田家里店")
_COUNTY_A = _TOWN_A
_COUNTY_B = tuple("安平阳山江宁城德兴丰川泉化和源林水原台都溪陵昌康远门口沙关谷乡峰阴武")

_CN_DIGITS = "零一二三四五六七八九"


def _cn_number(k: int) -> str:
    """1..99 as Chinese numerals: 一, 十, 十一, 二十三."""
    if k < 10:
        return _CN_DIGITS[k]
    tens, ones = divmod(k, 10)
    head = "" if tens == 1 else _CN_DIGITS[tens]
    return head + "十" + (_CN_DIGITS[ones] if ones else "")


_CN_NUMBERS = np.array([""] + [_cn_number(k) for k in range(1, 100)])


def _cn(values: npt.NDArray[np.int64]) -> npt.NDArray[np.str_]:
    return _CN_NUMBERS[np.clip(values, 0, 99)]


def _rng(seed: int, stream: int) -> np.random.Generator:
    return np.random.default_rng([seed, stream])


# --- counter-based random numbers (for people) ------------------------------------------------
_M1 = np.uint64(0xBF58476D1CE4E5B9)
_M2 = np.uint64(0x94D049BB133111EB)
_GOLDEN = np.uint64(0x9E3779B97F4A7C15)


def _mix(x: npt.NDArray[np.uint64]) -> npt.NDArray[np.uint64]:
    """splitmix64 finaliser, elementwise (wrapping uint64 arithmetic)."""
    with np.errstate(over="ignore"):
        z = x + _GOLDEN
        z = (z ^ (z >> np.uint64(30))) * _M1
        z = (z ^ (z >> np.uint64(27))) * _M2
        return z ^ (z >> np.uint64(31))


def _uniforms(
    keys: npt.NDArray[np.uint64], seed: int, stream: int, k: int
) -> npt.NDArray[np.float64]:
    """``(n, k)`` uniforms in [0, 1), a pure function of (seed, stream, key)."""
    salt = _mix(np.array([(seed & 0xFFFFFFFF) * 1_000_003 + stream], dtype=np.uint64))[0]
    base = _mix(keys ^ salt)
    with np.errstate(over="ignore"):
        cols = [_mix(base + np.uint64(j) * _GOLDEN) for j in range(k)]
    bits = np.stack(cols, axis=1) >> np.uint64(11)
    return bits.astype(np.float64) * (1.0 / (1 << 53))


# --- results -------------------------------------------------------------------------------
@dataclass(frozen=True)
class SynthCity:
    """A city: ``units`` (province, city and county rows) and ``schools`` (see module doc)."""

    seed: int
    units: pl.DataFrame
    schools: pl.DataFrame
    test_date: date = DEFAULT_TEST_DATE

    def counties(self) -> pl.DataFrame:
        return self.units.filter(pl.col("level") == "county")

    def students(self, grade: int, school_ids: list[str] | None = None) -> pl.DataFrame:
        """Students of ``grade`` in the given schools (all schools if None)."""
        return students_for(self._subset(school_ids), grade, self.seed, test_date=self.test_date)

    def teachers(self, school_ids: list[str] | None = None) -> pl.DataFrame:
        return teachers_for(self._subset(school_ids), self.seed, today=self.test_date)

    def _subset(self, school_ids: list[str] | None) -> pl.DataFrame:
        if school_ids is None:
            return self.schools
        return self.schools.filter(pl.col("school_id").is_in(school_ids))


@dataclass(frozen=True)
class NationalHierarchy:
    """Units and schools of the whole country, for the web app's bulk loader."""

    seed: int
    units: pl.DataFrame
    schools: pl.DataFrame
    timings: dict[str, float] = field(default_factory=dict)


# --- counties table used by the school generator ------------------------------------------
# columns: code, name, kind, province, city, province_name, city_name, city_short, is_capital,
#          n_schools, p_urban, p_town, p_rural, id_region
def _schools_from_counties(
    rng: np.random.Generator,
    counties: pl.DataFrame,
    towns: pl.DataFrame,
    place_words: tuple[str, ...],
) -> pl.DataFrame:
    """Generate the schools of ``counties`` (vectorised over all schools)."""
    n_per = counties["n_schools"].to_numpy().astype(np.int64)
    n_c = n_per.size
    ci = np.repeat(np.arange(n_c), n_per)
    n = ci.size

    # area and type
    probs = counties.select("p_urban", "p_town", "p_rural").to_numpy()
    cum = np.cumsum(probs / probs.sum(axis=1, keepdims=True), axis=1)[ci]
    area = (rng.random(n)[:, None] >= cum[:, :2]).sum(axis=1)
    type_cum = np.cumsum(_TYPE_PROBS, axis=1)[area]
    stype = (rng.random(n)[:, None] >= type_cum[:, :4]).sum(axis=1)

    # nature and affiliation
    private = rng.random(n) < _PRIVATE_BY_AREA[area] * _PRIVATE_TYPE_MULT[stype]
    kind = counties["kind"].to_numpy()
    eligible = (kind[ci] == "区") & (area == 0)
    capital = counties["is_capital"].to_numpy().astype(bool)[ci]
    u = rng.random(n)
    aff = np.zeros(n, dtype=np.int64)
    aff[eligible & ~private & (u < 0.12)] = 1
    aff[eligible & ~private & capital & (u >= 0.12) & (u < 0.14) & _HAS_JUNIOR[stype]] = 2
    aff[eligible & private & (u < 0.5)] = 3

    # enrolment of the tested grades
    def size(
        table: npt.NDArray[np.float64], mult: npt.NDArray[np.float64], cap: int
    ) -> npt.NDArray[np.int64]:
        med = table[area, 0] * np.where(mult[stype] > 0, mult[stype], 1.0)
        draw = np.exp(np.log(med) + table[area, 1] * rng.standard_normal(n))
        out = np.clip(np.rint(draw), 1, cap).astype(np.int64)
        return np.where(mult[stype] > 0, out, 0)

    primary = size(_PRIMARY_SIZE, _PRIMARY_TYPE_MULT, _PRIMARY_MAX)
    junior = size(_JUNIOR_SIZE, _JUNIOR_TYPE_MULT, _JUNIOR_MAX)

    # name parts
    town_counts = towns.group_by("county", maintain_order=True).len()
    town_n = (
        counties.select("code")
        .join(town_counts, left_on="code", right_on="county", how="left")["len"]
        .fill_null(0)
        .to_numpy()
    )
    if np.any(town_n == 0):
        raise ValueError("every county needs at least one town")
    town_n = town_n.astype(np.int64)
    town_off = np.cumsum(town_n) - town_n
    town_names = towns["town"].to_numpy().astype(str)
    town_idx = town_off[ci] + (rng.random(n) * town_n[ci]).astype(np.int64)
    town = town_names[town_idx]
    town_base = np.where(
        np.strings.endswith(town, "镇") | np.strings.endswith(town, "乡"),
        np.strings.slice(town, 0, -1),
        town,
    )
    words = np.asarray(place_words)

    def draw_word(m: int) -> npt.NDArray[np.str_]:
        return words[rng.integers(0, words.size, size=m)]

    def draw_village(m: int) -> npt.NDArray[np.str_]:
        a = np.asarray(_VILLAGE_A)[rng.integers(0, len(_VILLAGE_A), size=m)]
        b = np.asarray(_VILLAGE_B)[rng.integers(0, len(_VILLAGE_B), size=m)]
        return np.strings.add(a, b)

    word = draw_word(n)
    village = draw_village(n)
    priv_suffix = np.array(_PRIVATE_SUFFIXES)[stype, rng.integers(0, 4, size=n)]
    u_num = rng.random(n)

    county_name = counties["name"].to_numpy().astype(str)[ci]
    prefix = np.select(
        [aff == 1, aff == 2, aff == 3],
        [
            counties["city_name"].to_numpy().astype(str)[ci],
            counties["province_name"].to_numpy().astype(str)[ci],
            counties["city_short"].to_numpy().astype(str)[ci],
        ],
        county_name,
    )
    county_code = counties["code"].to_numpy().astype(str)[ci]
    city_code = counties["city"].to_numpy().astype(str)[ci]

    # numbered middle schools: 南昌市第十中学 (city-run), 南昌县第一中学 (county-run, complete)
    numbered_city = (aff == 1) & np.isin(stype, [1, 3]) & (u_num < 0.6)
    numbered_county = (aff == 0) & ~private & (stype == 3) & (area != 2)
    # town-ordinal schools: 民和镇中心小学, 民和第一小学 ...
    town_style = (area == 1) & (aff == 0) & ~private & ~numbered_county
    village_style = (area == 2) & (aff == 0) & ~private & ~numbered_county

    frame = pl.DataFrame(
        {
            "county": county_code,
            "city": city_code,
            "row": np.arange(n),
            "numbered_city": numbered_city,
            "numbered_county": numbered_county,
            "town_style": town_style,
            "town": town,
            "stype": stype,
        }
    )
    ranks = frame.select(
        city_rank=pl.int_range(pl.len()).over(["city", "numbered_city"], order_by="row"),
        county_rank=pl.int_range(pl.len()).over(["county", "numbered_county"], order_by="row"),
        town_rank=pl.int_range(pl.len()).over(
            ["county", "town", "stype", "town_style"], order_by="row"
        ),
    )
    city_rank = ranks["city_rank"].to_numpy()
    county_rank = ranks["county_rank"].to_numpy()
    town_rank = ranks["town_rank"].to_numpy()

    # fixed parts (do not depend on the random word / village)
    town_core = np.where(
        town_rank == 0, town, np.strings.add(np.strings.add(town_base, "第"), _cn(town_rank))
    )
    town_suffix = np.select(
        [stype == 0, stype == 1, stype == 2],
        [
            np.where(town_rank == 0, "中心小学", "小学"),
            np.where(town_rank == 0, "中学", "中学"),
            np.where(town_rank == 0, "九年一贯制学校", "学校"),
        ],
        "实验学校",
    )
    rural_suffix = np.where((stype == 0) & (primary < 8), "教学点", _PUBLIC_SUFFIX[stype])
    public_suffix = _PUBLIC_SUFFIX[stype]

    def compose(
        word: npt.NDArray[np.str_], village: npt.NDArray[np.str_]
    ) -> tuple[npt.NDArray[np.str_], npt.NDArray[np.str_]]:
        core = np.select(
            [numbered_city, numbered_county, town_style, village_style, private],
            [
                np.strings.add("第", _cn(city_rank + 1)),
                np.strings.add("第", _cn(county_rank + 1)),
                town_core,
                np.strings.add(town, village),
                word,
            ],
            word,
        )
        suffix = np.select(
            [numbered_city | numbered_county, town_style, village_style, private],
            [np.full(n, "中学"), town_suffix, rural_suffix, priv_suffix],
            public_suffix,
        )
        return core, suffix

    core, suffix = compose(word, village)
    redrawable = ~(numbered_city | numbered_county | town_style)
    names = np.strings.add(np.strings.add(prefix, core), suffix)
    for _ in range(4):
        dup = _dup_rank(county_code, names) > 0
        if not dup.any():
            break
        redraw = dup & redrawable
        word = np.where(redraw, draw_word(n), word)
        village = np.where(redraw, draw_village(n), village)
        core, suffix = compose(word, village)
        names = np.strings.add(np.strings.add(prefix, core), suffix)
    dup_rank = _dup_rank(county_code, names)
    if dup_rank.any():  # still a clash: 育新小学 -> 育新第二小学
        ordinal = np.where(dup_rank > 0, np.strings.add("第", _cn(dup_rank + 1)), "")
        names = np.strings.add(np.strings.add(np.strings.add(prefix, core), ordinal), suffix)
        dup_rank = _dup_rank(county_code, names)
        names = np.where(
            dup_rank > 0,
            np.strings.add(names, np.strings.add("（", np.strings.add(_cn(dup_rank + 1), "）"))),
            names,
        )

    primary_classes = -(-primary // CLASS_SIZE)
    junior_classes = -(-junior // CLASS_SIZE)
    schools = pl.DataFrame(
        {
            "county": county_code,
            "school_name": names,
            "school_type": np.asarray(SCHOOL_TYPES)[stype],
            "area": np.asarray(AREAS)[area],
            "primary_students": primary,
            "junior_students": junior,
            "province": counties["province"].to_numpy().astype(str)[ci],
            "city": city_code,
            "nature": np.where(private, "民办", "公办"),
            "affiliation": np.asarray(AFFILIATIONS)[aff],
            "primary_classes": primary_classes,
            "junior_classes": junior_classes,
            "_stype": stype,
            "_area": area,
        },
        schema_overrides={
            "primary_students": pl.Int64,
            "junior_students": pl.Int64,
            "primary_classes": pl.Int64,
            "junior_classes": pl.Int64,
        },
    )
    schools = schools.sort(["county", "_stype", "_area", "school_name"]).with_columns(
        school_id=pl.col("county")
        + (pl.int_range(pl.len()).over("county") + 1).cast(pl.String).str.zfill(4)
    )
    return schools.select(SCHOOL_COLUMNS)


def _dup_rank(county: npt.NDArray[np.str_], names: npt.NDArray[np.str_]) -> npt.NDArray[np.int64]:
    df = pl.DataFrame({"c": county, "n": names, "i": np.arange(names.size)})
    return df.select(pl.int_range(pl.len()).over(["c", "n"], order_by="i")).to_series().to_numpy()


# --- Nanchang ------------------------------------------------------------------------------
_JIANGXI = next(p for p in PROVINCES if p.code2 == "36")
_NANCHANG_STREAM = 36


def _nanchang_tables(rng: np.random.Generator) -> tuple[pl.DataFrame, pl.DataFrame, pl.DataFrame]:
    units = pl.DataFrame(
        {
            "code": ["360000", NANCHANG_CITY_CODE] + [u.code for u in NANCHANG_UNITS],
            "name": ["江西省", "南昌市"] + [u.name for u in NANCHANG_UNITS],
            "parent_code": [None, "360000"] + [NANCHANG_CITY_CODE] * len(NANCHANG_UNITS),
            "level": ["province", "city"] + ["county"] * len(NANCHANG_UNITS),
            "kind": ["省", "地级市"] + [u.kind for u in NANCHANG_UNITS],
        },
        schema={c: pl.String for c in UNIT_COLUMNS},
    )
    targets = np.array([u.target_schools for u in NANCHANG_UNITS], dtype=np.float64)
    n_schools = np.maximum(np.rint(targets * rng.normal(1.0, 0.03, size=targets.size)), 5)
    probs = np.array([u.area_probs for u in NANCHANG_UNITS])
    counties = pl.DataFrame(
        {
            "code": [u.code for u in NANCHANG_UNITS],
            "name": [u.name for u in NANCHANG_UNITS],
            "kind": [u.kind for u in NANCHANG_UNITS],
            "province": "360000",
            "city": NANCHANG_CITY_CODE,
            "province_name": "江西省",
            "city_name": "南昌市",
            "city_short": "南昌",
            "is_capital": True,
            "n_schools": n_schools.astype(np.int64),
            "p_urban": probs[:, 0],
            "p_town": probs[:, 1],
            "p_rural": probs[:, 2],
            "id_region": [u.id_region for u in NANCHANG_UNITS],
        }
    )
    towns = pl.DataFrame(
        {
            "county": [u.code for u in NANCHANG_UNITS for _ in u.towns],
            "town": [t for u in NANCHANG_UNITS for t in u.towns],
        }
    )
    return units, counties, towns


def _nanchang_schools(seed: int) -> tuple[pl.DataFrame, pl.DataFrame]:
    rng = _rng(seed, _NANCHANG_STREAM)
    units, counties, towns = _nanchang_tables(rng)
    schools = _schools_from_counties(rng, counties, towns, NANCHANG_PLACE_WORDS + _PLACE_WORDS[:40])
    return units, schools


def nanchang_city(seed: int, *, test_date: date = DEFAULT_TEST_DATE) -> SynthCity:
    """A city shaped like Nanchang: 江西省 → 南昌市 → its 12 county-level units, ~1,200 schools."""
    units, schools = _nanchang_schools(seed)
    return SynthCity(seed=seed, units=units, schools=schools, test_date=test_date)


# --- national ------------------------------------------------------------------------------
def _pick_unique_names(
    rng: np.random.Generator,
    count: int,
    first: tuple[str, ...],
    second: tuple[str, ...],
    taken: set[str],
) -> list[str]:
    out: list[str] = []
    while len(out) < count:
        a = first[int(rng.integers(len(first)))]
        b = second[int(rng.integers(len(second)))]
        name = a + b
        if a != b and name not in taken:
            taken.add(name)
            out.append(name)
    return out


def _national_tables(seed: int) -> tuple[pl.DataFrame, pl.DataFrame, pl.DataFrame]:
    """Units of the whole country, the county table for the school generator, and towns."""
    rng = _rng(seed, 0)
    unit_rows: list[tuple[str, str, str | None, str, str]] = []
    county_rows: list[dict[str, object]] = []
    density_total = sum(p.population_m for p in PROVINCES)

    for prov in PROVINCES:
        pcode = prov.code2 + "0000"
        unit_rows.append((pcode, prov.name, None, "province", prov.kind))
        density = (prov.population_m / density_total * 2843 / prov.n_counties) ** 0.85
        if not prov.cities:  # municipality: one city row, real districts
            ccode = prov.code2 + "0100"
            unit_rows.append((ccode, prov.name, pcode, "city", "直辖市"))
            for i, (cname, ckind) in enumerate(MUNICIPAL_DISTRICTS[prov.code2]):
                central = ckind == "区" and i < 6
                probs = _AREA_CENTRAL_DISTRICT if central else _AREA_BY_KIND[ckind]
                county_rows.append(
                    _county_row(
                        prov,
                        pcode,
                        ccode,
                        prov.name,
                        prov.name[:-1],
                        True,
                        f"{ccode[:4]}{i + 1:02d}",
                        cname,
                        ckind,
                        probs,
                        density * (0.6 if central else 1.0),
                    )
                )
            continue
        k = len(prov.cities)
        n_total = prov.n_counties
        fixed: dict[int, int] = {}
        if prov.code2 == "36":
            fixed[0] = len(NANCHANG_UNITS)
        free = [j for j in range(k) if j not in fixed]
        rest = n_total - sum(fixed.values()) - 2 * len(free)
        weights = rng.lognormal(0.0, 0.35, size=len(free))
        counts = dict(fixed)
        for j, extra in zip(free, rng.multinomial(rest, weights / weights.sum()), strict=True):
            counts[j] = 2 + int(extra)
        taken: set[str] = set()
        for j, short in enumerate(prov.cities):
            full = city_full_name(short)
            ckind = city_kind(full)
            ccode = f"{prov.code2}{j + 1:02d}00"
            if prov.code2 == "36" and j == 0:
                ccode = NANCHANG_CITY_CODE  # Nanchang's counties come from nanchang_city()
                unit_rows.append((ccode, full, pcode, "city", ckind))
                unit_rows.extend((u.code, u.name, ccode, "county", u.kind) for u in NANCHANG_UNITS)
                continue
            unit_rows.append((ccode, full, pcode, "city", ckind))
            cnt = counts[j]
            n_dist = (
                int(np.clip(rng.binomial(cnt, 0.35), 1, min(cnt, 18))) if ckind == "地级市" else 0
            )
            kinds = ["区"] * n_dist
            for _ in range(cnt - n_dist):
                if rng.random() < 0.18:
                    kinds.append("县级市")
                elif prov.code2 == "15" and rng.random() < 0.6:
                    kinds.append("旗")
                else:
                    kinds.append("县")
            kinds.sort(key=("区", "县", "旗", "县级市").index)
            names = _pick_unique_names(rng, cnt, _COUNTY_A, _COUNTY_B, taken)
            serial = {"区": 2, "县": 21, "县级市": 81}
            for kind, base in zip(kinds, names, strict=True):
                key = "县" if kind == "旗" else kind
                code = f"{ccode[:4]}{serial[key]:02d}"
                serial[key] += 1
                suffix = {"区": "区", "县": "县", "旗": "旗", "县级市": "市"}[kind]
                county_rows.append(
                    _county_row(
                        prov,
                        pcode,
                        ccode,
                        full,
                        short,
                        j == 0,
                        code,
                        base + suffix,
                        kind,
                        _AREA_BY_KIND[kind],
                        density * (0.7 if kind == "区" else 1.1),
                    )
                )

    units = pl.DataFrame(unit_rows, schema={c: pl.String for c in UNIT_COLUMNS}, orient="row")
    counties = pl.DataFrame(county_rows)
    # school counts: scale the expected counts to the national target (Nanchang added later)
    expected = counties["weight"].to_numpy() * rng.lognormal(0.0, 0.45, size=counties.height)
    expected *= (NATIONAL_SCHOOL_TARGET - 1_200) / expected.sum()
    n_schools = np.maximum(rng.poisson(expected), 4)
    counties = counties.with_columns(n_schools=pl.Series(n_schools, dtype=pl.Int64))

    # towns: unique 2-character names per county, ~1 town per 7 schools
    town_n = np.where(
        counties["kind"].to_numpy() == "区",
        np.clip(n_schools // 15, 1, 8),
        np.clip(n_schools // 7, 2, 30),
    )
    pool_size = len(_TOWN_A) * len(_TOWN_B)
    total = int(town_n.sum())
    picks = np.empty(total, dtype=np.int64)
    off = 0
    for t in town_n:  # one small draw per county (~2,800), not per school
        picks[off : off + t] = rng.choice(pool_size, size=int(t), replace=False)
        off += int(t)
    town_names = np.strings.add(
        np.strings.add(
            np.asarray(_TOWN_A)[picks // len(_TOWN_B)], np.asarray(_TOWN_B)[picks % len(_TOWN_B)]
        ),
        np.where(rng.random(total) < 0.65, "镇", "乡"),
    )
    towns = pl.DataFrame(
        {"county": np.repeat(counties["code"].to_numpy(), town_n), "town": town_names}
    )
    return units, counties, towns


def _county_row(
    prov: ProvinceRow,
    pcode: str,
    ccode: str,
    city_name: str,
    city_short: str,
    capital: bool,
    code: str,
    name: str,
    kind: str,
    probs: tuple[float, float, float],
    weight: float,
) -> dict[str, object]:
    return {
        "code": code,
        "name": name,
        "kind": kind,
        "province": pcode,
        "city": ccode,
        "province_name": prov.name,
        "city_name": city_name,
        "city_short": city_short,
        "is_capital": capital,
        "p_urban": probs[0],
        "p_town": probs[1],
        "p_rural": probs[2],
        "id_region": code,
        "weight": weight,
    }


def national_hierarchy(seed: int) -> NationalHierarchy:
    """All units (~31 provinces, ~338 cities, ~2,850 counties) and ~210,000 schools."""
    t0 = time.perf_counter()
    units, counties, towns = _national_tables(seed)
    t1 = time.perf_counter()
    schools = _schools_from_counties(_rng(seed, 1), counties, towns, _PLACE_WORDS)
    _, nanchang = _nanchang_schools(seed)
    schools = pl.concat([schools, nanchang]).sort("school_id")
    t2 = time.perf_counter()
    return NationalHierarchy(
        seed=seed,
        units=units,
        schools=schools,
        timings={"units": t1 - t0, "schools": t2 - t1},
    )


def national_school_frame(seed: int) -> pl.DataFrame:
    """The national school frame (columns :data:`SCHOOL_COLUMNS`), ~210,000 rows."""
    return national_hierarchy(seed).schools


# --- people --------------------------------------------------------------------------------
_NANCHANG_ID_REGIONS = np.array(
    ["360102", "360103", "360104", "360105", "360111", "360112", "360113", "360121", "360122",
     "360123", "360124"]
)  # fmt: skip
_ID_REGION_OVERRIDES = {u.code: u.id_region for u in NANCHANG_UNITS}


def _id_region(county: npt.NDArray[np.str_]) -> npt.NDArray[np.str_]:
    out = county.copy()
    for code, region in _ID_REGION_OVERRIDES.items():
        out[county == code] = region
    return out


def _school_keys(school_id: npt.NDArray[np.str_]) -> npt.NDArray[np.uint64]:
    return school_id.astype(np.uint64)


def _unique_ids(
    region: npt.NDArray[np.str_],
    birth: npt.NDArray[np.datetime64],
    male: npt.NDArray[np.bool_],
    u: npt.NDArray[np.float64],
) -> npt.NDArray[np.str_]:
    """Valid ID numbers, unique among the rows: sequence numbers are spread within each
    (region, birth date, sex) group from a random start."""
    df = pl.DataFrame(
        {
            "r": region,
            "b": birth,
            "m": male,
            "s": (u * 500).astype(np.int64),
            "i": np.arange(region.size),
        }
    )
    seq_half = (
        df.select(
            (
                pl.col("s").min().over(["r", "b", "m"])
                + pl.int_range(pl.len()).over(["r", "b", "m"], order_by="i")
            )
            % 500
        )
        .to_series()
        .to_numpy()
    )
    seq = seq_half * 2 + male.astype(np.int64)
    return make_ids(region, birth, seq)


def students_for(
    schools: pl.DataFrame, grade: int, seed: int, *, test_date: date = DEFAULT_TEST_DATE
) -> pl.DataFrame:
    """Students of ``grade`` (1-9) in ``schools`` (a frame with :data:`SCHOOL_COLUMNS`).

    Uses ``primary_students``/``primary_classes`` for grades 1-6 and the junior columns for 7-9;
    a school without that stage contributes no rows. Birth dates fit the grade on ``test_date``
    (most pupils g+5 full years old on 1 September; some a year or two older, a few younger).
    """
    if not 1 <= grade <= 9:
        raise ValueError("年级必须在1到9之间")
    junior = grade >= 7
    count_col = "junior_students" if junior else "primary_students"
    class_col = "junior_classes" if junior else "primary_classes"
    sel = schools.filter(pl.col(count_col) > 0)
    counts = sel[count_col].to_numpy().astype(np.int64)
    classes = np.repeat(np.maximum(sel[class_col].to_numpy().astype(np.int64), 1), counts)
    school_id = np.repeat(sel["school_id"].to_numpy().astype(str), counts)
    county = np.repeat(sel["county"].to_numpy().astype(str), counts)
    n = school_id.size
    starts = np.concatenate([[0], np.cumsum(counts)[:-1]]).astype(np.int64)
    idx = np.arange(n, dtype=np.int64) - np.repeat(starts, counts)

    keys = _school_keys(school_id) * np.uint64(10_000) + idx.astype(np.uint64)
    u = _uniforms(keys, seed, 100 + grade, 10)
    male = u[:, 0] < 0.53
    names = names_from_uniforms(u[:, 1:5], male, "child")

    # age: on time (g+5 on 1 Sept) 85%, one year older 12%, two years older 2%, younger 1%
    extra = np.select([u[:, 5] < 0.85, u[:, 5] < 0.97, u[:, 5] < 0.99], [0, 1, 2], -1)
    sy = school_year_start(test_date).year
    first_year = sy - grade - 6 - extra  # born 2 Sept of this year .. 1 Sept of the next
    sept2 = (first_year - 1970).astype("datetime64[Y]").astype("datetime64[M]") + np.timedelta64(
        8, "M"
    )
    birth = sept2.astype("datetime64[D]") + (1 + (u[:, 6] * 365).astype(np.int64)).astype(
        "timedelta64[D]"
    )

    region = _id_region(county)
    if n:
        nanchang = np.strings.startswith(county, NANCHANG_CITY_CODE[:4])
        migrant = nanchang & (u[:, 7] < 0.10)
        pick = _NANCHANG_ID_REGIONS[(u[:, 8] * _NANCHANG_ID_REGIONS.size).astype(np.int64)]
        region = np.where(migrant, pick, region)
    ids = _unique_ids(region, birth, male, u[:, 9])

    class_no = idx % classes + 1
    seat = idx // classes + 1
    entry_year = sy - (grade - 7 if junior else grade - 1)
    grade_cn = _cn(np.full(n, grade, dtype=np.int64))
    out = pl.DataFrame(
        {
            "school_id": school_id,
            "county": county,
            "grade": np.full(n, grade, dtype=np.int64),
            "class_no": class_no,
            "class_name": np.strings.add(
                np.strings.add(np.strings.add(grade_cn, "年级("), class_no.astype(str)), ")班"
            ),
            "student_no": (entry_year * 10_000 + class_no * 100 + seat).astype(str),
            "name": names,
            "sex": np.where(male, "男", "女"),
            "birth_date": birth,
            "id_number": ids,
        },
        schema_overrides={"birth_date": pl.Date, "grade": pl.Int64, "class_no": pl.Int64},
    )
    return out.sort(["school_id", "class_no", "student_no"])


_SUBJECTS = {
    "小学": (
        ("语文", "数学", "英语", "科学", "道德与法治", "音乐", "美术", "体育", "信息科技", "综合实践"),
        (0.30, 0.25, 0.08, 0.06, 0.05, 0.07, 0.07, 0.08, 0.03, 0.01),
    ),
    "初中": (
        ("语文", "数学", "英语", "物理", "化学", "生物", "道德与法治", "历史", "地理", "音乐",
         "美术", "体育", "信息科技", "心理健康"),
        (0.16, 0.16, 0.15, 0.07, 0.05, 0.05, 0.07, 0.06, 0.05, 0.03, 0.03, 0.07, 0.03, 0.02),
    ),
    "高中": (
        ("语文", "数学", "英语", "物理", "化学", "生物", "思想政治", "历史", "地理", "音乐",
         "美术", "体育", "信息技术", "通用技术"),
        (0.14, 0.14, 0.14, 0.09, 0.07, 0.07, 0.06, 0.06, 0.06, 0.02, 0.02, 0.06, 0.03, 0.04),
    ),
}  # fmt: skip
_GRADE_ORDER = {"小学": (4, 1, 2, 3, 5, 6), "初中": (8, 7, 9), "高中": (10, 11, 12)}
_FEMALE_SHARE = {"小学": 0.72, "初中": 0.56, "高中": 0.50, "leader": 0.35}
_HEAD_SUBJECTS = {
    "小学": ("语文", "数学"),
    "初中": ("语文", "数学", "英语"),
    "高中": ("语文", "数学", "英语"),
}


def teachers_for(
    schools: pl.DataFrame, seed: int, *, today: date = DEFAULT_TEST_DATE
) -> pl.DataFrame:
    """Every teacher in post in ``schools``: leaders, head teachers and subject teachers.

    Staffing: primary ~1 teacher per 17 pupils (at least 2), junior ~1 per 13 (at least 6);
    complete and twelve-year schools also get senior-high teachers. Teachers of the tested
    grades come first in each stage, so even small schools have a grade-4 / grade-8 teacher.
    """
    sid = schools["school_id"].to_numpy().astype(str)
    county = schools["county"].to_numpy().astype(str)
    stype = schools["school_type"].to_numpy().astype(str)
    ps = schools["primary_students"].to_numpy().astype(np.int64)
    js = schools["junior_students"].to_numpy().astype(np.int64)
    pc = schools["primary_classes"].to_numpy().astype(np.int64)
    jc = schools["junior_classes"].to_numpy().astype(np.int64)
    n_p = np.where(ps > 0, np.maximum(2, -(-ps * 6 // 17)), 0)
    n_j = np.where(js > 0, np.maximum(6, -(-js * 3 // 13)), 0)
    has_senior = np.isin(stype, ["完全中学", "十二年一贯制"])
    n_s = np.where(has_senior, np.maximum(6, -(-js * 3 * 9 // 130)), 0)
    total = n_p + n_j + n_s
    n_lead = 1 + (total >= 15) + (total >= 60)
    lead_stage = np.where(ps > 0, "小学", "初中")

    blocks: list[pl.DataFrame] = []
    # leaders
    rep = np.repeat(np.arange(sid.size), n_lead)
    k = np.arange(rep.size) - np.repeat(np.cumsum(n_lead) - n_lead, n_lead)
    blocks.append(
        pl.DataFrame(
            {
                "i": rep,
                "block": 0,
                "k": k,
                "stage": lead_stage[rep],
                "role": np.where(k == 0, "校长", "副校长"),
                "grade": pl.Series([None] * rep.size, dtype=pl.Int64),
                "head": np.zeros(rep.size, dtype=bool),
            }
        )
    )
    for b, (stage, counts, classes) in enumerate(
        (("小学", n_p, pc), ("初中", n_j, jc), ("高中", n_s, jc)), start=1
    ):
        rep = np.repeat(np.arange(sid.size), counts)
        k = np.arange(rep.size) - np.repeat(np.cumsum(counts) - counts, counts)
        order = np.asarray(_GRADE_ORDER[stage])
        head = k // order.size < classes[rep]
        blocks.append(
            pl.DataFrame(
                {
                    "i": rep,
                    "block": b,
                    "k": k,
                    "stage": np.full(rep.size, stage),
                    "role": np.where(head, "班主任", "任课教师"),
                    "grade": pl.Series(order[k % order.size], dtype=pl.Int64),
                    "head": head,
                }
            )
        )
    staff = pl.concat(blocks).sort(["i", "block", "k"])
    i = staff["i"].to_numpy()
    n = i.size
    teacher_idx = staff.select(pl.int_range(pl.len()).over("i")).to_series().to_numpy()
    school_id = sid[i]
    keys = _school_keys(school_id) * np.uint64(10_000) + teacher_idx.astype(np.uint64)
    u = _uniforms(keys, seed, 7, 10)

    stage_arr = staff["stage"].to_numpy().astype(str)
    role = staff["role"].to_numpy().astype(str)
    head = staff["head"].to_numpy().astype(bool)
    female_p = np.select(
        [np.isin(role, ["校长", "副校长"]), stage_arr == "小学", stage_arr == "初中"],
        [_FEMALE_SHARE["leader"], _FEMALE_SHARE["小学"], _FEMALE_SHARE["初中"]],
        _FEMALE_SHARE["高中"],
    )
    male = u[:, 0] >= female_p
    names = names_from_uniforms(u[:, 1:5], male, "adult")
    subject = np.empty(n, dtype=object)
    for stage, (subs, weights) in _SUBJECTS.items():
        cum = np.cumsum(np.asarray(weights) / sum(weights))
        m = stage_arr == stage
        pick = np.minimum(np.searchsorted(cum, u[m, 5], side="right"), len(subs) - 1)
        chosen = np.asarray(subs)[pick]
        heads = np.asarray(_HEAD_SUBJECTS[stage])
        chosen = np.where(head[m], heads[(u[m, 5] * heads.size).astype(np.int64)], chosen)
        subject[m] = chosen

    # age 23-58 on `today`; leaders 38-58
    leader = np.isin(role, ["校长", "副校长"])
    age_years = np.where(leader, 38 + u[:, 6] * 20, 23 + u[:, 6] * 35)
    birth = np.datetime64(today, "D") - (age_years * 365.25).astype("timedelta64[D]")
    ids = _unique_ids(_id_region(county[i]), birth, male, u[:, 7])
    return pl.DataFrame(
        {
            "school_id": school_id,
            "county": county[i],
            "teacher_no": np.strings.add(
                school_id, np.strings.zfill((teacher_idx + 1).astype(str), 4)
            ),
            "name": names,
            "sex": np.where(male, "男", "女"),
            "birth_date": birth,
            "id_number": ids,
            "stage": stage_arr,
            "subject": subject.astype(str),
            "grade": staff["grade"],
            "role": role,
        },
        schema_overrides={"birth_date": pl.Date},
    )
