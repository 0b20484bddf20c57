"""The school sampling engine (jiance_core.sampling.schools): every rule, by behaviour."""

from __future__ import annotations

import math

import numpy as np
import polars as pl
import pytest
import svy

from jiance_core.errors import ValidationFailed
from jiance_core.sampling.schools import (
    OUTPUT_COLUMNS,
    SamplingPlan,
    SchoolSample,
    draw_school_sample,
    frame_content_hash,
    pps_probabilities,
)

AREAS = ("城区", "镇区", "乡村")


def make_frame(
    schools: list[tuple[str, str, str, int, int]], *, area_seed: int = 0
) -> pl.DataFrame:
    """Schools as (county, school_id, type, primary_students, junior_students)."""
    rng = np.random.default_rng(area_seed)
    return pl.DataFrame(
        {
            "county": [s[0] for s in schools],
            "school_id": [s[1] for s in schools],
            "school_name": [f"{s[0]}{s[1]}学校" for s in schools],
            "school_type": [s[2] for s in schools],
            "area": [AREAS[int(rng.integers(3))] for _ in schools],
            "primary_students": [s[3] for s in schools],
            "junior_students": [s[4] for s in schools],
            "principal": [f"校长{s[1]}" for s in schools],
        }
    )


def county_frame(
    county: str,
    *,
    primary: list[int] | None = None,
    junior: list[int] | None = None,
    prefix: str = "",
) -> list[tuple[str, str, str, int, int]]:
    rows = []
    for i, size in enumerate(primary or []):
        rows.append((county, f"{prefix}{county}P{i:03d}", "小学", size, 0))
    for i, size in enumerate(junior or []):
        rows.append((county, f"{prefix}{county}J{i:03d}", "初中", 0, size))
    return rows


def big_county(county: str = "甲县", seed: int = 1) -> list[tuple[str, str, str, int, int]]:
    rng = np.random.default_rng(seed)
    return county_frame(
        county,
        primary=[int(x) for x in rng.integers(40, 400, 50)],
        junior=[int(x) for x in rng.integers(60, 600, 30)],
    )


def selected(sample: SchoolSample, county: str, stage: str) -> pl.DataFrame:
    return sample.selected().filter((pl.col("county") == county) & (pl.col("stage") == stage))


def explanation(sample: SchoolSample, county: str, stage: str) -> str:
    return next(e.text for e in sample.explanations if e.county == county and e.stage == stage)


def test_output_columns_roles_and_input_columns_pass_through() -> None:
    frame = make_frame(big_county())
    sample = draw_school_sample(frame, SamplingPlan(), seed=7)
    assert sample.rows.columns[: len(OUTPUT_COLUMNS)] == list(OUTPUT_COLUMNS)
    for column in frame.columns:
        assert column in sample.rows.columns
    assert set(sample.rows["role"]) <= {"sample", "replacement1", "replacement2", "added"}
    assert sample.seed == 7
    assert sample.engine.startswith("svy ")
    assert len(sample.frame_hash) == 64
    sel = selected(sample, "甲县", "primary")
    assert sel.height == 12 and (sel["planned_students"] == 30).all()
    assert selected(sample, "甲县", "junior").height == 8
    # A school appears at most once per stage.
    assert not sample.rows.select("stage", "school_id").is_duplicated().any()
    assert (sample.rows["principal"] == "校长" + sample.rows["school_id"]).all()


def test_school_types_enter_the_right_frames() -> None:
    schools = big_county()
    schools += [
        ("甲县", "NINE", "九年一贯制", 5000, 5000),
        ("甲县", "TWELVE", "十二年一贯制", 6000, 6000),
        ("甲县", "FULL", "完全中学", 0, 7000),
        ("甲县", "NINE0", "九年一贯制", 0, 4000),  # no primary tested-grade students
    ]
    sample = draw_school_sample(make_frame(schools), SamplingPlan(), seed=3)
    primary_ids = set(selected(sample, "甲县", "primary")["school_id"])
    junior_ids = set(selected(sample, "甲县", "junior")["school_id"])
    # Huge schools are certainty selections in every frame they belong to.
    assert {"NINE", "TWELVE"} <= primary_ids
    assert {"NINE", "TWELVE", "FULL", "NINE0"} <= junior_ids
    assert "FULL" not in set(sample.rows.filter(pl.col("stage") == "primary")["school_id"])
    assert "NINE0" not in set(sample.rows.filter(pl.col("stage") == "primary")["school_id"])
    primary_types = set(sample.rows.filter(pl.col("stage") == "primary")["school_type"])
    assert primary_types <= {"小学", "九年一贯制", "十二年一贯制"}
    junior_types = set(sample.rows.filter(pl.col("stage") == "junior")["school_type"])
    assert "小学" not in junior_types


