"""A sample school uploads its roster in a real browser (bad file, then good file), adds a teacher
and submits; the principal checks it; the county reviews and returns it with a reason."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import polars as pl
import pytest

from jiance import clock
from jiance.rosters.models import Roster, RosterStatus, Student
from tests.browser.conftest import _page, chinese_chrome, login, screenshot, switch_to_english
from tests.rosters.builders import (
    ENTRY_TIME,
    TEACHERS,
    approve_frames,
    make_cycle,
    make_people,
    publish_draw,
    students,
    teacher_xlsx,
    xlsx,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def entry_clock() -> Any:
    with clock.frozen(ENTRY_TIME):
        yield


@pytest.fixture
def setup(world: Any, settings: Any) -> Any:
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    cycle = make_cycle()
    approve_frames(cycle, world)
    publish_draw(cycle, world)
    return make_people(world)


def write(tmp_path: Path, name: str, df: pl.DataFrame) -> str:
    path = tmp_path / name
    path.write_bytes(xlsx(df))
    return str(path)


def test_school_uploads_principal_checks_county_returns(page, browser, live_server, setup, world, tmp_path) -> None:
    login(page, live_server, "a1_xx")
    page.locator(".topnav").get_by_role("link", name="学生名单", exact=True).click()
    page.wait_for_url("**/rosters/roster/*/")
    assert page.locator("#roster-status").inner_text() == "填报中"
    screenshot(page, "rosters_school_empty")

    good = students("3601210001", "360121", 40, 2)
    ids = good["身份证号"].to_list()
    ids[0] = ids[0][:-1] + ("0" if ids[0][-1] != "0" else "1")
    births = good["出生日期"].to_list()
    births[3] = "2013-02-30"
    bad = good.with_columns(pl.Series("身份证号", ids), pl.Series("出生日期", births))
    bad = pl.concat([bad, good[5:6]])
    page.set_input_files("input[name=file]", write(tmp_path, "bad.xlsx", bad))
    page.get_by_role("button", name="检查并导入").click()
    errors = page.locator("#import-errors")
    errors.wait_for()
    text = errors.inner_text()
    for expected in ("第 2 行", "校验位错误", "第 5 行", "出生日期无效", "第 42 行", "重复"):
        assert expected in text, expected
    assert "未导入任何数据" in page.locator("#import-errors-head").inner_text()
    assert Student.objects.count() == 0
    screenshot(page, "rosters_upload_errors")
    with page.expect_download() as dl:
        page.locator("#rejected-link").click()
    assert dl.value.suggested_filename.endswith(".xlsx")

    page.set_input_files("input[name=file]", write(tmp_path, "good.xlsx", good))
    with page.expect_navigation():
        page.get_by_role("button", name="检查并导入").click()
    assert "已导入 40 名学生" in page.locator(".messages").inner_text()
    assert page.locator("#student-count").inner_text() == "40"
    assert ids[1] not in page.content()  # masked

    bad_teachers = [*TEACHERS, ["赵老师", "女", "4年级1班", "数学教师", ""], ["钱老师", "x", "", "班主任", ""]]
    teacher_file = tmp_path / "teachers-bad.xlsx"
    teacher_file.write_bytes(teacher_xlsx(bad_teachers))
    page.set_input_files("input[aria-label=教师名单文件]", str(teacher_file))
    page.locator("#teacher-upload-button").click()
    teacher_errors = page.locator("#teacher-import-errors")
    teacher_errors.wait_for()
    text = teacher_errors.inner_text()
    for expected in ("第 5 行", "不上报“数学教师”", "第 6 行", "性别“x”无效"):
        assert expected in text, expected
    screenshot(page, "rosters_teacher_upload_errors")
    with page.expect_download() as dl:
        page.locator("#teacher-rejected-link").click()
    assert dl.value.suggested_filename == "3601210001-教师名单未通过的行.xlsx"
    teacher_file.write_bytes(teacher_xlsx(TEACHERS))
    page.set_input_files("input[aria-label=教师名单文件]", str(teacher_file))
    with page.expect_navigation():
        page.locator("#teacher-upload-button").click()
    assert "已导入 3 名教师" in page.locator(".messages").inner_text()

    page.fill("#teacher-form input[name=name]", "王芳")
    page.check("#teacher-form input[value=chinese]")
    page.check("#teacher-form input[value=head_teacher]")
    page.select_option("#teacher-form select[name=questionnaire_role]", "head_teacher")
    with page.expect_navigation():
        page.get_by_role("button", name="添加教师").click()
    assert "班主任" in page.locator("#teachers").inner_text()
    screenshot(page, "rosters_school_filled")
    with page.expect_navigation():
        page.locator("#submit-roster").click()
    assert page.locator("#roster-status").inner_text() == "待校长审核"

    principal_gen = _page(browser, viewport={"width": 1280, "height": 900})
    principal = next(principal_gen)
    login(principal, live_server, "a1_xz")
    principal.goto(f"{live_server.url}/rosters/")
    principal.wait_for_url("**/rosters/roster/*/")
    principal.locator("#show-full").click()
    principal.wait_for_url("**?full=1")
    assert good["身份证号"][1] in principal.content()
    principal.fill("#id_comment", "已核对全部 40 名学生")
    screenshot(principal, "rosters_principal_check")
    with principal.expect_navigation():
        principal.locator("#approve-roster").click()
    assert principal.locator("#roster-status").inner_text() == "待县级审核"

    county_gen = _page(browser, viewport={"width": 1280, "height": 900})
    county = next(county_gen)
    login(county, live_server, "nc_county")
    county.goto(f"{live_server.url}/rosters/")
    county.wait_for_url("**/rosters/overview/")
    assert "莲塘第一小学" in county.locator("#rosters").inner_text()
    screenshot(county, "rosters_county_overview")
    county.locator("#rosters").get_by_role("link", name="查看").first.click()
    county.wait_for_url("**/rosters/roster/*/")
    assert good["身份证号"][1] not in county.content()
    county.fill("#id_comment", "4年级2班学号与学籍系统不一致，请核对")
    with county.expect_navigation():
        county.locator("#return-roster").click()
    assert county.locator("#roster-status").inner_text() == "已退回"
    assert "学号与学籍系统不一致" in county.locator("#history").inner_text()
    screenshot(county, "rosters_county_returned")

    roster = Roster.objects.get(school=world.school_a1)
    assert roster.status == RosterStatus.RETURNED
    page.reload()
    assert "学号与学籍系统不一致" in page.locator("#return-reason").inner_text()
    for gen in (principal_gen, county_gen):
        gen.close()


def test_roster_page_in_english(page, live_server, setup, world, tmp_path) -> None:
    login(page, live_server, "a1_xx")
    switch_to_english(page)
    page.goto(f"{live_server.url}/rosters/")
    page.wait_for_url("**/rosters/roster/*/")
    bad = tmp_path / "t.xlsx"
    bad.write_bytes(teacher_xlsx([["赵老师", "x", "4年级1班", "数学教师", ""]]))
    page.set_input_files("input[name=file] >> nth=1", str(bad))
    page.locator("#teacher-upload-button").click()
    page.locator("#teacher-import-errors").wait_for()
    assert "nothing was imported" in page.locator("#teacher-import-errors-head").inner_text()
    assert "is invalid" in page.locator("#teacher-import-errors").inner_text()
    assert page.locator("#teacher-rejected-link").inner_text() == "Download the rejected rows (with reasons)"
    assert chinese_chrome(page) == []
    screenshot(page, "rosters_school_en")


def test_a_stale_principal_page_is_refused(page, live_server, setup, world) -> None:
    """The issue's reproduction: the principal opens the roster; in another tab it is returned and
    submitted again; the first tab's "approve" is refused, naming what changed, and nothing moves."""
    from jiance.accounts.scoping import Scope
    from jiance.cycles.models import Cycle
    from jiance.rosters import services
    from tests.rosters.test_services import a1_students, do_import, open_roster, submit_with_teacher

    people = setup
    roster = open_roster(people, world, Cycle.objects.get())
    do_import(people, roster, a1_students())
    roster = submit_with_teacher(people, roster)

    login(page, live_server, "a1_xz")
    page.goto(f"{live_server.url}/rosters/roster/{roster.pk}/")
    assert page.locator("#roster-status").inner_text() == "待校长审核"

    # the other tab
    returned = services.roster_return(scope=Scope(people.principal_a1), roster=roster, actor=people.principal_a1,
                                      comment="漏报两人")
    services.roster_submit(scope=Scope(people.officer_a1), roster=returned, actor=people.officer_a1)
    before = Roster.objects.get(pk=roster.pk)

    page.fill("#id_comment", "已核对")
    with page.expect_navigation():
        page.locator("#approve-roster").click()
    message = page.locator(".messages").inner_text()
    assert "页面已过期" in message and "莲塘一小信息员" in message and "提交校长审核" in message
    assert page.locator("#roster-status").inner_text() == "待校长审核"
    screenshot(page, "rosters_stale_page_refused")
    after = Roster.objects.get(pk=roster.pk)
    assert (after.status, after.version) == (before.status, before.version)
