"""What waits in the after-test app (the app registry's inbox provider): the county reviews the
tested-student reports its schools submitted; a school gets back a returned report. One query."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext as _

from jiance.accounts import roles
from jiance.aftertest.models import ReportStatus, TestedReport
from jiance.apps_registry import InboxItem
from jiance.stages import stage_label

if TYPE_CHECKING:
    from jiance.accounts.scoping import Scope
    from jiance.cycles.models import Cycle

WAITING: tuple[tuple[str, roles.Roles, str], ...] = (
    (ReportStatus.SUBMITTED, roles.COUNTY_OFFICE, "review"),
    (ReportStatus.RETURNED, roles.SCHOOL_OFFICE, "returned"),
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
    rows = (TestedReport.objects.filter(q, cycle=cycle).select_related("school")
            .only("pk", "status", "stage", "updated_at", "school__name", "school__code")
            .order_by("-updated_at", "pk"))
    return [
        InboxItem(kind=kinds[r.status],  # type: ignore[arg-type]
                  title=_("%(stage)s测试生信息：%(status)s") % {"stage": stage_label(r.stage),
                                                           "status": r.get_status_display()},
                  unit=r.school.name, since=r.updated_at,
                  url=reverse("aftertest:report", args=(r.school.code, r.stage)), app="aftertest")
        for r in rows
    ]
