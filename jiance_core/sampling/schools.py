"""Drawing the sample schools of a monitoring cycle.

Design (SPEC section 4; seed 000):

- **Strata** are county x stage. A school is in the primary frame if it is a 小学, 九年一贯制 or
  十二年一贯制 school with students in the primary tested grade, in the junior frame if it is an
  初中, 九年一贯制, 十二年一贯制 or 完全中学 school with students in the junior tested grade. The
  measure of size is the number of tested-grade students of that stage.
- **Order** (implicit stratification): inside each stratum by area (城区, 镇区, 乡村), then by
  size, serpentine: ascending in the first area group present, descending in the second,
  ascending in the third; ties by school code. The order depends on the frame's content only,
  never on its row order.
- **Selection**: PPS systematic sampling (default) or simple random sampling without
  replacement, both done by ``svy`` in one call over every stratum of the national frame.
  Schools whose n x size share reaches 1 are taken with certainty, iteratively (svy's
  ``certainty_threshold=1.0``: the certainty school is removed and the shares of the others
  recomputed with n - 1).
- **Too few schools** (rule a, "若样本学校数量不足，则在现有样本校内增加样本学生的数量"): a
  stratum with no more schools than planned takes them all (probability 1) and raises the
  students per school to the smallest level L that reaches the county target (schools x
  students per school), each school capped at its own enrolment.
- **Small schools** (rule b, "若样本学校测试年级学生数不足30人，则增加样本学校的数量"): a
  sample school with fewer tested-grade students than planned gives all of them; while the
  stratum's planned students fall short of the target, the stratum needs
  m = ceil(shortfall / students per school) more schools. Two versions, recorded in the plan
  (``SamplingPlan.shortfall``; a published draw keeps the version it was drawn with):

  - ``"v2"`` (default since 2026-12): the stratum is **redrawn** as one draw (PPS systematic
    with certainty iterated, or SRS) of n + m schools from the whole stratum, with the next
    seed of the draw; repeated while short. The final sample of every stratum is one svy draw,
    and its probabilities are svy's for that size, so Σ base weight × size = the stratum's
    enrolment exactly. Schools of the final draw that the first draw had taken keep the role
    ``sample``, the others are ``added``. The probabilities are those of a draw of the final
    size, which itself depends on the first draw: the remaining approximation is measured in
    docs/analysis.md.
  - ``"v1"`` (draws before 2026-12): **added** schools are drawn from the stratum's schools not
    yet selected, by the same method (PPS systematic over the remaining schools in the same
    order, or SRS), and the final probabilities are computed as if the sample were one draw of
    n + added schools — inconsistent when that draw would take a school with certainty that the
    two steps did not take (Σ base weight × size then falls short of the enrolment, up to 2.8%
    on the national synthetic frame).

  If every school ends up selected, rule (a) then raises the students per school.
- **Probabilities**: those of svy's draw (v1: in a stratum that received added schools, those of
  one draw of n + added schools: each selected school's PPS inclusion probability for that
  size, certainty iterated, or (n + added) / N with SRS). Base weight = 1 / probability.
- **Replacements** (as TIMSS and PISA): for each selected school (sample or added), replacement1
  is the next school in the sorted stratum and replacement2 the previous one, if that school is
  neither selected nor already another school's replacement (earlier schools in the order are
  served first). A replacement carries the probability and weight of the school it replaces and
  plans min(its students, the replaced school's planned students).
- **Reproducible**: one integer seed drives every draw (split with ``numpy.random.SeedSequence``);
  the result carries a SHA-256 of the canonicalised frame, so same seed + same frame content
  gives the same sample.
"""

from __future__ import annotations

import hashlib
import io
import math
import warnings
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Final, Literal, NamedTuple

import numpy as np
import polars as pl

from jiance_core.sampling.frame import AREAS, JUNIOR_TYPES, PRIMARY_TYPES, check_frame

Stage = Literal["primary", "junior"]
Method = Literal["pps", "srs"]
Role = Literal["sample", "replacement1", "replacement2", "added"]
Shortfall = Literal["v1", "v2"]

STAGES: Final[tuple[Stage, ...]] = ("primary", "junior")
STAGE_LABELS: Final = {"primary": "小学", "junior": "初中"}
STAGE_GRADES: Final = {"primary": "四年级", "junior": "八年级"}
STAGE_SIZE_COLUMNS: Final = {"primary": "primary_students", "junior": "junior_students"}
STAGE_TYPES: Final = {"primary": PRIMARY_TYPES, "junior": JUNIOR_TYPES}
METHOD_LABELS: Final = {"pps": "规模成比例的系统抽样（PPS）", "srs": "简单随机抽样"}
SHORTFALL_VERSIONS: Final[tuple[Shortfall, ...]] = ("v1", "v2")
ROLES: Final[tuple[Role, ...]] = ("sample", "added", "replacement1", "replacement2")
OUTPUT_COLUMNS: Final = (
    "county",
    "stage",
    "school_id",
    "school_name",
    "role",
    "selection_probability",
    "base_weight",
    "planned_students",
)
# Columns the sample adds after the input columns.
TRAILING_COLUMNS: Final = ("replaces", "certainty", "frame_order")


