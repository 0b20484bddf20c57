from __future__ import annotations

from django.db import migrations

# Subtree queries compare paths as byte strings ('/' < '0'). PostgreSQL under a glibc locale
# such as en_US.UTF-8 may ignore punctuation when sorting, which would break the range; the
# "C" collation compares bytes. SQLite already compares with BINARY.
FORWARD = 'ALTER TABLE units_unit ALTER COLUMN path TYPE varchar(120) COLLATE "C"'
BACKWARD = "ALTER TABLE units_unit ALTER COLUMN path TYPE varchar(120)"


def forward(apps, schema_editor):  # type: ignore[no-untyped-def]
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(FORWARD)


def backward(apps, schema_editor):  # type: ignore[no-untyped-def]
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(BACKWARD)


class Migration(migrations.Migration):
    dependencies = [("units", "0001_initial")]
    operations = [migrations.RunPython(forward, backward)]
