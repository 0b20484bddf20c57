"""Incident drafts raised by the custody ledger: when a hand-over's counts do not match the expected
contents, `jiance.custody.signals.contents_mismatch` is sent (sender: the ledger entry model; kwargs
`entry`, `school`, `description`). The receiver opens a draft for the school's information officer
to complete and record, linked to the entry by its id and a short reference. The custody app sits
below this one; nothing here imports its models."""

from __future__ import annotations

import logging
from typing import Any

from django.db import transaction

from jiance import clock
from jiance.audit.models import Action
from jiance.audit.services import audit_record
from jiance.incidents.catalogue import rules_of
from jiance.incidents.models import Incident, IncidentStatus, Source

log = logging.getLogger(__name__)
# 监测工具箱内测试卷袋种类不全 (3 级, [003]); the cycle's "other" kind when its catalogue lacks it.
CUSTODY_KIND = "bags_missing"


def _reference(entry: Any) -> str:
    for attr in ("reference", "code", "barcode"):
        value = getattr(entry, attr, "")
        if value:
            return str(value)[:80]
    return str(entry)[:80]


@transaction.atomic
def incident_draft_from_custody(*, entry: Any, school: Any, description: str) -> Incident:
    """The draft for `entry` (once per entry: a second signal returns the first draft)."""
    done = Incident.objects.filter(custody_entry_id=entry.pk).first()
    if done is not None:
        return done
    cycle = getattr(entry, "cycle", None)
    if cycle is None:
        from jiance.cycles.selectors import active_cycle

        cycle = active_cycle()
    if cycle is None:
        raise ValueError("no active cycle for a custody incident draft")
    rules = rules_of(cycle)
    kind = rules.kind(CUSTODY_KIND) or rules.other_kind()
    assert kind is not None
    now = clock.now()
    at = getattr(entry, "at", None) or getattr(entry, "created_at", None) or now
    incident = Incident.objects.create(
        cycle=cycle, school=school, source=Source.CUSTODY, status=IncidentStatus.DRAFT, kind_code=kind.code,
        kind_name=kind.name, grade=kind.grade, reported_grade=kind.grade, occurred_at=at,
        what=(description or "").strip()[:4000], custody_entry_id=entry.pk, custody_ref=_reference(entry),
        created_at=now, updated_at=now,
    )
    audit_record(action=Action.CREATE, obj=incident, unit=school, actor=None,
                 detail=f"监测工具交接数量不符，生成应急事件草稿（交接记录 {incident.custody_ref}）")
    return incident


def on_contents_mismatch(sender: Any, *, entry: Any, school: Any, description: str = "", **_kwargs: Any) -> None:
    """The signal receiver (connected in `IncidentsConfig.ready`)."""
    incident_draft_from_custody(entry=entry, school=school, description=description)
