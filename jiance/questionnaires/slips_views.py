"""The school's login slips (登录条): teachers' logins from the teacher roster (the questionnaire of
the role chosen there), students' logins printed with the room list — shown only through
`released_sample`, so nobody at the school sees a sampled student before the release time.
A slip carries a login number and a short code; a school user sees slips, never answers."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from jiance.accounts.roles import SCHOOL_OFFICE
from jiance.accounts.scoping import get_scope
from jiance.cycles.selectors import current_cycle
from jiance.errors import refusal_shown
from jiance.questionnaires.models import Kind, QuestionnaireError, Respondent
from jiance.questionnaires.selectors import codes_for
from jiance.questionnaires.services.respondents import slips_issue
from jiance.rosters.selectors import released_sample
from jiance.units.models import Level, Unit


def _school(request: HttpRequest, code: str) -> Unit:
    scope = get_scope(request)
    school = scope.get(Unit.objects.filter(level=Level.SCHOOL), unit_field="self", code=code)
    scope.require(SCHOOL_OFFICE, school)
    return school


@login_required
@require_GET
def slips(request: HttpRequest, code: str) -> HttpResponse:
    school = _school(request, code)
    scope = get_scope(request)
    cycle = current_cycle(scope=scope)
    names = {q["code"]: q["name"] for q in cycle.config.get("questionnaires") or []}
    teachers = list(Respondent.objects.filter(cycle=cycle, unit=school, kind=Kind.TEACHER).select_related("teacher"))
    visible = set(released_sample(scope=scope, cycle=cycle).filter(school=school).values_list("student_id", flat=True))
    students = [r for r in Respondent.objects.filter(cycle=cycle, unit=school, kind=Kind.STUDENT).order_by("login")
                if r.student_id in visible]
    rows = [(r, "、".join(names.get(c, c) for c in codes_for(r))) for r in teachers + students]
    return render(request, "questionnaires/slips.html", {
        "school": school, "cycle": cycle, "rows": rows, "hidden_students": not visible,
        "start_url": request.build_absolute_uri("/questionnaires/answer/"),
    })


@login_required
@require_POST
def issue(request: HttpRequest, code: str) -> HttpResponse:
    school = _school(request, code)
    cycle = current_cycle(scope=get_scope(request))
    with refusal_shown(request, QuestionnaireError, _("登录条已生成")):
        slips_issue(cycle=cycle, school=school)
    return redirect("questionnaires:slips", code=school.code)
