"""Reads of the custody pages, always through the Scope: the schools of an area that have a room
plan, their boxes' states, the ledger of a county or of one school."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from typing import Any

from django.db.models import QuerySet

from jiance import clock
from jiance.custody import state
from jiance.custody.models import LedgerEntry, Step
from jiance.testday.models import TestRoom
from jiance.units.models import Level, Unit

LEDGER_PAGE = 200


def schools_of(*, scope: Any, cycle: Any, area: Unit) -> list[Unit]:
    """The schools inside `area` (seen by the person) with a room plan in `cycle`."""
    if area.level == Level.SCHOOL:
        return [area]
    ids = TestRoom.objects.filter(cycle=cycle, school__path__startswith=area.path).values("school_id")
    return list(scope.filter(Unit.objects.filter(pk__in=ids), unit_field="self").order_by("path"))


def today(cycle: Any) -> dt.date | None:
    """The test day of today, or the next one (None after the last)."""
    now = clock.now().date()
    days = sorted(cycle.test_days)
    return next((d for d in days if d >= now), None)


def ledger(*, cycle: Any, unit: Unit) -> QuerySet[LedgerEntry]:
    """A county's whole ledger, or one school's entries (a school never sees another school's)."""
    qs = LedgerEntry.objects.filter(cycle=cycle).select_related(
        "school", "recorded_by", "second_person", "corrects")
    if unit.level == Level.SCHOOL:
        return qs.filter(school=unit).order_by("-sequence")
    return qs.filter(county=unit).order_by("-sequence")


def voided(cycle: Any) -> set[int]:
    return state.voided_ids(cycle)


def counts(states: list[state.BoxState], now: dt.datetime, earlier_overdue: int = 0) -> Counter[str]:
    """The boxes of a day by status; `earlier_overdue` boxes of earlier days still out are added
    to the overdue count (not to the day's expected boxes)."""
    c: Counter[str] = Counter(s.status(now) for s in states)
    c["expected"] = len(states)
    c["overdue"] += earlier_overdue
    return c


def by_county(states: list[state.BoxState], now: dt.datetime,
              day: dt.date | None = None) -> list[tuple[Unit, Counter[str]]]:
    """Counts per county; with `day`, boxes of other days (the overdue ones kept in view) count
    only as overdue."""
    groups: dict[int, tuple[Unit, list[state.BoxState]]] = {}
    for s in states:
        county = s.school.parent
        groups.setdefault(county.pk, (county, []))[1].append(s)
    out = []
    for u, rows in sorted(groups.values(), key=lambda g: g[0].path):
        mine = rows if day is None else [s for s in rows if s.box.day == day]
        out.append((u, counts(mine, now, earlier_overdue=len(rows) - len(mine))))
    return out


def approvals(*, cycle: Any, schools: list[Unit]) -> dict[int, LedgerEntry]:
    return state.approved_schools(cycle=cycle, school_ids=[s.pk for s in schools])


STEP_ORDER = [Step.RECEIVED, Step.STORED, Step.WATCH, Step.APPROVAL, Step.ISSUED, Step.SEALED, Step.RETURNED,
              Step.POSTED, Step.CORRECTION]
