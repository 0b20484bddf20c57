"""Replicate weights built from the sample design (schools = PSUs), as the large assessments do.

* :func:`jk2_replicates` — TIMSS-style JK2: within each explicit stratum the sampled schools,
  in their sort order (the order of the draw), are paired into zones; each zone gives one
  replicate in which the first school of the pair is doubled and the second dropped (all other
  schools unchanged), variance Σ_r (θ_r − θ)². A stratum with an odd number of schools ends with
  a triple, estimated as a JKn group: three delete-one replicates (the two others × 3/2) with
  coefficient 2/3 each. A stratum with one school (a certainty school alone) gives no replicate.
* :func:`fay_replicates` — PISA-style Fay's BRR: schools are paired in sort order within explicit
  strata (an odd stratum ends with a triple); with R replicates (80 in PISA) and zone h assigned
  to column 1 + (h mod (R − 1)) of a Hadamard matrix of order R, replicate r multiplies the
  first school of the pair by 1 + s(1 − ρ) and the second by 1 − s(1 − ρ), s = H[r, c]; in a
  triple the first school by 1 + s(1 − ρ)√2 and the two others by 1 − s(1 − ρ)/√2 (with ρ = 0.5
  the factors 1.7071 / 0.6464 of the PISA technical reports). Coefficient 1 / (R(1 − ρ)²).
  With at most R − 1 zones the design has full orthogonal balance: for a total the variance
  equals the Taylor variance of the paired design exactly.
* :func:`adjust_nonresponse` — the non-response adjustment repeated in every replicate: in each
  adjustment cell the weights of the respondents are scaled up to the weight of all eligible
  units, separately for the full-sample weight and for every replicate column.

``svy`` builds BRR / jackknife / bootstrap replicates by PSU (``Sample.weighting``), but neither
zones paired in sort order within explicit strata (TIMSS/PISA) nor PISA's triples, so these are
written here (see docs/analysis.md).
"""

from __future__ import annotations

import numpy as np

from jiance_core.analysis.design import Design


def _zones(stratum: np.ndarray, psu: np.ndarray) -> tuple[np.ndarray, list[list[int]]]:
    """PSU codes per row (numbered in order of first appearance), and the zones: lists of PSU
    codes, pairs in order within each stratum, the last one a triple when a stratum's count is
    odd (strata in order of first appearance; a stratum with one PSU gives no zone)."""
    h = np.unique(stratum, return_inverse=True)[1].reshape(-1)
    p = np.unique(psu, return_inverse=True)[1].reshape(-1)
    keys, first, inv = np.unique(np.stack([h, p], axis=1), axis=0, return_index=True, return_inverse=True)
    rank = np.argsort(first, kind="stable")  # key index of the c-th PSU in file order
    code_of_key = np.empty_like(rank)
    code_of_key[rank] = np.arange(len(rank))
    psu_code = code_of_key[inv.reshape(-1)]
    psu_h = keys[rank, 0]
    h_first = np.full(int(h.max()) + 1, len(h))
    np.minimum.at(h_first, h, np.arange(len(h)))
    grouped = np.argsort(h_first[psu_h], kind="stable")  # PSU codes by stratum, file order within
    bounds = np.flatnonzero(np.diff(psu_h[grouped])) + 1
    zones: list[list[int]] = []
    for members in np.split(grouped, bounds):
        m = members.tolist()
        if len(m) < 2:
            continue
        pairs = [m[i : i + 2] for i in range(0, len(m) - len(m) % 2, 2)]
        if len(m) % 2:
            pairs[-1] = [*pairs[-1], m[-1]]
        zones.extend(pairs)
    return psu_code, zones


def jk2_replicates(weight: np.ndarray, stratum: np.ndarray, psu: np.ndarray) -> Design:
    """JK2 replicate design (see module doc): rows in the file's sort order."""
    w = np.asarray(weight, dtype=np.float64)
    psu_code, zones = _zones(np.asarray(stratum), np.asarray(psu))
    factors: list[np.ndarray] = []
    coef: list[float] = []
    n_psu = int(psu_code.max()) + 1
    for zone in zones:
        if len(zone) == 2:
            f = np.ones(n_psu)
            f[zone[0]], f[zone[1]] = 2.0, 0.0
            factors.append(f)
            coef.append(1.0)
        else:
            for drop in zone:
                f = np.ones(n_psu)
                f[zone] = 1.5
                f[drop] = 0.0
                factors.append(f)
                coef.append(2.0 / 3.0)
    by_psu = np.column_stack(factors)
    return Design(weight=w, method="jk2", replicates=w[:, None] * by_psu[psu_code], coef=np.asarray(coef))


