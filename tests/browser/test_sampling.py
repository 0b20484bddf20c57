"""The city draws and publishes the sample schools in a real browser; the county confirms them
and asks for a replacement; the city approves it and the hash chain grows."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from jiance.accounts.models import Role
from jiance.cycles.models import Cycle, CycleStatus
from jiance.sampling.models import (
    DrawStatus,
    ReplacementRequest,
    RequestStatus,
    RowStatus,
    SampledSchool,
    SchoolDraw,
)
from tests.browser.conftest import (
    DESKTOP,
    PHONE,
    _page,
    chinese_chrome,
    login,
    screenshot,
    switch_to_english,
)
from tests.factories import make_user
from tests.sampling.conftest import CONFIG, add_schools, approve_frame

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def setup(world: Any, settings: Any) -> Any:
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    cycle = Cycle.objects.create(
        code="national-2022", year=2022, name="2022 年国家义务教育质量监测", status=CycleStatus.ACTIVE, config=CONFIG,
    )
    add_schools(world.county_a, "南昌县", 8, 4)
    add_schools(world.county_b, "进贤县", 6, 3)
    approve_frame(cycle, world.county_a)
    approve_frame(cycle, world.county_b)
    make_user("nc_city", Role.CITY_ADMIN, world.city, full_name="南昌市管理员")
    make_user("nanchang_info", Role.COUNTY_INFO_OFFICER, world.county_a, full_name="南昌县信息员")
    return cycle


@pytest.fixture
def second_page(browser: Any) -> Iterator[Any]:
    yield from _page(browser, viewport=DESKTOP)


@pytest.fixture
def phone(browser: Any) -> Iterator[Any]:
    yield from _page(browser, viewport=PHONE, device_scale_factor=2, is_mobile=True, has_touch=True)


def test_city_draws_publishes_county_confirms(page, second_page, phone, live_server, world, setup) -> None:
    # --- the city: frame status, plan, seed, preview, publish
    login(page, live_server, "nc_city")
    page.get_by_label("主导航").get_by_role("link", name="样本校抽样").click()
    page.wait_for_url("**/sampling/draws/")
    frames = page.locator("#frames").inner_text()
    assert "南昌县" in frames and "进贤县" in frames and frames.count("已通过") == 2
    assert "3 所" in page.locator("#plan").inner_text()
    screenshot(page, "sampling_draws")

    page.fill("#id_seed", "20220315")
    page.select_option("#id_method", "pps")
    with page.expect_navigation():
        page.click("#run-draw")
    assert "抽样预览" in page.locator("h1").inner_text()
    assert page.locator("#draw-seed").inner_text() == "20220315"
    draw = SchoolDraw.objects.get()
    assert draw.status == DrawStatus.DRAFT
    sample = page.locator("#sample").inner_text()
    assert "南昌县小学：" in sample and "进贤县初中：" in sample  # the engine's explanations
    screenshot(page, "sampling_preview")

    page.check("#id_confirm")
    with page.expect_navigation():
        page.click("#publish")
    draw.refresh_from_db()
    assert draw.status == DrawStatus.PUBLISHED
    assert page.locator("#sample-hash").inner_text() == draw.sample_hash
    page.click("#verify")
    page.wait_for_selector("#verify-result .verify-ok")
    screenshot(page, "sampling_published")

    # --- the county: its own sample only; confirm one (htmx), then the whole list
    login(second_page, live_server, "nanchang_info")
    second_page.get_by_label("主导航").get_by_role("link", name="样本校抽样").click()
    second_page.wait_for_url(f"**/sampling/county/{world.county_a.code}/")
    mine = SampledSchool.objects.filter(draw=draw, county=world.county_a, status=RowStatus.IN_SAMPLE)
    theirs = SampledSchool.objects.filter(draw=draw, county=world.county_b, status=RowStatus.IN_SAMPLE)
    body = second_page.locator("main").inner_text()
    assert all(r.school.name in body for r in mine)
    assert not any(r.school.name in body for r in theirs)
    first = mine.order_by("stage", "frame_order").first()
    row = second_page.locator(f"#sample-{first.pk}")
    row.get_by_role("button", name="确认").click()
    second_page.wait_for_selector(f"#sample-{first.pk}.saved")
    assert "已确认" in second_page.locator(f"#sample-{first.pk}").inner_text()
    assert SampledSchool.objects.get(pk=first.pk).confirmed_at is not None
    # the count follows the confirm without a reload (out-of-band swap)
    assert second_page.locator("#county-confirmed").inner_text() == f"1 / {mine.count()}"
    if mine.count() == 1:  # all confirmed: the whole-list button went with the swap
        assert second_page.locator("#confirm-all").count() == 0
    else:
        with second_page.expect_navigation():
            second_page.click("#confirm-all")
    assert second_page.locator("#county-confirmed").inner_text() == f"{mine.count()} / {mine.count()}"
    assert not mine.filter(confirmed_at__isnull=True).exists()
    screenshot(second_page, "sampling_county_confirmed")

    # --- the county asks to replace a school that refuses; the city approves
    target = next(r for r in mine if SampledSchool.objects.filter(replaces=r, role="replacement1").exists())
    with second_page.expect_navigation():
        second_page.locator(f"#sample-{target.pk}").get_by_role("link", name="申请替换").click()
    second_page.select_option("#id_reason_kind", "refused")
    second_page.fill("#id_reason", "学校以校舍维修为由拒绝参加")
    screenshot(second_page, "sampling_replacement_form")
    with second_page.expect_navigation():
        second_page.click("#submit-replacement")
    assert "替换待审核" in second_page.locator(f"#sample-{target.pk}").inner_text()

    page.goto(f"{live_server.url}/sampling/draw/{draw.pk}/")
    requests = page.locator("#requests")
    assert "学校以校舍维修为由拒绝参加" in requests.inner_text()
    with page.expect_navigation():
        requests.get_by_role("button", name="同意替换").click()
    req = ReplacementRequest.objects.get()
    assert req.status == RequestStatus.APPROVED
    draw.refresh_from_db()
    assert draw.sample_hash == req.hash != draw.published_hash
    assert page.locator("#sample-hash").inner_text() == draw.sample_hash
    assert req.replacement.school.name in page.locator("#chain").inner_text()
    page.click("#verify")
    page.wait_for_selector("#verify-result .verify-ok")
    page.locator("#requests").scroll_into_view_if_needed()
    screenshot(page, "sampling_replacement_chain")

    # --- the county sees the replacement school, unconfirmed, on a phone
    login(phone, live_server, "nanchang_info")
    phone.goto(f"{live_server.url}/sampling/county/{world.county_a.code}/")
    assert req.replacement.school.name in phone.locator(f"#sample-{req.replacement.pk}").inner_text()
    assert phone.locator(f"#sample-{req.replacement.pk}").get_by_role("button", name="确认").is_visible()
    screenshot(phone, "sampling_county_phone")


def test_sampling_pages_in_english(page, second_page, live_server, world, setup) -> None:
    login(page, live_server, "nc_city")
    switch_to_english(page)
    page.goto(f"{live_server.url}/sampling/draws/")
    assert chinese_chrome(page) == []
    page.fill("#id_seed", "20220315")
    page.select_option("#id_method", "pps")
    with page.expect_navigation():
        page.click("#run-draw")
    assert "preview" in page.locator("h1").inner_text().lower()
    assert chinese_chrome(page) == []
    page.check("#id_confirm")
    with page.expect_navigation():
        page.click("#publish")
    assert chinese_chrome(page) == []
    screenshot(page, "sampling_published_en")
    login(second_page, live_server, "nanchang_info")
    switch_to_english(second_page)
    second_page.goto(f"{live_server.url}/sampling/county/{world.county_a.code}/")
    assert chinese_chrome(second_page) == []
    screenshot(second_page, "sampling_county_en")
