"""The access walk's machinery: every URL pattern and API endpoint walked as one role, against
objects of the person's own branch, of a sibling branch, and of no branch at all (see
test_access_walk.py for what must hold). The walk per role is split by level over several test
files (test_walk_*.py) so that parallel workers share it."""

from __future__ import annotations

import importlib
import pkgutil
import re
from dataclasses import dataclass

from django.apps import apps
from django.test import Client
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


# Django masks the CSRF token afresh on every render, and every page carries the server's time for
# the offline queue (<meta name="jiance-now">): two pages that tell the same thing differ there.
CSRF_TOKEN = re.compile(r'(csrfmiddlewaretoken" value="|"X-CSRFToken": "|<meta name="jiance-now" content=")[^"]*"')


def _body(response: object, blank: str) -> str:
    content = CSRF_TOKEN.sub(r'\1<CSRF>"', getattr(response, "content", b"").decode("utf-8", "replace"))
    return content.replace(blank, "<ARG>") if blank else content


def _token(value: str) -> re.Pattern[str]:
    return re.compile(r"(?<![0-9A-Za-z])" + re.escape(value) + r"(?![0-9A-Za-z])")


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
                # whole tokens only: a short id such as 40 also stands inside times and hashes
                f_body = _token(foreign[p]).sub("<ARG>", f_body)
                m_body = _token(missing[p]).sub("<ARG>", m_body)
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


def cases_at(*levels: str) -> list[tuple[str, str]]:
    """The walk's (role, level) cases held at one of `levels`."""
    return [(role, level) for role, level in role_cases() if level in levels]
