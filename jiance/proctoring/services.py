"""Writes of test day in the rooms: the session runs and the check-in (discipline cases are in
`discipline.py`). Each service runs under `transaction.atomic`, locks the row it changes, compares
the version the page was built from (a refusal names who changed it and when), and records an
event carrying the phone's `client_id`: the same action sent twice by the offline queue returns
the first result and changes nothing. Times are the phone's (`at`, from `jiance.offline`)."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from jiance import clock
from jiance.accounts import roles
from jiance.accounts.scoping import Scope
from jiance.aftertest.models import AbsenceReason
from jiance.apps_registry import progress_changed
from jiance.audit.models import Action
from jiance.audit.services import audit_record
from jiance.proctoring.models import (
    TRANSITIONS,
    CheckIn,
    CheckInEvent,
    DisciplineCase,
    Presence,
    ProctoringError,
    RunAction,
    RunEvent,
    RunStatus,
    SessionRun,
)
from jiance.testday.models import Seat, TestRoom
from jiance.testday.selectors import seats_of, sessions_for
from jiance_core.timekeeping import parse_barcode, pause_exceeded


def _when(at: dt.datetime | None) -> str:
    return timezone.localtime(at).strftime("%m-%d %H:%M:%S") if at else ""


def _who(user: Any) -> str:
    return (getattr(user, "display_name", "") or getattr(user, "username", "")) if user else _("他人")


def check_version(row: Any, version: int | None, *, noun: str, state: str) -> None:
    """Refuse when the row changed since the page was built (`version` posted by the page)."""
    if version is None or row.version == version:
        return
    raise ProctoringError(_("%(noun)s已于 %(at)s 由 %(who)s 改为“%(state)s”，页面已过期，请刷新页面后再操作。")
                          % {"noun": noun, "at": _when(row.changed_at), "who": _who(row.changed_by),
                             "state": state})


def _bump(row: Any, actor: Any, now: dt.datetime) -> None:
    row.version += 1
    row.changed_by = actor
    row.changed_at = now


def session_line(room: TestRoom, session: str) -> Any:
    """The cycle's student session `session` as the room's stage takes it, or a refusal."""
    for line in sessions_for(room.cycle, room.stage):
        if line.code == session:
            return line
    raise ProctoringError(_("本监测室（%(stage)s）没有场次“%(code)s”。") % {"stage": room.stage_label, "code": session})


def run_for(*, room: TestRoom, session: str, lock: bool = False) -> SessionRun:
    """The room's run of a session (created, not started, on first use)."""
    line = session_line(room, session)
    run, _created = SessionRun.objects.get_or_create(
        room=room, session=session, defaults={"cycle": room.cycle, "school": room.school, "day": line.day})
    if lock:
        run = SessionRun.objects.select_for_update(of=("self",)).select_related("room", "school", "cycle").get(pk=run.pk)
    return run


def _seen(client_id: uuid.UUID | None, model: Any) -> Any:
    if client_id is None:
        return None
    return model.objects.filter(client_id=client_id).first()


def _event(run: SessionRun, action: str, from_status: str, *, at: dt.datetime, actor: Any, reason: str,
           client_id: uuid.UUID | None) -> RunEvent:
    return RunEvent.objects.create(run=run, action=action, from_status=from_status, to_status=run.status, at=at,
                                   recorded_at=clock.now(), actor=actor, reason=reason, client_id=client_id)


