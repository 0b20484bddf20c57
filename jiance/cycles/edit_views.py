"""The edit pages of a cycle (one per section), the copy-and-shift page and the confirmation of
flagged texts. Thin: permission → form → service → render."""

from __future__ import annotations

import uuid
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBadRequest
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from jiance.accounts.scoping import get_scope
from jiance.cycles import sections as sec
from jiance.cycles.editing import (
    CycleEditRefused,
    CycleInvalid,
    CycleStale,
    can_manage,
    cycle_flag_confirm,
    cycle_save_section,
    section_editable,
)
from jiance.cycles.forms import CycleCopyForm
from jiance.cycles.models import Cycle, CycleTextFlag
from jiance.cycles.selectors import cycle_get
from jiance.cycles.services import cycle_copy, template_of
from jiance.htmx import HtmxHttpRequest
from jiance_core.cycles.editing import describe_path
from jiance_core.cycles.loader import TemplateError, shift_cycle_with_flags
from jiance_core.cycles.shifting import TEXT_FIELDS


def _managed(request: HttpRequest, cycle_code: str) -> Cycle:
    """The cycle, 404 when the person does not see it, 403 when they may not edit it."""
    scope = get_scope(request)
    cycle = cycle_get(scope=scope, code=cycle_code)
    if not can_manage(scope, cycle):
        raise PermissionDenied
    return cycle


def _section(key: str) -> sec.Section:
    section = sec.SECTIONS.get(key)
    if section is None:
        raise Http404
    return section


def _tabs(cycle: Cycle) -> list[tuple[str, str]]:
    levels = [f"milestones-{lvl}" for lvl in sec.LEVEL_NAMES if lvl in (cycle.config.get("milestones") or {})]
    return [(k, str(sec.SECTIONS[k].label)) for k in (*sec.ORDER, *levels)]


def _new_row(section: sec.Section) -> sec.Row:
    return sec.Row(f"new-{uuid.uuid4().hex[:8]}", {c.name: "" for c in section.columns})


def _readonly_from_config(section: sec.Section, config: dict[str, Any], rows: list[sec.Row]) -> None:
    """Posted rows lack the columns the page only shows: take them from the original rows."""
    originals = sec.table_rows(section, config)
    for row in rows:
        if row.key.isdigit() and int(row.key) < len(originals):
            for col in section.columns:
                if col.kind == "readonly":
                    row.values[col.name] = originals[int(row.key)].values.get(col.name, "")


@login_required
def cycle_edit(request: HttpRequest, cycle_code: str, section: str) -> HttpResponse:
    cycle = _managed(request, cycle_code)
    part = _section(section)
    locked = section_editable(cycle, section)
    version = cycle.version
    rows: list[sec.Row] = []
    values: dict[str, Any] = {}
    placed = sec.Placed({}, {}, [])
    refusal = ""
    status = 200
    if request.method == "POST":
        if request.POST.get("section") != section or not request.POST.get("version", "").isdigit():
            return HttpResponseBadRequest(_("表单不完整，请重新打开本页。"))
        version = int(request.POST["version"])
        try:
            rows = sec.posted_rows(part, request.POST) if part.table else []
        except sec.Tampered:
            return HttpResponseBadRequest(_("表单不完整，请重新打开本页。"))
        values = sec.posted_fields(part, request.POST) if not part.table else {}
        if part.table:
            if not part.addable and [r.key for r in rows] != [
                str(i) for i in range(len(sec.rows_of(part, cycle.config)))
            ]:  # rows of a fixed table (document kinds) are neither added nor removed here
                return HttpResponseBadRequest(_("表单不完整，请重新打开本页。"))
            _readonly_from_config(part, cycle.config, rows)
        if "add_row" in request.POST and part.addable:
            rows.append(_new_row(part))
        elif "remove_row" in request.POST and part.addable:
            rows = [r for r in rows if r.key != request.POST["remove_row"]]
        else:
            data = (sec.apply_table(part, cycle.config, rows) if part.table
                    else sec.apply_fields(part, cycle.config, values))
            try:
                saved = cycle_save_section(cycle=cycle, section=section, data=data, version=version,
                                           actor=request.user, label=str(part.label))
            except CycleInvalid as exc:
                placed = sec.place_issues(part, exc.issues)
                refusal, status = str(exc), 422
            except CycleStale as exc:
                refusal, status = str(exc), 409
            except CycleEditRefused as exc:
                refusal, status = str(exc), 409
            else:
                messages.success(request, _("已保存“%(section)s”（第 %(version)s 版）。")
                                 % {"section": part.label, "version": saved.version})
                return redirect("cycles:edit", cycle_code=cycle.code, section=section)
    else:
        rows = sec.table_rows(part, cycle.config) if part.table else []
        values = sec.field_values(part, cycle.config) if not part.table else {}
    sec.attach(rows, placed)
    if not part.table and "test_days" in values:
        values["test_days"] = [*values["test_days"], ""]  # one more day can be added
    return render(request, "cycles/edit.html", {
        "cycle": cycle, "section": part, "tabs": _tabs(cycle), "rows": rows, "values": values,
        "placed": placed, "refusal": refusal, "locked": locked, "version": version,
        "columns": part.columns,
    }, status=status)


