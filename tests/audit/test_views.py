from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from jiance import clock
from jiance.accounts.models import Role
from jiance.audit.models import Action
from jiance.audit.services import audit_record
from tests.factories import World, client_for, make_user

URL = reverse("audit:list")



@pytest.fixture
def log(world: World) -> World:
    """One entry filed under each unit, tagged with the unit's code in the detail."""
    for day, unit in enumerate(
        [world.city, world.county_a, world.county_b, world.school_a1, world.school_a2, world.school_b1], start=1
    ):
        with clock.frozen(dt.datetime(2026, 5, day, 10, 0)):
            audit_record(action=Action.UPDATE, unit=unit, detail=f"entry-{unit.code}", before={"v": 1}, after={"v": 2})
    return world


def shown(response) -> set[str]:
    html = response.content.decode()
    return {code for code in ("360100", "360121", "360124", "3601210001", "3601210002", "3601240001") if f"entry-{code}<" in html or f"entry-{code}\n" in html}


def test_county_admin_sees_own_schools_not_sibling_county(log: World) -> None:
    admin = make_user("county-a", Role.COUNTY_ADMIN, log.county_a)
    response = client_for(admin).get(URL)
    assert response.status_code == 200
    assert shown(response) == {"360121", "3601210001", "3601210002"}


def test_city_admin_sees_all_counties(log: World) -> None:
    admin = make_user("city", Role.CITY_ADMIN, log.city)
    assert shown(client_for(admin).get(URL)) == {"360100", "360121", "360124", "3601210001", "3601210002", "3601240001"}


def test_principal_sees_own_school_only(log: World) -> None:
    principal = make_user("a1-xz", Role.PRINCIPAL, log.school_a1)
    response = client_for(principal).get(URL)
    assert response.status_code == 200
    assert shown(response) == {"3601210001"}


def test_school_information_officer_cannot_read_the_log(log: World) -> None:
    officer = make_user("a1-xx", Role.SCHOOL_INFO_OFFICER, log.school_a1)
    assert client_for(officer).get(URL).status_code == 403


def test_filter_by_unit_inside_scope(log: World) -> None:
    admin = make_user("city", Role.CITY_ADMIN, log.city)
    assert shown(client_for(admin).get(URL, {"unit": log.county_b.code})) == {"360124", "3601240001"}


def test_filter_by_foreign_unit_shows_nothing(log: World) -> None:
    admin = make_user("county-a", Role.COUNTY_ADMIN, log.county_a)
    response = client_for(admin).get(URL, {"unit": log.county_b.code})
    assert shown(response) == set()
    assert "不在您的管辖范围内" in response.content.decode()


def test_filter_by_date_range_uses_local_days(log: World) -> None:
    admin = make_user("city", Role.CITY_ADMIN, log.city)
    response = client_for(admin).get(URL, {"date_from": "2026-05-02", "date_to": "2026-05-04"})
    assert shown(response) == {"360121", "360124", "3601210001"}


def test_reversed_date_range_is_an_error(log: World) -> None:
    admin = make_user("city", Role.CITY_ADMIN, log.city)
    response = client_for(admin).get(URL, {"date_from": "2026-05-04", "date_to": "2026-05-02"})
    assert "截止日期不能早于起始日期" in response.content.decode()
    assert shown(response) == set()


def test_filter_by_person_and_action(world: World) -> None:
    admin = make_user("city", Role.CITY_ADMIN, world.city)
    wang = make_user("wang", Role.COUNTY_INFO_OFFICER, world.county_a)
    li = make_user("li", Role.COUNTY_INFO_OFFICER, world.county_b)
    audit_record(action=Action.UPDATE, unit=world.county_a, detail="by-wang<", actor=wang)
    audit_record(action=Action.EXPORT, unit=world.county_b, detail="by-li<", actor=li)
    client = client_for(admin)
    html = client.get(URL, {"person": "wang"}).content.decode()
    assert "by-wang" in html and "by-li" not in html
    html = client.get(URL, {"action": Action.EXPORT}).content.decode()
    assert "by-li" in html and "by-wang" not in html


def test_htmx_request_gets_only_the_table(log: World) -> None:
    admin = make_user("county-a", Role.COUNTY_ADMIN, log.county_a)
    response = client_for(admin).get(URL, {"unit": log.school_a1.code}, HTTP_HX_REQUEST="true")
    html = response.content.decode()
    assert "<html" not in html and 'id="audit-table"' in html
    assert shown(response) == {"3601210001"}


def test_before_after_diff_is_shown(world: World) -> None:
    admin = make_user("county-a", Role.COUNTY_ADMIN, world.county_a)
    audit_record(action=Action.UPDATE, unit=world.school_a1, before={"enrolment": 41, "name": "甲"}, after={"enrolment": 43, "name": "甲"})
    html = client_for(admin).get(URL).content.decode()
    assert "<del>41</del>" in html and "<ins>43</ins>" in html
    assert "<td>enrolment</td>" in html and "<td>name</td>" not in html


def test_centre_sees_entries_without_unit(world: World) -> None:
    audit_record(action=Action.LOGIN_FAILED, object_repr="ghost-user", result="failed")
    centre = make_user("centre", Role.CENTRE_ADMIN, world.centre)
    city = make_user("city", Role.CITY_ADMIN, world.city)
    assert "ghost-user" in client_for(centre).get(URL).content.decode()
    assert "ghost-user" not in client_for(city).get(URL).content.decode()


def test_pagination_keeps_filters(world: World) -> None:
    admin = make_user("county-a", Role.COUNTY_ADMIN, world.county_a)
    for i in range(55):
        audit_record(action=Action.UPDATE, unit=world.school_a1, detail=f"n{i}")
    html = client_for(admin).get(URL, {"action": Action.UPDATE}).content.decode()
    assert "?action=update&page=2" in html
