"""``jiance check-roster``: check a student roster file offline.

Example::

    python -m jiance_core.commands.check_roster 学生名单.xlsx --grade 4 --test-date 2022-05-25

Reads a CSV (UTF-8 or GB18030) or XLSX roster with the columns 姓名, 性别, 出生日期, 身份证号, 班级,
学号 (or name, sex, birth_date, national_id, class, student_no; optional 学校代码/school_id) and
prints every problem as "第 N 行，列 X：原因" (see :mod:`jiance_core.roster` for the checks).
Exit status 1 when there is any problem, 0 with "未发现问题，共 N 行" otherwise; 2 for bad arguments.
"""

from __future__ import annotations

import argparse
import sys
from collections import Counter
from datetime import date

from jiance_core.roster import check_roster_file


def _date(value: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(f"日期格式应为 YYYY-MM-DD：{value}") from exc


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="jiance check-roster",
        description="检查学生名单（CSV/XLSX）：身份证号校验位、出生日期、性别、重复等，逐行列出问题。",
    )
    p.add_argument("roster", help="学生名单文件：.csv 或 .xlsx")
    p.add_argument("--grade", type=int, help="测试年级（如 4），用于检查出生日期是否与年级相符")
    p.add_argument("--test-date", type=_date, help="测试日期 YYYY-MM-DD（默认今天）")
    p.add_argument("--limit", type=int, default=0, help="最多打印多少条问题（默认全部）")
    return p


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    if args.grade is not None and not 1 <= args.grade <= 12:
        print("参数错误：年级必须在1到12之间", file=sys.stderr)
        return 2
    test_date = args.test_date or date.today()
    result = check_roster_file(args.roster, grade=args.grade, test_date=test_date)
    if not result.errors:
        print(f"未发现问题，共 {result.rows} 行")
        return 0
    shown = result.errors[: args.limit] if args.limit > 0 else result.errors
    for e in shown:
        print(e)
    if len(shown) < len(result.errors):
        print(f"……另有 {len(result.errors) - len(shown)} 处问题未列出")
    rows = len({e.row for e in result.errors if e.row > 0})
    by_column = Counter(e.column or "文件" for e in result.errors)
    summary = "，".join(f"{c} {n} 处" for c, n in by_column.most_common())
    print(f"\n共 {len(result.errors)} 处问题，涉及 {rows} 行（全文件 {result.rows} 行）：{summary}")
    return 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
