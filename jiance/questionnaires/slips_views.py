"""The school's login slips (登录条): teachers' logins from the teacher roster (the questionnaire of
the role chosen there), students' logins printed with the room list — shown only through
`released_sample`, so nobody at the school sees a sampled student before the release time.
A slip carries a login number and a short code; a school user sees slips, never answers."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from jiance.accounts.models import RoleAssignment
from jiance.accounts.roles import PRINCIPAL, SCHOOL_OFFICE
from jiance.accounts.scoping import get_scope
from jiance.cycles.models import Cycle
from jiance.cycles.selectors import current_cycle
from jiance.errors import refusal_shown
from jiance.http import download
from jiance.printouts.slips import LoginSlip, ParentSlip, login_slips_pdf, parent_slips_pdf
from jiance.questionnaires.models import Kind, QuestionnaireError, Respondent
from jiance.questionnaires.selectors import codes_for
from jiance.questionnaires.services.respondents import slips_downloaded, slips_issue
from jiance.rosters.selectors import released_sample
from jiance.stages import stage_name
from jiance.testday.models import Seat
from jiance.units.models import Level, Unit
from jiance_core.questionnaires.windows import questionnaires_for, spans


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
    parents = Respondent.objects.filter(cycle=cycle, unit=school, kind=Kind.PARENT, student_id__in=visible).count()
    return render(request, "questionnaires/slips.html", {
        "school": school, "cycle": cycle, "rows": rows, "hidden_students": not visible,
        "start_url": request.build_absolute_uri("/questionnaires/answer/"), "parents": parents,
        "has_parent_questionnaire": bool(questionnaires_for(cycle.config or {}, Kind.PARENT)),
    })


@login_required
@require_POST
def issue(request: HttpRequest, code: str) -> HttpResponse:
    school = _school(request, code)
    cycle = current_cycle(scope=get_scope(request))
    with refusal_shown(request, QuestionnaireError, _("登录条已生成")):
        slips_issue(cycle=cycle, school=school, parents=request.POST.get("parents") == "1")
    return redirect("questionnaires:slips", code=school.code)


def _visible(request: HttpRequest, school: Unit, cycle: Cycle) -> set[int]:
    """The school's sampled students this person may see now; none before the release time —
    then the student and parent slips answer 404, exactly like a school without slips."""
    visible = set(released_sample(scope=get_scope(request), cycle=cycle).filter(school=school)
                  .values_list("student_id", flat=True))
    if not visible:
        raise Http404
    return visible


@login_required
@require_GET
def students_pdf(request: HttpRequest, code: str) -> HttpResponse:
    """The students' login slips, a sheet per test room (with the room list), after the release."""
    school = _school(request, code)
    cycle = current_cycle(scope=get_scope(request))
    visible = _visible(request, school, cycle)
    seats = {sid: (stage, number, seat) for sid, stage, number, seat in Seat.objects.filter(
        room__cycle=cycle, room__school=school, student_id__in=visible).values_list(
        "student_id", "room__stage", "room__number", "seat")}
    url = request.build_absolute_uri(reverse("questionnaires:start"))
    groups: dict[tuple[str, int], list[tuple[int, LoginSlip]]] = {}
    for r in Respondent.objects.filter(cycle=cycle, unit=school, kind=Kind.STUDENT, student_id__in=visible).order_by(
            "login"):
        stage, number, seat = seats.get(r.student_id or 0, (r.stage, 0, 0))
        place = _("第 %(room)s 监测室 · %(seat)s 号座位") % {"room": number, "seat": seat} if number else _("未编排监测室")
        groups.setdefault((stage, number), []).append((seat, LoginSlip(r.name, _("学生"), place, r.login or "", r.code, url)))
    ordered = [(_("%(stage)s 第 %(room)s 监测室") % {"stage": stage_name(stage), "room": number} if number
                else _("%(stage)s 未编排监测室") % {"stage": stage_name(stage)},
                [s for _seat, s in sorted(slips, key=lambda p: (p[0], p[1].login))])
               for (stage, number), slips in sorted(groups.items(), key=lambda g: (g[0][0], g[0][1] or 999))]
    rows = sum(len(s) for _h, s in ordered)
    if not rows:
        raise Http404
    pdf = login_slips_pdf(ordered, title=_("学生网络问卷登录条"), cycle=cycle.name, school=school.name)
    slips_downloaded(school=school, cycle=cycle, kind="students", rows=rows, actor=request.user)
    return download(pdf, f"{school.code}-{school.name}-学生问卷登录条.pdf")


