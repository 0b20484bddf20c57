"""Student roster files (测试年级学生名单): reading and checking, as a web import would.

A roster has one row per student with these columns (Chinese or English headers):

=============  ==============  =========================================================
Chinese        English         content
=============  ==============  =========================================================
姓名           name            required
性别           sex             required: 男/女 (also 男性/女性, M/F, male/female, 1/2)
出生日期       birth_date      required: 2012-03-05, 2012/3/5, 2012.3.5, 20120305,
                               2012年3月5日 or an Excel date cell
身份证号       national_id     required: 18-character GB 11643 number; lowercase x is
                               accepted and stored upper-case
班级           class           required
学号           student_no      required, unique within a class (within school and class
                               when the file has a school column)
学校代码       school_id       optional
=============  ==============  =========================================================

Other columns are kept as text; wholly blank rows are skipped. Every problem is reported — not only the first — as a
:class:`~jiance_core.errors.RowError` with the spreadsheet row (header = row 1), the column header
as written in the file, and a Chinese reason:

* a required field empty; a sex value that is not one of the accepted ones;
* ID number: wrong length (15-digit old numbers named as such), bad characters, GB 11643 check
  digit wrong (the reason says what it should be), birth date inside the number invalid or after
  the test date, the number saved as a number by Excel (digits lost);
* the birth date in the number differs from the birth-date column; the sex in the number (17th
  digit, odd = 男) differs from the sex column;
* birth date implausible for the grade on the test date (when a grade is given; see
  :func:`jiance_core.idcard.plausible_birth_for_grade`);
* the same ID number twice in the file; the same student number twice in one class.

The checks are vectorised (polars for text and dates, numpy for the check digit), so a
100,000-row XLSX is read (calamine) and checked in a few seconds.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Final, cast

import numpy as np
import polars as pl

from jiance_core.errors import RowError, ValidationFailed
from jiance_core.idcard import CHECK_CHARS, WEIGHTS, plausible_birth_for_grade, school_year_start
from jiance_core.sheets import Limits, LostDigits, SheetError, cell_text, read_table

__all__ = [
    "OPTIONAL_COLUMNS",
    "REQUIRED_COLUMNS",
    "RosterCheck",
    "check_roster",
    "check_roster_file",
    "read_roster",
    "read_roster_bytes",
    "read_roster_raw",
]

REQUIRED_COLUMNS: Final = ("name", "sex", "birth_date", "national_id", "class", "student_no")
OPTIONAL_COLUMNS: Final = ("school_id",)
LABELS: Final = {
    "name": "姓名",
    "sex": "性别",
    "birth_date": "出生日期",
    "national_id": "身份证号",
    "class": "班级",
    "student_no": "学号",
    "school_id": "学校代码",
}
#: accepted headers (after trimming; English ones case-insensitive) -> canonical column.
HEADER_ALIASES: Final = {
    **{k: k for k in LABELS},
    **{v: k for k, v in LABELS.items()},
    "身份证号码": "national_id",
    "公民身份号码": "national_id",
    "班级名称": "class",
    "学校标识码": "school_id",
}
SEX_VALUES: Final = {
    "男": "男",
    "女": "女",
    "男性": "男",
    "女性": "女",
    "m": "男",
    "f": "女",
    "male": "男",
    "female": "女",
    "1": "男",  # GB/T 2261.1
    "2": "女",
}
_NUMERIC_MARK: Final = "\x00num:"
_ROW_OFFSET: Final = 2
_EXCEL_SUFFIXES: Final = (".xlsx", ".xlsm", ".xls", ".xlsb", ".ods")
_EARLIEST: Final = date(1900, 1, 1)


@dataclass(frozen=True)
class RosterCheck:
    """Result of checking a roster.

    ``students``: the rows with canonical column names (``school_id`` when present, then
    :data:`REQUIRED_COLUMNS`, then the other columns as text) and ``_row`` (spreadsheet row);
    sex normalised to 男/女, ID numbers upper-cased, ``birth_date`` a ``Date`` (null when invalid).
    ``headers``: canonical column -> the header the file used.
    """

    rows: int
    errors: list[RowError]
    students: pl.DataFrame
    headers: dict[str, str] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return not self.errors


# ---------------------------------------------------------------------------------------------------
# reading


def _cell(value: object) -> str | None:
    """A cell as text by the one rule of `jiance_core.sheets.cell_text`; an ID number Excel
    stored as a float is marked, so the check can say its digits were lost."""
    if value is None or value == "":
        return None
    if type(value) is str:
        return value
    text = cell_text(value)
    return f"{_NUMERIC_MARK}{text}" if isinstance(text, LostDigits) else text


def _read_excel(data: bytes, limits: Limits) -> pl.DataFrame:
    header_cells, body = read_table(data, limits)
    if not header_cells and not body:
        raise ValidationFailed([RowError(0, "", "文件为空")])
    width = max([len(header_cells), *(len(v) for _, v in body)])
    padded = [*header_cells, *([None] * (width - len(header_cells)))]
    header = [(_cell(h) or f"column_{i + 1}").strip() for i, h in enumerate(padded)]
    # row numbers stay those of the sheet: the gaps (blank rows) come back as empty rows
    table: list[list[object]] = []
    for number, values in body:
        table.extend([] for _ in range(number - 2 - len(table)))
        table.append(values)
    if any(len(r) != width for r in table):
        table = [[*r, *([None] * (width - len(r)))] for r in table]
    # column-wise: text columns go straight to polars; only other cells are converted one by one
    cells: list[tuple[object, ...]] = list(zip(*table, strict=True)) if table else []
    cells += [() for _ in range(width - len(cells))]
    columns: dict[str, list[str | None]] = {}
    for i, name in enumerate(header):
        if name in columns:
            name = f"{name}_{i + 1}"
        col = cells[i]
        if set(map(type, col)) <= {str, type(None)}:
            columns[name] = [v or None for v in cast("tuple[str | None, ...]", col)]
        else:
            columns[name] = [(cast(str, v) or None) if type(v) is str else _cell(v) for v in col]
    return pl.DataFrame(columns, schema=dict.fromkeys(columns, pl.String))


def _read_csv(data: bytes, limits: Limits) -> pl.DataFrame:
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = data.decode("gb18030")
    if not text.strip():
        raise ValidationFailed([RowError(0, "", "文件为空")])
    frame = pl.read_csv(text.encode("utf-8"), infer_schema=False, truncate_ragged_lines=True)
    if frame.height > limits.rows - 1:
        raise SheetError(f"行数超出上限：文件有 {frame.height + 1:,} 行，最多 {limits.rows - 1:,} 行数据")
    if frame.width > limits.columns:
        raise SheetError(f"列数超出上限：文件有 {frame.width} 列，最多 {limits.columns} 列")
    longest = frame.select(pl.all().str.len_chars().max()).row(0) if frame.height else ()
    for name, n in zip(frame.columns, longest, strict=True):
        if n is not None and n > limits.cell_chars:
            row = int(frame.with_row_index("_r", offset=2).filter(pl.col(name).str.len_chars() > limits.cell_chars)
                      ["_r"][0])
            raise SheetError(f"第 {row} 行，列 {name}：内容过长（{n:,} 字，最多 {limits.cell_chars:,} 字）", row=row)
    return frame


def read_roster_bytes(data: bytes, filename: str = "", *, limits: Limits | None = None) -> pl.DataFrame:
    """Read a roster file's bytes (XLSX, or CSV in UTF-8 or GB18030) as text columns, unchecked.

    XLSX goes through the guarded reader (`jiance_core.sheets`) with ``limits``; whatever the
    file's name, a ZIP is read as XLSX and anything else named like a workbook is refused."""
    limits = limits or Limits()
    try:
        if data.startswith(b"PK") or Path(filename).suffix.lower() in _EXCEL_SUFFIXES:
            return _read_excel(data, limits)
        return _read_csv(data, limits)
    except ValidationFailed:
        raise
    except SheetError as exc:
        raise ValidationFailed([RowError(0, "", str(exc))]) from exc
    except Exception as exc:
        raise ValidationFailed([RowError(0, "", f"无法读取文件：{exc}")]) from exc


