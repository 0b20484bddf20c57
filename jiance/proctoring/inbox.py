"""What waits in the proctoring app (the app registry's inbox provider): the inspector confirms the
discipline cases of the schools below them; the city decides on sessions paused for more than an
hour. A fixed number of queries, whatever the number of items."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

from django.urls import reverse
from django.utils.translation import gettext as _

from jiance import clock
from jiance.accounts import roles
from jiance.apps_registry import InboxItem
from jiance.proctoring.models import CaseStatus, DisciplineCase, RunStatus, SessionRun
from jiance_core.timekeeping import PAUSE_LIMIT

if TYPE_CHECKING:
    from jiance.accounts.scoping import Scope
    from jiance.cycles.models import Cycle

LIMIT = 100


def inbox(*, scope: Scope, cycle: Cycle) -> Iterable[InboxItem]:
    items: list[InboxItem] = []
    if scope.holds(roles.INSPECTORS):
        cases = DisciplineCase.objects.filter(cycle=cycle, status=CaseStatus.RECORDED,
                                              school__in=scope.units_for_roles(roles.INSPECTORS))
        for c in cases.select_related("school").order_by("-recorded_at")[:LIMIT]:
            items.append(InboxItem(kind="confirm", title=_("违纪记录待确认：%(o)s") % {"o": c.offence_text[:30]},
                                   unit=c.school.name, since=c.recorded_at,
                                   url=reverse("proctoring:school", args=[c.school.code]) + "#cases",
                                   app="proctoring"))
    if scope.holds(roles.SESSION_CANCELLERS):
        runs = SessionRun.objects.filter(cycle=cycle, status=RunStatus.PAUSED,
                                         paused_since__lt=clock.now() - PAUSE_LIMIT,
                                         school__in=scope.units_for_roles(roles.SESSION_CANCELLERS))
        for r in runs.select_related("school", "room").order_by("paused_since")[:LIMIT]:
            assert r.paused_since is not None
            items.append(InboxItem(kind="decide", title=_("%(room)s暂停超过 1 小时，是否取消本场")
                                   % {"room": r.room.name}, unit=r.school.name, since=r.paused_since,
                                   url=reverse("proctoring:home") + "#runs", app="proctoring"))
    return items
