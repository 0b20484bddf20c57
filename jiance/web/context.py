from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from jiance.accounts.scoping import get_scope


def navigation(request: HttpRequest) -> dict[str, Any]:
    if not getattr(request, "user", None) or not request.user.is_authenticated:
        return {}
    scope = get_scope(request)
    return {"scope": scope, "grants": scope.grants}
