"""Reading and checking a hierarchy file: the rows, every error, and the plan of what would change.

The file is the `unit_template()` workbook (sheet 数据). Checking happens entirely before any
write: `plan_import` reads the existing units it needs in a few batched queries and returns an
`ImportPlan` (new rows, changed rows, unchanged rows, errors). `jiance.units.services` writes a
plan only when it has no errors, so an import lands whole or not at all.

Paths: a row's final path is its final parent's path plus its code. Rows are resolved level by
level (shallow first), so a parent — in the file or already in the database, possibly under an
ancestor the same file moves — is always resolved before its children; no recursion.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from jiance.spreadsheets import (
    FORMULA_PREFIXES,
    Column,
    SheetError,
    TemplateSpec,
    build_template,
    cell_text,
    read_sheet,
    write_rows,
)
from jiance.units.models import (
    CHILD_LEVEL,
    LEVEL_DEPTH,
    PATH_SEPARATOR,
    Affiliation,
    Area,
    CountyKind,
    Level,
    Nature,
    SchoolType,
)
from jiance_core.errors import RowError

CODE_RE = re.compile(r"^[0-9A-Za-z]{1,20}$")
NAME_MAX = 100

# What a person types in 层级 → the level. The canonical label comes first (it is what exports write).
LEVEL_LABELS: dict[str, str] = {
    Level.CENTRE: "国家监测中心",
    Level.PROVINCE: "省",
    Level.CITY: "市",
    Level.COUNTY: "县级",
    Level.SCHOOL: "学校",
}
LEVEL_ALIASES: dict[str, str] = {
    **{label: level for level, label in LEVEL_LABELS.items()},
    "中心": Level.CENTRE, "省级": Level.PROVINCE, "市级": Level.CITY, "地市": Level.CITY,
    "县": Level.COUNTY, "区": Level.COUNTY, "县区": Level.COUNTY, "县（区）": Level.COUNTY,
    "县(区)": Level.COUNTY, "区县": Level.COUNTY, "校": Level.SCHOOL,
    **{level.value: level for level in Level},
}
PARENT_LEVEL: dict[str, str] = {str(child): str(parent) for parent, child in CHILD_LEVEL.items()}

# Attribute columns: (column key, model field, choices, levels that must fill it).
SCHOOL_FIELDS: tuple[tuple[str, Sequence[str]], ...] = (
    ("school_type", SchoolType.values),
    ("nature", Nature.values),
    ("area", Area.values),
    ("affiliation", Affiliation.values),
)
COMPARED_FIELDS = ("name", "level", "parent_code", "county_kind", "school_type", "nature", "area", "affiliation")

COLUMNS: tuple[Column, ...] = (
    Column("code", "单位代码", help="必填。字母或数字，最长 20 位，全国唯一（学校建议用 10 位学校标识码）", width=16),
    Column("name", "单位名称", help="必填，最长 100 字", width=30),
    Column(
        "level", "层级", choices=[LEVEL_LABELS[lv] for lv in (Level.PROVINCE, Level.CITY, Level.COUNTY, Level.SCHOOL)],
        help="必填：省、市、县级、学校", width=10,
    ),
    Column("parent_code", "上级单位代码", help="必填：省的上级是监测中心，市的上级是省，县级单位的上级是市，学校的上级是其所在县级单位（属地原则）", width=16),
    Column("county_kind", "县级类型", required=False, choices=CountyKind.values, help="县级单位必填：县、区、县级市、开发区、管理局", width=12),
    Column("school_type", "学校类型", required=False, choices=SchoolType.values, help="学校必填：小学、初中、九年一贯制、完全中学、十二年一贯制", width=14),
    Column("nature", "办学性质", required=False, choices=Nature.values, help="学校必填：公办、民办", width=10),
    Column("area", "城乡区域", required=False, choices=Area.values, help="学校必填：城区、镇区、乡村", width=10),
    Column("affiliation", "隶属关系", required=False, choices=Affiliation.values, help="学校必填：县属、局属、省属、市管民办、其他", width=12),
)
HEADERS = [c.header for c in COLUMNS]
HEADER_OF = {c.key: c.header for c in COLUMNS}
REJECT_HEADER = "错误原因"

INSTRUCTIONS = (
    "每行一个单位。已有代码的单位按本表更新，新代码新建；表中没有的单位保持不变（导入不删除单位）。",
    "学校一律挂在其所在地的县级单位下（属地原则），市属、省属和民办学校也一样，用“隶属关系”区分。",
    "可以在同一文件中同时新建上级和下级单位，行的顺序不限。",
    "导入前系统检查全部行：只要有一行有误，整个文件都不导入；可下载“问题行”文件修改后重新导入。",
    "只能导入本人管辖范围内的单位。",
)


def unit_template_spec(max_rows: int = 5000) -> TemplateSpec:
    return TemplateSpec(
        title="行政层级与学校导入模板",
        columns=COLUMNS,
        instructions=INSTRUCTIONS,
        codes={
            "层级": [(label, "") for lv, label in LEVEL_LABELS.items() if lv != Level.CENTRE],
            "县级类型": [(v, str(lbl)) for v, lbl in CountyKind.choices],
            "学校类型": [(v, str(lbl)) for v, lbl in SchoolType.choices],
            "办学性质": [(v, str(lbl)) for v, lbl in Nature.choices],
            "城乡区域": [(v, str(lbl)) for v, lbl in Area.choices],
            "隶属关系": [(v, str(lbl)) for v, lbl in Affiliation.choices],
        },
        max_rows=max_rows,
    )


def unit_template() -> bytes:
    """The empty import template: 数据 with dropdowns, 填表说明, 代码表 (and the hidden 选项)."""
    return build_template(unit_template_spec())


# --- errors -----------------------------------------------------------------------------------
class Kind:
    """Kinds of error; the (Chinese) label is the group key, translated when shown."""

    MISSING = gettext_noop("缺少必填项")
    BAD_CODE = gettext_noop("单位代码格式错误")
    DUPLICATE = gettext_noop("代码重复")
    BAD_LEVEL = gettext_noop("层级无效")
    BAD_COUNTY_KIND = gettext_noop("县级类型无效")
    NO_PARENT = gettext_noop("上级单位不存在")
    LEVEL_MISMATCH = gettext_noop("层级与上级不匹配")
    LEVEL_CHANGE = gettext_noop("不能修改已有单位的层级")
    TOO_LONG = gettext_noop("内容过长")
    OUT_OF_SCOPE = gettext_noop("单位不在您的管辖范围内")
    FILE = gettext_noop("文件无法读取")
    # one kind per choice column: "<表头>无效"
    CHOICE_KINDS = (gettext_noop("学校类型无效"), gettext_noop("办学性质无效"), gettext_noop("城乡区域无效"), gettext_noop("隶属关系无效"))


@dataclass(frozen=True, order=True)
class UnitError(RowError):
    kind: str = ""


@dataclass(frozen=True)
class ErrorGroup:
    kind: str
    count: int
    errors: list[UnitError]


def group_errors(errors: Iterable[UnitError], *, keep: int = 50) -> list[ErrorGroup]:
    """Errors grouped by kind, biggest group first, each keeping its first `keep` errors."""
    by_kind: dict[str, list[UnitError]] = {}
    for e in sorted(errors):
        by_kind.setdefault(e.kind, []).append(e)
    groups = [ErrorGroup(k, len(v), v[:keep]) for k, v in by_kind.items()]
    return sorted(groups, key=lambda g: (-g.count, g.kind))


# --- rows -------------------------------------------------------------------------------------
def unescape(text: str) -> str:
    """Undo the export's formula guard: "'=x" → "=x", so an export re-imports unchanged."""
    if len(text) > 1 and text[0] == "'" and text[1:].startswith(FORMULA_PREFIXES):
        return text[1:]
    return text


