"""A spoken-English recording in Chromium with its fake audio device (a beeping microphone,
`--use-fake-device-for-media-stream --use-fake-ui-for-media-stream`): the student signs in with
the slip at the seat's PC, opens the recording page from the test page, passes the headset check
(the level meter moves, the test recording plays back), records the task, and the page shows the
server's check; the recording is in the database once, nothing is left in IndexedDB, and a county
reviewer's monitoring page shows it checked with a player."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from jiance import clock
from jiance.accounts.models import Role
from jiance.recordings.models import Recording
from tests.browser.conftest import CHROMIUM, LAUNCH_ARGS, login, screenshot
from tests.cbt.builders import at, lab
from tests.factories import World, make_user
from tests.recordings.builders import started, with_tasks

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

FAKE_MEDIA = ["--use-fake-device-for-media-stream", "--use-fake-ui-for-media-stream"]


@pytest.fixture
def media_browser(tmp_path: Any, settings: Any, playwright_driver: Any) -> Iterator[Any]:
    """A Chromium of its own whose microphone is the fake device (this test only)."""
    settings.MEDIA_ROOT = tmp_path / "media"
    b = playwright_driver.chromium.launch(executable_path=str(CHROMIUM), args=[*LAUNCH_ARGS, *FAKE_MEDIA])
    try:
        yield b
    finally:
        b.close()


def test_student_records_with_the_fake_microphone_and_the_monitor_shows_it_checked(
        world: World, media_browser: Any, live_server: Any) -> None:
    s = with_tasks(lab(world))
    # the fake device beeps at full scale half of the time: about 2 % of its samples are clipped
    s.cycle.config = {**(s.cycle.config or {}), "recordings": {"checks": {"maxClipped": 0.05}}}
    s.cycle.save(update_fields=["config"])
    started(s)
    ctx = media_browser.new_context(locale="zh-CN", timezone_id="Asia/Shanghai", viewport={"width": 1280, "height": 900})
    ctx.set_default_timeout(20_000)
    pc = ctx.new_page()
    slip = s.slips[1]
    with clock.frozen(at(9, 2)):
        pc.goto(f"{live_server.url}/cbt/pc/{s.room.pk}/1/")
        pc.fill("input[name=login]", slip.login or "")
        pc.fill("input[name=code]", slip.code)
        with pc.expect_navigation():
            pc.click("#pc-login button")
        with pc.expect_navigation():
            pc.locator("#item-R-SPK-01 [data-recording-task] a").click()
        assert pc.locator("#tasks").is_hidden()
        pc.click("#headset-start")
        pc.locator("#level[data-heard='1']").wait_for(state="attached")  # the meter moved with the beeps
        ok = pc.locator("#headset-ok:not([disabled])")
        ok.wait_for()
        assert (pc.locator("#headset-playback").get_attribute("src") or "").startswith("blob:")
        screenshot(pc, "recordings-headset-check")
        ok.click()
        task = pc.locator("#task-R-SPK-01")
        task.locator("[data-begin]").click()
        task.locator("[data-stop]").wait_for(state="visible")
        pc.wait_for_timeout(5_000)
        task.locator("[data-stop]").click()
        task.locator("[data-state-text].rec-checked").wait_for()
        screenshot(pc, "recordings-student-checked")
        left = pc.evaluate("""() => new Promise((resolve) => {
            const req = indexedDB.open("jiance-recordings", 1);
            req.onsuccess = () => { const t = req.result.transaction("recordings", "readonly");
                                    const all = t.objectStore("recordings").getAll();
                                    all.onsuccess = () => resolve(all.result.length); }; })""")
        assert left == 0
        pc.reload()
        assert "检查通过" in pc.locator("#task-R-SPK-01 [data-state-text]").inner_text()
    row = Recording.objects.get()
    assert row.state == "checked" and row.task == "R-SPK-01" and row.duration and row.duration >= 3
    assert row.content_type in ("audio/webm", "audio/mp4")

    make_user("county", Role.COUNTY_ADMIN, world.county_a)
    staff = media_browser.new_context(locale="zh-CN", timezone_id="Asia/Shanghai",
                                      viewport={"width": 1280, "height": 900})
    monitor = staff.new_page()
    login(monitor, live_server, "county")
    monitor.goto(f"{live_server.url}/recordings/unit/{world.school_a1.code}/")
    cell = monitor.locator('tr[data-task="R-SPK-01"][data-state="checked"]')
    assert cell.count() == 1 and "检查通过" in cell.inner_text()
    assert cell.locator("audio").count() == 1
    assert monitor.locator('tr[data-task="R-SING-01"][data-state="not_started"]').count() >= 1
    screenshot(monitor, "recordings-monitor-school")
    monitor.goto(f"{live_server.url}/recordings/unit/{world.county_a.code}/")
    assert world.school_a1.name in monitor.locator("#schools").inner_text()
    screenshot(monitor, "recordings-monitor-county")
