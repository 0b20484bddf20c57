from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Q, QuerySet
from django.http import Http404
from django.utils.translation import gettext_lazy as _

from jiance.accounts.scoping import Scope
from jiance.cycles.models import (
    Cycle,
    CycleParticipant,
    CycleStatus,
    Milestone,
    MilestoneCompletion,
    Phase,
)
from jiance.errors import Unavailable
from jiance.units.models import CHILD_LEVEL, PATH_SEPARATOR, Level, Unit

DUE_SOON_DAYS = 14


def cycle_visibility(scope: Scope) -> Q:
    """Which cycles a person sees: national cycles (no owner, or owned by the centre) everybody;
    a province's or city's own cycle (e.g. the Chongqing programme) only the people inside its
    subtree and those above it, who oversee that subtree like any of its data."""
    q = Q(owner__isnull=True) | Q(owner__level=Level.CENTRE) | scope.path_q(prefix="owner__")
    inside = {path[: i + 1] for path in scope.root_paths for i, ch in enumerate(path) if ch == PATH_SEPARATOR}
    return q | Q(owner__path__in=sorted(inside))


def visible_cycles(*, scope: Scope) -> QuerySet[Cycle]:
    """The cycles of the person's programmes (see `cycle_visibility`), newest first."""
    return Cycle.objects.filter(cycle_visibility(scope)).select_related("owner")


def cycle_get(*, scope: Scope, code: str) -> Cycle:
    """One cycle the person sees, or 404: another province's own cycle looks like a missing one."""
    try:
        return visible_cycles(scope=scope).get(code=code)
    except Cycle.DoesNotExist as exc:
        raise Http404 from exc


def active_cycle(scope: Scope | None = None) -> Cycle | None:
    """The newest active cycle (of those the person sees, when a scope is given)."""
    cycles = Cycle.objects.all() if scope is None else visible_cycles(scope=scope)
    return cycles.filter(status=CycleStatus.ACTIVE).order_by("-year", "-pk").first()


def current_cycle(*, scope: Scope | None = None) -> Cycle:
    """The cycle a page works on: the active one the person sees, else 404 with a message saying
    so. Every view that needs "this year's cycle" calls this, never its own copy."""
    cycle = active_cycle(scope)
    if cycle is None:
        raise Unavailable(_("当前没有进行中的监测周期"))
    return cycle


STATE_LABELS = {
    "done": _("已完成"),
    "overdue": _("已逾期"),
    "due": _("即将到期"),
    "upcoming": _("未开始"),
    "open": _("进行中"),
}


@dataclass(frozen=True)
class MilestoneStatus:
    milestone: Milestone
    state: str  # done | overdue | due | upcoming | open
    done_at: dt.datetime | None

    @property
    def label(self) -> str:
        return str(STATE_LABELS[self.state])


def _state(m: Milestone, done: bool, today: dt.date) -> str:
    if done:
        return "done"
    if m.deadline and m.deadline < today:
        return "overdue"
    if m.start and m.start > today:
        return "upcoming"
    if m.deadline and (m.deadline - today).days <= DUE_SOON_DAYS:
        return "due"
    return "open"


def unit_milestones(*, cycle: Cycle, unit: Unit, today: dt.date) -> list[MilestoneStatus]:
    milestones = list(cycle.milestones.filter(level=unit.level).order_by("number"))
    done = dict(
        MilestoneCompletion.objects.filter(milestone__in=milestones, unit=unit).values_list(
            "milestone_id", "done_at"
        )
    )
    return [MilestoneStatus(m, _state(m, m.pk in done, today), done.get(m.pk)) for m in milestones]


@dataclass(frozen=True)
class LaggingRow:
    milestone: Milestone
    owing: int
    total: int
    sample_names: list[str]


def cycle_children(*, scope: Scope, cycle: Cycle, unit: Unit) -> QuerySet[Unit]:
    """The sub-units of `unit` that take part in `cycle`: its participants when the cycle lists
    participants among them (e.g. sample schools), otherwise every active sub-unit."""
    children: QuerySet[Unit] = scope.filter(
        Unit.objects.filter(parent=unit, is_active=True), unit_field="self"
    )
    taking_part = CycleParticipant.objects.filter(cycle=cycle, unit__parent=unit).values("unit_id")
    if taking_part.exists():
        children = children.filter(pk__in=taking_part)
    return children.order_by("code")


def subunits_owing(*, scope: Scope, cycle: Cycle, unit: Unit, today: dt.date) -> list[LaggingRow]:
    """For each milestone of the level below that is due by today, the sub-units that owe it."""
    child_level = CHILD_LEVEL.get(Level(unit.level))
    if child_level is None:
        return []
    due = cycle.milestones.filter(
        level=child_level, deadline__lte=today + dt.timedelta(days=DUE_SOON_DAYS)
    ).exclude(start__gt=today)
    if cycle.test_days and today < min(cycle.test_days):
        # before the test, only preparation tasks can be owed ahead of their deadline
        due = due.filter(Q(phase=Phase.BEFORE) | Q(deadline__lt=today))
    children = cycle_children(scope=scope, cycle=cycle, unit=unit)
    child_ids = list(children.values_list("pk", flat=True))
    if not child_ids:
        return []
    names = dict(children.values_list("pk", "name"))
    rows = []
    for m in due.order_by("deadline", "number"):
        done_ids = set(
            MilestoneCompletion.objects.filter(milestone=m, unit_id__in=child_ids).values_list(
                "unit_id", flat=True
            )
        )
        owing = [i for i in child_ids if i not in done_ids]
        if owing:
            rows.append(LaggingRow(m, len(owing), len(child_ids), [names[i] for i in owing[:5]]))
    return rows
