"""A reopening of a reporting window (补报 / 重新开放) that the level above grants one unit.

The cycle's own windows stay data in the cycle's config (`jiance_core.cycles.windows`); only the
exceptions the offices grant live here, each with its reason, author and dates."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class WindowReopen(models.Model):
    cycle = models.ForeignKey("cycles.Cycle", on_delete=models.PROTECT, related_name="+")
    # a ReportingWindow kind of the cycle (jiance_core.cycles.schema.WindowKind)
    kind = models.CharField(_("上报事项"), max_length=30)
    unit = models.ForeignKey("units.Unit", verbose_name=_("单位"), on_delete=models.PROTECT, related_name="+")
    start = models.DateField(_("开始日期"))
    end = models.DateField(_("截止日期"))
    reason = models.CharField(_("原因"), max_length=200)
    opened_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+")
    opened_at = models.DateTimeField(_("开放时间"))

    class Meta:
        verbose_name = _("重新开放上报")
        verbose_name_plural = _("重新开放上报")
        ordering = ["-opened_at", "-pk"]
        indexes = [models.Index(fields=["cycle", "kind", "unit"], name="window_reopen_lookup")]

    def __str__(self) -> str:
        return f"{self.kind}:{self.unit_id}:{self.start}..{self.end}"

    def covers(self, day: dt.date) -> bool:
        return self.start <= day <= self.end

    @property
    def opener_name(self) -> str:
        u = self.opened_by
        return (getattr(u, "display_name", "") or getattr(u, "username", "")) if u else ""
