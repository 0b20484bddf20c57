from __future__ import annotations

from django.apps import AppConfig


class WindowsConfig(AppConfig):
    name = "jiance.windows"
    verbose_name = "上报时间窗口"
    default_auto_field = "django.db.models.BigAutoField"
