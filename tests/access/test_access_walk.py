"""Walk EVERY URL pattern and API endpoint as EVERY role, against objects of the person's own
branch, of a sibling branch, and of no branch at all.

What must hold, for every route and role:
- a foreign object answers exactly like a missing one (same status, same body once the
  argument itself is blanked out): nothing tells an outsider that the object exists;
- a POST against a foreign object changes nothing in the database;
- a page without arguments never shows the name of a school outside the person's units.
"""

from __future__ import annotations

import importlib
import pkgutil
import re
from dataclasses import dataclass

import pytest
from django.apps import apps
from django.test import Client, override_settings
from django.urls import URLPattern, URLResolver, get_resolver, reverse

import tests.access as access_pkg
from tests.access.registry import GLOBAL, MISSING, PARAMS, PUBLIC_ROUTES
from tests.access.walk_world import WalkWorld, person, role_cases
from tests.factories import make_user

# Registries contributed by each app's tests (tests/access/params_<app>.py).
for info in pkgutil.iter_modules(access_pkg.__path__):
    if info.name.startswith("params_"):
        importlib.import_module(f"tests.access.{info.name}")

SKIPPED_APPS = {"sessions", "axes", "audit", "contenttypes", "auth", "admin"}


@dataclass(frozen=True)
class Route:
    name: str
    params: tuple[str, ...]


def _params(pattern: URLPattern | URLResolver) -> tuple[str, ...]:
    p = pattern.pattern
    converters = getattr(p, "converters", None)
    if converters:
        return tuple(converters)
    return tuple(p.regex.groupindex)


def all_routes(urlconf: str | None = None) -> list[Route]:
    routes: list[Route] = []

    def walk(resolver: URLResolver, namespace: str, inherited: tuple[str, ...]) -> None:
        for entry in resolver.url_patterns:
            if isinstance(entry, URLResolver):
                ns = f"{namespace}{entry.namespace}:" if entry.namespace else namespace
                walk(entry, ns, inherited + _params(entry))
            elif entry.name:
                routes.append(Route(f"{namespace}{entry.name}", inherited + _params(entry)))

    walk(get_resolver(urlconf), "", ())
    return sorted(set(routes), key=lambda r: r.name)


def database_state() -> dict[str, list[tuple[object, ...]]]:
    state: dict[str, list[tuple[object, ...]]] = {}
    for model in apps.get_models():
        if model._meta.app_label in SKIPPED_APPS:
            continue
        fields = [f.attname for f in model._meta.concrete_fields if f.attname != "last_login"]
        state[model._meta.label] = sorted(model.objects.values_list(*fields), key=repr)
    return state


def test_every_route_parameter_is_registered() -> None:
    unknown = {(r.name, p) for r in all_routes() for p in r.params if p not in PARAMS}
    assert not unknown, f"URL parameters missing from tests/access/registry.py: {sorted(unknown)}"


def test_the_walk_covers_the_api_and_the_pages() -> None:
    names = {r.name for r in all_routes()}
    assert "home" in names and "units:detail" in names
    assert any(n.startswith("api:") for n in names)


# Django masks the CSRF token afresh on every render: two pages that tell the same thing differ there.
CSRF_TOKEN = re.compile(r'(csrfmiddlewaretoken" value="|"X-CSRFToken": ")[^"]*"')


def _body(response: object, blank: str) -> str:
    content = CSRF_TOKEN.sub(r'\1<CSRF>"', getattr(response, "content", b"").decode("utf-8", "replace"))
    return content.replace(blank, "<ARG>") if blank else content


def _variants(value: str | list[str]) -> list[str]:
    return [value] if isinstance(value, str) else list(value)


def _compare(
    client: Client, route: Route, foreign_url: str, missing_url: str,
    foreign: dict[str, str], missing: dict[str, str],
) -> list[str]:
    """A foreign object must answer like a missing one, and a POST to it must change nothing."""
    problems: list[str] = []
    for method in ("get", "post"):
        before = database_state() if method == "post" else None
        f_resp = getattr(client, method)(foreign_url)
        after = database_state() if method == "post" else None
        m_resp = getattr(client, method)(missing_url)
        if f_resp.status_code != m_resp.status_code:
            problems.append(
                f"{method.upper()} {foreign_url} ({route.name}): foreign {f_resp.status_code} ≠ missing {m_resp.status_code}"
            )
        elif f_resp.status_code < 300 or f_resp.status_code >= 400:
            f_body = _body(f_resp, foreign_url)
            m_body = _body(m_resp, missing_url)
            for p in set(route.params) - GLOBAL:
                f_body = f_body.replace(foreign[p], "<ARG>")
                m_body = m_body.replace(missing[p], "<ARG>")
            if f_body != m_body:
                problems.append(f"{method.upper()} {foreign_url} ({route.name}): foreign body differs from missing")
        if before is not None and before != after:
            changed = [k for k in before if before[k] != after.get(k)]
            problems.append(f"POST {foreign_url} ({route.name}) on a foreign object changed {changed}")
    return problems


def walk_problems(role: str, level: str, urlconf: str | None = None) -> list[str]:
    """Every access problem found for one role, as readable lines (empty when all is well)."""
    world = WalkWorld()
    user, branch = person(world, role, level)
    client = Client()
    client.force_login(user)
    has_foreign = branch.foreign_school.pk != branch.own_school.pk
    problems: list[str] = []

    def url(name: str, kwargs: dict[str, str] | None = None) -> str:
        return reverse(name, kwargs=kwargs, urlconf=urlconf)

    for route in all_routes(urlconf):
        if route.name in PUBLIC_ROUTES or any(p not in PARAMS for p in route.params):
            continue  # unregistered parameters fail test_every_route_parameter_is_registered
        if not route.params:
            response = client.get(url(route.name), follow=False)
            if has_foreign and branch.foreign_school.name in _body(response, ""):
                problems.append(f"GET {route.name} shows foreign school {branch.foreign_school.name}")
            continue

        own_all = {p: _variants(PARAMS[p](branch.own_school)) for p in route.params}
        foreign_all = {p: _variants(PARAMS[p](branch.foreign_school)) for p in route.params}
        for i in range(max(len(v) for v in own_all.values())):
            own = {p: v[min(i, len(v) - 1)] for p, v in own_all.items()}
            foreign = {
                p: own[p] if p in GLOBAL else v[min(i, len(v) - 1)] for p, v in foreign_all.items()
            }
            missing = {p: own[p] if p in GLOBAL else MISSING[p] for p in route.params}
            client.get(url(route.name, own))  # must not crash for the person's own objects
            scoped = set(route.params) - GLOBAL
            if not has_foreign or not scoped or any(foreign[p] == own[p] for p in scoped):
                continue  # nothing foreign to try in this variant
            problems += _compare(client, route, url(route.name, foreign), url(route.name, missing), foreign, missing)
    return problems


@pytest.mark.django_db
@pytest.mark.parametrize(("role", "level"), role_cases())
def test_no_cross_unit_read_or_write(role: str, level: str) -> None:
    problems = walk_problems(role, level)
    assert not problems, "\n".join(problems)


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
