"""The technician's and the proctors' actions on a computer room's sitting and its deliveries.

Each locks the row, compares the version the page was built from (a stale page is refused with
who changed it and when), checks the roles, applies the pure rules of
`jiance_core.cbt.delivery` on the server's clock, and records an event and an audit entry with
the person and the reason."""

from __future__ import annotations

import datetime as dt
import secrets
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy

from jiance import clock
from jiance.accounts import roles
from jiance.accounts.scoping import Scope
from jiance.apps_registry import progress_changed
from jiance.audit.models import Action
from jiance.audit.services import audit_record
from jiance.cbt.models import (
    SITTING_STEPS,
    CbtError,
    Delivery,
    DeliveryEvent,
    ItemBank,
    Sitting,
    SittingStatus,
    refusal_text,
)
from jiance.proctoring.models import ProctoringError, RunStatus, SessionRun
from jiance.proctoring.services import run_act
from jiance.testday.models import Seat, TestRoom
from jiance.testday.selectors import sessions_for
from jiance_core.cbt import delivery as core


@dataclass(frozen=True)
class CbtSession:
    code: str
    name: str
    subject: str
    subject_name: str
    minutes: int
    day: dt.date
    start: str


def _minutes(start: str, end: str) -> int:
    if not start or not end:
        return 0
    h1, m1 = (int(x) for x in start.split(":")[:2])
    h2, m2 = (int(x) for x in end.split(":")[:2])
    return (h2 * 60 + m2) - (h1 * 60 + m1)


# Subject modes (the cycle's `mode`, or `mode_by_stage` for the room's stage) never taken on screen.
PAPER_ONLY = ("paper", "phone")


def cbt_sessions(room: TestRoom) -> list[CbtSession]:
    """The subject tests a computer room takes on screen: its stage's sessions whose instrument is
    a subject of the cycle not set to paper only for the stage (objective items on screen, open
    items on the answer card [003])."""
    if room.kind != "computer":
        return []
    config = room.cycle.config or {}
    subjects = {str(s.get("code")): str(s.get("name") or s.get("code")) for s in config.get("subjects") or []}
    raw = {str(s.get("code")): s for s in config.get("sessions") or []}
    modes = {str(s.get("code")): (s.get("mode_by_stage") or {}).get(room.stage) or s.get("mode") or ""
             for s in config.get("subjects") or []}
    out = []
    for line in sessions_for(room.cycle, room.stage):
        s = raw.get(line.code) or {}
        subject = str(s.get("instrument") or "")
        if subject not in subjects or modes.get(subject) in PAPER_ONLY:
            continue
        minutes = int((s.get(room.stage) or {}).get("minutes") or s.get("minutes") or _minutes(line.start, line.end))
        if minutes > 0:
            out.append(CbtSession(line.code, line.name, subject, subjects[subject], minutes, line.day, line.start))
    return out


def session_of(room: TestRoom, code: str) -> CbtSession:
    for s in cbt_sessions(room):
        if s.code == code:
            return s
    raise CbtError(_("%(room)s没有计算机测试场次“%(code)s”") % {"room": room.name, "code": code})


def sitting_for(*, room: TestRoom, session: str, lock: bool = False) -> Sitting:
    line = session_of(room, session)
    sitting, _created = Sitting.objects.get_or_create(
        room=room, session=session,
        defaults={"cycle": room.cycle, "school": room.school, "subject": line.subject, "minutes": line.minutes})
    if lock:
        sitting = Sitting.objects.select_for_update(of=("self",)).select_related("room", "school", "cycle").get(
            pk=sitting.pk)
    return sitting


STEP_NAMES = {"prepare": _lazy("准备考试"), "start": _lazy("开始考试"), "end": _lazy("结束考试")}


def _when(at: dt.datetime | None) -> str:
    return timezone.localtime(at).strftime("%H:%M:%S") if at else ""


def _who(user: Any) -> str:
    return (getattr(user, "display_name", "") or getattr(user, "username", "")) if user else _("学生本人")


def check_version(row: Any, version: int | None, noun: str) -> None:
    if version is None or row.version == version:
        return
    raise CbtError(_("%(what)s已于 %(when)s 由 %(who)s 更改，页面已过期，请刷新后再操作")
                   % {"what": noun, "when": _when(row.changed_at), "who": _who(row.changed_by)})


def new_token() -> str:
    return secrets.token_urlsafe(24)


def record(delivery: Delivery, action: str, before: str, *, actor: Any, reason: str, now: dt.datetime) -> None:
    """The delivery's event and the audit entry (who, what, why, the time left)."""
    left = delivery.remaining(now)
    DeliveryEvent.objects.create(delivery=delivery, action=action, from_status=before, to_status=delivery.status,
                                 at=now, actor=actor if getattr(actor, "pk", None) else None, reason=reason,
                                 remaining_seconds=left)
    seat = delivery.seat
    audit_record(action=Action.UPDATE, obj=delivery, unit=delivery.sitting.school,
                 actor=actor if getattr(actor, "pk", None) else None,
                 before={"status": before}, after={"status": delivery.status, "reason": reason, "remaining": left,
                                                   "seat": seat.seat},
                 detail=f"网络测试{core.ACTION_LABELS.get(action, action)}：{delivery.sitting.room.name} "
                        f"{seat.seat:02d} 号机，{delivery.sitting.session}" + (f"，原因：{reason}" if reason else ""))


