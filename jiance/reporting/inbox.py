"""What waits in the frame-reporting app (the app registry's inbox provider): the city reviews the
frames its counties submitted; a county gets back its returned frame. Read from the frame chain
(`jiance.review.inbox`); this module says only how an item is named and where it leads."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

from django.urls import reverse
from django.utils.translation import gettext as _

from jiance.apps_registry import InboxItem
from jiance.reporting.models import FRAME_CHAIN, FrameSubmission
from jiance.review.inbox import review_inbox

if TYPE_CHECKING:
    from jiance.accounts.scoping import Scope
    from jiance.cycles.models import Cycle


def inbox(*, scope: Scope, cycle: Cycle) -> Iterable[InboxItem]:
    return review_inbox(
        scope=scope, cycle=cycle, chain=FRAME_CHAIN, unit_field="county", app="reporting",
        queryset=FrameSubmission.objects.only("pk", "status", "updated_at", "county__name", "county__code"),
        title=lambda f: _("属地学校信息：%(status)s") % {"status": f.get_status_display()},
        url=lambda f: reverse("reporting:county", args=(f.county.code,)),
    )
