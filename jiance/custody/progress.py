"""Custody's part of the live progress pages (the contract in the live app): per school, the boxes
of the day expected, out, returned and overdue. Four queries whatever the number of schools."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils.translation import gettext_lazy as _

from jiance import clock
from jiance.custody import state
from jiance.units.models import Unit

COLUMNS = [
    ("custody_expected", _("应发箱数")),
    ("custody_out", _("在校箱数")),
    ("custody_returned", _("已送回箱数")),
    ("custody_overdue", _("逾期未送回")),
]
ATTENTION = {"custody_overdue": 90}


def school_progress(*, cycle: Any, school_ids: list[int], day: dt.date) -> dict[int, dict[str, int]]:
    """Per school id the boxes of `day` (only schools with boxes that day); the overdue column also
    counts a box of an earlier day still not back (it is what the county must chase today)."""
    rules = state.rules_of(cycle)
    if rules is None or not school_ids:
        return {}
    schools = list(Unit.objects.filter(pk__in=school_ids).only("pk", "code", "name", "path"))
    now = clock.now()
    out: dict[int, dict[str, int]] = {}
    for s in state.box_states(cycle=cycle, rules=rules, schools=schools):
        if s.box.day < day and s.overdue(now):
            out.setdefault(s.school.pk, {k: 0 for k, _label in COLUMNS})["custody_overdue"] += 1
        if s.box.day != day:
            continue
        row = out.setdefault(s.school.pk, {k: 0 for k, _label in COLUMNS})
        row["custody_expected"] += 1
        status = s.status(now)
        if status == "returned":
            row["custody_returned"] += 1
        elif status in ("out", "overdue"):
            row["custody_out"] += 1
            if status == "overdue":
                row["custody_overdue"] += 1
    return out
