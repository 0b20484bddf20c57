"""Thin views of frame reporting: permission check → form → service → render."""

from __future__ import annotations

import csv
import io
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from jiance import clock
from jiance.accounts import roles
from jiance.accounts.roles import my_county, my_unit_page
from jiance.accounts.scoping import Scope, get_scope
from jiance.cycles.selectors import current_cycle
from jiance.errors import refusal_shown
from jiance.htmx import HtmxHttpRequest, page_or_partial
from jiance.http import download
from jiance.reporting import selectors, services
from jiance.reporting.changes import frame_changes
from jiance.reporting.forms import (
    FrameRecordForm,
    ReviewForm,
    SubmitForm,
    UploadForm,
    initial_for,
)
from jiance.reporting.importing import build_frame_template, rejected_workbook
from jiance.reporting.models import (
    FrameError,
    FrameStatus,
    FrameSubmission,
    ReviewAction,
    cycle_grades,
    status_label,
)
from jiance.review.forms import Button
from jiance.spreadsheets import missing_columns, safe_cell, write_rows
from jiance.units.areas import area_for, pager_query
from jiance.units.models import Level, Unit
from jiance.windows.views import window_context


def _county(scope: Scope, code: str, allowed: tuple[str, ...] = roles.COUNTY_AND_ABOVE) -> Unit:
    county = selectors.county_for(scope=scope, code=code)
    scope.require(allowed, county)
    return county


def _error_text(exc: Exception) -> str:
    if isinstance(exc, ValidationError):
        return "；".join(exc.messages)
    return str(exc)


@login_required
def frame_home(request: HttpRequest) -> HttpResponse:
    scope = get_scope(request)
    if scope.holds(roles.CITY_AND_ABOVE):
        return redirect("reporting:overview")
    return my_unit_page(my_county(scope, roles.COUNTY_OFFICE), "reporting:county")


@login_required
@require_GET
def county_page(request: HttpRequest, code: str) -> HttpResponse:
    scope = get_scope(request)
    county = _county(scope, code)
    cycle = current_cycle(scope=get_scope(request))
    sub = selectors.submission_for(scope=scope, cycle=cycle, county=county)
    rows = selectors.county_rows(scope=scope, submission=sub, county=county)
    is_reporter = scope.holds(roles.COUNTY_OFFICE, county)
    is_reviewer = scope.holds(roles.CITY_OFFICE, county)
    context: dict[str, Any] = {
        "cycle": cycle, "county": county, **_progress(sub, rows),
        "grades": cycle_grades(cycle),
        "events": selectors.events_for(scope=scope, submission=sub),
        "changes": frame_changes(scope=scope, submission=sub),
        "is_reporter": is_reporter, "is_reviewer": is_reviewer,
        "can_edit": is_reporter and (sub is None or sub.editable),
        "can_submit": is_reporter and sub is not None and sub.editable,
        "can_review": is_reviewer and sub is not None and sub.status == FrameStatus.SUBMITTED,
        "can_unlock": is_reviewer and sub is not None and sub.status == FrameStatus.APPROVED,
        "upload_form": UploadForm(), "submit_form": SubmitForm(), "review_form": ReviewForm(),
        "review_buttons": [
            Button(_("审核通过"), ReviewAction.APPROVE),
            Button(_("退回修改"), ReviewAction.RETURN, css="danger"),
        ] if sub is not None and sub.status == FrameStatus.SUBMITTED else [
            Button(_("解锁（允许县级修改）"), ReviewAction.UNLOCK, css="danger"),
        ],
    }
    # the county edits and submits inside the cycle's window; the city may reopen it (jiance.windows)
    context |= window_context(scope, cycle, services.WINDOW, county)
    context |= {"reopen_url": reverse("reporting:window_reopen", args=[county.code]),
                "can_edit": context["can_edit"] and context["window"].open,
                "can_submit": context["can_submit"] and context["window"].open}
    return render(request, "reporting/county.html", context)


def _progress(sub: FrameSubmission | None, rows: list[selectors.SchoolRow]) -> dict[str, Any]:
    """The county's counts and status: drawn on the page, and out of band after a row save."""
    reported = [r.record for r in rows if r.record is not None]
    status = selectors.display_status(sub, len(reported))
    return {
        "submission": sub, "rows": rows, "status": status, "status_label": status_label(status),
        "reported": len(reported), "missing": len(rows) - len(reported),
        "primary_total": sum(r.primary_students for r in reported),
        "junior_total": sum(r.junior_students for r in reported),
    }


def _school(scope: Scope, county: Unit, school_code: str) -> Unit:
    return scope.get_unit(code=school_code, level=Level.SCHOOL, parent=county)


