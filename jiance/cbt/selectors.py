"""Reads of computer-based tests, through the Scope. Students are read only through the seat plan's
`seats_of` (the released sample: nobody sees a sampled student before the release time)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db.models import Count

from jiance import clock
from jiance.accounts.scoping import Scope
from jiance.cbt.models import Delivery, ItemBank, Sitting
from jiance.cbt.services.console import CbtSession, cbt_sessions
from jiance.questionnaires.models import Respondent
from jiance.testday.models import Seat, TestRoom
from jiance.testday.selectors import seats_of
from jiance_core.cbt import delivery as core


def room_get(*, scope: Scope, pk: int) -> TestRoom:
    return scope.get(TestRoom.objects.select_related("school", "cycle"), unit_field="school", pk=pk)


def sitting_of(room: TestRoom, session: str) -> Sitting | None:
    return Sitting.objects.filter(room=room, session=session).first()


@dataclass
class SeatCell:
    seat: Seat
    student: Any
    delivery: Delivery | None
    remaining: int
    answered: int
    items: int
    login: str
    code: str
    moved_here: Delivery | None = None

    @property
    def status(self) -> str:
        return self.delivery.status if self.delivery else ("spare" if self.seat.student_id is None else "absent")

    @property
    def status_label(self) -> str:
        return core.LABELS.get(self.status, "")

    @property
    def remaining_label(self) -> str:
        return f"{self.remaining // 60:02d}:{self.remaining % 60:02d}"


def seat_map(*, scope: Scope, room: TestRoom, sitting: Sitting | None) -> list[SeatCell]:
    """Every PC of the room in seat order: the visible student, the delivery, time left, progress."""
    now = clock.now()
    visible: dict[int, Any] = {s.pk: s.student for s in seats_of(scope=scope, room=room)}
    deliveries: dict[int, Delivery] = {}
    by_pc: dict[int, Delivery] = {}
    counts: dict[int, int] = {}
    bank = None
    d: Delivery | None
    if sitting is not None:
        for d in Delivery.objects.filter(sitting=sitting).select_related("seat", "plan_seat", "sitting__room",
                                                                         "sitting__school"):
            d.settled_view(now)
            deliveries[d.plan_seat_id] = d
            if d.seat_id != d.plan_seat_id:
                by_pc[d.seat_id] = d
        counts = dict(sitting.deliveries.values("pk").annotate(n=Count("responses")).values_list("pk", "n"))
        bank = ItemBank.objects.filter(cycle=sitting.cycle, subject=sitting.subject).first()
    slips: dict[int, tuple[str, str]] = {
        sid: (login or "", code) for sid, login, code in Respondent.objects.filter(
            cycle=room.cycle, student_id__in=[s.pk for s in visible.values()]).values_list("student_id", "login", "code")}
    out = []
    for seat in Seat.objects.filter(room=room).order_by("seat"):
        student = visible.get(seat.pk)
        d = deliveries.get(seat.pk) if student is not None else None
        items = len(bank.forms.get(str(d.booklet), [])) if (bank and d) else 0
        login, code = slips.get(student.pk, ("", "")) if student is not None else ("", "")
        out.append(SeatCell(seat, student, d, d.remaining(now) if d else 0, counts.get(d.pk, 0) if d else 0, items,
                            login, code, moved_here=by_pc.get(seat.pk)))
    return out


@dataclass
class RunView:
    """The room's session run (proctoring's `SessionRun`) as the console shows it."""

    status: str
    label: str
    paused_since: Any
    cancelled_at: Any
    over_an_hour: bool


def run_of(room: TestRoom, session: str) -> RunView | None:
    from jiance.proctoring.models import SessionRun
    from jiance_core.timekeeping import pause_exceeded

    run = SessionRun.objects.filter(room=room, session=session).first()
    if run is None:
        return None
    return RunView(run.status, run.get_status_display(), run.paused_since, run.cancelled_at,
                   pause_exceeded(run.paused_since, clock.now()))


def sessions_of(room: TestRoom) -> list[CbtSession]:
    return cbt_sessions(room)


def banks_of(cycle: Any) -> list[ItemBank]:
    return list(ItemBank.objects.filter(cycle=cycle).order_by("subject"))