@dataclass
class UnitRow:
    row: int
    raw: dict[str, str]
    code: str = ""
    name: str = ""
    level: str = ""
    parent_code: str = ""
    county_kind: str = ""
    school_type: str = ""
    nature: str = ""
    area: str = ""
    affiliation: str = ""
    path: str = ""  # final path, set by plan_import

    def values(self) -> dict[str, str]:
        return {f: getattr(self, f) for f in COMPARED_FIELDS}


def read_rows(data: bytes) -> list[UnitRow]:
    """The data rows of an uploaded file. Raises SheetError when the file cannot be read."""
    rows = []
    for sheet_row in read_sheet(data, COLUMNS, kind="units"):
        raw = {k: unescape(cell_text(v)) for k, v in sheet_row.values.items()}
        rows.append(UnitRow(row=sheet_row.number, raw=raw))
    return rows


@dataclass(frozen=True)
class ExistingUnit:
    """What the checker needs to know of a unit already in the database."""

    id: int
    code: str
    name: str
    level: str
    parent_code: str
    path: str
    county_kind: str = ""
    school_type: str = ""
    nature: str = ""
    area: str = ""
    affiliation: str = ""

    def values(self) -> dict[str, str]:
        return {f: getattr(self, f) for f in COMPARED_FIELDS}


