"""Variance of estimated totals, for every domain in one pass.

Taylor linearisation: ``z`` (n, k) holds each row's weighted linearised value of k estimates
(for a total ``w·y``; for a ratio ``w·(y − R·x)/X``), ``dom`` the row's domain. Rows outside a
domain count as zero in it, so a PSU without members of the domain still enters its stratum's
variance (the correct domain variance, as R ``survey`` and Stata compute it).

Stage 1: Σ_h (1 − f_h) n_h/(n_h − 1) Σ_i (z_hi − z̄_h)² over the PSU totals z_hi.
Stage 2 (when the design has stage-2 fractions): Σ_h f_h Σ_i (1 − f_hi) m_i/(m_i − 1)
Σ_j (z_hij − z̄_hi)² over the SSU totals, as R ``survey``'s multistage formula.

Replicate designs: the replicate totals of every domain are one matrix product per domain
(``Y_dᵀ · W_d``), and the variance is Σ_r c_r (θ_r − θ)², centred on the full-sample estimate.
"""

from __future__ import annotations

import numpy as np

from jiance_core.analysis.design import Design


def _group_sums(keys: np.ndarray, values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Unique keys and the column sums of ``values`` (n, k) per key."""
    uniq, inv = np.unique(keys, return_inverse=True)
    sums = np.empty((len(uniq), values.shape[1]))
    for j in range(values.shape[1]):
        sums[:, j] = np.bincount(inv, weights=values[:, j], minlength=len(uniq))
    return uniq, sums


def _between(
    unit_keys: np.ndarray,
    unit_totals: np.ndarray,
    n_groups: int,
    unit_group: np.ndarray,
    group_size: np.ndarray,
    scale: np.ndarray,
    n_dom: int,
) -> np.ndarray:
    """Σ over groups of scale_g · Σ_units (t_u − t̄_g)² per domain, from unit×domain totals.

    ``unit_keys`` = unit·D + d; ``unit_group`` maps a unit to its group; ``group_size`` the
    number of units of a group (all of them, also those with zero in the domain)."""
    unit = unit_keys // n_dom
    d = unit_keys % n_dom
    g = unit_group[unit]
    keys2, s1 = _group_sums(g * n_dom + d, unit_totals)
    _, s2 = _group_sums(g * n_dom + d, unit_totals**2)
    g2 = keys2 // n_dom
    d2 = keys2 % n_dom
    size = group_size[g2].astype(np.float64)
    ss = np.maximum(s2 - s1**2 / size[:, None], 0.0)
    contrib = scale[g2][:, None] * ss
    out = np.zeros((n_dom, unit_totals.shape[1]))
    for j in range(unit_totals.shape[1]):
        out[:, j] = np.bincount(d2, weights=contrib[:, j], minlength=n_dom)
    return out


def taylor_variance(design: Design, z: np.ndarray, dom: np.ndarray, n_dom: int) -> np.ndarray:
    """(D, k) variances of the k linearised estimates in each of the D domains."""
    assert design.psu is not None and design.n_h is not None and design.psu_stratum is not None
    z = z.reshape(len(z), -1)
    n_h = design.n_h.astype(np.float64)
    f1 = np.zeros(len(n_h)) if design.f1 is None else design.f1
    safe = np.where(n_h > 1, n_h, 2.0)
    scale1 = np.where(n_h > 1, (1.0 - f1) * safe / (safe - 1.0), 0.0)
    psu_keys, psu_totals = _group_sums(design.psu * n_dom + dom, z)
    var = _between(psu_keys, psu_totals, len(n_h), design.psu_stratum, design.n_h, scale1, n_dom)
    if design.f2 is not None and design.ssu is not None and design.ssu_psu is not None:
        assert design.m_p is not None
        m = design.m_p.astype(np.float64)
        safe_m = np.where(m > 1, m, 2.0)
        f1_psu = f1[design.psu_stratum]
        scale2 = np.where(m > 1, f1_psu * (1.0 - design.f2) * safe_m / (safe_m - 1.0), 0.0)
        ssu_keys, ssu_totals = _group_sums(design.ssu * n_dom + dom, z)
        var += _between(ssu_keys, ssu_totals, len(m), design.ssu_psu, design.m_p, scale2, n_dom)
    return var


def domain_order(dom: np.ndarray, n_dom: int) -> tuple[np.ndarray, np.ndarray]:
    """Row order sorted by domain and the start of each domain's block (length D + 1)."""
    order = np.argsort(dom, kind="stable")
    bounds = np.searchsorted(dom[order], np.arange(n_dom + 1))
    return order, bounds


def replicate_totals(design: Design, y: np.ndarray, dom: np.ndarray, n_dom: int) -> np.ndarray:
    """(D, k, R) replicate-weighted totals of the k columns of ``y`` per domain."""
    reps = design.replicates
    assert reps is not None
    y = y.reshape(len(y), -1)
    if n_dom == 1:
        return (y.T @ reps)[None, :, :]
    order, bounds = domain_order(dom, n_dom)
    out = np.zeros((n_dom, y.shape[1], reps.shape[1]))
    for d in range(n_dom):
        rows = order[bounds[d] : bounds[d + 1]]
        if len(rows):
            out[d] = y[rows].T @ reps[rows]
    return out


def replicate_variance(design: Design, full: np.ndarray, reps: np.ndarray) -> np.ndarray:
    """Σ_r c_r (θ_r − θ)² for estimates ``full`` (...,) and their replicates (..., R)."""
    assert design.coef is not None
    dev = reps - full[..., None]
    return np.asarray((dev**2) @ design.coef)
