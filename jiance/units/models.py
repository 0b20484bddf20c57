"""The administrative hierarchy: centre → province → city → county → school.

Each unit stores its materialised path (ancestor codes joined by '/', ending in '/'), so a
subtree is one indexed range query on both PostgreSQL and SQLite: path >= P and path < P'
where P' is P with its final '/' replaced by '0' (the next character).
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

PATH_SEPARATOR = "/"


def subtree_upper_bound(path: str) -> str:
    """The smallest string greater than every path that starts with `path`."""
    return path[:-1] + chr(ord(PATH_SEPARATOR) + 1)


class Level(models.TextChoices):
    CENTRE = "centre", _("国家监测中心")
    PROVINCE = "province", _("省")
    CITY = "city", _("市")
    COUNTY = "county", _("县（区）")
    SCHOOL = "school", _("学校")


LEVEL_DEPTH = {Level.CENTRE: 0, Level.PROVINCE: 1, Level.CITY: 2, Level.COUNTY: 3, Level.SCHOOL: 4}
CHILD_LEVEL = {
    Level.CENTRE: Level.PROVINCE,
    Level.PROVINCE: Level.CITY,
    Level.CITY: Level.COUNTY,
    Level.COUNTY: Level.SCHOOL,
}


class CountyKind(models.TextChoices):
    COUNTY = "县", _("县")
    DISTRICT = "区", _("区")
    CITY_COUNTY = "县级市", _("县级市")
    DEVELOPMENT_ZONE = "开发区", _("开发区")
    ADMINISTRATION = "管理局", _("管理局")


class SchoolType(models.TextChoices):
    PRIMARY = "小学", _("小学")
    JUNIOR = "初中", _("初中")
    NINE_YEAR = "九年一贯制", _("九年一贯制")
    COMPLETE_SECONDARY = "完全中学", _("完全中学")
    TWELVE_YEAR = "十二年一贯制", _("十二年一贯制")


# Which stages a school type teaches: a complete secondary school counts only for junior.
SCHOOL_TYPE_STAGES: dict[str, tuple[str, ...]] = {
    SchoolType.PRIMARY: ("primary",),
    SchoolType.JUNIOR: ("junior",),
    SchoolType.NINE_YEAR: ("primary", "junior"),
    SchoolType.COMPLETE_SECONDARY: ("junior",),
    SchoolType.TWELVE_YEAR: ("primary", "junior"),
}


class Nature(models.TextChoices):
    PUBLIC = "公办", _("公办")
    PRIVATE = "民办", _("民办")


class Area(models.TextChoices):
    URBAN = "城区", _("城区")
    TOWN = "镇区", _("镇区")
    RURAL = "乡村", _("乡村")


class Affiliation(models.TextChoices):
    COUNTY = "县属", _("县属")
    BUREAU = "局属", _("局属（市教育局直属）")
    PROVINCE = "省属", _("省属")
    CITY_PRIVATE = "市管民办", _("市管民办")
    OTHER = "其他", _("其他")


class UnitQuerySet(models.QuerySet["Unit"]):
    def subtree_of(self, unit: Unit, *, include_self: bool = True) -> UnitQuerySet:
        qs = self.filter(path__gte=unit.path, path__lt=subtree_upper_bound(unit.path))
        return qs if include_self else qs.exclude(pk=unit.pk)

    def schools(self) -> UnitQuerySet:
        return self.filter(level=Level.SCHOOL)


class Unit(models.Model):
    code = models.CharField(_("代码"), max_length=20, unique=True)
    name = models.CharField(_("名称"), max_length=100)
    level = models.CharField(_("层级"), max_length=10, choices=Level.choices, db_index=True)
    parent = models.ForeignKey(
        "self", verbose_name=_("上级单位"), null=True, blank=True, on_delete=models.PROTECT,
        related_name="children",
    )
    path = models.CharField(max_length=120, unique=True, editable=False)
    county_kind = models.CharField(_("县级类型"), max_length=10, choices=CountyKind.choices, blank=True)
    school_type = models.CharField(_("学校类型"), max_length=10, choices=SchoolType.choices, blank=True)
    nature = models.CharField(_("办学性质"), max_length=4, choices=Nature.choices, blank=True)
    area = models.CharField(_("城乡区域"), max_length=4, choices=Area.choices, blank=True)
    affiliation = models.CharField(_("隶属关系"), max_length=10, choices=Affiliation.choices, blank=True)
    # Xinjiang and Tibet run the schedule in local time.
    local_time = models.BooleanField(_("使用当地时间"), default=False)
    is_active = models.BooleanField(_("有效"), default=True)

    objects = UnitQuerySet.as_manager()

    class Meta:
        verbose_name = _("单位")
        verbose_name_plural = _("单位")
        ordering = ["path"]

    def __str__(self) -> str:
        return f"{self.name}（{self.code}）"

    def save(self, *args: object, **kwargs: object) -> None:
        self.path = self.path_for(self.code, self.parent)
        super().save(*args, **kwargs)  # type: ignore[arg-type]

    @staticmethod
    def path_for(code: str, parent: Unit | None) -> str:
        return (parent.path if parent else "") + code + PATH_SEPARATOR

    @property
    def stages(self) -> tuple[str, ...]:
        return SCHOOL_TYPE_STAGES.get(self.school_type, ())

    def is_within(self, other: Unit) -> bool:
        """True if self is other or one of its descendants."""
        return self.path.startswith(other.path)

    def ancestor_codes(self) -> list[str]:
        return self.path.rstrip(PATH_SEPARATOR).split(PATH_SEPARATOR)[:-1]

    def ancestors(self) -> UnitQuerySet:
        return Unit.objects.filter(code__in=self.ancestor_codes())

    def county(self) -> Unit | None:
        if self.level == Level.COUNTY:
            return self
        return self.ancestors().filter(level=Level.COUNTY).first()
