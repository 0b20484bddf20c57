"""Staff pages of the recordings: the monitoring page of a school, county or city (per student
and task at a school, per school above; the table re-read by htmx every 5 s, 304 while its ETag
is unchanged), and the playing of one recording by a reviewer (permission-checked, audited,
never cached). Thin: permission → selector/service → render."""

from __future__ import annotations

import hashlib
from pathlib import PurePosixPath
from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseNotModified
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.utils.cache import patch_cache_control
from django.utils.translation import get_language
from django.views.decorators.http import require_GET

from jiance.accounts import roles
from jiance.accounts.scoping import get_scope
from jiance.audit.services import audit_record
from jiance.cycles.selectors import current_cycle
from jiance.http import download
from jiance.recordings import selectors, storage
from jiance.recordings.models import STATE_LABELS, Recording
from jiance.units.models import Level
from jiance_core.recordings import checks


@login_required
def home(request: HttpRequest) -> HttpResponse:
    scope = get_scope(request)
    units = scope.units_for_roles(roles.RECORDING_MONITORS).order_by("path")
    unit = units.first()
    if unit is None:
        scope.require(roles.RECORDING_MONITORS)
        raise Http404
    return redirect("recordings:monitor", code=unit.code)


def _context(request: HttpRequest, code: str) -> dict[str, Any]:
    scope = get_scope(request)
    unit = scope.get_unit(code=code)
    scope.require(roles.RECORDING_MONITORS, unit)
    cycle = current_cycle(scope=scope)
    rows = selectors.student_rows(cycle=cycle, unit=unit)
    at_school = unit.level == Level.SCHOOL
    return {
        "unit": unit, "cycle": cycle, "at_school": at_school, "rows": rows if at_school else [],
        "schools": [] if at_school else selectors.school_counts(rows),
        "totals": selectors.totals(rows), "columns": [(s, STATE_LABELS[s]) for s in checks.STATES],
        "can_play": scope.holds(roles.RECORDING_REVIEWERS, unit),
    }


def _digest(ctx: dict[str, Any]) -> str:
    cells = [(r.delivery.pk, [(c.state, c.attempts) for c in r.cells]) for r in ctx["rows"]]
    schools = [(u.pk, sorted(n.items())) for u, n in ctx["schools"]]
    raw = repr((get_language(), ctx["can_play"], cells, schools, ctx["totals"]))
    return '"' + hashlib.sha256(raw.encode()).hexdigest()[:32] + '"'


@login_required
@require_GET
def monitor(request: HttpRequest, code: str) -> HttpResponse:
    ctx = _context(request, code)
    response = render(request, "recordings/monitor.html", ctx)
    patch_cache_control(response, private=True, no_cache=True)
    return response


@login_required
@require_GET
def table(request: HttpRequest, code: str) -> HttpResponse:
    """The monitoring table alone (htmx polling): 304 while nothing changed."""
    ctx = _context(request, code)
    tag = _digest(ctx)
    if request.headers.get("If-None-Match") == tag:
        response: HttpResponse = HttpResponseNotModified()
    else:
        response = HttpResponse(render_to_string("recordings/_table.html", ctx, request=request))
    response["ETag"] = tag
    patch_cache_control(response, private=True, no_cache=True)
    return response


@login_required
@require_GET
def play(request: HttpRequest, recording_id: int) -> HttpResponse:
    """One recording's sound, for a reviewer of its school's area; every play is audited."""
    scope = get_scope(request)
    row = scope.filter(Recording.objects.select_related("delivery__sitting__school", "delivery__student"),
                       unit_field="delivery__sitting__school").filter(pk=recording_id).first()
    if row is None:
        raise Http404
    school = row.delivery.sitting.school
    scope.require(roles.RECORDING_REVIEWERS, school)
    try:
        data = storage.read(row.path)
    except FileNotFoundError as exc:
        raise Http404 from exc
    audit_record(action="recording.play", obj=row, unit=school, actor=request.user,
                 detail=f"{row.delivery.student} {row.task} #{row.attempt}")
    return download(data, PurePosixPath(row.path).name, content_type=row.content_type, inline=True)
