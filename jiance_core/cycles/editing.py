"""Validating a cycle edited in the browser with the same schema as the YAML files.

An edit page changes one section of the template's data and validates the WHOLE template with
:class:`CycleTemplate` (pydantic + :func:`check_rules`). :func:`validate` returns the problems as
:class:`Issue` (path + Chinese reason) so a page can show each next to its field:
``windows[2].end`` is row 3's end date of the reporting-window table. :func:`describe_path` names
a path in words for the problems that belong to another section.
"""

from __future__ import annotations

import re
from typing import Any

from jiance_core.cycles.loader import TemplateError, parse_template
from jiance_core.cycles.schema import LEVEL_NAMES, CycleTemplate, Issue

__all__ = ["describe_path", "issue_of", "section_of", "validate"]

_PATH = re.compile(r"^[a-z_][a-z0-9_]*(?:\[[^\]]+\]|\.[a-z0-9_]+)*(?:（第 \d+ 行）)?$")


def issue_of(problem: str) -> Issue:
    """One of :class:`TemplateError`'s "路径：原因" lines back as an :class:`Issue`."""
    path, sep, reason = problem.partition("：")
    if sep and _PATH.match(path):
        return Issue(path, reason)
    return Issue("", problem)


def validate(data: Any) -> tuple[CycleTemplate | None, list[Issue]]:
    """The template, or None and every problem (field types, required fields, rules between fields)."""
    try:
        return parse_template(data), []
    except TemplateError as exc:
        return None, [issue_of(p) for p in exc.problems]


SECTION_OF_ROOT = {
    "name": "basics", "school_year": "basics", "test_days": "basics", "release": "basics",
    "sessions": "sessions", "sample_size": "sample", "windows": "windows", "documents": "documents",
    "analysis": "analysis",
}


def section_of(path: str) -> str | None:
    """The edit page a path belongs to (``basics``, ``sessions``, ``sample``, ``windows``,
    ``documents``, ``milestones-<level>``), or None for parts edited only in the YAML file."""
    root = re.split(r"[.\[]", path, maxsplit=1)[0]
    if root == "milestones":
        m = re.match(r"milestones\.([a-z]+)", path)
        return f"milestones-{m.group(1)}" if m else None
    return SECTION_OF_ROOT.get(root)


_ROOT_NAMES = {
    "code": "代码", "year": "年度", "name": "名称", "school_year": "学年", "test_days": "测试日",
    "release": "样本学生名单发布", "sessions": "测试场次", "sample_size": "样本量",
    "windows": "报送窗口", "documents": "实施材料", "milestones": "工作节点", "subjects": "学科",
    "questionnaires": "问卷", "staffing": "人员配备", "scope": "参测范围", "notes": "备注",
    "participation_thresholds": "参与率门槛", "grades": "监测年级", "analysis": "权重与方差",
}
_FIELD_NAMES = {
    "start": "开始", "end": "结束", "deadline": "截止", "day": "日期", "name": "名称", "task": "工作任务",
    "number": "序号", "phase": "阶段", "office": "负责", "code": "代码", "note": "备注",
    "review_start": "审核开始", "review_deadline": "审核截止", "minutes": "时长",
    "primary": "小学", "junior": "初中", "instrument": "工具", "reviewed_by": "审核层级",
    "reported_by": "上报层级", "kind": "类别", "system": "系统", "until_done": "至全部完成",
    "students_per_school": "每校学生数", "room_capacity": "监测室容量",
    "schools_per_unit": "每县样本校数", "done_when": "自动完成条件", "stages": "学段",
    "text": "文字", "task_text": "工作任务",
    "replicate_method": "重复权重方法", "fay_replicates": "Fay 重复权重个数", "fay_rho": "Fay 系数",
    "trim_ratio": "权重修剪倍数", "min_students": "报告最少学生数", "min_schools": "报告最少学校数",
}


def describe_path(path: str) -> str:
    """A path in words: ``windows[2].end`` → "报送窗口 第 3 行 结束";
    ``milestones.county[0].deadline`` → "县级工作节点 第 1 行 截止"."""
    out: list[str] = []
    tokens = re.findall(r"\[([^\]]+)\]|\.?([^.\[\]]+)", path)
    first = True
    for index, name in tokens:
        if index:
            out.append(f"第 {int(index) + 1} 行" if index.isdigit() else index)
        elif first:
            out.append(_ROOT_NAMES.get(name, name))
        elif out and out[-1] == "工作节点" and name in LEVEL_NAMES:
            out[-1] = f"{LEVEL_NAMES[name]}工作节点"
        else:
            out.append(_FIELD_NAMES.get(name, name))
        first = False
    return " ".join(out)