@transaction.atomic
def run_act(*, scope: Scope, room: TestRoom, session: str, action: str, actor: Any, version: int | None,
            reason: str = "", client_id: uuid.UUID | None = None, at: dt.datetime | None = None) -> SessionRun:
    """Start, pause, continue or end a room's session (the room staff)."""
    done = _seen(client_id, RunEvent)
    if done is not None:
        return done.run  # type: ignore[no-any-return]
    scope.require(roles.ROOM_STAFF, room.school)
    if action not in TRANSITIONS or action == RunAction.CANCEL:
        raise ProctoringError(_("未知的操作。"))
    at = at or clock.now()
    run = run_for(room=room, session=session, lock=True)
    check_version(run, version, noun=_("本场次"), state=run.get_status_display())
    sources, target = TRANSITIONS[action]
    if run.status == RunStatus.CANCELLED:
        raise ProctoringError(_("本场次已于 %(at)s 由市级取消，不再进行补测。") % {"at": _when(run.cancelled_at)})
    if run.status not in sources:
        raise ProctoringError(_("本场次现为“%(status)s”，不能“%(action)s”。")
                              % {"status": run.get_status_display(), "action": RunAction(action).label})
    reason = (reason or "").strip()
    if action == RunAction.START and timezone.localdate(at) != run.day:
        raise ProctoringError(_("本场次安排在 %(day)s，今天不能开始。") % {"day": run.day.isoformat()})
    if action == RunAction.PAUSE:
        if not reason:
            raise ProctoringError(_("暂停时必须填写原因（如停电、断网、计算机故障）。"))
        run.paused_since, run.pause_reason = at, reason
    elif action == RunAction.RESUME:
        assert run.paused_since is not None
        run.paused_seconds += max(0, int((at - run.paused_since).total_seconds()))
        run.paused_since = None
    elif action == RunAction.START:
        run.started_at = at
    elif action == RunAction.END:
        run.ended_at = at
    from_status, run.status = run.status, target
    _bump(run, actor, clock.now())
    run.save()
    _event(run, action, from_status, at=at, actor=actor, reason=reason, client_id=client_id)
    audit_record(action=Action.UPDATE, obj=run, unit=run.school, actor=actor,
                 before={"status": from_status}, after={"status": run.status, "reason": reason},
                 detail=_("场次%(action)s：%(room)s %(session)s")
                 % {"action": RunAction(action).label, "room": room.name, "session": session})
    transaction.on_commit(progress_changed)
    return run


