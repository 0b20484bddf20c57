"""The weights page of a cycle and stage, and the student weight file (issue 14)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods

from jiance.accounts import roles
from jiance.accounts.scoping import Scope, get_scope
from jiance.analysis.build import StageWeights, stage_weights
from jiance.analysis.services import FORMATS, AnalysisError, weights_export
from jiance.cycles.models import Cycle
from jiance.cycles.selectors import current_cycle
from jiance.http import download
from jiance.reporting.models import cycle_grades
from jiance.stages import stage_label
from jiance.units.areas import Area, area_for, pager_query
from jiance.units.models import Level, Unit


def cycle_stages(cycle: Cycle) -> list[str]:
    """The stages the cycle tests (its `grades`; both when the template does not say)."""
    named = (cycle.config or {}).get("grades") or cycle_grades(cycle)
    return [s for s in ("primary", "junior") if s in named]


def _build(request: HttpRequest, stage: str) -> tuple[Scope, Cycle, Area, StageWeights]:
    scope = get_scope(request)
    if not scope.holds(roles.CITY_AND_ABOVE):
        raise PermissionDenied
    cycle = current_cycle(scope=scope)
    if stage not in cycle_stages(cycle):
        raise Http404
    area = area_for(scope=scope, roles=roles.CITY_AND_ABOVE, code=request.GET.get("area", ""))
    counties = list(Unit.objects.filter(area.q(), level=Level.COUNTY, is_active=True).order_by("code"))
    return scope, cycle, area, stage_weights(scope=scope, cycle=cycle, stage=stage, counties=counties)


@login_required
@require_GET
def weights_home(request: HttpRequest) -> HttpResponse:
    scope = get_scope(request)
    if not scope.holds(roles.CITY_AND_ABOVE):
        raise PermissionDenied
    stages = cycle_stages(current_cycle(scope=scope)) or ["primary"]
    return redirect("analysis:weights", stage=stages[0])


@login_required
@require_GET
def weights_page(request: HttpRequest, stage: str) -> HttpResponse:
    scope, cycle, area, result = _build(request, stage)
    totals = {
        "frame": sum(c.frame_enrolment for c in result.counties),
        "weighted": sum(c.weighted for c in result.counties),
        "tested": sum(c.students_tested for c in result.counties),
        "trimmed": sum(c.trimmed_amount for c in result.counties),
    }
    return render(request, "analysis/weights.html", {
        "cycle": cycle, "stage": stage, "stage_label": stage_label(stage),
        "stages": [(s, stage_label(s)) for s in cycle_stages(cycle)], "area": area,
        "area_query": pager_query(request.GET, area=""), "result": result, "totals": totals,
        "approximate": [c for c in result.counties if c.approximate], "formats": FORMATS,
        "centre": scope.is_centre, "score_manager": scope.holds(roles.CYCLE_MANAGERS),
    })


@login_required
@require_http_methods(["GET", "POST"])
def weights_download(request: HttpRequest, stage: str, fmt: str) -> HttpResponse:
    """GET: pseudonymous ids; POST (the centre, with a reason): names and student numbers too."""
    if fmt not in FORMATS:
        raise Http404
    identified = request.method == "POST"
    if identified and not get_scope(request).is_centre:
        raise PermissionDenied
    scope, _cycle, _area, result = _build(request, stage)
    try:
        content, name = weights_export(
            scope=scope, result=result, fmt=fmt, identified=identified,
            reason=request.POST.get("reason", "") if identified else "", actor=request.user,
        )
    except AnalysisError as exc:
        messages.error(request, str(exc))
        return redirect("analysis:weights", stage=stage)
    return download(content, name)
