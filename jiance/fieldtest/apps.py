from __future__ import annotations

from django.apps import AppConfig


class FieldtestConfig(AppConfig):
    name = "jiance.fieldtest"
    verbose_name = "体育现场测试"
    default_auto_field = "django.db.models.BigAutoField"
