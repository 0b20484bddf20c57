"""The after-test's 补报 windows become reopenings of the `tested_students` window."""

from __future__ import annotations

from typing import Any

from django.db import migrations


def copy(apps: Any, schema_editor: Any) -> None:
    old = apps.get_model("aftertest", "SupplementaryWindow")
    new = apps.get_model("windows", "WindowReopen")
    new.objects.bulk_create([
        new(cycle_id=w.cycle_id, kind="tested_students", unit_id=w.school_id, start=w.start, end=w.end,
            reason=w.reason or "补报", opened_by_id=w.opened_by_id, opened_at=w.opened_at)
        for w in old.objects.all()
    ])


class Migration(migrations.Migration):
    dependencies = [("windows", "0001_initial"), ("aftertest", "0002_review_event_base")]
    operations = [migrations.RunPython(copy, migrations.RunPython.noop)]
