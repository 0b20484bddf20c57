from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import QuerySet

from jiance.accounts.scoping import Scope
from jiance.cycles.models import Cycle, CycleStatus, Milestone, MilestoneCompletion
from jiance.units.models import CHILD_LEVEL, Level, Unit

DUE_SOON_DAYS = 14


def active_cycle() -> Cycle | None:
    return Cycle.objects.filter(status=CycleStatus.ACTIVE).order_by("-year", "-pk").first()


@dataclass(frozen=True)
class MilestoneStatus:
    milestone: Milestone
    state: str  # done | overdue | due | upcoming | open
    done_at: dt.datetime | None

    @property
    def label(self) -> str:
        return {
            "done": "已完成",
            "overdue": "已逾期",
            "due": "即将到期",
            "upcoming": "未开始",
            "open": "进行中",
        }[self.state]


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


def subunits_owing(*, scope: Scope, cycle: Cycle, unit: Unit, today: dt.date) -> list[LaggingRow]:
    """For each milestone of the level below that is due by today, the sub-units that owe it."""
    child_level = CHILD_LEVEL.get(Level(unit.level))
    if child_level is None:
        return []
    due = cycle.milestones.filter(level=child_level, deadline__lte=today + dt.timedelta(days=DUE_SOON_DAYS))
    children: QuerySet[Unit] = scope.filter(
        Unit.objects.filter(parent=unit, is_active=True), unit_field="self"
    )
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
