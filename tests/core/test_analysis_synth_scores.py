"""Synthetic scores: deterministic, the effects they promise visible through the estimator."""

from __future__ import annotations

import numpy as np
import polars as pl
import pytest

from jiance_core.analysis import Request, design_from_frame, estimate_table
from jiance_core.analysis.estimators import difference
from jiance_core.analysis.synth_scores import LEVELS, synthetic_scores


def _students(n_schools: int = 120, per: int = 30) -> pl.DataFrame:
    rng = np.random.default_rng(0)
    areas = ["城区", "镇区", "乡村"]
    rows = []
    for s in range(n_schools):
        for i in range(per):
            rows.append({"student_id": f"{s:03d}{i:02d}", "school_id": f"S{s:03d}", "county": f"县{s % 6}",
                         "area": areas[s % 3], "sex": "女" if rng.uniform() < 0.5 else "男", "w": 10.0})
    return pl.DataFrame(rows)


def test_deterministic_and_complete() -> None:
    a = synthetic_scores(_students(10), seed=3)
    b = synthetic_scores(_students(10), seed=3)
    assert a.equals(b)
    assert not a.equals(synthetic_scores(_students(10), seed=4))
    assert [c for c in a.columns if c.startswith("语文_")] == [f"语文_PV{m}" for m in range(1, 6)] + ["语文_level"]
    assert set(a["数学_level"]) <= set(LEVELS)


def test_effects_are_there_with_their_standard_errors() -> None:
    frame = synthetic_scores(_students(), seed=1)
    design = design_from_frame(frame, weight="w", psu="school_id")
    rows = estimate_table(frame, design, [Request("pv", "语文_PV")], by="area")
    mean = {r.domain: r for r in rows}
    assert 440 < mean[""].estimate < 560
    assert mean["城区"].estimate > mean["乡村"].estimate
    dom = (frame["sex"] == "女").cast(pl.Int64).to_numpy()
    pvs = frame.select([f"语文_PV{m}" for m in range(1, 6)]).to_numpy()
    diff, se, n_girls, n_boys = difference(design, pvs, dom, 1, 0)
    assert n_girls + n_boys == frame.height
    assert diff == pytest.approx(12, abs=4 * se)  # the girls' advantage in 语文, within its SE
    assert 0 < se < 10
