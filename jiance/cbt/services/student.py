"""The student's PC: signing in with the slip at the PC of the seat, starting, saving one
response (the shared engine `jiance.saving`: idempotent, newest wins, acknowledged after the
commit), handing in. The browser holds the delivery's `token`; a PC whose token is no longer the
delivery's (the student was moved to a spare PC, or signed in again elsewhere) is refused."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from jiance import clock
from jiance.apps_registry import progress_changed
from jiance.cbt.models import (
    CbtError,
    Delivery,
    ItemBank,
    ItemResponse,
    ResponseSave,
    Sitting,
    SittingStatus,
)
from jiance.cbt.services.console import new_token, record, settle, settle_committed, transition
from jiance.questionnaires.models import QuestionnaireError
from jiance.questionnaires.services.respondents import respondent_by_slip
from jiance.saving import SaveConflict, Saved, newest_wins, seen_save
from jiance.testday.models import Seat
from jiance_core.cbt import delivery as core
from jiance_core.cbt.items import ResponseError, read_response
from jiance_core.rooms.booklets import booklet_form


def booklet_for(seat: Seat, bank: ItemBank, subject_name: str) -> int:
    """The booklet number of the seat plan (the same rotation as the answer cards), or, when the
    cycle sets no forms for the subject, the rotation over the bank's forms."""
    numbers = bank.form_numbers()
    planned = (seat.booklets or {}).get(subject_name)
    if planned and int(planned) in numbers:
        return int(planned)
    return numbers[booklet_form(seat.seat, len(numbers)) - 1]


def _place(seat: Seat) -> str:
    return _("%(room)s %(seat)s 号机") % {"room": seat.room.name, "seat": f"{seat.seat:02d}"}


def student_login(*, room_id: int, seat_number: int, login: str, code: str) -> Delivery:
    """Sign in with the slip at PC `seat_number` of test room `room_id`; returns the delivery
    with a fresh token (any other browser of this delivery is closed). A refusal found after
    the delivery was settled (time up) keeps the settlement."""
    delivery, refusal = _login(room_id=room_id, seat_number=seat_number, login=login, code=code)
    if refusal:
        raise CbtError(refusal)
    return delivery


@transaction.atomic
def _login(*, room_id: int, seat_number: int, login: str, code: str) -> tuple[Delivery, str]:
    try:
        respondent = respondent_by_slip(login=login, code=code)
    except QuestionnaireError as exc:
        raise CbtError(str(exc)) from exc
    seat = (Seat.objects.select_related("room", "room__cycle").filter(student_id=respondent.student_id).first()
            if respondent.student_id is not None else None)
    if seat is None or seat.student_id is None:
        raise CbtError(_("该登录条不是参加计算机测试的学生的登录条"))
    student_id = seat.student_id
    sitting = Sitting.objects.filter(room=seat.room, status__in=(SittingStatus.PREPARED, SittingStatus.STARTED)).first()
    if sitting is None:
        raise CbtError(_("本监测室尚未准备考试，请等待计算机技术员点击“准备考试”"))
    now = clock.now()
    delivery = Delivery.objects.select_for_update(of=("self",)).select_related(
        "seat", "seat__room", "sitting", "sitting__room", "sitting__school").filter(
        sitting=sitting, student_id=student_id).first()
    if delivery is None:
        bank = ItemBank.objects.get(cycle=sitting.cycle, subject=sitting.subject)
        names = {str(s.get("code")): str(s.get("name")) for s in (sitting.cycle.config or {}).get("subjects") or []}
        delivery = Delivery.objects.create(
            sitting=sitting, student_id=student_id, plan_seat=seat, seat=seat,
            booklet=booklet_for(seat, bank, names.get(sitting.subject, "")), limit_seconds=sitting.minutes * 60,
            token=new_token())
        record(delivery, "login", "", actor=None, reason="", now=now)
    settle(delivery, now)
    if delivery.status in core.FINAL:
        return delivery, _("你的本场测试%(status)s，不能再登录") % {"status": delivery.get_status_display()}
    if delivery.seat.room_id != room_id or delivery.seat.seat != seat_number:
        return delivery, _("你的座位是%(place)s，请到该机登录") % {"place": _place(delivery.seat)}
    delivery.token = new_token()
    delivery.save(update_fields=["token"])
    if delivery.move_pending and delivery.status == core.PAUSED:
        transition(delivery, "resume", actor=None, reason="换到备用机后继续", now=now)
        delivery.move_pending = False
        delivery.save(update_fields=["move_pending"])
        transaction.on_commit(progress_changed)
    return delivery, ""