@dataclass(frozen=True)
class SamplingPlan:
    """How many schools and students to draw; the numbers belong to the cycle.

    ``county_overrides`` gives school counts for some counties, e.g. Chongqing's per-district
    counts: ``{"渝中区": {"primary": 6, "junior": 4}}``; a stage left out keeps the default.
    """

    primary_schools: int = 12
    junior_schools: int = 8
    students_per_school: int = 30
    method: Method = "pps"
    replacements: int = 2
    county_overrides: Mapping[str, Mapping[str, int]] = field(default_factory=dict)
    # How a stratum short of its target students gets more schools (module doc): "v2" redraws
    # the stratum with more schools, "v1" (older draws) adds schools to the first draw.
    shortfall: Shortfall = "v2"

    def __post_init__(self) -> None:
        if self.primary_schools < 0 or self.junior_schools < 0:
            raise ValueError("每县抽取学校数不能为负数")
        if self.students_per_school < 1:
            raise ValueError("每校抽取学生数至少为 1")
        if self.method not in METHOD_LABELS:
            raise ValueError(f"抽样方法无效：{self.method!r}，应为 pps 或 srs")
        if self.shortfall not in SHORTFALL_VERSIONS:
            raise ValueError(f"追加学校规则版本无效：{self.shortfall!r}，应为 v1 或 v2")
        if not 0 <= self.replacements <= 2:
            raise ValueError("每所样本校的替补学校数应为 0、1 或 2")
        for county, counts in self.county_overrides.items():
            for stage, n in counts.items():
                if stage not in STAGES:
                    raise ValueError(f"{county} 的学段无效：{stage!r}，应为 primary 或 junior")
                if n < 0:
                    raise ValueError(f"{county} 的抽取学校数不能为负数")

    def schools_for(self, county: str, stage: Stage) -> int:
        default = self.primary_schools if stage == "primary" else self.junior_schools
        return int(self.county_overrides.get(county, {}).get(stage, default))


class StratumExplanation(NamedTuple):
    """What was done in one county and stage, and why (``text`` in Chinese).

    ``students_per_school`` is the level used (raised above the plan's number where every
    school is taken); ``certainty`` counts selected schools with probability 1.
    """

    county: str
    stage: Stage
    frame_schools: int
    frame_students: int
    planned_schools: int
    target_students: int
    sampled: int
    added: int
    certainty: int
    small_schools: int
    replacements: int
    students_per_school: int
    planned_students: int
    text: str


@dataclass(frozen=True)
class SchoolSample:
    """The drawn schools.

    ``rows`` has one row per school and role, ordered by county, stage and frame order; columns
    :data:`OUTPUT_COLUMNS`, then every input column, then :data:`TRAILING_COLUMNS`.
    """

    rows: pl.DataFrame
    explanations: list[StratumExplanation]
    frame_hash: str
    seed: int
    plan: SamplingPlan
    # The svy release that drew it: the same seed reproduces the sample with the same release.
    engine: str = ""

    def selected(self) -> pl.DataFrame:
        """Sample and added schools (not the replacements)."""
        return self.rows.filter(pl.col("role").is_in(("sample", "added")))

    def summary(self) -> str:
        sel = self.selected()
        lines = [
            f"抽样方法：{METHOD_LABELS[self.plan.method]}；随机种子：{self.seed}；"
            f"抽样程序：{self.engine or 'svy'}"
        ]
        for stage in STAGES:
            s = sel.filter(pl.col("stage") == stage)
            added = s.filter(pl.col("role") == "added").height
            reps = self.rows.filter(
                (pl.col("stage") == stage) & pl.col("role").str.starts_with("replacement")
            ).height
            students = int(s["planned_students"].sum() or 0)
            lines.append(
                f"{STAGE_LABELS[stage]}：{s['county'].n_unique()} 个区县，样本校 {s.height} 所"
                f"（其中追加 {added} 所），替补学校 {reps} 所，计划抽取学生 {students} 人"
            )
        lines.append(f"抽样框 SHA-256：{self.frame_hash}")
        return "\n".join(lines)


def frame_content_hash(frame: pl.DataFrame) -> str:
    """SHA-256 of the frame's content: columns by name, rows by school code, values as CSV text.

    Row order and column order do not change it; any value, column or row does. Computed on the
    checked frame (text trimmed, student counts as integers), so a CSV and an XLSX holding the
    same schools hash alike.
    """
    cols = sorted(frame.columns)
    buffer = io.BytesIO()
    frame.select(cols).sort("school_id", maintain_order=True).write_csv(
        buffer, include_header=False, null_value="\x00"
    )
    digest = hashlib.sha256()
    digest.update("\x1f".join(cols).encode("utf-8"))
    digest.update(b"\x1e")
    digest.update(buffer.getbuffer())
    return digest.hexdigest()


