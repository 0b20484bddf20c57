"""Writes of the school frame: entry, import, and the county → city review chain.

Every service runs under `transaction.atomic`, locks the submission row (`select_for_update`),
checks its status, and writes with a conditional UPDATE on (status, version), so two people
acting at once leave one consistent state; the loser gets a FrameError in Chinese. The review
steps go through the one review engine (`jiance.review.engine`, chain `FRAME_CHAIN`).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from jiance import clock
from jiance.accounts import roles
from jiance.accounts.scoping import Scope
from jiance.audit.models import Action
from jiance.audit.services import audit_record, snapshot
from jiance.cycles.models import Cycle
from jiance.reporting.importing import CheckResult, frame_columns
from jiance.reporting.models import (
    FrameError,
    FrameRecord,
    FrameReviewEvent,
    FrameStatus,
    FrameSubmission,
    FrameUpload,
    ReviewAction,
    cycle_grades,
)
from jiance.reporting.selectors import (
    ImportPlan,
    check_frame_upload,
    county_schools,
    import_plan,
    records_by_school,
)
from jiance.review import engine
from jiance.spreadsheets import SheetError, read_sheet
from jiance.units.models import Level, Unit
from jiance.windows.models import WindowReopen
from jiance.windows.services import window_reopen, window_require


def _require_county_role(scope: Scope, county: Unit) -> None:
    if county.level != Level.COUNTY:
        raise FrameError(_("只有县（区）填报属地学校信息"))
    scope.require(roles.COUNTY_OFFICE, county)


WINDOW = "school_frame"  # the cycle's window for the county's reporting (the city reviews any time)


def _require_window(cycle: Cycle, county: Unit) -> None:
    window_require(cycle=cycle, kinds=[WINDOW], unit=county, error=FrameError)


def _locked(pk: int) -> FrameSubmission:
    return engine.lock(FrameSubmission, pk)


_bump = engine.bump  # conditional UPDATE on (version, status), as every review chain writes


@transaction.atomic
def frame_submission_open(*, scope: Scope, cycle: Cycle, county: Unit) -> FrameSubmission:
    """The county's submission for the cycle, created (填报中) on first use."""
    _require_county_role(scope, county)
    existing = FrameSubmission.objects.filter(cycle=cycle, county=county).first()
    if existing is not None:
        return existing
    now = clock.now()
    try:
        with transaction.atomic():
            return FrameSubmission.objects.create(
                cycle=cycle, county=county, status=FrameStatus.DRAFT, created_at=now, updated_at=now
            )
    except IntegrityError:  # someone else opened it a moment ago
        return FrameSubmission.objects.get(cycle=cycle, county=county)


@transaction.atomic
def frame_record_save(
    *, scope: Scope, cycle: Cycle, county: Unit, school: Unit, data: dict[str, Any], actor: Any
) -> FrameRecord:
    """Create or change one school's row (the form). Refused when submitted or locked."""
    _require_county_role(scope, county)
    if school.parent_id != county.pk or school.level != Level.SCHOOL or not scope.sees(school):
        raise FrameError(_("%(school)s不属于%(county)s") % {"school": school.name, "county": county.name})
    _require_window(cycle, county)
    sub = _locked(frame_submission_open(scope=scope, cycle=cycle, county=county).pk)
    sub.check_editable()
    record = FrameRecord.objects.filter(submission=sub, school=school).first()
    before = snapshot(record) if record else None
    if record is None:
        record = FrameRecord(submission=sub, school=school)
    for key in FrameRecord.DATA_FIELDS:
        if key in data:
            setattr(record, key, data[key] if data[key] is not None else (0 if key.endswith(("students", "classes")) else ""))
    record.updated_at = clock.now()
    record.updated_by = actor
    record.full_clean(exclude=["submission", "school", "updated_by"])
    record.save()
    _bump(sub)
    audit_record(
        action=Action.UPDATE if before else Action.CREATE, obj=record, unit=county, actor=actor,
        before=before, after=snapshot(record), detail=f"属地学校信息：{school.name}",
    )
    return record