def delivery_at(*, pk: int, token: str, room_id: int, seat_number: int) -> Delivery:
    """The delivery this PC's browser holds, or a clear refusal for a stale PC."""
    delivery = Delivery.objects.select_related("seat", "seat__room", "sitting", "sitting__room",
                                               "sitting__school", "student").filter(pk=pk).first()
    if delivery is None:
        raise CbtError(_("请用登录条重新登录"))
    if delivery.seat.room_id != room_id or delivery.seat.seat != seat_number:
        raise CbtError(_("本机的作答已转到%(place)s，请到该机用登录条继续作答；本机已关闭") % {"place": _place(delivery.seat)})
    if delivery.token != token:
        raise CbtError(_("你已在其他浏览器重新登录，本页面已关闭"))
    return delivery


def _locked(delivery: Delivery) -> Delivery:
    return Delivery.objects.select_for_update(of=("self",)).select_related(
        "sitting", "sitting__room", "sitting__school", "seat", "seat__room").get(pk=delivery.pk)


@transaction.atomic
def student_start(*, delivery: Delivery) -> Delivery:
    d = _locked(delivery)
    if d.sitting.status != SittingStatus.STARTED:
        raise CbtError(_("考试尚未开始，请等待计算机技术员点击“开始考试”"))
    if d.status == core.AWAITING:
        raise CbtError(_("请等待监测员授权"))
    if d.status != core.IN_PROGRESS:
        transition(d, "start", actor=None, now=clock.now())
        transaction.on_commit(progress_changed)
    return d


@transaction.atomic
def student_submit(*, delivery: Delivery) -> Delivery:
    d = _locked(delivery)
    now = clock.now()
    settle(d, now)
    if d.status == core.COMPLETED:
        return d
    transition(d, "complete", actor=None, reason="学生交卷", now=now)
    transaction.on_commit(progress_changed)
    return d


def response_save(*, delivery: Delivery, token: str, name: str, raw: Any, seq: int, client_id: uuid.UUID,
                  at: dt.datetime) -> Saved:
    """One response. A repeat is acknowledged again; a save made while the clock ran is taken even
    when it arrives after a pause or the end (a queue emptied when the network returns)."""
    settle_committed(delivery.pk)
    return _save(delivery=delivery, token=token, name=name, raw=raw, seq=seq, client_id=client_id, at=at)


@transaction.atomic
def _save(*, delivery: Delivery, token: str, name: str, raw: Any, seq: int, client_id: uuid.UUID,
          at: dt.datetime) -> Saved:
    d = _locked(delivery)
    try:
        before = seen_save(ResponseSave, owner_field="delivery", owner=d, client_id=client_id)
    except SaveConflict as exc:
        raise CbtError(str(exc)) from exc
    if before is not None:
        return before
    if d.token != token:
        raise CbtError(_("本机的作答已关闭（换机或重新登录），答案未保存"))
    now = clock.now()
    settle(d, now)
    running = d.status == core.IN_PROGRESS
    made_in_time = d.stopped_at is not None and at <= d.stopped_at and d.status != core.TERMINATED
    if not running and not made_in_time:
        raise CbtError(_("本场测试%(status)s，答案未保存") % {"status": d.get_status_display()})
    if seq < 1:
        raise CbtError(_("保存序号无效，请刷新页面"))
    bank = ItemBank.objects.get(cycle=d.sitting.cycle, subject=d.sitting.subject)
    if name not in bank.forms.get(str(d.booklet), []):
        raise CbtError(_("你的题本中没有题目“%(item)s”，请刷新页面") % {"item": name})
    try:
        value = read_response(bank.items[name], raw)
    except ResponseError as exc:
        raise CbtError(f"{name}：{exc}") from exc
    saved = newest_wins(ItemResponse, ResponseSave, owner_field="delivery", owner=d, name=name, value=value,
                        seq=seq, client_id=client_id, client_at=at, now=now)
    d.last_seq = max(d.last_seq, seq)
    d.save(update_fields=["last_seq"])
    return saved


@transaction.atomic
def slips_issue(*, room: Any) -> int:
    """Slip credentials (the questionnaires' `Respondent`: login + 6-character code) for every
    seated student of a computer room who has none yet; returns how many were made."""
    from jiance.questionnaires.models import Kind, Respondent
    from jiance.questionnaires.services.respondents import new_code

    cycle, school = room.cycle, room.school
    have = set(Respondent.objects.filter(cycle=cycle, kind=Kind.STUDENT, student__isnull=False)
               .values_list("student_id", flat=True))
    count = Respondent.objects.filter(cycle=cycle, unit=school).count()
    now = clock.now()
    made = 0
    for seat in Seat.objects.filter(room=room, student__isnull=False).select_related("student").order_by("seat"):
        if seat.student_id in have:
            continue
        count += 1
        while Respondent.objects.filter(cycle=cycle, login=f"{cycle.year}{school.code}{count:03d}").exists():
            count += 1
        assert seat.student is not None
        Respondent.objects.create(cycle=cycle, kind=Kind.STUDENT, unit=school, name=seat.student.name,
                                  student=seat.student, stage=room.stage,
                                  login=f"{cycle.year}{school.code}{count:03d}", code=new_code(), created_at=now)
        made += 1
    return made
