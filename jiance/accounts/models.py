from __future__ import annotations

from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils.translation import gettext_lazy as _

from jiance.units.models import Level


class Role(models.TextChoices):
    CENTRE_ADMIN = "centre_admin", _("国家监测中心管理员")
    PROVINCE_ADMIN = "province_admin", _("省级管理员")
    CITY_ADMIN = "city_admin", _("市级管理员")
    CITY_INFO_OFFICER = "city_info", _("市级信息员")
    COUNTY_ADMIN = "county_admin", _("县级实施办负责人")
    COUNTY_INFO_OFFICER = "county_info", _("县级信息员")
    COUNTY_LIAISON = "county_liaison", _("县级联络员")
    SUPERVISOR = "supervisor", _("视导员")
    INSPECTOR = "inspector", _("责任督学/巡视员")
    PRINCIPAL = "principal", _("校长")
    SCHOOL_INFO_OFFICER = "school_info", _("学校信息员")
    CUSTODIAN = "custodian", _("保密员")
    CHIEF_PROCTOR = "chief_proctor", _("主监测员")
    PROCTOR = "proctor", _("监测员")
    TECHNICIAN = "technician", _("计算机技术员")
    TIMEKEEPER = "timekeeper", _("司时员")


# The level of unit each role is held in.
ROLE_LEVELS: dict[str, tuple[str, ...]] = {
    Role.CENTRE_ADMIN: (Level.CENTRE,),
    Role.PROVINCE_ADMIN: (Level.PROVINCE,),
    Role.CITY_ADMIN: (Level.CITY,),
    Role.CITY_INFO_OFFICER: (Level.CITY,),
    Role.COUNTY_ADMIN: (Level.COUNTY,),
    Role.COUNTY_INFO_OFFICER: (Level.COUNTY,),
    Role.COUNTY_LIAISON: (Level.COUNTY,),
    Role.SUPERVISOR: (Level.PROVINCE, Level.CITY, Level.COUNTY),
    Role.INSPECTOR: (Level.COUNTY, Level.SCHOOL),
    Role.PRINCIPAL: (Level.SCHOOL,),
    Role.SCHOOL_INFO_OFFICER: (Level.SCHOOL,),
    Role.CUSTODIAN: (Level.COUNTY, Level.SCHOOL),
    Role.CHIEF_PROCTOR: (Level.SCHOOL,),
    Role.PROCTOR: (Level.SCHOOL,),
    Role.TECHNICIAN: (Level.COUNTY, Level.SCHOOL),
    Role.TIMEKEEPER: (Level.SCHOOL,),
}

# Bulk-created school accounts are named `<school code>-<suffix>` (pinyin initials of the role).
SCHOOL_ACCOUNT_SUFFIXES: dict[str, str] = {
    Role.PRINCIPAL: "xz",  # 校长
    Role.SCHOOL_INFO_OFFICER: "xx",  # 信息员
    Role.CUSTODIAN: "bm",  # 保密员
    Role.CHIEF_PROCTOR: "zj",  # 主监测员
    Role.PROCTOR: "jc",  # 监测员
    Role.TECHNICIAN: "js",  # 计算机技术员
    Role.TIMEKEEPER: "ss",  # 司时员
    Role.INSPECTOR: "dx",  # 督学
}


def school_account_username(school_code: str, role: str) -> str:
    """The username of a school's account for one role, e.g. `3601210001-xz` for the principal."""
    return f"{school_code}-{SCHOOL_ACCOUNT_SUFFIXES[role]}"


class User(AbstractUser):
    full_name = models.CharField(_("姓名"), max_length=50, blank=True)
    phone = models.CharField(_("手机号"), max_length=20, blank=True)
    must_change_password = models.BooleanField(_("首次登录须修改密码"), default=False)

    class Meta:
        verbose_name = _("用户")
        verbose_name_plural = _("用户")

    def __str__(self) -> str:
        return self.full_name or self.username

    @property
    def display_name(self) -> str:
        return self.full_name or self.username


class RoleAssignment(models.Model):
    """A person holds a role in one unit; a person may hold several."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="roles")
    role = models.CharField(_("角色"), max_length=20, choices=Role.choices)
    unit = models.ForeignKey("units.Unit", on_delete=models.PROTECT, related_name="role_assignments")
    # A role held for one cycle only (test-day staff): it ends when that cycle is closed, and the
    # Scope ignores it from then on. None: a standing role.
    cycle = models.ForeignKey("cycles.Cycle", null=True, blank=True, on_delete=models.CASCADE, related_name="+",
                              verbose_name=_("仅限监测周期"))
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("角色分配")
        verbose_name_plural = _("角色分配")
        constraints = [
            models.UniqueConstraint(fields=["user", "role", "unit"], name="unique_role_per_unit"),
        ]

    def __str__(self) -> str:
        return f"{self.get_role_display()} @ {self.unit.name}"

    def clean(self) -> None:
        from django.core.exceptions import ValidationError

        allowed = ROLE_LEVELS.get(self.role, ())
        if self.unit_id and self.unit.level not in allowed:
            raise ValidationError({"unit": _("该角色不能设在此层级的单位")})