@transaction.atomic
def frame_upload_store(
    *, scope: Scope, cycle: Cycle, county: Unit, filename: str, content: bytes, actor: Any
) -> FrameUpload:
    """Keep an uploaded file for its preview; remembers the version it was previewed against."""
    _require_county_role(scope, county)
    _require_window(cycle, county)
    sub = frame_submission_open(scope=scope, cycle=cycle, county=county)
    sub.check_editable()
    try:  # checked before it is kept: a file that cannot be read as a frame is never stored
        for _row in read_sheet(content, frame_columns(cycle_grades(cycle)), kind="frame"):
            pass
    except SheetError as exc:  # raised inside the transaction: an opened submission is rolled back
        raise FrameError(str(exc)) from exc
    return FrameUpload.objects.create(
        submission=sub, base_version=sub.version, **FrameUpload.keep(content, filename=filename, actor=actor))


@dataclass
class ImportOutcome:
    result: CheckResult
    plan: ImportPlan | None
    applied: bool


@transaction.atomic
def frame_import(
    *, scope: Scope, cycle: Cycle, county: Unit, content: bytes, actor: Any,
    dry_run: bool = False, base_version: int | None = None, filename: str = "",
) -> ImportOutcome:
    """Check a whole upload, then (unless `dry_run`) write all its rows or none.

    Nothing is written when any row has a problem. `base_version` is the submission version
    the user previewed: if the data changed since, the import is refused.
    """
    _require_county_role(scope, county)
    _require_window(cycle, county)
    sub = _locked(frame_submission_open(scope=scope, cycle=cycle, county=county).pk)
    sub.check_editable()
    if base_version is not None and base_version != sub.version:
        raise FrameError(_("预览后本县数据已被修改，请重新上传文件并预览"))
    result = check_frame_upload(scope=scope, cycle=cycle, county=county, content=content)
    if not result.ok:
        if not dry_run:
            audit_record(
                action=Action.IMPORT, obj=sub, unit=county, actor=actor, result="rejected",
                detail=f"属地学校信息导入被拒绝：{filename}，{len(result.problems)} 个问题",
            )
        return ImportOutcome(result, None, applied=False)
    records = records_by_school(scope=scope, submission=sub)
    plan = import_plan(result=result, records=records)
    if dry_run:
        return ImportOutcome(result, plan, applied=False)
    now = clock.now()
    new, changed = [], []
    for parsed in result.rows:
        record = records.get(parsed.school.pk)
        if record is None:
            new.append(FrameRecord(
                submission=sub, school=parsed.school, updated_at=now, updated_by=actor, **parsed.values
            ))
        elif any(getattr(record, k) != v for k, v in parsed.values.items()):
            for k, v in parsed.values.items():
                setattr(record, k, v)
            record.updated_at, record.updated_by = now, actor
            changed.append(record)
    FrameRecord.objects.bulk_create(new)
    for record in changed:  # one plain UPDATE each: far faster than bulk_update's CASE chains
        record.save(update_fields=[*FrameRecord.DATA_FIELDS, "updated_at", "updated_by"])
    _bump(sub)
    FrameReviewEvent.objects.create(
        submission=sub, action=ReviewAction.IMPORT, actor=actor, at=now,
        from_status=sub.status, to_status=sub.status,
        comment=(f"{filename}：" if filename else "") + f"新增 {len(plan.new)} 所，修改 {len(plan.changed)} 所，未变 {len(plan.unchanged)} 所",
    )
    audit_record(
        action=Action.IMPORT, obj=sub, unit=county, actor=actor,
        after={
            "new": [p.school.code for p in plan.new],
            "changed": {p.school.code: [c[0] for c in p.changes] for p in plan.changed},
            "unchanged": len(plan.unchanged),
        },
        detail=f"属地学校信息导入：{filename}",
    )
    return ImportOutcome(result, plan, applied=True)


