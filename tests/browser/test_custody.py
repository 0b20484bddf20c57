"""The custodian's phone page in Chromium (390×844): a box scanned out and back (the scan typed,
as the camera is not there), through the offline queue; the vendored ZXing scanner loads and runs
under the page's CSP; the county page, the school page and the printouts are screenshotted."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any

import pytest
from django.utils import timezone

from jiance import clock
from jiance.custody.models import LedgerEntry
from tests.browser.conftest import login, screenshot
from tests.custody.builders import PIN, People, custody_cycle, rooms
from tests.factories import World

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
BOX = "3601210001-P1-D1"


@pytest.fixture
def setup(settings: Any) -> Any:
    """Test day one is today: the browser stamps queued actions with the real time."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    today = clock.today()
    world = World()
    cycle = custody_cycle(test_days=[today.isoformat(), (today + dt.timedelta(days=1)).isoformat()])
    rooms(cycle, world.school_a1, 2)
    rooms(cycle, world.school_a2, 1, stage="junior")
    return world, cycle, People(world)


def _record(page: Any, step: str, code: str) -> None:
    page.select_option("#id_step", step)
    page.fill("#id_code", code)
    page.fill("#id_second_username", "a1.custodian")
    page.fill("#id_second_pin", PIN)
    page.click("#record-button")


@pytest.fixture
def nine_oclock(phone_page: Any) -> Iterator[None]:
    """09:00 of test day one on the server's clock and the phone's: the box is out, not yet overdue,
    whatever the hour the suite runs (the return is due the same afternoon)."""
    moment = timezone.make_aware(dt.datetime.combine(clock.today(), dt.time(9, 0)))
    phone_page.clock.set_fixed_time(moment)
    with clock.frozen(moment):
        yield


@pytest.mark.usefixtures("nine_oclock")
def test_the_custodian_scans_a_box_out_and_back_on_a_phone(phone_page: Any, live_server: Any, setup: Any) -> None:
    world, _cycle, _people = setup
    phone_page.set_default_timeout(60_000)
    phone_page.set_default_navigation_timeout(60_000)
    errors: list[str] = []
    phone_page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    phone_page.on("pageerror", lambda e: errors.append(str(e)))
    login(phone_page, live_server, "ncx.custodian")
    phone_page.goto(f"{live_server.url}/custody/{world.county_a.code}/")
    phone_page.locator("html[data-scanner=ready]").wait_for(state="attached")
    # only the fields of the chosen step show
    phone_page.select_option("#id_step", "issued")
    assert phone_page.locator("#id_tracking_no").is_hidden() and phone_page.locator("#id_code").is_visible()
    screenshot(phone_page, "custody-county-phone")
    _record(phone_page, "issued", BOX.lower())
    phone_page.locator(f'tr[data-box="{BOX}"][data-status="out"]').wait_for()
    _record(phone_page, "returned", BOX)
    phone_page.locator(f'tr[data-box="{BOX}"][data-status="returned"]').wait_for()
    screenshot(phone_page, "custody-county-phone-returned")
    assert list(LedgerEntry.objects.order_by("sequence").values_list("step", "box_code")) == [
        ("issued", BOX), ("returned", BOX)]
    # the ZXing polyfill (Chromium on Linux has no BarcodeDetector) loads its wasm from the platform
    found = phone_page.evaluate("""async () => {
        const d = await window.jianceScanner.detector();
        const c = document.createElement("canvas"); c.width = 120; c.height = 60;
        return (await d.detect(c)).length; }""")
    assert found == 0
    assert not errors, errors


def test_the_school_page_and_the_printouts(phone_page: Any, page: Any, live_server: Any, setup: Any) -> None:
    world, _cycle, _people = setup
    for p in (phone_page, page):
        p.set_default_timeout(60_000)
        p.set_default_navigation_timeout(60_000)
    login(phone_page, live_server, "a1.custodian")
    phone_page.goto(f"{live_server.url}/custody/")
    assert phone_page.url.endswith(f"/custody/{world.school_a1.code}/")
    screenshot(phone_page, "custody-school-phone")
    login(page, live_server, "nc.admin")
    page.goto(f"{live_server.url}/custody/{world.city.code}/")
    screenshot(page, "custody-city")


def test_the_printed_labels_scan_back_to_their_codes(phone_page: Any, live_server: Any, setup: Any) -> None:
    """The label PDF rendered to an image (as a camera would see it) and decoded in Chromium by the
    page's scanner (the vendored ZXing polyfill): the box code and every bag code come back."""
    import base64
    import shutil
    import subprocess
    import tempfile
    from pathlib import Path

    from jiance.custody import printing, state

    if shutil.which("pdftoppm") is None:
        pytest.skip("pdftoppm 不存在：请先运行 make system-deps")
    world, cycle, _people = setup
    rules = state.rules_of(cycle)
    assert rules is not None
    rooms_ = state.rooms_by_school(cycle=cycle, school_ids=[world.school_a1.pk])[world.school_a1.pk]
    boxes = state.boxes_of(cycle=cycle, rules=rules, school=world.school_a1, rooms=rooms_)
    pdf = printing.labels_pdf(cycle=cycle, rules=rules, school=world.school_a1, boxes=boxes[:1])
    with tempfile.TemporaryDirectory() as tmp:
        Path(tmp, "labels.pdf").write_bytes(pdf)
        subprocess.run(["pdftoppm", "-png", "-r", "150", "-f", "1", "-l", "1", "labels.pdf", "page"], cwd=tmp,
                       check=True)
        png = base64.b64encode(Path(tmp, "page-1.png").read_bytes()).decode()
    phone_page.set_default_timeout(60_000)
    phone_page.set_default_navigation_timeout(60_000)
    login(phone_page, live_server, "ncx.custodian")
    phone_page.goto(f"{live_server.url}/custody/{world.county_a.code}/")
    phone_page.locator("html[data-scanner=ready]").wait_for(state="attached")
    codes = phone_page.evaluate("""async (png) => {
        const img = new Image(); img.src = "data:image/png;base64," + png; await img.decode();
        const d = await window.jianceScanner.detector();
        return (await d.detect(img)).map((c) => c.rawValue).sort(); }""", png)
    assert codes == sorted([boxes[0].code, *(b.code for b in boxes[0].bags)])
