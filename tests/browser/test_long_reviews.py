"""Long reviews in a real browser: the decision bar stays in the viewport above a long frame table
(desktop and phone), the changes since the last approval on the frame and roster review pages, and
the compact after-test form on a phone."""

from __future__ import annotations

from typing import Any

import polars as pl
import pytest

from jiance import clock
from jiance.accounts.models import Role
from jiance.accounts.scoping import Scope
from jiance.aftertest import services as aftertest_services
from jiance.reporting import services as frame_services
from jiance.reporting.models import FrameSubmission
from jiance.rosters import services as roster_services
from jiance.rosters.models import Roster
from jiance.rosters.models import Student as RosterStudent
from jiance.testday.models import Seat, TestRoom
from jiance.units.models import Level
from tests.aftertest.builders import IN_WINDOW, aftertest_cycle, draw
from tests.browser.conftest import PHONE, _page, login, screenshot
from tests.factories import make_unit, make_user
from tests.reporting.conftest import good_rows_a, make_people, xlsx
from tests.reporting.conftest import make_cycle as frame_cycle
from tests.rosters import builders as rb
from tests.testday.builders import sample_school

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

EXTRA_SCHOOLS = 120


@pytest.fixture
def fast(settings: Any) -> None:
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def long_frame(world: Any) -> Any:
    """南昌县 with 122 schools, approved once, unlocked, changed (two schools) and submitted again."""
    cycle = frame_cycle()
    people = make_people(world)
    rows = good_rows_a()
    for i in range(EXTRA_SCHOOLS):
        code = f"36012110{i:02d}" if i < 100 else f"3601212{i:03d}"
        make_unit(code, f"南昌县第{i + 1}小学", Level.SCHOOL, world.county_a, school_type="小学", nature="公办",
                  area="乡村", affiliation="县属")
        rows.append([code, f"南昌县第{i + 1}小学", "小学", "公办", "乡村", "县属", 40 + i % 7, 1, "", "", ""])
    county, city = Scope(people.county_a), Scope(people.city)

    def submit(rows: list[list[Any]]) -> FrameSubmission:
        frame_services.frame_import(scope=county, cycle=cycle, county=world.county_a, content=xlsx(rows),
                                    actor=people.county_a)
        sub = FrameSubmission.objects.get(county=world.county_a)
        return frame_services.frame_submit(scope=county, submission=sub, actor=people.county_a)

    sub = frame_services.frame_approve(scope=city, submission=submit(rows), actor=people.city)
    frame_services.frame_unlock(scope=city, submission=sub, actor=people.city, comment="补报班级数")
    rows[0][6], rows[0][7] = 200, 5
    rows[5][10] = "撤并后合并统计"
    submit(rows)
    return people


def in_viewport(page: Any, selector: str) -> bool:
    return bool(page.evaluate("""(sel) => { const r = document.querySelector(sel).getBoundingClientRect();
        return r.top >= 0 && r.bottom <= window.innerHeight && r.height > 0; }""", selector))


def check_sticky_bar(page: Any) -> None:
    height = page.evaluate("document.documentElement.scrollHeight")
    assert height > 3 * page.viewport_size["height"], height  # a long page
    # at the top of the long table, and with its last row in view, the decision bar is on screen
    page.evaluate("window.scrollTo(0, 0)")
    assert in_viewport(page, "#review")
    page.locator("#schools tbody tr").last.scroll_into_view_if_needed()
    assert in_viewport(page, "#review")
    page.locator("#schools tbody tr").nth(60).scroll_into_view_if_needed()
    assert in_viewport(page, "#review")
    # scrolled past the table, nothing is hidden under the bar: it keeps its place in the flow,
    # under the last school
    page.evaluate("""() => { const h = document.querySelector('#history-panel');
        window.scrollTo(0, h.getBoundingClientRect().top + window.scrollY - window.innerHeight + 1); }""")
    assert in_viewport(page, "#review")
    last = page.locator("#schools tbody tr").last.bounding_box()
    bar = page.locator("#review").bounding_box()
    assert last["y"] >= 0 and last["y"] + last["height"] <= bar["y"] + 1


