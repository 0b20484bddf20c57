"""Thin views of the PE field test: permission → form → service → render.

A school's page is the entry table for its information officer (one row per sampled student,
saved row by row) and the check table for its PE proctors; the county and the city (and a
school's principal) see the figures only. Rows post to `save`/`check`; with htmx the row is
swapped in place, without JavaScript the page is redrawn at the row.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from jiance.accounts import roles
from jiance.accounts.scoping import Scope, get_scope
from jiance.cycles.models import Cycle
from jiance.cycles.selectors import current_cycle
from jiance.fieldtest import exports, selectors, services
from jiance.fieldtest.models import CardAction, CardStatus, FieldCard, FieldTestError
from jiance.fieldtest.rows import ATTENDANCE_CHOICES, row_view, stage_tables
from jiance.htmx import HtmxHttpRequest
from jiance.http import download
from jiance.units.models import Level, Unit


@login_required
@require_GET
def home(request: HtmxHttpRequest) -> HttpResponse:
    scope = get_scope(request)
    scope.require(roles.FIELDTEST_READERS)
    unit = scope.units_for_roles(roles.FIELDTEST_READERS).filter(is_active=True).order_by("path").first()
    if unit is None:
        raise Http404
    return redirect("fieldtest:unit", code=unit.code)


def _unit(request: HtmxHttpRequest, code: str) -> tuple[Scope, Cycle, Unit]:
    scope = get_scope(request)
    unit = roles.unit_for(scope, code, roles.FIELDTEST_READERS)
    return scope, current_cycle(scope=scope), unit


@login_required
@require_GET
def unit_page(request: HtmxHttpRequest, code: str) -> HttpResponse:
    scope, cycle, unit = _unit(request, code)
    rules = selectors.rules_of(cycle)
    progress = selectors.progress_under(scope=scope, cycle=cycle, unit=unit) if rules else []
    context: dict[str, Any] = {
        "cycle": cycle, "unit": unit, "rules": rules, "progress": progress,
        "total": selectors.total(progress, unit),
        "can_export": rules is not None and scope.holds(roles.FIELDTEST_EXPORTERS, unit),
    }
    is_school = unit.level == Level.SCHOOL
    if rules is not None and is_school and scope.holds(roles.FIELDTEST_VALUES, unit):
        entering = scope.holds(roles.FIELDTEST_ENTRY, unit)
        checking = scope.holds(roles.PE_PROCTORS, unit)
        rows = selectors.school_rows(scope=scope, cycle=cycle, school=unit)
        wanted = request.GET.get("show", "")
        if wanted in CardStatus.values:
            rows = [r for r in rows if r.card and r.card.status == wanted]
        elif wanted == "missing":
            rows = [r for r in rows if r.card is None]
        views = [row_view(r, rules, scope=scope, user=request.user, entering=entering, checking=checking)
                 for r in rows]
        context |= {"tables": stage_tables(views, rules), "entering": entering, "checking": checking,
                    "wanted": wanted, "attendance_choices": ATTENDANCE_CHOICES}
    return render(request, "fieldtest/unit.html", context)


def _row_reply(request: HtmxHttpRequest, scope: Scope, cycle: Cycle, school: Unit, student_id: int,
               **extra: Any) -> HttpResponse:
    if not request.htmx:
        return redirect(reverse("fieldtest:unit", args=[school.code]) + f"#s{student_id}")
    rules = selectors.rules_of(cycle)
    sampled = selectors.sampled_for(scope=scope, cycle=cycle, school=school, student_id=student_id)
    card = FieldCard.objects.filter(cycle=cycle, student_id=student_id).first()
    view = row_view(selectors.Row(sampled, card), rules, scope=scope, user=request.user,  # type: ignore[arg-type]
                    entering=scope.holds(roles.FIELDTEST_ENTRY, school),
                    checking=scope.holds(roles.PE_PROCTORS, school), **extra)
    # the school's figures travel with the row (out of band), so the counts above follow each save
    total = selectors.total(selectors.progress_under(scope=scope, cycle=cycle, unit=school), school)
    return render(request, "fieldtest/_row.html", {"r": view, "unit": school, "row_total": total,
                                                   "attendance_choices": ATTENDANCE_CHOICES})


@login_required
@require_POST
def save(request: HtmxHttpRequest, code: str, student_id: int) -> HttpResponse:
    scope, cycle, school = _unit(request, code)
    scope.require(roles.FIELDTEST_ENTRY, school)
    sampled = selectors.sampled_for(scope=scope, cycle=cycle, school=school, student_id=student_id)
    rules = selectors.rules_of(cycle)
    if rules is None:
        raise Http404
    raw = {i.code: request.POST.get(f"v_{i.code}", "") for i in rules.items}
    try:
        version = int(request.POST.get("version", "0"))
    except ValueError:
        version = -1
    try:
        services.card_save(scope=scope, cycle=cycle, sampled=sampled, version=version,
                           attendance=request.POST.get("attendance", ""), reason=request.POST.get("reason", ""),
                           raw=raw, confirm=request.POST.getlist("confirm"), actor=request.user)
    except services.CardInvalid as exc:
        if not request.htmx:
            messages.error(request, str(exc))
        return _row_reply(request, scope, cycle, school, student_id, posted=request.POST, errors=exc.check.errors)
    except FieldTestError as exc:
        if not request.htmx:
            messages.error(request, str(exc))
        return _row_reply(request, scope, cycle, school, student_id, posted=request.POST, errors={"card": str(exc)})
    if not request.htmx:
        messages.success(request, _("%(name)s：已保存") % {"name": sampled.student.name})
    return _row_reply(request, scope, cycle, school, student_id, saved=True)


@login_required
@require_POST
def check(request: HtmxHttpRequest, code: str, card_id: int) -> HttpResponse:
    scope, cycle, school = _unit(request, code)
    scope.require(roles.PE_PROCTORS, school)
    card = get_object_or_404(scope.filter(FieldCard.objects.filter(cycle=cycle, school=school), unit_field="school"),
                             pk=card_id)
    # the student must be one this person may see now (the release rule)
    selectors.sampled_for(scope=scope, cycle=cycle, school=school, student_id=card.student_id)
    action = request.POST.get("action", "")
    try:
        version = int(request.POST.get("version", "0"))
    except ValueError:
        version = -1
    try:
        services.card_check(scope=scope, card=card, action=action, version=version,
                            comment=request.POST.get("comment", ""), actor=request.user)
    except FieldTestError as exc:
        if not request.htmx:
            messages.error(request, str(exc))
        return _row_reply(request, scope, cycle, school, card.student_id, errors={"card": str(exc)})
    if not request.htmx:
        messages.success(request, str(CardAction(action).label))
    return _row_reply(request, scope, cycle, school, card.student_id, saved=True)


@login_required
@require_GET
def export(request: HtmxHttpRequest, code: str) -> HttpResponse:
    scope, cycle, unit = _unit(request, code)
    try:
        content, filename, _n = exports.cards_export(scope=scope, cycle=cycle, unit=unit, actor=request.user)
    except FieldTestError as exc:
        raise Http404(str(exc)) from exc
    return download(content, filename)


__all__ = ["check", "export", "home", "save", "unit_page"]
