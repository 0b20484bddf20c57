"""Synthetic scores for a cycle and stage (the demo and the report tests): every tested student
of the area gets plausible values from `jiance_core.analysis.synth_scores` (county, school, area
and sex effects), uploaded through the same import as a real score file."""

from __future__ import annotations

import io
from collections.abc import Sequence
from typing import Any

import polars as pl

from jiance.accounts.scoping import Scope
from jiance.analysis.build import stage_weights
from jiance.analysis.scoring import ScoreImport, score_import
from jiance.analysis.services import pseudonym
from jiance.cycles.models import Cycle
from jiance.units.models import Unit
from jiance_core.analysis.synth_scores import synthetic_scores


def synthetic_score_file(*, scope: Scope, cycle: Cycle, stage: str, counties: Sequence[Unit], seed: int,
                         subjects: tuple[str, ...] = ("语文", "数学")) -> bytes:
    """A Parquet score file (``student_id`` = the weight file's pseudonym, ``<科目>_PV1…5``)."""
    tested = stage_weights(scope=scope, cycle=cycle, stage=stage, counties=counties).students
    if tested.height == 0:
        return b""
    frame = synthetic_scores(tested.select("student_pk", "school_id", "county", "sex", "area"), seed=seed,
                             subjects=subjects)
    out = frame.select(
        pl.col("student_pk").map_elements(lambda pk: pseudonym(cycle.code, int(pk)), return_dtype=pl.String)
        .alias("student_id"),
        *[c for c in frame.columns if "_PV" in c],
    )
    buf = io.BytesIO()
    out.write_parquet(buf)
    return buf.getvalue()


def synthetic_scores_import(*, scope: Scope, cycle: Cycle, stage: str, counties: Sequence[Unit], seed: int,
                            actor: Any) -> ScoreImport | None:
    content = synthetic_score_file(scope=scope, cycle=cycle, stage=stage, counties=counties, seed=seed)
    if not content:
        return None
    return score_import(scope=scope, cycle=cycle, stage=stage, content=content,
                        filename=f"synthetic-scores-{cycle.code}-{stage}.parquet", actor=actor)
