"""Reads: a person's notifications, and the deadlines of the units they run (home page panel)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from jiance.accounts.roles import LEVEL_OFFICE
from jiance.accounts.scoping import Scope
from jiance.cycles.models import Cycle, CycleParticipant, Milestone, MilestoneCompletion
from jiance.notifications.models import Notification
from jiance.units.models import Unit

# Days before a deadline when the daily job reminds (3 days, 1 day, the day itself); an overdue
# task is reminded once, the day after its deadline.
REMIND_DAYS = (3, 1, 0)
SOON_DAYS = max(REMIND_DAYS)
BUCKET_LABELS = {
    "d3": _("3 天后截止"),
    "d1": _("明天截止"),
    "d0": _("今天截止"),
    "overdue": _("已逾期"),
}


def bucket(deadline: dt.date, today: dt.date) -> str:
    """Which reminder a deadline calls for today: d3, d1, d0, overdue, or "" (none today)."""
    days = (deadline - today).days
    if days < 0:
        return "overdue"
    return f"d{days}" if days in REMIND_DAYS else ""


@dataclass(frozen=True)
class Deadline:
    unit: Unit
    milestone: Milestone
    days: int  # negative when overdue

    @property
    def state(self) -> str:
        return "overdue" if self.days < 0 else ("today" if self.days == 0 else "soon")

    @property
    def label(self) -> str:
        if self.days < 0:
            return str(_("逾期 %(n)d 天") % {"n": -self.days})
        if self.days == 0:
            return str(_("今天截止"))
        if self.days == 1:
            return str(_("明天截止"))
        return str(_("%(n)d 天后截止") % {"n": self.days})


def office_units(scope: Scope) -> list[Unit]:
    """The units where the person holds their level's office (the units whose tasks they run)."""
    ids = {g.unit_id for g in scope.grants if g.role in LEVEL_OFFICE.get(g.unit_level, ())}
    return [u for u in scope.home_units if u.pk in ids]


def upcoming_deadlines(*, scope: Scope, cycle: Cycle | None, today: dt.date) -> list[Deadline]:
    """Tasks of the person's office units not done yet whose deadline is within 3 days or past:
    overdue first, then by deadline."""
    if cycle is None:
        return []
    units = office_units(scope)
    if not units:
        return []
    levels = {u.level for u in units}
    tasks = list(cycle.milestones.filter(level__in=levels, deadline__isnull=False,
                                         deadline__lte=today + dt.timedelta(days=SOON_DAYS)))
    done = set(MilestoneCompletion.objects.filter(milestone__in=tasks, unit__in=units)
               .values_list("milestone_id", "unit_id"))
    out = [
        Deadline(u, m, (m.deadline - today).days)
        for u in units for m in tasks
        if m.level == u.level and m.deadline is not None and (m.pk, u.pk) not in done
    ]
    out.sort(key=lambda d: (d.days >= 0, d.milestone.deadline, d.unit.path, d.milestone.number))
    return out


def units_taking_part(*, cycle: Cycle, level: str) -> QuerySet[Unit]:
    """Every active unit of `level` in the cycle's area (the owner's subtree, for a province's or
    city's own cycle) that takes part: the cycle's participants of that level where it lists any."""
    units = Unit.objects.filter(level=level, is_active=True)
    if cycle.owner_id is not None:
        units = units.filter(path__startswith=cycle.owner.path)  # type: ignore[union-attr]
    listed = CycleParticipant.objects.filter(cycle=cycle, unit__level=level)
    if listed.exists():
        units = units.filter(pk__in=listed.values("unit_id"))
    return units.order_by("path")


def my_notifications(user: object) -> QuerySet[Notification]:
    return Notification.objects.filter(recipient_id=getattr(user, "pk", None)).select_related("unit")


def unread_count(user: object) -> int:
    return my_notifications(user).filter(read_at__isnull=True).count()
