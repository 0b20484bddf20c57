from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

from jiance.audit.context import Actor, acting_as


def client_ip(request: HttpRequest) -> str | None:
    return request.META.get("REMOTE_ADDR")


class AuditContextMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = request.user if request.user.is_authenticated else None
        actor = Actor(user=user, ip=client_ip(request), label="web", request_id=getattr(request, "request_id", ""))
        with acting_as(actor):
            return self.get_response(request)
