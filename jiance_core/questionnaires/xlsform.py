"""XLSForm → the platform's questionnaire snapshot (plain, JSON-able, hash-identified).

`compile_rows(sheets)` takes the rows of the `survey`, `choices` and `settings` sheets (each row a
number and a {column: text} mapping, as read by `jiance_core.sheets`) and returns a `Form` dict:

    {"format": 1, "title": {...}, "form_id": "...", "version_label": "...",
     "languages": ["zh", "en"], "choices": {list: [{"name", "label"}]},
     "items": [item, ...]}

Items, in survey order (groups are flattened; a group's `relevant` is carried by its items):
- ``{"kind": "section", "name", "label", "relevant": [...]}`` — a plain group's heading;
- ``{"kind": "note", "name", "label", "hint", "relevant": [...]}``;
- ``{"kind": "question", "type": select_one|select_multiple|integer|decimal|text|date, "name",
  "label", "hint", "list", "required", "required_message", "relevant": [...], "constraint",
  "constraint_message", "appearance"}``;
- ``{"kind": "grid", "name", "label", "hint", "list", "relevant": [...], "rows": [question, ...]}`` —
  a Likert grid: a `table-list` group whose questions are all select_one from one list.

Labels are ``{"zh": ..., "en": ...}`` (``label``, ``label::zh``, ``label::en`` or ODK's
``label::Chinese (zh)``). What the platform does not support is refused here with the sheet, the
row and the reason in Chinese (`XLSFormError.problems`); the web side also runs `pyxform` for the
format's own rules.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from jiance_core.questionnaires.expr import ExprError, parse, references
from jiance_core.sheets import Limits, cell_text, open_workbook

FORMAT = 1
TYPES = ("select_one", "select_multiple", "integer", "decimal", "text", "date")
Row = tuple[int, Mapping[str, str]]

# Types XLSForm knows that the platform refuses, with the reason.
REFUSED_TYPES = {
    "begin_repeat": "不支持重复组（begin_repeat）：请把每次重复写成单独的题目",
    "calculate": "不支持计算字段（calculate）",
    "geopoint": "不支持定位题（geopoint）", "geotrace": "不支持定位题（geotrace）",
    "geoshape": "不支持定位题（geoshape）",
    "image": "不支持上传图片", "audio": "不支持录音", "video": "不支持录像", "file": "不支持上传文件",
    "barcode": "不支持扫码题", "range": "不支持滑块题（range）：请用整数题加约束（constraint）",
    "rank": "不支持排序题（rank）", "time": "不支持时间题（time）", "datetime": "不支持日期时间题（datetime）",
    "acknowledge": "不支持确认题（acknowledge）", "select_one_from_file": "不支持外部选项文件",
    "select_multiple_from_file": "不支持外部选项文件", "hidden": "不支持隐藏字段",
    "xml-external": "不支持外部数据", "csv-external": "不支持外部数据",
    "start": "不支持元数据字段（start）", "end": "不支持元数据字段（end）", "today": "不支持元数据字段（today）",
    "deviceid": "不支持元数据字段（deviceid）", "username": "不支持元数据字段（username）",
    "audit": "不支持审计字段（audit）", "trigger": "不支持触发字段",
}
# Survey columns with a meaning the platform would silently drop: refused when a row fills them.
REFUSED_COLUMNS = {
    "calculation": "不支持计算（calculation）", "choice_filter": "不支持选项筛选（choice_filter）",
    "repeat_count": "不支持重复组", "default": "不支持默认值（default）",
    "read_only": "不支持只读（read_only）", "readonly": "不支持只读（readonly）",
    "trigger": "不支持触发（trigger）", "image": "不支持题目图片", "audio": "不支持题目音频",
    "video": "不支持题目视频", "parameters": "不支持题型参数（parameters）",
    "or_other": "不支持“其他（请注明）”自动选项：请加一道文本题并用 relevant 显示",
}
TYPE_ALIASES = {"begin group": "begin_group", "end group": "end_group", "begin repeat": "begin_repeat",
                "end repeat": "end_repeat", "select one": "select_one", "select all that apply": "select_multiple",
                "select multiple": "select_multiple", "int": "integer", "string": "text", "note": "note",
                "select_one_external": "select_one_from_file"}
NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_.\-]*$")
YES = {"yes", "true", "true()", "1", "是"}


@dataclass(frozen=True)
class Problem:
    sheet: str
    row: int
    reason: str

    def __str__(self) -> str:
        where = f"工作表“{self.sheet}”" + (f"第 {self.row} 行" if self.row else "")
        return f"{where}：{self.reason}"


class XLSFormError(ValueError):
    def __init__(self, problems: Sequence[Problem]) -> None:
        self.problems = list(problems)
        super().__init__("；".join(str(p) for p in self.problems))


def _lang(column: str, base: str) -> str | None:
    """`label` → zh, `label::zh` → zh, `label::Chinese (zh)` → zh; None when not that column."""
    col = column.strip()
    if col == base:
        return "zh"
    if not col.startswith(base + "::"):
        return None
    tail = col[len(base) + 2:].strip()
    m = re.search(r"\(([A-Za-z\-]+)\)\s*$", tail)
    code = (m.group(1) if m else tail).lower()
    if code in ("chinese", "中文", "zh-cn", "zh-hans", "zh_cn"):
        return "zh"
    if code in ("english", "英文"):
        return "en"
    return code


def _texts(row: Mapping[str, str], base: str) -> dict[str, str]:
    out: dict[str, str] = {}
    for col, value in row.items():
        lang = _lang(col, base)
        if lang is not None and str(value or "").strip():
            out[lang] = str(value).strip()
    return out


def _cell(row: Mapping[str, str], col: str) -> str:
    return str(row.get(col) or "").strip()


def _check_expr(text: str, sheet: str, number: int, column: str, names: set[str], problems: list[Problem]) -> None:
    if not text:
        return
    try:
        node = parse(text)
    except ExprError as exc:
        problems.append(Problem(sheet, number, f"{column} 表达式“{text}”：{exc}"))
        return
    unknown = sorted(references(node) - names)
    if unknown:
        problems.append(Problem(sheet, number, f"{column} 表达式引用了不存在的题目：{'、'.join(unknown)}"))


def _choices(rows: Sequence[Row], problems: list[Problem]) -> dict[str, list[dict[str, Any]]]:
    lists: dict[str, list[dict[str, Any]]] = {}
    for number, row in rows:
        list_name, name = _cell(row, "list_name") or _cell(row, "list name"), _cell(row, "name")
        if not list_name and not name:
            continue
        for col in row:
            if (col.strip() == "filter" or col.startswith(("media::", "image"))) and _cell(row, col):
                problems.append(Problem("choices", number, f"不支持选项的“{col}”列"))
        label = _texts(row, "label")
        if not list_name or not name:
            problems.append(Problem("choices", number, "选项必须同时填写 list_name 和 name"))
            continue
        if "zh" not in label:
            problems.append(Problem("choices", number, f"选项“{name}”缺少中文标签（label 或 label::zh）"))
        entries = lists.setdefault(list_name, [])
        if any(c["name"] == name for c in entries):
            problems.append(Problem("choices", number, f"选项列表“{list_name}”中选项“{name}”重复"))
            continue
        if " " in name:
            problems.append(Problem("choices", number, f"选项值“{name}”不能含空格"))
        entries.append({"name": name, "label": label})
    return lists


def compile_rows(sheets: Mapping[str, Sequence[Row]]) -> dict[str, Any]:
    """The snapshot of one XLSForm; raises `XLSFormError` with every problem found."""
    problems: list[Problem] = []
    if "survey" not in sheets:
        raise XLSFormError([Problem("survey", 0, "缺少 survey 工作表")])
    choices = _choices(sheets.get("choices", ()), problems)
    settings = dict(sheets.get("settings", [(2, {})])[0][1]) if sheets.get("settings") else {}
    survey = [(n, r) for n, r in sheets["survey"] if any(str(v or "").strip() for v in r.values())]
    names = {_cell(r, "name") for _, r in survey if _cell(r, "name")}
    items: list[dict[str, Any]] = []
    stack: list[dict[str, Any]] = []  # open groups: {"relevant": [...], "grid": item | None, "row": n}
    seen: set[str] = set()
    languages: set[str] = set()
    for number, row in survey:
        raw_type = re.sub(r"\s+", " ", _cell(row, "type"))
        head, _, rest = raw_type.partition(" ")
        kind = TYPE_ALIASES.get(raw_type) or TYPE_ALIASES.get(head, head)
        if kind in ("select_one", "select_multiple") and rest.endswith(" or_other"):
            problems.append(Problem("survey", number, REFUSED_COLUMNS["or_other"]))
            rest = rest[: -len(" or_other")]
        name = _cell(row, "name")
        for col, reason in REFUSED_COLUMNS.items():
            if col != "or_other" and _cell(row, col):
                problems.append(Problem("survey", number, reason))
        for col in row:
            if col.startswith(("media::", "image::", "audio::", "video::")) and _cell(row, col):
                problems.append(Problem("survey", number, f"不支持多媒体列“{col}”"))
        label, hint = _texts(row, "label"), _texts(row, "hint")
        languages |= set(label)
        relevant, constraint = _cell(row, "relevant"), _cell(row, "constraint")
        for col, text in (("relevant", relevant), ("constraint", constraint)):
            _check_expr(text, "survey", number, col, names, problems)
        group_relevant = [r for g in stack for r in g["relevant"]]
        if not raw_type:
            problems.append(Problem("survey", number, "缺少题型（type）"))
            continue
        if kind in REFUSED_TYPES:
            problems.append(Problem("survey", number, REFUSED_TYPES[kind]))
            continue
        if kind == "end_group":
            if not stack:
                problems.append(Problem("survey", number, "end_group 没有对应的 begin_group"))
            else:
                stack.pop()
            continue
        if kind == "end_repeat":
            continue  # its begin_repeat was refused
        if not name or not NAME.match(name):
            problems.append(Problem("survey", number, f"题目名称（name）“{name}”无效：须以字母开头，只含字母、数字、下划线"))
            continue
        if name in seen:
            problems.append(Problem("survey", number, f"题目名称“{name}”重复"))
            continue
        seen.add(name)
        if kind != "end_group" and "zh" not in label and kind != "begin_group":
            problems.append(Problem("survey", number, f"“{name}”缺少中文标签（label 或 label::zh）"))
        appearance = _cell(row, "appearance")
        if kind == "begin_group":
            if stack and stack[-1]["grid"] is not None:
                problems.append(Problem("survey", number, "表格题组（table-list）中不能再嵌套题组"))
            grid = None
            if "table-list" in appearance.split():
                grid = {"kind": "grid", "name": name, "label": label, "hint": hint,
                        "list": None, "relevant": [*group_relevant, *([relevant] if relevant else [])], "rows": []}
                items.append(grid)
            elif label:
                items.append({"kind": "section", "name": name, "label": label,
                              "relevant": [*group_relevant, *([relevant] if relevant else [])]})
            stack.append({"relevant": [relevant] if relevant else [], "grid": grid, "row": number})
            continue
        if kind == "note":
            if stack and stack[-1]["grid"] is not None:
                problems.append(Problem("survey", number, "表格题组（table-list）中只能有单选题"))
                continue
            items.append({"kind": "note", "name": name, "label": label, "hint": hint,
                          "relevant": [*group_relevant, *([relevant] if relevant else [])]})
            continue
        if kind not in TYPES:
            problems.append(Problem("survey", number, f"不支持的题型“{raw_type}”"))
            continue
        list_name = rest.strip() if kind in ("select_one", "select_multiple") else ""
        if kind in ("select_one", "select_multiple"):
            if not list_name:
                problems.append(Problem("survey", number, f"{kind} 须写明选项列表名，如“{kind} yesno”"))
                continue
            if list_name not in choices:
                problems.append(Problem("survey", number, f"选项列表“{list_name}”在 choices 工作表中不存在"))
                continue
        question = {
            "kind": "question", "type": kind, "name": name, "label": label, "hint": hint, "list": list_name,
            "required": _cell(row, "required").lower() in YES,
            "required_message": _texts(row, "required_message"),
            "relevant": [*group_relevant, *([relevant] if relevant else [])],
            "constraint": constraint, "constraint_message": _texts(row, "constraint_message"),
            "appearance": appearance,
        }
        grid_open = stack[-1]["grid"] if stack else None
        if grid_open is not None:
            if kind != "select_one":
                problems.append(Problem("survey", number, "表格题组（table-list）中只能有单选题（select_one）"))
                continue
            if grid_open["list"] is None:
                grid_open["list"] = list_name
            elif grid_open["list"] != list_name:
                problems.append(Problem("survey", number,
                                        f"表格题组“{grid_open['name']}”中的题目必须使用同一选项列表（{grid_open['list']}）"))
                continue
            if relevant:
                problems.append(Problem("survey", number, "表格题组中的单题不能有自己的 relevant：请写在题组上"))
                continue
            grid_open["rows"].append(question)
            continue
        items.append(question)
    for group in stack:
        problems.append(Problem("survey", group["row"], "begin_group 没有对应的 end_group"))
    for item in items:
        if item["kind"] == "grid" and not item["rows"]:
            problems.append(Problem("survey", 0, f"表格题组“{item['name']}”中没有题目"))
    if not any(i["kind"] in ("question", "grid") for i in items) and not problems:
        problems.append(Problem("survey", 0, "问卷中没有题目"))
    if problems:
        raise XLSFormError(problems)
    title = _texts(settings, "form_title") or {"zh": str(settings.get("form_id") or "问卷")}
    return {
        "format": FORMAT,
        "title": title,
        "form_id": str(settings.get("form_id") or ""),
        "version_label": str(settings.get("version") or ""),
        "languages": sorted(languages, key=lambda x: (x != "zh", x)),
        "choices": choices,
        "items": items,
    }


def form_hash(form: Mapping[str, Any]) -> str:
    """The snapshot's identity: SHA-256 of its canonical JSON."""
    canonical = json.dumps(form, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def questions(form: Mapping[str, Any]) -> list[dict[str, Any]]:
    """Every question in order, the rows of grids included."""
    out: list[dict[str, Any]] = []
    for item in form["items"]:
        if item["kind"] == "question":
            out.append(item)
        elif item["kind"] == "grid":
            out.extend(item["rows"])  # each row carries the grid's relevance already
    return out


def read_workbook(data: bytes, limits: Limits | None = None) -> dict[str, list[Row]]:
    """The survey, choices and settings sheets of an XLSForm workbook, read by the guarded reader
    (`jiance_core.sheets`; raises its `SheetError`): each row as (number, {header: text})."""
    book = open_workbook(data, limits)
    out: dict[str, list[Row]] = {}
    by_lower = {name.strip().lower(): name for name in book.sheet_names}
    for sheet in ("survey", "choices", "settings"):
        if sheet not in by_lower:
            continue
        header: list[str] = []
        rows: list[Row] = []
        for number, values in book.rows(by_lower[sheet]):
            texts = [cell_text(v) if v is not None else "" for v in values]
            if not header:
                header = [t.strip() for t in texts]
                continue
            rows.append((number, {h: texts[i] for i, h in enumerate(header) if h and i < len(texts)}))
        out[sheet] = rows
    return out
