"""Thin views of incidents: permission → form → service → render. The record form is a phone
page under the offline contract (`jiance.offline`)."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from jiance import clock
from jiance.accounts import roles
from jiance.accounts.scoping import Scope, get_scope
from jiance.cycles.models import Cycle
from jiance.cycles.selectors import current_cycle
from jiance.documents.printing import table_pdf, table_xlsx
from jiance.errors import refusal_shown
from jiance.http import download
from jiance.incidents import selectors, services
from jiance.incidents.catalogue import kinds_by_group, report_clock_applies, rules_of, sessions_of
from jiance.incidents.forms import EvaluationForm, IncidentForm, StepForm, first_error, local_input
from jiance.incidents.models import (
    Evaluation,
    Incident,
    IncidentAction,
    IncidentError,
    IncidentStatus,
)
from jiance.incidents.reports import incident_table
from jiance.offline import OfflineStampError, client_stamp, queued_reply
from jiance.review.engine import allowed_actions
from jiance.testday.models import Seat, TestRoom
from jiance.units.models import Level, Unit
from jiance_core.incidents import report_state


@login_required
@require_GET
def home(request: HttpRequest) -> HttpResponse:
    scope = get_scope(request)
    scope.require(roles.INCIDENT_READERS)
    unit = selectors.readable_units(scope).first()
    if unit is None:
        raise Http404
    return redirect("incidents:unit", code=unit.code)


def _unit(request: HttpRequest, code: str) -> tuple[Scope, Cycle, Unit]:
    scope = get_scope(request)
    # Readers of a unit's list: its test-day staff (a county's custodian too: a box that does not
    # match its contents becomes an incident) and the overseers at or above it.
    unit = roles.unit_for(scope, code, roles.INCIDENT_READERS)
    return scope, current_cycle(scope=scope), unit


@login_required
@require_GET
def unit_page(request: HttpRequest, code: str) -> HttpResponse:
    scope, cycle, unit = _unit(request, code)
    wanted = request.GET.get("show", "all")
    if wanted not in selectors.FILTERS:
        wanted = "all"
    qs = selectors.incidents_under(scope=scope, cycle=cycle, unit=unit)
    rules = rules_of(cycle)
    return render(request, "incidents/unit.html", {
        "cycle": cycle, "unit": unit, "counts": selectors.counts(qs), "wanted": wanted,
        "incidents": list(selectors.filtered(qs, wanted)[:500]), "rules": rules,
        "can_record": unit.level == Level.SCHOOL and scope.holds(roles.SCHOOL_OFFICE, unit),
        "can_hotline": unit.level == Level.COUNTY and scope.holds(roles.INCIDENT_OVERSEERS, unit),
        "filters": [("all", _("全部")), ("open", _("未办结")), ("grade3", _("3 级")), ("grade2", _("2 级")),
                    ("grade1", _("1 级")), ("overdue", _("逾期未报告")), ("closed", _("已办结"))],
        "now": clock.now(),
    })


@login_required
@require_GET
def report(request: HttpRequest, code: str, fmt: str) -> HttpResponse:
    _scope, cycle, unit = _unit(request, code)
    if fmt not in ("pdf", "xlsx"):
        raise Http404
    table = incident_table(cycle=cycle, unit=unit)
    content = table_pdf(table, cycle_name=cycle.name) if fmt == "pdf" else table_xlsx(table, cycle_name=cycle.name)
    services.report_exported(unit=unit, actor=request.user, title=table.title, fmt=fmt, rows=len(table.rows))
    return download(content, f"{unit.code}_{table.title}.{fmt}")


@login_required
@require_GET
def catalogue(request: HttpRequest) -> HttpResponse:
    scope = get_scope(request)
    scope.require(roles.INCIDENT_READERS)
    cycle = current_cycle(scope=scope)
    rules = rules_of(cycle)
    return render(request, "incidents/catalogue.html", {"cycle": cycle, "rules": rules,
                                                         "groups": kinds_by_group(rules)})


def _form(cycle: Cycle, school: Unit, scope: Scope, data: Any = None, initial: Any = None) -> IncidentForm:
    rooms = [(r.pk, f"{r.name}（{r.stage_label}）") for r in
             TestRoom.objects.filter(cycle=cycle, school=school).order_by("stage", "number")]
    visible = services.released_students(scope=scope, cycle=cycle, school=school)
    seats = {sid: (room, seat) for sid, room, seat in
             Seat.objects.filter(student_id__in=list(visible)).values_list("student_id", "room__number", "seat")}
    students = sorted(
        ((sid, _("第%(room)s室 %(seat)02d号 %(name)s") % {"room": seats[sid][0], "seat": seats[sid][1],
                                                        "name": row.student.name}
          if sid in seats else row.student.name) for sid, row in visible.items()),
        key=lambda x: (seats.get(x[0], (999, 999)), x[1]))
    return IncidentForm(data, initial=initial, rules=rules_of(cycle), rooms=rooms, sessions=sessions_of(cycle),
                        students=students)


@login_required
@require_http_methods(["GET", "POST"])
def record(request: HttpRequest, code: str) -> HttpResponse:
    """The phone page: the school's information officer records an incident and reports it."""
    scope, cycle, school = _unit(request, code)
    if school.level != Level.SCHOOL:
        raise Http404
    scope.require(roles.SCHOOL_OFFICE, school)
    if request.method == "POST":
        form = _form(cycle, school, scope, request.POST)
        try:
            stamp = client_stamp(request)
        except OfflineStampError as exc:
            return queued_reply(str(exc), refused=True)
        if form.is_valid():
            try:
                incident = services.incident_record(scope=scope, cycle=cycle, school=school, data=form.to_input(),
                                                    actor=request.user, client_id=stamp.client_id, at=stamp.at)
            except IncidentError as exc:
                if stamp.queued:
                    return queued_reply(str(exc), refused=True)
                form.add_error(None, str(exc))
            else:
                done = _("已登记并上报区县：%(kind)s（%(grade)s 级）") % {"kind": incident.kind_name, "grade": incident.grade}
                if stamp.queued:
                    return queued_reply(done)
                messages.success(request, done)
                return redirect("incidents:detail", incident_id=incident.pk)
        elif stamp.queued:
            return queued_reply(first_error(form), refused=True)
    else:
        form = _form(cycle, school, scope, initial={"occurred_at": local_input(clock.now()),
                                                     "kind": request.GET.get("kind", "")})
    rules = rules_of(cycle)
    today = selectors.incidents_under(scope=scope, cycle=cycle, unit=school).filter(
        occurred_at__date=clock.today())
    return render(request, "incidents/record.html", {
        "cycle": cycle, "unit": school, "form": form, "rules": rules,
        "handling": {k.code: k.handling for k in rules.kinds}, "incident": None, "today_list": list(today[:30]),
    })


