"""What changes an implementation document: open, fill, attach, submit (or file), approve,
return; and the ZIP of a kind's approved submissions. Each under `transaction.atomic`; every step
of the review goes through the one engine (`jiance.review.engine.transition`) and checks the
version the page was built from.

Who may act depends on the kind: the office of the submitting unit's own level fills and
submits (`roles.LEVEL_OFFICE[kind.level]`), the office of the reviewing level decides.
"""

from __future__ import annotations

import io
import re
import zipfile
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from jiance import clock
from jiance.accounts import roles
from jiance.accounts.scoping import Scope
from jiance.audit.models import Action
from jiance.audit.services import audit_record
from jiance.crypto import decrypt_bytes, encrypt_bytes
from jiance.documents import selectors, tables
from jiance.documents.kinds import Kind
from jiance.documents.models import (
    DocAction,
    DocumentError,
    DocumentFile,
    FilePurpose,
    Submission,
    SubmissionVersion,
)
from jiance.documents.printing import table_pdf
from jiance.documents.uploads import UploadRefused, inspect
from jiance.review import engine
from jiance.units.models import Unit

MAX_FILES = {FilePurpose.DOCUMENT: 5, FilePurpose.SCAN: 5, FilePurpose.PHOTO: 20}
PURPOSE_NAMES = {FilePurpose.SCAN: "盖章扫描件", FilePurpose.PHOTO: "照片", FilePurpose.DOCUMENT: ""}
SUPERVISION_PHONE_LABEL = "本地监督电话"
UNSAFE_NAME = re.compile(r'[\\/:*?"<>|\x00-\x1f]')


def require_submitter(scope: Scope, kind: Kind, unit: Unit) -> None:
    if unit.level != kind.level:
        raise DocumentError(_("《%(kind)s》不由该单位提交") % {"kind": kind.name})
    scope.require(roles.LEVEL_OFFICE[kind.level], unit)


def require_reviewer(scope: Scope, kind: Kind, unit: Unit) -> None:
    if kind.filed:
        raise DocumentError(_("《%(kind)s》只需备案，不经审核") % {"kind": kind.name})
    scope.require(roles.LEVEL_OFFICE[kind.reviewer_level], unit)


@transaction.atomic
def submission_open(*, scope: Scope, cycle: Any, kind: Kind, unit: Unit, actor: Any) -> Submission:
    """The unit's submission of `kind` (created empty the first time its office opens it)."""
    require_submitter(scope, kind, unit)
    now = clock.now()
    sub, created = Submission.objects.get_or_create(
        cycle=cycle, kind_code=kind.code, unit=unit,
        defaults={"kind_name": kind.name, "created_at": now, "updated_at": now})
    if created:
        audit_record(action=Action.CREATE, obj=sub, unit=unit, actor=actor, detail=f"新建实施材料《{kind.name}》")
    return sub


def _locked_editable(scope: Scope, kind: Kind, sub: Submission, version: int | None) -> Submission:
    require_submitter(scope, kind, sub.unit)
    row = engine.lock(Submission, sub.pk)
    if version is not None and row.version != version:
        raise DocumentError(engine.stale_message(row, sub.status))
    row.check_editable()
    return row


@transaction.atomic
def submission_save(*, scope: Scope, kind: Kind, submission: Submission, data: dict[str, Any], version: int | None,
                    actor: Any) -> Submission:
    """Store the filled form or self-check list (the draft; may still be incomplete)."""
    row = _locked_editable(scope, kind, submission, version)
    if row.data == data:
        return row  # a repeated save changes nothing
    before = row.data
    engine.bump(row, data=data)
    audit_record(action=Action.UPDATE, obj=row, unit=row.unit, actor=actor, before=before, after=data,
                 detail=f"填写实施材料《{kind.name}》")
    return row


