"""Creating notifications: the daily job (deadlines and inbox items), the level above's reminder
to laggards, and marking read. New notifications go to the configured senders after commit."""

from __future__ import annotations

import datetime as dt
import hashlib
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.contrib.auth import get_user_model
from django.db import transaction
from django.urls import reverse
from django.utils.translation import gettext as _

from jiance import clock
from jiance.accounts.models import RoleAssignment
from jiance.accounts.roles import ALL_OFFICES, LEVEL_OFFICE
from jiance.accounts.scoping import Scope
from jiance.apps_registry import inbox_items
from jiance.audit.models import Action
from jiance.audit.services import audit_record
from jiance.cycles.models import Cycle, CycleStatus, Milestone, MilestoneCompletion
from jiance.cycles.selectors import active_cycle, cycle_children
from jiance.notifications.models import Kind, LaggardReminder, Notification
from jiance.notifications.selectors import BUCKET_LABELS, SOON_DAYS, bucket, units_taking_part
from jiance.notifications.senders import deliver
from jiance.units.models import CHILD_LEVEL, Level, Unit


class ReminderRefused(ValueError):
    """A reminder the platform will not send (Chinese message for the user)."""


def _short(task: str, n: int = 30) -> str:
    return task if len(task) <= n else task[:n] + "…"


def unit_tasks_url(unit: Unit) -> str:
    return reverse("milestones:unit", args=[unit.code])


def notify(
    *, recipients: Iterable[Any], unit: Unit | None, kind: str, key: str, title: str, url: str,
    now: dt.datetime,
) -> list[Notification]:
    """One notification per recipient, unless they already have one with this `key` (the job is
    idempotent); the new ones are delivered after commit. Returns the new ones."""
    people = {r.pk: r for r in recipients}
    have = set(Notification.objects.filter(recipient_id__in=people, key=key).values_list("recipient_id", flat=True))
    new = [Notification(recipient=p, unit=unit, kind=kind, key=key[:120], title=title[:300], url=url[:300],
                        created_at=now) for pk, p in people.items() if pk not in have]
    Notification.objects.bulk_create(new, ignore_conflicts=True)
    if new:
        transaction.on_commit(lambda: deliver(new))
    return new


def office_people(units: Iterable[Unit], level: str) -> dict[int, list[Any]]:
    """unit id → the active users holding that level's office there."""
    out: dict[int, list[Any]] = defaultdict(list)
    rows = (RoleAssignment.objects.filter(unit__in=list(units), role__in=LEVEL_OFFICE[level], user__is_active=True)
            .select_related("user").order_by("user_id"))
    seen: set[tuple[int, int]] = set()
    for r in rows:
        if (r.unit_id, r.user_id) not in seen:
            seen.add((r.unit_id, r.user_id))
            out[r.unit_id].append(r.user)
    return out


@dataclass
class DailyReport:
    deadlines: int = 0
    inbox: int = 0

    def __str__(self) -> str:
        return f"截止提醒 {self.deadlines} 条，待处理事项提醒 {self.inbox} 条"


def deadline_title(unit: Unit, m: Milestone, which: str) -> str:
    return _("%(unit)s：任务 %(n)s“%(task)s”%(when)s（截止 %(date)s）") % {
        "unit": unit.name, "n": m.number, "task": _short(m.task), "when": BUCKET_LABELS[which],
        "date": m.deadline.strftime("%m-%d") if m.deadline else ""}


def _deadlines(cycle: Cycle, today: dt.date, now: dt.datetime) -> int:
    made = 0
    due = cycle.milestones.filter(deadline__isnull=False, deadline__lte=today + dt.timedelta(days=SOON_DAYS))
    for m in due.order_by("level", "number"):
        assert m.deadline is not None
        which = bucket(m.deadline, today)
        if not which:
            continue
        done = MilestoneCompletion.objects.filter(milestone=m).values("unit_id")
        units = list(units_taking_part(cycle=cycle, level=m.level).exclude(pk__in=done))
        people = office_people(units, m.level)
        for u in units:
            if people.get(u.pk):
                made += len(notify(recipients=people[u.pk], unit=u, kind=Kind.DEADLINE,
                                   key=f"deadline:{m.pk}:{u.pk}:{which}", title=deadline_title(u, m, which),
                                   url=unit_tasks_url(u), now=now))
    return made


