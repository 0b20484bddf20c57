from __future__ import annotations

from django.db import migrations, models

import jiance.crypto


def drop_clear_uploads(apps, schema_editor):  # type: ignore[no-untyped-def]
    """Rejected files kept in clear before this migration are dropped (they are only a convenience)."""
    apps.get_model("rosters", "RosterUpload").objects.all().delete()


class Migration(migrations.Migration):
    dependencies = [("rosters", "0001_initial")]

    operations = [
        migrations.RunPython(drop_clear_uploads, migrations.RunPython.noop),
        migrations.RemoveField(model_name="rosterupload", name="content"),
        migrations.RemoveField(model_name="rosterupload", name="errors"),
        migrations.AddField(
            model_name="rosterupload", name="content_b64",
            field=jiance.crypto.EncryptedTextField(default=""), preserve_default=False,
        ),
        migrations.AddField(
            model_name="rosterupload", name="errors_json",
            field=jiance.crypto.EncryptedTextField(default=""), preserve_default=False,
        ),
        migrations.AddField(
            model_name="rosterupload", name="error_count", field=models.PositiveIntegerField(default=0),
        ),
    ]