@dataclass
class ImportPlan:
    rows: list[UnitRow] = field(default_factory=list)
    errors: list[UnitError] = field(default_factory=list)
    new: list[UnitRow] = field(default_factory=list)
    changed: list[tuple[UnitRow, ExistingUnit]] = field(default_factory=list)
    unchanged: list[UnitRow] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors

    @property
    def rejected_rows(self) -> list[int]:
        return sorted({e.row for e in self.errors if e.row > 0})

    def counts(self) -> dict[str, int]:
        return {
            "rows": len(self.rows),
            "new": len(self.new),
            "updated": len(self.changed),
            "unchanged": len(self.unchanged),
            "errors": len(self.errors),
            "rejected_rows": len(self.rejected_rows),
        }


def _check_fields(r: UnitRow, err: Any) -> None:
    """Rules about one row alone: required cells, formats, choices."""
    raw = r.raw
    r.code = raw.get("code", "")
    r.name = raw.get("name", "")
    r.parent_code = raw.get("parent_code", "")
    level_text = raw.get("level", "")
    if not r.code:
        err(r, "code", Kind.MISSING, _("缺少必填项：单位代码"))
    elif not CODE_RE.match(r.code):
        err(r, "code", Kind.BAD_CODE, _("单位代码“%(code)s”无效：只能是字母或数字，最长 20 位") % {"code": r.code})
    if not r.name:
        err(r, "name", Kind.MISSING, _("缺少必填项：单位名称"))
    elif len(r.name) > NAME_MAX:
        err(r, "name", Kind.TOO_LONG, _("单位名称过长（%(n)s 字，最多 %(max)s 字）") % {"n": len(r.name), "max": NAME_MAX})
    if not level_text:
        err(r, "level", Kind.MISSING, _("缺少必填项：层级"))
    elif level_text not in LEVEL_ALIASES:
        err(r, "level", Kind.BAD_LEVEL, _("层级“%(value)s”无效，应为：省、市、县级、学校") % {"value": level_text})
    else:
        r.level = LEVEL_ALIASES[level_text]
    if r.level and r.level != Level.CENTRE and not r.parent_code:
        err(r, "parent_code", Kind.MISSING, _("缺少必填项：上级单位代码"))
    if r.level == Level.COUNTY:
        kind = raw.get("county_kind", "")
        if not kind:
            err(r, "county_kind", Kind.MISSING, _("缺少必填项：县级单位须填写县级类型"))
        elif kind not in CountyKind.values:
            err(r, "county_kind", Kind.BAD_COUNTY_KIND,
                _("县级类型“%(value)s”无效，应为：%(choices)s") % {"value": kind, "choices": "、".join(CountyKind.values)})
        else:
            r.county_kind = kind
    if r.level == Level.SCHOOL:
        for key, choices in SCHOOL_FIELDS:
            header = HEADER_OF[key]
            value = raw.get(key, "")
            if not value:
                err(r, key, Kind.MISSING, _("缺少必填项：学校须填写%(column)s") % {"column": header})
            elif value not in choices:
                err(r, key, f"{header}无效",
                    _("%(column)s“%(value)s”无效，应为：%(choices)s") % {"column": header, "value": value, "choices": "、".join(choices)})
            else:
                setattr(r, key, value)


