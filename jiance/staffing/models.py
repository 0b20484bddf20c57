"""Leadership groups, the staffing of sample schools and the badges (SPEC §1; seeds [000] [002]
[003]): the people each level and each 监测点 has for a cycle, as the cycle's rules ask."""

from __future__ import annotations

import secrets
from typing import Any

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from jiance_core.cycles.schema import STAFF_SUBJECTS


class StaffingError(ValueError):
    """A refused operation, with the reason in Chinese for the user."""


class Body(models.TextChoices):
    GROUP = "group", _("领导小组")
    OFFICE = "office", _("实施办")


class GroupMember(models.Model):
    """A member of a level's 实施工作领导小组 or its office for a cycle."""

    cycle = models.ForeignKey("cycles.Cycle", on_delete=models.PROTECT, related_name="+")
    unit = models.ForeignKey("units.Unit", verbose_name=_("单位"), on_delete=models.PROTECT, related_name="+")
    role = models.CharField(_("小组职务"), max_length=30)
    body = models.CharField(_("机构"), max_length=10, choices=Body.choices, default=Body.GROUP)
    name = models.CharField(_("姓名"), max_length=50)
    post = models.CharField(_("工作单位及职务"), max_length=100, blank=True)
    phone = models.CharField(_("联系电话"), max_length=30, blank=True)
    created_at = models.DateTimeField(_("登记时间"))

    class Meta:
        verbose_name = _("领导小组成员")
        verbose_name_plural = _("领导小组成员")
        ordering = ["unit__path", "pk"]

    def __str__(self) -> str:
        return f"{self.role} {self.name}"


class StaffingStatus(models.TextChoices):
    DRAFT = "draft", _("填报中")
    SUBMITTED = "submitted", _("已提交")


class SheetKind(models.TextChoices):
    GROUP = "group", _("领导小组名单")
    STAFFING = "staffing", _("测试工作人员安排")


class Sheet(models.Model):
    """A unit's list for a cycle: its leadership group (city, county) or its county's staffing
    of the sample schools. `version` guards every change (the page posts the version it was
    built from); the staffing is submitted only when no rule is broken, withdrawn to change it."""

    cycle = models.ForeignKey("cycles.Cycle", on_delete=models.PROTECT, related_name="+")
    unit = models.ForeignKey("units.Unit", on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(_("类别"), max_length=10, choices=SheetKind.choices)
    status = models.CharField(_("状态"), max_length=10, choices=StaffingStatus.choices, default=StaffingStatus.DRAFT)
    version = models.PositiveIntegerField(default=1)
    submitted_at = models.DateTimeField(_("提交时间"), null=True, blank=True)
    submitted_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                     related_name="+")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["cycle", "unit", "kind"], name="unique_staffing_sheet")]

    def __str__(self) -> str:
        return f"{self.unit.name}{self.get_kind_display()}"

    @property
    def submitted(self) -> bool:
        return self.status == StaffingStatus.SUBMITTED


class StaffPost(models.Model):
    """One person in one post at one sample school (per site, or per test room)."""

    cycle = models.ForeignKey("cycles.Cycle", on_delete=models.PROTECT, related_name="+")
    site = models.ForeignKey("units.Unit", verbose_name=_("监测点"), on_delete=models.PROTECT, related_name="+")
    role = models.CharField(_("岗位"), max_length=30)
    provided_by = models.CharField(_("选派方"), max_length=10)
    room = models.ForeignKey("testday.TestRoom", verbose_name=_("监测室"), null=True, blank=True,
                             on_delete=models.SET_NULL, related_name="+")
    name = models.CharField(_("姓名"), max_length=50)
    phone = models.CharField(_("联系电话"), max_length=30, blank=True)
    post = models.CharField(_("职务"), max_length=100, blank=True)
    home = models.ForeignKey("units.Unit", verbose_name=_("所在单位"), on_delete=models.PROTECT, related_name="+")
    subjects = models.JSONField(_("任教学科"), default=list)
    teacher = models.ForeignKey("rosters.Teacher", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                             related_name="+")
    created_at = models.DateTimeField(_("登记时间"))

    class Meta:
        verbose_name = _("测试工作人员")
        verbose_name_plural = _("测试工作人员")
        ordering = ["site__path", "pk"]

    def __str__(self) -> str:
        return f"{self.role} {self.name}"

    @property
    def unit(self) -> Any:
        return self.site

    @property
    def subject_names(self) -> str:
        return "、".join(STAFF_SUBJECTS.get(s, s) for s in self.subjects or [])


def new_token() -> str:
    """An unguessable badge token (128 bits, URL-safe)."""
    return secrets.token_urlsafe(16)


class Badge(models.Model):
    """A work badge (工作胸牌) the county printed: what it shows is kept as printed, so the
    verification page answers for the badge in the person's hand; revoked when withdrawn."""

    cycle = models.ForeignKey("cycles.Cycle", on_delete=models.PROTECT, related_name="+")
    staff = models.ForeignKey(StaffPost, null=True, blank=True, on_delete=models.SET_NULL, related_name="badges")
    site = models.ForeignKey("units.Unit", on_delete=models.PROTECT, related_name="+")
    token = models.CharField(max_length=40, unique=True, default=new_token)
    name = models.CharField(_("姓名"), max_length=50)
    role = models.CharField(_("岗位"), max_length=60)
    site_name = models.CharField(_("监测点"), max_length=120)
    cycle_name = models.CharField(_("监测项目"), max_length=120)
    issued_at = models.DateTimeField(_("制作时间"))
    revoked_at = models.DateTimeField(_("作废时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("工作胸牌")
        verbose_name_plural = _("工作胸牌")
        ordering = ["site__path", "pk"]

    def __str__(self) -> str:
        return f"{self.name}（{self.role}）"

    @property
    def unit(self) -> Any:
        return self.site

    @property
    def valid(self) -> bool:
        return self.revoked_at is None
