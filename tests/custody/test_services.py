"""Every custody rule, with a frozen clock: day-D issue, same-day return and its alert, the
two-hour exception, two people with a PIN, correction by a new entry, the contents signal, the
append-only ledger and its hash chain."""

from __future__ import annotations

import uuid
from typing import Any

import pytest
from django.db import connection

from jiance import clock
from jiance.accounts.scoping import Scope
from jiance.custody import alerts, chain, pins, state
from jiance.custody.models import CustodyError, LedgerEntry, LedgerLocked, Step
from jiance.custody.services import entry_correct, entry_record
from jiance.custody.signals import contents_mismatch
from jiance.errors import RoleRequired
from jiance.notifications.models import Notification
from tests.custody.builders import DAY1, DAY2, PIN, People, at
from tests.factories import World

BOX1 = "3601210001-P1-D1"
BOX1_DAY2 = "3601210001-P1-D2"


def record(world: World, people: People, cycle: Any, step: str, **kw: Any) -> LedgerEntry:
    unit = kw.pop("unit", world.county_a)
    actor = kw.pop("actor", people.county_keeper)
    if step in (Step.ISSUED, Step.RETURNED, Step.SEALED, Step.RECEIVED, Step.STORED, Step.POSTED):
        kw.setdefault("second_person", people.school_keeper)
    return entry_record(scope=Scope(actor), actor=actor, cycle=cycle, unit=unit, step=step, **kw)


def test_a_box_for_day_d_is_not_issued_before_d(world: World, people: People, cycle: Any) -> None:
    with pytest.raises(CustodyError, match="5月26日前不能发放"):
        record(world, people, cycle, Step.ISSUED, code=BOX1_DAY2)
    with clock.frozen(at(DAY1, "07:40")):
        entry = record(world, people, cycle, Step.ISSUED, code=BOX1)
    assert entry.sequence == 1 and entry.box_code == BOX1 and entry.school == world.school_a1


def test_a_box_is_not_issued_twice_nor_returned_without_an_issue(world: World, people: People, cycle: Any) -> None:
    with pytest.raises(CustodyError, match="没有发放记录"):
        record(world, people, cycle, Step.RETURNED, code=BOX1)
    record(world, people, cycle, Step.ISSUED, code=BOX1)
    with pytest.raises(CustodyError, match="尚未送回"):
        record(world, people, cycle, Step.ISSUED, code=BOX1)
    with pytest.raises(CustodyError, match="没有编号为"):
        record(world, people, cycle, Step.ISSUED, code="3601210001-P7-D1")
    with pytest.raises(CustodyError, match="不是本县"):
        record(world, people, cycle, Step.ISSUED, code="3601240001-P1-D1")


def test_the_two_day_exception_needs_a_far_school_and_the_county_s_prior_approval(
        world: World, people: People, cycle: Any) -> None:
    admin = people.county_admin
    with pytest.raises(CustodyError, match="未超过 2 小时"):
        record(world, people, cycle, Step.APPROVAL, actor=admin, school=world.school_a1, travel_minutes=120)
    with pytest.raises(RoleRequired):  # a custodian cannot approve
        record(world, people, cycle, Step.APPROVAL, school=world.school_a1, travel_minutes=150)
    with pytest.raises(CustodyError, match="须先由县级登记同意"):
        record(world, people, cycle, Step.ISSUED, code=BOX1_DAY2)
    with clock.frozen(at(DAY1, "07:00")):
        record(world, people, cycle, Step.APPROVAL, actor=admin, school=world.school_a1, travel_minutes=150,
               note="山区学校，车程约 2.5 小时")
    record(world, people, cycle, Step.ISSUED, code=BOX1)
    record(world, people, cycle, Step.ISSUED, code=BOX1_DAY2)  # both days' boxes today
    # an approval recorded after the issue is no prior approval
    with pytest.raises(CustodyError):
        record(world, people, cycle, Step.ISSUED, code="3601210001-P2-D2", at=at(DAY1, "06:50"))
    # the approved school keeps day 1's box to the return time of the last day
    states = {s.box.code: s for s in state.box_states(cycle=cycle, rules=state.rules_of(cycle),
                                                       schools=[world.school_a1])}
    assert states[BOX1].due == at(DAY2, "18:00")


