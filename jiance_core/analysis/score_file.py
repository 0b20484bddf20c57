"""A score file as uploaded (issue 14): what kind of file it is by its content, which columns
hold what, and every problem named by row, column and reason (Chinese).

Columns: the student ID (``student_id`` or ``学生编号`` — the pseudonymous ID of the weight file,
``jiance/analysis`` `pseudonym`), then per subject either plausible values ``<科目>_PV1…M`` (or
PISA's ``PV1<科目>``), a scale score ``<科目>_score`` / ``<科目>_成绩`` / ``<科目>_得分``, and
optionally a proficiency level ``<科目>_level`` / ``<科目>_等级`` (text). Any other column is kept
as an item score and must be a number (missing codes ``""``, ``NA``, ``.`` are missing).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import polars as pl

from jiance_core.analysis.columns import numeric
from jiance_core.errors import RowError, ValidationFailed

ID_COLUMNS = ("student_id", "学生编号")
KINDS = {b"PK\x03\x04": ".xlsx", b"PAR1": ".parquet", b"$FL2": ".sav", b"$FL3": ".sav"}
_PV_AFTER = re.compile(r"^(?P<s>.+?)_?PV(?P<m>\d+)$", re.IGNORECASE)
_PV_BEFORE = re.compile(r"^PV(?P<m>\d+)_?(?P<s>.+)$", re.IGNORECASE)
_SCALE = re.compile(r"^(?P<s>.+?)_(score|scale|成绩|得分)$", re.IGNORECASE)
_LEVEL = re.compile(r"^(?P<s>.+?)_(level|等级)$", re.IGNORECASE)


def sniff(content: bytes, filename: str) -> str:
    """The file's kind from its first bytes (``.xlsx``, ``.parquet``, ``.sav`` or ``.csv`` for
    text); refused when it does not match the name's extension."""
    claimed = ("." + filename.rsplit(".", 1)[-1].lower()) if "." in filename else ""
    kind = next((k for magic, k in KINDS.items() if content.startswith(magic)), "")
    if kind == ".parquet" and not content.endswith(b"PAR1"):
        kind = ""
    if not kind and content and b"\x00" not in content[:65536]:
        head = content[:65536]
        for enc in ("utf-8", "gb18030"):
            try:
                head.decode(enc)
            except UnicodeDecodeError as exc:
                if enc == "utf-8" and exc.start >= len(head) - 4:
                    kind = ".csv"
                    break
                continue
            kind = ".csv"
            break
    if not kind:
        raise ValidationFailed([RowError(0, "", "无法识别文件内容：请上传 CSV、XLSX、Parquet 或 SPSS（.sav）文件")])
    if claimed != kind:
        raise ValidationFailed([RowError(
            0, "", f"文件扩展名 {claimed or '（无）'} 与内容不符（内容是 {kind} 文件）：请按实际格式命名后重新上传")])
    return kind


@dataclass
class ScoreColumns:
    id_column: str
    subjects: dict[str, dict[str, object]] = field(default_factory=dict)  # subject → kind, columns, level
    items: list[str] = field(default_factory=list)

    @property
    def numeric(self) -> list[str]:
        out: list[str] = []
        for spec in self.subjects.values():
            out.extend(spec["columns"])  # type: ignore[arg-type]
        return out + self.items

    @property
    def text(self) -> list[str]:
        return [str(s["level"]) for s in self.subjects.values() if s.get("level")]


def score_columns(names: list[str]) -> ScoreColumns:
    """What each column holds (see the module doc)."""
    ids = [c for c in names if c.strip().lower() in ID_COLUMNS]
    if not ids:
        raise ValidationFailed([RowError(1, "", "成绩文件中没有学生编号列（student_id 或 学生编号，即权重文件中的化名编号）")])
    out = ScoreColumns(ids[0])
    pvs: dict[str, list[tuple[int, str]]] = {}
    levels: dict[str, str] = {}
    for c in names:
        if c == out.id_column:
            continue
        if m := (_PV_AFTER.match(c) or _PV_BEFORE.match(c)):
            pvs.setdefault(m["s"], []).append((int(m["m"]), c))
        elif m := _SCALE.match(c):
            out.subjects[m["s"]] = {"kind": "scale", "columns": [c]}
        elif m := _LEVEL.match(c):
            levels[m["s"]] = c
        else:
            out.items.append(c)
    for subject, cols in pvs.items():
        cols.sort()
        if len(cols) < 2:
            out.items.extend(c for _m, c in cols)
            continue
        out.subjects[subject] = {"kind": "pv", "columns": [c for _m, c in cols]}
    for subject, col in levels.items():
        if subject in out.subjects:
            out.subjects[subject]["level"] = col
        else:
            out.items.append(col)
    return out


def score_frame(frame: pl.DataFrame) -> tuple[pl.DataFrame, ScoreColumns]:
    """The scores as numbers (levels as text), the ID as text; every bad value is an error."""
    cols = score_columns(list(frame.columns))
    if not cols.subjects and not cols.items:
        raise ValidationFailed([RowError(1, "", "成绩文件中除学生编号外没有成绩列")])
    errors: list[RowError] = []
    data: dict[str, pl.Series] = {cols.id_column: frame.get_column(cols.id_column).cast(pl.String)}
    for name in cols.numeric:
        try:
            data[name] = pl.Series(name, numeric(frame, name))
        except ValidationFailed as exc:
            errors.extend(exc.errors)
    for name in cols.text:
        data[name] = frame.get_column(name).cast(pl.String)
    if errors:
        raise ValidationFailed(errors)
    return pl.DataFrame(data), cols
