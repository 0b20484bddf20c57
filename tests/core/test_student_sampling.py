from __future__ import annotations

import math

import numpy as np
import polars as pl
import pytest

from jiance_core.rooms.students import sample_size, sample_students, school_rng


def _roster(sizes: dict[str, int]) -> pl.DataFrame:
    rows = [(school, f"{school}-{i:03d}") for school, n in sizes.items() for i in range(n)]
    return pl.DataFrame(rows, schema=["school_id", "student_no"], orient="row")


def test_sample_size_rule() -> None:
    assert sample_size(30, 100) == 30
    assert sample_size(42, 20) == 20  # 不足则全测
    assert sample_size(30, 0) == 0
    with pytest.raises(ValueError):
        sample_size(-1, 10)


def test_sizes_probabilities_and_weights() -> None:
    roster = _roster({"A": 120, "B": 20, "C": 60})
    out = sample_students(
        roster, seed=7, default_size=30, sizes={"C": 45}, base_weights={"A": 2.5, "B": 4.0}
    )
    counts = dict(out.group_by("school_id").len().iter_rows())
    assert counts == {"A": 30, "B": 20, "C": 45}
    a = out.filter(pl.col("school_id") == "A").row(0, named=True)
    assert a["school_students"] == 120 and a["sampled_students"] == 30
    assert a["selection_probability"] == pytest.approx(0.25)
    assert a["within_school_weight"] == pytest.approx(4.0)
    assert a["final_weight"] == pytest.approx(10.0)
    b = out.filter(pl.col("school_id") == "B").row(0, named=True)
    assert b["selection_probability"] == 1.0 and b["final_weight"] == pytest.approx(4.0)
    c = out.filter(pl.col("school_id") == "C")
    assert c["final_weight"].null_count() == 45  # no base weight given
    assert c["within_school_weight"][0] == pytest.approx(60 / 45)
    # Weights add up to the roster size of each school.
    sums = out.group_by("school_id").agg(pl.col("within_school_weight").sum())
    assert dict(sums.iter_rows()) == pytest.approx({"A": 120.0, "B": 20.0, "C": 60.0})


def test_without_replacement_and_roster_order() -> None:
    out = sample_students(_roster({"A": 500}), seed=1, default_size=42)
    numbers = out["student_no"].to_list()
    assert len(set(numbers)) == 42
    assert numbers == sorted(numbers)  # sampled students keep the roster order


def test_reproducible_and_independent_of_other_schools() -> None:
    base = _roster({"A": 100, "B": 80})
    first = sample_students(base, seed=2022, default_size=30)
    again = sample_students(base, seed=2022, default_size=30)
    assert first.equals(again)
    bigger = pl.concat([_roster({"Z": 300}), base, _roster({"M": 50})])
    more = sample_students(bigger, seed=2022, default_size=30)
    for school in ("A", "B"):
        assert (
            more.filter(pl.col("school_id") == school)["student_no"].to_list()
            == first.filter(pl.col("school_id") == school)["student_no"].to_list()
        )
    other = sample_students(base, seed=2023, default_size=30)
    assert not other.equals(first)


def test_school_rng_depends_on_seed_and_id() -> None:
    assert school_rng(1, "A").integers(1 << 30) == school_rng(1, "A").integers(1 << 30)
    assert school_rng(1, "A").integers(1 << 30) != school_rng(1, "B").integers(1 << 30)
    assert school_rng(1, "A").integers(1 << 30) != school_rng(2, "A").integers(1 << 30)
    with pytest.raises(ValueError):
        school_rng(-1, "A")


def test_only_listed_schools_and_empty() -> None:
    roster = _roster({"A": 10, "B": 10})
    out = sample_students(roster, seed=3, default_size=5, schools=["B"])
    assert set(out["school_id"]) == {"B"}
    none = sample_students(roster, seed=3, schools=[])
    assert none.height == 0 and "final_weight" in none.columns


def test_inclusion_frequencies_equal_n_over_n() -> None:
    """Every student of a 10-student school is drawn with probability 3/10.

    2,000 independent draws (seeds 0..1999): a student's inclusion count is Binomial(2000, 0.3),
    standard deviation sqrt(2000 * 0.3 * 0.7) ≈ 20.5. Threshold: every count within 4.5 standard
    deviations of 600 (false alarm chance < 1e-4 over 10 students), and a chi-square goodness of
    fit over the 10 students below 27.9 (the 99.9% point of chi-square with 9 degrees of freedom).
    The draws use different seeds, so this also checks that seeds give independent streams.
    """
    roster = _roster({"S": 10})
    draws = 2000
    counts = np.zeros(10)
    pairs = np.zeros((10, 10))
    for seed in range(draws):
        out = sample_students(roster, seed=seed, default_size=3)
        drawn = [int(number.split("-")[1]) for number in out["student_no"]]
        counts[drawn] += 1
        for i in drawn:
            for j in drawn:
                if i < j:
                    pairs[i, j] += 1
    expected = draws * 0.3
    sd = math.sqrt(draws * 0.3 * 0.7)
    assert np.all(np.abs(counts - expected) < 4.5 * sd), counts
    chi2 = float(((counts - expected) ** 2 / expected).sum())
    assert chi2 < 27.9, chi2
    assert counts.sum() == draws * 3
    # Joint inclusion (SRS, not systematic): each of the 45 pairs with probability
    # 3*2/(10*9) = 1/15, expected 133.3, sd ≈ 11.2; every pair within 5 sd.
    p2 = 1 / 15
    upper = pairs[np.triu_indices(10, 1)]
    assert np.all(np.abs(upper - draws * p2) < 5 * math.sqrt(draws * p2 * (1 - p2))), upper
