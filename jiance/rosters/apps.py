from __future__ import annotations

from django.apps import AppConfig


class RostersConfig(AppConfig):
    name = "jiance.rosters"
    verbose_name = "样本校名单上报与学生抽样"
    default_auto_field = "django.db.models.BigAutoField"
