"""The live progress page in a browser: the figures part refreshes by itself (htmx polling with
ETag revalidation), without reloading the page, when an app reports a change; on a phone too."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from django.core.cache import cache

from jiance import apps_registry, clock
from jiance.accounts.models import Role
from jiance.apps_registry import AppEntry
from tests.browser.conftest import login, screenshot
from tests.factories import World, make_user
from tests.live import fake_progress
from tests.live.conftest import MORNING
from tests.testday.builders import sample_school
from tests.testday.builders import testday_cycle as make_testday_cycle

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def live_world(world: World, settings: Any, monkeypatch: pytest.MonkeyPatch) -> Iterator[World]:
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.JIANCE_LIVE_POLL_SECONDS = 0.3  # the data attribute the page polls by
    real = apps_registry.entries()
    monkeypatch.setattr(apps_registry, "entries",
                        lambda: (*real, AppEntry(app="fake", progress="tests.live.fake_progress")))
    fake_progress.FIGURES.clear()
    cache.clear()
    with clock.frozen(MORNING):
        cycle = make_testday_cycle(world)
        sample_school(cycle, world.school_b1, 12)
        make_user("live.city", Role.CITY_ADMIN, world.city)
        make_user("live.school", Role.PRINCIPAL, world.school_a1)
        yield world
    fake_progress.FIGURES.clear()
    cache.clear()


def cell(page: Any, school: str, key: str) -> str:
    return str(page.locator(f'#live-schools tr[data-school="{school}"] td[data-key="{key}"]').inner_text())


def test_figures_refresh_without_a_reload(page: Any, live_server: Any, live_world: World) -> None:
    world = live_world
    fake_progress.FIGURES[world.school_a1.code] = {"fake_open": 1}
    login(page, live_server, "live.city")
    statuses: list[int] = []
    page.on("response", lambda r: statuses.append(r.status) if "/live/figures/" in r.url else None)
    page.goto(f"{live_server.url}/live/")
    assert page.locator("#live-figures").get_attribute("data-poll-ms") == "300"
    assert cell(page, world.school_a1.code, "fake_open") == "1"
    page.evaluate("window.__sameDocument = true")
    # the page polls and revalidates; nothing changed yet
    for _ in range(2):
        with page.expect_response(lambda r: "/live/figures/" in r.url):
            pass
    assert len(statuses) >= 2 and set(statuses) <= {200, 304}
    # an app reports a change: the next poll brings it, in the same document
    fake_progress.FIGURES[world.school_a1.code] = {"fake_open": 4, "fake_late": 1}
    apps_registry.progress_changed()
    page.wait_for_function(
        f"""() => document.querySelector('#live-schools tr[data-school="{world.school_a1.code}"] td[data-key="fake_open"]')
                 ?.textContent === "4" """)
    assert page.evaluate("window.__sameDocument") is True
    assert page.locator("#live-attention tr[data-school]").first.get_attribute("data-school") == world.school_b1.code
    assert page.locator("#live-attention").inner_text().count("未按时归还") == 1
    screenshot(page, "live-city")
    # drill down to a county by a plain link (works without JavaScript too)
    with page.expect_navigation():
        page.locator(f'#live-areas a:has-text("{world.county_b.name}")').click()
    assert page.locator("#live-schools tr[data-school]").count() == 2
    assert page.locator(".area-trail").inner_text().startswith(world.city.name)


def test_school_phone_page(phone_page: Any, live_server: Any, live_world: World) -> None:
    world = live_world
    fake_progress.FIGURES[world.school_a1.code] = {"fake_done": 3}
    login(phone_page, live_server, "live.school")
    phone_page.goto(f"{live_server.url}/live/")
    assert phone_page.locator("#live-schools").count() == 0  # one school: its figures are the totals
    assert phone_page.locator('#live-totals [data-key="fake_done"] strong').inner_text() == "3"
    assert phone_page.locator(".live-session.live-running").inner_text().startswith("09:00")
    width = phone_page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390, f"the page scrolls sideways on a phone ({width}px)"
    screenshot(phone_page, "live-school-phone")


def test_without_javascript(browser: Any, live_server: Any, live_world: World) -> None:
    ctx = browser.new_context(java_script_enabled=False, locale="zh-CN")
    page = ctx.new_page()
    try:
        login(page, live_server, "live.city")
        page.goto(f"{live_server.url}/live/?day=2022-05-25")
        assert page.locator("#live-schools tr[data-school]").count() == 4
        page.select_option("#live-day", "2022-05-25")
        with page.expect_navigation():
            page.click(".live-day button")
        assert "day=2022-05-25" in page.url
    finally:
        ctx.close()
