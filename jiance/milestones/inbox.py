"""What waits in the milestones app: the level above confirms tasks its sub-units marked done;
a unit gets back a marking that was returned. One query."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext as _

from jiance.accounts.roles import LEVEL_OFFICE
from jiance.apps_registry import InboxItem
from jiance.milestones.models import MarkStatus, MilestoneMark

if TYPE_CHECKING:
    from jiance.accounts.scoping import Scope
    from jiance.cycles.models import Cycle


def inbox(*, scope: Scope, cycle: Cycle) -> Iterable[InboxItem]:
    q = Q(pk__in=[])
    for g in scope.grants:
        if g.role not in LEVEL_OFFICE.get(g.unit_level, ()):
            continue
        q |= Q(status=MarkStatus.MARKED, milestone__confirmed_by=g.unit_level, unit__path__startswith=g.unit_path)
        q |= Q(status=MarkStatus.RETURNED, unit_id=g.unit_id)
    rows = (MilestoneMark.objects.filter(q, cycle=cycle).select_related("unit", "milestone")
            .order_by("-updated_at", "pk"))
    return [
        InboxItem(kind="confirm" if r.status == MarkStatus.MARKED else "returned",
                  title=_("任务 %(n)s“%(task)s”%(what)s") % {
                      "n": r.milestone.number, "task": r.milestone.task[:30],
                      "what": _("待确认完成") if r.status == MarkStatus.MARKED else _("完成标记被退回")},
                  unit=r.unit.name, since=r.updated_at,
                  url=reverse("milestones:unit", args=[r.unit.code]) + f"#task-{r.milestone.number}",
                  app="milestones")
        for r in rows
    ]
