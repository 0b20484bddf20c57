"""The test-day demo's custody ledger (phase "testday"): the demo county received its boxes by
confidential post two days ago and put them in the secure room (双人双锁, the watch log since),
approved the two-day exception for one far school yesterday, and issued this morning's boxes to
its sample schools; the demo school sealed its leftover barcodes back into their bags after the
barcodes were stuck on; one box was counted short at issue and taken back to the secure room
(the contents signal drafts an incident); one issue scanned the wrong box and was corrected.
Everything through the real services, at plausible moments of the morning (the demo is served
at 10:10). The custodians' PIN is DEMO_PIN."""

from __future__ import annotations

import datetime as dt
from typing import Any

from jiance.accounts.models import User
from jiance.accounts.scoping import Scope
from jiance.custody import pins, state
from jiance.custody.models import LedgerEntry, Step
from jiance.custody.services import entry_correct, entry_record
from jiance.units.models import Unit
from jiance.web.demo.common import Timeline

DEMO_PIN = "520913"
FAR_MINUTES = 150


def build_custody(*, cycle: Any, county: Unit, demo_school: Unit, users: dict[str, User], today: dt.date,
                  password: str) -> dict[str, int]:
    rules = state.rules_of(cycle)
    if rules is None:
        return {}
    keeper, admin = users["ncx.custodian"], users["ncx.admin"]
    second = users["ncx.inspector"]
    school_keeper = users.get("school.custodian")
    for u in (keeper, second, *([school_keeper] if school_keeper else [])):
        pins.pin_set(user=u, password=password, pin=DEMO_PIN)
    scope = Scope(keeper)
    when = Timeline(today)
    schools = state.schools_with_rooms(cycle=cycle, county=county)
    rooms = state.rooms_by_school(cycle=cycle, county=county)
    boxes = {s.pk: state.boxes_of(cycle=cycle, rules=rules, school=s, rooms=rooms.get(s.pk, [])) for s in schools}
    total = sum(len(b) for b in boxes.values())

    def rec(step: str, actor: User = keeper, **kw: Any) -> LedgerEntry:
        return entry_record(scope=Scope(actor), actor=actor, cycle=cycle, unit=kw.pop("unit", county), step=step,
                            **kw)

    with when.at(2, 14, 30):
        rec(Step.RECEIVED, boxes=total, tracking_no="JY36012100518", place="南昌县邮政局机要科",
            second_person=second, note="机要件外包装完好，专车运回")
    with when.at(2, 15, 20):
        rec(Step.STORED, boxes=total, place="县教育局保密室", second_person=admin,
            note="入库，双人双锁（罗春华、熊文斌各持一把钥匙）")
    for days, hour, note in ((2, 22, "夜间值守，门锁、封条完好"), (1, 8, "交接班，箱数清点无误"),
                             (1, 20, "夜间值守正常"), (0, 6, "早班接班，准备发放")):
        with when.at(days, hour):
            rec(Step.WATCH, place="县教育局保密室", note=note)
    others = [s for s in schools if s.pk != demo_school.pk]
    far = others[-1] if others else None
    if far is not None:
        with when.at(1, 16):
            rec(Step.APPROVAL, actor=admin, school=far, travel_minutes=FAR_MINUTES,
                note="山区学校，距县保密室车程约 2 小时 30 分，经县级实施工作领导小组同意领取两天的监测工具")
    counts = {"issued": 0, "returned": 0, "sealed": 0, "corrections": 0}
    minute = 0
    for school in schools:
        take = [b for b in boxes[school.pk] if b.day == today or (far is not None and school.pk == far.pk)]
        for box in take:
            with when.at(0, 7, min(minute, 59)):
                person = school_keeper if school.pk == demo_school.pk and school_keeper else second
                rec(Step.ISSUED, code=box.code, second_person=person, place="县教育局保密室",
                    bags_counted=box.bag_count)
            counts["issued"] += 1
            minute += 2
    # a wrong scan corrected: the second school's box issued again after the correction
    if len(others) >= 2:
        target = others[0]
        entry = LedgerEntry.objects.filter(cycle=cycle, school=target, step=Step.ISSUED).order_by("sequence").first()
        if entry is not None:
            with when.at(0, 7, 50):
                entry_correct(scope=scope, actor=keeper, cycle=cycle, unit=county, entry_id=entry.pk,
                              note="发放时扫描了相邻学校的箱子，箱号已核对，作废本条后重新登记")
            counts["corrections"] += 1
            with when.at(0, 7, 52):
                rec(Step.ISSUED, code=entry.box_code, second_person=second, place="县教育局保密室",
                    bags_counted=boxes[target.pk][0].bag_count)
        # a box counted short: back to the secure room for checking (drafts an incident)
        short = next((b for b in boxes[others[1].pk] if b.day == today), None)
        if short is not None:
            with when.at(0, 7, 55):
                rec(Step.RETURNED, code=short.code, second_person=second, place="县教育局保密室",
                    bags_counted=short.bag_count - 1, note="清点少 1 袋，退回保密室核查，已报县实施办")
            counts["returned"] += 1
    mine = [b for b in boxes.get(demo_school.pk, []) if b.day == today]
    chief = users.get("school.chief")
    if school_keeper is not None and chief is not None:
        pins.pin_set(user=chief, password=password, pin=DEMO_PIN)
        for k, box in enumerate(mine):
            bag = next((b for b in box.bags if b.kind == "TM"), None)
            if bag is None:
                continue
            with when.at(0, 9, 5 + k):
                entry_record(scope=Scope(school_keeper), actor=school_keeper, cycle=cycle, unit=demo_school,
                             step=Step.SEALED, code=bag.code, second_person=chief, place="现场办公室",
                             seals=f"FT-{demo_school.code[-4:]}-{k + 1:02d}", signers="陈志军、吴玉洁",
                             note="条形码粘贴完毕，余下条形码装回条码袋密封")
            counts["sealed"] += 1
    # the county's inspectors seal the leftover barcodes at two more schools they watch
    inspector, supervisor = users["ncx.inspector"], users["ncx.supervisor"]
    for k, school in enumerate([s for s in others if s.pk not in {far.pk if far else 0}][2:4]):
        todays = next((b for b in boxes[school.pk] if b.day == today), None)
        bag = next((b for b in todays.bags if b.kind == "TM"), None) if todays else None
        if bag is None:
            continue
        with when.at(0, 9, 10 + k):
            entry_record(scope=Scope(inspector), actor=inspector, cycle=cycle, unit=school, step=Step.SEALED,
                         code=bag.code, second_person=supervisor, place="现场办公室",
                         seals=f"FT-{school.code[-4:]}-01", signers="主监测员、副监测员（纸质签字）",
                         note="条形码粘贴完毕，余下条形码装回条码袋密封")
        counts["sealed"] += 1
    return counts
