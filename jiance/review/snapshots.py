"""The data of a reviewed record as each approval saw it, so a later review can show what changed
since the last approved version (`jiance_core.diff`).

A chain that wants this names a `snapshot` function (record → JSON-able data); the engine stores
its result at every approving step. The data may name people and their ID numbers, so it is
encrypted at rest like the rosters' ID numbers.
"""

from __future__ import annotations

import json
from typing import Any

from django.db import models
from django.utils.translation import gettext_lazy as _

from jiance.crypto import EncryptedTextField


class ReviewSnapshot(models.Model):
    chain = models.CharField(_("审核流程"), max_length=20)
    object_id = models.PositiveIntegerField()
    # the history row of the approving step (of the chain's own event table); ordering by it is
    # exact even when two steps share a timestamp
    event_id = models.PositiveIntegerField()
    action = models.CharField(_("操作"), max_length=12)
    at = models.DateTimeField(_("时间"))
    data_json = EncryptedTextField()

    class Meta:
        verbose_name = _("审核通过时的数据")
        verbose_name_plural = _("审核通过时的数据")
        indexes = [models.Index(fields=["chain", "object_id", "event_id"], name="review_snapshot_lookup")]

    def __str__(self) -> str:
        return f"{self.chain}:{self.object_id}@{self.event_id}"

    @property
    def data(self) -> Any:
        return json.loads(self.data_json or "null")


def snapshot_record(obj: Any, event: Any) -> ReviewSnapshot | None:
    """Store what `obj`'s chain snapshots, at the approving step `event` (called by the engine)."""
    chain = obj.chain
    if chain.snapshot is None:
        return None
    return ReviewSnapshot.objects.create(
        chain=chain.name, object_id=obj.pk, event_id=event.pk, action=event.action, at=event.at,
        data_json=json.dumps(chain.snapshot(obj), ensure_ascii=False, default=str),
    )


def last_approved(obj: Any) -> ReviewSnapshot | None:
    """The version to compare the record with: while it is in review (or approved), the last one
    approved before it was last submitted; while it is edited, the last one approved at all.
    None before the first approval."""
    chain = obj.chain
    snaps = ReviewSnapshot.objects.filter(chain=chain.name, object_id=obj.pk)
    if obj.status not in chain.editable:
        submits = [s.code for s in chain.steps if set(s.sources) <= set(chain.editable)]
        last_submit = obj.events.filter(action__in=submits).order_by("-pk").values_list("pk", flat=True).first()
        if last_submit is not None:
            snaps = snaps.filter(event_id__lt=last_submit)
    return snaps.order_by("-event_id").first()
