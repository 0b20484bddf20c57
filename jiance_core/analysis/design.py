"""Survey designs: weights with strata, PSUs (one or two stages) and finite-population
corrections for Taylor linearisation, or replicate weights with their method.

A :class:`Design` holds plain numpy arrays (codes, not labels) so that every estimator works
on all domains in one pass. Build one from a table with :func:`design_from_frame`; every
problem in the table is a :class:`~jiance_core.errors.ValidationFailed` naming the column and
the rows, in Chinese.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import polars as pl

from jiance_core.analysis.columns import codes, labels, numeric, prefixed, rows_text
from jiance_core.errors import RowError, ValidationFailed

METHODS = ("brr", "fay", "jk1", "jkn", "jk2", "bootstrap")
METHOD_NAMES = {
    "taylor": "泰勒线性化",
    "brr": "BRR 平衡重复复制",
    "fay": "Fay 修正 BRR",
    "jk1": "JK1 刀切法",
    "jkn": "JKn 分层刀切法",
    "jk2": "JK2 配对刀切法",
    "bootstrap": "自助法（bootstrap）",
}


@dataclass
class Design:
    """One survey design over ``n`` rows.

    Taylor designs: ``stratum`` (codes 0..H-1), ``psu`` (codes 0..P-1, unique across strata),
    ``psu_stratum`` (P,), ``n_h`` (H,) PSUs per stratum, ``f1`` (H,) stage-1 sampling fractions
    (0 = with replacement); optionally ``ssu`` (codes 0..S-1 unique across PSUs), ``ssu_psu``,
    ``m_p`` (P,) SSUs per PSU and ``f2`` (P,) stage-2 sampling fractions (R ``survey``'s
    ``fpc=~fpc1+fpc2``). Replicate designs: ``replicates`` (n, R) and ``coef`` (R,), the
    factor of each squared deviation from the full-sample estimate.
    """

    weight: np.ndarray
    method: str = "taylor"
    stratum: np.ndarray | None = None
    psu: np.ndarray | None = None
    psu_stratum: np.ndarray | None = None
    n_h: np.ndarray | None = None
    f1: np.ndarray | None = None
    ssu: np.ndarray | None = None
    ssu_psu: np.ndarray | None = None
    m_p: np.ndarray | None = None
    f2: np.ndarray | None = None
    replicates: np.ndarray | None = None
    coef: np.ndarray | None = None
    rho: float | None = None
    stratum_labels: list[str] = field(default_factory=list)

    @property
    def n(self) -> int:
        return len(self.weight)

    @property
    def is_replicate(self) -> bool:
        return self.replicates is not None

    def describe(self) -> str:
        name = METHOD_NAMES[self.method]
        if self.replicates is not None:
            extra = f"，ρ = {self.rho}" if self.method == "fay" else ""
            return f"{name}，{self.replicates.shape[1]} 组重复权重{extra}"
        parts = [name]
        if self.n_h is not None:
            parts.append(f"{len(self.n_h)} 层，{int(self.n_h.sum())} 个初级抽样单元")
        if self.f1 is not None and self.f1.any():
            parts.append("第一阶段有限总体校正")
        if self.f2 is not None:
            parts.append("第二阶段有限总体校正")
        return "，".join(parts)


def taylor_design(
    weight: np.ndarray,
    *,
    stratum: np.ndarray | None = None,
    psu: np.ndarray | None = None,
    ssu: np.ndarray | None = None,
    fpc: np.ndarray | None = None,
    fpc2: np.ndarray | None = None,
    stratum_labels: list[str] | None = None,
    fpc_names: tuple[str, str] = ("fpc", "fpc2"),
) -> Design:
    """A Taylor design from integer codes (``stratum``/``psu``/``ssu`` any ints, nested as
    given: a PSU code is unique within its stratum, an SSU code within its PSU). ``fpc`` per row:
    the stratum's population of PSUs (≥ 1) or its sampling fraction (< 1); ``fpc2`` per row: the
    PSU's population of SSUs or its sampling fraction. Without ``psu`` each row is a PSU."""
    n = len(weight)
    h = np.zeros(n, dtype=np.int64) if stratum is None else np.asarray(stratum)
    h_codes, h_idx = np.unique(h, return_inverse=True)
    p_raw = np.arange(n) if psu is None else np.asarray(psu)
    pairs = np.stack([h_idx, p_raw], axis=1)
    p_keys, p_idx = np.unique(pairs, axis=0, return_inverse=True)
    p_idx = p_idx.reshape(-1)
    psu_stratum = p_keys[:, 0].astype(np.int64)
    n_h = np.bincount(psu_stratum, minlength=len(h_codes))
    names = stratum_labels or [str(c) for c in h_codes]
    f1 = None if fpc is None else _fractions(fpc, h_idx, n_h[h_idx], fpc_names[0], "分层")
    # a stratum with one PSU has no variance estimate, unless it is a census (certainty PSU)
    single = np.flatnonzero((n_h < 2) & (np.ones(len(n_h), dtype=bool) if f1 is None else f1 < 1))
    if len(single):
        errors = [
            RowError(
                int(np.flatnonzero(h_idx == s)[0]) + 2,
                "",
                f"分层 {names[s]} 只有 1 个初级抽样单元（{rows_text(np.flatnonzero(h_idx == s))}），"
                "无法估计该层的抽样方差：请合并分层，或检查分层与 PSU 列",
            )
            for s in single
        ]
        raise ValidationFailed(errors)
    design = Design(
        weight=np.asarray(weight, dtype=np.float64),
        stratum=h_idx.astype(np.int64),
        psu=p_idx.astype(np.int64),
        psu_stratum=psu_stratum,
        n_h=n_h,
        stratum_labels=names,
    )
    design.f1 = f1
    if ssu is not None or fpc2 is not None:
        s_raw = np.arange(n) if ssu is None else np.asarray(ssu)
        s_keys, s_idx = np.unique(np.stack([p_idx, s_raw], axis=1), axis=0, return_inverse=True)
        s_idx = s_idx.reshape(-1)
        design.ssu = s_idx.astype(np.int64)
        design.ssu_psu = s_keys[:, 0].astype(np.int64)
        design.m_p = np.bincount(design.ssu_psu, minlength=len(psu_stratum))
        if fpc2 is not None:
            design.f2 = _fractions(fpc2, p_idx, design.m_p[p_idx], fpc_names[1], "初级抽样单元")
    return design


