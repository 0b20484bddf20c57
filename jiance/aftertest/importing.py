"""The tested-students spreadsheet: a template prefilled with the sampled students and their
current attendance, and the check of an uploaded file (row, column and reason in Chinese)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.utils.translation import gettext as _

from jiance.aftertest.models import AbsenceReason, Attendance, TestedStudent
from jiance.aftertest.services import RowInput
from jiance.spreadsheets import (
    Column,
    SheetError,
    TemplateSpec,
    build_template,
    cell_text,
    read_sheet,
    write_rows,
)

# The file's vocabulary is the Chinese of the template, whatever the interface language.
ATTENDANCE_BY_LABEL = {"参加": Attendance.PRESENT, "部分缺考": Attendance.PARTIAL, "缺考": Attendance.ABSENT}
REASON_BY_LABEL = {"病假": AbsenceReason.SICK, "事假": AbsenceReason.PERSONAL, "转学": AbsenceReason.TRANSFERRED,
                   "其他": AbsenceReason.OTHER}
ATTENDANCE_LABEL: dict[str, str] = {v: k for k, v in ATTENDANCE_BY_LABEL.items()}
REASON_LABEL: dict[str, str] = {v: k for k, v in REASON_BY_LABEL.items()}


def columns(sessions: list[dict[str, str]]) -> list[Column]:
    names = "、".join(s["name"] for s in sessions)
    return [
        Column("row", "序号", width=8),
        Column("student_no", "学号", width=14),
        Column("roster_name", "姓名", width=12),
        Column("roster_sex", "性别", required=False, width=8),
        Column("roster_class", "班级", required=False, width=16),
        Column("attendance", "参加情况", choices=list(ATTENDANCE_BY_LABEL), width=12),
        Column("sessions", "缺考场次", required=False, width=30,
               help=_("部分缺考时填写缺考的场次名称，多个用顿号分隔；可选：%(s)s") % {"s": names}),
        Column("reason", "缺考原因", required=False, choices=list(REASON_BY_LABEL), width=12,
               help=_("缺考或部分缺考时必填")),
        Column("note", "备注", required=False, width=24, help=_("缺考原因为“其他”时必填")),
        Column("name", "更正姓名", required=False, width=12, help=_("名单有误时填写正确姓名，否则留空")),
        Column("sex", "更正性别", required=False, choices=["男", "女"], width=10),
        Column("class_name", "更正班级", required=False, width=16),
    ]


def template(students: list[TestedStudent], sessions: list[dict[str, str]], title: str) -> bytes:
    code_to_name = {s["code"]: s["name"] for s in sessions}
    rows = []
    for t in students:
        s = t.sampled.student
        rows.append([
            t.row, s.student_no, s.name, s.sex, s.class_name, ATTENDANCE_LABEL[t.attendance],
            "、".join(code_to_name.get(c, c) for c in t.absent_sessions) if t.attendance == Attendance.PARTIAL else "",
            REASON_LABEL.get(t.reason, ""), t.note, t.name, t.sex, t.class_name,
        ])
    spec = TemplateSpec(title=title, columns=columns(sessions), instructions=[
        _("每名抽样学生一行（含缺考学生），请勿增删行，勿修改序号、学号和姓名列。"),
        _("参加情况：参加 / 部分缺考 / 缺考；缺考和部分缺考必须填写缺考原因（病假/事假/转学/其他）。"),
        _("名单中的姓名、性别、班级有误时，在“更正”列填写正确值；原名单不会被覆盖，更正会被记录。"),
        _("导入时整份文件全部正确才会生效；有错误时不导入任何一行，可下载被拒绝的行及原因。"),
    ])
    return build_template(spec, rows)


@dataclass
class CheckResult:
    rows: list[tuple[int, int, RowInput]] = field(default_factory=list)
    errors: list[tuple[int, str, str]] = field(default_factory=list)
    raw: list[tuple[int, dict[str, Any]]] = field(default_factory=list)


def check_upload(content: bytes, students: list[TestedStudent], sessions: list[dict[str, str]]) -> CheckResult:
    """Match each row to a sampled student (序号 + 学号 + 姓名) and read its values."""
    cols = columns(sessions)
    headers = {c.key: c.header for c in cols}
    by_row = {t.row: t for t in students}
    name_to_code = {s["name"]: s["code"] for s in sessions} | {s["code"]: s["code"] for s in sessions}
    out = CheckResult()
    seen: dict[int, int] = {}
    try:
        sheet_rows = list(read_sheet(content, cols, kind="aftertest"))
    except SheetError as exc:
        out.errors.append((1, "", str(exc)))
        return out
    for sr in sheet_rows:
        v = {k: cell_text(x) for k, x in sr.values.items()}
        out.raw.append((sr.number, {headers[k]: v.get(k, "") for k in headers}))
        n = sr.number

        def err(key: str, reason: str, n: int = n) -> None:
            out.errors.append((n, headers[key], reason))

        try:
            t = by_row.get(int(v.get("row") or "0"))
        except ValueError:
            t = None
        if t is None:
            err("row", _("序号不在本校抽样学生名单中"))
            continue
        student = t.sampled.student
        if v.get("student_no") != student.student_no or v.get("roster_name") != student.name:
            err("student_no", _("序号 %(row)s 对应的学号、姓名应为 %(no)s %(name)s，与名单不一致")
                % {"row": t.row, "no": student.student_no, "name": student.name})
            continue
        if t.row in seen:
            err("row", _("与第 %(other)s 行重复") % {"other": seen[t.row]})
            continue
        seen[t.row] = n
        attendance = ATTENDANCE_BY_LABEL.get(v.get("attendance", ""))
        if attendance is None:
            err("attendance", _("只能填“参加”“部分缺考”或“缺考”"))
            continue
        reason = ""
        if v.get("reason"):
            reason = REASON_BY_LABEL.get(v["reason"], "")
            if not reason:
                err("reason", _("只能填病假、事假、转学或其他"))
                continue
        missed = []
        for part in [p.strip() for p in v.get("sessions", "").replace(",", "、").replace("，", "、").split("、")]:
            if not part:
                continue
            if part not in name_to_code:
                err("sessions", _("没有名为“%(s)s”的场次") % {"s": part})
                break
            missed.append(name_to_code[part])
        else:
            out.rows.append((n, t.pk, RowInput(
                attendance=attendance, absent_sessions=missed, reason=reason, note=v.get("note", ""),
                name=v.get("name", ""), sex=v.get("sex", ""), class_name=v.get("class_name", ""),
            )))
    missing = [t for t in students if t.row not in seen]
    if missing and not out.errors:
        shown = "、".join(f"{t.row}（{t.sampled.student.name}）" for t in missing[:10])
        out.errors.append((1, headers["row"], _("文件缺少抽样学生：序号 %(s)s") % {"s": shown}))
    return out


def rejected_workbook(rows: list[list[Any]], sessions: list[dict[str, str]]) -> bytes:
    headers = [c.header for c in columns(sessions)]
    body = [[n, *(values.get(h, "") for h in headers), "；".join(reasons)] for n, values, reasons in rows]
    return write_rows("被拒绝的行", ["原行号", *headers, "错误原因"], body)
