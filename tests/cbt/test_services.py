"""Deliveries on the server's frozen clock: the technician's steps, the proctors' actions (audited
with person and reason, stale pages refused), the timer across pause, crash and PC move (the old
PC refused), idempotent and out-of-order saves, the bank import refused once students began."""

from __future__ import annotations

import datetime as dt
import uuid

import pytest

from jiance import clock
from jiance.accounts.scoping import Scope
from jiance.audit.models import AuditEntry
from jiance.cbt.models import CbtError, Delivery, ItemResponse, ResponseSave
from jiance.cbt.services.bank import bank_import
from jiance.cbt.services.console import delivery_act, room_act, sitting_act
from jiance.cbt.services.student import (
    delivery_at,
    response_save,
    student_login,
    student_start,
    student_submit,
)
from jiance.errors import RoleRequired
from tests.cbt.builders import EXAMPLE, SESSION, Lab, at

pytestmark = pytest.mark.django_db


def tech(s: Lab, action: str, when: dt.datetime) -> None:
    with clock.frozen(when):
        sitting_act(scope=Scope(s.tech), room=s.room, session=SESSION, action=action, actor=s.tech, version=None)


def login(s: Lab, seat: int, when: dt.datetime, pc: int | None = None) -> Delivery:
    slip = s.slips[seat]
    with clock.frozen(when):
        return student_login(room_id=s.room.pk, seat_number=pc or seat, login=slip.login or "", code=slip.code)


def act(s: Lab, d: Delivery, action: str, when: dt.datetime, **kw: object) -> Delivery:
    d.refresh_from_db()
    with clock.frozen(when):
        return delivery_act(scope=Scope(s.proctor), delivery=d, action=action, actor=s.proctor,
                            version=kw.pop("version", d.version), **kw)  # type: ignore[arg-type]


def started(s: Lab, seat: int = 1) -> Delivery:
    tech(s, "prepare", at(8, 50))
    d = login(s, seat, at(8, 52))
    act(s, d, "authorise", at(8, 53))
    tech(s, "start", at(9, 0))
    d.refresh_from_db()
    return d


def save(d: Delivery, name: str, value: object, seq: int, when: dt.datetime, cid: uuid.UUID | None = None,
         client_at: dt.datetime | None = None) -> object:
    with clock.frozen(when):
        return response_save(delivery=d, token=d.token, name=name, raw=value, seq=seq, client_id=cid or uuid.uuid4(),
                             at=client_at or when)


def test_login_before_prepare_and_at_the_wrong_pc_refused(s: Lab) -> None:
    with pytest.raises(CbtError, match="尚未准备考试"):
        login(s, 1, at(8, 40))
    tech(s, "prepare", at(8, 50))
    with pytest.raises(CbtError, match="你的座位是第1监测室 01 号机"):
        login(s, 1, at(8, 51), pc=2)
    with pytest.raises(CbtError, match="登录号或登录码不正确"), clock.frozen(at(8, 51)):
        student_login(room_id=s.room.pk, seat_number=1, login=s.slips[1].login or "", code="WRONG1")
    d = login(s, 1, at(8, 52))
    assert d.status == "awaiting" and d.booklet == 1 and d.limit_seconds == 80 * 60
    assert login(s, 2, at(8, 52)).booklet == 2  # the seat plan's rotation, as on the answer card


def test_technician_steps_in_order_and_only_for_control_roles(s: Lab) -> None:
    with pytest.raises(CbtError, match="不能“开始考试”"):
        tech(s, "start", at(8, 50))
    with pytest.raises(RoleRequired), clock.frozen(at(8, 50)):
        sitting_act(scope=Scope(s.proctor), room=s.room, session=SESSION, action="prepare", actor=s.proctor,
                    version=None)
    with pytest.raises(CbtError, match="今天不能准备考试"):
        tech(s, "prepare", at(8, 50, day=24))
    tech(s, "prepare", at(8, 50))


def test_start_starts_the_authorised_and_the_clock_is_the_servers(s: Lab) -> None:
    d = started(s)
    assert d.status == "in_progress" and d.running_since == at(9, 0)
    assert d.remaining(at(9, 30)) == 50 * 60


