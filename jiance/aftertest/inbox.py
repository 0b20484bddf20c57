"""What waits in the after-test app (the app registry's inbox provider): the county reviews the
tested-student reports its schools submitted; a school gets back a returned report. Read from the
tested chain (`jiance.review.inbox`); this module says only how an item is named and where it
leads."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

from django.urls import reverse
from django.utils.translation import gettext as _

from jiance.aftertest.models import TESTED_CHAIN, TestedReport
from jiance.apps_registry import InboxItem
from jiance.review.inbox import review_inbox
from jiance.stages import stage_label

if TYPE_CHECKING:
    from jiance.accounts.scoping import Scope
    from jiance.cycles.models import Cycle


def inbox(*, scope: Scope, cycle: Cycle) -> Iterable[InboxItem]:
    return review_inbox(
        scope=scope, cycle=cycle, chain=TESTED_CHAIN, unit_field="school", app="aftertest",
        queryset=TestedReport.objects.only("pk", "status", "stage", "updated_at", "school__name", "school__code"),
        title=lambda r: _("%(stage)s测试生信息：%(status)s") % {"stage": stage_label(r.stage),
                                                          "status": r.get_status_display()},
        url=lambda r: reverse("aftertest:report", args=(r.school.code, r.stage)),
    )
