"""Thin views of school sampling: permission check → form → service → render."""

from __future__ import annotations

import csv
import io
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from jiance.accounts.roles import COUNTY_OFFICE, SCHOOL_OFFICE, my_county, my_school
from jiance.accounts.scoping import Scope, get_scope
from jiance.cycles.models import Cycle
from jiance.cycles.selectors import active_cycle, current_cycle
from jiance.htmx import HtmxHttpRequest, page_or_partial
from jiance.http import download
from jiance.sampling import selectors, services
from jiance.sampling.draw_jobs import draw_job_submit
from jiance.sampling.forms import DecisionForm, DrawForm, PublishForm, ReplacementRequestForm
from jiance.sampling.models import RequestStatus, RowStatus, SamplingError
from jiance.sampling.plan import plan_from_config
from jiance.sampling.selectors import COUNTY_ROLES, DRAW_ROLES, EXPORT_COLUMNS
from jiance.spreadsheets import safe_cell, write_rows
from jiance.units.models import Level, Unit


@login_required
def sampling_home(request: HttpRequest) -> HttpResponse:
    scope = get_scope(request)
    if selectors.owner_units(scope=scope):
        return redirect("sampling:draws")
    county = my_county(scope, COUNTY_OFFICE)
    if county is not None:
        return redirect("sampling:county", code=county.code)
    if my_school(scope, SCHOOL_OFFICE) is not None:
        return redirect("sampling:school")
    raise PermissionDenied


# --- city (or higher): draw, preview, publish ----------------------------------------------
def _owner(request: HttpRequest, scope: Scope) -> Unit:
    owner = selectors.owner_for(scope=scope, code=request.GET.get("owner") or request.POST.get("owner"))
    if owner is None:
        raise PermissionDenied
    return owner


def _draws_context(scope: Scope, cycle: Cycle, owner: Unit, form: DrawForm) -> dict[str, Any]:
    counties = selectors.draw_counties(scope=scope, cycle=cycle, owner=owner)
    frames = selectors.frame_status(scope=scope, cycle=cycle, counties=counties)
    try:
        plan, plan_error = plan_from_config(cycle.config, counties), ""
    except SamplingError as exc:
        plan, plan_error = None, str(exc)
    overrides = []
    if plan is not None:
        names = {c.code: c.name for c in counties}
        overrides = [(names.get(code, code), v) for code, v in sorted(plan.county_overrides.items())]
    return {
        "cycle": cycle, "owner": owner, "owners": selectors.owner_units(scope=scope), "frames": frames,
        "approved": sum(1 for f in frames if f.approved), "all_approved": bool(frames) and all(f.approved for f in frames),
        "plan": plan, "plan_error": plan_error, "overrides": overrides, "form": form,
        "draws": selectors.draws_for(scope=scope, cycle=cycle, owner=owner),
    }


@login_required
@require_GET
def draws_page(request: HttpRequest) -> HttpResponse:
    scope = get_scope(request)
    owner = _owner(request, scope)
    scope.require(DRAW_ROLES, owner)
    cycle = current_cycle(scope=scope)
    return render(request, "sampling/draws.html", _draws_context(scope, cycle, owner, DrawForm()))


@login_required
@require_POST
def draw_create(request: HttpRequest) -> HttpResponse:
    scope = get_scope(request)
    owner = _owner(request, scope)
    scope.require(DRAW_ROLES, owner)
    cycle = current_cycle(scope=scope)
    form = DrawForm(request.POST)
    if form.is_valid() and form.cleaned_data["background"]:
        job = draw_job_submit(scope=scope, cycle=cycle, owner=owner, seed=form.cleaned_data["seed"],
                              method=form.cleaned_data["method"])
        messages.success(request, _("已提交后台抽样，完成后在“后台任务”中打开结果。"))
        return redirect(f"{reverse('jobs:list')}?job={job.pk}")
    if form.is_valid():
        try:
            draw = services.draw_create(
                scope=scope, cycle=cycle, owner=owner, seed=form.cleaned_data["seed"],
                method=form.cleaned_data["method"], actor=request.user,
            )
        except SamplingError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, _("已完成抽样（随机种子 %(seed)s），请核对预览结果后发布。") % {"seed": draw.seed})
            return redirect("sampling:draw", draw_id=draw.pk)
    context = _draws_context(scope, cycle, owner, form)
    return render(request, "sampling/draws.html", context, status=400)


def _draw(request: HttpRequest, draw_id: int) -> tuple[Scope, Any]:
    scope = get_scope(request)
    draw = selectors.draw_get(scope=scope, pk=draw_id)
    scope.require(DRAW_ROLES, draw.owner)
    return scope, draw


