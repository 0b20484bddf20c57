"""The test-day demo's custody ledger (phase "testday", standing on the second test day at
`DEMO_TESTDAY_TIME`). Day 1 is complete: the demo county received its boxes by confidential post
two days before the first test day and put them in the secure room (双人双锁, the watch log
since), approved the two-day exception for one far school the day before, issued the first day's
boxes to its sample schools that morning (one wrong scan corrected), the schools sealed their
leftover barcodes after sticking them on, and every box came back the same afternoon — except
ONE school's (`OVERDUE_NOTE`), so the alert job (`overdue_alert_all`, run at 18:15 as cron
would) told the county and the city. Day 2 is under way: the watch log notes the missing box,
the second day's boxes went out at 07:00 (one counted a bag short: the contents signal drafts an
incident), the demo school sealed its barcode bag. Everything through the real services, each
step inside `clock.frozen` at its moment. The custodians' PIN is DEMO_PIN."""

from __future__ import annotations

import contextlib
import datetime as dt
from collections.abc import Iterator
from typing import Any

from django.utils import timezone

from jiance import clock
from jiance.accounts.models import User
from jiance.accounts.scoping import Scope
from jiance.custody import pins, state
from jiance.custody.alerts import overdue_alert_all
from jiance.custody.models import LedgerEntry, Step
from jiance.custody.services import entry_correct, entry_record
from jiance.units.models import Unit

DEMO_PIN = "520913"
FAR_MINUTES = 150
ALERT_JOB_TIME = dt.time(18, 15)


@contextlib.contextmanager
def _at(day: dt.date, hour: int, minute: int = 0) -> Iterator[None]:
    with clock.frozen(timezone.make_aware(dt.datetime.combine(day, dt.time(hour, minute)))):
        yield


