"""The cycle list in a real browser: a province's user sees the national cycles and their own
province's programme, never another province's (issue 8, item 5)."""

from __future__ import annotations

from typing import Any

import pytest

from jiance.accounts.models import Role
from jiance.cycles.models import Cycle, CycleStatus
from jiance.units.models import Level
from tests.browser.conftest import login, screenshot
from tests.factories import make_unit, make_user

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_cycle_list_shows_own_province_programme_only(page: Any, live_server: Any, world: Any,
                                                       settings: Any) -> None:
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    chongqing = make_unit("500000", "重庆市", Level.PROVINCE, world.centre)
    Cycle.objects.create(code="national-2022", year=2022, name="2022 年国家义务教育质量监测", config={},
                         status=CycleStatus.ACTIVE)
    Cycle.objects.create(code="jiangxi-2023", year=2023, name="2023 年江西省义务教育质量监测", config={},
                         owner=world.province)
    Cycle.objects.create(code="chongqing-2020", year=2020, name="2020 年重庆市义务教育质量监测", config={},
                         owner=chongqing)
    make_user("jx_city", Role.CITY_ADMIN, world.city, full_name="南昌市管理员")
    login(page, live_server, "jx_city")
    page.goto(f"{live_server.url}/cycles/")
    body = page.inner_text("main") if page.query_selector("main") else page.inner_text("body")
    assert "2022 年国家义务教育质量监测" in body and "2023 年江西省义务教育质量监测" in body
    assert "重庆" not in body and "江西省" in body and "全国" in body
    screenshot(page, "cycles-list-jiangxi")
    response = page.goto(f"{live_server.url}/cycles/chongqing-2020/")
    assert response is not None and response.status == 404
