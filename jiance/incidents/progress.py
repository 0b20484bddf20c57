"""Live progress of incidents for the live pages (the contract in the common brief): per school,
the open incidents of the day by grade and the overdue reports to the centre."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from django.db.models import Count, Q
from django.utils.translation import gettext_lazy as _

from jiance import clock
from jiance.incidents.models import OPEN, Incident, IncidentStatus

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

    from jiance.cycles.models import Cycle

COLUMNS: list[tuple[str, StrOrPromise]] = [
    ("incidents_grade1", _("1 级事件（未办结）")),
    ("incidents_grade2", _("2 级事件（未办结）")),
    ("incidents_grade3", _("3 级事件（未办结）")),
    ("incidents_unconfirmed", _("事件待确认")),
    ("incidents_overdue", _("逾期未报告监测中心")),
]
ATTENTION: dict[str, int] = {
    "incidents_grade3": 90,
    "incidents_overdue": 85,
    "incidents_grade2": 60,
    "incidents_unconfirmed": 40,
    "incidents_grade1": 10,
}
# A draft is not reported yet: it counts nowhere above the school.
COUNTED = tuple(s for s in OPEN if s != IncidentStatus.DRAFT)


def school_progress(*, cycle: Cycle, school_ids: list[int], day: dt.date) -> dict[int, dict[str, int]]:
    """Per school id the incidents that occurred on `day` (the platform's time zone): open ones by
    grade, those waiting for the inspector, overdue reports. One query (GROUP BY school)."""
    if not school_ids:
        return {}
    now = clock.now()
    counted = Q(status__in=COUNTED)
    rows = (
        Incident.objects.filter(cycle=cycle, school_id__in=school_ids, occurred_at__date=day)
        .values("school_id").order_by()
        .annotate(
            incidents_grade1=Count("pk", filter=counted & Q(grade=1)),
            incidents_grade2=Count("pk", filter=counted & Q(grade=2)),
            incidents_grade3=Count("pk", filter=counted & Q(grade=3)),
            incidents_unconfirmed=Count("pk", filter=Q(status=IncidentStatus.RECORDED)),
            incidents_overdue=Count("pk", filter=Q(report_due_at__lt=now, reported_at__isnull=True)),
        )
    )
    out: dict[int, dict[str, int]] = {}
    for r in rows:
        values = {key: int(r[key]) for key, _label in COLUMNS}
        if any(values.values()):
            out[int(r["school_id"])] = values
    return out
