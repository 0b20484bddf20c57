"""A computer-based test in Chromium: a student signs in with the slip at the PC of the seat, sees
the booklet number and a paper item, answers two items (saved through the offline queue); the
proctor pauses that student from the console and resumes 30 minutes later; the student's screen
shows the same time left as before the pause (the server's clock, frozen here)."""

from __future__ import annotations

from typing import Any

import pytest

from jiance import clock
from jiance.accounts.scoping import Scope
from jiance.cbt.models import Delivery, ItemResponse
from jiance.cbt.services.console import delivery_act, sitting_act
from tests.browser.conftest import CbtPc, login, screenshot
from tests.cbt.builders import SESSION, at, lab
from tests.factories import World

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_student_answers_and_pause_keeps_the_remaining_time(cbt_pc: CbtPc, browser: Any, live_server: Any) -> None:
    s, pc, pc_url = cbt_pc.lab, cbt_pc.pc, cbt_pc.url
    assert "请等待监测员授权" in pc.locator("#wait-note").inner_text()
    assert "题本号 1" in pc.locator("#booklet").inner_text()
    cbt_pc.authorise_and_start()
    with clock.frozen(at(9, 10)):
        pc.clock.set_fixed_time(at(9, 10))
        pc.goto(pc_url)
        assert pc.locator("#remaining").get_attribute("data-remaining") == str(70 * 60)
        assert "本题请在答题卡上作答" in pc.locator("#item-EX-M-006").inner_text()
        pc.locator("#item-EX-M-001 input[value=B]").check()
        pc.fill("#item-EX-M-003 input", "30")
        pc.locator("#item-EX-M-003 input").blur()
        pc.locator("#save-status").filter(has_text="所有答案已保存").wait_for()
        screenshot(pc, "cbt-student-screen")
    assert dict(ItemResponse.objects.values_list("name", "value")) == {"EX-M-001": "B", "EX-M-003": "30"}

    proctor = browser.new_context(locale="zh-CN", timezone_id="Asia/Shanghai", viewport={"width": 1280, "height": 900})
    proctor.set_default_timeout(15_000)
    console = proctor.new_page()
    console_url = f"{live_server.url}/cbt/room/{s.room.pk}/{SESSION}/"
    with clock.frozen(at(9, 20)):
        login(console, live_server, "proctor")
        console.goto(console_url)
        console.locator("#seat-1 button[value=pause]").click()
        console.locator("#seat-1 .cbt-state").filter(has_text="已暂停").wait_for()
        screenshot(console, "cbt-console-paused")
        pc.clock.set_fixed_time(at(9, 20))
        pc.goto(pc_url)
        assert "考试已暂停" in pc.locator("#paused-note").inner_text()
        assert pc.locator("#remaining").get_attribute("data-remaining") == str(60 * 60)
    with clock.frozen(at(9, 50)):
        console.goto(console_url)
        console.locator("#seat-1 button[value=resume]").click()
        console.locator("#seat-1 .cbt-state").filter(has_text="作答中").wait_for()
        pc.clock.set_fixed_time(at(9, 50))
        pc.goto(pc_url)
        assert pc.locator("#remaining").get_attribute("data-remaining") == str(60 * 60)  # 30 minutes paused cost nothing
        assert pc.locator("#remaining").inner_text() in ("60:00", "59:59", "59:58")
        assert pc.locator("#item-EX-M-001 input[value=B]").is_checked()
        screenshot(pc, "cbt-student-resumed")
    proctor.close()


