from __future__ import annotations

import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from jiance.accounts.models import Role, RoleAssignment, User
from jiance.audit.models import Action, AuditEntry
from jiance.spreadsheets import XLSX_CONTENT_TYPE
from tests.factories import World, client_for, make_user

PEOPLE = reverse("accounts:people")
ASSIGN = reverse("accounts:people_assign")
REVOKE = reverse("accounts:people_revoke")
BULK = reverse("accounts:school_accounts")



@pytest.fixture
def county_admin(world: World) -> User:
    return make_user("county-a", Role.COUNTY_ADMIN, world.county_a, full_name="南昌县管理员")


# --- bulk school accounts ----------------------------------------------------------------


def test_bulk_page_offers_only_units_in_subtree(world: World, county_admin: User) -> None:
    response = client_for(county_admin).get(BULK)
    assert response.status_code == 200
    html = response.content.decode()
    assert world.county_a.name in html
    assert world.county_b.name not in html
    assert world.city.name not in html


def test_bulk_page_downloads_credentials(world: World, county_admin: User) -> None:
    response = client_for(county_admin).post(
        BULK, {"unit": world.county_a.pk, "roles": [Role.PRINCIPAL, Role.SCHOOL_INFO_OFFICER]}
    )
    assert response.status_code == 200
    assert response["Content-Type"] == XLSX_CONTENT_TYPE
    assert "attachment" in response["Content-Disposition"]
    assert "no-store" in response["Cache-Control"]
    rows = list(load_workbook(io.BytesIO(response.content)).active.iter_rows(values_only=True))[1:]
    assert {r[4] for r in rows} == {
        f"{s.code}-{x}" for s in (world.school_a1, world.school_a2) for x in ("xz", "xx")
    }
    for row in rows:
        assert User.objects.get(username=row[4]).check_password(row[5])
    assert AuditEntry.objects.filter(action=Action.EXPORT, actor=county_admin).count() == 1


def test_bulk_page_second_run_says_nothing_to_do(world: World, county_admin: User) -> None:
    client = client_for(county_admin)
    client.post(BULK, {"unit": world.county_a.pk, "roles": [Role.PRINCIPAL]})
    response = client.post(BULK, {"unit": world.county_a.pk, "roles": [Role.PRINCIPAL]}, follow=True)
    assert response.redirect_chain
    assert "已跳过" in response.content.decode()
    assert AuditEntry.objects.filter(action=Action.EXPORT).count() == 1


def test_bulk_page_refuses_a_sibling_county(world: World, county_admin: User) -> None:
    response = client_for(county_admin).post(BULK, {"unit": world.county_b.pk, "roles": [Role.PRINCIPAL]})
    assert response.status_code == 200  # the form says the choice is invalid
    assert "errorlist" in response.content.decode()
    assert not User.objects.filter(username__startswith=world.school_b1.code).exists()


@pytest.mark.parametrize("role", [Role.PRINCIPAL, Role.COUNTY_INFO_OFFICER, Role.SCHOOL_INFO_OFFICER])
def test_account_pages_need_an_admin_role(world: World, role: str) -> None:
    unit = world.school_a1 if role != Role.COUNTY_INFO_OFFICER else world.county_a
    client = client_for(make_user("someone", role, unit))
    assert client.get(BULK).status_code == 403
    assert client.get(PEOPLE).status_code == 403
    assert client.post(BULK, {"unit": world.county_a.pk, "roles": [Role.PRINCIPAL]}).status_code == 403
    assert User.objects.count() == 1


# --- people and roles --------------------------------------------------------------------


def test_people_page_lists_holders_in_subtree_only(world: World, county_admin: User) -> None:
    make_user("a1-principal", Role.PRINCIPAL, world.school_a1, full_name="莲塘一小校长")
    make_user("b1-principal", Role.PRINCIPAL, world.school_b1, full_name="民和小学校长")
    make_user("city-admin", Role.CITY_ADMIN, world.city, full_name="市管理员")
    response = client_for(county_admin).get(PEOPLE)
    html = response.content.decode()
    assert response.status_code == 200
    assert "a1-principal" in html and "莲塘一小校长" in html
    assert "b1-principal" not in html and "民和小学校长" not in html
    assert "city-admin" not in html


def test_people_page_offers_reset_and_revoke_for_others_only(world: World, county_admin: User) -> None:
    principal = make_user("a1-principal", Role.PRINCIPAL, world.school_a1)
    html = client_for(county_admin).get(PEOPLE).content.decode()
    own = county_admin.roles.get().pk
    theirs = principal.roles.get().pk
    assert html.count(f'name="assignment" value="{theirs}"') == 2  # reset password and revoke role
    assert f'name="assignment" value="{own}"' not in html  # never on oneself


def test_people_page_display_is_audited(world: World, county_admin: User) -> None:
    make_user("a1-principal", Role.PRINCIPAL, world.school_a1)
    client_for(county_admin).get(PEOPLE)
    entry = AuditEntry.objects.get(action=Action.VIEW_PERSONAL)
    assert entry.actor == county_admin
    assert "a1-principal" in entry.after["users"]


