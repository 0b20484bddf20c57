"""When a unit's milestone is done, and when it is open again.

A milestone the platform observes (`done_when`) completes for a unit when every one of its
conditions holds: an app reports an event with `milestones_observed(event=...)` (a row of
`MilestoneEvidence`), and withdraws it with `milestones_withdrawn(event=...)` when the evidence
is returned or unlocked (the review engine does both for its chains). Completing or reopening a
task also answers the level above's `subunits_done:<number>` condition: the parent's task
completes when its last taking-part sub-unit has done task <number>, and reopens when one reopens.
A task the platform cannot observe is completed by hand (`milestone_complete`, see
`jiance.milestones`). Every function runs inside the caller's transaction, so a refused action
completes (or reopens) nothing.
"""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from jiance import clock
from jiance.cycles.models import (
    Cycle,
    CycleParticipant,
    Milestone,
    MilestoneCompletion,
    MilestoneEvidence,
)
from jiance.units.models import Unit
from jiance_core.cycles.schema import SUBUNITS_DONE

SYSTEM_NOTE = "系统记录：已在平台上完成"


def _with_condition(cycle: Cycle, unit: Unit, event: str) -> list[Milestone]:
    """The unit's milestones of `cycle` that list `event` among their conditions."""
    rows = Milestone.objects.filter(cycle=cycle, level=unit.level, done_when__contains=event)
    return [m for m in rows if event in m.conditions]


def children_taking_part(*, cycle: Cycle, unit: Unit) -> QuerySet[Unit]:
    """The sub-units of `unit` taking part in `cycle` (unscoped: the platform's own reckoning; the
    same rule as `cycles.selectors.cycle_children`)."""
    children = Unit.objects.filter(parent=unit, is_active=True)
    taking_part = CycleParticipant.objects.filter(cycle=cycle, unit__parent=unit).values("unit_id")
    if taking_part.exists():
        children = children.filter(pk__in=taking_part)
    return children


def _parent_event(cycle: Cycle, milestone: Milestone, unit: Unit) -> tuple[Unit, str] | None:
    parent = unit.parent if unit.parent_id else None
    if parent is None:
        return None
    event = f"{SUBUNITS_DONE}:{milestone.number}"
    if not _with_condition(cycle, parent, event):
        return None
    return parent, event


def milestone_complete(*, milestone: Milestone, unit: Unit, actor: Any = None, note: str = "") -> bool:
    """Record `unit`'s `milestone` as done (once); True if it was done only now. The level
    above's `subunits_done` condition follows."""
    _, created = MilestoneCompletion.objects.get_or_create(
        milestone=milestone, unit=unit,
        defaults={"done_at": clock.now(), "done_by": actor if getattr(actor, "pk", None) else None,
                  "note": note[:200]},
    )
    if created:
        up = _parent_event(milestone.cycle, milestone, unit)
        if up is not None:
            parent, event = up
            pending = children_taking_part(cycle=milestone.cycle, unit=parent).exclude(
                pk__in=MilestoneCompletion.objects.filter(milestone=milestone).values("unit_id"))
            if not pending.exists():
                milestones_observed(cycle=milestone.cycle, unit=parent, event=event, actor=actor)
    return created


def milestone_reopen(*, milestone: Milestone, unit: Unit) -> bool:
    """`unit`'s `milestone` is not done any more; True if it was done. The level above's
    `subunits_done` task reopens with it."""
    deleted, _ = MilestoneCompletion.objects.filter(milestone=milestone, unit=unit).delete()
    if deleted:
        up = _parent_event(milestone.cycle, milestone, unit)
        if up is not None:
            milestones_withdrawn(cycle=milestone.cycle, unit=up[0], event=up[1])
    return bool(deleted)


def milestones_observed(*, cycle: Cycle, unit: Unit, event: str, actor: Any = None) -> int:
    """The platform saw `unit` do `event` (a `done_when` condition of the cycle's template, e.g.
    `roster_submitted` or `document_approved:county_group_list`): record it, and complete each of
    the unit's milestones whose conditions now all hold, once. Returns how many completed now."""
    made = 0
    now = clock.now()
    for m in _with_condition(cycle, unit, event):
        MilestoneEvidence.objects.get_or_create(milestone=m, unit=unit, condition=event, defaults={"at": now})
        held = set(MilestoneEvidence.objects.filter(milestone=m, unit=unit).values_list("condition", flat=True))
        if set(m.conditions) <= held:
            made += milestone_complete(milestone=m, unit=unit, actor=actor, note=SYSTEM_NOTE)
    return made


def milestones_withdrawn(*, cycle: Cycle, unit: Unit, event: str) -> int:
    """The evidence of `event` for `unit` is gone (returned, unlocked): the condition no longer
    holds, and each milestone that was done through it is open again. Returns how many reopened."""
    reopened = 0
    for m in _with_condition(cycle, unit, event):
        MilestoneEvidence.objects.filter(milestone=m, unit=unit, condition=event).delete()
        reopened += milestone_reopen(milestone=m, unit=unit)
    return reopened
