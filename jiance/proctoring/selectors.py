"""Reads of test day in the rooms, always through the Scope. A student's name is read only
through `released_sample` (the room sheet goes through `testday.selectors.seats_of`; a discipline
case names its student only when `visible_students` says the person may see them now)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db.models import Count, Q, QuerySet

from jiance.accounts.scoping import Scope
from jiance.cycles.models import Cycle
from jiance.proctoring.models import CheckIn, DisciplineCase, Presence, RunStatus, SessionRun
from jiance.rosters.selectors import released_sample
from jiance.testday.models import Seat, TestRoom
from jiance.testday.selectors import rooms_of, seats_of, sessions_for
from jiance.units.models import Unit


def room_get(*, scope: Scope, pk: int) -> TestRoom:
    return scope.get(TestRoom.objects.select_related("school", "cycle"), unit_field="school", pk=pk)


def run_get(*, scope: Scope, pk: int) -> SessionRun:
    return scope.get(SessionRun.objects.select_related("school", "room", "cycle"), unit_field="school", pk=pk)


def case_get(*, scope: Scope, pk: int) -> DisciplineCase:
    return scope.get(DisciplineCase.objects.select_related("school", "room", "cycle"), unit_field="school", pk=pk)


def run_of(room: TestRoom, session: str) -> SessionRun | None:
    return SessionRun.objects.filter(room=room, session=session).select_related("changed_by").first()


@dataclass
class BoardCell:
    room: TestRoom
    line: Any
    run: SessionRun | None
    present: int = 0
    absent: int = 0

    @property
    def status(self) -> str:
        return self.run.status if self.run else RunStatus.NOT_STARTED

    @property
    def status_label(self) -> str:
        return self.run.get_status_display() if self.run else str(RunStatus.NOT_STARTED.label)


def school_board(*, scope: Scope, cycle: Cycle, school: Unit, day: dt.date) -> list[BoardCell]:
    """Each room's runs of `day`, with present/absent counts (three queries)."""
    rooms = list(rooms_of(scope=scope, cycle=cycle, school=school))
    runs = {(r.room_id, r.session): r for r in SessionRun.objects.filter(room__in=rooms, day=day)}
    counts = {row["run"]: row for row in CheckIn.objects.filter(run__in=list(runs.values())).order_by()
              .values("run").annotate(present=Count("pk", filter=Q(status=Presence.PRESENT)),
                                      absent=Count("pk", filter=~Q(status=Presence.PRESENT)))}
    cells = []
    for room in rooms:
        for line in sessions_for(cycle, room.stage):
            if line.day != day:
                continue
            run = runs.get((room.pk, line.code))
            c = counts.get(run.pk, {}) if run else {}
            cells.append(BoardCell(room, line, run, c.get("present", 0), c.get("absent", 0)))
    return cells


@dataclass
class SheetRow:
    seat: Seat
    checkin: CheckIn | None
    over: str  # why the student no longer takes part ('' if they do)

    @property
    def status(self) -> str:
        return self.checkin.status if self.checkin else ""

    @property
    def version(self) -> int:
        return self.checkin.version if self.checkin else 0


def room_sheet(*, scope: Scope, room: TestRoom, session: str, run: SessionRun | None) -> list[SheetRow]:
    """The room's students (released only) with their presence in this run."""
    seats = list(seats_of(scope=scope, room=room))
    checkins = {c.seat_id: c for c in CheckIn.objects.filter(run=run).select_related("changed_by")} if run else {}
    codes = [s.code for s in sessions_for(room.cycle, room.stage)]
    earlier = codes[: codes.index(session)] if session in codes else []
    left = set(CheckIn.objects.filter(run__cycle=room.cycle, run__session__in=earlier, status=Presence.LEFT,
                                      seat__in=seats).values_list("student_id", flat=True))
    ended = set(DisciplineCase.objects.filter(cycle=room.cycle, session__in=earlier, ends_participation=True,
                                              student__in=[s.student_id for s in seats])
                .exclude(status="rejected").values_list("student_id", flat=True))
    rows = []
    for seat in seats:
        over = ""
        if seat.student_id in left:
            over = "left"
        elif seat.student_id in ended:
            over = "ended"
        rows.append(SheetRow(seat, checkins.get(seat.pk), over))
    return rows


def sheet_counts(rows: list[SheetRow]) -> dict[str, int]:
    out = {"total": len(rows), "present": 0, "absent": 0, "left": 0, "ended": 0, "open": 0}
    for r in rows:
        if r.over:
            out["absent"] += 1
        elif r.status == Presence.PRESENT:
            out["present"] += 1
        elif r.status in (Presence.ABSENT, Presence.CANCELLED):
            out["absent"] += 1
        elif r.status == Presence.LEFT:
            out["left"] += 1
        elif r.status == Presence.ENDED:
            out["ended"] += 1
        else:
            out["open"] += 1
    return out


def watched_runs(*, scope: Scope, cycle: Cycle) -> QuerySet[SessionRun]:
    """Runs paused or cancelled inside the person's units (what the county and city watch)."""
    return scope.filter(SessionRun.objects.filter(cycle=cycle, status__in=(RunStatus.PAUSED, RunStatus.CANCELLED)),
                        unit_field="school").select_related("school", "room", "changed_by").order_by(
        "status", "paused_since", "school__path")


def cases_for(*, scope: Scope, cycle: Cycle, school: Unit | None = None) -> QuerySet[DisciplineCase]:
    qs = DisciplineCase.objects.filter(cycle=cycle)
    if school is not None:
        qs = qs.filter(school=school)
    return scope.filter(qs, unit_field="school").select_related("school", "room", "student", "recorded_by",
                                                                  "decided_by")


def visible_students(*, scope: Scope, cycle: Cycle, student_ids: list[int]) -> set[int]:
    """Which of these students the person may see named now (the release rule)."""
    if not student_ids:
        return set()
    return set(released_sample(scope=scope, cycle=cycle).filter(student_id__in=student_ids)
               .values_list("student_id", flat=True))


def with_session_names(cycle: Cycle, rows: list[Any]) -> list[Any]:
    """Give runs and cases the session's name (`session_name`) for the pages."""
    names = {str(x.get("code")): str(x.get("name") or x.get("code")) for x in (cycle.config or {}).get("sessions") or []}
    for row in rows:
        row.session_name = names.get(row.session, row.session)
    return rows
