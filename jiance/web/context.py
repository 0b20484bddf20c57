from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from jiance import clock
from jiance.accounts.scoping import get_scope
from jiance.apps_registry import menu
from jiance.notifications.selectors import unread_count
from jiance.web.selectors import my_inbox


def navigation(request: HttpRequest) -> dict[str, Any]:
    if not getattr(request, "user", None) or not request.user.is_authenticated:
        return {}
    scope = get_scope(request)
    # The nav shows each app's entry only to the roles that may use it (jiance/<app>/registry.py).
    # The top bar counts what waits for the person (every page; the home page lists it). Lazy:
    # read only by a page that shows the top bar (not by htmx partials), once per request.
    return {"scope": scope, "grants": scope.grants, "nav_items": menu(scope.roles),
            "inbox_count": lambda: len(my_inbox(request)),
            "unread_notifications": lambda: unread_count(request.user)}


def server_time(request: HttpRequest) -> dict[str, Any]:
    """The server's "now" for the page (`<meta name="jiance-now">`): the offline queue stamps an
    action with the server's clock as the phone saw it at load plus the time since, so a phone
    whose own clock is wrong (or a demo served with JIANCE_NOW) still records the right moment."""
    return {"server_now": lambda: clock.now().isoformat()}
