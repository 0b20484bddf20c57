"""After the test, in a real browser: the school reports its absentees (one save for the page) and submits,
the county approves and sees the participation table of its schools."""

from __future__ import annotations

from typing import Any

import pytest

from jiance import clock
from jiance.accounts.models import Role
from jiance.accounts.scoping import Scope
from jiance.aftertest import services
from jiance.aftertest.models import ReportStatus, TestedReport, TestedStudent
from jiance.rosters.models import SampledStudent
from jiance.testday.models import Seat, TestRoom
from tests.aftertest.builders import IN_WINDOW, aftertest_cycle, draw
from tests.browser.conftest import _page, chinese_chrome, login, screenshot, switch_to_english
from tests.factories import make_user
from tests.testday.builders import sample_school

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def window_clock() -> Any:
    with clock.frozen(IN_WINDOW):
        yield


@pytest.fixture
def setup(world: Any, settings: Any) -> Any:
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    cycle = aftertest_cycle()
    draw(cycle, world, [{"code": world.school_a1.code}, {"code": world.school_a2.code, "stage": "junior"}])
    students = sample_school(cycle, world.school_a1, 10)
    sample_school(cycle, world.school_a2, 10, stage="junior", start=100)
    room = TestRoom.objects.create(cycle=cycle, school=world.school_a1, stage="primary", number=1, kind="paper",
                                   students=10, rows=7, columns=6, pattern="vertical", created_at=clock.now())
    for i, s in enumerate(students, start=1):
        Seat.objects.create(room=room, seat=i, row=1, column=i, student=s, absent=i in (2, 5))
    make_user("a1_xx", Role.SCHOOL_INFO_OFFICER, world.school_a1, full_name="莲塘一小信息员")
    make_user("nc_county", Role.COUNTY_INFO_OFFICER, world.county_a, full_name="南昌县信息员")
    # the second school has already reported: everybody present
    a2 = make_user("a2_xx", Role.SCHOOL_INFO_OFFICER, world.school_a2)
    roster = SampledStudent.objects.filter(school=world.school_a2).first().roster
    report = services.tested_report_open(scope=Scope(a2), roster=roster, actor=a2)
    services.tested_report_submit(scope=Scope(a2), report=report, actor=a2)
    return cycle


def set_reason(page: Any, row: int, reason: str) -> None:
    page.locator(f"#tested-table tr[data-row='{row}'] select[name$='-reason']").select_option(label=reason)


def save_all(page: Any) -> None:
    with page.expect_navigation():
        page.locator("#save-all").click()


