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
from pathlib import Path

import polars as pl

from jiance_core.cycles.loader import SHIPPED_TEMPLATES_DIR, TemplateError, load_template
from jiance_core.cycles.schema import CycleTemplate
from jiance_core.errors import RowError, ValidationFailed
from jiance_core.rooms.booklets import SubjectForms, booklet_form, subjects_with_forms
from jiance_core.rooms.rooms import (
    DEFAULT_CAPACITY,
    DEFAULT_SPARE_PCS,
    ComputerRoom,
    Orientation,
    RoomPlan,
    plan_rooms,
)

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


def spare_pcs_of(template: CycleTemplate) -> int:
    ss = template.sample_size
    if ss.computer_spare_pcs is not None:
        return ss.computer_spare_pcs
    if ss.questionnaire_room_spare_pcs_min is not None:
        return ss.questionnaire_room_spare_pcs_min
    return DEFAULT_SPARE_PCS


def _student_label(name: str | None, number: str | None) -> str:
    name, number = (name or "").strip(), (number or "").strip()
    if name and number:
        return f"{name}（{number}）"
    return name or number


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

    grade_of_stage: dict[str, int] = {str(stage): g for stage, g in template.grades.items()}
    if (
        args.grade is None
        and "stage" not in sampled.columns
        and len(set(grade_of_stage.values())) != 1
    ):
        print("参数错误：请用 --grade 指定测试年级（样本文件没有 stage 列）", file=sys.stderr)
        return 2
    capacity = template.sample_size.room_capacity or DEFAULT_CAPACITY
    spares = spare_pcs_of(template)
    all_subjects: dict[int, list[SubjectForms]] = {
        g: subjects_with_forms(template, g) for g in set(grade_of_stage.values())
    }
    if args.grade is not None:
        all_subjects[args.grade] = subjects_with_forms(template, args.grade)
    subject_names: list[str] = []
    for forms in all_subjects.values():
        for s in forms:
            if s.name not in subject_names:
                subject_names.append(s.name)

    sampled = sampled.with_row_index("_i")
    schools = sampled.group_by("school_id", maintain_order=True).agg(pl.col("_i"))
    col = {c: sampled[c].to_list() for c in sampled.columns if c != "_i"}
    names = col.get("name") or [None] * sampled.height
    numbers = col.get("student_no") or [None] * sampled.height
    stages = col.get("stage")

    out: dict[str, list[object]] = defaultdict(list)
    booklet_cols = {n: f"booklet_{n}" for n in subject_names}
    room_rows: dict[str, list[object]] = defaultdict(list)
    errors: list[str] = []
    notes = 0
    for school, idx in schools.iter_rows():
        school = (school or "").strip()
        if not school:
            errors.append("样本文件中有学校代码为空的学生")
            continue
        grade = args.grade
        if grade is None:
            stage = (stages[idx[0]] or "").strip() if stages else ""
            only = set(grade_of_stage.values())
            grade = grade_of_stage.get(stage) if stage else (only.pop() if len(only) == 1 else None)
            if grade is None:
                errors.append(
                    f"学校 {school} 的学段“{stage}”不在模板 {template.code} 中，请用 --grade 指定"
                )
                continue
        subjects = all_subjects.get(grade) or subjects_with_forms(template, grade)
        plan: RoomPlan = plan_rooms(
            len(idx), labs.get(school, ()), capacity=capacity, spare_pcs=spares
        )
        for reason in plan.reasons:
            notes += 1
            if not args.quiet:
                print(f"{school}：{reason}")
        for room in plan.rooms:
            lab = room.computer_room
            room_rows["school_id"].append(school)
            room_rows["room"].append(room.name)
            room_rows["room_kind"].append(room.kind)
            room_rows["computer_room"].append(lab.name if lab else None)
            room_rows["students"].append(room.students)
            room_rows["pcs"].append(lab.pcs if lab else None)
            room_rows["spare_pcs"].append(lab.pcs - room.students if lab else None)
            room_rows["rows"].append(room.layout.rows)
            room_rows["columns"].append(room.layout.columns)
            room_rows["pattern"].append(room.layout.pattern)
            room_rows["note"].append("；".join(plan.reasons) if room.number == 1 else None)
        by_name = {s.name: s for s in subjects}
        for (room, seat, row, column), i in zip(plan.assignments(), idx, strict=True):
            out["school_id"].append(school)
            out["room"].append(room.name)
            out["room_kind"].append(room.kind)
            out["seat"].append(f"{seat:02d}")
            out["row"].append(row)
            out["column"].append(column)
            out["student"].append(_student_label(names[i], numbers[i]))
            for subject_name, column_name in booklet_cols.items():
                sf = by_name.get(subject_name)
                if sf is None:
                    out[column_name].append(None)
                    continue
                form = booklet_form(seat, sf.forms, args.offset)
                card = f" / 答题卡-{form}" if sf.paired else ""
                out[column_name].append(f"{sf.name}-{form}{card}")
            out["computer_room"].append(room.computer_room.name if room.computer_room else None)
            for extra in ("school_name", "class", "student_no", "name"):
                if extra in col:
                    out[extra].append(col[extra][i])
    if errors:
        for message in errors:
            print(message, file=sys.stderr)
        return 1
    columns = ["school_id", "room", "room_kind", "seat", "row", "column", "student"]
    columns += [*booklet_cols.values(), "computer_room"]
    columns += [c for c in ("school_name", "class", "student_no", "name") if c in col]
    schema = {c: (pl.Int64 if c in ("row", "column") else pl.String) for c in columns}
    table = pl.DataFrame({c: out.get(c, []) for c in columns}, schema=schema)
    path = Path(args.out)
    path.parent.mkdir(parents=True, exist_ok=True)
    table.write_csv(path, include_bom=True)
    if args.rooms_out:
        room_schema = {
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
        pl.DataFrame({c: room_rows.get(c, []) for c in room_schema}, schema=room_schema).write_csv(
            args.rooms_out, include_bom=True
        )
    if not args.quiet:
        rooms = len(room_rows["room"])
        computer = sum(1 for k in room_rows["room_kind"] if k == "computer")
        print(
            f"{schools.height} 所学校，{table.height} 名学生，{rooms} 间监测室"
            f"（计算机 {computer} 间，纸笔 {rooms - computer} 间）；"
            f"每间至多 {capacity} 人，计算机教室备用 {spares} 台；座位表已写入 {path}"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
