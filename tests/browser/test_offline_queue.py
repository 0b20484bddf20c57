"""The offline queue (static/jiance/queue.js) in Chromium on a phone: actions taken offline wait
in IndexedDB with their original time, survive the page being closed, arrive once each when the
network returns (a reply lost on the way does not duplicate them), and a refusal is kept and shown."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.utils import timezone

from jiance import clock
from tests.browser import queue_probe
from tests.browser.conftest import screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True), pytest.mark.urls("tests.browser.queue_probe")]


@pytest.fixture(autouse=True)
def _fresh_probe() -> None:
    queue_probe.ACCEPTED.clear()
    queue_probe.POSTS.clear()


def _take(page: Any, value: str) -> None:
    page.fill("#value", value)
    page.click("#go")


def test_actions_taken_offline_survive_a_closed_page_and_arrive_once_in_order(phone_page: Any,
                                                                               live_server: Any) -> None:
    context = phone_page.context
    phone_page.goto(f"{live_server.url}/queue-probe/")
    context.set_offline(True)
    for value in ("甲", "乙", "丙"):
        _take(phone_page, value)
    status = phone_page.locator("[data-queue-status]")
    status.locator(".queue-count").filter(has_text="3 条操作待发送").wait_for()
    assert "当前离线" in status.inner_text()
    screenshot(phone_page, "offline-queue-waiting")
    assert queue_probe.POSTS == []

    phone_page.close()  # the phone's browser is closed while still offline
    context.set_offline(False)
    again = context.new_page()
    again.goto(f"{live_server.url}/queue-probe/")
    again.locator("#count").filter(has_text="3").wait_for()  # sent on load, then the part re-read
    assert "甲、乙、丙" in again.locator("#held").inner_text()
    assert again.locator("[data-queue-status]").is_hidden()
    assert sorted(queue_probe.POSTS) == ["丙", "乙", "甲"]


def test_a_reply_lost_on_the_way_is_sent_again_and_counted_once(phone_page: Any, live_server: Any) -> None:
    lost = {"n": 0}

    def lose_first_reply(route: Any) -> None:
        if lost["n"] == 0 and route.request.method == "POST":
            lost["n"] += 1
            route.fetch()  # the server commits ...
            route.abort("connectionreset")  # ... but its answer never reaches the phone
            return
        route.continue_()

    phone_page.route("**/queue-probe/", lose_first_reply)
    phone_page.goto(f"{live_server.url}/queue-probe/")
    _take(phone_page, "丁")
    phone_page.locator(".queue-count").wait_for()
    # the first flush may still be failing: wait for it, then send again
    phone_page.evaluate("window.JianceQueue.flush().then(() => window.JianceQueue.flush())")
    phone_page.locator("#count").filter(has_text="1").wait_for()
    assert queue_probe.POSTS == ["丁", "丁"] and len(queue_probe.ACCEPTED) == 1


def test_a_refused_action_is_kept_with_the_reason_until_dismissed(phone_page: Any, live_server: Any) -> None:
    phone_page.goto(f"{live_server.url}/queue-probe/")
    _take(phone_page, "bad")
    refused = phone_page.locator(".queue-refused")
    refused.wait_for()
    assert "“bad”不能登记" in refused.inner_text()
    phone_page.reload()
    phone_page.locator(".queue-refused").wait_for()  # still there after a reload
    screenshot(phone_page, "offline-queue-refused")
    phone_page.click(".queue-refused button")
    phone_page.locator("[data-queue-status]").wait_for(state="hidden")
    assert queue_probe.ACCEPTED == {}


def test_an_action_is_stamped_on_the_server_clock_not_the_phone_clock(phone_page: Any, live_server: Any) -> None:
    """The phone's own clock says 2026; the server's says a test-day morning of 2022 (as the demo
    served with JIANCE_NOW does): the action keeps the server's moment and is not refused."""
    morning = timezone.make_aware(dt.datetime(2022, 5, 25, 10, 10))
    with clock.frozen(morning):
        phone_page.goto(f"{live_server.url}/queue-probe/")
        _take(phone_page, "戊")
        phone_page.locator("#count").filter(has_text="1").wait_for()
    [(value, at)] = queue_probe.ACCEPTED.values()
    assert value == "戊" and dt.datetime.fromisoformat(at) == morning
