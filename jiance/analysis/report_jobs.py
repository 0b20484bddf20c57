"""A county or city report file (PDF or XLSX) built by a background job (`jiance.jobs`): the same
file as the report page's download, for the large areas whose estimation takes long (a city or a
province with its replicate weights, `bench/report.py`).

Submitted from the report page by the offices that have the jobs page (city and above); the
scope at run time is the submitter's as it is then, so a person who lost the area since gets a
refusal rather than the file. The download of the result is audited by the jobs app; building it
is audited here, like a direct download (`report_export`)."""

from __future__ import annotations

from typing import Any

from django.http import Http404

from jiance.accounts import roles
from jiance.accounts.scoping import Scope
from jiance.analysis.report import report_build
from jiance.analysis.report_files import REPORT_FORMATS, report_export
from jiance.cycles.models import Cycle
from jiance.jobs.runner import JobContext, JobResult, job_task
from jiance.jobs.services import JobError, job_submit
from jiance.units.areas import area_for
from jiance.units.models import Unit

KIND = "analysis_report"
SUBMITTERS = roles.CITY_AND_ABOVE  # those who have the jobs page


def report_job_submit(*, scope: Scope, cycle: Cycle, unit: Unit, stage: str, fmt: str) -> Any:
    if fmt not in REPORT_FORMATS:
        raise JobError("报告格式不支持。")
    return job_submit(
        task=build_report_file, owner=scope.user, unit=scope.primary_unit, kind=KIND,
        label=f"监测报告：{unit.name}（{stage}，{fmt.upper()}）",
        params={"cycle_id": cycle.pk, "unit_code": unit.code, "stage": stage, "fmt": fmt},
    )


@job_task
def build_report_file(ctx: JobContext) -> JobResult:
    """Estimate the report of one area and render it to one file."""
    p = ctx.params
    owner = ctx.submitter("生成报告")
    scope = Scope(owner)
    if not scope.holds(SUBMITTERS):
        raise JobError("您已没有查看该报告的权限。")
    cycle = Cycle.objects.filter(pk=p["cycle_id"]).first()
    if cycle is None:
        raise JobError("监测周期已不存在。")
    try:
        area = area_for(scope=scope, roles=roles.COUNTY_AND_ABOVE, code=str(p["unit_code"]))
    except Http404:
        raise JobError("您已没有查看该报告的权限。") from None
    if area.unit is None or area.unit.code != p["unit_code"]:
        raise JobError("您已没有查看该报告的权限。")
    ctx.progress(10, "读取权重与成绩，估计各项指标")
    report = report_build(scope=scope, cycle=cycle, unit=area.unit, stage=str(p["stage"]))
    ctx.progress(80, "生成报告文件")
    content, name = report_export(scope=scope, report=report, fmt=str(p["fmt"]), actor=owner)
    return JobResult(content=content, filename=name, message=report.title)
