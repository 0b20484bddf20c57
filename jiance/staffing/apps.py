from __future__ import annotations

from django.apps import AppConfig


class StaffingConfig(AppConfig):
    name = "jiance.staffing"
    verbose_name = "领导小组、测试工作人员与胸牌"
    default_auto_field = "django.db.models.BigAutoField"
