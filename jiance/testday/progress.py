"""The test-day app's figures on the live progress pages (`jiance.live`, through the app registry).

Per sample school, for the stages that sit a student session on the day: the test rooms planned,
the sampled students (a count, never a name: the secrecy of the sample is about who, and the
planned number is public), the seats marked absent, and a flag for a school whose students have
no room yet (it needs attention before anything else of this app).
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any

from django.db.models import Count
from django.utils.translation import gettext_lazy as _

from jiance.rosters.models import SampledStudent
from jiance.testday.models import Seat, TestRoom
from jiance.testday.selectors import sessions_for

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

    from jiance.cycles.models import Cycle

STAGES = ("primary", "junior")

COLUMNS: list[tuple[str, StrOrPromise]] = [
    ("testday_students", _("样本学生")),
    ("testday_rooms", _("监测室")),
    ("testday_absent", _("缺考")),
    ("testday_unplanned", _("未编排监测室")),
]
ATTENTION: dict[str, int] = {"testday_unplanned": 50, "testday_absent": 5}


def stages_on(cycle: Cycle, day: dt.date) -> list[str]:
    """The stages that sit a student session on `day` (every stage on a test day of a cycle that
    lists no sessions)."""
    if not (cycle.config or {}).get("sessions"):
        return list(STAGES) if day in cycle.test_days else []
    return [stage for stage in STAGES if any(s.day == day for s in sessions_for(cycle, stage))]


def school_progress(*, cycle: Cycle, school_ids: list[int], day: dt.date) -> dict[int, dict[str, int]]:
    """Three GROUP BY queries whatever the number of schools (none on a day without sessions)."""
    stages = stages_on(cycle, day)
    if not stages or not school_ids:
        return {}
    out: dict[int, dict[str, int]] = {}

    def put(rows: Any, key: str) -> None:
        for school_id, n in rows:
            out.setdefault(school_id, {})[key] = n

    put(SampledStudent.objects.filter(roster__cycle=cycle, roster__stage__in=stages, school_id__in=school_ids)
        .order_by().values_list("school_id").annotate(n=Count("pk")), "testday_students")
    put(TestRoom.objects.filter(cycle=cycle, stage__in=stages, school_id__in=school_ids)
        .order_by().values_list("school_id").annotate(n=Count("pk")), "testday_rooms")
    put(Seat.objects.filter(room__cycle=cycle, room__stage__in=stages, room__school_id__in=school_ids, absent=True)
        .order_by().values_list("room__school_id").annotate(n=Count("pk")), "testday_absent")
    for figures in out.values():
        if figures.get("testday_students") and not figures.get("testday_rooms"):
            figures["testday_unplanned"] = 1
    return out
