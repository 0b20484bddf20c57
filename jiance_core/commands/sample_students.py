"""``jiance sample-students``: draw the students of the sample schools, offline.

Example::

    python -m jiance_core.commands.sample_students --roster 学生名单.csv --sample sample.csv \\
        --seed 20220420 --out sampled.csv [--stage primary] [--size 30]

Inputs:

* ``--roster``: every tested-grade student of the sample schools (CSV/XLSX), checked like
  ``jiance check-roster`` (it must have the 学校代码/school_id column). Any problem: the errors are
  printed and nothing is drawn (exit 1).
* ``--sample``: the output of ``jiance sample-schools`` (columns county, stage, school_id,
  school_name, role, selection_probability, base_weight, planned_students, ...). Rows with role
  ``sample`` or ``added`` are the sample schools; ``planned_students`` is the school's size (the
  shortfall plan may have raised it); where it is empty, ``--size``, else the cycle's
  ``students_per_school`` (``--cycle``, e.g. chongqing-2020 gives 42), else 30;
  ``base_weight`` is the school's weight. A nine-year school sampled in both stages appears
  twice: choose the stage of the roster with ``--stage``.

Students: equal-probability sampling without replacement, all students when a school has fewer
than its size, one reproducible stream per school from ``--seed`` and the school id (see
:mod:`jiance_core.rooms.students`).

Output (UTF-8 CSV with BOM), one row per sampled student, schools in sample-file order, students
in roster order (the order of the room lists and seats):

``school_id``, ``county``, ``stage``, ``school_name`` (those the sample file has), the roster's
student columns ``name``, ``sex``, ``birth_date``, ``national_id``, ``class``, ``student_no`` and
any other roster columns, then ``roster_row`` (row in the roster file), ``school_students`` (N),
``sampled_students`` (n), ``selection_probability`` (n/N), ``base_weight`` (the school's),
``within_school_weight`` (N/n), ``final_weight`` (base_weight x within_school_weight; empty when
the school has no base weight).
"""

from __future__ import annotations

import argparse
import hashlib
import sys
from datetime import date
from pathlib import Path

import polars as pl

from jiance_core.cycles.loader import SHIPPED_TEMPLATES_DIR, TemplateError, load_template
from jiance_core.cycles.schema import CycleTemplate
from jiance_core.errors import RowError, ValidationFailed
from jiance_core.rooms.students import sample_students
from jiance_core.roster import check_roster_file

SAMPLE_ROLES = ("sample", "added")
DEFAULT_SIZE = 30
SCHOOL_INFO = ("county", "stage", "school_name")


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="jiance sample-students",
        description="在样本校内按等概率（不放回简单随机）抽取样本学生，输出抽样概率与权重。",
    )
    p.add_argument(
        "--roster", required=True, help="测试年级学生名单（含学校代码列）：.csv 或 .xlsx"
    )
    p.add_argument("--sample", required=True, help="jiance sample-schools 输出的样本校 CSV")
    p.add_argument("--seed", required=True, type=int, help="随机种子（非负整数，记录在案以便复核）")
    p.add_argument("--out", required=True, help="输出的样本学生 CSV")
    p.add_argument(
        "--size", type=int, help="每校抽取学生数（样本文件未给出时；默认取 --cycle 模板，否则 30）"
    )
    p.add_argument(
        "--cycle", help="周期模板 YAML 或内置模板代码（如 chongqing-2020），提供每校学生数"
    )
    p.add_argument("--stage", choices=("primary", "junior"), help="只用该学段的样本校")
    p.add_argument("--grade", type=int, help="测试年级，用于检查出生日期")
    p.add_argument("--test-date", type=date.fromisoformat, help="测试日期 YYYY-MM-DD")
    p.add_argument("--quiet", action="store_true", help="只打印错误")
    return p


def _load_cycle(value: str) -> CycleTemplate:
    path = Path(value)
    if not path.is_file():
        path = SHIPPED_TEMPLATES_DIR / f"{value}.yaml"
    if not path.is_file():
        raise TemplateError([f"找不到周期模板：{value}"])
    return load_template(path)


def _print_errors(title: str, errors: list[RowError]) -> None:
    print(f"{title}有 {len(errors)} 处错误，未抽样：", file=sys.stderr)
    for e in errors:
        print(f"  {e}", file=sys.stderr)


