"""Recordings through the one file storage (`jiance.files`): on an S3 API (moto's server on
127.0.0.1) the PUT stores the object under recordings/ and the reviewer plays it back through the
permission-checked view (inline, no-store, audited) — the bucket is never named to the browser; a
full disk answers the student's PC with 507 and a Chinese reason, records nothing (no row pointing
to a missing file, the "recorded" mark kept) and leaves no file."""

from __future__ import annotations

import errno
from pathlib import Path
from typing import Any

import pytest
from django.urls import reverse

from jiance import clock, files
from jiance.accounts.models import Role
from jiance.audit.models import AuditEntry
from jiance.recordings.models import Recording, RecordingMark
from tests.cbt.builders import Lab, at
from tests.factories import World, make_user
from tests.recordings.builders import sha, sound, started
from tests.recordings.test_views import put, rec_url, sign_in, staff
from tests.s3 import bucket, objects, s3_endpoint  # noqa: F401 - fixtures

pytestmark = pytest.mark.django_db


def test_upload_and_play_through_s3(world: World, s: Lab, bucket: str, s3_endpoint: str,  # noqa: F811
                                    media_root: Path) -> None:
    started(s)
    student = sign_in(s, 1)
    r = put(student, s, "R-SPK-01", "tone")
    assert r.status_code == 201 and r.json()["state"] == "checked"  # type: ignore[attr-defined]
    rec = Recording.objects.get()
    assert objects(s3_endpoint, bucket) == {f"jiance/recordings/{rec.path}": sound("tone")}
    assert not media_root.exists()  # nothing on this server's disk

    county = staff(make_user("county", Role.COUNTY_ADMIN, world.county_a))
    played = county.get(reverse("recordings:play", kwargs={"recording_id": rec.pk}))
    assert played.status_code == 200 and played.content == sound("tone")
    assert played["Content-Disposition"].startswith("inline") and played["Cache-Control"].startswith("no-store")
    assert s3_endpoint not in str(played.headers) and bucket not in county.get(
        reverse("recordings:table", kwargs={"code": world.school_a1.code})).content.decode()
    assert AuditEntry.objects.filter(action="recording.play").count() == 1
    other = staff(make_user("other", Role.COUNTY_ADMIN, world.county_b))
    assert other.get(reverse("recordings:play", kwargs={"recording_id": rec.pk})).status_code == 404

    files.delete(f"recordings/{rec.path}")  # an object lost from the bucket: 404, not a 500
    assert county.get(reverse("recordings:play", kwargs={"recording_id": rec.pk})).status_code == 404


def test_a_full_disk_records_nothing_and_says_why(s: Lab, media_root: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    started(s)
    student = sign_in(s, 1)
    data = sound("tone")
    with clock.frozen(at(9, 4)):
        student.post(rec_url(s, 1, "pc_mark", task="R-SPK-01"), {"sha256": sha(data)})
    assert RecordingMark.objects.count() == 1
    storage: Any = files.storage()

    def full(name: str, content: Any) -> str:
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(storage, "_save", full)
    r = put(student, s, "R-SPK-01", "tone")
    assert r.status_code == 507 and "存储空间已满" in r.json()["refused"]  # type: ignore[attr-defined]
    assert not Recording.objects.exists() and RecordingMark.objects.count() == 1  # rolled back: still "recorded"
    assert not AuditEntry.objects.filter(action="recording.upload").exists()
    assert not [p for p in media_root.rglob("*") if p.is_file()]
    status = student.get(rec_url(s, 1, "pc_status")).json()
    assert status["tasks"][0]["state"] == "recorded"

    monkeypatch.undo()  # room again: the browser sends the kept recording, which is stored
    r = put(student, s, "R-SPK-01", "tone")
    assert r.status_code == 201 and files.read(f"recordings/{Recording.objects.get().path}") == data  # type: ignore[attr-defined]


def test_a_failure_after_the_write_leaves_no_file(s: Lab, media_root: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from jiance.recordings.services import upload

    def broken(**kwargs: Any) -> None:
        raise RuntimeError("the journal is unavailable")

    monkeypatch.setattr(upload, "audit_record", broken)
    started(s)
    with pytest.raises(RuntimeError):
        put(sign_in(s, 1), s, "R-SPK-01", "tone")
    assert not Recording.objects.exists() and not files.names("recordings")
