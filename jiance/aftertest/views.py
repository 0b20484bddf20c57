"""Thin views of after-test reporting: permission check → form → service → render."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from jiance import clock
from jiance.accounts import roles
from jiance.accounts.roles import my_school, my_unit_page
from jiance.accounts.scoping import get_scope
from jiance.aftertest import batch, importing, selectors, services
from jiance.aftertest.batch import row_message
from jiance.aftertest.forms import PageRowForm, ReviewForm, RowForm, SupplementaryForm, UploadForm
from jiance.aftertest.models import (
    AftertestError,
    ReportStatus,
    TestedReport,
    TestedStudent,
    TestedUpload,
)
from jiance.aftertest.windows import supplementary_bounds, window_state
from jiance.cycles.selectors import current_cycle
from jiance.errors import refusal_shown
from jiance.htmx import HtmxHttpRequest
from jiance.http import download
from jiance.review.forms import Button, PageVersionForm
from jiance.rosters.models import Roster
from jiance.spreadsheets import missing_columns
from jiance.units.areas import PAGE_SIZE, area_for, pager_query
from jiance.units.models import Level, Unit


def _school(request: HttpRequest, code: str) -> Unit:
    scope = get_scope(request)
    school = scope.get_unit(code=code, level=Level.SCHOOL)
    scope.require(selectors.VIEW_ROLES, school)
    return school


def _roster(request: HttpRequest, code: str, stage: str) -> Roster:
    school = _school(request, code)
    for r in selectors.school_rosters(scope=get_scope(request), cycle=current_cycle(scope=get_scope(request)), school=school):
        if r.stage == stage:
            return r
    raise Http404


@login_required
@require_GET
def home(request: HttpRequest) -> HttpResponse:
    scope = get_scope(request)
    if scope.holds(roles.COUNTY_AND_ABOVE):
        cycle = current_cycle(scope=get_scope(request))
        now = clock.now()
        schools = selectors.county_schools_in_sample(scope=scope, cycle=cycle)
        # the area's rates; its sample schools and reports 50 to a page
        area = area_for(scope=scope, roles=roles.COUNTY_AND_ABOVE, code=request.GET.get("area", ""))
        p = selectors.participation(scope=scope, cycle=cycle, now=now, area=area)
        reports = [r for r in selectors.reviewable_reports(scope=scope, cycle=cycle).filter(area.q("school__"))
                   if selectors.visible(scope, r, now)]
        return render(request, "aftertest/overview.html", {
            "cycle": cycle, "area": area, "area_query": pager_query(request.GET, area="", rpage=""),
            "reports": Paginator(reports, PAGE_SIZE).get_page(request.GET.get("rpage")),
            "p": p, "schools_page": Paginator(p.schools, PAGE_SIZE).get_page(request.GET.get("page")),
            "query": pager_query(request.GET), "rquery": pager_query(request.GET, param="rpage"),
            "can_review": scope.holds(roles.COUNTY_OFFICE),
            "supp_form": SupplementaryForm(schools=schools) if schools else None,
            "supp_bounds": supplementary_bounds(cycle),
            "windows": list(selectors.supplementary_windows(scope=scope, cycle=cycle)),
            "status_choices": ReportStatus.choices,
        })
    return my_unit_page(my_school(scope, roles.SCHOOL_OFFICE), "aftertest:school")


@login_required
@require_GET
def school(request: HttpRequest, code: str) -> HttpResponse:
    scope = get_scope(request)
    unit = _school(request, code)
    cycle = current_cycle(scope=get_scope(request))
    now = clock.now()
    rosters = selectors.school_rosters(scope=scope, cycle=cycle, school=unit)
    visible = selectors.sampled_students_visible(scope, unit, cycle, now)
    rows = [{"roster": r, "report": selectors.report_of(scope=scope, roster=r)} for r in rosters] if visible else []
    return render(request, "aftertest/school.html", {
        "cycle": cycle, "school": unit, "rows": rows, "visible": visible,
        "window": window_state(cycle, unit, clock.today()),
        "can_enter": scope.holds(roles.SCHOOL_OFFICE, unit),
    })


@login_required
@require_POST
def open_report(request: HttpRequest, code: str, stage: str) -> HttpResponse:
    roster = _roster(request, code, stage)
    try:
        services.tested_report_open(scope=get_scope(request), roster=roster, actor=request.user)
    except AftertestError as exc:
        messages.error(request, str(exc))
        return redirect("aftertest:school", code=code)
    return redirect("aftertest:report", code=code, stage=stage)


def _report(request: HttpRequest, code: str, stage: str) -> TestedReport:
    roster = _roster(request, code, stage)
    report = selectors.report_of(scope=get_scope(request), roster=roster)
    if report is None or not selectors.visible(get_scope(request), report, clock.now()):
        raise Http404
    return report


def _row_form(t: TestedStudent, sessions: list[dict[str, str]], data: object = None,
              form_class: type[RowForm] = RowForm) -> RowForm:
    initial = {"attendance": t.attendance, "absent_sessions": t.absent_sessions, "reason": t.reason,
               "note": t.note, "name": t.name, "sex": t.sex, "class_name": t.class_name}
    return form_class(data, initial=initial, sessions=sessions, prefix=f"r{t.pk}")


def _absent_first(students: list[TestedStudent]) -> list[TestedStudent]:
    """Absent and partly absent students first (the exceptions a school enters), then by row."""
    return sorted(students, key=lambda t: (t.attendance == "present", t.row))


def _summary(students: list[TestedStudent]) -> dict[str, int]:
    """The page's counts: drawn with the page, and out of band after an htmx row save."""
    return {"total": len(students), "absent": sum(1 for t in students if not t.tested),
            "partial": sum(1 for t in students if t.attendance == "partial")}


