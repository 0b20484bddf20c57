"""The official tables of the implementation documents, defined in one place.

A table kind's data comes from the app that owns it when one registered a provider
(`jiance.apps_registry.document_table_provider(code)`, e.g. the leadership group list from the
staffing app); otherwise the unit fills a simple form whose fields are listed here (`FORMS`),
until the platform holds that data itself (custody ledger, incidents). A self-check list is
printed the same way. Every table ends as one `DocumentTable`, printed by `printing.py`.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Literal

from django.utils.translation import gettext as _

from jiance.apps_registry import DocumentTable, document_table_provider
from jiance.documents.kinds import Kind

FieldKind = Literal["text", "textarea", "int", "date", "choice", "rows"]
PHONE = re.compile(r"^[0-9０-９()（）+\-—－ 、，,转]{7,40}$")


@dataclass(frozen=True)
class Field:
    key: str
    label: str
    kind: FieldKind = "text"
    required: bool = True
    choices: tuple[str, ...] = ()
    columns: tuple[str, ...] = ()  # a "rows" field: one line per row, cells split by ，/,/tab
    required_if: tuple[str, str] | None = None  # (field, value): required only then


@dataclass(frozen=True)
class FormSpec:
    fields: tuple[Field, ...]
    help: str = ""


def _incident() -> FormSpec:
    when = ("occurred", "有")
    return FormSpec((
        Field("occurred", "是否发生应急事件", "choice", choices=("无", "有")),
        Field("grade", "事件等级", "choice", required=False, choices=("一般", "较大", "重大"), required_if=when),
        Field("at", "发生时间", required=False, required_if=when),
        Field("place", "发生地点（学校、监测室）", required=False, required_if=when),
        Field("what", "事件经过", "textarea", required=False, required_if=when),
        Field("handling", "处置情况及结果", "textarea", required=False, required_if=when),
        Field("reported_to", "已报告的上级部门及时间", required=False),
    ), help="未发生应急事件的，选择“无”后提交（零报告）。")


def _members(what: str) -> FormSpec:
    return FormSpec((Field("members", what, "rows", columns=("姓名", "职务", "工作单位及职务", "联系电话")),),
                    help="每行一人，各项之间用逗号或制表符分隔：姓名，职务，工作单位及职务，联系电话。")


FORMS: dict[str, FormSpec] = {
    "group_list": _members("领导小组成员"),
    "staff_list": _members("测试工作人员"),
    "training_report": FormSpec((
        Field("date", "培训日期", "date"),
        Field("place", "培训地点"),
        Field("trainees", "参训人数", "int"),
        Field("schools", "参训样本校数", "int"),
        Field("roles", "参训人员（校长、责任督学、主监测员、监测员、信息员等）"),
        Field("content", "培训内容", "textarea"),
        Field("remark", "备注", "textarea", required=False),
    ), help="培训照片另行上传。"),
    "practice_report": FormSpec((
        Field("paper_times", "纸笔测试模拟练习（次）", "int"),
        Field("paper_students", "纸笔测试练习参加学生（人次）", "int"),
        Field("computer_times", "计算机测试模拟练习（次）", "int"),
        Field("computer_students", "计算机测试练习参加学生（人次）", "int"),
        Field("questionnaire_times", "网络问卷填答练习（次）", "int"),
        Field("singing_times", "演唱和口语测试练习（次）", "int"),
        Field("pe_times", "体育测试练习（次）", "int", required=False),
        Field("card_practice", "填答卡填涂练习是否完成", "choice", choices=("已完成", "未完成")),
        Field("problems", "发现的问题及改进措施", "textarea", required=False),
    )),
    "tools_custody_report": FormSpec((
        Field("received_on", "接收日期", "date"),
        Field("receiver", "接收人"),
        Field("boxes", "监测工具箱（箱）", "int"),
        Field("envelopes", "名册密件与条码袋（袋）", "int"),
        Field("intact", "包装是否完好", "choice", choices=("完好", "有破损")),
        Field("damage", "破损情况说明", "textarea", required=False, required_if=("intact", "有破损")),
        Field("room", "保管地点（保密室）"),
        Field("measures", "保管措施（双人双锁、24 小时值班等）", "textarea"),
    )),
    "tools_return_report": FormSpec((
        Field("returned_on", "回邮日期", "date"),
        Field("post_office", "机要邮寄部门"),
        Field("boxes", "回邮监测工具箱（箱）", "int"),
        Field("schools", "已收回工具的样本校数", "int"),
        Field("escort", "专人专车押运人员"),
        Field("missing", "缺失或损坏情况", "textarea", required=False),
    )),
    "test_record": FormSpec((
        Field("test_date", "测试日期", "date"),
        Field("rooms", "测试教室数", "int"),
        Field("expected", "应测学生数", "int"),
        Field("tested", "实测学生数", "int"),
        Field("absent", "缺考学生数", "int"),
        Field("started", "测试开始时间"),
        Field("ended", "测试结束时间"),
        Field("course", "测试过程情况", "textarea"),
        Field("incidents", "应急事件", "choice", choices=("无", "有（另报应急事件报告表）")),
    )),
    "incident_report": _incident(),
}
FORM_OF_SUFFIX = (
    ("group_list", "group_list"), ("staff_list", "staff_list"), ("training_report", "training_report"),
    ("practice_report", "practice_report"), ("tools_custody_report", "tools_custody_report"),
    ("tools_return_report", "tools_return_report"), ("test_record", "test_record"),
    ("incident_report", "incident_report"),
)
GENERIC = FormSpec((Field("rows", "表格内容", "rows", columns=("项目", "内容")),),
                   help="每行一项：项目，内容。")


def form_spec(kind: Kind) -> FormSpec | None:
    """The form the unit fills for a table kind the platform has no data for (None: provided)."""
    if kind.form != "table" or document_table_provider(kind.code) is not None:
        return None
    for suffix, key in FORM_OF_SUFFIX:
        if kind.code.endswith(suffix):
            return FORMS[key]
    return GENERIC


def split_row(line: str) -> list[str]:
    return [c.strip() for c in re.split(r"[，,\t]", line)]


def _required(f: Field, data: Mapping[str, Any]) -> bool:
    if f.required_if is not None:
        return str(data.get(f.required_if[0], "")) == f.required_if[1]
    return f.required


def clean_form(spec: FormSpec, posted: Mapping[str, Any]) -> tuple[dict[str, str], list[str]]:
    """The posted values (text, trimmed) and what is wrong with them: a value of the wrong type
    refuses the save; a missing value is only reported (the draft may be incomplete)."""
    out: dict[str, str] = {}
    errors: list[str] = []
    for f in spec.fields:
        v = str(posted.get(f.key, "") or "").strip()[:4000]
        if v and f.kind == "int":
            if not v.isdigit():
                errors.append(_("%(label)s：请填写非负整数") % {"label": f.label})
        elif v and f.kind == "date":
            try:
                dt.date.fromisoformat(v)
            except ValueError:
                errors.append(_("%(label)s：日期格式应为 年-月-日") % {"label": f.label})
        elif v and f.kind == "choice" and v not in f.choices:
            errors.append(_("%(label)s：请从选项中选择") % {"label": f.label})
        elif v and f.kind == "rows":
            for n, line in enumerate((ln for ln in v.splitlines() if ln.strip()), start=1):
                if len(split_row(line)) > len(f.columns):
                    errors.append(_("%(label)s 第 %(n)s 行：多于 %(k)s 项") % {"label": f.label, "n": n, "k": len(f.columns)})
        out[f.key] = v
    return out, errors


def form_missing(spec: FormSpec, data: Mapping[str, Any]) -> list[str]:
    return [_("请填写“%(label)s”") % {"label": f.label} for f in spec.fields
            if _required(f, data) and not str(data.get(f.key, "") or "").strip()]


def checklist_missing(kind: Kind, data: Mapping[str, Any]) -> list[str]:
    answers = data.get("items") or {}
    out = []
    for i, item in enumerate(kind.items):
        a = answers.get(str(i)) or {}
        if item.answer == "phone":
            if not PHONE.match(str(a.get("value", "")).strip()):
                out.append(_("第 %(n)s 项“%(text)s”：请填写电话号码") % {"n": i + 1, "text": item.text})
        elif not a.get("done") and not str(a.get("note", "")).strip():
            out.append(_("第 %(n)s 项“%(text)s”：请勾选已完成，或在说明中写明未完成的原因")
                       % {"n": i + 1, "text": item.text})
    return out


def _form_table(spec: FormSpec, data: Mapping[str, Any]) -> tuple[tuple[str, ...], list[tuple[str, ...]], list[str]]:
    rows_field = next((f for f in spec.fields if f.kind == "rows"), None)
    if rows_field is not None:
        width = len(rows_field.columns)
        rows = [tuple((split_row(ln) + [""] * width)[:width])
                for ln in str(data.get(rows_field.key, "")).splitlines() if ln.strip()]
        notes = [f"{f.label}：{data.get(f.key, '')}" for f in spec.fields if f is not rows_field]
        return ("序号", *rows_field.columns), [(str(i), *r) for i, r in enumerate(rows, start=1)], notes
    return ("项目", "填报内容"), [(f.label, str(data.get(f.key, "") or "")) for f in spec.fields], []


def document_table(*, kind: Kind, cycle: Any, unit: Any, data: Mapping[str, Any]) -> DocumentTable | None:
    """The official table of `kind` for `unit`: the provider's, the form's, or the self-check
    list's; None for a kind without one (a document, a scan)."""
    title = kind.name
    if kind.form == "checklist":
        answers = data.get("items") or {}
        rows: list[tuple[str, ...]] = []
        for i, item in enumerate(kind.items):
            a = answers.get(str(i)) or {}
            if item.answer == "phone":
                rows.append((str(i + 1), item.text, str(a.get("value", "")), str(a.get("note", ""))))
            else:
                rows.append((str(i + 1), item.text, "√" if a.get("done") else "", str(a.get("note", ""))))
        return DocumentTable(title=title, header=("序号", "检查项目", "完成情况", "说明"), rows=tuple(rows),
                             unit=unit.name, attachment=kind.attachment)
    if kind.form != "table":
        return None
    provider = document_table_provider(kind.code)
    if provider is not None:
        return provider(cycle=cycle, unit=unit)
    spec = form_spec(kind)
    assert spec is not None
    header, rows, notes = _form_table(spec, data)
    return DocumentTable(title=title, header=header, rows=tuple(rows), unit=unit.name, notes=tuple(notes),
                         attachment=kind.attachment)
