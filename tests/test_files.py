"""The one file storage (`jiance.files`): the same helpers on the filesystem default and on an S3
API (moto's server on 127.0.0.1, `tests/s3.py`): save, read, list, date, delete; a name that
leaves the storage reads as missing; a save that fails (a full disk) raises the Chinese
StorageError and leaves no file, not even half of one."""

from __future__ import annotations

import datetime as dt
import errno
from pathlib import Path
from typing import Any

import pytest

from jiance import clock, files
from tests.s3 import bucket, objects, s3_endpoint  # noqa: F401 - fixtures


@pytest.fixture
def media(settings: Any, tmp_path: Path) -> Path:
    settings.MEDIA_ROOT = tmp_path / "media"
    return tmp_path / "media"


def roundtrip() -> None:
    before = clock.now() - dt.timedelta(minutes=5)
    files.save("area/a/one.bin", b"one")
    files.save("area/b/two.bin", b"two")
    files.save("area/b/two.bin", b"TWO")  # the same name again replaces the file
    assert files.read("area/b/two.bin") == b"TWO" and files.exists("area/a/one.bin")
    assert files.names("area") == ["area/a/one.bin", "area/b/two.bin"] and files.names("none") == []
    assert files.modified("area/a/one.bin") > before
    files.delete("area/a/one.bin")
    files.delete("area/a/one.bin")  # already gone: nothing happens
    assert not files.exists("area/a/one.bin") and files.names("area") == ["area/b/two.bin"]
    with pytest.raises(FileNotFoundError):
        files.read("area/a/one.bin")
    with pytest.raises(FileNotFoundError):
        files.read("../../etc/passwd")
    assert not files.exists("../outside")


def test_on_the_filesystem(media: Path) -> None:
    roundtrip()
    assert (media / "area" / "b" / "two.bin").read_bytes() == b"TWO"
    assert sorted(p.name for p in media.rglob("*") if p.is_file()) == ["two.bin"]  # no temporary files left


def test_on_s3(media: Path, bucket: str, s3_endpoint: str) -> None:  # noqa: F811
    roundtrip()
    assert objects(s3_endpoint, bucket) == {"jiance/area/b/two.bin": b"TWO"}  # under JIANCE_S3_PREFIX
    assert not media.exists()  # nothing on the local disk


def test_a_full_disk_leaves_no_file(media: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    files.save("area/old.bin", b"old")

    def full(src: str, dst: str) -> None:  # the data was written, the disk filled before the rename
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(files.os, "replace", full)
    with pytest.raises(files.StorageError, match="存储空间已满") as caught:
        files.save("area/new.bin", b"x" * 10_000)
    assert caught.value.full
    assert sorted(p.name for p in media.rglob("*") if p.is_file()) == ["old.bin"]


def test_an_unreachable_bucket_is_a_storage_error(settings: Any, bucket: str) -> None:  # noqa: F811
    settings.STORAGES = {**settings.STORAGES, "uploads": {**settings.STORAGES["uploads"], "OPTIONS": {
        **settings.STORAGES["uploads"]["OPTIONS"], "bucket_name": "jiance-no-such-bucket"}}}
    with pytest.raises(files.StorageError, match="暂时无法写入") as caught:
        files.save("area/x.bin", b"x")
    assert not caught.value.full


@pytest.mark.django_db
def test_readyz_reaches_the_bucket(settings: Any, bucket: str) -> None:  # noqa: F811
    from django.test import Client

    assert Client().get("/readyz").json()["checks"]["files"] == "ok"
    settings.STORAGES = {**settings.STORAGES, "uploads": {**settings.STORAGES["uploads"], "OPTIONS": {
        **settings.STORAGES["uploads"]["OPTIONS"], "bucket_name": "jiance-no-such-bucket"}}}
    ready = Client().get("/readyz")
    assert ready.status_code == 503 and ready.json()["checks"]["files"] == "failed: ClientError"