def pps_probabilities(sizes: np.ndarray, n: int) -> tuple[np.ndarray, np.ndarray]:
    """Inclusion probabilities of a PPS draw of ``n`` units, with certainty units iterated.

    A unit whose n x size share reaches 1 gets probability 1 and leaves; the others' shares are
    recomputed with the remaining n and size total. Returns (probabilities, certainty flags).
    """
    sizes = np.asarray(sizes, dtype=np.float64)
    prob = np.zeros(len(sizes))
    certain = np.zeros(len(sizes), dtype=bool)
    if n >= len(sizes):
        return np.ones(len(sizes)), np.ones(len(sizes), dtype=bool)
    while True:
        rest = ~certain
        m = n - int(certain.sum())
        total = sizes[rest].sum()
        share = m * sizes / total
        # svy's kernel tolerance, so both agree on a unit exactly at 1.
        new = rest & (share >= 1.0 - 1e-12)
        if not new.any():
            prob[rest] = share[rest]
            prob[certain] = 1.0
            return prob, certain
        certain |= new


def _grouped_pps_probabilities(
    sizes: np.ndarray, group: np.ndarray, n: np.ndarray, n_groups: int
) -> tuple[np.ndarray, np.ndarray]:
    """:func:`pps_probabilities` for many strata at once (``group`` codes index ``n``)."""
    sizes = np.asarray(sizes, dtype=np.float64)
    big = np.bincount(group, minlength=n_groups)
    certain = n[group] >= big[group]
    while True:
        rest = ~certain
        m = n - np.bincount(group, weights=certain, minlength=n_groups)
        total = np.bincount(group, weights=np.where(rest, sizes, 0.0), minlength=n_groups)
        with np.errstate(divide="ignore", invalid="ignore"):
            share = m[group] * sizes / total[group]
        new = rest & (share >= 1.0 - 1e-12)
        if not new.any():
            return np.where(certain, 1.0, share), certain
        certain |= new


def _child_seed(seed: int, k: int) -> int:
    """The k-th independent integer seed derived from the one seed of the draw."""
    child = np.random.SeedSequence(seed, spawn_key=(k,))
    return int(child.generate_state(1, dtype=np.uint32)[0])


def stage_units(frame: pl.DataFrame, plan: SamplingPlan) -> pl.DataFrame:
    """The sorted frame of every stratum: one row per school and stage it is sampled in.

    Columns: ``_src`` (row in ``frame``), county, stage, school_id, area, size, ``_stratum`` (an
    integer id), ``_n`` (schools planned in the stratum), ``_order`` (position in the stratum),
    ``_pos`` (global position). Sorted by county, stage (primary first) and the implicit
    stratification order.
    """
    base = frame.select(
        "school_type",
        pl.col("area")
        .replace_strict({a: i for i, a in enumerate(AREAS)}, return_dtype=pl.Int64)
        .alias("_area"),
        *STAGE_SIZE_COLUMNS.values(),
        (pl.col("county").rank("dense").cast(pl.Int64) - 1).alias("_county"),
        # Ties in area and size are broken by school code, never by row order.
        pl.col("school_id").rank("ordinal").cast(pl.Int64).alias("_id"),
    ).with_row_index("_src")
    parts = []
    for k, stage in enumerate(STAGES):
        size_col = STAGE_SIZE_COLUMNS[stage]
        parts.append(
            base.filter(
                pl.col("school_type").is_in(STAGE_TYPES[stage]) & (pl.col(size_col) > 0)
            ).select(
                "_src",
                (pl.col("_county") * len(STAGES) + k).alias("_stratum"),
                pl.lit(stage).alias("stage"),
                "_area",
                pl.col(size_col).cast(pl.Int64).alias("size"),
                "_id",
            )
        )
    units = pl.concat(parts)
    stratum = units["_stratum"].to_numpy()
    area = units["_area"].to_numpy()
    n_codes = int(stratum.max()) + 1 if len(stratum) else 1
    # Serpentine: ascending size in the first area group present in the stratum, descending in
    # the second, ascending in the third. Group index = areas present below this one.
    present = np.zeros(n_codes, dtype=np.int64)
    np.bitwise_or.at(present, stratum, 1 << area)
    below = present[stratum] & ((1 << area) - 1)
    group = (below & 1) + ((below >> 1) & 1) + ((below >> 2) & 1)
    sizes = units["size"].to_numpy()
    units = units.with_columns(
        pl.Series("_snake", np.where(group % 2 == 0, sizes, -sizes)),
    ).sort("_stratum", "_area", "_snake", "_id")
    stratum = units["_stratum"].to_numpy()
    starts = np.flatnonzero(np.r_[True, stratum[1:] != stratum[:-1]])[: len(stratum)]
    counts = np.diff(np.r_[starts, len(stratum)])
    order = np.arange(len(stratum)) - np.repeat(starts, counts)
    n_of = np.where(
        np.arange(n_codes) % len(STAGES) == 0, plan.primary_schools, plan.junior_schools
    )
    if plan.county_overrides:
        codes = dict(
            frame.select("county", (pl.col("county").rank("dense").cast(pl.Int64) - 1).alias("_c"))
            .unique()
            .iter_rows()
        )
        for county, stage_counts in plan.county_overrides.items():
            if county in codes:
                for stage_name, n in stage_counts.items():
                    k = ("primary", "junior").index(stage_name)
                    n_of[codes[county] * len(STAGES) + k] = n
    return (
        units.with_columns(
            pl.Series("_order", order, dtype=pl.Int64),
            pl.Series("_n", n_of[stratum], dtype=pl.Int64),
        )
        .drop("_snake", "_area", "_id")
        .with_row_index("_pos")
    )


