"""The weighting chain: every step a column; weights summing to the frame's enrolment through
school and student non-response and trimming; the adjustments repeated in every replicate."""

from __future__ import annotations

import numpy as np
import polars as pl
import pytest

from jiance_core.analysis.chain import WeightRules, totals_against_frame, weight_chain
from jiance_core.analysis.replicates import fay_replicates
from jiance_core.errors import ValidationFailed
from jiance_core.sampling.schools import SamplingPlan, draw_school_sample

from .test_analysis_weights import _frame


def _records(seed: int, school_response: float = 0.85, student_response: float = 0.9):
    frame = _frame(seed, counties=30)
    plan = SamplingPlan(primary_schools=6, junior_schools=4, students_per_school=30)
    drawn = draw_school_sample(frame, plan, seed=seed).rows
    chosen = drawn.filter(pl.col("role").is_in(["sample", "added"])).with_columns(
        (pl.col("county") + "|" + pl.col("stage")).alias("stratum"),
        pl.when(pl.col("stage") == "primary").then(pl.col("primary_students"))
        .otherwise(pl.col("junior_students")).cast(pl.Int64).alias("students"),
        (pl.col("school_id") + "|" + pl.col("stage")).alias("school_key"),
    )
    rng = np.random.default_rng(seed)
    took = rng.uniform(size=chosen.height) < school_response
    first = chosen.with_row_index("_i").group_by("stratum").agg(pl.col("_i").min())["_i"].to_numpy()
    took[first] = True  # every stratum keeps one participating school
    schools = chosen.select(
        "stratum", pl.col("school_key").alias("school_id"), pl.col("base_weight").cast(pl.Float64),
        "students", pl.Series("participated", took),
    )
    rows = []
    for school, size, part in schools.select("school_id", "students", "participated").iter_rows():
        if not part:
            continue
        n = min(30, size)
        tested = rng.uniform(size=n) < student_response
        tested[0] = True
        rows.extend({"school_id": school, "school_students": size, "sampled_students": n, "tested": bool(t)}
                    for t in tested)
    added = set(chosen.filter(pl.col("role") == "added")["stratum"])
    units = frame.with_columns(pl.lit(1).alias("_"))
    prim = units.filter((pl.col("school_type") != "初中") & (pl.col("primary_students") > 0)).group_by("county").agg(
        pl.col("primary_students").sum().cast(pl.Float64).alias("enrolment")).with_columns(
        (pl.col("county") + "|primary").alias("stratum"))
    jun = units.filter((pl.col("school_type") != "小学") & (pl.col("junior_students") > 0)).group_by("county").agg(
        pl.col("junior_students").sum().cast(pl.Float64).alias("enrolment")).with_columns(
        (pl.col("county") + "|junior").alias("stratum"))
    enrolment = pl.concat([prim, jun]).select("stratum", "enrolment")
    return schools, pl.DataFrame(rows), enrolment, added


def test_every_step_is_a_column_and_the_chain_multiplies() -> None:
    schools, students, _, _ = _records(1)
    chain = weight_chain(schools, students)
    t = chain.students
    for col in ("school_base_weight", "school_nr_factor", "within_school_weight", "student_nr_factor",
                "trim_factor", "final_weight"):
        assert col in t.columns
    product = (t["school_base_weight"] * t["school_nr_factor"] * t["within_school_weight"]
               * t["student_nr_factor"] * t["trim_factor"])
    assert np.allclose(product.to_numpy(), t["final_weight"].to_numpy())
    assert t.height == students["tested"].sum()
    assert (t["school_nr_factor"] >= 1).all() and (t["student_nr_factor"] >= 1).all()


@pytest.mark.parametrize("trim", [0.0, 4.0, 1.5])
def test_final_weights_sum_to_the_frame_enrolment(trim: float) -> None:
    schools, students, enrolment, added = _records(2)
    chain = weight_chain(schools, students, rules=WeightRules(trim_ratio=trim))
    check = totals_against_frame(chain, enrolment).filter(~pl.col("stratum").is_in(list(added)))
    assert check.height > 20
    assert check["relative"].abs().max() < 1e-9
    if trim == 4.0:  # reachable bound: no weight left above it
        t = chain.students
        med = t.group_by("stratum").agg(
            (pl.col("school_base_weight") * pl.col("school_nr_factor") * pl.col("within_school_weight")
             * pl.col("student_nr_factor")).median().alias("m"))
        joined = t.join(med, on="stratum")
        assert (joined["final_weight"] <= trim * joined["m"] * (1 + 1e-9)).all()
    if trim == 1.5:  # a tight bound: weights cut, the totals above still kept
        assert (chain.students["trim_factor"] < 1).any()


def test_non_response_is_repeated_in_every_replicate() -> None:
    schools, students, _, _ = _records(3)
    factors = fay_replicates(np.ones(schools.height), schools["stratum"].to_numpy(),
                             schools["school_id"].to_numpy(), replicates=20)
    assert factors.replicates is not None
    chain = weight_chain(schools, students, rules=WeightRules(trim_ratio=0), school_replicates=factors.replicates)
    reps = chain.replicate_weights
    assert reps is not None and reps.shape == (chain.students.height, 20)
    rep_base = schools["base_weight"].to_numpy()[:, None] * factors.replicates
    size = schools["students"].to_numpy().astype(float)
    h = schools["stratum"].to_numpy()
    st = chain.students["stratum"].to_numpy()
    for stratum in np.unique(h)[:15]:
        expected = (rep_base[h == stratum] * size[h == stratum, None]).sum(axis=0)
        assert np.allclose(reps[st == stratum].sum(axis=0), expected)


def test_refusals() -> None:
    schools, students, _, _ = _records(4)
    dead = schools.with_columns(
        pl.when(pl.col("stratum") == schools["stratum"][0]).then(False).otherwise(pl.col("participated")).alias("participated"))
    with pytest.raises(ValidationFailed, match="没有参加的学校"):
        weight_chain(dead, students.filter(pl.col("school_id").is_in(dead.filter("participated")["school_id"].implode())))
    with pytest.raises(ValidationFailed, match="不是参加的样本校"):
        weight_chain(schools, pl.concat([students, pl.DataFrame({"school_id": ["外校"], "school_students": [5],
                                                                  "sampled_students": [5], "tested": [True]})]))
    with pytest.raises(ValidationFailed, match="缺少列 tested"):
        weight_chain(schools, students.drop("tested"))