@transaction.atomic
def run_cancel(*, scope: Scope, run: SessionRun, actor: Any, version: int | None, reason: str,
               client_id: uuid.UUID | None = None) -> SessionRun:
    """The city cancels a session paused for more than 1 hour at one school (this room); it is
    never run again, and every student of the room is marked 本场取消."""
    done = _seen(client_id, RunEvent)
    if done is not None:
        return done.run  # type: ignore[no-any-return]
    scope.require(roles.SESSION_CANCELLERS, run.school)
    now = clock.now()
    run = SessionRun.objects.select_for_update(of=("self",)).select_related("room", "school", "cycle").get(pk=run.pk)
    check_version(run, version, noun=_("本场次"), state=run.get_status_display())
    if run.status != RunStatus.PAUSED:
        raise ProctoringError(_("本场次现为“%(status)s”，只有暂停超过 1 小时的场次才能取消。")
                              % {"status": run.get_status_display()})
    if not pause_exceeded(run.paused_since, now):
        minutes = int((now - run.paused_since).total_seconds() // 60) if run.paused_since else 0
        raise ProctoringError(_("本场次自 %(since)s 暂停，至今 %(m)s 分钟，未超过 1 小时，不能取消；请等待恢复后继续。")
                              % {"since": _when(run.paused_since), "m": minutes})
    reason = (reason or "").strip()
    if not reason:
        raise ProctoringError(_("取消场次时必须填写原因。"))
    assert run.paused_since is not None
    run.paused_seconds += int((now - run.paused_since).total_seconds())
    run.paused_since = None
    from_status, run.status = run.status, RunStatus.CANCELLED
    run.cancelled_at, run.cancel_reason = now, reason
    _bump(run, actor, now)
    run.save()
    _event(run, RunAction.CANCEL, from_status, at=now, actor=actor, reason=reason, client_id=client_id)
    marked = 0
    for seat in Seat.objects.filter(room=run.room, student__isnull=False).order_by("seat"):
        _set_presence(run, seat, Presence.CANCELLED, actor=actor, at=now, how="system")
        marked += 1
    audit_record(action=Action.UPDATE, obj=run, unit=run.school, actor=actor, before={"status": from_status},
                 after={"status": run.status, "reason": reason, "students": marked},
                 detail=_("市级取消场次（不再补测）：%(room)s %(session)s") % {"room": run.room.name, "session": run.session})
    transaction.on_commit(progress_changed)
    return run


def _set_presence(run: SessionRun, seat: Seat, status: str, *, actor: Any, at: dt.datetime, how: str,
                  reason: str = "", client_id: uuid.UUID | None = None,
                  version: int | None = None) -> CheckIn:
    assert seat.student_id is not None
    now = clock.now()
    row = CheckIn.objects.select_for_update().filter(run=run, seat=seat).first()
    if row is None:
        row = CheckIn(run=run, seat=seat, student_id=seat.student_id, school=run.school, status=status, at=at)
    else:
        check_version(row, version, noun=_("该生的到场情况"), state=row.get_status_display())
    row.status, row.at, row.reason = status, at, reason if status == Presence.ABSENT else ""
    _bump(row, actor, now)
    row.save()
    CheckInEvent.objects.create(checkin=row, status=status, how=how, at=at, recorded_at=now, actor=actor,
                                client_id=client_id)
    return row


def _find_seat(scope: Scope, room: TestRoom, line: Any, *, seat_number: int | None, code: str) -> Seat:
    seats = seats_of(scope=scope, room=room)  # released students only (the secrecy rule)
    code = (code or "").strip()
    if code:
        barcode = parse_barcode(code, year=room.cycle.year, school_code=room.school.code)
        if barcode is not None:
            if barcode.room != room.number:
                raise ProctoringError(_("条形码属于第%(n)s监测室，不是本监测室。") % {"n": barcode.room})
            if barcode.session != line.number:
                raise ProctoringError(_("条形码不是本场次（%(name)s）的条形码。") % {"name": line.name})
            found = seats.filter(seat=barcode.seat, student__student_no=barcode.student_no).first()
        elif code.isdigit() and len(code) <= 2:
            found = seats.filter(seat=int(code)).first()
        else:
            found = seats.filter(student__student_no=code).first()
        if found is None:
            raise ProctoringError(_("“%(code)s”不是本监测室的学生（请核对条形码、座位号或学号）。") % {"code": code})
        return found
    if seat_number is None:
        raise ProctoringError(_("请扫描学生条形码，或输入座位号、学号。"))
    found = seats.filter(seat=seat_number).first()
    if found is None:
        raise ProctoringError(_("本监测室没有 %(n)s 号座位的学生。") % {"n": seat_number})
    return found


def participation_over(*, run: SessionRun, student_id: int) -> str:
    """Why the student no longer takes part in this run (left unwell or a discipline case in an
    earlier session), or ''."""
    lines = [s.code for s in sessions_for(run.cycle, run.room.stage)]
    earlier = lines[: lines.index(run.session)] if run.session in lines else []
    left = CheckIn.objects.filter(run__cycle=run.cycle, run__session__in=earlier, student_id=student_id,
                                  status=Presence.LEFT).exists()
    if left:
        return _("该生在前一场次身体不适离场，之后按缺考处理。")
    cases = DisciplineCase.objects.filter(cycle=run.cycle, student_id=student_id, ends_participation=True,
                                          session__in=earlier).exclude(status="rejected")
    if cases.exists():
        return _("该生因违纪已被取消监测资格。")
    return ""


@transaction.atomic
def checkin_mark(*, scope: Scope, room: TestRoom, session: str, actor: Any, status: str, how: str = "tap",
                 seat_number: int | None = None, code: str = "", reason: str = "", version: int | None = None,
                 client_id: uuid.UUID | None = None, at: dt.datetime | None = None) -> CheckIn:
    """Check a student in (scan, typed code or a tap on the row), mark them absent, or record
    that they left unwell during the session (counted absent afterwards)."""
    done = _seen(client_id, CheckInEvent)
    if done is not None:
        return done.checkin  # type: ignore[no-any-return]
    scope.require(roles.CHECKIN_STAFF, room.school)
    if status not in (Presence.PRESENT, Presence.ABSENT, Presence.LEFT):
        raise ProctoringError(_("未知的到场情况。"))
    if reason and reason not in AbsenceReason.values:
        raise ProctoringError(_("未知的缺考原因。"))
    at = at or clock.now()
    line = session_line(room, session)
    run = run_for(room=room, session=session, lock=True)
    if run.status in (RunStatus.ENDED, RunStatus.CANCELLED):
        raise ProctoringError(_("本场次%(status)s，不能再检录。") % {"status": run.get_status_display()})
    if status == Presence.LEFT and run.status not in (RunStatus.IN_PROGRESS, RunStatus.PAUSED):
        raise ProctoringError(_("场次开始后才能登记学生离场。"))
    seat = _find_seat(scope, room, line, seat_number=seat_number, code=code)
    over = participation_over(run=run, student_id=int(seat.student_id or 0)) if status == Presence.PRESENT else ""
    if over:
        raise ProctoringError(over)
    current = CheckIn.objects.filter(run=run, seat=seat).first()
    if current is not None and current.status == Presence.ENDED:
        raise ProctoringError(_("该生因违纪已被取消监测资格。"))
    if current is not None and current.status == status and version is None:
        return current  # a second scan of the same student: nothing changes
    row = _set_presence(run, seat, status, actor=actor, at=at, how=how, reason=reason, client_id=client_id,
                        version=version)
    audit_record(action=Action.UPDATE, obj=row, unit=run.school, actor=actor, after={"status": status},
                 detail=_("检录：%(room)s %(session)s %(seat)s 号座位 %(status)s")
                 % {"room": room.name, "session": session, "seat": seat.seat_label,
                    "status": Presence(status).label})
    transaction.on_commit(progress_changed)
    return row