def _svy_draw(
    units: pl.DataFrame, n_map: dict[int, int], *, method: Method, seed: int
) -> pl.DataFrame:
    """One svy draw over every stratum in ``n_map``; returns ``_pos``, probability, certainty."""
    import svy

    if not n_map:
        return pl.DataFrame(
            schema={"_pos": pl.UInt32, "_prob": pl.Float64, "_certainty": pl.Boolean}
        )
    data = units.select("_pos", "_stratum", pl.col("size").cast(pl.Float64))
    counts: dict[Any, Any] = dict(n_map)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        if method == "pps":
            sample = svy.Sample(data, svy.Design(stratum="_stratum", mos="size"))
            drawn: Any = sample.sampling.pps_sys(counts, certainty_threshold=1.0, rstate=seed)
            out = drawn.data.select(
                "_pos",
                pl.col("svy_prob_selection").alias("_prob"),
                pl.col("svy_certainty").alias("_certainty"),
            )
        else:
            sample = svy.Sample(data, svy.Design(stratum="_stratum"))
            drawn = sample.sampling.srs(counts, rstate=seed)
            out = drawn.data.select(
                "_pos",
                pl.col("svy_prob_selection").alias("_prob"),
                (pl.col("svy_prob_selection") >= 1.0).alias("_certainty"),
            )
    return out.with_columns(pl.col("_pos").cast(pl.UInt32))


def bare_svy_draw(units: pl.DataFrame, plan: SamplingPlan, *, seed: int) -> pl.DataFrame:
    """The main svy draw alone, on units from :func:`stage_units` (for the benchmark)."""
    strata = units.group_by("_stratum").agg(pl.len().alias("N"), pl.col("_n").first())
    n_map = {s: n for s, big, n in strata.iter_rows() if 0 < n < big}
    draw = units.filter(pl.col("_stratum").is_in(list(n_map)))
    return _svy_draw(draw, n_map, method=plan.method, seed=seed)


