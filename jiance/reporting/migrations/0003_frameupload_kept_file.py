"""FrameUpload derives from jiance.kept.KeptFile: the file is kept encrypted (`sealed`), with its size;
a pending preview's file is encrypted in place."""

from __future__ import annotations

from django.conf import settings
from django.db import migrations, models

from jiance.kept import seal_existing


def seal(apps, schema_editor):  # type: ignore[no-untyped-def]
    seal_existing(apps, "reporting.FrameUpload", lambda row: bytes(row.content))


class Migration(migrations.Migration):
    dependencies = [("reporting", "0002_review_event_base"), migrations.swappable_dependency(settings.AUTH_USER_MODEL)]

    operations = [
        migrations.AddField("frameupload", "sealed", models.BinaryField(default=b"", verbose_name="文件内容"),
                            preserve_default=False),
        migrations.AddField("frameupload", "size", models.PositiveIntegerField(default=0)),
        migrations.RunPython(seal, migrations.RunPython.noop),
        migrations.RemoveField("frameupload", "content"),
        migrations.AlterField("frameupload", "uploaded_by", models.ForeignKey(
            blank=True, null=True, on_delete=models.deletion.SET_NULL, related_name="+", to=settings.AUTH_USER_MODEL)),
    ]
