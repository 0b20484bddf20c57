"""Reads for a unit's task page: its tasks with how each is done (observed conditions, or the
marking by hand), the markings of sub-units waiting for this unit's confirmation, and how far
the sub-units are with each task of the level below."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.db.models import Count

from jiance.accounts.roles import LEVEL_OFFICE
from jiance.accounts.scoping import Scope
from jiance.apps_registry import milestone_events
from jiance.cycles.models import (
    Cycle,
    DocumentKind,
    Milestone,
    MilestoneCompletion,
    MilestoneEvidence,
)
from jiance.cycles.selectors import STATE_LABELS, _state, cycle_children
from jiance.milestones.models import MarkStatus, MilestoneMark
from jiance.notifications.models import LaggardReminder
from jiance.units.models import CHILD_LEVEL, Level, Unit


@dataclass(frozen=True)
class Condition:
    code: str
    label: str
    held: bool


@dataclass
class TaskRow:
    milestone: Milestone
    state: str
    completion: MilestoneCompletion | None
    mark: MilestoneMark | None
    conditions: list[Condition] = field(default_factory=list)

    @property
    def state_label(self) -> str:
        if self.mark is not None and self.mark.status == MarkStatus.MARKED and self.state != "done":
            return str(MarkStatus.MARKED.label)
        return str(STATE_LABELS[self.state])


def condition_label(code: str, cycle: Cycle, documents: dict[str, str] | None = None) -> str:
    name, _colon, arg = code.partition(":")
    event = milestone_events().get(name)
    label = str(event.label) if event is not None and event.label else name
    if name == "document_approved":
        docs = documents if documents is not None else dict(
            DocumentKind.objects.filter(cycle=cycle).values_list("code", "name"))
        return f"{docs.get(arg, arg)}（审核通过）"
    if name == "subunits_done":
        return f"下级单位均已完成第 {arg} 项任务"
    return label


def unit_tasks(*, cycle: Cycle, unit: Unit, today: dt.date) -> list[TaskRow]:
    tasks = list(cycle.milestones.filter(level=unit.level).order_by("number"))
    done = {c.milestone_id: c for c in MilestoneCompletion.objects.filter(milestone__in=tasks, unit=unit)
            .select_related("done_by")}
    marks = {m.milestone_id: m for m in MilestoneMark.objects.filter(milestone__in=tasks, unit=unit)
             .select_related("marked_by")}
    held = set(MilestoneEvidence.objects.filter(milestone__in=tasks, unit=unit).values_list("milestone_id", "condition"))
    documents = dict(DocumentKind.objects.filter(cycle=cycle).values_list("code", "name"))
    rows = []
    for m in tasks:
        complete = done.get(m.pk)
        conditions = [Condition(c, condition_label(c, cycle, documents), (m.pk, c) in held or complete is not None)
                      for c in m.conditions]
        rows.append(TaskRow(m, _state(m, complete is not None, today), complete, marks.get(m.pk), conditions))
    return rows


def awaiting_confirmation(*, scope: Scope, cycle: Cycle, unit: Unit) -> list[MilestoneMark]:
    """Markings below `unit` that its level confirms, waiting (for its office)."""
    if not scope.holds(LEVEL_OFFICE.get(unit.level, ()), unit):
        return []
    rows = MilestoneMark.objects.filter(cycle=cycle, status=MarkStatus.MARKED, milestone__confirmed_by=unit.level,
                                        unit__path__startswith=unit.path)
    return list(scope.filter(rows).select_related("unit", "milestone", "marked_by").order_by("unit__path"))


@dataclass(frozen=True)
class ChildTask:
    milestone: Milestone
    done: int
    total: int
    reminded_today: int

    @property
    def owing(self) -> int:
        return self.total - self.done


def subunit_progress(*, scope: Scope, cycle: Cycle, unit: Unit, today: dt.date) -> tuple[str, list[ChildTask]]:
    """For each task of the level below: how many taking-part sub-units have done it."""
    child_level = CHILD_LEVEL.get(Level(unit.level))
    if child_level is None:
        return "", []
    children = cycle_children(scope=scope, cycle=cycle, unit=unit)
    ids = list(children.values_list("pk", flat=True))
    tasks = list(cycle.milestones.filter(level=child_level).order_by("number"))
    done = dict(MilestoneCompletion.objects.filter(milestone__in=tasks, unit_id__in=ids)
                .values("milestone_id").annotate(n=Count("pk")).values_list("milestone_id", "n"))
    reminded = dict(LaggardReminder.objects.filter(milestone__in=tasks, unit_id__in=ids, day=today)
                    .values("milestone_id").annotate(n=Count("pk")).values_list("milestone_id", "n"))
    return child_level, [ChildTask(m, done.get(m.pk, 0), len(ids), reminded.get(m.pk, 0)) for m in tasks]
