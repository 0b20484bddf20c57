"""The import page in a real browser: a bad file shows grouped errors and nothing is written;
a good file is checked, previewed, confirmed and lands."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from jiance.accounts.models import Role
from jiance.units.models import Unit
from tests.browser.conftest import chinese_chrome, login, screenshot, switch_to_english
from tests.factories import World, make_user
from tests.units.helpers import county, school, xlsx

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def _media_in_tmp(settings: Any, tmp_path: Path) -> None:
    settings.MEDIA_ROOT = tmp_path / "media"


def test_import_page_bad_then_good_file(page: Any, live_server: Any, tmp_path: Path) -> None:
    world = World()
    make_user("nc_city", Role.CITY_ADMIN, world.city)
    login(page, live_server, "nc_city")

    page.goto(f"{live_server.url}/units/360100/")
    assert page.locator("a.button", has_text="导出单位（XLSX）").count() == 1
    screenshot(page, "units-detail-actions")
    page.click("text=导入单位")
    page.wait_for_url("**/units/360100/import/")

    bad = tmp_path / "坏文件.xlsx"
    bad.write_bytes(xlsx(
        school("3601210009", "南昌县新建小学", "360121"),
        school("3601210010", "类型写错的学校", "360121", school_type="高中"),
        school("3601210011", "挂在市下的学校", "360100"),
        school("3601210009", "重复代码的学校", "360121"),
        school("3601990001", "上级不存在的学校", "360199"),
    ))
    page.set_input_files("#id_file", str(bad))
    page.click("#check-button")
    page.wait_for_selector("#check-failed")
    text = page.inner_text("#import-result")
    assert "整个文件未导入" in text
    for words in ("学校类型无效", "层级与上级不匹配", "代码重复", "上级单位不存在"):
        assert words in text
    assert "学校的上级必须是县级单位" in text
    assert page.locator("#confirm-button").count() == 0
    assert page.locator("#rejected-link").count() == 1
    with page.expect_download() as dl:
        page.click("#rejected-link")
    assert dl.value.suggested_filename.endswith("问题行.xlsx")
    screenshot(page, "units-import-bad-file")
    assert not Unit.objects.filter(code="3601210009").exists()

    good = tmp_path / "好文件.xlsx"
    good.write_bytes(xlsx(
        county("360199", "南昌经开区", "360100", kind="开发区"),
        school("3601990001", "经开区第一小学", "360199"),
        school("3601990002", "经开区实验学校", "360199", school_type="九年一贯制", area="镇区"),
        school("3601210001", "南昌县莲塘第一小学", "360121", area="城区"),  # 镇区 → 城区
    ))
    page.set_input_files("#id_file", str(good))
    page.click("#check-button")
    page.wait_for_selector("#check-ok")
    assert page.inner_text("#count-new") == "3"
    assert page.inner_text("#count-updated") == "1"
    screenshot(page, "units-import-good-file-preview")
    assert not Unit.objects.filter(code="360199").exists()  # checking writes nothing

    page.click("#confirm-button")
    page.wait_for_selector("#import-done")
    assert "新建 3 个，更新 1 个" in page.inner_text("#import-done")
    screenshot(page, "units-import-done")
    assert Unit.objects.get(code="3601990002").path == "CN/360000/360100/360199/3601990002/"
    assert Unit.objects.get(code="3601210001").area == "城区"

    page.goto(f"{live_server.url}/units/360199/")
    assert "经开区第一小学" in page.inner_text("main")


def test_import_page_in_english(page: Any, live_server: Any, tmp_path: Path) -> None:
    world = World()
    make_user("nc_city", Role.CITY_ADMIN, world.city)
    login(page, live_server, "nc_city")
    switch_to_english(page)
    page.goto(f"{live_server.url}/units/360100/import/")
    bad = tmp_path / "bad.xlsx"
    bad.write_bytes(xlsx(school("3601210011", "挂在市下的学校", "360100"),
                         school("3601990001", "上级不存在的学校", "360199")))
    page.set_input_files("#id_file", str(bad))
    page.click("#check-button")
    page.wait_for_selector("#check-failed")
    text = page.inner_text("#import-result")
    assert "Level and parent do not match" in text and "Parent unit not found" in text
    assert chinese_chrome(page) == []
    screenshot(page, "units-import-bad-file-en")


def test_a_full_disk_says_so_on_the_page(page: Any, live_server: Any, tmp_path: Path,
                                         monkeypatch: pytest.MonkeyPatch) -> None:
    import errno

    from jiance import files

    world = World()
    make_user("nc_city", Role.CITY_ADMIN, world.city)
    login(page, live_server, "nc_city")

    def full(name: str, content: Any) -> str:
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(files.storage(), "_save", full)
    page.goto(f"{live_server.url}/units/360100/import/")
    good = tmp_path / "好文件.xlsx"
    good.write_bytes(xlsx(school("3601210009", "南昌县新建小学", "360121")))
    page.set_input_files("#id_file", str(good))
    page.click("#check-button")
    page.wait_for_selector("#import-result .msg-error")
    assert "服务器存储空间已满，文件未能保存" in page.inner_text("#import-result")
    assert page.locator("#confirm-button").count() == 0
    screenshot(page, "units-import-storage-full")
    assert not [p for p in tmp_path.joinpath("media").rglob("*") if p.is_file()]
    assert not Unit.objects.filter(code="3601210009").exists()
