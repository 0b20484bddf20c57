"""Reads of record cards, always through the Scope.

The sampled students a school enters cards for are read through `released_sample` (rosters): a
school sees its students from the release time on, like every other page naming them. Progress
figures (how many cards entered, checked, sent back, missing) are counts only: the county and the
city read them, never a student's name or value.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, QuerySet

from jiance.accounts.scoping import Scope
from jiance.cycles.models import Cycle
from jiance.fieldtest.models import CardStatus, FieldCard
from jiance.rosters.models import SampledStudent
from jiance.rosters.selectors import released_sample
from jiance.units.models import Unit
from jiance_core.cycles.fieldtest import FieldTestRules


def rules_of(cycle: Cycle) -> FieldTestRules | None:
    """The cycle's record card (its `fieldtest:` section), or None when it has no PE field test."""
    data = (cycle.config or {}).get("fieldtest")
    return FieldTestRules.model_validate(data) if data else None


@dataclass
class Row:
    """One line of a school's entry or check page: a sampled student and their card (if any)."""

    sampled: SampledStudent
    card: FieldCard | None

    @property
    def student(self) -> Any:
        return self.sampled.student

    @property
    def grade(self) -> int:
        return int(self.sampled.roster.grade)

    @property
    def version(self) -> int:
        return self.card.version if self.card else 0


def school_rows(*, scope: Scope, cycle: Cycle, school: Unit) -> list[Row]:
    """The school's sampled students this person may see now, in roster order, with their cards."""
    sample = list(released_sample(scope=scope, cycle=cycle).filter(school=school)
                  .select_related("student", "roster").order_by("roster__stage", "student__row", "pk"))
    cards = {c.student_id: c for c in FieldCard.objects.filter(cycle=cycle, school=school,
                                                             student_id__in=[s.student_id for s in sample])}
    return [Row(s, cards.get(s.student_id)) for s in sample]


def sampled_for(*, scope: Scope, cycle: Cycle, school: Unit, student_id: int) -> SampledStudent:
    """One sampled student of the school the person may see now (404 otherwise)."""
    from django.shortcuts import get_object_or_404

    return get_object_or_404(released_sample(scope=scope, cycle=cycle).filter(school=school)
                             .select_related("student", "roster"), student_id=student_id)


@dataclass
class Progress:
    """A school's (or an area's) figures: sampled students and cards by state."""

    unit: Unit | None
    sampled: int = 0
    entered: int = 0  # waiting for a proctor
    returned: int = 0
    checked: int = 0
    by_attendance: Counter[str] = field(default_factory=Counter)

    @property
    def cards(self) -> int:
        return self.entered + self.returned + self.checked

    @property
    def missing(self) -> int:
        return max(self.sampled - self.cards, 0)

    @property
    def done(self) -> bool:
        return self.sampled > 0 and self.checked >= self.sampled


def progress_under(*, scope: Scope, cycle: Cycle, unit: Unit) -> list[Progress]:
    """Per school below `unit` (the unit itself for a school) with sampled students: the figures,
    in a fixed number of queries. Counts only — no name, no value."""
    sample = scope.filter(SampledStudent.objects.filter(roster__cycle=cycle, school__path__startswith=unit.path),
                          unit_field="school")
    sampled = dict(sample.values_list("school").annotate(n=Count("pk")).values_list("school", "n"))
    cards: QuerySet[FieldCard] = scope.filter(
        FieldCard.objects.filter(cycle=cycle, school__path__startswith=unit.path), unit_field="school")
    by_school: dict[int, Progress] = {}
    schools = {u.pk: u for u in Unit.objects.filter(pk__in=set(sampled) | set(cards.values_list("school", flat=True)))}
    for pk, u in schools.items():
        by_school[pk] = Progress(u, sampled=sampled.get(pk, 0))
    for school_id, status, attendance, n in (cards.values_list("school", "status", "attendance")
                                             .annotate(n=Count("pk")).values_list("school", "status", "attendance",
                                                                                    "n")):
        p = by_school[school_id]
        if status == CardStatus.CHECKED:
            p.checked += n
        elif status == CardStatus.RETURNED:
            p.returned += n
        else:
            p.entered += n
        p.by_attendance[attendance] += n
    return sorted(by_school.values(), key=lambda p: p.unit.path if p.unit else "")


def total(rows: list[Progress], unit: Unit) -> Progress:
    out = Progress(unit)
    for p in rows:
        out.sampled += p.sampled
        out.entered += p.entered
        out.returned += p.returned
        out.checked += p.checked
        out.by_attendance.update(p.by_attendance)
    return out
