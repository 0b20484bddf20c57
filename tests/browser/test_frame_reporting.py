"""The county reports its school frame in a real browser, the city reviews it."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from jiance.reporting.models import FrameRecord, FrameReviewEvent, FrameStatus, FrameSubmission
from tests.browser.conftest import _page, login, screenshot
from tests.reporting.conftest import good_rows_a, make_cycle, make_people, xlsx

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def cycle(db: None) -> Any:
    return make_cycle()


@pytest.fixture
def people(world: Any, settings: Any) -> Any:
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    return make_people(world)


def write(tmp_path: Path, name: str, rows: list[list[Any]]) -> str:
    path = tmp_path / name
    path.write_bytes(xlsx(rows))
    return str(path)


def upload(page: Any, path: str) -> None:
    page.set_input_files("input[name=file]", path)
    with page.expect_navigation():
        page.get_by_role("button", name="上传并预览").click()


def test_county_uploads_bad_then_good_file_edits_and_submits(page, live_server, people, world, cycle, tmp_path) -> None:
    login(page, live_server, "nanchang_info")
    page.locator(".topnav").get_by_role("link", name="学校信息上报", exact=True).click()
    page.wait_for_url("**/reporting/frame/county/360121/")
    assert page.locator("#frame-status").inner_text() == "未开始"
    assert page.locator("#schools tbody tr").count() == 2
    screenshot(page, "frame_county_empty")

    bad = good_rows_a()
    bad[0][6] = "一百八"                 # not an integer
    bad[1][6], bad[1][7] = 40, 1        # a 初中 reporting grade-4 students
    bad.append([world.school_b1.code, "", "小学", "公办", "乡村", "县属", 30, 1, "", "", ""])
    bad.append(["3601210001", "", "小学", "公办", "城区", "", 30, 0, "", "", ""])
    upload(page, write(tmp_path, "bad.xlsx", bad))
    problems = page.locator("#problems")
    text = problems.inner_text()
    assert "未导入任何数据" in text
    for expected in ("第 2 行", "4年级学生数", "学生数不是非负整数", "第 3 行", "学校类型与所报学段不一致",
                     "第 4 行", "学校不属于本县", "第 5 行", "学校代码重复"):
        assert expected in text, expected
    screenshot(page, "frame_upload_errors")
    assert FrameRecord.objects.count() == 0
    with page.expect_download() as dl:
        page.get_by_role("link", name="下载有问题的行（XLSX）").click()
    assert dl.value.suggested_filename.endswith(".xlsx")

    with page.expect_navigation():
        page.get_by_role("link", name="返回重新上传").click()
    upload(page, write(tmp_path, "good.xlsx", good_rows_a()))
    preview = page.locator("#preview").inner_text()
    assert "检查通过" in preview and "莲塘第一小学" in preview
    screenshot(page, "frame_upload_preview")
    with page.expect_navigation():
        page.get_by_role("button", name="确认导入").click()
    assert "导入成功：新增 2 所" in page.locator(".messages").inner_text()
    assert page.locator("#reported-count").inner_text() == "2"

    # A second file: the dry run names the changed fields, then the user walks away.
    changed = good_rows_a()
    changed[1][8], changed[1][4] = 431, "城区"
    upload(page, write(tmp_path, "changed.xlsx", changed))
    preview = page.locator("#preview").inner_text()
    assert "8年级学生数：420 → 431" in preview and "城乡区域：镇区 → 城区" in preview
    screenshot(page, "frame_upload_preview_changes")
    with page.expect_navigation():  # the inline edit below is htmx's, loaded with `defer`
        page.get_by_role("link", name="放弃").click()
    assert FrameRecord.objects.get(school=world.school_a2).junior_students == 420

    # Inline edit with htmx: the row turns into a form and back, the page stays.
    row = page.locator("#row-3601210001")
    row.get_by_role("link", name="编辑").click()
    page.locator("#row-3601210001 input[name=primary_students]").fill("190")
    page.locator("#row-3601210001 input[name=primary_classes]").fill("1")
    page.locator("#row-3601210001").get_by_role("button", name="保存").click()
    page.locator("#row-3601210001 .errorlist").wait_for()
    assert "平均每班超过 60 人" in page.locator("#row-3601210001").inner_text()
    screenshot(page, "frame_inline_edit_error")
    page.locator("#row-3601210001 input[name=primary_classes]").fill("4")
    page.locator("#row-3601210001").get_by_role("button", name="保存").click()
    page.locator("#row-3601210001.saved").wait_for()
    assert "190" in page.locator("#row-3601210001").inner_text()
    assert FrameRecord.objects.get(school=world.school_a1).primary_students == 190

    page.fill("#id_submit_comment", "已与学籍系统核对")
    with page.expect_navigation():
        page.locator("#submit-frame").click()
    assert page.locator("#frame-status").inner_text() == "已提交"
    assert page.locator("#schools a:has-text('编辑')").count() == 0
    screenshot(page, "frame_county_submitted")
    assert FrameSubmission.objects.get().status == FrameStatus.SUBMITTED


def test_city_returns_then_approves(browser, page, live_server, people, world, cycle) -> None:
    from jiance.accounts.scoping import Scope
    from jiance.reporting import services

    county_scope = Scope(people.county_a)
    services.frame_import(scope=county_scope, cycle=cycle, county=world.county_a,
                          content=xlsx(good_rows_a()), actor=people.county_a)
    sub = services.frame_submit(scope=county_scope, submission=FrameSubmission.objects.get(),
                                actor=people.county_a)

    login(page, live_server, "nc_city")
    page.locator(".topnav").get_by_role("link", name="学校信息上报", exact=True).click()
    page.wait_for_url("**/reporting/frame/overview/")
    rows = page.locator("#counties tbody tr")
    assert rows.count() == 2
    assert "已提交" in rows.nth(0).inner_text() and "2 / 2" in rows.nth(0).inner_text()
    assert "未开始" in rows.nth(1).inner_text()
    screenshot(page, "frame_city_overview")

    rows.nth(0).get_by_role("link", name="审核").click()
    page.wait_for_url("**/county/360121/")
    screenshot(page, "frame_city_review")
    with page.expect_navigation():
        page.get_by_role("button", name="退回修改").click()
    assert "必须填写原因" in page.locator(".messages").inner_text()
    page.fill("#id_comment", "莲塘一小四年级学生数与学籍系统不符，请核实")
    with page.expect_navigation():
        page.get_by_role("button", name="退回修改").click()
    assert page.locator("#frame-status").inner_text() == "已退回"

    # The county sees why, fixes nothing here but resubmits.
    for county_page in _page(browser, viewport={"width": 1280, "height": 900}):
        login(county_page, live_server, "nanchang_info")
        county_page.goto(f"{live_server.url}/reporting/frame/county/360121/")
        assert "请核实" in county_page.locator("#return-reason").inner_text()
        screenshot(county_page, "frame_county_returned")
        with county_page.expect_navigation():
            county_page.locator("#submit-frame").click()
        assert county_page.locator("#frame-status").inner_text() == "已提交"

    page.reload()
    with page.expect_navigation():
        page.get_by_role("button", name="审核通过").click()
    assert page.locator("#frame-status").inner_text() == "已通过"
    assert page.get_by_role("button", name="解锁（允许县级修改）").is_visible()
    history = page.locator("#history").inner_text()
    assert "退回" in history and "审核通过" in history
    screenshot(page, "frame_city_approved")
    sub.refresh_from_db()
    assert (sub.status, sub.locked) == (FrameStatus.APPROVED, True)
    assert list(FrameReviewEvent.objects.exclude(action="import").values_list("action", flat=True)) == [
        "submit", "return", "submit", "approve"]


def test_county_page_on_a_phone(phone_page, live_server, people, world, cycle) -> None:
    from jiance.accounts.scoping import Scope
    from jiance.reporting import services

    services.frame_import(scope=Scope(people.county_a), cycle=cycle, county=world.county_a,
                          content=xlsx(good_rows_a()), actor=people.county_a)
    login(phone_page, live_server, "nanchang_info")
    phone_page.goto(f"{live_server.url}/reporting/frame/county/360121/")
    assert phone_page.locator("#frame-status").inner_text() == "填报中"
    # The wide table scrolls inside its own box; the page itself never scrolls sideways.
    overflow = phone_page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 1
    phone_page.locator("#row-3601210001").get_by_role("link", name="编辑").click()
    phone_page.locator("#row-3601210001 input[name=primary_students]").wait_for()
    screenshot(phone_page, "frame_county_phone")
