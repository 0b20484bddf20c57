"""The audit log is append-only: in the model, for bulk querysets, and (PostgreSQL) in SQL."""

from __future__ import annotations

import pytest
from django.db import DatabaseError, connection, transaction

from jiance.audit.models import Action, AppendOnlyError, AuditEntry
from jiance.audit.services import audit_record
from tests.factories import World


@pytest.fixture
def entry(world: World) -> AuditEntry:
    return audit_record(action=Action.UPDATE, unit=world.school_a1, object_repr="x", detail="original")


def test_saving_an_existing_entry_is_refused(entry: AuditEntry) -> None:
    entry.detail = "rewritten"
    with pytest.raises(AppendOnlyError):
        entry.save()
    assert AuditEntry.objects.get(pk=entry.pk).detail == "original"


def test_deleting_an_entry_is_refused(entry: AuditEntry) -> None:
    with pytest.raises(AppendOnlyError):
        entry.delete()
    assert AuditEntry.objects.filter(pk=entry.pk).exists()


def test_bulk_update_and_delete_are_refused(entry: AuditEntry) -> None:
    with pytest.raises(AppendOnlyError):
        AuditEntry.objects.filter(pk=entry.pk).update(detail="rewritten")
    with pytest.raises(AppendOnlyError):
        AuditEntry.objects.all().delete()
    with pytest.raises(AppendOnlyError):
        AuditEntry.objects.update(detail="rewritten")
    entry.detail = "rewritten"
    with pytest.raises(AppendOnlyError), transaction.atomic():
        AuditEntry.objects.bulk_update([entry], ["detail"])
    assert AuditEntry.objects.get(pk=entry.pk).detail == "original"


def test_sql_update_is_refused_by_the_database(entry: AuditEntry) -> None:
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cur:
        cur.execute("UPDATE audit_auditentry SET detail = 'rewritten' WHERE id = %s", [entry.pk])
    assert AuditEntry.objects.get(pk=entry.pk).detail == "original"


@pytest.mark.skipif(connection.vendor != "postgresql", reason="SQLite flushes test data with DELETE")
def test_sql_delete_is_refused_by_postgresql(entry: AuditEntry) -> None:
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cur:
        cur.execute("DELETE FROM audit_auditentry WHERE id = %s", [entry.pk])
    assert AuditEntry.objects.filter(pk=entry.pk).exists()


def test_changes_lists_only_differing_fields(world: World) -> None:
    e = audit_record(
        action=Action.UPDATE, unit=world.school_a1,
        before={"name": "甲", "enrolment": 30, "area": "城区"},
        after={"name": "甲", "enrolment": 32, "phone": "123"},
    )
    assert e.changes() == [("enrolment", 30, 32), ("area", "城区", None), ("phone", None, "123")]


def test_changes_of_a_creation_show_every_value(world: World) -> None:
    e = audit_record(action=Action.CREATE, unit=world.school_a1, after={"a": 1, "b": "x"})
    assert e.changes() == [("a", None, 1), ("b", None, "x")]
    assert audit_record(action=Action.LOGIN).changes() == []