def test_a_student_moved_to_a_spare_pc_finishes_there_with_the_time_kept(
        world: World, browser: Any, live_server: Any) -> None:
    s = lab(world)
    with clock.frozen(at(8, 50)):
        sitting_act(scope=Scope(s.tech), room=s.room, session=SESSION, action="prepare", actor=s.tech, version=None)
    ctx = browser.new_context(locale="zh-CN", timezone_id="Asia/Shanghai", viewport={"width": 1280, "height": 900})
    ctx.set_default_timeout(15_000)
    old_pc, spare_pc = ctx.new_page(), browser.new_context(locale="zh-CN", timezone_id="Asia/Shanghai").new_page()
    slip = s.slips[1]
    spare = s.spares[0].seat

    def sign_in(page: Any, seat: int) -> None:
        page.goto(f"{live_server.url}/cbt/pc/{s.room.pk}/{seat}/")
        page.fill("input[name=login]", slip.login or "")
        page.fill("input[name=code]", slip.code)
        with page.expect_navigation():
            page.click("#pc-login button")

    with clock.frozen(at(8, 52)):
        sign_in(old_pc, 1)
    # The PC page polls its state: with SQLite's shared in-memory test database a poll landing during
    # this thread's write fails with "database table is locked", so the page is left while it writes.
    old_pc.goto("about:blank")
    d = Delivery.objects.get()
    with clock.frozen(at(8, 55)):
        delivery_act(scope=Scope(s.proctor), delivery=d, action="authorise", actor=s.proctor, version=d.version)
    with clock.frozen(at(9, 0)):
        sitting_act(scope=Scope(s.tech), room=s.room, session=SESSION, action="start", actor=s.tech, version=None)
    with clock.frozen(at(9, 15)):
        old_pc.clock.set_fixed_time(at(9, 15))
        old_pc.goto(f"{live_server.url}/cbt/pc/{s.room.pk}/1/")
        old_pc.locator("#item-EX-M-001 input[value=B]").check()
        old_pc.locator("#save-status").filter(has_text="所有答案已保存").wait_for()
    proctor = browser.new_context(locale="zh-CN", timezone_id="Asia/Shanghai", viewport={"width": 1280, "height": 900})
    console = proctor.new_page()
    with clock.frozen(at(9, 20)):
        login(console, live_server, "proctor")
        console.goto(f"{live_server.url}/cbt/room/{s.room.pk}/{SESSION}/")
        console.locator("#seat-1 summary").click()
        console.fill("#seat-1 input[name=reason]", "01 号机死机")
        console.select_option("#seat-1 select[name=to_seat]", str(spare))
        console.locator("#seat-1 button[value=move]").click()
        console.locator(f"#seat-{spare}").filter(has_text="已换到本机").wait_for()
        screenshot(console, "cbt-console-moved")
        old_pc.goto(f"{live_server.url}/cbt/pc/{s.room.pk}/1/")
        assert f"{spare:02d} 号机" in old_pc.locator("#pc-refused").inner_text()
        screenshot(old_pc, "cbt-old-pc-refused")
    with clock.frozen(at(9, 40)):
        spare_pc.clock.set_fixed_time(at(9, 40))
        sign_in(spare_pc, spare)
        assert spare_pc.locator("#remaining").get_attribute("data-remaining") == str(60 * 60)  # 80 - 20 minutes
        assert spare_pc.locator("#item-EX-M-001 input[value=B]").is_checked()
        spare_pc.fill("#item-EX-M-003 input", "30")
        spare_pc.locator("#item-EX-M-003 input").blur()
        spare_pc.locator("#save-status").filter(has_text="所有答案已保存").wait_for()
        screenshot(spare_pc, "cbt-spare-pc")
        spare_pc.once("dialog", lambda dialog: dialog.accept())
        with spare_pc.expect_navigation():
            spare_pc.click("#submit-button")
        assert "已交卷" in spare_pc.locator("#done-note").inner_text()
    spare_pc.goto("about:blank")
    console.goto("about:blank")
    d.refresh_from_db()
    assert d.status == "completed" and d.seat.seat == spare and d.remaining(at(9, 40)) == 60 * 60
    assert dict(ItemResponse.objects.values_list("name", "value")) == {"EX-M-001": "B", "EX-M-003": "30"}
    ctx.close()
    proctor.close()
