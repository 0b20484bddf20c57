from __future__ import annotations

import io

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from openpyxl import load_workbook

from jiance.accounts.models import Role, RoleAssignment, User
from jiance.accounts.passwords import character_classes
from jiance.accounts.services import (
    CREDENTIAL_HEADERS,
    accounts_create_for_schools,
    random_initial_password,
    role_assign,
    role_revoke,
)
from jiance.audit.models import Action, AuditEntry
from jiance.units.models import Level, Unit
from tests.factories import World, make_unit, make_user


def sheet_rows(xlsx: bytes) -> list[tuple]:
    ws = load_workbook(io.BytesIO(xlsx)).active
    return list(ws.iter_rows(values_only=True))


@pytest.mark.parametrize("seed", range(30))
def test_random_initial_password_passes_the_password_rules(seed: int) -> None:
    import random

    from django.contrib.auth.password_validation import validate_password

    password = random_initial_password(rng=random.Random(seed))
    assert len(password) == 12
    assert character_classes(password) == 4
    assert not set(password) & set("0O1lI")
    assert password[0].isalpha()  # never a formula prefix in the credentials sheet
    validate_password(password)


def test_creates_one_account_per_school_and_role(world: World) -> None:
    admin = make_user("county-a", Role.COUNTY_ADMIN, world.county_a)
    result = accounts_create_for_schools(county_or_higher=world.county_a, actor=admin)

    expected = {
        f"{s.code}-{suffix}" for s in (world.school_a1, world.school_a2) for suffix in ("xz", "xx")
    }
    assert {c.username for c in result.created} == expected
    assert result.skipped == []
    for cred in result.created:
        user = User.objects.get(username=cred.username)
        assert user.must_change_password
        assert user.password.startswith("argon2")
        assert user.check_password(cred.password)
        assignment = RoleAssignment.objects.get(user=user)
        assert assignment.unit.code == cred.school_code
        assert assignment.role == (Role.PRINCIPAL if cred.username.endswith("-xz") else Role.SCHOOL_INFO_OFFICER)
    # No account for the sibling county's schools.
    assert not User.objects.filter(username__startswith=world.school_b1.code).exists()


def test_credentials_are_returned_once_as_xlsx(world: World) -> None:
    admin = make_user("county-a", Role.COUNTY_ADMIN, world.county_a)
    result = accounts_create_for_schools(county_or_higher=world.county_a, actor=admin)
    rows = sheet_rows(result.xlsx)
    assert rows[0] == CREDENTIAL_HEADERS
    by_user = {r[4]: r for r in rows[1:]}
    assert set(by_user) == {c.username for c in result.created}
    for cred in result.created:
        row = by_user[cred.username]
        assert row[0] == cred.school_code and row[1] == cred.school_name
        assert row[2] == world.county_a.name
        assert row[5] == cred.password
        assert User.objects.get(username=cred.username).check_password(row[5])


def test_existing_accounts_are_skipped_and_keep_their_password(world: World) -> None:
    admin = make_user("county-a", Role.COUNTY_ADMIN, world.county_a)
    first = accounts_create_for_schools(county_or_higher=world.county_a, actor=admin)
    hashes = dict(User.objects.filter(username__in=[c.username for c in first.created]).values_list("username", "password"))
    second = accounts_create_for_schools(county_or_higher=world.county_a, actor=admin)
    assert second.created == []
    assert sorted(second.skipped) == sorted(hashes)
    assert second.xlsx == b""
    assert dict(User.objects.filter(username__in=list(hashes)).values_list("username", "password")) == hashes


def test_new_school_gets_accounts_on_a_second_run(world: World) -> None:
    admin = make_user("city", Role.CITY_ADMIN, world.city)
    accounts_create_for_schools(county_or_higher=world.city, actor=admin)
    new = make_unit("3601210003", "南昌县新建小学", Level.SCHOOL, world.county_a, school_type="小学")
    result = accounts_create_for_schools(county_or_higher=world.city, actor=admin)
    assert {c.username for c in result.created} == {f"{new.code}-xz", f"{new.code}-xx"}
    assert len(result.skipped) == 8


def test_inactive_schools_get_no_accounts(world: World) -> None:
    Unit.objects.filter(pk=world.school_a2.pk).update(is_active=False)
    admin = make_user("county-a", Role.COUNTY_ADMIN, world.county_a)
    result = accounts_create_for_schools(county_or_higher=world.county_a, actor=admin)
    assert {c.school_code for c in result.created} == {world.school_a1.code}


