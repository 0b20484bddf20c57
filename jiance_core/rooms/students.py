"""Sampling students inside the sample schools (样本学生抽取) [000, 001, 003].

Equal-probability sampling (simple random sampling without replacement) of ``n`` students in each
school from its tested-grade roster of ``N`` students:

* ``n`` is the school's planned size: the cycle's ``students_per_school`` (30; Chongqing 42) unless
  the school row gives its own (the school-sampling shortfall rule may raise it), and all students
  when the school has fewer ("不足42人则全测").
* selection probability ``n / N``; within-school weight ``N / n``; the final (overall) weight is
  the school's base weight x the within-school weight when the school's base weight is given.
* Reproducible: each school draws from its own ``numpy.random.Generator`` seeded with
  ``SeedSequence([seed, *sha256(school_id)])``. A school's draw depends only on the seed, its id
  and its own roster (in roster order), so adding or removing other schools never changes it.

The sampled students keep the roster order (class, student number, ... as the school listed them);
that order is the order of the room lists and seats.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping

import numpy as np
import polars as pl

__all__ = [
    "SAMPLE_COLUMNS",
    "sample_size",
    "sample_students",
    "school_rng",
]

SAMPLE_COLUMNS = (
    "school_students",
    "sampled_students",
    "selection_probability",
    "within_school_weight",
    "final_weight",
)
"""Columns :func:`sample_students` adds to the sampled roster rows."""


def school_rng(seed: int, school_id: str) -> np.random.Generator:
    """The random stream of one school: depends on the seed and the school id only."""
    if seed < 0:
        raise ValueError("随机种子必须为非负整数")
    digest = hashlib.sha256(str(school_id).encode("utf-8")).digest()
    words = np.frombuffer(digest, dtype="<u4").tolist()
    return np.random.Generator(np.random.PCG64(np.random.SeedSequence([seed, *words])))


def sample_size(planned: int, students: int) -> int:
    """Students to draw: the planned size, or everybody when the school has fewer."""
    if planned < 0 or students < 0:
        raise ValueError("样本量和学生数不能为负")
    return min(planned, students)


def sample_students(
    roster: pl.DataFrame,
    *,
    seed: int,
    default_size: int = 30,
    sizes: Mapping[str, int] | None = None,
    base_weights: Mapping[str, float] | None = None,
    school_column: str = "school_id",
    schools: list[str] | None = None,
) -> pl.DataFrame:
    """Draw the students of every school in ``roster`` (one row per student).

    ``sizes``: planned size per school id (default ``default_size``); ``base_weights``: the
    school's base (design) weight from the school sample; ``schools``: only these schools (default:
    every school in the roster). Returns the sampled roster rows, schools in first-appearance
    order and students in roster order, with the columns of :data:`SAMPLE_COLUMNS` added
    (``final_weight`` is null where no base weight is known).
    """
    if school_column not in roster.columns:
        raise ValueError(f"名单缺少列 {school_column}")
    sizes = sizes or {}
    base_weights = base_weights or {}
    indexed = (
        pl.DataFrame({"_school": roster[school_column].cast(pl.String)})
        .with_row_index("_i")
        .group_by("_school", maintain_order=True)
        .agg(pl.col("_i"))
    )
    wanted = None if schools is None else set(schools)
    picked: list[np.ndarray] = []
    n_col: list[np.ndarray] = []
    big_n_col: list[np.ndarray] = []
    base_col: list[np.ndarray] = []
    for school, rows in indexed.iter_rows():
        if school is None or (wanted is not None and school not in wanted):
            continue
        idx = np.asarray(rows, dtype=np.int64)
        big_n = idx.size
        n = sample_size(int(sizes.get(school, default_size)), big_n)
        if n == 0:
            continue
        if n < big_n:
            chosen = np.sort(school_rng(seed, school).choice(big_n, size=n, replace=False))
            idx = idx[chosen]
        picked.append(idx)
        n_col.append(np.full(n, n, dtype=np.int64))
        big_n_col.append(np.full(n, big_n, dtype=np.int64))
        base = base_weights.get(school)
        base_col.append(np.full(n, np.nan if base is None else float(base)))
    if not picked:
        empty = roster.clear()
        return empty.with_columns(
            pl.lit(None, pl.Int64).alias("school_students"),
            pl.lit(None, pl.Int64).alias("sampled_students"),
            pl.lit(None, pl.Float64).alias("selection_probability"),
            pl.lit(None, pl.Float64).alias("within_school_weight"),
            pl.lit(None, pl.Float64).alias("final_weight"),
        )
    order = np.concatenate(picked)
    big_n_all = np.concatenate(big_n_col)
    n_all = np.concatenate(n_col)
    base_all = np.concatenate(base_col)
    within = big_n_all / n_all
    out = roster[order]
    return out.with_columns(
        pl.Series("school_students", big_n_all),
        pl.Series("sampled_students", n_all),
        pl.Series("selection_probability", n_all / big_n_all),
        pl.Series("within_school_weight", within),
        pl.Series("final_weight", base_all * within, nan_to_null=True),
    )
