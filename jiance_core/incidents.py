"""Incident rules the platform applies itself (SPEC §8, seed 003's 应急事件处置预案), plain Python.

* who acts next on an incident of each grade (the escalation path);
* the report-after-handling clock (Chongqing: within 1 hour of handling, to the centre);
* "fewer booklets than students": which students to drop, from the highest seat number down
  ("按座位号由大到小剔除测试生", 卷袋内测试卷数少于实测学生数 [003]).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Literal

ReportState = Literal["none", "waiting", "due", "overdue", "on_time", "late"]


def escalation_path(grade: int) -> tuple[str, ...]:
    """The steps an incident of `grade` goes through after the school records it:
    grade 1: the school reports to the county, the principal and inspector handle it;
    grade 2: the county asks the city for the way to handle it;
    grade 3: the county reports at once with a proposal, the city decides, and the county
    evaluates cause, course, effect, grade, handling and result [003]."""
    if grade == 1:
        return ("record", "confirm", "handle", "close")
    if grade == 2:
        return ("record", "confirm", "escalate", "decide", "handle", "close")
    if grade == 3:
        return ("record", "confirm", "escalate", "decide", "handle", "evaluate", "close")
    raise ValueError(f"unknown grade {grade}")


def needs_city(grade: int) -> bool:
    """Grades 2 and 3 go to the city before handling; grade 1 stays with the county."""
    return grade >= 2


def report_due(handled_at: dt.datetime, minutes: int) -> dt.datetime:
    return handled_at + dt.timedelta(minutes=minutes)


def report_state(*, handled_at: dt.datetime | None, reported_at: dt.datetime | None, minutes: int | None,
                 now: dt.datetime) -> ReportState:
    """Where the report after handling stands: ``none`` (no clock in this cycle), ``waiting`` (not
    handled yet), ``due`` (clock running), ``overdue`` (past due, not reported), ``on_time`` /
    ``late`` (reported before / after the due time)."""
    if minutes is None:
        return "none"
    if handled_at is None:
        return "waiting"
    due = report_due(handled_at, minutes)
    if reported_at is not None:
        return "on_time" if reported_at <= due else "late"
    return "overdue" if now > due else "due"


@dataclass(frozen=True)
class SeatedStudent:
    seat: int
    student: int  # any key of the student (the web app passes its student id)
    absent: bool = False


def booklet_shortage_drop(seats: Iterable[SeatedStudent], booklets: int) -> list[SeatedStudent]:
    """The students to drop when a room has `booklets` booklets for more students present: the
    highest seat numbers first, as many as booklets are missing. Absent students need no booklet
    and are never dropped. An empty list when the booklets suffice."""
    if booklets < 0:
        raise ValueError("booklets must not be negative")
    present: Sequence[SeatedStudent] = sorted((s for s in seats if not s.absent), key=lambda s: s.seat)
    missing = len(present) - booklets
    if missing <= 0:
        return []
    return sorted(present[-missing:], key=lambda s: s.seat, reverse=True)