def test_county_with_no_junior_schools() -> None:
    schools = big_county() + county_frame("乙县", primary=[80] * 20)
    sample = draw_school_sample(make_frame(schools), SamplingPlan(), seed=1)
    assert sample.rows.filter(
        (pl.col("county") == "乙县") & (pl.col("stage") == "junior")
    ).is_empty()
    assert selected(sample, "乙县", "primary").height == 12
    assert "不抽样" in explanation(sample, "乙县", "junior")


def test_too_few_schools_take_all_and_raise_students_per_school() -> None:
    schools = big_county() + county_frame("乙县", primary=[200] * 20, junior=[100, 90, 80, 70, 60])
    sample = draw_school_sample(make_frame(schools), SamplingPlan(), seed=1)
    sel = selected(sample, "乙县", "junior")
    assert sel.height == 5
    assert (sel["role"] == "sample").all()
    assert (sel["selection_probability"] == 1.0).all() and (sel["base_weight"] == 1.0).all()
    assert sel["certainty"].all()
    assert (sel["planned_students"] == 48).all()
    assert sel["planned_students"].sum() == 240
    text = explanation(sample, "乙县", "junior")
    assert "全部入样" in text and "48 人" in text and "240 人" in text
    # No replacement can exist when every school is taken.
    assert sample.rows.filter(
        (pl.col("county") == "乙县") & (pl.col("stage") == "junior") & (pl.col("role") != "sample")
    ).is_empty()


def test_too_few_schools_capped_by_enrolment() -> None:
    schools = big_county() + county_frame("乙县", primary=[200] * 20, junior=[100, 30, 20])
    sample = draw_school_sample(make_frame(schools), SamplingPlan(), seed=1)
    sel = selected(sample, "乙县", "junior").sort("school_id")
    # Target 240: 30 and 20 give all their students, the big school gives the rest.
    assert sel["planned_students"].to_list() == [100, 30, 20]
    assert "不足 240 人" in explanation(sample, "乙县", "junior")
    schools = big_county() + county_frame("乙县", primary=[200] * 20, junior=[300, 30, 20])
    sel = selected(
        draw_school_sample(make_frame(schools), SamplingPlan(), seed=1), "乙县", "junior"
    )
    assert sorted(sel["planned_students"].to_list()) == [20, 30, 190]


def test_small_schools_bring_added_schools_until_the_target() -> None:
    # Half the schools have 10 tested students: sample schools that small bring added schools
    # (the v1 rule, kept for the draws made with it).
    sizes = [10] * 30 + [60] * 30
    schools = county_frame("丙县", primary=sizes, junior=[200] * 20)
    plan = SamplingPlan(shortfall="v1")
    for seed in range(10):
        sample = draw_school_sample(make_frame(schools), plan, seed=seed)
        sel = selected(sample, "丙县", "primary")
        small = sel.filter(pl.col("primary_students") < 30)
        assert (small["planned_students"] == small["primary_students"]).all()
        assert sel.filter(pl.col("role") == "sample").height == 12
        assert sel["planned_students"].sum() >= 360
        # Not more added schools than needed: without the last one the target was not met.
        added = sel.filter(pl.col("role") == "added")
        if small.height:
            assert added.height >= 1
            # The last round adds ceil(shortfall / 30) schools of at most 30 students each.
            assert int(sel["planned_students"].sum()) < 360 + 30
            assert "追加学校" in explanation(sample, "丙县", "primary")
        # Probabilities: one PPS draw of all the selected schools.
        probs, _ = pps_probabilities(np.array(sizes), sel.height)
        expected = {f"丙县P{i:03d}": p for i, p in enumerate(probs)}
        for sid, p, w in sel.select(
            "school_id", "selection_probability", "base_weight"
        ).iter_rows():
            assert p == pytest.approx(expected[sid])
            assert w == pytest.approx(1 / p)


