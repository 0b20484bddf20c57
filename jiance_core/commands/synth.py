"""``jiance synth``: write synthetic units and schools to CSV files, offline.

Example::

    python -m jiance_core.commands.synth --scale national --seed 1 --out var/synth
    python -m jiance_core.commands.synth --scale city --seed 1 --out var/nanchang --people

Writes ``units.csv`` (code, name, parent_code, level, kind) and ``schools.csv`` (the school frame
columns, see :mod:`jiance_core.synth.generate`), UTF-8 with BOM so that Excel shows the Chinese.
With ``--people`` (city scale only) also ``students_g4.csv``, ``students_g8.csv`` and
``teachers.csv``. Prints the counts and the time taken.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import polars as pl

from jiance_core.synth import nanchang_city, national_hierarchy


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="jiance synth",
        description="生成合成数据：行政层级（units.csv）与学校名单（schools.csv）。",
    )
    p.add_argument(
        "--scale",
        choices=("national", "city"),
        default="city",
        help="national：全国约 21 万所学校；city：南昌市约 1200 所学校（默认）",
    )
    p.add_argument("--seed", type=int, default=1, help="随机种子（整数，默认 1）")
    p.add_argument("--out", required=True, help="输出目录")
    p.add_argument(
        "--people",
        action="store_true",
        help="同时生成四年级、八年级学生和教师名单（仅 city）",
    )
    return p


def _write(df: pl.DataFrame, path: Path) -> None:
    df.write_csv(path, include_bom=True)


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    if args.people and args.scale != "city":
        print("参数错误：--people 只能与 --scale city 一起使用", file=sys.stderr)
        return 1
    out = Path(args.out)
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        print(f"无法创建输出目录 {out}：{exc}", file=sys.stderr)
        return 1

    t0 = time.perf_counter()
    if args.scale == "national":
        h = national_hierarchy(args.seed)
        units, schools = h.units, h.schools
        city = None
    else:
        city = nanchang_city(args.seed)
        units, schools = city.units, city.schools
    generated = time.perf_counter() - t0
    _write(units, out / "units.csv")
    _write(schools, out / "schools.csv")
    levels = dict(units.group_by("level").len().iter_rows())
    print(
        f"省 {levels.get('province', 0)} 个，市 {levels.get('city', 0)} 个，"
        f"县级单位 {levels.get('county', 0)} 个，学校 {schools.height} 所"
    )
    print(
        f"四年级学生 {int(schools['primary_students'].sum())} 人，"
        f"八年级学生 {int(schools['junior_students'].sum())} 人（学校名单中的在籍数）"
    )
    if city is not None and args.people:
        t1 = time.perf_counter()
        for grade in (4, 8):
            students = city.students(grade)
            _write(students, out / f"students_g{grade}.csv")
            print(f"{grade}年级学生名单 {students.height} 人")
        teachers = city.teachers()
        _write(teachers, out / "teachers.csv")
        print(f"教师名单 {teachers.height} 人")
        generated += time.perf_counter() - t1
    total = time.perf_counter() - t0
    print(f"生成用时 {generated:.2f} 秒，含写文件共 {total:.2f} 秒；输出目录：{out}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
