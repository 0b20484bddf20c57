"""Load, dump and copy cycle templates (YAML).

* :func:`load_template` reads a YAML file and returns a validated :class:`CycleTemplate`; on failure
  it raises :class:`TemplateError` whose ``problems`` list every problem as ``"路径：原因"`` in
  Chinese, with the YAML line where it can be found (YAML syntax errors always carry one).
* :func:`dump_template` writes a template back to YAML (``load(dump(t)) == t``).
* :func:`shift_cycle` is "copy last year's cycle and shift the dates".
* :func:`milestones_for` lists one level's task table in number order.

Times must be quoted in YAML (``"10:20"``); the loader also refuses YAML 1.1's base-60 integers so an
unquoted ``10:20`` stays the string "10:20" instead of silently becoming 620.
"""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from jiance_core.cycles.schema import LEVEL_NAMES, LEVELS, CycleTemplate, Level, Milestone
from jiance_core.cycles.shifting import TextFlag, shift_texts

__all__ = [
    "SHIPPED_TEMPLATES_DIR",
    "TemplateError",
    "dump_template",
    "load_template",
    "loads_template",
    "milestones_for",
    "parse_template",
    "shift_cycle",
    "shift_cycle_with_flags",
    "shipped_templates",
]

SHIPPED_TEMPLATES_DIR = Path(__file__).resolve().parents[2] / "jiance" / "cycles" / "templates_data"
"""Where the shipped templates live in a source checkout (data files of the Django app)."""


class TemplateError(ValueError):
    """A template that cannot be used. ``problems``: every problem as "路径：原因"."""

    def __init__(self, problems: list[str], source: str | None = None) -> None:
        self.problems = problems
        self.source = source
        head = (
            f"周期模板 {source} 有 {len(problems)} 处问题"
            if source
            else f"周期模板有 {len(problems)} 处问题"
        )
        super().__init__(head + "：\n" + "\n".join(f"- {p}" for p in problems))


# ---------------------------------------------------------------------------------------------------
# YAML reading


class _Loader(yaml.SafeLoader):
    """SafeLoader without YAML 1.1 sexagesimal numbers (``10:20`` -> 620)."""


_Loader.yaml_implicit_resolvers = {
    key: [
        (tag, regexp)
        for tag, regexp in resolvers
        if tag not in ("tag:yaml.org,2002:int", "tag:yaml.org,2002:float")
    ]
    for key, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}
_Loader.add_implicit_resolver(
    "tag:yaml.org,2002:int",
    re.compile(
        r"""^(?:[-+]?0b[0-1_]+
        |[-+]?0[0-7_]+
        |[-+]?(?:0|[1-9][0-9_]*)
        |[-+]?0x[0-9a-fA-F_]+)$""",
        re.X,
    ),
    list("-+0123456789"),
)
_Loader.add_implicit_resolver(
    "tag:yaml.org,2002:float",
    re.compile(
        r"""^(?:[-+]?(?:[0-9][0-9_]*)\.[0-9_]*(?:[eE][-+][0-9]+)?
        |\.[0-9][0-9_]*(?:[eE][-+][0-9]+)?
        |[-+]?\.(?:inf|Inf|INF)
        |\.(?:nan|NaN|NAN))$""",
        re.X,
    ),
    list("-+0123456789."),
)


def _yaml_error(exc: yaml.YAMLError, source: str | None) -> str:
    where = source or "YAML"
    mark = getattr(exc, "problem_mark", None)
    problem = getattr(exc, "problem", None) or str(exc)
    context = getattr(exc, "context", None)
    reason = f"YAML 语法错误（{problem}" + (f"，{context}" if context else "") + "）"
    if mark is not None:
        return f"{where} 第 {mark.line + 1} 行第 {mark.column + 1} 列：{reason}"
    return f"{where}：{reason}"


# ---------------------------------------------------------------------------------------------------
# error translation


def _path(loc: tuple[int | str, ...]) -> str:
    out = ""
    for part in loc:
        if isinstance(part, int) or re.fullmatch(r"\d+", part):
            out += f"[{part}]"
        else:
            out += f".{part}" if out else part
    return out


