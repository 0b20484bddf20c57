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
from dataclasses import dataclass

import pytest
from django.apps import apps
from django.test import Client, override_settings
from django.urls import URLPattern, URLResolver, get_resolver, reverse

import tests.access as access_pkg
from tests.access.registry import GLOBAL, MISSING, PARAMS, PUBLIC_ROUTES
from tests.access.walk_world import WalkWorld, person, role_cases

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


def _body(response: object, blank: str) -> str:
    content = getattr(response, "content", b"").decode("utf-8", "replace")
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
