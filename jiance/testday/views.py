"""Thin views of test rooms and test-day printouts: permission check → form → service → render.

Secrecy: a printout listing sampled students (check-in roster, room list, barcodes) answers 404
before release, exactly like a school without a plan; the notice board is printed without the
student list until then.
"""

from __future__ import annotations

from collections import Counter

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from jiance import printouts
from jiance.accounts.roles import SCHOOL_TESTDAY, my_county, my_school
from jiance.accounts.scoping import Scope, get_scope
from jiance.cycles.models import Cycle
from jiance.cycles.selectors import current_cycle
from jiance.htmx import HtmxHttpRequest
from jiance.http import download
from jiance.stages import stage_label, stage_name
from jiance.testday import selectors, services
from jiance.testday.forms import AbsenceForm, ComputerRoomForm, PhoneForm
from jiance.testday.models import TestdayError
from jiance.units.areas import PAGE_SIZE, area_for, pager_query, rollup
from jiance.units.models import Unit

RENDERERS = {
    ("checkin", "pdf"): printouts.checkin_roster_pdf,
    ("checkin", "xlsx"): printouts.checkin_roster_xlsx,
    ("roomlist", "pdf"): printouts.room_list_pdf,
    ("roomlist", "xlsx"): printouts.room_list_xlsx,
    ("labels", "pdf"): printouts.seat_labels_pdf,
    ("barcodes", "pdf"): printouts.barcode_sheets_pdf,
    ("boxes", "pdf"): printouts.box_labels_pdf,
}


def _school(request: HttpRequest, code: str) -> Unit:
    scope = get_scope(request)
    school = selectors.school_for(scope=scope, code=code)
    scope.require(selectors.VIEW_ROLES, school)
    return school


@login_required
@require_GET
def home(request: HttpRequest) -> HttpResponse:
    scope = get_scope(request)
    if scope.holds(selectors.OVERVIEW_ROLES):
        cycle = current_cycle(scope=get_scope(request))
        # the area's parts counted, its sample schools 50 to a page
        area = area_for(scope=scope, roles=selectors.OVERVIEW_ROLES, code=request.GET.get("area", ""))
        by_county = selectors.overview_counts(scope=scope, cycle=cycle, area=area)
        places = selectors.overview_places(scope=scope, cycle=cycle, area=area).select_related(
            "school", "school__parent").order_by("school__path", "stage")
        page = Paginator(places, PAGE_SIZE).get_page(request.GET.get("page"))
        total: Counter[str] = sum(by_county.values(), Counter())
        return render(request, "testday/overview.html", {
            "cycle": cycle, "area": area, "page": page, "total": total,
            "rows": selectors.county_schools(scope=scope, cycle=cycle, places=list(page)),
            "parts": [(u, c["places"], c["planned"], c["places"] - c["planned"]) for u, c in rollup(area, by_county)],
            "query": pager_query(request.GET),
            "area_query": pager_query(request.GET, area=""),
            "phone_units": list(selectors.phone_units(scope=scope)),
        })
    school = my_school(scope, SCHOOL_TESTDAY)
    if school is not None:
        return redirect("testday:school", code=school.code)
    county = my_county(scope, selectors.COUNTY_CUSTODY_ROLES)
    if county is None:
        raise PermissionDenied
    # a county custodian keeps the materials of every sample school of the county: their list,
    # never one school's page
    cycle = current_cycle(scope=scope)
    return render(request, "testday/custody.html", {
        "cycle": cycle, "county": county,
        "rows": selectors.county_schools(scope=scope, cycle=cycle, places=list(
            selectors.overview_places(scope=scope, cycle=cycle, area=area_for(
                scope=scope, roles=selectors.COUNTY_CUSTODY_ROLES, code=county.code,
            )).select_related("school", "school__parent").order_by("school__path", "stage"))),
    })


