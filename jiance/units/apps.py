from __future__ import annotations

from django.apps import AppConfig


class UnitsConfig(AppConfig):
    name = "jiance.units"
    label = "units"
    verbose_name = "行政层级"
