"""A school's information officer, in a real browser: reports a computer room, plans the rooms,
sees the student printouts locked before release, then downloads every printout on test day
(Playwright download events) and marks an absence; a county user sees the same school."""

from __future__ import annotations

import subprocess
from pathlib import Path
from typing import Any

import pytest

from jiance import clock
from jiance.accounts.models import Role
from jiance.audit.models import AuditEntry
from jiance.testday.models import Seat, TestRoom
from tests.browser.conftest import SCREENSHOTS, chinese_chrome, login, screenshot, switch_to_english
from tests.factories import make_user
from tests.printouts.pdftools import is_pdf, squash, text
from tests.rosters.builders import AFTER_RELEASE, BEFORE_RELEASE
from tests.testday.builders import sample_school, student_name
from tests.testday.builders import testday_cycle as make_testday_cycle

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def setup(world: Any, settings: Any) -> Any:
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    cycle = make_testday_cycle(world)
    sample_school(cycle, world.school_a1, 50)
    make_user("a1_xx", Role.SCHOOL_INFO_OFFICER, world.school_a1, full_name="莲塘一小信息员")
    make_user("nc_county", Role.COUNTY_INFO_OFFICER, world.county_a, full_name="南昌县信息员")
    return cycle


def test_officer_plans_rooms_and_downloads_printouts(page: Any, live_server: Any, world: Any, setup: Any) -> None:
    school = world.school_a1
    with clock.frozen(BEFORE_RELEASE):
        login(page, live_server, "a1_xx")
        page.get_by_label("主导航").get_by_role("link", name="测试日").click()
        page.wait_for_url(f"**/testday/school/{school.code}/")
        assert page.locator("#no-plan").is_visible()
        # a computer room with 28 PCs holds a room of 25 students + 3 spares
        page.fill("#id_name", "一号机房")
        page.fill("#id_pcs", "28")
        page.select_option("#id_orientation", "front")
        with page.expect_navigation():
            page.get_by_role("button", name="登记计算机教室").click()
        with page.expect_navigation():
            page.get_by_role("button", name="生成监测室与座位安排").click()
        rooms = page.locator("#rooms").inner_text()
        assert "已编排 2 间监测室" in page.locator(".messages").inner_text()
        assert "一号机房" in rooms and "纸笔" in rooms
        assert page.locator("#secret-note").is_visible()
        assert page.locator("a[data-kind=checkin]").count() == 0
        assert page.locator("a[data-kind=labels]").count() == 1
        screenshot(page, "testday-before-release")

    with clock.frozen(AFTER_RELEASE):
        page.reload()
        assert page.locator("#secret-note").count() == 0
        links = page.locator("#printout-table a[download]")
        assert links.count() == 8
        out = SCREENSHOTS / "printouts"
        out.mkdir(parents=True, exist_ok=True)
        saved: dict[str, Path] = {}
        for i in range(links.count()):
            link = links.nth(i)
            kind, fmt = link.get_attribute("data-kind"), link.get_attribute("data-fmt")
            with page.expect_download() as info:
                link.click()
            download = info.value
            assert download.failure() is None
            path = out / f"{kind}.{fmt}"
            download.save_as(path)
            assert download.suggested_filename.endswith(f".{fmt}") and school.code in download.suggested_filename
            saved[f"{kind}.{fmt}"] = path
        for name, path in saved.items():
            content = path.read_bytes()
            if name.endswith(".pdf"):
                assert is_pdf(content), name
                subprocess.run(["pdftoppm", "-png", "-r", "60", "-f", "1", "-l", "2", str(path),
                                str(out / name.replace(".", "-"))], check=True)
            else:
                assert content[:2] == b"PK", name
        assert student_name(0) in squash(text(saved["checkin.pdf"].read_bytes()))
        assert student_name(49) in squash(text(saved["notice.pdf"].read_bytes()))
        assert AuditEntry.objects.filter(action="export", actor__username="a1_xx").count() == 6
        screenshot(page, "testday-after-release")

        # absences: the seat stays, nobody moves
        page.get_by_role("link", name="小学座位表与缺考登记").click()
        page.wait_for_url("**/primary/seats/")
        seat = Seat.objects.get(room__number=2, seat=3)
        row = page.locator(f"#seat-{seat.pk}")
        row.get_by_role("button", name="登记缺考").click()
        page.locator(f"#seat-{seat.pk}").get_by_role("button", name="缺考（撤销）").wait_for()
        assert Seat.objects.get(pk=seat.pk).absent and Seat.objects.get(pk=seat.pk).student_id == seat.student_id
        screenshot(page, "testday-seats")

    assert list(TestRoom.objects.order_by("number").values_list("kind", "students")) == [("computer", 25),
                                                                                         ("paper", 25)]


def test_county_sees_the_school(page: Any, live_server: Any, world: Any, setup: Any) -> None:
    from jiance.testday.services import rooms_plan

    rooms_plan(school=world.school_a1, cycle=setup)
    with clock.frozen(BEFORE_RELEASE):
        login(page, live_server, "nc_county")
        page.goto(f"{live_server.url}/testday/")
        table = page.locator("#schools").inner_text()
        assert world.school_a1.name in table and world.school_a2.name in table and "未编排" in table
        assert world.school_b1.name not in table
        screenshot(page, "testday-county")
        with page.expect_navigation():
            page.get_by_role("link", name="公示栏举报电话").first.click()
        page.fill("#id_label", "南昌县义务教育质量监测实施办公室")
        page.fill("#id_number", "0791-85712345")
        with page.expect_navigation():
            page.get_by_role("button", name="添加").click()
        assert "0791-85712345" in page.locator("#phone-list").inner_text()
        page.goto(f"{live_server.url}/testday/school/{world.school_a1.code}/")
        assert "0791-85712345" in page.locator("#phones").inner_text()
        with page.expect_download() as info:
            page.locator("a[data-kind=notice]").first.click()
        path = SCREENSHOTS / "printouts" / "county-notice.pdf"
        path.parent.mkdir(parents=True, exist_ok=True)
        info.value.save_as(path)
        body = squash(text(path.read_bytes()))
        assert "0791-85712345" in body and student_name(0) not in body


def test_test_day_pages_in_english(page: Any, live_server: Any, world: Any, setup: Any) -> None:
    from jiance.testday.services import rooms_plan

    rooms_plan(school=world.school_a1, cycle=setup)
    with clock.frozen(AFTER_RELEASE):
        login(page, live_server, "a1_xx")
        switch_to_english(page)
        page.goto(f"{live_server.url}/testday/school/{world.school_a1.code}/")
        assert page.locator("#rooms").count() == 1
        assert chinese_chrome(page) == []
        assert "Check-in roster" in page.get_by_role("row").filter(has=page.locator("a[data-kind=checkin]")).inner_text()
        assert page.get_by_role("link", name="Primary: seating charts and absences").count() == 1
        screenshot(page, "testday-school-en")
        login(page, live_server, "nc_county")
        switch_to_english(page)
        page.goto(f"{live_server.url}/testday/")
        assert chinese_chrome(page) == []
        screenshot(page, "testday-county-en")
