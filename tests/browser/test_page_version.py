"""Edit a row with htmx, then submit on the same page without reloading: the row save swaps the
record's new version into the page's forms (review/_version.html), so the submit is accepted;
a page drawn before a colleague's save is refused."""

from __future__ import annotations

from typing import Any

import pytest

from jiance.accounts.scoping import Scope
from jiance.reporting import services
from jiance.reporting.models import FrameRecord, FrameStatus, FrameSubmission
from tests.browser.conftest import login, screenshot
from tests.reporting.conftest import good_rows_a, make_cycle, make_people, xlsx

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def drafted(world: Any, settings: Any) -> Any:
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    cycle = make_cycle()
    people = make_people(world)
    services.frame_import(scope=Scope(people.county_a), cycle=cycle, county=world.county_a,
                          content=xlsx(good_rows_a()[:1]), actor=people.county_a)
    return people


def _edit_second_school(page: Any) -> None:
    row = page.locator("#row-3601210002")
    row.get_by_role("link", name="编辑").click()
    form = page.locator("#row-3601210002")
    form.locator("select[name=school_type]").select_option("初中")
    form.locator("select[name=nature]").select_option("公办")
    form.locator("select[name=area]").select_option("镇区")
    form.locator("select[name=affiliation]").select_option("县属")
    form.locator("input[name=junior_students]").fill("420")
    form.locator("input[name=junior_classes]").fill("9")
    form.get_by_role("button", name="保存").click()
    page.locator("#row-3601210002.saved").wait_for()


def test_edit_a_row_then_submit_on_the_same_page(page: Any, live_server: Any, world: Any, drafted: Any) -> None:
    login(page, live_server, "nanchang_info")
    page.goto(f"{live_server.url}/reporting/frame/county/{world.county_a.code}/")
    drawn = FrameSubmission.objects.get().version
    version = page.locator("#submit-frame").locator("xpath=..").locator("input[name=version]")
    assert version.get_attribute("value") == str(drawn)
    assert page.locator("#reported-count").inner_text() == "1"
    _edit_second_school(page)
    # swapped in place: the count, the status and the version the submit form will post
    assert page.locator("#reported-count").inner_text() == "2"
    assert version.get_attribute("value") == str(drawn + 1) == str(FrameSubmission.objects.get().version)
    assert FrameRecord.objects.count() == 2
    screenshot(page, "page_version_row_saved")
    with page.expect_navigation():
        page.locator("#submit-frame").click()
    assert page.locator("#frame-status").inner_text() == "已提交", page.locator(".messages").inner_text()
    assert FrameSubmission.objects.get().status == FrameStatus.SUBMITTED


def test_a_page_drawn_before_a_colleagues_save_is_refused(page: Any, live_server: Any, world: Any,
                                                          drafted: Any) -> None:
    login(page, live_server, "nanchang_info")
    page.goto(f"{live_server.url}/reporting/frame/county/{world.county_a.code}/")
    services.frame_record_save(  # a colleague saves a school meanwhile, from another page
        scope=Scope(drafted.county_a_admin), cycle=FrameSubmission.objects.get().cycle, county=world.county_a,
        school=world.school_a2, actor=drafted.county_a_admin,
        data={"school_type": "初中", "nature": "公办", "area": "镇区", "affiliation": "县属",
              "junior_students": 420, "junior_classes": 9})
    with page.expect_navigation():
        page.locator("#submit-frame").click()
    assert "页面已过期" in page.locator(".messages").inner_text()
    assert FrameSubmission.objects.get().status == FrameStatus.DRAFT