@transaction.atomic
def frame_upload_apply(*, scope: Scope, upload: FrameUpload, actor: Any) -> ImportOutcome:
    """Confirm a previewed upload: import it if the data did not change since the preview."""
    upload = FrameUpload.objects.select_for_update().select_related("submission__county", "submission__cycle").get(
        pk=upload.pk
    )
    if upload.applied_at is not None:
        raise FrameError(_("该文件已经导入，不能重复导入"))
    sub = upload.submission
    outcome = frame_import(
        scope=scope, cycle=sub.cycle, county=sub.county, content=upload.read(), actor=actor,
        base_version=upload.base_version, filename=upload.filename,
    )
    if outcome.applied:
        upload.applied_at = clock.now()
        upload.save(update_fields=["applied_at"])
    return outcome


def _check_complete(scope: Scope, sub: FrameSubmission) -> None:
    """All schools of the county reported, every row consistent."""
    schools = list(county_schools(scope=scope, county=sub.county))
    records = records_by_school(scope=scope, submission=sub)
    missing = [s.name for s in schools if s.pk not in records]
    if missing:
        shown = "、".join(missing[:10]) + (f"等 {len(missing)} 所" if len(missing) > 10 else "")
        raise FrameError(_("还有 %(n)s 所学校未填报，不能提交：%(names)s") % {"n": len(missing), "names": shown})
    grades = cycle_grades(sub.cycle)
    bad = []
    for s in schools:
        for _field, _kind, reason in records[s.pk].problems(grades):
            bad.append(f"{s.name}：{reason}")
    if bad:
        raise FrameError(_("以下学校的数据有问题，不能提交：") + "；".join(bad[:10]))


# --- the review chain: thin wrappers over the engine (FRAME_CHAIN holds roles and reasons) ---------
@transaction.atomic
def frame_submit(*, scope: Scope, submission: FrameSubmission, actor: Any, comment: str = "",
                 version: int | None = None) -> FrameSubmission:
    _require_county_role(scope, submission.county)
    _require_window(submission.cycle, submission.county)
    return engine.transition(submission, ReviewAction.SUBMIT, scope=scope, actor=actor, comment=comment,
                             version=version, check=lambda sub: _check_complete(scope, sub))


@transaction.atomic
def frame_approve(*, scope: Scope, submission: FrameSubmission, actor: Any, comment: str = "",
                  version: int | None = None) -> FrameSubmission:
    return engine.transition(submission, ReviewAction.APPROVE, scope=scope, actor=actor, comment=comment,
                             version=version)


@transaction.atomic
def frame_return(*, scope: Scope, submission: FrameSubmission, actor: Any, comment: str,
                 version: int | None = None) -> FrameSubmission:
    return engine.transition(submission, ReviewAction.RETURN, scope=scope, actor=actor, comment=comment,
                             version=version)


@transaction.atomic
def frame_unlock(*, scope: Scope, submission: FrameSubmission, actor: Any, comment: str,
                 version: int | None = None) -> FrameSubmission:
    """The level above reopens approved data for changes; the county must submit again."""
    return engine.transition(submission, ReviewAction.UNLOCK, scope=scope, actor=actor, comment=comment,
                             version=version)


@transaction.atomic
def frame_window_reopen(*, scope: Scope, cycle: Cycle, county: Unit, until: Any, reason: str,
                        actor: Any) -> WindowReopen:
    """The city reopens the county's frame reporting until `until` (reason required, audited)."""
    return window_reopen(scope=scope, cycle=cycle, kind=WINDOW, unit=county, until=until, reason=reason,
                         actor=actor, error=FrameError)


def frame_export_record(*, scope: Scope, cycle: Cycle, fmt: str, rows: int, actor: Any) -> None:
    """Audit an export of the approved frame."""
    audit_record(
        action=Action.EXPORT, object_type="reporting.frame", object_id=cycle.code,
        object_repr=f"{cycle.name} 属地学校信息", unit=scope.primary_unit, actor=actor,
        detail=f"导出已审核通过的属地学校信息（{fmt}，{rows} 所学校）",
    )


__all__ = [
    "FrameError",
    "ImportOutcome",
    "ValidationError",
    "frame_approve",
    "frame_export_record",
    "frame_import",
    "frame_record_save",
    "frame_return",
    "frame_submission_open",
    "frame_submit",
    "frame_unlock",
    "frame_upload_apply",
    "frame_upload_store",
]