def settle(delivery: Delivery, now: dt.datetime) -> bool:
    """Complete a delivery whose time ran out (at that moment). The caller holds the row's lock."""
    t, ended = core.settle(delivery.timer(), now)
    if ended is None:
        return False
    before = delivery.status
    delivery.take(t)
    delivery.ended_at = delivery.stopped_at = ended
    delivery.reason = "作答时间到"
    delivery.bump(None, now)
    delivery.save()
    DeliveryEvent.objects.create(delivery=delivery, action="complete", from_status=before, to_status=delivery.status,
                                 at=ended, reason="作答时间到", remaining_seconds=0)
    return True


@transaction.atomic
def settle_committed(pk: int) -> None:
    """Settle a delivery in a transaction of its own, so that the completion stays recorded even
    when the action that noticed it is refused."""
    d = Delivery.objects.select_for_update(of=("self",)).filter(pk=pk).first()
    if d is not None:
        settle(d, clock.now())


def transition(delivery: Delivery, action: str, *, actor: Any, reason: str = "", now: dt.datetime,
               extra: dt.timedelta | None = None) -> None:
    """Apply one action to a locked delivery and record it."""
    settle(delivery, now)
    before = delivery.status
    was_running = delivery.running_since is not None
    try:
        t = core.apply(delivery.timer(), action, now, extra=extra, reason=reason)
    except core.DeliveryError as exc:
        raise CbtError(_("%(seat)s 号机：%(reason)s") % {"seat": f"{delivery.seat.seat:02d}",
                                                        "reason": refusal_text(exc)}) from exc
    delivery.take(t)
    if was_running and t.running_since is None:
        delivery.stopped_at = now
    if t.status in core.FINAL:
        delivery.ended_at = now
    if reason:
        delivery.reason = reason[:300]
    delivery.bump(actor, now)
    delivery.save()
    record(delivery, action, before, actor=actor, reason=reason, now=now)


def _locked(delivery: Delivery) -> Delivery:
    return Delivery.objects.select_for_update(of=("self",)).select_related(
        "sitting", "sitting__room", "sitting__school", "seat", "plan_seat", "student").get(pk=delivery.pk)


@transaction.atomic
def sitting_act(*, scope: Scope, room: TestRoom, session: str, action: str, actor: Any,
                version: int | None) -> Sitting:
    """The technician's 准备考试 → 开始考试 → 结束考试 for the room's session."""
    scope.require(roles.CBT_SESSION_CONTROL, room.school)
    if action not in SITTING_STEPS:
        raise CbtError(_("未知的操作"))
    sitting = sitting_for(room=room, session=session, lock=True)
    check_version(sitting, version, _("本场考试"))
    source, target = SITTING_STEPS[action]
    if sitting.status != source:
        raise CbtError(_("本场考试现为“%(status)s”，不能“%(action)s”")
                       % {"status": sitting.get_status_display(), "action": STEP_NAMES[action]})
    now = clock.now()
    if action == "prepare":
        if not ItemBank.objects.filter(cycle=sitting.cycle, subject=sitting.subject).exists():
            raise CbtError(_("学科“%(subject)s”的题目尚未导入，不能准备考试") % {"subject": sitting.subject})
        if timezone.localdate(now) != session_of(room, session).day:
            raise CbtError(_("本场安排在 %(day)s，今天不能准备考试") % {"day": session_of(room, session).day.isoformat()})
        sitting.prepared_at = now
    elif action == "start":
        sitting.started_at = now
        for d in Delivery.objects.select_for_update(of=("self",)).filter(sitting=sitting, status=core.AUTHORISED):
            transition(d, "start", actor=actor, now=now)
    else:
        sitting.ended_at = now
        for d in Delivery.objects.select_for_update(of=("self",)).filter(sitting=sitting, status__in=core.LIVE):
            settle(d, now)
            if d.status in (core.IN_PROGRESS, core.PAUSED):
                transition(d, "complete", actor=actor, reason="结束考试", now=now)
            elif d.status in core.LIVE:
                transition(d, "terminate", actor=actor, reason="结束考试时尚未开始作答", now=now)
    before = sitting.status
    sitting.status = target
    sitting.bump(actor, now)
    sitting.save()
    audit_record(action=Action.UPDATE, obj=sitting, unit=sitting.school, actor=actor,
                 before={"status": before}, after={"status": target},
                 detail=f"网络测试{ {'prepare': '准备考试', 'start': '开始考试', 'end': '结束考试'}[action] }："
                        f"{room.name} {session}")
    transaction.on_commit(progress_changed)
    return sitting


def spare_seats(sitting: Sitting) -> list[Seat]:
    """PCs of the room without a student in the plan and not taken by a moved delivery."""
    taken = set(Delivery.objects.filter(sitting=sitting).values_list("seat_id", flat=True))
    return [s for s in Seat.objects.filter(room=sitting.room, student__isnull=True).order_by("seat")
            if s.pk not in taken]


