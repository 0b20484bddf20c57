"""The test day a live page shows and the sessions of that day (from the cycle's `sessions`)."""

from __future__ import annotations

import datetime as dt
import zoneinfo
from dataclasses import dataclass
from typing import Any

from django.conf import settings

from jiance import clock
from jiance.cycles.models import Cycle


def cycle_tz(cycle: Cycle) -> zoneinfo.ZoneInfo:
    name = (cycle.config or {}).get("timezone") or settings.TIME_ZONE
    try:
        return zoneinfo.ZoneInfo(str(name))
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return zoneinfo.ZoneInfo(settings.TIME_ZONE)


def local_now(cycle: Cycle) -> dt.datetime:
    return clock.now().astimezone(cycle_tz(cycle))


def default_day(cycle: Cycle) -> dt.date:
    """Today when it is a test day; before the test days the first one, after them the last."""
    today = local_now(cycle).date()
    days = sorted(cycle.test_days)
    if not days or today in days:
        return today
    later = [d for d in days if d > today]
    return later[0] if later else days[-1]


def chosen_day(cycle: Cycle, raw: str) -> tuple[dt.date, bool]:
    """(the day `?day=` names, True) when it is one of the cycle's test days; else (the default
    day, False) — a wrong day shows the default with a note, never an error page."""
    if raw:
        try:
            day = dt.date.fromisoformat(raw)
        except ValueError:
            return default_day(cycle), False
        if day in cycle.test_days:
            return day, True
        return default_day(cycle), False
    return default_day(cycle), True


@dataclass(frozen=True)
class DaySession:
    code: str
    name: str
    start: str
    end: str  # "" for a session that runs until done
    state: str  # ended / running / upcoming


def _bound(s: dict[str, Any], field: str) -> list[str]:
    own = [str((s.get(stage) or {}).get(field) or "") for stage in ("primary", "junior")]
    return [t[:5] for t in [str(s.get(field) or ""), *own] if t]


def day_sessions(cycle: Cycle, day: dt.date) -> list[DaySession]:
    """The sessions of `day` in time order, each ended / running / upcoming at the clock's now
    (start and end over the stages: the earliest start, the latest end)."""
    now = local_now(cycle)
    out = []
    for s in (cycle.config or {}).get("sessions") or []:
        if str(s.get("day")) != day.isoformat():
            continue
        starts, ends = _bound(s, "start"), _bound(s, "end")
        start = min(starts) if starts else ""
        end = "" if s.get("until_done") else (max(ends) if ends else "")
        here = now.date()
        clock_time = now.strftime("%H:%M")
        if here > day or (here == day and end and clock_time >= end):
            state = "ended"
        elif here == day and start and clock_time >= start:
            state = "running"
        else:
            state = "upcoming"
        out.append(DaySession(str(s.get("code", "")), str(s.get("name", "")), start, end, state))
    return sorted(out, key=lambda x: (x.start, x.code))
