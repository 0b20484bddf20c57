"""Reading the columns of an analysis file: numbers with the rows that are not numbers.

Rows are numbered as a spreadsheet shows them: the header is row 1, the first data row row 2.
Missing values are empty cells and the usual missing codes of statistical packages
(``NA``, ``.``, ``NaN``); they are missing, never an error, except where a value is required
(weights, strata, PSUs).
"""

from __future__ import annotations

import numpy as np
import polars as pl

from jiance_core.errors import RowError, ValidationFailed

MISSING_TOKENS = ("", "NA", "N/A", ".", "NaN", "nan", "NULL", "null")
SHOWN_ROWS = 10


def rows_text(index: np.ndarray) -> str:
    """'第 2、5、9 行' for the 0-based data indices (at most SHOWN_ROWS, then a count)."""
    rows = [str(int(i) + 2) for i in index[:SHOWN_ROWS]]
    more = f" 等共 {len(index)} 行" if len(index) > SHOWN_ROWS else ""
    return f"第 {'、'.join(rows)} 行{more}"


def require_columns(frame: pl.DataFrame, names: list[str]) -> None:
    missing = [n for n in dict.fromkeys(names) if n not in frame.columns]
    if missing:
        raise ValidationFailed(
            RowError(1, n, f"数据文件中没有列 {n}（现有列：{_some_columns(frame)}）") for n in missing
        )


def _some_columns(frame: pl.DataFrame) -> str:
    cols = frame.columns
    head = "、".join(cols[:12])
    return head + (f" 等共 {len(cols)} 列" if len(cols) > 12 else "")


def _is_numeric(dtype: pl.DataType) -> bool:
    return dtype.is_numeric() or dtype == pl.Boolean


def numeric(frame: pl.DataFrame, name: str, *, required: bool = False) -> np.ndarray:
    """The column as float64 (missing → NaN). A value that is not a number is an error naming
    the column, the rows and the first bad values; with ``required`` a missing value is too."""
    require_columns(frame, [name])
    col = frame.get_column(name)
    if _is_numeric(col.dtype):
        values = col.cast(pl.Float64).to_numpy()
    else:
        text = col.cast(pl.String).str.strip_chars()
        missing = text.is_null() | text.is_in(MISSING_TOKENS)
        parsed = text.cast(pl.Float64, strict=False)
        bad = (parsed.is_null() & ~missing).to_numpy()
        if bad.any():
            where = np.flatnonzero(bad)
            samples = "、".join(f"“{v}”" for v in text.gather(where[:3]).to_list())
            raise ValidationFailed(
                [RowError(int(where[0]) + 2, name, f"列 {name} {rows_text(where)}不是数字：{samples}")]
            )
        values = parsed.to_numpy().astype(np.float64)
    values = np.asarray(values, dtype=np.float64)
    if required:
        gaps = np.flatnonzero(~np.isfinite(values))
        if len(gaps):
            raise ValidationFailed(
                [RowError(int(gaps[0]) + 2, name, f"列 {name} {rows_text(gaps)}缺少值（此列不能为空）")]
            )
    return values


def labels(frame: pl.DataFrame, name: str, *, required: bool = False) -> pl.Series:
    """The column as text labels (numbers without a trailing .0); missing → null."""
    require_columns(frame, [name])
    col = frame.get_column(name)
    if col.dtype.is_float():
        as_int = col.cast(pl.Int64, strict=False)
        whole = (as_int.cast(pl.Float64) == col).fill_null(False)
        text = pl.select(
            pl.when(whole).then(as_int.cast(pl.String)).otherwise(col.cast(pl.String))
        ).to_series()
    else:
        text = col.cast(pl.String).str.strip_chars()
    text = pl.select(pl.when(text.is_in(MISSING_TOKENS)).then(None).otherwise(text)).to_series()
    if required:
        gaps = np.flatnonzero(text.is_null().to_numpy())
        if len(gaps):
            raise ValidationFailed(
                [RowError(int(gaps[0]) + 2, name, f"列 {name} {rows_text(gaps)}缺少值（此列不能为空）")]
            )
    return text.alias(name)


def codes(series: pl.Series) -> tuple[np.ndarray, list[str]]:
    """Integer codes 0..K-1 in sorted label order, and the labels (null → its own code, last)."""
    uniq = series.unique().sort(nulls_last=True)
    names = uniq.to_list()
    mapping = pl.DataFrame({"_v": uniq, "_c": np.arange(len(names), dtype=np.int64)})
    coded = (
        pl.DataFrame({"_v": series})
        .join(mapping, on="_v", how="left", nulls_equal=True, maintain_order="left")
        .get_column("_c")
        .to_numpy()
    )
    return np.asarray(coded, dtype=np.int64), ["（缺失）" if v is None else str(v) for v in names]


def prefixed(frame: pl.DataFrame, prefix: str) -> list[str]:
    """PREFIX1…PREFIXR or PREFIX_1…PREFIX_R, in numeric order; empty when there are none."""
    found: dict[int, str] = {}
    for name in frame.columns:
        for head in (prefix, prefix + "_"):
            tail = name[len(head):]
            if name.startswith(head) and tail.isdigit() and not tail.startswith("0"):
                found.setdefault(int(tail), name)
    if not found:
        return []
    nums = sorted(found)
    return [found[k] for k in nums]