_MESSAGES: dict[str, str] = {
    "missing": "缺少必填字段",
    "extra_forbidden": "不允许的字段（拼写错误？）",
    "int_type": "应为整数",
    "int_parsing": "应为整数",
    "int_from_float": "应为整数",
    "float_type": "应为数字",
    "float_parsing": "应为数字",
    "bool_type": "应为 true 或 false",
    "bool_parsing": "应为 true 或 false",
    "string_type": "应为文字",
    "list_type": "应为列表",
    "dict_type": "应为映射（键: 值）",
    "model_type": "应为映射（键: 值）",
    "model_attributes_type": "应为映射（键: 值）",
    "date_type": "应为日期，格式 YYYY-MM-DD",
    "date_parsing": "应为日期，格式 YYYY-MM-DD",
    "date_from_datetime_parsing": "应为日期，格式 YYYY-MM-DD",
    "date_from_datetime_inexact": "应为日期，不能带时刻",
    "time_type": '应为时刻，格式 "HH:MM"（请加引号）',
    "time_parsing": '应为时刻，格式 "HH:MM"（请加引号）',
}


def _translate(err: Any) -> list[str]:
    kind = err.get("type", "")
    path = _path(tuple(err.get("loc", ())))
    if kind == "cycle_rules":
        issues = (err.get("ctx") or {}).get("issues") or []
        return [f"{p}：{r}" if p else r for p, r in issues]
    if kind == "literal_error":
        expected = (err.get("ctx") or {}).get("expected", "")
        reason = f"取值“{err.get('input')}”无效，应为 {expected} 之一"
    elif kind == "enum":
        reason = f"取值“{err.get('input')}”无效"
    elif kind in _MESSAGES:
        reason = _MESSAGES[kind]
        if kind not in ("missing", "extra_forbidden"):
            reason += f"，现为“{err.get('input')}”"
    else:
        reason = str(err.get("msg", kind))
    return [f"{path}：{reason}" if path else reason]


def _problems(exc: ValidationError) -> list[str]:
    out: list[str] = []
    for err in exc.errors(include_url=False):
        out += _translate(err)
    return out


# locating a path in the YAML source ----------------------------------------------------------------

_PATH_TOKEN = re.compile(r"\[([^\]]+)\]|\.?([^.\[\]]+)")


def _line_of(root: yaml.Node | None, path: str) -> int | None:
    """1-based line of the deepest node of ``path`` that exists in the YAML source."""
    node = root
    line = None if node is None else node.start_mark.line + 1
    for m in _PATH_TOKEN.finditer(path):
        key = m.group(1) if m.group(1) is not None else m.group(2)
        child: yaml.Node | None = None
        if isinstance(node, yaml.SequenceNode) and key.isdigit() and int(key) < len(node.value):
            child = node.value[int(key)]
        elif isinstance(node, yaml.MappingNode):
            for k, v in node.value:
                if isinstance(k, yaml.ScalarNode) and k.value == key:
                    child = v
                    break
        if child is None:
            break
        node = child
        line = node.start_mark.line + 1
    return line


def _with_lines(problems: list[str], root: yaml.Node | None) -> list[str]:
    out = []
    for p in problems:
        path, sep, reason = p.partition("：")
        if not sep or " " in path:
            out.append(p)
            continue
        line = _line_of(root, path)
        out.append(f"{path}（第 {line} 行）：{reason}" if line else p)
    return out


# ---------------------------------------------------------------------------------------------------
# public API


def parse_template(data: Any, *, source: str | None = None) -> CycleTemplate:
    """Validate already-parsed data (a dict); raise :class:`TemplateError` listing every problem."""
    if not isinstance(data, dict):
        raise TemplateError(["模板顶层应为映射（键: 值）"], source)
    try:
        return CycleTemplate.model_validate(data)
    except ValidationError as exc:
        raise TemplateError(_problems(exc), source) from None


def loads_template(text: str, *, source: str | None = None) -> CycleTemplate:
    """Parse YAML text into a template (see :func:`load_template`)."""
    try:
        root = yaml.compose(text, Loader=_Loader)
        data = yaml.load(text, Loader=_Loader)  # noqa: S506 - _Loader is a SafeLoader
    except yaml.YAMLError as exc:
        raise TemplateError([_yaml_error(exc, source)], source) from None
    try:
        return parse_template(data, source=source)
    except TemplateError as exc:
        raise TemplateError(_with_lines(exc.problems, root), source) from None