@login_required
def cycle_edit_row(request: HtmxHttpRequest, cycle_code: str, section: str) -> HttpResponse:
    """htmx: a blank row to append to a section's table (`?remove=1`: nothing, the row goes)."""
    cycle = _managed(request, cycle_code)
    part = _section(section)
    if not part.table or not part.addable or section_editable(cycle, section):
        raise Http404
    if request.GET.get("remove"):
        return HttpResponse("")
    return render(request, "cycles/edit.html#row", {
        "cycle": cycle, "section": part, "row": _new_row(part), "columns": part.columns,
    })


@login_required
def cycle_copy_page(request: HttpRequest, cycle_code: str) -> HttpResponse:
    """Copy a cycle to a new code and year: a preview of the shifted dates and texts, then the copy."""
    cycle = _managed(request, cycle_code)
    form = CycleCopyForm(request.POST if request.method == "POST" else None,
                         initial={"new_year": cycle.year + 1})
    preview: dict[str, Any] | None = None
    if request.method == "POST" and form.is_valid():
        args = {"new_year": form.cleaned_data["new_year"], "days": form.cleaned_data["days"],
                "new_code": form.cleaned_data["new_code"] or None}
        try:
            source = template_of(cycle)
            shifted, flags = shift_cycle_with_flags(source, **args)
        except (TemplateError, ValueError) as exc:
            form.add_error(None, str(exc))
        else:
            if Cycle.objects.filter(code=shifted.code).exists():
                form.add_error("new_code", _("代码 %(code)s 已被使用，请换一个。") % {"code": shifted.code})
            elif "preview" in request.POST:
                preview = {"template": shifted, "changes": _text_changes(source, shifted),
                           "flags": [(describe_path(f.path), f) for f in flags]}
            else:
                copy = cycle_copy(source=cycle, **args)
                messages.success(request, _("已复制为 %(name)s，日期及文字中的日期、年份已顺延。") % {"name": copy.name})
                return redirect("cycles:detail", cycle_code=copy.code)
    return render(request, "cycles/copy.html", {"cycle": cycle, "form": form, "preview": preview},
                  status=422 if request.method == "POST" and form.errors else 200)


def _text_changes(before: Any, after: Any) -> list[tuple[str, str, str]]:
    """(where, old text, new text) for every text the shift rewrote."""
    out: list[tuple[str, str, str]] = []

    def walk(a: Any, b: Any, path: str, is_text: bool) -> None:
        if isinstance(a, dict) and isinstance(b, dict):
            for k in a:
                if k in b:
                    walk(a[k], b[k], f"{path}.{k}" if path else str(k), str(k) in TEXT_FIELDS)
        elif isinstance(a, list) and isinstance(b, list):
            for i, (x, y) in enumerate(zip(a, b, strict=False)):
                walk(x, y, f"{path}[{i}]", is_text)
        elif is_text and isinstance(a, str) and a != b:
            out.append((describe_path(path), a, str(b)))

    walk(before.model_dump(mode="json"), after.model_dump(mode="json"), "", False)
    return out


@login_required
@require_POST
def cycle_flag_confirm_view(request: HttpRequest, cycle_code: str) -> HttpResponse:
    cycle = _managed(request, cycle_code)
    raw = request.POST.get("flag", "")
    if not raw.isdigit() or not CycleTextFlag.objects.filter(cycle=cycle, pk=int(raw)).exists():
        messages.error(request, _("没有这条待核对的文字。"))
    else:
        cycle_flag_confirm(cycle=cycle, flag_id=int(raw), actor=request.user)
        messages.success(request, _("已确认。"))
    return redirect(reverse("cycles:detail", kwargs={"cycle_code": cycle.code}) + "#flags")
