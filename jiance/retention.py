"""How long uploaded files stay: the previews and rejected files kept for the users' downloads
hold names and (encrypted) ID numbers, so they are deleted once they are no longer useful."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import transaction

from jiance import clock
from jiance.aftertest.models import TestedUpload
from jiance.audit.models import Action
from jiance.audit.services import audit_record
from jiance.reporting.models import FrameUpload
from jiance.rosters.models import RosterUpload
from jiance.units import uploads as unit_uploads


@transaction.atomic
def uploads_purge(*, keep_days: int | None = None) -> dict[str, int]:
    """Delete kept uploads older than `keep_days` (default: settings.UPLOAD_KEEP_DAYS); returns
    how many of each kind went. One audit entry records the purge when anything was deleted."""
    days = settings.UPLOAD_KEEP_DAYS if keep_days is None else keep_days
    if days < 0:
        raise ValueError("keep_days must not be negative")
    cutoff = clock.now() - dt.timedelta(days=days)
    counts = {
        "roster_rejected": RosterUpload.objects.filter(uploaded_at__lt=cutoff).delete()[0],
        "tested_rejected": TestedUpload.objects.filter(uploaded_at__lt=cutoff).delete()[0],
        "frame_uploads": FrameUpload.objects.filter(uploaded_at__lt=cutoff).delete()[0],
        "unit_imports": unit_uploads.sweep(),
    }
    if any(counts.values()):
        audit_record(
            action=Action.DELETE, object_type="uploads", object_repr="过期上传文件", after=counts,
            detail=f"删除 {days} 天前的上传文件：" + "，".join(f"{k} {v}" for k, v in counts.items()),
        )
    return counts