@transaction.atomic
def file_add(*, scope: Scope, kind: Kind, submission: Submission, purpose: str, name: str, content: bytes,
             version: int | None, actor: Any) -> DocumentFile:
    if purpose not in kind.wants_files:
        raise DocumentError(_("《%(kind)s》不需要上传这类文件") % {"kind": kind.name})
    row = _locked_editable(scope, kind, submission, version)
    if row.files.filter(purpose=purpose, removed_at__isnull=True).count() >= MAX_FILES[FilePurpose(purpose)]:
        raise DocumentError(_("%(what)s最多 %(n)s 个，请先删除不需要的文件")
                            % {"what": FilePurpose(purpose).label, "n": MAX_FILES[FilePurpose(purpose)]})
    try:
        checked = inspect(name, content, purpose)
    except UploadRefused as exc:
        audit_record(action=Action.CREATE, obj=row, unit=row.unit, actor=actor, result="refused",
                     detail=f"上传被拒绝：{name[:100]}：{exc}")
        raise DocumentError(str(exc)) from exc
    f = DocumentFile.objects.create(
        submission=row, purpose=purpose, filename=checked.filename, ext=checked.ext, size=len(checked.data),
        sha256=checked.sha256, content=encrypt_bytes(checked.data), thumbnail=checked.thumbnail,
        uploaded_at=clock.now(), uploaded_by=actor if getattr(actor, "pk", None) else None)
    engine.bump(row)
    audit_record(action=Action.CREATE, obj=f, unit=row.unit, actor=actor,
                 after={"filename": f.filename, "size": f.size, "sha256": f.sha256},
                 detail=f"上传《{kind.name}》{FilePurpose(purpose).label}：{f.filename}")
    return f


@transaction.atomic
def file_remove(*, scope: Scope, kind: Kind, file: DocumentFile, version: int | None, actor: Any) -> None:
    """Take a file out of the draft; it stays with every version it was submitted with."""
    row = _locked_editable(scope, kind, file.submission, version)
    if file.removed_at is not None:
        return
    audit_record(action=Action.DELETE, obj=file, unit=row.unit, actor=actor, before={"filename": file.filename},
                 detail=f"删除《{kind.name}》文件：{file.filename}")
    if file.versions.exists():
        DocumentFile.objects.filter(pk=file.pk).update(removed_at=clock.now())
    else:
        file.delete()
    engine.bump(row)


def problems(*, kind: Kind, submission: Submission) -> list[str]:
    """What keeps the submission from being submitted (Chinese, one line each)."""
    out: list[str] = []
    if kind.form == "checklist":
        out += tables.checklist_missing(kind, submission.data)
    spec = tables.form_spec(kind)
    if spec is not None:
        out += tables.form_missing(spec, submission.data)
    elif kind.form == "table":
        table = tables.document_table(kind=kind, cycle=submission.cycle, unit=submission.unit, data=submission.data)
        if table is None or not table.rows:
            out.append(_("平台中尚无该表的数据，请先完成相关填报"))
    have = set(submission.files.filter(removed_at__isnull=True).values_list("purpose", flat=True))
    for purpose in kind.wants_files:
        if purpose not in have:
            out.append(_("请上传%(what)s") % {"what": FilePurpose(purpose).label})
    return out


@transaction.atomic
def submission_submit(*, scope: Scope, kind: Kind, submission: Submission, version: int | None, actor: Any,
                      comment: str = "") -> Submission:
    """Submit for review (or file, for a kind that is only filed): inside the window, or late and
    marked so; the form and the files as they are now become the next version."""
    require_submitter(scope, kind, submission.unit)
    today = clock.today()
    phase = kind.phase(today)
    if phase == "upcoming":
        raise DocumentError(_("《%(kind)s》尚未开始提交：%(msg)s") % {"kind": kind.name, "msg": kind.window_message(today)})

    def complete(row: Submission) -> None:
        missing = problems(kind=kind, submission=row)
        if missing:
            raise DocumentError(_("还不能提交：%(what)s") % {"what": "；".join(missing)})

    late = phase == "late"
    note = (comment or "").strip()
    if late:
        note = (_("逾期提交（截止 %(end)s）") % {"end": kind.deadline}) + (f"：{note}" if note else "")
    action = DocAction.FILE if kind.filed else DocAction.SUBMIT
    row = engine.transition(submission, action, scope=scope, actor=actor, comment=note, version=version, check=complete)
    number = row.versions.count() + 1
    v = SubmissionVersion.objects.create(submission=row, number=number, submitted_at=row.submitted_at or clock.now(),
                                         submitted_by=actor if getattr(actor, "pk", None) else None, late=late,
                                         data=row.data)
    v.files.set(list(row.files.filter(removed_at__isnull=True).values_list("pk", flat=True)))
    Submission.objects.filter(pk=row.pk).update(late=late)
    row.late = late
    if kind.form == "checklist":
        _publish_phone(scope=scope, kind=kind, row=row, actor=actor)
    return row


