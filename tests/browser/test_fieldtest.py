"""PE field test in the browser: the information officer types cards in with the keyboard (one
value out of range, confirmed; one student absent), a PE proctor checks them on a phone (two
approved, one sent back), and the progress figures show it."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import expect

from jiance import clock
from jiance.accounts.models import Role
from jiance.fieldtest.models import CardStatus, FieldCard
from tests.browser.conftest import login, screenshot
from tests.factories import make_user
from tests.fieldtest.conftest import fieldtest_section
from tests.incidents.builders import at
from tests.testday.builders import sample_school
from tests.testday.builders import testday_cycle as make_testday_cycle

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def morning() -> Any:
    with clock.frozen(at(11, 0, day=26)):
        yield


@pytest.fixture
def setup(world: Any, settings: Any) -> Any:
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    cycle = make_testday_cycle(world, fieldtest=fieldtest_section())
    students = sample_school(cycle, world.school_a1, 4)
    students[1].sex = "女"
    students[1].save(update_fields=["sex"])
    make_user("pe_officer", Role.SCHOOL_INFO_OFFICER, world.school_a1, full_name="付晓婷")
    make_user("pe_proctor", Role.PROCTOR, world.school_a1, full_name="吴玉洁")
    make_user("pe_county", Role.COUNTY_ADMIN, world.county_a)
    return cycle, students


def type_row(page: Any, student_id: int, values: list[str]) -> None:
    page.locator(f"#s{student_id} input[name=v_height]").click()
    for i, v in enumerate(values):
        if i:
            page.keyboard.press("Tab")
        page.keyboard.type(v)
    page.keyboard.press("Enter")


def test_officer_enters_proctor_checks_progress_shows_it(browser: Any, page: Any, phone_page: Any,
                                                          live_server: Any, setup: Any, world: Any) -> None:
    _cycle, students = setup
    a, b, c, _d = students
    school = world.school_a1.code
    login(page, live_server, "pe_officer")
    page.goto(f"{live_server.url}/fieldtest/")
    assert page.locator("tr.card-row").count() == 4

    # row 1 with the keyboard only; Enter saves it and the cursor goes to the next row
    type_row(page, a.pk, ["135.2", "31.5", "9.8", "6.5", "120", "35"])
    page.locator(f"#s{a.pk} .saved-note").wait_for()
    # the note is swapped in at once; entry.js moves the cursor only on htmx:afterSettle (20 ms later)
    expect(page.locator(f"tr#s{b.pk} input[name=v_height]")).to_be_focused()

    # row 2: a height out of range is refused until confirmed
    type_row(page, b.pk, ["185.0", "30.0", "10.2", "12.0", "140", "30"])
    page.locator(f"#s{b.pk} .field-error").first.wait_for()
    assert "超出合理范围" in page.inner_text(f"#s{b.pk}")
    assert not FieldCard.objects.filter(student=b).exists()
    page.locator(f"#s{b.pk} input[name=confirm][value=height]").check()
    page.locator(f"#s{b.pk} button.save").click()
    page.locator(f"#s{b.pk} .saved-note").wait_for()

    # row 3: absent, with the reason
    page.locator(f"#s{c.pk} select[name=attendance]").select_option("absent")
    page.locator(f"#s{c.pk} input[name=reason]").fill("病假")
    page.locator(f"#s{c.pk} button.save").click()
    page.locator(f"#s{c.pk} .saved-note").wait_for()
    assert FieldCard.objects.get(student=b).confirmed == ["height"]
    page.reload()
    screenshot(page, "fieldtest-officer-desktop")

    # the PE proctor on a phone: approves two, sends the absent one back
    proctor = phone_page
    login(proctor, live_server, "pe_proctor")
    proctor.goto(f"{live_server.url}/fieldtest/{school}/")
    assert proctor.locator("input[name=v_height]").count() == 0  # checks, never enters
    screenshot(proctor, "fieldtest-proctor-phone")
    for s in (a, b):
        proctor.locator(f"#s{s.pk} button.approve").click()
        proctor.locator(f"#s{s.pk}.state-checked").wait_for()
    proctor.locator(f"#s{c.pk} input[name=comment]").fill("记录卡上该生有成绩，请核对")
    proctor.locator(f"#s{c.pk} button.return").click()
    proctor.locator(f"#s{c.pk}.state-returned").wait_for()
    screenshot(proctor, "fieldtest-proctor-phone-checked")
    assert dict(FieldCard.objects.values_list("student_id", "status")) == {
        a.pk: CardStatus.CHECKED, b.pk: CardStatus.CHECKED, c.pk: CardStatus.RETURNED}

    # the progress: the school's figures follow each check without a reload, and the county's
    assert [proctor.inner_text(f"#n-{k}") for k in ("entered", "returned", "checked", "missing")] == \
        ["0", "1", "2", "1"]
    county = browser.new_context(locale="zh-CN", timezone_id="Asia/Shanghai", viewport={"width": 1280, "height": 900})
    cp = county.new_page()
    login(cp, live_server, "pe_county")
    cp.goto(f"{live_server.url}/fieldtest/{world.county_a.code}/")
    row = cp.locator("#school-progress tbody tr").first.inner_text()
    assert world.school_a1.name in row and a.name not in cp.content()
    screenshot(cp, "fieldtest-county-progress")
    county.close()
