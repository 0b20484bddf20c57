"""The custody ledger of the test materials (监测工具, SPEC §6): every hand-over as one entry of an
append-only, hash-chained ledger per county and cycle.

- An entry is never changed or deleted (model and queryset refuse it); a mistake is corrected by
  a new entry (`Step.CORRECTION`) that names the entry it voids, with the reason.
- Each entry is a link of a hash chain like the published sample's (`jiance.sampling`): its `hash`
  covers the previous hash (`prev_hash`) and the entry's content; `LedgerHead` holds the head, so
  `services.ledger_verify` recomputes the chain from the stored rows and detects a row changed
  behind the model's back (raw SQL), a row removed or the head moved.
- Two people (双人): the person signed in records, the second person confirms with their own
  custody PIN (`CustodyPin`, stored hashed like a password), typed on the same phone.
"""

from __future__ import annotations

import hashlib
import json
from typing import Any

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

LINK_VERSION = "jiance-custody-v1"


class CustodyError(ValueError):
    """A refused custody operation, with the reason in Chinese for the user."""


class LedgerLocked(CustodyError):
    """A change to a recorded entry: the ledger is append-only."""


class Step(models.TextChoices):
    RECEIVED = "received", _("县级接收（机要）")
    STORED = "stored", _("入保密室")
    WATCH = "watch", _("值守记录")
    APPROVAL = "approval", _("同意提前领取（车程超过 2 小时）")
    ISSUED = "issued", _("发放给样本校")
    SEALED = "sealed", _("卷袋密封")
    RETURNED = "returned", _("送回保密室")
    POSTED = "posted", _("装箱回邮")
    CORRECTION = "correction", _("更正（作废一条记录）")


# Steps recorded against a school; those against one box (or bag) by its code.
SCHOOL_STEPS = (Step.APPROVAL, Step.ISSUED, Step.SEALED, Step.RETURNED)
BOX_STEPS = (Step.ISSUED, Step.RETURNED)
BAG_STEPS = (Step.SEALED,)


def canonical_json(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, sort_keys=True, separators=(",", ":"))


def utc_iso(value: Any) -> str:
    import datetime as dt

    return value.astimezone(dt.UTC).isoformat() if value else ""


class LedgerQuerySet(models.QuerySet["LedgerEntry"]):
    def update(self, **kwargs: Any) -> int:
        raise LedgerLocked(str(_("交接记录只能追加，不能修改；如有错误请登记一条更正记录。")))

    def delete(self) -> Any:
        raise LedgerLocked(str(_("交接记录只能追加，不能删除。")))


class LedgerEntry(models.Model):
    cycle = models.ForeignKey("cycles.Cycle", on_delete=models.PROTECT, related_name="+")
    county = models.ForeignKey("units.Unit", verbose_name=_("县区"), on_delete=models.PROTECT, related_name="+")
    school = models.ForeignKey("units.Unit", verbose_name=_("学校"), null=True, blank=True,
                               on_delete=models.PROTECT, related_name="+")
    sequence = models.PositiveIntegerField(_("序号"))
    step = models.CharField(_("环节"), max_length=12, choices=Step.choices)
    box_code = models.CharField(_("箱号"), max_length=40, blank=True, db_index=True)
    bag_code = models.CharField(_("袋号"), max_length=50, blank=True)
    boxes = models.PositiveIntegerField(_("箱数"), null=True, blank=True)
    bags_counted = models.PositiveIntegerField(_("清点袋数"), null=True, blank=True)
    travel_minutes = models.PositiveIntegerField(_("车程（分钟）"), null=True, blank=True)
    at = models.DateTimeField(_("交接时间"))
    recorded_at = models.DateTimeField(_("登记时间"))
    place = models.CharField(_("地点"), max_length=100, blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("登记人"), on_delete=models.PROTECT,
                                    related_name="+")
    second_person = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("第二人"), null=True, blank=True,
                                      on_delete=models.PROTECT, related_name="+")
    seals = models.CharField(_("封条号"), max_length=200, blank=True)
    signers = models.CharField(_("签字监测员"), max_length=200, blank=True)
    tracking_no = models.CharField(_("机要单号"), max_length=60, blank=True)
    note = models.TextField(_("说明"), blank=True)
    corrects = models.ForeignKey("self", verbose_name=_("更正的记录"), null=True, blank=True,
                                 on_delete=models.PROTECT, related_name="corrections")
    client_id = models.UUIDField(null=True, blank=True, unique=True)
    prev_hash = models.CharField(max_length=64)
    hash = models.CharField(max_length=64)

    objects = LedgerQuerySet.as_manager()

    class Meta:
        verbose_name = _("交接记录")
        verbose_name_plural = _("交接记录")
        ordering = ["county__path", "sequence"]
        constraints = [
            models.UniqueConstraint(fields=["cycle", "county", "sequence"], name="custody_unique_sequence"),
        ]
        indexes = [models.Index(fields=["cycle", "school", "step"], name="custody_school_step")]

    def __str__(self) -> str:
        return f"#{self.sequence} {self.get_step_display()} {self.box_code or self.bag_code}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None or not self.hash:
            raise LedgerLocked(str(_("交接记录只能通过登记服务追加，不能修改。")))
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> Any:
        raise LedgerLocked(str(_("交接记录只能追加，不能删除。")))

    @property
    def unit(self) -> Any:
        return self.school or self.county

    def link_payload(self) -> bytes:
        """The canonical bytes of the entry: the previous head and everything recorded."""
        content = [
            LINK_VERSION, self.cycle_id, self.county_id, self.sequence, self.prev_hash, self.step,
            self.school_id, self.box_code, self.bag_code, self.boxes, self.bags_counted, self.travel_minutes,
            utc_iso(self.at), utc_iso(self.recorded_at), self.place, self.recorded_by_id, self.second_person_id,
            self.seals, self.signers, self.tracking_no, self.note, self.corrects_id,
            str(self.client_id) if self.client_id else "",
        ]
        return canonical_json(content).encode("utf-8")

    def compute_hash(self) -> str:
        return hashlib.sha256(self.link_payload()).hexdigest()


class LedgerHead(models.Model):
    """The head of one county's chain in one cycle: locked while an entry is appended, so the
    sequence has no gaps and no two entries claim the same previous hash."""

    cycle = models.ForeignKey("cycles.Cycle", on_delete=models.PROTECT, related_name="+")
    county = models.ForeignKey("units.Unit", on_delete=models.PROTECT, related_name="+")
    sequence = models.PositiveIntegerField(default=0)
    hash = models.CharField(max_length=64, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["cycle", "county"], name="custody_unique_head")]

    def __str__(self) -> str:
        return f"{self.county_id}:{self.sequence}"

    @property
    def unit(self) -> Any:
        return self.county


class CustodyPin(models.Model):
    """A person's custody PIN (保管确认码): the second person of a hand-over types it on the first
    person's phone. Stored with Django's password hasher; locked for a while after failures."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="custody_pin")
    pin_hash = models.CharField(max_length=200)
    set_at = models.DateTimeField()
    failures = models.PositiveSmallIntegerField(default=0)
    locked_until = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("保管确认码")
        verbose_name_plural = _("保管确认码")

    def __str__(self) -> str:
        return str(self.user_id)
