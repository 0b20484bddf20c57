"""The estimates of a table by column names: what ``jiance estimate`` writes, one row per
statistic, variable, category and domain (overall first, then each domain of ``by``)."""

from __future__ import annotations

from dataclasses import astuple, dataclass, fields

import numpy as np
import polars as pl

from jiance_core.analysis.columns import codes, labels, numeric, prefixed
from jiance_core.analysis.design import Design
from jiance_core.analysis.estimators import Z95, quantiles, ratios, rubin
from jiance_core.errors import RowError, ValidationFailed

STATISTICS = ("mean", "total", "proportion", "ratio", "quantile", "pv")


@dataclass(frozen=True)
class Request:
    """One statistic asked for: ``statistic`` in STATISTICS, ``variable`` a column (for a ratio
    ``NUM/DEN``, for a quantile the column and ``p``, for ``pv`` the prefix)."""

    statistic: str
    variable: str
    p: float | None = None


@dataclass(frozen=True)
class Row:
    statistic: str
    variable: str
    level: str
    domain: str
    estimate: float
    se: float
    ci_low: float
    ci_high: float
    n: int


COLUMNS = [f.name for f in fields(Row)]


def rows_frame(rows: list[Row]) -> pl.DataFrame:
    return pl.DataFrame(
        [astuple(r) for r in rows],
        schema={
            "statistic": pl.String, "variable": pl.String, "level": pl.String,
            "domain": pl.String, "estimate": pl.Float64, "se": pl.Float64,
            "ci_low": pl.Float64, "ci_high": pl.Float64, "n": pl.Int64,
        },
        orient="row",
    )


def parse_request(statistic: str, value: str) -> Request:
    """``--quantile api00:0.5`` → Request('quantile', 'api00', 0.5); refuses what is malformed."""
    if statistic == "ratio":
        num, sep, den = value.partition("/")
        if not sep or not num.strip() or not den.strip():
            raise ValidationFailed([RowError(0, value, f"--ratio 应写成 分子列/分母列，而不是 “{value}”")])
        return Request("ratio", f"{num.strip()}/{den.strip()}")
    if statistic == "quantile":
        name, sep, prob = value.rpartition(":")
        try:
            p = float(prob)
        except ValueError:
            p = -1.0
        if not sep or not name or not 0 < p < 1:
            raise ValidationFailed(
                [RowError(0, value, f"--quantile 应写成 列名:概率（0 与 1 之间，如 score:0.5），而不是 “{value}”")]
            )
        return Request("quantile", name, p)
    return Request(statistic, value)


