"""What waits in the frame-reporting app (the app registry's inbox provider): the city reviews the
frames its counties submitted; a county gets back its returned frame. One query, scoped."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext as _

from jiance.accounts import roles
from jiance.apps_registry import InboxItem
from jiance.reporting.models import FrameStatus, FrameSubmission

if TYPE_CHECKING:
    from jiance.accounts.scoping import Scope
    from jiance.cycles.models import Cycle

WAITING: tuple[tuple[str, roles.Roles, str], ...] = (
    (FrameStatus.SUBMITTED, roles.CITY_OFFICE, "review"),
    (FrameStatus.RETURNED, roles.COUNTY_OFFICE, "returned"),
)


def inbox(*, scope: Scope, cycle: Cycle) -> Iterable[InboxItem]:
    q = Q(pk__in=[])
    kinds = {}
    for status, who, kind in WAITING:
        if scope.holds(who):
            q |= Q(status=status, county__in=scope.units_for_roles(who))
            kinds[status] = kind
    if not kinds:
        return []
    rows = (FrameSubmission.objects.filter(q, cycle=cycle).select_related("county")
            .only("pk", "status", "updated_at", "county__name", "county__code").order_by("-updated_at", "pk"))
    return [
        InboxItem(kind=kinds[f.status],  # type: ignore[arg-type]
                  title=_("属地学校信息：%(status)s") % {"status": f.get_status_display()},
                  unit=f.county.name, since=f.updated_at, url=reverse("reporting:county", args=(f.county.code,)),
                  app="reporting")
        for f in rows
    ]