def _water_levels(
    sizes: np.ndarray, group: np.ndarray, target: np.ndarray, floor: int
) -> dict[int, int]:
    """Per group, the smallest level L >= floor with sum(min(size, L)) >= target.

    When the group's students do not reach the target, L is its largest size (all students).
    Sorted ascending, sizes a_1..a_m give sum(min(a, L)) = C_i + (m - i) L for L in
    (a_(i-1), a_i], C_i the sum of the sizes below; the first interval where the needed L
    fits is the answer.
    """
    order = np.lexsort((sizes, group))
    g = group[order]
    a = sizes[order].astype(np.int64)
    starts = np.flatnonzero(np.r_[True, g[1:] != g[:-1]])
    counts = np.diff(np.r_[starts, len(g)])
    first = np.repeat(starts, counts)
    idx = np.arange(len(g)) - first
    m = np.repeat(counts, counts)
    csum = np.cumsum(a)
    before = csum - a - np.repeat(csum[starts] - a[starts], counts)
    t = target[g]
    need = -((before - t) // (m - idx))  # ceil((t - before) / (m - idx))
    prev = np.where(idx > 0, np.r_[0, a[:-1]], 0)
    cand = np.maximum(need, prev)
    fits = cand <= a
    big = np.iinfo(np.int64).max
    best = np.minimum.reduceat(np.where(fits, cand, big), starts)
    top = np.maximum.reduceat(a, starts)
    level = np.where(best == big, top, np.maximum(best, floor))
    return {int(k): int(v) for k, v in zip(g[starts], level, strict=True)}


def _fixed_sizes(
    units: pl.DataFrame, n_of: dict[int, int], big_of: dict[int, int], plan: SamplingPlan
) -> dict[int, int]:
    """Shortfall rule v2: the number of schools of each stratum, fixed before the draw.

    n' = the smallest n' >= n for which the expected planned students of a draw of n' schools,
    Σ π_i(n') · min(size_i, s), fall short of the target n · s by at most s / 2 (half a school);
    π the draw's own inclusion probabilities (PPS with certainty iterated, or n'/N). At most N.
    """
    s = plan.students_per_school
    stratum = units["_stratum"].to_numpy()
    if len(stratum) == 0:
        return dict(n_of)
    sizes = units["size"].to_numpy().astype(np.float64)
    n_strata = int(stratum.max()) + 1
    cur = np.zeros(n_strata, dtype=np.int64)
    big = np.zeros(n_strata, dtype=np.int64)
    for k, n in n_of.items():
        cur[k], big[k] = n, big_of[k]
    target = cur * s
    capped = np.minimum(sizes, s)
    while True:
        if plan.method == "pps":
            prob, _ = _grouped_pps_probabilities(sizes, stratum, cur.astype(np.float64), n_strata)
        else:
            prob = np.minimum(1.0, cur[stratum] / np.maximum(big[stratum], 1))
        expected = np.bincount(stratum, weights=prob * capped, minlength=n_strata)
        short = (cur > 0) & (cur < big) & (target - expected > s / 2)
        if not short.any():
            return {k: int(cur[k]) for k in n_of}
        cur[short] += 1


def draw_school_sample(
    frame: pl.DataFrame, plan: SamplingPlan, *, seed: int, validated: bool = False
) -> SchoolSample:
    """Draw the sample schools of every county and stage in ``frame``.

    ``frame`` has the columns of :data:`jiance_core.sampling.frame.REQUIRED_COLUMNS` (extra
    columns pass through). It is checked (raising
    :class:`~jiance_core.errors.ValidationFailed`) unless ``validated`` says it came from
    :func:`~jiance_core.sampling.frame.read_frame`.
    """
    if not validated:
        frame = check_frame(frame)
    frame_hash = frame_content_hash(frame)
    s = plan.students_per_school
    units = stage_units(frame, plan)
    strata = (
        units.group_by("_stratum", maintain_order=True)
        .agg(
            pl.col("_src").first(),
            pl.col("stage").first(),
            pl.len().alias("N"),
            pl.col("_n").first().alias("n"),
            pl.col("size").sum().alias("students"),
        )
        .with_columns((pl.col("n") * s).alias("target"))
    )
    strata = strata.with_columns(frame["county"].gather(strata["_src"]).alias("county"))
    n_of = dict(zip(strata["_stratum"].to_list(), strata["n"].to_list(), strict=True))
    big_of = dict(zip(strata["_stratum"].to_list(), strata["N"].to_list(), strict=True))

    # v2: the number of schools is fixed before the draw (small schools raise it).
    n_draw = n_of if plan.shortfall == "v1" else _fixed_sizes(units, n_of, big_of, plan)

    # Main draw: strata with more schools than planned, in one svy call; the others take all.
    n_map = {k: n for k, n in n_draw.items() if 0 < n < big_of[k]}
    main = _svy_draw(
        units.filter(pl.col("_stratum").is_in(list(n_map))),
        n_map,
        method=plan.method,
        seed=_child_seed(seed, 0),
    )
    take_all = [k for k, n in n_draw.items() if n > 0 and n >= big_of[k]]
    everything = units.filter(pl.col("_stratum").is_in(take_all)).select(
        "_pos", pl.lit(1.0).alias("_prob"), pl.lit(True).alias("_certainty")
    )
    selected = pl.concat(
        [
            main.with_columns(pl.lit("sample").alias("role")),
            everything.with_columns(pl.lit("sample").alias("role")),
        ]
    )

    # Rule (b): add schools while a stratum's planned students fall short of its target.
    sizes = units["size"].to_numpy()
    stratum_arr = units["_stratum"].to_numpy()
    n_strata = int(stratum_arr.max()) + 1 if len(stratum_arr) else 1
    target_arr = np.zeros(n_strata, dtype=np.int64)
    for k, n in n_of.items():
        target_arr[k] = n * s
    chosen = np.zeros(len(units), dtype=bool)
    round_no = 0
    while True:  # v1 only: v2 has no second draw
        chosen[:] = False
        chosen[selected["_pos"].to_numpy()] = True
        got = np.bincount(
            stratum_arr[chosen], weights=np.minimum(sizes[chosen], s), minlength=n_strata
        )
        left = np.bincount(stratum_arr[~chosen], minlength=n_strata)
        short = (target_arr - got > 0) & (left > 0)
        if not short.any() or plan.shortfall != "v1":
            break
        round_no += 1
        need = {
            int(k): int(min(math.ceil((target_arr[k] - got[k]) / s), left[k]))
            for k in np.flatnonzero(short)
        }
        pool = units.filter(~pl.Series(chosen) & pl.col("_stratum").is_in(list(need)))
        extra = _svy_draw(pool, need, method=plan.method, seed=_child_seed(seed, round_no))
        selected = pl.concat([selected, extra.with_columns(pl.lit("added").alias("role"))])

    sel = units.join(selected, on="_pos", how="inner").sort("_pos")

    # Final probabilities where schools were added: one draw of n + added schools.
    added_strata = sel.filter(pl.col("role") == "added")["_stratum"].unique()
    if added_strata.len() and plan.shortfall == "v1":
        members = units.filter(pl.col("_stratum").is_in(added_strata.implode()))
        n_final = np.bincount(sel["_stratum"].to_numpy(), minlength=n_strata)
        group = members["_stratum"].to_numpy()
        if plan.method == "pps":
            prob, cert = _grouped_pps_probabilities(
                members["size"].to_numpy(), group, n_final, n_strata
            )
        else:
            big = np.bincount(group, minlength=n_strata)
            prob = np.minimum(1.0, n_final[group] / big[group])
            cert = prob >= 1.0
        fix = pl.DataFrame(
            {"_pos": members["_pos"], "_prob2": prob, "_cert2": cert},
            schema={"_pos": pl.UInt32, "_prob2": pl.Float64, "_cert2": pl.Boolean},
        )
        sel = sel.join(fix, on="_pos", how="left", maintain_order="left").with_columns(
            pl.coalesce("_prob2", "_prob").alias("_prob"),
            pl.coalesce("_cert2", "_certainty").alias("_certainty"),
        )
        sel = sel.drop("_prob2", "_cert2")

    # Planned students: min(size, s); rule (a) raises the level where every school is taken
    # (v2: wherever the drawn schools' students fall short of the target).
    stats = sel.group_by("_stratum").agg(
        pl.len().alias("taken"), pl.col("size").clip(upper_bound=s).sum().alias("got")
    )
    raise_level = pl.col("taken") == pl.col("N")
    if plan.shortfall != "v1":
        raise_level = raise_level | (pl.col("got") < pl.col("_n") * s)
    all_taken = stats.join(strata.select("_stratum", "N", pl.col("n").alias("_n")), on="_stratum").filter(
        raise_level
    )["_stratum"]
    level = {k: s for k in n_of}
    if all_taken.len():
        members = sel.filter(pl.col("_stratum").is_in(all_taken.implode()))
        level.update(
            _water_levels(members["size"].to_numpy(), members["_stratum"].to_numpy(), target_arr, s)
        )
    level_df = pl.DataFrame(
        {"_stratum": list(level), "_level": list(level.values())},
        schema={"_stratum": pl.Int64, "_level": pl.Int64},
    )
    sel = sel.join(level_df, on="_stratum", how="left").with_columns(
        pl.min_horizontal("size", "_level").alias("planned_students"),
        (1.0 / pl.col("_prob")).alias("base_weight"),
    )

    # Replacements: the next (1) and previous (2) school in the sorted stratum.
    # ``chosen`` marks exactly the selected schools once the additions loop has ended.
    reps = _replacements(frame, units, sel, chosen, plan.replacements)

    rows = pl.concat(
        [
            sel.select(
                "_pos",
                "_src",
                "role",
                "_prob",
                "base_weight",
                "planned_students",
                pl.lit(None, dtype=pl.String).alias("replaces"),
                "_certainty",
            ),
            reps,
        ],
        how="vertical_relaxed",
    )
    rows = _output(frame, units, rows)
    explanations = _explain(frame, plan, strata, units, rows, level)
    return SchoolSample(
        rows=rows,
        explanations=explanations,
        frame_hash=frame_hash,
        seed=seed,
        plan=plan,
        engine=_engine_version(),
    )


def _engine_version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return f"svy {version('svy')}"
    except PackageNotFoundError:  # pragma: no cover - svy is a dependency
        return "svy"


def _replacements(
    frame: pl.DataFrame,
    units: pl.DataFrame,
    sel: pl.DataFrame,
    chosen: np.ndarray,
    how_many: int,
) -> pl.DataFrame:
    """Replacement rows: neighbours in the sorted stratum, never selected, each used once.

    Selected schools are served in frame order, replacement1 before replacement2, so the school
    between two selected schools is the replacement1 of the earlier one.
    """
    schema = {
        "_pos": pl.UInt32,
        "_src": pl.UInt32,
        "role": pl.String,
        "_prob": pl.Float64,
        "base_weight": pl.Float64,
        "planned_students": pl.Int64,
        "replaces": pl.String,
        "_certainty": pl.Boolean,
    }
    if how_many == 0 or sel.height == 0:
        return pl.DataFrame(schema=schema)
    stratum = units["_stratum"].to_numpy()
    src = units["_src"].to_numpy()
    size = units["size"].to_numpy()
    school_ids = frame["school_id"]
    n = len(units)
    pos = sel["_pos"].to_numpy().astype(np.int64)

    def same(a: np.ndarray, b: np.ndarray) -> np.ndarray:
        ok = (b >= 0) & (b < n)
        out = np.zeros(len(a), dtype=bool)
        out[ok] = stratum[a[ok]] == stratum[b[ok]]
        return out

    nxt = pos + 1
    ok1 = same(pos, nxt)
    ok1[ok1] = ~chosen[nxt[ok1]]
    frames = []
    picks = [("replacement1", nxt, ok1)]
    if how_many >= 2:
        prv = pos - 1
        ok2 = same(pos, prv)
        ok2[ok2] = ~chosen[prv[ok2]]
        # The school before is the replacement1 of the selected school two places back.
        back2 = pos - 2
        taken = same(pos, back2)
        taken[taken] = chosen[back2[taken]]
        ok2 &= ~taken
        picks.append(("replacement2", prv, ok2))
    for role, target, ok in picks:
        t = target[ok]
        orig = sel.filter(pl.Series(ok))
        frames.append(
            pl.DataFrame(
                {
                    "_pos": t.astype(np.uint32),
                    "_src": src[t].astype(np.uint32),
                    "role": [role] * len(t),
                    "_prob": orig["_prob"],
                    "base_weight": orig["base_weight"],
                    "planned_students": np.minimum(size[t], orig["planned_students"].to_numpy()),
                    "replaces": school_ids.gather(src[pos[ok]]),
                    "_certainty": np.zeros(len(t), dtype=bool),
                },
                schema=schema,
            )
        )
    return pl.concat(frames)


def _output(frame: pl.DataFrame, units: pl.DataFrame, rows: pl.DataFrame) -> pl.DataFrame:
    """Attach the input columns and put the columns and rows in their published order.

    A school has one role per stage, so its position in the sorted frame orders the rows.
    """
    rows = rows.sort("_pos")
    pos = rows["_pos"]
    src = rows["_src"]
    inputs = [c for c in frame.columns if c not in ("county", "school_id", "school_name")]
    head = frame.select("county", "school_id", "school_name")
    return pl.concat(
        [
            head.select(pl.col("county").gather(src)),
            units.select(pl.col("stage").gather(pos)),
            head.select(pl.col("school_id", "school_name").gather(src)),
            rows.select(
                "role",
                pl.col("_prob").alias("selection_probability"),
                "base_weight",
                pl.col("planned_students").cast(pl.Int64),
            ),
            frame.select(pl.col(inputs).gather(src)),
            rows.select("replaces", pl.col("_certainty").alias("certainty")),
            units.select((pl.col("_order").gather(pos) + 1).alias("frame_order")),
        ],
        how="horizontal",
    )


def _explain(
    frame: pl.DataFrame,
    plan: SamplingPlan,
    strata: pl.DataFrame,
    units: pl.DataFrame,
    rows: pl.DataFrame,
    level: dict[int, int],
) -> list[StratumExplanation]:
    """One record per county and stage of the frame, with a Chinese text (built column-wise)."""
    grid = _explain_grid(frame, plan, strata, _explain_counts(rows, plan.students_per_school), level)
    table = grid.select(
        "county",
        "stage",
        "N",
        "students",
        "n",
        "target",
        "sampled",
        "added",
        "certain",
        "small",
        "reps",
        "level",
        "planned",
        _explain_text(plan).alias("text"),
    )
    return [StratumExplanation._make(row) for row in table.iter_rows()]


def _explain_counts(rows: pl.DataFrame, s: int) -> pl.DataFrame:
    """Per county and stage: schools sampled, added, certain, small; replacements; planned students."""
    chosen = pl.col("role").is_in(("sample", "added"))
    return rows.group_by("county", "stage").agg(
        (pl.col("role") == "sample").sum().cast(pl.Int64).alias("sampled"),
        (pl.col("role") == "added").sum().cast(pl.Int64).alias("added"),
        (chosen & pl.col("certainty")).sum().cast(pl.Int64).alias("certain"),
        (chosen & (pl.col("planned_students") < s)).sum().cast(pl.Int64).alias("small"),
        pl.col("role").str.starts_with("replacement").sum().cast(pl.Int64).alias("reps"),
        pl.col("planned_students").filter(chosen).sum().cast(pl.Int64).alias("planned"),
    )


def _explain_grid(
    frame: pl.DataFrame, plan: SamplingPlan, strata: pl.DataFrame, counts: pl.DataFrame, level: dict[int, int]
) -> pl.DataFrame:
    """Every county × stage of the frame with its figures (absent strata: zeros and the plan's n),
    and the helper columns the text reads (_none, _zero, _label, _grade, _taken)."""
    s = plan.students_per_school
    levels = pl.DataFrame(
        {"_stratum": list(level), "level": list(level.values())},
        schema={"_stratum": pl.Int64, "level": pl.Int64},
    )
    overrides = pl.DataFrame(
        [(c, st, n) for c, per in plan.county_overrides.items() for st, n in per.items()],
        schema={"county": pl.String, "stage": pl.String, "n_plan": pl.Int64},
        orient="row",
    )
    grid = (
        frame.select(pl.col("county").unique().sort())
        .join(pl.DataFrame({"stage": list(STAGES)}), how="cross")
        .join(
            strata.select("county", "stage", "_stratum", "N", "n", "students"),
            on=["county", "stage"],
            how="left",
        )
        .join(counts, on=["county", "stage"], how="left")
        .join(levels, on="_stratum", how="left")
        .join(overrides, on=["county", "stage"], how="left")
    )
    default_n = (
        pl.when(pl.col("stage") == "primary")
        .then(plan.primary_schools)
        .otherwise(plan.junior_schools)
    )
    none = pl.col("N").is_null()
    zero = ~none & ((pl.col("n") == 0) | pl.col("sampled").is_null())
    return grid.with_columns(
        pl.when(none)
        .then(pl.coalesce("n_plan", default_n))
        .when(zero)
        .then(0)
        .otherwise(pl.col("n"))
        .alias("n"),
        pl.col("N").fill_null(0),
        pl.col("students").fill_null(0),
        *[
            pl.col(c).fill_null(0)
            for c in ("sampled", "added", "certain", "small", "reps", "planned")
        ],
        pl.col("level").fill_null(s),
        none.alias("_none"),
        zero.alias("_zero"),
    ).with_columns(
        pl.when(pl.col("_zero")).then(0).otherwise(pl.col("n") * s).alias("target"),
        pl.col("stage").replace_strict(STAGE_LABELS, return_dtype=pl.String).alias("_label"),
        pl.col("stage").replace_strict(STAGE_GRADES, return_dtype=pl.String).alias("_grade"),
        (pl.col("sampled") + pl.col("added")).alias("_taken"),
    )


def _explain_text(plan: SamplingPlan) -> pl.Expr:
    """The stratum's sentence: no schools, not sampled by plan, or its parts joined by "；"."""
    label, grade = pl.col("_label"), pl.col("_grade")
    return (
        pl.when(pl.col("_none"))
        .then(pl.format("{}没有{}有学生的学校，{}不抽样。", pl.col("county"), grade, label))
        .when(pl.col("_zero"))
        .then(pl.format("{}{}按计划不抽样（计划 0 所）。", pl.col("county"), label))
        .otherwise(
            pl.concat_str(
                [
                    pl.col("county"),
                    label,
                    pl.lit("："),
                    pl.concat_str(_explain_parts(plan), separator="；", ignore_nulls=True),
                    pl.lit("。"),
                ]
            )
        )
    )


def _explain_parts(plan: SamplingPlan) -> list[pl.Expr]:
    """The clauses of a sampled stratum's sentence (a null clause is left out)."""
    s = plan.students_per_school
    big, n, taken = pl.col("N"), pl.col("n"), pl.col("_taken")
    small, added, grade = pl.col("small"), pl.col("added"), pl.col("_grade")
    all_frame = big <= n
    return [
        _schools_clause(plan),
        pl.when(~all_frame & (small > 0)).then(
            pl.format("{} 所样本校{}学生不足 " + str(s) + " 人，全部抽取", small, grade)
        ),
        pl.when(~all_frame & (added > 0)).then(
            pl.format(
                "为达到 {} 人的目标，从其余学校中按同一方法增抽 {} 所（追加学校），"
                "入样概率按 {} 所重新计算",
                pl.col("target"),
                added,
                taken,
            )
        )
        if plan.shortfall == "v1"
        else pl.when(~all_frame & (taken > n)).then(
            pl.format(
                "因部分学校{}学生不足 " + str(s) + " 人，抽样前将样本校数由 {} 所增至 {} 所"
                "（使样本学生数的期望达到 {} 人的目标），入样概率按一次抽取 {} 所计算",
                grade,
                n,
                taken,
                pl.col("target"),
                taken,
            )
        ),
        pl.when(~all_frame & (taken == big)).then(pl.lit("全县学校已全部入样")),
        _students_clause(s),
        pl.format("计划抽取学生共 {} 人", pl.col("planned")),
        pl.when(big > taken).then(pl.format("配替补学校 {} 所（排序相邻学校）", pl.col("reps"))),
    ]


def _schools_clause(plan: SamplingPlan) -> pl.Expr:
    """How many schools were drawn, and how (all of them when the frame is no bigger than n)."""
    label, big, n = pl.col("_label"), pl.col("N"), pl.col("n")
    all_frame = big <= n
    certain_note = (
        pl.when((pl.col("certain") > 0) & (pl.col("added") == 0) & pl.lit(plan.method == "pps"))
        .then(pl.format("，其中 {} 所因规模大（n×规模占比≥1）必选", pl.col("certain")))
        .otherwise(pl.lit(""))
    )
    return (
        pl.when(all_frame & (big < n))
        .then(pl.format("全县{}仅 {} 所（计划 {} 所），全部入样", label, big, n))
        .when(all_frame)
        .then(pl.format("全县{}共 {} 所，与计划数相同，全部入样", label, big))
        .otherwise(
            pl.format(
                "全县{} {} 所，按" + METHOD_LABELS[plan.method] + "抽取 {} 所{}",
                label,
                big,
                n if plan.shortfall == "v1" else pl.col("_taken"),
                certain_note,
            )
        )
    )


def _students_clause(s: int) -> pl.Expr:
    """How many students per school, and whether the stratum reaches its target."""
    taken, target, planned, lvl = pl.col("_taken"), pl.col("target"), pl.col("planned"), pl.col("level")
    return (
        pl.when((lvl > s) & (planned >= target))
        .then(
            pl.format(
                "每校抽取人数提高至 {} 人（不足 {} 人的学校全部抽取）以达到 {} 人的目标",
                lvl,
                lvl,
                target,
            )
        )
        .when((planned < target) & (taken == pl.col("N")))
        .then(
            pl.format(
                "全县{}学生共 {} 人，可抽 {} 人，不足 {} 人的目标，全部参测",
                pl.col("_grade"),
                pl.col("students"),
                planned,
                target,
            )
        )
        .when(planned < target)
        .then(pl.format("计划抽取 {} 人，仍不足 {} 人的目标", planned, target))
        .when(pl.col("small") > 0)
        .then(pl.lit(f"其余每校抽取 {s} 人"))
        .otherwise(pl.lit(f"每校抽取 {s} 人"))
    )
