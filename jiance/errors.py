"""The platform's error pages: 403, 404 and 500 in its own layout, in Chinese and English.

A refusal says what happened and offers a way back (the home page, the previous page); a 403
raised by `Scope.require` carries the roles that may act, so the page can say who can do this
instead. The 500 page renders without the database or the session: whatever broke may be them.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db import InterfaceError, OperationalError
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseServerError, JsonResponse
from django.template import loader
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.views import defaults


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


# Seconds a client is asked to wait when the database cannot be reached (a restart, a failover).
RETRY_AFTER = 10
QUEUE_HEADER = "HTTP_X_JIANCE_QUEUE"  # posts from the offline queue (jiance.offline): a plain-text reply


def database_unavailable(request: HttpRequest) -> HttpResponse:
    """503 with Retry-After: the database is unreachable (restarting, failing over) or refused the
    work for a moment (Django's OperationalError also covers a deadlock, a statement timeout, SQLite's
    lock): worth trying again. Nothing was half-written: every change runs in one transaction, which
    the database rolled back. The API answers JSON, the offline queue plain text (it retries any 5xx),
    a browser the platform's page. Django still logs the exception (the request's error log line)."""
    message = _("数据库暂时无法连接（可能正在重启），本次操作没有保存。请稍候片刻再试。")
    response: HttpResponse
    if request.path.startswith("/api/"):
        response = JsonResponse({"detail": str(message), "code": "database_unavailable",
                                 "retry_after": RETRY_AFTER}, status=503)
    elif request.META.get(QUEUE_HEADER) == "1":
        response = HttpResponse(str(message), status=503, content_type="text/plain; charset=utf-8")
    else:
        # No request context, as for the 500 page: context processors touch the session and the database.
        response = HttpResponse(loader.render_to_string("errors/503.html", {"retry_after": RETRY_AFTER}),
                                status=503)
    response["Retry-After"] = str(RETRY_AFTER)
    response["Cache-Control"] = "no-store"
    return response


def _database_lost(exception: BaseException | None) -> bool:
    """Whether `exception` or one it was raised from (its chain) is a lost or refused database
    connection: e.g. the session's save failing as the database restarts, which Django reports as
    `SessionInterrupted` (400) raised while handling the OperationalError."""
    seen = 0
    while exception is not None and seen < 10:
        if isinstance(exception, OperationalError | InterfaceError):
            return True
        exception = exception.__cause__ or exception.__context__
        seen += 1
    return False


def bad_request(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    # A session that could not be saved because the database went away is not the client's fault:
    # 503, so the offline queue sends it again (its client id makes the repeat harmless).
    if _database_lost(exception):
        return database_unavailable(request)
    return defaults.bad_request(request, exception)  # type: ignore[arg-type]


def server_error(request: HttpRequest) -> HttpResponse:
    # Django calls the 500 handler inside its `except` block: the exception is still at hand. A lost
    # or refused database connection is not the platform's bug but a moment to wait: 503.
    if _database_lost(sys.exc_info()[1]):
        return database_unavailable(request)
    # No request context: context processors touch the session and the database.
    return HttpResponseServerError(loader.render_to_string("errors/500.html", {}))
