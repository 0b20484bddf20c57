"""The statistics of a county or city report (issue 14), from the student table of a report
area: weights (``final_weight`` and replicate columns, or Taylor by county × school) and scores.

Per subject: the mean with its SE and 95% interval, the standard deviation, percentiles, the
share of each proficiency level (cut points applied to every plausible value), a histogram, and
subgroup means and differences (girls − boys, 城区/镇区 − 乡村) with SE and significance. With
plausible values every statistic is computed on each value and combined with Rubin's rules;
a scale score is one value. A domain with fewer students or schools than the cycle's minimum has
no estimate and says why (``suppressed``). Nothing here orders units by a result.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import polars as pl

from jiance_core.analysis.design import Design
from jiance_core.analysis.estimators import Z95, Ratios, difference, ratios, rubin
from jiance_core.analysis.variance import replicate_variance

LEVEL_CUTS = (420.0, 500.0, 580.0)
LEVELS = ("待提高", "中等", "良好", "优秀")
PERCENTILES = (0.10, 0.25, 0.50, 0.75, 0.90)
# subgroup variable → (label, the contrasts a − b shown)
GROUPS: dict[str, tuple[str, tuple[tuple[str, str], ...]]] = {
    "sex": ("性别", (("女", "男"),)),
    "area": ("城乡", (("城区", "乡村"), ("镇区", "乡村"))),
}


@dataclass(frozen=True)
class Estimate:
    value: float
    se: float
    students: int
    schools: int
    suppressed: str = ""  # the reason, in Chinese, when the cell is too small

    @property
    def low(self) -> float:
        return self.value - Z95 * self.se

    @property
    def high(self) -> float:
        return self.value + Z95 * self.se

    @property
    def shown(self) -> bool:
        return not self.suppressed and np.isfinite(self.value)


@dataclass(frozen=True)
class Difference:
    variable: str  # label, e.g. 性别
    a: str
    b: str
    mean_a: Estimate
    mean_b: Estimate
    value: float
    se: float
    suppressed: str = ""

    @property
    def z(self) -> float:
        return self.value / self.se if self.se > 0 else float("nan")

    @property
    def significant(self) -> bool:
        return not self.suppressed and bool(abs(self.z) > Z95)

    @property
    def low(self) -> float:
        return self.value - Z95 * self.se

    @property
    def high(self) -> float:
        return self.value + Z95 * self.se


@dataclass
class SubjectResult:
    subject: str
    kind: str  # "pv" or "scale"
    values: int  # plausible values used (1 for a scale score)
    mean: Estimate
    sd: float
    percentiles: list[tuple[float, float]]
    levels: list[tuple[str, Estimate]]
    histogram: list[tuple[float, float, float]]  # (low, high, share of students)
    groups: list[tuple[str, list[tuple[str, Estimate]]]] = field(default_factory=list)  # label → domain means
    differences: list[Difference] = field(default_factory=list)


@dataclass(frozen=True)
class Minimums:
    students: int = 30
    schools: int = 3

    def reason(self, students: int, schools: int) -> str:
        why = []
        if students < self.students:
            why.append(f"学生 {students} 人，少于 {self.students} 人")
        if schools < self.schools:
            why.append(f"学校 {schools} 所，少于 {self.schools} 所")
        return "；".join(why) + "：样本过小，不报告结果" if why else ""


def _domains(frame: pl.DataFrame, column: str, order: list[str]) -> tuple[np.ndarray, list[str]]:
    values = frame.get_column(column).cast(pl.String).fill_null("")
    present = set(values.unique().to_list())
    names = [v for v in order if v in present]
    index = {v: i for i, v in enumerate(names)}
    codes = values.replace_strict(index, default=len(names), return_dtype=pl.Int64)
    return codes.to_numpy().astype(np.int64), names


def _percentiles(y: np.ndarray, w: np.ndarray, valid: np.ndarray, ps: tuple[float, ...]) -> list[float]:
    """The smallest y with F̂(y) ≥ p for each p (as `weighted_quantiles`, one sort for all p)."""
    order = np.argsort(y[valid], kind="stable")
    ys, ws = y[valid][order], w[valid][order]
    cum = np.cumsum(ws) / ws.sum()
    at = np.minimum(np.searchsorted(cum, np.asarray(ps) - 1e-12, side="left"), len(ys) - 1)
    return [float(v) for v in ys[at]]


def _sizes(valid: np.ndarray, school: np.ndarray, dom: np.ndarray, n_dom: int) -> list[tuple[int, int]]:
    out = []
    for d in range(n_dom):
        inside = valid & (dom == d)
        out.append((int(inside.sum()), int(np.count_nonzero(np.bincount(school[inside])))))
    return out


def _pv_means(design: Design, cols: np.ndarray, valid: np.ndarray, dom: np.ndarray, n_dom: int
              ) -> tuple[np.ndarray, np.ndarray]:
    """cols (n, k, M): per domain and k the Rubin-combined mean and its variance."""
    point, var, _res = _pv_pass(design, cols, valid, dom, n_dom)
    return point, var


def _pv_pass(design: Design, cols: np.ndarray, valid: np.ndarray, dom: np.ndarray, n_dom: int
             ) -> tuple[np.ndarray, np.ndarray, Ratios]:
    n, k, m = cols.shape
    flat = np.where(valid[:, None], cols.reshape(n, k * m), 0.0)
    den = np.repeat(valid[:, None].astype(np.float64), k * m, axis=1)
    res = ratios(design, flat, den, np.repeat(valid[:, None], k * m, axis=1), dom, n_dom)
    est = res.est.reshape(n_dom, k, m).transpose(2, 0, 1)
    var = res.var.reshape(n_dom, k, m).transpose(2, 0, 1)
    point, total = rubin(est, var)
    return point, total, res


def _difference(design: Design, res: Ratios, y: np.ndarray, dom: np.ndarray, a: int, b: int) -> tuple[float, float]:
    """Mean in domain a − mean in b with its SE (Rubin over the M values). With replicate weights
    from the group pass's own replicate estimates (the same as `estimators.difference`, without
    a second pass); Taylor through `estimators.difference`."""
    if res.reps is None:
        d, se, _na, _nb = difference(design, y, dom, a, b)
        return d, se
    diff = res.est[a] - res.est[b]  # (M,)
    var = replicate_variance(design, diff, res.reps[a] - res.reps[b])
    point, total = rubin(diff[:, None], var[:, None])
    return float(point[0]), float(np.sqrt(total[0]))


def subject_result(
    frame: pl.DataFrame, design: Design, subject: str, columns: list[str], kind: str, *,
    minimums: Minimums, school: str = "school_id", cuts: tuple[float, ...] = LEVEL_CUTS,
    levels: tuple[str, ...] = LEVELS, bin_width: float = 25.0,
) -> SubjectResult:
    y = np.column_stack([frame.get_column(c).cast(pl.Float64).fill_null(np.nan).to_numpy() for c in columns])
    valid = np.isfinite(y).all(axis=1)
    yv = np.where(valid[:, None], y, 0.0)
    m = y.shape[1]
    bins = np.digitize(yv, cuts)  # (n, M) level of each value
    stack = [yv, yv**2] + [(bins == lv).astype(np.float64) for lv in range(len(levels))]
    cols = np.stack(stack, axis=1)  # (n, 2 + L, M)
    schools = frame.get_column(school).cast(pl.String).rank("dense").to_numpy().astype(np.int64)
    zero = np.zeros(design.n, dtype=np.int64)
    point, var = _pv_means(design, cols, valid, zero, 1)
    size = _sizes(valid, schools, zero, 1)[0]
    why = minimums.reason(*size)

    def est(v: float, s: float, sz: tuple[int, int], reason: str) -> Estimate:
        return Estimate(float("nan") if reason else float(v), float("nan") if reason else float(np.sqrt(s)),
                        sz[0], sz[1], reason)

    mean = est(point[0, 0], var[0, 0], size, why)
    sd = float("nan") if why else float(np.sqrt(max(point[0, 1] - point[0, 0] ** 2, 0.0)))
    lv = [(name, est(point[0, 2 + i], var[0, 2 + i], size, why)) for i, name in enumerate(levels)]
    w = design.weight
    pct: list[tuple[float, float]] = []
    hist: list[tuple[float, float, float]] = []
    if not why and valid.any():
        per_pv = np.array([_percentiles(yv[:, j], w, valid, PERCENTILES) for j in range(m)])
        pct = [(p, float(per_pv[:, i].mean())) for i, p in enumerate(PERCENTILES)]
        lo = np.floor(np.percentile(yv[valid], 0.5) / bin_width) * bin_width
        hi = np.ceil(np.percentile(yv[valid], 99.5) / bin_width) * bin_width
        edges = np.arange(lo, hi + bin_width, bin_width)
        clipped = np.clip(yv[valid], lo, hi - 1e-9)
        counts = np.histogram(clipped, bins=edges, weights=np.repeat(w[valid, None], m, axis=1))[0]
        share = counts / counts.sum()
        hist = [(float(edges[i]), float(edges[i + 1]), float(share[i])) for i in range(len(share))]
    result = SubjectResult(subject, kind, m, mean, sd, pct, lv, hist)
    for column, (label, contrasts) in GROUPS.items():
        if column not in frame.columns:
            continue
        order = sorted({v for pair in contrasts for v in pair}, key=lambda v: [x for p in contrasts for x in p].index(v))
        dom, names = _domains(frame, column, order)
        if not names:
            continue
        n_dom = len(names) + 1
        g_point, g_var, g_res = _pv_pass(design, cols[:, :1, :], valid, dom, n_dom)
        sizes = _sizes(valid, schools, dom, n_dom)
        means = {name: est(g_point[d, 0], g_var[d, 0], sizes[d], minimums.reason(*sizes[d]))
                 for d, name in enumerate(names)}
        result.groups.append((label, list(means.items())))
        for a, b in contrasts:
            if a not in means or b not in means:
                continue
            reason = means[a].suppressed or means[b].suppressed
            if reason:
                result.differences.append(Difference(label, a, b, means[a], means[b], float("nan"), float("nan"),
                                                     reason))
                continue
            d, se = _difference(design, g_res, np.where(valid[:, None], y, np.nan), dom, names.index(a),
                                names.index(b))
            result.differences.append(Difference(label, a, b, means[a], means[b], d, se))
    return result
