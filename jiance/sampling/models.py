"""Sample schools drawn from the approved school frame (SPEC §4).

A `SchoolDraw` is one run of the core engine (`jiance_core.sampling.schools`) for the counties
under one owner unit (a city, or a province / the centre) in one cycle; its `SampledSchool`
rows are the engine's output rows (sample, added and replacement schools). A draft may be
replaced by a new run; once published the draw is immutable and tamper-evident:

- `published_hash` = SHA-256 over the canonical rows, the seed, the frame hash, the plan and the
  sampling program's release;
- every approved `ReplacementRequest` is a link of a hash chain: its `hash` covers the previous
  hash and the change, and the draw's `sample_hash` is the head of the chain;
- the frozen fields of a published draw and of its rows refuse any change (model and queryset);
  `draw_verify` (services) recomputes the chain from the stored rows and detects a tamper made
  behind the model's back (raw SQL).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Iterable
from typing import Any

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from jiance.stages import Stage

HASH_VERSION = "jiance-sample-v1"
LINK_VERSION = "jiance-sample-link-v1"


class SamplingError(ValueError):
    """A refused operation, with the reason in Chinese for the user."""


class SampleLocked(SamplingError):
    """A change to a published sample that only the replacement procedure may make."""


class Method(models.TextChoices):
    PPS = "pps", _("规模成比例的系统抽样（PPS）")
    SRS = "srs", _("简单随机抽样")


class DrawStatus(models.TextChoices):
    DRAFT = "draft", _("预览（未发布）")
    PUBLISHED = "published", _("已发布")


class SampleRole(models.TextChoices):
    SAMPLE = "sample", _("样本校")
    ADDED = "added", _("追加样本校")
    REPLACEMENT1 = "replacement1", _("第一替补校")
    REPLACEMENT2 = "replacement2", _("第二替补校")


SELECTED_ROLES = (SampleRole.SAMPLE, SampleRole.ADDED)
REPLACEMENT_ROLES = (SampleRole.REPLACEMENT1, SampleRole.REPLACEMENT2)


class RowStatus(models.TextChoices):
    IN_SAMPLE = "in_sample", _("在样")
    STANDBY = "standby", _("备用")
    WITHDRAWN = "withdrawn", _("已被替换")


class SchoolDrawQuerySet(models.QuerySet["SchoolDraw"]):
    def update(self, **kwargs: Any) -> int:
        frozen = set(kwargs) & set(SchoolDraw.FROZEN_FIELDS) or kwargs.get("status", DrawStatus.PUBLISHED) != (
            DrawStatus.PUBLISHED
        )
        if frozen and self.filter(status=DrawStatus.PUBLISHED).exists():
            raise SampleLocked(str(_("样本已发布，不能修改抽样记录。")))
        return super().update(**kwargs)

    def delete(self) -> Any:
        if self.filter(status=DrawStatus.PUBLISHED).exists():
            raise SampleLocked(str(_("样本已发布，不能删除。")))
        return super().delete()


class SchoolDraw(models.Model):
    cycle = models.ForeignKey("cycles.Cycle", on_delete=models.PROTECT, related_name="school_draws")
    owner = models.ForeignKey(
        "units.Unit", verbose_name=_("抽样单位"), on_delete=models.PROTECT, related_name="school_draws"
    )
    method = models.CharField(_("抽样方法"), max_length=4, choices=Method.choices, default=Method.PPS)
    seed = models.BigIntegerField(_("随机种子"))
    frame_hash = models.CharField(_("抽样框 SHA-256"), max_length=64)
    frame_schools = models.PositiveIntegerField(_("抽样框学校数"), default=0)
    # primary_schools, junior_schools, students_per_school, replacements, county_overrides
    plan = models.JSONField(_("抽样参数"))
    counties = models.JSONField(_("抽样县（区）代码"), default=list)
    explanations = models.JSONField(_("抽样说明"), default=list)
    summary = models.TextField(_("摘要"), blank=True)
    # The sampling program's release (e.g. "svy 0.9.1"): the same seed reproduces with it.
    engine = models.CharField(_("抽样程序"), max_length=60, blank=True)
    status = models.CharField(_("状态"), max_length=10, choices=DrawStatus.choices, default=DrawStatus.DRAFT)
    created_at = models.DateTimeField(_("抽样时间"))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    published_at = models.DateTimeField(_("发布时间"), null=True, blank=True)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    # The hash at publication, and the head of the chain after approved replacements.
    published_hash = models.CharField(_("发布时校验码"), max_length=64, blank=True)
    sample_hash = models.CharField(_("样本校验码"), max_length=64, blank=True)

    FROZEN_FIELDS = (
        "cycle_id", "owner_id", "method", "seed", "frame_hash", "frame_schools", "plan", "counties",
        "explanations", "summary", "engine", "created_at", "created_by_id", "published_at", "published_by_id",
        "published_hash",
    )

    objects = SchoolDrawQuerySet.as_manager()

    class Meta:
        verbose_name = _("样本校抽样")
        verbose_name_plural = _("样本校抽样")
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["cycle", "owner"], condition=models.Q(status="published"),
                name="one_published_draw_per_owner",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.owner_id}:{self.get_status_display()}:{self.seed}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None:
            stored = SchoolDraw.objects.filter(pk=self.pk).values(*self.FROZEN_FIELDS, "status").first()
            if stored and stored["status"] == DrawStatus.PUBLISHED:
                changed = [f for f in self.FROZEN_FIELDS if stored[f] != getattr(self, f)]
                if changed or self.status != DrawStatus.PUBLISHED:
                    raise SampleLocked(str(_("样本已发布，不能修改抽样记录。")))
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> Any:
        if self.is_published:
            raise SampleLocked(str(_("样本已发布，不能删除。")))
        return super().delete(*args, **kwargs)

    @property
    def unit(self) -> Any:
        return self.owner

    @property
    def is_published(self) -> bool:
        return self.status == DrawStatus.PUBLISHED

    @property
    def method_label(self) -> str:
        return str(Method(self.method).label)

    # --- the hash -------------------------------------------------------------------------
    def base_payload(self, rows: Iterable[SampledSchool]) -> bytes:
        """The canonical bytes of a draw at publication: header, plan, then rows in order."""
        header = [
            HASH_VERSION, self.cycle.code, self.owner.code, self.method, str(self.seed),
            self.frame_hash, canonical_json(self.plan), self.engine,
        ]
        lines = sorted(r.canonical() for r in rows)
        return ("\n".join(header) + "\n" + "\n".join(lines)).encode("utf-8")

    def compute_base_hash(self, rows: Iterable[SampledSchool]) -> str:
        return hashlib.sha256(self.base_payload(rows)).hexdigest()


def canonical_json(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, sort_keys=True, separators=(",", ":"))


def utc_iso(value: dt.datetime | None) -> str:
    return value.astimezone(dt.UTC).isoformat() if value else ""


class SampledSchoolQuerySet(models.QuerySet["SampledSchool"]):
    def update(self, **kwargs: Any) -> int:
        if set(kwargs) & set(SampledSchool.FROZEN_FIELDS) and self.filter(
            draw__status=DrawStatus.PUBLISHED
        ).exists():
            raise SampleLocked(str(_("样本已发布，不能修改样本校记录。")))
        return super().update(**kwargs)

    def delete(self) -> Any:
        if self.filter(draw__status=DrawStatus.PUBLISHED).exists():
            raise SampleLocked(str(_("样本已发布，不能删除样本校记录。")))
        return super().delete()

    def in_sample(self) -> SampledSchoolQuerySet:
        return self.filter(status=RowStatus.IN_SAMPLE)


class SampledSchool(models.Model):
    draw = models.ForeignKey(SchoolDraw, on_delete=models.CASCADE, related_name="rows")
    county = models.ForeignKey("units.Unit", verbose_name=_("县（区）"), on_delete=models.PROTECT, related_name="+")
    stage = models.CharField(_("学段"), max_length=8, choices=Stage.choices)
    school = models.ForeignKey("units.Unit", verbose_name=_("学校"), on_delete=models.PROTECT, related_name="+")
    role = models.CharField(_("类别"), max_length=14, choices=SampleRole.choices)
    # For a replacement school: the selected school it stands behind (same draw and stage).
    replaces = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.CASCADE, related_name="replacement_rows",
        verbose_name=_("替补对象"),
    )
    selection_probability = models.FloatField(_("入样概率"))
    base_weight = models.FloatField(_("基础权重"))
    planned_students = models.PositiveIntegerField(_("计划抽取学生数"))
    certainty = models.BooleanField(_("必选"), default=False)
    frame_order = models.PositiveIntegerField(_("抽样框排序号"), default=0)
    # The frame's figures at the draw (they travel with the sample, like the offline tool's).
    school_type = models.CharField(_("学校类型"), max_length=10)
    area = models.CharField(_("城乡区域"), max_length=4)
    primary_students = models.PositiveIntegerField(_("小学测试年级学生数"), default=0)
    junior_students = models.PositiveIntegerField(_("初中测试年级学生数"), default=0)
    # State, changed only by approved replacements (verified against the hash chain).
    status = models.CharField(_("状态"), max_length=10, choices=RowStatus.choices)
    # 样本校名单确认 by the county: not part of the sample, so outside the hash.
    confirmed_at = models.DateTimeField(_("确认时间"), null=True, blank=True)
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    FROZEN_FIELDS = (
        "draw_id", "county_id", "stage", "school_id", "role", "replaces_id", "selection_probability",
        "base_weight", "planned_students", "certainty", "frame_order", "school_type", "area",
        "primary_students", "junior_students",
    )

    objects = SampledSchoolQuerySet.as_manager()

    class Meta:
        verbose_name = _("样本校")
        verbose_name_plural = _("样本校")
        ordering = ["county__path", "stage", "frame_order", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["draw", "stage", "school"], name="unique_sampled_school_stage"),
        ]
        indexes = [models.Index(fields=["draw", "county", "stage"])]

    def __str__(self) -> str:
        return f"{self.school_id}:{self.stage}:{self.role}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        published = SchoolDraw.objects.filter(pk=self.draw_id, status=DrawStatus.PUBLISHED).exists()
        if published:
            if self.pk is None:
                raise SampleLocked(str(_("样本已发布，不能增加样本校。")))
            stored = SampledSchool.objects.filter(pk=self.pk).values(*self.FROZEN_FIELDS).first()
            if stored is None or any(stored[f] != getattr(self, f) for f in self.FROZEN_FIELDS):
                raise SampleLocked(str(_("样本已发布，不能修改样本校记录。")))
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> Any:
        if SchoolDraw.objects.filter(pk=self.draw_id, status=DrawStatus.PUBLISHED).exists():
            raise SampleLocked(str(_("样本已发布，不能删除样本校记录。")))
        return super().delete(*args, **kwargs)

    @property
    def unit(self) -> Any:
        return self.school

    @property
    def is_selected_role(self) -> bool:
        return self.role in SELECTED_ROLES

    @property
    def is_replacement_role(self) -> bool:
        return self.role in REPLACEMENT_ROLES

    @property
    def in_sample(self) -> bool:
        return self.status == RowStatus.IN_SAMPLE

    def initial_status(self) -> str:
        return RowStatus.IN_SAMPLE if self.role in SELECTED_ROLES else RowStatus.STANDBY

    def canonical(self) -> str:
        """One row as canonical text: the frozen content, by codes (never by database ids)."""
        return canonical_json([
            self.county.code, self.stage, self.school.code, self.role,
            self.replaces.school.code if self.replaces is not None else "",
            repr(float(self.selection_probability)), repr(float(self.base_weight)),
            int(self.planned_students), bool(self.certainty), int(self.frame_order),
            self.school_type, self.area, int(self.primary_students), int(self.junior_students),
        ])


class ReasonKind(models.TextChoices):
    CLOSED = "closed", _("学校停办或撤销")
    MERGED = "merged", _("学校合并")
    REFUSED = "refused", _("学校拒绝参加")
    OTHER = "other", _("其他原因")


class RequestStatus(models.TextChoices):
    PENDING = "pending", _("待审核")
    APPROVED = "approved", _("已同意")
    REJECTED = "rejected", _("已驳回")


class ReplacementRequest(models.Model):
    """A county asks to replace one of its sample schools after publication; the city decides."""

    sampled_school = models.ForeignKey(SampledSchool, on_delete=models.PROTECT, related_name="requests")
    reason_kind = models.CharField(_("原因类别"), max_length=10, choices=ReasonKind.choices)
    reason = models.TextField(_("原因说明"))
    status = models.CharField(_("状态"), max_length=10, choices=RequestStatus.choices, default=RequestStatus.PENDING)
    requested_at = models.DateTimeField(_("申请时间"))
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+")
    decided_at = models.DateTimeField(_("审核时间"), null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    comment = models.TextField(_("审核意见"), blank=True)
    replacement = models.ForeignKey(
        SampledSchool, null=True, blank=True, on_delete=models.PROTECT, related_name="+",
        verbose_name=_("替补学校"),
    )
    # The chain link of an approved replacement: sequence number, previous head, new head.
    sequence = models.PositiveIntegerField(_("序号"), null=True, blank=True)
    prev_hash = models.CharField(max_length=64, blank=True)
    hash = models.CharField(max_length=64, blank=True)

    class Meta:
        verbose_name = _("样本校替换申请")
        verbose_name_plural = _("样本校替换申请")
        ordering = ["-requested_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["sampled_school"], condition=models.Q(status="pending"), name="one_pending_replacement",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.sampled_school_id}:{self.status}"

    @property
    def unit(self) -> Any:
        return self.sampled_school.county

    def link_payload(self) -> bytes:
        """The canonical bytes of an approved replacement: the previous head and the change."""
        original, rep = self.sampled_school, self.replacement
        change = [
            LINK_VERSION, self.sequence, self.prev_hash, original.county.code, original.stage,
            original.school.code, original.role, rep.school.code if rep else "", rep.role if rep else "",
            self.reason_kind, self.reason, self.requested_by_id, utc_iso(self.requested_at),
            self.decided_by_id, utc_iso(self.decided_at),
        ]
        return canonical_json(change).encode("utf-8")

    def compute_hash(self) -> str:
        return hashlib.sha256(self.link_payload()).hexdigest()