@login_required
def school_edit(request: HtmxHttpRequest, code: str, school_code: str) -> HttpResponse:
    scope = get_scope(request)
    county = _county(scope, code, roles.COUNTY_OFFICE)
    school = _school(scope, county, school_code)
    cycle = current_cycle(scope=get_scope(request))
    grades = cycle_grades(cycle)
    sub = selectors.submission_for(scope=scope, cycle=cycle, county=county)
    record = selectors.records_by_school(scope=scope, submission=sub).get(school.pk)
    template = page_or_partial(request, "reporting/school_edit.html", "row-form")
    if request.method == "POST":
        form = FrameRecordForm(request.POST, grades=grades)
        if form.is_valid():
            try:
                record = services.frame_record_save(
                    scope=scope, cycle=cycle, county=county, school=school,
                    data=form.record_data(), actor=request.user,
                )
            except (FrameError, ValidationError) as exc:
                form.add_error(None, _error_text(exc))
            else:
                if request.htmx:  # the row, and out of band the counts and the version the page's forms post
                    sub = selectors.submission_for(scope=scope, cycle=cycle, county=county)
                    rows = selectors.county_rows(scope=scope, submission=sub, county=county)
                    return render(request, "reporting/county.html#row-saved", {
                        "row": selectors.SchoolRow(school, record), "county": county, "can_edit": True,
                        "grades": grades, "just_saved": True, "oob": True, **_progress(sub, rows)})
                messages.success(request, _("已保存%(name)s的信息") % {"name": school.name})
                return redirect("reporting:county", code=county.code)
    else:
        if sub is not None and not sub.editable:
            try:
                sub.check_editable()
            except FrameError as exc:
                messages.error(request, str(exc))
            return redirect("reporting:county", code=county.code)
        form = FrameRecordForm(initial=initial_for(record, school), grades=grades)
    return render(request, template, {"form": form, "county": county, "school": school, "grades": grades})


@login_required
@require_GET
def school_row(request: HttpRequest, code: str, school_code: str) -> HttpResponse:
    scope = get_scope(request)
    county = _county(scope, code)
    school = _school(scope, county, school_code)
    cycle = current_cycle(scope=get_scope(request))
    sub = selectors.submission_for(scope=scope, cycle=cycle, county=county)
    record = selectors.records_by_school(scope=scope, submission=sub).get(school.pk)
    can_edit = scope.holds(roles.COUNTY_OFFICE, county) and (sub is None or sub.editable)
    return render(request, "reporting/county.html#school-row", {
        "row": selectors.SchoolRow(school, record), "county": county, "can_edit": can_edit,
        "grades": cycle_grades(cycle),
    })


@login_required
@require_GET
def template_download(request: HttpRequest, code: str) -> HttpResponse:
    scope = get_scope(request)
    county = _county(scope, code, roles.COUNTY_OFFICE)
    cycle = current_cycle(scope=get_scope(request))
    sub = selectors.submission_for(scope=scope, cycle=cycle, county=county)
    content = build_frame_template(
        county=county, grades=cycle_grades(cycle),
        schools=list(selectors.county_schools(scope=scope, county=county)),
        records=selectors.records_by_school(scope=scope, submission=sub),
    )
    return download(content, f"{county.name}属地学校信息填报表.xlsx")


@login_required
@require_POST
def upload(request: HttpRequest, code: str) -> HttpResponse:
    scope = get_scope(request)
    county = _county(scope, code, roles.COUNTY_OFFICE)
    cycle = current_cycle(scope=get_scope(request))
    form = UploadForm(request.POST, request.FILES)
    if not form.is_valid():
        for errs in form.errors.values():
            for e in errs:
                messages.error(request, str(e))
        return redirect("reporting:county", code=county.code)
    f = form.cleaned_data["file"]
    try:
        stored = services.frame_upload_store(
            scope=scope, cycle=cycle, county=county, filename=f.name, content=f.read(), actor=request.user
        )
    except FrameError as exc:
        messages.error(request, str(exc))
        if missing_columns([str(exc)]):  # a whole-file error has no rows to send back: the template instead
            messages.info(request, _("请点“下载填报模板”，按模板的列填写（或把数据粘贴到模板中）后重新上传。"))
        return redirect("reporting:county", code=county.code)
    return redirect("reporting:upload_detail", pk=stored.pk)


@login_required
@require_GET
def upload_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """The dry run: every problem by row and column, or what confirming would change."""
    scope = get_scope(request)
    stored = selectors.upload_get(scope=scope, pk=pk)
    sub = stored.submission
    county = sub.county
    scope.require(roles.COUNTY_OFFICE, county)
    outcome = None
    error = ""
    if stored.applied_at is None:
        try:
            outcome = services.frame_import(
                scope=scope, cycle=sub.cycle, county=county, content=stored.read(),
                actor=request.user, dry_run=True, base_version=stored.base_version,
            )
        except FrameError as exc:
            error = str(exc)
    result = outcome.result if outcome else None
    return render(request, "reporting/upload.html", {
        "upload": stored, "county": county, "outcome": outcome, "error": error,
        "result": result, "plan": outcome.plan if outcome else None,
        "missing": missing_columns(p.reason for p in result.problems) if result else [],
    })


