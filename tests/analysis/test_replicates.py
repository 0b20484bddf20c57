"""A JK2 and a Fay case built by the platform (a published draw, rosters, a student draw and the
after-test reports of a small cycle): the weight file's replicate columns, read by `jiance
estimate`, give the SE that a direct computation from the school totals gives."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import polars as pl
import pytest

from jiance.accounts.scoping import Scope
from jiance.analysis.build import stage_weights, weight_file
from jiance.analysis.services import pseudonym
from jiance.sampling.models import RowStatus, SampledSchool
from jiance_core.commands.estimate import main as estimate
from tests.analysis.builders import build, fill_schools, make_cycle, mark_absent
from tests.factories import World


def _file(world: World, method: str, tmp_path: Path) -> tuple[pl.DataFrame, Path, list[list[str]]]:
    built = build(world, make_cycle(replicate_method=method, fay_replicates=12, fay_rho=0.5))
    fill_schools(built)
    mark_absent(built, next(iter(built.sampled)), 4)  # a student factor (carried into the replicates)
    result = stage_weights(scope=Scope(built.city_user), cycle=built.cycle, stage="primary",
                           counties=[world.county_a, world.county_b])
    ids = {int(pk): pseudonym(built.cycle.code, int(pk)) for pk in result.students["student_pk"]}
    frame = weight_file(result, ids, identified=False)
    # a score: school effect + student noise, deterministic
    rng = np.random.default_rng(5)
    effect = {s: rng.normal(500, 40) for s in frame["school_id"].unique().to_list()}
    frame = frame.with_columns(
        pl.Series("y", [effect[s] + rng.normal(0, 60) for s in frame["school_id"]]),
    )
    path = tmp_path / "w.csv"
    frame.write_csv(path)
    # the zones: participating schools in the draw's sort order within each county
    zones: list[list[str]] = []
    for county in (world.county_a, world.county_b):
        order = list(
            SampledSchool.objects.filter(draw=built.draw, county=county, status=RowStatus.IN_SAMPLE)
            .order_by("frame_order").values_list("school__code", flat=True)
        )
        pairs = [order[i:i + 2] for i in range(0, len(order) - len(order) % 2, 2)]
        if len(order) % 2:
            pairs[-1] = [*pairs[-1], order[-1]]
        zones.extend(pairs)
    return frame, path, zones


def _run(path: Path, out: Path, method: str) -> pl.DataFrame:
    code = estimate(["--data", str(path), "--weight", "final_weight", "--replicates", "rep_", "--method", method,
                     "--total", "y", "--mean", "y", "--out", str(out)])
    assert code == 0
    return pl.read_csv(out)


def test_jk2_case_against_a_direct_computation(world: World, tmp_path: Path) -> None:
    frame, path, zones = _file(world, "jk2", tmp_path)
    n_reps = sum(1 if len(z) == 2 else 3 for z in zones)
    assert len([c for c in frame.columns if c.startswith("rep_")]) == n_reps
    table = _run(path, tmp_path / "out.csv", "jk2")
    w = frame["final_weight"].to_numpy()
    y = frame["y"].to_numpy()
    school = frame["school_id"].to_list()
    # totals per school of w·y and of w
    ty = {s: 0.0 for s in set(school)}
    tw = dict(ty)
    for s, wi, yi in zip(school, w, y, strict=True):
        ty[s] += wi * yi
        tw[s] += wi
    total, size = sum(ty.values()), sum(tw.values())
    var_total = var_mean = 0.0
    for z in zones:
        if len(z) == 2:  # first school doubled, second dropped
            a, b = z
            var_total += (ty[a] - ty[b]) ** 2
            var_mean += ((total + ty[a] - ty[b]) / (size + tw[a] - tw[b]) - total / size) ** 2
        else:  # a triple: drop one, the two others × 3/2, coefficient 2/3
            for drop in z:
                keep = [s for s in z if s != drop]
                dy = -ty[drop] + 0.5 * sum(ty[s] for s in keep)
                dw = -tw[drop] + 0.5 * sum(tw[s] for s in keep)
                var_total += 2 / 3 * dy**2
                var_mean += 2 / 3 * ((total + dy) / (size + dw) - total / size) ** 2
    got = {r["statistic"]: r for r in table.iter_rows(named=True)}
    assert got["total"]["estimate"] == pytest.approx(total, rel=1e-9)
    assert got["total"]["se"] == pytest.approx(math.sqrt(var_total), rel=1e-9)
    assert got["mean"]["estimate"] == pytest.approx(total / size, rel=1e-9)
    assert got["mean"]["se"] == pytest.approx(math.sqrt(var_mean), rel=1e-9)
    assert got["mean"]["se"] > 0


def test_fay_case_against_a_direct_computation(world: World, tmp_path: Path) -> None:
    frame, path, zones = _file(world, "fay", tmp_path)
    assert len(zones) <= 11  # full orthogonal balance with 12 replicates
    assert [c for c in frame.columns if c.startswith("rep_")] == [f"rep_{i}" for i in range(1, 13)]
    table = _run(path, tmp_path / "out.csv", "fay")
    ty: dict[str, float] = {}
    for s, wi, yi in zip(frame["school_id"], frame["final_weight"], frame["y"], strict=True):
        ty[s] = ty.get(s, 0.0) + wi * yi
    # Fay with full balance: the variance of a total is the sum over zones of the squared contrast,
    # (t_a − t_b)² for a pair, (√2 t_a − (t_b + t_c)/√2)² for a triple (PISA's factors)
    var_total = 0.0
    for z in zones:
        if len(z) == 2:
            var_total += (ty[z[0]] - ty[z[1]]) ** 2
        else:
            var_total += (math.sqrt(2) * ty[z[0]] - (ty[z[1]] + ty[z[2]]) / math.sqrt(2)) ** 2
    total = frame.select((pl.col("final_weight") * pl.col("y")).sum()).item()
    row = table.filter(pl.col("statistic") == "total").row(0, named=True)
    assert row["estimate"] == pytest.approx(total, rel=1e-9)
    assert row["se"] == pytest.approx(math.sqrt(var_total), rel=1e-9)
    # the replicate factors are Fay's: every replicate weight is the final weight × 1 ± k (or the triple's)
    ratio = (frame["rep_1"] / frame["final_weight"]).unique().sort().to_list()
    allowed = [0.5, 1.5, 1 + 0.5 * math.sqrt(2), 1 - 0.5 * math.sqrt(2), 1 + 0.5 / math.sqrt(2),
               1 - 0.5 / math.sqrt(2), 1.0]
    assert all(any(abs(r - a) < 1e-9 for a in allowed) for r in ratio)


def test_school_non_response_is_adjusted_again_in_every_jk2_replicate(world: World) -> None:
    """With a refusal, each replicate's county total is Σ over every slot of base × enrolment ×
    the replicate factor (the refusing slot at 1): the non-response adjustment recomputed within
    the replicate. Zones: the participating schools in the draw's sort order."""
    built = build(world, make_cycle(replicate_method="jk2"))
    slots = list(SampledSchool.objects.filter(draw=built.draw, role__in=["sample", "added"])
                 .select_related("school", "county").order_by("county__code", "frame_order"))
    refused = slots[0]
    fill_schools(built, skip={refused.school.code})
    mark_absent(built, slots[1].school.code, 5)
    result = stage_weights(scope=Scope(built.city_user), cycle=built.cycle, stage="primary",
                           counties=[world.county_a, world.county_b])
    factors: list[dict[str, float]] = []  # one dict per replicate: school → factor
    for county in (world.county_a, world.county_b):
        order = [s.school.code for s in slots if s.county_id == county.pk and s.pk != refused.pk]
        pairs = [order[i:i + 2] for i in range(0, len(order) - len(order) % 2, 2)]
        if len(order) % 2:
            pairs[-1] = [*pairs[-1], order[-1]]
        for z in pairs:
            if len(z) == 2:
                factors.append({z[0]: 2.0, z[1]: 0.0})
            else:
                factors.extend({**{s: 1.5 for s in z}, drop: 0.0} for drop in z)
    assert result.replicates == len(factors)
    students = result.students
    for r, f in enumerate(factors, start=1):
        for county in (world.county_a, world.county_b):
            got = students.filter(pl.col("county") == county.code)[f"rep_{r}"].sum()
            expected = sum(s.base_weight * s.primary_students * f.get(s.school.code, 1.0)
                           for s in slots if s.county_id == county.pk)
            assert got == pytest.approx(expected, rel=1e-12), (r, county.code)
