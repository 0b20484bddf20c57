"""``jiance sample-schools``: draw the sample schools from a frame file, offline.

Example::

    python -m jiance_core.commands.sample_schools --frame 学校名单.xlsx --seed 20260315 \\
        --out sample.csv [--primary 12 --junior 8 --students 30 --method pps]

Writes a UTF-8 CSV with BOM (Excel opens the Chinese correctly) with the columns county, stage,
school_id, school_name, role, selection_probability, base_weight, planned_students, then the
input columns, then replaces, certainty, frame_order. Prints a summary and the frame's SHA-256.
Bad input: prints every error, grouped by column, and exits 1.
"""

from __future__ import annotations

import argparse
import importlib
import sys
import threading
from collections import defaultdict
from pathlib import Path
from typing import TextIO

import polars as pl

from jiance_core.errors import RowError, ValidationFailed
from jiance_core.sampling.frame import read_frame
from jiance_core.sampling.schools import SamplingPlan, draw_school_sample


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="jiance sample-schools",
        description="从学校抽样框（CSV/XLSX）抽取样本学校（默认 PPS 系统抽样）。",
    )
    p.add_argument("--frame", required=True, help="抽样框文件：.csv 或 .xlsx")
    p.add_argument("--out", required=True, help="输出的样本 CSV 文件")
    p.add_argument("--seed", required=True, type=int, help="随机种子（整数，记录在案以便复核）")
    p.add_argument("--primary", type=int, default=12, help="每县抽取小学数（默认 12）")
    p.add_argument("--junior", type=int, default=8, help="每县抽取初中数（默认 8）")
    p.add_argument("--students", type=int, default=30, help="每校抽取学生数（默认 30）")
    p.add_argument("--method", choices=("pps", "srs"), default="pps", help="pps（默认）或 srs")
    p.add_argument("--replacements", type=int, choices=(0, 1, 2), default=2, help="每校替补学校数")
    p.add_argument(
        "--county-counts",
        help="各县抽取学校数的 CSV（列 county, primary, junior；空白表示用默认值）",
    )
    p.add_argument(
        "--shortfall", choices=("v1", "v2"), default="v2",
        help="测试年级学生不足时增加样本校的规则版本：v2（默认，抽样前确定学校数，入样概率精确）或 v1（2026 年 12 月前的抽样）",
    )
    p.add_argument("--explanations", help="把各县各学段的抽样说明写入此 CSV")
    p.add_argument("--quiet", action="store_true", help="只打印错误")
    return p


def _print_errors(errors: list[RowError], out: TextIO) -> None:
    by_column: dict[str, list[RowError]] = defaultdict(list)
    for e in errors:
        by_column[e.column].append(e)
    print(f"抽样框有 {len(errors)} 处错误，未抽样：", file=out)
    for column, group in by_column.items():
        title = f"列 {column}" if column else "文件"
        print(f"\n{title}（{len(group)} 处）：", file=out)
        for e in group:
            where = f"第 {e.row} 行" if e.row > 0 else "文件"
            print(f"  {where}：{e.reason}", file=out)


def _county_counts(path: str) -> dict[str, dict[str, int]]:
    table = pl.read_csv(path, infer_schema=False)
    errors: list[RowError] = []
    if "county" not in table.columns:
        raise ValidationFailed([RowError(1, "county", "缺少列 county（区县）")])
    result: dict[str, dict[str, int]] = {}
    for i, row in enumerate(table.iter_rows(named=True), start=2):
        county = (row.get("county") or "").strip()
        if not county:
            errors.append(RowError(i, "county", "区县为空"))
            continue
        counts: dict[str, int] = {}
        for stage in ("primary", "junior"):
            value = (row.get(stage) or "").strip()
            if not value:
                continue
            if not value.isdigit():
                errors.append(RowError(i, stage, f"学校数不是非负整数：“{value}”"))
                continue
            counts[stage] = int(value)
        result[county] = counts
    if errors:
        raise ValidationFailed(errors)
    return result


def _preload_svy() -> None:
    """Import svy in a background thread while the frame is read.

    Importing svy takes about as long as reading a national frame; polars reads and checks the
    file without holding the GIL, so on two cores the two overlap. The draw's own ``import svy``
    waits for this import to finish (the import lock), so nothing runs half-imported.
    """
    if "svy" not in sys.modules:
        threading.Thread(target=importlib.import_module, args=("svy",), daemon=True).start()


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    _preload_svy()
    try:
        overrides = _county_counts(args.county_counts) if args.county_counts else {}
        plan = SamplingPlan(
            primary_schools=args.primary,
            junior_schools=args.junior,
            students_per_school=args.students,
            method=args.method,
            replacements=args.replacements,
            county_overrides=overrides,
            shortfall=args.shortfall,
        )
    except ValidationFailed as exc:
        _print_errors(exc.errors, sys.stderr)
        return 1
    except ValueError as exc:
        print(f"参数错误：{exc}", file=sys.stderr)
        return 1
    try:
        frame = read_frame(args.frame)
    except ValidationFailed as exc:
        _print_errors(exc.errors, sys.stderr)
        return 1
    sample = draw_school_sample(frame, plan, seed=args.seed, validated=True)
    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    sample.rows.write_csv(out, include_bom=True)
    if args.explanations:
        pl.DataFrame(
            {
                "county": [e.county for e in sample.explanations],
                "stage": [e.stage for e in sample.explanations],
                "explanation": [e.text for e in sample.explanations],
            }
        ).write_csv(args.explanations, include_bom=True)
    if not args.quiet:
        print(sample.summary())
        special = [
            e
            for e in sample.explanations
            if e.added or e.frame_schools <= e.planned_schools or e.small_schools
        ]
        if special:
            print(f"\n有 {len(special)} 个区县学段按不足规则调整（节选）：")
            for e in special[:10]:
                print(f"  {e.text}")
        print(f"\n样本已写入 {out}（{sample.rows.height} 行）")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
