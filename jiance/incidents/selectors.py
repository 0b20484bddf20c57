"""Reads of incidents and hotline calls, always through the Scope (a school sees its own, a county
its schools', the city and above their area's)."""

from __future__ import annotations

from typing import Any

from django.db.models import Count, Q, QuerySet

from jiance import clock
from jiance.accounts import roles
from jiance.accounts.scoping import Scope
from jiance.cycles.models import Cycle
from jiance.incidents.models import OPEN, HotlineCall, Incident, IncidentStatus
from jiance.units.models import Level, Unit

FILTERS = ("open", "grade1", "grade2", "grade3", "overdue", "closed", "all")


def incident_get(*, scope: Scope, pk: int) -> Incident:
    incident = scope.get(Incident.objects.select_related("school", "cycle", "room", "recorded_by", "confirmed_by",
                                                         "reported_by"), unit_field="school", pk=pk)
    scope.require(roles.INCIDENT_READERS, incident.school)
    return incident


def incidents_under(*, scope: Scope, cycle: Cycle, unit: Unit) -> QuerySet[Incident]:
    """The incidents of the schools in `unit`'s subtree the person may read (drafts only for the
    school itself: nobody above sees what the school has not reported)."""
    qs = scope.filter(Incident.objects.filter(cycle=cycle, school__path__startswith=unit.path),
                      unit_field="school").select_related("school", "room")
    if unit.level != Level.SCHOOL:
        qs = qs.exclude(status=IncidentStatus.DRAFT)
    return qs.order_by("-occurred_at", "-pk")


def filtered(qs: QuerySet[Incident], wanted: str) -> QuerySet[Incident]:
    now = clock.now()
    if wanted == "open":
        return qs.filter(status__in=OPEN)
    if wanted in ("grade1", "grade2", "grade3"):
        return qs.filter(grade=int(wanted[-1]))
    if wanted == "overdue":
        return qs.filter(report_due_at__lt=now, reported_at__isnull=True)
    if wanted == "closed":
        return qs.filter(status=IncidentStatus.CLOSED)
    return qs


def counts(qs: QuerySet[Incident]) -> dict[str, int]:
    """Open incidents by grade, overdue reports and closed ones, in one query."""
    now = clock.now()
    open_q = Q(status__in=OPEN)
    row = qs.order_by().aggregate(
        open=Count("pk", filter=open_q),
        grade1=Count("pk", filter=open_q & Q(grade=1)),
        grade2=Count("pk", filter=open_q & Q(grade=2)),
        grade3=Count("pk", filter=open_q & Q(grade=3)),
        overdue=Count("pk", filter=Q(report_due_at__lt=now, reported_at__isnull=True)),
        closed=Count("pk", filter=Q(status=IncidentStatus.CLOSED)),
        all=Count("pk"),
    )
    return {k: int(v or 0) for k, v in row.items()}


def readable_units(scope: Scope) -> QuerySet[Unit]:
    """The units whose incident lists this person may open: their own unit where they hold a
    reading role (a school's staff their school; a county's its county; the city and above theirs)."""
    ids = [g.unit_id for g in scope.grants if g.role in roles.INCIDENT_READERS]
    return Unit.objects.filter(pk__in=ids, is_active=True).order_by("path")


def calls_of(*, scope: Scope, cycle: Cycle, county: Unit) -> QuerySet[HotlineCall]:
    return scope.filter(HotlineCall.objects.filter(cycle=cycle, county=county), unit_field="county") \
        .select_related("school", "logged_by", "incident").order_by("-at", "-pk")


def call_get(*, scope: Scope, pk: int) -> HotlineCall:
    call = scope.get(HotlineCall.objects.select_related("county", "school", "cycle"), unit_field="county", pk=pk)
    scope.require(roles.INCIDENT_OVERSEERS, call.county)
    return call


def county_schools(*, scope: Scope, cycle: Cycle, county: Unit) -> list[Unit]:
    """The county's schools in the cycle (taking part, or in its published sample): the hotline's
    school choice."""
    from jiance.cycles.models import CycleParticipant
    from jiance.sampling.models import DrawStatus, RowStatus, SampledSchool

    inside = {"unit__level": Level.SCHOOL, "unit__path__startswith": county.path}
    taking_part = CycleParticipant.objects.filter(cycle=cycle, **inside).values("unit_id")
    sampled = SampledSchool.objects.filter(draw__cycle=cycle, draw__status=DrawStatus.PUBLISHED,
                                           status=RowStatus.IN_SAMPLE, school__path__startswith=county.path) \
        .values("school_id")
    units = Unit.objects.filter(Q(pk__in=taking_part) | Q(pk__in=sampled), level=Level.SCHOOL)
    return list(scope.filter(units, unit_field="self").order_by("code"))


def people_names(incident: Incident, visible: dict[int, Any]) -> list[dict[str, Any]]:
    """The students concerned, named only when the released sample shows them to this person."""
    out = []
    for s in incident.students.all():
        row = visible.get(s.student_id)
        out.append({"seat": s.seat, "name": row.student.name if row is not None else "", "drop": s.proposed_drop,
                    "student_id": s.student_id})
    return out
