"""The shortfall rule (rule b, "若样本学校测试年级学生数不足30人，则增加样本学校的数量") and the
school base weights: Σ base weight × tested-grade students = the frame's enrolment, on every
county × stage stratum (issue 14). Version v2 (redraw the stratum with more schools) makes it
exact everywhere; v1 (older draws) is kept for the draws made with it."""

from __future__ import annotations

import polars as pl
import pytest

from jiance_core.analysis.weights import enrolment_check
from jiance_core.sampling.schools import SamplingPlan, draw_school_sample
from tests.core.test_analysis_weights import _frame


@pytest.mark.parametrize("seed", [5, 17])
def test_identity_exact_on_every_stratum_with_the_v2_rule(seed: int) -> None:
    frame = _frame(seed, counties=150)
    plan = SamplingPlan(primary_schools=6, junior_schools=4, students_per_school=30)
    assert plan.shortfall == "v2"  # new draws use the exact rule
    drawn = draw_school_sample(frame, plan, seed=seed)
    check = enrolment_check(drawn.rows, frame, plan)
    assert drawn.rows.filter(pl.col("role") == "added").height == 0  # v2 draws once
    raised = [e for e in drawn.explanations if e.sampled > e.planned_schools and e.frame_schools > e.planned_schools]
    topped = [e for e in drawn.explanations if e.students_per_school > plan.students_per_school]
    assert len(raised) > 5 and len(topped) > 40  # many strata went through the rule
    # every stratum of the frame is checked: counties with primary / junior tested-grade students
    primary = frame.filter((pl.col("school_type") != "初中") & (pl.col("primary_students") > 0))
    junior = frame.filter((pl.col("school_type") != "小学") & (pl.col("junior_students") > 0))
    assert check.height == primary["county"].n_unique() + junior["county"].n_unique()
    worst = check.select(pl.col("relative").abs().max()).item()
    assert worst < 1e-12, check.sort(pl.col("relative").abs(), descending=True).head(3)
    # every stratum received its planned schools at least (all of them where it has fewer), and
    # its target students where the frame allows
    for e in drawn.explanations:
        if e.frame_schools:
            assert e.sampled >= min(e.planned_schools, e.frame_schools)
            assert e.planned_students >= min(e.target_students, e.frame_students) or e.sampled == e.frame_schools


def test_v1_rule_is_kept_for_older_draws_and_shows_the_known_shortfall() -> None:
    frame = _frame(5, counties=150)
    old = SamplingPlan(primary_schools=6, junior_schools=4, students_per_school=30, shortfall="v1")
    new = SamplingPlan(primary_schools=6, junior_schools=4, students_per_school=30)
    a = draw_school_sample(frame, old, seed=5)
    b = draw_school_sample(frame, old, seed=5)
    assert a.rows.equals(b.rows)  # v1 reproduces itself
    off = enrolment_check(a.rows, frame, old).filter(pl.col("relative").abs() > 1e-9)
    assert off.height > 0 and (off["relative"] < 0).all()
    # a frame without schools below the students per school draws the same sample in both
    big = frame.with_columns(
        pl.when(pl.col(c) > 0).then(pl.col(c) + 30).otherwise(0).alias(c) for c in ("primary_students", "junior_students")
    )
    one = draw_school_sample(big, old, seed=5)
    two = draw_school_sample(big, new, seed=5)
    assert one.rows.equals(two.rows)


def test_unknown_version_is_refused() -> None:
    with pytest.raises(ValueError, match="v1 或 v2"):
        SamplingPlan(shortfall="v3")  # type: ignore[arg-type]
