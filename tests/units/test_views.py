from __future__ import annotations

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from openpyxl import load_workbook

from jiance.accounts.models import Role, User
from jiance.audit.models import Action, AuditEntry
from jiance.units.models import Unit
from tests.factories import World, make_user
from tests.units.helpers import school, xlsx


def login(client: Client, username: str) -> Client:
    client.force_login(User.objects.get(username=username))
    return client


def upload(data: bytes, name: str = "学校.xlsx") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data, content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")


@pytest.fixture
def county_admin(world: World):
    return make_user("nc_admin", Role.COUNTY_ADMIN, world.county_a)


@pytest.mark.django_db
def test_detail_shows_links_only_to_managers(client: Client, world: World, county_admin) -> None:
    login(client, "nc_admin")
    page = client.get(reverse("units:detail", args=["360121"])).content.decode()
    assert reverse("units:import", args=["360121"]) in page
    assert reverse("units:export", args=["360121"]) in page
    make_user("liaison", Role.COUNTY_LIAISON, world.county_a)
    other = login(Client(), "liaison")
    page = other.get(reverse("units:detail", args=["360121"])).content.decode()
    assert reverse("units:import", args=["360121"]) not in page
    assert other.get(reverse("units:import", args=["360121"])).status_code == 403
    assert other.get(reverse("units:export", args=["360121"])).status_code == 403


@pytest.mark.django_db
def test_sibling_county_pages_are_404(client: Client, world: World, county_admin) -> None:
    login(client, "nc_admin")
    assert client.get(reverse("units:import", args=["360124"])).status_code == 404
    assert client.get(reverse("units:export", args=["360124"])).status_code == 404
    assert client.get(reverse("units:import", args=["3601210001"])).status_code == 404  # a school


@pytest.mark.django_db
def test_check_then_confirm_with_htmx(client: Client, world: World, county_admin) -> None:
    login(client, "nc_admin")
    url = reverse("units:import", args=["360121"])
    data = xlsx(school("3601210009", "南昌县新建小学", "360121"),
                school("3601210001", "南昌县莲塘第一小学", "360121", area="城区"))  # 镇区 → 城区
    r = client.post(url, {"file": upload(data)}, HTTP_HX_REQUEST="true")
    html = r.content.decode()
    assert r.status_code == 200 and "<html" not in html  # the partial only
    assert 'id="count-new">1<' in html and 'id="count-updated">1<' in html
    assert "城乡区域：镇区 → 城区" in html
    assert not Unit.objects.filter(code="3601210009").exists()
    token = html.split('name="token" value="')[1].split('"')[0]
    r = client.post(reverse("units:import_confirm", args=["360121"]), {"token": token}, HTTP_HX_REQUEST="true")
    assert "已导入" in r.content.decode()
    assert Unit.objects.get(code="3601210009").parent == world.county_a
    assert Unit.objects.get(code="3601210001").area == "城区"
    entry = AuditEntry.objects.filter(action=Action.IMPORT).latest("id")
    assert entry.actor.username == "nc_admin" and entry.unit == world.county_a
    # the token is spent
    r = client.post(reverse("units:import_confirm", args=["360121"]), {"token": token})
    assert "导入文件已失效" in r.content.decode()


@pytest.mark.django_db
def test_bad_file_lists_grouped_errors_and_rejected_rows(client: Client, world: World, county_admin) -> None:
    login(client, "nc_admin")
    url = reverse("units:import", args=["360121"])
    data = xlsx(
        school("3601210009", "好学校", "360121"),
        school("3601210010", "坏类型一", "360121", school_type="高中"),
        school("3601210011", "坏类型二", "360121", school_type="中专"),
        school("3601240009", "邻县学校", "360124"),
    )
    r = client.post(url, {"file": upload(data)})  # no htmx: the whole page
    html = r.content.decode()
    assert "<html" in html and "整个文件未导入" in html
    assert "学校类型无效" in html and "单位不在您的管辖范围内" in html
    assert 'id="confirm-button"' not in html
    link = html.split('id="rejected-link" href="')[1].split('"')[0]
    wb = load_workbook(io.BytesIO(client.get(link).content))
    rows = list(wb.active.values)
    assert [r[0] for r in rows[1:]] == ["3601210010", "3601210011", "3601240009"]
    assert rows[0][-1] == "错误原因" and "第 5 行" in rows[3][-1]
    assert not Unit.objects.filter(code="3601210009").exists()
    # another person cannot fetch this person's upload
    make_user("other", Role.COUNTY_ADMIN, world.county_a)
    assert login(Client(), "other").get(link).status_code == 404


@pytest.mark.django_db
def test_a_file_missing_columns_names_them_and_links_the_template(client: Client, world: World, county_admin) -> None:
    from openpyxl import Workbook

    login(client, "nc_admin")
    wb = Workbook()
    ws = wb.active
    ws.title = "数据"
    ws.append(["单位代码", "单位名称"])
    ws.append(["3601210009", "南昌县新建小学"])
    buf = io.BytesIO()
    wb.save(buf)
    r = client.post(reverse("units:import", args=["360121"]), {"file": upload(buf.getvalue())}, HTTP_HX_REQUEST="true")
    html = r.content.decode()
    assert 'id="file-error"' in html and "文件缺少以下列：" in html and "上级单位代码" in html
    assert f'href="{reverse("units:template")}" data-template-link' in html
    assert 'id="rejected-link"' not in html and not Unit.objects.filter(code="3601210009").exists()


@pytest.mark.django_db
def test_upload_must_be_xlsx(client: Client, world: World, county_admin) -> None:
    login(client, "nc_admin")
    r = client.post(reverse("units:import", args=["360121"]), {"file": upload(b"a,b", "x.csv")})
    assert ".xlsx" in r.content.decode()


@pytest.mark.django_db
def test_export_and_template_downloads(client: Client, world: World, county_admin) -> None:
    login(client, "nc_admin")
    r = client.get(reverse("units:export", args=["360121"]))
    assert r.status_code == 200 and "attachment" in r["Content-Disposition"]
    codes = [row[0] for row in list(load_workbook(io.BytesIO(r.content))["数据"].values)[1:]]
    assert codes == ["360121", "3601210001", "3601210002"]
    r = client.get(reverse("units:template"))
    assert load_workbook(io.BytesIO(r.content))["数据"]["A1"].value == "单位代码"


def test_kept_uploads_older_than_a_day_are_swept(settings, tmp_path) -> None:
    import datetime as dt
    import os
    from pathlib import Path

    from jiance import clock, files
    from jiance.units import uploads

    session: dict = {}
    token = uploads.keep(session, data=b"x", filename="a.xlsx", unit_code="360121")
    path = Path(files.storage().path(uploads.name(token)))
    assert uploads.fetch(session, token=token, unit_code="360121") == (b"x", "a.xlsx")
    assert path.read_bytes() != b"x"  # encrypted on disk
    assert uploads.fetch(session, token=token, unit_code="360124") is None  # another unit's page
    now = dt.datetime(2026, 5, 1, 12, tzinfo=dt.UTC)
    os.utime(path, (now.timestamp() - 3600, now.timestamp() - 3600))
    with clock.frozen(now):
        assert uploads.sweep() == 0
    with clock.frozen(now + dt.timedelta(days=1)):
        assert uploads.sweep() == 1
    assert not path.exists()
