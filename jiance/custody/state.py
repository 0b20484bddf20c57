"""Where the boxes are, read from the ledger: the expected boxes of each school (its room plan and
the cycle's custody rules, `jiance_core.custody`), each box's last hand-over, the approvals of the
two-day exception. A fixed number of queries whatever the number of schools."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from jiance.custody.models import LedgerEntry, Step
from jiance.testday.models import TestRoom
from jiance_core.custody import Box, Room, box_of, expected_boxes, return_due
from jiance_core.cycles.custody import CustodyRules


def rules_of(cycle: Any) -> CustodyRules | None:
    """The cycle's custody rules (None: the cycle has no `custody:` section)."""
    data = (cycle.config or {}).get("custody")
    return CustodyRules.model_validate(data) if data else None


def rooms_by_school(*, cycle: Any, school_ids: list[int] | None = None, county: Any = None) -> dict[int, list[Room]]:
    qs = TestRoom.objects.filter(cycle=cycle)
    if school_ids is not None:
        qs = qs.filter(school_id__in=school_ids)
    if county is not None:
        qs = qs.filter(school__path__startswith=county.path)
    out: dict[int, list[Room]] = defaultdict(list)
    for school_id, stage, number, kind in qs.order_by().values_list("school_id", "stage", "number", "kind"):
        out[school_id].append(Room(stage, number, kind))
    return dict(out)


def schools_with_rooms(*, cycle: Any, county: Any) -> list[Any]:
    from jiance.units.models import Unit

    ids = TestRoom.objects.filter(cycle=cycle, school__path__startswith=county.path).values("school_id")
    return list(Unit.objects.filter(pk__in=ids).order_by("code"))


def boxes_of(*, cycle: Any, rules: CustodyRules, school: Any, rooms: list[Room]) -> list[Box]:
    return expected_boxes(rules, school=school.code, rooms=rooms, test_days=cycle.test_days)


def voided_ids(cycle: Any) -> set[int]:
    return set(LedgerEntry.objects.filter(cycle=cycle, step=Step.CORRECTION).values_list("corrects_id", flat=True))


def live_entries(qs: Any, cycle: Any) -> list[LedgerEntry]:
    """The entries of `qs` not voided by a correction (the corrections themselves left out)."""
    voided = voided_ids(cycle)
    return [e for e in qs.order_by("sequence") if e.step != Step.CORRECTION and e.pk not in voided]


@dataclass
class BoxState:
    box: Box
    school: Any
    issued: LedgerEntry | None = None
    returned: LedgerEntry | None = None
    due: dt.datetime | None = None
    sealed: int = 0
    sealed_codes: set[str] = field(default_factory=set)

    @property
    def out(self) -> bool:
        return self.issued is not None and self.returned is None

    def overdue(self, now: dt.datetime) -> bool:
        return self.out and self.due is not None and now > self.due

    def status(self, now: dt.datetime) -> str:
        if self.returned is not None:
            return "returned"
        if self.issued is None:
            return "kept"
        return "overdue" if self.overdue(now) else "out"


STATUS_LABELS = {"kept": _("在保密室"), "out": _("已发放"), "returned": _("已送回"), "overdue": _("逾期未送回")}


def approved_schools(*, cycle: Any, school_ids: list[int], before: dt.datetime | None = None) -> dict[int, LedgerEntry]:
    """school id → the county's approval of the two-day exception (recorded before `before`)."""
    qs = LedgerEntry.objects.filter(cycle=cycle, step=Step.APPROVAL, school_id__in=school_ids)
    if before is not None:
        qs = qs.filter(at__lte=before)
    return {e.school_id: e for e in live_entries(qs, cycle) if e.school_id is not None}


def box_states(*, cycle: Any, rules: CustodyRules, schools: list[Any], day: dt.date | None = None) -> list[BoxState]:
    """Every expected box of `schools` (of test day `day`, or all days) with its last issue and
    return: four queries whatever the number of schools."""
    ids = [s.pk for s in schools]
    rooms = rooms_by_school(cycle=cycle, school_ids=ids)
    approvals = approved_schools(cycle=cycle, school_ids=ids)
    states: dict[str, BoxState] = {}
    tz = timezone.get_current_timezone()
    for school in schools:
        for box in boxes_of(cycle=cycle, rules=rules, school=school, rooms=rooms.get(school.pk, [])):
            if day is not None and box.day != day:
                continue
            due = return_due(box.day, approved=school.pk in approvals, test_days=cycle.test_days, rules=rules)
            states[box.code] = BoxState(box, school, due=timezone.make_aware(due, tz))
    entries = live_entries(LedgerEntry.objects.filter(
        cycle=cycle, school_id__in=ids, step__in=(Step.ISSUED, Step.RETURNED, Step.SEALED)), cycle)
    for e in entries:
        state = states.get(box_of(e.box_code or e.bag_code))
        if state is None:
            continue
        if e.step == Step.ISSUED:
            state.issued, state.returned = e, None
        elif e.step == Step.RETURNED:
            state.returned = e
        else:
            state.sealed += 1
            state.sealed_codes.add(e.bag_code)
    return list(states.values())
