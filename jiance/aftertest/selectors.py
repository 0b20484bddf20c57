"""Reads of the after-test reports and participation, always through the Scope.

The secrecy rule is the rosters' `sampled_students_visible`: before the sampled-student list is
released, school and county users see no tested-student data and no participation figures. The
rows name sampled students, so they are read only through `released_sample`.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.db.models import Count, Q, QuerySet, Sum

from jiance.accounts import roles
from jiance.accounts.scoping import Scope
from jiance.aftertest.models import (
    Attendance,
    TestedCorrection,
    TestedReport,
    TestedReportEvent,
    TestedStudent,
)
from jiance.aftertest.windows import KIND
from jiance.cycles.models import Cycle
from jiance.rosters.models import Roster, SampledStudent
from jiance.rosters.selectors import released_sample, sampled_students_visible
from jiance.sampling.models import SELECTED_ROLES, DrawStatus, RowStatus, SampledSchool
from jiance.units.areas import Area
from jiance.units.models import Level, Unit
from jiance.windows.models import WindowReopen

# The school office (officer and principal) enters and submits; the county office reviews; the
# county and above see participation. Everyone of these sees the pages.
VIEW_ROLES = (*roles.SCHOOL_OFFICE, *roles.COUNTY_AND_ABOVE)


def school_rosters(*, scope: Scope, cycle: Cycle, school: Unit) -> list[Roster]:
    """The school's rosters in which students were sampled."""
    has_sample = SampledStudent.objects.filter(school=school).values("roster_id")
    return list(
        scope.filter(Roster.objects.filter(cycle=cycle, school=school, pk__in=has_sample), unit_field="school")
        .select_related("school", "cycle").order_by("stage")
    )


def roster_get(*, scope: Scope, pk: int) -> Roster:
    return scope.get(Roster.objects.select_related("school", "cycle"), unit_field="school", pk=pk)


def report_get(*, scope: Scope, pk: int) -> TestedReport:
    return scope.get(TestedReport.objects.select_related("school", "cycle", "roster"), unit_field="school", pk=pk)


def report_of(*, scope: Scope, roster: Roster) -> TestedReport | None:
    return scope.filter(TestedReport.objects.filter(roster=roster), unit_field="school").first()


def visible(scope: Scope, report: TestedReport | Roster, now: dt.datetime) -> bool:
    return sampled_students_visible(scope, report.school, report.cycle, now)


def tested_students_of(*, scope: Scope, report: TestedReport, now: dt.datetime) -> QuerySet[TestedStudent]:
    """The report's rows; nothing before the sampled-student list is released to this person."""
    released = released_sample(scope=scope, cycle=report.cycle, now=now)
    return scope.filter(TestedStudent.objects.filter(report=report, sampled__in=released),
                        unit_field="school").select_related(
        "sampled__student"
    ).order_by("row", "pk")


def corrections_of(*, scope: Scope, report: TestedReport, now: dt.datetime) -> QuerySet[TestedCorrection]:
    released = released_sample(scope=scope, cycle=report.cycle, now=now)
    return scope.filter(TestedCorrection.objects.filter(tested__report=report, tested__sampled__in=released),
                        unit_field="tested__school") \
        .select_related("tested__sampled__student", "actor").order_by("-at", "-pk")


def events_of(*, scope: Scope, report: TestedReport) -> QuerySet[TestedReportEvent]:
    return scope.filter(TestedReportEvent.objects.filter(report=report), unit_field="report__school") \
        .select_related("actor").order_by("-at", "-pk")


def reviewable_reports(*, scope: Scope, cycle: Cycle) -> QuerySet[TestedReport]:
    units = scope.units_for_roles(roles.COUNTY_AND_ABOVE)
    return scope.filter(TestedReport.objects.filter(cycle=cycle, school__in=units), unit_field="school") \
        .select_related("school", "school__parent", "cycle").order_by("school__path", "stage")


def supplementary_windows(*, scope: Scope, cycle: Cycle) -> QuerySet[WindowReopen]:
    """The 补报 the person's counties opened (reopenings of the tested-students window)."""
    return scope.filter(WindowReopen.objects.filter(cycle=cycle, kind=KIND), unit_field="unit") \
        .select_related("unit", "opened_by")


def county_schools_in_sample(*, scope: Scope, cycle: Cycle) -> list[Unit]:
    """Schools of the person's counties that are in a published sample (for 开放补报)."""
    units = scope.units_for_roles(roles.COUNTY_OFFICE)
    ids = SampledSchool.objects.filter(
        draw__cycle=cycle, draw__status=DrawStatus.PUBLISHED, status=RowStatus.IN_SAMPLE, school__in=units,
    ).values("school_id")
    return list(scope.filter(Unit.objects.filter(pk__in=ids), unit_field="self").order_by("path"))


# --- participation ---------------------------------------------------------------------------
@dataclass
class SchoolParticipation:
    """One original sample school (样本校 / 追加样本校) of a stage, and who tested for it.

    The rule: a school that was replaced (its row withdrawn) counts through its in-sample
    replacement; the original participates when that school (itself or its replacement) has at
    least one tested student. A refused school without replacement participates not at all.
    """

    original: SampledSchool
    school: Unit | None  # the school that actually tested for it (itself or its replacement)
    replaced: bool
    sampled: int = 0
    tested: int = 0
    sampled_weight: float = 0.0
    tested_weight: float = 0.0
    weighted: bool = True
    status: str = ""

    @property
    def participated(self) -> bool:
        return self.tested > 0

    @property
    def student_rate(self) -> float | None:
        return self.tested / self.sampled if self.sampled else None


