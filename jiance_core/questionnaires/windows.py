"""When a questionnaire may be answered, and which one a respondent answers — from the cycle.

- A student questionnaire is answered in its session (`sessions[].instrument`), with the stage's
  own times (2022 问卷（一）: primary 10:50-11:20, secondary 11:00-11:40 [001]).
- Principals' and teachers' questionnaires in the staff session of the test day (2024:
  "09:00 至全部填答完毕" [002]): from its start to the end of that day.
- A questionnaire with its own `window` (county managers 24-31 May [002], parents 11-17 Nov
  [003]) from the first day's 00:00 to the end of the last day.
Times are the cycle's clock times in its timezone. The server's clock decides (`open_at`).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo

# Teacher roles of the roster (rosters.TeacherRole) → the subject codes of subject-teacher questionnaires.
ROLE_SUBJECTS = {"chinese": ("chinese",), "math": ("math",), "english": ("english",), "music": ("arts", "music"),
                 "art": ("arts", "art"), "science": ("science",), "pe": ("pe",), "mental_health": ("mental_health",)}
STAFF = ("principal", "head_teacher", "subject_teacher", "teacher", "manager")


@dataclass(frozen=True)
class Span:
    start: dt.datetime
    end: dt.datetime

    def covers(self, moment: dt.datetime) -> bool:
        return self.start <= moment < self.end


def _takes(kind: str, respondents: Sequence[str]) -> bool:
    """Whether a staff session's respondents include `kind` (a teacher: any kind of teacher)."""
    if kind == "student":
        return False
    if kind == "teacher":
        return any(r in respondents for r in ("head_teacher", "subject_teacher", "teacher"))
    return kind in respondents


def _hm(value: Any) -> dt.time:
    h, m = str(value)[:5].split(":")
    return dt.time(int(h), int(m))


def spans(config: Mapping[str, Any], code: str, kind: str, stage: str = "junior") -> list[Span]:
    """The windows of questionnaire `code` for a respondent of `kind` (student: of `stage`)."""
    tz = ZoneInfo(str(config.get("timezone") or "Asia/Shanghai"))
    q = next((q for q in config.get("questionnaires") or [] if q.get("code") == code), None)
    if q is None:
        return []
    window = q.get("window")
    if window:
        end = dt.date.fromisoformat(str(window["end"]))
        start = dt.date.fromisoformat(str(window.get("start") or window["end"]))
        return [Span(dt.datetime.combine(start, dt.time(0, 0), tz),
                     dt.datetime.combine(end + dt.timedelta(days=1), dt.time(0, 0), tz))]
    out: list[Span] = []
    for s in config.get("sessions") or []:
        day = dt.date.fromisoformat(str(s["day"]))
        respondents = s.get("respondents") or ["student"]
        if s.get("instrument") == code or (s.get("instrument") is None and _takes(kind, respondents)):
            if kind == "student":
                if stage not in (s.get("stages") or ["primary", "junior"]):
                    continue
                own = s.get(stage) or {}
                start, end = own.get("start") or s.get("start"), own.get("end") or s.get("end")
            else:
                if not _takes(kind, respondents):
                    continue
                start, end = s.get("start"), s.get("end")
            if not start:
                continue
            begin = dt.datetime.combine(day, _hm(start), tz)
            if end and not s.get("until_done"):
                finish = dt.datetime.combine(day, _hm(end), tz)
            else:
                finish = dt.datetime.combine(day + dt.timedelta(days=1), dt.time(0, 0), tz)
            out.append(Span(begin, finish))
    return out


def open_at(config: Mapping[str, Any], code: str, kind: str, moment: dt.datetime, stage: str = "junior") -> bool:
    return any(s.covers(moment) for s in spans(config, code, kind, stage))


def questionnaires_for(config: Mapping[str, Any], kind: str, *, teacher_role: str = "",
                       stage: str = "junior") -> list[str]:
    """The codes of the cycle's online questionnaires a respondent of `kind` answers.

    A teacher answers the one questionnaire of the role chosen in the roster (身兼多职教师的角色选择
    [000]): `head_teacher` → the head teachers' questionnaire, a subject role → that subject's
    teachers' questionnaire, otherwise the all-teachers questionnaire where the cycle has one [003].
    Students answer online only in secondary (primary on paper [001])."""
    out: list[str] = []
    qs: Sequence[Mapping[str, Any]] = config.get("questionnaires") or []
    for q in qs:
        respondents = q.get("respondents") or []
        mode = (q.get("mode_by_stage") or {}).get(stage) or q.get("mode")
        if mode == "paper":
            continue
        if kind == "teacher":
            if (teacher_role == "head_teacher" and "head_teacher" in respondents) or ("subject_teacher" in respondents
                  and q.get("subject") in ROLE_SUBJECTS.get(teacher_role, (teacher_role,))):
                out.append(q["code"])
        elif kind in respondents:
            if kind == "student" and stage == "primary" and mode in (None, "unspecified"):
                continue  # primary students answer in the booklet [001]
            out.append(q["code"])
    if kind == "teacher" and not out:
        out = [q["code"] for q in qs if "teacher" in (q.get("respondents") or [])][:1]
    return out