def _draw_context(scope: Scope, draw: Any, **extra: Any) -> dict[str, Any]:
    strata = selectors.draw_strata(scope=scope, draw=draw)
    rows = [r for s in strata for r in s.rows]
    selected = [r for r in rows if r.is_selected_role]
    history = (
        selectors.requests_for(scope=scope, draw=draw).filter(status=RequestStatus.APPROVED).order_by("sequence")
        if draw.is_published else []
    )
    return {
        "draw": draw, "cycle": draw.cycle, "strata": strata,
        "n_selected": len(selected), "n_added": sum(1 for r in selected if r.role == "added"),
        "n_replacements": len(rows) - len(selected),
        "n_in_sample": sum(1 for r in rows if r.status == RowStatus.IN_SAMPLE),
        "n_confirmed": sum(1 for r in rows if r.status == RowStatus.IN_SAMPLE and r.confirmed_at),
        "planned_students": sum(r.planned_students for r in rows if r.status == RowStatus.IN_SAMPLE),
        "pending": selectors.pending_requests(scope=scope, draw=draw) if draw.is_published else [],
        "history": history, "publish_form": PublishForm(), "decision_form": DecisionForm(),
        **extra,
    }


@login_required
@require_GET
def draw_page(request: HttpRequest, draw_id: int) -> HttpResponse:
    scope, draw = _draw(request, draw_id)
    return render(request, "sampling/draw.html", _draw_context(scope, draw))


@login_required
@require_POST
def draw_publish(request: HttpRequest, draw_id: int) -> HttpResponse:
    scope, draw = _draw(request, draw_id)
    form = PublishForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("请先勾选确认：发布后样本不可修改。"))
        return redirect("sampling:draw", draw_id=draw.pk)
    try:
        draw = services.draw_publish(scope=scope, draw=draw, actor=request.user)
    except SamplingError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("样本校名单已发布，校验码 %(h)s。") % {"h": draw.sample_hash})
    return redirect("sampling:draw", draw_id=draw.pk)


@login_required
@require_GET
def draw_verify(request: HtmxHttpRequest, draw_id: int) -> HttpResponse:
    scope, draw = _draw(request, draw_id)
    result = services.draw_verify(draw=draw)
    template = page_or_partial(request, "sampling/draw.html", "verify")
    return render(request, template, _draw_context(scope, draw, verification=result))


@login_required
@require_GET
def draw_export(request: HttpRequest, draw_id: int, fmt: str) -> HttpResponse:
    scope, draw = _draw(request, draw_id)
    if fmt not in ("csv", "xlsx") or not draw.is_published:
        raise Http404
    rows = list(selectors.export_rows(scope=scope, draw=draw))
    services.draw_export_record(draw=draw, fmt=fmt, rows=len(rows), actor=request.user)
    name = f"样本校名单-{draw.owner.name}-{draw.cycle.code}"
    if fmt == "csv":
        buf = io.StringIO()
        buf.write("\ufeff")
        writer = csv.writer(buf)
        writer.writerow(EXPORT_COLUMNS)
        for row in rows:  # booleans as the offline tool writes them (polars: true/false)
            writer.writerow([str(v).lower() if isinstance(v, bool) else safe_cell(v) for v in row])
        return download(buf.getvalue().encode("utf-8"), f"{name}.csv")
    return download(write_rows("样本校名单", EXPORT_COLUMNS, rows), f"{name}.xlsx")


@login_required
@require_POST
def replacement_decide(request: HttpRequest, replacement_id: int) -> HttpResponse:
    scope = get_scope(request)
    req = selectors.request_get(scope=scope, pk=replacement_id)
    draw = req.sampled_school.draw
    scope.require(DRAW_ROLES, req.sampled_school.county)
    form = DecisionForm(request.POST)
    if not form.is_valid():
        messages.error(request, "；".join(str(m) for errs in form.errors.values() for m in errs))
        return redirect(reverse("sampling:draw", kwargs={"draw_id": draw.pk}) + "#requests")
    data = form.cleaned_data
    try:
        if data["decision"] == "approve":
            req = services.replacement_approve(
                scope=scope, request=req, actor=request.user, comment=data["comment"], skip_first=data["skip_first"]
            )
            new_name = req.replacement.school.name if req.replacement is not None else ""
            messages.success(
                request, _("已同意替换：%(old)s → %(new)s。") % {"old": req.sampled_school.school.name, "new": new_name}
            )
        else:
            services.replacement_reject(scope=scope, request=req, actor=request.user, comment=data["comment"])
            messages.success(request, _("已驳回替换申请。"))
    except SamplingError as exc:
        messages.error(request, str(exc))
    return redirect(reverse("sampling:draw", kwargs={"draw_id": draw.pk}) + "#requests")


# --- county: confirm, ask for replacements ---------------------------------------------------
def _county(scope: Scope, code: str) -> Unit:
    county = scope.get_unit(code=code, level=Level.COUNTY)
    scope.require((*COUNTY_ROLES, *DRAW_ROLES), county)
    return county