def test_small_schools_raise_the_number_of_schools_before_the_draw() -> None:
    # The v2 rule: the number of schools n' is fixed before the draw, the smallest n' >= 12 whose
    # expected planned students (Σ π_i(n') min(size, 30)) reach 360 - 15; one PPS draw of n'.
    sizes = [10] * 30 + [60] * 30
    schools = county_frame("丙县", primary=sizes, junior=[200] * 20)
    n_fixed = next(
        k for k in range(12, 61)
        if (pps_probabilities(np.array(sizes), k)[0] * np.minimum(sizes, 30)).sum() >= 360 - 15
    )
    assert n_fixed > 12
    counts = set()
    for seed in range(10):
        sample = draw_school_sample(make_frame(schools), SamplingPlan(), seed=seed)
        sel = selected(sample, "丙县", "primary")
        assert sel.height == n_fixed  # whatever was drawn
        assert (sel["role"] == "sample").all()
        assert sel["planned_students"].sum() >= 360  # a shortfall left is made up inside the schools
        counts.add(int(sel["planned_students"].max()))
        probs, _ = pps_probabilities(np.array(sizes), n_fixed)
        expected = {f"丙县P{i:03d}": p for i, p in enumerate(probs)}
        for sid, p, w in sel.select("school_id", "selection_probability", "base_weight").iter_rows():
            assert p == pytest.approx(expected[sid])
            assert w == pytest.approx(1 / p)
        text = explanation(sample, "丙县", "primary")
        assert f"由 12 所增至 {n_fixed} 所" in text
    assert max(counts) >= 30


@pytest.mark.parametrize("version", ["v1", "v2"])
def test_added_schools_then_all_taken_raise_students(version: str) -> None:
    # 14 schools of 20 students: 12 give 240 < 360; v1 adds both others (280), v2 fixes n' = 14
    # before the draw; every school is taken, so the students per school rise - but 20 is all
    # they have.
    schools = county_frame("丁县", primary=[20] * 14, junior=[200] * 10)
    sample = draw_school_sample(make_frame(schools), SamplingPlan(shortfall=version), seed=2)  # type: ignore[arg-type]
    sel = selected(sample, "丁县", "primary")
    assert sel.height == 14
    assert sel.filter(pl.col("role") == "added").height == (2 if version == "v1" else 0)
    assert sel["planned_students"].sum() == 280
    assert (sel["selection_probability"] == 1.0).all()
    assert "全部入样" in explanation(sample, "丁县", "primary")


def test_certainty_schools_are_always_selected_with_probability_one() -> None:
    sizes = [3000, 1500] + [50] * 40
    schools = county_frame("甲县", primary=sizes, junior=[100] * 20)
    for seed in range(5):
        sample = draw_school_sample(make_frame(schools), SamplingPlan(), seed=seed)
        sel = selected(sample, "甲县", "primary")
        big = sel.filter(pl.col("school_id").is_in(["甲县P000", "甲县P001"]))
        assert big.height == 2
        assert (big["selection_probability"] == 1.0).all() and big["certainty"].all()
        rest = sel.filter(~pl.col("certainty"))
        # Iterated: 12 * 3000 / 6500 >= 1, then 11 * 1500 / 3500 >= 1, then 10 * 50 / 2000.
        assert rest["selection_probability"].to_list() == pytest.approx([0.25] * 10)
        assert "必选" in explanation(sample, "甲县", "primary")


def test_pps_probabilities_match_svy_and_sum_to_n() -> None:
    rng = np.random.default_rng(11)
    sizes = rng.integers(5, 900, 70).astype(float)
    sizes[:3] = [9000, 5000, 4000]
    probs, certain = pps_probabilities(sizes, 12)
    assert probs.sum() == pytest.approx(12)
    data = pl.DataFrame({"i": np.arange(70), "m": sizes, "s": [1] * 70})
    drawn = svy.Sample(data, svy.Design(stratum="s", mos="m")).sampling.pps_sys(
        12, certainty_threshold=1.0, rstate=1
    )
    assert isinstance(drawn, svy.Sample)
    out = drawn.data
    assert isinstance(out, pl.DataFrame)
    for i, p, c in out.select("i", "svy_prob_selection", "svy_certainty").iter_rows():
        assert p == pytest.approx(probs[i])
        assert c == certain[i]


def test_design_probabilities_in_the_sample_without_additions() -> None:
    frame = make_frame(big_county())
    sample = draw_school_sample(frame, SamplingPlan(), seed=5)
    sel = selected(sample, "甲县", "junior")
    sizes = frame.filter(pl.col("school_type") == "初中")
    total = sizes["junior_students"].sum()
    for p, size in sel.select("selection_probability", "junior_students").iter_rows():
        assert p == pytest.approx(min(1.0, 8 * size / total))


