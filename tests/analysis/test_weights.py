"""Weights built from the platform's records (jiance.analysis.build) on a small built cycle: the
sums against the frame, each step of the chain against a hand computation."""

from __future__ import annotations

import numpy as np
import pytest

from jiance.accounts.scoping import Scope
from jiance.analysis.build import stage_weights
from jiance.reporting.models import FrameRecord
from jiance.sampling import services as sampling
from jiance.sampling.models import RowStatus, SampledSchool
from tests.analysis.builders import Built, build, fill_schools, make_cycle, mark_absent, rows
from tests.factories import World


def _result(built: Built):  # type: ignore[no-untyped-def]
    w = built.world
    return stage_weights(scope=Scope(built.city_user), cycle=built.cycle, stage="primary",
                         counties=[w.county_a, w.county_b])


def _frame_total(county: str) -> int:
    return sum(r.primary_students for r in FrameRecord.objects.filter(submission__county__code=county))


@pytest.mark.parametrize("trim_ratio", [0, 1.5])
def test_final_weights_sum_to_the_frame_enrolment_per_county(world: World, trim_ratio: float) -> None:
    built = build(world, make_cycle(trim_ratio=trim_ratio))
    fill_schools(built)
    mark_absent(built, next(iter(built.sampled)), 15)  # half the school absent: its weights double
    result = _result(built)
    assert [c.code for c in result.counties] == [world.county_a.code, world.county_b.code]
    for c in result.counties:
        assert c.frame_enrolment == _frame_total(c.code) > 0
        assert c.weighted == pytest.approx(c.frame_enrolment, rel=1e-12)
        assert c.refused == 0 and c.participating == c.schools
    if trim_ratio:
        assert sum(c.trimmed for c in result.counties) > 0  # the rule did cut weights here
    assert not result.problems


def test_each_step_against_a_hand_computation(world: World) -> None:
    built = build(world, make_cycle())
    slots = [r for r in rows(built) if r.role in ("sample", "added")]
    a_slots = [r for r in slots if r.county_id == world.county_a.pk]
    b_slots = [r for r in slots if r.county_id == world.county_b.pk]
    refused = a_slots[0]  # no report: a refusal without replacement
    # county B: its first school is replaced through the platform (request by the county, city approves)
    from jiance.accounts.models import Role
    from tests.factories import make_user

    county_b_user = make_user("jx_county", Role.COUNTY_ADMIN, world.county_b)
    req = sampling.replacement_request(scope=Scope(county_b_user), sampled_school=b_slots[0], reason="学校拒绝参加",
                                       actor=county_b_user)
    sampling.replacement_approve(scope=Scope(built.city_user), request=req, actor=built.city_user)
    replacement = SampledSchool.objects.get(replaces=b_slots[0], status=RowStatus.IN_SAMPLE)
    fill_schools(built, skip={refused.school.code})
    absent_school = a_slots[1].school.code
    mark_absent(built, absent_school, 3)

    result = _result(built)
    students = result.students
    # 1. base weight: the slot's 1/π; the replacement carries its original's
    base = {r.school.code: r.base_weight for r in slots}
    base[replacement.school.code] = b_slots[0].base_weight
    for code, w in zip(students["school_id"], students["school_base_weight"], strict=True):
        assert w == base[code]
    assert replacement.school.code in set(students["school_id"])
    assert refused.school.code not in set(students["school_id"])
    # 2. school non-response within the county: Σ w·x over every slot / over those that took part
    size = {r.school.code: r.primary_students for r in slots}
    size[replacement.school.code] = replacement.primary_students
    a_all = sum(r.base_weight * r.primary_students for r in a_slots)
    a_part = a_all - refused.base_weight * refused.primary_students
    factor_a = a_all / a_part
    got = dict(zip(students["school_id"], students["school_nr_factor"], strict=True))
    for r in a_slots[1:]:
        assert got[r.school.code] == pytest.approx(factor_a, rel=1e-12)
    for r in b_slots[1:]:
        assert got[r.school.code] == pytest.approx(1.0, rel=1e-12)  # the replacement filled its slot
    assert got[replacement.school.code] == pytest.approx(1.0, rel=1e-12)
    # 3. within-school weight N/n and 4. student non-response drawn/tested
    drawn = {code: len(v) for code, v in built.sampled.items()}
    for code, n_w, f in zip(students["school_id"], students["within_school_weight"], students["student_nr_factor"],
                            strict=True):
        n_school = size[code]
        assert n_w == pytest.approx(n_school / drawn[code])
        tested = drawn[code] - (3 if code == absent_school else 0)
        assert f == pytest.approx(drawn[code] / tested)
    assert (students["school_id"] == absent_school).sum() == drawn[absent_school] - 3
    # 5. no trimming asked (trim_ratio 0), 6. the product
    assert (students["trim_factor"] == 1.0).all()
    product = (students["school_base_weight"] * students["school_nr_factor"] * students["within_school_weight"]
               * students["student_nr_factor"] * students["trim_factor"])
    assert np.allclose(students["final_weight"].to_numpy(), product.to_numpy(), rtol=1e-14)
    # the summary: county A keeps its frame total (non-response adjusted within the county)
    by_code = {c.code: c for c in result.counties}
    a = by_code[world.county_a.code]
    assert (a.schools, a.participating, a.refused, a.students_tested) == (
        len(a_slots), len(a_slots) - 1, 1, sum(drawn[r.school.code] for r in a_slots[1:]) - 3)
    assert a.weighted == pytest.approx(a.frame_enrolment, rel=1e-12)
    b = by_code[world.county_b.code]
    assert b.replaced == 1
    expected_b = sum(r.base_weight * size[r.school.code] for r in b_slots[1:]) + b_slots[0].base_weight * size[
        replacement.school.code]
    assert b.weighted == pytest.approx(expected_b, rel=1e-12)


def test_trimming_keeps_each_county_total_and_scales_the_others_alike(world: World) -> None:
    built = build(world, make_cycle(trim_ratio=1.5))
    fill_schools(built)
    for code in list(built.sampled)[:2]:
        mark_absent(built, code, 15)
    students = _result(built).students
    before = (students["final_weight"] / students["trim_factor"]).to_numpy()
    after = students["final_weight"].to_numpy()
    county = students["county"].to_numpy()
    trimmed = students["trim_factor"].to_numpy() < 1 - 1e-12
    assert trimmed.any()
    for c in set(county):
        inside = county == c
        assert after[inside].sum() == pytest.approx(before[inside].sum(), rel=1e-12)
        bound = 1.5 * np.median(before[inside])
        assert after[inside].max() <= bound * (1 + 1e-9)
        kept = inside & ~trimmed
        ratios = after[kept] / before[kept]
        assert np.allclose(ratios, ratios[0], rtol=1e-12)  # the cut amount spread in proportion
        assert np.allclose(after[inside & trimmed], bound, rtol=1e-9)  # cut to the bound


def test_a_county_without_any_participating_school_is_named(world: World) -> None:
    built = build(world, make_cycle())
    b_codes = {r.school.code for r in rows(built) if r.county_id == world.county_b.pk}
    fill_schools(built, skip=b_codes)
    result = _result(built)
    assert any(world.county_b.name in p for p in result.problems)
    assert set(result.students["county"]) == {world.county_a.code}
    b = next(c for c in result.counties if c.code == world.county_b.code)  # still shown, without weights
    assert (b.students_tested, b.participating, b.weighted) == (0, 0, 0.0) and b.refused == b.schools > 0
