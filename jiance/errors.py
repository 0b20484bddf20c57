"""The platform's error pages: 403, 404 and 500 in its own layout, in Chinese and English.

A refusal says what happened and offers a way back (the home page, the previous page); a 403
raised by `Scope.require` carries the roles that may act, so the page can say who can do this
instead. The 500 page renders without the database or the session: whatever broke may be them.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseServerError
from django.template import loader
from django.utils.functional import Promise


class RoleRequired(PermissionDenied):
    """A 403 naming the roles that may do what was refused (their labels, as the raiser knows
    them: this module sits below the accounts app and cannot look them up)."""

    def __init__(self, roles: tuple[str, ...] | list[str], labels: list[str] | None = None) -> None:
        super().__init__()
        self.roles = tuple(dict.fromkeys(roles))
        self.labels = list(dict.fromkeys(labels or []))


class Unavailable(Http404):
    """A 404 whose reason the page may show: a condition of the whole platform (no active cycle),
    never one of an object. Other 404s show no reason, so a foreign object's page cannot differ
    from a missing one's."""


@contextmanager
def refusal_shown(request: HttpRequest, refused: type[Exception] | tuple[type[Exception], ...],
                  done: str = "") -> Iterator[None]:
    """Run a state change for a browser form that then redirects: a refusal of type `refused`
    (the app's error, in Chinese) is shown as the page's error message, else `done` as its
    success message. Anything else propagates."""
    try:
        yield
    except refused as exc:
        messages.error(request, str(exc))
    else:
        if done:
            messages.success(request, done)


def _role_labels(exception: Exception | None) -> list[str]:
    return [str(label) for label in getattr(exception, "labels", ()) or ()]


def forbidden(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    context = {"allowed_roles": _role_labels(exception), "back": request.META.get("HTTP_REFERER", "")}
    return HttpResponse(loader.render_to_string("errors/403.html", context, request), status=403)


def not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    message = ""
    if isinstance(exception, Unavailable) and exception.args and isinstance(exception.args[0], str | Promise):
        message = str(exception.args[0])
    context: dict[str, Any] = {"message": message, "back": request.META.get("HTTP_REFERER", "")}
    return HttpResponse(loader.render_to_string("errors/404.html", context, request), status=404)


def server_error(request: HttpRequest) -> HttpResponse:
    # No request context: context processors touch the session and the database.
    return HttpResponseServerError(loader.render_to_string("errors/500.html", {}))