def test_replacements_are_neighbours_in_the_sorted_frame_and_never_selected() -> None:
    rng = np.random.default_rng(4)
    schools = []
    for c in ("甲县", "乙县", "丙县"):
        schools += county_frame(
            c,
            primary=[int(x) for x in rng.integers(30, 300, 25)],
            junior=[int(x) for x in rng.integers(30, 300, 12)],
        )
    for seed in range(8):
        sample = draw_school_sample(make_frame(schools, area_seed=seed), SamplingPlan(), seed=seed)
        rows = sample.rows
        chosen = rows.filter(pl.col("role").is_in(["sample", "added"]))
        reps = rows.filter(pl.col("role").str.starts_with("replacement"))
        assert not reps.is_empty()
        keys = set(zip(chosen["stage"], chosen["school_id"], strict=True))
        order = {
            (c, s, i): o
            for c, s, i, o in chosen.select(
                "county", "stage", "school_id", "frame_order"
            ).iter_rows()
        }
        for c, s, sid, role, replaces, o in reps.select(
            "county", "stage", "school_id", "role", "replaces", "frame_order"
        ).iter_rows():
            assert (s, sid) not in keys
            original = order[(c, s, replaces)]
            assert o == original + (1 if role == "replacement1" else -1)
        # Each replacement school serves only one selected school.
        assert not reps.select("stage", "school_id").is_duplicated().any()
        # At most one replacement of each kind per selected school.
        assert not reps.select("stage", "replaces", "role").is_duplicated().any()


def test_frame_order_is_implicit_stratification_serpentine() -> None:
    schools = county_frame("甲县", primary=list(range(30, 90)), junior=[100] * 10)
    frame = make_frame(schools, area_seed=9)
    sample = draw_school_sample(frame, SamplingPlan(), seed=1)
    rows = sample.rows.filter(pl.col("stage") == "primary").sort("frame_order")
    rank = {a: i for i, a in enumerate(AREAS)}
    areas = [rank[a] for a in rows["area"]]
    assert areas == sorted(areas)
    # Within the area groups present, sizes go up, down, up.
    present = sorted(set(areas))
    for k, a in enumerate(present):
        sizes = rows.filter(pl.col("area") == AREAS[a])["primary_students"].to_list()
        assert sizes == sorted(sizes, reverse=k % 2 == 1)


def test_reproducible_from_the_seed_and_independent_of_row_order() -> None:
    frame = make_frame(big_county() + big_county("乙县", seed=2))
    a = draw_school_sample(frame, SamplingPlan(), seed=123)
    b = draw_school_sample(frame, SamplingPlan(), seed=123)
    assert a.rows.equals(b.rows)
    assert [e.text for e in a.explanations] == [e.text for e in b.explanations]
    shuffled = frame.sample(fraction=1.0, shuffle=True, seed=9)
    c = draw_school_sample(shuffled, SamplingPlan(), seed=123)
    assert c.frame_hash == a.frame_hash
    assert c.rows.equals(a.rows)
    d = draw_school_sample(frame, SamplingPlan(), seed=124)
    assert not d.selected()["school_id"].equals(a.selected()["school_id"])


def test_frame_hash_changes_with_the_content() -> None:
    frame = make_frame(big_county())
    base = frame_content_hash(frame)
    assert frame_content_hash(frame.reverse()) == base
    assert frame_content_hash(frame.select(reversed(frame.columns))) == base
    changed = frame.with_columns(
        pl.when(pl.col("school_id") == "甲县P003")
        .then(pl.col("primary_students") + 1)
        .otherwise(pl.col("primary_students"))
        .alias("primary_students")
    )
    assert frame_content_hash(changed) != base
    assert frame_content_hash(frame.head(-1)) != base
    assert frame_content_hash(frame.with_columns(pl.lit("x").alias("extra"))) != base


def test_simple_random_sampling_option() -> None:
    frame = make_frame(big_county())
    sample = draw_school_sample(frame, SamplingPlan(method="srs"), seed=3)
    sel = selected(sample, "甲县", "primary")
    assert sel.height == 12
    assert sel["selection_probability"].to_list() == pytest.approx([12 / 50] * 12)
    assert sel["base_weight"].to_list() == pytest.approx([50 / 12] * 12)
    assert "简单随机抽样" in explanation(sample, "甲县", "primary")
    other = draw_school_sample(frame, SamplingPlan(method="srs"), seed=4)
    assert set(selected(other, "甲县", "primary")["school_id"]) != set(sel["school_id"])


def test_srs_with_small_schools_adds_schools_with_equal_probabilities() -> None:
    schools = county_frame("丙县", primary=[10] * 30 + [60] * 30, junior=[200] * 20)
    sample = draw_school_sample(make_frame(schools), SamplingPlan(method="srs"), seed=1)
    sel = selected(sample, "丙县", "primary")
    assert sel["planned_students"].sum() >= 360
    assert sel["selection_probability"].to_list() == pytest.approx([sel.height / 60] * sel.height)