def _inbox(now: dt.datetime) -> int:
    made = 0
    user_ids = (RoleAssignment.objects.filter(role__in=ALL_OFFICES, unit__is_active=True, user__is_active=True)
                .values_list("user_id", flat=True).distinct())
    for user in get_user_model().objects.filter(pk__in=user_ids).order_by("pk"):
        scope = Scope(user)
        for item in inbox_items(scope=scope, cycle=active_cycle(scope)):
            digest = hashlib.sha256(f"{item.app}|{item.kind}|{item.url}|{item.since.isoformat()}".encode()).hexdigest()
            made += len(notify(recipients=[user], unit=None, kind=Kind.INBOX, key=f"inbox:{digest[:40]}",
                               title=f"{item.unit}：{item.title}", url=item.url, now=now))
    return made


@transaction.atomic
def notifications_daily(*, today: dt.date | None = None) -> DailyReport:
    """The daily job (`jiance remind`): for every active cycle, remind each unit's office of its
    tasks due in 3 days, tomorrow, today, or overdue (once each), and every office of what waits
    in its inbox (once per item). Running it twice the same day adds nothing."""
    now = clock.now()
    today = today or clock.today()
    report = DailyReport()
    for cycle in Cycle.objects.filter(status=CycleStatus.ACTIVE).select_related("owner"):
        report.deadlines += _deadlines(cycle, today, now)
    report.inbox = _inbox(now)
    return report


def laggards(*, scope: Scope, cycle: Cycle, unit: Unit, milestone: Milestone) -> list[Unit]:
    """The sub-units of `unit` (taking part, in scope) that have not done `milestone`."""
    done = MilestoneCompletion.objects.filter(milestone=milestone).values("unit_id")
    return list(cycle_children(scope=scope, cycle=cycle, unit=unit).exclude(pk__in=done))


@transaction.atomic
def laggards_remind(*, scope: Scope, unit: Unit, milestone: Milestone, actor: Any) -> tuple[int, int]:
    """The office of `unit` reminds its sub-units that have not done `milestone` (a task of the
    level below), in one click: each such unit's office gets a notification. Once per unit, task
    and day: units reminded today are skipped, and a click with nobody left is refused.
    Audited. Returns (reminded now, skipped as reminded today)."""
    scope.require(LEVEL_OFFICE.get(unit.level, ()), unit)
    if CHILD_LEVEL.get(Level(unit.level)) != milestone.level:
        raise ReminderRefused(_("只能提醒直接下级单位完成其工作节点"))
    owing = laggards(scope=scope, cycle=milestone.cycle, unit=unit, milestone=milestone)
    if not owing:
        raise ReminderRefused(_("下级单位均已完成此项任务，无需提醒"))
    today, now = clock.today(), clock.now()
    already = set(LaggardReminder.objects.select_for_update()
                  .filter(milestone=milestone, unit__in=owing, day=today).values_list("unit_id", flat=True))
    todo = [u for u in owing if u.pk not in already]
    if not todo:
        raise ReminderRefused(_("今天已提醒过全部未完成单位（每个单位每项任务每天只能提醒一次），请明天再试"))
    LaggardReminder.objects.bulk_create(
        [LaggardReminder(milestone=milestone, unit=u, day=today, sent_by=actor if getattr(actor, "pk", None) else None,
                         sent_at=now) for u in todo], ignore_conflicts=True)
    people = office_people(todo, milestone.level)
    deadline = milestone.deadline.strftime("%m-%d") if milestone.deadline else ""
    for u in todo:
        title = _("%(from)s提醒：请尽快完成任务 %(n)s“%(task)s”（截止 %(date)s）") % {
            "from": unit.name, "n": milestone.number, "task": _short(milestone.task), "date": deadline}
        notify(recipients=people.get(u.pk, []), unit=u, kind=Kind.REMINDER,
               key=f"remind:{milestone.pk}:{u.pk}:{today.isoformat()}", title=title, url=unit_tasks_url(u), now=now)
    audit_record(
        action=Action.OTHER, obj=milestone, unit=unit, actor=actor,
        after={"reminded": [u.code for u in todo], "skipped": len(already)},
        detail=f"催办工作节点 {milestone.number}：{len(todo)} 个未完成单位",
    )
    return len(todo), len(already)


@transaction.atomic
def notification_read(*, user: Any, pk: int) -> int:
    """Mark one of the person's notifications read (idempotent); how many changed."""
    return Notification.objects.filter(recipient_id=user.pk, pk=pk, read_at__isnull=True).update(read_at=clock.now())


@transaction.atomic
def notifications_read_all(*, user: Any) -> int:
    return Notification.objects.filter(recipient_id=user.pk, read_at__isnull=True).update(read_at=clock.now())
