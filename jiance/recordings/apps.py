from __future__ import annotations

from django.apps import AppConfig


class RecordingsConfig(AppConfig):
    name = "jiance.recordings"
    label = "recordings"
    verbose_name = "演唱与英语口语测试"
    default_auto_field = "django.db.models.BigAutoField"