def test_other_school_roles_use_their_suffix(world: World) -> None:
    admin = make_user("county-a", Role.COUNTY_ADMIN, world.county_a)
    result = accounts_create_for_schools(
        county_or_higher=world.county_a, roles=(Role.CUSTODIAN,), actor=admin
    )
    assert {c.username for c in result.created} == {f"{world.school_a1.code}-bm", f"{world.school_a2.code}-bm"}


def test_non_school_roles_are_refused(world: World) -> None:
    admin = make_user("county-a", Role.COUNTY_ADMIN, world.county_a)
    with pytest.raises(ValidationError):
        accounts_create_for_schools(county_or_higher=world.county_a, roles=(Role.COUNTY_ADMIN,), actor=admin)
    assert not User.objects.exclude(pk=admin.pk).exists()


def test_a_school_is_not_a_starting_point(world: World) -> None:
    admin = make_user("county-a", Role.COUNTY_ADMIN, world.county_a)
    with pytest.raises(ValidationError):
        accounts_create_for_schools(county_or_higher=world.school_a1, actor=admin)


def test_county_admin_cannot_create_for_a_sibling_county(world: World) -> None:
    admin = make_user("county-a", Role.COUNTY_ADMIN, world.county_a)
    with pytest.raises(Http404):
        accounts_create_for_schools(county_or_higher=world.county_b, actor=admin)
    with pytest.raises(Http404):
        accounts_create_for_schools(county_or_higher=world.city, actor=admin)
    assert User.objects.count() == 1


def test_non_admin_cannot_create_accounts(world: World) -> None:
    officer = make_user("county-info", Role.COUNTY_INFO_OFFICER, world.county_a)
    with pytest.raises(PermissionDenied):
        accounts_create_for_schools(county_or_higher=world.county_a, actor=officer)
    assert User.objects.count() == 1


def test_bulk_creation_is_audited_without_passwords(world: World) -> None:
    admin = make_user("county-a", Role.COUNTY_ADMIN, world.county_a)
    result = accounts_create_for_schools(county_or_higher=world.county_a, actor=admin)
    creates = AuditEntry.objects.filter(action=Action.CREATE, object_type="accounts.user")
    assert {e.object_repr for e in creates} == {c.username for c in result.created}
    assert all(e.actor_id == admin.pk for e in creates)
    assert {e.unit.code for e in creates} == {world.school_a1.code, world.school_a2.code}
    export = AuditEntry.objects.get(action=Action.EXPORT)
    assert export.unit == world.county_a
    assert export.actor == admin
    assert export.after["count"] == 4
    assert sorted(export.after["usernames"]) == sorted(c.username for c in result.created)
    every_entry = " ".join(str(e.after) + e.detail for e in AuditEntry.objects.all())
    for cred in result.created:
        assert cred.password not in every_entry


def test_bulk_creation_is_all_or_nothing(world: World, monkeypatch: pytest.MonkeyPatch) -> None:
    import jiance.accounts.services as services

    def broken(*args, **kwargs):
        raise RuntimeError("disk full")

    admin = make_user("county-a", Role.COUNTY_ADMIN, world.county_a)
    monkeypatch.setattr(services, "credentials_xlsx", broken)
    with pytest.raises(RuntimeError):
        accounts_create_for_schools(county_or_higher=world.county_a, actor=admin)
    assert User.objects.count() == 1
    assert not AuditEntry.objects.filter(action=Action.CREATE).exists()


# --- role assignments ------------------------------------------------------------------


def test_assign_role_to_new_person_creates_account(world: World) -> None:
    admin = make_user("county-a", Role.COUNTY_ADMIN, world.county_a)
    assignment, password = role_assign(
        actor=admin, unit=world.county_a, role=Role.COUNTY_LIAISON, username="wang-lly", full_name="王联络",
    )
    assert password is not None
    user = User.objects.get(username="wang-lly")
    assert user.full_name == "王联络" and user.must_change_password and user.check_password(password)
    assert assignment.role == Role.COUNTY_LIAISON and assignment.unit == world.county_a
    actions = list(AuditEntry.objects.filter(actor=admin).values_list("action", "object_type"))
    assert (Action.CREATE, "accounts.user") in actions
    assert (Action.CREATE, "accounts.roleassignment") in actions


