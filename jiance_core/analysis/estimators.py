"""Estimators over a :class:`~jiance_core.analysis.design.Design`, every domain in one pass.

Everything but quantiles is a ratio of two weighted totals, θ = Σ w·y / Σ w·x (a mean has
x = 1, a proportion y = 1[category], a total has no denominator), estimated for k columns and
D domains at once: Taylor linearisation or replicate weights (see :mod:`.variance`).
Quantiles use Woodruff's interval: the variance of the estimated distribution function at
the quantile, turned back into an interval of values through the inverse distribution
function (as R ``survey::svyquantile`` and ``svy``). Plausible values are combined with
Rubin's rules (:func:`rubin`).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from jiance_core.analysis.design import Design
from jiance_core.analysis.variance import (
    replicate_totals,
    replicate_variance,
    taylor_variance,
)

Z95 = 1.959963984540054  # normal 97.5% point: every interval is estimate ± Z95 · SE


@dataclass
class Ratios:
    """Estimates (D, k), their sampling variances (D, k), and rows used (D, k)."""

    est: np.ndarray
    var: np.ndarray
    n: np.ndarray
    z: np.ndarray | None = None  # Taylor: per-row linearised values (n, k)
    reps: np.ndarray | None = None  # replicate: (D, k, R) replicate estimates


def domain_counts(valid: np.ndarray, dom: np.ndarray, n_dom: int) -> np.ndarray:
    valid = valid.reshape(len(valid), -1)
    return np.stack(
        [np.bincount(dom, weights=valid[:, j], minlength=n_dom) for j in range(valid.shape[1])],
        axis=1,
    ).astype(np.int64)


def _weighted_sums(w: np.ndarray, y: np.ndarray, dom: np.ndarray, n_dom: int) -> np.ndarray:
    if n_dom == 1:
        return (w @ y)[None, :]
    return np.stack(
        [np.bincount(dom, weights=w * y[:, j], minlength=n_dom) for j in range(y.shape[1])], axis=1
    )


def ratios(
    design: Design,
    num: np.ndarray,
    den: np.ndarray | None,
    valid: np.ndarray,
    dom: np.ndarray | None = None,
    n_dom: int = 1,
) -> Ratios:
    """θ = Σ w·num / Σ w·den per column and domain (``den`` None: totals Σ w·num).

    ``num``/``den`` (n, k) must be 0 where ``valid`` is False (missing values leave the
    estimate, not the design)."""
    n = design.n
    num = num.reshape(n, -1).astype(np.float64)
    k = num.shape[1]
    dom = np.zeros(n, dtype=np.int64) if dom is None else dom
    w = design.weight
    counts = domain_counts(valid.reshape(n, -1) * np.ones((1, k)), dom, n_dom)
    top = _weighted_sums(w, num, dom, n_dom)
    if den is None:
        est, bottom = top, None
    else:
        den = den.reshape(n, -1).astype(np.float64)
        bottom = _weighted_sums(w, den, dom, n_dom)
        with np.errstate(divide="ignore", invalid="ignore"):
            est = top / bottom
    if design.replicates is not None:
        both = num if den is None else np.concatenate([num, den], axis=1)
        rt = replicate_totals(design, both, dom, n_dom)
        if den is None:
            rep_est = rt
        else:
            with np.errstate(divide="ignore", invalid="ignore"):
                rep_est = rt[:, :k, :] / rt[:, k:, :]
        return Ratios(est, replicate_variance(design, est, rep_est), counts, reps=rep_est)
    if den is None or bottom is None:
        z = w[:, None] * num
    else:
        with np.errstate(divide="ignore", invalid="ignore"):
            z = w[:, None] * (num - est[dom] * den) / bottom[dom]
        z = np.where(np.isfinite(z), z, 0.0)
    return Ratios(est, taylor_variance(design, z, dom, n_dom), counts, z=z)


def rubin(est: np.ndarray, var: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Rubin's rules over the first axis (the M plausible values): the point is the mean of the
    M estimates; the variance the mean sampling variance + (1 + 1/M) × the between-value
    variance (divisor M − 1)."""
    m = est.shape[0]
    point = est.mean(axis=0)
    between = est.var(axis=0, ddof=1) if m > 1 else np.zeros_like(point)
    return point, var.mean(axis=0) + (1.0 + 1.0 / m) * between