def read_roster_raw(path: str | Path, *, limits: Limits | None = None) -> pl.DataFrame:
    """Read a roster file (CSV in UTF-8 or GB18030, or XLSX) as text columns, unchecked."""
    p = Path(path)
    if not p.is_file():
        raise ValidationFailed([RowError(0, "", f"找不到文件：{p}")])
    return read_roster_bytes(p.read_bytes(), p.name, limits=limits)


# ---------------------------------------------------------------------------------------------------
# checking


def _canonical_headers(columns: list[str]) -> tuple[dict[str, str], list[RowError]]:
    found: dict[str, str] = {}
    errors: list[RowError] = []
    for header in columns:
        key = header.strip().lstrip("\ufeff")
        canon = HEADER_ALIASES.get(key) or HEADER_ALIASES.get(key.lower())
        if canon is None:
            continue
        if canon in found:
            errors.append(
                RowError(1, header, f"列 {header} 与列 {found[canon]} 重复（都是{LABELS[canon]}）")
            )
            continue
        found[canon] = header
    for c in REQUIRED_COLUMNS:
        if c not in found:
            errors.append(RowError(1, LABELS[c], f"缺少列 {LABELS[c]}（或 {c}）"))
    return found, errors


def _parse_dates(col: pl.Expr) -> pl.Expr:
    """Text -> Date for the accepted birth-date spellings; null when not a real date."""
    text = (
        col.str.replace(r"[ T]\d{1,2}:\d{2}(:\d{2}(\.\d+)?)?$", "")
        .str.replace_all(r"[年月/.]", "-")
        .str.replace(r"日$", "")
        .str.strip_chars()
    )
    text = (
        pl.when(text.str.contains(r"^\d{8}$"))
        .then(text.str.slice(0, 4) + "-" + text.str.slice(4, 2) + "-" + text.str.slice(6, 2))
        .otherwise(text)
    )
    parts = text.str.extract_groups(r"^(\d{4})-(\d{1,2})-(\d{1,2})$")
    y = parts.struct.field("1").cast(pl.Int32, strict=False)
    m = parts.struct.field("2").cast(pl.Int32, strict=False)
    d = parts.struct.field("3").cast(pl.Int32, strict=False)
    iso = pl.format("{}-{}-{}", y, m.cast(pl.String).str.zfill(2), d.cast(pl.String).str.zfill(2))
    return iso.str.to_date("%Y-%m-%d", strict=False)