def _report_page(request: HttpRequest, rep: TestedReport, posted: dict[int, RowForm] | None = None,
                 errors: dict[int, str] | None = None, status: int = 200, **extra: Any) -> HttpResponse:
    scope = get_scope(request)
    now = clock.now()
    sessions = services.session_list(rep.cycle, rep.stage)
    students = _absent_first(list(selectors.tested_students_of(scope=scope, report=rep, now=now)))
    can_edit = rep.editable and scope.holds(roles.SCHOOL_OFFICE, rep.school)
    window = window_state(rep.cycle, rep.school, clock.today())
    names = {s["code"]: s["name"] for s in sessions}
    for t in students:
        t.absent_labels = "、".join(names.get(c, c) for c in t.absent_sessions)  # type: ignore[attr-defined]
    services.personal_data_recorded(report=rep, actor=request.user, export=False, what=_("查看测试生基本信息"),
                                    rows=len(students))
    posted, errors = posted or {}, errors or {}
    return render(request, "aftertest/report.html", {
        "cycle": rep.cycle, "school": rep.school, "report": rep, "window": window,
        "rows": [{"t": t, "form": posted.get(t.pk) or _row_form(t, sessions, form_class=PageRowForm),
                  "error": errors.get(t.pk, "")} for t in students],
        "row_errors": list(errors.values()),
        "can_edit": can_edit and window.open,
        "can_review": rep.status == "submitted" and scope.holds(roles.COUNTY_OFFICE, rep.school),
        "summary": _summary(students),
        "events": list(selectors.events_of(scope=scope, report=rep)),
        "corrections": list(selectors.corrections_of(scope=scope, report=rep, now=now)),
        "upload_form": UploadForm(), "review_form": ReviewForm(),
        "review_buttons": [Button(_("审核通过"), "approve", name="decision"),
                           Button(_("退回"), "return", name="decision", css="")],
        "rejected": TestedUpload.objects.filter(report=rep).first(), **extra,
    }, status=status)


@login_required
@require_GET
def report(request: HttpRequest, code: str, stage: str) -> HttpResponse:
    return _report_page(request, _report(request, code, stage))


def _form_errors(t: TestedStudent, form: RowForm) -> str:
    text = "；".join(f"{form.fields[k].label}：{'、'.join(str(x) for x in v)}" for k, v in form.errors.items())
    return row_message(t, text)


