"""A county marks a task done with a note and a file on its task page; the city sees both on the
county's page. The home page's deadline panel and the notification list, looked at."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.utils import timezone

from jiance import clock
from jiance.accounts.models import Role
from jiance.cycles.models import Cycle, CycleStatus, Milestone, MilestoneCompletion
from jiance.notifications.services import notifications_daily
from tests.browser.conftest import login, screenshot
from tests.factories import World, make_user

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


@pytest.fixture(autouse=True)
def ten_oclock() -> Iterator[None]:
    """10:00 today on the server's clock for the whole test: the deadlines are set from today and the
    pages count the days to them from the server's today, so a run across midnight in Shanghai
    (16:00 UTC) on the real clock moved them by a day."""
    with clock.frozen(timezone.make_aware(dt.datetime.combine(clock.today(), dt.time(10, 0)))):
        yield


def test_county_marks_a_task_done_and_the_city_sees_it(page: Any, live_server: Any, tmp_path: Path) -> None:
    world = World()
    today = clock.today()
    cycle = Cycle.objects.create(code="t-2024", year=today.year, name=f"{today.year} 年义务教育质量监测",
                                 config={"test_days": []}, status=CycleStatus.ACTIVE)
    tasks = [("完成县级测试程序与工作规范的统一培训。", 1), ("提交县级监测实施工作细则，召开样本校负责人及信息员动员会。", 3),
             ("接受市级实施工作部署与培训，成立县级实施工作领导小组。", -2), ("组织样本校开展模拟练习。", 0)]
    for number, (text, days) in enumerate(tasks, start=1):
        Milestone.objects.create(cycle=cycle, level="county", number=number, phase="before",
                                 deadline=today + dt.timedelta(days=days), task=text)
    Milestone.objects.create(cycle=cycle, level="county", number=5, phase="before", task="确认样本校名单。",
                             deadline=today + dt.timedelta(days=10), done_when="sample_confirmed")
    make_user("ncx", Role.COUNTY_ADMIN, world.county_a, full_name="南昌县实施办")
    make_user("nc", Role.CITY_ADMIN, world.city, full_name="南昌市实施办")
    notifications_daily(today=today)

    login(page, live_server, "ncx")
    panel = page.locator("#deadlines")
    assert "明天截止" in panel.inner_text() and "逾期 2 天" in panel.inner_text()
    screenshot(page, "milestones-home-deadlines")
    with page.expect_navigation():
        page.locator(".notify-link").click()
    assert "3 天后截止" in page.locator(".notification-items").inner_text()
    screenshot(page, "milestones-notifications")

    page.goto(f"{live_server.url}/milestones/{world.county_a.code}/")
    row = page.locator("#task-1")
    row.locator("summary").click()
    row.locator("textarea[name=note]").fill("4 月 9 日完成全县培训，到会 56 人")
    file = tmp_path / "培训签到表.png"
    file.write_bytes(PNG)
    row.locator("input[type=file]").set_input_files(str(file))
    with page.expect_navigation():
        row.locator("button", has_text="确定").click()
    assert "已标记完成" in page.locator(".messages").inner_text()
    assert page.locator("#task-1").get_attribute("data-state") == "done"
    screenshot(page, "milestones-county-page")
    assert MilestoneCompletion.objects.filter(milestone__number=1, unit=world.county_a).exists()

    page.context.clear_cookies()
    login(page, live_server, "nc")
    page.goto(f"{live_server.url}/milestones/{world.county_a.code}/")
    text = page.locator("#task-1").inner_text()
    assert "4 月 9 日完成全县培训，到会 56 人" in text and "培训签到表.png" in text and "已完成" in text
    assert page.locator("#task-1 summary").count() == 0  # the city does not mark the county's tasks
    page.goto(f"{live_server.url}/milestones/{world.city.code}/")
    assert page.locator('[data-child-task="1"]').inner_text().count("1 / 2") == 1
    screenshot(page, "milestones-city-page")
