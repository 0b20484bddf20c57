"""The edit pages of a cycle, one per section of its template: which fields each shows, how the
posted form becomes template data again, and which schema issue belongs to which row and field.

A table section posts its rows as parallel lists (one value per row for every column) plus a
`row` key per row: the index of the row in the template the page was built from, or `new-…` for
an added row. A saved row starts from its original (fields the page does not show — a session's
respondents, a milestone's `done_when` — stay as they were) and takes the posted values over it;
empty inputs become "not given". The schema (pydantic + `check_rules`) does all checking:
an issue `windows[2].end` lands on row 3's end field, `windows[2]` on row 3, anything else in the
list above the form.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass, field
from typing import Any

from django.utils.translation import gettext_lazy as _

from jiance.apps_registry import milestone_events
from jiance_core.cycles.editing import describe_path, section_of
from jiance_core.cycles.schema import LEVEL_NAMES, LEVELS, PHASE_NAMES, Issue, done_when_conditions

LEVEL_CHOICES = tuple((k, v) for k, v in LEVEL_NAMES.items())
WINDOW_KINDS = (
    ("school_frame", _("属地学校信息上报")), ("office_staff", _("实施办工作人员信息")),
    ("sample_confirmation", _("样本校名单确认")), ("student_roster", _("测试年级学生信息")),
    ("teacher_roster", _("测试年级教师信息")), ("room_types", _("监测教室类型")),
    ("proctors", _("监测员、巡视员名单")), ("tested_students", _("测试生基本信息")),
)
YES_NO = (("", _("否")), ("true", _("是")))


@dataclass(frozen=True)
class Column:
    name: str  # the field, dotted for nested ones: "primary.start", "release.day"
    label: Any
    kind: str = "text"  # text | textarea | date | time | int | float | select | bool | readonly | datelist
    choices: tuple[tuple[str, Any], ...] = ()
    blank: bool = True  # a select offers "—" (not given)
    required: bool = False  # an emptied text stays "" (the schema's own rule names it), not "not given"
    css: str = ""


@dataclass(frozen=True)
class Section:
    key: str
    label: Any
    root: str  # where the section lives in the template: "windows", "milestones.county", "" (basics)
    columns: tuple[Column, ...]
    table: bool = True
    addable: bool = True
    help: Any = ""

    @property
    def level(self) -> str | None:
        return self.key.split("-", 1)[1] if self.key.startswith("milestones-") else None


MILESTONE_COLUMNS = (
    Column("number", _("序号"), "int", css="narrow"),
    Column("phase", _("阶段"), "select", tuple(PHASE_NAMES.items()), blank=False),
    Column("start", _("开始"), "date"),
    Column("deadline", _("截止"), "date"),
    Column("task", _("工作任务"), "textarea", css="wide", required=True),
    Column("office", _("负责"), "text"),
    Column("done_when", _("自动完成"), "readonly"),
)

SECTIONS: dict[str, Section] = {
    s.key: s
    for s in [
        Section("basics", _("基本信息与日期"), "", (
            Column("name", _("名称"), css="wide"),
            Column("school_year", _("学年")),
            Column("test_days", _("测试日"), "datelist"),
            Column("release.day", _("样本学生名单发布日期"), "date"),
            Column("release.start", _("发布时刻"), "time"),
            Column("release.end", _("发布截止时刻"), "time"),
            Column("release.system", _("发布系统")),
        ), table=False),
        Section("sessions", _("测试场次"), "sessions", (
            Column("code", _("代码"), css="narrow"),
            Column("day", _("日期"), "date"),
            Column("name", _("名称"), css="wide"),
            Column("instrument", _("工具代码"), css="narrow"),
            Column("start", _("开始"), "time"),
            Column("end", _("结束"), "time"),
            Column("primary.start", _("小学开始"), "time"),
            Column("primary.end", _("小学结束"), "time"),
            Column("junior.start", _("初中开始"), "time"),
            Column("junior.end", _("初中结束"), "time"),
            Column("until_done", _("至全部完成"), "bool"),
            Column("minutes", _("时长（分钟）"), "int", css="narrow"),
        ), help=_("小学与初中时间相同时只填“开始/结束”；不同时填各学段的时间、留空“开始/结束”。")),
        Section("sample", _("样本量"), "sample_size", (
            Column("schools_per_unit.primary", _("每县小学样本校数"), "int"),
            Column("schools_per_unit.junior", _("每县初中样本校数"), "int"),
            Column("students_per_school", _("每校样本学生数"), "int"),
            Column("take_all_if_fewer", _("不足时全测"), "bool"),
            Column("room_capacity", _("监测室容量"), "int"),
            Column("computer_spare_pcs", _("计算机监测室备用机数"), "int"),
            Column("questionnaire_room_spare_pcs_min", _("问卷填答室最少备用机数"), "int"),
            Column("shortfall_rule", _("样本不足时的办法"), "textarea"),
            Column("note", _("说明"), "textarea"),
        ), table=False),
        Section("analysis", _("权重与方差"), "analysis", (
            Column("replicate_method", _("重复权重方法"), "select",
                   (("jk2", _("成对抽样区 JK2 刀切法（TIMSS 式）")), ("fay", _("Fay 平衡重复复制法（PISA 式）"))),
                   blank=False),
            Column("fay_replicates", _("Fay 重复权重个数"), "int"),
            Column("fay_rho", _("Fay 系数 k"), "float"),
            Column("trim_ratio", _("权重修剪倍数（0 为不修剪）"), "float"),
            Column("min_students", _("报告最少学生数"), "int"),
            Column("min_schools", _("报告最少学校数"), "int"),
        ), table=False, help=_("学生权重与重复权重按此生成（测试后的“权重”页面）；未设置时用 JK2。")),
        Section("windows", _("报送窗口"), "windows", (
            Column("kind", _("类别"), "select", WINDOW_KINDS, blank=False),
            Column("name", _("名称"), css="wide"),
            Column("reported_by", _("上报层级"), "select", LEVEL_CHOICES, blank=False),
            Column("reviewed_by", _("审核层级"), "select", LEVEL_CHOICES),
            Column("start", _("开始"), "date"),
            Column("end", _("截止"), "date"),
            Column("system", _("系统")),
        )),
        Section("documents", _("实施材料的时间"), "documents", (
            Column("name", _("材料"), "readonly", css="wide"),
            Column("start", _("提交开始"), "date"),
            Column("deadline", _("提交截止"), "date"),
            Column("review_start", _("审核开始"), "date"),
            Column("review_deadline", _("审核截止"), "date"),
        ), addable=False, help=_("这里只改提交与审核时间；材料种类随周期模板维护。")),
        *[
            Section(f"milestones-{level}", _("%(level)s工作节点") % {"level": LEVEL_NAMES[level]},
                    f"milestones.{level}", MILESTONE_COLUMNS,
                    help=_("完成记录按层级与序号保留：改序号会让该节点的完成记录失效。"))
            for level in LEVELS
        ],
    ]
}
ORDER = ("basics", "sessions", "sample", "analysis", "windows", "documents")


# --- reading and writing template data ------------------------------------------------------------

def _get(obj: Any, dotted: str) -> Any:
    for part in dotted.split("."):
        if not isinstance(obj, dict):
            return None
        obj = obj.get(part)
    return obj


def _set(obj: dict[str, Any], dotted: str, value: Any) -> None:
    parts = dotted.split(".")
    for part in parts[:-1]:
        child = obj.get(part)
        if not isinstance(child, dict):
            child = {}
            obj[part] = child
        obj = child
    if value is None:
        obj.pop(parts[-1], None)
    else:
        obj[parts[-1]] = value


def _prune(obj: dict[str, Any], names: list[str]) -> None:
    """Drop nested mappings left empty (a session without stage times has no `primary`)."""
    for name in names:
        head = name.split(".")[0]
        if "." in name and obj.get(head) == {}:
            obj.pop(head)


def rows_of(section: Section, config: dict[str, Any]) -> list[dict[str, Any]]:
    value = _get(config, section.root) if section.root else config
    return [r for r in value if isinstance(r, dict)] if isinstance(value, list) else []


def shown(column: Column, value: Any) -> str:
    """A stored value as the input shows it."""
    if value is None:
        return ""
    if column.kind == "bool":
        return "true" if value else ""
    if column.kind == "time" and isinstance(value, str):
        return value[:5]
    return str(value)


def parsed(column: Column, raw: str) -> Any:
    """A posted string as template data; the schema reports what cannot be read."""
    raw = raw.strip()
    if column.kind == "bool":
        return raw == "true"
    if raw == "":
        return "" if column.required else None
    if column.kind == "int":
        try:
            return int(raw)
        except ValueError:
            return raw  # the schema says "应为整数，现为 …"
    if column.kind == "float":
        try:
            return float(raw)
        except ValueError:
            return raw  # the schema says it is not a number
    return raw


class Tampered(ValueError):
    """A form whose lists do not line up: not one of our pages."""


@dataclass
class Row:
    key: str
    values: dict[str, str]  # column name -> shown value
    errors: dict[str, list[str]] = field(default_factory=dict)
    row_errors: list[str] = field(default_factory=list)
    readonly: dict[str, str] = field(default_factory=dict)


def posted_rows(section: Section, post: Any) -> list[Row]:
    keys = post.getlist("row")
    rows = [Row(k, {}) for k in keys]
    for col in section.columns:
        if col.kind == "readonly":
            continue
        values = post.getlist(f"c-{col.name}")
        if len(values) != len(keys):
            raise Tampered(col.name)
        for row, v in zip(rows, values, strict=True):
            row.values[col.name] = v
    return rows


def table_rows(section: Section, config: dict[str, Any]) -> list[Row]:
    rows = [
        Row(str(i), {c.name: shown(c, _get(r, c.name)) for c in section.columns})
        for i, r in enumerate(rows_of(section, config))
    ]
    if any(c.name == "done_when" for c in section.columns):
        for row, raw in zip(rows, rows_of(section, config), strict=True):
            row.values["done_when"] = done_when_label(_get(raw, "done_when"))
    return rows


def done_when_label(done_when: Any) -> str:
    """A milestone's conditions as people call them ("样本校名单已确认；实施材料审核通过：county_rules"),
    not their identifiers; a list of conditions joined."""
    events = milestone_events()
    out = []
    for condition in done_when_conditions(done_when):
        name, _colon, arg = condition.partition(":")
        event = events.get(name)
        label = str(event.label) if event is not None and event.label else name
        out.append(f"{label}：{arg}" if arg else label)
    return "；".join(out)


def apply_table(section: Section, config: dict[str, Any], rows: list[Row]) -> dict[str, Any]:
    """The config with the section's list replaced by the posted rows (each over its original)."""
    data = copy.deepcopy(config)
    originals = rows_of(section, config)
    out: list[dict[str, Any]] = []
    names = [c.name for c in section.columns if c.kind != "readonly"]
    for row in rows:
        index = int(row.key) if row.key.isdigit() and int(row.key) < len(originals) else None
        item = copy.deepcopy(originals[index]) if index is not None else {}
        for col in section.columns:
            if col.kind != "readonly":
                _set(item, col.name, parsed(col, row.values.get(col.name, "")))
        _prune(item, names)
        out.append(item)
    if section.level is not None:
        milestones = data.setdefault("milestones", {})
        if out:
            milestones[section.level] = out
        else:
            milestones.pop(section.level, None)
    else:
        data[section.root] = out
    return data