def _expected_check_chars(ids: pl.Series) -> np.ndarray:
    """GB 11643 check characters for 18-character IDs whose first 17 are digits (else "")."""
    arr = ids.fill_null("").to_numpy().astype("U18")
    n = arr.shape[0]
    out = np.full(n, "", dtype="U1")
    if n == 0:
        return out
    cp = arr.view(np.uint32).reshape(n, 18)[:, :17].astype(np.int64) - ord("0")
    good = np.all((cp >= 0) & (cp <= 9), axis=1)
    total = (np.where(good[:, None], cp, 0) @ np.asarray(WEIGHTS, dtype=np.int64)) % 11
    chars = np.asarray(list(CHECK_CHARS), dtype="U1")[total]
    out[good] = chars[good]
    return out


def check_roster(
    raw: pl.DataFrame,
    *,
    grade: int | None = None,
    test_date: date | None = None,
    today: date | None = None,
) -> RosterCheck:
    """Check a roster read as text (see :func:`read_roster_raw`); never raises for bad data.

    ``grade`` and ``test_date``: check that birth dates are plausible for the grade on the test
    date. ``today``: no birth date may be later (default: ``test_date``, else no such check beyond
    the grade check).
    """
    headers, errors = _canonical_headers(raw.columns)
    if errors and any(e.reason.startswith("缺少列") for e in errors):
        return RosterCheck(raw.height, sorted(errors), pl.DataFrame(), headers)
    if grade is not None and raw.height and not 1 <= grade <= 12:
        raise ValueError("年级必须在1到12之间")
    limit = today or test_date
    canon = [c for c in (*OPTIONAL_COLUMNS, *REQUIRED_COLUMNS) if c in headers]
    text, raw = _text_columns(raw, headers, canon)
    if text.height == 0:
        return RosterCheck(0, [RowError(0, "", "文件中没有学生")], pl.DataFrame(), headers)
    found = _Found(_derive(text, limit, canon), headers)
    _check_fields(found)
    _check_id_numbers(found, limit)
    _check_birth_dates(found, grade=grade, test_date=test_date, limit=limit)
    _check_student_numbers(found)
    return RosterCheck(
        found.text.height, [*errors, *found.errors()], _students(found.text, raw, canon, headers), headers
    )