def load_template(path: str | Path) -> CycleTemplate:
    """Read and validate one YAML template file."""
    p = Path(path)
    try:
        text = p.read_text(encoding="utf-8")
    except OSError as exc:
        raise TemplateError([f"{p}：无法读取文件（{exc.strerror}）"], str(p)) from None
    except UnicodeDecodeError:
        raise TemplateError([f"{p}：文件不是 UTF-8 编码"], str(p)) from None
    return loads_template(text, source=p.name)


def shipped_templates(directory: str | Path | None = None) -> dict[str, CycleTemplate]:
    """Every ``*.yaml`` template of a directory (default: the shipped ones), keyed by code."""
    d = Path(directory) if directory is not None else SHIPPED_TEMPLATES_DIR
    out: dict[str, CycleTemplate] = {}
    for f in sorted(d.glob("*.yaml")):
        t = load_template(f)
        out[t.code] = t
    return out


def dump_template(t: CycleTemplate) -> str:
    """YAML text of a template; :func:`loads_template` of it gives an equal template.

    Comments of a hand-written file are not kept."""
    data = t.model_dump(mode="json", exclude_defaults=True)
    # required-but-defaulted fields must stay for readability; exclude_defaults keeps required ones
    return yaml.safe_dump(data, allow_unicode=True, sort_keys=False, width=100)


def shift_cycle(
    t: CycleTemplate,
    *,
    new_year: int | None = None,
    days: int | None = None,
    new_code: str | None = None,
) -> CycleTemplate:
    """Copy a cycle and move every date (test days, sessions, milestones, documents, windows,
    questionnaires, release) by the same number of days, and the dates and years written inside
    its texts (see :func:`shift_cycle_with_flags`, which also returns what a person should check).

    Rule: the offset is ``days`` when given, else ``364 × (new_year − year)``: a whole number of weeks,
    so every date keeps its weekday (Wednesday 25 May 2022 → Wednesday 24 May 2023, the real 2023
    test day; → Wednesday 22 May 2024, the real 2024 test day). Clock times do not move. ``year``
    becomes ``new_year`` (or the year of the first shifted test day when only ``days`` is given);
    the code and the name have the old year replaced by the new one unless ``new_code`` is given,
    and the years of ``school_year`` move by the same number of years. The copy is validated like
    a loaded template; the result still needs a human check (holidays, a national timetable that
    changed)."""
    return shift_cycle_with_flags(t, new_year=new_year, days=days, new_code=new_code)[0]


def shift_cycle_with_flags(
    t: CycleTemplate,
    *,
    new_year: int | None = None,
    days: int | None = None,
    new_code: str | None = None,
) -> tuple[CycleTemplate, list[TextFlag]]:
    """:func:`shift_cycle`, returning also the pieces of text left unchanged for a person to check
    (``jiance_core.cycles.shifting``: a far year, a day without its month, a weekday, ...)."""
    if days is None:
        if new_year is None:
            raise ValueError("shift_cycle：必须给出 new_year 或 days")
        days = 364 * (new_year - t.year)
    delta = timedelta(days=days)

    def move(obj: Any) -> Any:
        if isinstance(obj, datetime):
            return obj + delta
        if isinstance(obj, date):
            return obj + delta
        if isinstance(obj, dict):
            return {k: move(v) for k, v in obj.items()}
        if isinstance(obj, list):
            return [move(v) for v in obj]
        return obj

    data = move(t.model_dump(mode="python"))
    if new_year is None:
        first = min(data["test_days"]) if data["test_days"] else None
        new_year = first.year if first is not None else t.year
    old = str(t.year)
    year_delta = new_year - t.year
    data, flags = shift_texts(data, days=days, year_delta=year_delta, ref_year=t.year)
    if t.school_year:
        data["school_year"] = re.sub(
            r"\d{4}", lambda m: str(int(m.group(0)) + year_delta), t.school_year
        )
    data["year"] = new_year
    data["code"] = new_code if new_code is not None else t.code.replace(old, str(new_year))
    data["name"] = data["name"].replace(old, str(new_year))
    return parse_template(data, source=data["code"]), flags


def milestones_for(t: CycleTemplate, level: Level | str) -> list[Milestone]:
    """The task table of one level (city, county, school, ...) in number order; [] if none."""
    if level not in LEVELS:
        names = "、".join(f"{k}（{v}）" for k, v in LEVEL_NAMES.items())
        raise ValueError(f"未知的层级“{level}”，应为 {names} 之一")
    return t.milestones_for(level)  # type: ignore[arg-type]
