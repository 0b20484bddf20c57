"""Editing a cycle's reporting windows in a real browser (issue 9): a date that breaks the
schema is shown on its row, fixed and saved; htmx adds and removes a row in place."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import expect

from jiance.accounts.models import Role
from jiance.cycles.models import Cycle
from jiance.cycles.services import cycle_load_file, shipped_template_path
from tests.browser.conftest import login, screenshot
from tests.factories import make_user

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_edit_a_window_date_see_the_error_fix_it_and_save(page: Any, live_server: Any, world: Any,
                                                          settings: Any) -> None:
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    cycle = cycle_load_file(path=shipped_template_path("national-2024"), owner=world.centre)
    make_user("centre", Role.CENTRE_ADMIN, world.centre, first_name="中心管理员")
    login(page, live_server, "centre")
    page.goto(f"{live_server.url}/cycles/{cycle.code}/edit/windows/")
    rows = page.locator("#rows tr")
    count = rows.count()
    assert count == len(cycle.config["windows"])

    # htmx: a row is added in place (no page load) and removed again
    page.click("text=添加一行")
    expect(rows).to_have_count(count + 1)
    assert page.url.endswith("/edit/windows/")
    rows.nth(count).get_by_role("button", name="删除").click()
    expect(rows).to_have_count(count)

    third = rows.nth(2)
    third.locator('input[name="c-start"]').fill("2024-05-01")  # after its end, 2024-04-26
    with page.expect_navigation():
        page.click("button[name=save]")
    third = page.locator("#rows tr").nth(2)
    assert "截止日期早于开始日期" in third.inner_text()
    assert "has-error" in (third.locator('input[name="c-end"]').locator("xpath=..").get_attribute("class") or "")
    assert "未保存" in page.inner_text("#refusal")
    screenshot(page, "cycle-edit-windows-error")

    third.locator('input[name="c-start"]').fill("2024-04-15")
    with page.expect_navigation():
        page.click("button[name=save]")
    assert "已保存“报送窗口”（第 2 版）" in page.inner_text("body")
    assert "截止日期早于开始日期" not in page.inner_text("body")
    cycle = Cycle.objects.get(pk=cycle.pk)
    assert cycle.version == 2 and cycle.config["windows"][2]["start"] == "2024-04-15"
    screenshot(page, "cycle-edit-windows-saved")