def _text_columns(
    raw: pl.DataFrame, headers: dict[str, str], canon: list[str]
) -> tuple[pl.DataFrame, pl.DataFrame]:
    """The known columns trimmed, empty as null, numbered by sheet row; wholly blank rows dropped
    (from the raw frame too; the other rows keep the row numbers of the file)."""
    text = raw.select(
        [pl.col(headers[c]).cast(pl.String).str.strip_chars().alias(c) for c in canon]
    ).with_row_index("_row", offset=_ROW_OFFSET)
    text = text.with_columns(
        [pl.when(pl.col(c) == "").then(None).otherwise(pl.col(c)).alias(c) for c in canon]
    )
    keep = text.select(~pl.all_horizontal([pl.col(c).is_null() for c in canon])).to_series()
    if not keep.all():
        return text.filter(keep), raw.filter(keep)
    return text, raw


def _derive(text: pl.DataFrame, limit: date | None, canon: list[str]) -> pl.DataFrame:
    """The helper columns every check reads: normalised ID, sex and birth date, the check digit,
    the birth date and sex inside the ID, and the first row of each ID and student number."""
    nid = pl.col("national_id")
    text = text.with_columns(
        nid.str.starts_with(_NUMERIC_MARK).fill_null(False).alias("_id_numeric"),
        nid.str.to_uppercase().str.replace_all(r"\s", "").alias("_id"),
        pl.col("sex").str.to_lowercase().replace_strict(SEX_VALUES, default=None).alias("_sex"),
        _parse_dates(pl.col("birth_date")).alias("_birth"),
    )
    idc = pl.col("_id")
    text = text.with_columns(
        idc.str.len_chars().alias("_id_len"),
        idc.str.contains(r"^\d{17}[\dX]$").fill_null(False).alias("_id_shape"),
    )
    text = text.with_columns(
        pl.Series("_expected", _expected_check_chars(text["_id"]), dtype=pl.String),
    )
    text = text.with_columns(
        (pl.col("_id_shape") & (idc.str.slice(17, 1) == pl.col("_expected"))).alias("_id_check"),
    )
    text = text.with_columns(
        pl.when(pl.col("_id_check"))
        .then(idc.str.slice(6, 8).str.to_date("%Y%m%d", strict=False))
        .otherwise(None)
        .alias("_id_birth"),
    )
    text = text.with_columns(
        (pl.col("_id_birth").is_not_null() & (pl.col("_id_birth") >= _EARLIEST)).alias("_id_ok"),
        pl.when(idc.str.slice(16, 1).cast(pl.Int32, strict=False) % 2 == 1)
        .then(pl.lit("男"))
        .otherwise(pl.lit("女"))
        .alias("_id_sex"),
    )
    if limit is not None:
        text = text.with_columns(
            (pl.col("_id_ok") & (pl.col("_id_birth") <= limit)).alias("_id_ok"),
        )
    # window values are computed on the whole file, before any filtering
    keys = [c for c in ("school_id", "class") if c in canon]
    return text.with_columns(
        pl.col("_row").min().over("_id").alias("_id_first"),
        pl.col("_row").min().over([*keys, "student_no"]).alias("_no_first"),
    )