def _detail_context(request: HttpRequest, scope: Scope, incident: Incident) -> dict[str, Any]:
    rules = rules_of(incident.cycle)
    can = allowed_actions(incident, scope)
    visible = services.released_students(scope=scope, cycle=incident.cycle, school=incident.school)
    proposal = []
    kind = rules.kind(incident.kind_code)
    if kind is not None and kind.rule == "drop_by_seat" and incident.room is not None and incident.booklets is not None:
        proposal = services.drop_proposal(room=incident.room, booklets=incident.booklets, student_ids=visible)
    evaluation = Evaluation.objects.filter(incident=incident).first()
    clock_runs = report_clock_applies(rules, incident.grade)
    state = report_state(handled_at=incident.handled_at, reported_at=incident.reported_at,
                         minutes=rules.report_within_minutes if clock_runs else None, now=clock.now())
    return {
        "cycle": incident.cycle, "incident": incident, "unit": incident.school, "kind": kind, "rules": rules,
        "grade_rule": next((g for g in rules.grades if g.grade == incident.grade), None),
        "students": selectors.people_names(incident, visible),
        "proposal": [{"seat": p.seat, "name": visible[p.student].student.name if p.student in visible else ""}
                     for p in proposal],
        "events": incident.events.select_related("actor").all(), "can": can,
        "can_edit": incident.editable and scope.holds(roles.SCHOOL_OFFICE, incident.school),
        "can_report": state in ("due", "overdue") and scope.holds(roles.CENTRE_REPORTERS, incident.school),
        "can_evaluate": (incident.grade >= 3 and incident.status == IncidentStatus.HANDLED
                         and scope.holds(roles.COUNTY_OFFICE, incident.school)),
        "report_state": state, "evaluation": evaluation,
        "evaluation_form": EvaluationForm(initial={f: getattr(evaluation, f) for f in Evaluation.FIELDS}
                                          if evaluation else None),
        "call": getattr(incident, "hotline_call", None),
    }


