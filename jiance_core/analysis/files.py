"""Reading an analysis file: CSV (UTF-8, with or without BOM, or GB18030), XLSX (through the
guarded reader :mod:`jiance_core.sheets`), Parquet, or SPSS .sav (``pyreadstat``).

Only the columns asked for are loaded when the format allows it (CSV, Parquet, SPSS), so a
file with hundreds of columns costs what the job needs. Every failure is a
:class:`~jiance_core.errors.ValidationFailed` with one Chinese sentence.
"""

from __future__ import annotations

from pathlib import Path

import polars as pl

from jiance_core.analysis.columns import MISSING_TOKENS, prefixed
from jiance_core.errors import RowError, ValidationFailed
from jiance_core.sheets import Limits, SheetError, cell_text, read_table

FORMATS = (".csv", ".xlsx", ".parquet", ".sav")
XLSX_LIMITS = Limits(rows=1_048_576, columns=2_000, text_chars=1_000_000_000,
                     entry_bytes=1024 * 1024 * 1024, total_bytes=1200 * 1024 * 1024)


def _fail(message: str) -> ValidationFailed:
    return ValidationFailed([RowError(0, "", message)])


def _header(path: Path) -> list[str]:
    suffix = path.suffix.lower()
    if suffix == ".csv":
        return list(pl.read_csv(_csv_source(path), n_rows=0, infer_schema=False).columns)
    if suffix == ".parquet":
        return list(pl.read_parquet_schema(path).keys())
    import pyreadstat

    _, meta = pyreadstat.read_sav(str(path), metadataonly=True, output_format="dict")
    return list(meta.column_names)


def wanted(names: list[str], columns: list[str], prefixes: list[str]) -> list[str]:
    """The file's columns among ``columns`` and those starting with a prefix (replicates, PVs)."""
    probe = pl.DataFrame({c: [] for c in names})
    chosen = {c for c in columns if c in names}
    for p in prefixes:
        chosen.update(prefixed(probe, p))
    return [c for c in names if c in chosen]


_CSV_CACHE: dict[Path, bytes | Path] = {}


def _csv_source(path: Path) -> bytes | Path:
    """The path itself when it is UTF-8; else the bytes re-encoded from GB18030."""
    if path not in _CSV_CACHE:
        with path.open("rb") as fh:
            head = fh.read(1 << 20)
        try:
            head.decode("utf-8")
            _CSV_CACHE[path] = path
        except UnicodeDecodeError as exc:
            if exc.start >= len(head) - 4:  # a character cut at the end of the probe
                _CSV_CACHE[path] = path
            else:
                try:
                    _CSV_CACHE[path] = path.read_bytes().decode("gb18030").encode("utf-8")
                except UnicodeDecodeError:
                    raise _fail(f"无法识别文件 {path.name} 的编码：请另存为 UTF-8 编码的 CSV") from None
    return _CSV_CACHE[path]


def read_data(path: str | Path, columns: list[str] | None = None, prefixes: list[str] | None = None) -> pl.DataFrame:
    """The table of the file; with ``columns``/``prefixes`` only those columns (when present:
    a missing column is reported later, by the one who needs it)."""
    p = Path(path)
    suffix = p.suffix.lower()
    if suffix not in FORMATS:
        raise _fail(f"不支持的文件类型 {suffix or '（无扩展名）'}：请使用 .csv、.xlsx、.parquet 或 .sav")
    if not p.is_file():
        raise _fail(f"找不到数据文件：{p}")
    try:
        if suffix == ".xlsx":
            return _read_xlsx(p)
        names = _header(p)
        use = names if columns is None else wanted(names, columns, prefixes or [])
        if suffix == ".csv":
            return _read_csv(p, use)
        if suffix == ".parquet":
            return pl.read_parquet(p, columns=use)
        import pyreadstat

        frame, _ = pyreadstat.read_sav(str(p), usecols=use, output_format="polars")
        return frame
    except ValidationFailed:
        raise
    except SheetError as exc:
        raise _fail(str(exc)) from exc
    except Exception as exc:  # a broken file of any format: one sentence, not a traceback
        raise _fail(f"无法读取数据文件 {p.name}：{type(exc).__name__}（文件损坏或格式不符）") from exc


def _read_csv(path: Path, use: list[str]) -> pl.DataFrame:
    source = _csv_source(path)
    try:  # fast path: typed columns
        return pl.read_csv(source, columns=use, infer_schema_length=10_000,
                           null_values=list(MISSING_TOKENS))
    except pl.exceptions.ComputeError:
        # a column that looked numeric has text further down: read text, report the rows
        return pl.read_csv(source, columns=use, infer_schema=False)


def _read_xlsx(path: Path) -> pl.DataFrame:
    head, body = read_table(path.read_bytes(), XLSX_LIMITS)
    names = [cell_text(h) for h in head]
    if not any(names):
        raise _fail(f"{path.name} 的第 1 行没有列名")
    data: dict[str, list[str | None]] = {}
    for i, name in enumerate(names):
        if name and name not in data:
            data[name] = [cell_text(row[i]) if i < len(row) else None for _, row in body]
    # rows are kept in sheet order; empty rows were skipped by the reader, so the row numbers
    # of messages are the data rows (header = 1) of a sheet without blank lines
    return pl.DataFrame(data, schema={n: pl.String for n in data})
