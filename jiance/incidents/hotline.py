"""The local supervision line (本地监督专线 [000, 001, 002]): each county publishes a number (in its
self-check list, 《县级测试准备工作自查清单》, which puts it on its schools' notice boards as a
`testday.ReportPhone`); on test day the person on duty logs every call, and a call about a school
becomes an incident of that school in one step."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from jiance import clock
from jiance.accounts import roles
from jiance.accounts.scoping import Scope
from jiance.audit.models import Action
from jiance.audit.services import audit_record, snapshot
from jiance.cycles.models import Cycle
from jiance.incidents.catalogue import rules_of
from jiance.incidents.models import (
    HotlineCall,
    Incident,
    IncidentAction,
    IncidentError,
    IncidentStatus,
    Source,
)
from jiance.incidents.services import MAX_TEXT, _event, _notify_city_if_grave
from jiance.testday.models import ReportPhone
from jiance.units.models import Level, Unit


def published_numbers(*, cycle: Cycle, county: Unit) -> list[ReportPhone]:
    """The county's published lines for the cycle (its self-check list's 本地监督电话 first)."""
    from jiance.documents.services import SUPERVISION_PHONE_LABEL

    rows = list(ReportPhone.objects.filter(cycle=cycle, unit=county).order_by("pk"))
    return sorted(rows, key=lambda p: p.label != SUPERVISION_PHONE_LABEL)


def _text(value: str, label: str, *, required: bool, limit: int = MAX_TEXT) -> str:
    value = (value or "").strip()
    if required and not value:
        raise IncidentError(_("请填写%(label)s。") % {"label": label})
    if len(value) > limit:
        raise IncidentError(_("%(label)s过长（最多 %(n)s 字）。") % {"label": label, "n": limit})
    return value


@transaction.atomic
def hotline_call_log(*, scope: Scope, cycle: Cycle, county: Unit, actor: Any, at: dt.datetime, caller: str,
                     content: str, handling: str = "", school: Unit | None = None,
                     client_id: uuid.UUID | None = None) -> HotlineCall:
    """Log one call (the phone form; idempotent on `client_id`, `at` = the time of the call)."""
    scope.require(roles.HOTLINE_KEEPERS, county)
    if client_id is not None:
        done = HotlineCall.objects.filter(client_id=client_id).first()
        if done is not None:
            return done
    if at > clock.now() + dt.timedelta(minutes=5):
        raise IncidentError(_("来电时间晚于当前时间，请检查。"))
    if school is not None and (school.level != Level.SCHOOL or not school.path.startswith(county.path)):
        raise IncidentError(_("所选学校不在本区县。"))
    call = HotlineCall(cycle=cycle, county=county, at=at, school=school, logged_by=actor, logged_at=clock.now(),
                       client_id=client_id, caller=_text(caller, _("来电人"), required=True, limit=100),
                       content=_text(content, _("来电内容"), required=True),
                       handling=_text(handling, _("处理情况"), required=False))
    try:
        with transaction.atomic():
            call.save()
    except IntegrityError:
        return HotlineCall.objects.get(client_id=client_id)
    audit_record(action=Action.CREATE, obj=call, unit=county, actor=actor, after=snapshot(call),
                 detail=f"监督专线来电记录：{call}")
    return call


@transaction.atomic
def hotline_call_to_incident(*, scope: Scope, call: HotlineCall, actor: Any, kind_code: str,
                             grade: int | None = None) -> Incident:
    """The call becomes an incident of its school in one step: recorded (待确认) by the person on
    duty, for the inspector to confirm; the call keeps the link. Once only."""
    scope.require(roles.HOTLINE_KEEPERS, call.county)
    call = HotlineCall.objects.select_for_update().get(pk=call.pk)
    if call.incident_id is not None:
        raise IncidentError(_("该来电已转为应急事件。"))
    school = call.school
    if school is None:
        raise IncidentError(_("来电未注明涉及的学校，不能转为应急事件；请先补记学校。"))
    kind = rules_of(call.cycle).kind(kind_code)
    if kind is None:
        raise IncidentError(_("应急事件类别“%(code)s”不在本周期的事件目录中，请重新选择。") % {"code": kind_code})
    grade = grade if grade in (1, 2, 3) else kind.grade
    now = clock.now()
    incident = Incident.objects.create(
        cycle=call.cycle, school=school, source=Source.HOTLINE, status=IncidentStatus.RECORDED,
        kind_code=kind.code, kind_name=kind.name, grade=grade, reported_grade=grade, occurred_at=call.at,
        what=_("监督专线来电（%(caller)s）：%(content)s") % {"caller": call.caller, "content": call.content},
        actions=call.handling, created_at=now, created_by=actor, updated_at=now, recorded_at=now, recorded_by=actor,
    )
    _event(incident, IncidentAction.RECORD, actor=actor, at=now, from_status=IncidentStatus.DRAFT,
           comment=_("由监督专线来电转入"))
    HotlineCall.objects.filter(pk=call.pk).update(incident=incident)
    audit_record(action=Action.CREATE, obj=incident, unit=call.county, actor=actor, after=snapshot(incident),
                 detail=f"监督专线来电转为应急事件：{incident}")
    _notify_city_if_grave(incident)
    return incident