@login_required
@require_GET
def detail(request: HttpRequest, incident_id: int) -> HttpResponse:
    scope = get_scope(request)
    incident = selectors.incident_get(scope=scope, pk=incident_id)
    if incident.status == IncidentStatus.DRAFT and not scope.holds(roles.SCHOOL_TESTDAY, incident.school):
        raise Http404  # nobody above the school sees what it has not reported
    return render(request, "incidents/detail.html", _detail_context(request, scope, incident))


@login_required
@require_http_methods(["GET", "POST"])
def edit(request: HttpRequest, incident_id: int) -> HttpResponse:
    """The school completes a draft (custody) or corrects a returned record, then reports it."""
    scope = get_scope(request)
    incident = selectors.incident_get(scope=scope, pk=incident_id)
    scope.require(roles.SCHOOL_OFFICE, incident.school)
    if not incident.editable:  # reported already: the page shows its status (a post is told why)
        if request.method == "POST":
            messages.error(request, str(IncidentError(_("当前状态为“%(status)s”，已上报，不能修改；如需更正，请联系区县巡视员退回。")
                                                      % {"status": incident.get_status_display()})))
        return redirect("incidents:detail", incident_id=incident.pk)
    if request.method == "POST":
        form = _form(incident.cycle, incident.school, scope, request.POST)
        version = _version(request)
        if form.is_valid():
            try:
                row = services.incident_save(scope=scope, incident=incident, data=form.to_input(), version=version,
                                             actor=request.user)
                if "record" in request.POST:
                    services.incident_step(scope=scope, incident=row, action=IncidentAction.RECORD,
                                           version=row.version, actor=request.user)
                    messages.success(request, _("已上报区县"))
                else:
                    messages.success(request, _("已保存"))
                return redirect("incidents:detail", incident_id=incident.pk)
            except IncidentError as exc:
                form.add_error(None, str(exc))
    else:
        form = _form(incident.cycle, incident.school, scope, initial={
            "kind": incident.kind_code, "grade": str(incident.grade), "occurred_at": local_input(incident.occurred_at),
            "room": incident.room_id or "", "session": incident.session_code, "what": incident.what,
            "actions": incident.actions, "booklets": incident.booklets,
            "students": [s.student_id for s in incident.students.all()],
        })
    rules = rules_of(incident.cycle)
    return render(request, "incidents/record.html", {
        "cycle": incident.cycle, "unit": incident.school, "form": form, "rules": rules, "incident": incident,
        "handling": {k.code: k.handling for k in rules.kinds},
    })


def _version(request: HttpRequest) -> int | None:
    raw = request.POST.get("version", "")
    return int(raw) if raw.isdigit() else None


@login_required
@require_POST
def step(request: HttpRequest, incident_id: int) -> HttpResponse:
    scope = get_scope(request)
    incident = selectors.incident_get(scope=scope, pk=incident_id)
    form = StepForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("提交的内容有误，请刷新页面后重试"))
        return redirect("incidents:detail", incident_id=incident.pk)
    d = form.cleaned_data
    action = d["action"]
    if action not in incident.chain.actions:
        raise Http404
    label = incident.chain.actions[action].label
    with refusal_shown(request, IncidentError, _("已%(action)s") % {"action": label}):
        services.incident_step(scope=scope, incident=incident, action=action, version=d.get("version"),
                               comment=d.get("comment") or "", actor=request.user, grade=d.get("grade"))
    return redirect("incidents:detail", incident_id=incident.pk)


@login_required
@require_POST
def report_centre(request: HttpRequest, incident_id: int) -> HttpResponse:
    scope = get_scope(request)
    incident = selectors.incident_get(scope=scope, pk=incident_id)
    with refusal_shown(request, IncidentError, _("已记录报告监测中心")):
        services.incident_report_centre(scope=scope, incident=incident, version=_version(request), actor=request.user,
                                        comment=request.POST.get("comment", "")[:1000])
    return redirect("incidents:detail", incident_id=incident.pk)


@login_required
@require_POST
def evaluate(request: HttpRequest, incident_id: int) -> HttpResponse:
    scope = get_scope(request)
    incident = selectors.incident_get(scope=scope, pk=incident_id)
    scope.require(roles.COUNTY_OFFICE, incident.school)
    form = EvaluationForm(request.POST)
    if not form.is_valid():
        messages.error(request, first_error(form))
        return redirect("incidents:detail", incident_id=incident.pk)
    with refusal_shown(request, IncidentError, _("评估已保存")):
        services.incident_evaluate(scope=scope, incident=incident, version=form.cleaned_data.get("version"),
                                   actor=request.user, values=form.cleaned_data)
    return redirect("incidents:detail", incident_id=incident.pk)