def _fractions(
    values: np.ndarray, group: np.ndarray, sampled: np.ndarray, what: str, unit: str
) -> np.ndarray:
    """Per group the sampling fraction: a population size (≥ 1) → sampled/size, else as given."""
    values = np.asarray(values, dtype=np.float64)
    k = int(group.max()) + 1
    lo = np.full(k, np.inf)
    hi = np.full(k, -np.inf)
    np.minimum.at(lo, group, values)
    np.maximum.at(hi, group, values)
    uneven = np.flatnonzero(lo != hi)
    if len(uneven):
        rows = np.flatnonzero(np.isin(group, uneven))
        raise ValidationFailed(
            [RowError(int(rows[0]) + 2, what, f"列 {what} 在同一{unit}内取值不一致（{rows_text(rows)}）")]
        )
    bad = np.flatnonzero((values <= 0) | ((values >= 1) & (values < sampled)))
    if len(bad):
        raise ValidationFailed(
            [
                RowError(
                    int(bad[0]) + 2,
                    what,
                    f"列 {what} {rows_text(bad)}的值不合理：应为总体单元数（不少于样本单元数）或抽样比（0 到 1 之间）",
                )
            ]
        )
    per_row = np.where(values >= 1, sampled / values, values)
    out = np.zeros(k)
    out[group] = per_row
    return out


def replicate_design(
    weight: np.ndarray,
    replicates: np.ndarray,
    method: str,
    *,
    rho: float | None = None,
    stratum: np.ndarray | None = None,
    psu: np.ndarray | None = None,
) -> Design:
    """A replicate design; the coefficients of each replicate's squared deviation:
    BRR 1/R, Fay 1/(R(1-ρ)²), JK1 (R-1)/R, JK2 1, bootstrap 1/R, JKn (n_h-1)/n_h with n_h the
    PSUs of the stratum the replicate drops a PSU from (needs ``stratum`` and ``psu``)."""
    r = replicates.shape[1]
    if method == "fay":
        rho = 0.5 if rho is None else rho
        coef = np.full(r, 1.0 / (r * (1.0 - rho) ** 2))
    elif method in ("brr", "bootstrap"):
        coef = np.full(r, 1.0 / r)
    elif method == "jk1":
        coef = np.full(r, (r - 1) / r)
    elif method == "jk2":
        coef = np.ones(r)
    elif method == "jkn":
        coef = _jkn_coefficients(weight, replicates, stratum, psu)
    else:
        raise ValueError(method)
    return Design(
        weight=np.asarray(weight, dtype=np.float64),
        method=method,
        replicates=np.asarray(replicates, dtype=np.float64),
        coef=coef,
        rho=rho if method == "fay" else None,
    )


