"""Incidents on a phone (390×844): the school's information officer records an incident for a
seated student, the county inspector confirms it; the county's list, the hotline page and the
report tables are rendered for the screenshots (PDF pages as PNG)."""

from __future__ import annotations

import subprocess
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect

from jiance import clock
from jiance.documents.printing import table_pdf
from jiance.incidents.models import Incident, IncidentStatus
from jiance.incidents.reports import incident_table
from tests.browser.conftest import SCREENSHOTS, login, screenshot
from tests.incidents.builders import at, incidents_section, people, seated_room
from tests.testday.builders import testday_cycle as make_testday_cycle

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def morning() -> Any:
    with clock.frozen(at(9, 30)):
        yield


@pytest.fixture
def setup(world: Any, settings: Any) -> Any:
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    cycle = make_testday_cycle(world, incidents=incidents_section("national-2022"))
    seated_room(cycle, world.school_a1, 12)
    return cycle, people(world)


def test_officer_records_and_inspector_confirms_on_a_phone(browser: Any, phone_page: Any, live_server: Any,
                                                            setup: Any, world: Any) -> None:
    _cycle, p = setup
    page = phone_page
    page.clock.set_system_time(at(9, 30))  # the phone's clock agrees with the frozen server's
    login(page, live_server, "officer_a1")
    page.goto(f"{live_server.url}/incidents/")
    assert page.locator("#record-link").is_visible()
    with page.expect_navigation():  # the form's deferred scripts have run once the page has loaded
        page.click("#record-link")
    page.select_option("#id_kind", "student_unwell")
    expect(page.locator("#kind-handling")).to_contain_text("按缺测生处理")
    page.select_option("#id_room", index=1)
    page.select_option("#id_session", index=1)
    page.locator("#field-students label.student").nth(4).click()
    page.fill("#id_what", "一名学生腹痛，不能坚持完成语文测试。")
    page.fill("#id_actions", "准其退出测试，交校医处理。")
    screenshot(page, "incidents-phone-record")
    # the school's network drops: the action waits on the phone with its time, then goes once
    page.context.set_offline(True)
    page.click("#submit-button")
    status = page.locator("[data-queue-status]")
    status.locator(".queue-count").filter(has_text="1 条操作待发送").wait_for()
    screenshot(page, "incidents-phone-queued")
    assert not Incident.objects.exists()
    page.context.set_offline(False)
    page.evaluate("window.JianceQueue.flush()")
    page.locator("#recorded-today li[id^=recorded-]").first.wait_for()
    assert "个别学生身体不适" in page.inner_text("#recorded-today")
    screenshot(page, "incidents-phone-sent")
    incident = Incident.objects.get()
    assert (incident.status, incident.grade, incident.students.count()) == (IncidentStatus.RECORDED, 1, 1)
    assert incident.recorded_at == at(9, 30)  # the phone's time of the action
    with page.expect_navigation():
        page.click(f"#recorded-{incident.pk} a")
    assert "待确认" in page.inner_text("#incident-status")
    assert "05" in page.inner_text("#incident-students")
    screenshot(page, "incidents-phone-recorded")

    ctx = browser.new_context(locale="zh-CN", timezone_id="Asia/Shanghai", viewport={"width": 390, "height": 844},
                              device_scale_factor=2, is_mobile=True, has_touch=True)
    try:
        inspector = ctx.new_page()
        login(inspector, live_server, "inspector_a")
        inspector.goto(f"{live_server.url}/incidents/")
        assert incident.number in inspector.inner_text("#incident-list")
        with inspector.expect_navigation():
            inspector.click(f"#incident-{incident.pk} a")
        screenshot(inspector, "incidents-phone-inspector")
        inspector.select_option("#confirm-grade", "1")
        with inspector.expect_navigation():
            inspector.click("#confirm-button")
        assert "已确认" in inspector.inner_text("#incident-status")
        screenshot(inspector, "incidents-phone-confirmed")
    finally:
        ctx.close()
    incident.refresh_from_db()
    assert incident.status == IncidentStatus.CONFIRMED and incident.confirmed_by == p.inspector_a
    assert list(incident.events.values_list("action", flat=True)) == ["record", "confirm"]


def test_county_pages_and_report_for_the_screenshots(page: Any, live_server: Any, setup: Any, world: Any) -> None:
    from jiance.incidents import hotline
    from tests.incidents.builders import record
    from tests.incidents.test_chain import step

    cycle, p = setup
    g3 = record(p, cycle, world.school_a1, "impersonation", what="第1监测室发现 1 名冒名顶替者")
    step(p, "inspector_a", g3, "confirm")
    step(p, "county_a", g3, "escalate", "建议该座位按缺测处理，调查组织者")
    record(p, cycle, world.school_a1, "misprint", what="2 份测试卷缺页")
    call = hotline.hotline_call_log(scope=p.scope("liaison_a"), cycle=cycle, county=world.county_a, actor=p.liaison_a,
                                    at=at(9, 5), caller="家长李女士", content="反映学校附近施工噪音大",
                                    handling="已请责任督学核实", school=world.school_a1)
    hotline.hotline_call_to_incident(scope=p.scope("liaison_a"), call=call, actor=p.liaison_a, kind_code="other")
    login(page, live_server, "county_a")
    page.goto(f"{live_server.url}/incidents/unit/{world.county_a.code}/")
    assert "1" in page.inner_text("#incident-counts")
    screenshot(page, "incidents-county-list")
    page.goto(f"{live_server.url}/incidents/hotline/{world.county_a.code}/")
    assert "家长李女士" in page.inner_text("#call-list")
    screenshot(page, "incidents-hotline")
    page.goto(f"{live_server.url}/incidents/catalogue/")
    screenshot(page, "incidents-catalogue")
    page.goto(f"{live_server.url}/incidents/{g3.pk}/")
    screenshot(page, "incidents-county-grade3")
    pdf = table_pdf(incident_table(cycle=cycle, unit=world.county_a), cycle_name=cycle.name)
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / "incidents-county-report.pdf"
    path.write_bytes(pdf)
    subprocess.run(["pdftoppm", "-png", "-r", "70", "-f", "1", "-l", "1", str(path),
                    str(SCREENSHOTS / "incidents-county-report")], check=True)
    assert any(Path(SCREENSHOTS).glob("incidents-county-report*.png"))
