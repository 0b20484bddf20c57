"""Test-day timekeeping rules (SPEC §7), plain Python.

The timekeeper (司时员) gives a signal at every session start and end, and the proctors warn the
students 10 minutes before the end of each subject test (监测员提醒监测学生离结束时间还有10分钟
[003]). Times are the cycle's clock times, which regions marked ``local_time_regions`` read in
local time (新疆、西藏地区使用地方时间). A power or network loss of up to 1 hour is paused and
continued; longer, the city may cancel that session for the school, and a cancelled session is
never run again (不再进行补测 [003]).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

WARNING_BEFORE = dt.timedelta(minutes=10)
PAUSE_LIMIT = dt.timedelta(hours=1)

SIGNAL_KINDS = {"start": "开始", "warning": "还有10分钟", "end": "结束"}


@dataclass(frozen=True)
class Signal:
    at: dt.time
    kind: str  # start / warning / end
    session: str  # session code
    name: str  # session name
    stages: tuple[str, ...]

    @property
    def label(self) -> str:
        return f"{self.name}{SIGNAL_KINDS[self.kind]}"

    def as_json(self) -> dict[str, Any]:
        return {"at": self.at.strftime("%H:%M"), "kind": self.kind, "session": self.session,
                "name": self.name, "label": self.label, "stages": list(self.stages)}


def _hm(value: Any) -> dt.time | None:
    if not value:
        return None
    if isinstance(value, dt.time):
        return value
    hh, mm = str(value).split(":")[:2]
    return dt.time(int(hh), int(mm))


def session_span(session: Mapping[str, Any], stage: str) -> tuple[dt.time | None, dt.time | None]:
    """(start, end) of a session (config dict) for one stage; (None, None) when the stage does
    not take it; end None for a session run until everybody is done."""
    if stage not in (session.get("stages") or ("primary", "junior")):
        return None, None
    own = session.get(stage) or {}
    start = _hm(own.get("start") or session.get("start"))
    end = None if session.get("until_done") else _hm(own.get("end") or session.get("end"))
    return start, end


def signals_for(sessions: Iterable[Mapping[str, Any]], *, day: dt.date, stages: Iterable[str],
                subject_codes: Iterable[str]) -> list[Signal]:
    """The signals of `day` for a school testing `stages`: each student session's start and end,
    and a warning 10 minutes before the end of a subject test; one signal per moment and kind
    when the stages share it, in time order."""
    subjects = set(subject_codes)
    merged: dict[tuple[dt.time, str, str], set[str]] = {}
    names: dict[str, str] = {}
    for s in sessions:
        if str(s.get("day")) != day.isoformat():
            continue
        if "student" not in (s.get("respondents") or ["student"]):
            continue
        code = str(s.get("code"))
        names[code] = str(s.get("name") or code)
        for stage in stages:
            start, end = session_span(s, stage)
            if start is None:
                continue
            merged.setdefault((start, "start", code), set()).add(stage)
            if end is None:
                continue
            merged.setdefault((end, "end", code), set()).add(stage)
            if s.get("instrument") in subjects:
                warn = (dt.datetime.combine(day, end) - WARNING_BEFORE).time()
                merged.setdefault((warn, "warning", code), set()).add(stage)
    order = {"end": 0, "warning": 1, "start": 2}
    return [Signal(at, kind, code, names[code], tuple(sorted(st)))
            for (at, kind, code), st in sorted(merged.items(), key=lambda kv: (kv[0][0], order[kv[0][1]]))]


def pause_exceeded(paused_since: dt.datetime | None, now: dt.datetime) -> bool:
    """A pause running for more than 1 hour: the city may cancel the session."""
    return paused_since is not None and now - paused_since > PAUSE_LIMIT


@dataclass(frozen=True)
class Barcode:
    room: int
    seat: int
    student_no: str
    session: int


def parse_barcode(value: str, *, year: int, school_code: str) -> Barcode | None:
    """Read a student barcode (year + school code + room(2) + seat(2) + student number +
    session(2), see the printouts' ``barcode_value``) of this school and cycle; None otherwise."""
    value = value.strip()
    head = f"{year:04d}{school_code}"
    if not value.startswith(head) or len(value) < len(head) + 6:
        return None
    rest = value[len(head):]
    room, seat, student_no, session = rest[:2], rest[2:4], rest[4:-2], rest[-2:]
    if not (room.isdigit() and seat.isdigit() and session.isdigit()) or not student_no:
        return None
    return Barcode(int(room), int(seat), student_no, int(session))
