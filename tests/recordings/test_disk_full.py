"""A full media disk refuses a recording upload clearly (507, the reason in Chinese, the page keeps
the recording), stores no row, and leaves the earlier recordings as they were."""

from __future__ import annotations

import errno
from pathlib import Path

import pytest

from jiance import files
from jiance.recordings.models import Recording
from tests.cbt.builders import Lab
from tests.factories import World
from tests.recordings.builders import started
from tests.recordings.test_views import put, sign_in

pytestmark = pytest.mark.django_db


def test_a_full_disk_refuses_the_upload_and_keeps_what_was_stored(world: World, s: Lab, media_root: Path,
                                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    started(s)
    student = sign_in(s, 1)
    first = put(student, s, "R-SPK-01", "silent")
    assert first.status_code == 201  # type: ignore[attr-defined]
    kept = Recording.objects.get()
    before = (media_root / "recordings" / kept.path).read_bytes()

    def full(name: str, content: object) -> str:  # the disk itself is full: the backend's write fails
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(files.storage(), "_save", full)
    r = put(student, s, "R-SPK-01", "tone")
    assert r.status_code == 507  # type: ignore[attr-defined]
    assert "存储空间已满" in r.json()["refused"] and "仍保存在本机" in r.json()["refused"]  # type: ignore[attr-defined]
    assert list(Recording.objects.values_list("pk", flat=True)) == [kept.pk]
    assert (media_root / "recordings" / kept.path).read_bytes() == before


def test_other_os_errors_are_not_taken_for_a_full_disk(world: World, s: Lab, monkeypatch: pytest.MonkeyPatch) -> None:
    started(s)
    student = sign_in(s, 1)

    def broken(name: str, content: object) -> str:
        raise OSError(errno.EACCES, "Permission denied")

    monkeypatch.setattr(files.storage(), "_save", broken)
    r = put(student, s, "R-SPK-01", "tone")
    assert r.status_code == 503  # type: ignore[attr-defined]  # retry later, not "disk full"
    assert "存储空间已满" not in r.json()["refused"] and "仍保存在本机" in r.json()["refused"]  # type: ignore[attr-defined]
    assert not Recording.objects.exists()
