"""The answer export of a questionnaire version as a background job (`jiance.jobs`): the same
file as the download (`jiance.questionnaires.exports`), built by a worker for large versions.

Submitted by the export page (a button per format, or automatically above
`JIANCE_SYNC_EXPORT_ROWS` answers); audited at submission like a download. At run time the scope
is the submitter's as it is then: an identified export is refused if they lost the right since.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from typing import Any

from jiance.accounts.scoping import Scope
from jiance.cycles.editing import can_manage
from jiance.jobs.runner import JobContext, JobResult, job_task
from jiance.jobs.services import JobError, job_submit
from jiance.questionnaires import exports
from jiance.questionnaires.models import FormVersion

KIND = "questionnaire_export"


def export_job_submit(*, version: FormVersion, scope: Scope, fmt: str, identified: bool, reason: str = "") -> Any:
    count = exports.responses_for(version, scope).count()
    exports.export_record(version=version, fmt=fmt, rows=count, identified=identified, reason=reason,
                          actor=scope.user, unit=scope.primary_unit)
    what = "实名答卷" if identified else "答卷"
    return job_submit(
        task=export_answers, owner=scope.user, unit=scope.primary_unit, kind=KIND,
        label=f"导出{what}：{version.questionnaire.name} 第 {version.number} 版（{fmt.upper()}，{count} 份）",
        params={"version_id": version.pk, "fmt": fmt, "identified": identified, "rows": count},
    )


def _counted(rows: Iterator[list[Any]], ctx: JobContext, total: int) -> Iterator[list[Any]]:
    for i, row in enumerate(rows, 1):
        if i % exports.BATCH == 0:
            ctx.progress(5 + 80 * i / max(total, 1), f"已读取 {i} / {total} 份答卷")
        yield row


@job_task
def export_answers(ctx: JobContext) -> JobResult:
    """Build one answer file of a version for the submitter's units."""
    p = ctx.params
    owner = ctx.submitter("导出")
    version = FormVersion.objects.select_related("questionnaire__cycle").filter(pk=p["version_id"]).first()
    if version is None:
        raise JobError("问卷版本已不存在。")
    scope = Scope(owner)
    if p["identified"] and not can_manage(scope, version.questionnaire.cycle):
        raise JobError("您已没有实名导出的权限。")
    ctx.progress(5, "读取答卷")
    export = exports.build(version, scope=scope, identified=p["identified"])
    export = dataclasses.replace(export, rows=_counted(export.rows, ctx, int(p.get("rows") or 0)))
    fmt = p["fmt"]
    if fmt == "csv":
        content = b"".join(exports.csv_chunks(export))
    elif fmt == "xlsx":
        content = exports.xlsx_bytes(export)
    else:
        content = exports.sav_bytes(export)
    ctx.progress(95, "保存文件")
    return JobResult(content=content, filename=exports.filename(version, "answers", fmt, identified=p["identified"]),
                     message=f"{p.get('rows')} 份答卷")