@transaction.atomic
def delivery_act(*, scope: Scope, delivery: Delivery, action: str, actor: Any, version: int | None,
                 reason: str = "", minutes: int | None = None, to_seat: int | None = None) -> Delivery:
    """A proctor's action on one student: authorise, pause, resume, extra time (reason),
    terminate (reason), move to a spare PC (reason)."""
    scope.require(roles.ROOM_STAFF, delivery.sitting.school)
    if action not in ("authorise", "pause", "resume", "extend", "terminate", "move"):
        raise CbtError(_("未知的操作"))
    d = _locked(delivery)
    check_version(d, version, _("%(seat)s 号机") % {"seat": f"{d.seat.seat:02d}"})
    now = clock.now()
    sitting = d.sitting
    if sitting.status in (SittingStatus.IDLE, SittingStatus.ENDED):
        raise CbtError(_("本场考试现为“%(status)s”，不能操作学生的作答") % {"status": sitting.get_status_display()})
    reason = (reason or "").strip()
    if action == "move":
        spare = next((s for s in spare_seats(sitting) if s.seat == to_seat), None)
        if spare is None:
            raise CbtError(_("%(seat)s 号机不是本监测室的空闲备用机") % {"seat": to_seat or ""})
        old = d.seat
        transition(d, "move", actor=actor, reason=f"{old.seat:02d} → {spare.seat:02d}：{reason}" if reason else "",
                   now=now)
        d.move_pending = d.status == core.PAUSED and d.stopped_at == now
        d.seat = spare
        d.token = new_token()  # the old PC's session is closed
        d.save(update_fields=["seat", "token", "move_pending"])
        transaction.on_commit(progress_changed)
        return d
    extra = dt.timedelta(minutes=minutes) if action == "extend" and minutes else None
    if action == "extend" and extra is None:
        raise CbtError(_("请填写延长的分钟数"))
    transition(d, action, actor=actor, reason=reason, now=now, extra=extra)
    if action == "resume" and d.move_pending:
        d.move_pending = False
        d.save(update_fields=["move_pending"])
    transaction.on_commit(progress_changed)
    return d


ROOM_ACTIONS = {"authorise_all": ("authorise", core.AWAITING), "pause_all": ("pause", core.IN_PROGRESS),
                "resume_all": ("resume", core.PAUSED)}


@transaction.atomic
def room_act(*, scope: Scope, room: TestRoom, session: str, action: str, actor: Any, version: int | None,
             reason: str = "") -> int:
    """Authorise everyone waiting, pause everyone working (reason), resume everyone paused.
    Checked against the sitting's version (what the console was built from)."""
    scope.require(roles.ROOM_STAFF, room.school)
    if action not in ROOM_ACTIONS:
        raise CbtError(_("未知的操作"))
    sitting = sitting_for(room=room, session=session, lock=True)
    check_version(sitting, version, _("本场考试"))
    if sitting.status in (SittingStatus.IDLE, SittingStatus.ENDED):
        raise CbtError(_("本场考试现为“%(status)s”，不能操作学生的作答") % {"status": sitting.get_status_display()})
    one, source = ROOM_ACTIONS[action]
    reason = (reason or "").strip()
    if one == "pause" and not reason:
        raise CbtError(_("全场暂停须填写原因（如停电、断网）"))
    run = SessionRun.objects.filter(room=room, session=session).first()
    if run is not None and run.status == RunStatus.CANCELLED and one in ("authorise", "resume"):
        raise CbtError(_("本场次已于 %(at)s 由市级取消（暂停超过 1 小时），不再继续作答")
                       % {"at": _when(run.cancelled_at)})
    now = clock.now()
    done = 0
    for d in Delivery.objects.select_for_update(of=("self",)).filter(sitting=sitting).select_related(
            "sitting", "sitting__room", "sitting__school", "seat"):
        settle(d, now)
        if d.status != source:
            continue
        transition(d, one, actor=actor, reason=reason, now=now)
        done += 1
    sitting.bump(actor, now)
    sitting.save()
    if one in ("pause", "resume"):
        _follow_run(scope=scope, room=room, session=session, action=one, actor=actor, reason=reason, now=now)
    transaction.on_commit(progress_changed)
    return done


def _follow_run(*, scope: Scope, room: TestRoom, session: str, action: str, actor: Any, reason: str,
                now: dt.datetime) -> None:
    """A room paused or resumed from the console is the room's session run paused or resumed
    (proctoring's `SessionRun`, started by the proctors): a pause of more than 1 hour is then the
    city's to cancel, as for a paper room. A run not under way is left alone."""
    run = SessionRun.objects.filter(room=room, session=session).first()
    wanted = {"pause": RunStatus.IN_PROGRESS, "resume": RunStatus.PAUSED}[action]
    if run is None or run.status != wanted:
        return
    try:
        run_act(scope=scope, room=room, session=session, action=action, actor=actor, version=None, reason=reason,
                at=now)
    except ProctoringError as exc:
        raise CbtError(str(exc)) from exc
