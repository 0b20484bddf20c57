"""``jiance seat-plan``: test rooms, seats and booklets for the sampled students, offline.

Example::

    python -m jiance_core.commands.seat_plan --sampled sampled.csv --rooms rooms.csv \\
        --cycle national-2022 --out seating.csv [--grade 4] [--rooms-out rooms_plan.csv]

Inputs:

* ``--sampled``: the output of ``jiance sample-students`` (school_id, student columns; the
  students of each school in room-list order). ``name`` and ``student_no`` make the ``student``
  column; a ``stage`` column gives each school's grade through the cycle when ``--grade`` is not
  given.
* ``--rooms`` (optional): each school's networked computer labs, one row per lab: ``school_id``,
  ``room_name``, ``kind`` (``computer``; may be empty), ``pcs`` (networked PCs), ``orientation``
  (``front`` = students face the front, ``sideways``; also 面朝讲台/侧对讲台; default front),
  ``columns`` (PCs per row seen from the front; default 6). Schools absent from it get paper rooms.
* ``--cycle``: a cycle template YAML file or the code of a shipped one (``national-2022``). It gives
  the room capacity (``sample_size.room_capacity``, default 42), the spare PCs per computer room
  (``computer_spare_pcs``, else ``questionnaire_room_spare_pcs_min``, else 3) and the booklet
  forms of each subject per grade.

Rules: :mod:`jiance_core.rooms.rooms` (split, labs first, spares), :mod:`jiance_core.rooms.seating`
(seat 01 front by the entrance wall; paper rooms vertical S; computer rooms horizontal S facing
the front, vertical S sideways), :mod:`jiance_core.rooms.booklets` (forms dealt cyclically by seat
number, restarting in each room, no offset unless ``--offset``).

Output ``--out`` (UTF-8 CSV with BOM), one row per student, in room and seat order:

==================  ==================================================================
column              content
==================  ==================================================================
school_id           school code
room                test room, ``第1监测室``, ``第2监测室``, ... (numbered per school)
room_kind           ``paper`` (纸笔) or ``computer`` (计算机)
seat                seat number ``01``..``42`` (restarts in each room)
row                 desk row, 1 = front row
column              desk column, 1 = the column along the entrance wall
student             name and student number: ``张三（20220101）``
booklet_<subject>   one per subject with booklet forms in the grade, in template order:
                    ``语文-3 / 答题卡-3`` (booklet form and its paired answer-card form)
computer_room       the lab's name for computer rooms, empty for paper rooms
school_name, class, student_no, name   copied from the sampled file when present
==================  ==================================================================

``--rooms-out`` (optional) lists the rooms: school_id, room, room_kind, computer_room, students,
pcs, spare_pcs, rows, columns, pattern (vertical/horizontal S), then ``note`` with the Chinese
reasons for the school's labs (too small, unused). The same reasons are printed.
"""

from __future__ import annotations

import argparse
import sys
from collections import defaultdict
from functools import lru_cache
from pathlib import Path

import numpy as np
import polars as pl

from jiance_core.cycles.loader import SHIPPED_TEMPLATES_DIR, TemplateError, load_template
from jiance_core.cycles.schema import CycleTemplate
from jiance_core.errors import RowError, ValidationFailed
from jiance_core.rooms.booklets import SubjectForms, subjects_with_forms
from jiance_core.rooms.rooms import (
    DEFAULT_CAPACITY,
    DEFAULT_SPARE_PCS,
    ComputerRoom,
    Orientation,
    cycle_room_settings,
    plan_rooms,
)
from jiance_core.rooms.seating import Pattern, seat_positions

ORIENTATIONS: dict[str, Orientation] = {
    "": "front",
    "front": "front",
    "面朝讲台": "front",
    "正面": "front",
    "sideways": "sideways",
    "side": "sideways",
    "侧对讲台": "sideways",
    "侧面": "sideways",
}


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="jiance seat-plan",
        description="为样本学生安排监测室、座位（S形编号）和题本/答题卡。",
    )
    p.add_argument("--sampled", required=True, help="jiance sample-students 输出的样本学生 CSV")
    p.add_argument(
        "--rooms",
        help="各校计算机教室 CSV（school_id, room_name, kind, pcs, orientation, columns）",
    )
    p.add_argument(
        "--cycle", required=True, help="周期模板 YAML 文件，或内置模板代码（如 national-2022）"
    )
    p.add_argument("--out", required=True, help="输出的座位表 CSV")
    p.add_argument("--grade", type=int, help="测试年级（默认按样本文件的 stage 列从模板取）")
    p.add_argument(
        "--offset", type=int, default=0, help="题本循环的起始偏移（默认 0：01 号座位发第 1 套）"
    )
    p.add_argument("--rooms-out", help="把各校监测室安排及说明写入此 CSV")
    p.add_argument("--quiet", action="store_true", help="只打印错误")
    return p


