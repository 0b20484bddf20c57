"""Writes of the test-day app: computer rooms, the seat plan, absences, phone lines, and the
audit of printout downloads. Every write runs under `transaction.atomic` with its audit entry."""

from __future__ import annotations

from typing import Any

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from jiance import clock
from jiance.accounts.scoping import Scope
from jiance.apps_registry import progress_changed
from jiance.audit.models import Action
from jiance.audit.services import audit_record, snapshot
from jiance.cycles.models import Cycle
from jiance.rosters.models import SampledStudent, release_at
from jiance.stages import stage_name
from jiance.testday import selectors
from jiance.testday.models import ComputerRoom, ReportPhone, Seat, TestdayError, TestRoom
from jiance.units.models import Unit
from jiance_core.rooms import deal, plan_rooms
from jiance_core.rooms.rooms import DEFAULT_CAPACITY, DEFAULT_SPARE_PCS


def room_settings(cycle: Cycle) -> tuple[int, int]:
    """(capacity, spare PCs) of the cycle, as `jiance_core.rooms.cycle_room_settings` reads them."""
    ss = (cycle.config or {}).get("sample_size") or {}
    capacity = int(ss.get("room_capacity") or DEFAULT_CAPACITY)
    for key in ("computer_spare_pcs", "questionnaire_room_spare_pcs_min"):
        if ss.get(key) is not None:
            return capacity, int(ss[key])
    return capacity, DEFAULT_SPARE_PCS


def _check_plan_open(cycle: Cycle, school: Unit) -> None:
    """The plan is fixed once the student list is released on test day, or once an absence is
    recorded: from then on nobody is moved."""
    at = release_at(cycle)
    if TestRoom.objects.filter(cycle=cycle, school=school).exists():
        if at is not None and clock.now() >= at:
            raise TestdayError(_("样本学生名单已于测试日发布，座位安排已固定，不能重新编排。"))
        if Seat.objects.filter(room__cycle=cycle, room__school=school, absent=True).exists():
            raise TestdayError(_("已登记缺考学生，座位安排已固定，不能重新编排。"))


# --- computer rooms -------------------------------------------------------------------------------
@transaction.atomic
def computer_room_save(
    *, scope: Scope, cycle: Cycle, school: Unit, data: dict[str, Any], actor: Any, room: ComputerRoom | None = None
) -> ComputerRoom:
    scope.require(selectors.ENTRY_ROLES, school)
    _check_plan_open(cycle, school)
    before = snapshot(room) if room else None
    obj = room or ComputerRoom(cycle=cycle, school=school, created_at=clock.now())
    for field in ("name", "pcs", "orientation", "columns"):
        setattr(obj, field, data.get(field))
    try:
        with transaction.atomic():
            obj.save()
    except IntegrityError as exc:
        raise TestdayError(_("计算机教室“%(name)s”已登记，请换一个名称。") % {"name": obj.name}) from exc
    audit_record(action=Action.UPDATE if room else Action.CREATE, obj=obj, unit=school, actor=actor,
                 before=before, after=snapshot(obj), detail=f"计算机教室：{school.name} {obj}")
    return obj


@transaction.atomic
def computer_room_delete(*, scope: Scope, room: ComputerRoom, actor: Any) -> None:
    scope.require(selectors.ENTRY_ROLES, room.school)
    _check_plan_open(room.cycle, room.school)
    before = snapshot(room)
    audit_record(action=Action.DELETE, obj=room, unit=room.school, actor=actor, before=before,
                 detail=f"删除计算机教室：{room.school.name} {room}")
    room.delete()


