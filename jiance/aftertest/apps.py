from __future__ import annotations

from django.apps import AppConfig


class AftertestConfig(AppConfig):
    name = "jiance.aftertest"
    verbose_name = "测后上报"
    default_auto_field = "django.db.models.BigAutoField"
