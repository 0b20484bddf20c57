"""Browser-test harness: headless Debian Chromium driven by Playwright.

Fixtures: `browser` (session), `page` (a fresh 1280×900 context per test), `phone_page`
(390×844, touch). Helpers: `login(page, live_server, username)` and `screenshot(page, name)`
(writes artifacts/screenshots/<name>.png, git-ignored). Mark tests
`@pytest.mark.browser` and `@pytest.mark.django_db(transaction=True)`.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from tests.factories import PASSWORD

# Playwright's sync API runs an event loop in this thread; the ORM calls the tests make between
# page actions are still synchronous, so Django's async-safety check must be told so.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = Path("/usr/bin/chromium")
LAUNCH_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
SCREENSHOTS = Path(__file__).resolve().parents[2] / "artifacts" / "screenshots"
DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 390, "height": 844}


@pytest.fixture(scope="session")
def playwright_driver() -> Iterator[Any]:
    """One Playwright per test process: a second `sync_playwright()` in the same process fails
    ("Sync API inside the asyncio loop"), so a test needing other launch arguments launches its own
    Chromium from this one."""
    if not CHROMIUM.exists():
        pytest.skip("/usr/bin/chromium 不存在：请先运行 make system-deps（apt-get install chromium）")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        yield p


@pytest.fixture(scope="session")
def browser(playwright_driver: Any) -> Iterator[Any]:
    b = playwright_driver.chromium.launch(executable_path=str(CHROMIUM), args=LAUNCH_ARGS)
    try:
        yield b
    finally:
        b.close()


def _page(browser: Any, **context: Any) -> Iterator[Any]:
    ctx = browser.new_context(locale="zh-CN", timezone_id="Asia/Shanghai", **context)
    ctx.set_default_timeout(15_000)
    page = ctx.new_page()
    try:
        yield page
    finally:
        ctx.close()


@pytest.fixture
def page(browser: Any) -> Iterator[Any]:
    yield from _page(browser, viewport=DESKTOP)


@pytest.fixture
def phone_page(browser: Any) -> Iterator[Any]:
    yield from _page(browser, viewport=PHONE, device_scale_factor=2, is_mobile=True, has_touch=True)


def login(page: Any, live_server: Any, username: str, password: str = PASSWORD) -> None:
    """Log in through the login form and wait for the page after it."""
    page.goto(f"{live_server.url}/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", password)
    with page.expect_navigation():
        page.click("button[type=submit]")


def screenshot(page: Any, name: str, *, full_page: bool = True) -> Path:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=full_page)
    return path


HAN = "[\u4e00-\u9fff]"
# The page's own words (not its data): headings, table heads, buttons, labels, navigation.
CHROME = "h2, h3, th, button:not([value=zh-hans]), label, .topnav a, .chain li"


def switch_to_english(page: Any) -> None:
    """Press the English button in the page header (the choice stays with the browser)."""
    if page.locator("html").get_attribute("lang") == "en":
        return
    with page.expect_navigation():
        page.get_by_role("button", name="English").click()
    assert page.locator("html").get_attribute("lang") == "en"


def chinese_chrome(page: Any) -> list[str]:
    """The page's own words that are still Chinese. Data may be Chinese: the units' and cycles'
    names, and any element that declares its language (`lang="zh-Hans"`, e.g. session names)."""
    import re

    from jiance.cycles.models import Cycle
    from jiance.units.models import Unit

    names = sorted({*Unit.objects.values_list("name", flat=True), *Cycle.objects.values_list("name", flat=True)},
                   key=len, reverse=True)

    texts = page.evaluate(
        """(selector) => [...document.querySelectorAll(selector)]
            .filter((el) => !el.parentElement.closest("[lang]:not(html)"))
            .map((el) => {
                const copy = el.cloneNode(true);
                copy.querySelectorAll("[lang]").forEach((inner) => inner.remove());
                return copy.textContent;
            })""",
        CHROME,
    )
    for name in names:
        texts = [t.replace(name, "") for t in texts]
    return [t.strip() for t in texts if re.search(HAN, t)]


@dataclass
class CbtPc:
    """A computer room prepared for the morning session (8:50) and seat 1's student signed in at
    its PC with the slip (8:52): the page waits for the proctor's authorisation."""

    lab: Any  # tests.cbt.builders.Lab
    context: Any
    pc: Any
    url: str

    def authorise_and_start(self) -> Any:
        """The proctor authorises the student (8:55), the technician starts the session (9:00)."""
        from jiance import clock
        from jiance.accounts.scoping import Scope
        from jiance.cbt.models import Delivery
        from jiance.cbt.services.console import delivery_act, sitting_act
        from tests.cbt.builders import SESSION, at

        s, d = self.lab, Delivery.objects.get()
        with clock.frozen(at(8, 55)):
            delivery_act(scope=Scope(s.proctor), delivery=d, action="authorise", actor=s.proctor, version=d.version)
        with clock.frozen(at(9, 0)):
            sitting_act(scope=Scope(s.tech), room=s.room, session=SESSION, action="start", actor=s.tech, version=None)
        return d


@pytest.fixture
def cbt_pc(world: Any, browser: Any, live_server: Any) -> Iterator[CbtPc]:
    from jiance import clock
    from jiance.accounts.scoping import Scope
    from jiance.cbt.services.console import sitting_act
    from tests.cbt.builders import SESSION, at, lab

    s = lab(world)
    with clock.frozen(at(8, 50)):
        sitting_act(scope=Scope(s.tech), room=s.room, session=SESSION, action="prepare", actor=s.tech, version=None)
    context = browser.new_context(locale="zh-CN", timezone_id="Asia/Shanghai", viewport=DESKTOP)
    context.set_default_timeout(15_000)
    pc = context.new_page()
    url = f"{live_server.url}/cbt/pc/{s.room.pk}/1/"
    slip = s.slips[1]
    with clock.frozen(at(8, 52)):
        pc.clock.set_fixed_time(at(8, 52))
        pc.goto(url)
        pc.fill("input[name=login]", slip.login or "")
        pc.fill("input[name=code]", slip.code)
        with pc.expect_navigation():
            pc.click("#pc-login button")
    try:
        yield CbtPc(lab=s, context=context, pc=pc, url=url)
    finally:
        context.close()
