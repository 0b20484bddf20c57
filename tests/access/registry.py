"""How the access walk builds URL arguments.

Every URL parameter of every route must be registered here: `PARAMS[name]` makes, for a given
school, the value of an object that belongs to that school's branch (creating the object if
needed), and `MISSING[name]` is the value of an object that does not exist. A route with an
unregistered parameter fails the walk, so no new route escapes it.

Apps add their own parameters with `@param("name", missing=...)` in `params_<app>.py`. Which
parameters exist is read from the app registry (`url_params` in `jiance/<app>/registry.py`):
`load_app_params()` imports the factories of every app that declares parameters and fails when a
declared parameter has none.
"""

from __future__ import annotations

from collections.abc import Callable
from importlib import import_module
from importlib.util import find_spec

from jiance.units.models import Unit

# A factory returns one value, or several "variants" (e.g. the school's code, then its county's
# code): the walk tries each variant, so a `code` that names a county page is exercised too.
ParamFactory = Callable[[Unit], "str | list[str]"]

PARAMS: dict[str, ParamFactory] = {}
MISSING: dict[str, str] = {}
# Parameters naming programme-wide things (a cycle, a format): the same for every branch, so
# they keep the person's own value when the walk tries a foreign or a missing object.
GLOBAL: set[str] = set()

# Routes that anyone may reach without holding a unit (no scoped data behind them).
PUBLIC_ROUTES = {"login", "logout", "set_language", "password_change", "healthz", "readyz"}


def param(name: str, *, missing: str, shared: bool = False) -> Callable[[ParamFactory], ParamFactory]:
    def register(factory: ParamFactory) -> ParamFactory:
        PARAMS[name] = factory
        MISSING[name] = missing
        if shared:
            GLOBAL.add(name)
        return factory

    return register


@param("code", missing="9999999999")
def unit_code(school: Unit) -> list[str]:
    """The school, then each of its ancestors up to the province."""
    ancestors = list(school.ancestors().exclude(level="centre").order_by("-path"))
    return [school.code, *(u.code for u in ancestors)]


@param("school_code", missing="9999999999")
def school_code(school: Unit) -> str:
    return school.code


@param("cycle_code", missing="no-such-cycle", shared=True)
def cycle_code(school: Unit) -> str:
    """Cycles are programme-wide, not unit data: the same cycle for every branch."""
    from jiance.cycles.models import Cycle

    cycle, _ = Cycle.objects.get_or_create(
        code="walk-2022", defaults={"year": 2022, "name": "走查周期", "config": {"test_days": []}}
    )
    return cycle.code


@param("fmt", missing="no-such-format", shared=True)
def export_format(school: Unit) -> str:
    return "xlsx"


def load_app_params() -> None:
    """Import `params_<app>.py` of every app that declares URL parameters, then check that each
    declared parameter has a factory (here or in an app's module)."""
    from jiance.apps_registry import entries

    for entry in entries():
        if entry.url_params and find_spec(f"tests.access.params_{entry.app}") is not None:
            import_module(f"tests.access.params_{entry.app}")
    missing = sorted({p for e in entries() for p in e.url_params} - set(PARAMS))
    if missing:
        raise LookupError(f"URL parameters declared in jiance/<app>/registry.py without a walk factory: {missing}")


load_app_params()
