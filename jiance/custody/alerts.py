"""Boxes not back in the secure room by the cycle's return time ("当天送回" [000][001]) alert the
county (its office and custodians) and the city office: one notification per person and box.

Run by `jiance custody-overdue` (every 15 minutes on test days, e.g. from cron; idempotent) and
at the load of the county and city custody pages, so an overdue box is announced even where no
job runs."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from typing import Any

from django.db import transaction
from django.urls import reverse
from django.utils.translation import gettext as _

from jiance import clock
from jiance.accounts.models import RoleAssignment
from jiance.accounts.roles import MATERIAL_ALERTED
from jiance.custody import state
from jiance.custody.models import LedgerEntry
from jiance.notifications.models import Kind
from jiance.notifications.services import notify
from jiance.units.models import Level, Unit


def _recipients(county: Unit) -> list[Any]:
    city = county.parent if county.parent is not None and county.parent.level == Level.CITY else None
    units = [county.pk] + ([city.pk] if city else [])
    rows = RoleAssignment.objects.filter(unit_id__in=units, role__in=MATERIAL_ALERTED, user__is_active=True)
    return list({r.user_id: r.user for r in rows.select_related("user")}.values())


@transaction.atomic
def overdue_alert(*, cycle: Any, county: Unit, now: dt.datetime | None = None) -> int:
    """Notify about every overdue box of `county`; returns how many notifications were new."""
    rules = state.rules_of(cycle)
    if rules is None:
        return 0
    now = now or clock.now()
    school_ids = list(LedgerEntry.objects.filter(cycle=cycle, county=county, step="issued")
                      .values_list("school_id", flat=True).distinct())
    if not school_ids:
        return 0
    schools = list(Unit.objects.filter(pk__in=school_ids))
    late = [s for s in state.box_states(cycle=cycle, rules=rules, schools=schools) if s.overdue(now)]
    if not late:
        return 0
    people = _recipients(county)
    url = reverse("custody:unit", args=[county.code])
    new = 0
    for s in late:
        due = s.due.astimezone(now.tzinfo) if s.due else now
        title = _("监测工具箱逾期未送回：%(school)s %(box)s（应于 %(due)s 前送回县保密室）") % {
            "school": s.school.name, "box": s.box.code, "due": f"{due:%m-%d %H:%M}"}
        new += len(notify(recipients=people, unit=county, kind=Kind.DEADLINE,
                          key=f"custody-overdue:{cycle.pk}:{s.box.code}", title=title, url=url, now=now))
    return new


def overdue_alert_all(*, now: dt.datetime | None = None) -> int:
    """Every active cycle's counties with boxes out (the job)."""
    from jiance.cycles.models import Cycle, CycleStatus

    total = 0
    by_cycle: dict[int, set[int]] = defaultdict(set)
    for cycle_id, county_id in LedgerEntry.objects.filter(
            cycle__status=CycleStatus.ACTIVE, step="issued").values_list("cycle_id", "county_id").distinct():
        by_cycle[cycle_id].add(county_id)
    for cycle in Cycle.objects.filter(pk__in=by_cycle):
        for county in Unit.objects.filter(pk__in=by_cycle[cycle.pk]).select_related("parent"):
            total += overdue_alert(cycle=cycle, county=county, now=now)
    return total
