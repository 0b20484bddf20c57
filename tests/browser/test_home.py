"""Login, the home pages of a county and a school, the English switch and the phone layout,
in headless Chromium against the demo data."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator
from typing import Any

import pytest
from django.utils import timezone

from jiance import clock
from jiance.cycles.selectors import active_cycle, unit_milestones
from jiance.units.models import Unit
from jiance.web.services import DEMO_PASSWORD, demo_accounts, demo_build
from tests.browser.conftest import login, screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

CJK = re.compile(r"[\u4e00-\u9fff]")


@pytest.fixture
def demo() -> Iterator[dict[str, Unit]]:
    """The demo, built around today, and the pages, drawn on the server's today: both at 10:00 today on a
    frozen clock, so a run across midnight in Shanghai (16:00 UTC) cannot put them on different days."""
    with clock.frozen(timezone.make_aware(dt.datetime.combine(clock.today(), dt.time(10, 0)))):
        demo_build(seed=2022)
        yield {a.username: unit for a, unit in demo_accounts() if unit is not None}


def expected(unit: Unit) -> tuple[list[str], list[str]]:
    """Overdue and due task texts of a unit, computed independently of the page."""
    statuses = unit_milestones(cycle=active_cycle(), unit=unit, today=clock.today())
    overdue = [s.milestone.task for s in statuses if s.state == "overdue"]
    due = [s.milestone.task for s in statuses if s.state in ("due", "open")]
    return overdue, due


def card_text(page: Any, unit: Unit, name: str) -> str:
    return page.locator(f'[data-unit="{unit.code}"] [data-card="{name}"]').inner_text()


def test_login_wrong_password_then_right(page: Any, live_server: Any, demo: dict[str, Unit]) -> None:
    login(page, live_server, "ncx.admin", "wrong-Password-1")
    alert = page.locator("[role=alert]")
    assert alert.is_visible()
    message = alert.inner_text()
    assert CJK.search(message) and "密码" in message
    assert page.url.endswith("/login/")
    screenshot(page, "login-error")

    login(page, live_server, "ncx.admin", DEMO_PASSWORD)
    assert page.url == f"{live_server.url}/"
    assert page.locator("h1").inner_text() == "工作台"


def test_county_home_shows_due_overdue_and_schools_owing(
    page: Any, live_server: Any, demo: dict[str, Unit]
) -> None:
    county = demo["ncx.admin"]
    overdue, due = expected(county)
    assert overdue and due  # the demo keeps both for the county
    login(page, live_server, "ncx.admin", DEMO_PASSWORD)
    overdue_text = card_text(page, county, "overdue")
    due_text = card_text(page, county, "due")
    for task in overdue:
        assert task in overdue_text
    for task in due:
        assert task in due_text
    owing = page.locator(f'[data-unit="{county.code}"] [data-card="owing"]')
    assert "样本校仍欠" in owing.inner_text()
    # the list of one task opens in place (htmx) with the schools that owe it
    first = owing.locator(".owing-rows > li").first
    first.get_by_role("link", name="名单").click()
    table = first.locator("table.owing-table")
    table.wait_for()
    assert table.locator("tbody tr").count() >= 1
    assert page.url == f"{live_server.url}/"  # no navigation: a partial update
    screenshot(page, "home-county")


def test_school_home_shows_own_tasks(page: Any, live_server: Any, demo: dict[str, Unit]) -> None:
    school = demo["school.principal"]
    overdue, due = expected(school)
    assert overdue and due
    login(page, live_server, "school.principal", DEMO_PASSWORD)
    assert school.name in page.locator(f'[data-unit="{school.code}"] h2').inner_text()
    for task in overdue:
        assert task in card_text(page, school, "overdue")
    for task in due:
        assert task in card_text(page, school, "due")
    assert page.locator('[data-card="owing"]').count() == 0
    screenshot(page, "home-school")


def test_language_switch_to_english_and_back(page: Any, live_server: Any, demo: dict[str, Unit]) -> None:
    login(page, live_server, "nanchang.admin", DEMO_PASSWORD)
    with page.expect_navigation():
        page.get_by_role("button", name="English").click()
    assert page.locator("html").get_attribute("lang") == "en"
    assert page.locator("h1").inner_text() == "My work"
    city = demo["nanchang.admin"]
    assert "Overdue" in card_text(page, city, "overdue")
    assert "Counties still owing" in card_text(page, city, "owing")
    screenshot(page, "home-city-en")
    with page.expect_navigation():
        page.get_by_role("button", name="中文").click()
    assert page.locator("h1").inner_text() == "工作台"


def test_phone_layout(phone_page: Any, live_server: Any, demo: dict[str, Unit]) -> None:
    page = phone_page
    page.goto(f"{live_server.url}/login/")
    screenshot(page, "login-phone")
    login(page, live_server, "ncx.admin", DEMO_PASSWORD)
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390, f"horizontal scroll on a phone: {width}px"
    county = demo["ncx.admin"]
    boxes = [
        page.locator(f'[data-unit="{county.code}"] [data-card="{name}"]').bounding_box()
        for name in ("overdue", "due", "owing")
    ]
    # one column: cards are stacked, same left edge, each below the previous
    assert len({round(b["x"]) for b in boxes}) == 1
    assert boxes[0]["y"] < boxes[1]["y"] < boxes[2]["y"]
    # the navigation wraps instead of running off the screen
    nav = page.locator(".topnav").bounding_box()
    assert nav["x"] + nav["width"] <= 390
    screenshot(page, "home-county-phone")


@pytest.mark.parametrize(
    ("username", "items"),
    [
        ("school.info", ["首页", "单位", "监测周期", "工作节点", "样本校抽样", "学生名单", "测试日", "实时进度", "检录与场次", "应急事件",
                         "工作人员", "体育现场测试", "测后上报", "实施材料", "录音监控"]),
        ("ncx.info", ["首页", "单位", "监测周期", "工作节点", "学校信息上报", "样本校抽样", "学生名单", "测试日",
                      "实时进度", "检录与场次", "保密材料", "应急事件", "工作人员", "体育现场测试", "测后上报", "实施材料", "监测报告",
                      "录音监控", "审计日志"]),
        ("centre.admin", ["首页", "单位", "监测周期", "工作节点", "学校信息上报", "样本校抽样", "学生名单", "测试日",
                          "实时进度", "检录与场次", "保密材料", "应急事件", "工作人员", "体育现场测试", "测后上报", "实施材料", "监测报告",
                          "学生权重", "网络问卷", "网络测试题目", "人员与账号", "录音监控", "后台任务", "审计日志"]),
    ],
)
def test_nav_shows_what_the_role_may_use(
    page: Any, live_server: Any, demo: dict[str, Unit], username: str, items: list[str]
) -> None:
    """The nav and the home page's links come from the app registry, per role."""
    login(page, live_server, username, DEMO_PASSWORD)
    assert page.locator("nav.topnav a").all_inner_texts() == items
    for href in page.locator("nav.quick-links a").evaluate_all("els => els.map(e => e.getAttribute('href'))"):
        assert page.request.get(f"{live_server.url}{href}").status != 403
    screenshot(page, f"home-nav-{username.replace('.', '-')}")
