"""Step 1 of the demo chain: every county imports its 属地学校信息 (the synthetic city's figures)
and submits it; the city approves it (one county is returned once and corrects a school first)."""

from __future__ import annotations

from typing import Any

from jiance.accounts.scoping import Scope
from jiance.cycles.models import Cycle
from jiance.reporting.importing import frame_columns
from jiance.reporting.models import FrameRecord, FrameStatus, FrameSubmission, cycle_grades
from jiance.reporting.services import (
    frame_approve,
    frame_import,
    frame_record_save,
    frame_return,
    frame_submit,
)
from jiance.spreadsheets import write_rows
from jiance.units.models import Unit
from jiance.web.demo.common import (
    FRAME_RETURN_COMMENT,
    FRAMES_DAYS_AGO,
    ChainSummary,
    Timeline,
    acting,
    actor_of,
    county_officer,
)
from jiance.web.demo_data import DemoUnits


def report_frames(
    *, cycle: Cycle, counties: list[Unit], demo_county: Unit, data: DemoUnits, when: Timeline,
    city_info: Scope, county_info: Scope, summary: ChainSummary,
) -> None:
    """Frames reported by every county and approved by the city."""

    def county_scope(county: Unit) -> Scope:
        return county_officer(county, demo_county=demo_county, demo_officer=county_info)

    grades = cycle_grades(cycle)
    headers = [c.header for c in frame_columns(grades)]
    by_county: dict[str, list[list[Any]]] = {}
    for s in data.schools:
        by_county.setdefault(s.county_code, []).append([
            s.code, s.name, s.school_type, s.nature, s.area, s.affiliation,
            s.primary_students, s.primary_classes, s.junior_students, s.junior_classes, "",
        ])
    # One county first reports a mistyped figure; the city returns it and the county corrects it.
    returned = counties[2] if len(counties) > 2 else None
    fix: tuple[str, int] | None = None
    if returned is not None:
        county_rows = by_county.get(returned.code, [])
        big = max((r for r in county_rows if r[6] >= 20), key=lambda r: (r[6], r[0]), default=None)
        if big is not None:
            fix = (big[0], big[6])
            big[6] = big[6] // 2  # still consistent with its classes, so the import accepts it
    for i, county in enumerate(counties):
        scope = county_scope(county)
        day = FRAMES_DAYS_AGO - i % 4
        with acting(scope):
            with when.at(day, 9, 10 + i):
                content = write_rows("数据", headers, by_county.get(county.code, []))
                outcome = frame_import(
                    scope=scope, cycle=cycle, county=county, content=content, actor=actor_of(scope),
                    filename=f"{county.name}属地学校信息.xlsx",
                )
                if not outcome.applied:  # the synthetic data must pass the real checks
                    raise RuntimeError(f"演示数据：{county.name}属地学校信息未通过检查：{outcome.result.problems[:3]}")
            with when.at(day, 15, 30 + i):
                sub = FrameSubmission.objects.get(cycle=cycle, county=county)
                sub = frame_submit(scope=scope, submission=sub, actor=actor_of(scope))
        with when.at(day - 2, 10, i):
            if county == returned and fix is not None:
                school = Unit.objects.get(code=fix[0])
                sub = frame_return(scope=city_info, submission=sub, actor=city_info.user,
                                   comment=FRAME_RETURN_COMMENT % school.name)
                with acting(scope), when.at(day - 3, 9, 30):
                    record = FrameRecord.objects.get(submission=sub, school=school)
                    data_fields = {k: getattr(record, k) for k in FrameRecord.DATA_FIELDS}
                    frame_record_save(scope=scope, cycle=cycle, county=county, school=school,
                                      data={**data_fields, "primary_students": fix[1], "note": "已核实更正"},
                                      actor=actor_of(scope))
                with acting(scope), when.at(day - 3, 10, 0):
                    sub = frame_submit(scope=scope, submission=sub, actor=actor_of(scope), comment="已按意见核实更正")
                with when.at(day - 4, 9, 0):
                    sub = frame_approve(scope=city_info, submission=sub, actor=city_info.user)
            else:
                sub = frame_approve(scope=city_info, submission=sub, actor=city_info.user)
        summary.frames_approved += sub.status == FrameStatus.APPROVED
    summary.frame_counties = len(counties)
    summary.frame_schools = FrameRecord.objects.filter(submission__cycle=cycle).count()