def test_assign_role_to_existing_person(world: World) -> None:
    admin = make_user("county-a", Role.COUNTY_ADMIN, world.county_a)
    teacher = make_user("teacher", Role.PROCTOR, world.school_a1)
    assignment, password = role_assign(actor=admin, unit=world.school_a2, role=Role.CHIEF_PROCTOR, username="teacher")
    assert password is None
    assert assignment.user == teacher
    assert set(teacher.roles.values_list("role", "unit__code")) == {
        (Role.PROCTOR, world.school_a1.code), (Role.CHIEF_PROCTOR, world.school_a2.code),
    }


def test_role_level_is_validated(world: World) -> None:
    admin = make_user("county-a", Role.COUNTY_ADMIN, world.county_a)
    with pytest.raises(ValidationError) as err:
        role_assign(actor=admin, unit=world.school_a1, role=Role.COUNTY_INFO_OFFICER, username="nobody-yet")
    assert "unit" in err.value.message_dict
    assert not User.objects.filter(username="nobody-yet").exists()


def test_cannot_assign_outside_subtree(world: World) -> None:
    admin = make_user("county-a", Role.COUNTY_ADMIN, world.county_a)
    with pytest.raises(Http404):
        role_assign(actor=admin, unit=world.school_b1, role=Role.PRINCIPAL, username="x-principal")
    assert not RoleAssignment.objects.filter(unit=world.school_b1).exists()


def test_admin_cannot_make_a_peer_admin_but_can_below(world: World) -> None:
    admin = make_user("city", Role.CITY_ADMIN, world.city)
    with pytest.raises(PermissionDenied):
        role_assign(actor=admin, unit=world.city, role=Role.CITY_ADMIN, username="peer")
    assignment, _pw = role_assign(actor=admin, unit=world.county_b, role=Role.COUNTY_ADMIN, username="county-b-admin")
    assert assignment.unit == world.county_b


def test_duplicate_assignment_is_refused(world: World) -> None:
    admin = make_user("county-a", Role.COUNTY_ADMIN, world.county_a)
    make_user("teacher", Role.PROCTOR, world.school_a1)
    with pytest.raises(ValidationError):
        role_assign(actor=admin, unit=world.school_a1, role=Role.PROCTOR, username="teacher")


def test_revoke_role_is_audited(world: World) -> None:
    admin = make_user("county-a", Role.COUNTY_ADMIN, world.county_a)
    teacher = make_user("teacher", Role.PROCTOR, world.school_a1)
    assignment = teacher.roles.get()
    role_revoke(actor=admin, assignment=assignment)
    assert not teacher.roles.exists()
    entry = AuditEntry.objects.get(action=Action.DELETE)
    assert entry.before == {"user": "teacher", "role": Role.PROCTOR, "unit": world.school_a1.code}
    assert entry.unit == world.school_a1


def test_admin_cannot_revoke_own_admin_role(world: World) -> None:
    admin = make_user("county-a", Role.COUNTY_ADMIN, world.county_a)
    with pytest.raises(PermissionDenied):
        role_revoke(actor=admin, assignment=admin.roles.get())
    assert admin.roles.exists()


def test_reset_password_issues_new_initial_password_and_unlocks(world: World) -> None:
    from axes.models import AccessAttempt

    from jiance.accounts.services import user_reset_password

    admin = make_user("county-a", Role.COUNTY_ADMIN, world.county_a)
    teacher = make_user("teacher", Role.PROCTOR, world.school_a1)
    AccessAttempt.objects.create(username="teacher", ip_address="10.0.0.1", failures_since_start=5)
    password = user_reset_password(actor=admin, user=teacher)
    teacher.refresh_from_db()
    assert teacher.check_password(password) and teacher.must_change_password
    assert not AccessAttempt.objects.filter(username="teacher").exists()
    entry = AuditEntry.objects.get(action=Action.UPDATE, object_repr="teacher")
    assert entry.actor == admin and entry.unit == world.school_a1
    assert password not in str(entry.after)


def test_reset_password_refused_for_people_beyond_reach(world: World) -> None:
    from jiance.accounts.services import user_reset_password

    admin = make_user("county-a", Role.COUNTY_ADMIN, world.county_a)
    # A city official who also proctors in the county: the county admin must not take over.
    city_officer = make_user("city-info", Role.CITY_INFO_OFFICER, world.city)
    RoleAssignment.objects.create(user=city_officer, role=Role.PROCTOR, unit=world.school_a1)
    peer = make_user("county-a-2", Role.COUNTY_ADMIN, world.county_a)
    for target in (city_officer, peer, admin):
        before = User.objects.get(pk=target.pk).password
        with pytest.raises(PermissionDenied):
            user_reset_password(actor=admin, user=target)
        assert User.objects.get(pk=target.pk).password == before
