"""Reads of sampling, always through the Scope: a county sees its own rows only."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import polars as pl
from django.db.models import Count, Q, QuerySet, Sum

from jiance.accounts.roles import CITY_AND_ABOVE, COUNTY_OFFICE
from jiance.accounts.scoping import Scope
from jiance.cycles.models import Cycle, CycleParticipant
from jiance.reporting.models import (
    NOT_STARTED,
    FrameRecord,
    FrameStatus,
    FrameSubmission,
    status_label,
)
from jiance.sampling.models import (
    DrawStatus,
    ReplacementRequest,
    RequestStatus,
    RowStatus,
    SampledSchool,
    SampleRole,
    SchoolDraw,
)
from jiance.stages import stage_label
from jiance.units.models import Level, Unit

# Who draws, publishes and decides replacements; who confirms and asks for replacements.
DRAW_ROLES = CITY_AND_ABOVE
COUNTY_ROLES = COUNTY_OFFICE
OWNER_LEVELS = (Level.CENTRE, Level.PROVINCE, Level.CITY)
# The offline tool's output columns (jiance_core.sampling.schools), then the row's state.
EXPORT_COLUMNS = (
    "county", "stage", "school_id", "school_name", "role", "selection_probability", "base_weight",
    "planned_students", "school_type", "area", "primary_students", "junior_students",
    "replaces", "certainty", "frame_order", "status",
)


# --- owners and counties --------------------------------------------------------------------
def owner_units(*, scope: Scope) -> list[Unit]:
    """Units (city, province, centre) where the person may draw, highest first."""
    ids = [g.unit_id for g in scope.grants if g.role in DRAW_ROLES and g.unit_level in OWNER_LEVELS]
    units = scope.filter(Unit.objects.filter(pk__in=ids, is_active=True), unit_field="self")
    return sorted(units, key=lambda u: (u.path.count("/"), u.path))


def owner_for(*, scope: Scope, code: str | None) -> Unit | None:
    owners = owner_units(scope=scope)
    if not code:
        return owners[0] if owners else None
    for u in owners:
        if u.code == code:
            return u
    return None


def draw_counties(*, scope: Scope, cycle: Cycle, owner: Unit) -> list[Unit]:
    """The counties a draw of `owner` covers: the cycle's participating counties below it, or
    every active county below it when the cycle names none."""
    below = scope.filter(
        Unit.objects.subtree_of(owner).filter(level=Level.COUNTY, is_active=True), unit_field="self"
    )
    taking_part = CycleParticipant.objects.filter(cycle=cycle, unit__level=Level.COUNTY).values("unit_id")
    chosen = below.filter(pk__in=taking_part)
    return list((chosen if chosen.exists() else below).order_by("path"))


@dataclass
class CountyFrame:
    county: Unit
    status: str
    schools: int = 0
    primary_students: int = 0
    junior_students: int = 0

    @property
    def approved(self) -> bool:
        return self.status == FrameStatus.APPROVED

    @property
    def status_label(self) -> str:
        return status_label(self.status)


def frame_status(*, scope: Scope, cycle: Cycle, counties: list[Unit]) -> list[CountyFrame]:
    """The frame of each county (already inside the scope): two queries, the records counted
    and summed per county by one GROUP BY (no join on every school's path)."""
    ids = [c.pk for c in counties]
    subs = {
        s.county_id: s
        for s in scope.filter(FrameSubmission.objects.filter(cycle=cycle, county__in=ids), unit_field="county")
    }
    totals = {
        county_id: (n, p or 0, j or 0)
        for county_id, n, p, j in FrameRecord.objects.filter(
            submission__cycle=cycle, submission__county__in=ids, school__is_active=True,
        ).order_by().values_list("submission__county_id").annotate(
            n=Count("pk"), p=Sum("primary_students"), j=Sum("junior_students"),
        )
    }
    out = []
    for c in counties:
        sub = subs.get(c.pk)
        n, p, j = totals.get(c.pk, (0, 0, 0))
        out.append(CountyFrame(c, sub.status if sub else NOT_STARTED, n, p, j))
    return out


def approved_frame(*, scope: Scope, cycle: Cycle, counties: list[Unit]) -> tuple[pl.DataFrame, dict[str, Unit]]:
    """The approved frame of these counties in the engine's columns (county = county code), and
    the schools by code."""
    records = list(
        scope.filter(
            FrameRecord.objects.filter(
                submission__cycle=cycle, submission__status=FrameStatus.APPROVED,
                submission__county__in=counties, school__is_active=True,
            ),
            unit_field="school",
        ).select_related("school", "submission__county").order_by("school__code")
    )
    schools = {r.school.code: r.school for r in records}
    frame = pl.DataFrame(
        {
            "county": [r.submission.county.code for r in records],
            "school_id": [r.school.code for r in records],
            "school_name": [r.school.name for r in records],
            "school_type": [r.school_type for r in records],
            "area": [r.area for r in records],
            "primary_students": [int(r.primary_students) for r in records],
            "junior_students": [int(r.junior_students) for r in records],
        },
        schema={
            "county": pl.String, "school_id": pl.String, "school_name": pl.String, "school_type": pl.String,
            "area": pl.String, "primary_students": pl.Int64, "junior_students": pl.Int64,
        },
    )
    return frame, schools


# --- draws --------------------------------------------------------------------------------
def draws_for(*, scope: Scope, cycle: Cycle, owner: Unit) -> QuerySet[SchoolDraw]:
    return scope.filter(SchoolDraw.objects.filter(cycle=cycle, owner=owner), unit_field="owner").select_related(
        "created_by", "published_by"
    )


def draw_get(*, scope: Scope, pk: int) -> SchoolDraw:
    """A draw of a unit inside the scope (drafts included), else 404."""
    return scope.get(SchoolDraw.objects.select_related("cycle", "owner"), unit_field="owner", pk=pk)


def draw_rows(*, scope: Scope, draw: SchoolDraw) -> QuerySet[SampledSchool]:
    return scope.filter(SampledSchool.objects.filter(draw=draw), unit_field="county").select_related(
        "county", "school", "replaces__school", "confirmed_by"
    ).order_by("county__path", "stage", "frame_order", "pk")


@dataclass
class StratumView:
    county: Unit
    stage: str
    explanation: str
    rows: list[SampledSchool] = field(default_factory=list)

    @property
    def stage_label(self) -> str:
        return stage_label(self.stage)

    @property
    def selected(self) -> list[SampledSchool]:
        return [r for r in self.rows if r.role in (SampleRole.SAMPLE, SampleRole.ADDED)]

    @property
    def in_sample(self) -> list[SampledSchool]:
        return [r for r in self.rows if r.status == RowStatus.IN_SAMPLE]

    @property
    def planned_students(self) -> int:
        return sum(r.planned_students for r in self.in_sample)


ROW_FIELDS = (
    "draw_id", "county_id", "stage", "school_id", "role", "replaces_id", "selection_probability", "base_weight",
    "planned_students", "certainty", "frame_order", "school_type", "area", "primary_students", "junior_students",
    "status", "confirmed_at", "confirmed_by_id", "school__code", "school__name", "confirmed_by__username",
    "confirmed_by__full_name",
)


def draw_strata(*, scope: Scope, draw: SchoolDraw) -> list[StratumView]:
    """Rows grouped by county and stage with the engine's explanation, for the counties the
    person sees. One lean query (a province's draw has thousands of rows); each row gets
    `replaces_name`, the name of the school a replacement stands behind."""
    rows = list(
        scope.filter(SampledSchool.objects.filter(draw=draw), unit_field="county")
        .select_related("school", "confirmed_by").only(*ROW_FIELDS)
        .order_by("county__path", "stage", "frame_order", "pk")
    )
    names = {r.pk: r.school.name for r in rows}
    groups: dict[tuple[int, str], list[SampledSchool]] = {}
    for r in rows:
        r.replaces_name = names.get(r.replaces_id, "") if r.replaces_id else ""  # type: ignore[attr-defined]
        groups.setdefault((r.county_id, r.stage), []).append(r)
    row_counties = {r.county_id for r in rows}
    visible = scope.filter(
        Unit.objects.filter(Q(code__in=draw.counties) | Q(pk__in=row_counties)), unit_field="self"
    ).order_by("path")
    texts = {(e["county"], e["stage"]): e["text"] for e in draw.explanations}
    out: list[StratumView] = []
    for county in visible:
        for stage in ("primary", "junior"):
            stratum_rows = groups.get((county.pk, stage), [])
            text = texts.get((county.code, stage), "")
            if stratum_rows or text:
                out.append(StratumView(county, stage, text, stratum_rows))
    return out


def published_draw_for_county(*, scope: Scope, cycle: Cycle, county: Unit) -> SchoolDraw | None:
    """The published draw covering a county (read through the county's rows, which the county
    may see even though the drawing city is above it)."""
    draw_id = (
        scope.filter(
            SampledSchool.objects.filter(draw__cycle=cycle, draw__status=DrawStatus.PUBLISHED, county=county),
            unit_field="county",
        ).values_list("draw_id", flat=True).first()
    )
    return SchoolDraw.objects.filter(pk=draw_id).select_related("cycle", "owner").first() if draw_id else None


def county_rows(*, scope: Scope, draw: SchoolDraw, county: Unit) -> QuerySet[SampledSchool]:
    return draw_rows(scope=scope, draw=draw).filter(county=county)


def row_get(*, scope: Scope, pk: int) -> SampledSchool:
    """A row of a published draw inside the scope, else 404."""
    return scope.get(
        SampledSchool.objects.filter(draw__status=DrawStatus.PUBLISHED).select_related(
            "draw__cycle", "draw__owner", "county", "school", "replaces__school"
        ),
        unit_field="county",
        pk=pk,
    )


def request_get(*, scope: Scope, pk: int) -> ReplacementRequest:
    return scope.get(
        ReplacementRequest.objects.select_related(
            "sampled_school__draw__owner", "sampled_school__county", "sampled_school__school"
        ),
        unit_field="sampled_school__county",
        pk=pk,
    )


def requests_for(*, scope: Scope, draw: SchoolDraw, county: Unit | None = None) -> QuerySet[ReplacementRequest]:
    qs = ReplacementRequest.objects.filter(sampled_school__draw=draw)
    if county is not None:
        qs = qs.filter(sampled_school__county=county)
    return scope.filter(qs, unit_field="sampled_school__county").select_related(
        "sampled_school__school", "sampled_school__county", "replacement__school", "requested_by", "decided_by"
    ).order_by("-requested_at", "-pk")


def pending_requests(*, scope: Scope, draw: SchoolDraw) -> QuerySet[ReplacementRequest]:
    return requests_for(scope=scope, draw=draw).filter(status=RequestStatus.PENDING)


def export_rows(*, scope: Scope, draw: SchoolDraw) -> Iterator[list[Any]]:
    """The published sample in the offline tool's columns (county = county code)."""
    for r in draw_rows(scope=scope, draw=draw):
        yield [
            r.county.code, r.stage, r.school.code, r.school.name, r.role, r.selection_probability,
            r.base_weight, r.planned_students, r.school_type, r.area, r.primary_students,
            r.junior_students, r.replaces.school.code if r.replaces is not None else "", r.certainty,
            r.frame_order, r.status,
        ]


# --- the school's notice --------------------------------------------------------------------
@dataclass(frozen=True)
class SchoolNotice:
    school: Unit
    cycle: Cycle
    stage: str
    role: str
    planned_students: int
    confirmed: bool

    @property
    def stage_label(self) -> str:
        return stage_label(self.stage)

    @property
    def role_label(self) -> str:
        return str(SampleRole(self.role).label)


def school_sample_status(scope: Scope, school: Unit, cycle: Cycle | None = None) -> list[SchoolNotice]:
    """Whether a school is in a published sample (one notice per stage), for its home page.

    Empty when the school is outside the scope, not sampled, or only a standby replacement (a
    replacement learns nothing until it is swapped in)."""
    if not scope.sees(school):
        return []
    qs = SampledSchool.objects.filter(
        school=school, draw__status=DrawStatus.PUBLISHED, status=RowStatus.IN_SAMPLE
    )
    if cycle is not None:
        qs = qs.filter(draw__cycle=cycle)
    rows = scope.filter(qs, unit_field="school").select_related("draw__cycle").order_by("-draw__cycle__year", "stage")
    return [
        SchoolNotice(school, r.draw.cycle, r.stage, r.role, r.planned_students, r.confirmed_at is not None)
        for r in rows
    ]


def covered_counties_elsewhere(*, cycle: Cycle, counties: list[str], exclude_draw: int | None) -> list[str]:
    """Codes among `counties` already in another published draw of the cycle (a guard, not a
    read shown to anybody)."""
    taken: set[str] = set()
    others = SchoolDraw.objects.filter(cycle=cycle, status=DrawStatus.PUBLISHED)
    if exclude_draw is not None:
        others = others.exclude(pk=exclude_draw)
    for codes in others.values_list("counties", flat=True):
        taken |= set(codes or [])
    return [c for c in counties if c in taken]


def frame_counts(*, draw: SchoolDraw) -> dict[str, int]:
    return dict(
        SampledSchool.objects.filter(draw=draw).values("role").annotate(n=Count("pk")).values_list("role", "n")
    )

