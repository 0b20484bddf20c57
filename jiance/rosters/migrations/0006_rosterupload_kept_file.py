"""RosterUpload derives from jiance.kept.KeptFile: the rejected file is kept encrypted as bytes
(`sealed`, no more base64 text), with its size, SHA-256 and uploader; kept files are moved over."""

from __future__ import annotations

import base64

from django.conf import settings
from django.db import migrations, models

from jiance.kept import seal_existing


def seal(apps, schema_editor):  # type: ignore[no-untyped-def]
    seal_existing(apps, "rosters.RosterUpload", lambda row: base64.b64decode(row.content_b64))


class Migration(migrations.Migration):
    dependencies = [("rosters", "0005_review_event_base"), migrations.swappable_dependency(settings.AUTH_USER_MODEL)]

    operations = [
        migrations.AddField("rosterupload", "sealed", models.BinaryField(default=b"", verbose_name="文件内容"),
                            preserve_default=False),
        migrations.AddField("rosterupload", "size", models.PositiveIntegerField(default=0)),
        migrations.AddField("rosterupload", "sha256", models.CharField(default="", max_length=64),
                            preserve_default=False),
        migrations.AddField("rosterupload", "uploaded_by", models.ForeignKey(
            blank=True, null=True, on_delete=models.deletion.SET_NULL, related_name="+", to=settings.AUTH_USER_MODEL)),
        migrations.RunPython(seal, migrations.RunPython.noop),
        migrations.RemoveField("rosterupload", "content_b64"),
        migrations.AlterField("rosterupload", "filename", models.CharField(max_length=200, verbose_name="文件名")),
        migrations.AlterField("rosterupload", "uploaded_at", models.DateTimeField(verbose_name="上传时间")),
    ]
