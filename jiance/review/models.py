"""The abstract reviewable record: status, version and lock, and the rules about one record that
every chain shares (may it change now, where does an action lead)."""

from __future__ import annotations

from typing import ClassVar

from django.db import models
from django.utils.translation import gettext_lazy as _

from jiance.review.snapshots import ReviewSnapshot  # the app's one table (see that module)
from jiance.review.spec import Chain


class Reviewable(models.Model):
    """A concrete subclass names its `chain` and overrides `status` with its choices."""

    chain: ClassVar[Chain]

    status = models.CharField(_("状态"), max_length=10)
    # Bumped by every write; the page posts the version it shows, so a stale click is refused.
    version = models.PositiveIntegerField(_("版本"), default=1)
    locked = models.BooleanField(_("已锁定"), default=False)
    comment = models.TextField(_("审核意见"), blank=True)

    class Meta:
        abstract = True

    @property
    def editable(self) -> bool:
        return self.status in self.chain.editable and not self.locked

    def check_editable(self) -> None:
        chain = self.chain
        if self.locked or self.status == chain.final:
            raise chain.error(str(chain.locked_message))
        if self.status not in chain.editable:
            raise chain.error(str(chain.in_review_message) % {"status": chain.status_label(self.status)})

    def target_status(self, action: str) -> str:
        """The status `action` leads to, or the chain's error naming the current status."""
        chain = self.chain
        target = chain.target(self.status, action)
        if target is None:
            raise chain.error(
                str(_("当前状态为“%(status)s”，不能%(action)s。"))
                % {"status": chain.status_label(self.status), "action": chain.actions[action].label}
            )
        return target


def every_stage_submitted(record: Reviewable, expected: set[str]) -> bool:
    """For chains with one record per (cycle, school, stage): has every stage in `expected` left the
    editable statuses? (The school's reporting task is then done.)"""
    submitted = set(
        type(record).objects.filter(cycle=record.cycle, school=record.school)  # type: ignore[attr-defined]
        .exclude(status__in=record.chain.editable).values_list("stage", flat=True)
    )
    return expected <= submitted


__all__ = ["ReviewSnapshot", "Reviewable", "every_stage_submitted"]
