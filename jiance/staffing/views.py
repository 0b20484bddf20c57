"""Thin views of leadership groups, the staffing of sample schools, badges and test-day accounts:
permission → form → service → render. Every page works on the cycle the person sees."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST

from jiance.accounts.roles import CITY_AND_ABOVE, SCHOOL_OFFICE, my_county, my_school
from jiance.accounts.scoping import Scope, get_scope
from jiance.cycles.models import Cycle
from jiance.cycles.selectors import current_cycle
from jiance.errors import refusal_shown
from jiance.http import download
from jiance.printouts.badges import BadgeCard, badge_sheet_pdf
from jiance.staffing import selectors, services
from jiance.staffing.forms import GroupMemberForm, StaffPostForm, VersionForm
from jiance.staffing.models import Badge, SheetKind, StaffingError
from jiance.units.models import Level, Unit
from jiance_core.cycles.schema import STAFF_SUBJECTS
from jiance_core.staffing import count_text


def _version(request: HttpRequest) -> int | None:
    form = VersionForm(request.POST)
    return form.cleaned_data.get("version") if form.is_valid() else None


@login_required
@require_GET
def home(request: HttpRequest) -> HttpResponse:
    scope = get_scope(request)
    scope.require(selectors.HOME_ROLES)  # before the cycle: the nav's promise (403 names who may)
    cycle = current_cycle(scope=scope)
    if scope.holds(CITY_AND_ABOVE):
        counties = list(selectors.counties_for(scope=scope))
        sheets = selectors.county_sheets(cycle=cycle, counties=counties)
        rows = [{"county": c, "sheet": sheets.get(c.pk), "sites": len(selectors.sample_sites(cycle=cycle, county=c))}
                for c in counties]
        cities = list(scope.units().filter(level=Level.CITY, is_active=True).order_by("code"))
        return render(request, "staffing/home.html", {"cycle": cycle, "rows": rows, "cities": cities})
    county = my_county(scope, selectors.OVERVIEW_ROLES)
    if county is not None:
        return redirect("staffing:county", code=county.code)
    school = my_school(scope, SCHOOL_OFFICE)
    if school is not None and selectors.is_sample_site(cycle=cycle, school=school):
        return redirect("staffing:site", code=school.code)
    return render(request, "staffing/home.html", {"cycle": cycle, "rows": None, "cities": []})


# --- leadership groups -----------------------------------------------------------------------------
def _group_context(scope: Scope, cycle: Cycle, unit: Unit, form: GroupMemberForm | None = None) -> dict[str, object]:
    spec = selectors.group_spec(cycle, unit.level)
    members = list(selectors.group_members(scope=scope, cycle=cycle, unit=unit))
    sheet = selectors.sheet_for(cycle=cycle, unit=unit, kind=SheetKind.GROUP)
    roles = [(r.role, f"{r.role}（{count_text(r.min, r.max)}）") for r in spec.roles] if spec else []
    rows = []
    if spec:
        for r in spec.roles:
            rows.append({"role": r, "count": count_text(r.min, r.max),
                         "members": [m for m in members if m.role == r.role]})
    return {
        "cycle": cycle, "unit": unit, "spec": spec, "rows": rows, "members": members, "sheet": sheet,
        "problems": selectors.group_problems(cycle=cycle, unit=unit, members=members),
        "can_edit": scope.holds(selectors.GROUP_EDIT_ROLES.get(unit.level, ()), unit) and spec is not None,
        "form": form or GroupMemberForm(roles=roles, initial={"version": sheet.version}),
    }


@login_required
@require_GET
def group(request: HttpRequest, code: str) -> HttpResponse:
    scope = get_scope(request)
    unit = selectors.group_unit(scope=scope, code=code)
    return render(request, "staffing/group.html", _group_context(scope, current_cycle(scope=scope), unit))


@login_required
@require_POST
def group_add(request: HttpRequest, code: str) -> HttpResponse:
    scope = get_scope(request)
    unit = selectors.group_unit(scope=scope, code=code)
    scope.require(selectors.GROUP_EDIT_ROLES.get(unit.level, ()), unit)
    cycle = current_cycle(scope=scope)
    spec = selectors.group_spec(cycle, unit.level)
    form = GroupMemberForm(request.POST, roles=[(r.role, r.role) for r in spec.roles] if spec else [])
    if form.is_valid():
        try:
            services.group_member_add(scope=scope, cycle=cycle, unit=unit, data=form.cleaned_data,
                                      version=form.cleaned_data.get("version"), actor=request.user)
            messages.success(request, _("已登记。"))
            return redirect("staffing:group", code=unit.code)
        except StaffingError as exc:
            form.add_error(None, str(exc))
    return render(request, "staffing/group.html", _group_context(scope, cycle, unit, form), status=400)


@login_required
@require_POST
def group_delete(request: HttpRequest, member_id: int) -> HttpResponse:
    scope = get_scope(request)
    member = selectors.member_get(scope=scope, pk=member_id)
    with refusal_shown(request, StaffingError, _("已删除。")):
        services.group_member_delete(scope=scope, member=member, version=_version(request), actor=request.user)
    return redirect("staffing:group", code=member.unit.code)


# --- the county's staffing ---------------------------------------------------------------------------
@login_required
@require_GET
def county(request: HttpRequest, code: str) -> HttpResponse:
    scope = get_scope(request)
    unit = selectors.county_get(scope=scope, code=code)
    cycle = current_cycle(scope=scope)
    view = selectors.county_view(scope=scope, cycle=cycle, county=unit)
    return render(request, "staffing/county.html", {
        "cycle": cycle, "county": unit, "view": view,
        "can_edit": scope.holds(selectors.COUNTY_EDIT_ROLES, unit),
        "can_accounts": scope.holds(selectors.ACCOUNT_ROLES, unit),
        "group_spec": selectors.group_spec(cycle, Level.COUNTY),
    })


# The county's staffing sheet: submitted while no rule is broken, withdrawn to change it again.
SHEET_STEPS = {
    "submit": (services.staffing_submit, gettext_lazy("测试工作人员安排已提交。")),
    "withdraw": (services.staffing_withdraw, gettext_lazy("已撤回，可以修改。")),
}


@login_required
@require_POST
def sheet_step(request: HttpRequest, code: str, step: str) -> HttpResponse:
    scope = get_scope(request)
    unit = selectors.county_get(scope=scope, code=code)
    scope.require(selectors.COUNTY_EDIT_ROLES, unit)
    run, done = SHEET_STEPS[step]
    with refusal_shown(request, StaffingError, str(done)):
        run(scope=scope, cycle=current_cycle(scope=scope), county=unit, version=_version(request), actor=request.user)
    return redirect("staffing:county", code=unit.code)


@login_required
@require_POST
def accounts(request: HttpRequest, code: str) -> HttpResponse:
    scope = get_scope(request)
    unit = selectors.county_get(scope=scope, code=code)
    scope.require(selectors.ACCOUNT_ROLES, unit)
    try:
        result = services.staff_accounts_create(scope=scope, cycle=current_cycle(scope=scope), county=unit,
                                                actor=request.user)
    except StaffingError as exc:
        messages.error(request, str(exc))
        return redirect("staffing:county", code=unit.code)
    return download(result.xlsx, f"{unit.name}测试工作人员账号.xlsx")


# --- one sample school -----------------------------------------------------------------------------
def _site_context(scope: Scope, cycle: Cycle, school: Unit, form: StaffPostForm | None = None) -> dict[str, object]:
    county = school.ancestors().filter(level=Level.COUNTY).first()
    if county is None:
        raise Http404
    county_view = selectors.county_view(scope=scope, cycle=cycle, county=county)
    view = next(s for s in county_view.sites if s.school.pk == school.pk)
    county_edit = scope.holds(selectors.COUNTY_EDIT_ROLES, school)
    school_edit = scope.holds(selectors.SCHOOL_EDIT_ROLES, school)
    choices = []
    for slot, _held in view.slots:
        if (slot.rule.provided_by == Level.SCHOOL and school_edit) or county_edit:
            label = f"{slot.rule.role}（{slot.provider_name}）"
            if slot.room is not None:
                label += f" · {slot.room.name}"
            room = next((r for r in view.rooms if slot.room and selectors.room_key(r) == slot.room.key), None)
            choices.append((f"{slot.rule.role}|{slot.rule.provided_by}|{room.pk if room else ''}", label))
    schools = [school] if not county_edit else list(
        Unit.objects.filter(path__startswith=county.path, level=Level.SCHOOL, is_active=True).order_by("code"))
    teachers = [(str(t.pk), f"{t.name} · {t.roster.school.name} · "
                 f"{'、'.join(STAFF_SUBJECTS[s] for s in selectors.teacher_subjects(t)) or _('学科未知')}")
                for t in selectors.teachers_for(scope=scope, cycle=cycle,
                                                schools=[s.school for s in county_view.sites]
                                                if county_edit else [school])]
    homes = [(u.code, u.name) for u in ([county] if county_edit else []) + schools]
    site_violations = [v for v in county_view.violations if v.site == school.code or school.name in v.message]
    return {
        "cycle": cycle, "school": school, "county": county, "view": view, "sheet": county_view.sheet,
        "violations": site_violations, "can_edit": bool(choices) and not county_view.sheet.submitted,
        "county_edit": county_edit,
        "form": form or StaffPostForm(slots=choices, teachers=teachers, homes=homes,
                                      initial={"version": county_view.sheet.version}),
        "form_args": {"slots": choices, "teachers": teachers, "homes": homes},
    }


@login_required
@require_GET
def site(request: HttpRequest, code: str) -> HttpResponse:
    scope = get_scope(request)
    cycle = current_cycle(scope=scope)
    school = selectors.site_get(scope=scope, cycle=cycle, code=code)
    return render(request, "staffing/site.html", _site_context(scope, cycle, school))


@login_required
@require_POST
def site_add(request: HttpRequest, code: str) -> HttpResponse:
    scope = get_scope(request)
    cycle = current_cycle(scope=scope)
    school = selectors.site_get(scope=scope, cycle=cycle, code=code)
    scope.require(selectors.SCHOOL_EDIT_ROLES, school)
    ctx = _site_context(scope, cycle, school)
    form = StaffPostForm(request.POST, **ctx["form_args"])  # type: ignore[arg-type]
    if form.is_valid():
        d = form.cleaned_data
        role, provided_by, room_id = d["slot"].split("|")
        view = ctx["view"]
        data = {
            "role": role, "provided_by": provided_by, "name": d.get("name") or "", "phone": d.get("phone") or "",
            "post": d.get("post") or "", "subjects": d.get("subjects") or [],
            "room": next((r for r in view.rooms if str(r.pk) == room_id), None),  # type: ignore[attr-defined]
            "teacher": selectors.teachers_for(scope=scope, cycle=cycle, schools=list(
                Unit.objects.filter(path__startswith=ctx["county"].path))).filter(  # type: ignore[attr-defined]
                pk=d["teacher"]).first() if d.get("teacher") else None,
            "home": scope.units().filter(code=d["home"]).first() if d.get("home") else None,
        }
        try:
            post = services.staff_post_add(scope=scope, cycle=cycle, site=school, data=data,
                                           version=d.get("version"), actor=request.user)
            ctx = _site_context(scope, cycle, school)
            broken = [v.message for v in ctx["violations"] if post.name in v.people]  # type: ignore[attr-defined]
            if broken:
                messages.warning(request, _("已保存，但%(name)s不符合要求：%(why)s") % {
                    "name": post.name, "why": "；".join(broken)})
            else:
                messages.success(request, _("已保存：%(role)s %(name)s") % {"role": post.role, "name": post.name})
            return redirect("staffing:site", code=school.code)
        except StaffingError as exc:
            form.add_error(None, str(exc))
    ctx["form"] = form
    return render(request, "staffing/site.html", ctx, status=400)


@login_required
@require_POST
def post_delete(request: HttpRequest, post_id: int) -> HttpResponse:
    scope = get_scope(request)
    post = selectors.post_get(scope=scope, pk=post_id)
    with refusal_shown(request, StaffingError, _("已删除。")):
        services.staff_post_delete(scope=scope, post=post, version=_version(request), actor=request.user)
    return redirect("staffing:site", code=post.site.code)


# --- badges ------------------------------------------------------------------------------------------
def _cards(request: HttpRequest, badges: list[Badge], issuer: str) -> list[BadgeCard]:
    return [BadgeCard(b.name, b.role, b.site_name, b.cycle_name,
                      request.build_absolute_uri(f"/staffing/verify/{b.token}/"), issuer, f"No.{b.pk:06d}")
            for b in badges]


@login_required
@require_GET
def badges(request: HttpRequest, code: str) -> HttpResponse:
    scope = get_scope(request)
    unit = selectors.county_get(scope=scope, code=code)
    scope.require(selectors.COUNTY_EDIT_ROLES, unit)
    cycle = current_cycle(scope=scope)
    return render(request, "staffing/badges.html", {
        "cycle": cycle, "county": unit, "badges": list(selectors.badges_of(scope=scope, cycle=cycle, county=unit)),
    })


@login_required
@require_POST
def badges_issue(request: HttpRequest, code: str) -> HttpResponse:
    scope = get_scope(request)
    unit = selectors.county_get(scope=scope, code=code)
    scope.require(selectors.COUNTY_EDIT_ROLES, unit)
    made = services.badges_issue(scope=scope, cycle=current_cycle(scope=scope), county=unit, actor=request.user)
    messages.success(request, _("胸牌已就绪：%(n)s 个。") % {"n": len(made)})
    return redirect("staffing:badges", code=unit.code)


@login_required
@require_GET
def badge_sheet(request: HttpRequest, code: str) -> HttpResponse:
    scope = get_scope(request)
    unit = selectors.county_get(scope=scope, code=code)
    scope.require(selectors.COUNTY_EDIT_ROLES, unit)
    cycle = current_cycle(scope=scope)
    valid = [b for b in selectors.badges_of(scope=scope, cycle=cycle, county=unit) if b.valid]
    pdf = badge_sheet_pdf(_cards(request, valid, unit.name), title=f"{unit.name}工作胸牌")
    return download(pdf, f"{unit.name}工作胸牌.pdf")


@login_required
@require_GET
def badge_pdf(request: HttpRequest, badge_id: int) -> HttpResponse:
    scope = get_scope(request)
    badge = selectors.badge_get(scope=scope, pk=badge_id)
    scope.require(selectors.COUNTY_EDIT_ROLES, badge.site)
    if not badge.valid:
        raise Http404
    county = badge.site.ancestors().filter(level=Level.COUNTY).first()
    pdf = badge_sheet_pdf(_cards(request, [badge], county.name if county else ""), per_page=1,
                          title=f"{badge.name}工作胸牌")
    return download(pdf, f"{badge.site_name}-{badge.name}-工作胸牌.pdf")


@login_required
@require_POST
def badge_revoke(request: HttpRequest, badge_id: int) -> HttpResponse:
    scope = get_scope(request)
    badge = selectors.badge_get(scope=scope, pk=badge_id)
    try:
        services.badge_revoke(scope=scope, badge=badge, actor=request.user)
        messages.success(request, _("胸牌已作废：%(name)s") % {"name": badge.name})
    except StaffingError as exc:
        messages.error(request, str(exc))
    county = badge.site.ancestors().filter(level=Level.COUNTY).first()
    return redirect("staffing:badges", code=county.code if county else badge.site.code)


@require_GET
def verify(request: HttpRequest, token: str) -> HttpResponse:
    """Public: what the QR code on a badge opens. Shows only name, post, site, cycle and whether
    the badge is valid — nothing else about the person."""
    badge = selectors.badge_by_token(token)
    response = render(request, "staffing/verify.html", {"badge": badge}, status=200 if badge else 404)
    response["Cache-Control"] = "no-store"
    response["X-Robots-Tag"] = "noindex"
    return response
