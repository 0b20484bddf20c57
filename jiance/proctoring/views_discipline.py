"""Thin views of discipline cases: the school records one, the inspector confirms it."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from jiance.accounts import roles
from jiance.accounts.scoping import get_scope
from jiance.cycles.selectors import current_cycle
from jiance.offline import OfflineStampError, client_stamp, is_queued, queued_reply
from jiance.proctoring import selectors
from jiance.proctoring.discipline import CaseInput, case_decide, case_record, catalogue
from jiance.proctoring.forms import CaseForm, DecideForm
from jiance.proctoring.models import ProctoringError
from jiance.proctoring.views import _acted, _form_error, _school
from jiance.testday.selectors import rooms_of, sessions_for


@login_required
@require_http_methods(["GET", "POST"])
def case_new(request: HttpRequest, code: str) -> HttpResponse:
    school = _school(request, code, roles.DISCIPLINE_RECORDERS)
    scope = get_scope(request)
    cycle = current_cycle(scope=scope)
    rooms = list(rooms_of(scope=scope, cycle=cycle, school=school))
    sessions = list({s.code: s for r in rooms for s in sessions_for(cycle, r.stage)}.values())
    form = CaseForm(request.POST or None, catalogue=catalogue(cycle), rooms=rooms, sessions=sessions,
                    initial={"room": request.GET.get("room"), "session": request.GET.get("session")})
    if request.method == "POST":
        if not form.is_valid():
            if is_queued(request):
                return _form_error(request, request.path, form)
        else:
            d = form.cleaned_data
            room = next((r for r in rooms if r.pk == d["room"]), None)
            data = CaseInput(kind=d["kind"], offence=d["offence"], description=d["description"], room=room,
                             session=d["session"] or "", seat_number=d["seat"], person_name=d["person_name"],
                             person_post=d["person_post"])
            try:
                stamp = client_stamp(request)
                case_record(scope=scope, cycle=cycle, school=school, data=data, actor=request.user,
                            client_id=stamp.client_id, at=stamp.at)
            except (ProctoringError, OfflineStampError) as exc:
                if is_queued(request):
                    return queued_reply(str(exc), refused=True)
                form.add_error(None, str(exc))
            else:
                if stamp.queued:
                    return queued_reply(_("违纪记录已登记，待督学确认。"))
                messages.success(request, _("违纪记录已登记，待督学确认。"))
                return redirect("proctoring:school", code=school.code)
    return render(request, "proctoring/case_new.html", {"school": school, "cycle": cycle, "form": form,
                                                         "discipline": catalogue(cycle)})


@login_required
@require_POST
def case_decide_view(request: HttpRequest, case_id: int) -> HttpResponse:
    scope = get_scope(request)
    case = selectors.case_get(scope=scope, pk=case_id)
    back = request.POST.get("back") or ""
    if not back.startswith("/proctoring/"):
        back = reverse("proctoring:school", args=[case.school.code])
    form = DecideForm(request.POST)
    if not form.is_valid():
        return _form_error(request, back, form)
    d = form.cleaned_data
    return _acted(request, back, lambda stamp: case_decide(
        scope=scope, case=case, confirm=d["decision"] == "confirm", actor=request.user, version=d["version"],
        comment=d["comment"], client_id=stamp.client_id), _("已处理违纪记录。"))