def test_county_overrides_and_plan_numbers() -> None:
    frame = make_frame(big_county() + big_county("乙县", seed=3))
    plan = SamplingPlan(
        students_per_school=42,
        replacements=1,
        county_overrides={"乙县": {"primary": 6}, "甲县": {"junior": 0}},
    )
    sample = draw_school_sample(frame, plan, seed=2)
    assert selected(sample, "乙县", "primary").height == 6
    assert selected(sample, "乙县", "junior").height == 8
    assert selected(sample, "甲县", "junior").is_empty()
    assert selected(sample, "甲县", "primary").height == 12
    assert (sample.selected()["planned_students"] == 42).all()
    assert "replacement2" not in set(sample.rows["role"])
    none = draw_school_sample(frame, SamplingPlan(replacements=0), seed=2)
    assert set(none.rows["role"]) == {"sample"}


def test_plan_and_frame_are_checked() -> None:
    with pytest.raises(ValueError):
        SamplingPlan(method="cluster")  # type: ignore[arg-type]
    with pytest.raises(ValueError):
        SamplingPlan(replacements=3)
    with pytest.raises(ValueError):
        SamplingPlan(county_overrides={"甲县": {"senior": 3}})
    with pytest.raises(ValidationFailed) as info:
        draw_school_sample(make_frame(big_county()).drop("area"), SamplingPlan(), seed=1)
    assert info.value.errors[0].column == "area"


def test_explanations_cover_every_county_and_stage() -> None:
    schools = big_county() + county_frame("乙县", primary=[50] * 4)
    sample = draw_school_sample(make_frame(schools), SamplingPlan(), seed=1)
    keys = [(e.county, e.stage) for e in sample.explanations]
    assert sorted(keys) == sorted(
        [("甲县", "primary"), ("甲县", "junior"), ("乙县", "primary"), ("乙县", "junior")]
    )
    e = next(e for e in sample.explanations if e.county == "乙县" and e.stage == "primary")
    assert e.frame_schools == 4 and e.sampled == 4 and e.students_per_school == 50
    assert e.planned_students == 200 and e.target_students == 360
    assert "不足 360 人" in e.text
    assert "甲县" in sample.summary() or "小学" in sample.summary()


def test_selection_frequencies_match_design_probabilities() -> None:
    """Statistical check of the PPS systematic draw against its design probabilities.

    Frame: one county of 60 primary schools with sizes from 30 to 1,500 (one of 4,000, a
    certainty school), spread over the three areas; 12 schools drawn, no small schools, so no
    school is added and every probability is svy's design probability pi_i (certainty iterated).
    The county is copied into 5 counties with their own school codes and the engine is run with
    seeds 0..399: R = 2,000 independent draws of the county design (every stratum gets its own
    random start).

    Tests, for each school i with pi_i < 1, O_i = times selected in R draws:
    - binomial z-score z_i = (O_i - R pi_i) / sqrt(R pi_i (1 - pi_i)), |z_i| < 4.5 for all
      schools (a false alarm over 59 schools has probability about 4e-4);
    - Pearson chi-square sum_i (O_i - E_i)^2 / E_i with E_i = R pi_i over the non-certainty
      schools, df = k - 1, p > 0.001 (systematic PPS without replacement gives
      Var(O_i) = R pi_i (1 - pi_i) < E_i, so the statistic is conservative);
    - the certainty school is selected in all R draws.
    """
    from scipy import stats

    rng = np.random.default_rng(2026)
    sizes = [int(x) for x in np.exp(rng.uniform(np.log(30), np.log(1500), 59))] + [4000]
    copies = 5
    schools = []
    for c in range(copies):
        schools += county_frame(f"县{c}", primary=sizes, junior=[100] * 10)
    frame = make_frame(schools, area_seed=1)
    expected, certain = pps_probabilities(np.array(sizes), 12)
    assert certain.sum() == 1
    counts = np.zeros(len(sizes))
    draws = 400
    plan = SamplingPlan(replacements=0)
    for seed in range(draws):
        sample = draw_school_sample(frame, plan, seed=seed, validated=True)
        sel = sample.rows.filter(pl.col("stage") == "primary")
        assert (sel["role"] == "sample").all()
        for sid in sel["school_id"]:
            counts[int(sid[-3:])] += 1
    r = draws * copies
    assert counts[certain].tolist() == [r]
    o, p = counts[~certain], expected[~certain]
    z = (o - r * p) / np.sqrt(r * p * (1 - p))
    assert np.abs(z).max() < 4.5, z
    e = r * p
    chi2 = float(((o - e) ** 2 / e).sum())
    assert stats.chi2.sf(chi2, len(o) - 1) > 0.001
    assert math.isclose(o.sum(), r * (12 - 1))
