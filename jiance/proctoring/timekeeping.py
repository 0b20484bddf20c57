"""The timekeeper's (司时员) schedule for one school and day, and its local-time offset."""

from __future__ import annotations

import datetime as dt

from jiance.accounts.scoping import Scope
from jiance.cycles.models import Cycle
from jiance.testday.selectors import rooms_of, stages_of
from jiance.units.models import Unit
from jiance_core.timekeeping import Signal, signals_for


def local_offset(cycle: Cycle, school: Unit) -> tuple[int, str]:
    """(minutes behind Beijing time, region name) for a school in a region the cycle marks as
    running on local time (by the province part of the school's code); (0, '') otherwise."""
    for region in (cycle.config or {}).get("local_time_regions") or []:
        if school.code.startswith(str(region.get("code"))):
            return int(region.get("behind_beijing_minutes", 120)), str(region.get("name", ""))
    return 0, ""


def school_signals(*, scope: Scope, cycle: Cycle, school: Unit, day: dt.date) -> list[Signal]:
    config = cycle.config or {}
    stages = list(dict.fromkeys(rooms_of(scope=scope, cycle=cycle, school=school).values_list("stage", flat=True)))
    stages = stages or stages_of(scope=scope, cycle=cycle, school=school) or ["primary", "junior"]
    return signals_for(config.get("sessions") or [], day=day, stages=stages,
                       subject_codes=[s.get("code") for s in config.get("subjects") or []])