def hadamard(order: int) -> np.ndarray:
    """A Hadamard matrix (H Hᵀ = order · I, first column all ones) of order 2^k or 2^k·(q + 1)
    with q a prime ≡ 3 mod 4 (Paley I ⊗ Sylvester): 80 = 80 × 1 with q = 79."""
    def sylvester(k: int) -> np.ndarray:
        h = np.ones((1, 1))
        while h.shape[0] < k:
            h = np.block([[h, h], [h, -h]])
        return h

    def paley(q: int) -> np.ndarray | None:
        if q < 3 or q % 4 != 3 or any(q % d == 0 for d in range(2, int(q**0.5) + 1)):
            return None
        residues = {(i * i) % q for i in range(1, q)}
        chi = np.array([0] + [1 if i in residues else -1 for i in range(1, q)])
        s = np.zeros((q + 1, q + 1))
        s[0, 1:] = 1
        s[1:, 0] = -1
        s[1:, 1:] = chi[(np.arange(q)[:, None] - np.arange(q)[None, :]) % q]
        return np.eye(q + 1) + s

    power = 1
    while order % power == 0:
        rest = order // power
        if rest == 1:
            return sylvester(order)
        core = paley(rest - 1)
        if core is not None:
            h = np.kron(core, sylvester(power))
            return h * h[:, :1]  # first column all ones: every other column sums to zero
        power *= 2
    raise ValueError(f"no Hadamard construction here for order {order}")


def fay_replicates(
    weight: np.ndarray, stratum: np.ndarray, psu: np.ndarray, *, replicates: int = 80, rho: float = 0.5
) -> Design:
    """Fay's BRR replicate design (see module doc): rows in the file's sort order."""
    w = np.asarray(weight, dtype=np.float64)
    psu_code, zones = _zones(np.asarray(stratum), np.asarray(psu))
    h = hadamard(replicates)
    n_psu = int(psu_code.max()) + 1
    by_psu = np.ones((n_psu, replicates))
    k = 1.0 - rho
    for z, zone in enumerate(zones):
        sign = h[:, 1 + z % (replicates - 1)]
        if len(zone) == 2:
            by_psu[zone[0]] = 1 + sign * k
            by_psu[zone[1]] = 1 - sign * k
        else:
            by_psu[zone[0]] = 1 + sign * k * np.sqrt(2)
            by_psu[zone[1]] = by_psu[zone[2]] = 1 - sign * k / np.sqrt(2)
    return Design(
        weight=w, method="fay", replicates=w[:, None] * by_psu[psu_code],
        coef=np.full(replicates, 1.0 / (replicates * k**2)), rho=rho,
    )


def adjust_nonresponse(weights: np.ndarray, cell: np.ndarray, responded: np.ndarray) -> np.ndarray:
    """Weights (n,) or (n, 1 + R) adjusted within cells: respondents × Σ_cell w / Σ_cell,resp w,
    non-respondents 0, in every column. A cell without respondents keeps its weight on nobody:
    callers must collapse such cells first (a ValueError names how many)."""
    w = np.asarray(weights, dtype=np.float64).reshape(len(weights), -1)
    _, c = np.unique(cell, return_inverse=True)
    c = c.reshape(-1)
    out = np.empty_like(w)
    resp = np.asarray(responded, dtype=bool)
    for j in range(w.shape[1]):
        total = np.bincount(c, weights=w[:, j])
        kept = np.bincount(c, weights=w[:, j] * resp)
        empty = (total > 0) & (kept == 0)
        if empty.any():
            raise ValueError(f"{int(empty.sum())} 个调整单元没有应答者，请先合并调整单元")
        with np.errstate(divide="ignore", invalid="ignore"):
            factor = np.where(kept > 0, total / kept, 0.0)
        out[:, j] = np.where(resp, w[:, j] * factor[c], 0.0)
    return out.reshape(np.shape(weights))
