"""The estimation library against published figures (R survey's apistrat, Stata's nhanes2brr),
and against svy (pinned) where svy computes the same estimator."""

from __future__ import annotations

import warnings
from pathlib import Path

import numpy as np
import polars as pl
import pytest

from jiance_core.analysis import Request, design_from_frame, estimate_table, parse_request

DATA = Path(__file__).parent / "data" / "reference"


@pytest.fixture(scope="module")
def api() -> pl.DataFrame:
    return pl.read_csv(DATA / "api_strat.csv", infer_schema=False)


@pytest.fixture(scope="module")
def nhanes() -> pl.DataFrame:
    return pl.read_csv(DATA / "nhanes2brr.csv", infer_schema_length=20_000)


def _one(rows, statistic, variable, level="", domain=""):
    found = [r for r in rows if (r.statistic, r.variable, r.level, r.domain) == (statistic, variable, level, domain)]
    assert len(found) == 1, (statistic, variable, level, domain)
    return found[0]


def test_apistrat_mean_and_total_to_the_published_digits(api: pl.DataFrame) -> None:
    design = design_from_frame(api, weight="pw", strata="stype", fpc="fpc")
    rows = estimate_table(api, design, [Request("mean", "api00"), Request("total", "enroll")])
    mean = _one(rows, "mean", "api00")
    assert (round(mean.estimate, 2), round(mean.se, 4), mean.n) == (662.29, 9.4089, 200)
    total = _one(rows, "total", "enroll")
    assert (round(total.estimate), round(total.se)) == (3_687_178, 114_642)
    assert mean.ci_low == pytest.approx(662.2874 - 1.959964 * 9.40894, abs=1e-3)


def test_apistrat_without_fpc_is_larger_by_the_correction(api: pl.DataFrame) -> None:
    with_fpc = design_from_frame(api, weight="pw", strata="stype", fpc="fpc")
    without = design_from_frame(api, weight="pw", strata="stype")
    a = _one(estimate_table(api, with_fpc, [Request("mean", "api00")]), "mean", "api00")
    b = _one(estimate_table(api, without, [Request("mean", "api00")]), "mean", "api00")
    assert b.estimate == pytest.approx(a.estimate)
    assert b.se > a.se
    # the same correction given as sampling fractions n_h / N_h
    frac = api.with_columns(
        (pl.len().over("stype") / pl.col("fpc").cast(pl.Float64)).alias("f")
    )
    c_design = design_from_frame(frac, weight="pw", strata="stype", fpc="f")
    c = _one(estimate_table(frac, c_design, [Request("mean", "api00")]), "mean", "api00")
    assert c.se == pytest.approx(a.se, rel=1e-12)


def test_nhanes2brr_ratio_and_mean_to_the_published_digits(nhanes: pl.DataFrame) -> None:
    design = design_from_frame(nhanes, weight="finalwgt", replicates="brr", method="brr")
    assert design.replicates is not None and design.replicates.shape == (10_351, 32)
    rows = estimate_table(nhanes, design, [parse_request("ratio", "weight/height"), Request("mean", "weight")])
    ratio = _one(rows, "ratio", "weight/height")
    assert (round(ratio.estimate, 6), round(ratio.se, 7)) == (0.426812, 0.0008904)
    mean = _one(rows, "mean", "weight")
    assert (round(mean.estimate, 4), round(mean.se, 4)) == (71.9006, 0.1656)


def _svy_api():
    svy = pytest.importorskip("svy")
    api = pl.read_csv(DATA / "api_strat.csv", null_values="NA")
    return svy, svy.Sample(api, svy.Design(stratum="stype", wgt="pw", pop_size="fpc"))


def test_domains_crossing_strata_agree_with_svy(api: pl.DataFrame) -> None:
    _svy, sample = _svy_api()
    design = design_from_frame(api, weight="pw", strata="stype", fpc="fpc")
    rows = estimate_table(api, design, [Request("mean", "api00"), Request("proportion", "sch.wide")], by="awards")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        ref = sample.estimation.mean("api00", by="awards").to_polars()
        ref_p = sample.estimation.prop("sch.wide", by="awards").to_polars()
    for award, est, se in ref.select("awards", "est", "se").iter_rows():
        mine = _one(rows, "mean", "api00", domain=award)
        assert mine.estimate == pytest.approx(est, rel=1e-10)
        assert mine.se == pytest.approx(se, rel=1e-8)
    for award, level, est, se in ref_p.select("awards", "sch.wide", "est", "se").iter_rows():
        mine = _one(rows, "proportion", "sch.wide", level=level, domain=award)
        assert mine.estimate == pytest.approx(est, rel=1e-10)
        assert mine.se == pytest.approx(se, rel=1e-8)


def test_proportions_cover_each_category_and_sum_to_one(api: pl.DataFrame) -> None:
    design = design_from_frame(api, weight="pw", strata="stype", fpc="fpc")
    rows = estimate_table(api, design, [Request("proportion", "stype")], by="awards")
    for domain in ("", "No", "Yes"):
        props = [r for r in rows if r.domain == domain]
        assert [r.level for r in props] == ["E", "H", "M"]
        assert sum(r.estimate for r in props) == pytest.approx(1.0)
    # stype is the stratum: its overall proportions are known without error (N_h / N)
    overall = [r for r in rows if r.domain == ""]
    n_h = {"E": 4421, "H": 755, "M": 1018}
    for r in overall:
        assert r.estimate == pytest.approx(n_h[r.level] / 6194)
        assert r.se == pytest.approx(0.0, abs=1e-9)


def test_median_is_the_inverse_distribution_function_with_woodruffs_interval(api: pl.DataFrame) -> None:
    svy, sample = _svy_api()
    design = design_from_frame(api, weight="pw", strata="stype", fpc="fpc")
    row = _one(estimate_table(api, design, [parse_request("quantile", "api00:0.5")]), "quantile", "api00:0.5")
    y = api["api00"].cast(pl.Float64).to_numpy()
    w = api["pw"].cast(pl.Float64).to_numpy()
    order = np.argsort(y, kind="stable")
    cdf = np.cumsum(w[order]) / w.sum()

    def inverse(p: float) -> float:
        return float(y[order][np.searchsorted(cdf, p - 1e-12)])

    assert row.estimate == inverse(0.5) == 668.0
    # Woodruff: SE of the estimated proportion below the median (svy's proportion, an
    # independent computation), the interval from the inverse distribution function at p ± 1.96 SE
    flagged = pl.read_csv(DATA / "api_strat.csv", null_values="NA").with_columns(
        (pl.col("api00") <= 668).cast(pl.Int64).alias("below")
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        sample_b = svy.Sample(flagged, svy.Design(stratum="stype", wgt="pw", pop_size="fpc"))
        se_f = sample_b.estimation.mean("below").to_polars()["se"][0]
    low, high = inverse(0.5 - 1.959964 * se_f), inverse(0.5 + 1.959964 * se_f)
    assert (row.ci_low, row.ci_high) == (low, high)
    assert row.se == pytest.approx((high - low) / (2 * 1.959964), rel=1e-6)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        ref = sample.estimation.quantile("api00", p=0.5).to_polars()
    assert ref["est"][0] == row.estimate