def _jkn_coefficients(
    weight: np.ndarray, reps: np.ndarray, stratum: np.ndarray | None, psu: np.ndarray | None
) -> np.ndarray:
    if stratum is None or psu is None:
        raise ValidationFailed(
            [RowError(0, "", "JKn 需要 --strata 与 --psu：系数 (n_h-1)/n_h 取决于每组重复权重删去的 PSU 所在分层")]
        )
    _, h_idx = np.unique(stratum, return_inverse=True)
    _, p_idx = np.unique(np.stack([h_idx, psu], axis=1), axis=0, return_inverse=True)
    p_idx = p_idx.reshape(-1)
    psu_h = np.zeros(int(p_idx.max()) + 1, dtype=np.int64)
    psu_h[p_idx] = h_idx
    n_h = np.bincount(psu_h)
    coef = np.empty(reps.shape[1])
    for r in range(reps.shape[1]):
        dropped = np.flatnonzero((reps[:, r] == 0) & (weight > 0))
        strata = np.unique(h_idx[dropped])
        if len(strata) != 1:
            raise ValidationFailed(
                [RowError(0, "", f"第 {r + 1} 组重复权重不是删去一个分层内的一个 PSU 的 JKn 重复权重，无法确定其分层")]
            )
        k = n_h[strata[0]]
        coef[r] = (k - 1) / k
    return coef


def design_from_frame(
    frame: pl.DataFrame,
    *,
    weight: str,
    strata: str | None = None,
    psu: str | None = None,
    ssu: str | None = None,
    fpc: str | None = None,
    fpc2: str | None = None,
    replicates: str | None = None,
    method: str | None = None,
    rho: float | None = None,
) -> Design:
    """The design of a table, by column names; ``replicates`` is the prefix of the replicate
    weight columns (PREFIX1…PREFIXR or PREFIX_1…). Raises ValidationFailed."""
    w = numeric(frame, weight, required=True)
    negative = np.flatnonzero(w < 0)
    if len(negative):
        raise ValidationFailed(
            [RowError(int(negative[0]) + 2, weight, f"列 {weight} {rows_text(negative)}的权重为负数")]
        )
    h = p = None
    h_names: list[str] = []
    if strata:
        h, h_names = codes(labels(frame, strata, required=True))
    if psu:
        p, _ = codes(labels(frame, psu, required=True))
    if replicates:
        names = prefixed(frame, replicates)
        if not names:
            raise ValidationFailed(
                [RowError(1, replicates, f"数据文件中没有重复权重列 {replicates}1… 或 {replicates}_1…")]
            )
        if len(names) < 2:
            raise ValidationFailed([RowError(1, names[0], "至少需要 2 组重复权重")])
        reps = _replicate_matrix(frame, names)
        return replicate_design(w, reps, method or "brr", rho=rho, stratum=h, psu=p)
    s = None
    if ssu:
        if not psu:
            raise ValidationFailed([RowError(0, ssu, "给出 --ssu 时必须同时给出 --psu")])
        s, _ = codes(labels(frame, ssu, required=True))
    f1 = numeric(frame, fpc, required=True) if fpc else None
    f2 = None
    if fpc2:
        if not fpc:
            raise ValidationFailed([RowError(0, fpc2, "给出 --fpc2 时必须同时给出 --fpc（第一阶段）")])
        if not psu:
            raise ValidationFailed([RowError(0, fpc2, "给出 --fpc2 时必须同时给出 --psu")])
        f2 = numeric(frame, fpc2, required=True)
    return taylor_design(
        w, stratum=h, psu=p, ssu=s, fpc=f1, fpc2=f2, stratum_labels=h_names or None,
        fpc_names=(fpc or "fpc", fpc2 or "fpc2"),
    )


def _replicate_matrix(frame: pl.DataFrame, names: list[str]) -> np.ndarray:
    """(n, R) float64: in one copy when every column is numeric and complete, else column by
    column so that a bad value is reported with its column and rows."""
    block = frame.select(names)
    if all(dt.is_numeric() for dt in block.dtypes) and not any(block.null_count().row(0)):
        return np.ascontiguousarray(block.cast(pl.Float64).to_numpy())
    return np.column_stack([numeric(frame, c, required=True) for c in names])