def _school_context(request: HttpRequest, school: Unit, cycle: Cycle, **extra: object) -> dict[str, object]:
    scope = get_scope(request)
    visible = selectors.students_visible(scope, school, cycle)
    stages = selectors.stages_of(scope=scope, cycle=cycle, school=school)
    rooms = list(selectors.rooms_of(scope=scope, cycle=cycle, school=school))
    kinds = [
        {"kind": k, "label": selectors.KIND_LABELS[k], "formats": fmts, "secret": k in selectors.SECRET_KINDS}
        for k, (_name, fmts) in selectors.KINDS.items()
    ]
    ctx: dict[str, object] = {
        "school": school, "cycle": cycle, "visible": visible, "rooms": rooms,
        "stages": [(s, stage_label(s)) for s in stages], "kinds": kinds,
        "labs": list(selectors.computer_rooms_of(scope=scope, cycle=cycle, school=school)),
        "can_enter": scope.holds(selectors.ENTRY_ROLES, school),
        "can_mark": scope.holds(selectors.ABSENCE_ROLES, school) and visible,
        "lab_form": ComputerRoomForm(), "capacity": services.room_settings(cycle),
        "phones": selectors.phones_for_school(cycle=cycle, school=school),
    }
    ctx.update(extra)
    return ctx


@login_required
@require_GET
def school_page(request: HttpRequest, code: str) -> HttpResponse:
    school = _school(request, code)
    return render(request, "testday/school.html", _school_context(request, school, current_cycle(scope=get_scope(request))))


@login_required
@require_POST
def lab_add(request: HttpRequest, code: str) -> HttpResponse:
    scope = get_scope(request)
    school = _school(request, code)
    scope.require(selectors.ENTRY_ROLES, school)
    cycle = current_cycle(scope=get_scope(request))
    form = ComputerRoomForm(request.POST)
    if form.is_valid():
        try:
            services.computer_room_save(scope=scope, cycle=cycle, school=school, data=form.cleaned_data,
                                        actor=request.user)
            messages.success(request, _("计算机教室已登记；请重新生成监测室安排。"))
            return redirect("testday:school", code=school.code)
        except TestdayError as exc:
            form.add_error(None, str(exc))
    return render(request, "testday/school.html", _school_context(request, school, cycle, lab_form=form), status=400)


@login_required
@require_POST
def lab_delete(request: HttpRequest, code: str, room_id: int) -> HttpResponse:
    scope = get_scope(request)
    school = _school(request, code)
    lab = selectors.computer_room_get(scope=scope, pk=room_id)
    if lab.school_id != school.pk:
        raise Http404
    try:
        services.computer_room_delete(scope=scope, room=lab, actor=request.user)
        messages.success(request, _("计算机教室已删除。"))
    except TestdayError as exc:
        messages.error(request, str(exc))
    return redirect("testday:school", code=school.code)


@login_required
@require_POST
def plan(request: HttpRequest, code: str) -> HttpResponse:
    scope = get_scope(request)
    school = _school(request, code)
    scope.require(selectors.ENTRY_ROLES, school)
    try:
        rooms = services.rooms_plan(school=school, cycle=current_cycle(scope=get_scope(request)), actor=request.user, scope=scope)
        messages.success(request, _("已编排 %(n)s 间监测室。") % {"n": len(rooms)})
    except TestdayError as exc:
        messages.error(request, str(exc))
    return redirect("testday:school", code=school.code)


@login_required
@require_GET
def seats(request: HttpRequest, code: str, stage: str) -> HttpResponse:
    """The seat plan with students (after release), where absences are marked."""
    scope = get_scope(request)
    school = _school(request, code)
    cycle = current_cycle(scope=get_scope(request))
    if not selectors.students_visible(scope, school, cycle):
        raise Http404
    rooms = list(selectors.rooms_of(scope=scope, cycle=cycle, school=school).filter(stage=stage))
    if not rooms:
        raise Http404
    plans = [(room, [s for s in selectors.seats_of(scope=scope, room=room) if s.student_id]) for room in rooms]
    services.seat_plan_viewed(school=school, cycle=cycle, stage=stage, rows=sum(len(p[1]) for p in plans),
                              actor=request.user)
    return render(request, "testday/seats.html", {
        "school": school, "cycle": cycle, "stage_label": stage_label(stage), "plans": plans,
        "can_mark": scope.holds(selectors.ABSENCE_ROLES, school),
        "counts": selectors.seat_counts(scope=scope, cycle=cycle, school=school, stage=stage),
    })


