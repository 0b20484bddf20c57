"""Reads of the school frame, always through the Scope."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, QuerySet, Sum

from jiance.accounts import roles
from jiance.accounts.roles import units_at
from jiance.accounts.scoping import Scope
from jiance.cycles.models import Cycle
from jiance.reporting.importing import CheckResult, check_upload
from jiance.reporting.models import (
    NOT_STARTED,
    FrameRecord,
    FrameReviewEvent,
    FrameStatus,
    FrameSubmission,
    FrameUpload,
    cycle_grades,
    status_label,
)
from jiance.units.areas import Area, area_for
from jiance.units.models import Level, Unit

# Who reports a county's frame (roles.COUNTY_OFFICE), who reviews it (roles.CITY_OFFICE, the level
# above), who may look at the overview (roles.CITY_AND_ABOVE): the registry's sets, used directly.


def county_for(*, scope: Scope, code: str) -> Unit:
    """A county inside the scope, else 404."""
    return scope.get_unit(code=code, level=Level.COUNTY)


def county_schools(*, scope: Scope, county: Unit) -> QuerySet[Unit]:
    """Every active school of the county (属地原则: all of them, whoever runs them)."""
    return scope.filter(
        Unit.objects.filter(parent=county, level=Level.SCHOOL, is_active=True), unit_field="self"
    ).order_by("code")


def submission_for(*, scope: Scope, cycle: Cycle, county: Unit) -> FrameSubmission | None:
    return (
        scope.filter(FrameSubmission.objects.filter(cycle=cycle, county=county), unit_field="county")
        .select_related("submitted_by", "reviewed_by", "county")
        .first()
    )


def submission_get(*, scope: Scope, pk: int) -> FrameSubmission:
    return scope.get(FrameSubmission.objects.select_related("county", "cycle"), unit_field="county", pk=pk)


def upload_get(*, scope: Scope, pk: int) -> FrameUpload:
    return scope.get(
        FrameUpload.objects.select_related("submission__county", "submission__cycle"),
        unit_field="submission__county", pk=pk,
    )


def records_by_school(*, scope: Scope, submission: FrameSubmission | None) -> dict[int, FrameRecord]:
    if submission is None:
        return {}
    qs = scope.filter(FrameRecord.objects.filter(submission=submission), unit_field="school")
    return {r.school_id: r for r in qs}


def check_frame_upload(*, scope: Scope, cycle: Cycle, county: Unit, content: bytes) -> CheckResult:
    """Check an upload against the county's schools and the cycle's grades; writes nothing."""
    schools = list(county_schools(scope=scope, county=county))
    return check_upload(
        content, county=county, grades=cycle_grades(cycle), schools=schools,
        is_known_school=_is_school_code,
    )


def _is_school_code(code: str) -> bool:
    return Unit.objects.filter(code=code, level=Level.SCHOOL).exists()


@dataclass(frozen=True)
class SchoolRow:
    school: Unit
    record: FrameRecord | None


def county_rows(*, scope: Scope, submission: FrameSubmission | None, county: Unit) -> list[SchoolRow]:
    records = records_by_school(scope=scope, submission=submission)
    return [SchoolRow(s, records.get(s.pk)) for s in county_schools(scope=scope, county=county)]


def events_for(*, scope: Scope, submission: FrameSubmission | None) -> QuerySet[FrameReviewEvent]:
    if submission is None:
        return FrameReviewEvent.objects.none()
    return scope.filter(
        FrameReviewEvent.objects.filter(submission=submission), unit_field="submission__county"
    ).select_related("actor").order_by("-at", "-pk")


def display_status(submission: FrameSubmission | None, reported: int) -> str:
    """未开始 until the county has reported a first school, then the submission's status."""
    if submission is None or (submission.status == FrameStatus.DRAFT and reported == 0):
        return NOT_STARTED
    return submission.status


@dataclass
class CountyStatus:
    county: Unit
    submission: FrameSubmission | None
    schools: int
    reported: int = 0
    primary_students: int = 0
    junior_students: int = 0

    @property
    def status(self) -> str:
        return display_status(self.submission, self.reported)

    @property
    def status_label(self) -> str:
        return status_label(self.status)


def reviewable_counties(*, scope: Scope) -> QuerySet[Unit]:
    """Counties below a unit where the person holds an overview role."""
    return units_at(scope, Level.COUNTY, roles.CITY_AND_ABOVE)


