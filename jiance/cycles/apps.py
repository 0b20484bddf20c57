from __future__ import annotations

from django.apps import AppConfig


class CyclesConfig(AppConfig):
    name = "jiance.cycles"
    label = "cycles"
    verbose_name = "监测周期"