def _load_cycle(value: str) -> CycleTemplate:
    path = Path(value)
    if not path.is_file():
        shipped = SHIPPED_TEMPLATES_DIR / f"{value}.yaml"
        if shipped.is_file():
            path = shipped
    if not path.is_file():
        raise TemplateError([f"找不到周期模板：{value}"])
    return load_template(path)


def _read_csv(path: str | Path) -> pl.DataFrame:
    p = Path(path)
    if not p.is_file():
        raise ValidationFailed([RowError(0, "", f"找不到文件：{p}")])
    data = p.read_bytes()
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = data.decode("gb18030")
    table = pl.read_csv(text.encode(), infer_schema=False)
    return table.rename({c: c.strip() for c in table.columns})


def read_computer_rooms(path: str | Path) -> dict[str, list[ComputerRoom]]:
    """Each school's labs, in the order the file lists them; every bad row is reported."""
    table = _read_csv(path)
    missing = [c for c in ("school_id", "room_name", "pcs") if c not in table.columns]
    if missing:
        raise ValidationFailed([RowError(1, c, f"缺少列 {c}") for c in missing])
    out: dict[str, list[ComputerRoom]] = defaultdict(list)
    errors: list[RowError] = []
    for r, row in enumerate(table.iter_rows(named=True), start=2):

        def text(c: str, row: dict[str, str | None] = row) -> str:
            return (row.get(c) or "").strip()

        school, name = text("school_id"), text("room_name")
        if not school:
            errors.append(RowError(r, "school_id", "学校代码为空"))
        if not name:
            errors.append(RowError(r, "room_name", "教室名称为空"))
        kind = text("kind").lower()
        if kind not in ("", "computer", "计算机"):
            errors.append(
                RowError(
                    r, "kind", f"教室类型“{text('kind')}”无效：本文件只列计算机教室（computer）"
                )
            )
        pcs = text("pcs")
        if not pcs.isdigit():
            errors.append(RowError(r, "pcs", f"联网计算机台数不是非负整数：“{pcs}”"))
        orientation = ORIENTATIONS.get(text("orientation").lower())
        if orientation is None:
            errors.append(
                RowError(
                    r,
                    "orientation",
                    f"朝向“{text('orientation')}”无效，应为 front（面朝讲台）或 sideways（侧对讲台）",
                )
            )
        columns = text("columns")
        if columns and (not columns.isdigit() or int(columns) == 0):
            errors.append(RowError(r, "columns", f"列数不是正整数：“{columns}”"))
        if school and school in out and any(lab.name == name for lab in out[school]):
            errors.append(RowError(r, "room_name", f"学校 {school} 的教室“{name}”重复"))
        if errors and errors[-1].row == r:
            continue
        out[school].append(
            ComputerRoom(name, int(pcs), orientation or "front", int(columns) if columns else None)
        )
    if errors:
        raise ValidationFailed(errors)
    return dict(out)


ROOM_SCHEMA: dict[str, type[pl.DataType]] = {
    "school_id": pl.String,
    "room": pl.String,
    "room_kind": pl.String,
    "computer_room": pl.String,
    "students": pl.Int64,
    "pcs": pl.Int64,
    "spare_pcs": pl.Int64,
    "rows": pl.Int64,
    "columns": pl.Int64,
    "pattern": pl.String,
    "note": pl.String,
}
EXTRA_COLUMNS = ("school_name", "class", "student_no", "name")


