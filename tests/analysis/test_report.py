"""The county and city report: participation, results by subject with replicate SEs and Rubin's
rules, subgroup differences, suppression of small cells."""

from __future__ import annotations

import math

import numpy as np
import pytest

from jiance.accounts.scoping import Scope
from jiance.analysis.build import stage_weights
from jiance.analysis.report import report_build
from jiance.analysis.scoring import scores_of
from jiance.analysis.synthetic import synthetic_scores_import
from jiance.cycles.models import Cycle
from jiance_core.analysis.design import replicate_design
from jiance_core.analysis.estimators import ratios, rubin
from tests.analysis.builders import Built, build, fill_schools, make_cycle, mark_absent
from tests.factories import World


@pytest.fixture
def built(world: World) -> Built:
    b = build(world, make_cycle(min_students=30, min_schools=3))
    fill_schools(b)
    mark_absent(b, next(iter(b.sampled)), 3)
    scope = Scope(b.city_user)
    counties = [world.county_a, world.county_b]
    out = synthetic_scores_import(scope=scope, cycle=b.cycle, stage="primary", counties=counties, seed=5,
                                  actor=b.city_user)
    assert out is not None and not out.errors
    return b


def test_county_report_means_are_rubin_over_replicate_estimates(built: Built) -> None:
    scope = Scope(built.city_user)
    county = built.world.county_a
    report = report_build(scope=scope, cycle=built.cycle, unit=county, stage="primary")
    assert report.method == "jk2" and report.replicates > 0
    assert [p.code for p in report.participation] == [county.code]
    assert report.total.students_tested == report.total.students_drawn - 3
    math_ = next(s for s in report.subjects if s.subject == "数学")
    assert math_.kind == "pv" and math_.values == 5
    # direct: the weights of the county, the scores, the mean per PV with JK2 variance, Rubin
    w = stage_weights(scope=scope, cycle=built.cycle, stage="primary", counties=[county])
    t = w.students.join(scores_of(report.score_set), on="student_pk", how="left")  # type: ignore[arg-type]
    design = replicate_design(t["final_weight"].to_numpy(), t.select(w.replicate_columns).to_numpy(), "jk2")
    y = np.column_stack([t[f"数学_PV{m}"].to_numpy() for m in range(1, 6)])
    valid = np.isfinite(y).all(axis=1)
    r = ratios(design, y, np.ones_like(y), np.repeat(valid[:, None], 5, axis=1))
    point, var = rubin(r.est[0], r.var[0])
    assert math_.mean.value == pytest.approx(point) and math_.mean.se == pytest.approx(math.sqrt(var))
    assert sum(e.value for _n, e in math_.levels) == pytest.approx(1.0)
    assert math_.mean.low < math_.mean.value < math_.mean.high
    assert sum(s for _a, _b, s in math_.histogram) == pytest.approx(1.0)
    sex = next(d for d in math_.differences if d.variable == "性别")
    assert (sex.a, sex.b) == ("女", "男") and sex.se > 0


def test_small_cells_are_suppressed_and_say_why(built: Built) -> None:
    Cycle.objects.filter(pk=built.cycle.pk).update(
        config={**built.cycle.config, "analysis": {**built.cycle.config["analysis"], "min_schools": 50}})
    built.cycle.refresh_from_db()
    report = report_build(scope=Scope(built.city_user), cycle=built.cycle, unit=built.world.county_a, stage="primary")
    s = report.subjects[0]
    assert not s.mean.shown and "少于 50 所" in s.mean.suppressed and math.isnan(s.mean.value)
    assert s.histogram == [] and all(not e.shown for _n, e in s.levels)
    assert all(d.suppressed and not d.significant for d in s.differences)


def test_city_report_covers_its_counties_in_code_order(built: Built) -> None:
    report = report_build(scope=Scope(built.city_user), cycle=built.cycle, unit=built.world.city, stage="primary")
    codes = [p.code for p in report.participation]
    assert codes == sorted(codes) and len(codes) == 2
    assert report.subjects and report.subjects[0].mean.shown
    assert report.total.weighted == pytest.approx(sum(p.weighted for p in report.participation))
