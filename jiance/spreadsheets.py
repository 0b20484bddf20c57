"""Spreadsheets in and out, shared by every import and export.

- Reading: the guarded reader of `jiance_core.sheets` with the caps of each import kind from
  the `JIANCE_SHEET_*` settings; rows come back with their real spreadsheet row numbers.
- Writing: openpyxl (defusedxml is installed, so openpyxl parses any XML it reads safely).
  Every text cell is neutralised against formula injection.
- Templates: a data sheet with dropdowns, an instructions sheet and a codes sheet.
"""

from __future__ import annotations

import io
import itertools
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import IO, Any

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation

from jiance_core.sheets import Limits, SheetError, cell_text, open_workbook

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
HEADER_FILL = PatternFill("solid", fgColor="DCE6F2")
REQUIRED_FONT = Font(bold=True, color="B42318")


def safe_cell(value: Any) -> Any:
    """A value that a spreadsheet will show as text, never evaluate as a formula."""
    if isinstance(value, str) and value.startswith(FORMULA_PREFIXES):
        return "'" + value
    return value


@dataclass(frozen=True)
class Column:
    key: str
    header: str
    required: bool = True
    choices: Sequence[str] = ()
    help: str = ""
    width: int = 16


@dataclass
class TemplateSpec:
    title: str
    columns: Sequence[Column]
    instructions: Sequence[str] = ()
    codes: dict[str, Sequence[tuple[str, str]]] = field(default_factory=dict)
    max_rows: int = 5000


def build_template(spec: TemplateSpec, rows: Iterable[Sequence[Any]] = ()) -> bytes:
    """An XLSX template: 数据 sheet with headers and dropdowns, 填表说明, 代码表."""
    wb = Workbook()
    ws = wb.active
    ws.title = "数据"
    for i, col in enumerate(spec.columns, start=1):
        cell = ws.cell(row=1, column=i, value=col.header)
        cell.fill = HEADER_FILL
        cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
        if col.required:
            cell.font = REQUIRED_FONT
        ws.column_dimensions[get_column_letter(i)].width = col.width
    ws.freeze_panes = "A2"
    for r, row in enumerate(rows, start=2):
        for c, value in enumerate(row, start=1):
            ws.cell(row=r, column=c, value=safe_cell(value))

    lists = wb.create_sheet("选项")
    for i, col in enumerate(spec.columns, start=1):
        if not col.choices:
            continue
        letter = get_column_letter(i)
        lists.cell(row=1, column=i, value=col.header)
        for j, choice in enumerate(col.choices, start=2):
            lists.cell(row=j, column=i, value=choice)
        ref = f"选项!${letter}$2:${letter}${len(col.choices) + 1}"
        dv = DataValidation(type="list", formula1=ref, allow_blank=not col.required)
        dv.error = f"请从下拉列表中选择{col.header}"
        dv.errorTitle = "输入无效"
        ws.add_data_validation(dv)
        dv.add(f"{letter}2:{letter}{spec.max_rows + 1}")
    lists.sheet_state = "hidden"

    info = wb.create_sheet("填表说明")
    info.column_dimensions["A"].width = 100
    info.cell(row=1, column=1, value=spec.title).font = Font(bold=True, size=14)
    lines = [*spec.instructions, "", "列说明（红色表头为必填）："]
    lines += [f"{c.header}：{c.help or ('必填' if c.required else '选填')}" for c in spec.columns]
    for r, line in enumerate(lines, start=2):
        info.cell(row=r, column=1, value=safe_cell(line)).alignment = Alignment(wrap_text=True)

    if spec.codes:
        codes = wb.create_sheet("代码表")
        r = 1
        for title, pairs in spec.codes.items():
            codes.cell(row=r, column=1, value=title).font = Font(bold=True)
            r += 1
            for code, name in pairs:
                codes.cell(row=r, column=1, value=safe_cell(code))
                codes.cell(row=r, column=2, value=safe_cell(name))
                r += 1
            r += 1
        codes.column_dimensions["A"].width = 18
        codes.column_dimensions["B"].width = 40
    return workbook_bytes(wb)


def write_rows(title: str, headers: Sequence[str], rows: Iterable[Sequence[Any]]) -> bytes:
    """A plain export: one sheet, a header row, every text cell made safe. Streams rows."""
    wb = Workbook(write_only=True)
    ws = wb.create_sheet(title[:31])
    ws.append(list(headers))
    for row in rows:
        ws.append([safe_cell(v) for v in row])
    return workbook_bytes(wb)


def workbook_bytes(wb: Workbook) -> bytes:
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


@dataclass(frozen=True)
class SheetRow:
    number: int  # the row number the user sees in the spreadsheet (header is row 1)
    values: dict[str, Any]


def sheet_limits(kind: str) -> Limits:
    """The caps of one import kind (units, frame, students, teachers, aftertest) from settings."""
    from django.conf import settings

    caps = settings.JIANCE_SHEET_LIMITS[kind]
    unpacked = settings.JIANCE_SHEET_UNPACKED_MB * 1024 * 1024
    return Limits(
        rows=caps["rows"] + 1, columns=caps["columns"], cell_chars=caps["cell_chars"],
        text_chars=settings.JIANCE_SHEET_TEXT_CHARS, entries=settings.JIANCE_SHEET_MAX_ENTRIES,
        entry_bytes=unpacked, total_bytes=unpacked, ratio=settings.JIANCE_SHEET_MAX_RATIO,
    )


def read_sheet(
    source: bytes | IO[bytes], columns: Sequence[Column], *, kind: str, sheet: str | None = "数据"
) -> Iterator[SheetRow]:
    """Rows of the data sheet keyed by column key, matched by header text. Empty rows skipped.

    Read by the guarded reader (`jiance_core.sheets`) with the caps of `kind`; every problem of
    the file itself is a SheetError with one Chinese sentence."""
    book = open_workbook(source, sheet_limits(kind))
    rows = book.rows(sheet if sheet in book.sheet_names else None)
    first = next(rows, None)
    if first is None:
        raise SheetError("工作表为空")
    number, cells = first
    header = [cell_text(h) for h in cells] if number == 1 else []
    index: dict[str, int] = {}
    missing = []
    for col in columns:
        if col.header in header:
            index[col.key] = header.index(col.header)
        elif col.required:
            missing.append(col.header)
    if missing:
        raise SheetError("缺少列：" + "、".join(missing))
    if number != 1:
        rows = itertools.chain([first], rows)
    for number, raw in rows:
        values = {k: (raw[i] if i < len(raw) else "") for k, i in index.items()}
        yield SheetRow(number, values)


def missing_columns(reasons: Iterable[str]) -> list[str]:
    """The column names the errors of a whole file say are missing, in order, once each: the
    shared reader's "缺少列：A、B" and the roster checker's "缺少列 A（或 a）". A page shows them
    with a link to the template instead of a rejected-rows download (such a file has no rows)."""
    names: list[str] = []
    for reason in reasons:
        text = str(reason)
        if not text.startswith("缺少列"):
            continue
        for part in text[3:].lstrip("：: ").split("、"):
            name = part.split("（")[0].strip()
            if name and name not in names:
                names.append(name)
    return names


__all__ = [
    "Column", "SheetError", "SheetRow", "TemplateSpec", "build_template", "cell_text", "missing_columns", "read_sheet",
    "safe_cell", "sheet_limits", "workbook_bytes", "write_rows",
]
