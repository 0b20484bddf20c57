from __future__ import annotations

import pytest

from jiance.accounts.models import Role
from jiance.accounts.scoping import Scope
from jiance.units.models import Unit
from jiance.units.selectors import can_manage, export_rows, manage_roots, units_for_export
from tests.factories import World, make_unit, make_user


@pytest.mark.django_db
def test_subtree_boundary_with_codes_sharing_a_prefix(world: World) -> None:
    # Codes that extend 360121 character by character, at county and school level.
    twin = make_unit("3601211", "假想区", "county", world.city, county_kind="区")
    twin_school = make_unit("36012110001", "假想区小学", "school", twin, school_type="小学",
                            nature="公办", area="城区", affiliation="县属")
    under = set(units_for_export(scope=None, root=world.county_a).values_list("code", flat=True))
    assert under == {"360121", "3601210001", "3601210002"}
    assert twin.code not in under and twin_school.code not in under
    assert set(Unit.objects.subtree_of(twin).values_list("code", flat=True)) == {"3601211", "36012110001"}
    admin = make_user("a", Role.COUNTY_ADMIN, world.county_a)
    seen = set(Scope(admin).units().values_list("code", flat=True))
    assert seen == under


@pytest.mark.django_db
def test_export_rows_follow_paths_parents_first(world: World) -> None:
    rows = list(export_rows(units_for_export(scope=None, root=world.city)))
    codes = [r["code"] for r in rows]
    assert codes.index("360121") < codes.index("3601210001")
    assert codes.index("360124") < codes.index("3601240002")
    assert rows[0]["code"] == "360100" and rows[0]["parent_code"] == "360000"


@pytest.mark.django_db
def test_who_manages_what(world: World) -> None:
    info = make_user("info", Role.COUNTY_INFO_OFFICER, world.county_b)
    liaison = make_user("liaison", Role.COUNTY_LIAISON, world.county_b)
    city_admin = make_user("city", Role.CITY_ADMIN, world.city)
    assert can_manage(Scope(info), world.county_b)
    assert not can_manage(Scope(info), world.county_a)      # sibling
    assert not can_manage(Scope(info), world.school_b1)     # never a school
    assert not can_manage(Scope(liaison), world.county_b)   # not a managing role
    assert can_manage(Scope(city_admin), world.county_a)
    assert manage_roots(Scope(liaison)) == []
    assert manage_roots(Scope(city_admin)) == [world.city.path]