@login_required
@require_POST
def save_page(request: HttpRequest, code: str, stage: str) -> HttpResponse:
    """The page's one save: every posted row, all or nothing, against the version the page showed."""
    scope = get_scope(request)
    rep = _report(request, code, stage)
    scope.require(roles.SCHOOL_OFFICE, rep.school)
    sessions = services.session_list(rep.cycle, rep.stage)
    students = list(selectors.tested_students_of(scope=scope, report=rep, now=clock.now()))
    # only the rows the page changed: an untouched row (e.g. a prefilled absentee still without a
    # reason) neither blocks the others nor is written; submitting checks every row anyway
    forms = {t.pk: f for t in students if f"r{t.pk}-attendance" in request.POST
             and (f := _row_form(t, sessions, request.POST, form_class=PageRowForm)).has_changed()}
    by_pk = {t.pk: t for t in students}
    errors = {pk: _form_errors(by_pk[pk], f) for pk, f in forms.items() if not f.is_valid()}
    if not errors:
        try:
            saved = batch.tested_students_save(
                scope=scope, report=rep, rows={pk: f.row_input() for pk, f in forms.items()},
                version=PageVersionForm(request.POST).posted_version(), actor=request.user)
        except batch.RowsRefused as exc:
            errors = exc.rows
        except AftertestError as exc:
            messages.error(request, str(exc))
            return redirect("aftertest:report", code=code, stage=stage)
        else:  # committed: acknowledge, then show the stored page (a reload posts nothing)
            if saved.repeated:
                messages.success(request, _("这些修改已经保存过，未重复保存"))
            elif saved.changed:
                messages.success(request, _("已保存 %(n)s 名学生的修改（更正 %(c)s 项）")
                                 % {"n": saved.changed, "c": saved.corrections})
            else:
                messages.info(request, _("没有需要保存的修改"))
            return redirect("aftertest:report", code=code, stage=stage)
    messages.error(request, _("以下学生信息有问题，未保存任何修改：") + "；".join(errors.values()))
    return _report_page(request, rep, posted=forms, errors=errors)


@login_required
@require_POST
def row_save(request: HtmxHttpRequest, code: str, stage: str, tested_id: int) -> HttpResponse:
    scope = get_scope(request)
    rep = _report(request, code, stage)
    t = selectors.tested_students_of(scope=scope, report=rep, now=clock.now()).filter(pk=tested_id).first()
    if t is None:
        raise Http404
    sessions = services.session_list(rep.cycle, rep.stage)
    form = _row_form(t, sessions, request.POST)
    error = ""
    if form.is_valid():
        try:
            t = services.tested_student_save(scope=scope, tested=t, data=form.row_input(), actor=request.user)
            form = _row_form(t, sessions)
        except AftertestError as exc:
            error = str(exc)
    else:
        error = _form_errors(t, form)
    if request.htmx:  # the row, and out of band the page's counts and the version its forms post
        rep.refresh_from_db()
        students = list(selectors.tested_students_of(scope=scope, report=rep, now=clock.now()))
        return render(request, "aftertest/report.html#row-saved", {
            "r": {"t": t, "form": form, "error": error, "saved": not error}, "report": rep, "school": rep.school,
            "can_edit": True, "summary": _summary(students), "oob": True,
        })
    if error:
        messages.error(request, error)
    else:
        messages.success(request, _("第 %(row)s 行已保存") % {"row": t.row})
    return redirect("aftertest:report", code=code, stage=stage)


@login_required
@require_POST
def submit(request: HttpRequest, code: str, stage: str) -> HttpResponse:
    rep = _report(request, code, stage)
    with refusal_shown(request, AftertestError, _("已提交县级审核")):
        services.tested_report_submit(scope=get_scope(request), report=rep, actor=request.user,
                                      version=PageVersionForm(request.POST).posted_version())
    return redirect("aftertest:report", code=code, stage=stage)


@login_required
@require_POST
def review(request: HttpRequest, code: str, stage: str) -> HttpResponse:
    scope = get_scope(request)
    rep = _report(request, code, stage)
    scope.require(roles.COUNTY_OFFICE, rep.school)
    form = ReviewForm(request.POST)
    if form.is_valid():
        approve = form.cleaned_data["decision"] == "approve"
        decide = services.tested_report_approve if approve else services.tested_report_return
        with refusal_shown(request, AftertestError, _("已审核通过") if approve else _("已退回")):
            decide(scope=scope, report=rep, actor=request.user, comment=form.cleaned_data["comment"],
                   version=form.posted_version())
    return redirect("aftertest:report", code=code, stage=stage)


