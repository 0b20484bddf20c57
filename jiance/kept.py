"""Kept uploads: a file a person uploaded, kept for a while (a preview awaiting confirmation, the
rejected rows to download). They name people and ID numbers, so the content is encrypted at rest
(`jiance.crypto`), with its size and SHA-256 in clear for checks; retention deletes them (each app
declares its kept uploads in `registry.py`).

Each app's model derives from `KeptFile` and adds what ties the file to its record.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from jiance import clock
from jiance.crypto import decrypt_bytes, encrypt_bytes


class KeptFile(models.Model):
    filename = models.CharField(_("文件名"), max_length=200)
    sealed = models.BinaryField(_("文件内容"))  # the file, encrypted (Fernet token)
    size = models.PositiveIntegerField(default=0)
    sha256 = models.CharField(max_length=64)
    uploaded_at = models.DateTimeField(_("上传时间"))
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        abstract = True

    def __str__(self) -> str:
        return self.filename

    @staticmethod
    def keep(content: bytes, *, filename: str, actor: Any = None) -> dict[str, Any]:
        """The columns that keep `content`, encrypted, uploaded now by `actor`: for
        `create(**...)` or `update_or_create(defaults=...)` of a model deriving from KeptFile."""
        return {
            "filename": filename[:200], "sealed": encrypt_bytes(content), "size": len(content),
            "sha256": hashlib.sha256(content).hexdigest(), "uploaded_at": clock.now(),
            "uploaded_by": actor if getattr(actor, "pk", None) is not None else None,
        }

    def read(self) -> bytes:
        """The file as it was uploaded."""
        return decrypt_bytes(bytes(self.sealed))


def seal_existing(apps: Any, model: str, plain: Callable[[Any], bytes]) -> None:
    """For the migration that moves a model onto KeptFile: encrypt each row's file, read by
    `plain(row)` from its old column, into `sealed`, with its size and SHA-256."""
    for row in apps.get_model(*model.split(".")).objects.all():
        content = plain(row)
        row.sealed, row.size, row.sha256 = encrypt_bytes(content), len(content), hashlib.sha256(content).hexdigest()
        row.save(update_fields=["sealed", "size", "sha256"])