def _publish_phone(*, scope: Scope, kind: Kind, row: Submission, actor: Any) -> None:
    """The county's self-check list records its published supervision line: the notice boards of
    its schools print it (`testday.ReportPhone`)."""
    from jiance.testday.models import ReportPhone
    from jiance.testday.services import report_phone_add, report_phone_delete

    answers = row.data.get("items") or {}
    for i, item in enumerate(kind.items):
        if item.answer != "phone":
            continue
        number = str((answers.get(str(i)) or {}).get("value", "")).strip()
        old = ReportPhone.objects.filter(cycle=row.cycle, unit=row.unit, label=SUPERVISION_PHONE_LABEL)
        if not number or old.filter(number=number).exists() or row.unit.level == "school":
            continue
        for p in old:
            report_phone_delete(scope=scope, phone=p, actor=actor)
        report_phone_add(scope=scope, cycle=row.cycle, unit=row.unit, label=SUPERVISION_PHONE_LABEL,
                         number=number, actor=actor)


@transaction.atomic
def submission_approve(*, scope: Scope, kind: Kind, submission: Submission, version: int | None, actor: Any,
                       comment: str = "") -> Submission:
    require_reviewer(scope, kind, submission.unit)
    row = engine.transition(submission, DocAction.APPROVE, scope=scope, actor=actor, comment=comment, version=version)
    from jiance.cycles.services import milestones_observed

    milestones_observed(cycle=row.cycle, unit=row.unit, event=f"document_approved:{kind.code}", actor=actor)
    return row


@transaction.atomic
def submission_return(*, scope: Scope, kind: Kind, submission: Submission, version: int | None, actor: Any,
                      comment: str) -> Submission:
    require_reviewer(scope, kind, submission.unit)
    return engine.transition(submission, DocAction.RETURN, scope=scope, actor=actor, comment=comment, version=version)


def zip_name(unit: Unit, kind: Kind, suffix: str, ext: str) -> str:
    name = f"{unit.code}_{unit.name}_{kind.name}{suffix}.{ext}"
    return UNSAFE_NAME.sub("_", name)


def approved_zip(*, scope: Scope, cycle: Any, kind: Kind, under: Unit, actor: Any) -> tuple[bytes, int]:
    """Every approved (or filed) submission of `kind` below `under`, one ZIP: the official table
    as PDF (table and self-check kinds) and the submitted files, named
    `<unit code>_<unit name>_<kind name>[_what][_n].<ext>`. Audited. Returns (bytes, submissions)."""
    scope.require(roles.LEVEL_OFFICE[kind.overseer_level], under)
    units = selectors.expected_units(scope=scope, cycle=cycle, level=kind.level, under=under)
    rows = selectors.approved_files(cycle=cycle, kind=kind, units=units)
    buf = io.BytesIO()
    names: set[str] = set()

    def unique(name: str) -> str:
        stem, _dot, ext = name.rpartition(".")
        n, out = 1, name
        while out in names:
            n += 1
            out = f"{stem}_{n}.{ext}"
        names.add(out)
        return out

    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        for sub, version, files in rows:
            data = version.data if version is not None else sub.data
            table = tables.document_table(kind=kind, cycle=cycle, unit=sub.unit, data=data)
            if table is not None:
                z.writestr(unique(zip_name(sub.unit, kind, "", "pdf")), table_pdf(table, cycle_name=cycle.name))
            for f in files:
                suffix = f"_{PURPOSE_NAMES[FilePurpose(f.purpose)]}" if PURPOSE_NAMES[FilePurpose(f.purpose)] else ""
                z.writestr(unique(zip_name(sub.unit, kind, suffix, f.ext)), decrypt_bytes(f.content))
    audit_record(action=Action.EXPORT, obj=None, object_type="documents.Submission", object_repr=kind.name,
                 unit=under, actor=actor, after={"kind": kind.code, "submissions": len(rows), "files": len(names)},
                 detail=f"下载《{kind.name}》已通过材料（{len(rows)} 个单位）")
    return buf.getvalue(), len(rows)


def file_content(*, file: DocumentFile, actor: Any) -> bytes:
    """A stored file's bytes (decrypted), its download audited."""
    audit_record(action=Action.EXPORT, obj=file, unit=file.submission.unit, actor=actor,
                 detail=f"下载实施材料文件：{file.filename}")
    return decrypt_bytes(file.content)


def table_of(*, kind: Kind, submission: Submission | None, cycle: Any, unit: Unit) -> Any:
    return tables.document_table(kind=kind, cycle=cycle, unit=unit, data=submission.data if submission else {})