def build_seating(
    sampled: pl.DataFrame,
    labs: dict[str, list[ComputerRoom]],
    template: CycleTemplate,
    *,
    grade: int | None = None,
    offset: int = 0,
    capacity: int = DEFAULT_CAPACITY,
    spare_pcs: int = DEFAULT_SPARE_PCS,
) -> tuple[pl.DataFrame, pl.DataFrame, list[tuple[str, str]]]:
    """Seat table, room table and ``(school_id, reason)`` notes for the sampled students.

    Rooms are planned school by school; the per-student columns are then built with numpy and
    polars (a national sample of 7,000 schools takes a few seconds). Raises ``ValueError`` (in
    Chinese) when a school's grade cannot be told.
    """
    grade_of_stage = {str(k): v for k, v in template.grades.items()}
    only = set(grade_of_stage.values())
    forms_of: dict[int, list[SubjectForms]] = {}
    subject_names: list[str] = []
    for each in sorted(only | ({grade} if grade is not None else set())):
        forms_of[each] = subjects_with_forms(template, each)
        for subject in forms_of[each]:
            if subject.name not in subject_names:
                subject_names.append(subject.name)

    sampled = sampled.with_columns(pl.col("school_id").cast(pl.String).str.strip_chars())
    if sampled.filter(pl.col("school_id").is_null() | (pl.col("school_id") == "")).height:
        raise ValueError("样本文件中有学校代码为空的学生")
    groups = (
        sampled.with_row_index("_i")
        .group_by("school_id", maintain_order=True)
        .agg(
            pl.col("_i"),
            (pl.col("stage").first() if "stage" in sampled.columns else pl.lit(None)).alias(
                "_stage"
            ),
        )
    )
    notes: list[tuple[str, str]] = []
    rooms: dict[str, list[object]] = {c: [] for c in ROOM_SCHEMA}
    order: list[list[int]] = []
    room_sizes: list[int] = []
    room_rows: list[np.ndarray] = []
    room_cols: list[np.ndarray] = []
    room_grade: list[int] = []
    errors: list[str] = []
    for school, idx, stage in groups.iter_rows():
        g: int | None = grade
        if g is None:
            st = (stage or "").strip()
            g = grade_of_stage.get(st) if st else (next(iter(only)) if len(only) == 1 else None)
            if g is None:
                errors.append(
                    f"学校 {school} 的学段“{st}”不在模板 {template.code} 中，请用 --grade 指定"
                )
                continue
        plan = plan_rooms(len(idx), labs.get(school, ()), capacity=capacity, spare_pcs=spare_pcs)
        notes.extend((school, r) for r in plan.reasons)
        order.append(idx)
        for room in plan.rooms:
            lab = room.computer_room
            cells = _cells(room.layout.rows, room.layout.columns, room.layout.pattern)
            room_rows.append(cells[0][: room.students])
            room_cols.append(cells[1][: room.students])
            room_sizes.append(room.students)
            room_grade.append(g)
            values = {
                "school_id": school,
                "room": room.name,
                "room_kind": room.kind,
                "computer_room": lab.name if lab else None,
                "students": room.students,
                "pcs": lab.pcs if lab else None,
                "spare_pcs": lab.pcs - room.students if lab else None,
                "rows": room.layout.rows,
                "columns": room.layout.columns,
                "pattern": room.layout.pattern,
                "note": "；".join(plan.reasons) if room.number == 1 and plan.reasons else None,
            }
            for c, v in values.items():
                rooms[c].append(v)
    if errors:
        raise ValueError("\n".join(errors))
    room_table = pl.DataFrame(rooms, schema=ROOM_SCHEMA)

    sizes = np.asarray(room_sizes, dtype=np.int64)
    total = int(sizes.sum())
    starts = np.repeat(np.cumsum(sizes) - sizes, sizes)
    seat = np.arange(total, dtype=np.int64) - starts + 1
    student_index = np.asarray([i for idx in order for i in idx], dtype=np.int64)
    per_room = room_table.select("school_id", "room", "room_kind", "computer_room")
    seats = pl.concat(
        [
            per_room.select(pl.all().repeat_by(pl.Series(sizes)).explode())
            if total
            else per_room.clear(),
            pl.DataFrame(
                {
                    "seat": pl.Series(seat).cast(pl.String).str.zfill(2),
                    "row": np.concatenate(room_rows) if room_rows else np.empty(0, np.int64),
                    "column": np.concatenate(room_cols) if room_cols else np.empty(0, np.int64),
                    "_seat": seat,
                    "_grade": np.repeat(np.asarray(room_grade, dtype=np.int64), sizes),
                },
                schema={
                    "seat": pl.String,
                    "row": pl.Int64,
                    "column": pl.Int64,
                    "_seat": pl.Int64,
                    "_grade": pl.Int64,
                },
            ),
        ],
        how="horizontal",
    )
    people = sampled[student_index] if total else sampled.clear()
    name = (
        pl.col("name").cast(pl.String).str.strip_chars()
        if "name" in people.columns
        else pl.lit(None, pl.String)
    )
    number = (
        pl.col("student_no").cast(pl.String).str.strip_chars()
        if "student_no" in people.columns
        else pl.lit(None, pl.String)
    )
    label = (
        pl.when((name.fill_null("") != "") & (number.fill_null("") != ""))
        .then(pl.format("{}（{}）", name, number))
        .otherwise(pl.coalesce(name, number).fill_null(""))
    )
    extras = [c for c in EXTRA_COLUMNS if c in people.columns]
    seats = pl.concat(
        [
            seats,
            people.select(label.alias("student"), *[pl.col(c).cast(pl.String) for c in extras]),
        ],
        how="horizontal",
    )
    booklets = []
    for subject_name in subject_names:
        expr: pl.Expr = pl.lit(None, pl.String)
        for g, forms in forms_of.items():
            found = next((f for f in forms if f.name == subject_name), None)
            if found is None:
                continue
            sf = found
            form = ((pl.col("_seat") - 1 + offset) % sf.forms + 1).cast(pl.String)
            text = (
                pl.format("{}-{} / 答题卡-{}", pl.lit(sf.name), form, form)
                if sf.paired
                else pl.format("{}-{}", pl.lit(sf.name), form)
            )
            expr = pl.when(pl.col("_grade") == g).then(text).otherwise(expr)
        booklets.append(expr.alias(f"booklet_{subject_name}"))
    table = seats.select(
        "school_id", "room", "room_kind", "seat", "row", "column", "student",
        *booklets, "computer_room", *extras,
    )  # fmt: skip
    return table, room_table, notes