def test_hand_overs_need_a_second_person_with_their_pin(world: World, people: People, cycle: Any) -> None:
    with pytest.raises(CustodyError, match="两人在场"):
        record(world, people, cycle, Step.ISSUED, code=BOX1, second_person=None)
    with pytest.raises(CustodyError, match="本人"):
        record(world, people, cycle, Step.ISSUED, code=BOX1, second_person=people.county_keeper)
    with pytest.raises(CustodyError, match="不是本县"):
        record(world, people, cycle, Step.ISSUED, code=BOX1, second_person=people.other_keeper)
    with pytest.raises(CustodyError, match="不正确"):
        pins.pin_confirm(username="a1.custodian", pin="000001")
    assert pins.pin_confirm(username="a1.custodian", pin=PIN) == people.school_keeper
    entry = record(world, people, cycle, Step.ISSUED, code=BOX1, second_person=people.school_keeper)
    assert entry.second_person == people.school_keeper
    # the watch log is one person on duty
    assert record(world, people, cycle, Step.WATCH, note="夜间值守正常").second_person is None


def test_a_pin_is_stored_hashed_and_locks_after_five_failures(world: World, people: People) -> None:
    row = people.school_keeper.custody_pin
    assert PIN not in row.pin_hash
    with pytest.raises(CustodyError, match="过于简单"):
        pins.pin_set(user=people.school_keeper, password="Test-pass-2026", pin="123456")
    with pytest.raises(CustodyError, match="登录密码"):
        pins.pin_set(user=people.school_keeper, password="wrong", pin="583920")
    for _ in range(5):
        with pytest.raises(CustodyError, match="不正确"):
            pins.pin_confirm(username="a1.custodian", pin="999990")
    with pytest.raises(CustodyError, match="锁定"):
        pins.pin_confirm(username="a1.custodian", pin=PIN)


def test_a_box_not_returned_by_the_return_time_alerts_the_county_and_the_city(
        world: World, people: People, cycle: Any) -> None:
    record(world, people, cycle, Step.ISSUED, code=BOX1)
    record(world, people, cycle, Step.ISSUED, code="3601210001-P2-D1")
    with clock.frozen(at(DAY1, "16:30")):
        record(world, people, cycle, Step.RETURNED, code="3601210001-P2-D1")
    assert alerts.overdue_alert(cycle=cycle, county=world.county_a, now=at(DAY1, "17:59")) == 0
    new = alerts.overdue_alert(cycle=cycle, county=world.county_a, now=at(DAY1, "18:01"))
    got = set(Notification.objects.values_list("recipient__username", flat=True))
    assert got == {"ncx.custodian", "ncx.admin", "nc.admin"} and new == 3
    assert Notification.objects.filter(title__contains=BOX1).count() == 3
    assert alerts.overdue_alert(cycle=cycle, county=world.county_a, now=at(DAY1, "18:30")) == 0  # idempotent


def test_counted_bags_that_do_not_match_send_the_contents_signal(world: World, people: People, cycle: Any,
                                                                django_capture_on_commit_callbacks: Any) -> None:
    got: list[dict[str, Any]] = []

    def receiver(sender: Any, **kw: Any) -> None:
        got.append({"sender": sender, **kw})

    contents_mismatch.connect(receiver)
    try:
        with django_capture_on_commit_callbacks(execute=True):
            record(world, people, cycle, Step.ISSUED, code=BOX1, bags_counted=9)
        assert got == []
        with django_capture_on_commit_callbacks(execute=True):
            entry = record(world, people, cycle, Step.RETURNED, code=BOX1, bags_counted=8)
    finally:
        contents_mismatch.disconnect(receiver)
    assert len(got) == 1 and got[0]["sender"] is LedgerEntry and got[0]["entry"] == entry
    assert got[0]["school"] == world.school_a1 and "清点卷袋 8 袋，应有 9 袋" in got[0]["description"]


