"""``jiance check-roster``: check a student roster file, or a teacher file, offline.

Example::

    python -m jiance_core.commands.check_roster 学生名单.xlsx --grade 4 --test-date 2022-05-25
    python -m jiance_core.commands.check_roster 教师名单.xlsx --teachers

A teacher file (姓名, 性别, 任教班级, 角色, 问卷角色, 任职类型; see :mod:`jiance_core.teachers`) is
recognised by its 角色 column (or forced with ``--teachers``) and checked against every role.

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

from jiance_core.errors import RowError
from jiance_core.roster import check_roster_file
from jiance_core.teachers import check_teacher_file, looks_like_teachers


def _date(value: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(f"日期格式应为 YYYY-MM-DD：{value}") from exc


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="jiance check-roster",
        description="检查学生名单（CSV/XLSX）：身份证号校验位、出生日期、性别、重复等，逐行列出问题；"
        "也可检查教师名单（XLSX）：角色、问卷角色、任职类型、同名教师等。",
    )
    p.add_argument("roster", help="学生名单文件（.csv 或 .xlsx）或教师名单文件（.xlsx）")
    p.add_argument("--teachers", action="store_true", help="按教师名单检查（默认：有“角色”列的文件即按教师名单检查）")
    p.add_argument("--grade", type=int, help="测试年级（如 4），用于检查出生日期是否与年级相符")
    p.add_argument("--test-date", type=_date, help="测试日期 YYYY-MM-DD（默认今天）")
    p.add_argument("--limit", type=int, default=0, help="最多打印多少条问题（默认全部）")
    return p


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    if args.grade is not None and not 1 <= args.grade <= 12:
        print("参数错误：年级必须在1到12之间", file=sys.stderr)
        return 2
    if args.teachers or looks_like_teachers(args.roster):
        teachers = check_teacher_file(args.roster)
        rows, errors, what = teachers.rows, teachers.errors, "名教师"
    else:
        result = check_roster_file(args.roster, grade=args.grade, test_date=args.test_date or date.today())
        rows, errors, what = result.rows, result.errors, "行"
    return _report(rows, errors, args.limit, what)


def _report(total: int, errors: list[RowError], limit: int, what: str) -> int:
    if not errors:
        print(f"未发现问题，共 {total} {what}")
        return 0
    shown = errors[:limit] if limit > 0 else errors
    for e in shown:
        print(e)
    if len(shown) < len(errors):
        print(f"……另有 {len(errors) - len(shown)} 处问题未列出")
    rows = len({e.row for e in errors if e.row > 0})
    by_column = Counter(e.column or "文件" for e in errors)
    summary = "，".join(f"{c} {n} 处" for c, n in by_column.most_common())
    print(f"\n共 {len(errors)} 处问题，涉及 {rows} 行（全文件 {total} 行）：{summary}")
    return 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