@dataclass
class Aggregate:
    unit: Unit
    schools: list[SchoolParticipation] = field(default_factory=list)

    @property
    def n_schools(self) -> int:
        return len(self.schools)

    @property
    def n_participating(self) -> int:
        return sum(1 for s in self.schools if s.participated)

    @property
    def school_rate(self) -> float | None:
        return self.n_participating / self.n_schools if self.schools else None

    @property
    def school_rate_weighted(self) -> float | None:
        total = sum(s.original.base_weight for s in self.schools)
        done = sum(s.original.base_weight for s in self.schools if s.participated)
        return done / total if total else None

    @property
    def sampled(self) -> int:
        """Sampled students of the participating schools (the student rate's denominator)."""
        return sum(s.sampled for s in self.schools if s.participated)

    @property
    def tested(self) -> int:
        return sum(s.tested for s in self.schools if s.participated)

    @property
    def student_rate(self) -> float | None:
        return self.tested / self.sampled if self.sampled else None

    @property
    def student_rate_weighted(self) -> float | None:
        rows = [s for s in self.schools if s.participated]
        if not rows or not all(s.weighted for s in rows):
            return None
        total = sum(s.sampled_weight for s in rows)
        return sum(s.tested_weight for s in rows) / total if total else None


@dataclass
class Participation:
    schools: list[SchoolParticipation]
    counties: list[Aggregate]
    cities: list[Aggregate]
    school_threshold: float
    student_threshold: float
    hidden: int = 0  # schools left out because their sample is not yet released to this person

    def meets(self, rate: float | None, kind: str) -> bool | None:
        if rate is None:
            return None
        return rate >= (self.school_threshold if kind == "school" else self.student_threshold)


def thresholds(cycle: Cycle) -> tuple[float, float]:
    t = (cycle.config or {}).get("participation_thresholds") or {}
    return float(t.get("school_rate", 0.85)), float(t.get("student_rate", 0.85))


def participation(*, scope: Scope, cycle: Cycle, now: dt.datetime, area: Area | None = None) -> Participation:
    """Participation of the sample schools the person sees (inside `area`, if given), per school,
    county and city. Four queries whatever the size: the sampled students are counted and their
    weights summed per school and stage in the database (conditional aggregation)."""
    originals_qs = scope.filter(
        SampledSchool.objects.filter(draw__cycle=cycle, draw__status=DrawStatus.PUBLISHED, role__in=SELECTED_ROLES),
        unit_field="school",
    )
    if area is not None:
        originals_qs = originals_qs.filter(area.q("school__"))
    originals = list(originals_qs.select_related("school").order_by("county__path", "stage", "frame_order", "pk"))
    # the counties and their cities once each, not once per sample school
    counties_by_id = {c.pk: c for c in Unit.objects.filter(pk__in={o.county_id for o in originals})
                      .select_related("parent")}
    for o in originals:
        o.county = counties_by_id[o.county_id]
    replacements = {
        r.replaces_id: r for r in SampledSchool.objects.filter(
            replaces__in=[o.pk for o in originals], status=RowStatus.IN_SAMPLE,
        ).select_related("school")
    }
    rows: list[SchoolParticipation] = []
    hidden = 0
    for o in originals:
        school: Unit | None
        if o.status == RowStatus.IN_SAMPLE:
            school, replaced = o.school, False
        else:
            rep = replacements.get(o.pk)
            school, replaced = (rep.school if rep else None), True
        if school is not None and not sampled_students_visible(scope, school, cycle, now):
            hidden += 1
            continue
        rows.append(SchoolParticipation(original=o, school=school, replaced=replaced))
    by_key = {(r.school.pk, r.original.stage): r for r in rows if r.school is not None}
    took_part = Q(tested__attendance__in=[Attendance.PRESENT, Attendance.PARTIAL])
    counted = SampledStudent.objects.filter(
        roster__cycle=cycle, school_id__in={k[0] for k in by_key},
    ).order_by().values_list("school_id", "roster__stage").annotate(
        n_sampled=Count("pk"), w_sampled=Sum("final_weight"),
        n_unweighted=Count("pk", filter=Q(final_weight__isnull=True)),
        n_tested=Count("pk", filter=took_part), w_tested=Sum("final_weight", filter=took_part),
    )
    for school_id, stage, n_sampled, w_sampled, unweighted, n_tested, w_tested in counted:
        r = by_key.get((school_id, stage))
        if r is None:
            continue
        r.weighted = r.weighted and not unweighted
        r.sampled += n_sampled
        r.sampled_weight += float(w_sampled or 0.0)
        r.tested += n_tested
        r.tested_weight += float(w_tested or 0.0)
    statuses = {
        (school_id, stage): status for school_id, stage, status in TestedReport.objects.filter(
            cycle=cycle, school_id__in=[k[0] for k in by_key]).values_list("school_id", "stage", "status")
    }
    for r in rows:
        if r.school is not None:
            r.status = statuses.get((r.school.pk, r.original.stage), "")
    counties: dict[int, Aggregate] = {}
    cities: dict[int, Aggregate] = {}
    for r in rows:
        county = r.original.county
        counties.setdefault(county.pk, Aggregate(county)).schools.append(r)
        city = county.parent if county.parent and county.parent.level == Level.CITY else None
        if city is not None:
            cities.setdefault(city.pk, Aggregate(city)).schools.append(r)
    school_t, student_t = thresholds(cycle)
    return Participation(rows, list(counties.values()), list(cities.values()), school_t, student_t, hidden)