def _county_context(scope: Scope, cycle: Cycle, county: Unit, **extra: Any) -> dict[str, Any]:
    draw = selectors.published_draw_for_county(scope=scope, cycle=cycle, county=county)
    rows = list(selectors.county_rows(scope=scope, draw=draw, county=county)) if draw else []
    texts = {(e["county"], e["stage"]): e["text"] for e in (draw.explanations if draw else [])}
    stages = []
    for stage, label in (("primary", _("小学")), ("junior", _("初中"))):
        stage_rows = [r for r in rows if r.stage == stage]
        if stage_rows:
            stages.append({
                "stage": stage, "label": label, "text": texts.get((county.code, stage), ""),
                "current": [r for r in stage_rows if r.status == RowStatus.IN_SAMPLE],
                "others": [r for r in stage_rows if r.status != RowStatus.IN_SAMPLE],
            })
    current = [r for r in rows if r.status == RowStatus.IN_SAMPLE]
    pending_ids = set(
        selectors.requests_for(scope=scope, draw=draw, county=county)
        .filter(status=RequestStatus.PENDING).values_list("sampled_school_id", flat=True)
    ) if draw else set()
    is_county = scope.holds(COUNTY_ROLES, county)
    return {
        "cycle": cycle, "county": county, "draw": draw, "stages": stages,
        "n_current": len(current), "n_confirmed": sum(1 for r in current if r.confirmed_at),
        "planned_students": sum(r.planned_students for r in current),
        "requests": selectors.requests_for(scope=scope, draw=draw, county=county) if draw else [],
        "pending_ids": pending_ids, "can_act": is_county and draw is not None, **extra,
    }


@login_required
@require_GET
def county_page(request: HttpRequest, code: str) -> HttpResponse:
    scope = get_scope(request)
    county = _county(scope, code)
    return render(request, "sampling/county.html", _county_context(scope, current_cycle(scope=scope), county))


@login_required
@require_POST
def confirm(request: HttpRequest, sampled_id: int) -> HttpResponse:
    scope = get_scope(request)
    row = selectors.row_get(scope=scope, pk=sampled_id)
    try:
        row = services.sample_confirm(scope=scope, sampled_school=row, actor=request.user)
    except SamplingError as exc:
        messages.error(request, str(exc))
        return redirect("sampling:county", code=row.county.code)
    if getattr(request, "htmx", False):  # the row, and the county's counts out of band (no stale 19/21)
        return render(request, "sampling/county.html#confirmed", _county_context(
            scope, current_cycle(scope=scope), row.county, r=row, just_saved=True, oob=True))
    messages.success(request, _("已确认：%(name)s。") % {"name": row.school.name})
    return redirect("sampling:county", code=row.county.code)


@login_required
@require_POST
def confirm_all(request: HttpRequest, code: str) -> HttpResponse:
    scope = get_scope(request)
    county = _county(scope, code)
    scope.require(COUNTY_ROLES, county)
    draw = selectors.published_draw_for_county(scope=scope, cycle=current_cycle(scope=scope), county=county)
    if draw is None:
        raise Http404
    try:
        n = services.sample_confirm_county(scope=scope, draw=draw, county=county, actor=request.user)
    except SamplingError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("已确认本县样本校名单（本次确认 %(n)s 所）。") % {"n": n})
    return redirect("sampling:county", code=county.code)


@login_required
def replacement_new(request: HttpRequest, sampled_id: int) -> HttpResponse:
    scope = get_scope(request)
    row = selectors.row_get(scope=scope, pk=sampled_id)
    scope.require(COUNTY_ROLES, row.county)
    form = ReplacementRequestForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.replacement_request(
                scope=scope, sampled_school=row, reason=form.cleaned_data["reason"],
                reason_kind=form.cleaned_data["reason_kind"], actor=request.user,
            )
        except SamplingError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, _("已提交替换申请，等待市级审核：%(name)s。") % {"name": row.school.name})
            return redirect("sampling:county", code=row.county.code)
    candidates = services.replacement_candidates(row) if row.status == RowStatus.IN_SAMPLE else []
    return render(
        request, "sampling/replace.html",
        {"row": row, "county": row.county, "form": form, "candidates": candidates},
        status=400 if request.method == "POST" else 200,
    )


# --- school: am I sampled? ---------------------------------------------------------------
@login_required
@require_GET
def school_page(request: HttpRequest) -> HttpResponse:
    scope = get_scope(request)
    own = [g.unit_id for g in scope.grants if g.unit_level == Level.SCHOOL]
    schools = list(scope.filter(Unit.objects.filter(pk__in=own), unit_field="self").order_by("path"))
    if not schools:
        raise PermissionDenied
    cycle = active_cycle(scope)
    notices = [(s, selectors.school_sample_status(scope, s, cycle)) for s in schools]
    return render(request, "sampling/school.html", {"cycle": cycle, "notices": notices})