def test_sealing_a_bag_needs_the_box_out_a_seal_and_the_proctors(world: World, people: People, cycle: Any) -> None:
    bag = f"{BOX1}-CB1"
    kw = {"unit": world.school_a1, "actor": people.school_keeper, "second_person": people.chief}
    with pytest.raises(CustodyError, match="尚未发放"):
        record(world, people, cycle, Step.SEALED, code=bag, seals="F001", signers="张三、李四", **kw)
    record(world, people, cycle, Step.ISSUED, code=BOX1)
    with pytest.raises(CustodyError, match="封条号"):
        record(world, people, cycle, Step.SEALED, code=bag, **kw)
    entry = record(world, people, cycle, Step.SEALED, code=bag, seals="F001", signers="张三、李四", **kw)
    assert entry.bag_code == bag and entry.county == world.county_a
    with pytest.raises(CustodyError, match="不属于本校"):
        record(world, people, cycle, Step.SEALED, code="3601210002-J1-D1-CB1", seals="F2", signers="王", **kw)


def test_an_entry_is_never_edited_a_correction_voids_it(world: World, people: People, cycle: Any) -> None:
    entry = record(world, people, cycle, Step.ISSUED, code=BOX1)
    with pytest.raises(LedgerLocked):
        entry.note = "改"
        entry.save()
    with pytest.raises(LedgerLocked):
        LedgerEntry.objects.filter(pk=entry.pk).update(note="改")
    with pytest.raises(LedgerLocked):
        LedgerEntry.objects.filter(pk=entry.pk).delete()
    scope = Scope(people.county_keeper)
    with pytest.raises(CustodyError, match="原因"):
        entry_correct(scope=scope, actor=people.county_keeper, cycle=cycle, unit=world.county_a,
                      entry_id=entry.pk, note=" ")
    fix = entry_correct(scope=scope, actor=people.county_keeper, cycle=cycle, unit=world.county_a,
                        entry_id=entry.pk, note="扫错了箱号")
    assert fix.corrects == entry and fix.sequence == 2
    with pytest.raises(CustodyError, match="已被更正"):
        entry_correct(scope=scope, actor=people.county_keeper, cycle=cycle, unit=world.county_a,
                      entry_id=entry.pk, note="again")
    # the voided issue no longer counts: the box may be issued again
    assert record(world, people, cycle, Step.ISSUED, code=BOX1).sequence == 3


def test_the_same_client_id_records_once(world: World, people: People, cycle: Any) -> None:
    cid = uuid.uuid4()
    a = record(world, people, cycle, Step.ISSUED, code=BOX1, client_id=cid)
    b = record(world, people, cycle, Step.ISSUED, code=BOX1, client_id=cid)
    assert a.pk == b.pk and LedgerEntry.objects.count() == 1


def test_the_hash_chain_verifies_and_fails_after_a_tampered_row(world: World, people: People, cycle: Any) -> None:
    record(world, people, cycle, Step.RECEIVED, boxes=6, tracking_no="JY2022051801")
    record(world, people, cycle, Step.STORED, boxes=6, place="县教育局保密室")
    record(world, people, cycle, Step.ISSUED, code=BOX1)
    ok = chain.verify(cycle=cycle, county=world.county_a)
    assert ok.ok and ok.entries == 3 and ok.computed_hash == ok.stored_hash
    entry = LedgerEntry.objects.get(sequence=2)
    with connection.cursor() as cur:  # behind the model's back
        cur.execute(f"UPDATE {LedgerEntry._meta.db_table} SET place = %s WHERE id = %s", ["别处", entry.pk])
    bad = chain.verify(cycle=cycle, county=world.county_a)
    assert not bad.ok and any("第 2 条" in p and "改动" in p for p in bad.problems)


def test_a_deleted_row_breaks_the_chain(world: World, people: People, cycle: Any) -> None:
    record(world, people, cycle, Step.WATCH, note="一")
    record(world, people, cycle, Step.WATCH, note="二")
    record(world, people, cycle, Step.WATCH, note="三")
    with connection.cursor() as cur:
        cur.execute(f"DELETE FROM {LedgerEntry._meta.db_table} WHERE sequence = 2")
    bad = chain.verify(cycle=cycle, county=world.county_a)
    assert not bad.ok and any("序号" in p for p in bad.problems)


def test_a_school_cannot_void_the_county_s_entries(world: World, people: People, cycle: Any) -> None:
    entry = record(world, people, cycle, Step.ISSUED, code=BOX1)
    with pytest.raises(CustodyError, match="只能在县级更正"):
        entry_correct(scope=Scope(people.school_keeper), actor=people.school_keeper, cycle=cycle,
                      unit=world.school_a1, entry_id=entry.pk, note="想作废")
