"""Recording hand-overs in the custody ledger, with the rules of the seeds enforced:

- "当天领取，当天送回" [000][001]: a box for test day D is not issued before D; a box not back by
  the cycle's return time alerts the county and the city (`alerts.py`);
- the two-day exception: only for a school more than 2 hours away, with the county's approval
  recorded before the issue [000][001][003];
- 双人 [002][003]: the hand-overs of boxes and bags name a second person, who confirmed with
  their custody PIN (`pins.pin_confirm`, checked by the view before this service runs);
- counted bags that do not match the box's expected contents send `signals.contents_mismatch`
  (the incidents app drafts an incident from it);
- entries are never changed: `entry_correct` appends a correction that voids one entry.
Every entry is idempotent by its `client_id` (the offline contract, `jiance.offline`).
"""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from jiance import clock
from jiance.accounts.models import RoleAssignment
from jiance.accounts.roles import MATERIAL_APPROVERS, MATERIAL_KEEPERS, MATERIAL_SEALERS
from jiance.apps_registry import progress_changed
from jiance.audit.services import audit_record
from jiance.custody import chain, state
from jiance.custody.models import BAG_STEPS, BOX_STEPS, CustodyError, LedgerEntry, Step
from jiance.custody.signals import contents_mismatch
from jiance.units.models import Level, Unit, subtree_upper_bound
from jiance_core.custody import earliest_issue, is_far, parse_code

# Steps that need a second person (双人); the watch log is one person on duty.
TWO_PEOPLE = (Step.RECEIVED, Step.STORED, Step.ISSUED, Step.SEALED, Step.RETURNED, Step.POSTED)
COUNTY_STEPS = (Step.RECEIVED, Step.STORED, Step.WATCH, Step.APPROVAL, Step.ISSUED, Step.RETURNED, Step.POSTED)
SCHOOL_STEPS = (Step.SEALED,)


def _local_day(at: dt.datetime) -> dt.date:
    return timezone.localtime(at).date()


def _belongs(user: Any, county: Unit) -> bool:
    """The second person holds a role in the county or one of its schools."""
    return RoleAssignment.objects.filter(
        user=user, user__is_active=True, unit__path__gte=county.path,
        unit__path__lt=subtree_upper_bound(county.path),
    ).exists()


def _require(scope: Any, step: str, unit: Unit) -> None:
    if step == Step.APPROVAL:
        scope.require(MATERIAL_APPROVERS, unit)
    elif step in COUNTY_STEPS:
        scope.require(MATERIAL_KEEPERS, unit)
    else:
        scope.require(MATERIAL_SEALERS, unit)


def _school_in(county: Unit, code: str) -> Unit:
    school = Unit.objects.filter(code=code, level=Level.SCHOOL, path__startswith=county.path).first()
    if school is None:
        raise CustodyError(_("编码 %(code)s 不是本县（区）的样本校。") % {"code": code})
    return school


def _box_state(cycle: Any, rules: Any, school: Unit, box: str) -> state.BoxState:
    found = [s for s in state.box_states(cycle=cycle, rules=rules, schools=[school]) if s.box.code == box]
    if not found:
        raise CustodyError(_("%(school)s没有编号为 %(box)s 的监测工具箱（按本校监测室安排核对箱号）。")
                           % {"school": school.name, "box": box})
    return found[0]