_ORDER: Final = {c: i for i, c in enumerate((*OPTIONAL_COLUMNS, *REQUIRED_COLUMNS))}


class _Found:
    """The problems found so far, as (row, column order, header, reason) to sort."""

    def __init__(self, text: pl.DataFrame, headers: dict[str, str]) -> None:
        self.text = text
        self.headers = headers
        self.found: list[tuple[int, int, str, str]] = []

    def collect(self, mask: pl.Expr, column: str, reason: pl.Expr | str) -> None:
        reason_expr = pl.lit(reason) if isinstance(reason, str) else reason
        hits = self.text.filter(mask.fill_null(False)).select("_row", reason_expr.alias("_r"))
        label = self.headers.get(column, LABELS.get(column, column))
        pos = _ORDER.get(column, 99)
        self.found.extend((int(r), pos, label, str(m)) for r, m in hits.iter_rows())

    def add(self, row: int, column: str, reason: str) -> None:
        self.found.append((row, _ORDER[column], self.headers[column], reason))

    def errors(self) -> list[RowError]:
        return [RowError(r, label, reason) for r, _, label, reason in sorted(self.found)]


def _check_fields(f: _Found) -> None:
    for c in REQUIRED_COLUMNS:
        f.collect(pl.col(c).is_null(), c, f"{LABELS[c]}为空")
    f.collect(
        pl.col("sex").is_not_null() & pl.col("_sex").is_null(),
        "sex",
        pl.format("性别无效：“{}”，应为 男 或 女", pl.col("sex")),
    )


def _check_id_numbers(f: _Found, limit: date | None) -> None:
    nid, idc = pl.col("national_id"), pl.col("_id")
    present = nid.is_not_null()
    numeric = pl.col("_id_numeric")
    f.collect(
        numeric,
        "national_id",
        "身份证号被 Excel 存成了数字，后几位已丢失：请把该列设为文本格式后重新填写",
    )
    length = pl.col("_id_len")
    f.collect(
        present & ~numeric & (length == 15),
        "national_id",
        "身份证号是15位旧号码，请填写18位公民身份号码",
    )
    f.collect(
        present & ~numeric & (length != 15) & (length != 18),
        "national_id",
        pl.format("身份证号长度应为18位，现为 {} 位", length),
    )
    f.collect(
        present & ~numeric & (length == 18) & ~pl.col("_id_shape"),
        "national_id",
        "身份证号含非法字符：前17位须为数字，最后一位为数字或 X",
    )
    f.collect(
        pl.col("_id_shape") & ~pl.col("_id_check"),
        "national_id",
        pl.format(
            "身份证号校验位错误：最后一位应为 {}，现为 {}",
            pl.col("_expected"),
            idc.str.slice(17, 1),
        ),
    )
    id_birth_bad = pl.col("_id_check") & (
        pl.col("_id_birth").is_null() | (pl.col("_id_birth") < _EARLIEST)
    )
    f.collect(
        id_birth_bad,
        "national_id",
        pl.format("身份证号中的出生日期无效：{}", idc.str.slice(6, 8)),
    )
    if limit is not None:
        f.collect(
            pl.col("_id_check") & ~id_birth_bad & (pl.col("_id_birth") > limit),
            "national_id",
            pl.format("身份证号中的出生日期 {} 晚于 {}", pl.col("_id_birth"), pl.lit(str(limit))),
        )
    first = pl.col("_id_first")
    f.collect(
        pl.col("_id_shape") & (pl.col("_row") != first),
        "national_id",
        # masked like everywhere else: the row of the first one is what the school needs
        pl.format("身份证号 {} 重复（与第 {} 行相同）", pl.lit("*" * 14) + idc.str.slice(-4), first),
    )


