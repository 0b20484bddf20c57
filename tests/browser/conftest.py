"""Browser-test harness: headless Debian Chromium driven by Playwright.

Fixtures: `browser` (session), `page` (a fresh 1280×900 context per test), `phone_page`
(390×844, touch). Helpers: `login(page, live_server, username)` and `screenshot(page, name)`
(writes artifacts/screenshots/<name>.png, git-ignored). Mark tests
`@pytest.mark.browser` and `@pytest.mark.django_db(transaction=True)`.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
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
def browser() -> Iterator[Any]:
    if not CHROMIUM.exists():
        pytest.skip("/usr/bin/chromium 不存在：请先运行 make system-deps（apt-get install chromium）")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=str(CHROMIUM), args=LAUNCH_ARGS)
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