def _check_box(cycle: Any, rules: Any, unit: Unit, step: str, code: str, at: dt.datetime,
               bags_counted: int | None) -> tuple[Unit, str, str, str]:
    """The school, box code, bag code and a mismatch description (or "") of a box or bag step."""
    parts = parse_code(code)
    if parts is None:
        raise CustodyError(_("“%(code)s”不是监测工具箱或卷袋的编号。") % {"code": code})
    county = unit if unit.level == Level.COUNTY else unit.county()
    assert county is not None
    school = _school_in(county, parts.school)
    if unit.level == Level.SCHOOL and school.pk != unit.pk:
        raise CustodyError(_("这个箱号不属于本校。"))
    from jiance_core.custody import box_code

    box = box_code(parts.school, parts.stage, parts.room, parts.day_number)
    s = _box_state(cycle, rules, school, box)
    bag = ""
    if step in BAG_STEPS:
        if not parts.bag_kind:
            raise CustodyError(_("卷袋密封请扫描卷袋上的条码（袋号），不是箱号。"))
        bag = code.strip().upper()
        if bag not in {b.code for b in s.box.bags}:
            raise CustodyError(_("%(box)s 箱中没有编号为 %(bag)s 的卷袋。") % {"box": box, "bag": bag})
        if not s.out:
            raise CustodyError(_("%(box)s 箱尚未发放或已送回，不能登记卷袋密封。") % {"box": box})
        return school, box, bag, ""
    if parts.bag_kind:
        raise CustodyError(_("发放与送回请扫描箱号（箱体标签上的条码）。"))
    day_text = _("%(m)s月%(d)s日") % {"m": s.box.day.month, "d": s.box.day.day}
    if step == Step.ISSUED:
        if s.out:
            raise CustodyError(_("%(box)s 箱已于 %(time)s 发放，尚未送回。") % {
                "box": box, "time": f"{timezone.localtime(s.issued.at):%H:%M}"})  # type: ignore[union-attr]
        if s.returned is not None:
            raise CustodyError(_("%(box)s 箱已送回保密室，当天不再发放。") % {"box": box})
        approval = state.approved_schools(cycle=cycle, school_ids=[school.pk], before=at).get(school.pk)
        first = earliest_issue(s.box.day, approved=approval is not None, rules=rules)
        if _local_day(at) < first:
            why = ("" if approval is not None else
                   _("；车程超过 %(hours)s 小时的学校须先由县级登记同意提前领取") % {"hours": rules.far_minutes // 60})
            raise CustodyError(_("%(box)s 是 %(day)s 的监测工具箱，%(first)s前不能发放%(why)s。") % {
                "box": box, "day": day_text, "first": f"{first.month}月{first.day}日", "why": why})
    if step == Step.RETURNED and not s.out:
        raise CustodyError(_("%(box)s 箱没有发放记录，不能登记送回。") % {"box": box})
    mismatch = ""
    if bags_counted is not None and bags_counted != s.box.bag_count:
        action = _("发放") if step == Step.ISSUED else _("送回")
        mismatch = _("%(school)s %(day)s监测工具箱 %(box)s %(action)s时清点卷袋 %(counted)s 袋，应有 %(expected)s 袋"
                     "（%(kinds)s）。") % {
            "school": school.name, "day": day_text, "box": box, "action": action, "counted": bags_counted,
            "expected": s.box.bag_count, "kinds": "、".join(sorted({b.name for b in s.box.bags}))}
    return school, box, bag, mismatch


def _existing(client_id: uuid.UUID | None) -> LedgerEntry | None:
    return LedgerEntry.objects.filter(client_id=client_id).first() if client_id else None


@transaction.atomic
def entry_record(
    *, scope: Any, actor: Any, cycle: Any, unit: Unit, step: str, code: str = "", school: Unit | None = None,
    boxes: int | None = None, bags_counted: int | None = None, travel_minutes: int | None = None,
    place: str = "", second_person: Any = None, seals: str = "", signers: str = "", tracking_no: str = "",
    note: str = "", client_id: uuid.UUID | None = None, at: dt.datetime | None = None,
) -> LedgerEntry:
    """Append one hand-over to the ledger of `unit`'s county (unit: the county, or the school for
    the steps a school records). Refusals are `CustodyError` with the reason in Chinese."""
    found = _existing(client_id)
    if found is not None:
        return found
    if step == Step.CORRECTION:
        raise CustodyError(_("更正请使用更正功能。"))
    rules = state.rules_of(cycle)
    if rules is None:
        raise CustodyError(_("本周期的模板没有监测工具保管规则（custody）。"))
    allowed = COUNTY_STEPS if unit.level == Level.COUNTY else SCHOOL_STEPS
    if step not in allowed:
        raise CustodyError(_("这个环节不在本级登记。"))
    _require(scope, step, unit)
    now = clock.now()
    at = min(at or now, now)
    county = unit if unit.level == Level.COUNTY else unit.county()
    if county is None:
        raise CustodyError(_("找不到本校所属的县（区）。"))
    box = bag = mismatch = ""
    if step in BOX_STEPS or step in BAG_STEPS:
        school, box, bag, mismatch = _check_box(cycle, rules, unit, step, code, at, bags_counted)
        if step in BAG_STEPS and not (seals.strip() and signers.strip()):
            raise CustodyError(_("卷袋密封须填写封条号和签字的监测员姓名。"))
    elif step == Step.APPROVAL:
        if school is None or not school.path.startswith(county.path):
            raise CustodyError(_("请选择本县（区）的样本校。"))
        if travel_minutes is None or not is_far(travel_minutes, rules):
            raise CustodyError(_("车程 %(minutes)s 分钟，未超过 %(hours)s 小时，不能领取两天的监测工具（当天领取，"
                                 "当天送回）。") % {"minutes": travel_minutes or 0, "hours": rules.far_minutes // 60})
    else:
        school = None
        if step in (Step.RECEIVED, Step.POSTED) and not (tracking_no.strip() and boxes):
            raise CustodyError(_("机要接收与回邮须填写机要单号和箱数。"))
        if step == Step.WATCH and not note.strip():
            raise CustodyError(_("值守记录须写明值守情况。"))
    if step in TWO_PEOPLE:
        if second_person is None:
            raise CustodyError(_("交接须两人在场（双人）：请第二人输入账号和保管确认码。"))
        if second_person.pk == actor.pk:
            raise CustodyError(_("第二人不能是登记人本人。"))
        if not _belongs(second_person, county):
            raise CustodyError(_("第二人不是本县（区）或本校的工作人员。"))
    entry = chain.append(
        cycle=cycle, county=county, school=school, step=step, box_code=box, bag_code=bag, boxes=boxes,
        bags_counted=bags_counted, travel_minutes=travel_minutes if step == Step.APPROVAL else None,
        at=at, recorded_at=now, place=place.strip()[:100], recorded_by=actor,
        second_person=second_person if step in TWO_PEOPLE else None, seals=seals.strip()[:200],
        signers=signers.strip()[:200], tracking_no=tracking_no.strip()[:60], note=note.strip(),
        client_id=client_id,
    )
    audit_record(action=f"custody.{step}", obj=entry, unit=school or county, actor=actor,
                 after={"sequence": entry.sequence, "box": box, "bag": bag, "hash": entry.hash},
                 detail=f"{entry.get_step_display()} {box or bag}".strip())
    transaction.on_commit(progress_changed)
    if mismatch:
        transaction.on_commit(lambda: contents_mismatch.send(
            sender=LedgerEntry, entry=entry, school=school, description=mismatch))
    return entry


@transaction.atomic
def entry_correct(*, scope: Any, actor: Any, cycle: Any, unit: Unit, entry_id: int, note: str,
                  client_id: uuid.UUID | None = None, at: dt.datetime | None = None) -> LedgerEntry:
    """Void one entry by appending a correction that names it, with the reason (never an edit)."""
    found = _existing(client_id)
    if found is not None:
        return found
    county = unit if unit.level == Level.COUNTY else unit.county()
    old = LedgerEntry.objects.filter(pk=entry_id, cycle=cycle, county=county).select_related("school").first()
    if old is None or (unit.level == Level.SCHOOL and old.school_id != unit.pk):
        raise CustodyError(_("找不到要更正的记录。"))
    allowed = COUNTY_STEPS if unit.level == Level.COUNTY else SCHOOL_STEPS
    if old.step != Step.CORRECTION and old.step not in allowed:
        raise CustodyError(_("这条记录由县级登记，只能在县级更正。"))
    _require(scope, old.step, unit)
    if old.step == Step.CORRECTION:
        raise CustodyError(_("更正记录本身不能再更正；如有错误请重新登记。"))
    if LedgerEntry.objects.filter(step=Step.CORRECTION, corrects=old).exists():
        raise CustodyError(_("第 %(n)s 条记录已被更正过。") % {"n": old.sequence})
    if not note.strip():
        raise CustodyError(_("更正须写明原因。"))
    now = clock.now()
    entry = chain.append(
        cycle=cycle, county=old.county, school=old.school, step=Step.CORRECTION, box_code=old.box_code,
        bag_code=old.bag_code, at=min(at or now, now), recorded_at=now, recorded_by=actor, corrects=old,
        note=note.strip(), client_id=client_id,
    )
    audit_record(action="custody.correction", obj=entry, unit=old.school or old.county, actor=actor,
                 after={"sequence": entry.sequence, "corrects": old.sequence}, detail=f"更正第 {old.sequence} 条记录")
    transaction.on_commit(progress_changed)
    return entry