def test_frame_review_bar_stays_visible_and_shows_the_changes(page, browser, live_server, world, fast) -> None:
    long_frame(world)
    login(page, live_server, "nc_city")
    page.goto(f"{live_server.url}/reporting/frame/county/360121/")
    assert page.locator("#schools tbody tr").count() == EXTRA_SCHOOLS + 2
    counts = page.locator("#changes-counts").inner_text()
    assert "+0" in counts and "−0" in counts and "~2" in counts
    assert page.locator("#changes tr.chg-changed").count() == 2
    assert "180" in page.locator("#changes").inner_text() and "200" in page.locator("#changes").inner_text()
    screenshot(page, "frame_review_changes", full_page=False)
    check_sticky_bar(page)
    screenshot(page, "frame_review_sticky_bottom", full_page=False)
    # the decision still works from the bar
    page.locator("#review textarea").fill("核实无误")
    with page.expect_navigation():
        page.locator("#review").get_by_role("button", name="审核通过").click()
    assert page.locator("#frame-status").inner_text() == "已通过"
    for phone in _page(browser, viewport=PHONE, device_scale_factor=2, is_mobile=True, has_touch=True):
        FrameSubmission.objects.filter(county=world.county_a).update(status="submitted", locked=False)
        login(phone, live_server, "nc_city")
        phone.goto(f"{live_server.url}/reporting/frame/county/360121/")
        check_sticky_bar(phone)
        bar = phone.locator("#review").bounding_box()
        assert bar["height"] <= 0.45 * PHONE["height"], bar  # the bar leaves most of the screen to the table
        phone.evaluate("window.scrollTo(0, 0)")
        screenshot(phone, "frame_review_changes_phone", full_page=False)
        # the full list of changes has a page of its own
        phone.locator("#changes-page-link").click()
        phone.wait_for_url("**/changes/")
        assert phone.locator("#changes tr.chg-changed").count() == 2


@pytest.fixture
def roster_in_second_round(world: Any, fast: Any) -> Any:
    with clock.frozen(rb.ENTRY_TIME):
        cycle = rb.make_cycle()
        rb.approve_frames(cycle, world)
        rb.publish_draw(cycle, world)
        people = rb.make_people(world)
        officer, principal, county = Scope(people.officer_a1), Scope(people.principal_a1), Scope(people.county_a)
        roster = roster_services.roster_open(scope=officer, cycle=cycle, school=world.school_a1, stage="primary")
        first = rb.students("3601210001", "360121", 40, 2)

        def imported(df: pl.DataFrame) -> None:
            assert roster_services.roster_import(scope=officer, roster=roster, content=rb.xlsx(df), filename="名单.xlsx",
                                                 actor=people.officer_a1).applied

        imported(first)
        roster_services.teacher_save(scope=officer, roster=roster, actor=people.officer_a1,
                                     data={"name": "李老师", "sex": "男", "roles": ["chinese"]})
        r = roster_services.roster_submit(scope=officer, roster=Roster.objects.get(pk=roster.pk), actor=people.officer_a1)
        r = roster_services.roster_approve(scope=principal, roster=r, actor=people.principal_a1)
        r = roster_services.roster_approve(scope=county, roster=r, actor=people.county_a)
        r = roster_services.roster_return(scope=Scope(people.city), roster=r, actor=people.city, comment="性别有误")
        names = first["姓名"].to_list()
        numbers = first["学号"].to_list()
        new = rb.students("3601210001", "360121", 40, 2, seed=7).head(1).with_columns(
            pl.lit(first["班级"][0]).alias("班级"))
        second = pl.concat([first.slice(1).with_columns(
            pl.Series("姓名", [names[1] + "明", *names[2:]]),
            pl.Series("学号", [n + "9" if i == 1 else n for i, n in enumerate(numbers[1:])]),
        ), new])
        imported(second)
        roster_services.teacher_save(scope=officer, roster=roster, actor=people.officer_a1,
                                     data={"name": "赵老师", "sex": "女", "roles": ["english"]})
        r = roster_services.roster_submit(scope=officer, roster=Roster.objects.get(pk=roster.pk), actor=people.officer_a1)
        r = roster_services.roster_approve(scope=principal, roster=r, actor=people.principal_a1)
        assert RosterStudent.objects.filter(roster=r).count() == 40
        return r


