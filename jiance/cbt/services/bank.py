"""Importing and exporting a subject's item bank (JSON or ZIP with media), whole or not at all."""

from __future__ import annotations

import hashlib
import json
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from jiance import clock
from jiance.audit.models import Action
from jiance.audit.services import audit_record
from jiance.cbt.models import BankMedia, CbtError, Delivery, ItemBank
from jiance.cycles.models import Cycle
from jiance_core.cbt.items import Bank, bank_json, read_bank_file, write_bank_zip
from jiance_core.rooms.booklets import forms_in_grade


def cycle_subjects(cycle: Cycle) -> list[dict[str, Any]]:
    return list((cycle.config or {}).get("subjects") or [])


def max_forms(cycle: Cycle, subject: str) -> int | None:
    """The most booklet forms the cycle gives the subject in any grade (None: not set)."""
    for s in cycle_subjects(cycle):
        if s.get("code") == subject:
            grades = (cycle.config or {}).get("grades") or {}
            counts = [forms_in_grade(s.get("booklet_forms"), int(g)) for g in grades.values()]
            return max(counts) if any(counts) else None
    return None


def bank_read(*, cycle: Cycle, content: bytes, filename: str) -> Bank:
    subjects = [str(s.get("code")) for s in cycle_subjects(cycle)]
    first = read_bank_file(content, filename, subjects=subjects)
    limit = max_forms(cycle, first.subject)
    if limit is None:
        return first
    return read_bank_file(content, filename, subjects=subjects, max_forms=limit)


@transaction.atomic
def bank_import(*, cycle: Cycle, content: bytes, filename: str, actor: Any) -> ItemBank:
    """Replace the subject's bank of the cycle by the file's (checked whole first). Refused once a
    student has begun a test of that subject."""
    bank = bank_read(cycle=cycle, content=content, filename=filename)
    if Delivery.objects.filter(sitting__cycle=cycle, sitting__subject=bank.subject).exclude(
            status="awaiting").exists():
        raise CbtError(_("学科“%(subject)s”已有学生开始作答，题目不能再替换") % {"subject": bank.subject})
    data = bank_json(bank)
    digest = hashlib.sha256(json.dumps(data, sort_keys=True, ensure_ascii=False).encode()).hexdigest()
    now = clock.now()
    row, _created = ItemBank.objects.update_or_create(
        cycle=cycle, subject=bank.subject,
        defaults={"example": bank.example, "items": bank.items,
                  "forms": {str(n): ids for n, ids in bank.forms.items()}, "sha256": digest,
                  "filename": filename[:200], "uploaded_at": now, "uploaded_by": actor})
    row.media.all().delete()
    types = {m["href"]: m["type"] for item in bank.items.values() for m in item.get("media", [])}
    BankMedia.objects.bulk_create([BankMedia(bank=row, href=href, content_type=types.get(href, "application/octet-stream"),
                                             data=data) for href, data in bank.media.items()])
    audit_record(action=Action.CREATE, obj=row, unit=None, actor=actor,
                 after={"subject": bank.subject, "items": len(bank.items), "forms": list(bank.forms)},
                 detail=f"网络测试题目导入：{cycle.name} {bank.subject}，{len(bank.items)} 题，"
                        f"{len(bank.forms)} 套题本{'（示例）' if bank.example else ''}")
    return row


def bank_zip(row: ItemBank) -> bytes:
    bank = Bank(row.subject, row.example, dict(row.items), {int(n): list(ids) for n, ids in row.forms.items()},
                {m.href: bytes(m.data) for m in row.media.all()})
    return write_bank_zip(bank)
