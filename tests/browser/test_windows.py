"""Windows in the browser: after the close the reporter sees "closed since", the level above
reopens with a reason and an end date, and the reporter sees who reopened it until when."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.utils import timezone

from jiance import clock
from jiance.rosters.models import Roster
from tests.browser.conftest import _page, login, screenshot
from tests.reporting import conftest as rc
from tests.rosters import builders as rb

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def reopen(page: Any, until: str, reason: str) -> None:
    form = page.locator("#window-reopen")
    form.locator("input[name=until]").fill(until)
    form.locator("input[name=reason]").fill(reason)
    with page.expect_navigation():
        form.get_by_role("button", name="重新开放").click()


def test_frame_closed_then_reopened_by_the_city(browser, page, live_server, world, settings) -> None:  # type: ignore[no-untyped-def]
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    cycle = rc.make_cycle()
    cycle.config = {**cycle.config, "windows": [{"kind": "school_frame", "name": "属地学校信息上报",
                                                 "reported_by": "county", "start": "2022-03-10", "end": "2022-03-25"}]}
    cycle.save()
    rc.make_people(world)
    url = f"{live_server.url}/reporting/frame/county/{world.county_a.code}/"
    with clock.frozen(timezone.make_aware(dt.datetime(2022, 3, 27, 9, 0))):
        for county_page in _page(browser, viewport={"width": 1280, "height": 900}):
            login(county_page, live_server, "nanchang_info")
            county_page.goto(url)
            assert "已于 2022年03月25日 截止" in county_page.locator("#window-note").inner_text()
            assert county_page.locator("#window-reopen").count() == 0
            screenshot(county_page, "window_frame_closed")
            login(page, live_server, "nc_city")
            page.goto(url)
            reopen(page, "2022-03-31", "新建学校漏报，同意补报")
            assert "上报重新开放中" in page.locator("#window-note").inner_text()
            screenshot(page, "window_frame_city_reopened")
            county_page.goto(url)
            note = county_page.locator("#window-note").inner_text()
            assert "南昌市管理员" in note and "2022年03月31日" in note
            county_page.locator("#window-state summary").click()
            screenshot(county_page, "window_frame_county_reopened")


def test_roster_closed_then_reopened_by_the_county(browser, page, live_server, world, settings) -> None:  # type: ignore[no-untyped-def]
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    with clock.frozen(rb.ENTRY_TIME):
        cycle = rb.make_cycle(windows=[
            {"kind": "student_roster", "name": "测试年级学生信息上报", "reported_by": "school", "end": "2022-04-27"},
            {"kind": "teacher_roster", "name": "测试年级教师信息上报", "reported_by": "school", "end": "2022-04-27"}])
        rb.approve_frames(cycle, world)
        rb.publish_draw(cycle, world)
        rb.make_people(world)
    with clock.frozen(timezone.make_aware(dt.datetime(2022, 4, 29, 9, 0))):
        for school_page in _page(browser, viewport={"width": 1280, "height": 900}):
            login(school_page, live_server, "a1_xx")
            school_page.goto(f"{live_server.url}/rosters/school/{world.school_a1.code}/")
            roster = Roster.objects.get(school=world.school_a1)
            assert "截止" in school_page.locator("#window-note").inner_text()
            assert school_page.locator("input[type=file]").count() == 0  # no entry after the close
            screenshot(school_page, "window_roster_closed")
            login(page, live_server, "nc_county")
            page.goto(f"{live_server.url}/rosters/roster/{roster.pk}/")
            reopen(page, "2022-05-03", "学籍系统迁移，名单延期上报")
            screenshot(page, "window_roster_county_reopened")
            school_page.reload()
            assert "南昌县信息员" in school_page.locator("#window-note").inner_text()
            assert school_page.locator("input[type=file]").count() > 0
            screenshot(school_page, "window_roster_school_reopened")
