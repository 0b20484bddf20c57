from __future__ import annotations

from django.apps import AppConfig


class WebConfig(AppConfig):
    name = "jiance.web"
    label = "web"
    verbose_name = "门户"
