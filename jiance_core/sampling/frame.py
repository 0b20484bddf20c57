"""The school sampling frame: reading it from CSV/XLSX and checking it like a web import.

A frame has one row per school with the columns in :data:`REQUIRED_COLUMNS`:

- ``county``: the county (区县) the school belongs to; strata are county x stage.
- ``school_id``: the school code, unique in the frame.
- ``school_name``.
- ``school_type``: one of :data:`SCHOOL_TYPES`.
- ``area``: one of :data:`AREAS` (城区/镇区/乡村), used for implicit stratification.
- ``primary_students`` / ``junior_students``: students in the tested grade of the primary stage
  (grade 4) and of the junior stage (grade 8), non-negative integers.

The header may also use the Chinese names in :data:`HEADER_ALIASES` (区县, 学校代码, 学校名称,
学校类型, 区域, 四年级学生数, 八年级学生数 ...). Extra columns are kept as text and travel with
the sample. Every problem is reported, not only
the first, as :class:`jiance_core.errors.RowError` with the row number the user sees in a
spreadsheet (the header is row 1).
"""

from __future__ import annotations

from pathlib import Path
from typing import Final

import polars as pl

from jiance_core.errors import RowError, ValidationFailed
from jiance_core.sheets import Limits, SheetError, cell_text, read_table

REQUIRED_COLUMNS: Final = (
    "county",
    "school_id",
    "school_name",
    "school_type",
    "area",
    "primary_students",
    "junior_students",
)
STUDENT_COLUMNS: Final = ("primary_students", "junior_students")
AREAS: Final = ("城区", "镇区", "乡村")
SCHOOL_TYPES: Final = ("小学", "初中", "九年一贯制", "十二年一贯制", "完全中学")
# Which school types belong to which stage's frame.
PRIMARY_TYPES: Final = ("小学", "九年一贯制", "十二年一贯制")
JUNIOR_TYPES: Final = ("初中", "九年一贯制", "十二年一贯制", "完全中学")

_COLUMN_LABELS: Final = {
    "county": "区县",
    "school_id": "学校代码",
    "school_name": "学校名称",
    "school_type": "学校类型",
    "area": "区域",
    "primary_students": "小学测试年级学生数",
    "junior_students": "初中测试年级学生数",
}
# Chinese headers an office's own spreadsheet may use, read as the English column names.
HEADER_ALIASES: Final = {
    **{label: column for column, label in _COLUMN_LABELS.items()},
    "县（区）": "county",
    "县区": "county",
    "区县名称": "county",
    "学校标识码": "school_id",
    "城乡类型": "area",
    "城乡": "area",
    "四年级学生数": "primary_students",
    "八年级学生数": "junior_students",
}
_ROW_OFFSET: Final = 2  # data row i (0-based) is file row i + 2: the header is row 1
_INT_PATTERN: Final = r"^\+?\d+(\.0*)?$"


def read_frame(path: str | Path) -> pl.DataFrame:
    """Read and check a frame file (``.csv``, ``.xlsx``/``.xlsm``/``.xls``).

    Returns the checked frame (see :func:`validate_frame`); raises
    :class:`~jiance_core.errors.ValidationFailed` with every error found.
    """
    return validate_frame(read_raw(path))


def read_raw(path: str | Path) -> pl.DataFrame:
    """Read a frame file as text columns, without checking it.

    CSV may be UTF-8 (with or without BOM) or GB18030/GBK, as Excel saves it on Chinese Windows.
    """
    p = Path(path)
    if not p.is_file():
        raise ValidationFailed([RowError(0, "", f"找不到文件：{p}")])
    suffix = p.suffix.lower()
    try:
        if suffix in (".xlsx", ".xlsm", ".xls", ".xlsb", ".ods"):
            return _read_excel(p)
        return _read_csv(p.read_bytes())
    except ValidationFailed:
        raise
    except Exception as exc:  # a broken file: say so in the user's words
        raise ValidationFailed([RowError(0, "", f"无法读取文件：{exc}")]) from exc


def _read_csv(data: bytes) -> pl.DataFrame:
    if not data.strip(b" \t\r\n\xef\xbb\xbf"):
        raise ValidationFailed([RowError(0, "", "文件为空")])
    try:  # UTF-8, with or without BOM: polars reads the bytes as they are
        return pl.read_csv(data, infer_schema=False, truncate_ragged_lines=True)
    except pl.exceptions.ComputeError:
        text = data.decode("gb18030")
    return pl.read_csv(text.encode("utf-8"), infer_schema=False, truncate_ragged_lines=True)


def _cell_text(value: object) -> str | None:
    return cell_text(value) or None


def _read_excel(p: Path) -> pl.DataFrame:
    """The first sheet through the guarded reader (`jiance_core.sheets`), as text columns."""
    try:
        header_cells, body = read_table(p.read_bytes(), Limits(rows=1_000_001))
    except SheetError as exc:
        raise ValidationFailed([RowError(0, "", str(exc))]) from exc
    if not header_cells and not body:
        raise ValidationFailed([RowError(0, "", "文件为空")])
    width = max([len(header_cells), *(len(v) for _, v in body)])
    padded = [*header_cells, *([None] * (width - len(header_cells)))]
    header = [str(_cell_text(h) or f"column_{i + 1}") for i, h in enumerate(padded)]
    # row numbers stay those of the sheet: blank rows inside the data come back as empty rows
    table: list[list[object]] = []
    for number, values in body:
        table.extend([] for _ in range(number - 2 - len(table)))
        table.append(values)
    columns = {
        name: [_cell_text(r[i]) if i < len(r) else None for r in table]
        for i, name in enumerate(header)
    }
    return pl.DataFrame(columns, schema=dict.fromkeys(header, pl.String))


