"""One log line per request, as JSON in production, with a request id the audit log keeps too.

The request id comes from the proxy (`X-Request-ID`, nginx's `$request_id`) when it looks like one,
else it is made here; it is sent back in the response's `X-Request-ID`, so a user's report of an
error (the 500 page shows it) leads to the log line and to the audit entries of that request.
A request slower than `JIANCE_SLOW_REQUEST_MS` is logged as a warning with `"slow": true`.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import re
import time
import uuid
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.http import HttpRequest, HttpResponse

logger = logging.getLogger("jiance.request")

# What a proxy may hand us: letters, digits, dashes, up to 64 (nginx's $request_id is 32 hex).
_GOOD_ID = re.compile(r"^[A-Za-z0-9-]{8,64}$")
# The fields a log line carries beyond the standard ones (set through `extra=`).
FIELDS = ("request_id", "user_id", "unit", "method", "path", "status", "duration_ms", "slow")


def request_id_of(request: HttpRequest) -> str:
    given = request.META.get("HTTP_X_REQUEST_ID", "")
    return given if _GOOD_ID.match(given) else uuid.uuid4().hex


def unit_of(request: HttpRequest) -> str:
    """The unit the page was about: every unit page takes the unit's code as `code` (or
    `school_code`) in its URL."""
    match = getattr(request, "resolver_match", None)
    if match is None:
        return ""
    return str(match.kwargs.get("code") or match.kwargs.get("school_code") or "")


class RequestLogMiddleware:
    """First in the chain: it times everything below it, including the other middleware."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        started = time.perf_counter()
        request.request_id = request_id_of(request)  # type: ignore[attr-defined]
        response = self.get_response(request)
        response["X-Request-ID"] = request.request_id  # type: ignore[attr-defined]
        duration_ms = round((time.perf_counter() - started) * 1000, 1)
        slow = duration_ms >= settings.JIANCE_SLOW_REQUEST_MS
        user = getattr(request, "user", None)
        logger.log(
            logging.WARNING if slow or response.status_code >= 500 else logging.INFO,
            "%s %s %s %.1fms", request.method, request.path, response.status_code, duration_ms,
            extra={
                "request_id": request.request_id,  # type: ignore[attr-defined]
                "user_id": user.pk if user is not None and user.is_authenticated else None,
                "unit": unit_of(request),
                "method": request.method, "path": request.path, "status": response.status_code,
                "duration_ms": duration_ms, "slow": slow,
            },
        )
        return response


class JsonFormatter(logging.Formatter):
    """JSON lines: time (ISO 8601, with zone), level, logger, message, the request fields when
    present, and the exception's traceback as one string."""

    def format(self, record: logging.LogRecord) -> str:
        line: dict[str, Any] = {
            "time": dt.datetime.fromtimestamp(record.created, dt.UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        for name in FIELDS:
            if hasattr(record, name):
                line[name] = getattr(record, name)
        if record.exc_info:
            line["exc"] = self.formatException(record.exc_info)
        return json.dumps(line, ensure_ascii=False, default=str)