def field_values(section: Section, config: dict[str, Any]) -> dict[str, Any]:
    base = _get(config, section.root) if section.root else config
    base = base if isinstance(base, dict) else {}
    out: dict[str, Any] = {}
    for col in section.columns:
        value = _get(base, col.name)
        if col.kind == "datelist":
            out[col.name] = [str(v) for v in value] if isinstance(value, list) else []
        else:
            out[col.name] = shown(col, value)
    return out


def posted_fields(section: Section, post: Any) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for col in section.columns:
        if col.kind == "datelist":
            out[col.name] = [v.strip() for v in post.getlist(f"c-{col.name}") if v.strip()]
        elif col.kind != "readonly":
            out[col.name] = post.get(f"c-{col.name}", "")
    return out


def apply_fields(section: Section, config: dict[str, Any], values: dict[str, Any]) -> dict[str, Any]:
    data = copy.deepcopy(config)
    base: dict[str, Any] = data
    if section.root:
        nested = data.get(section.root)
        base = nested if isinstance(nested, dict) else {}
        data[section.root] = base
    for col in section.columns:
        if col.kind == "datelist":
            base[col.name] = list(values.get(col.name, []))
        elif col.kind != "readonly":
            _set(base, col.name, parsed(col, values.get(col.name, "")))
    if section.key == "basics" and isinstance(base.get("release"), dict):
        release = base["release"]
        if not any(release.get(k) for k in ("day", "start", "end", "system")):
            base.pop("release")  # every release field emptied: no release time
    _prune(base, [c.name for c in section.columns])
    return data