def test_roster_county_review_shows_the_changes_masked(page, live_server, world, roster_in_second_round) -> None:
    roster = roster_in_second_round
    with clock.frozen(rb.ENTRY_TIME):
        login(page, live_server, "nc_county")
        page.goto(f"{live_server.url}/rosters/roster/{roster.pk}/")
        changes = page.locator("#changes")
        text = changes.inner_text()
        assert "学生：新增 1，删除 1，修改 2" in text and "教师：新增 1，删除 0，修改 0" in text
        assert page.locator("#changes tr.chg-removed").count() == 1
        # masked: no 18-character ID number in the section
        import re

        assert not re.search(r"\d{17}[\dX]", text)
        screenshot(page, "roster_review_changes", full_page=False)
        page.evaluate("window.scrollTo(0, 0)")
        assert in_viewport(page, "#review")
        page.evaluate("window.scrollTo(0, document.documentElement.scrollHeight / 2)")
        assert in_viewport(page, "#review")


@pytest.fixture
def thirty(world: Any, fast: Any) -> Any:
    with clock.frozen(IN_WINDOW):
        cycle = aftertest_cycle()
        draw(cycle, world, [{"code": world.school_a1.code}])
        students = sample_school(cycle, world.school_a1, 30)
        room = TestRoom.objects.create(cycle=cycle, school=world.school_a1, stage="primary", number=1, kind="paper",
                                       students=30, rows=6, columns=6, pattern="vertical", created_at=clock.now())
        for i, s in enumerate(students, start=1):
            Seat.objects.create(room=room, seat=i, row=(i - 1) // 6 + 1, column=(i - 1) % 6 + 1, student=s,
                                absent=i in (4, 17))
        officer = make_user("a1_xx", Role.SCHOOL_INFO_OFFICER, world.school_a1)
        roster = students[0].roster
        return aftertest_services.tested_report_open(scope=Scope(officer), roster=roster, actor=officer)


def test_compact_after_test_form_on_a_phone(phone_page, live_server, world, thirty) -> None:
    page = phone_page
    with clock.frozen(IN_WINDOW):
        login(page, live_server, "a1_xx")
        page.goto(f"{live_server.url}/aftertest/school/{world.school_a1.code}/primary/")
        rows = page.locator("#tested-table tbody tr")
        assert rows.count() == 30
        assert [rows.nth(i).get_attribute("data-row") for i in range(3)] == ["4", "17", "1"]
        # a present student shows one select; reasons only for the absent ones
        assert page.locator("#tested-table select[name$='-reason']:visible").count() == 2
        assert page.locator("#tested-table input[type=checkbox]:visible").count() == 0
        # names on one line, never a column a character wide; no sideways scrolling
        boxes = page.evaluate("""() => [...document.querySelectorAll('#tested-table .who .name')].map((el) => {
            const r = el.getBoundingClientRect(); const fs = parseFloat(getComputedStyle(el).fontSize);
            return {w: r.width, h: r.height, fs, n: el.textContent.trim().length,
                    cell: el.closest('td').getBoundingClientRect().width}; })""")
        assert len(boxes) == 30
        for b in boxes:
            assert b["h"] < 1.8 * b["fs"], b                    # one line
            assert b["w"] >= 0.9 * b["n"] * b["fs"], b          # every character side by side
            assert b["cell"] >= 8 * b["fs"], b                  # room for a few characters at least
        assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
        # the save bar is on screen while scrolling the list
        page.evaluate("window.scrollTo(0, 600)")
        assert in_viewport(page, "#savebar")
        page.evaluate("window.scrollTo(0, 0)")
        screenshot(page, "aftertest_compact_phone", full_page=False)
        # mark one more absentee, give the reasons, one save
        tr9 = page.locator("#tested-table tr[data-row='9']")
        tr9.locator("select[name$='-attendance']").select_option(label="部分缺考")
        assert tr9.locator("input[type=checkbox]:visible").count() > 0
        tr9.locator("input[type=checkbox]").first.check()
        tr9.locator("select[name$='-reason']").select_option(label="病假")
        for row in (4, 17):
            page.locator(f"#tested-table tr[data-row='{row}'] select[name$='-reason']").select_option(label="事假")
        with page.expect_navigation():
            page.locator("#save-all").click()
        assert "已保存 3 名学生的修改" in page.locator(".messages .msg-success").inner_text()
        assert [rows.nth(i).get_attribute("data-row") for i in range(3)] == ["4", "9", "17"]
        page.evaluate("window.scrollTo(0, 700)")
        screenshot(page, "aftertest_compact_phone_saved", full_page=False)
