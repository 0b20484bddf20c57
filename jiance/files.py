"""Files the platform keeps outside the database go through one named storage, `storages["uploads"]`
(Django's storages API), so that every web process and worker sees the same files.

By default it is a folder on local disk, `JIANCE_MEDIA_ROOT` (settings.MEDIA_ROOT), written
atomically (`AtomicFileSystemStorage`); several web servers then share it as a mounted volume. With
`JIANCE_S3_BUCKET` set it is an S3-compatible bucket instead (django-storages' `S3Storage`; MinIO
for a private deployment through `JIANCE_S3_ENDPOINT_URL`), with no code change. The bucket stays
private: no file is ever given a bucket URL — every file leaves the platform through a
permission-checked view and `jiance.http.download`.

Names are "<area>/<…>" made by the app from ids, tokens and hashes, never from a name a browser
sent. What is encrypted at rest stays encrypted by the app (`jiance.crypto`) before it is saved.
A file that cannot be written raises `StorageError` with a Chinese message, after removing whatever
may have been half-written; a caller inside `transaction.atomic` lets it roll the record back.

Files kept inside the database (`jiance.kept.KeptFile` and the BinaryFields of documents,
milestone attachments, questionnaire sources, item banks) are shared already and are not here.
"""

from __future__ import annotations

import datetime as dt
import errno
import logging
import os
import tempfile
from pathlib import Path
from typing import Any

from django.core.exceptions import SuspiciousOperation
from django.core.files.base import ContentFile
from django.core.files.storage import FileSystemStorage, Storage, storages
from django.utils.translation import gettext as _

STORAGE = "uploads"
TEMP_PREFIX = ".up-"  # a file being written (AtomicFileSystemStorage); never listed
logger = logging.getLogger(__name__)


class StorageError(Exception):
    """A file could not be kept; the message says why, in Chinese, for the page. `full` when the
    storage has no room left (ENOSPC, EDQUOT)."""

    def __init__(self, message: str, *, full: bool = False) -> None:
        super().__init__(message)
        self.full = full


class AtomicFileSystemStorage(FileSystemStorage):
    """FileSystemStorage that writes to a temporary file beside the target and renames it, so a
    reader never sees half a file, and a file that fails half-way (a full disk) leaves nothing
    under its name. The same name again replaces the file (names are the app's own)."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("allow_overwrite", True)
        super().__init__(**kwargs)

    def _save(self, name: str, content: Any) -> str:
        target = Path(self.path(name))
        target.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=TEMP_PREFIX)
        try:
            with os.fdopen(fd, "wb") as out:
                for chunk in content.chunks():
                    out.write(chunk)
            if self.file_permissions_mode is not None:
                os.chmod(tmp, self.file_permissions_mode)
            os.replace(tmp, target)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
        return str(name).replace("\\", "/")


def storage() -> Storage:
    return storages[STORAGE]


def _transient_errors() -> tuple[type[BaseException], ...]:
    """What a backend raises when it cannot write: OSError, and boto's errors for S3."""
    try:
        from botocore.exceptions import BotoCoreError, ClientError
    except ImportError:  # pragma: no cover - boto3 is a dependency
        return (OSError,)
    return (OSError, BotoCoreError, ClientError)


def save(name: str, data: bytes) -> None:
    """Keep `data` under `name` (replacing a file of that name). StorageError when it cannot."""
    st = storage()
    try:
        saved = st.save(name, ContentFile(data))
    except _transient_errors() as exc:
        logger.error("cannot save %s to the %r storage: %r", name, STORAGE, exc)
        _discard(st, name)
        if isinstance(exc, OSError) and exc.errno in (errno.ENOSPC, errno.EDQUOT):
            raise StorageError(_("服务器存储空间已满，文件未能保存，请稍后再试并告知系统管理员"), full=True) from exc
        raise StorageError(_("文件存储暂时无法写入，文件未能保存，请稍后再试")) from exc
    if saved != name:  # a backend that renames instead of replacing: not ours to keep
        _discard(st, saved)
        raise StorageError(_("文件存储暂时无法写入，文件未能保存，请稍后再试"))


def _discard(st: Storage, name: str) -> None:
    try:
        st.delete(name)
    except Exception as exc:  # the storage is failing already: the first error is the one to report
        logger.error("cannot remove %s from the %r storage: %r", name, STORAGE, exc)


def read(name: str) -> bytes:
    """The file's bytes; FileNotFoundError when there is none (or the name leaves the storage)."""
    try:
        with storage().open(name, "rb") as f:
            data: bytes = f.read()
    except SuspiciousOperation as exc:
        raise FileNotFoundError(name) from exc
    return data


def exists(name: str) -> bool:
    try:
        return storage().exists(name)
    except SuspiciousOperation:
        return False


def delete(name: str) -> None:
    """Remove the file; nothing happens when it is not there."""
    storage().delete(name)


def names(prefix: str) -> list[str]:
    """Every file under the folder `prefix`, as full names, sorted (files being written left out)."""
    st = storage()
    out: list[str] = []
    folders = [prefix.strip("/")]
    while folders:
        folder = folders.pop()
        try:
            subs, found = st.listdir(folder)
        except FileNotFoundError:
            continue
        out += [f"{folder}/{f}" for f in found if not f.startswith(TEMP_PREFIX)]
        folders += [f"{folder}/{d}" for d in subs]
    return sorted(out)


def modified(name: str) -> dt.datetime:
    """When the file was last written (aware, UTC)."""
    return storage().get_modified_time(name)


def ping() -> str:
    """For `/readyz`: "local" for a folder (nothing to reach), "ok" when the bucket answers."""
    st: Any = storage()
    bucket = getattr(st, "bucket_name", None)
    if not bucket:
        return "local"
    st.connection.meta.client.head_bucket(Bucket=bucket)  # raises when unreachable, missing or refused
    return "ok"
