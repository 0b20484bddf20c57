"""A computer test ended while the PC was offline: the answers given while the clock ran stay in
the browser's queue (IndexedDB) and are sent, and taken, when the network returns, after the
technician ended the test; the server's clock decides, not the client's."""

from __future__ import annotations

import pytest

from jiance import clock
from jiance.accounts.scoping import Scope
from jiance.cbt.models import ItemResponse
from jiance.cbt.services.console import sitting_act
from tests.browser.conftest import CbtPc, screenshot
from tests.cbt.builders import SESSION, at

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_test_ended_offline_sends_its_queue_when_the_network_returns(cbt_pc: CbtPc) -> None:
    s, pc, pc_url, student = cbt_pc.lab, cbt_pc.pc, cbt_pc.url, cbt_pc.context
    d = cbt_pc.authorise_and_start()
    status = pc.locator("#save-status")
    with clock.frozen(at(9, 10)):
        pc.clock.set_fixed_time(at(9, 10))
        pc.goto(pc_url)
        pc.locator("#item-EX-M-001 input[value=B]").check()
        status.filter(has_text="所有答案已保存").wait_for()
        student.set_offline(True)  # the room's network goes down
        pc.clock.set_fixed_time(at(9, 15))
        pc.fill("#item-EX-M-003 input", "30")
        pc.locator("#item-EX-M-003 input").blur()
        pc.locator("#item-EX-M-002 input[value=A]").check()
        status.filter(has_text="2 条答案待发送").wait_for()
        screenshot(pc, "cbt-offline-queue")
    assert dict(ItemResponse.objects.values_list("name", "value")) == {"EX-M-001": "B"}
    with clock.frozen(at(9, 20)):  # the technician ends the test while the PC is still offline
        sitting_act(scope=Scope(s.tech), room=s.room, session=SESSION, action="end", actor=s.tech, version=None)
    d.refresh_from_db()
    assert d.status == "completed" and d.stopped_at == at(9, 20)
    with clock.frozen(at(9, 40)):  # the network returns twenty minutes later
        student.set_offline(False)
        pc.evaluate("() => window.dispatchEvent(new Event('online'))")
        pc.wait_for_function("() => !document.querySelector('#save-status') || "
                             "document.querySelector('#save-status').textContent.indexOf('待发送') < 0",
                             timeout=20_000)
        pc.goto(pc_url)  # the screen after the end
        pc.locator("#done-note").filter(has_text="本场测试已交卷").wait_for()
        screenshot(pc, "cbt-offline-queue-sent")
    assert dict(ItemResponse.objects.values_list("name", "value")) == {
        "EX-M-001": "B", "EX-M-003": "30", "EX-M-002": ["A"]}
    assert {str(t.astimezone(at(0).tzinfo).time())[:5] for t in d.saves.values_list("client_at", flat=True)} == {
        "09:10", "09:15"}
