"""Home pages by role: offices keep the dashboard; the custodian, proctors, technician and
timekeeper get their cards (placeholders named 测试日开放, links only to pages they may open);
the inspector and supervisor the sample schools they oversee; after the release time the school's
notice no longer says the list comes on test day."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from jiance import clock
from jiance.accounts.models import Role
from jiance.cycles.models import Cycle, CycleParticipant
from jiance.rosters.models import Roster, RosterStatus
from tests.factories import World, make_user
from tests.rosters.builders import (
    AFTER_RELEASE,
    BEFORE_RELEASE,
    approve_frames,
    make_cycle,
    publish_draw,
)


@pytest.fixture
def cycle(world: World) -> Cycle:
    c = make_cycle()
    approve_frames(c, world)
    publish_draw(c, world)
    for school in (world.school_a1, world.school_a2, world.school_b1):
        CycleParticipant.objects.create(cycle=c, unit=school, coordinator=school.parent)
    return c


def home_of(role: str, unit: Any, name: str) -> str:
    client = Client()
    client.force_login(make_user(name, role, unit))
    response = client.get("/")
    assert response.status_code == 200
    return response.content.decode()


def links(html: str) -> list[str]:
    main = html.split("<main", 1)[1]
    return re.findall(r'href="(/[^"#]*)', main)


@pytest.mark.parametrize(("role", "card"), [
    (Role.CUSTODIAN, "保密材料与交接"), (Role.CHIEF_PROCTOR, "我的测试室"), (Role.PROCTOR, "我的测试室"),
    (Role.TECHNICIAN, "计算机教室"), (Role.TIMEKEEPER, "打铃信号"),
])
def test_school_testday_roles_get_their_card_not_the_dashboard(
    world: World, cycle: Cycle, role: str, card: str
) -> None:
    html = home_of(role, world.school_a1, f"u_{role}")
    assert card in html
    # the custodian's work is open (the custody ledger); the others' still says when it opens
    custody = reverse("custody:unit", args=(world.school_a1.code,))
    assert (custody in html) == (role in (Role.CUSTODIAN, Role.CHIEF_PROCTOR))  # those who seal bags
    assert ("测试日开放" in html) == (role != Role.CUSTODIAN)
    assert 'data-home="role"' in html
    assert 'data-card="overdue"' not in html and "本校已被确定为样本校" not in html
    # a test-day link only for those who may open the school's test-day page
    testday = reverse("testday:school", args=(world.school_a1.code,))
    assert (testday in html) == (role in (Role.CUSTODIAN, Role.CHIEF_PROCTOR, Role.PROCTOR))


def test_every_link_on_a_role_home_opens(world: World, cycle: Cycle) -> None:
    for i, role in enumerate((Role.CUSTODIAN, Role.PROCTOR, Role.TECHNICIAN, Role.TIMEKEEPER)):
        user = make_user(f"w{i}", role, world.school_a1)
        client = Client()
        client.force_login(user)
        for href in links(client.get("/").content.decode()):
            assert client.get(href).status_code < 400, (role, href)


def test_county_custodian_sees_placeholders_not_the_schools_owing(world: World, cycle: Cycle) -> None:
    html = home_of(Role.CUSTODIAN, world.county_a, "bm_county")
    assert "保密材料与交接" in html and "样本校仍欠" not in html


def test_inspector_sees_the_sample_schools_of_the_area_with_status(world: World, cycle: Cycle) -> None:
    Roster.objects.create(cycle=cycle, school=world.school_a1, stage="primary", grade=4,
                          status=RosterStatus.APPROVED, created_at=clock.now(), updated_at=clock.now())
    html = home_of(Role.INSPECTOR, world.county_a, "dx")
    table = html.split('data-card="schools"', 1)[1]
    assert world.school_a1.name in table and world.school_a2.name in table
    assert world.school_b1.name not in table  # another county's sample school
    assert 'data-card="overdue"' not in html


def test_offices_and_the_liaison_keep_the_dashboard(world: World, cycle: Cycle) -> None:
    for i, (role, unit) in enumerate(((Role.COUNTY_LIAISON, world.county_a), (Role.COUNTY_ADMIN, world.county_a),
                                      (Role.SCHOOL_INFO_OFFICER, world.school_a1))):
        html = home_of(role, unit, f"o{i}")
        assert 'data-home="role"' not in html and 'id="inbox"' in html


def test_the_school_notice_follows_the_release_time(world: World, cycle: Cycle) -> None:
    user = make_user("xx", Role.SCHOOL_INFO_OFFICER, world.school_a1)
    client = Client()
    client.force_login(user)
    with clock.frozen(BEFORE_RELEASE):
        before = client.get("/").content.decode()
    with clock.frozen(AFTER_RELEASE):
        after = client.get("/").content.decode()
    assert "样本学生名单在测试当天发布" in before and "data-released" not in before
    assert "样本学生名单在测试当天发布" not in after and "样本学生名单已发布" in after
