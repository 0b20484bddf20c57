"""What waits in the incidents app (the app registry's inbox provider), read from the chain's
specification: the inspector's records to confirm, the county's incidents to report, handle or
close, the city's decisions, the school's returned records. One query."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

from django.urls import reverse
from django.utils.translation import gettext as _

from jiance.apps_registry import InboxItem
from jiance.incidents.models import INCIDENT_CHAIN, Incident
from jiance.review.inbox import review_inbox

if TYPE_CHECKING:
    from jiance.accounts.scoping import Scope
    from jiance.cycles.models import Cycle


def inbox(*, scope: Scope, cycle: Cycle) -> Iterable[InboxItem]:
    return review_inbox(
        scope=scope, cycle=cycle, chain=INCIDENT_CHAIN, unit_field="school",
        queryset=Incident.objects.only("pk", "status", "grade", "kind_name", "updated_at", "cycle_id", "school__name"),
        title=lambda i: _("%(grade)s 级应急事件：%(kind)s（%(status)s）") % {
            "grade": i.grade, "kind": i.kind_name, "status": i.get_status_display()},
        url=lambda i: reverse("incidents:detail", args=[i.pk]), app="incidents",
    )
