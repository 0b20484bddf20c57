from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class AppendOnlyError(RuntimeError):
    pass


class Action(models.TextChoices):
    CREATE = "create", _("新增")
    UPDATE = "update", _("修改")
    DELETE = "delete", _("删除")
    IMPORT = "import", _("导入")
    EXPORT = "export", _("导出")
    VIEW_PERSONAL = "view_personal", _("查看个人信息")
    LOGIN = "login", _("登录")
    LOGIN_FAILED = "login_failed", _("登录失败")
    LOGOUT = "logout", _("退出")
    SUBMIT = "submit", _("提交")
    APPROVE = "approve", _("审核通过")
    RETURN = "return", _("退回")
    OTHER = "other", _("其他")


class AuditEntryQuerySet(models.QuerySet["AuditEntry"]):
    """Bulk changes bypass `save()`/`delete()`: refuse them here too."""

    def update(self, **kwargs: Any) -> int:
        raise AppendOnlyError("audit entries are append-only")

    def delete(self) -> Any:
        raise AppendOnlyError("audit entries are append-only")


class Result(models.TextChoices):
    OK = "ok", _("成功")
    FAILED = "failed", _("失败")
    LOCKED = "locked", _("已锁定")
    DENIED = "denied", _("拒绝")


class AuditEntry(models.Model):
    """One write or export of personal data. Append-only: never updated, never deleted."""

    at = models.DateTimeField(_("时间"), db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
        related_name="+", verbose_name=_("操作人"),
    )
    actor_name = models.CharField(_("操作人"), max_length=150, blank=True)
    unit = models.ForeignKey(
        "units.Unit", null=True, blank=True, on_delete=models.PROTECT, related_name="+",
        verbose_name=_("单位"),
    )
    ip = models.GenericIPAddressField(_("IP 地址"), null=True, blank=True)
    # Null, not "": adding a nullable column keeps SQLite's append-only triggers (no table rebuild).
    request_id = models.CharField(_("请求编号"), max_length=64, null=True, blank=True)
    action = models.CharField(_("操作"), max_length=20, choices=Action.choices)
    object_type = models.CharField(_("对象类型"), max_length=60, blank=True)
    object_id = models.CharField(_("对象"), max_length=60, blank=True)
    object_repr = models.CharField(_("对象说明"), max_length=200, blank=True)
    before = models.JSONField(_("修改前"), null=True, blank=True)
    after = models.JSONField(_("修改后"), null=True, blank=True)
    result = models.CharField(_("结果"), max_length=20, default="ok")
    detail = models.TextField(_("说明"), blank=True)

    objects = AuditEntryQuerySet.as_manager()

    class Meta:
        verbose_name = _("审计记录")
        verbose_name_plural = _("审计记录")
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["unit", "at"]), models.Index(fields=["object_type", "object_id"])]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.actor_name} {self.action} {self.object_repr}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None:
            raise AppendOnlyError("audit entries are append-only")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> Any:
        raise AppendOnlyError("audit entries are append-only")

    @property
    def result_label(self) -> str:
        try:
            return str(Result(self.result).label)
        except ValueError:
            return self.result

    def changes(self) -> list[tuple[str, Any, Any]]:
        """(field, before, after) for each field that differs; every field when only one side
        exists (a creation shows its values as `after`, a deletion as `before`)."""
        before = self.before if isinstance(self.before, dict) else {}
        after = self.after if isinstance(self.after, dict) else {}
        missing = object()
        rows: list[tuple[str, Any, Any]] = []
        for key in list(dict.fromkeys([*before, *after])):
            old, new = before.get(key, missing), after.get(key, missing)
            if old != new:
                rows.append((key, None if old is missing else old, None if new is missing else new))
        if not rows and (self.before is not None or self.after is not None) and not (
            isinstance(self.before, dict) or isinstance(self.after, dict)
        ):
            rows.append(("", self.before, self.after))
        return rows
