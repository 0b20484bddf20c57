"""Reads for the home page: each of my units' tasks, what its sub-units still owe, and what waits
for me (the apps' inbox providers, `jiance.apps_registry.inbox_items`)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count

from jiance import clock
from jiance.accounts.scoping import Grant, Scope, get_scope
from jiance.apps_registry import InboxItem, inbox_items, unit_links
from jiance.cycles.models import Cycle, Milestone, MilestoneCompletion
from jiance.cycles.selectors import (
    LaggingRow,
    MilestoneStatus,
    active_cycle,
    cycle_children,
    subunits_owing,
    unit_milestones,
)
from jiance.rosters.models import release_at
from jiance.units.models import CHILD_LEVEL, Level, Unit
from jiance.web.role_home import RoleHome, role_home, uses_dashboard


@dataclass(frozen=True)
class LaggingUnit:
    unit: Unit
    overdue: int


@dataclass
class HomePanel:
    unit: Unit
    roles: list[Grant]
    overdue: list[MilestoneStatus]
    due: list[MilestoneStatus]
    upcoming: list[MilestoneStatus]
    done: list[MilestoneStatus]
    owing: list[LaggingRow]
    child_level: str = ""
    children_total: int = 0
    lagging: list[LaggingUnit] = field(default_factory=list)
    links: list[tuple[str, str]] = field(default_factory=list)
    # False: the person holds no office here, the panel shows `role_home` instead of the dashboard
    dashboard: bool = True
    role_home: RoleHome | None = None

    @property
    def total(self) -> int:
        return len(self.overdue) + len(self.due) + len(self.upcoming) + len(self.done)


def lagging_subunits(
    *, scope: Scope, cycle: Cycle, unit: Unit, today: dt.date
) -> tuple[int, list[LaggingUnit]]:
    """Sub-units taking part in the cycle with at least one overdue task (past deadline, not
    done), with the number of such tasks; and how many sub-units take part at all."""
    child_level = CHILD_LEVEL.get(Level(unit.level))
    if child_level is None:
        return 0, []
    children = cycle_children(scope=scope, cycle=cycle, unit=unit)
    past = list(
        cycle.milestones.filter(level=child_level, deadline__lt=today).values_list("pk", flat=True)
    )
    total = children.count()
    if not past:
        return total, []
    done_counts = dict(
        MilestoneCompletion.objects.filter(milestone_id__in=past, unit__in=children)
        .values("unit_id").annotate(n=Count("pk")).values_list("unit_id", "n")
    )
    lagging = [
        LaggingUnit(u, len(past) - done_counts.get(u.pk, 0))
        for u in children
        if done_counts.get(u.pk, 0) < len(past)
    ]
    lagging.sort(key=lambda r: (-r.overdue, r.unit.code))
    return total, lagging


def owing_units(*, scope: Scope, cycle: Cycle, unit: Unit, milestone: Milestone) -> list[Unit]:
    """The sub-units of `unit` (in scope, taking part) that have not done `milestone`."""
    children = cycle_children(scope=scope, cycle=cycle, unit=unit)
    done = MilestoneCompletion.objects.filter(milestone=milestone).values("unit_id")
    return list(children.exclude(pk__in=done))


def quick_links(*, scope: Scope, unit: Unit, cycle: Cycle | None) -> list[tuple[str, str]]:
    """Links for the roles the person holds in `unit`, as the apps declare them: (label, url)."""
    return unit_links(
        held_roles={g.role for g in scope.grants if g.unit_id == unit.pk}, unit_level=unit.level,
        unit_code=unit.code, cycle_code=cycle.code if cycle is not None else None,
    )


def home_panels(*, scope: Scope, cycle: Cycle | None, today: dt.date) -> list[HomePanel]:
    panels = []
    for unit in scope.home_units:
        roles = [g for g in scope.grants if g.unit_id == unit.pk]
        held = {g.role for g in roles}
        if not uses_dashboard(held):
            panels.append(HomePanel(
                unit=unit, roles=roles, overdue=[], due=[], upcoming=[], done=[], owing=[], dashboard=False,
                role_home=role_home(scope=scope, cycle=cycle, unit=unit, held=held),
                links=quick_links(scope=scope, unit=unit, cycle=cycle),
            ))
            continue
        statuses = unit_milestones(cycle=cycle, unit=unit, today=today) if cycle else []
        panel = HomePanel(
            unit=unit,
            roles=roles,
            overdue=[s for s in statuses if s.state == "overdue"],
            due=[s for s in statuses if s.state in ("due", "open")],
            upcoming=[s for s in statuses if s.state == "upcoming"],
            done=[s for s in statuses if s.state == "done"],
            owing=subunits_owing(scope=scope, cycle=cycle, unit=unit, today=today) if cycle else [],
            links=quick_links(scope=scope, unit=unit, cycle=cycle),
        )
        child_level = CHILD_LEVEL.get(Level(unit.level))
        if cycle is not None and child_level and cycle.milestones.filter(level=child_level).exists():
            panel.child_level = child_level
            panel.children_total, panel.lagging = lagging_subunits(
                scope=scope, cycle=cycle, unit=unit, today=today
            )
        panels.append(panel)
    return panels



def my_inbox(request: Any) -> list[InboxItem]:
    """What waits for the person signed in, in the active cycle; read once per request (the top
    bar's count and the home page's list share it)."""
    items = getattr(request, "_jiance_inbox", None)
    if items is None:
        items = inbox_items(scope=get_scope(request), cycle=active_cycle(get_scope(request)))
        request._jiance_inbox = items
    return items


def released(cycle: Cycle | None) -> bool:
    """Is the sampled-student list out (the rosters' release rule: test day, release start)?"""
    at = release_at(cycle) if cycle is not None else None
    return at is not None and clock.now() >= at
