"""County and city reports: the index, the HTML page, its PDF and XLSX (issue 14). City offices
see their city and its counties, county offices their county, the centre and provinces every
unit below them (`area_for`: anything else is a 404)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from jiance.accounts import roles
from jiance.accounts.scoping import Scope, get_scope
from jiance.analysis.charts import histogram_chart, level_chart, share_chart
from jiance.analysis.report import Report, report_build
from jiance.analysis.report_files import REPORT_FORMATS, report_export
from jiance.analysis.report_jobs import SUBMITTERS, report_job_submit
from jiance.analysis.report_tables import (
    STATEMENT,
    indicator_table,
    questionnaire_intro,
    report_tables,
)
from jiance.analysis.views import cycle_stages
from jiance.cycles.models import Cycle
from jiance.cycles.selectors import current_cycle
from jiance.http import download
from jiance.stages import stage_label
from jiance.units.areas import area_for
from jiance.units.models import Level, Unit

READERS = roles.COUNTY_AND_ABOVE
REPORT_LEVELS = (Level.CITY, Level.COUNTY)


def _scope(request: HttpRequest) -> tuple[Scope, Cycle]:
    scope = get_scope(request)
    if not scope.holds(READERS):
        raise PermissionDenied
    return scope, current_cycle(scope=scope)


def _unit(scope: Scope, code: str) -> Unit:
    area = area_for(scope=scope, roles=READERS, code=code)
    if area.unit is None or area.unit.level not in REPORT_LEVELS:
        raise Http404
    return area.unit


@login_required
@require_GET
def reports_home(request: HttpRequest) -> HttpResponse:
    scope, cycle = _scope(request)
    area = area_for(scope=scope, roles=READERS, code=request.GET.get("area", ""))
    units = [u for u in ([area.unit] if area.unit else []) + list(area.parts) if u.level in REPORT_LEVELS]
    drill = [u for u in area.parts if u.level not in REPORT_LEVELS and u.level != Level.SCHOOL]
    return render(request, "analysis/reports.html", {
        "cycle": cycle, "area": area, "units": units, "drill": drill,
        "stages": [(s, stage_label(s)) for s in cycle_stages(cycle)],
        "score_manager": scope.holds(roles.CYCLE_MANAGERS),
    })


def _report(request: HttpRequest, stage: str, code: str) -> tuple[Scope, Report]:
    scope, cycle = _scope(request)
    if stage not in cycle_stages(cycle):
        raise Http404
    unit = _unit(scope, code)
    return scope, report_build(scope=scope, cycle=cycle, unit=unit, stage=stage)


@login_required
@require_GET
def report_page(request: HttpRequest, stage: str, code: str) -> HttpResponse:
    _, report = _report(request, stage, code)
    charts = []
    for s in report.subjects:
        lv, hist = level_chart(s), histogram_chart(s)
        charts.append({"subject": s, "levels": mark_safe(lv.svg()) if lv else "",
                       "histogram": mark_safe(hist.svg()) if hist else ""})
    tables = report_tables(report)
    indicators = []
    for n, ind in enumerate(report.questionnaire.indicators, start=1):
        chart = share_chart(ind)
        indicators.append({"table": indicator_table(ind, n), "chart": mark_safe(chart.svg()) if chart else ""})
    return render(request, "analysis/report.html", {
        "background": get_scope(request).holds(SUBMITTERS),
        "report": report, "charts": charts, "tables": tables[:-1], "technical": tables[-1], "statement": STATEMENT,
        "formats": REPORT_FORMATS, "stage_label": stage_label(stage), "counties": report.unit.level == Level.CITY,
        "questionnaire_intro": questionnaire_intro(report), "indicators": indicators,
    })


@login_required
@require_GET
def report_download(request: HttpRequest, stage: str, code: str, fmt: str) -> HttpResponse:
    if fmt not in REPORT_FORMATS:
        raise Http404
    scope, report = _report(request, stage, code)
    content, name = report_export(scope=scope, report=report, fmt=fmt, actor=request.user)
    return download(content, name)


@login_required
@require_POST
def report_job(request: HttpRequest, stage: str, code: str) -> HttpResponse:
    """The report file built by a background job (large areas): then the jobs page."""
    scope, cycle = _scope(request)
    scope.require(SUBMITTERS)
    fmt = request.POST.get("fmt", "")
    if stage not in cycle_stages(cycle) or fmt not in REPORT_FORMATS:
        raise Http404
    unit = _unit(scope, code)
    job = report_job_submit(scope=scope, cycle=cycle, unit=unit, stage=stage, fmt=fmt)
    messages.success(request, _("已提交后台生成报告，完成后在本页下载。"))
    return redirect(f"{reverse('jobs:list')}?job={job.pk}")
