"""What waits in the rosters app (the app registry's inbox provider): a roster submitted for the
principal's check, rosters at the county's or the city's review step, a roster returned to the
school. One query for all of them, scoped through the Scope."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext as _

from jiance.accounts import roles
from jiance.apps_registry import InboxItem
from jiance.rosters.models import Roster, RosterStatus
from jiance.stages import stage_label

if TYPE_CHECKING:
    from jiance.accounts.scoping import Scope
    from jiance.cycles.models import Cycle

# status → (who it waits for, the kind of item); the school officer gets back what was returned.
WAITING: tuple[tuple[str, roles.Roles, str], ...] = (
    (RosterStatus.SUBMITTED, roles.PRINCIPAL, "check"),
    (RosterStatus.SCHOOL_APPROVED, roles.COUNTY_OFFICE, "review"),
    (RosterStatus.COUNTY_APPROVED, roles.CITY_OFFICE, "review"),
    (RosterStatus.RETURNED, roles.SCHOOL_OFFICER, "returned"),
)


def inbox(*, scope: Scope, cycle: Cycle) -> Iterable[InboxItem]:
    q = Q(pk__in=[])
    kinds = {}
    for status, who, kind in WAITING:
        if scope.holds(who):
            q |= Q(status=status, school__in=scope.units_for_roles(who))
            kinds[status] = kind
    if not kinds:
        return []
    rows = (Roster.objects.filter(q, cycle=cycle).select_related("school")
            .only("pk", "status", "stage", "updated_at", "school__name").order_by("-updated_at", "pk"))
    return [
        InboxItem(kind=kinds[r.status],  # type: ignore[arg-type]
                  title=_("%(stage)s学生名单：%(status)s") % {"stage": stage_label(r.stage),
                                                          "status": r.get_status_display()},
                  unit=r.school.name, since=r.updated_at, url=reverse("rosters:roster", args=(r.pk,)), app="rosters")
        for r in rows
    ]
