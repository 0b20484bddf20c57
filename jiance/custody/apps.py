from __future__ import annotations

from django.apps import AppConfig


class CustodyConfig(AppConfig):
    name = "jiance.custody"
    verbose_name = "监测工具保管与交接"
    default_auto_field = "django.db.models.BigAutoField"