def read_sample(path: str | Path, stage: str | None = None) -> pl.DataFrame:
    """The sample schools of a ``sample-schools`` CSV: school_id, planned size, base weight, info."""
    p = Path(path)
    if not p.is_file():
        raise ValidationFailed([RowError(0, "", f"找不到文件：{p}")])
    table = pl.read_csv(p.read_bytes().decode("utf-8-sig").encode(), infer_schema=False)
    table = table.rename({c: c.strip() for c in table.columns})
    missing = [c for c in ("school_id", "role") if c not in table.columns]
    if missing:
        raise ValidationFailed([RowError(1, c, f"缺少列 {c}") for c in missing])
    table = table.with_row_index("_row", offset=2).filter(
        pl.col("role").str.strip_chars().is_in(SAMPLE_ROLES)
    )
    if stage is not None:
        if "stage" not in table.columns:
            raise ValidationFailed([RowError(1, "stage", "缺少列 stage，无法按学段筛选")])
        table = table.filter(pl.col("stage").str.strip_chars() == stage)
    errors: list[RowError] = []
    seen: dict[str, int] = {}
    sizes: list[int | None] = []
    weights: list[float | None] = []
    for row in table.iter_rows(named=True):
        r = int(row["_row"])
        school = (row["school_id"] or "").strip()
        if not school:
            errors.append(RowError(r, "school_id", "学校代码为空"))
        elif school in seen:
            errors.append(
                RowError(
                    r,
                    "school_id",
                    f"学校 {school} 在第 {seen[school]} 行已出现（九年一贯制学校两个学段都被抽中时，"
                    "请用 --stage 指定名单对应的学段）",
                )
            )
        else:
            seen[school] = r
        size = (row.get("planned_students") or "").strip()
        if size and not size.isdigit():
            errors.append(RowError(r, "planned_students", f"计划抽取学生数不是非负整数：“{size}”"))
        sizes.append(int(size) if size.isdigit() else None)
        weight = (row.get("base_weight") or "").strip()
        try:
            weights.append(float(weight) if weight else None)
        except ValueError:
            errors.append(RowError(r, "base_weight", f"基础权重不是数字：“{weight}”"))
            weights.append(None)
    if errors:
        raise ValidationFailed(errors)
    info = [c for c in SCHOOL_INFO if c in table.columns]
    return table.select(
        pl.col("school_id").str.strip_chars(),
        *[pl.col(c) for c in info],
        pl.Series("planned_students", sizes, dtype=pl.Int64),
        pl.Series("base_weight", weights, dtype=pl.Float64),
    )


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    if args.seed < 0:
        print("参数错误：随机种子必须为非负整数", file=sys.stderr)
        return 2
    if args.size is None:
        args.size = DEFAULT_SIZE
        if args.cycle:
            try:
                args.size = _load_cycle(args.cycle).sample_size.students_per_school
            except TemplateError as exc:
                print(str(exc), file=sys.stderr)
                return 1
    if args.size < 0:
        print("参数错误：每校学生数不能为负", file=sys.stderr)
        return 2
    try:
        sample = read_sample(args.sample, args.stage)
    except ValidationFailed as exc:
        _print_errors("样本校文件", exc.errors)
        return 1
    check = check_roster_file(args.roster, grade=args.grade, test_date=args.test_date)
    errors = list(check.errors)
    if not errors and "school_id" not in check.students.columns:
        errors.append(RowError(1, "学校代码", "缺少列 学校代码（或 school_id）"))
    if errors:
        _print_errors("学生名单", errors)
        return 1
    roster = check.students.rename({"_row": "roster_row"})
    roster_cols = [c for c in roster.columns if c not in ("school_id", "roster_row")]

    schools = sample["school_id"].to_list()
    sizes = {
        s: int(n) if n is not None else args.size
        for s, n in zip(schools, sample["planned_students"].to_list(), strict=True)
    }
    weights = {
        s: float(w)
        for s, w in zip(schools, sample["base_weight"].to_list(), strict=True)
        if w is not None
    }
    drawn = sample_students(
        roster,
        seed=args.seed,
        default_size=args.size,
        sizes=sizes,
        base_weights=weights,
        schools=schools,
    )
    info = sample.drop("planned_students", "base_weight").with_row_index("_order")
    out = (
        drawn.with_row_index("_i")
        .join(info, on="school_id", how="left")
        .join(sample.select("school_id", "base_weight"), on="school_id", how="left")
        .sort("_order", "_i")
    )
    columns = [
        "school_id",
        *[c for c in SCHOOL_INFO if c in info.columns],
        *roster_cols,
        "roster_row",
        "school_students",
        "sampled_students",
        "selection_probability",
        "base_weight",
        "within_school_weight",
        "final_weight",
    ]
    out = out.select(columns)
    path = Path(args.out)
    path.parent.mkdir(parents=True, exist_ok=True)
    out.write_csv(path, include_bom=True)

    if not args.quiet:
        present = set(roster["school_id"].unique().to_list())
        absent = [s for s in schools if s not in present]
        extra = present - set(schools)
        digest = hashlib.sha256(Path(args.roster).read_bytes()).hexdigest()
        print(
            f"样本校 {len(schools)} 所，抽取学生 {out.height} 人（随机种子 {args.seed}）；"
            f"名单 SHA-256 {digest}"
        )
        fewer = out.filter(pl.col("school_students") <= pl.col("sampled_students"))
        if fewer.height:
            n_fewer = fewer["school_id"].n_unique()
            print(f"有 {n_fewer} 所学校测试年级学生不足计划人数，已全部抽取")
        if absent:
            head = "、".join(absent[:10]) + ("……" if len(absent) > 10 else "")
            print(f"注意：{len(absent)} 所样本校在名单中没有学生：{head}")
        if extra:
            print(f"名单中另有 {len(extra)} 所学校不是样本校，已忽略")
        print(f"样本学生已写入 {path}（{out.height} 行）")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
