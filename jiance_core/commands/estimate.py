"""``jiance estimate``: design-based estimates with standard errors from any data file, offline.

Example::

    jiance estimate --data apistrat.csv --weight pw --strata stype --fpc fpc \\
        --mean api00 --total enroll --proportion awards --quantile api00:0.5 --by stype \\
        --out estimates.csv

    jiance estimate --data scores.parquet --weight W_FSTUWT --replicates W_FSTURWT \\
        --method fay --rho 0.5 --pv PV --proportion sex --by county --out out.csv

Design: ``--weight`` with ``--strata``, ``--psu`` (``--ssu`` for a second stage) and
``--fpc`` (stage 1: the stratum's number of PSUs, or its sampling fraction below 1) /
``--fpc2`` (stage 2: the PSU's number of SSUs, or its fraction) — Taylor linearisation; or
``--replicates PREFIX`` (columns PREFIX1…PREFIXR or PREFIX_1…) with ``--method
brr|fay|jk1|jkn|jk2|bootstrap`` (``--rho``, Fay's coefficient, default 0.5; JKn takes its
(n_h-1)/n_h from ``--strata``/``--psu``).

Statistics, repeatable and kept in the order given: ``--mean VAR``, ``--total VAR``,
``--proportion VAR`` (each category), ``--ratio NUM/DEN``, ``--quantile VAR:P``, ``--pv PREFIX``
(the mean of the plausible values PREFIX1…PREFIXM with Rubin's rules). ``--by COL``: the
overall rows, then one row per value of COL.

Output (UTF-8 CSV with BOM): ``statistic, variable, level, domain, estimate, se, ci_low,
ci_high, n``; the interval is estimate ± 1.96 SE (quantiles: Woodruff's interval). Any problem
in the input: a Chinese message naming the column and the rows, nothing written, exit 1.
"""

from __future__ import annotations

import os

# The replicate totals are many small matrix products (one per domain): OpenBLAS threads bring
# nothing there and, on a busy machine, cost many times the work. Only effective when numpy is
# not yet imported (the command run as a process).
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

import argparse
import sys
import time
from pathlib import Path
from typing import Any

from jiance_core.analysis.design import METHODS, design_from_frame
from jiance_core.analysis.files import read_data
from jiance_core.analysis.table import (
    Request,
    estimate_table,
    parse_request,
    rows_frame,
)
from jiance_core.errors import ValidationFailed


class _Stat(argparse.Action):
    """Appends (statistic, value) to one list so that the output keeps the order asked."""

    def __call__(self, parser: Any, namespace: Any, values: Any, option: Any = None) -> None:
        items = list(getattr(namespace, "requests", None) or [])
        items.append((self.dest, values))
        namespace.requests = items


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> Any:
        self.print_usage(sys.stderr)
        print(f"参数错误：{message}", file=sys.stderr)
        raise SystemExit(2)


def _parser() -> argparse.ArgumentParser:
    p = _Parser(
        prog="jiance estimate",
        description="按抽样设计估计均值、总量、比例、比率、分位数与合理值均值，给出标准误与 95% 置信区间。",
    )
    p.add_argument("--data", required=True, help="数据文件：.csv、.xlsx、.parquet 或 .sav")
    p.add_argument("--weight", required=True, help="权重列")
    p.add_argument("--strata", help="分层列")
    p.add_argument("--psu", help="初级抽样单元（如学校）列")
    p.add_argument("--ssu", help="第二阶段抽样单元列（需 --psu）")
    p.add_argument("--fpc", help="第一阶段有限总体校正：每层的总体单元数，或小于 1 的抽样比")
    p.add_argument("--fpc2", help="第二阶段有限总体校正：每个初级单元的总体单元数或抽样比")
    p.add_argument("--replicates", metavar="PREFIX", help="重复权重列前缀（PREFIX1… 或 PREFIX_1…）")
    p.add_argument("--method", choices=METHODS, help="重复权重方法")
    p.add_argument("--rho", type=float, help="Fay 系数 ρ（--method fay，默认 0.5）")
    for name, meta, text in (
        ("mean", "VAR", "均值"), ("total", "VAR", "总量"), ("proportion", "VAR", "各类别比例"),
        ("ratio", "NUM/DEN", "比率"), ("quantile", "VAR:P", "分位数"),
        ("pv", "PREFIX", "合理值均值（Rubin 规则合并）"),
    ):
        p.add_argument(f"--{name}", dest=name, action=_Stat, metavar=meta, help=f"{text}（可重复）")
    p.add_argument("--by", help="分组（子总体）列：输出总体及每组的估计")
    p.add_argument("--out", required=True, help="输出 CSV")
    p.set_defaults(requests=[])
    return p


def _check_options(args: argparse.Namespace) -> str | None:
    if not args.requests:
        return "至少给出一个统计量：--mean、--total、--proportion、--ratio、--quantile 或 --pv"
    if args.replicates and not args.method:
        return "给出 --replicates 时必须用 --method 指明重复权重方法（brr、fay、jk1、jkn、jk2、bootstrap）"
    if args.method and not args.replicates:
        return "--method 只用于重复权重：请同时给出 --replicates 前缀"
    if args.rho is not None and args.method != "fay":
        return "--rho 只用于 --method fay"
    if args.rho is not None and not 0 <= args.rho < 1:
        return "--rho 应在 0 与 1 之间（不含 1）"
    if args.replicates and (args.fpc or args.fpc2 or args.ssu):
        return "重复权重设计不使用 --fpc、--fpc2、--ssu：方差由重复权重给出"
    if Path(args.out).suffix.lower() != ".csv":
        return "--out 应为 .csv 文件"
    return None


def main(argv: list[str] | None = None) -> int:
    try:
        args = _parser().parse_args(argv)
    except SystemExit as exc:
        return int(exc.code or 0) if not isinstance(exc.code, str) else 2
    problem = _check_options(args)
    if problem:
        print(f"参数错误：{problem}", file=sys.stderr)
        return 1
    started = time.perf_counter()
    try:
        requests: list[Request] = [parse_request(s, v) for s, v in args.requests]
        columns = [c for c in (args.weight, args.strata, args.psu, args.ssu, args.fpc, args.fpc2, args.by) if c]
        prefixes = [args.replicates] if args.replicates else []
        for r in requests:
            if r.statistic == "pv":
                prefixes.append(r.variable)
            else:
                columns.extend(r.variable.split("/"))
        frame = read_data(args.data, columns, prefixes)
        design = design_from_frame(
            frame, weight=args.weight, strata=args.strata, psu=args.psu, ssu=args.ssu,
            fpc=args.fpc, fpc2=args.fpc2, replicates=args.replicates, method=args.method,
            rho=args.rho,
        )
        rows = estimate_table(frame, design, requests, args.by)
    except ValidationFailed as exc:
        print(f"数据有误，未输出结果：\n{exc.summary()}", file=sys.stderr)
        return 1
    out = Path(args.out)
    try:
        out.parent.mkdir(parents=True, exist_ok=True)
        with out.open("wb") as fh:
            fh.write(b"\xef\xbb\xbf")
            rows_frame(rows).write_csv(fh, float_precision=None)
    except OSError as exc:
        print(f"无法写入 {out}：{exc.strerror}", file=sys.stderr)
        return 1
    if args.replicates and (args.strata or args.psu) and args.method != "jkn":
        print("注意：重复权重设计的方差只由重复权重给出，--strata、--psu 未使用")
    print(
        f"{len(frame)} 行数据；方差估计：{design.describe()}；"
        f"{len(rows)} 行估计已写入 {out}（{time.perf_counter() - started:.2f} 秒）"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
