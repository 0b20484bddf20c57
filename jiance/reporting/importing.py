"""The 属地学校信息 spreadsheet: its template, and checking an upload before anything is written.

`check_upload` reads every row and reports every problem with the real spreadsheet row number,
the column header and a reason in Chinese; it never touches the database beyond the schools it
is given, so the import service can run it inside or outside its transaction.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from jiance.reporting.models import STAGE_NAMES, STAGES, FrameRecord
from jiance.spreadsheets import (
    Column,
    SheetError,
    SheetRow,
    TemplateSpec,
    build_template,
    cell_text,
    read_sheet,
    write_rows,
)
from jiance.units.models import SCHOOL_TYPE_STAGES, Affiliation, Area, Nature, SchoolType, Unit

NUMBER_FIELDS = ("primary_students", "primary_classes", "junior_students", "junior_classes")
CHOICE_FIELDS = {
    "school_type": SchoolType.values,
    "nature": Nature.values,
    "area": Area.values,
    "affiliation": Affiliation.values,
}
ERROR_COLUMN = "错误原因"


def frame_columns(grades: dict[str, int]) -> list[Column]:
    p, j = grades["primary"], grades["junior"]
    return [
        Column("school_code", "学校代码", help="本县学校的代码，见“代码表”；每所学校一行，不能重复", width=16),
        Column("school_name", "学校名称", required=False, help="仅供核对，以学校代码为准", width=30),
        Column("school_type", "学校类型", choices=SchoolType.values, help="小学、初中、九年一贯制、完全中学、十二年一贯制"),
        Column("nature", "办学性质", choices=Nature.values, help="公办或民办"),
        Column("area", "城乡区域", choices=Area.values, help="城区、镇区或乡村"),
        Column("affiliation", "隶属关系", choices=Affiliation.values,
               help="县属、局属（市教育局直属）、省属、市管民办、其他；属地学校一律由所在县（区）填报"),
        Column("primary_students", f"{p}年级学生数", required=False,
               help=f"小学测试年级（{p}年级）在校学生数，非负整数；没有小学学段的学校填 0 或留空"),
        Column("primary_classes", f"{p}年级班级数", required=False,
               help=f"小学测试年级（{p}年级）班级数，非负整数；有学生时不能为 0"),
        Column("junior_students", f"{j}年级学生数", required=False,
               help=f"初中测试年级（{j}年级）在校学生数，非负整数；没有初中学段的学校（小学）填 0 或留空"),
        Column("junior_classes", f"{j}年级班级数", required=False,
               help=f"初中测试年级（{j}年级）班级数，非负整数；有学生时不能为 0"),
        Column("note", "备注", required=False, width=30, help="选填，200 字以内"),
    ]


def frame_template_spec(*, county: Unit, grades: dict[str, int], schools: Sequence[Unit]) -> TemplateSpec:
    p, j = grades["primary"], grades["junior"]
    return TemplateSpec(
        title=f"{county.name}属地学校信息填报表",
        columns=frame_columns(grades),
        instructions=[
            "按属地原则，本县（区）域内所有义务教育学校（含局属学校、省属事业单位办学校、市管民办学校）都要填报，每校一行。",
            "表中已列出本县全部学校及其现有信息，请逐校核对并填写测试年级学生数和班级数。",
            f"小学测试年级为 {p} 年级，初中测试年级为 {j} 年级。小学只填{p}年级，初中和完全中学只填{j}年级，"
            "九年一贯制和十二年一贯制学校两个学段都填。",
            "学生数和班级数为非负整数；有学生时班级数不能为 0；平均每班超过 60 人的请核实。",
            "上传后系统先检查全部数据并显示将新增、修改的内容，确认后才会导入；有任何错误时不导入任何数据。",
        ],
        codes={
            "本县学校（学校代码 / 学校名称）": [(s.code, s.name) for s in schools],
            "学校类型": [(v, _stages_text(v)) for v in SchoolType.values],
            "办学性质": [(v, "") for v in Nature.values],
            "城乡区域": [(v, "") for v in Area.values],
            "隶属关系": [(v, str(label)) for v, label in Affiliation.choices],
        },
    )


def _stages_text(school_type: str) -> str:
    return "、".join(STAGE_NAMES[s] for s in SCHOOL_TYPE_STAGES.get(school_type, ())) + "学段"


def build_frame_template(
    *, county: Unit, grades: dict[str, int], schools: Sequence[Unit],
    records: dict[int, FrameRecord],
) -> bytes:
    """The template prefilled with every school of the county and what is already reported."""
    rows = []
    for s in schools:
        r = records.get(s.pk)
        if r is not None:
            rows.append([
                s.code, s.name, r.school_type, r.nature, r.area, r.affiliation,
                r.primary_students, r.primary_classes, r.junior_students, r.junior_classes, r.note,
            ])
        else:
            rows.append([s.code, s.name, s.school_type, s.nature, s.area, s.affiliation, "", "", "", "", ""])
    return build_template(frame_template_spec(county=county, grades=grades, schools=schools), rows)


@dataclass(frozen=True)
class Problem:
    row: int
    column: str
    kind: str
    reason: str
    value: str = ""

    def __str__(self) -> str:
        where = f"第 {self.row} 行" if self.row else "文件"
        col = f"“{self.column}”列" if self.column else ""
        return f"{where}{col}：{self.reason}"


@dataclass
class ParsedRow:
    row: int
    school: Unit
    values: dict[str, Any]


@dataclass
class CheckResult:
    rows: list[ParsedRow] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    raw: list[SheetRow] = field(default_factory=list)
    columns: list[Column] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems

    def by_kind(self) -> list[tuple[str, int, list[Problem]]]:
        """Problems grouped by kind, largest group first, each in row order."""
        counts = Counter(p.kind for p in self.problems)
        groups = []
        for kind, n in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0])):
            items = sorted((p for p in self.problems if p.kind == kind), key=lambda p: (p.row, p.column))
            groups.append((kind, n, items))
        return groups

    def rejected_rows(self) -> list[int]:
        return sorted({p.row for p in self.problems if p.row})


def _parse_count(text: str) -> int | None:
    """A non-negative integer from a cell, or None when it is not one."""
    t = text.replace(",", "").strip()
    if t.endswith(".0"):
        t = t[:-2]
    if not t.isdigit():
        return None
    return int(t)


def check_upload(
    content: bytes, *, county: Unit, grades: dict[str, int], schools: Iterable[Unit],
    is_known_school: Callable[[str], bool] | None = None,
) -> CheckResult:
    """Check every row of an uploaded frame.

    `schools` are the county's schools; `is_known_school(code)` says whether a code belongs to a
    school elsewhere, so a school of another county is told apart from a code that does not exist
    (without naming it).
    """
    columns = frame_columns(grades)
    header = {c.key: c.header for c in columns}
    result = CheckResult(columns=columns)
    try:
        result.raw = list(read_sheet(content, columns, kind="frame"))
    except SheetError as exc:
        result.problems.append(Problem(0, "", "文件无法读取", str(exc)))
        return result
    if not result.raw:
        result.problems.append(Problem(0, "", "文件没有数据", "“数据”工作表中没有任何学校行"))
        return result
    by_code = {s.code: s for s in schools}
    seen: dict[str, int] = {}
    for sheet_row in result.raw:
        n = sheet_row.number
        before = len(result.problems)

        def add(key: str, kind: str, reason: str, value: str = "", n: int = n) -> None:
            result.problems.append(Problem(n, header.get(key, key), kind, reason, value))

        texts = {k: cell_text(v) for k, v in sheet_row.values.items()}
        code = texts.get("school_code", "")
        school = None
        if not code:
            add("school_code", "缺少必填项", "学校代码不能为空")
        elif code in seen:
            add("school_code", "学校代码重复", f"学校代码 {code} 与第 {seen[code]} 行重复", code)
        else:
            seen[code] = n
            school = by_code.get(code)
            if school is None:
                reason = (
                    f"学校代码 {code} 的学校不属于{county.name}，请由其所在县（区）填报"
                    if is_known_school is not None and is_known_school(code)
                    else f"学校代码 {code} 不是{county.name}的学校（见“代码表”）"
                )
                add("school_code", "学校不属于本县", reason, code)
        values: dict[str, Any] = {}
        for key, choices in CHOICE_FIELDS.items():
            text = texts.get(key, "")
            if not text:
                add(key, "缺少必填项", f"{header[key]}不能为空")
            elif text not in choices:
                add(key, "选项不在下拉列表中", f"“{text}”不是有效的{header[key]}，应为：{'、'.join(choices)}", text)
            else:
                values[key] = text
        for key in NUMBER_FIELDS:
            text = texts.get(key, "")
            if text == "":
                values[key] = None
                continue
            number = _parse_count(text)
            if number is None:
                kind = "学生数不是非负整数" if key.endswith("students") else "班级数不是非负整数"
                add(key, kind, f"“{text}”不是非负整数", text)
            else:
                values[key] = number
        note = texts.get("note", "")
        if len(note) > 200:
            add("note", "备注过长", f"备注有 {len(note)} 字，最多 200 字")
        values["note"] = note[:200]
        school_type = values.get("school_type")
        numbers_ok = all(key in values for key in NUMBER_FIELDS)
        if school_type:
            stages = SCHOOL_TYPE_STAGES.get(school_type, ())
            for stage in stages:
                key = f"{stage}_students"
                if key in values and values[key] is None:
                    add(key, "缺少必填项", f"{school_type}须填写{header[key]}（没有学生填 0）")
                    numbers_ok = False
        if school_type and numbers_ok:
            # The record's own rules, also when other cells of the row are wrong: list them all.
            record = FrameRecord(
                school=school,
                **{k: (values[k] or 0) if k in NUMBER_FIELDS else values.get(k, "") for k in FrameRecord.DATA_FIELDS},
            )
            for key, kind, reason in record.problems(grades):
                add(key, kind, reason)
            if len(result.problems) == before and school is not None:
                result.rows.append(ParsedRow(n, school, {k: getattr(record, k) for k in FrameRecord.DATA_FIELDS}))
    return result


def rejected_workbook(result: CheckResult) -> bytes:
    """The rows with problems, as uploaded, plus 原行号 and 错误原因 columns."""
    reasons: dict[int, list[str]] = {}
    for p in result.problems:
        if p.row:
            reasons.setdefault(p.row, []).append(f"{p.column}：{p.reason}" if p.column else p.reason)
    headers = ["原行号", *[c.header for c in result.columns], ERROR_COLUMN]
    rows = []
    for sheet_row in result.raw:
        if sheet_row.number in reasons:
            rows.append([
                sheet_row.number,
                *[cell_text(sheet_row.values.get(c.key)) for c in result.columns],
                "；".join(reasons[sheet_row.number]),
            ])
    return write_rows("未通过检查的行", headers, rows)


__all__ = [
    "ERROR_COLUMN",
    "STAGES",
    "CheckResult",
    "ParsedRow",
    "Problem",
    "build_frame_template",
    "check_upload",
    "frame_columns",
    "frame_template_spec",
    "rejected_workbook",
]
