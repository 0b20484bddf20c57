"""Test day on a phone: a proctor checks a room in (a typed barcode through the offline queue, a
tap on a row, an absence), and the timekeeper's page in landscape shows Beijing time taken from
the server's (frozen) clock and the 10-minute warning before the end of the Chinese test."""

from __future__ import annotations

from typing import Any

import pytest

from jiance import clock
from jiance.printouts import barcode_value
from jiance.proctoring.models import CheckIn, Presence
from tests.browser.conftest import login, screenshot
from tests.factories import World, make_user
from tests.proctoring.builders import at, site

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_proctor_checks_in_a_room_on_a_phone(world: World, phone_page: Any, live_server: Any) -> None:
    with clock.frozen(at(20, 10)):
        s = site(world)
    moment = at(25, 8, 15)
    phone_page.clock.set_fixed_time(moment)  # the phone's clock agrees with the server's frozen one
    with clock.frozen(moment):
        login(phone_page, live_server, "proctor")
        phone_page.goto(f"{live_server.url}/proctoring/room/{s.room.pk}/s1-chinese/")
        first = s.seats[0].student
        code = barcode_value(cycle_year=2022, school_code=s.room.school.code, room=1, seat=1,
                             student_no=first.student_no, session=1)
        phone_page.fill("#scan-code", code)
        phone_page.click("#scan-form button.primary")
        row = phone_page.locator("li.pr-row[data-seat='1']")
        row.locator(".pr-state").filter(has_text="已到").wait_for()
        phone_page.locator("li.pr-row[data-seat='2'] button[value=present]").click()
        phone_page.locator("li.pr-row[data-seat='2'] .pr-state").filter(has_text="已到").wait_for()
        phone_page.locator("li.pr-row[data-seat='3'] button[value=absent]").click()
        phone_page.locator("li.pr-row[data-seat='3'] .pr-state").filter(has_text="缺考").wait_for()
        assert "已到 2" in phone_page.locator("#counts").inner_text()
        screenshot(phone_page, "proctoring-room-checkin")
    marks = dict(CheckIn.objects.values_list("seat__seat", "status"))
    assert marks == {1: Presence.PRESENT, 2: Presence.PRESENT, 3: Presence.ABSENT}
    assert not phone_page.locator("li.pr-row[data-seat='3'] button[value=absent]").count()  # never replaced


def test_the_check_in_scanner_reads_a_student_barcode_where_the_browser_has_no_detector(
        world: World, phone_page: Any, live_server: Any) -> None:
    """Chromium on Linux has no BarcodeDetector of its own: the room page loads the vendored ZXing
    polyfill under its CSP and reads a printed student barcode (as a camera image) back."""
    import base64
    import io

    import barcode
    from barcode.writer import ImageWriter

    with clock.frozen(at(20, 10)):
        s = site(world)
    moment = at(25, 8, 15)
    first = s.seats[0].student
    code = barcode_value(cycle_year=2022, school_code=s.room.school.code, room=1, seat=1,
                         student_no=first.student_no, session=1)
    image = io.BytesIO()
    barcode.get("code128", code, writer=ImageWriter()).write(image)
    png = base64.b64encode(image.getvalue()).decode()
    refused: list[str] = []
    phone_page.on("console", lambda m: refused.append(m.text) if m.type == "error" else None)
    phone_page.set_default_timeout(60_000)
    with clock.frozen(moment):
        login(phone_page, live_server, "proctor")
        phone_page.goto(f"{live_server.url}/proctoring/room/{s.room.pk}/s1-chinese/")
        assert phone_page.locator("#scan-camera").is_visible()
        read = phone_page.evaluate("""async (png) => {
            const img = new Image(); img.src = "data:image/png;base64," + png; await img.decode();
            const d = await window.jianceCheckinScanner.detector();
            return (await d.detect(img)).map((c) => c.rawValue); }""", png)
    assert read == [code]
    assert not [m for m in refused if "Content Security Policy" in m], refused


def test_the_timekeeper_page_shows_the_ten_minute_warning(world: World, browser: Any, live_server: Any) -> None:
    with clock.frozen(at(20, 10)):
        s = site(world)
    make_user("keeper", "timekeeper", world.school_a1)
    ctx = browser.new_context(viewport={"width": 844, "height": 390}, is_mobile=True, has_touch=True,
                              locale="zh-CN", timezone_id="Europe/London")  # the phone's own clock is wrong
    page = ctx.new_page()
    # ... and wrong the same way on every run: on the real clock, between 10:10 and 10:19 Beijing time
    # the page's own time, shown until the sync, already read "10:1"
    page.clock.set_system_time(at(24, 18, 0))
    try:
        with clock.frozen(at(25, 10, 11)):
            login(page, live_server, "keeper")
            page.goto(f"{live_server.url}/proctoring/school/{s.room.school.code}/timekeeper/")
            page.locator("#tk-sync").filter(has_text="已与服务器校时").wait_for()
            page.locator("#tk-clock").filter(has_text="10:1").wait_for()
            warning = page.locator("#tk-warning")
            warning.wait_for()
            assert warning.inner_text() == "学生语文测试：离结束还有 9 分钟，请提醒学生"  # 10:11 → 10:20
            assert "10:20" in page.locator("#tk-next").inner_text()
            screenshot(page, "proctoring-timekeeper-landscape")
            page.click("#tk-full")
            assert "tk-fullscreen" in (page.locator("#tk").get_attribute("class") or "")
            screenshot(page, "proctoring-timekeeper-fullscreen", full_page=False)
    finally:
        ctx.close()