@login_required
@require_GET
def staff_pdf(request: HttpRequest, code: str) -> HttpResponse:
    """The teachers' login slips (the questionnaire of the role chosen in the roster) and the
    principal's slip (own account, no code)."""
    school = _school(request, code)
    cycle = current_cycle(scope=get_scope(request))
    config = cycle.config or {}
    names = {q["code"]: q["name"] for q in config.get("questionnaires") or []}
    url = request.build_absolute_uri(reverse("questionnaires:start"))
    slips = []
    principal_codes = questionnaires_for(config, Kind.PRINCIPAL)
    if principal_codes:
        holder = RoleAssignment.objects.filter(unit=school, role__in=PRINCIPAL, user__is_active=True).select_related(
            "user").order_by("pk").first()
        slips.append(LoginSlip(holder.user.display_name if holder else _("校长"), _("校长"),
                               "、".join(names.get(c, c) for c in principal_codes), "", "", url))
    for r in Respondent.objects.filter(cycle=cycle, unit=school, kind=Kind.TEACHER).order_by("login"):
        slips.append(LoginSlip(r.name, _("教师"), "、".join(names.get(c, c) for c in codes_for(r)) or "—",
                               r.login or "", r.code, url))
    pdf = login_slips_pdf([(_("教师与校长"), slips)], title=_("教师网络问卷登录条"), cycle=cycle.name, school=school.name)
    if slips:
        slips_downloaded(school=school, cycle=cycle, kind="staff", rows=len(slips), actor=request.user)
    return download(pdf, f"{school.code}-{school.name}-教师问卷登录条.pdf")


def _days(config: dict[str, object], code: str) -> str:
    tz = ZoneInfo(str(config.get("timezone") or "Asia/Shanghai"))
    found = spans(config, code, Kind.PARENT)
    if not found:
        return ""
    first = min(s.start for s in found).astimezone(tz).date()
    last = (max(s.end for s in found) - dt.timedelta(microseconds=1)).astimezone(tz).date()
    return f"{first:%Y-%m-%d}" if first == last else _("%(first)s 至 %(last)s") % {
        "first": f"{first:%Y-%m-%d}", "last": f"{last:%Y-%m-%d}"}


@login_required
@require_GET
def parents_pdf(request: HttpRequest, code: str) -> HttpResponse:
    """One QR slip per tested student's parent (a single-use link), after the release."""
    school = _school(request, code)
    cycle = current_cycle(scope=get_scope(request))
    visible = _visible(request, school, cycle)
    config = cycle.config or {}
    codes = questionnaires_for(config, Kind.PARENT)
    if not codes:
        raise Http404
    days = _days(config, codes[0])
    slips = [ParentSlip(r.student.name if r.student else r.name, school.name,
                        request.build_absolute_uri(reverse("questionnaires:parent", args=[r.token])), days)
             for r in Respondent.objects.filter(cycle=cycle, unit=school, kind=Kind.PARENT, student_id__in=visible,
                                                token__isnull=False).select_related("student").order_by("pk")]
    if not slips:
        raise Http404
    names = {q["code"]: q["name"] for q in config.get("questionnaires") or []}
    pdf = parent_slips_pdf(slips, title=names.get(codes[0], _("家长问卷")))
    slips_downloaded(school=school, cycle=cycle, kind="parents", rows=len(slips), actor=request.user)
    return download(pdf, f"{school.code}-{school.name}-家长问卷二维码.pdf")
