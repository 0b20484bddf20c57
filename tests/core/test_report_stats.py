"""The report statistics' shortcuts equal the library's direct computations: percentiles with one
sort, subgroup differences from the group pass's replicate estimates."""

from __future__ import annotations

import numpy as np
import polars as pl
import pytest

from jiance_core.analysis.design import replicate_design
from jiance_core.analysis.estimators import difference, weighted_quantiles
from jiance_core.analysis.replicates import jk2_replicates
from jiance_core.analysis.report_stats import Minimums, _percentiles, subject_result
from jiance_core.analysis.synth_scores import synthetic_scores


def test_percentiles_with_one_sort_equal_weighted_quantiles() -> None:
    rng = np.random.default_rng(1)
    y, w, ok = np.round(rng.normal(500, 100, 4000)), rng.uniform(1, 5, 4000), rng.random(4000) > 0.1
    ps = (0.1, 0.25, 0.5, 0.75, 0.9)
    zero = np.zeros(4000, dtype=np.int64)
    assert _percentiles(y, w, ok, ps) == [weighted_quantiles(y, w, ok, zero, 1, np.array([p]))[0] for p in ps]


def test_subgroup_difference_equals_the_direct_computation() -> None:
    rng = np.random.default_rng(2)
    school = np.repeat(np.arange(40), 25)
    frame = pl.DataFrame({"school_id": [f"S{s:03d}" for s in school], "county": [f"C{s // 10}" for s in school],
                          "sex": rng.choice(["男", "女"], len(school)),
                          "area": np.array(["城区", "镇区", "乡村"])[school % 3],
                          "w": rng.uniform(10, 50, 40)[school]})
    frame = synthetic_scores(frame, seed=3)
    w = frame["w"].to_numpy()
    reps = jk2_replicates(w, frame["county"].to_numpy(), frame["school_id"].to_numpy()).replicates
    assert reps is not None
    design = replicate_design(w, reps, "jk2")
    cols = [f"数学_PV{m}" for m in range(1, 6)]
    result = subject_result(frame, design, "数学", cols, "pv", minimums=Minimums(students=10, schools=2))
    sex = next(d for d in result.differences if d.variable == "性别")
    dom = np.where(frame["sex"].to_numpy() == "女", 0, 1)
    y = np.column_stack([frame[c].to_numpy() for c in cols])
    d, se, _a, _b = difference(design, y, dom, 0, 1)
    assert (sex.value, sex.se) == (pytest.approx(d), pytest.approx(se))
    assert sum(s for _n, s in ((n, e.value) for n, e in result.levels)) == pytest.approx(1.0)