def _remap(path: str, final_paths: Mapping[str, str]) -> str:
    """A database path after this file's moves: re-rooted at its deepest ancestor in the file."""
    parts = path.rstrip(PATH_SEPARATOR).split(PATH_SEPARATOR)
    for i in range(len(parts) - 1, -1, -1):
        if parts[i] in final_paths:
            rest = parts[i + 1 :]
            return final_paths[parts[i]] + "".join(p + PATH_SEPARATOR for p in rest)
    return path


def plan_import(
    rows: list[UnitRow],
    existing: Mapping[str, ExistingUnit],
    *,
    roots: Sequence[str] | None,
) -> ImportPlan:
    """Check every row and decide what each one does. Writes nothing.

    `existing` maps code → unit for every code in the file and every parent code it names
    (missing keys mean "not in the database"). `roots` are the paths of the subtrees the
    importer manages; None means unrestricted (the command line without --as).
    """
    plan = ImportPlan(rows=rows)
    bad: set[int] = set()

    def err(r: UnitRow, key: str, kind: str, reason: str) -> None:
        plan.errors.append(UnitError(r.row, HEADER_OF.get(key, key), reason, kind))
        bad.add(r.row)

    def in_scope(path: str, *, strictly: bool = False) -> bool:
        if roots is None:
            return True
        return any(path.startswith(root) and not (strictly and path == root) for root in roots)

    for r in rows:
        _check_fields(r, err)

    first_row: dict[str, int] = {}
    for r in rows:
        if not r.code:
            continue
        if r.code in first_row:
            err(r, "code", Kind.DUPLICATE, _("代码重复：“%(code)s”与第 %(row)s 行相同") % {"code": r.code, "row": first_row[r.code]})
        else:
            first_row[r.code] = r.row
    by_code = {r.code: r for r in rows if r.code and first_row.get(r.code) == r.row}

    # Relations, shallow levels first so every parent's final path is known before its children.
    final_paths: dict[str, str] = {}
    ordered = sorted(by_code.values(), key=lambda r: (LEVEL_DEPTH.get(r.level, 9), r.row))  # type: ignore[call-overload]
    for r in ordered:
        if not r.level:
            continue
        old = existing.get(r.code)
        if old is not None and old.level != r.level:
            err(r, "level", Kind.LEVEL_CHANGE,
                _("不能修改已有单位的层级：%(code)s 现为“%(old)s”，文件中为“%(new)s”")
                % {"code": r.code, "old": LEVEL_LABELS[old.level], "new": LEVEL_LABELS[r.level]})
            continue
        if old is not None and roots is not None and not in_scope(old.path):
            err(r, "code", Kind.OUT_OF_SCOPE, _("单位不在您的管辖范围内：%(code)s") % {"code": r.code})
            continue
        if r.level == Level.CENTRE:
            if r.parent_code:
                err(r, "parent_code", Kind.LEVEL_MISMATCH, _("层级与上级不匹配（监测中心没有上级单位）"))
                continue
            if roots is not None and (old is None or old.values() != r.values()):
                err(r, "code", Kind.OUT_OF_SCOPE, _("单位不在您的管辖范围内：只能由系统管理员在命令行修改监测中心"))
                continue
            final_paths[r.code] = r.code + PATH_SEPARATOR
            continue
        if not r.parent_code:
            continue
        if r.parent_code == r.code:
            err(r, "parent_code", Kind.LEVEL_MISMATCH, _("上级单位代码不能是本单位代码"))
            continue
        parent_row = by_code.get(r.parent_code)
        parent_old = existing.get(r.parent_code)
        if parent_row is not None:
            parent_level = parent_row.level
        elif parent_old is not None:
            parent_level = parent_old.level
        else:
            err(r, "parent_code", Kind.NO_PARENT, _("上级单位不存在：代码“%(code)s”既不在系统中，也不在本文件中") % {"code": r.parent_code})
            continue
        want = PARENT_LEVEL[r.level]
        if parent_level and parent_level != want:
            err(r, "parent_code", Kind.LEVEL_MISMATCH,
                _("层级与上级不匹配（%(level)s的上级必须是%(want)s单位），上级 %(parent)s 是“%(actual)s”")
                % {"level": LEVEL_LABELS[r.level], "want": LEVEL_LABELS[want], "parent": r.parent_code,
                   "actual": LEVEL_LABELS[parent_level]})
            continue
        if parent_row is not None:
            parent_path = final_paths.get(r.parent_code)
            if parent_path is None:  # the parent row itself is wrong: its own error says why
                continue
        else:
            assert parent_old is not None
            parent_path = _remap(parent_old.path, final_paths)
        moved = old is None or old.parent_code != r.parent_code
        if roots is not None:
            if moved and not in_scope(parent_path):
                reason = (
                    _("单位不在您的管辖范围内：不能在上级单位 %(parent)s 下新建单位")
                    if old is None
                    else _("单位不在您的管辖范围内：不能把单位迁入上级单位 %(parent)s")
                )
                err(r, "parent_code", Kind.OUT_OF_SCOPE, reason % {"parent": r.parent_code})
                continue
            if old is not None and not in_scope(old.path, strictly=True) and old.values() != r.values():
                err(r, "code", Kind.OUT_OF_SCOPE,
                    _("单位不在您的管辖范围内：本级单位 %(code)s 的信息须由上级单位修改") % {"code": r.code})
                continue
        final_paths[r.code] = parent_path + r.code + PATH_SEPARATOR

    for r in rows:
        if r.row in bad or r.code not in final_paths or by_code.get(r.code) is not r:
            continue
        r.path = final_paths[r.code]
        old = existing.get(r.code)
        if old is None:
            plan.new.append(r)
        elif old.values() != r.values():
            plan.changed.append((r, old))
        else:
            plan.unchanged.append(r)
    return plan


