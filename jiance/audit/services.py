"""Writing the audit log. Services call `audit_record` inside their transaction, so a write and
its audit entry land together or not at all."""

from __future__ import annotations

import datetime as dt
import decimal
import uuid
from typing import Any

from django.db import models

from jiance import clock
from jiance.audit.context import current_actor
from jiance.audit.models import AuditEntry


def _jsonable(value: Any) -> Any:
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple, set)):
        return [_jsonable(v) for v in value]
    if isinstance(value, (dt.date, dt.datetime, dt.time)):
        return value.isoformat()
    if isinstance(value, (decimal.Decimal, uuid.UUID)):
        return str(value)
    if isinstance(value, models.Model):
        return value.pk
    return value


def snapshot(instance: models.Model, *, exclude: tuple[str, ...] = ()) -> dict[str, Any]:
    """The concrete field values of a record, for before/after."""
    data: dict[str, Any] = {}
    for field in instance._meta.concrete_fields:
        if field.name in exclude or field.name in ("password",):
            continue
        data[field.attname] = _jsonable(getattr(instance, field.attname))
    return data


def audit_record(
    *,
    action: str,
    obj: models.Model | None = None,
    object_type: str = "",
    object_id: str = "",
    object_repr: str = "",
    unit: Any = None,
    before: Any = None,
    after: Any = None,
    result: str = "ok",
    detail: str = "",
    actor: Any = None,
    save: bool = True,
) -> AuditEntry:
    """One entry of the log (`save=False`: built, not written, for `audit_record_many`)."""
    ctx = current_actor()
    user = actor if actor is not None else ctx.user
    if obj is not None:
        object_type = object_type or obj._meta.label_lower
        object_id = object_id or str(obj.pk)
        object_repr = object_repr or str(obj)[:200]
        if unit is None:
            unit = getattr(obj, "unit", None)
            if unit is None and obj._meta.label_lower == "units.unit":
                unit = obj
    entry = AuditEntry(
        at=clock.now(),
        actor=user if getattr(user, "pk", None) else None,
        actor_name=(getattr(user, "username", "") or ctx.label or "system")[:150],
        unit=unit if getattr(unit, "pk", None) else None,
        ip=ctx.ip,
        request_id=ctx.request_id or None,
        action=action,
        object_type=object_type[:60],
        object_id=str(object_id)[:60],
        object_repr=object_repr[:200],
        before=_jsonable(before),
        after=_jsonable(after),
        result=result,
        detail=detail,
    )
    if save:
        entry.save(force_insert=True)
    return entry


def audit_record_many(entries: list[dict[str, Any]]) -> list[AuditEntry]:
    """Several entries in one INSERT (bulk services); each dict takes `audit_record`'s arguments."""
    rows = [audit_record(**e, save=False) for e in entries]
    return AuditEntry.objects.bulk_create(rows, batch_size=500)
