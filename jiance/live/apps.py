from __future__ import annotations

from django.apps import AppConfig


class LiveConfig(AppConfig):
    name = "jiance.live"
    label = "live"
    verbose_name = "实时进度"