def file_error(reason: str) -> UnitError:
    return UnitError(0, "", reason, Kind.FILE)


def read_and_plan(
    data: bytes, lookup: Any, *, roots: Sequence[str] | None
) -> ImportPlan:
    """Read a file and plan it; `lookup(codes) -> {code: ExistingUnit}` reads the database."""
    try:
        rows = read_rows(data)
    except SheetError as exc:
        return ImportPlan(errors=[file_error(str(exc))])
    if not rows:
        return ImportPlan(errors=[file_error(_("文件中没有数据行"))])
    codes = {r.raw.get("code", "") for r in rows} | {r.raw.get("parent_code", "") for r in rows}
    codes.discard("")
    return plan_import(rows, lookup(codes), roots=roots)


def rejected_workbook(plan: ImportPlan) -> bytes:
    """The rows that were refused, as typed, with an extra 错误原因 column (fix and re-import)."""
    reasons: dict[int, list[str]] = {}
    for e in sorted(plan.errors):
        reasons.setdefault(e.row, []).append(f"{e.column}：{e.reason}" if e.column else e.reason)
    out = []
    for r in plan.rows:
        if r.row in reasons:
            out.append([r.raw.get(c.key, "") for c in COLUMNS] + [f"第 {r.row} 行：" + "；".join(reasons[r.row])])
    if 0 in reasons:
        out.append([""] * len(COLUMNS) + ["；".join(reasons[0])])
    return write_rows("数据", [*HEADERS, REJECT_HEADER], out)


def export_row(u: Mapping[str, Any]) -> list[str]:
    """One unit as a row of the import template (so an export re-imports unchanged)."""
    level = u["level"]
    return [
        u["code"], u["name"], LEVEL_LABELS[level], u.get("parent_code") or "",
        u.get("county_kind", "") if level == Level.COUNTY else "",
        *[(u.get(k, "") if level == Level.SCHOOL else "") for k, _ in SCHOOL_FIELDS],
    ]


def kind_counts(plan: ImportPlan) -> dict[str, int]:
    return dict(Counter(e.kind for e in plan.errors))
