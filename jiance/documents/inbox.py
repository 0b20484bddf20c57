"""What waits in the documents app (the app registry's inbox provider): a reviewer's submitted
documents of the level below; a unit's returned documents. One query."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext as _

from jiance.accounts import roles
from jiance.apps_registry import InboxItem
from jiance.documents.kinds import cycle_kinds
from jiance.documents.models import DocStatus, Submission

if TYPE_CHECKING:
    from jiance.accounts.scoping import Scope
    from jiance.cycles.models import Cycle


def inbox(*, scope: Scope, cycle: Cycle) -> Iterable[InboxItem]:
    q = Q(pk__in=[])
    kinds = {k.code: k for k in cycle_kinds(cycle)}
    for k in kinds.values():
        if k.reviewer_level and scope.holds(roles.LEVEL_OFFICE[k.reviewer_level]):
            reviewer_units = scope.units_for_roles(roles.LEVEL_OFFICE[k.reviewer_level])
            q |= Q(kind_code=k.code, status=DocStatus.SUBMITTED, unit__in=reviewer_units, unit__level=k.level)
        if scope.holds(roles.LEVEL_OFFICE[k.level]):
            own = scope.units_for_roles(roles.LEVEL_OFFICE[k.level])
            q |= Q(kind_code=k.code, status=DocStatus.RETURNED, unit__in=own, unit__level=k.level)
    rows = (Submission.objects.filter(q, cycle=cycle).select_related("unit")
            .only("pk", "status", "kind_code", "kind_name", "late", "updated_at", "unit__name", "unit__code")
            .order_by("-updated_at", "pk"))
    return [
        InboxItem(kind="review" if r.status == DocStatus.SUBMITTED else "returned",
                  title=(_("实施材料《%(kind)s》：%(status)s") % {"kind": r.kind_name, "status": r.get_status_display()})
                  + (_("（逾期提交）") if r.late and r.status == DocStatus.SUBMITTED else ""),
                  unit=r.unit.name, since=r.updated_at,
                  url=reverse("documents:submission", args=(r.unit.code, r.kind_code)), app="documents")
        for r in rows
    ]
