"""Live progress of computer-based tests for the live pages (`jiance.apps_registry.ProgressSource`):
per school, the students of the day's computer tests working, paused, handed in, and ended by a
proctor. One query (GROUP BY school). A delivery whose time ran out while nobody looked counts as
working until it is next read or acted on (then it is completed at the moment it ran out)."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from django.db.models import Count, Q
from django.utils.translation import gettext_lazy as _

from jiance.cbt.models import Delivery
from jiance_core.cbt import delivery as core

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

    from jiance.cycles.models import Cycle

COLUMNS: list[tuple[str, StrOrPromise]] = [
    ("cbt_started", _("计算机测试作答中")),
    ("cbt_paused", _("计算机测试已暂停")),
    ("cbt_completed", _("计算机测试已交卷")),
    ("cbt_terminated", _("计算机测试已终止")),
]
ATTENTION: dict[str, int] = {"cbt_paused": 55, "cbt_terminated": 20}


def school_progress(*, cycle: Cycle, school_ids: list[int], day: dt.date) -> dict[int, dict[str, int]]:
    """Per school id the deliveries of the sittings prepared on `day` (only prepared on the
    session's day), by state."""
    if not school_ids:
        return {}
    rows = (
        Delivery.objects.filter(sitting__cycle=cycle, sitting__school_id__in=school_ids,
                                sitting__prepared_at__date=day)
        .values("sitting__school_id").order_by()
        .annotate(
            cbt_started=Count("pk", filter=Q(status=core.IN_PROGRESS)),
            cbt_paused=Count("pk", filter=Q(status=core.PAUSED)),
            cbt_completed=Count("pk", filter=Q(status=core.COMPLETED)),
            cbt_terminated=Count("pk", filter=Q(status=core.TERMINATED)),
        )
    )
    out: dict[int, dict[str, int]] = {}
    for r in rows:
        values = {key: int(r[key]) for key, _label in COLUMNS}
        if any(values.values()):
            out[int(r["sitting__school_id"])] = values
    return out
