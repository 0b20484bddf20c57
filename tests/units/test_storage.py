"""Unit imports awaiting confirmation through the one file storage (`jiance.files`): on an S3 API
(moto's server on 127.0.0.1) the checked file is kept encrypted in the bucket, confirmed, its
rejected rows downloaded, and the retention purge (`jiance.retention.uploads_purge`) deletes a
day-old file from the bucket; a full disk shows the Chinese reason and keeps nothing."""

from __future__ import annotations

import datetime as dt
import errno
import io
from pathlib import Path
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from openpyxl import load_workbook

from jiance import clock, files
from jiance.retention import uploads_purge
from jiance.units.models import Unit
from tests.factories import World
from tests.s3 import bucket, objects, s3_endpoint  # noqa: F401 - fixtures
from tests.units.helpers import school, xlsx
from tests.units.test_views import county_admin, login, upload  # noqa: F401 - fixture

pytestmark = pytest.mark.django_db
GOOD = school("3601210009", "南昌县新建小学", "360121")
BAD = school("3601210010", "坏类型", "360121", school_type="高中")


def token_of(html: str) -> str:
    return html.split('name="token" value="')[1].split('"')[0]


def test_check_confirm_download_and_purge_through_s3(client: Client, world: World, county_admin: Any,  # noqa: F811
                                                     bucket: str, s3_endpoint: str) -> None:  # noqa: F811
    login(client, "nc_admin")
    url = reverse("units:import", args=["360121"])
    data = xlsx(GOOD)
    token = token_of(client.post(url, {"file": upload(data)}).content.decode())
    kept = objects(s3_endpoint, bucket)
    assert list(kept) == [f"jiance/unit_imports/{token}.xlsx"] and data not in kept[f"jiance/unit_imports/{token}.xlsx"]
    r = client.post(reverse("units:import_confirm", args=["360121"]), {"token": token})
    assert "已导入" in r.content.decode() and Unit.objects.filter(code="3601210009").exists()
    assert objects(s3_endpoint, bucket) == {}  # confirmed: the kept file is deleted

    html = client.post(url, {"file": upload(xlsx(BAD))}).content.decode()
    link = html.split('id="rejected-link" href="')[1].split('"')[0]
    got = client.get(link)
    assert got.status_code == 200 and got["Cache-Control"].startswith("no-store")
    assert [r[0] for r in list(load_workbook(io.BytesIO(got.content)).active.values)[1:]] == ["3601210010"]

    with clock.frozen(clock.now() + dt.timedelta(hours=23)):
        assert uploads_purge()["unit_imports"] == 0
    assert len(objects(s3_endpoint, bucket)) == 1
    with clock.frozen(clock.now() + dt.timedelta(days=1, minutes=5)):
        assert uploads_purge()["unit_imports"] == 1
    assert objects(s3_endpoint, bucket) == {}
    assert client.get(link).status_code == 404


def test_a_full_disk_keeps_nothing_and_says_why(client: Client, world: World, county_admin: Any,  # noqa: F811
                                                monkeypatch: pytest.MonkeyPatch, settings: Any) -> None:
    login(client, "nc_admin")
    storage: Any = files.storage()

    def full(name: str, content: Any) -> str:
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(storage, "_save", full)
    r = client.post(reverse("units:import", args=["360121"]), {"file": upload(xlsx(GOOD))})
    html = r.content.decode()
    assert r.status_code == 200 and "服务器存储空间已满，文件未能保存" in html and 'name="token"' not in html
    assert not [p for p in Path(settings.MEDIA_ROOT).rglob("*") if p.is_file()]
    assert not Unit.objects.filter(code="3601210009").exists()
