from __future__ import annotations

from django.apps import AppConfig


class MilestonesConfig(AppConfig):
    name = "jiance.milestones"
    verbose_name = "工作节点"
    default_auto_field = "django.db.models.BigAutoField"
