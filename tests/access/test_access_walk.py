"""Walk EVERY URL pattern and API endpoint as EVERY role, against objects of the person's own
branch, of a sibling branch, and of no branch at all.

What must hold, for every route and role:
- a foreign object answers exactly like a missing one (same status, same body once the
  argument itself is blanked out): nothing tells an outsider that the object exists;
- a POST against a foreign object changes nothing in the database;
- a page without arguments never shows the name of a school outside the person's units.
"""

from __future__ import annotations

import pytest
from django.test import Client, override_settings
from django.urls import reverse

from tests.access.registry import PARAMS
from tests.access.walk import all_routes, walk_problems
from tests.access.walk_world import WalkWorld, person, role_cases
from tests.factories import make_user

# The walk of every role (test_no_cross_unit_read_or_write) is in test_walk_school.py, test_walk_county.py and test_walk_above.py.


def test_every_route_parameter_is_registered() -> None:
    unknown = {(r.name, p) for r in all_routes() for p in r.params if p not in PARAMS}
    assert not unknown, f"URL parameters missing from tests/access/registry.py: {sorted(unknown)}"


def test_the_walk_covers_the_api_and_the_pages() -> None:
    names = {r.name for r in all_routes()}
    assert "home" in names and "units:detail" in names
    assert any(n.startswith("api:") for n in names)


@pytest.mark.django_db
def test_the_walk_catches_a_leaky_view() -> None:
    """The walk itself must fail on a view that filters by hand and forgets the scope."""
    with override_settings(ROOT_URLCONF="tests.access.leaky_urls"):
        problems = walk_problems("county_admin", "county", urlconf="tests.access.leaky_urls")
    assert any("leaky_unit" in p and "foreign 200" in p for p in problems), problems
    assert any("leaky_list" in p and "shows foreign school" in p for p in problems), problems
    assert any("leaky_write" in p and "changed" in p for p in problems), problems


# --- cycles are scoped by the unit that owns them ----------------------------------------------
@pytest.mark.django_db
def test_a_province_own_cycle_is_hidden_from_other_provinces() -> None:
    """National cycles are everybody's; a province's (or city's) own cycle is seen and opened only
    inside its subtree and above it. For every role of the walk: the page list, the API list,
    the detail page and the management POSTs of another province's own cycle answer exactly like
    a missing cycle, and change nothing."""
    from jiance.cycles.models import Cycle, CycleStatus

    world = WalkWorld()
    national = Cycle.objects.create(code="national-2022", year=2022, name="全国监测周期", config={},
                                    status=CycleStatus.ACTIVE)
    own = {
        world.p1: Cycle.objects.create(code="jiangxi-2022", year=2022, name="江西省自主监测", config={},
                                       owner=world.p1, status=CycleStatus.ACTIVE),
        world.c3: Cycle.objects.create(code="liuzhou-2022", year=2022, name="柳州市自主监测", config={},
                                       owner=world.c3),
    }
    problems: list[str] = []
    for role, level in role_cases():
        user, branch = person(world, role, level)
        client = Client()
        client.force_login(user)
        home = branch.unit
        listing = client.get(reverse("cycles:list")).content.decode()
        api = client.get(reverse("api:cycle_list")).content.decode()
        if national.name not in listing or national.code not in api:
            problems.append(f"{role}@{level}: the national cycle is missing")
        for owner, cycle in own.items():
            # inside the owner's subtree, or above it (the centre)
            allowed = home.path.startswith(owner.path) or owner.path.startswith(home.path)
            shown = cycle.name in listing or cycle.code in api
            if shown != allowed:
                problems.append(f"{role}@{level}: {cycle.code} {'shown' if shown else 'hidden'} in lists")
            detail = client.get(reverse("cycles:detail", args=[cycle.code]))
            if (detail.status_code == 200) != allowed:
                problems.append(f"{role}@{level}: {cycle.code} detail answered {detail.status_code}")
            if allowed:
                continue
            missing = client.get(reverse("cycles:detail", args=["no-such-cycle"]))
            if detail.status_code != missing.status_code:
                problems.append(f"{role}@{level}: {cycle.code} detail {detail.status_code} ≠ missing")
            for name in ("cycles:copy", "cycles:activate"):
                before = list(Cycle.objects.values_list("code", "status", "year").order_by("code"))
                foreign = client.post(reverse(name, args=[cycle.code]), {"new_year": "2023", "days": "365"})
                gone = client.post(reverse(name, args=["no-such-cycle"]), {"new_year": "2023", "days": "365"})
                if foreign.status_code != gone.status_code:
                    problems.append(f"{role}@{level}: POST {name} {cycle.code} {foreign.status_code} ≠ missing")
                if before != list(Cycle.objects.values_list("code", "status", "year").order_by("code")):
                    problems.append(f"{role}@{level}: POST {name} {cycle.code} changed the cycles")
    assert not problems, "\n".join(problems)


@pytest.mark.django_db
def test_current_cycle_is_the_active_one_the_person_sees() -> None:
    from jiance.accounts.scoping import Scope
    from jiance.cycles.models import Cycle, CycleStatus
    from jiance.cycles.selectors import current_cycle

    world = WalkWorld()
    national = Cycle.objects.create(code="national-2022", year=2022, name="全国", config={},
                                    status=CycleStatus.ACTIVE)
    own = Cycle.objects.create(code="jiangxi-2023", year=2023, name="江西省自主监测", config={},
                               owner=world.p1, status=CycleStatus.ACTIVE)
    jiangxi, _ = person(world, "school_info", "school")
    guangxi = make_user("gx-county", "county_admin", world.ke)
    assert current_cycle(scope=Scope(jiangxi)) == own
    assert current_cycle(scope=Scope(guangxi)) == national


def test_the_walk_files_cover_every_role_once() -> None:
    from tests.access.walk import cases_at

    split = cases_at("school") + cases_at("county") + cases_at("city", "province", "centre")
    assert sorted(split) == sorted(role_cases())