def frame_overview(*, scope: Scope, cycle: Cycle, area: Area | None = None) -> list[CountyStatus]:
    """Every county of `area` (default: all the person reviews) with its frame's figures, in four
    queries whatever the number of counties: counties, submissions, schools and reported
    records each counted with one GROUP BY (by county, without joining the schools)."""
    area = area or area_for(scope=scope, roles=roles.CITY_AND_ABOVE)
    counties = list(scope.filter(Unit.objects.filter(area.q(), level=Level.COUNTY, is_active=True),
                                 unit_field="self").order_by("path"))
    subs = {
        s.county_id: s
        for s in FrameSubmission.objects.filter(cycle=cycle).filter(area.q("county__"))
        .select_related("reviewed_by", "submitted_by")
    }
    school_counts = dict(
        Unit.objects.filter(area.q(), level=Level.SCHOOL, is_active=True).order_by()
        .values_list("parent_id").annotate(n=Count("pk"))
    )
    totals = {
        sub_id: (n, p, j)
        for sub_id, n, p, j in FrameRecord.objects.filter(submission__cycle=cycle)
        .filter(area.q("submission__county__")).order_by().values_list("submission_id")
        .annotate(n=Count("pk"), p=Sum("primary_students"), j=Sum("junior_students"))
    }
    out = []
    for c in counties:
        sub = subs.get(c.pk)
        n, p, j = totals.get(sub.pk, (0, 0, 0)) if sub else (0, 0, 0)
        out.append(CountyStatus(c, sub, school_counts.get(c.pk, 0), n or 0, p or 0, j or 0))
    return out


@dataclass
class PartStatus:
    """An area's part (a province, a city) with the frames of its counties added up."""

    unit: Unit
    counties: int = 0
    statuses: Counter[str] = field(default_factory=Counter)
    schools: int = 0
    reported: int = 0
    primary_students: int = 0
    junior_students: int = 0


def frame_parts(area: Area, rows: list[CountyStatus]) -> list[PartStatus]:
    """The county rows added up into the area's parts (empty when the parts are counties)."""
    if not area.parts or all(p.level == Level.COUNTY for p in area.parts):
        return []
    parts = {p.path: PartStatus(p) for p in area.parts}
    for r in rows:
        part = next((v for k, v in parts.items() if r.county.path.startswith(k)), None)
        if part is None:
            continue
        part.counties += 1
        part.statuses[r.status] += 1
        part.schools += r.schools
        part.reported += r.reported
        part.primary_students += r.primary_students
        part.junior_students += r.junior_students
    return list(parts.values())


EXPORT_COLUMNS = (
    "county", "school_id", "school_name", "school_type", "area", "primary_students", "junior_students",
    "nature", "affiliation", "primary_classes", "junior_classes", "county_name",
)


def approved_frame(*, scope: Scope, cycle: Cycle) -> Iterator[list[Any]]:
    """The approved frame of every county the person reviews, in the offline tool's columns."""
    counties = reviewable_counties(scope=scope)
    records = scope.filter(
        FrameRecord.objects.filter(
            submission__cycle=cycle, submission__status=FrameStatus.APPROVED,
            submission__county__in=counties,
        ),
        unit_field="school",
    ).select_related("school", "submission__county").order_by("school__path")
    for r in records.iterator(chunk_size=2000):
        county = r.submission.county
        yield [
            county.code, r.school.code, r.school.name, r.school_type, r.area,
            r.primary_students, r.junior_students, r.nature, r.affiliation,
            r.primary_classes, r.junior_classes, county.name,
        ]


@dataclass
class PlanRow:
    row: int
    school: Unit
    change: str  # new | changed | unchanged
    changes: list[tuple[str, Any, Any]] = field(default_factory=list)  # (label, old, new)


@dataclass
class ImportPlan:
    rows: list[PlanRow]

    def of(self, change: str) -> list[PlanRow]:
        return [r for r in self.rows if r.change == change]

    @property
    def new(self) -> list[PlanRow]:
        return self.of("new")

    @property
    def changed(self) -> list[PlanRow]:
        return self.of("changed")

    @property
    def unchanged(self) -> list[PlanRow]:
        return self.of("unchanged")


def import_plan(*, result: CheckResult, records: dict[int, FrameRecord]) -> ImportPlan:
    """What confirming a checked upload would do: new, changed (with the fields) and unchanged rows."""
    labels = {c.key: c.header for c in result.columns}
    rows = []
    for parsed in result.rows:
        old = records.get(parsed.school.pk)
        if old is None:
            shown = [(labels.get(k, k), None, v) for k, v in parsed.values.items() if v not in ("", 0)]
            rows.append(PlanRow(parsed.row, parsed.school, "new", shown))
            continue
        changes = [
            (labels.get(k, k), getattr(old, k), v)
            for k, v in parsed.values.items()
            if getattr(old, k) != v
        ]
        rows.append(PlanRow(parsed.row, parsed.school, "changed" if changes else "unchanged", changes))
    return ImportPlan(rows)
