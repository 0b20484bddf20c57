"""What waits in the sampling app (the app registry's inbox provider): the city decides the
counties' pending replacement requests; a county confirms the sample schools of a published draw.
Two queries at most, aggregated in the database, scoped through the Scope."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

from django.db.models import Count, Max
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils.translation import gettext as _

from jiance.accounts import roles
from jiance.apps_registry import InboxItem
from jiance.sampling.models import (
    DrawStatus,
    ReplacementRequest,
    RequestStatus,
    RowStatus,
    SampledSchool,
)

if TYPE_CHECKING:
    from jiance.accounts.scoping import Scope
    from jiance.cycles.models import Cycle


def inbox(*, scope: Scope, cycle: Cycle) -> Iterable[InboxItem]:
    items: list[InboxItem] = []
    if scope.holds(roles.CITY_OFFICE):
        pending = (
            ReplacementRequest.objects.filter(
                status=RequestStatus.PENDING, sampled_school__draw__cycle=cycle,
                sampled_school__county__in=scope.units_for_roles(roles.CITY_OFFICE),
            ).select_related("sampled_school__school", "sampled_school__county")
            .only("pk", "requested_at", "sampled_school__draw_id", "sampled_school__school__name",
                  "sampled_school__county__name").order_by("-requested_at", "-pk")
        )
        items += [
            InboxItem(kind="decide", title=_("样本校替换申请：%(school)s") % {"school": r.sampled_school.school.name},
                      unit=r.sampled_school.county.name, since=r.requested_at,
                      url=reverse("sampling:draw", args=(r.sampled_school.draw_id,)) + "#requests", app="sampling")
            for r in pending
        ]
    if scope.holds(roles.COUNTY_OFFICE):
        unconfirmed = (
            SampledSchool.objects.filter(
                draw__cycle=cycle, draw__status=DrawStatus.PUBLISHED, status=RowStatus.IN_SAMPLE,
                confirmed_at__isnull=True, county__in=scope.units_for_roles(roles.COUNTY_OFFICE),
            ).values("county__code", "county__name").annotate(n=Count("pk"), since=Max(Coalesce("draw__published_at", "draw__created_at")))
            .order_by("county__code")
        )
        items += [
            InboxItem(kind="confirm", title=_("%(n)s 所样本校待确认") % {"n": row["n"]}, unit=row["county__name"],
                      since=row["since"], url=reverse("sampling:county", args=(row["county__code"],)), app="sampling")
            for row in unconfirmed
        ]
    return items
