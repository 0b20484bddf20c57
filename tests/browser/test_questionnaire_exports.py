"""The export page of a questionnaire version in Chromium: reached from the questionnaires home,
the pseudonymous CSV downloaded, the identified export asking for a reason."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.browser.conftest import login, screenshot
from tests.factories import World, make_user
from tests.questionnaires.builders import q_cycle


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_the_centre_exports_a_version(page: Any, live_server: Any, tmp_path: Path) -> None:
    world = World()
    q_cycle(world)
    make_user("centre.x", "centre_admin", world.centre)
    login(page, live_server, "centre.x")
    page.goto(f"{live_server.url}/questionnaires/")
    row = page.locator("tr", has_text="学生相关因素问卷（一）").first
    with page.expect_navigation():
        row.get_by_role("link", name="导出答案").first.click()
    page.get_by_role("heading", name="实名导出").wait_for()
    screenshot(page, "questionnaires-export")
    with page.expect_download() as info:
        page.get_by_role("link", name="CSV", exact=True).first.click()
    path = tmp_path / "answers.csv"
    info.value.save_as(path)
    header = path.read_text("utf-8-sig").splitlines()[0]
    assert header.startswith("resp_id,resp_kind,school_code,county_code") and ",sex,age," in header
    page.get_by_role("button", name="实名导出").click()  # no reason: the browser asks for one first
    assert page.locator("textarea[name=reason]:invalid").count() == 1
