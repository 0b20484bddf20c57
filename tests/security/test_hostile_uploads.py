"""Issue 8: every upload (units, frame, student roster, teacher roster, after-test) fed every
hostile spreadsheet over HTTP as the user who may upload: a Chinese error, nothing written,
never a 500. The files are generated once per session (`tests/security/hostile_files.py`)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from jiance import clock
from jiance.accounts.models import Role
from jiance.aftertest.models import TestedCorrection, TestedReport, TestedStudent, TestedUpload
from jiance.reporting.models import FrameRecord, FrameSubmission, FrameUpload
from jiance.rosters.models import RosterUpload, Student, Teacher
from jiance.units.models import Unit
from tests.factories import World, make_user
from tests.rosters.builders import roster_ready
from tests.security.hostile_files import HOSTILE

pytestmark = pytest.mark.django_db

# what the pages say about a refused file (the reader's sentences and the forms' size cap)
REFUSALS = (
    "无法读取文件", "超出", "DTD", "缺少列", "为空", "空文件", "过大", "压缩", "单元格位置无效", "工作表为空",
    "文件中没有", "没有数据",
)


@pytest.fixture(scope="session")
def hostile() -> dict[str, bytes]:
    return {name: make() for name, make in HOSTILE.items()}


@pytest.fixture(autouse=True)
def _fast(settings: Any, tmp_path: Path) -> None:
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.MEDIA_ROOT = tmp_path


def client_for(user: Any) -> Client:
    c = Client(raise_request_exception=False)
    c.force_login(user)
    return c


def counts() -> dict[str, Any]:
    models: list[Any] = [Unit, FrameSubmission, FrameUpload, FrameRecord, Student, Teacher, RosterUpload, TestedUpload,
                         TestedCorrection]
    out: dict[str, Any] = {m.__name__: m.objects.count() for m in models}
    out["tested students"] = list(TestedStudent.objects.order_by("pk").values())
    return out


def media_files(root: Path) -> list[str]:
    return sorted(str(p.relative_to(root)) for p in root.rglob("*") if p.is_file())


def feed_all(
    hostile: dict[str, bytes], settings: Any, post: Callable[[SimpleUploadedFile], Any], page: Callable[[Any], str],
) -> None:
    """Post every hostile file; each answer is < 500, names a refusal in Chinese, writes nothing."""
    root = Path(settings.MEDIA_ROOT)
    for name, data in hostile.items():
        before, files = counts(), media_files(root)
        response = post(SimpleUploadedFile(f"{name}.xlsx", data, content_type="application/octet-stream"))
        assert response.status_code < 500, name
        text = page(response)
        if name == "formula":  # read as its text, never evaluated: the header is "=HYPERLINK(...)"
            assert "缺少列" in text or "无法读取文件" in text, name
        else:
            assert any(p in text for p in REFUSALS), (name, text[-3000:])
        assert counts() == before, name
        assert media_files(root) == files, name


def test_units_import(world: World, hostile: dict[str, bytes], settings: Any) -> None:
    admin = make_user("nc_admin", Role.COUNTY_ADMIN, world.county_a)
    c = client_for(admin)
    url = reverse("units:import", kwargs={"code": world.county_a.code})
    feed_all(hostile, settings, lambda f: c.post(url, {"file": f}), lambda r: r.content.decode())


def test_frame_upload(world: World, hostile: dict[str, bytes], settings: Any) -> None:
    from tests.reporting.conftest import make_cycle, make_people

    with clock.frozen(clock.now()):
        make_cycle()
        people = make_people(world)
        c = client_for(people.county_a)
        url = reverse("reporting:upload", kwargs={"code": world.county_a.code})
        feed_all(hostile, settings, lambda f: c.post(url, {"file": f}, follow=True), lambda r: r.content.decode())


@pytest.mark.parametrize("kind", ["upload", "teacher_upload"])
def test_roster_uploads(world: World, hostile: dict[str, bytes], settings: Any, kind: str) -> None:
    from tests.rosters.builders import ENTRY_TIME

    with clock.frozen(ENTRY_TIME):
        people, roster = roster_ready(world)
        c = client_for(people.officer_a1)
        url = reverse(f"rosters:{kind}", kwargs={"roster_id": roster.pk})
        feed_all(hostile, settings, lambda f: c.post(url, {"file": f}), lambda r: r.content.decode())
        # through htmx too: the partial carries the same refusal
        feed_all(hostile, settings, lambda f: c.post(url, {"file": f}, HTTP_HX_REQUEST="true"),
                 lambda r: r.content.decode())


def test_aftertest_upload(world: World, hostile: dict[str, bytes], settings: Any) -> None:
    from jiance.testday.models import Seat, TestRoom
    from tests.aftertest.builders import IN_WINDOW, aftertest_cycle, draw
    from tests.testday.builders import sample_school

    with clock.frozen(IN_WINDOW):
        cycle = aftertest_cycle()
        draw(cycle, world, [{"code": world.school_a1.code}])
        students = sample_school(cycle, world.school_a1, 5)
        room = TestRoom.objects.create(cycle=cycle, school=world.school_a1, stage="primary", number=1, kind="paper",
                                       students=5, rows=7, columns=6, pattern="vertical", created_at=clock.now())
        for i, s in enumerate(students, start=1):
            Seat.objects.create(room=room, seat=i, row=1, column=i, student=s)
        officer = make_user("a1_xx", Role.SCHOOL_INFO_OFFICER, world.school_a1)
        c = client_for(officer)
        kw = {"code": world.school_a1.code, "stage": "primary"}
        assert c.post(reverse("aftertest:open", kwargs=kw)).status_code == 302
        assert TestedReport.objects.filter(school=world.school_a1).exists()
        url = reverse("aftertest:upload", kwargs=kw)
        feed_all(hostile, settings, lambda f: c.post(url, {"file": f}, follow=True), lambda r: r.content.decode())
