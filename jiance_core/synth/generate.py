"""Deterministic synthetic administrative units, schools, teachers and students.

All functions take a ``seed`` and return the same data for the same seed. Schools are generated
with ``numpy.random.Generator`` streams derived from the seed, vectorised over all schools
(integers in numpy, strings assembled by polars). Students and teachers use counter-based random
numbers keyed by school code and row, so a school gets the same people whether it is generated
alone or with the whole city (only the three-digit ID sequence number may move, when two
people would otherwise share an ID number).

Nanchang inside :func:`national_hierarchy` is exactly :func:`nanchang_city` for the same seed.

DataFrames
----------
``units`` (:func:`national_hierarchy`, :attr:`SynthCity.units`), one row per unit, parents before
children, columns :data:`UNIT_COLUMNS` (all ``pl.String``):

=============  ==========================================================================
code           6-digit code: province ``PP0000``, city ``PPCC00``, county ``PPCCXX``
name           full name, e.g. 江西省 / 南昌市 / 东湖区
parent_code    code of the parent unit; null for a province (its parent is the national centre)
level          ``province`` / ``city`` / ``county``
kind           province: 省 自治区 直辖市; city: 地级市 自治州 地区 盟 直辖市 省直辖;
               county: 区 县 县级市 旗 管理局 开发区
=============  ==========================================================================

``schools`` (:func:`national_school_frame`, :attr:`SynthCity.schools`), one row per school, in the
column order of :data:`SCHOOL_COLUMNS` (the first seven are the sampling frame's columns, see
:mod:`jiance_core.sampling.frame`); codes are ``pl.String``, counts ``pl.Int64``:

==================  ======================================================================
county              code of the county-level unit the school belongs to (属地)
school_id           10 digits: county code + 4-digit serial, unique
school_name         e.g. 南昌县莲塘第一小学, 进贤县民和镇中心小学, 东湖区育新学校
school_type         小学 / 初中 / 九年一贯制 / 完全中学 / 十二年一贯制
area                城区 / 镇区 / 乡村
primary_students    grade-4 enrolment (0 if the school has no primary stage)
junior_students     grade-8 enrolment (0 if the school has no junior stage)
province, city      codes of the school's province and city
nature              公办 / 民办
affiliation         县属 / 局属 (run by the city education bureau) / 省属 / 市管民办; all of
                    them still belong to the county where they stand
primary_classes     grade-4 classes: ceil(students / 45), 0 if no primary stage
junior_classes      grade-8 classes, 0 if no junior stage
==================  ======================================================================

:func:`students_for` columns: ``school_id, county, grade, class_no, class_name, student_no, name,
sex (男/女), birth_date (pl.Date), id_number``. :func:`teachers_for` columns: ``school_id, county,
teacher_no, name, sex, birth_date, id_number, stage (小学/初中/高中), subject, grade (Int64,
null for leaders), role (校长/副校长/班主任/任课教师)``.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from datetime import date
from typing import Final

import numpy as np
import numpy.typing as npt
import polars as pl

from jiance_core.idcard import CHECK_CHARS, check_indices, first17_numbers, school_year_start
from jiance_core.synth.geography import (
    MUNICIPAL_DISTRICTS,
    NANCHANG_CITY_CODE,
    NANCHANG_PLACE_WORDS,
    NANCHANG_UNITS,
    PROVINCES,
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
    "STUDENT_COLUMNS",
    "TEACHER_COLUMNS",
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
STUDENT_COLUMNS: Final = (
    "school_id",
    "county",
    "grade",
    "class_no",
    "class_name",
    "student_no",
    "name",
    "sex",
    "birth_date",
    "id_number",
)
TEACHER_COLUMNS: Final = (
    "school_id",
    "county",
    "teacher_no",
    "name",
    "sex",
    "birth_date",
    "id_number",
    "stage",
    "subject",
    "grade",
    "role",
)
NATIONAL_SCHOOL_TARGET: Final = 210_000
#: The default test day: students' ages are computed for the school year that contains it.
DEFAULT_TEST_DATE: Final = date(2027, 5, 20)
CLASS_SIZE: Final = 45

# --- school mix ----------------------------------------------------------------------------
# P(type | area): rows in AREAS order, columns in SCHOOL_TYPES order.
_TYPE_PROBS = np.array(
    [
        [0.60, 0.20, 0.10, 0.05, 0.05],
        [0.55, 0.28, 0.12, 0.04, 0.01],
        [0.78, 0.08, 0.133, 0.005, 0.002],
    ]
)
_HAS_PRIMARY = np.array([True, False, True, False, True])
_HAS_JUNIOR = np.array([False, True, True, True, True])
_PRIVATE_BY_AREA = np.array([0.17, 0.08, 0.035])
_PRIVATE_TYPE_MULT = np.array([1.0, 1.0, 1.3, 0.8, 4.5])
# tested-grade enrolment: lognormal (median, sigma) by area; median multiplier by type
_PRIMARY_SIZE = np.array([[220.0, 0.5], [90.0, 0.6], [18.0, 0.9]])
_JUNIOR_SIZE = np.array([[320.0, 0.5], [220.0, 0.55], [60.0, 0.8]])
_PRIMARY_TYPE_MULT = np.array([1.0, 0.0, 0.6, 0.0, 0.8])
_JUNIOR_TYPE_MULT = np.array([0.0, 1.0, 0.5, 1.0, 0.6])
_PRIMARY_MAX, _JUNIOR_MAX = 1200, 1500
# area mix (城区, 镇区, 乡村) by county kind
_AREA_BY_KIND = {
    "区": (0.70, 0.18, 0.12),
    "县": (0.08, 0.32, 0.60),
    "旗": (0.08, 0.32, 0.60),
    "县级市": (0.22, 0.33, 0.45),
}
_AREA_CENTRAL_DISTRICT = (0.95, 0.05, 0.0)


def _words(text: str) -> tuple[str, ...]:
    return tuple(text.split())


_PUBLIC_SUFFIX = ("小学", "中学", "学校", "中学", "实验学校")
_PRIVATE_SUFFIXES = (
    ("实验小学", "外国语小学", "双语小学", "育才小学"),
    ("实验中学", "外国语学校", "育才中学", "博文中学"),
    ("实验学校", "外国语学校", "育才学校", "博文学校"),
    ("中学", "实验中学", "外国语中学", "育才中学"),
    ("外国语学校", "实验学校", "国际学校", "双语学校"),
)
_PLACE_WORDS = _words(
    "育新 育才 光明 朝阳 解放 人民 建设 胜利 红星 东风 前进 新华 和平 文化 民主 友谊 团结 站前 "
    "滨江 湖滨 城南 城北 城东 城西 江南 阳光 春晖 启明 晨光 希望 明德 崇文 尚德 致远 博雅 育英 "
    "培英 英才 行知 树人 德润 文昌 桂花 梅园 竹林 桃源 丹桂 翠苑 银湖 金桥 凤凰 紫阳 青云 白鹭 "
    "东湖 西湖 南湖 北湖 新城 新区 滨河 河西 河东 江北 江滨 文华 文星 启智 星光 长青 松柏 翠竹 "
    "秀水 清泉 龙山 凤山 狮山 象山 鹿鸣 书院 学府 府前 钟楼 鼓楼 北门 南门 东门 西门 大桥 新桥 "
    "石桥 花园 园林 体育路 人民路 解放路 中山路 建设路 健康路 工农 红旗 铁路 矿区 电厂 机场 港口 "
    "林场 农场 纺织 油田 钢城 实验 第二实验 师范附属 教院附属"
)
_VILLAGE_A = "东西南北上下前后大小新老黄李张王刘陈杨周吴徐胡罗邓曾彭石高龙凤马牛白竹"
_VILLAGE_B = "塘桥山岭湖港坪坑源田家湾洲岗庄陂圩埠坊店冲垅畈潭口"
_TOWN_A = "安平清河阳山江宁武德兴永丰新长临泉华和宝金龙明汉白云青松石高大东西南北中上开广建昌庆吉泰同定通文乐靖怀远嘉富兰顺"
_TOWN_B = "安平阳山江宁城德兴丰川泉化和源州林水原台都溪陵昌康远门口沙岗关集桥湖坪田家里店"
_COUNTY_A = _TOWN_A
_COUNTY_B = "安平阳山江宁城德兴丰川泉化和源林水原台都溪陵昌康远门口沙关谷乡峰阴武"

_CN_DIGITS = "零一二三四五六七八九"


def _cn_number(k: int) -> str:
    """1..99 as Chinese numerals: 一, 十, 十一, 二十三."""
    if k < 10:
        return _CN_DIGITS[k]
    tens, ones = divmod(k, 10)
    head = "" if tens == 1 else _CN_DIGITS[tens]
    return head + "十" + (_CN_DIGITS[ones] if ones else "")


_CN = pl.Series("cn", [""] + [_cn_number(k) for k in range(1, 100)])
_CHECK = pl.Series("check", list(CHECK_CHARS))


def _cn(values: npt.NDArray[np.int64]) -> pl.Series:
    return _CN.gather(np.clip(values, 0, 99))


def _rng(seed: int, stream: int) -> np.random.Generator:
    return np.random.default_rng([seed, stream])


def _combined_key(keys: tuple[npt.NDArray[np.int64], ...]) -> npt.NDArray[np.int64] | None:
    """One int64 key ordering like the tuple of non-negative ``keys``; None if it would overflow."""
    combined = np.asarray(keys[0], dtype=np.int64)
    span = int(combined.max()) + 1 if combined.size else 1
    for k in keys[1:]:
        k = np.asarray(k, dtype=np.int64)
        width = int(k.max()) + 1 if k.size else 1
        if (k.size and int(k.min()) < 0) or span * width >= 1 << 62:
            return None
        combined = combined * width + k
        span *= width
    if combined.size and int(combined.min()) < 0:
        return None
    return combined


def _sort_order(keys: tuple[npt.NDArray[np.int64], ...]) -> npt.NDArray[np.intp]:
    """Stable order of the rows by ``keys`` (first key primary)."""
    combined = _combined_key(keys)
    if combined is None:
        return np.lexsort(keys[::-1])
    return np.argsort(combined, kind="stable")


def _rank_within(*keys: npt.NDArray[np.int64]) -> npt.NDArray[np.int64]:
    """0-based position of each row among the rows sharing all ``keys``, in row order."""
    n = keys[0].size
    if n == 0:
        return np.zeros(0, dtype=np.int64)
    order = _sort_order(keys)
    same = np.ones(n - 1, dtype=bool)
    for k in keys:
        sk = k[order]
        same &= sk[1:] == sk[:-1]
    pos = np.arange(n)
    start = np.maximum.accumulate(np.where(np.concatenate([[True], ~same]), pos, 0))
    rank = np.empty(n, dtype=np.int64)
    rank[order] = pos - start
    return rank


def _group_first(
    values: npt.NDArray[np.int64], *keys: npt.NDArray[np.int64]
) -> npt.NDArray[np.int64]:
    """For each row, ``values`` at the first row (in row order) sharing all ``keys``."""
    n = values.size
    if n == 0:
        return values.copy()
    order = _sort_order(keys)
    same = np.ones(n - 1, dtype=bool)
    for k in keys:
        sk = k[order]
        same &= sk[1:] == sk[:-1]
    new = np.concatenate([[True], ~same])
    start = np.maximum.accumulate(np.where(new, np.arange(n), 0))
    out = np.empty_like(values)
    out[order] = values[order][start]
    return out


# --- counter-based random numbers (for people) ---------------------------------------------
_M1 = np.uint64(0xBF58476D1CE4E5B9)
_M2 = np.uint64(0x94D049BB133111EB)
_GOLDEN = np.uint64(0x9E3779B97F4A7C15)


def _mix(x: npt.NDArray[np.uint64]) -> npt.NDArray[np.uint64]:
    """splitmix64 finaliser, elementwise (wrapping uint64 arithmetic)."""
    with np.errstate(over="ignore"):
        z = x + _GOLDEN
        z = (z ^ (z >> np.uint64(30))) * _M1
        z = (z ^ (z >> np.uint64(27))) * _M2
        return np.asarray(z ^ (z >> np.uint64(31)), dtype=np.uint64)


def _uniforms(
    keys: npt.NDArray[np.uint64], seed: int, stream: int, k: int
) -> npt.NDArray[np.float64]:
    """``(n, k)`` uniforms in [0, 1), a pure function of (seed, stream, key)."""
    salt = _mix(np.array([(seed % (1 << 32)) * 1_000_003 + stream], dtype=np.uint64))[0]
    base = _mix(keys ^ salt)
    with np.errstate(over="ignore"):
        cols = [_mix(base + np.uint64(j) * _GOLDEN) for j in range(k)]
    if not cols or keys.size == 0:
        return np.zeros((keys.size, k))
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
        """Teachers in post in the given schools (all schools if None)."""
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
    timings: dict[str, float] = field(default_factory=dict, compare=False)


# --- the school generator ------------------------------------------------------------------
# ``counties`` columns: code, name, kind, province, city, province_name, city_name, city_short,
# is_capital, n_schools, p_urban, p_town, p_rural.  ``towns`` columns: county, town.
def _schools_from_counties(
    rng: np.random.Generator,
    counties: pl.DataFrame,
    towns: pl.DataFrame,
    place_words: tuple[str, ...],
) -> pl.DataFrame:
    """Generate the schools of ``counties`` (vectorised over all schools)."""
    n_per = counties["n_schools"].to_numpy().astype(np.int64)
    ci = np.repeat(np.arange(n_per.size), n_per)
    n = ci.size

    # area and type
    probs = counties.select("p_urban", "p_town", "p_rural").to_numpy()
    cum = np.cumsum(probs / probs.sum(axis=1, keepdims=True), axis=1)[ci]
    area = (rng.random(n)[:, None] >= cum[:, :2]).sum(axis=1)
    type_cum = np.cumsum(_TYPE_PROBS / _TYPE_PROBS.sum(axis=1, keepdims=True), axis=1)[area]
    stype = (rng.random(n)[:, None] >= type_cum[:, :4]).sum(axis=1)

    # nature and affiliation: city- and province-run and city-managed private schools stand in
    # urban districts
    private = rng.random(n) < _PRIVATE_BY_AREA[area] * _PRIVATE_TYPE_MULT[stype]
    eligible = (counties["kind"].to_numpy() == "区")[ci] & (area == 0)
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
        present = mult[stype] > 0
        med = table[area, 0] * np.where(present, mult[stype], 1.0)
        draw = np.exp(np.log(med) + table[area, 1] * rng.standard_normal(n))
        return np.where(present, np.clip(np.rint(draw), 1, cap), 0).astype(np.int64)

    primary = size(_PRIMARY_SIZE, _PRIMARY_TYPE_MULT, _PRIMARY_MAX)
    junior = size(_JUNIOR_SIZE, _JUNIOR_TYPE_MULT, _JUNIOR_MAX)

    # towns of each county (towns grouped in county order)
    code_index = pl.DataFrame({"county": counties["code"], "_ci": np.arange(n_per.size)})
    towns = towns.join(code_index, on="county", how="inner", maintain_order="left").sort(
        "_ci", maintain_order=True
    )
    town_n = np.bincount(towns["_ci"].to_numpy(), minlength=n_per.size).astype(np.int64)
    if np.any(town_n == 0):
        raise ValueError("every county needs at least one town")
    town_off = np.cumsum(town_n) - town_n
    town_idx = town_off[ci] + (rng.random(n) * town_n[ci]).astype(np.int64)

    # School names are assembled from one pool of strings: prefix + core1 + core2 + ordinal +
    # suffix, each an index into the pool (index 0 is ""), so all the logic stays in numpy.
    n_c = n_per.size
    town_names = towns["town"]
    town_bases = town_names.str.replace(r"[镇乡]$", "")
    villages = [a + b for a in _VILLAGE_A for b in _VILLAGE_B]
    numbered = ["第" + _cn_number(k) for k in range(1, 100)]
    private_suffixes = [x for row in _PRIVATE_SUFFIXES for x in row]
    fixed_suffixes = ["中学", "中心小学", "小学", "九年一贯制学校", "学校", "实验学校", "教学点"]
    pieces: list[pl.Series | list[str]] = [
        [""],
        counties["name"],  # prefixes, one block per affiliation
        counties["city_name"],
        counties["province_name"],
        counties["city_short"],
        town_names,
        town_bases,
        list(place_words),
        villages,
        numbered,
        list(_PUBLIC_SUFFIX),
        private_suffixes,
        fixed_suffixes,
    ]
    offsets = np.cumsum([0] + [len(p) for p in pieces])
    pool = pl.concat([pl.Series(p, dtype=pl.String) for p in pieces])
    o_prefix, o_town, o_base, o_word, o_village, o_num, o_pub, o_priv, o_fixed = (
        offsets[1], offsets[5], offsets[6], offsets[7], offsets[8], offsets[9], offsets[10],
        offsets[11], offsets[12],
    )  # fmt: skip

    def fixed_suffix(name: str) -> int:
        return int(o_fixed + fixed_suffixes.index(name))

    word_idx = rng.integers(0, len(place_words), size=n)
    village_idx = rng.integers(0, len(villages), size=n)
    priv_idx = stype * 4 + rng.integers(0, 4, size=n)
    u_num = rng.random(n)

    # numbered middle schools: 南昌市第十中学 (city-run), 南昌县第一中学 (county-run complete)
    numbered_city = (aff == 1) & np.isin(stype, [1, 3]) & (u_num < 0.6)
    numbered_county = (aff == 0) & ~private & (stype == 3) & (area != 2)
    # 民和镇中心小学, 民和第一小学 ... in towns; 民和镇塘南小学 in villages
    town_style = (area == 1) & (aff == 0) & ~private & ~numbered_county
    village_style = (area == 2) & (aff == 0) & ~private & ~numbered_county
    city_code_int = counties["city"].cast(pl.Int64).to_numpy()[ci]
    city_rank = _rank_within(city_code_int, numbered_city.astype(np.int64))
    county_rank = _rank_within(ci, numbered_county.astype(np.int64))
    town_rank = _rank_within(town_idx, stype, town_style.astype(np.int64))

    prefix = o_prefix + aff * n_c + ci
    num_rank = np.clip(np.where(numbered_city, city_rank, county_rank), 0, 98)
    core1_fixed = np.select(
        [numbered_city | numbered_county, town_style & (town_rank == 0), town_style],
        [o_num + num_rank, o_town + town_idx, o_base + town_idx],
        -1,
    )
    core2 = np.where(town_style & (town_rank > 0), o_num + np.clip(town_rank - 1, 0, 98), 0)
    town_suffix = np.select(
        [stype == 0, stype == 1, stype == 2],
        [
            np.where(town_rank == 0, fixed_suffix("中心小学"), fixed_suffix("小学")),
            np.full(n, fixed_suffix("中学")),
            np.where(town_rank == 0, fixed_suffix("九年一贯制学校"), fixed_suffix("学校")),
        ],
        fixed_suffix("实验学校"),
    )
    suffix = np.select(
        [numbered_city | numbered_county, town_style, village_style & (stype == 0) & (primary < 8),
         village_style, private],
        [np.full(n, fixed_suffix("中学")), town_suffix, np.full(n, fixed_suffix("教学点")),
         o_pub + stype, o_priv + priv_idx],
        o_pub + stype,
    )  # fmt: skip
    ordinal = np.zeros(n, dtype=np.int64)
    redrawable = core1_fixed < 0

    def assemble(subset: npt.NDArray[np.intp] | None = None) -> pl.Series:
        """The names of the ``subset`` rows (all rows by default)."""
        rows = slice(None) if subset is None else subset
        vs = village_style[rows]
        core1 = np.where(
            core1_fixed[rows] >= 0,
            core1_fixed[rows],
            np.where(vs, o_town + town_idx[rows], o_word + word_idx[rows]),
        )
        core2_now = np.where(vs, o_village + village_idx[rows], core2[rows])
        parts = pl.DataFrame(
            {
                f"p{k}": pool.gather(idx)
                for k, idx in enumerate(
                    (prefix[rows], core1, core2_now, ordinal[rows], suffix[rows])
                )
            }
        )
        return parts.select(pl.concat_str(parts.columns)).to_series()

    county_salt = _mix(ci.astype(np.uint64))

    def name_keys(names: pl.Series) -> npt.NDArray[np.uint64]:
        return np.asarray(names.hash(seed=7).to_numpy() ^ county_salt, dtype=np.uint64)

    def repeated(names: pl.Series) -> npt.NDArray[np.bool_]:
        """True for a name already used by an earlier school of the same county."""
        return ~pl.Series(name_keys(names)).is_first_distinct().to_numpy()

    names = assemble()
    for _ in range(6):
        rows = np.flatnonzero(repeated(names) & redrawable)
        if rows.size == 0:
            break
        word_idx[rows] = rng.integers(0, len(place_words), size=rows.size)
        village_idx[rows] = rng.integers(0, len(villages), size=rows.size)
        names = names.scatter(rows, assemble(rows))
    for _ in range(5):  # still a clash: 育新小学 -> 育新第二小学 (then 第三 ...)
        dup = repeated(names)
        if not dup.any():
            break
        rows = np.flatnonzero(dup)
        ordinal[rows] = o_num + np.clip(np.maximum(ordinal[rows] - o_num, 0) + 1, 1, 98)
        names = names.scatter(rows, assemble(rows))
    if repeated(names).any():
        raise RuntimeError("could not make school names unique")

    order = _sort_order((ci, stype, area))
    ci_o, stype_o, area_o = ci[order], stype[order], area[order]
    serial = np.arange(n) - (np.cumsum(n_per) - n_per)[ci_o] + 1

    def by_county(col: str) -> pl.Series:
        return counties[col].gather(ci_o)

    frame = pl.DataFrame(
        {
            "county": by_county("code"),
            "school_id": by_county("code") + pl.Series(serial).cast(pl.String).str.zfill(4),
            "school_name": names.gather(order),
            "school_type": pl.Series(SCHOOL_TYPES).gather(stype_o),
            "area": pl.Series(AREAS).gather(area_o),
            "primary_students": primary[order],
            "junior_students": junior[order],
            "province": by_county("province"),
            "city": by_county("city"),
            "nature": pl.Series(NATURES).gather(private[order].astype(np.int64)),
            "affiliation": pl.Series(AFFILIATIONS).gather(aff[order]),
            "primary_classes": -(-primary[order] // CLASS_SIZE),
            "junior_classes": -(-junior[order] // CLASS_SIZE),
        },
    )
    counts = ("primary_students", "junior_students", "primary_classes", "junior_classes")
    return frame.select(SCHOOL_COLUMNS).cast(dict.fromkeys(counts, pl.Int64))


# --- Nanchang ------------------------------------------------------------------------------
_NANCHANG_STREAM = 36


def _nanchang_tables(
    rng: np.random.Generator,
) -> tuple[pl.DataFrame, pl.DataFrame, pl.DataFrame]:
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
            "province": ["360000"] * len(NANCHANG_UNITS),
            "city": [NANCHANG_CITY_CODE] * len(NANCHANG_UNITS),
            "province_name": ["江西省"] * len(NANCHANG_UNITS),
            "city_name": ["南昌市"] * len(NANCHANG_UNITS),
            "city_short": ["南昌"] * len(NANCHANG_UNITS),
            "is_capital": [True] * len(NANCHANG_UNITS),
            "n_schools": n_schools.astype(np.int64),
            "p_urban": probs[:, 0],
            "p_town": probs[:, 1],
            "p_rural": probs[:, 2],
        }
    )
    towns = pl.DataFrame(
        {
            "county": [u.code for u in NANCHANG_UNITS for _ in u.towns],
            "town": [t for u in NANCHANG_UNITS for t in u.towns],
        }
    )
    return units, counties, towns


def _nanchang(seed: int) -> tuple[pl.DataFrame, pl.DataFrame]:
    rng = _rng(seed, _NANCHANG_STREAM)
    units, counties, towns = _nanchang_tables(rng)
    words = NANCHANG_PLACE_WORDS + _PLACE_WORDS[:40]
    return units, _schools_from_counties(rng, counties, towns, words)


def nanchang_city(seed: int, *, test_date: date = DEFAULT_TEST_DATE) -> SynthCity:
    """A city shaped like Nanchang: 江西省 → 南昌市 → its 12 county-level units, ~1,200 schools.

    ``test_date`` only sets the default for :meth:`SynthCity.students` (ages fit the grade in
    the school year that contains it).
    """
    units, schools = _nanchang(seed)
    return SynthCity(seed=seed, units=units, schools=schools, test_date=test_date)


# --- national ------------------------------------------------------------------------------
def _unique_pairs(
    rng: np.random.Generator, group: npt.NDArray[np.int64], first: str, second: str
) -> pl.Series:
    """A two-character name per row, unique within ``group`` and without a doubled character."""
    n = group.size
    a = rng.integers(0, len(first), size=n)
    b = rng.integers(0, len(second), size=n)
    fa, sb = np.asarray(list(first)), np.asarray(list(second))
    for _ in range(50):
        bad = (fa[a] == sb[b]) | (_rank_within(group, a * 1000 + b) > 0)
        if not bad.any():
            break
        a = np.where(bad, rng.integers(0, len(first), size=n), a)
        b = np.where(bad, rng.integers(0, len(second), size=n), b)
    return pl.Series(list(first)).gather(a) + pl.Series(list(second)).gather(b)


def _national_tables(seed: int) -> tuple[pl.DataFrame, pl.DataFrame, pl.DataFrame]:
    """Units outside Nanchang's counties, the county table for the school generator, towns."""
    rng = _rng(seed, 0)
    unit_rows: list[tuple[str, str, str | None, str, str]] = []
    county_rows: list[tuple[object, ...]] = []  # see _COUNTY_FIELDS
    total_pop = sum(p.population_m for p in PROVINCES)
    total_counties = sum(p.n_counties for p in PROVINCES)

    for p_i, prov in enumerate(PROVINCES):
        pcode = prov.code2 + "0000"
        unit_rows.append((pcode, prov.name, None, "province", prov.kind))
        density = (prov.population_m / total_pop * total_counties / prov.n_counties) ** 0.85
        if not prov.cities:  # municipality: one city row, real districts
            ccode = prov.code2 + "0100"
            unit_rows.append((ccode, prov.name, pcode, "city", "直辖市"))
            for i, (cname, ckind) in enumerate(MUNICIPAL_DISTRICTS[prov.code2]):
                central = ckind == "区" and i < 6
                probs = _AREA_CENTRAL_DISTRICT if central else _AREA_BY_KIND[ckind]
                county_rows.append(
                    (f"{ccode[:4]}{i + 1:02d}", cname, ckind, pcode, ccode, prov.name,
                     prov.name, prov.name[:-1], True, *probs,
                     density * (0.6 if central else 1.0), p_i, 0)
                )  # fmt: skip
            continue
        free = [j for j in range(len(prov.cities)) if not (prov.code2 == "36" and j == 0)]
        n_free = prov.n_counties - (len(NANCHANG_UNITS) if prov.code2 == "36" else 0)
        weights = rng.lognormal(0.0, 0.35, size=len(free))
        extra = rng.multinomial(n_free - 2 * len(free), weights / weights.sum())
        counts = dict(zip(free, (2 + extra).tolist(), strict=True))
        for j, short in enumerate(prov.cities):
            full = city_full_name(short)
            ckind = city_kind(full)
            if prov.code2 == "36" and j == 0:  # Nanchang: real units, schools from _nanchang
                unit_rows.append((NANCHANG_CITY_CODE, full, pcode, "city", ckind))
                continue
            ccode = f"{prov.code2}{j + 1:02d}00"
            unit_rows.append((ccode, full, pcode, "city", ckind))
            cnt = counts[j]
            n_dist = (
                int(np.clip(rng.binomial(cnt, 0.35), 1, min(cnt, 18))) if ckind == "地级市" else 0
            )
            r = rng.random(cnt - n_dist)
            r2 = rng.random(cnt - n_dist)
            kinds = ["区"] * n_dist + [
                "县级市" if a < 0.18 else ("旗" if prov.code2 == "15" and b < 0.6 else "县")
                for a, b in zip(r, r2, strict=True)
            ]
            kinds.sort(key=("区", "县", "旗", "县级市").index)
            serial = {"区": 2, "县": 21, "县级市": 81}
            for kind in kinds:
                key = "县" if kind == "旗" else kind
                code = f"{ccode[:4]}{serial[key]:02d}"
                serial[key] += 1
                county_rows.append(
                    (code, "", kind, pcode, ccode, prov.name, full, short, j == 0,
                     *_AREA_BY_KIND[kind], density * (0.7 if kind == "区" else 1.1), p_i, 1)
                )  # fmt: skip

    counties = pl.DataFrame(county_rows, schema=_COUNTY_FIELDS, orient="row")
    # invented names for the non-municipal counties, unique within the province
    synth = counties["synth"].to_numpy() == 1
    pairs = _unique_pairs(rng, counties["p_i"].to_numpy()[synth], _COUNTY_A, _COUNTY_B)
    suffix = counties.filter(pl.col("synth") == 1)["kind"].replace_strict(
        {"区": "区", "县": "县", "旗": "旗", "县级市": "市"}
    )
    names = counties["name"].to_numpy().astype(object)
    names[synth] = (pairs + suffix).to_numpy()
    counties = counties.with_columns(name=pl.Series(names, dtype=pl.String))

    # school counts, scaled to the national target (Nanchang is added by national_hierarchy)
    expected = counties["weight"].to_numpy() * rng.lognormal(0.0, 0.45, size=counties.height)
    expected *= (NATIONAL_SCHOOL_TARGET - 1_200) / expected.sum()
    n_schools = np.maximum(rng.poisson(expected), 4)
    counties = counties.with_columns(n_schools=pl.Series(n_schools, dtype=pl.Int64))

    # towns: ~1 per 7 schools in counties, fewer in districts; unique within the county
    town_n = np.where(
        counties["kind"].to_numpy() == "区",
        np.clip(n_schools // 15, 1, 8),
        np.clip(n_schools // 7, 2, 30),
    )
    town_county = np.repeat(np.arange(counties.height), town_n)
    town_names = _unique_pairs(rng, town_county, _TOWN_A, _TOWN_B) + pl.Series(
        np.where(rng.random(town_county.size) < 0.65, "镇", "乡")
    )
    towns = pl.DataFrame({"county": counties["code"].gather(town_county), "town": town_names})

    county_units = counties.select(
        "code", "name", parent_code="city", level=pl.lit("county"), kind="kind"
    )
    units = pl.concat(
        [
            pl.DataFrame(unit_rows, schema={c: pl.String for c in UNIT_COLUMNS}, orient="row"),
            county_units,
            pl.DataFrame(
                [(u.code, u.name, NANCHANG_CITY_CODE, "county", u.kind) for u in NANCHANG_UNITS],
                schema={c: pl.String for c in UNIT_COLUMNS},
                orient="row",
            ),
        ]
    )
    level_order = pl.col("level").replace_strict({"province": 0, "city": 1, "county": 2})
    units = units.sort(level_order, "code")
    return units, counties, towns


_COUNTY_FIELDS: Final = {
    "code": pl.String,
    "name": pl.String,
    "kind": pl.String,
    "province": pl.String,
    "city": pl.String,
    "province_name": pl.String,
    "city_name": pl.String,
    "city_short": pl.String,
    "is_capital": pl.Boolean,
    "p_urban": pl.Float64,
    "p_town": pl.Float64,
    "p_rural": pl.Float64,
    "weight": pl.Float64,
    "p_i": pl.Int64,
    "synth": pl.Int64,
}


def national_hierarchy(seed: int) -> NationalHierarchy:
    """All units (31 provinces, ~338 cities, ~2,850 counties) and ~210,000 schools."""
    t0 = time.perf_counter()
    units, counties, towns = _national_tables(seed)
    t1 = time.perf_counter()
    schools = _schools_from_counties(_rng(seed, 1), counties, towns, _PLACE_WORDS)
    _, nanchang = _nanchang(seed)
    # keep the frame sorted by school_id: Nanchang's block goes where its codes belong
    at = int(np.searchsorted(schools["county"].to_numpy(), NANCHANG_CITY_CODE))
    schools = pl.concat([schools[:at], nanchang, schools[at:]])
    t2 = time.perf_counter()
    return NationalHierarchy(
        seed=seed, units=units, schools=schools, timings={"units": t1 - t0, "schools": t2 - t1}
    )


def national_school_frame(seed: int) -> pl.DataFrame:
    """The national school frame (columns :data:`SCHOOL_COLUMNS`), ~210,000 rows."""
    return national_hierarchy(seed).schools


# --- people --------------------------------------------------------------------------------
_NANCHANG_ID_REGIONS = pl.Series(
    ["360102", "360103", "360104", "360105", "360111", "360112", "360113", "360121", "360122",
     "360123", "360124"]
)  # fmt: skip
_ID_REGION_OVERRIDES = {u.code: u.id_region for u in NANCHANG_UNITS if u.code != u.id_region}


def _school_keys(school_id: pl.Series) -> npt.NDArray[np.uint64]:
    return np.asarray(school_id.cast(pl.UInt64).to_numpy(), dtype=np.uint64)


def _id_numbers(
    region: pl.Series,
    birth: npt.NDArray[np.datetime64],
    male: npt.NDArray[np.bool_],
    u: npt.NDArray[np.float64],
) -> pl.Series:
    """Valid ID numbers, unique among the rows: within each (region, birth date, sex) group
    the sequence numbers run on from a random start."""
    region_int = region.cast(pl.Int64).to_numpy()
    day = birth.astype("datetime64[D]").astype(np.int64)
    sex = male.astype(np.int64)
    start = (u * 500).astype(np.int64)
    rank = _rank_within(region_int, day, sex)
    first = _group_first(start, region_int, day, sex)
    seq = ((first + rank) % 500) * 2 + sex
    num = first17_numbers(region_int, birth, seq)
    return pl.Series(num).cast(pl.String).str.zfill(17) + _CHECK.gather(check_indices(num))


def students_for(
    schools: pl.DataFrame, grade: int, seed: int, *, test_date: date = DEFAULT_TEST_DATE
) -> pl.DataFrame:
    """Students of ``grade`` (1-9) in ``schools`` (a frame with :data:`SCHOOL_COLUMNS`).

    Uses ``primary_students``/``primary_classes`` for grades 1-6 and the junior columns for 7-9;
    a school without that stage contributes no rows. Birth dates fit the grade on ``test_date``
    (85% are g+5 full years old on 1 September, 12% a year older, 2% two years older, 1% a year
    younger). IDs carry the county's region code (in Nanchang, 10% another Nanchang code).
    """
    if not 1 <= grade <= 9:
        raise ValueError("年级必须在1到9之间")
    junior = grade >= 7
    count_col = "junior_students" if junior else "primary_students"
    class_col = "junior_classes" if junior else "primary_classes"
    sel = schools.filter(pl.col(count_col) > 0)
    counts = sel[count_col].to_numpy().astype(np.int64)
    ri = np.repeat(np.arange(sel.height), counts)
    n = ri.size
    idx = np.arange(n, dtype=np.int64) - (np.cumsum(counts) - counts)[ri]
    classes = np.maximum(sel[class_col].to_numpy().astype(np.int64), 1)[ri]
    school_id = sel["school_id"].gather(ri)
    county = sel["county"].gather(ri)

    keys = _school_keys(sel["school_id"])[ri] * np.uint64(10_000) + idx.astype(np.uint64)
    u = _uniforms(keys, seed, 100 + grade, 10)
    male = u[:, 0] < 0.53
    names = names_from_uniforms(u[:, 1:5], male, "child")

    extra = np.select([u[:, 5] < 0.85, u[:, 5] < 0.97, u[:, 5] < 0.99], [0, 1, 2], -1)
    sy = school_year_start(test_date).year
    first_year = sy - grade - 6 - extra  # born 2 Sept of this year .. 1 Sept of the next
    sept1 = (first_year - 1970).astype("datetime64[Y]").astype("datetime64[M]") + np.timedelta64(
        8, "M"
    )
    birth = sept1.astype("datetime64[D]") + (1 + (u[:, 6] * 365).astype(np.int64)).astype(
        "timedelta64[D]"
    )

    region = county.replace(_ID_REGION_OVERRIDES)
    migrant = county.str.starts_with(NANCHANG_CITY_CODE[:4]).to_numpy() & (u[:, 7] < 0.10)
    if migrant.any():
        pick = _NANCHANG_ID_REGIONS.gather((u[:, 8] * len(_NANCHANG_ID_REGIONS)).astype(np.int64))
        region = pl.select(pl.when(pl.lit(migrant)).then(pick).otherwise(region)).to_series()
    ids = _id_numbers(region, birth, male, u[:, 9])

    class_no = idx % classes + 1
    seat = idx // classes + 1
    entry_year = sy - (grade - 7 if junior else grade - 1)
    grade_name = _cn_number(grade) + "年级("
    out = pl.DataFrame(
        {
            "school_id": school_id,
            "county": county,
            "grade": np.full(n, grade, dtype=np.int64),
            "class_no": class_no,
            "student_no": entry_year * 10_000 + class_no * 100 + seat,
            "name": names,
            "sex": np.where(male, "男", "女"),
            "birth_date": birth,
            "id_number": ids,
        }
    ).with_columns(
        class_name=pl.concat_str(pl.lit(grade_name), pl.col("class_no"), pl.lit(")班")),
        student_no=pl.col("student_no").cast(pl.String),
        birth_date=pl.col("birth_date").cast(pl.Date),
    )
    return out.sort("school_id", "class_no", "student_no").select(STUDENT_COLUMNS)


_SUBJECTS: dict[str, tuple[tuple[str, ...], tuple[float, ...]]] = {
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
_STAGES = ("小学", "初中", "高中")
_GRADE_ORDER = {"小学": (4, 1, 2, 3, 5, 6), "初中": (8, 7, 9), "高中": (10, 11, 12)}
_FEMALE_SHARE = {"小学": 0.72, "初中": 0.56, "高中": 0.50}
_LEADER_FEMALE_SHARE = 0.35
_HEAD_SUBJECTS = {"小学": ("语文", "数学"), "初中": ("语文", "数学", "英语"),
                  "高中": ("语文", "数学", "英语")}  # fmt: skip
_ROLES = ("校长", "副校长", "班主任", "任课教师")


def teachers_for(
    schools: pl.DataFrame, seed: int, *, today: date = DEFAULT_TEST_DATE
) -> pl.DataFrame:
    """Every teacher in post in ``schools``: leaders, head teachers and subject teachers.

    Staffing: primary ~1 teacher per 17 pupils of the stage (at least 2), junior ~1 per 13 (at
    least 6); complete and twelve-year schools also get senior-high (高中) teachers. Teachers
    are spread over the grades with the tested grade first, so even a small school has a
    grade-4 / grade-8 teacher; a grade's first ``classes`` teachers are its head teachers.
    """
    stype = schools["school_type"].to_numpy()
    ps = schools["primary_students"].to_numpy().astype(np.int64)
    js = schools["junior_students"].to_numpy().astype(np.int64)
    pc = schools["primary_classes"].to_numpy().astype(np.int64)
    jc = schools["junior_classes"].to_numpy().astype(np.int64)
    n_stage = [
        np.where(ps > 0, np.maximum(2, -(-ps * 6 // 17)), 0),
        np.where(js > 0, np.maximum(6, -(-js * 3 // 13)), 0),
        np.where(
            np.isin(stype, ["完全中学", "十二年一贯制"]), np.maximum(6, -(-js * 27 // 130)), 0
        ),
    ]
    total = n_stage[0] + n_stage[1] + n_stage[2]
    n_lead = (1 + (total >= 15) + (total >= 60)).astype(np.int64)
    classes = [pc, jc, jc]

    school_i, stage_i, role_i, grade, k_all = [], [], [], [], []
    # leaders teach in the first stage the school has
    rep = np.repeat(np.arange(schools.height), n_lead)
    k = np.arange(rep.size) - (np.cumsum(n_lead) - n_lead)[rep]
    school_i.append(rep)
    stage_i.append(np.where(ps[rep] > 0, 0, 1))
    role_i.append(np.where(k == 0, 0, 1))
    grade.append(np.zeros(rep.size, dtype=np.int64))
    k_all.append(k)
    for s, stage in enumerate(_STAGES):
        counts = n_stage[s]
        rep = np.repeat(np.arange(schools.height), counts)
        k = np.arange(rep.size) - (np.cumsum(counts) - counts)[rep]
        order = np.asarray(_GRADE_ORDER[stage])
        head = k // order.size < classes[s][rep]
        school_i.append(rep)
        stage_i.append(np.full(rep.size, s))
        role_i.append(np.where(head, 2, 3))
        grade.append(order[k % order.size])
        k_all.append(k)
    si = np.concatenate(school_i)
    st = np.concatenate(stage_i)
    role = np.concatenate(role_i)
    gr = np.concatenate(grade)
    block = np.concatenate([np.full(a.size, b) for b, a in enumerate(school_i)])
    order_rows = np.lexsort((np.concatenate(k_all), block, si))
    si, st, role, gr = si[order_rows], st[order_rows], role[order_rows], gr[order_rows]
    n = si.size
    tidx = _rank_within(si)

    keys = _school_keys(schools["school_id"])[si] * np.uint64(10_000) + tidx.astype(np.uint64)
    u = _uniforms(keys, seed, 7, 10)
    leader = role <= 1
    female_p = np.where(leader, _LEADER_FEMALE_SHARE, np.asarray(list(_FEMALE_SHARE.values()))[st])
    male = u[:, 0] >= female_p
    names = names_from_uniforms(u[:, 1:5], male, "adult")

    subject_names: list[str] = []
    subject_idx = np.zeros(n, dtype=np.int64)
    for s, stage in enumerate(_STAGES):
        subs, weights = _SUBJECTS[stage]
        offset = len(subject_names)
        subject_names.extend(subs)
        cum = np.cumsum(np.asarray(weights) / sum(weights))
        m = st == s
        pick = np.minimum(np.searchsorted(cum, u[m, 5], side="right"), len(subs) - 1)
        heads = np.asarray([subs.index(h) for h in _HEAD_SUBJECTS[stage]])
        head_pick = heads[(u[m, 5] * heads.size).astype(np.int64)]
        subject_idx[m] = offset + np.where(role[m] == 2, head_pick, pick)

    # age 23-58 on `today`; leaders 38-58
    age_years = np.where(leader, 38 + u[:, 6] * 20, 23 + u[:, 6] * 35)
    birth = np.datetime64(today, "D") - (age_years * 365.25).astype("timedelta64[D]")
    school_id = schools["school_id"].gather(si)
    county = schools["county"].gather(si)
    ids = _id_numbers(county.replace(_ID_REGION_OVERRIDES), birth, male, u[:, 7])
    return (
        pl.DataFrame(
            {
                "school_id": school_id,
                "county": county,
                "teacher_no": school_id + pl.Series(tidx + 1).cast(pl.String).str.zfill(4),
                "name": names,
                "sex": np.where(male, "男", "女"),
                "birth_date": birth,
                "id_number": ids,
                "stage": pl.Series(_STAGES).gather(st),
                "subject": pl.Series(subject_names).gather(subject_idx),
                "grade": pl.Series(gr, dtype=pl.Int64),
                "role": pl.Series(_ROLES).gather(role),
            }
        )
        .with_columns(
            birth_date=pl.col("birth_date").cast(pl.Date),
            grade=pl.when(pl.col("role").is_in(["校长", "副校长"]))
            .then(None)
            .otherwise(pl.col("grade")),
        )
        .select(TEACHER_COLUMNS)
    )
