"""The score file of a cycle and stage: checked, matched to the sampled students, stored whole or
not at all (issue 14; the model is `ScoreSet`, the matching `jiance_core.analysis.scores`)."""

from __future__ import annotations

import hashlib
import io
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import polars as pl
from django.db import transaction

from jiance.accounts import roles
from jiance.accounts.scoping import Scope
from jiance.analysis.models import ScoreSet
from jiance.analysis.services import AnalysisError, pseudonym
from jiance.audit.models import Action
from jiance.audit.services import audit_record
from jiance.cycles.models import Cycle
from jiance.rosters.selectors import released_sample
from jiance.stages import stage_name
from jiance_core.analysis.files import read_data
from jiance_core.analysis.score_file import score_columns, score_frame, sniff
from jiance_core.analysis.scores import match_scores
from jiance_core.errors import RowError, ValidationFailed

MAX_BYTES = 200 * 1024 * 1024
SHOWN_ERRORS = 200


@dataclass
class ScoreImport:
    score_set: ScoreSet | None = None
    errors: list[RowError] = field(default_factory=list)
    missing: int = 0  # sampled students without a score (absentees: not an error)


def _read(content: bytes, filename: str) -> pl.DataFrame:
    kind = sniff(content, filename)
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / f"scores{kind}"
        path.write_bytes(content)
        return read_data(path)


def sampled_ids(*, scope: Scope, cycle: Cycle, stage: str) -> pl.DataFrame:
    """The sampled students of the stage this person sees: ``student_id`` (the pseudonym of the
    weight file) and ``student_pk``."""
    pks = list(released_sample(scope=scope, cycle=cycle).filter(roster__stage=stage)
               .values_list("student_id", flat=True))
    return pl.DataFrame({"student_id": [pseudonym(cycle.code, pk) for pk in pks], "student_pk": pks},
                        schema={"student_id": pl.String, "student_pk": pl.Int64})


def score_import(*, scope: Scope, cycle: Cycle, stage: str, content: bytes, filename: str, actor: Any) -> ScoreImport:
    """Check the file (kind by content, every value, every ID a sampled student of the stage);
    with any problem nothing is stored and every problem is returned (row, column, reason); else
    the score set of the stage is replaced whole. Audited either way."""
    if not scope.holds(roles.CYCLE_MANAGERS):
        raise AnalysisError("只有监测周期管理员可以上传成绩数据。")
    if len(content) > MAX_BYTES:
        raise AnalysisError(f"文件过大（{len(content) // 1024 // 1024} MB），上限 {MAX_BYTES // 1024 // 1024} MB。")
    what = f"{cycle.name} {stage_name(stage)}成绩数据"
    try:
        raw = _read(content, filename)
        id_column = score_columns(list(raw.columns)).id_column
        students = sampled_ids(scope=scope, cycle=cycle, stage=stage)
        # the IDs first (every unknown one is listed), then the values: both kinds in one report
        match = match_scores(raw.select(id_column), students, score_id=id_column)
        errors = [RowError(int(r), id_column, f"学生编号 {i} 不是本周期{stage_name(stage)}的样本学生（或不在您的管理范围内）")
                  for r, i in match.unmatched_scores.iter_rows()]
        try:
            frame, cols = score_frame(raw)
        except ValidationFailed as exc:
            errors.extend(exc.errors)
        if errors:
            raise ValidationFailed(sorted(errors))
        match = match_scores(frame, students, score_id=cols.id_column)
    except ValidationFailed as exc:
        _refused(scope, cycle, stage, what, filename, exc.errors, actor)
        return ScoreImport(errors=exc.errors)
    kept = match.matched.drop("student_id", "_score_row")
    buf = io.BytesIO()
    kept.write_parquet(buf)
    with transaction.atomic():
        ScoreSet.objects.filter(cycle=cycle, stage=stage).delete()
        score_set = ScoreSet.objects.create(
            cycle=cycle, stage=stage, source_name=filename[:200], source_sha256=hashlib.sha256(content).hexdigest(),
            rows=kept.height, missing=match.missing_students.height, subjects=cols.subjects,
            columns=[c for c in kept.columns if c != "student_pk"],
            **ScoreSet.keep(buf.getvalue(), filename=f"scores-{cycle.code}-{stage}.parquet", actor=actor),
        )
        audit_record(action=Action.IMPORT, obj=score_set, object_repr=what, unit=scope.primary_unit, actor=actor,
                     detail=f"上传成绩数据 {filename}：{match.summary()}；学科 {'、'.join(cols.subjects) or '（无）'}")
    return ScoreImport(score_set=score_set, missing=match.missing_students.height)


def _refused(scope: Scope, cycle: Cycle, stage: str, what: str, filename: str, errors: list[RowError],
             actor: Any) -> None:
    audit_record(action=Action.IMPORT, object_type="analysis.scoreset", object_id=f"{cycle.code}:{stage}",
                 object_repr=what, unit=scope.primary_unit, actor=actor, result="failed",
                 detail=f"成绩数据 {filename} 未导入：{len(errors)} 处问题（{errors[0] if errors else ''}）")


def scores_of(score_set: ScoreSet) -> pl.DataFrame:
    """The stored scores: ``student_pk`` and the score columns."""
    return pl.read_parquet(io.BytesIO(score_set.read()))
