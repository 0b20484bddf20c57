"""TestedUpload derives from jiance.kept.KeptFile: the rejected rows (students' names) are kept
encrypted (`sealed`, the same JSON as before) instead of a plain JSON column; kept rows are moved over."""

from __future__ import annotations

import json

from django.conf import settings
from django.db import migrations, models

from jiance.kept import seal_existing


def seal(apps, schema_editor):  # type: ignore[no-untyped-def]
    seal_existing(apps, "aftertest.TestedUpload",
                  lambda row: json.dumps(row.rows_json, ensure_ascii=False, default=str).encode("utf-8"))


class Migration(migrations.Migration):
    dependencies = [("aftertest", "0003_supplementary_to_windows"), migrations.swappable_dependency(settings.AUTH_USER_MODEL)]

    operations = [
        migrations.AddField("testedupload", "sealed", models.BinaryField(default=b"", verbose_name="文件内容"),
                            preserve_default=False),
        migrations.AddField("testedupload", "size", models.PositiveIntegerField(default=0)),
        migrations.AddField("testedupload", "sha256", models.CharField(default="", max_length=64),
                            preserve_default=False),
        migrations.AddField("testedupload", "uploaded_by", models.ForeignKey(
            blank=True, null=True, on_delete=models.deletion.SET_NULL, related_name="+", to=settings.AUTH_USER_MODEL)),
        migrations.RunPython(seal, migrations.RunPython.noop),
        migrations.RemoveField("testedupload", "rows_json"),
        migrations.AlterField("testedupload", "filename", models.CharField(max_length=200, verbose_name="文件名")),
        migrations.AlterField("testedupload", "uploaded_at", models.DateTimeField(verbose_name="上传时间")),
    ]