@login_required
@require_POST
def upload_confirm(request: HttpRequest, pk: int) -> HttpResponse:
    scope = get_scope(request)
    stored = selectors.upload_get(scope=scope, pk=pk)
    county = stored.submission.county
    scope.require(roles.COUNTY_OFFICE, county)
    try:
        outcome = services.frame_upload_apply(scope=scope, upload=stored, actor=request.user)
    except FrameError as exc:
        messages.error(request, str(exc))
        return redirect("reporting:upload_detail", pk=stored.pk)
    if not outcome.applied:
        messages.error(request, _("文件有错误，未导入任何数据"))
        return redirect("reporting:upload_detail", pk=stored.pk)
    plan = outcome.plan
    assert plan is not None
    messages.success(request, _("导入成功：新增 %(n)s 所，修改 %(c)s 所，未变 %(u)s 所") % {
        "n": len(plan.new), "c": len(plan.changed), "u": len(plan.unchanged)})
    return redirect("reporting:county", code=county.code)


@login_required
@require_GET
def upload_rejected(request: HttpRequest, pk: int) -> HttpResponse:
    scope = get_scope(request)
    stored = selectors.upload_get(scope=scope, pk=pk)
    sub = stored.submission
    scope.require(roles.COUNTY_OFFICE, sub.county)
    result = selectors.check_frame_upload(scope=scope, cycle=sub.cycle, county=sub.county,
                                          content=stored.read())
    if not result.rejected_rows():  # a whole-file problem: no rows to send back (the page links the template)
        raise Http404
    return download(rejected_workbook(result), f"{sub.county.name}未通过检查的行.xlsx")


@login_required
@require_POST
def submit(request: HttpRequest, code: str) -> HttpResponse:
    scope = get_scope(request)
    county = _county(scope, code, roles.COUNTY_OFFICE)
    sub = selectors.submission_for(scope=scope, cycle=current_cycle(scope=get_scope(request)), county=county)
    form = SubmitForm(request.POST)
    if sub is None:
        messages.error(request, _("还没有填报任何学校，不能提交"))
    elif form.is_valid():
        with refusal_shown(request, FrameError, _("已提交市级审核")):
            services.frame_submit(scope=scope, submission=sub, actor=request.user,
                                  comment=form.cleaned_data["comment"], version=form.posted_version())
    return redirect("reporting:county", code=county.code)


@login_required
@require_POST
def review(request: HttpRequest, code: str) -> HttpResponse:
    scope = get_scope(request)
    county = _county(scope, code, roles.CITY_OFFICE)
    sub = selectors.submission_for(scope=scope, cycle=current_cycle(scope=get_scope(request)), county=county)
    if sub is None:
        raise Http404
    form = ReviewForm(request.POST)
    if not form.is_valid():
        for errs in form.errors.values():
            for e in errs:
                messages.error(request, str(e))
        return redirect("reporting:county", code=county.code)
    action = form.cleaned_data["action"]
    comment = form.cleaned_data["comment"]
    service = {
        ReviewAction.APPROVE: services.frame_approve,
        ReviewAction.RETURN: services.frame_return,
        ReviewAction.UNLOCK: services.frame_unlock,
    }[action]
    done = _("%(county)s：已%(action)s") % {"county": county.name, "action": ReviewAction(action).label}
    with refusal_shown(request, FrameError, done):
        service(scope=scope, submission=sub, actor=request.user, comment=comment, version=form.posted_version())
    return redirect("reporting:county", code=county.code)


@login_required
@require_GET
def overview(request: HttpRequest) -> HttpResponse:
    scope = get_scope(request)
    if not scope.holds(roles.CITY_AND_ABOVE):
        raise PermissionDenied
    cycle = current_cycle(scope=get_scope(request))
    area = area_for(scope=scope, roles=roles.CITY_AND_ABOVE, code=request.GET.get("area", ""))
    rows = selectors.frame_overview(scope=scope, cycle=cycle, area=area)
    parts = selectors.frame_parts(area, rows)
    return render(request, "reporting/overview.html", {
        "cycle": cycle, "area": area, "rows": [] if parts else rows, "parts": parts, "counties": len(rows),
        "grades": cycle_grades(cycle), "area_query": pager_query(request.GET, area=""),
        "approved": sum(1 for r in rows if r.status == FrameStatus.APPROVED),
        "submitted": sum(1 for r in rows if r.status == FrameStatus.SUBMITTED),
    })


@login_required
@require_GET
def export(request: HttpRequest, fmt: str) -> HttpResponse:
    scope = get_scope(request)
    if not scope.holds(roles.CITY_AND_ABOVE):
        raise PermissionDenied
    cycle = current_cycle(scope=get_scope(request))
    rows = list(selectors.approved_frame(scope=scope, cycle=cycle))
    services.frame_export_record(scope=scope, cycle=cycle, fmt=fmt, rows=len(rows), actor=request.user)
    stamp = clock.today().strftime("%Y%m%d")
    if fmt == "csv":
        buf = io.StringIO()
        writer = csv.writer(buf)
        writer.writerow(selectors.EXPORT_COLUMNS)
        for row in rows:
            writer.writerow([safe_cell(v) for v in row])
        return download(("\ufeff" + buf.getvalue()).encode("utf-8"), f"frame-{cycle.code}-{stamp}.csv")
    return download(write_rows("frame", selectors.EXPORT_COLUMNS, rows), f"frame-{cycle.code}-{stamp}.xlsx")
