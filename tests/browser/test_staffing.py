"""A county office, in a real browser: records its leadership group, staffs a sample school with
a rule broken (the 主监测员 from the school itself), sees the rule named, fixes it, submits, and
prints the badges (a PDF of 8 per page); the badge's QR page says valid."""

from __future__ import annotations

from typing import Any

import pytest

from jiance import clock
from jiance.accounts.models import Role
from jiance.staffing.models import Badge, Sheet, StaffingStatus
from tests.browser.conftest import login, screenshot
from tests.factories import make_user
from tests.printouts.pdftools import is_pdf, pages, squash, text
from tests.rosters.builders import ENTRY_TIME
from tests.staffing.builders import SCHOOL_POSTS, add, fill_site
from tests.staffing.conftest import make_staffing_cycle

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def setup(world: Any, settings: Any) -> Any:
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    with clock.frozen(ENTRY_TIME):
        cycle = make_staffing_cycle(world)
        county = make_user("nc_admin", Role.COUNTY_ADMIN, world.county_a, full_name="南昌县实施办")
        school = make_user("a1_xx", Role.SCHOOL_INFO_OFFICER, world.school_a1)
        school2 = make_user("a2_xx", Role.SCHOOL_INFO_OFFICER, world.school_a2)
        fill_site(cycle, world.school_a2, county_actor=county, school_actor=school2, chief_home=world.school_a1)
        for role, name, subjects in SCHOOL_POSTS:  # the school has done its part
            add(school, cycle, world.school_a1, role, "school", f"{name}1", subjects=subjects)
    return cycle


def _add_person(page: Any, slot: str, name: str, home: str = "") -> None:
    page.select_option("#id_slot", slot)
    page.fill("#id_name", name)
    if home:
        page.select_option("#id_home", home)
    with page.expect_navigation():
        page.get_by_role("button", name="保存").click()


def test_county_fills_group_and_staffing_then_prints_badges(page: Any, live_server: Any, world: Any,
                                                             setup: Any) -> None:
    a1, a2 = world.school_a1, world.school_a2
    login(page, live_server, "nc_admin")
    page.get_by_label("主导航").get_by_role("link", name="工作人员").click()
    page.wait_for_url(f"**/staffing/county/{world.county_a.code}/")

    # the leadership group: one 组长 short of nothing but the others
    with page.expect_navigation():
        page.get_by_role("link", name="县级实施工作领导小组").click()
    assert "缺少组长" in page.locator("#group-problems").inner_text()
    for role, name in (("组长", "黄建华"), ("副组长", "付青松"), ("联络员", "褚瑞"), ("信息员", "王亮")):
        page.select_option("#id_role", role)
        page.fill("#id_name", name)
        page.fill("#id_post", "县教育体育局")
        with page.expect_navigation():
            page.get_by_role("button", name="添加").click()
    assert page.locator("#group-ok").is_visible()
    screenshot(page, "staffing-group")

    # the sample school: the county's two posts, the chief proctor first from the school itself
    page.goto(f"{live_server.url}/staffing/site/{a1.code}/")
    _add_person(page, "责任督学|county|", "喻建国")
    _add_person(page, "主监测员|county|", "陈志军", home=a1.code)
    assert "已保存，但陈志军不符合要求" in page.locator(".messages").inner_text()
    assert "主监测员须由其他学校人员担任，陈志军是本校人员" in page.locator("#violations").inner_text()
    screenshot(page, "staffing-site-broken")
    page.goto(f"{live_server.url}/staffing/county/{world.county_a.code}/")
    assert page.locator("#submit-staffing").is_disabled()
    # fixed: the chief proctor comes from the other sample school
    page.goto(f"{live_server.url}/staffing/site/{a1.code}/")
    row = page.locator("#slots tr", has_text="陈志军")
    with page.expect_navigation():
        row.get_by_role("button", name="删除").click()
    _add_person(page, "主监测员|county|", "陈志军", home=a2.code)
    assert page.locator("#no-violations").is_visible()
    screenshot(page, "staffing-site-fixed")

    page.goto(f"{live_server.url}/staffing/county/{world.county_a.code}/")
    assert page.locator("#no-violations").is_visible()
    with page.expect_navigation():
        page.locator("#submit-staffing").click()
    assert "测试工作人员安排已提交" in page.locator(".messages").inner_text()
    assert Sheet.objects.get(unit=world.county_a, kind="staffing").status == StaffingStatus.SUBMITTED
    screenshot(page, "staffing-county-submitted")

    # the badges: made, then printed 8 to a page
    with page.expect_navigation():  # else the link's navigation may be the one awaited for #issue-badges'
        page.get_by_role("link", name="工作胸牌").click()
    with page.expect_navigation():
        page.locator("#issue-badges").click()
    assert Badge.objects.filter(site__in=[a1, a2]).count() == 24
    screenshot(page, "staffing-badges")
    with page.expect_download() as info:
        page.locator("#badge-sheet").click()
    pdf = open(info.value.path(), "rb").read()  # noqa: SIM115
    assert is_pdf(pdf) and pages(pdf) == 3
    assert "喻建国" in squash(text(pdf)) and "陈志军" in squash(text(pdf))

    badge = Badge.objects.get(name="陈志军")
    page.goto(f"{live_server.url}/staffing/verify/{badge.token}/")
    assert page.locator("#badge-status").inner_text() == "有效"
    screenshot(page, "staffing-verify")
