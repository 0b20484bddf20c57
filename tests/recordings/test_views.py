"""The pages: the student's recording page at the seat's PC (after the slip sign-in; a stale PC
refused), the PUT (201, then 200 for the same bytes, 422 with the reason), the monitoring page per
school and county with the states, its 304 while nothing changed, and playing: reviewers only,
another area's recording missing, every play audited."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from jiance import clock
from jiance.accounts.models import Role
from jiance.audit.models import AuditEntry
from jiance.recordings.models import Recording
from tests.cbt.builders import Lab, at
from tests.cbt.test_views import sign_in as cbt_sign_in
from tests.factories import World, make_user
from tests.recordings.builders import sha, sound, started

pytestmark = pytest.mark.django_db


def staff(user: object) -> Client:
    c = Client()
    c.force_login(user)  # type: ignore[arg-type]
    return c


def rec_url(s: Lab, seat: int, name: str = "pc", **kw: object) -> str:
    return reverse(f"recordings:{name}", kwargs={"test_room_id": s.room.pk, "seat": seat, **kw})


def sign_in(s: Lab, seat: int) -> Client:
    with clock.frozen(at(9, 2)):
        return cbt_sign_in(s, seat)


def put(c: Client, s: Lab, task: str, name: str, seat: int = 1, digest: str | None = None) -> object:
    data = sound(name)
    with clock.frozen(at(9, 5)):
        return c.put(rec_url(s, seat, "pc_upload", task=task, sha256=digest or sha(data)), data,
                     content_type="audio/webm;codecs=opus")


def test_student_records_and_the_put_is_idempotent(world: World, s: Lab) -> None:
    started(s)
    student = sign_in(s, 1)
    with clock.frozen(at(9, 3)):
        page = student.get(rec_url(s, 1)).content.decode()
        test_page = student.get(reverse("cbt:pc", kwargs={"test_room_id": s.room.pk, "seat": 1})).content.decode()
    assert "耳机检查" in page and "R-SPK-01" in page and "最多录 2 次" in page and "record.js" in page
    assert rec_url(s, 1) in test_page  # the test page links the recording page
    r = put(student, s, "R-SPK-01", "silent")
    assert r.status_code == 201 and r.json()["state"] == "failed" and r.json()["attempts_left"] == 1  # type: ignore[attr-defined]
    r = put(student, s, "R-SPK-01", "silent")
    assert r.status_code == 200 and r.json()["repeated"] and Recording.objects.count() == 1  # type: ignore[attr-defined]
    r = put(student, s, "R-SPK-01", "tone")
    assert r.status_code == 201 and r.json()["state"] == "checked"  # type: ignore[attr-defined]
    r = put(student, s, "R-SPK-01", "tone2")
    assert r.status_code == 422 and "通过检查" in r.json()["refused"]  # type: ignore[attr-defined]
    r = put(student, s, "R-SING-01", "tone", digest="f" * 64)
    assert r.status_code == 422 and "校验值" in r.json()["refused"]  # type: ignore[attr-defined]
    status = student.get(rec_url(s, 1, "pc_status")).json()
    assert [t["state"] for t in status["tasks"]] == ["checked", "not_started"]
    with clock.frozen(at(9, 6)):
        r = student.post(rec_url(s, 1, "pc_mark", task="R-SING-01"), {"sha256": "a" * 64})
    assert r.status_code == 200
    assert [t["state"] for t in student.get(rec_url(s, 1, "pc_status")).json()["tasks"]] == ["checked", "recorded"]


def test_not_signed_in_or_at_another_pc(world: World, s: Lab) -> None:
    started(s)
    anyone = Client()
    assert anyone.get(rec_url(s, 1)).status_code == 302
    assert put(anyone, s, "R-SPK-01", "tone").status_code == 409  # type: ignore[attr-defined]
    student = sign_in(s, 1)
    assert student.get(rec_url(s, 2)).status_code == 409
    assert put(student, s, "R-SPK-01", "tone", seat=2).status_code == 409  # type: ignore[attr-defined]
    assert not Recording.objects.exists()


def test_monitoring_per_school_and_county_and_playing(world: World, s: Lab) -> None:
    started(s, 1)
    started_two = sign_in(s, 2)
    from tests.cbt.test_services import act, login

    act(s, login(s, 2, at(9, 2)), "authorise", at(9, 2))
    student = sign_in(s, 1)
    put(student, s, "R-SPK-01", "tone")
    put(student, s, "R-SING-01", "clipped")
    assert started_two
    info = make_user("info", Role.SCHOOL_INFO_OFFICER, world.school_a1)
    page = staff(info).get(reverse("recordings:monitor", kwargs={"code": world.school_a1.code}))
    body = page.content.decode()
    assert page.status_code == 200 and 'data-state="checked"' in body and 'data-state="failed"' in body
    assert 'data-state="not_started"' in body and "削波" in body
    assert "<audio" not in body  # the school follows the states, it does not listen
    rec = Recording.objects.get(task="R-SPK-01")
    assert staff(info).get(reverse("recordings:play", kwargs={"recording_id": rec.pk})).status_code == 403

    county = make_user("county", Role.COUNTY_ADMIN, world.county_a)
    c = staff(county)
    r = c.get(reverse("recordings:monitor", kwargs={"code": world.county_a.code}))
    assert r.status_code == 200 and world.school_a1.name in r.content.decode()
    table = reverse("recordings:table", kwargs={"code": world.school_a1.code})
    first = c.get(table)
    assert first.status_code == 200 and "<audio" in first.content.decode()
    assert c.get(table, HTTP_IF_NONE_MATCH=first["ETag"]).status_code == 304
    put(student, s, "R-SING-01", "tone")  # the singing task allows one attempt: refused, nothing changes
    assert c.get(table, HTTP_IF_NONE_MATCH=first["ETag"]).status_code == 304

    played = c.get(reverse("recordings:play", kwargs={"recording_id": rec.pk}))
    assert played.status_code == 200 and played.content == sound("tone") and played["Cache-Control"].startswith("no-store")
    assert played["Content-Disposition"].startswith("inline")
    assert played["Content-Type"] == "audio/webm"
    entry = AuditEntry.objects.get(action="recording.play")
    assert entry.actor == county and entry.object_id == str(rec.pk)

    other = make_user("other", Role.COUNTY_ADMIN, world.county_b)
    assert world.county_b != world.county_a
    assert staff(other).get(reverse("recordings:play", kwargs={"recording_id": rec.pk})).status_code == 404
    assert staff(other).get(reverse("recordings:monitor", kwargs={"code": world.school_a1.code})).status_code == 404
