"""The weighting chain of a cycle, from the platform's records to the final student weight.

Every step is its own column (issue 14, "Weights"):

1. ``school_base_weight`` — 1/π from the published draw (certainty schools 1); a replacement
   school carries the weight of the school it replaces (``jiance sample-schools`` writes it so).
2. ``school_nr_factor`` — school non-response within the explicit stratum (county × stage): the
   weighted enrolment (base weight × tested-grade students) of every sampled school over that of
   the participating ones (original or replacement). A stratum where no school took part is
   refused (its enrolment would be lost): collapse it first.
3. ``within_school_weight`` — N/n: the school's tested-grade students over the students drawn.
4. ``student_nr_factor`` — student non-response within the school: students drawn / students
   tested (absentees from the after-test report). A school whose students were all absent is a
   non-participating school (step 2), not a student factor.
5. ``trim_factor`` — trimming (the rule of PISA's technical reports for student weights): in
   each explicit stratum a weight above ``trim_ratio`` × the stratum's median weight is cut to
   that bound, and the amount cut is spread over the untrimmed weights of the stratum in
   proportion to their size, so the stratum's total is kept; repeated until no weight exceeds
   the bound (at most 20 rounds).
6. ``final_weight`` — the product.

With school replicate factors (:func:`jiance_core.analysis.replicates.jk2_replicates` or
``fay_replicates`` built on the school list), the school non-response adjustment is repeated in
every replicate (``replicate_weights``), the student factors and the trimming carried over.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import polars as pl

from jiance_core.errors import RowError, ValidationFailed

SCHOOL_COLUMNS = ("stratum", "school_id", "base_weight", "students", "participated")
STUDENT_COLUMNS = ("school_id", "school_students", "sampled_students", "tested")
STEPS = ("school_base_weight", "school_nr_factor", "within_school_weight", "student_nr_factor",
         "trim_factor", "final_weight")


@dataclass(frozen=True)
class WeightRules:
    trim_ratio: float = 4.0  # weights above 4 × the stratum median are trimmed (0 = no trimming)
    max_rounds: int = 20


@dataclass
class WeightChain:
    students: pl.DataFrame  # the tested students, the input columns + STEPS
    schools: pl.DataFrame  # stratum, school_id, participated, base weight, school_nr_factor
    replicate_weights: np.ndarray | None = None  # (tested students, R) final replicate weights


def _require(frame: pl.DataFrame, columns: tuple[str, ...], what: str) -> None:
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        raise ValidationFailed(RowError(1, c, f"{what}缺少列 {c}") for c in missing)


def _school_factors(schools: pl.DataFrame, base: np.ndarray) -> np.ndarray:
    """(S, k) school non-response factors for base weights (S, k), zero for non-participants."""
    _, h = np.unique(schools["stratum"].to_numpy(), return_inverse=True)
    size = schools["students"].cast(pl.Float64).to_numpy()
    took = schools["participated"].cast(pl.Boolean).to_numpy()
    out = np.zeros_like(base)
    for j in range(base.shape[1]):
        every = np.bincount(h, weights=base[:, j] * size)
        part = np.bincount(h, weights=base[:, j] * size * took)
        with np.errstate(divide="ignore", invalid="ignore"):
            out[:, j] = np.where(took, every[h] / part[h], 0.0)
    return out


def _trim(weight: np.ndarray, stratum: np.ndarray, rules: WeightRules) -> np.ndarray:
    """Trimming factors per row (see module doc)."""
    if rules.trim_ratio <= 0:
        return np.ones(len(weight))
    _, h = np.unique(stratum, return_inverse=True)
    w = weight.astype(np.float64).copy()
    bound = np.zeros(int(h.max()) + 1 if len(h) else 0)
    for g in range(len(bound)):
        bound[g] = rules.trim_ratio * np.median(weight[h == g])
    for _ in range(rules.max_rounds):
        over = w > bound[h] * (1 + 1e-12)
        if not over.any():
            break
        cut = np.bincount(h, weights=np.where(over, w - bound[h], 0.0), minlength=len(bound))
        w = np.where(over, bound[h], w)
        free = np.bincount(h, weights=np.where(over, 0.0, w), minlength=len(bound))
        with np.errstate(divide="ignore", invalid="ignore"):
            share = np.where(free[h] > 0, cut[h] / free[h], 0.0)
        w = np.where(over, w, w * (1 + share))
    return w / weight


def weight_chain(
    schools: pl.DataFrame,
    students: pl.DataFrame,
    *,
    rules: WeightRules | None = None,
    school_replicates: np.ndarray | None = None,
) -> WeightChain:
    """The chain for one cycle and stage.

    ``schools``: every sampled school (original or the replacement that took its place), columns
    ``stratum``, ``school_id``, ``base_weight``, ``students`` (tested-grade enrolment, the measure
    of size), ``participated``. ``students``: every drawn student of the participating schools,
    ``school_id``, ``school_students`` (N), ``sampled_students`` (n), ``tested`` (False for an
    absentee). ``school_replicates`` (S, R): replicate factors of the schools (rows as
    ``schools``). Returns the tested students with every step as a column."""
    rules = rules or WeightRules()
    _require(schools, SCHOOL_COLUMNS, "学校表")
    _require(students, STUDENT_COLUMNS, "学生表")
    took = schools["participated"].cast(pl.Boolean).to_numpy()
    strata = schools["stratum"].to_numpy()
    lost = sorted({str(s) for s in strata} - {str(s) for s in strata[took]})
    if lost:
        raise ValidationFailed(
            [RowError(0, "stratum", f"分层 {s} 没有参加的学校，无法做学校无应答调整：请先与相邻分层合并") for s in lost]
        )
    base = schools["base_weight"].cast(pl.Float64).to_numpy()
    factor = _school_factors(schools, base[:, None])[:, 0]
    school_table = schools.select("stratum", "school_id", "participated").with_columns(
        pl.Series("school_base_weight", base), pl.Series("school_nr_factor", factor)
    )
    counts = students.group_by("school_id").agg(
        pl.len().alias("_drawn"), pl.col("tested").cast(pl.Boolean).sum().alias("_tested")
    )
    unknown = counts.join(school_table.filter(pl.col("participated").cast(pl.Boolean)), on="school_id", how="anti")
    if unknown.height:
        raise ValidationFailed(
            [RowError(0, "school_id", f"学生表中的学校 {s} 不是参加的样本校") for s in unknown["school_id"].to_list()[:20]]
        )
    table = (
        students.with_row_index("_row")
        .join(counts, on="school_id", how="left")
        .join(school_table, on="school_id", how="left")
        .filter(pl.col("tested").cast(pl.Boolean))
        .with_columns(
            (pl.col("school_students").cast(pl.Float64) / pl.col("sampled_students").cast(pl.Float64))
            .alias("within_school_weight"),
            (pl.col("_drawn") / pl.col("_tested")).cast(pl.Float64).alias("student_nr_factor"),
        )
        .sort("_row")
    )
    before = (
        table["school_base_weight"] * table["school_nr_factor"] * table["within_school_weight"]
        * table["student_nr_factor"]
    ).to_numpy()
    trim = _trim(before, table["stratum"].to_numpy(), rules)
    table = table.with_columns(pl.Series("trim_factor", trim)).with_columns(
        pl.Series("final_weight", before * trim)
    )
    reps = None
    if school_replicates is not None:
        rep_base = base[:, None] * school_replicates
        rep_factor = _school_factors(schools, rep_base)
        index = {s: i for i, s in enumerate(schools["school_id"].to_list())}
        at = np.fromiter((index[s] for s in table["school_id"].to_list()), dtype=np.int64, count=table.height)
        student_part = (table["within_school_weight"] * table["student_nr_factor"] * table["trim_factor"]).to_numpy()
        reps = rep_base[at] * rep_factor[at] * student_part[:, None]
    return WeightChain(
        students=table.drop("_row", "_drawn", "_tested"), schools=school_table, replicate_weights=reps
    )


def totals_against_frame(chain: WeightChain, frame_enrolment: pl.DataFrame) -> pl.DataFrame:
    """Σ final weight per stratum against the frame's enrolment (``stratum``, ``enrolment``)."""
    sums = chain.students.group_by("stratum").agg(
        pl.len().alias("students"), pl.col("final_weight").sum().alias("weighted")
    )
    return (
        frame_enrolment.join(sums, on="stratum", how="left")
        .with_columns(pl.col("weighted").fill_null(0.0), pl.col("students").fill_null(0))
        .with_columns(((pl.col("weighted") - pl.col("enrolment")) / pl.col("enrolment")).alias("relative"))
        .sort("stratum")
    )
