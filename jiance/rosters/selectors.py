"""Reads of rosters and of the student sample, always through the Scope.

The secrecy rule lives here and only here: `sampled_students_visible` says whether a person may
see the sample of one school at a given moment, and `released_sample` is the one read of sampled
students: it answers only the students the rule lets this person see now (nothing before release
for school and county users, exactly like a school without a draw). Every page, partial, export,
printout and API response that shows a sampled student (rosters, test-day seats and printouts,
after-test reports) reads them through it, or through a query restricted to it
(`student__sampled__in=released_sample(...)`), so a new view cannot forget the release time.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.db.models import Count, Exists, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce

from jiance import clock
from jiance.accounts import roles
from jiance.accounts.scoping import Scope
from jiance.cycles.models import Cycle
from jiance.reporting.models import FrameRecord, cycle_grades
from jiance.rosters.models import (
    SCHOOL_STATUSES,
    Roster,
    RosterEvent,
    RosterStatus,
    SampledStudent,
    Student,
    StudentDraw,
    Teacher,
    release_at,
)
from jiance.sampling.models import DrawStatus, RowStatus, SampledSchool
from jiance.sampling.selectors import school_sample_status
from jiance.stages import stage_label
from jiance.units.areas import Area
from jiance.units.models import Level, Unit

# The registry's sets (jiance.accounts.roles) under the names the roster's other modules still use:
# the officer enters and submits (SCHOOL_ROLES is the officer only here), the principal checks, the
# county and city offices review. New code uses `roles.*` directly.
SCHOOL_ROLES = roles.SCHOOL_OFFICER
PRINCIPAL_ROLES = roles.PRINCIPAL
COUNTY_ROLES = roles.COUNTY_OFFICE
CITY_ROLES = roles.CITY_OFFICE
# Who draws the students and may see the sample before release (the city and above).
DRAW_ROLES = roles.CITY_AND_ABOVE
DRAW_LEVELS = roles.CITY_AND_ABOVE_LEVELS
VIEW_ROLES = (*roles.SCHOOL_OFFICE, *roles.COUNTY_AND_ABOVE)
# Who may see full ID numbers: the school's officer and principal while entering/checking.
UNMASK_ROLES = roles.UNMASK_ID


# --- the secrecy rule -------------------------------------------------------------------------
def sampled_students_visible(scope: Scope, school: Unit, cycle: Cycle, now: dt.datetime) -> bool:
    """May this person see the sampled students of `school` at `now`?

    The city and above (who draw) always; everybody else (school, county) only from the cycle's
    release time on test day (cycle.config["release"]: day + start, in the cycle's timezone).
    """
    if not scope.sees(school):
        return False
    for g in scope.grants:
        if g.role in DRAW_ROLES and g.unit_level in DRAW_LEVELS and school.path.startswith(g.unit_path):
            return True
    at = release_at(cycle)
    return at is not None and now >= at


def released_sample(*, scope: Scope, cycle: Cycle, now: dt.datetime | None = None) -> QuerySet[SampledStudent]:
    """The sampled students of `cycle` this person may see at `now` (the clock's now by default):
    inside the person's units, and of a school where `sampled_students_visible` holds: every one
    from the release time on, before it only those below a unit where the person draws."""
    now = clock.now() if now is None else now
    sample = scope.filter(SampledStudent.objects.filter(roster__cycle=cycle), unit_field="school")
    at = release_at(cycle)
    if at is not None and now >= at:
        return sample
    early = Q(pk__in=[])
    for g in scope.grants:
        if g.role in DRAW_ROLES and g.unit_level in DRAW_LEVELS:
            early |= Q(school__path__startswith=g.unit_path)
    return sample.filter(early)


def sampled_students_for(*, scope: Scope, roster: Roster, now: dt.datetime) -> QuerySet[SampledStudent]:
    """The sampled students of a roster; empty before release for school and county users."""
    return released_sample(scope=scope, cycle=roster.cycle, now=now).filter(roster=roster).select_related(
        "student"
    ).order_by("student__row", "pk")


# --- rosters ----------------------------------------------------------------------------------
def roster_get(*, scope: Scope, pk: int) -> Roster:
    return scope.get(Roster.objects.select_related("school", "cycle"), unit_field="school", pk=pk)


def school_for(*, scope: Scope, code: str) -> Unit:
    return scope.get_unit(code=code, level=Level.SCHOOL)


@dataclass(frozen=True)
class SampledStage:
    """A stage in which the school is in a published sample, and its planned students."""

    stage: str
    planned_students: int
    base_weight: float


def sample_rows(*, cycle: Cycle, school: Unit) -> list[SampledSchool]:
    """The school's in-sample rows of the published draws of the cycle (a guard, not a display)."""
    return list(
        SampledSchool.objects.filter(
            school=school, draw__cycle=cycle, draw__status=DrawStatus.PUBLISHED, status=RowStatus.IN_SAMPLE
        ).order_by("stage")
    )


def sampled_stages(*, scope: Scope, cycle: Cycle, school: Unit) -> list[str]:
    """Stages in which the school reports a roster: in-sample rows of a published draw."""
    return [n.stage for n in school_sample_status(scope, school, cycle)]


def school_rosters(*, scope: Scope, cycle: Cycle, school: Unit) -> list[Roster]:
    return list(
        scope.filter(Roster.objects.filter(cycle=cycle, school=school), unit_field="school")
        .select_related("school", "cycle").order_by("stage")
    )


def students_of(*, scope: Scope, roster: Roster) -> QuerySet[Student]:
    return scope.filter(Student.objects.filter(roster=roster), unit_field="roster__school").order_by("row", "pk")


def teachers_of(*, scope: Scope, roster: Roster) -> QuerySet[Teacher]:
    return scope.filter(Teacher.objects.filter(roster=roster), unit_field="roster__school").order_by("pk")


def events_of(*, scope: Scope, roster: Roster) -> QuerySet[RosterEvent]:
    return scope.filter(RosterEvent.objects.filter(roster=roster), unit_field="roster__school").select_related(
        "actor"
    ).order_by("-at", "-pk")


def can_unmask(scope: Scope, roster: Roster) -> bool:
    """Full ID numbers: the school's officer and principal, while the school enters and checks."""
    if roster.status not in SCHOOL_STATUSES or roster.locked:
        return False
    return any(
        g.role in UNMASK_ROLES and g.unit_id == roster.school_id for g in scope.grants
    )


def frame_record_for(*, cycle: Cycle, school: Unit) -> FrameRecord | None:
    """The school's frame record of the cycle (approved or not), for the class-count check."""
    return (
        FrameRecord.objects.filter(submission__cycle=cycle, school=school)
        .order_by("-submission__updated_at").first()
    )


def grade_for(cycle: Cycle, stage: str) -> int:
    return cycle_grades(cycle).get(stage, 4 if stage == "primary" else 8)


def reviewable_rosters(*, scope: Scope, cycle: Cycle) -> QuerySet[Roster]:
    """Rosters below a unit where the person reviews (county, city and above)."""
    units = scope.units_for_roles(roles.COUNTY_AND_ABOVE)
    return (
        scope.filter(Roster.objects.filter(cycle=cycle, school__in=units), unit_field="school")
        .select_related("school", "school__parent")
        .order_by("school__path", "stage")
    )


@dataclass(frozen=True)
class OverviewRow:
    school: Unit
    stage: str
    roster: Any  # Roster (annotated with n_students, n_teachers) or None when not started

    @property
    def stage_label(self) -> str:
        return stage_label(self.stage)


NOT_STARTED = "not_started"


def overview_places(*, scope: Scope, cycle: Cycle, area: Area, status: str = "") -> QuerySet[Any]:
    """The in-sample places (school and stage) of the published draws inside `area`, each
    annotated with its roster's status (`roster_status`, None when not started); `status`
    keeps one status (or NOT_STARTED)."""
    roster = Roster.objects.filter(cycle=cycle, school=OuterRef("school"), stage=OuterRef("stage")).order_by()
    places = scope.filter(
        SampledSchool.objects.filter(draw__cycle=cycle, draw__status=DrawStatus.PUBLISHED,
                                     status=RowStatus.IN_SAMPLE).filter(area.q("school__")),
        unit_field="school",
    ).annotate(roster_status=Subquery(roster.values("status")[:1]))
    if status == NOT_STARTED:
        places = places.filter(roster_status__isnull=True)
    elif status:
        places = places.filter(roster_status=status)
    return places


def overview_counts(*, scope: Scope, cycle: Cycle, area: Area) -> dict[str, Counter[str]]:
    """Places per roster status (NOT_STARTED when none), per county path: one GROUP BY query."""
    out: dict[str, Counter[str]] = {}
    rows = overview_places(scope=scope, cycle=cycle, area=area).order_by().values_list(
        "county__path", "roster_status").annotate(n=Count("pk"))
    for path, status, n in rows:
        out.setdefault(path, Counter())[status or NOT_STARTED] += n
    return out


def overview_rows(*, scope: Scope, cycle: Cycle, places: Sequence[SampledSchool]) -> list[OverviewRow]:
    """The rows of one page of places, with their rosters and head counts (one query)."""
    students = Student.objects.filter(roster=OuterRef("pk")).order_by().values("roster").annotate(n=Count("pk"))
    teachers = Teacher.objects.filter(roster=OuterRef("pk")).order_by().values("roster").annotate(n=Count("pk"))
    rosters = {
        (r.school_id, r.stage): r
        for r in scope.filter(
            Roster.objects.filter(cycle=cycle, school_id__in={p.school_id for p in places}), unit_field="school",
        ).annotate(n_students=Coalesce(Subquery(students.values("n")), 0),
                   n_teachers=Coalesce(Subquery(teachers.values("n")), 0))
    }
    return [OverviewRow(p.school, p.stage, rosters.get((p.school_id, p.stage))) for p in places]


def draw_owner(*, scope: Scope) -> Unit | None:
    """The highest unit where the person may draw students."""
    ids = [g.unit_id for g in scope.grants if g.role in DRAW_ROLES and g.unit_level in DRAW_LEVELS]
    units = sorted(
        scope.filter(Unit.objects.filter(pk__in=ids, is_active=True), unit_field="self"),
        key=lambda u: (u.path.count("/"), u.path),
    )
    return units[0] if units else None


def draw_for(*, scope: Scope, cycle: Cycle, owner: Unit) -> StudentDraw | None:
    return scope.filter(StudentDraw.objects.filter(cycle=cycle, owner=owner), unit_field="owner").first()


def rosters_for_draw(*, cycle: Cycle, owner: Unit) -> QuerySet[Roster]:
    """Every roster of an in-sample school below `owner` (the service checks they are approved)."""
    in_sample = SampledSchool.objects.filter(
        draw__cycle=cycle, draw__status=DrawStatus.PUBLISHED, status=RowStatus.IN_SAMPLE,
    ).values("school_id")
    return (
        Roster.objects.filter(cycle=cycle, school__in=in_sample)
        .filter(school__path__startswith=owner.path)
        .select_related("school")
        .order_by("school__path", "stage")
    )


def status_counts(rosters: list[Any]) -> dict[str, int]:
    out: dict[str, int] = {}
    for r in rosters:
        out[r.status] = out.get(r.status, 0) + 1
    return out


__all__ = [
    "RosterStatus",
    "released_sample",
    "sampled_students_for",
    "sampled_students_visible",
]


@dataclass
class DrawArea:
    """One county on the draw page: its sample places, how many rosters the city approved, and
    its draw (its own, or the wider draw that took its schools)."""

    county: Unit
    places: int
    approved: int
    drawn: int
    draw: StudentDraw | None

    @property
    def ready(self) -> bool:
        return self.drawn == 0 and self.places > 0 and self.approved == self.places

    @property
    def done(self) -> bool:
        return self.places > 0 and self.drawn == self.places


def draw_areas(*, scope: Scope, cycle: Cycle, owner: Unit) -> list[DrawArea]:
    """Per county below `owner`: what the per-county draw needs to know, in four queries."""
    places: dict[int, int] = {}
    for county_id, n in (
        SampledSchool.objects.filter(
            draw__cycle=cycle, draw__status=DrawStatus.PUBLISHED, status=RowStatus.IN_SAMPLE,
            school__path__startswith=owner.path,
        ).values_list("county_id").annotate(n=Count("pk"))
    ):
        places[county_id] = n
    approved: dict[int | None, int] = {}
    drawn: dict[int | None, int] = {}
    sampled_rosters = drawn_roster_ids(cycle=cycle, owner=owner)
    for roster_id, county_id, status in rosters_for_draw(cycle=cycle, owner=owner).values_list(
        "pk", "school__parent_id", "status",
    ):
        if status == RosterStatus.APPROVED:
            approved[county_id] = approved.get(county_id, 0) + 1
        if roster_id in sampled_rosters:
            drawn[county_id] = drawn.get(county_id, 0) + 1
    draws = {d.owner_id: d for d in scope.filter(
        StudentDraw.objects.filter(cycle=cycle, owner__path__startswith=owner.path), unit_field="owner",
    )}
    counties = scope.filter(Unit.objects.filter(pk__in=list(places)), unit_field="self").order_by("path")
    return [
        DrawArea(c, places[c.pk], approved.get(c.pk, 0), drawn.get(c.pk, 0), draws.get(c.pk) or draws.get(owner.pk))
        for c in counties
    ]


def drawn_roster_ids(*, cycle: Cycle, owner: Unit) -> set[int]:
    """Rosters below `owner` whose sample students have been drawn."""
    return set(
        SampledStudent.objects.filter(draw__cycle=cycle, school__path__startswith=owner.path)
        .order_by().values_list("roster_id", flat=True).distinct()
    )


def drawn_only(rosters: QuerySet[Roster]) -> QuerySet[Roster]:
    """Those of `rosters` whose sample students have been drawn."""
    return rosters.filter(Exists(SampledStudent.objects.filter(roster=OuterRef("pk"))))