def _label(column: str) -> str:
    return _COLUMN_LABELS.get(column, column)


def validate_frame(raw: pl.DataFrame) -> pl.DataFrame:
    """Check a frame read as text and return it typed.

    The result has the required columns (text, trimmed; student counts as ``Int64``) followed
    by the extra columns as text, in file order. Raises
    :class:`~jiance_core.errors.ValidationFailed` listing every problem.
    """
    names = {c: c.strip().lstrip("\ufeff") for c in raw.columns}
    names = {c: HEADER_ALIASES.get(n, n) for c, n in names.items()}
    if len(set(names.values())) < len(names):
        seen: dict[str, str] = {}
        repeated: list[RowError] = []
        for original, name in names.items():
            if name in seen:
                repeated.append(
                    RowError(1, original, f"列重复：“{original}”与“{seen[name]}”是同一列")
                )
            seen.setdefault(name, original)
        raise ValidationFailed(repeated)
    raw = raw.rename(names)
    missing = [c for c in REQUIRED_COLUMNS if c not in raw.columns]
    if missing:
        raise ValidationFailed([RowError(1, c, f"缺少列 {c}（{_label(c)}）") for c in missing])
    extra = [c for c in raw.columns if c not in REQUIRED_COLUMNS]
    if raw.height == 0:
        raise ValidationFailed([RowError(0, "", "文件中没有学校")])

    text = raw.select(
        [pl.col(c).cast(pl.String).str.strip_chars().alias(c) for c in REQUIRED_COLUMNS]
    ).with_row_index("_row", offset=_ROW_OFFSET)
    text = text.with_columns(pl.col("_row").min().over("school_id").alias("_first"))

    errors: list[RowError] = []

    def collect(mask: pl.Expr, column: str, reason: pl.Expr | str) -> None:
        reason_expr = pl.lit(reason) if isinstance(reason, str) else reason
        found = text.filter(mask).select("_row", reason_expr.alias("_reason"))
        errors.extend(RowError(int(r), column, str(m)) for r, m in found.iter_rows())

    def empty(c: str) -> pl.Expr:
        return pl.col(c).is_null() | (pl.col(c) == "")

    for c in ("county", "school_id", "school_name"):
        collect(empty(c), c, f"{_label(c)}为空")

    # Duplicate school codes: every later occurrence names the first one.
    collect(
        ~empty("school_id") & (pl.col("_row") != pl.col("_first")),
        "school_id",
        pl.format("学校代码 {} 重复（与第 {} 行相同）", pl.col("school_id"), pl.col("_first")),
    )

    type_list = "、".join(SCHOOL_TYPES)
    collect(empty("school_type"), "school_type", f"学校类型为空，应为 {type_list} 之一")
    collect(
        ~empty("school_type") & ~pl.col("school_type").is_in(SCHOOL_TYPES),
        "school_type",
        pl.format("学校类型无效：“{}”，应为 " + type_list + " 之一", pl.col("school_type")),
    )
    area_list = "、".join(AREAS)
    collect(empty("area"), "area", f"区域为空，应为 {area_list} 之一")
    collect(
        ~empty("area") & ~pl.col("area").is_in(AREAS),
        "area",
        pl.format("区域无效：“{}”，应为 " + area_list + " 之一", pl.col("area")),
    )

    for c in STUDENT_COLUMNS:
        collect(empty(c), c, f"{_label(c)}为空（没有学生请填 0）")
        collect(
            ~empty(c) & ~pl.col(c).str.contains(_INT_PATTERN),
            c,
            pl.format("学生数不是非负整数：“{}”", pl.col(c)),
        )

    def count(c: str) -> pl.Expr:
        return (
            pl.when(pl.col(c).str.contains(_INT_PATTERN))
            .then(
                pl.col(c)
                .str.strip_prefix("+")
                .str.replace(r"\.0*$", "")
                .cast(pl.Int64, strict=False)
            )
            .otherwise(None)
        )

    text = text.with_columns(
        count("primary_students").alias("_p"), count("junior_students").alias("_j")
    )
    collect(
        (pl.col("school_type") == "小学") & (pl.col("_j") > 0),
        "junior_students",
        "类型与学段不一致：小学不应有初中测试年级学生（应为 0）",
    )
    collect(
        pl.col("school_type").is_in(("初中", "完全中学")) & (pl.col("_p") > 0),
        "primary_students",
        pl.format("类型与学段不一致：{}不应有小学测试年级学生（应为 0）", pl.col("school_type")),
    )

    if errors:
        position = {c: i for i, c in enumerate(REQUIRED_COLUMNS)}
        errors.sort(key=lambda e: (e.row, position.get(e.column, len(position)), e.reason))
        raise ValidationFailed(errors)

    return pl.concat(
        [
            text.select(
                "county",
                "school_id",
                "school_name",
                "school_type",
                "area",
                pl.col("_p").alias("primary_students"),
                pl.col("_j").alias("junior_students"),
            ),
            raw.select([pl.col(c).cast(pl.String) for c in extra]),
        ],
        how="horizontal",
    )


def check_frame(frame: pl.DataFrame) -> pl.DataFrame:
    """Check an in-memory frame (for example a synthetic one) the same way as a file."""
    missing = [c for c in REQUIRED_COLUMNS if c not in frame.columns]
    if missing:
        raise ValidationFailed([RowError(1, c, f"缺少列 {c}（{_label(c)}）") for c in missing])
    return validate_frame(frame.select([pl.col(c).cast(pl.String) for c in frame.columns]))
