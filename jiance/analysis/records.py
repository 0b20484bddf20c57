"""Reading the records a cycle's weights come from (issue 14), as polars tables for the chain.

- the published school draws (`jiance.sampling`): every selected school (sample or added) is a
  design slot of its county × stage stratum, with its base weight 1/π and its place in the
  draw's sort order; a withdrawn school's slot is filled by the approved replacement that
  stands behind it (same weight), a withdrawn school without one is a refusal;
- the after-test reports (`jiance.aftertest`, submitted or approved): a school took part when at
  least one of its sampled students was tested (参加 or 部分缺考); an absent student (缺考) is a
  student non-respondent;
- the student draw (`jiance.rosters`, through `released_sample`): N (students of the tested
  grade on the roster) and n (students drawn) per school;
- the approved frame (`jiance.sampling.selectors.approved_frame`): the enrolment each county's
  weights are compared with.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import polars as pl

from jiance.accounts.scoping import Scope
from jiance.aftertest.models import Attendance, ReportStatus, TestedStudent
from jiance.cycles.models import Cycle
from jiance.rosters.selectors import released_sample
from jiance.sampling.models import SELECTED_ROLES, DrawStatus, RowStatus, SampledSchool
from jiance.sampling.selectors import approved_frame
from jiance.units.models import Unit
from jiance_core.sampling.schools import STAGE_SIZE_COLUMNS, STAGE_TYPES

REPORTED = (ReportStatus.SUBMITTED, ReportStatus.APPROVED)
TESTED = (Attendance.PRESENT, Attendance.PARTIAL)

SLOT_SCHEMA = {
    "county": pl.String, "county_name": pl.String, "order": pl.Int64, "original": pl.String,
    "school_id": pl.String, "school_pk": pl.Int64, "base_weight": pl.Float64, "students": pl.Int64,
    "replaced": pl.Boolean, "refused": pl.Boolean, "area": pl.String, "school_type": pl.String,
    "approximate": pl.Boolean,
}


def slots(*, scope: Scope, cycle: Cycle, stage: str, counties: Sequence[Unit]) -> pl.DataFrame:
    """One row per design slot (selected school of a published draw) in the draw's sort order:
    the school that fills it (the original or its replacement) or, for a refusal, the original."""
    rows = list(
        scope.filter(
            SampledSchool.objects.filter(
                draw__cycle=cycle, draw__status=DrawStatus.PUBLISHED, stage=stage, county__in=list(counties)
            ),
            unit_field="school",
        ).select_related("school", "county", "draw").order_by("county__code", "frame_order", "pk")
    )
    size_field = STAGE_SIZE_COLUMNS[stage]
    standing = {r.replaces_id: r for r in rows if r.replaces_id is not None and r.status == RowStatus.IN_SAMPLE}
    out: list[dict[str, Any]] = []
    for r in rows:
        if r.role not in SELECTED_ROLES:
            continue
        filled = r if r.status == RowStatus.IN_SAMPLE else standing.get(r.pk)
        school = filled or r
        out.append({
            "county": r.county.code, "county_name": r.county.name, "order": int(r.frame_order),
            "original": r.school.code, "school_id": school.school.code, "school_pk": school.school_id,
            "base_weight": float(r.base_weight), "students": int(getattr(school, size_field)),
            "replaced": filled is not None and filled is not r, "refused": filled is None,
            "area": school.area, "school_type": school.school_type,
            # an added school of a draw made with the v1 shortfall rule: its stratum's base
            # weights are the approximation described in docs/analysis.md
            "approximate": r.role == "added" and (r.draw.plan or {}).get("shortfall", "v1") == "v1",
        })
    return pl.DataFrame(out, schema=SLOT_SCHEMA, orient="row")


STUDENT_SCHEMA = {
    "student_pk": pl.Int64, "school_pk": pl.Int64, "school_students": pl.Int64, "sampled_students": pl.Int64,
    "reported": pl.Boolean, "tested": pl.Boolean, "sex": pl.String, "name": pl.String, "student_no": pl.String,
}


def students(*, scope: Scope, cycle: Cycle, stage: str, school_pks: Sequence[int]) -> pl.DataFrame:
    """Every drawn student of these schools for the stage, with the after-test attendance
    (``reported`` False when the school's report is not submitted or approved)."""
    sample = (
        released_sample(scope=scope, cycle=cycle)
        .filter(roster__stage=stage, school_id__in=list(school_pks))
        .select_related("student")
        .order_by("school_id", "student__row", "pk")
    )
    tested = {
        t.sampled_id: t
        for t in TestedStudent.objects.filter(
            sampled__in=sample, report__status__in=REPORTED
        ).only("sampled_id", "attendance", "sex")
    }
    rows = []
    for s in sample:
        t = tested.get(s.pk)
        rows.append((
            s.student_id, s.school_id, int(s.school_students), int(s.sampled_students), t is not None,
            t is not None and t.attendance in TESTED, (t.sex if t is not None and t.sex else s.student.sex),
            s.student.name, s.student.student_no,
        ))
    return pl.DataFrame(rows, schema=STUDENT_SCHEMA, orient="row")


def frame_enrolment(*, scope: Scope, cycle: Cycle, stage: str, counties: Sequence[Unit]) -> dict[str, int]:
    """Tested-grade students of the stage over the county's approved frame (the sampling frame)."""
    frame, _ = approved_frame(scope=scope, cycle=cycle, counties=list(counties))
    size = STAGE_SIZE_COLUMNS[stage]
    totals = (
        frame.filter(pl.col("school_type").is_in(list(STAGE_TYPES[stage])) & (pl.col(size) > 0))
        .group_by("county")
        .agg(pl.col(size).sum())
    )
    return {c: int(v) for c, v in totals.iter_rows()}
