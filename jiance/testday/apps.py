from __future__ import annotations

from django.apps import AppConfig


class TestdayConfig(AppConfig):
    name = "jiance.testday"
    verbose_name = "监测室与测试日打印材料"
    default_auto_field = "django.db.models.BigAutoField"