def weighted_quantiles(
    y: np.ndarray, w: np.ndarray, valid: np.ndarray, dom: np.ndarray, n_dom: int, p: np.ndarray
) -> np.ndarray:
    """Per domain the smallest valid y with F̂(y) ≥ p_d (F̂ the weighted distribution function);
    NaN for a domain without rows. ``p`` (D,)."""
    rows = np.flatnonzero(valid)
    yv, wv, dv = y[rows], w[rows], dom[rows]
    order = np.lexsort((yv, dv))
    yv, wv, dv = yv[order], wv[order], dv[order]
    bounds = np.searchsorted(dv, np.arange(n_dom + 1))
    cum = np.cumsum(wv)
    before = np.concatenate([[0.0], cum])[bounds[:-1]]
    totals = np.concatenate([[0.0], cum])[bounds[1:]] - before
    with np.errstate(divide="ignore", invalid="ignore"):
        share = (cum - before[dv]) / totals[dv]
    key = dv + share  # increasing: domain number plus the distribution function within it
    target = np.arange(n_dom) + np.clip(p, 0.0, 1.0) - 1e-12
    at = np.searchsorted(key, target, side="left")
    at = np.minimum(np.maximum(at, bounds[:-1]), bounds[1:] - 1)
    out = np.full(n_dom, np.nan)
    has = bounds[1:] > bounds[:-1]
    out[has] = yv[at[has]]
    return out


@dataclass
class Quantiles:
    est: np.ndarray  # (D,)
    se: np.ndarray
    low: np.ndarray
    high: np.ndarray
    n: np.ndarray


def quantiles(
    design: Design, y: np.ndarray, p: float, dom: np.ndarray | None = None, n_dom: int = 1
) -> Quantiles:
    """Quantile p of y per domain, with Woodruff's interval and SE = width / (2 × 1.96)."""
    n = design.n
    dom = np.zeros(n, dtype=np.int64) if dom is None else dom
    valid = np.isfinite(y)
    w = design.weight
    est = weighted_quantiles(y, w, valid, dom, n_dom, np.full(n_dom, p))
    below = (valid & (y <= np.where(np.isfinite(est), est, -np.inf)[dom])).astype(np.float64)
    cdf = ratios(design, below, valid.astype(np.float64), valid, dom, n_dom)
    se_f = np.sqrt(cdf.var[:, 0])
    low = weighted_quantiles(y, w, valid, dom, n_dom, p - Z95 * se_f)
    high = weighted_quantiles(y, w, valid, dom, n_dom, p + Z95 * se_f)
    return Quantiles(est, (high - low) / (2 * Z95), low, high, cdf.n[:, 0])


def difference(
    design: Design, y: np.ndarray, dom: np.ndarray, a: int, b: int
) -> tuple[float, float, int, int]:
    """Mean of y in domain a minus the mean in domain b; ``y`` (n,) or (n, M) plausible values
    (then combined with Rubin's rules). Returns (difference, SE, n_a, n_b)."""
    n = design.n
    y = y.reshape(n, -1)
    valid = np.isfinite(y).all(axis=1)
    vals = np.where(valid[:, None], y, 0.0)
    den = np.repeat(valid[:, None].astype(np.float64), y.shape[1], axis=1)
    res = ratios(design, vals, den, valid, dom, int(dom.max()) + 1)
    diff = res.est[a] - res.est[b]
    if res.z is not None:
        z = np.where((dom == a)[:, None], res.z, np.where((dom == b)[:, None], -res.z, 0.0))
        var = taylor_variance(design, z, np.zeros(n, dtype=np.int64), 1)[0]
    else:
        assert res.reps is not None
        var = replicate_variance(design, diff, res.reps[a] - res.reps[b])
    point, total = rubin(diff[:, None], var[:, None]) if y.shape[1] > 1 else (diff, var)
    return float(point[0]), float(np.sqrt(total[0])), int(res.n[a, 0]), int(res.n[b, 0])
