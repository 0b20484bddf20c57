from __future__ import annotations

from django.apps import AppConfig


class CbtConfig(AppConfig):
    name = "jiance.cbt"
    label = "cbt"
    verbose_name = "网络测试"
    default_auto_field = "django.db.models.BigAutoField"
