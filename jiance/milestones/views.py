"""A unit's task page (工作节点): its tasks and how each is done; marking by hand with a note and
an attachment, undoing, the level above's confirm/return, the attachment download."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from jiance import clock
from jiance.accounts.roles import ALL_OFFICES, LEVEL_OFFICE, unit_for
from jiance.accounts.scoping import Scope, get_scope
from jiance.cycles.models import Cycle, Milestone
from jiance.cycles.selectors import current_cycle
from jiance.http import download
from jiance.milestones import services
from jiance.milestones.attachments import (
    CONTENT_TYPES,
    AttachmentRefused,
    check_attachment,
    max_bytes,
)
from jiance.milestones.forms import DecideForm, MarkForm
from jiance.milestones.models import MarkError, MilestoneMark
from jiance.milestones.selectors import awaiting_confirmation, subunit_progress, unit_tasks
from jiance.notifications.selectors import office_units
from jiance.units.models import Unit


def _unit(scope: Scope, code: str) -> Unit:
    return unit_for(scope, code, ALL_OFFICES)


def _task(cycle: Cycle, unit: Unit, milestone_id: int) -> Milestone:
    return get_object_or_404(Milestone, pk=milestone_id, cycle=cycle, level=unit.level)


def _back(unit: Unit, milestone: Milestone | None = None) -> HttpResponse:
    anchor = f"#task-{milestone.number}" if milestone is not None else ""
    return redirect(reverse("milestones:unit", args=[unit.code]) + anchor)


@login_required
def index(request: HttpRequest) -> HttpResponse:
    """The person's own units' task pages (straight to it when there is one)."""
    scope = get_scope(request)
    scope.require(ALL_OFFICES)
    units = office_units(scope)
    if len(units) == 1:
        return redirect("milestones:unit", units[0].code)
    return render(request, "milestones/index.html", {"units": units})


@login_required
def unit_page(request: HttpRequest, code: str) -> HttpResponse:
    scope = get_scope(request)
    unit = _unit(scope, code)
    cycle = current_cycle(scope=scope)
    today = clock.today()
    own = scope.holds(LEVEL_OFFICE.get(unit.level, ()), unit) and any(
        g.unit_id == unit.pk and g.role in LEVEL_OFFICE.get(unit.level, ()) for g in scope.grants)
    child_level, progress = subunit_progress(scope=scope, cycle=cycle, unit=unit, today=today)
    return render(request, "milestones/unit.html", {
        "unit": unit, "cycle": cycle, "today": today, "rows": unit_tasks(cycle=cycle, unit=unit, today=today),
        "own": own, "mark_form": MarkForm(), "awaiting": awaiting_confirmation(scope=scope, cycle=cycle, unit=unit),
        "child_level": child_level, "progress": progress,
        "may_remind": scope.holds(LEVEL_OFFICE.get(unit.level, ()), unit),
    })


@login_required
@require_POST
def mark(request: HttpRequest, code: str, milestone_id: int) -> HttpResponse:
    scope = get_scope(request)
    unit = _unit(scope, code)
    milestone = _task(current_cycle(scope=scope), unit, milestone_id)
    form = MarkForm(request.POST, request.FILES)
    if not form.is_valid():
        messages.error(request, "；".join(str(e) for errs in form.errors.values() for e in errs))
        return _back(unit, milestone)
    try:
        upload = form.cleaned_data.get("attachment")
        attachment = None
        if upload:
            # read at most one byte past the cap: an oversized file is refused without loading it
            attachment = check_attachment(upload.read(max_bytes() + 1), upload.name)
        services.milestone_mark(scope=scope, milestone=milestone, unit=unit, actor=request.user,
                                note=form.cleaned_data["note"], attachment=attachment,
                                version=form.posted_version())
    except (MarkError, AttachmentRefused) as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("已报上级确认") if milestone.confirmed_by else _("已标记完成"))
    return _back(unit, milestone)


def _mark_of(scope: Scope, unit: Unit, milestone_id: int) -> MilestoneMark:
    cycle = current_cycle(scope=scope)
    return scope.get(MilestoneMark.objects.select_related("milestone", "unit"), unit=unit,
                     milestone_id=milestone_id, cycle=cycle)


@login_required
@require_POST
def undo(request: HttpRequest, code: str, milestone_id: int) -> HttpResponse:
    scope = get_scope(request)
    unit = _unit(scope, code)
    row = _mark_of(scope, unit, milestone_id)
    form = MarkForm(request.POST)
    try:
        services.milestone_undo(scope=scope, mark=row, actor=request.user, version=form.posted_version())
    except MarkError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("已撤销完成标记，该任务重新变为未完成"))
    return _back(unit, row.milestone)


@login_required
@require_POST
def decide(request: HttpRequest, code: str, milestone_id: int) -> HttpResponse:
    """The level above confirms a marking, or returns it with a reason."""
    scope = get_scope(request)
    unit = _unit(scope, code)
    row = _mark_of(scope, unit, milestone_id)
    form = DecideForm(request.POST)
    back = request.POST.get("back", "")
    if not form.is_valid():
        messages.error(request, _("请选择确认或退回"))
    else:
        try:
            if form.cleaned_data["action"] == "confirm":
                services.milestone_confirm(scope=scope, mark=row, actor=request.user,
                                           comment=form.cleaned_data["comment"], version=form.posted_version())
                messages.success(request, _("已确认完成"))
            else:
                services.milestone_return(scope=scope, mark=row, actor=request.user,
                                          comment=form.cleaned_data["comment"], version=form.posted_version())
                messages.success(request, _("已退回"))
        except MarkError as exc:
            messages.error(request, str(exc))
    page = scope.filter(Unit.objects.filter(code=back), unit_field="self").first() if back else None
    if page is not None:  # back to the confirming unit's page the decision was made on
        return redirect(reverse("milestones:unit", args=[page.code]) + "#awaiting")
    return _back(unit, row.milestone)


@login_required
def attachment(request: HttpRequest, code: str, milestone_id: int) -> HttpResponse:
    """The evidence file of a marking, to the offices of the unit and above."""
    scope = get_scope(request)
    unit = _unit(scope, code)
    row = _mark_of(scope, unit, milestone_id)
    if not row.attachment:
        raise Http404
    return download(bytes(row.attachment), row.attachment_name or "附件",
                    content_type=CONTENT_TYPES.get(row.attachment_type))