@lru_cache(maxsize=256)
def _cells(rows: int, columns: int, pattern: Pattern) -> tuple[np.ndarray, np.ndarray]:
    cells = np.asarray(seat_positions(rows, columns, pattern), dtype=np.int64)
    return cells[:, 0], cells[:, 1]


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    try:
        template = _load_cycle(args.cycle)
    except TemplateError as exc:
        print(str(exc), file=sys.stderr)
        return 1
    try:
        sampled = _read_csv(args.sampled)
        if "school_id" not in sampled.columns:
            raise ValidationFailed([RowError(1, "school_id", "缺少列 school_id")])
        labs = read_computer_rooms(args.rooms) if args.rooms else {}
    except ValidationFailed as exc:
        print(f"输入文件有 {len(exc.errors)} 处错误，未排座：", file=sys.stderr)
        for e in exc.errors:
            print(f"  {e}", file=sys.stderr)
        return 1

    if args.grade is None and "stage" not in sampled.columns and len(template.grades) != 1:
        print("参数错误：请用 --grade 指定测试年级（样本文件没有 stage 列）", file=sys.stderr)
        return 2
    capacity, spares = cycle_room_settings(template)
    try:
        table, room_table, notes = build_seating(
            sampled,
            labs,
            template,
            grade=args.grade,
            offset=args.offset,
            capacity=capacity,
            spare_pcs=spares,
        )
    except ValueError as exc:
        print(str(exc), file=sys.stderr)
        return 1
    if not args.quiet:
        for school, reason in notes:
            print(f"{school}：{reason}")
    path = Path(args.out)
    path.parent.mkdir(parents=True, exist_ok=True)
    table.write_csv(path, include_bom=True)
    if args.rooms_out:
        room_table.write_csv(args.rooms_out, include_bom=True)
    if not args.quiet:
        rooms = room_table.height
        computer = room_table.filter(pl.col("room_kind") == "computer").height
        print(
            f"{room_table['school_id'].n_unique()} 所学校，{table.height} 名学生，{rooms} 间监测室"
            f"（计算机 {computer} 间，纸笔 {rooms - computer} 间）；"
            f"每间至多 {capacity} 人，计算机教室备用 {spares} 台；座位表已写入 {path}"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
