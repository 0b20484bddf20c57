"""Writes of incidents (SPEC §8): recording (from the phone, offline-safe), drafts, the chain's
steps by grade, the report to the centre after handling, the grade-3 evaluation.

Every state change goes through the review engine or, for the two steps that do not move the
status (the report to the centre, the evaluation), through the same lock → version → bump → history
→ audit sequence. A grade-3 incident notifies the city office after commit.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils.translation import gettext as _

from jiance import clock
from jiance.accounts import roles
from jiance.accounts.scoping import Scope
from jiance.apps_registry import progress_changed
from jiance.audit.models import Action
from jiance.audit.services import audit_record, snapshot
from jiance.cycles.models import Cycle
from jiance.incidents.catalogue import report_clock_applies, rules_of, sessions_of
from jiance.incidents.models import (
    Evaluation,
    Incident,
    IncidentAction,
    IncidentError,
    IncidentEvent,
    IncidentStatus,
    IncidentStudent,
    Source,
)
from jiance.review import engine
from jiance.testday.models import Seat, TestRoom
from jiance.units.models import Level, Unit
from jiance_core.cycles.incidents import IncidentKind
from jiance_core.incidents import SeatedStudent, booklet_shortage_drop, report_due

MAX_TEXT = 4000


@dataclass
class IncidentInput:
    """What the school records (the form's cleaned data)."""

    kind_code: str
    occurred_at: dt.datetime
    what: str
    actions: str = ""
    grade: int | None = None
    room_id: int | None = None
    session_code: str = ""
    booklets: int | None = None
    student_ids: tuple[int, ...] = ()


def _kind(cycle: Cycle, code: str) -> IncidentKind:
    kind = rules_of(cycle).kind(code)
    if kind is None:
        raise IncidentError(_("应急事件类别“%(code)s”不在本周期的事件目录中，请重新选择。") % {"code": code})
    return kind


def _room(cycle: Cycle, school: Unit, room_id: int | None) -> TestRoom | None:
    if room_id is None:
        return None
    room = TestRoom.objects.filter(pk=room_id, cycle=cycle, school=school).first()
    if room is None:
        raise IncidentError(_("所选监测室不属于本校，请重新选择。"))
    return room


def _session_name(cycle: Cycle, code: str) -> str:
    if not code:
        return ""
    names = dict(sessions_of(cycle))
    if code not in names:
        raise IncidentError(_("所选场次不在本周期的测试安排中，请重新选择。"))
    return names[code]


def released_students(*, scope: Scope, cycle: Cycle, school: Unit) -> dict[int, Any]:
    """student id → the sampled student row of `school` this person may see now (the one door to
    sampled students: `released_sample`)."""
    from jiance.rosters.selectors import released_sample

    rows = released_sample(scope=scope, cycle=cycle).filter(school=school).select_related("student")
    return {r.student_id: r for r in rows}


def drop_proposal(*, room: TestRoom, booklets: int, student_ids: Iterable[int] | None = None) -> list[SeatedStudent]:
    """The students of `room` to drop for a booklet shortage, highest seat first (the core rule);
    `student_ids` limits it to students the person may see."""
    seats = Seat.objects.filter(room=room, student__isnull=False).order_by("seat")
    visible = None if student_ids is None else set(student_ids)
    people = [SeatedStudent(seat=s.seat, student=int(s.student_id), absent=s.absent) for s in seats  # type: ignore[arg-type]
              if visible is None or s.student_id in visible]
    return booklet_shortage_drop(people, booklets)


def _check_text(value: str, label: str, *, required: bool) -> str:
    value = (value or "").strip()
    if required and not value:
        raise IncidentError(_("请填写%(label)s。") % {"label": label})
    if len(value) > MAX_TEXT:
        raise IncidentError(_("%(label)s过长（最多 %(n)s 字）。") % {"label": label, "n": MAX_TEXT})
    return value


def _apply(incident: Incident, data: IncidentInput, *, scope: Scope, now: dt.datetime) -> list[IncidentStudent]:
    """Check `data` and set it on `incident` (unsaved); the students concerned to write."""
    cycle = incident.cycle
    kind = _kind(cycle, data.kind_code)
    if data.occurred_at > now + dt.timedelta(minutes=5):
        raise IncidentError(_("发生时间晚于当前时间，请检查。"))
    grade = data.grade or kind.grade
    if grade not in (1, 2, 3):
        raise IncidentError(_("事件等级只能是 1、2、3 级。"))
    incident.kind_code, incident.kind_name = kind.code, kind.name
    incident.grade = incident.reported_grade = grade
    incident.occurred_at = data.occurred_at
    incident.room = _room(cycle, incident.school, data.room_id)
    incident.session_code, incident.session_name = data.session_code, _session_name(cycle, data.session_code)
    incident.what = _check_text(data.what, _("事件情况") if not kind.other else _("事件情况（其他类别须写明）"),
                                required=True)
    incident.actions = _check_text(data.actions, _("已采取的措施"), required=False)
    incident.booklets = data.booklets
    visible = released_students(scope=scope, cycle=cycle, school=incident.school)
    unknown = [i for i in data.student_ids if i not in visible]
    if unknown:
        raise IncidentError(_("所选学生不在本校的测试学生名单中（或名单尚未发布），请刷新页面后重新选择。"))
    chosen = dict.fromkeys(data.student_ids, False)
    if kind.rule == "drop_by_seat":
        if incident.room is None or data.booklets is None:
            raise IncidentError(_("测试卷数少于学生数：请选择监测室并填写实有测试卷数，平台按座位号由大到小提出剔除名单。"))
        for s in drop_proposal(room=incident.room, booklets=data.booklets, student_ids=visible):
            chosen[s.student] = True
    seats = dict(Seat.objects.filter(student_id__in=list(chosen)).values_list("student_id", "seat"))
    return [IncidentStudent(student_id=sid, seat=seats.get(sid), proposed_drop=drop) for sid, drop in chosen.items()]


def _event(incident: Incident, action: str, *, actor: Any, at: dt.datetime, from_status: str, comment: str = "") -> None:
    IncidentEvent.objects.create(incident=incident, action=action, actor=actor, at=at, from_status=from_status,
                                 to_status=incident.status, comment=comment)


def _notify_city_if_grave(incident: Incident) -> None:
    """A grade-3 incident notifies the city office at once (after commit; once per incident)."""
    if incident.grade < 3 or incident.status in (IncidentStatus.DRAFT, IncidentStatus.RETURNED):
        return
    pk = incident.pk

    def send() -> None:
        from jiance.notifications.models import Kind
        from jiance.notifications.services import notify, office_people

        row = Incident.objects.select_related("school").get(pk=pk)
        city = row.school.ancestors().filter(level=Level.CITY).first()
        if city is None:
            return
        people = office_people([city], Level.CITY).get(city.pk, [])
        notify(recipients=people, unit=row.school, kind=Kind.INBOX, key=f"incident-{pk}-grade3",
               title=_("3 级应急事件：%(school)s %(kind)s") % {"school": row.school.name, "kind": row.kind_name},
               url=reverse("incidents:detail", args=[pk]), now=clock.now())

    transaction.on_commit(send)


@transaction.atomic
def incident_record(*, scope: Scope, cycle: Cycle, school: Unit, data: IncidentInput, actor: Any,
                    client_id: uuid.UUID | None = None, at: dt.datetime | None = None) -> Incident:
    """The school records an incident and reports it to the county in one step (the phone form):
    待确认 at once. Idempotent on `client_id`; `at` is when the person acted (offline queue)."""
    scope.require(roles.SCHOOL_OFFICE, school)
    if client_id is not None:
        done = Incident.objects.filter(client_id=client_id).first()
        if done is not None:
            return done
    now = clock.now()
    at = at or now
    incident = Incident(cycle=cycle, school=school, source=Source.SCHOOL, status=IncidentStatus.RECORDED,
                        client_id=client_id, created_at=at, created_by=actor, updated_at=now, recorded_at=at,
                        recorded_by=actor)
    students = _apply(incident, data, scope=scope, now=now)
    try:
        with transaction.atomic():
            incident.save()
    except IntegrityError:  # the same client_id, sent twice at once
        return Incident.objects.get(client_id=client_id)
    for s in students:
        s.incident = incident
    IncidentStudent.objects.bulk_create(students)
    _event(incident, IncidentAction.RECORD, actor=actor, at=at, from_status=IncidentStatus.DRAFT)
    audit_record(action=Action.CREATE, obj=incident, unit=school, actor=actor, after=snapshot(incident),
                 detail=f"应急事件登记上报：{incident}")
    _notify_city_if_grave(incident)
    transaction.on_commit(progress_changed)
    return incident


@transaction.atomic
def incident_save(*, scope: Scope, incident: Incident, data: IncidentInput, version: int | None, actor: Any) -> Incident:
    """The school completes a draft (from the custody ledger or a returned record)."""
    scope.require(roles.SCHOOL_OFFICE, incident.school)
    row = engine.lock(Incident, incident.pk)
    if version is not None and row.version != version:
        raise IncidentError(engine.stale_message(row))
    row.check_editable()
    before = snapshot(row)
    students = _apply(row, data, scope=scope, now=clock.now())
    fields = {f: getattr(row, f) for f in ("kind_code", "kind_name", "grade", "reported_grade", "occurred_at",
                                           "room", "session_code", "session_name", "what", "actions", "booklets")}
    engine.bump(row, **fields)
    IncidentStudent.objects.filter(incident=row).delete()
    for s in students:
        s.incident = row
    IncidentStudent.objects.bulk_create(students)
    audit_record(action=Action.UPDATE, obj=row, unit=row.school, actor=actor, before=before, after=snapshot(row),
                 detail=f"修改应急事件：{row}")
    transaction.on_commit(progress_changed)
    return row


def _check_step(action: str, grade: int, comment: str) -> Any:
    def check(row: Incident) -> None:
        if action == IncidentAction.RECORD and not row.what.strip():
            raise IncidentError(_("请先填写事件情况并保存，再上报。"))
        if action == IncidentAction.ESCALATE and grade < 2:
            raise IncidentError(_("1 级事件由样本校报区县，校长和区县巡视员处置，不报市级。"))
        if action == IncidentAction.HANDLE and row.status == IncidentStatus.CONFIRMED and grade >= 2:
            raise IncidentError(_("%(grade)s 级事件须先报市级，按市级决定的办法处置。") % {"grade": grade})
        if action == IncidentAction.CLOSE and row.grade >= 3 and not Evaluation.objects.filter(incident=row).exists():
            raise IncidentError(_("3 级事件须先填写评估（事件原因、过程、影响、等级、处置办法、处置效果），再办结。"))
    return check


@transaction.atomic
def incident_step(*, scope: Scope, incident: Incident, action: str, version: int | None, comment: str = "",
                  actor: Any, grade: int | None = None) -> Incident:
    """One step of the chain (record, confirm, return, escalate, decide, handle, close). On
    confirming, the inspector may set the grade; the text of escalate / decide / handle is kept as
    the proposal / decision / handling."""
    if action not in incident.chain.actions:
        raise IncidentError(_("未知的操作。"))
    new_grade = grade if action == IncidentAction.CONFIRM and grade in (1, 2, 3) else incident.grade
    note = comment.strip()
    if new_grade != incident.grade:
        note = (_("等级由 %(old)s 级调整为 %(new)s 级。") % {"old": incident.grade, "new": new_grade}) + note
    row = engine.transition(incident, action, scope=scope, actor=actor, comment=note, version=version,
                            check=_check_step(action, new_grade, comment))
    extra: dict[str, Any] = {}
    if new_grade != row.grade:
        extra["grade"] = new_grade
    text = comment.strip()
    if action == IncidentAction.ESCALATE:
        extra["proposal"] = text
    elif action == IncidentAction.DECIDE:
        extra["decision"] = text
    elif action == IncidentAction.HANDLE:
        extra["handling"] = text
        rules = rules_of(row.cycle)
        if report_clock_applies(rules, new_grade) and row.handled_at is not None:
            extra["report_due_at"] = report_due(row.handled_at, int(rules.report_within_minutes or 0))
    if extra:
        Incident.objects.filter(pk=row.pk).update(**extra)
        for k, v in extra.items():
            setattr(row, k, v)
    if action in (IncidentAction.RECORD, IncidentAction.CONFIRM):
        _notify_city_if_grave(row)
    transaction.on_commit(progress_changed)
    return row


def _side_step(row: Incident, action: str, *, version: int | None, actor: Any, comment: str,
               **fields: Any) -> Incident:
    """A recorded step that leaves the status as it is (report to the centre, evaluation)."""
    if version is not None and row.version != version:
        raise IncidentError(engine.stale_message(row))
    engine.bump(row, **fields)
    _event(row, action, actor=actor, at=clock.now(), from_status=row.status, comment=comment)
    audit_record(action=Action.UPDATE, obj=row, unit=row.school, actor=actor, after={"version": row.version, **{
        k: str(v) for k, v in fields.items() if not hasattr(v, "pk")}},
        detail=f"应急事件{IncidentAction(action).label}" + (f"：{comment}" if comment else ""))
    transaction.on_commit(progress_changed)
    return row


@transaction.atomic
def incident_report_centre(*, scope: Scope, incident: Incident, version: int | None, actor: Any,
                           comment: str = "") -> Incident:
    """The report to the centre after handling (Chongqing: within 1 hour [003]); late is recorded
    as late, never refused."""
    scope.require(roles.CENTRE_REPORTERS, incident.school)
    row = engine.lock(Incident, incident.pk)
    if row.report_due_at is None or row.handled_at is None:
        raise IncidentError(_("该事件尚未处置完毕，或本周期不要求处置后报告监测中心。"))
    if row.reported_at is not None:
        raise IncidentError(_("该事件已于 %(at)s 报告监测中心。") % {"at": engine._when(row.reported_at)})
    return _side_step(row, IncidentAction.REPORT, version=version, actor=actor, comment=comment.strip(),
                      reported_at=clock.now(), reported_by=actor)


@transaction.atomic
def incident_evaluate(*, scope: Scope, incident: Incident, version: int | None, actor: Any,
                      values: dict[str, str]) -> Incident:
    """The county's evaluation of a grade-3 incident, after handling (may be corrected until closed)."""
    scope.require(roles.COUNTY_OFFICE, incident.school)
    row = engine.lock(Incident, incident.pk)
    if row.grade < 3:
        raise IncidentError(_("只有 3 级事件需要填写评估。"))
    if row.status != IncidentStatus.HANDLED:
        raise IncidentError(_("事件处置完毕后、办结前填写评估（当前状态为“%(status)s”）。")
                            % {"status": row.get_status_display()})
    labels = {f: str(getattr(Evaluation._meta.get_field(f), "verbose_name", f)) for f in Evaluation.FIELDS}
    clean = {f: _check_text(values.get(f, ""), labels[f], required=True) for f in Evaluation.FIELDS}
    Evaluation.objects.update_or_create(incident=row, defaults={**clean, "written_at": clock.now(),
                                                                "written_by": actor})
    return _side_step(row, IncidentAction.EVALUATE, version=version, actor=actor, comment=clean["result"][:200])


def report_exported(*, unit: Unit, actor: Any, title: str, fmt: str, rows: int) -> None:
    """The report table left the platform (what happened at a school may name people): audited."""
    audit_record(action=Action.EXPORT, object_type="incidents.report", object_id=unit.code,
                 object_repr=f"{unit.name}{title}", unit=unit, actor=actor, detail=f"导出{title}（{rows} 起，{fmt}）")