def test_school_reports_absentees_county_approves(page, browser, live_server, setup, world) -> None:
    login(page, live_server, "a1_xx")
    page.locator(".topnav").get_by_role("link", name="测后上报", exact=True).click()
    page.wait_for_url(f"**/aftertest/school/{world.school_a1.code}/")
    assert "上报开放中" in page.locator("#window-note").inner_text()
    page.get_by_role("button", name="开始上报（按座位表预填）").click()
    page.wait_for_url("**/primary/")
    # prefilled from the seat plan: seats 2 and 5 absent
    assert page.locator("#tested-table tr.absent").count() == 2
    # submitting without reasons is refused, naming the rows
    with page.expect_navigation():
        page.get_by_role("button", name="提交县级审核").click()
    msg = page.locator(".msg-error").inner_text()
    assert "第 2 行" in msg and "缺考原因" in msg
    screenshot(page, "aftertest_school_missing_reasons")
    # the page's one save: a row marked absent without a reason is shown with its error, nothing saved
    tr7 = page.locator("#tested-table tr[data-row='7']")
    tr7.locator("select[name$='-attendance']").select_option(label="缺考")
    assert tr7.locator("select[name$='-reason']").is_visible()
    save_all(page)
    page.locator("#tested-table tr[data-row='7'] .errors").wait_for()
    assert "缺考原因" in page.locator("#tested-table tr[data-row='7'] .errors").inner_text()
    assert TestedStudent.objects.get(report__school=world.school_a1, row=7).attendance == "present"
    set_reason(page, 7, "转学")
    set_reason(page, 2, "病假")
    set_reason(page, 5, "事假")
    # a roster correction on row 1
    tr1 = page.locator("#tested-table tr[data-row='1']")
    tr1.locator("details summary").click()
    tr1.locator("input[name$='-name']").fill("王子晗")
    save_all(page)
    assert "已保存 4 名学生的修改（更正 1 项）" in page.locator(".messages .msg-success").inner_text()
    # absent students first, each with its reason
    assert [page.locator("#tested-table tbody tr").nth(i).get_attribute("data-row") for i in range(3)] == ["2", "5", "7"]
    screenshot(page, "aftertest_school_absentees")
    with page.expect_navigation():  # the page before the submit has #report-status too
        page.get_by_role("button", name="提交县级审核").click()
    assert page.locator("#report-status").inner_text() == "待县级审核"
    assert page.locator("#corrections td", has_text="王子晗").count() == 1
    screenshot(page, "aftertest_school_submitted")

    report = TestedReport.objects.get(school=world.school_a1)
    assert report.status == ReportStatus.SUBMITTED
    assert TestedStudent.objects.filter(report=report, attendance="absent").count() == 3

    for county_page in _page(browser, viewport={"width": 1280, "height": 900}):
        login(county_page, live_server, "nc_county")
        county_page.goto(f"{live_server.url}/aftertest/")
        county_page.locator("#reports tr", has_text=world.school_a1.name).get_by_role("link", name="审核").click()
        county_page.wait_for_url("**/primary/")
        assert county_page.locator("#review input[name=version]").get_attribute("value") == str(
            TestedReport.objects.get(school=world.school_a1).version)
        screenshot(county_page, "aftertest_county_review")
        # the decision bar is on screen from the top of the list (sticky above long tables)
        county_page.evaluate("window.scrollTo(0, 0)")
        assert county_page.evaluate("""() => { const r = document.querySelector('#review').getBoundingClientRect();
            return r.top >= 0 && r.bottom <= window.innerHeight; }""")
        with county_page.expect_navigation():  # the page before the decision has #report-status too
            county_page.get_by_role("button", name="审核通过").click()
        assert county_page.locator("#report-status").inner_text() == "已通过"
        county_page.goto(f"{live_server.url}/aftertest/")
        county_row = county_page.locator("#county-rates tr[data-unit='360121']")
        text = county_row.inner_text()
        # 2 schools, both tested; students (7 + 10) / (10 + 10) = 85.0% → meets 0.85
        assert "100.0%" in text and "85.0%" in text and "未达标" not in text
        assert county_page.locator("#school-rates tr", has_text=world.school_b1.name).count() == 0
        screenshot(county_page, "aftertest_county_participation")
    report.refresh_from_db()
    assert report.status == ReportStatus.APPROVED and report.locked


def test_after_test_pages_in_english(page, browser, live_server, setup, world) -> None:
    login(page, live_server, "a1_xx")
    switch_to_english(page)
    page.goto(f"{live_server.url}/aftertest/school/{world.school_a1.code}/")
    assert "Reporting is open" in page.locator("#window-note").inner_text()
    page.get_by_role("button", name="Start reporting (pre-filled from the seat plan)").click()
    page.wait_for_url("**/primary/")
    assert page.locator("#tested-table tr.absent").count() == 2
    assert chinese_chrome(page) == []
    assert page.locator("h1").inner_text().endswith("Primary: tested-student information (absent students included)")
    screenshot(page, "aftertest_school_en")
    for county_page in _page(browser, viewport={"width": 1280, "height": 900}):
        login(county_page, live_server, "nc_county")
        switch_to_english(county_page)
        county_page.goto(f"{live_server.url}/aftertest/")
        assert county_page.locator("#county-rates").count() == 1
        assert chinese_chrome(county_page) == []
        screenshot(county_page, "aftertest_county_en")