@login_required
@require_POST
def absence(request: HtmxHttpRequest, code: str, seat_id: int) -> HttpResponse:
    scope = get_scope(request)
    school = _school(request, code)
    seat = selectors.seat_get(scope=scope, cycle=current_cycle(scope=get_scope(request)), pk=seat_id)
    if seat.room.school_id != school.pk:
        raise Http404
    form = AbsenceForm(request.POST)
    if form.is_valid():
        try:
            services.seat_mark_absent(scope=scope, seat=seat, absent=form.cleaned_data["absent"], actor=request.user)
        except TestdayError as exc:
            messages.error(request, str(exc))
    if request.htmx:  # the seat, and the page's counts out of band
        cycle = seat.room.cycle
        return render(request, "testday/seats.html#seat-marked", {
            "s": seat, "school": school, "can_mark": True, "oob": True,
            "counts": selectors.seat_counts(scope=scope, cycle=cycle, school=school, stage=seat.room.stage)})
    return redirect("testday:seats", code=school.code, stage=seat.room.stage)


@login_required
@require_GET
def printout(request: HttpRequest, code: str, stage: str, kind: str, fmt: str) -> HttpResponse:
    scope = get_scope(request)
    school = _school(request, code)
    cycle = current_cycle(scope=get_scope(request))
    if kind not in selectors.KINDS or fmt not in selectors.KINDS[kind][1]:
        raise Http404
    if stage not in selectors.stages_of(scope=scope, cycle=cycle, school=school):
        raise Http404
    visible = selectors.students_visible(scope, school, cycle)
    if kind in selectors.SECRET_KINDS and not visible:
        raise Http404  # exactly like a school without a plan
    data = selectors.printout_data(scope=scope, cycle=cycle, school=school, stage=stage, with_students=visible)
    if not data.rooms and kind != "notice":
        raise Http404
    with_students = visible and kind in (*selectors.SECRET_KINDS, "notice")
    content = (printouts.notice_board_pdf(data, with_students=with_students) if kind == "notice"
               else RENDERERS[(kind, fmt)](data))
    rows = sum(1 for r in data.rooms for s in r.students if s.name)
    if with_students and rows:
        services.printout_downloaded(school=school, cycle=cycle, kind=kind, fmt=fmt, stage=stage, rows=rows,
                                     actor=request.user)
    label = selectors.KINDS[kind][0]
    filename = f"{school.code}-{school.name}-{stage_name(stage)}-{label}.{fmt}"
    return download(content, filename)


def _phone_unit(request: HttpRequest, code: str) -> tuple[Scope, Unit]:
    """The unit whose report phones the person keeps (403 for any other unit in the scope)."""
    scope = get_scope(request)
    unit = scope.get_unit(code=code)
    if unit.pk not in {u.pk for u in selectors.phone_units(scope=scope)}:
        raise PermissionDenied
    return scope, unit


@login_required
@require_POST
def phone_add(request: HttpRequest, code: str) -> HttpResponse:
    scope, unit = _phone_unit(request, code)
    form = PhoneForm(request.POST)
    if form.is_valid():
        services.report_phone_add(scope=scope, cycle=current_cycle(scope=scope), unit=unit,
                                  label=form.cleaned_data["label"], number=form.cleaned_data["number"],
                                  actor=request.user)
        messages.success(request, _("举报电话已保存，将印在本级以下各样本校的公示栏上。"))
    else:
        messages.error(request, "；".join(str(e) for errs in form.errors.values() for e in errs))
    return redirect("testday:phones", code=unit.code)


@login_required
@require_GET
def phones(request: HttpRequest, code: str) -> HttpResponse:
    scope, unit = _phone_unit(request, code)
    cycle = current_cycle(scope=scope)
    return render(request, "testday/phones.html", {
        "unit": unit, "cycle": cycle, "phones": list(selectors.phones_of(scope=scope, cycle=cycle, unit=unit)),
        "form": PhoneForm(),
    })


@login_required
@require_POST
def phone_delete(request: HttpRequest, phone_id: int) -> HttpResponse:
    scope = get_scope(request)
    phone = selectors.phone_get(scope=scope, pk=phone_id)
    services.report_phone_delete(scope=scope, phone=phone, actor=request.user)
    messages.success(request, _("举报电话已删除。"))
    return redirect("testday:phones", code=phone.unit.code)