def test_people_filter_by_role_and_htmx_partial(world: World, county_admin: User) -> None:
    make_user("a1-principal", Role.PRINCIPAL, world.school_a1)
    make_user("a1-info", Role.SCHOOL_INFO_OFFICER, world.school_a1)
    response = client_for(county_admin).get(PEOPLE, {"role": Role.PRINCIPAL}, HTTP_HX_REQUEST="true")
    html = response.content.decode()
    assert "a1-principal" in html and "a1-info" not in html
    assert "<html" not in html and 'id="people-table"' in html


def test_people_filter_by_foreign_unit_shows_error_not_data(world: World, county_admin: User) -> None:
    make_user("b1-principal", Role.PRINCIPAL, world.school_b1)
    response = client_for(county_admin).get(PEOPLE, {"unit": world.school_b1.code})
    html = response.content.decode()
    assert "b1-principal" not in html
    assert "不在您管理的范围内" in html


def test_assign_role_to_new_person_shows_password_once(world: World, county_admin: User) -> None:
    response = client_for(county_admin).post(
        ASSIGN,
        {"unit_code": world.school_a1.code, "role": Role.CUSTODIAN, "username": "baomi-1", "full_name": "保密员甲"},
    )
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    user = User.objects.get(username="baomi-1")
    password = response.context["password"]
    assert password in response.content.decode()
    assert user.check_password(password) and user.must_change_password
    assert RoleAssignment.objects.filter(user=user, role=Role.CUSTODIAN, unit=world.school_a1).exists()


def test_assign_role_with_wrong_level_names_the_reason(world: World, county_admin: User) -> None:
    response = client_for(county_admin).post(
        ASSIGN, {"unit_code": world.school_a1.code, "role": Role.COUNTY_LIAISON, "username": "liaison"}
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert "县级联络员" in html and "只能设在" in html and world.school_a1.name in html
    assert not User.objects.filter(username="liaison").exists()


def test_assign_role_in_foreign_unit_is_refused(world: World, county_admin: User) -> None:
    response = client_for(county_admin).post(
        ASSIGN, {"unit_code": world.school_b1.code, "role": Role.PRINCIPAL, "username": "intruder"}
    )
    assert response.status_code == 400
    assert "不在您管理的范围内" in response.content.decode()
    assert not User.objects.filter(username="intruder").exists()


def test_revoke_role(world: World, county_admin: User) -> None:
    teacher = make_user("teacher", Role.PROCTOR, world.school_a1)
    response = client_for(county_admin).post(REVOKE, {"assignment": teacher.roles.get().pk})
    assert response.status_code == 302
    assert not teacher.roles.exists()


def test_revoke_foreign_role_looks_missing(world: World, county_admin: User) -> None:
    other = make_user("b-teacher", Role.PROCTOR, world.school_b1)
    response = client_for(county_admin).post(REVOKE, {"assignment": other.roles.get().pk})
    assert response.status_code == 404
    assert other.roles.exists()


def test_assign_requires_post(world: World, county_admin: User) -> None:
    assert client_for(county_admin).get(ASSIGN).status_code == 405


def test_navigation_shows_account_link_to_managers_only(world: World, county_admin: User) -> None:
    principal = make_user("a1-xz", Role.PRINCIPAL, world.school_a1)
    assert f'href="{PEOPLE}"' in client_for(county_admin).get("/").content.decode()
    assert f'href="{PEOPLE}"' not in client_for(principal).get("/").content.decode()


def test_assign_form_offers_only_roles_the_manager_can_give(world: World, county_admin: User) -> None:
    response = client_for(county_admin).get(PEOPLE)
    offered = {value for value, _label in response.context["assign_form"].fields["role"].choices if value}
    assert Role.PRINCIPAL in offered and Role.COUNTY_LIAISON in offered
    assert Role.COUNTY_ADMIN not in offered  # no peers
    assert Role.CITY_ADMIN not in offered and Role.CITY_INFO_OFFICER not in offered
    codes = {code for code, _name in response.context["assign_form"].unit_options}
    assert codes == {world.county_a.code, world.school_a1.code, world.school_a2.code}


def test_own_admin_role_has_no_revoke_button(world: World, county_admin: User) -> None:
    teacher = make_user("teacher", Role.PROCTOR, world.school_a1)
    html = client_for(county_admin).get(PEOPLE).content.decode()
    assert f'name="assignment" value="{teacher.roles.get().pk}"' in html
    assert f'name="assignment" value="{county_admin.roles.get().pk}"' not in html


def test_reset_password_page_shows_new_password_once(world: World, county_admin: User) -> None:
    teacher = make_user("teacher", Role.PROCTOR, world.school_a1)
    response = client_for(county_admin).post(
        reverse("accounts:people_reset_password"), {"assignment": teacher.roles.get().pk}
    )
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    teacher.refresh_from_db()
    assert teacher.check_password(response.context["password"])


def test_reset_password_of_foreign_person_looks_missing(world: World, county_admin: User) -> None:
    other = make_user("b-teacher", Role.PROCTOR, world.school_b1)
    before = other.password
    response = client_for(county_admin).post(
        reverse("accounts:people_reset_password"), {"assignment": other.roles.get().pk}
    )
    assert response.status_code == 404
    other.refresh_from_db()
    assert other.password == before