class _Job:
    """Collects the ratio columns of every request, estimates them in one pass."""

    def __init__(self, n: int) -> None:
        self.n = n
        self.num: list[np.ndarray] = []
        self.den: list[np.ndarray] = []
        self.valid: list[np.ndarray] = []
        self.totals: list[bool] = []

    def add(self, y: np.ndarray, valid: np.ndarray, x: np.ndarray | None = None) -> int:
        self.num.append(np.where(valid, y, 0.0))
        self.den.append(np.where(valid, 1.0 if x is None else x, 0.0))
        self.valid.append(valid)
        self.totals.append(False)
        return len(self.num) - 1

    def add_total(self, y: np.ndarray, valid: np.ndarray) -> int:
        i = self.add(y, valid)
        self.totals[i] = True
        return i

    def run(self, design: Design, dom: np.ndarray, n_dom: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        if not self.num:
            return np.zeros((n_dom, 0)), np.zeros((n_dom, 0)), np.zeros((n_dom, 0), dtype=np.int64)
        valid = np.column_stack(self.valid)
        tot = np.array(self.totals)
        num = np.column_stack(self.num)
        est = np.zeros((n_dom, len(tot)))
        var = np.zeros_like(est)
        cnt = np.zeros((n_dom, len(tot)), dtype=np.int64)
        for mask, den in ((tot, None), (~tot, np.column_stack(self.den)[:, ~tot])):
            if mask.any():
                r = ratios(design, num[:, mask], den, valid[:, mask], dom, n_dom)
                est[:, mask], var[:, mask], cnt[:, mask] = r.est, r.var, r.n
        return est, var, cnt


def _row(req: str, var: str, level: str, dom: str, est: float, v: float, n: int) -> Row:
    se = float(np.sqrt(v)) if np.isfinite(v) else float("nan")
    return Row(req, var, level, dom, float(est), se, float(est - Z95 * se), float(est + Z95 * se), int(n))


def estimate_table(
    frame: pl.DataFrame, design: Design, requests: list[Request], by: str | None = None
) -> list[Row]:
    """Every request overall and, with ``by``, in each of its domains (one pass per domain set)."""
    plan = _plan(frame, requests)
    domain_sets: list[tuple[np.ndarray, list[str]]] = [(np.zeros(design.n, dtype=np.int64), [""])]
    if by:
        domain_sets.append(codes(labels(frame, by)))
    out: list[Row] = []
    for dom, names in domain_sets:
        out.extend(_estimate(design, plan, dom, names))
    return out


def _plan(frame: pl.DataFrame, requests: list[Request]) -> list[tuple[Request, dict[str, object]]]:
    """Reads and checks every column a request needs, before anything is estimated."""
    plan: list[tuple[Request, dict[str, object]]] = []
    for req in requests:
        if req.statistic in ("mean", "total", "quantile"):
            plan.append((req, {"y": numeric(frame, req.variable)}))
        elif req.statistic == "ratio":
            num, den = req.variable.split("/")
            plan.append((req, {"y": numeric(frame, num), "x": numeric(frame, den)}))
        elif req.statistic == "proportion":
            plan.append((req, {"labels": codes(labels(frame, req.variable))}))
        elif req.statistic == "pv":
            names = prefixed(frame, req.variable)
            if len(names) < 2:
                raise ValidationFailed(
                    [RowError(1, req.variable, f"数据文件中没有至少 2 个合理值列 {req.variable}1、{req.variable}2…")]
                )
            plan.append((req, {"ys": np.column_stack([numeric(frame, c) for c in names])}))
        else:
            raise ValueError(req.statistic)
    return plan


def _estimate(
    design: Design, plan: list[tuple[Request, dict[str, object]]], dom: np.ndarray, names: list[str]
) -> list[Row]:
    n_dom = len(names)
    job = _Job(design.n)
    slots: list[object] = []
    for req, data in plan:
        if req.statistic in ("mean", "total"):
            y = np.asarray(data["y"])
            ok = np.isfinite(y)
            slots.append(job.add_total(y, ok) if req.statistic == "total" else job.add(y, ok))
        elif req.statistic == "ratio":
            y, x = np.asarray(data["y"]), np.asarray(data["x"])
            slots.append(job.add(y, np.isfinite(y) & np.isfinite(x), x))
        elif req.statistic == "proportion":
            pair = data["labels"]
            assert isinstance(pair, tuple)
            code: np.ndarray = pair[0]
            levels: list[str] = pair[1]
            present = levels[-1] != "（缺失）"
            ok = code < (len(levels) - (0 if present else 1))
            slots.append([(lv, job.add((code == i).astype(np.float64), ok)) for i, lv in enumerate(levels)
                          if lv != "（缺失）"])
        elif req.statistic == "pv":
            ys = np.asarray(data["ys"])
            ok = np.isfinite(ys).all(axis=1)
            slots.append([job.add(ys[:, m], ok) for m in range(ys.shape[1])])
        else:
            slots.append(None)
    est, var, cnt = job.run(design, dom, n_dom)
    rows: list[Row] = []
    for (req, data), slot in zip(plan, slots, strict=True):
        if req.statistic == "quantile":
            q = quantiles(design, np.asarray(data["y"]), req.p or 0.5, dom, n_dom)
            for d in range(n_dom):
                rows.append(Row("quantile", f"{req.variable}:{req.p:g}", "", names[d], float(q.est[d]),
                                float(q.se[d]), float(q.low[d]), float(q.high[d]), int(q.n[d])))
            continue
        for d in range(n_dom):
            if req.statistic == "proportion":
                assert isinstance(slot, list)
                for level, j in slot:
                    rows.append(_row("proportion", req.variable, level, names[d], est[d, j], var[d, j], cnt[d, j]))
            elif req.statistic == "pv":
                assert isinstance(slot, list)
                point, total = rubin(est[d, slot], var[d, slot])
                rows.append(_row("pv_mean", req.variable, "", names[d], float(point), float(total), cnt[d, slot[0]]))
            else:
                assert isinstance(slot, int)
                rows.append(_row(req.statistic, req.variable, "", names[d], est[d, slot], var[d, slot], cnt[d, slot]))
    return rows