# --- issues next to their fields ------------------------------------------------------------------

@dataclass
class Placed:
    fields: dict[str, list[str]]  # column name (field sections) -> reasons
    rows: dict[int, tuple[dict[str, list[str]], list[str]]]  # row index -> (column -> reasons, row reasons)
    general: list[tuple[str, str, str | None]]  # (where in words, reason, section key) for the rest


def place_issues(section: Section, issues: list[Issue]) -> Placed:
    placed = Placed({}, {}, [])
    names = sorted((c.name for c in section.columns), key=len, reverse=True)
    for issue in issues:
        path = issue.path
        if section.table and section.root and path.startswith(section.root + "["):
            index_text, _sep, rest = path[len(section.root) + 1:].partition("]")
            if index_text.isdigit():
                cols, row_reasons = placed.rows.setdefault(int(index_text), ({}, []))
                rest = rest.lstrip(".")
                name = next((n for n in names if rest == n or rest.startswith((n + ".", n + "["))), None)
                if name is None and rest.startswith(("primary", "junior")) and rest.count(".") == 0:
                    name = f"{rest}.start"
                if name is not None:
                    cols.setdefault(name, []).append(issue.reason)
                else:
                    row_reasons.append(issue.reason)
                continue
        if not section.table:
            rel = path[len(section.root) + 1:] if section.root and path.startswith(section.root + ".") else (
                path if not section.root else None)
            if rel is not None:
                name = next((n for n in names if rel == n or rel.startswith((n + ".", n + "["))), None)
                if name is not None:
                    placed.fields.setdefault(name, []).append(issue.reason)
                    continue
        where = describe_path(path) if path else ""
        placed.general.append((where, issue.reason, section_of(path) if path else None))
    return placed


def attach(rows: list[Row], placed: Placed) -> None:
    for i, row in enumerate(rows):
        if i in placed.rows:
            row.errors, row.row_errors = placed.rows[i]