def test_pause_keeps_remaining_time_and_a_crash_changes_nothing(s: Lab) -> None:
    d = started(s)
    act(s, d, "pause", at(9, 20), reason="停电")
    d.refresh_from_db()
    assert d.status == "paused" and d.remaining(at(10, 0)) == 60 * 60
    # the PC crashes and the student signs in again on the same PC: same delivery, same time left
    again = login(s, 1, at(10, 1))
    assert again.pk == d.pk and again.remaining(at(10, 1)) == 60 * 60 and again.token != d.token
    with pytest.raises(CbtError, match="已在其他浏览器重新登录"):
        delivery_at(pk=d.pk, token=d.token, room_id=s.room.pk, seat_number=1)
    act(s, again, "resume", at(10, 5))
    again.refresh_from_db()
    assert again.remaining(at(10, 15)) == 50 * 60


def test_stale_page_refused_and_actions_audited_with_person_and_reason(s: Lab) -> None:
    d = started(s)
    old = d.version
    act(s, d, "pause", at(9, 10), reason="断网")
    with pytest.raises(CbtError, match="页面已过期"):
        act(s, d, "resume", at(9, 11), version=old)
    act(s, d, "extend", at(9, 12), reason="计算机故障耽误", minutes=5)
    d.refresh_from_db()
    assert d.extra_seconds == 300
    entry = AuditEntry.objects.filter(actor=s.proctor).order_by("-pk").first()
    assert entry is not None and "计算机故障耽误" in entry.detail and "延长时间" in entry.detail
    with pytest.raises(CbtError, match="必须填写原因"):
        act(s, d, "terminate", at(9, 13))
    act(s, d, "terminate", at(9, 13), reason="违纪：交头接耳")
    d.refresh_from_db()
    assert d.status == "terminated" and d.reason == "违纪：交头接耳"
    assert list(d.events.values_list("action", flat=True)) == [
        "login", "authorise", "start", "pause", "extend", "terminate"]


def test_move_to_spare_pc_keeps_time_and_refuses_the_old_pc(s: Lab) -> None:
    d = started(s)
    save(d, "EX-M-001", "B", 1, at(9, 10))
    spare = s.spares[0].seat
    act(s, d, "move", at(9, 20), reason="01 号机死机", to_seat=spare)
    d.refresh_from_db()
    assert d.status == "paused" and d.seat.seat == spare and d.remaining(at(9, 30)) == 60 * 60
    with pytest.raises(CbtError, match=f"本机的作答已转到第1监测室 {spare:02d} 号机"):
        delivery_at(pk=d.pk, token=d.token, room_id=s.room.pk, seat_number=1)
    with pytest.raises(CbtError, match=f"你的座位是第1监测室 {spare:02d} 号机"):
        login(s, 1, at(9, 25))  # at the broken PC
    moved = login(s, 1, at(9, 30), pc=spare)
    assert moved.status == "in_progress" and moved.remaining(at(9, 30)) == 60 * 60
    assert dict(moved.responses.values_list("name", "value")) == {"EX-M-001": "B"}
    with pytest.raises(CbtError, match="不是本监测室的空闲备用机"):
        other = started_second(s)
        act(s, other, "move", at(9, 40), reason="x", to_seat=spare)  # taken by the first move
    with pytest.raises(CbtError, match="不是本监测室的空闲备用机"):
        act(s, moved, "move", at(9, 41), reason="x", to_seat=2)  # a seat with its own student


def started_second(s: Lab) -> Delivery:
    d = login(s, 2, at(9, 35))
    act(s, d, "authorise", at(9, 36))
    with clock.frozen(at(9, 37)):
        return student_start(delivery=d)


def test_saves_idempotent_and_newest_wins_whatever_the_order(s: Lab) -> None:
    d = started(s)
    cid = uuid.uuid4()
    first = save(d, "EX-M-001", "A", 2, at(9, 5), cid)
    again = save(d, "EX-M-001", "A", 2, at(9, 6), cid)
    assert not first.repeated and again.repeated  # type: ignore[attr-defined]
    late = save(d, "EX-M-001", "C", 1, at(9, 7))  # an older save arriving after a newer one
    assert not late.applied  # type: ignore[attr-defined]
    save(d, "EX-M-002", ["C", "A"], 3, at(9, 8))
    assert dict(ItemResponse.objects.filter(delivery=d).values_list("name", "value")) == {
        "EX-M-001": "A", "EX-M-002": ["A", "C"]}
    assert ResponseSave.objects.filter(delivery=d).count() == 3
    with pytest.raises(CbtError, match="答题卡上作答"):
        save(d, "EX-M-006", "写在机上", 4, at(9, 9))
    with pytest.raises(CbtError, match="你的题本中没有题目“EX-M-007”"):
        save(d, "EX-M-007", "B", 5, at(9, 9))


