"""What waits in the rosters app (the app registry's inbox provider): a roster submitted for the
principal's check, rosters at the county's or the city's review step, a roster returned to the
school. Read from the roster chain (`jiance.review.inbox`); this module says only how an item is
named and where it leads."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

from django.urls import reverse
from django.utils.translation import gettext as _

from jiance.apps_registry import InboxItem
from jiance.review.inbox import review_inbox
from jiance.rosters.models import ROSTER_CHAIN, Roster, RosterStatus
from jiance.stages import stage_label

if TYPE_CHECKING:
    from jiance.accounts.scoping import Scope
    from jiance.cycles.models import Cycle


def inbox(*, scope: Scope, cycle: Cycle) -> Iterable[InboxItem]:
    return review_inbox(
        scope=scope, cycle=cycle, chain=ROSTER_CHAIN, unit_field="school", app="rosters",
        kinds={RosterStatus.SUBMITTED: "check"},  # the principal checks the school's own roster
        queryset=Roster.objects.only("pk", "status", "stage", "updated_at", "school__name"),
        title=lambda r: _("%(stage)s学生名单：%(status)s") % {"stage": stage_label(r.stage),
                                                         "status": r.get_status_display()},
        url=lambda r: reverse("rosters:roster", args=(r.pk,)),
    )
