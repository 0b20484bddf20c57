from __future__ import annotations

from django.apps import AppConfig


class ProctoringConfig(AppConfig):
    name = "jiance.proctoring"
    verbose_name = "检录、场次控制与违纪处理"
    default_auto_field = "django.db.models.BigAutoField"