def test_saves_made_before_a_pause_are_taken_later_but_not_after(s: Lab) -> None:
    d = started(s)
    act(s, d, "pause", at(9, 20), reason="断网")
    d.refresh_from_db()
    save(d, "EX-M-001", "B", 1, at(9, 25), client_at=at(9, 19))  # queued offline before the pause
    with pytest.raises(CbtError, match="已暂停，答案未保存"):
        save(d, "EX-M-003", "30", 2, at(9, 25), client_at=at(9, 21))


def test_time_up_completes_and_end_closes_everyone(s: Lab) -> None:
    d = started(s)
    with pytest.raises(CbtError, match="已交卷，答案未保存"):
        save(d, "EX-M-001", "B", 1, at(10, 21))
    d.refresh_from_db()
    assert d.status == "completed" and d.ended_at == at(10, 20)
    other = login(s, 2, at(9, 1))
    tech(s, "end", at(10, 22))
    other.refresh_from_db()
    assert other.status == "terminated"


def test_room_actions_and_student_submit(s: Lab) -> None:
    tech(s, "prepare", at(8, 50))
    ds = [login(s, n, at(8, 51)) for n in (1, 2, 3)]
    sitting = ds[0].sitting
    with clock.frozen(at(8, 52)):
        assert room_act(scope=Scope(s.proctor), room=s.room, session=SESSION, action="authorise_all",
                        actor=s.proctor, version=sitting.version) == 3
    with pytest.raises(CbtError, match="页面已过期"), clock.frozen(at(8, 53)):
        room_act(scope=Scope(s.proctor), room=s.room, session=SESSION, action="authorise_all", actor=s.proctor,
                 version=sitting.version)
    tech(s, "start", at(9, 0))
    sitting.refresh_from_db()
    with pytest.raises(CbtError, match="须填写原因"), clock.frozen(at(9, 10)):
        room_act(scope=Scope(s.proctor), room=s.room, session=SESSION, action="pause_all", actor=s.proctor,
                 version=sitting.version)
    with clock.frozen(at(9, 10)):
        assert room_act(scope=Scope(s.proctor), room=s.room, session=SESSION, action="pause_all", actor=s.proctor,
                        version=sitting.version, reason="停电") == 3
    sitting.refresh_from_db()
    with clock.frozen(at(9, 40)):
        room_act(scope=Scope(s.proctor), room=s.room, session=SESSION, action="resume_all", actor=s.proctor,
                 version=sitting.version)
    d = Delivery.objects.get(pk=ds[0].pk)
    assert d.status == "in_progress" and d.remaining(at(9, 40)) == 70 * 60
    with clock.frozen(at(9, 50)):
        student_submit(delivery=d)
    d.refresh_from_db()
    assert d.status == "completed" and d.remaining(at(10, 0)) == 60 * 60


def test_bank_cannot_be_replaced_once_students_began(s: Lab) -> None:
    started(s)
    with pytest.raises(CbtError, match="已有学生开始作答"):
        bank_import(cycle=s.cycle, content=EXAMPLE.read_bytes(), filename="again.json", actor=None)


def test_signing_in_after_the_time_ran_out_is_refused_and_the_completion_kept(s: Lab) -> None:
    d = started(s)
    with pytest.raises(CbtError, match="已交卷，不能再登录"):
        login(s, 1, at(10, 30))
    d.refresh_from_db()
    assert d.status == "completed" and d.ended_at == at(10, 20)


def test_a_subject_on_paper_for_the_stage_is_not_on_screen_and_refusals_name_state_and_action(s: Lab) -> None:
    from jiance.cbt.services.console import cbt_sessions

    assert [x.code for x in cbt_sessions(s.room)] == [SESSION]
    config = dict(s.cycle.config)
    config["subjects"] = [{**x, "mode_by_stage": {s.room.stage: "paper"}} if x["code"] == "math" else x
                          for x in config["subjects"]]
    s.cycle.config = config
    s.cycle.save()
    s.room.refresh_from_db()
    assert cbt_sessions(s.room) == []
    config["subjects"] = [{**x, "mode_by_stage": {s.room.stage: "paper_or_computer"}} for x in config["subjects"]]
    s.cycle.save()
    s.room.refresh_from_db()
    assert [x.code for x in cbt_sessions(s.room)] == [SESSION]


def test_a_refused_transition_names_the_pc_the_state_and_the_action(s: Lab) -> None:
    d = started(s)
    with pytest.raises(CbtError, match=r"^01 号机：该学生现为“作答中”，不能“继续”$"):
        act(s, d, "resume", at(9, 5))
    with pytest.raises(CbtError, match=r"^01 号机：“终止”必须填写原因$"):
        act(s, d, "terminate", at(9, 5))