def _check_birth_dates(f: _Found, *, grade: int | None, test_date: date | None, limit: date | None) -> None:
    bd = pl.col("birth_date")
    f.collect(
        bd.is_not_null() & pl.col("_birth").is_null(),
        "birth_date",
        pl.format("出生日期无效：“{}”，应为 年-月-日（如 2012-03-05）", bd),
    )
    f.collect(
        pl.col("_birth").is_not_null()
        & pl.col("_id_ok")
        & (pl.col("_birth") != pl.col("_id_birth")),
        "birth_date",
        pl.format(
            "出生日期 {} 与身份证号中的出生日期 {} 不符", pl.col("_birth"), pl.col("_id_birth")
        ),
    )
    f.collect(
        pl.col("_sex").is_not_null() & pl.col("_id_ok") & (pl.col("_sex") != pl.col("_id_sex")),
        "sex",
        pl.format(
            "性别“{}”与身份证号不符（身份证号第17位表示{}）", pl.col("sex"), pl.col("_id_sex")
        ),
    )
    effective = pl.when(pl.col("_id_ok")).then(pl.col("_id_birth")).otherwise(pl.col("_birth"))
    if grade is not None:
        when = test_date or limit or date.today()
        start = school_year_start(when)
        age = (
            pl.lit(start.year)
            - effective.dt.year()
            - (
                (effective.dt.month() > start.month)
                | ((effective.dt.month() == start.month) & (effective.dt.day() > start.day))
            ).cast(pl.Int32)
        )
        suspect = f.text.filter(
            effective.is_not_null() & ((age < grade + 4) | (age > grade + 8))
        ).select("_row", effective.alias("_b"))
        for r, b in suspect.iter_rows():
            reason = plausible_birth_for_grade(b, grade, when)
            if reason:
                f.add(int(r), "birth_date", reason)
    elif limit is not None:
        f.collect(
            pl.col("_birth").is_not_null() & ~pl.col("_id_ok") & (pl.col("_birth") > limit),
            "birth_date",
            pl.format("出生日期 {} 晚于 {}", pl.col("_birth"), pl.lit(str(limit))),
        )


def _check_student_numbers(f: _Found) -> None:
    """A student number is unique within a class (and school)."""
    first_no = pl.col("_no_first")
    f.collect(
        pl.col("student_no").is_not_null()
        & pl.col("class").is_not_null()
        & (pl.col("_row") != first_no),
        "student_no",
        pl.format(
            "学号 {} 在班级“{}”中重复（与第 {} 行相同）",
            pl.col("student_no"),
            pl.col("class"),
            first_no,
        ),
    )


def _students(text: pl.DataFrame, raw: pl.DataFrame, canon: list[str], headers: dict[str, str]) -> pl.DataFrame:
    """The checked rows: canonical columns (normalised sex, parsed birth date, upper-case ID, no
    ID for one Excel stored as a number), then the file's other columns as text."""
    used = set(headers.values())
    extra = [c for c in raw.columns if c not in used]
    replaced = {
        "sex": pl.coalesce(pl.col("_sex"), pl.col("sex")).alias("sex"),
        "birth_date": pl.col("_birth").alias("birth_date"),
        "national_id": pl.when(pl.col("_id_numeric")).then(None).otherwise(pl.col("_id")).alias("national_id"),
    }
    return pl.concat(
        [
            text.select("_row", *[replaced.get(c, pl.col(c)) for c in canon]),
            raw.select([pl.col(c).cast(pl.String) for c in extra]),
        ],
        how="horizontal",
    )


def check_roster_file(
    path: str | Path,
    *,
    grade: int | None = None,
    test_date: date | None = None,
    today: date | None = None,
) -> RosterCheck:
    """Read and check a roster file; unreadable files come back as file-level errors."""
    try:
        raw = read_roster_raw(path)
    except ValidationFailed as exc:
        return RosterCheck(0, exc.errors, pl.DataFrame())
    return check_roster(raw, grade=grade, test_date=test_date, today=today)


def read_roster(
    path: str | Path,
    *,
    grade: int | None = None,
    test_date: date | None = None,
    today: date | None = None,
) -> pl.DataFrame:
    """The checked students of a roster file; raises :class:`ValidationFailed` listing every error."""
    result = check_roster_file(path, grade=grade, test_date=test_date, today=today)
    if result.errors:
        raise ValidationFailed(result.errors)
    return result.students