def overdue_school(schools: list[Unit], *, demo_school: Unit, far: Unit | None) -> Unit | None:
    """The one school whose first-day box the demo leaves out overnight: a sample school that is
    neither the demo school nor the far one (so the demo school's own pages stay calm)."""
    rest = [s for s in schools if s.pk != demo_school.pk and (far is None or s.pk != far.pk)]
    return rest[len(rest) // 2] if rest else None


def build_custody(*, cycle: Any, county: Unit, demo_school: Unit, users: dict[str, User], today: dt.date,
                  password: str) -> dict[str, int]:
    rules = state.rules_of(cycle)
    if rules is None:
        return {}
    days = sorted(cycle.test_days)
    first = days[0]
    keeper, admin = users["ncx.custodian"], users["ncx.admin"]
    second = users["ncx.inspector"]
    school_keeper = users.get("school.custodian")
    chief = users.get("school.chief")
    for u in (keeper, second, *[x for x in (school_keeper, chief) if x is not None]):
        pins.pin_set(user=u, password=password, pin=DEMO_PIN)
    scope = Scope(keeper)
    schools = state.schools_with_rooms(cycle=cycle, county=county)
    rooms = state.rooms_by_school(cycle=cycle, county=county)
    boxes = {s.pk: state.boxes_of(cycle=cycle, rules=rules, school=s, rooms=rooms.get(s.pk, [])) for s in schools}
    total = sum(len(b) for b in boxes.values())
    counts = {"issued": 0, "returned": 0, "sealed": 0, "corrections": 0, "overdue": 0, "alerts": 0}

    def rec(step: str, actor: User = keeper, **kw: Any) -> LedgerEntry:
        return entry_record(scope=Scope(actor), actor=actor, cycle=cycle, unit=kw.pop("unit", county), step=step,
                            **kw)

    before = first - dt.timedelta(days=2)
    with _at(before, 14, 30):
        rec(Step.RECEIVED, boxes=total, tracking_no="JY36012100518", place="南昌县邮政局机要科",
            second_person=second, note="机要件外包装完好，专车运回")
    with _at(before, 15, 20):
        rec(Step.STORED, boxes=total, place="县教育局保密室", second_person=admin,
            note="入库，双人双锁（罗春华、熊文斌各持一把钥匙）")
    eve = first - dt.timedelta(days=1)
    for day, hour, note in ((before, 22, "夜间值守，门锁、封条完好"), (eve, 8, "交接班，箱数清点无误"),
                            (eve, 20, "夜间值守正常"), (first, 6, "早班接班，准备发放")):
        with _at(day, hour):
            rec(Step.WATCH, place="县教育局保密室", note=note)
    others = [s for s in schools if s.pk != demo_school.pk]
    far = others[-1] if others else None
    if far is not None:
        with _at(eve, 16):
            rec(Step.APPROVAL, actor=admin, school=far, travel_minutes=FAR_MINUTES,
                note="山区学校，距县保密室车程约 2 小时 30 分，经县级实施工作领导小组同意领取两天的监测工具")
    late = overdue_school(schools, demo_school=demo_school, far=far)

    def issue_day(day: dt.date, *, short: Unit | None = None) -> None:
        minute = 0
        for school in schools:
            if far is not None and school.pk == far.pk and day != first:
                continue  # the far school took both days' boxes on the first morning
            take = [b for b in boxes[school.pk]
                    if b.day == day or (far is not None and school.pk == far.pk and day == first)]
            for k, box in enumerate(take):
                person = school_keeper if school.pk == demo_school.pk and school_keeper else second
                counted = box.bag_count - 1 if short is not None and school.pk == short.pk and k == 0 else box.bag_count
                with _at(day, 7, min(minute, 59)):
                    rec(Step.ISSUED, code=box.code, second_person=person, place="县教育局保密室",
                        bags_counted=counted, note="清点少 1 袋，已报县实施办核查" if counted != box.bag_count else "")
                counts["issued"] += 1
                minute += 2

    def seal(day: dt.date, school: Unit, k: int, hour: int, minute: int) -> None:
        box = next((b for b in boxes[school.pk] if b.day == day), None)
        bag = next((b for b in box.bags if b.kind == "TM"), None) if box else None
        if bag is None:
            return
        if school.pk == demo_school.pk and school_keeper is not None and chief is not None:
            who, witness, unit, signers = school_keeper, chief, demo_school, "陈志军、吴玉洁"
        else:
            who, witness, unit, signers = second, users["ncx.supervisor"], school, "主监测员、副监测员（纸质签字）"
        with _at(day, hour, minute):
            entry_record(scope=Scope(who), actor=who, cycle=cycle, unit=unit, step=Step.SEALED, code=bag.code,
                         second_person=witness, place="现场办公室", seals=f"FT-{school.code[-4:]}-{day.day:02d}{k + 1}",
                         signers=signers, note="条形码粘贴完毕，余下条形码装回条码袋密封")
        counts["sealed"] += 1

    # --- the first test day ------------------------------------------------------------------
    issue_day(first)
    if len(others) >= 2:  # a wrong scan corrected, the box issued again
        entry = LedgerEntry.objects.filter(cycle=cycle, school=others[0], step=Step.ISSUED).order_by("sequence").first()
        if entry is not None:
            with _at(first, 7, 50):
                entry_correct(scope=scope, actor=keeper, cycle=cycle, unit=county, entry_id=entry.pk,
                              note="发放时扫描了相邻学校的箱子，箱号已核对，作废本条后重新登记")
            counts["corrections"] += 1
            with _at(first, 7, 52):
                rec(Step.ISSUED, code=entry.box_code, second_person=second, place="县教育局保密室",
                    bags_counted=boxes[others[0].pk][0].bag_count)
    watched = [s for s in others if far is None or s.pk != far.pk][2:4]
    for k, school in enumerate([demo_school, *watched]):
        seal(first, school, k, 8, 50 + k * 3)
    minute = 0
    for school in schools:
        if (far is not None and school.pk == far.pk) or (late is not None and school.pk == late.pk):
            continue  # the far school keeps its boxes until the last day; one school does not come back
        for box in [b for b in boxes[school.pk] if b.day == first]:
            with _at(first, 16, 40 + min(minute, 19)) if minute < 20 else _at(first, 17, min(minute - 20, 59)):
                person = school_keeper if school.pk == demo_school.pk and school_keeper else second
                rec(Step.RETURNED, code=box.code, second_person=person, place="县教育局保密室",
                    bags_counted=box.bag_count, note="测试结束后当天送回，卷袋清点无误")
            counts["returned"] += 1
            minute += 2
    with _at(first, ALERT_JOB_TIME.hour, ALERT_JOB_TIME.minute):  # the 15-minute job, as cron runs it
        counts["alerts"] = overdue_alert_all()
    if late is not None:
        counts["overdue"] = sum(1 for b in boxes[late.pk] if b.day == first)
    # --- the second test day, until the demo's moment ----------------------------------------
    for day in days[1:2]:
        missing = f"；{late.name}第一天的监测工具箱逾期未送回，已电话催促" if late is not None else ""
        for when, hour, note in ((first, 20, "夜间值守正常" + missing), (day, 6, "早班接班，准备发放第二天的监测工具")):
            with _at(when, hour):
                rec(Step.WATCH, place="县教育局保密室", note=note)
        short = next((s for s in others[1:] if (far is None or s.pk != far.pk)
                      and (late is None or s.pk != late.pk)), None)
        issue_day(day, short=short)
        for k, school in enumerate([demo_school, *watched]):
            seal(day, school, k, 8, 20 + k * 3)
    return counts