# --- the seat plan ----------------------------------------------------------------------------------
@transaction.atomic
def rooms_plan(*, school: Unit, cycle: Cycle, actor: Any = None, scope: Scope | None = None) -> list[TestRoom]:
    """Build the school's test rooms (paper and computer) and the fixed seat plan with booklet
    forms per subject for its sampled students, per stage; replaces an earlier plan until the
    plan is fixed (release on test day, or an absence recorded).

    Rooms: ceil(n / capacity) rooms split evenly, room 1 taking the extra student; the school's
    computer rooms, in the order it reported them, take the rooms they can hold with the spare
    PCs (jiance_core.rooms). Every desk (paper: the 42 of the room; computer: every PC) is a
    `Seat`; students fill seats 01.. in roster order, the rest stay empty."""
    if scope is not None:
        scope.require(selectors.ENTRY_ROLES, school)
    Unit.objects.select_for_update().filter(pk=school.pk).first()
    _check_plan_open(cycle, school)
    sampled = list(
        SampledStudent.objects.filter(school=school, draw__cycle=cycle)
        .select_related("student", "roster").order_by("roster__stage", "student__row", "pk")
    )
    if not sampled:
        raise TestdayError(_("%(school)s尚无样本学生（学生抽样后才能编排监测室）。") % {"school": school.name})
    Seat.objects.filter(room__cycle=cycle, room__school=school).delete()
    TestRoom.objects.filter(cycle=cycle, school=school).delete()
    capacity, spare = room_settings(cycle)
    labs = list(ComputerRoom.objects.filter(cycle=cycle, school=school).order_by("pk"))
    free = list(labs)
    now = clock.now()
    by_stage: dict[str, list[SampledStudent]] = {}
    for s in sampled:
        by_stage.setdefault(s.roster.stage, []).append(s)
    created: list[TestRoom] = []
    seats: list[Seat] = []
    reasons: list[str] = []
    for stage, rows in by_stage.items():
        plan = plan_rooms(len(rows), [lab.as_core() for lab in free], capacity=capacity, spare_pcs=spare)
        reasons += plan.reasons
        subjects = selectors.booklet_subjects(cycle, rows[0].roster.grade)
        queue = iter(rows)
        for room in plan.rooms:
            lab = None
            if room.computer_room is not None:
                lab = next(x for x in free if x.name == room.computer_room.name)
                free.remove(lab)
            obj = TestRoom.objects.create(
                cycle=cycle, school=school, stage=stage, number=room.number, kind=room.kind, computer_room=lab,
                computer_room_name=lab.name if lab else "", students=room.students, rows=room.layout.rows,
                columns=room.layout.columns, pattern=room.layout.pattern, created_at=now,
            )
            created.append(obj)
            desks = room.layout.positions(lab.pcs if lab else capacity)
            dealt = deal(range(1, room.students + 1), subjects)
            for number, (r, c) in enumerate(desks, start=1):
                student = next(queue).student if number <= room.students else None
                forms = {f.subject: f.form for f in dealt[number - 1].values()} if student else {}
                seats.append(Seat(room=obj, seat=number, row=r, column=c, student=student, booklets=forms))
    Seat.objects.bulk_create(seats, batch_size=1000)
    summary = "；".join(f"{stage_name(r.stage)}{r.name}（{r.get_kind_display()}，{r.students} 人）" for r in created)
    audit_record(action=Action.CREATE, obj=school, unit=school, actor=actor,
                 after={"rooms": [(r.stage, r.number, r.kind, r.students) for r in created]},
                 detail=f"监测室与座位编排：{school.name}，{cycle.name}：{summary}" + (
                     "。" + "；".join(reasons) if reasons else ""))
    transaction.on_commit(progress_changed)
    return created


@transaction.atomic
def seat_mark_absent(*, scope: Scope, seat: Seat, absent: bool, actor: Any) -> Seat:
    """Record (or withdraw) an absence: the seat keeps its student and stays empty on the day;
    no other seat changes."""
    scope.require(selectors.ABSENCE_ROLES, seat.room.school)
    if seat.student_id is None:
        raise TestdayError(_("%(seat)s号座位没有安排学生。") % {"seat": seat.seat_label})
    if not selectors.students_visible(scope, seat.room.school, seat.room.cycle):
        raise TestdayError(_("样本学生名单尚未发布。"))
    before = {"absent": seat.absent}
    Seat.objects.filter(pk=seat.pk).update(absent=absent)
    seat.absent = absent
    audit_record(action=Action.UPDATE, obj=seat, unit=seat.room.school, actor=actor, before=before,
                 after={"absent": absent},
                 detail=f"{'登记' if absent else '撤销'}缺考：{seat.room.school.name} {seat.room.name} {seat.seat_label}号")
    transaction.on_commit(progress_changed)
    return seat


# --- phone lines ------------------------------------------------------------------------------------
@transaction.atomic
def report_phone_add(*, scope: Scope, cycle: Cycle, unit: Unit, label: str, number: str, actor: Any) -> ReportPhone:
    if unit.pk not in {g.unit_id for g in scope.grants if g.role in selectors.PHONE_ROLES}:
        from django.core.exceptions import PermissionDenied

        raise PermissionDenied
    phone = ReportPhone.objects.create(cycle=cycle, unit=unit, label=label.strip(), number=number.strip(),
                                       created_at=clock.now())
    audit_record(action=Action.CREATE, obj=phone, unit=unit, actor=actor, after=snapshot(phone),
                 detail=f"举报电话：{phone}")
    return phone


@transaction.atomic
def report_phone_delete(*, scope: Scope, phone: ReportPhone, actor: Any) -> None:
    if phone.unit_id not in {g.unit_id for g in scope.grants if g.role in selectors.PHONE_ROLES}:
        from django.core.exceptions import PermissionDenied

        raise PermissionDenied
    audit_record(action=Action.DELETE, obj=phone, unit=phone.unit, actor=actor, before=snapshot(phone),
                 detail=f"删除举报电话：{phone}")
    phone.delete()


# --- downloads ----------------------------------------------------------------------------------------
def printout_downloaded(*, school: Unit, cycle: Cycle, kind: str, fmt: str, stage: str, rows: int, actor: Any) -> None:
    """Audit a download of a printout that carries personal data (names of sampled students)."""
    label = selectors.KINDS[kind][0]
    audit_record(
        action=Action.EXPORT, obj=school, unit=school, actor=actor, object_type="testday.printout",
        object_id=f"{school.code}:{stage}:{kind}",
        detail=f"下载{label}（{fmt.upper()}）：{school.name}{stage_name(stage)}，{rows} 名学生，{cycle.name}",
    )


def seat_plan_viewed(*, school: Unit, cycle: Cycle, stage: str, rows: int, actor: Any) -> None:
    """Audit a display of the seat plan with the sampled students' names."""
    audit_record(
        action=Action.VIEW_PERSONAL, obj=school, unit=school, actor=actor, object_type="testday.seats",
        object_id=f"{school.code}:{stage}",
        detail=f"查看座位表：{school.name}{stage_name(stage)}，{rows} 名学生，{cycle.name}",
    )
