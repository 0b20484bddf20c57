"""How long uploaded files stay: the previews and rejected files kept for the users' downloads
hold names and (encrypted) ID numbers, so they are deleted once they are no longer useful.

Which uploads are kept is declared by each app (`kept_uploads` in `jiance/<app>/registry.py`).
Layer: a root module just above the audit journal: it finds the uploads through the app registry
(no app import) and records the purge in the journal (tests/test_layers.py).
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import transaction

from jiance import clock
from jiance.apps_registry import purge_kept_uploads
from jiance.audit.models import Action
from jiance.audit.services import audit_record


@transaction.atomic
def uploads_purge(*, keep_days: int | None = None) -> dict[str, int]:
    """Delete kept uploads older than `keep_days` (default: settings.UPLOAD_KEEP_DAYS); returns
    how many of each kind went. One audit entry records the purge when anything was deleted."""
    days = settings.UPLOAD_KEEP_DAYS if keep_days is None else keep_days
    if days < 0:
        raise ValueError("keep_days must not be negative")
    counts = purge_kept_uploads(clock.now() - dt.timedelta(days=days))
    if any(counts.values()):
        audit_record(
            action=Action.DELETE, object_type="uploads", object_repr="过期上传文件", after=counts,
            detail=f"删除 {days} 天前的上传文件：" + "，".join(f"{k} {v}" for k, v in counts.items()),
        )
    return counts
