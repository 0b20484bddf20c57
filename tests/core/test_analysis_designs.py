"""Replicate designs built by the platform (JK2, Fay), the other replicate methods, two-stage
finite-population corrections, Rubin's rules and differences: each SE against a direct
computation written out with loops, independent of the library's vectorised code."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from jiance_core.analysis import (
    Request,
    design_from_frame,
    difference,
    estimate_table,
    ratios,
    replicate_design,
    rubin,
)
from jiance_core.analysis.replicates import (
    adjust_nonresponse,
    fay_replicates,
    hadamard,
    jk2_replicates,
)
from jiance_core.errors import ValidationFailed


def synthetic(seed: int, strata_sizes: tuple[int, ...] = (2, 3, 4, 5, 6, 7, 2, 4)) -> pl.DataFrame:
    """Schools in explicit strata (in sort order), 5–25 students each, unequal weights."""
    rng = np.random.default_rng(seed)
    rows = []
    school = 0
    for h, n_schools in enumerate(strata_sizes):
        for _ in range(n_schools):
            school += 1
            effect = rng.normal(0, 20)
            for _ in range(int(rng.integers(5, 26))):
                rows.append({
                    "stratum": f"S{h}", "school": school, "w": float(rng.uniform(5, 50)),
                    "score": 500 + effect + float(rng.normal(0, 60)), "girl": int(rng.integers(0, 2)),
                })
    return pl.DataFrame(rows)


def zones_by_hand(frame: pl.DataFrame) -> dict[int, int]:
    """school → zone: consecutive pairs within each stratum, an odd last school joins the last pair."""
    zone_of: dict[int, int] = {}
    zone = 0
    for _stratum, group in frame.group_by("stratum", maintain_order=True):
        schools = list(dict.fromkeys(group["school"].to_list()))
        for i in range(0, len(schools) - len(schools) % 2, 2):
            zone += 1
            zone_of[schools[i]] = zone_of[schools[i + 1]] = zone
        if len(schools) % 2:
            zone_of[schools[-1]] = zone
    return zone_of


def direct_replicate_se(y, w, reps, coef) -> float:
    """Weighted mean and Σ_r c_r (θ_r − θ)², with plain Python loops."""
    def mean(weights):
        num = sum(wi * yi for wi, yi in zip(weights, y, strict=True))
        return num / sum(weights)

    theta = mean(w)
    total = 0.0
    for r in range(len(coef)):
        total += coef[r] * (mean([row[r] for row in reps]) - theta) ** 2
    return math.sqrt(total)


def _mean_row(frame, design, var="score"):
    return next(r for r in estimate_table(frame, design, [Request("mean", var)]) if r.domain == "")


def test_jk2_built_from_the_design_matches_a_direct_computation() -> None:
    frame = synthetic(1)
    design = jk2_replicates(frame["w"].to_numpy(), frame["stratum"].to_numpy(), frame["school"].to_numpy())
    # 8 strata: pairs 1+1+2+2+3+3+1+2 = 15 zones, three of them triples (3 replicates each)
    assert design.replicates is not None and design.replicates.shape[1] == 12 + 3 * 3
    zone_of = zones_by_hand(frame)
    # a pair: first school doubled, second dropped, everything else unchanged
    first = design.replicates[:, 0] / frame["w"].to_numpy()
    by_school = dict(zip(frame["school"].to_list(), first.tolist(), strict=True))
    assert by_school[1] == 2.0 and by_school[2] == 0.0 and {by_school[s] for s in range(3, 34)} == {1.0}
    row = _mean_row(frame, design)
    expected = direct_replicate_se(frame["score"].to_list(), frame["w"].to_list(),
                                   design.replicates.tolist(), design.coef.tolist())
    assert row.se == pytest.approx(expected, rel=1e-10)
    # for a total, JK2 (pairs) and JKn (triples) give exactly the Taylor variance with zones as strata
    zoned = frame.with_columns(pl.col("school").replace_strict(zone_of).alias("zone"))
    taylor = design_from_frame(zoned, weight="w", strata="zone", psu="school")
    t_rep = estimate_table(frame, design, [Request("total", "score")])[0]
    t_lin = estimate_table(zoned, taylor, [Request("total", "score")])[0]
    assert t_rep.se == pytest.approx(t_lin.se, rel=1e-10)


def test_fay_built_from_the_design_matches_a_direct_computation() -> None:
    frame = synthetic(2)
    design = fay_replicates(frame["w"].to_numpy(), frame["stratum"].to_numpy(), frame["school"].to_numpy())
    assert design.replicates is not None and design.replicates.shape[1] == 80
    assert design.coef is not None and design.coef[0] == pytest.approx(1 / (80 * 0.25))
    factors = design.replicates / frame["w"].to_numpy()[:, None]
    assert set(np.round(np.unique(factors), 4)) <= {0.5, 1.5, 1.0, 1.7071, 0.2929, 0.6464, 1.3536}
    assert np.allclose(factors.mean(axis=1), 1.0)  # every school's factors average to one
    row = _mean_row(frame, design)
    expected = direct_replicate_se(frame["score"].to_list(), frame["w"].to_list(),
                                   design.replicates.tolist(), design.coef.tolist())
    assert row.se == pytest.approx(expected, rel=1e-10)


def test_fay_with_pairs_only_reproduces_the_taylor_variance_of_a_total() -> None:
    frame = synthetic(3, strata_sizes=(2, 4, 6, 2, 8))
    design = fay_replicates(frame["w"].to_numpy(), frame["stratum"].to_numpy(), frame["school"].to_numpy(),
                            replicates=40, rho=0.3)
    zoned = frame.with_columns(pl.col("school").replace_strict(zones_by_hand(frame)).alias("zone"))
    taylor = design_from_frame(zoned, weight="w", strata="zone", psu="school")
    a = estimate_table(frame, design, [Request("total", "score")])[0]
    b = estimate_table(zoned, taylor, [Request("total", "score")])[0]
    assert a.se == pytest.approx(b.se, rel=1e-10)


def test_hadamard_orders() -> None:
    for order in (2, 4, 12, 20, 32, 80):
        h = hadamard(order)
        assert np.allclose(h @ h.T, order * np.eye(order)) and (h[:, 0] == 1).all()
    with pytest.raises(ValueError):
        hadamard(6)


def _delete_one(frame: pl.DataFrame, strata: bool) -> tuple[np.ndarray, np.ndarray]:
    """Delete-one-school jackknife replicates (JK1 without strata, JKn within strata)."""
    w = frame["w"].to_numpy()
    school = frame["school"].to_numpy()
    group = frame["stratum"].to_numpy() if strata else np.zeros(len(w), dtype=object)
    reps, kinds = [], []
    for s in dict.fromkeys(school.tolist()):
        g = group[school == s][0]
        peers = set(school[group == g].tolist())
        k = len(peers)
        factor = np.where(school == s, 0.0, np.where(group == g, k / (k - 1), 1.0))
        reps.append(w * factor)
        kinds.append(k)
    return np.column_stack(reps), np.array(kinds)


@pytest.mark.parametrize("method", ["jk1", "jkn"])
def test_jackknives_reproduce_the_taylor_variance_of_a_total(method: str) -> None:
    frame = synthetic(4)
    reps, sizes = _delete_one(frame, strata=method == "jkn")
    design = replicate_design(frame["w"].to_numpy(), reps, method,
                              stratum=frame["stratum"].to_numpy(), psu=frame["school"].to_numpy())
    assert design.coef is not None
    if method == "jkn":
        assert np.allclose(design.coef, (sizes - 1) / sizes)
    else:
        assert np.allclose(design.coef, (reps.shape[1] - 1) / reps.shape[1])
    taylor = design_from_frame(frame, weight="w", strata="stratum" if method == "jkn" else None, psu="school")
    a = estimate_table(frame, design, [Request("total", "score")])[0]
    b = estimate_table(frame, taylor, [Request("total", "score")])[0]
    assert a.se == pytest.approx(b.se, rel=1e-10)


def test_bootstrap_and_brr_coefficients() -> None:
    frame = synthetic(5)
    rng = np.random.default_rng(0)
    reps = frame["w"].to_numpy()[:, None] * rng.uniform(0, 2, size=(frame.height, 50))
    for method, c in (("bootstrap", 1 / 50), ("brr", 1 / 50), ("jk2", 1.0), ("fay", 1 / (50 * 0.49))):
        design = replicate_design(frame["w"].to_numpy(), reps, method, rho=0.3)
        assert design.coef is not None and np.allclose(design.coef, c)
        expected = direct_replicate_se(frame["score"].to_list(), frame["w"].to_list(), reps.tolist(), [c] * 50)
        assert _mean_row(frame, design).se == pytest.approx(expected, rel=1e-10)


def test_two_stage_fpc_matches_the_textbook_formula() -> None:
    """Stratified two-stage total: V = Σ_h N_h²(1−f_h)s²_h/n_h + Σ_h (N_h/n_h) Σ_i M_i²(1−f_i)s²_i/m_i."""
    rng = np.random.default_rng(6)
    rows = []
    big_n = {"A": 10, "B": 7}
    for h, n_h in (("A", 4), ("B", 3)):
        for i in range(n_h):
            m_pop = int(rng.integers(40, 90))
            m = int(rng.integers(3, 9))
            for _ in range(m):
                rows.append({"h": h, "psu": f"{h}{i}", "N": big_n[h], "M": m_pop, "m": m, "n_h": n_h,
                             "y": float(rng.normal(50, 10))})
    frame = pl.DataFrame(rows).with_columns(
        (pl.col("N") / pl.col("n_h") * pl.col("M") / pl.col("m")).alias("w")
    )
    design = design_from_frame(frame, weight="w", strata="h", psu="psu", fpc="N", fpc2="M")
    got = estimate_table(frame, design, [Request("total", "y")])[0]
    var = 0.0
    for h, n_h in (("A", 4), ("B", 3)):
        part = frame.filter(pl.col("h") == h)
        totals, within = [], 0.0
        for _psu, g in part.group_by("psu", maintain_order=True):
            ys = g["y"].to_list()
            m, m_pop = len(ys), g["M"][0]
            totals.append(m_pop * sum(ys) / m)
            s2 = sum((v - sum(ys) / m) ** 2 for v in ys) / (m - 1)
            within += m_pop**2 * (1 - m / m_pop) * s2 / m
        t_bar = sum(totals) / n_h
        s2_1 = sum((t - t_bar) ** 2 for t in totals) / (n_h - 1)
        var += big_n[h] ** 2 * (1 - n_h / big_n[h]) * s2_1 / n_h + big_n[h] / n_h * within
    assert got.se == pytest.approx(math.sqrt(var), rel=1e-10)
    # without the second-stage fpc only the first stage counts (as R survey without fpc2)
    one = design_from_frame(frame, weight="w", strata="h", psu="psu", fpc="N")
    assert estimate_table(frame, one, [Request("total", "y")])[0].se < got.se


def test_rubins_rules_by_hand() -> None:
    point, var = rubin(np.array([1.0, 2.0, 3.0]), np.array([0.1, 0.2, 0.3]))
    assert point == pytest.approx(2.0)
    assert var == pytest.approx(0.2 + (1 + 1 / 3) * 1.0)
    frame = synthetic(7)
    rng = np.random.default_rng(1)
    pv = {f"PV{m}": frame["score"].to_numpy() + rng.normal(0, 25, frame.height) for m in range(1, 6)}
    frame = frame.with_columns(**{k: pl.Series(v) for k, v in pv.items()})
    design = design_from_frame(frame, weight="w", strata="stratum", psu="school")
    rows = estimate_table(frame, design, [Request("pv", "PV"), *[Request("mean", f"PV{m}") for m in range(1, 6)]])
    pv_row = next(r for r in rows if r.statistic == "pv_mean")
    means = [next(r for r in rows if r.variable == f"PV{m}") for m in range(1, 6)]
    ests = [r.estimate for r in means]
    theta = sum(ests) / 5
    within = sum(r.se**2 for r in means) / 5
    between = sum((e - theta) ** 2 for e in ests) / 4
    assert pv_row.estimate == pytest.approx(theta)
    assert pv_row.se == pytest.approx(math.sqrt(within + 1.2 * between))
    assert pv_row.n == frame.height


def test_difference_between_independent_domains_and_with_replicates() -> None:
    api = pl.read_csv(Path(__file__).parent / "data" / "reference" / "api_strat.csv", infer_schema=False)
    design = design_from_frame(api, weight="pw", strata="stype", fpc="fpc")
    y = api["api00"].cast(pl.Float64).to_numpy()
    dom = api["stype"].replace_strict({"E": 0, "H": 1, "M": 2}).to_numpy()
    diff, se, n_a, n_b = difference(design, y, dom, 0, 1)
    assert diff == pytest.approx(674.43 - 625.82)
    # the domains are strata: independent, the variances add
    assert se == pytest.approx(math.hypot(12.382479793907267, 14.937129185393093), rel=1e-9)
    assert (n_a, n_b) == (100, 50)
    frame = synthetic(8)
    reps = fay_replicates(frame["w"].to_numpy(), frame["stratum"].to_numpy(), frame["school"].to_numpy())
    girl = frame["girl"].to_numpy()
    d_rep, se_rep, _, _ = difference(reps, frame["score"].to_numpy(), girl, 1, 0)
    res = ratios(reps, frame["score"].to_numpy(), np.ones(frame.height), np.ones(frame.height, bool), girl, 2)
    assert d_rep == pytest.approx(res.est[1, 0] - res.est[0, 0])
    assert res.reps is not None and reps.coef is not None
    assert se_rep == pytest.approx(math.sqrt(((res.reps[1, 0] - res.reps[0, 0] - d_rep) ** 2) @ reps.coef))


def test_a_stratum_with_one_psu_is_refused_unless_it_is_a_census() -> None:
    frame = pl.DataFrame({"h": ["a", "a", "b", "c", "c"], "p": [1, 2, 3, 4, 5], "w": [1.0] * 5, "N": [4, 4, 1, 9, 9]})
    with pytest.raises(ValidationFailed) as err:
        design_from_frame(frame, weight="w", strata="h", psu="p")
    assert "分层 b 只有 1 个初级抽样单元（第 4 行）" in str(err.value)
    design = design_from_frame(frame, weight="w", strata="h", psu="p", fpc="N")  # b is a certainty PSU
    assert design.f1 is not None and design.f1.tolist() == [0.5, 1.0, 2 / 9]


def test_nonresponse_adjustment_is_repeated_in_every_replicate() -> None:
    frame = synthetic(9)
    design = fay_replicates(frame["w"].to_numpy(), frame["stratum"].to_numpy(), frame["school"].to_numpy())
    assert design.replicates is not None
    all_w = np.column_stack([design.weight, design.replicates])
    responded = np.random.default_rng(2).uniform(size=frame.height) < 0.85
    cell = frame["school"].to_numpy()
    adjusted = adjust_nonresponse(all_w, cell, responded)
    for s in np.unique(cell):
        rows = cell == s
        assert np.allclose(adjusted[rows].sum(axis=0), all_w[rows].sum(axis=0))
    assert (adjusted[~responded] == 0).all()
    with pytest.raises(ValueError, match="没有应答者"):
        adjust_nonresponse(all_w, cell, np.zeros(frame.height, bool))


@settings(max_examples=40, deadline=None)
@given(
    st.lists(st.integers(2, 5), min_size=2, max_size=6),
    st.floats(0.1, 1000.0),
    st.integers(0, 10_000),
)
def test_properties_of_the_estimators(sizes: list[int], scale: float, seed: int) -> None:
    frame = synthetic(seed, tuple(sizes))
    design = design_from_frame(frame, weight="w", strata="stratum", psu="school")
    scaled = frame.with_columns(pl.col("w") * scale)
    design_s = design_from_frame(scaled, weight="w", strata="stratum", psu="school")
    a = estimate_table(frame, design, [Request("mean", "score"), Request("total", "score")], by="girl")
    b = estimate_table(scaled, design_s, [Request("mean", "score"), Request("total", "score")], by="girl")
    for x, y in zip(a, b, strict=True):
        if x.statistic == "mean":  # a mean does not depend on the scale of the weights
            assert y.estimate == pytest.approx(x.estimate) and y.se == pytest.approx(x.se, rel=1e-7)
        else:
            assert y.se == pytest.approx(x.se * scale, rel=1e-7)
    # domain totals add up to the overall total
    totals = [r for r in a if r.statistic == "total"]
    assert totals[0].estimate == pytest.approx(sum(r.estimate for r in totals[1:]))
    # JK2 from the design and Taylor over the zones agree on a total
    jk2 = jk2_replicates(frame["w"].to_numpy(), frame["stratum"].to_numpy(), frame["school"].to_numpy())
    zoned = frame.with_columns(pl.col("school").replace_strict(zones_by_hand(frame)).alias("zone"))
    lin = design_from_frame(zoned, weight="w", strata="zone", psu="school")
    assert estimate_table(frame, jk2, [Request("total", "score")])[0].se == pytest.approx(
        estimate_table(zoned, lin, [Request("total", "score")])[0].se, rel=1e-9
    )
