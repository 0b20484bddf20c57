"""Discipline cases (违纪处理规定 [003]): recorded by the school (office, proctors) or the
inspector against the person, the room and the session, from the cycle's catalogue; confirmed
(or not) by the county inspector (责任督学); a student offence ends the student's participation,
marked on the run's check-in at once and in every later session."""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from jiance import clock
from jiance.accounts import roles
from jiance.accounts.scoping import Scope
from jiance.apps_registry import progress_changed
from jiance.audit.models import Action
from jiance.audit.services import audit_record
from jiance.cycles.models import Cycle
from jiance.proctoring.models import (
    OTHER,
    CaseStatus,
    CheckIn,
    DisciplineCase,
    OffenderKind,
    Presence,
    ProctoringError,
)
from jiance.proctoring.services import _bump, _set_presence, check_version, run_for, session_line
from jiance.testday.models import TestRoom
from jiance.testday.selectors import seats_of
from jiance.units.models import Unit
from jiance_core.cycles.discipline import Discipline


def catalogue(cycle: Cycle) -> Discipline:
    """The cycle's discipline catalogue (empty when the cycle has none: only "other" then)."""
    return Discipline.model_validate((cycle.config or {}).get("discipline") or {})


@dataclass(frozen=True)
class CaseInput:
    kind: str
    offence: str
    description: str
    room: TestRoom | None = None
    session: str = ""
    seat_number: int | None = None
    person_name: str = ""
    person_post: str = ""
    other_tier: int | None = None


@transaction.atomic
def case_record(*, scope: Scope, cycle: Cycle, school: Unit, data: CaseInput, actor: Any,
                client_id: uuid.UUID | None = None, at: dt.datetime | None = None) -> DisciplineCase:
    if client_id is not None and (done := DisciplineCase.objects.filter(client_id=client_id).first()):
        return done
    scope.require(roles.DISCIPLINE_RECORDERS, school)
    at = at or clock.now()
    if data.kind not in OffenderKind.values:
        raise ProctoringError(_("请选择违纪的是工作人员还是学生。"))
    tiers = catalogue(cycle).tiers(data.kind)
    if data.offence == OTHER:
        tier_no = data.other_tier or (tiers[0].tier if tiers else None)
        tier = next((t for t in tiers if t.tier == tier_no), None)
        text = _("其他")
    else:
        found = catalogue(cycle).offence(data.offence)
        if found is None or found[0] != data.kind:
            raise ProctoringError(_("违纪情形“%(code)s”不在本周期的违纪处理规定中。") % {"code": data.offence})
        _kind, tier, offence = found
        text = offence.text
    description = data.description.strip()
    if not description:
        raise ProctoringError(_("请填写情况说明（经过、已采取的措施）。"))
    if data.room is not None and data.room.school_id != school.pk:
        raise ProctoringError(_("监测室不属于本校。"))
    if data.session and data.room is None:
        raise ProctoringError(_("登记场次时须同时选择监测室。"))
    line = session_line(data.room, data.session) if data.room is not None and data.session else None
    case = DisciplineCase(cycle=cycle, school=school, room=data.room, session=data.session, kind=data.kind,
                          offence=data.offence, offence_text=text, tier=tier.tier if tier else None,
                          handling=tier.handling if tier else "", description=description, at=at,
                          recorded_by=actor, recorded_at=clock.now(), client_id=client_id)
    seat = None
    if data.kind == OffenderKind.STUDENT:
        if data.room is None or line is None or data.seat_number is None:
            raise ProctoringError(_("学生违纪须写明监测室、场次和座位号。"))
        seat = seats_of(scope=scope, room=data.room).filter(seat=data.seat_number).first()
        if seat is None:
            raise ProctoringError(_("本监测室没有 %(n)s 号座位的学生。") % {"n": data.seat_number})
        case.student_id = seat.student_id
        case.ends_participation = tier.ends_participation if tier else True
    else:
        if not data.person_name.strip():
            raise ProctoringError(_("工作人员违纪须写明姓名。"))
        case.person_name, case.person_post = data.person_name.strip()[:50], data.person_post.strip()[:50]
    _bump(case, actor, clock.now())
    case.save()
    if seat is not None and case.ends_participation and data.room is not None:
        run = run_for(room=data.room, session=data.session, lock=True)
        _set_presence(run, seat, Presence.ENDED, actor=actor, at=at, how="system")
    audit_record(action=Action.CREATE, obj=case, unit=school, actor=actor,
                 after={"kind": case.kind, "offence": case.offence, "tier": case.tier},
                 detail=_("登记违纪：%(text)s") % {"text": text})
    transaction.on_commit(progress_changed)
    return case


@transaction.atomic
def case_decide(*, scope: Scope, case: DisciplineCase, confirm: bool, actor: Any, version: int | None,
                comment: str = "", client_id: uuid.UUID | None = None) -> DisciplineCase:
    """The inspector confirms the case, or does not (with a reason: then a student's
    participation is restored)."""
    scope.require(roles.INSPECTORS, case.school)
    case = DisciplineCase.objects.select_for_update(of=("self",)).select_related("school", "room").get(pk=case.pk)
    if client_id is not None and case.status != CaseStatus.RECORDED and case.changed_at is not None:
        # the same decision sent again by the queue
        target = CaseStatus.CONFIRMED if confirm else CaseStatus.REJECTED
        if case.status == target and case.decided_by_id == getattr(actor, "pk", None):
            return case
    check_version(case, version, noun=_("违纪记录"), state=case.get_status_display())
    if case.status != CaseStatus.RECORDED:
        raise ProctoringError(_("违纪记录已于 %(at)s %(status)s。") % {
            "at": case.decided_at.strftime("%m-%d %H:%M") if case.decided_at else "", "status": case.get_status_display()})
    comment = (comment or "").strip()
    if not confirm and not comment:
        raise ProctoringError(_("不予确认时必须填写理由。"))
    now = clock.now()
    case.status = CaseStatus.CONFIRMED if confirm else CaseStatus.REJECTED
    case.decided_by, case.decided_at, case.comment = actor, now, comment
    _bump(case, actor, now)
    case.save()
    if not confirm and case.student_id and case.room is not None and case.session:
        for row in CheckIn.objects.filter(run__room=case.room, run__session=case.session, student_id=case.student_id,
                                          status=Presence.ENDED).select_related("run", "seat"):
            _set_presence(row.run, row.seat, Presence.PRESENT, actor=actor, at=now, how="system")
    audit_record(action=Action.APPROVE if confirm else Action.RETURN, obj=case, unit=case.school, actor=actor,
                 after={"status": case.status, "comment": comment}, detail=_("督学确认违纪记录：%(s)s")
                 % {"s": case.get_status_display()})
    transaction.on_commit(progress_changed)
    return case
