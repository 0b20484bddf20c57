"""The role walk, kept as a test: every demo login follows every menu item, every link of its home
page and every inbox item, and none answers 403, 404 or 500. One test, so the demo is built once
(transactional browser tests flush the database after each test); the clock is frozen so the
demo's cycle, and so every page, is the same on every run."""

from __future__ import annotations

import datetime as dt
import re
import time
from collections.abc import Iterator
from typing import Any
from urllib.parse import urlsplit

import pytest

from jiance import clock
from jiance.accounts.models import Role
from jiance.web.services import DEMO_ACCOUNTS, DEMO_PASSWORD, demo_build
from tests.browser.conftest import DESKTOP, PHONE, login, screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# A working day 8-14 days before the demo cycle's first test day (the demo shifts the cycle).
FROZEN = dt.datetime(2026, 5, 6, 10, 0)

# The roles whose home is made for their job (jiance.web.role_home), not the unit's dashboard.
ROLE_HOMES = {Role.SUPERVISOR, Role.INSPECTOR, Role.CUSTODIAN, Role.CHIEF_PROCTOR, Role.PROCTOR, Role.TECHNICIAN,
              Role.TIMEKEEPER}
# Links every page carries that are not a destination (the language form posts; logout posts).
SKIP_PATHS = ("/logout/", "/i18n/")
# A page of one school (school codes are 10 digits; counties 6).
SCHOOL_PAGE = re.compile(r"/\d{10}/")


@pytest.fixture
def frozen_demo() -> Iterator[None]:
    with clock.frozen(FROZEN):
        demo_build(seed=2022)
        yield


def _links(page: Any, selector: str) -> list[str]:
    hrefs = page.eval_on_selector_all(selector, "els => els.map(e => e.getAttribute('href'))")
    return [h for h in hrefs if h and not h.startswith(("#", "mailto:", "javascript:"))]


def test_every_role_reaches_every_link_it_is_shown(browser: Any, live_server: Any, frozen_demo: None) -> None:
    failures: list[str] = []
    timings: list[tuple[float, str, str]] = []
    seen = 0
    started = time.perf_counter()
    for account in DEMO_ACCOUNTS:
        ctx = browser.new_context(locale="zh-CN", timezone_id="Asia/Shanghai", viewport=DESKTOP)
        ctx.set_default_timeout(15_000)
        page = ctx.new_page()
        try:
            login(page, live_server, account.username, DEMO_PASSWORD)
            assert urlsplit(page.url).path == "/", f"{account.username}: not on the home page after login"
            screenshot(page, f"walk-home-{account.username}")
            # every home has the inbox, and the top bar counts what it lists (the newest 50)
            listed = page.locator("#inbox .inbox-items li").count()
            counted = int(page.locator(".topbar [data-inbox-count]").get_attribute("data-inbox-count"))
            assert page.locator("#inbox").count() == 1 and min(counted, 50) == listed, account.username
            # who runs no office gets the home of their job, not the unit's dashboard
            office = account.role not in ROLE_HOMES
            assert page.locator('[data-home="role"]').count() == (0 if office else 1), account.username
            menu = _links(page, ".topnav a")
            assert menu, f"{account.username}: no menu"
            home = _links(page, "main a[href]")
            inbox = _links(page, "#inbox a[href]")
            top = _links(page, ".topbar-right a[href]")
            for href in dict.fromkeys([*menu, *home, *inbox, *top]):
                path = urlsplit(href).path
                if path.startswith(SKIP_PATHS):
                    continue
                t0 = time.perf_counter()
                response = ctx.request.get(f"{live_server.url}{href}" if href.startswith("/") else href)
                timings.append((time.perf_counter() - t0, account.username, href))
                seen += 1
                if response.status >= 400:
                    failures.append(f"{account.username} ({account.role}): {href} → {response.status}")
                # a menu item of someone above the schools never lands on one (arbitrary) school's page
                landed = urlsplit(response.url).path
                if href in menu and account.where != "school" and SCHOOL_PAGE.search(landed):
                    failures.append(f"{account.username} ({account.role}): menu {href} lands on a school: {landed}")
        finally:
            ctx.close()
    elapsed = time.perf_counter() - started
    print(f"role walk: {len(DEMO_ACCOUNTS)} logins, {seen} links, {elapsed:.1f}s")
    for t, who, href in sorted(timings, reverse=True)[:15]:
        print(f"  {t:5.2f}s {who} {href}")
    assert not failures, "\n".join(failures)


def test_school_officer_home_on_a_phone(browser: Any, live_server: Any, frozen_demo: None) -> None:
    ctx = browser.new_context(locale="zh-CN", timezone_id="Asia/Shanghai", viewport=PHONE, device_scale_factor=2,
                              is_mobile=True, has_touch=True)
    page = ctx.new_page()
    try:
        login(page, live_server, "school.info", DEMO_PASSWORD)
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= PHONE["width"], f"horizontal scroll on a phone: {width}px"
        assert page.locator("#inbox").is_visible()
        screenshot(page, "walk-home-school.info-phone")
    finally:
        ctx.close()
