"""Thin views of the local supervision line: the county's number and call log (a phone page under
the offline contract), and a call turned into an incident in one step."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from jiance import clock
from jiance.accounts import roles
from jiance.accounts.scoping import get_scope
from jiance.cycles.selectors import current_cycle
from jiance.errors import refusal_shown
from jiance.incidents import hotline, selectors
from jiance.incidents.catalogue import rules_of
from jiance.incidents.forms import CallForm, ConvertForm, first_error, local_input
from jiance.incidents.models import IncidentError
from jiance.offline import OfflineStampError, client_stamp, queued_reply
from jiance.units.models import Level, Unit


@login_required
@require_http_methods(["GET", "POST"])
def calls(request: HttpRequest, code: str) -> HttpResponse:
    scope = get_scope(request)
    county = scope.get_unit(code=code)
    if county.level != Level.COUNTY:
        raise Http404
    scope.require(roles.INCIDENT_OVERSEERS, county)
    cycle = current_cycle(scope=scope)
    schools = selectors.county_schools(scope=scope, cycle=cycle, county=county)
    choices = [(s.pk, f"{s.code} {s.name}") for s in schools]
    can_log = scope.holds(roles.HOTLINE_KEEPERS, county)
    if request.method == "POST":
        scope.require(roles.HOTLINE_KEEPERS, county)
        form = CallForm(request.POST, schools=choices)
        try:
            stamp = client_stamp(request)
        except OfflineStampError as exc:
            return queued_reply(str(exc), refused=True)
        if form.is_valid():
            d = form.cleaned_data
            school = next((s for s in schools if s.pk == d.get("school")), None)
            try:
                hotline.hotline_call_log(scope=scope, cycle=cycle, county=county, actor=request.user, at=d["at"],
                                         caller=d["caller"], content=d["content"], handling=d["handling"],
                                         school=school, client_id=stamp.client_id)
            except IncidentError as exc:
                if stamp.queued:
                    return queued_reply(str(exc), refused=True)
                form.add_error(None, str(exc))
            else:
                if stamp.queued:
                    return queued_reply(_("来电已记录"))
                messages.success(request, _("来电已记录"))
                return redirect("incidents:hotline", code=county.code)
        elif stamp.queued:
            return queued_reply(first_error(form), refused=True)
    else:
        form = CallForm(initial={"at": local_input(clock.now())}, schools=choices)
    rules = rules_of(cycle)
    return render(request, "incidents/hotline.html", {
        "cycle": cycle, "unit": county, "form": form, "can_log": can_log,
        "numbers": hotline.published_numbers(cycle=cycle, county=county),
        "calls": list(selectors.calls_of(scope=scope, cycle=cycle, county=county)[:300]),
        "kinds": [(k.code, f"{k.name}（{k.grade} 级）") for k in rules.kinds], "self_check": _self_check(cycle, county),
    })


def _self_check(cycle: object, county: Unit) -> str:
    """The code of the county's self-check list (where the number is published), if the cycle has one."""
    for d in (getattr(cycle, "config", None) or {}).get("documents") or []:
        if d.get("form") == "checklist" and d.get("submitted_by") == "county" and any(
                i.get("answer") == "phone" for i in d.get("items") or []):
            return str(d.get("code", ""))
    return ""


@login_required
@require_POST
def call_to_incident(request: HttpRequest, call_id: int) -> HttpResponse:
    scope = get_scope(request)
    call = selectors.call_get(scope=scope, pk=call_id)
    form = ConvertForm(request.POST, rules=rules_of(call.cycle))
    if not form.is_valid():
        messages.error(request, first_error(form))
        return redirect("incidents:hotline", code=call.county.code)
    incident = None
    with refusal_shown(request, IncidentError, _("已转为应急事件，待区县巡视员确认")):
        grade = int(form.cleaned_data["grade"]) if form.cleaned_data.get("grade") else None
        incident = hotline.hotline_call_to_incident(scope=scope, call=call, actor=request.user,
                                                    kind_code=form.cleaned_data["kind"], grade=grade)
    if incident is not None:
        return redirect("incidents:detail", incident_id=incident.pk)
    return redirect("incidents:hotline", code=call.county.code)
