"""A monitoring cycle is data: loaded from a template file, copied and shifted each year."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class CycleStatus(models.TextChoices):
    DRAFT = "draft", _("草稿")
    ACTIVE = "active", _("进行中")
    CLOSED = "closed", _("已结束")


class Phase(models.TextChoices):
    BEFORE = "before", _("测前")
    DURING = "during", _("测中")
    AFTER = "after", _("测后")


class Cycle(models.Model):
    code = models.SlugField(_("代码"), max_length=60, unique=True)
    year = models.PositiveIntegerField(_("年度"))
    name = models.CharField(_("名称"), max_length=120)
    programme = models.CharField(_("项目"), max_length=20, blank=True)
    status = models.CharField(_("状态"), max_length=10, choices=CycleStatus.choices, default=CycleStatus.DRAFT)
    # The whole validated template (jiance_core.cycles schema), as loaded.
    config = models.JSONField(_("配置"))
    owner = models.ForeignKey(
        "units.Unit", verbose_name=_("组织单位"), null=True, blank=True, on_delete=models.PROTECT,
        related_name="owned_cycles",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    # Edited in the browser: the version the edit page was built from is compared on save, and a
    # stale save names who changed the cycle and when (jiance.cycles.editing).
    version = models.PositiveIntegerField(_("版本"), default=1)
    updated_at = models.DateTimeField(_("修改时间"), null=True, blank=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("修改人"), null=True, blank=True,
        on_delete=models.SET_NULL, related_name="+",
    )

    class Meta:
        verbose_name = _("监测周期")
        verbose_name_plural = _("监测周期")
        ordering = ["-year", "code"]

    def __str__(self) -> str:
        return self.name

    @property
    def test_days(self) -> list[dt.date]:
        return [dt.date.fromisoformat(d) for d in self.config.get("test_days", [])]

    def section(self, key: str, default: Any = None) -> Any:
        return self.config.get(key, default)


class CycleParticipant(models.Model):
    """A unit taking part in a cycle and the unit that coordinates it there."""

    cycle = models.ForeignKey(Cycle, on_delete=models.CASCADE, related_name="participants")
    unit = models.ForeignKey("units.Unit", on_delete=models.PROTECT, related_name="+")
    coordinator = models.ForeignKey(
        "units.Unit", null=True, blank=True, on_delete=models.PROTECT, related_name="+",
        verbose_name=_("负责组织的单位"),
    )

    class Meta:
        constraints = [models.UniqueConstraint(fields=["cycle", "unit"], name="unique_participant")]

    def __str__(self) -> str:
        return f"{self.cycle_id}:{self.unit_id}"


class Milestone(models.Model):
    cycle = models.ForeignKey(Cycle, on_delete=models.CASCADE, related_name="milestones")
    level = models.CharField(_("层级"), max_length=10)
    number = models.PositiveIntegerField(_("序号"))
    phase = models.CharField(_("阶段"), max_length=10, choices=Phase.choices)
    start = models.DateField(_("开始"), null=True, blank=True)
    deadline = models.DateField(_("截止"), null=True, blank=True)
    task = models.TextField(_("工作任务"))
    responsible = models.CharField(_("负责部门"), max_length=200, blank=True)
    # set when the platform sees the task done itself (jiance_core.cycles.schema.DoneWhen): its
    # conditions separated by spaces, all of which must hold (`conditions`)
    done_when = models.CharField(_("自动完成条件"), max_length=300, blank=True)
    # a task marked done by hand that this level (a unit level) confirms; blank: no confirmation
    confirmed_by = models.CharField(_("确认层级"), max_length=10, blank=True)

    class Meta:
        verbose_name = _("工作节点")
        verbose_name_plural = _("工作节点")
        ordering = ["cycle", "level", "number"]
        constraints = [
            models.UniqueConstraint(fields=["cycle", "level", "number"], name="unique_milestone_number"),
        ]

    def __str__(self) -> str:
        return f"{self.number}. {self.task[:40]}"

    @property
    def conditions(self) -> list[str]:
        return self.done_when.split()

    @property
    def observed(self) -> bool:
        """The platform completes it by itself; otherwise the responsible unit marks it by hand."""
        return bool(self.done_when)


class MilestoneCompletion(models.Model):
    milestone = models.ForeignKey(Milestone, on_delete=models.CASCADE, related_name="completions")
    unit = models.ForeignKey("units.Unit", on_delete=models.PROTECT, related_name="+")
    done_at = models.DateTimeField(_("完成时间"))
    done_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+")
    note = models.CharField(_("备注"), max_length=200, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["milestone", "unit"], name="unique_milestone_completion"),
        ]

    def __str__(self) -> str:
        return f"{self.milestone_id}:{self.unit_id}"


class MilestoneEvidence(models.Model):
    """One condition of a milestone's `done_when` that holds for a unit now (the event was
    observed and not withdrawn since); the milestone completes when every condition holds."""

    milestone = models.ForeignKey(Milestone, on_delete=models.CASCADE, related_name="evidence")
    unit = models.ForeignKey("units.Unit", on_delete=models.PROTECT, related_name="+")
    condition = models.CharField(_("条件"), max_length=100)
    at = models.DateTimeField(_("时间"))

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["milestone", "unit", "condition"], name="unique_milestone_evidence"),
        ]

    def __str__(self) -> str:
        return f"{self.milestone_id}:{self.unit_id}:{self.condition}"


class DocumentKind(models.Model):
    cycle = models.ForeignKey(Cycle, on_delete=models.CASCADE, related_name="document_kinds")
    code = models.CharField(_("代码"), max_length=60)
    name = models.CharField(_("名称"), max_length=200)
    level = models.CharField(_("提交层级"), max_length=10)
    reviewer_level = models.CharField(_("审核层级"), max_length=10, blank=True)
    window_start = models.DateField(_("开始"), null=True, blank=True)
    window_end = models.DateField(_("截止"), null=True, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["cycle", "code"], name="unique_document_kind")]

    def __str__(self) -> str:
        return self.name


class CycleTextFlag(models.Model):
    """A piece of text a copy could not shift without doubt ("26日上午", "依据2015年文件"): listed
    on the new cycle's page until an editor confirms it (jiance_core.cycles.shifting)."""

    cycle = models.ForeignKey(Cycle, on_delete=models.CASCADE, related_name="text_flags")
    path = models.CharField(_("位置"), max_length=120)
    excerpt = models.CharField(_("文字"), max_length=200)
    reason = models.CharField(_("原因"), max_length=200)
    text = models.TextField(_("全文"), blank=True)
    confirmed_at = models.DateTimeField(_("确认时间"), null=True, blank=True)
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+",
    )

    class Meta:
        verbose_name = _("待核对的文字")
        verbose_name_plural = _("待核对的文字")
        ordering = ["cycle", "pk"]

    def __str__(self) -> str:
        return f"{self.path}: {self.excerpt}"
