"""The frame's “changes since the last approved version”: what the city approved last time
(stored at each approval by the review engine) against the county's school records now."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _

from jiance.accounts.scoping import Scope
from jiance.reporting.models import FrameRecord, FrameSubmission
from jiance.review.changes import Changes, ListSpec, compare

SCHOOLS = "schools"


def frame_snapshot(submission: FrameSubmission) -> dict[str, Any]:
    """The county's school records as data, by school code (what an approval stores)."""
    records = FrameRecord.objects.filter(submission=submission).select_related("school").order_by("school__path")
    return {SCHOOLS: {r.school.code: {"code": r.school.code, "school": r.school.name,
                                       **{f: getattr(r, f) for f in FrameRecord.DATA_FIELDS}}
                      for r in records}}


def _fields() -> list[tuple[str, Any]]:
    return [(f, getattr(FrameRecord._meta.get_field(f), "verbose_name", f)) for f in FrameRecord.DATA_FIELDS]


def frame_changes(*, scope: Scope, submission: FrameSubmission | None) -> Changes | None:
    """None when the county has not started; else the changes (`baseline` None before the first
    approval). The caller has checked that this person may see the county's frame."""
    if submission is None:
        return None
    sub = scope.get(FrameSubmission.objects.all(), unit_field="county", pk=submission.pk)
    spec = ListSpec(_("学校"), SCHOOLS, _fields(), name=lambda r: f"{r.get('school', '')}（{r.get('code', '')}）")
    return compare(sub, lambda: frame_snapshot(sub), [spec])