@login_required
@require_GET
def template(request: HttpRequest, code: str, stage: str) -> HttpResponse:
    scope = get_scope(request)
    rep = _report(request, code, stage)
    scope.require(roles.SCHOOL_OFFICE, rep.school)
    students = list(selectors.tested_students_of(scope=scope, report=rep, now=clock.now()))
    sessions = services.session_list(rep.cycle, rep.stage)
    content = importing.template(students, sessions, _("%(school)s%(stage)s测试生基本信息（含缺考学生）")
                                 % {"school": rep.school.name, "stage": rep.stage_label})
    services.personal_data_recorded(report=rep, actor=request.user, export=True, what=_("下载测试生基本信息表"),
                                    rows=len(students))
    return download(content, f"测试生基本信息-{rep.school.code}-{rep.stage}.xlsx")


@login_required
@require_POST
def upload(request: HttpRequest, code: str, stage: str) -> HttpResponse:
    scope = get_scope(request)
    rep = _report(request, code, stage)
    scope.require(roles.SCHOOL_OFFICE, rep.school)
    form = UploadForm(request.POST, request.FILES)
    if not form.is_valid():
        for errs in form.errors.values():
            messages.error(request, "；".join(str(x) for x in errs))
        return redirect("aftertest:report", code=code, stage=stage)
    f = form.cleaned_data["file"]
    students = list(selectors.tested_students_of(scope=scope, report=rep, now=clock.now()))
    sessions = services.session_list(rep.cycle, rep.stage)
    check = importing.check_upload(f.read(), students, sessions)
    if check.errors and not check.raw:  # the file itself could not be read: say why, keep nothing
        for _n, _col, reason in check.errors:
            messages.error(request, reason)
        # no rows, so no rejected rows to offer (an older file's are not this one's): the missing
        # columns and the template instead
        return _report_page(request, rep, status=400, file_error={
            "missing": missing_columns(reason for _n, _col, reason in check.errors)})
    try:
        outcome = services.tested_import(scope=scope, report=rep, rows=check.rows, errors=check.errors,
                                         raw=check.raw, filename=f.name, actor=request.user)
    except AftertestError as exc:
        messages.error(request, str(exc))
        return redirect("aftertest:report", code=code, stage=stage)
    if outcome.errors:
        for n, col, reason in outcome.errors[:20]:
            messages.error(request, _("第 %(row)s 行“%(col)s”列：%(reason)s") % {"row": n, "col": col, "reason": reason})
        messages.error(request, _("文件有 %(n)s 处错误，未导入任何数据；请下载被拒绝的行修改后重新上传。")
                       % {"n": len(outcome.errors)})
    else:
        messages.success(request, _("已导入 %(n)s 行，更正 %(c)s 项") % {"n": outcome.applied, "c": outcome.corrections})
    return redirect("aftertest:report", code=code, stage=stage)


@login_required
@require_GET
def rejected(request: HttpRequest, code: str, stage: str) -> HttpResponse:
    scope = get_scope(request)
    rep = _report(request, code, stage)
    scope.require(roles.SCHOOL_OFFICE, rep.school)
    up = TestedUpload.objects.filter(report=rep).first()
    if up is None:
        raise Http404
    services.personal_data_recorded(report=rep, actor=request.user, export=True, what=_("下载被拒绝的行"),
                                    rows=len(rows := up.rows))
    content = importing.rejected_workbook(rows, services.session_list(rep.cycle, rep.stage))
    return download(content, f"被拒绝的行-{rep.school.code}-{rep.stage}.xlsx")


@login_required
@require_POST
def supplementary(request: HttpRequest) -> HttpResponse:
    scope = get_scope(request)
    scope.require(roles.COUNTY_OFFICE)
    cycle = current_cycle(scope=get_scope(request))
    schools = selectors.county_schools_in_sample(scope=scope, cycle=cycle)
    form = SupplementaryForm(request.POST, schools=schools)
    if form.is_valid():
        unit = scope.get_unit(code=form.cleaned_data["school"], level=Level.SCHOOL)
        with refusal_shown(request, AftertestError, _("已为%(school)s开放补报") % {"school": unit.name}):
            services.supplementary_window_open(scope=scope, cycle=cycle, school=unit,
                                               start=form.cleaned_data["start"], end=form.cleaned_data["end"],
                                               reason=form.cleaned_data["reason"], actor=request.user)
    else:
        for k, errs in form.errors.items():
            messages.error(request, f"{form.fields[k].label if k in form.fields else ''}：{'；'.join(str(x) for x in errs)}")
    return redirect("aftertest:home")
