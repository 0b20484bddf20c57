from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from jiance.accounts.scoping import get_scope
from jiance.apps_registry import menu


def navigation(request: HttpRequest) -> dict[str, Any]:
    if not getattr(request, "user", None) or not request.user.is_authenticated:
        return {}
    scope = get_scope(request)
    # The nav shows each app's entry only to the roles that may use it (jiance/<app>/registry.py).
    return {"scope": scope, "grants": scope.grants, "nav_items": menu(scope.roles)}
