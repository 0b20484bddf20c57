"""XLSForm upload → a new immutable version; publishing freezes it for answering."""

from __future__ import annotations

import logging
from typing import Any

from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from jiance import clock
from jiance.audit.models import Action
from jiance.audit.services import audit_record
from jiance.cycles.models import Cycle
from jiance.questionnaires.models import FormVersion, Questionnaire, QuestionnaireError
from jiance.spreadsheets import sheet_limits
from jiance_core.questionnaires.xlsform import (
    Problem,
    XLSFormError,
    compile_rows,
    form_hash,
    read_workbook,
)
from jiance_core.sheets import SheetError

log = logging.getLogger(__name__)
MAX_BYTES = 5 * 1024 * 1024


def questionnaires_sync(*, cycle: Cycle) -> list[Questionnaire]:
    """The cycle's questionnaires (its `questionnaires:` list), one row each, in template order."""
    out = []
    for q in cycle.config.get("questionnaires") or []:
        row, created = Questionnaire.objects.get_or_create(cycle=cycle, code=q["code"], defaults={"name": q["name"]})
        if not created and row.name != q["name"]:
            row.name = q["name"]
            row.save(update_fields=["name"])
        out.append(row)
    return out


def _pyxform_problems(sheets: dict[str, Any]) -> list[Problem]:
    """The format's own rules, checked by pyxform (the reference implementation ODK and Kobo use)."""
    from pyxform.errors import PyXFormError
    from pyxform.xls2xform import convert

    book = {name: [{k: v for k, v in row.items() if v != ""} for _, row in rows] for name, rows in sheets.items()}
    for row in book.get("settings", []):  # pyxform takes one title; the platform keeps each language's
        titles = [k for k in row if k.startswith("form_title::")]
        if titles:
            row.setdefault("form_title", row[titles[0]])
            for k in titles:
                del row[k]
    try:
        convert(xlsform=book, validate=False)
    except PyXFormError as exc:
        return [Problem("survey", 0, f"XLSForm 格式校验未通过（pyxform）：{exc}")]
    except Exception as exc:  # pyxform raising anything else is still a refusal, never a 500
        log.warning("pyxform failed on an upload: %r", exc)
        return [Problem("survey", 0, f"XLSForm 格式校验未通过（pyxform）：{exc}")]
    return []


def compile_upload(content: bytes) -> dict[str, Any]:
    """The snapshot of an uploaded XLSForm; raises `XLSFormError` (or `SheetError`) in Chinese."""
    if len(content) > MAX_BYTES:
        raise XLSFormError([Problem("survey", 0, "文件过大（最多 5 MB）")])
    sheets = read_workbook(content, sheet_limits("xlsform"))
    form = compile_rows(sheets)  # the platform's subset first: its messages name the row in Chinese
    problems = _pyxform_problems(sheets)
    if problems:
        raise XLSFormError(problems)
    return form


@transaction.atomic
def version_upload(*, questionnaire: Questionnaire, content: bytes, filename: str, actor: Any) -> tuple[FormVersion, bool]:
    """A new version from an XLSForm file, or the existing one with the same content (False)."""
    try:
        form = compile_upload(content)
    except SheetError as exc:
        raise XLSFormError([Problem("survey", 0, str(exc))]) from exc
    digest = form_hash(form)
    Questionnaire.objects.select_for_update().get(pk=questionnaire.pk)
    same = questionnaire.versions.filter(sha256=digest).first()
    if same is not None:
        return same, False
    number = (questionnaire.versions.aggregate(n=Max("number"))["n"] or 0) + 1
    version = FormVersion.objects.create(
        questionnaire=questionnaire, number=number, sha256=digest, form=form, source=content,
        filename=filename[:200], uploaded_at=clock.now(), uploaded_by=actor if getattr(actor, "pk", None) else None,
    )
    audit_record(action=Action.IMPORT, obj=version, unit=questionnaire.cycle.owner, actor=actor,
                 after={"number": number, "sha256": digest, "filename": filename})
    return version, True


@transaction.atomic
def version_publish(*, version: FormVersion, actor: Any) -> FormVersion:
    """Freeze `version` for answering. Responses started earlier keep their own version."""
    locked = FormVersion.objects.select_for_update().get(pk=version.pk)
    if locked.published_at is not None:
        raise QuestionnaireError(f"第 {locked.number} 版已于 {timezone.localtime(locked.published_at):%Y-%m-%d %H:%M} 发布")
    newer = locked.questionnaire.versions.filter(number__gt=locked.number, published_at__isnull=False).first()
    if newer is not None:
        raise QuestionnaireError(f"已发布更新的第 {newer.number} 版，不能再发布第 {locked.number} 版")
    locked.published_at = clock.now()
    locked.published_by = actor if getattr(actor, "pk", None) else None
    locked.save(update_fields=["published_at", "published_by"])
    audit_record(action=Action.UPDATE, obj=locked, unit=locked.questionnaire.cycle.owner, actor=actor,
                 detail="发布问卷版本", after={"number": locked.number, "sha256": locked.sha256})
    return locked
