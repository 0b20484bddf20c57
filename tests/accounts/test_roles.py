"""The one role registry: named sets mean one thing, and the "my unit" helpers."""

from __future__ import annotations

import pytest

from jiance.accounts import roles
from jiance.accounts.models import ROLE_LEVELS, Role, RoleAssignment
from jiance.accounts.scoping import Scope
from jiance.units.models import Level
from tests.factories import World, make_user

pytestmark = pytest.mark.django_db


def test_sets_are_unions_of_their_parts() -> None:
    assert set(roles.OFFICES) == {*roles.ADMINS, Role.CITY_INFO_OFFICER, Role.COUNTY_INFO_OFFICER}
    assert set(roles.COUNTY_AND_ABOVE) == {*roles.COUNTY_OFFICE, *roles.CITY_AND_ABOVE}
    assert set(roles.SCHOOL_OFFICE) <= set(roles.SCHOOL_TESTDAY)
    assert set(roles.AUDIT_READERS) == {*roles.OFFICES, Role.PRINCIPAL}
    assert roles.ACCOUNT_MANAGERS == roles.ADMINS and roles.UNIT_MANAGERS == roles.OFFICES
    # The city-and-above roles are only ever held at those levels (sampling owners rely on it).
    for role in roles.CITY_AND_ABOVE:
        assert set(ROLE_LEVELS[role]) <= set(roles.CITY_AND_ABOVE_LEVELS)


def test_no_role_set_is_spelt_twice() -> None:
    named = {k: v for k, v in vars(roles).items() if k.isupper() and isinstance(v, tuple) and k != "CITY_AND_ABOVE_LEVELS"}
    assert all(len(set(v)) == len(v) for v in named.values())  # no role twice in one set
    for name, members in named.items():
        assert set(members) <= set(Role.values), name


def test_my_school_and_my_county(world: World) -> None:
    officer = Scope(make_user("xx", Role.SCHOOL_INFO_OFFICER, world.school_a2))
    assert roles.my_school(officer) == world.school_a2
    assert roles.my_county(officer) is None
    liaison = Scope(make_user("ll", Role.COUNTY_LIAISON, world.county_b))
    assert roles.my_county(liaison) == world.county_b
    assert roles.my_county(liaison, roles.COUNTY_OFFICE) is None
    # A role held at a county is no school's: never the first school of the subtree.
    assert roles.my_school(liaison, (Role.COUNTY_LIAISON,)) is None
    custodian = Scope(make_user("cc", Role.CUSTODIAN, world.county_a))
    assert roles.my_school(custodian) is None and roles.my_county(custodian, (Role.CUSTODIAN,)) == world.county_a
    # held at two schools: the first in path order; held at the city: no county
    RoleAssignment.objects.create(user=officer.user, role=Role.SCHOOL_INFO_OFFICER, unit=world.school_a1)
    assert roles.my_school(Scope(officer.user)) == world.school_a1
    city = Scope(make_user("ci", Role.CITY_ADMIN, world.city))
    assert roles.my_county(city, (Role.CITY_ADMIN,)) is None


def test_units_at_skips_inactive_units_and_other_roles(world: World) -> None:
    user = make_user("c", Role.COUNTY_ADMIN, world.county_a)
    RoleAssignment.objects.create(user=user, role=Role.PROCTOR, unit=world.school_b1)
    scope = Scope(user)
    assert list(roles.units_at(scope, Level.SCHOOL, roles.COUNTY_OFFICE)) == [world.school_a1, world.school_a2]
    assert list(roles.units_at(scope, Level.SCHOOL, (Role.PROCTOR,))) == [world.school_b1]
    world.school_a1.is_active = False
    world.school_a1.save(update_fields=["is_active"])
    assert list(roles.units_at(Scope(user), Level.SCHOOL, roles.COUNTY_OFFICE)) == [world.school_a2]


def test_admin_roles_only_strictly_below_the_manager() -> None:
    county = "/CN/36/3601/360121/"
    assert roles.role_assignable_by_manager(Role.PRINCIPAL, target_path=county, manager_paths=[county])
    assert not roles.role_assignable_by_manager(Role.COUNTY_ADMIN, target_path=county, manager_paths=[county])
    assert roles.role_assignable_by_manager(Role.COUNTY_ADMIN, target_path=county, manager_paths=["/CN/36/3601/"])
    assert not roles.role_assignable_by_manager(Role.PRINCIPAL, target_path="/CN/37/", manager_paths=[county])


def test_a_stand_in_scope_holds_exactly_its_one_grant(world: World) -> None:
    scope = Scope.acting_for(world.county_a, Role.COUNTY_INFO_OFFICER)
    assert scope.user is None and [g.role for g in scope.grants] == [Role.COUNTY_INFO_OFFICER]
    assert scope.holds(roles.COUNTY_OFFICE, world.school_a1)
    assert not scope.holds(roles.COUNTY_OFFICE, world.school_b1) and not scope.sees(world.county_b)
    assert roles.my_county(scope) == world.county_a


def test_nothing_writes_into_scope_internals() -> None:
    from pathlib import Path

    root = Path(__file__).resolve().parents[2] / "jiance"
    offenders = [str(p) for p in root.rglob("*.py") if '__dict__["grants"]' in p.read_text(encoding="utf-8")]
    assert not offenders
