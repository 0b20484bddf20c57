"""Operations of the analysis app: the audited export of a student weight file."""

from __future__ import annotations

import io
from typing import Any

import polars as pl

from jiance.accounts.scoping import Scope
from jiance.analysis.build import StageWeights, weight_file
from jiance.audit.models import Action
from jiance.audit.services import audit_record
from jiance.crypto import blind_index
from jiance.spreadsheets import safe_cell, write_rows
from jiance.stages import stage_name

FORMATS = ("csv", "xlsx", "parquet")


class AnalysisError(ValueError):
    """A refused operation, with the reason in Chinese for the user."""


def pseudonym(cycle_code: str, student_pk: int) -> str:
    """A stable pseudonymous student id of the cycle (keyed digest: not reversible without the key,
    the same in every export of the cycle, different between cycles)."""
    return "S" + blind_index(f"jiance-weights:{cycle_code}:{student_pk}")[:15].upper()


def _bytes(frame: pl.DataFrame, fmt: str) -> bytes:
    if fmt == "parquet":
        buf = io.BytesIO()
        frame.write_parquet(buf)
        return buf.getvalue()
    text = [c for c, t in frame.schema.items() if t == pl.String]
    safe = frame.with_columns(pl.col(c).map_elements(safe_cell, return_dtype=pl.String) for c in text)
    if fmt == "xlsx":
        return write_rows("weights", safe.columns, safe.iter_rows())
    return ("\ufeff" + safe.write_csv()).encode("utf-8")


def weights_export(
    *, scope: Scope, result: StageWeights, fmt: str, identified: bool, reason: str, actor: Any
) -> tuple[bytes, str]:
    """The student weight file of a stage, and its file name; audited. Pseudonymous ids unless
    ``identified`` (the centre only, with a reason)."""
    if fmt not in FORMATS:
        raise AnalysisError(f"不支持的格式：{fmt}，应为 csv、xlsx 或 parquet。")
    if identified and not scope.is_centre:
        raise AnalysisError("只有监测中心可以导出含姓名的权重文件。")
    if identified and len(reason.strip()) < 4:
        raise AnalysisError("导出含姓名的权重文件须填写理由（至少 4 个字）。")
    cycle = result.cycle
    ids = {int(pk): pseudonym(cycle.code, int(pk)) for pk in result.students["student_pk"].to_list()} \
        if result.students.height else {}
    frame = weight_file(result, ids, identified=identified) if result.students.height else pl.DataFrame()
    content = _bytes(frame, fmt)
    kind = "实名" if identified else "化名"
    audit_record(
        action=Action.VIEW_PERSONAL if identified else Action.EXPORT,
        object_type="analysis.weights", object_id=f"{cycle.code}:{result.stage}",
        object_repr=f"{cycle.name} {stage_name(result.stage)}学生权重", unit=scope.primary_unit, actor=actor,
        detail=f"导出{stage_name(result.stage)}学生权重文件（{fmt}，{frame.height} 名学生，{kind}，"
        f"{result.settings.method}，{result.replicates} 个重复权重）" + (f"；理由：{reason.strip()}" if identified else ""),
    )
    name = f"weights-{cycle.code}-{result.stage}{'-identified' if identified else ''}.{fmt}"
    return content, name
