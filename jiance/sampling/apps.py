from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SamplingConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "jiance.sampling"
    verbose_name = _("样本校抽样")
