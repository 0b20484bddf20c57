from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from jiance import clock
from jiance.accounts.roles import UNIT_MANAGERS
from jiance.accounts.scoping import get_scope
from jiance.files import StorageError
from jiance.htmx import HtmxHttpRequest
from jiance.http import download
from jiance.spreadsheets import missing_columns
from jiance.units import uploads
from jiance.units.forms import ConfirmImportForm, UnitImportForm
from jiance.units.importer import COMPARED_FIELDS, HEADER_OF, LEVEL_LABELS, Kind, unit_template
from jiance.units.models import Level, Unit
from jiance.units.selectors import can_manage
from jiance.units.services import ImportResult, units_export, units_import


@login_required
def unit_list(request: HttpRequest) -> HttpResponse:
    unit = get_scope(request).primary_unit
    if unit is None:
        raise Http404
    return redirect("units:detail", code=unit.code)


@login_required
def unit_detail(request: HttpRequest, code: str) -> HttpResponse:
    scope = get_scope(request)
    unit = scope.get_unit(code=code)
    children = scope.filter(unit.children.all(), unit_field="self").order_by("code")
    page = Paginator(children, 100).get_page(request.GET.get("page"))
    breadcrumbs = [u for u in unit.ancestors().order_by("path") if scope.sees(u)]
    return render(
        request,
        "units/detail.html",
        {
            "unit": unit, "page": page, "breadcrumbs": breadcrumbs,
            "school_count": Unit.objects.subtree_of(unit).schools().count(),
            "can_manage": can_manage(scope, unit),
        },
    )


def _managed_unit(request: HttpRequest, code: str) -> Unit:
    """The unit whose subtree the person manages: 404 outside the scope, 403 without the role."""
    scope = get_scope(request)
    unit = scope.get_unit(code=code)
    if unit.level == Level.SCHOOL:
        raise Http404
    scope.require(UNIT_MANAGERS, unit)
    return unit


def _changes(result: ImportResult, limit: int = 50) -> list[dict[str, object]]:
    rows = []
    for r, old in result.plan.changed[:limit]:
        before, after = old.values(), r.values()
        diffs = []
        for f in COMPARED_FIELDS:
            if before[f] != after[f]:
                label = _("层级") if f == "level" else HEADER_OF.get(f, f)
                old_v = LEVEL_LABELS.get(before[f], before[f]) if f == "level" else before[f]
                diffs.append(f"{label}：{old_v or '—'} → {after[f] or '—'}")
        rows.append({"row": r.row, "code": r.code, "name": r.name, "diffs": diffs})
    return rows


def _render_import(request: HtmxHttpRequest, unit: Unit, form: UnitImportForm, **ctx: object) -> HttpResponse:
    template = "units/import.html#result" if request.htmx and "result" in ctx else "units/import.html"
    return render(request, template, {"unit": unit, "form": form, **ctx})


@login_required
def unit_import(request: HtmxHttpRequest, code: str) -> HttpResponse:
    """Upload → check (nothing written) → preview with counts and grouped errors."""
    unit = _managed_unit(request, code)
    if request.method != "POST":
        return _render_import(request, unit, UnitImportForm())
    form = UnitImportForm(request.POST, request.FILES)
    if not form.is_valid():
        return _render_import(request, unit, form, result=None, form_errors=form.errors.get("file"))
    upload = form.cleaned_data["file"]
    data = upload.read()
    result = units_import(data=data, filename=upload.name, roots=[unit.path], dry_run=True)
    # a file that could not be read is not kept: nothing to confirm or download
    unreadable = any(e.kind == Kind.FILE for e in result.plan.errors)
    try:
        token = "" if unreadable else uploads.keep(request.session, data=data, filename=upload.name,
                                                   unit_code=unit.code)
    except StorageError as exc:  # checked but not kept: nothing to confirm, say why
        return _render_import(request, unit, UnitImportForm(), result=None, form_errors=[str(exc)])
    return _render_import(request, unit, UnitImportForm(), result=result, token=token, changes=_changes(result),
                          missing=missing_columns(e.reason for e in result.plan.errors))


@login_required
@require_POST
def unit_import_confirm(request: HtmxHttpRequest, code: str) -> HttpResponse:
    """Write the checked file (re-checked inside the transaction): all of it or nothing."""
    unit = _managed_unit(request, code)
    form = ConfirmImportForm(request.POST)
    kept = uploads.fetch(request.session, token=form.data.get("token", ""), unit_code=unit.code) if form.is_valid() else None
    if kept is None:
        return _render_import(request, unit, UnitImportForm(), result=None, form_errors=[_("导入文件已失效，请重新上传")])
    data, filename = kept
    result = units_import(
        data=data, filename=filename, roots=[unit.path], actor=request.user, audit_unit=unit
    )
    if result.written:
        uploads.forget(request.session, token=form.cleaned_data["token"])
    return _render_import(
        request, unit, UnitImportForm(), result=result, token=form.cleaned_data["token"], changes=_changes(result)
    )


@login_required
@require_GET
def unit_import_rejected(request: HttpRequest, code: str, token: str) -> HttpResponse:
    """The refused rows of a checked file with an extra 错误原因 column."""
    unit = _managed_unit(request, code)
    kept = uploads.fetch(request.session, token=token, unit_code=unit.code)
    if kept is None:
        raise Http404
    data, filename = kept
    result = units_import(data=data, filename=filename, roots=[unit.path], dry_run=True)
    stem = filename.rsplit(".", 1)[0]
    return download(result.rejected_xlsx(), f"{stem}-问题行.xlsx")


@login_required
@require_GET
def unit_export(request: HttpRequest, code: str) -> HttpResponse:
    unit = _managed_unit(request, code)
    data = units_export(scope=get_scope(request), root=unit, actor=request.user)
    return download(data, f"{unit.name}-单位-{clock.today():%Y%m%d}.xlsx")


@login_required
@require_GET
def unit_template_download(request: HttpRequest) -> HttpResponse:
    return download(unit_template(), "单位导入模板.xlsx")
